// What the benchmark ran on: the RESULTS.md header.
import { spawnSync } from "node:child_process";
import { cpus, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function firstLine(command, args) {
  const run = spawnSync(command, args, { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim().split("\n")[0] : "unavailable";
}

/** What the bench ran on; `before`, the folder of the build from before this work, if any. */
export function machine(before) {
  const cpu = cpus();
  return {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? "unknown"}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    deno: firstLine(here("../node_modules/.bin/deno"), ["--version"]),
    bun: `bun ${firstLine(here("../node_modules/.bin/bun"), ["--version"])}`,
    commit: firstLine("git", ["-C", here(".."), "rev-parse", "--short", "HEAD"]),
    before: before ? firstLine("git", ["-C", before, "log", "-1", "--format=%h (%s)"]) : null,
    python: firstLine(here("../.venv/bin/python"), ["--version"]),
    wasmtime: firstLine(here("../.venv/bin/python"), [
      "-c",
      "import importlib.metadata as m; print('wasmtime', m.version('wasmtime'), '/ aiofiles', m.version('aiofiles'))",
    ]),
  };
}
