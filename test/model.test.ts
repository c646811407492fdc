// The model-based randomized test (test/model/model.mjs) on Node, Deno and Bun:
// 1000 random sequences each, of open/write/flush/sync/close and, between
// them, readFile, rename, unlink, atomic writeFile and reads of open "r" files. On failure the seed and the shrunk sequence are
// printed; replay with FC_SEED=<seed> npx vitest run test/model.test.ts
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { runtime } from "./hosts/runtimes.js";
import { checkModel } from "./model/model.mjs";

const RUNS = 1000;
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const SCRIPT = fileURLToPath(new URL("./model/model.mjs", import.meta.url));

interface Outcome {
  failed: boolean;
  seed: number;
  counterexample: string | null;
  error: string | null;
  writes: number;
  larger: number;
  readFiles: number;
  renames: number;
  unlinks: number;
  atomics: number;
  reads: number;
  missing: number;
}

function verdict(host: string, outcome: Outcome): void {
  if (outcome.failed) {
    console.error(
      `model test failed on ${host}: seed ${outcome.seed}\n${outcome.error}\ncounterexample: ${outcome.counterexample}`,
    );
  }
  expect(outcome.failed, `seed ${outcome.seed}: ${outcome.error}`).toBe(false);
  // The runs did real work: awaited writes, some larger than the ring.
  expect(outcome.writes).toBeGreaterThan(1000);
  expect(outcome.larger).toBeGreaterThan(20);
  // And the rest of the file system: each operation on existing files, and on missing ones (ENOENT).
  for (const done of ["readFiles", "renames", "unlinks", "atomics", "reads", "missing"] as const) {
    expect(outcome[done], done).toBeGreaterThan(20);
  }
  console.info(
    `model ${host}: ${outcome.writes} writes (${outcome.larger} larger than the ring), ${outcome.readFiles} readFile, ${outcome.renames} rename, ${outcome.unlinks} unlink, ${outcome.atomics} atomic writeFile, ${outcome.reads} reads of "r" files, ${outcome.missing} on missing files`,
  );
}

it(`${RUNS} random sequences give the files the model expects, on Node`, async () => {
  verdict("Node", (await checkModel(await tempDir("aiowasi-model-"), RUNS, SEED)) as Outcome);
}, 300_000);

it.each(["deno", "bun"])(
  `${RUNS} random sequences give the files the model expects, on %s`,
  async (host) => {
    const [program, ...prefix] = runtime(host) as [string, ...string[]];
    const args = [
      ...prefix,
      SCRIPT,
      await tempDir("aiowasi-model-"),
      String(RUNS),
      ...(SEED === undefined ? [] : [String(SEED)]),
    ];
    const run = spawnSync(program, args, { encoding: "utf8", timeout: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    verdict(host, JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Outcome);
  },
  300_000,
);
