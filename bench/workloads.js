// The benchmark's workloads, written once against a tiny writer interface
// every JS contender implements: open(path) -> { write(data), close() }.
// `scale` (0..1] runs a fraction of the work; results are scaled back up.

const LINE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"; // 64 bytes
const MiB = 1024 * 1024;

export const WORKLOADS = {
  W1: {
    title: "1,000,000 awaited 64-byte line writes, one file",
    full: { lines: 1_000_000 },
    quick: { lines: 2_000 },
    writes: (p) => p.lines,
    bytes: (p) => p.lines * 64,
    async run(contender, dir, p) {
      const f = await contender.open(`${dir}/w1.log`);
      for (let i = 0; i < p.lines; i++) await f.write(LINE);
      await f.close();
    },
    expected: (p) => [["w1.log", p.lines * 64]],
  },
  W2: {
    title: "1 GiB in 1 MiB Uint8Array writes, one file",
    full: { blocks: 1024, size: MiB },
    quick: { blocks: 4, size: MiB },
    writes: (p) => p.blocks,
    bytes: (p) => p.blocks * p.size,
    async run(contender, dir, p) {
      const block = new Uint8Array(p.size).fill(0x61);
      const f = await contender.open(`${dir}/w2.bin`);
      for (let i = 0; i < p.blocks; i++) await f.write(block);
      await f.close();
    },
    expected: (p) => [["w2.bin", p.blocks * p.size]],
  },
  W3: {
    title: "8 files concurrently, 125,000 lines each",
    full: { files: 8, lines: 125_000 },
    quick: { files: 8, lines: 250 },
    writes: (p) => p.files * p.lines,
    bytes: (p) => p.files * p.lines * 64,
    async run(contender, dir, p) {
      await Promise.all(
        Array.from({ length: p.files }, async (_, n) => {
          const f = await contender.open(`${dir}/w3-${n}.log`);
          for (let i = 0; i < p.lines; i++) await f.write(LINE);
          await f.close();
        }),
      );
    },
    expected: (p) => Array.from({ length: p.files }, (_, n) => [`w3-${n}.log`, p.lines * 64]),
  },
  W4: {
    title: "1,000,000-char string in 1024-byte chunks, 16 files at once",
    full: { files: 16, chars: 1_000_000, chunk: 1024 },
    quick: { files: 16, chars: 20_000, chunk: 1024 },
    writes: (p) => p.files * Math.ceil(p.chars / p.chunk),
    bytes: (p) => p.files * p.chars,
    async run(contender, dir, p) {
      const text = LINE.repeat(Math.ceil(p.chars / 64)).slice(0, p.chars);
      await Promise.all(
        Array.from({ length: p.files }, async (_, n) => {
          const f = await contender.open(`${dir}/w4-${n}.txt`);
          for (let at = 0; at < text.length; at += p.chunk) await f.write(text.slice(at, at + p.chunk));
          await f.close();
        }),
      );
    },
    expected: (p) => Array.from({ length: p.files }, (_, n) => [`w4-${n}.txt`, p.chars]),
  },
  W5: {
    title: "cold start: set up, open, write 1 KiB, close, tear down",
    full: { rounds: 20 },
    quick: { rounds: 2 },
    writes: (p) => p.rounds,
    bytes: (p) => p.rounds * 1024,
    cold: true, // the contender's setup and teardown are inside the timed part
    async run(contender, dir, p) {
      const kib = LINE.repeat(16);
      for (let r = 0; r < p.rounds; r++) {
        await contender.setup?.(dir);
        const f = await contender.open(`${dir}/w5.txt`);
        await f.write(kib);
        await f.close();
        await contender.teardown?.();
      }
    },
    expected: () => [["w5.txt", 1024]],
  },
};

const FIXED = new Set(["size", "chunk", "files"]); // not scaled: the shape of the work

/**
 * What one run of a workload does at a size ("full" | "quick") and scale:
 * its parameters, writes, bytes and the files it must leave. Every runtime
 * (measure.js, python_bench.py via run.js) works from this one plan.
 */
export function planOf(workloadId, size, scale) {
  const workload = WORKLOADS[workloadId];
  const params = Object.fromEntries(
    Object.entries(workload[size]).map(([k, v]) => [k, FIXED.has(k) ? v : Math.max(1, Math.round(v * scale))]),
  );
  return { params, writes: workload.writes(params), bytes: workload.bytes(params), expected: workload.expected(params) };
}
