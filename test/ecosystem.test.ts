// Streams (WHATWG and Node, pino as a destination), log rotation with
// reopen(), and open(..., { mkdir: true }), on Node and on Deno.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXPECTED, SCENARIOS } from "./ecosystem/scenarios.mjs";
import { tempDir } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./ecosystem/scenarios.mjs", import.meta.url));
const DENO = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];

describe("streams, rotation and mkdir on Node", () => {
  it.each(names)("%s", async (name) => {
    expect(await SCENARIOS[name](await tempDir())).toEqual(EXPECTED[name]);
  });
});

describe("streams, rotation and mkdir on Deno", () => {
  let results: Record<string, unknown> | undefined;
  it.each(names)("%s", async (name) => {
    if (!results) {
      const run = spawnSync(DENO, ["run", "--allow-all", SCRIPT, await tempDir()], { encoding: "utf8", timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      results = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    }
    expect(results![name]).toEqual(EXPECTED[name]);
  });
});
