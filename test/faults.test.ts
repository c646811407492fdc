// Reliability on Node, Deno and Bun: the scenarios of test/faults/scenarios.mjs
// (disk errors, a flaky host, worker death, many writers and files, bad input)
// each give EXPECTED. Scenarios that need lowered limits run in a child
// process under `ulimit`; on Deno and Bun every scenario runs in their binary.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DENO_DIFFERENCES, EXPECTED, LIMITS, SCENARIOS } from "./faults/scenarios.mjs";
import { tempDir } from "./helpers.js";
import { runtime } from "./hosts/runtimes.js";

const SCRIPT = fileURLToPath(new URL("./faults/scenarios.mjs", import.meta.url));
const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
const limited = (name: string) => (LIMITS as Record<string, string>)[name];

// Deno and Bun ignore a worker's resourceLimits, so a worker that eats memory
// would take the whole process down with it instead of dying alone.
const NOT_ON: Record<string, Record<string, string>> = {
  deno: { outOfMemory: "Deno does not enforce worker resourceLimits" },
  bun: { outOfMemory: "Bun does not enforce worker resourceLimits" },
};
/** What a host answers differently, with the reason (printed). */
const DIFFERENCES: Record<string, Record<string, { expect: unknown; why: string }>> = { deno: DENO_DIFFERENCES, bun: {} };

/** Runs scenarios in a child process (node, deno or bun), under a shell limit when given. */
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

describe.each(["deno", "bun"])("reliability on %s", (host) => {
  const prefix = runtime(host);
  const excluded = NOT_ON[host]!;
  const differences = DIFFERENCES[host]!;
  let results: Record<string, unknown> | undefined;
  const here = names.filter((n) => !excluded[n]);
  // Shown as skipped, with the reason, in every run's output.
  for (const [name, why] of Object.entries(excluded)) it.skip(`${name} (not on ${host}: ${why})`, () => {});

  it("every difference and exclusion names a scenario that exists", () => {
    for (const name of [...Object.keys(differences), ...Object.keys(excluded)]) expect(names).toContain(name);
  });

  it.each(here)("%s", async (name) => {
    const difference = differences[name];
    if (difference) console.info(`known difference on ${host} in ${name}: ${difference.why}`);
    const expected = difference ? difference.expect : EXPECTED[name];
    const limit = limited(name);
    if (limit) {
      expect(inChild(prefix, await tempDir(), [name], limit)[name]).toEqual(expected);
      return;
    }
    results ??= inChild(
      prefix,
      await tempDir(),
      here.filter((n) => !limited(n)),
    );
    expect(results[name]).toEqual(expected);
  });
});
