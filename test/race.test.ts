// Under a racing attacker, nothing outside the preopens is created, truncated,
// written or removed. test/race/swapper.c swaps an entry inside the preopen
// with a symlink to outside (renameat2 RENAME_EXCHANGE, as fast as it can)
// while aiowasi opens and writes; the cases are test/race/scenarios.mjs, run
// on Node (in this process), Deno (--allow-all) and Bun (the same script) and
// on Wasmtime (test/hosts/wasmtime_race.py, the same reactor .wasm). Each
// case gets a fresh tree, and a snapshot of everything outside the preopen
// (names, types, modes, link targets, content hashes) must be the same
// afterwards. A positive control shows the racer is fast enough to make a
// naive path-text writer escape. Deno with scoped permissions walks by path
// text (sb.anchored is false there, a documented difference): it runs too,
// and its escapes are printed, not asserted. A host that cannot start fails
// its tests: nothing here skips.
//
// The op-* cases race the operations beside open the same way: rename,
// unlink, rmdir, mkdir, atomic writeFile (nothing outside may appear, vanish
// or change: the folder outside holds canaries named as the attempts'
// entries), and readFile, stat/lstat, readdir (a read that returns what is
// outside is the outcome READ_ESCAPE, counted and printed, and unexpected).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotOutside } from "./conformance/tree.mjs";
import { DIST } from "./helpers.js";
import { ATTACKER_ENTRIES, CASES, makeCaseTree, READ_ESCAPE, runNaive, runScenario } from "./race/scenarios.mjs";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const DENO = here("../node_modules/.bin/deno");
const BUN = here("../node_modules/.bin/bun");
const PYTHON = here("../.venv/bin/python");
const CORE = here("../build/aiowasi.wasm");
const SCRIPT = here("./race/scenarios.mjs");
const WASMTIME_SCRIPT = here("./hosts/wasmtime_race.py");
const SWAPPER_SOURCE = here("./race/swapper.c");

/**
 * Opens per case and host: 2,000 under the swapper; 500 where the attacker
 * acts once (nothing races them after that), which keeps the whole file well
 * under a minute on two cores.
 */
const ATTEMPTS = 2000;
const ONCE_ATTEMPTS = 500;
/** Attempts of the op-* cases (there are ten of them): 1,000 each, to keep the file near a minute. */
const OP_ATTEMPTS = 1000;

interface Spec {
  swap?: [string, string];
  /** One of the operations beside open (mkdir, rename, ...): OP_ATTEMPTS. */
  op?: boolean;
  /** A read (readFile, stat, readdir): must never return what is outside (counted as read escapes). */
  read?: boolean;
  allowed: string[];
  /** Sandbox.create options beside the preopen. */
  options?: { refuseHardLinks?: boolean };
  inside(caseDir: string, counts: Record<string, number>, attempts: number): { expected: unknown; found: unknown };
}
interface Result {
  runtime: string;
  anchored?: boolean;
  swaps: number;
  counts: Record<string, number>;
}

const cases = CASES as Record<string, Spec>;
const names = Object.keys(cases);
const { codeOfErrno } = (await import(DIST)) as typeof import("../src/index.js");

let work = "";
let swapper = "";

beforeAll(() => {
  const cc = spawnSync("cc", ["--version"], { encoding: "utf8" });
  if (cc.error || cc.status !== 0)
    throw new Error(`the race tests need a C compiler (cc) for the swapper: ${cc.error?.message ?? cc.stderr}`);
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "aiowasi-race-"));
  swapper = join(work, "swapper");
  const build = spawnSync("cc", ["-O2", "-o", swapper, SWAPPER_SOURCE], { encoding: "utf8" });
  if (build.error || build.status !== 0) throw new Error(`cc -O2 -o ${swapper} ${SWAPPER_SOURCE} failed: ${build.stderr}`);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function spawnJson(command: string, args: string[]): Result {
  const run = spawnSync(command, args, {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, AIOWASI_SWAPPER: swapper },
  });
  if (run.error || run.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  }
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Result;
}

/** Wasmtime's outcomes are WASI errno numbers ("write:N" for a failed write): named with the one errno table. */
function named(counts: Record<string, number>): Record<string, number> {
  const name = (key: string) => key.replace(/\d+$/, (n) => codeOfErrno(Number(n)));
  return Object.fromEntries(Object.entries(counts).map(([key, n]) => [key === "ok" ? key : name(key), n]));
}

const HOSTS: Record<string, (root: string, name: string, attempts: number) => Promise<Result>> = {
  node: (root, name, attempts) => runScenario(root, name, attempts, swapper),
  deno: async (root, name, attempts) => spawnJson(DENO, ["run", "--allow-all", SCRIPT, root, name, String(attempts)]),
  bun: async (root, name, attempts) => {
    if (!existsSync(BUN)) throw new Error(`no ${BUN}: bun is a devDependency (npm ci installs it)`);
    return spawnJson(BUN, [SCRIPT, root, name, String(attempts)]);
  },
  wasmtime: async (root, name, attempts) => {
    if (!existsSync(PYTHON)) throw new Error("no .venv: npm test makes it (node test/hosts/ensure-hosts.mjs)");
    const result = spawnJson(PYTHON, [WASMTIME_SCRIPT, CORE, swapper, root, name, String(attempts)]);
    return { ...result, counts: named(result.counts) };
  },
  // The path-text fallback (sb.anchored false): --allow-run for the swapper only, no /proc/self/fd.
  "deno-scoped": async (root, name, attempts) =>
    spawnJson(DENO, [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `--allow-run=${swapper}`,
      SCRIPT,
      root,
      name,
      String(attempts),
    ]),
};

