// The hostile-path corpus: guest paths that try to leave the sandbox (through
// the path string or through symlinks in the tree of tree.mjs), and paths
// that must keep working, each opened with "w", "a" and "wx". A path that
// opens is written to and closed, and its target must hold the bytes.
//
// Outcomes by flag: [w, a, wx]. A target (the host file under the case root
// the write must reach) is given for the paths that open. "wx" never follows
// a final symlink, so any existing link there is EEXIST, wherever it points.
const CAP = "ENOTCAPABLE";
const escapes = (wx = CAP) => [CAP, CAP, wx];
const opens = (target, wxOutcome = "ok") => ({ outcomes: ["ok", "ok", wxOutcome], target });
const all = (code) => [code, code, code];

const PATHS = [
  // The path string alone.
  ["/out/new.txt", opens("pre/new.txt")],
  ["/out/existing.txt", opens("pre/existing.txt", "EEXIST")],
  ["/out/../x.txt", escapes()],
  ["/out/..", escapes()],
  ["/out/sub/../../x.txt", escapes()],
  ["/out/sub/deeper/../../../x.txt", escapes()],
  ["/out/sub/../new2.txt", opens("pre/new2.txt")],
  ["/out/./sub/./new.txt", opens("pre/sub/new.txt")],
  ["/out//sub///new.txt", opens("pre/sub/new.txt")],
  ["/x.txt", escapes()],
  ["x.txt", escapes()], // relative, and no preopen is relative
  ["../x.txt", escapes()],
  ["/out-evil/x.txt", escapes()], // a prefix of a name is not a preopen
  ["/outside/secret.txt", escapes()],
  ["/out/mnt/../x.txt", escapes()], // `..` never leaves the preopen it started in
  ["/out/mnt/mnt.txt", opens("mnt/mnt.txt", "EEXIST")],
  ["/out/%2e%2e/x.txt", all("ENOENT")], // no URL decoding: a folder named %2e%2e
  ["/out/sub\\..\\..\\x.txt", opens("pre/sub\\..\\..\\x.txt")], // backslash is a name character
  ["/out/...", opens("pre/...")],
  ["/out/.hidden", opens("pre/.hidden")],
  ["/out/ünïcødé-日本.txt", opens("pre/ünïcødé-日本.txt")],
  ["/out/with space.txt", opens("pre/with space.txt")],
  // Symlinks that leave.
  ["/out/link-out-dir/x.txt", escapes()],
  ["/out/link-out-dir/secret.txt", escapes()],
  ["/out/link-out-dir/../pre/existing.txt", escapes()],
  ["/out/link-out-file", escapes("EEXIST")],
  ["/out/link-out-missing", escapes("EEXIST")],
  ["/out/link-abs-dir/x.txt", escapes()],
  ["/out/link-abs-file", escapes("EEXIST")],
  ["/out/link-abs-inside", escapes("EEXIST")], // an absolute target is a host path: refused
  ["/out/chain-out1", escapes("EEXIST")],
  ["/out/sub/link-deep-out", escapes("EEXIST")],
  ["/out/sub/link-up-up/x.txt", escapes()],
  ["/out/sub/link-up-up/outside/secret.txt", escapes()],
  // Symlinks that stay inside keep working.
  ["/out/link-in-file", opens("pre/existing.txt", "EEXIST")],
  ["/out/link-in-dir/new.txt", opens("pre/sub/new.txt")],
  ["/out/link-in-dir/inner.txt", opens("pre/sub/inner.txt", "EEXIST")],
  ["/out/link-in-dir/../existing.txt", opens("pre/existing.txt", "EEXIST")],
  ["/out/sub/link-parent-file", opens("pre/existing.txt", "EEXIST")],
  ["/out/sub/link-up-root/new.txt", opens("pre/new.txt")],
  ["/out/chain1", opens("pre/existing.txt", "EEXIST")],
  ["/out/dangling-in", opens("pre/missing-target.txt", "EEXIST")],
  // Loops, bad names, missing parents, folders.
  ["/out/loop-a", ["ELOOP", "ELOOP", "EEXIST"]],
  ["/out/loop-a/x.txt", all("ELOOP")],
  ["/out/self-loop/x.txt", all("ELOOP")],
  ["", all("EINVAL")],
  ["/out/a\u0000b", all("EINVAL")],
  [`/out/${"n".repeat(256)}`, all("ENAMETOOLONG")],
  [`/out/${"d/".repeat(2100)}x`, all("ENAMETOOLONG")],
  ["/out/missing-dir/x.txt", all("ENOENT")],
  ["/out", all("EISDIR")],
  ["/out/", all("EISDIR")],
  ["/out/sub/", all("EISDIR")],
  ["/out/sub/..", all("EISDIR")],
  ["/out/link-in-dir/", all("EISDIR")],
  ["/out/a-dir", ["EISDIR", "EISDIR", "EEXIST"]],
  ["/out/existing.txt/x", all("ENOTDIR")],
];

const FLAGS = ["w", "a", "wx"];
const printable = (path) => (path.length > 60 ? `${path.slice(0, 40)}…(${path.length} chars)` : JSON.stringify(path));

function caseOf(path, spec, flagIndex) {
  const flag = FLAGS[flagIndex];
  const { outcomes, target } = Array.isArray(spec) ? { outcomes: spec, target: undefined } : spec;
  const outcome = outcomes[flagIndex];
  const marker = `written with ${flag}\n`;
  const name = `path ${printable(path)} with ${flag} → ${outcome}`;
  if (outcome !== "ok") {
    return { name, ops: [{ op: "open", h: "f", path, flag }], expect: [outcome], files: {} };
  }
  const before =
    flag === "a"
      ? ({ "pre/existing.txt": "existing\n", "pre/sub/inner.txt": "inner\n", "mnt/mnt.txt": "mnt\n" }[target] ?? "")
      : "";
  return {
    name,
    ops: [
      { op: "open", h: "f", path, flag },
      { op: "write", h: "f", text: marker },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { [target]: before + marker },
  };
}

/** Every path with every flag: one case each. */
export const CORPUS = PATHS.flatMap(([path, spec]) => FLAGS.map((_, i) => caseOf(path, spec, i)));
export const CORPUS_PATHS = PATHS.length;
