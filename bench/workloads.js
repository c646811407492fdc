// The benchmark's workloads, written once against the small interfaces every
// JS contender implements (bench/contenders/node.js says which):
//   open(path, { append, durability }) -> { write(data), close() }   (W1-W7)
//   readFile(path) (R1), openLines(path) -> { lines, close() } (R2), writeAtomic(path, data) (R3),
//   stat(path) and rename(from, to) (R4), stats() (aiowasi's counters, W6).
// `scale` (0..1] runs a fraction of the work; results are scaled back up.
// A run returns what its check needs; the check (outside the timed part)
// fails the run if a byte, a line or a file is not what it must be.
//
// Kinds (how the report shows them): "write" (W1-W5), "synced" (W6),
// "latency" (W7), "read" (R1, R2), "ops" (R3, R4), "http" (bench/http.js
// runs that one: a server and autocannon, each in a process of its own).

export const LINE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"; // 64 bytes
const MiB = 1024 * 1024;

/** R2's line n: 64 bytes, the number first, so a dropped or repeated line shows. Python makes the same. */
export const numberedLine = (n) => `${String(n).padStart(12, "0")} ${"x".repeat(50)}\n`;
/** W6's append w/i: 128 bytes, the writer and its sequence number first. */
export const appendLine = (writer, i, size) => {
  const head = `w${String(writer).padStart(3, "0")} ${String(i).padStart(8, "0")} `;
  return `${head}${"y".repeat(size - head.length - 1)}\n`;
};
/** R3's content of write i: `size` bytes, the number first (the last write must be what is left). */
export const atomicContent = (i, size) => {
  const head = `{"n":${i},"pad":"`;
  return `${head}${"z".repeat(size - head.length - 3)}"}\n`;
};

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export const WORKLOADS = {
  W1: {
    title: "1,000,000 awaited 64-byte line writes, one file",
    kind: "write",
    full: { lines: 1_000_000 },
    quick: { lines: 2_000 },
    writes: (p) => p.lines,
    bytes: (p) => p.lines * 64,
    async run(contender, dir, p) {
      const f = await contender.open(`${dir}/w1.log`);
      for (let i = 0; i < p.lines; i++) await f.write(LINE);
      await f.close();
    },
    expected: (p) => [["w1.log", p.lines * 64, LINE]],
  },
  W2: {
    title: "1 GiB in 1 MiB Uint8Array writes, one file",
    kind: "write",
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
    expected: (p) => [["w2.bin", p.blocks * p.size, "a"]],
  },
  W3: {
    title: "8 files concurrently, 125,000 lines each",
    kind: "write",
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
    expected: (p) => Array.from({ length: p.files }, (_, n) => [`w3-${n}.log`, p.lines * 64, LINE]),
  },
  W4: {
    title: "1,000,000-char string in 1024-byte chunks, 16 files at once",
    kind: "write",
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
    expected: (p) => Array.from({ length: p.files }, (_, n) => [`w4-${n}.txt`, p.chars, LINE]),
  },
  W5: {
    title: "cold start: set up, open, write 1 KiB, close, tear down",
    kind: "write",
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
    expected: () => [["w5.txt", 1024, LINE]],
  },
  W6: {
    title: '64 writers × 300 awaited 128-byte appends, one file, "synced" (real disk)',
    kind: "synced",
    disk: true, // fdatasync on tmpfs costs nothing: the real disk is the point
    full: { writers: 64, appends: 300, size: 128 },
    quick: { writers: 64, appends: 4, size: 128 },
    writes: (p) => p.writers * p.appends,
    bytes: (p) => p.writers * p.appends * p.size,
    async run(contender, dir, p) {
      const lines = Array.from({ length: p.writers }, (_, w) =>
        Array.from({ length: p.appends }, (_, i) => appendLine(w, i, p.size)),
      );
      const f = await contender.open(`${dir}/w6.log`, { append: true, durability: "synced" });
      await Promise.all(
        lines.map(async (mine) => {
          for (const line of mine) await f.write(line);
        }),
      );
      const stats = contender.stats?.(); // before close(): its own fdatasync is no append's
      await f.close();
      if (!stats) return {};
      return {
        extra: {
          groupSyncs: stats.groupSyncs,
          syncedWrites: stats.syncedWrites,
          writesPerSync: stats.groupSyncs ? stats.syncedWrites / stats.groupSyncs : null,
        },
      };
    },
    expected: (p) => [["w6.log", p.writers * p.appends * p.size, null]],
    // Every append is there once, whole, and each writer's in its order.
    async check(dir, p, _outcome, io) {
      const text = await io.readText(`${dir}/w6.log`);
      const next = new Array(p.writers).fill(0);
      const lines = text.split("\n");
      lines.pop();
      for (const line of lines) {
        const w = Number(line.slice(1, 4));
        const i = Number(line.slice(5, 13));
        if (line.length !== p.size - 1 || `${line}\n` !== appendLine(w, i, p.size) || next[w] !== i)
          throw new Error(`W6: line ${JSON.stringify(line.slice(0, 20))} out of place (writer ${w} expected ${next[w]})`);
        next[w]++;
      }
      if (next.some((n) => n !== p.appends)) throw new Error(`W6: appends per writer ${next.join(",")}, expected ${p.appends}`);
    },
  },
  W7: {
    title: 'one writer, 100,000 awaited 64-byte writes, "written" (fs/promises: FileHandle.write)',
    kind: "latency",
    full: { lines: 100_000 },
    quick: { lines: 500 },
    writes: (p) => p.lines,
    bytes: (p) => p.lines * 64,
    async run(contender, dir, p) {
      const latency = new Float64Array(p.lines);
      const f = await contender.open(`${dir}/w7.log`, { durability: "written" });
      for (let i = 0; i < p.lines; i++) {
        const started = performance.now();
        await f.write(LINE);
        latency[i] = performance.now() - started;
      }
      await f.close();
      latency.sort();
      return { extra: { writeP50Us: percentile(latency, 0.5) * 1000, writeP99Us: percentile(latency, 0.99) * 1000 } };
    },
    expected: (p) => [["w7.log", p.lines * 64, LINE]],
  },
  R1: {
    title: "readFile of a 256 MiB file",
    kind: "read",
    full: { mib: 256 },
    quick: { mib: 2 },
    writes: () => 1,
    bytes: (p) => p.mib * MiB,
    async prepare(dir, p, io) {
      await io.writePattern(`${dir}/r1.bin`, LINE, p.mib * MiB);
    },
    async run(contender, dir) {
      return { bytes: await contender.readFile(`${dir}/r1.bin`) };
    },
    expected: (p) => [["r1.bin", p.mib * MiB, LINE]],
    check(_dir, p, outcome, io) {
      io.checkPattern("R1 readFile", outcome.bytes, LINE, p.mib * MiB);
    },
  },
  R2: {
    title: "1,000,000 lines read one by one (readLines / readline)",
    kind: "read",
    full: { lines: 1_000_000 },
    quick: { lines: 2_000 },
    writes: (p) => p.lines,
    bytes: (p) => p.lines * 64,
    async prepare(dir, p, io) {
      await io.writeLines(`${dir}/r2.txt`, p.lines, numberedLine);
    },
    async run(contender, dir) {
      let count = 0;
      let chars = 0;
      let first;
      let last;
      const reader = await contender.openLines(`${dir}/r2.txt`);
      for await (const line of reader.lines) {
        if (count === 0) first = line;
        last = line;
        count++;
        chars += line.length;
      }
      await reader.close();
      return { count, chars, first, last };
    },
    expected: (p) => [["r2.txt", p.lines * 64, null]],
    check(_dir, p, { count, chars, first, last }) {
      const want = (n) => numberedLine(n).slice(0, -1);
      if (count !== p.lines || chars !== p.lines * 63 || first !== want(0) || last !== want(p.lines - 1))
        throw new Error(`R2: ${count} lines, ${chars} chars, first ${first}, last ${last}; expected ${p.lines} lines`);
    },
  },
  R3: {
    title: "1,000 atomic writeFile of 1 KiB, one file (real disk)",
    kind: "ops",
    disk: true,
    full: { count: 1000, size: 1024 },
    quick: { count: 10, size: 1024 },
    writes: (p) => p.count,
    bytes: (p) => p.count * p.size,
    async run(contender, dir, p) {
      for (let i = 0; i < p.count; i++) await contender.writeAtomic(`${dir}/r3.json`, atomicContent(i, p.size));
    },
    expected: (p) => [["r3.json", p.size, null]],
    // The last write is what is there, and no temp file was left behind.
    async check(dir, p, _outcome, io) {
      const text = await io.readText(`${dir}/r3.json`);
      if (text !== atomicContent(p.count - 1, p.size)) throw new Error(`R3: r3.json holds ${text.slice(0, 30)}…`);
      const names = await io.list(dir);
      if (names.length !== 1) throw new Error(`R3: the folder holds ${names.join(", ")}`);
    },
  },
  R4: {
    title: "1,000 stat + 1,000 rename in one folder",
    kind: "ops",
    full: { entries: 1000 },
    quick: { entries: 20 },
    writes: (p) => 2 * p.entries,
    bytes: () => 0,
    async prepare(dir, p, io) {
      for (let i = 0; i < p.entries; i++) await io.writeText(`${dir}/f-${i}.txt`, "x".repeat(i % 100));
    },
    async run(contender, dir, p) {
      let sizes = 0;
      for (let i = 0; i < p.entries; i++) sizes += (await contender.stat(`${dir}/f-${i}.txt`)).size;
      for (let i = 0; i < p.entries; i++) await contender.rename(`${dir}/f-${i}.txt`, `${dir}/g-${i}.txt`);
      return { sizes };
    },
    expected: () => [],
    async check(dir, p, { sizes }, io) {
      let want = 0;
      for (let i = 0; i < p.entries; i++) want += i % 100;
      const names = new Set(await io.list(dir));
      const missing = Array.from({ length: p.entries }, (_, i) => `g-${i}.txt`).filter((n) => !names.has(n));
      if (sizes !== want || missing.length > 0 || names.size !== p.entries)
        throw new Error(`R4: sizes ${sizes} (expected ${want}), ${missing.length} renamed files missing, ${names.size} entries`);
    },
  },
  HTTP: {
    title: "HTTP server (node:http), one pino JSON log line per request, autocannon",
    kind: "http",
    full: { connections: 50, seconds: 5 },
    quick: { connections: 10, seconds: 1 },
    writes: () => 1,
    bytes: () => 0,
    expected: () => [],
  },
};

const FIXED = new Set(["size", "chunk", "files", "writers", "connections", "seconds", "mib"]); // not scaled: the shape of the work

/**
 * What one run of a workload does at a size ("full" | "quick") and scale:
 * its parameters, writes, bytes and the files it must leave (name, size and
 * the unit the content repeats, or null where a check of its own looks at
 * it). Every runtime (measure.js, python_bench.py via run.js, http.js) works
 * from this one plan.
 */
export function planOf(workloadId, size, scale) {
  const workload = WORKLOADS[workloadId];
  const params = Object.fromEntries(
    Object.entries(workload[size]).map(([k, v]) => [k, FIXED.has(k) ? v : Math.max(1, Math.round(v * scale))]),
  );
  return { params, writes: workload.writes(params), bytes: workload.bytes(params), expected: workload.expected(params) };
}
