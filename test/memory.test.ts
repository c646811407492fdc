// Address space: the sandboxes of a thread share one memory (src/transport/
// arena.ts), and each worker gets a small code range, so 200 sandboxes start
// under `ulimit -v 64G` where the host's own per-thread reservations allow it
// (Node 20-24, Bun). Where they do not (Node 26 and Deno reserve ~320 MiB and
// more per worker thread, see the README), the sandbox that would not fit is
// an ENOMEM rejection instead of the engine ending the process.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { runtime } from "./hosts/runtimes.js";

const CHILD = fileURLToPath(new URL("./memory/child.mjs", import.meta.url));
const LIMIT_KIB = 64 * 1024 * 1024; // 64 GiB

function underLimit(host: string, dir: string, count: number) {
  const command = [...runtime(host), CHILD, dir, String(count)].map((a) => `'${a}'`).join(" ");
  const run = spawnSync("bash", ["-c", `ulimit -v ${LIMIT_KIB} && exec ${command}`], { encoding: "utf8", timeout: 240_000 });
  expect(run.status, run.stderr.slice(-2000)).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

describe("200 sandboxes under ulimit -v 64G", () => {
  it.each(["node", "node24", "bun"])(
    "all start on %s",
    async (host) => {
      expect(underLimit(host, await tempDir(), 200)).toEqual({ started: 200, codes: [], files: 200 });
    },
    240_000,
  );

  it.each(["node26", "deno"])(
    "on %s, those that do not fit are ENOMEM and the process lives on",
    async (host) => {
      const { started, codes, files } = underLimit(host, await tempDir(), 200);
      expect(started).toBeGreaterThan(50);
      expect(files).toBe(started);
      expect(codes).toEqual(started < 200 ? ["ENOMEM"] : []);
    },
    240_000,
  );
});
