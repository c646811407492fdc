// Backpressure: 2 GiB of awaited writes keep the process's RSS growth under
// the ring size + 32 MiB (the ring is inside the module's memory, which the
// worker's instance already holds). On tmpfs where there is one, so the disk
// does not set the pace. In a child process, so nothing else counts.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./fixtures/backpressure-child.mjs", import.meta.url));
const RING_MIB = 4;

it("awaited writes of 2 GiB grow RSS by less than the ring + 32 MiB", async () => {
  const dir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "aiowasi-bp-"));
  try {
    const run = spawnSync(process.execPath, [CHILD, dir, "2048"], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const { growthMiB } = JSON.parse(run.stdout);
    expect(statSync(join(dir, "big.bin")).size).toBe(2 * 2 ** 30);
    expect(growthMiB).toBeLessThan(RING_MIB + 32);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 150_000);
