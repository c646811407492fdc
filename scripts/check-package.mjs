// The package as published: publint (package.json against the files it
// ships) and Are the Types Wrong (types for every resolution mode: node10,
// node16 CommonJS and ESM, bundler) on the tarball `npm pack` makes, which is
// removed afterwards. Run by `npm run check` after the build.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const out = mkdtempSync(join(tmpdir(), "aiowasi-check-"));
let failed = false;
try {
  const [{ filename }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", out], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const tarball = join(out, filename);
  for (const [name, args] of [
    ["publint", ["run", tarball, "--strict"]],
    // The .wasm entries are files to resolve (require.resolve, import.meta.resolve), not modules with types.
    [
      "attw",
      [tarball, "--profile", "strict", "--no-definitely-typed", "--exclude-entrypoints", "aiowasi.wasm", "aiowasi-cli.wasm"],
    ],
  ]) {
    const run = spawnSync(bin(name), args, { cwd: root, stdio: "inherit" });
    if (run.status !== 0) {
      console.error(`check-package: ${name} failed (${run.error?.message ?? `exit ${run.status}`})`);
      failed = true;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed) process.exit(1);
