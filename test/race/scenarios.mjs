// Race scenarios: a racing attacker swaps entries inside the preopen with
// symlinks to a folder or file outside while aiowasi opens and writes, and
// nothing outside may change. Written once, host-agnostic: run in-process on
// Node (test/race.test.ts) and as a script under Deno and Bun:
//
//   <runtime> test/race/scenarios.mjs ROOT CASE ATTEMPTS      prints the result as JSON
//
// ROOT/CASE is the case's tree; it is made if it is not there (the test makes
// it first, to snapshot everything outside the preopen before). The racer is
// test/race/swapper.c, compiled: $AIOWASI_SWAPPER, or ROOT/swapper.
//
// Each case: start the swapper on a pair of entries inside the preopen (a real
// folder or file <-> a symlink to outside), run ATTEMPTS opens (open, write,
// close, each outcome counted by code), stop the swapper (it puts the pair
// back as it was), then count what landed inside. The caller snapshots
// everything outside the preopen (test/conformance/tree.mjs) before and after.
//
// The cases marked `op` race the rest of the file system the same way
// (rename, unlink, rmdir, mkdir, atomic writeFile, and the reads readFile,
// stat/lstat, readdir): their trees get one entry per attempt inside
// `pre/d`, and canaries with the same names in the folder outside, so that an
// operation that followed the swapped-in link would make one vanish or
// change. A read cannot change anything: a read that returns what is outside
// (the canary's content or size, the outside folder's names) is counted as the
// outcome READ_ESCAPE.
import { spawn } from "node:child_process";
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Sandbox } from "../../dist/index.js";

/** Guest name of the preopen in every case. */
export const GUEST = "/out";

/**
 * Entries of a case folder the attacker changes (the preopen itself, where it
 * was moved to, the symlink it was given as): the snapshot of everything
 * outside the preopen leaves these out; everything else, `outside/` above
 * all, must stay byte-identical.
 */
export const ATTACKER_ENTRIES = new Set(["pre", "pre-moved", "pre-link"]);

/** A case folder: `outside/` (canary file and folder) and the preopen `pre/` with the real entries and their symlinks out. */
const TREE = [
  ["outside", null],
  ["outside/canary.txt", "canary\n"],
  ["outside/dir", null],
  ["outside/dir/keep.txt", "keep\n"],
  ["pre", null],
  ["pre/d", null],
  ["pre/d/existing.txt", "existing\n"],
  ["pre/d-link", { link: "../outside/dir" }],
  ["pre/f.txt", "inside\n"],
  ["pre/f-link", { link: "../outside/canary.txt" }],
  ["pre-link", { link: "pre" }],
];

/**
 * Makes the tree of a case under `caseDir` (which must not exist yet); the
 * case `name`, if given, may add entries for its `attempts` (its `prepare`).
 * Those files are hard links: each content on each side (the preopen `pre/`,
 * or `outside/`) is one inode, linked under every name (on this machine's
 * disk a new file took up to 1 ms, a link 40 µs; and the snapshot reads
 * each inode once). No link crosses the preopen's boundary.
 */
export async function makeCaseTree(caseDir, name = undefined, attempts = 0) {
  await mkdir(caseDir, { recursive: true });
  for (const [entry, value] of TREE) {
    const path = join(caseDir, entry);
    if (value === null) await mkdir(path);
    else if (typeof value === "string") await writeFile(path, value);
    else await symlink(value.link, path);
  }
  for (const [entry, target] of (name && CASES[name]?.hardLinks) || []) linkSync(join(caseDir, target), join(caseDir, entry));
  const prepare = name === undefined ? undefined : CASES[name]?.prepare;
  if (prepare) {
    const first = new Map(); // side + content -> the file the others link to
    for (const [entry, value] of prepare(attempts)) {
      const path = join(caseDir, entry);
      const key = `${entry.split("/")[0]}\0${value}`;
      if (value === null) mkdirSync(path);
      else if (first.has(key)) linkSync(first.get(key), path);
      else {
        writeFileSync(path, value);
        first.set(key, path);
      }
    }
  }
}

const LINE = "line\n";
const W_DATA = "w-data\n";

/** Lines of a file inside the preopen (0 if it is missing). */
function lines(path) {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").length - 1 : 0;
}

