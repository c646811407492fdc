// The core's fd_write pattern, read from the counters it keeps: chunkSize is
// honoured, and many records go out in one call.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox } from "../dist/index.js";
import { tempDir } from "./helpers.js";

describe("chunking and coalescing", () => {
  it.each([1000, 4096, 65536])("never hands more than chunkSize=%i bytes to one fd_write", async (chunkSize) => {
    const dir = await tempDir();
    const sb = await Sandbox.create({ preopens: { "/out": dir }, chunkSize });
    try {
      const f = await sb.open("/out/f", "w");
      const data = Uint8Array.from({ length: 1_000_003 }, (_, i) => i & 0xff);
      await f.write(data);
      for (let i = 0; i < 100; i++) await f.write("small line of text\n");
      await f.close();
      const stats = sb.stats();
      expect(stats.largestFdWrite).toBeLessThanOrEqual(chunkSize);
      expect(stats.largestFdWrite).toBe(chunkSize); // and it does use whole chunks
      expect(stats.fdWriteCalls).toBeGreaterThanOrEqual(Math.ceil((data.length + 1900) / chunkSize));
      expect(stats.bytesWritten).toBe(data.length + 1900);
      expect((await readFile(join(dir, "f"))).length).toBe(data.length + 1900);
    } finally {
      await sb.close();
    }
  });

  it("coalesces many small writes into few fd_write calls", async () => {
    const dir = await tempDir();
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    try {
      const f = await sb.open("/out/f", "w");
      const writes: Promise<number>[] = [];
      for (let i = 0; i < 10_000; i++) writes.push(f.write(`line ${i}\n`));
      await Promise.all(writes);
      await f.flush();
      const stats = sb.stats();
      expect(stats.fdWriteCalls).toBeLessThan(1000);
      await f.close();
      const lines = (await readFile(join(dir, "f"), "utf8")).split("\n");
      expect(lines.length).toBe(10_001);
      expect(lines[9999]).toBe("line 9999");
    } finally {
      await sb.close();
    }
  });
});
