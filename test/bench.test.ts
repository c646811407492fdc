// The benchmark's smoke run (`npm run bench -- --quick`): every contender
// runs every workload it takes and writes the right bytes (bench/measure.js
// and python_bench.py check each file's size and fail otherwise). It asserts
// that things ran, never a time: times belong to the benchmark, not to tests.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { CONTENDERS } from "../bench/contenders/list.js";
import { tempDir } from "./helpers.js";

const RUN = fileURLToPath(new URL("../bench/run.js", import.meta.url));

it("runs every contender on every workload it takes, with the right bytes, and writes the report", async () => {
  const out = await tempDir();
  const dir = await tempDir();
  const run = spawnSync(process.execPath, [RUN, "--quick", "--out", out, "--dir", dir], { encoding: "utf8", timeout: 300_000 });
  expect(run.error).toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  const { rows } = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  const expected = CONTENDERS.flatMap((c) => Object.keys(c.workloads).map((w) => `${c.name} ${w}`)).sort();
  expect(rows.map((r: { contender: string; workload: string }) => `${r.contender} ${r.workload}`).sort()).toEqual(expected);
  for (const row of rows) expect(row.seconds, `${row.contender} ${row.workload}`).toBeGreaterThan(0);
  expect(readFileSync(join(out, "RESULTS.md"), "utf8")).toContain("## W1");
  expect(readFileSync(join(out, "results.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  expect(existsSync(join(dir, "aiowasi-node-W1"))).toBe(false); // each run's files are cleaned up
});
