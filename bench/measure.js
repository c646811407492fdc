// Runs one workload for one contender in this process and prints one JSON line:
// seconds, timer lag p99/max (a 1 ms interval's lateness), peak RSS growth and
// what the workload reports besides (extra). Used by bench/run.js under Node,
// Deno and Bun alike. Every run checks what it did (sizes, content, lines)
// outside the timed part, and fails if anything is off.
import { open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contenders } from "./contenders/index.js";
import { planOf, WORKLOADS } from "./workloads.js";

const [name, workloadId, size, scaleText, dir] = process.argv.slice(2);
const workload = WORKLOADS[workloadId];
const scale = Number(scaleText);
const plan = planOf(workloadId, size, scale);
const { params } = plan;

/** `bytes` bytes of `unit` repeated (the last one cut short). */
function patternBlock(unit, bytes) {
  const one = Buffer.from(unit);
  const block = Buffer.allocUnsafe(bytes);
  for (let at = 0; at < bytes; at += one.length) one.copy(block, at, 0, Math.min(one.length, bytes - at));
  return block;
}

const BLOCK = 1024 * 1024; // a multiple of 64: the pattern lines up at every block
/** The file helpers workloads use to prepare inputs and check outputs (untimed). */
const io = {
  readText: (path) => readFile(path, "utf8"),
  writeText: (path, text) => writeFile(path, text),
  list: (path) => readdir(path),
  async writePattern(path, unit, bytes) {
    const block = patternBlock(unit, BLOCK);
    const file = await open(path, "w");
    for (let at = 0; at < bytes; at += BLOCK) await file.write(block, 0, Math.min(BLOCK, bytes - at));
    await file.close();
  },
  async writeLines(path, count, line) {
    const file = await open(path, "w");
    for (let n = 0; n < count; ) {
      const batch = [];
      for (let end = Math.min(count, n + 16384); n < end; n++) batch.push(line(n));
      await file.write(batch.join(""));
    }
    await file.close();
  },
  /** Fails unless `bytes` is exactly `length` bytes of `unit` repeated. */
  checkPattern(what, bytes, unit, length) {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.length !== length) throw new Error(`${what}: ${view.length} bytes, expected ${length}`);
    const block = patternBlock(unit, BLOCK);
    for (let at = 0; at < length; at += BLOCK) {
      const end = Math.min(length, at + BLOCK);
      if (view.compare(block, 0, end - at, at, end) !== 0) throw new Error(`${what}: wrong content in bytes ${at}..${end}`);
    }
  },
  /** Fails unless the file at `path` is `length` bytes of `unit` repeated (read a block at a time). */
  async checkFilePattern(what, path, unit, length) {
    const block = patternBlock(unit, BLOCK);
    const got = Buffer.allocUnsafe(BLOCK);
    const file = await open(path, "r");
    try {
      for (let at = 0; at < length; ) {
        const { bytesRead } = await file.read(got, 0, Math.min(BLOCK, length - at), at);
        if (bytesRead === 0) throw new Error(`${what}: ends at ${at}, expected ${length} bytes`);
        if (got.compare(block, 0, bytesRead, 0, bytesRead) !== 0) throw new Error(`${what}: wrong content at ${at}`);
        at += bytesRead;
      }
    } finally {
      await file.close();
    }
  },
};

for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
await workload.prepare?.(dir, params, io);
const contender = await contenders[name]();
if (!workload.cold) await contender.setup?.(dir);

const lags = [];
let peakRss = process.memoryUsage.rss();
const rssBefore = peakRss;
let expected = performance.now() + 1;
const timer = setInterval(() => {
  const now = performance.now();
  lags.push(Math.max(0, now - expected));
  expected = now + 1;
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
}, 1);

const started = performance.now();
const outcome = (await workload.run(contender, dir, params)) ?? {};
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
if (!workload.cold) await contender.teardown?.();
peakRss = Math.max(peakRss, process.memoryUsage.rss());

// It must have done the right thing, or its time means nothing.
const files = [];
for (const [file, bytes, unit] of plan.expected) {
  const got = (await stat(join(dir, file))).size;
  files.push({ file, bytes, got });
  if (got !== bytes) throw new Error(`${name} ${workloadId}: ${file} has ${got} bytes, expected ${bytes}`);
  if (unit) await io.checkFilePattern(`${name} ${workloadId}: ${file}`, join(dir, file), unit, bytes);
}
await workload.check?.(dir, params, outcome, io);
lags.sort((a, b) => a - b);
const at = (q) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] : seconds * 1000);
console.log(
  JSON.stringify({
    contender: name,
    workload: workloadId,
    scale,
    seconds,
    writes: plan.writes,
    bytes: plan.bytes,
    lagP99: at(0.99),
    lagMax: lags.length ? lags[lags.length - 1] : seconds * 1000,
    rssGrowthMiB: (peakRss - rssBefore) / (1024 * 1024),
    extra: outcome.extra ?? {},
    files,
  }),
);
// Deno, Bun and Node all end here; a contender that leaves handles open must not stall the run.
process.exit(0);
