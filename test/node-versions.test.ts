// The suites that run in vitest's own process (the API, worker death, the
// errno table) on the other Node versions people run: vitest itself, started
// by that Node, on those files. Conformance, exit and the package test run
// each Node version as a child of their own (conformance.test.ts, exit.test.ts,
// package.test.ts).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runtime } from "./hosts/runtimes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const FILES = ["test/api.test.ts", "test/lifecycle.test.ts", "test/errors.test.ts", "test/layout.test.ts"];

it.each(["node22", "node24", "node26"])(
  "the in-process suites pass on %s",
  (host) => {
    const [node] = runtime(host) as [string];
    const run = spawnSync(node, [VITEST, "run", "--project", "main", "--typecheck.enabled=false", ...FILES], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 180_000,
      env: { ...process.env, CI: "true" },
    });
    expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+.*\d+ passed/);
  },
  180_000,
);
