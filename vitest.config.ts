import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the tests spawn workers and child processes of their own.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          exclude: ["test/timing.test.ts"],
          // The public types (test/types.test-d.ts) are checked by tsc as part of the run.
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "test/tsconfig.json" },
        },
      },
      {
        // Bounds on timer gaps: alone, after everything else, so the suite's own load does not skew them.
        extends: true,
        test: { name: "timing", include: ["test/timing.test.ts"], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
