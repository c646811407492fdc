// The rest of the file system (reads, atomic writes, open modes) on Node,
// Deno and Bun: the scenarios of test/fs/scenarios.mjs each give EXPECTED.
// Paths, escapes and codes of every operation are in the conformance suite.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXPECTED, SCENARIOS } from "./fs/scenarios.mjs";
import { tempDir } from "./helpers.js";
import { runtime } from "./hosts/runtimes.js";

const SCRIPT = fileURLToPath(new URL("./fs/scenarios.mjs", import.meta.url));
const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];

describe("the file system on node", () => {
  it.each(names)("%s", async (name) => {
    expect(await SCENARIOS[name](await tempDir())).toEqual(EXPECTED[name]);
  });
});

describe.each(["deno", "bun"])("the file system on %s", (host) => {
  let results: Record<string, unknown> | undefined;
  it.each(names)(
    "%s",
    async (name) => {
      if (!results) {
        const [program, ...prefix] = runtime(host) as [string, ...string[]];
        const run = spawnSync(program, [...prefix, SCRIPT, await tempDir()], { encoding: "utf8", timeout: 180_000 });
        expect(run.status, run.stderr).toBe(0);
        results = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
      }
      expect(results![name]).toEqual(EXPECTED[name]);
    },
    180_000,
  );
});
