// Where a host still answers differently from the others, with the reason.
// test/conformance.test.ts expects `expect` instead of the case's own
// outcomes for that host, and prints the entry in the test output.

const DENO_SCOPED_LOOPS =
  "Deno with scoped --allow-read/--allow-write checks every path against its permissions by " +
  "resolving it first, even for path_readlink and a no-follow path_filestat_get; a symlink loop " +
  "makes that resolution fail, so Deno answers EACCES before the core can read the link. Nothing " +
  "is opened either way; with --allow-all Deno answers like the other hosts (ELOOP).";

const loopCase = (path, flag, wanted) => `path ${JSON.stringify(path)} with ${flag} → ${wanted}`;

export const KNOWN_DIFFERENCES = [
  ...["w", "a"].map((flag) => loopCase("/out/loop-a", flag, "ELOOP")),
  loopCase("/out/loop-a", "wx", "EEXIST"),
  ...["w", "a", "wx"].map((flag) => loopCase("/out/loop-a/x.txt", flag, "ELOOP")),
  ...["w", "a", "wx"].map((flag) => loopCase("/out/self-loop/x.txt", flag, "ELOOP")),
].map((name) => ({ host: "deno-scoped", name, expect: ["EACCES"], why: DENO_SCOPED_LOOPS }));

// Deno without --allow-all is the WASI-anchored fallback (its node:wasi
// resolves path text, see the README's threat model), and its node:wasi
// resolves a last symlink itself for path_rename, path_unlink_file and
// path_remove_directory: a link that points outside is refused (so it can be
// neither moved nor removed), and rmdir of a link to a folder reaches that
// folder (ENOTEMPTY here) instead of answering ENOTDIR. Nothing outside
// changes either way.
const DENO_SCOPED_LINKS =
  "Deno's node:wasi (used without --allow-all) follows a last symlink in path_rename, path_unlink_file and " +
  "path_remove_directory: a link pointing outside is refused instead of moved or removed, and rmdir of a link " +
  "to a folder acts on the folder. Nothing outside changes.";

KNOWN_DIFFERENCES.push(
  {
    host: "deno-scoped",
    name: "rename: inside works (a link moves as a link); out, from outside and the preopen itself are refused",
    expect: [
      "ok",
      "text:existing\n",
      "ENOTCAPABLE",
      "ENOTCAPABLE",
      "ENOTCAPABLE",
      "ENOTCAPABLE",
      "ENOENT",
      "ENOTCAPABLE",
      "ENOENT",
      "ok",
    ],
    absent: ["pre/existing.txt", "stolen.txt", "outside/stolen.txt", "pre/got.txt"], // the link stays where it was
    why: DENO_SCOPED_LINKS,
  },
  {
    host: "deno-scoped",
    name: "unlink: a file, a link itself (never its target), EISDIR for a folder; outside and the preopen's own entry are refused",
    expect: ["ok", "ENOENT", "EISDIR", "ENOTCAPABLE", "ENOTCAPABLE", "ENOTCAPABLE", "ENOTCAPABLE", "ENOTCAPABLE"],
    absent: ["pre/existing.txt"], // the link out stays
    why: DENO_SCOPED_LINKS,
  },
  {
    host: "deno-scoped",
    name: "rmdir: an empty folder; ENOTEMPTY, ENOTDIR, a link is not followed; the preopen and outside are refused",
    expect: ["ok", "ENOENT", "ENOTEMPTY", "ENOTDIR", "ENOTEMPTY", "ENOTCAPABLE", "ENOTCAPABLE", "ENOTCAPABLE"],
    why: DENO_SCOPED_LINKS,
  },
);

// Deno's node:wasi reports a link count of 1 for every file, so without
// --allow-all (where the host's own fstat is used) refuseHardLinks cannot be
// kept: the sandbox refuses to start rather than pretend.
KNOWN_DIFFERENCES.push({
  host: "deno-scoped",
  name: "refuseHardLinks: a file with another name is never opened for writing, directly or through a link; one of its own is",
  expect: ["create: ENOTSUP"],
  files: { "pre/existing.txt": "existing\n", "pre/hard-out": "secret", "outside/secret.txt": "secret" },
  why: "Deno's node:wasi reports every link count as 1: refuseHardLinks needs --allow-all there, and create says so (ENOTSUP).",
});
