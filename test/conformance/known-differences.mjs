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
