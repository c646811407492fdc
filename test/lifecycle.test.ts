// Worker death (process exit and the caller's event loop: exit.test.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox } from "../dist/index.js";
import { kTerminateWorker } from "./faults/inject.mjs";
import { rejection, tempDir } from "./helpers.js";

describe("a worker that dies", () => {
  it("rejects pending and later calls with ERR_WORKER_EXITED, promptly; other sandboxes keep working", async () => {
    const dir = await tempDir();
    const victim = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024 });
    const other = await Sandbox.create({ preopens: { "/out": dir } });
    try {
      const f = await victim.open("/out/victim", "w");
      // Fill the ring so some writes wait for space, and ask for a flush behind them.
      // 256 MiB through a 64 KiB ring cannot drain before the kill lands.
      const pending = Array.from({ length: 4096 }, () => f.write(new Uint8Array(64 * 1024)).catch((e: Error) => e));
      const flushed = f.flush().catch((e: Error) => e);
      await victim[kTerminateWorker](); // resolves once the worker has exited
      const exitedAt = performance.now();
      const results = await Promise.all([...pending, flushed]);
      const settledIn = performance.now() - exitedAt;
      expect(settledIn).toBeLessThan(100);
      const failures = results.filter((r): r is Error & { code: string } => r instanceof Error);
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(failure.code).toBe("ERR_WORKER_EXITED");
      for (const later of [f.write("x"), f.flush(), victim.open("/out/again")]) {
        expect((await rejection(later)).code).toBe("ERR_WORKER_EXITED");
      }
      await victim.close(); // still settles

      await other.writeFile("/out/survivor", "alive");
      expect(await readFile(join(dir, "survivor"), "utf8")).toBe("alive");
    } finally {
      await other.close();
    }
  });
});
