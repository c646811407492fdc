// Runs one workload for one contender in this process and prints one JSON line:
// seconds, timer lag p99/max (a 1 ms interval's lateness) and peak RSS growth.
// Used by bench/run.js under Node and under Deno alike.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { contenders } from "./contenders/index.js";
import { planOf, WORKLOADS } from "./workloads.js";

const [name, workloadId, size, scaleText, dir] = process.argv.slice(2);
const workload = WORKLOADS[workloadId];
const scale = Number(scaleText);
const plan = planOf(workloadId, size, scale);
const { params } = plan;

for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
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
await workload.run(contender, dir, params);
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
if (!workload.cold) await contender.teardown?.();
peakRss = Math.max(peakRss, process.memoryUsage.rss());

// It must have written the right bytes, or its time means nothing.
const files = [];
for (const [file, bytes] of plan.expected) {
  const got = (await stat(join(dir, file))).size;
  files.push({ file, bytes, got });
  if (got !== bytes) throw new Error(`${name} ${workloadId}: ${file} has ${got} bytes, expected ${bytes}`);
}
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
    files,
  }),
);
// Deno and Node both end here; a contender that leaves handles open must not stall the run.
process.exit(0);
