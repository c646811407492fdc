// Makes the "aiowasi before" contender's build: a git worktree of the library
// as it was before this work (default f06d1e2), installed and built.
//
//   node bench/before.js [DIR] [COMMIT]      (default DIR: bench/tmp/before)
//   npm run bench -- --before DIR
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = resolve(process.argv[2] ?? `${root}bench/tmp/before`);
const commit = process.argv[3] ?? "f06d1e2";

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) {
    console.error(`before: '${command} ${args.join(" ")}' failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

if (!existsSync(dir)) run("git", ["worktree", "add", "--detach", dir, commit], root);
run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], dir);
run("npm", ["run", "build"], dir);
console.log(`before: built ${commit} in ${dir}; run the benchmark with --before ${dir}`);