/** Regular files under `dir` whose name matches `re` and whose content is `text` (any, if undefined); symlinks are not followed. */
function filesUnder(dir, re, text) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = lstatSync(path);
    if (info.isDirectory()) n += filesUnder(path, re, text);
    else if (info.isFile() && re.test(name) && (text === undefined || readFileSync(path, "utf8") === text)) n++;
  }
  return n;
}

/** Folders under `dir` (itself left out) whose name matches `re`; symlinks are not followed. */
function foldersUnder(dir, re) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!lstatSync(path).isDirectory()) continue;
    if (re.test(name)) n++;
    n += foldersUnder(path, re);
  }
  return n;
}

/**
 * What a folder swap may answer besides success: ENOTCAPABLE, the step
 * found the symlink and followed it to its "..", above the preopen. Never
 * ENOTDIR: a link swapped back to the folder between the step and its
 * readlink makes the walk look again (the core's RACED retry).
 */
export const FOLDER_SWAP_CODES = ["ENOTCAPABLE"];

/**
 * The cases. `swap`: the pair the swapper exchanges (relative to the case
 * folder), none for the cases where the attacker acts once after create;
 * `preopen`: the host folder given to Sandbox.create; `after`: what the
 * attacker does once the sandbox runs; `attempt`: one open/write/close;
 * `allowed`: the failure codes that are natural for the case (anything else
 * is reported as unexpected); `inside`: what must be found inside the
 * preopen afterwards, from the outcome counts.
 */
