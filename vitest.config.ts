import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The public types (test/types.test-d.ts) are checked by tsc as part of the run.
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "test/tsconfig.json" },
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the tests spawn workers and child processes of their own.
    maxWorkers: 2,
  },
});