/** Entries outside the preopen (by path) that were added, removed or changed. */
function changed(before: string[], after: string[]): string[] {
  const byPath = (lines: string[]) => new Map(lines.map((line) => [line.split(/ (?:-> )?/)[0]!, line]));
  const a = byPath(before);
  const b = byPath(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((path) => a.get(path) !== b.get(path));
}

/** Bytes in the regular files of a snapshot ("path mode size sha256" lines). */
function bytesIn(lines: string[]): number {
  return lines.reduce((sum, line) => sum + Number(/^\S+ [0-7]+ (\d+) [0-9a-f]{64}$/.exec(line)?.[1] ?? 0), 0);
}

/** Runs a case on a host in a fresh tree; snapshots everything outside the preopen before and after. */
async function race(host: string, name: string) {
  const spec = cases[name]!;
  const attempts = spec.op ? OP_ATTEMPTS : spec.swap ? ATTEMPTS : ONCE_ATTEMPTS;
  const root = await mkdtemp(join(work, `${host}-`));
  const caseDir = join(root, name);
  await makeCaseTree(caseDir, name, attempts);
  const before = await snapshotOutside(root, ATTACKER_ENTRIES);
  const result = await HOSTS[host]!(root, name, attempts);
  const after = await snapshotOutside(root, ATTACKER_ENTRIES);
  const escaped = changed(before, after);
  const unexpected = Object.keys(result.counts).filter((code) => code !== "ok" && !spec.allowed.includes(code));
  const inside = spec.inside(caseDir, result.counts, attempts);
  console.info(
    `race ${host} ${name}: ${escaped.length} escapes${spec.read ? `, ${result.counts[READ_ESCAPE] ?? 0} read escapes` : ""}${escaped.length ? ` (${escaped.slice(0, 3).join(", ")}${escaped.length > 3 ? ", ..." : ""}; ${bytesIn(after) - bytesIn(before)} bytes more outside)` : ""}, ${result.swaps} swaps, outcomes ${JSON.stringify(result.counts)}` +
      `${result.anchored === undefined ? "" : `, anchored ${result.anchored}`} (${result.runtime})` +
      `${host === "deno-scoped" ? " [known difference: the path-text fallback, not asserted]" : ""}`,
  );
  return { before, after, escaped, result, unexpected, inside, attempts };
}

it("positive control: the same racer makes a naive path-text writer escape", async () => {
  const root = await mkdtemp(join(work, "naive-"));
  await makeCaseTree(join(root, "naive"));
  const before = await snapshotOutside(root, ATTACKER_ENTRIES);
  const naive = (await runNaive(root, ATTEMPTS, swapper)) as { escaped: number; inside: number; swaps: number };
  const after = await snapshotOutside(root, ATTACKER_ENTRIES);
  console.info(
    `race positive control: ${naive.escaped} of ${ATTEMPTS} naive writes landed outside (${naive.inside} inside, ${naive.swaps} swaps)`,
  );
  expect(naive.escaped).toBeGreaterThan(0);
  expect(changed(before, after)).toHaveLength(naive.escaped);
}, 120_000);

describe.each(["node", "deno", "bun", "wasmtime"])("race on %s", (host) => {
  it.each(names)(
    "%s: nothing outside changes",
    async (name) => {
      // On a loaded machine the swapper may sit still in one state for a
      // whole run: then the case runs again (each run must be safe), until
      // both sides of the swap were seen, so the opens really raced it.
      const seen = { ok: 0, ENOTCAPABLE: 0 };
      for (let run = 0; run < 3 && (seen.ok === 0 || seen.ENOTCAPABLE === 0); run++) {
        const { before, after, result, unexpected, inside, attempts } = await race(host, name);
        expect(after).toEqual(before);
        // Wasmtime has no sb.anchored: its own resolution (cap-std) opens beneath the preopen's fd.
        if (host !== "wasmtime") expect(result.anchored).toBe(true);
        expect(unexpected).toEqual([]);
        expect(inside.found).toEqual(inside.expected);
        const total = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
        expect(total).toBe(attempts);
        if (!cases[name]!.swap) return;
        seen.ok += result.counts.ok ?? 0;
        seen.ENOTCAPABLE += result.counts.ENOTCAPABLE ?? 0;
      }
      expect(seen.ok).toBeGreaterThan(0);
      expect(seen.ENOTCAPABLE).toBeGreaterThan(0);
    },
    120_000,
  );
});

// refuseHardLinks refuses to start there (Deno's node:wasi reports no link
// counts): the conformance suite checks that ENOTSUP.
const scopedNames = names.filter((name) => !cases[name]!.options?.refuseHardLinks);

describe("race on deno with scoped permissions (the path-text fallback: escapes measured, not asserted)", () => {
  it.each(scopedNames)(
    "%s",
    async (name) => {
      const { result, attempts } = await race("deno-scoped", name);
      expect(result.anchored).toBe(false); // the README's threat model: not race-free there, and it says so
      expect(Object.values(result.counts).reduce((sum, n) => sum + n, 0)).toBe(attempts);
    },
    120_000,
  );
});
