// Reliability on Node and on Deno: the scenarios of test/faults/scenarios.mjs
// (disk errors, a flaky host, worker death, many writers and files, bad input)
// each give EXPECTED. Scenarios that need lowered limits run in a child
// process under `ulimit`; on Deno every scenario runs in the deno binary.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DENO_DIFFERENCES, EXPECTED, LIMITS, SCENARIOS } from "./faults/scenarios.mjs";
import { tempDir } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./faults/scenarios.mjs", import.meta.url));
const DENO = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
const limited = (name: string) => (LIMITS as Record<string, string>)[name];

// Deno ignores a worker's resourceLimits, so a worker that eats memory would
// take the whole test process down with it instead of dying alone.
const NOT_ON_DENO: Record<string, string> = { outOfMemory: "Deno does not enforce worker resourceLimits" };

/** Runs scenarios in a child process (node or deno), under a shell limit when given. */
function inChild(runtime: string[], dir: string, scenarioNames: string[], limit = ""): Record<string, unknown> {
  const command = [...runtime, SCRIPT, dir, ...scenarioNames].map((a) => `'${a}'`).join(" ");
  const run = spawnSync("bash", ["-c", `${limit ? `${limit} && ` : ""}exec ${command}`], { encoding: "utf8", timeout: 120_000 });
  if (run.error || run.status !== 0)
    throw new Error(`child failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

describe("reliability on Node", () => {
  it.each(names)("%s", async (name) => {
    const dir = await tempDir();
    const limit = limited(name);
    const result = limit ? inChild([process.execPath], dir, [name], limit)[name] : await SCENARIOS[name](dir);
    expect(result).toEqual(EXPECTED[name]);
  });
});

describe("reliability on Deno", () => {
  const deno = [DENO, "run", "--allow-all"];
  let results: Record<string, unknown> | undefined;
  const onDeno = names.filter((n) => !NOT_ON_DENO[n]);
  // Shown as skipped, with the reason, in every run's output.
  for (const [name, why] of Object.entries(NOT_ON_DENO)) it.skip(`${name} (not on Deno: ${why})`, () => {});

  it("every Deno difference and exclusion names a scenario that exists", () => {
    for (const name of [...Object.keys(DENO_DIFFERENCES), ...Object.keys(NOT_ON_DENO)]) expect(names).toContain(name);
  });

  it.each(onDeno)("%s", async (name) => {
    const difference = (DENO_DIFFERENCES as Record<string, { expect: unknown; why: string }>)[name];
    if (difference) console.info(`known difference on Deno in ${name}: ${difference.why}`);
    const expected = difference ? difference.expect : EXPECTED[name];
    const limit = limited(name);
    if (limit) {
      expect(inChild(deno, await tempDir(), [name], limit)[name]).toEqual(expected);
      return;
    }
    results ??= inChild(
      deno,
      await tempDir(),
      onDeno.filter((n) => !limited(n)),
    );
    expect(results[name]).toEqual(expected);
  });
});