export const CASES = {
  /** (a) A folder swapped with a symlink to a folder outside; "w" of new files under it. */
  "dir-w": {
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    attempt: (sb, i) => openWriteClose(sb, `${GUEST}/d/w-${i}.txt`, "w", LINE),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: filesUnder(join(caseDir, "pre"), /^w-\d+\.txt$/, LINE) }),
  },
  /** (b) The same, "wx". */
  "dir-wx": {
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    attempt: (sb, i) => openWriteClose(sb, `${GUEST}/d/wx-${i}.txt`, "wx", LINE),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: filesUnder(join(caseDir, "pre"), /^wx-\d+\.txt$/, LINE) }),
  },
  /** (c) The same, opening a deeper path with { mkdir: true }: no folder may be made outside. */
  "dir-mkdir": {
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    attempt: (sb, i) => openWriteClose(sb, `${GUEST}/d/m-${i}/deep/file.txt`, "w", LINE, { mkdir: true }),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: filesUnder(join(caseDir, "pre"), /^file\.txt$/, LINE) }),
  },
  /** (d) The file swapped with a symlink to a canary file outside; "a": the canary must never grow. */
  "file-a": {
    swap: ["pre/f.txt", "pre/f-link"],
    allowed: ["ENOTCAPABLE"],
    attempt: (sb) => openWriteClose(sb, `${GUEST}/f.txt`, "a", LINE),
    inside: (caseDir, counts) => ({ expected: 1 + (counts.ok ?? 0), found: lines(join(caseDir, "pre/f.txt")) }),
  },
  /** (e) The same, "w": the canary must never be truncated or written. */
  "file-w": {
    swap: ["pre/f.txt", "pre/f-link"],
    allowed: ["ENOTCAPABLE"],
    attempt: (sb) => openWriteClose(sb, `${GUEST}/f.txt`, "w", W_DATA),
    inside: (caseDir, counts) => ({
      expected: counts.ok ? W_DATA : "inside\n",
      found: readFileSync(join(caseDir, "pre/f.txt"), "utf8"),
    }),
  },
  /**
   * (e2) With refuseHardLinks, the file swapped with a hard link of the
   * canary outside (the same inode under a name inside): "a" must never
   * reach it. The link count is read on the opened fd, so no swap can slip
   * between the check and the write.
   */
  "file-a-hard-link": {
    swap: ["pre/f.txt", "pre/f-hard"],
    hardLinks: [["pre/f-hard", "outside/canary.txt"]],
    options: { refuseHardLinks: true },
    allowed: ["ENOTCAPABLE"],
    attempt: (sb) => openWriteClose(sb, `${GUEST}/f.txt`, "a", LINE),
    inside: (caseDir, counts) => ({ expected: 1 + (counts.ok ?? 0), found: lines(join(caseDir, "pre/f.txt")) }),
  },
  /**
   * (f) A file opened (append) before the race; then reopen() + write while
   * its folder is swapped. A reopen that fails keeps the old file; every
   * line must be in the file inside.
   */
  "dir-reopen": {
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    before: async (sb) => sb.open(`${GUEST}/d/reopen.txt`, "a"),
    attempt: async (_sb, _i, file) => {
      const reopened = await file.reopen().then(
        () => "ok",
        (error) => error?.code ?? `THREW ${String(error)}`,
      );
      const wrote = await file.write(LINE).then(
        () => "ok",
        (error) => `write:${error?.code ?? String(error)}`,
      );
      return wrote === "ok" ? reopened : wrote;
    },
    finish: (file) => file.close(),
    inside: (caseDir, _counts, attempts) => ({ expected: attempts, found: lines(join(caseDir, "pre/d/reopen.txt")) }),
  },
  /**
   * (g) After create, the preopen folder is renamed away and a symlink to
   * outside put in its place: opens land in the renamed folder, or fail.
   */
  "preopen-renamed": {
    after: (caseDir) => {
      renameSync(join(caseDir, "pre"), join(caseDir, "pre-moved"));
      symlinkSync("outside", join(caseDir, "pre"));
    },
    allowed: [],
    attempt: (sb, i) => openWriteClose(sb, i % 2 ? `${GUEST}/g-${i}.txt` : `${GUEST}/d/g-${i}.txt`, "w", LINE),
    inside: (caseDir, counts) => ({
      expected: counts.ok ?? 0,
      found: filesUnder(join(caseDir, "pre-moved"), /^g-\d+\.txt$/, LINE),
    }),
  },
  /**
   * (h) The preopen is given as a symlink (pre-link -> pre), retargeted to
   * outside after create: opens land in the folder it named at create, or fail.
   */
  "preopen-symlink": {
    preopen: "pre-link",
    after: (caseDir) => {
      symlinkSync("outside", join(caseDir, "pre-link.new"));
      renameSync(join(caseDir, "pre-link.new"), join(caseDir, "pre-link"));
    },
    allowed: [],
    attempt: (sb, i) => openWriteClose(sb, i % 2 ? `${GUEST}/h-${i}.txt` : `${GUEST}/d/h-${i}.txt`, "w", LINE),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: filesUnder(join(caseDir, "pre"), /^h-\d+\.txt$/, LINE) }),
  },
  // The rest of the file system under the same swap (`op`: one entry per attempt, see the top).
  /**
   * (i) rename inside the swapped folder, /out/d/a-N -> /out/d/b-N; outside/dir
   * holds canaries a-N: none may vanish, no b-N may appear there.
   */
  "op-rename": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: (attempts) =>
      perAttempt(attempts, (i) => [
        [`pre/d/a-${i}`, IN_TEXT],
        [`outside/dir/a-${i}`, OUT_TEXT],
      ]),
    attempt: (sb, i) => settle(sb.rename(`${GUEST}/d/a-${i}`, `${GUEST}/d/b-${i}`)),
    inside: (caseDir, counts, attempts) => ({
      expected: { renamed: counts.ok ?? 0, left: attempts - (counts.ok ?? 0) },
      found: {
        renamed: filesUnder(join(caseDir, "pre"), /^b-\d+$/, IN_TEXT),
        left: filesUnder(join(caseDir, "pre"), /^a-\d+$/, IN_TEXT),
      },
    }),
  },
  /**
   * (j) rename from the preopen's top level into the swapped folder,
   * /out/t-N -> /out/d/t-N; outside/dir holds canaries t-N (other content):
   * none may be replaced.
   */
  "op-rename-into": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: (attempts) =>
      perAttempt(attempts, (i) => [
        [`pre/t-${i}`, IN_TEXT],
        [`outside/dir/t-${i}`, OUT_TEXT],
      ]),
    attempt: (sb, i) => settle(sb.rename(`${GUEST}/t-${i}`, `${GUEST}/d/t-${i}`)),
    inside: (caseDir, counts, attempts) => ({
      expected: { moved: counts.ok ?? 0, left: attempts - (counts.ok ?? 0) },
      found: {
        moved: filesUnder(join(caseDir, "pre/d"), /^t-\d+$/, IN_TEXT),
        left: readdirSync(join(caseDir, "pre")).filter((n) => /^t-\d+$/.test(n)).length,
      },
    }),
  },
  /** (k) unlink of /out/d/u-N; outside/dir holds canary files u-N: none may vanish. */
  "op-unlink": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: (attempts) =>
      perAttempt(attempts, (i) => [
        [`pre/d/u-${i}`, IN_TEXT],
        [`outside/dir/u-${i}`, OUT_TEXT],
      ]),
    attempt: (sb, i) => settle(sb.unlink(`${GUEST}/d/u-${i}`)),
    inside: (caseDir, counts, attempts) => ({
      expected: attempts - (counts.ok ?? 0),
      found: filesUnder(join(caseDir, "pre"), /^u-\d+$/, IN_TEXT),
    }),
  },
  /** (l) rmdir of /out/d/r-N; outside/dir holds empty canary folders r-N: none may vanish. */
  "op-rmdir": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: (attempts) =>
      perAttempt(attempts, (i) => [
        [`pre/d/r-${i}`, null],
        [`outside/dir/r-${i}`, null],
      ]),
    attempt: (sb, i) => settle(sb.rmdir(`${GUEST}/d/r-${i}`)),
    inside: (caseDir, counts, attempts) => ({
      expected: attempts - (counts.ok ?? 0),
      found: foldersUnder(join(caseDir, "pre"), /^r-\d+$/),
    }),
  },
  /** (m) mkdir of /out/d/k-N: no folder may appear outside. */
  "op-mkdir": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    attempt: (sb, i) => settle(sb.mkdir(`${GUEST}/d/k-${i}`)),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: foldersUnder(join(caseDir, "pre"), /^k-\d+$/) }),
  },
  /**
   * (n) mkdir { recursive: true } of /out/d/kr-N/deep: no folder may appear
   * outside. A try that fails after making kr-N may leave it inside; every
   * success left its "deep".
   */
  "op-mkdir-recursive": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    attempt: (sb, i) => settle(sb.mkdir(`${GUEST}/d/kr-${i}/deep`, { recursive: true })),
    inside: (caseDir, counts) => ({ expected: counts.ok ?? 0, found: foldersUnder(join(caseDir, "pre"), /^deep$/) }),
  },
  /**
   * (o) writeFile { atomic: true } of /out/d/aw-N (every third one replaces a
   * file there); outside/dir holds canaries aw-N for even N: no file, temp or
   * target, may appear or change outside, and no temp may be left inside.
   */
  "op-write-atomic": {
    op: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: (attempts) =>
      perAttempt(attempts, (i) => [
        ...(i % 3 === 0 ? [[`pre/d/aw-${i}`, IN_TEXT]] : []),
        ...(i % 2 === 0 ? [[`outside/dir/aw-${i}`, OUT_TEXT]] : []),
      ]),
    attempt: (sb, i) => settle(sb.writeFile(`${GUEST}/d/aw-${i}`, W_DATA, { atomic: true })),
    inside: (caseDir, counts, attempts) => ({
      expected: { written: counts.ok ?? 0, kept: Math.ceil(attempts / 3), temps: 0 },
      found: {
        written: filesUnder(join(caseDir, "pre"), /^aw-\d+$/, W_DATA),
        // The files that were there before: replaced or left, never removed.
        kept: perAttempt(attempts, (i) => (i % 3 === 0 ? [i] : [])).filter((i) => existsSync(join(caseDir, `pre/d/aw-${i}`)))
          .length,
        temps: filesUnder(join(caseDir, "pre"), /\.tmp$/),
      },
    }),
  },
  /**
   * (p) readFile of /out/d/same.txt (odd N: open "r" + read() instead); the
   * file outside/dir/same.txt has other content: reading it is READ_ESCAPE.
   */
  "op-read-file": {
    op: true,
    read: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: () => SAME,
    attempt: (sb, i) =>
      settle(i % 2 ? readSome(sb, `${GUEST}/d/same.txt`) : sb.readFile(`${GUEST}/d/same.txt`, "utf8"), (text) =>
        judge(text, IN_TEXT, OUT_TEXT),
      ),
    inside: (caseDir) => ({ expected: IN_TEXT, found: readFileSync(join(caseDir, "pre/d/same.txt"), "utf8") }),
  },
  /** (q) stat (even N) and lstat (odd N) of /out/d/same.txt: the outside file's size is READ_ESCAPE. */
  "op-stat": {
    op: true,
    read: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: () => SAME,
    attempt: (sb, i) =>
      settle(i % 2 ? sb.lstat(`${GUEST}/d/same.txt`) : sb.stat(`${GUEST}/d/same.txt`), (st) =>
        st.isFile() ? judge(st.size, IN_TEXT.length, OUT_TEXT.length) : `WRONG not a file`,
      ),
    inside: (caseDir) => ({ expected: IN_TEXT, found: readFileSync(join(caseDir, "pre/d/same.txt"), "utf8") }),
  },
  /** (r) readdir of /out/d: the outside folder's names (keep.txt) are READ_ESCAPE. */
  "op-readdir": {
    op: true,
    read: true,
    swap: ["pre/d", "pre/d-link"],
    allowed: FOLDER_SWAP_CODES,
    prepare: () => SAME,
    attempt: (sb) =>
      settle(sb.readdir(`${GUEST}/d`), (names) =>
        judge([...names].sort().join(","), "existing.txt,same.txt", "keep.txt,same.txt"),
      ),
    inside: (caseDir) => ({ expected: ["existing.txt", "same.txt"], found: readdirSync(join(caseDir, "pre/d")).sort() }),
  },
};

