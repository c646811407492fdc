// The benchmark's smoke run (`npm run bench -- --quick`): every contender
// runs every workload it takes and does the right thing (bench/measure.js,
// bench/http.js and python_bench.py check each file's size and content, the
// lines read, the log lines per request, and fail otherwise). It asserts that
// things ran, never a time: times belong to the benchmark, not to tests.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { CONTENDERS } from "../bench/contenders/list.js";
import { tempDir } from "./helpers.js";

const RUN = fileURLToPath(new URL("../bench/run.js", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DISK = fileURLToPath(new URL("../bench/tmp/disk", import.meta.url));

it("runs every contender on every workload it takes, with the right bytes, and writes the report", {
  timeout: 180_000,
}, async () => {
  const out = await tempDir();
  const dir = await tempDir();
  // This build stands in for the "before" build (a checkout of f06d1e2): the smoke run tests the plumbing.
  const run = spawnSync(process.execPath, [RUN, "--quick", "--out", out, "--dir", dir, "--before", ROOT], {
    encoding: "utf8",
    timeout: 170_000,
  });
  expect(run.error).toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  const { rows, checks } = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  const expected = CONTENDERS.flatMap((c) => Object.keys(c.workloads).map((w) => `${c.name} ${w}`)).sort();
  expect(rows.map((r: { contender: string; workload: string }) => `${r.contender} ${r.workload}`).sort()).toEqual(expected);
  for (const row of rows) expect(row.seconds, `${row.contender} ${row.workload}`).toBeGreaterThan(0);
  const markdown = readFileSync(join(out, "RESULTS.md"), "utf8");
  for (const w of ["W1", "W5", "W6", "W7", "R1", "R2", "R3", "R4", "HTTP"]) expect(markdown).toContain(`## ${w}`);
  // Every target has its same-run ratio (whether a tiny run meets it means nothing).
  for (const target of [
    "W6 ",
    "W7 ",
    "R1 ",
    "R2 readLines, aiowasi (Node) vs node:readline",
    "R2 readLines, aiowasi (Node) vs aiofiles",
    "R3 ",
    "R4 ",
    "HTTP ",
    "W4 aiowasi (Node) now / before",
    "W4 aiowasi on Bun",
  ])
    expect(
      checks.some((c: { target: string }) => c.target.startsWith(target)),
      target,
    ).toBe(true);
  expect(readFileSync(join(out, "results.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  // Each run's files are cleaned up, on tmpfs and on the real disk.
  expect(existsSync(join(dir, "aiowasi-node-W1"))).toBe(false);
  expect(existsSync(join(DISK, "aiowasi-node-W6"))).toBe(false);
});
