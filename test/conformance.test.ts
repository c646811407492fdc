// One conformance suite, every host: the cases of test/conformance/ run on
// Node (the library, in this process), Deno (the library, under the deno npm
// package's binary, with all permissions and with scoped ones), Bun (the bun
// npm package's binary) and Wasmtime (the same reactor .wasm in the wasmtime
// engine, driven by test/hosts/wasmtime_conformance.py). Each case gets a
// fresh tree; afterwards everything outside the preopens must be unchanged.
// A host that cannot start fails its tests: nothing here skips.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES } from "./conformance/cases.mjs";
import { CORPUS_PATHS } from "./conformance/corpus.mjs";
import { KNOWN_DIFFERENCES } from "./conformance/known-differences.mjs";
import { bytesOf, runCases } from "./conformance/run-cases.mjs";
import { makeTree, snapshotOutside } from "./conformance/tree.mjs";
import { DIST } from "./helpers.js";
import { runtime } from "./hosts/runtimes.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const DENO = here("../node_modules/.bin/deno");
const PYTHON = here("../.venv/bin/python");
const CORE = here("../build/aiowasi.wasm");

type Outcome = string | number;
interface Input {
  root: string;
  preopens: Record<string, string>;
  options: object;
  ops: object[];
}
interface Case {
  name: string;
  ops: object[];
  expect: string[];
  files: Record<string, unknown>;
  absent?: string[];
  options?: object;
}

/** test/conformance/known-differences.mjs: what a host gives instead, and why. */
interface KnownDifference {
  host: string;
  name: string;
  expect: string[];
  files?: Record<string, unknown>;
  absent?: string[];
  why: string;
}

function spawnJson(command: string, args: string[]): Outcome[][] {
  const run = spawnSync(command, args, { encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 });
  if (run.error || run.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  }
  return JSON.parse(run.stdout) as Outcome[][];
}

const HOSTS: Record<string, (inputs: Input[], file: string) => Promise<Outcome[][]>> = {
  node: (inputs) => runCases(inputs),
  deno: async (_inputs, file) => spawnJson(DENO, ["run", "--allow-all", here("./conformance/run-cases.mjs"), file]),
  // Scoped permissions change what Deno's node:wasi answers (see known-differences.mjs).
  "deno-scoped": async (_inputs, file) =>
    spawnJson(DENO, ["run", "--allow-read", "--allow-write", "--allow-env", here("./conformance/run-cases.mjs"), file]),
  bun: async (_inputs, file) => spawnJson(runtime("bun")[0]!, [here("./conformance/run-cases.mjs"), file]),
  ...Object.fromEntries(
    ["node22", "node24", "node26"].map((name) => [
      name,
      async (_inputs: Input[], file: string) => spawnJson(runtime(name)[0]!, [here("./conformance/run-cases.mjs"), file]),
    ]),
  ),
  wasmtime: async (_inputs, file) => {
    if (!existsSync(PYTHON)) throw new Error("no .venv: npm test makes it (node test/hosts/ensure-hosts.mjs)");
    return spawnJson(PYTHON, [here("./hosts/wasmtime_conformance.py"), CORE, file]);
  },
};

/** The content a `files` entry describes, as bytes. */
function expectedBytes(spec: unknown): Buffer {
  const parts = Array.isArray(spec) ? spec : [spec];
  return Buffer.concat(parts.map((part) => Buffer.from(bytesOf(typeof part === "string" ? { text: part } : part))));
}

const { codeOfErrno } = (await import(DIST)) as typeof import("../src/index.js");
const cases = CASES as Case[];

it(`the hostile-path corpus has at least 40 paths × w, a, wx (${CORPUS_PATHS} paths)`, () => {
  expect(CORPUS_PATHS).toBeGreaterThanOrEqual(40);
});

it("every known difference names a host and a case that exist (none can go stale unseen)", () => {
  const names = new Set(cases.map((c) => c.name));
  for (const d of KNOWN_DIFFERENCES as { host: string; name: string }[]) {
    expect(Object.keys(HOSTS), d.name).toContain(d.host);
    expect(names.has(d.name), d.name).toBe(true);
  }
});

describe.each(Object.keys(HOSTS))("conformance on %s", (host) => {
  let root = "";
  let outcomes: string[][] = [];
  let before: string[] = [];
  let after: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `aiowasi-conf-${host}-`));
    const inputs: Input[] = [];
    for (const [i, c] of cases.entries()) {
      const caseRoot = join(root, `case-${i}`);
      inputs.push({ root: caseRoot, preopens: await makeTree(caseRoot), options: c.options ?? {}, ops: c.ops });
    }
    const file = join(root, "cases.json");
    before = await snapshotOutside(root);
    await writeFile(file, JSON.stringify(inputs));
    const raw = await HOSTS[host]!(inputs, file);
    outcomes = raw.map((list) => list.map((o) => (typeof o === "number" ? codeOfErrno(o) : o)));
    await rm(file);
    after = await snapshotOutside(root);
  }, 300_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("changes nothing outside the preopens", () => {
    expect(after).toEqual(before);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = cases[i]!;
    const known = (KNOWN_DIFFERENCES as KnownDifference[]).find((d) => d.host === host && d.name === c.name);
    if (known) console.info(`known difference on ${host}: ${c.name}: ${known.why}`);
    expect(outcomes[i]).toEqual(known ? known.expect : c.expect);
    for (const [path, spec] of Object.entries(known?.files ?? c.files)) {
      expect(readFileSync(join(root, `case-${i}`, path)).equals(expectedBytes(spec)), path).toBe(true);
    }
    for (const path of known?.absent ?? c.absent ?? []) expect(existsSync(join(root, `case-${i}`, path)), path).toBe(false);
  });
});