/** The outcome of a read that returned what is outside the preopen. */
export const READ_ESCAPE = "READ_ESCAPE";

const IN_TEXT = "inside\n";
const OUT_TEXT = "outside canary\n"; // other content and size than IN_TEXT
/** For the read cases: a file with one name inside the swapped folder and outside it, different in content and size. */
const SAME = [
  ["pre/d/same.txt", IN_TEXT],
  ["outside/dir/same.txt", OUT_TEXT],
];

/** The entries `each(i)` gives for every attempt i. */
function perAttempt(attempts, each) {
  const entries = [];
  for (let i = 0; i < attempts; i++) entries.push(...each(i));
  return entries;
}

/** "ok" (or what `check` makes of the value), or the code it failed with. */
function settle(promise, check = () => "ok") {
  return promise.then(check, (error) => error?.code ?? `THREW ${String(error)}`);
}

/** What a read returned: the inside value "ok", the outside one READ_ESCAPE, anything else WRONG. */
function judge(value, inside, outside) {
  if (value === inside) return "ok";
  if (value === outside) return READ_ESCAPE;
  return `WRONG ${JSON.stringify(value)}`;
}

/** open "r", read() up to 64 bytes, close: the text read. */
async function readSome(sb, path) {
  const file = await sb.open(path, "r");
  try {
    const { bytesRead, buffer } = await file.read(new Uint8Array(64));
    return new TextDecoder().decode(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** open + write + close: "ok", or the code of the first step that failed. */
async function openWriteClose(sb, path, flags, data, options) {
  let file;
  try {
    file = await sb.open(path, flags, options);
  } catch (error) {
    return error?.code ?? `THREW ${String(error)}`;
  }
  try {
    await file.write(data);
    await file.close();
    return "ok";
  } catch (error) {
    await file.close().catch(() => {});
    return `write:${error?.code ?? String(error)}`;
  }
}

/** The compiled swapper: $AIOWASI_SWAPPER, or ROOT/swapper. */
export function swapperPath(root) {
  const path = process.env.AIOWASI_SWAPPER || join(root, "swapper");
  if (!existsSync(path)) throw new Error(`no swapper at ${path}: compile test/race/swapper.c (cc -O2 -o ${path} ...)`);
  return path;
}

/**
 * Starts the swapper on `a` <-> `b`; resolves once it has swapped. stop()
 * makes it stop (the pair back as it was) and resolves with its swap count.
 */
export async function startSwapper(swapper, a, b, stopFile, seconds = 120) {
  rmSync(stopFile, { force: true });
  const child = spawn(swapper, [a, b, stopFile, String(seconds)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  const exited = new Promise((resolve) => {
    child.on("error", (error) => resolve(`spawn failed: ${error.message}`));
    child.on("close", (code, signal) => resolve(code ?? signal));
  });
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.startsWith("ready\n")) resolve();
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    exited.then((code) => reject(new Error(`swapper exited before it swapped (${code}): ${err}`)));
  });
  return {
    async stop() {
      writeFileSync(stopFile, "");
      const code = await exited;
      if (code !== 0) throw new Error(`swapper failed (${code}): ${err}`);
      return Number(out.split("\n")[1]);
    },
  };
}

function runtime() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun) return `bun ${process.versions.bun}`;
  return `node ${process.versions.node}`;
}

/**
 * Runs one case in `root/<name>` (made if missing): returns the runtime,
 * sb.anchored, the swap count, the outcome counts by code and what was found
 * inside. Does not look outside: the caller snapshots.
 */
export async function runScenario(root, name, attempts, swapper = undefined) {
  const spec = CASES[name];
  if (!spec) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(", ")}`);
  const caseDir = join(root, name);
  if (!existsSync(caseDir)) await makeCaseTree(caseDir, name, attempts);
  if (spec.swap) swapper ??= swapperPath(root);
  const started = Date.now();
  const sb = await Sandbox.create({ preopens: { [GUEST]: join(caseDir, spec.preopen ?? "pre") }, ...spec.options });
  const counts = {};
  let swaps = 0;
  try {
    const state = spec.before ? await spec.before(sb) : undefined;
    if (spec.after) spec.after(caseDir);
    const racer = spec.swap
      ? await startSwapper(swapper, join(caseDir, spec.swap[0]), join(caseDir, spec.swap[1]), join(caseDir, "stop"))
      : undefined;
    try {
      for (let i = 0; i < attempts; i++) {
        const outcome = await spec.attempt(sb, i, state);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    } finally {
      if (racer) swaps = await racer.stop();
    }
    if (spec.finish) await spec.finish(state);
  } finally {
    await sb.close();
  }
  rmSync(join(caseDir, "stop"), { force: true });
  return {
    case: name,
    runtime: runtime(),
    anchored: sb.anchored,
    attempts,
    swaps,
    counts,
    unexpected: Object.keys(counts).filter((code) => code !== "ok" && !spec.allowed.includes(code)),
    inside: spec.inside(caseDir, counts, attempts),
    ms: Date.now() - started,
  };
}

/**
 * The positive control: the same racer against a naive writer that writes
 * by path text (node:fs writeFileSync(pre/d/x-N)). Returns how many of its
 * writes landed in the folder outside: more than 0 proves the racer races
 * hard enough to catch a check-then-use gap.
 */
export async function runNaive(root, attempts, swapper = swapperPath(root)) {
  const caseDir = join(root, "naive");
  if (!existsSync(caseDir)) await makeCaseTree(caseDir);
  const pre = join(caseDir, "pre");
  const racer = await startSwapper(swapper, join(pre, "d"), join(pre, "d-link"), join(caseDir, "stop"));
  const counts = {};
  let swaps = 0;
  try {
    for (let i = 0; i < attempts; i++) {
      let outcome = "ok";
      try {
        writeFileSync(join(pre, `d/x-${i}.txt`), LINE);
      } catch (error) {
        outcome = error?.code ?? String(error);
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
  } finally {
    swaps = await racer.stop();
  }
  rmSync(join(caseDir, "stop"), { force: true });
  const escaped = readdirSync(join(caseDir, "outside/dir")).filter((n) => /^x-\d+\.txt$/.test(n)).length;
  return { attempts, swaps, counts, escaped, inside: filesUnder(pre, /^x-\d+\.txt$/, LINE) };
}

// As a script (Deno, Bun, or node): ROOT CASE ATTEMPTS; CASE "naive" is the positive control.
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const isMain = globalThis.Deno ? import.meta.main : process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop());
if (isMain && args.length > 0) {
  const [root, name, attempts = "1000"] = args;
  const result = name === "naive" ? await runNaive(root, Number(attempts)) : await runScenario(root, name, Number(attempts));
  console.log(JSON.stringify(result));
  process.exit(0);
}
