// The soak: N GiB (default 10) through one sandbox, on tmpfs by default, as
// 1 GiB files of mixed writes (1 MiB buffers and 64-byte lines), each file
// deleted after it is closed so tmpfs does not fill. Memory must stay flat:
// it prints RSS after every GiB and fails if the second half grew past the
// first half's peak by more than 8 MiB.
//   npm run soak            node bench/soak.js [GIB] [--dir DIR]
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "../dist/index.js";

const args = process.argv.slice(2);
const at = args.indexOf("--dir");
const dir = at >= 0 ? args[at + 1] : join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "aiowasi-soak");
const gib = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--dir") ?? 10);
await mkdir(dir, { recursive: true });

const MiB = 2 ** 20;
const block = new Uint8Array(MiB).fill(0x73);
const line = "soak line 0123456789abcdef0123456789abcdef0123456789abcdef01234\n";
const sb = await Sandbox.create({ preopens: { "/soak": dir } });
const rss = [];
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
const started = performance.now();
for (let g = 0; g < gib; g++) {
  const f = await sb.open(`/soak/part-${g}.bin`, "w");
  for (let m = 0; m < 1024; m++) {
    if (m % 16 === 0) for (let i = 0; i < MiB / 64; i++) await f.write(line);
    else await f.write(block);
  }
  await f.close();
  await rm(join(dir, `part-${g}.bin`));
  peak = Math.max(peak, process.memoryUsage.rss());
  rss.push(peak / MiB);
  peak = 0;
  console.log(
    `GiB ${g + 1}/${gib}: peak RSS ${rss.at(-1).toFixed(1)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
clearInterval(sampler);
await sb.close();
await rm(dir, { recursive: true, force: true });
const half = Math.floor(rss.length / 2);
const first = Math.max(...rss.slice(0, half || 1));
const second = Math.max(...rss.slice(half));
const flat = second <= first + 8;
console.log(
  `soak: ${gib} GiB in ${((performance.now() - started) / 1000).toFixed(1)} s; peak RSS first half ${first.toFixed(1)} MiB, second half ${second.toFixed(1)} MiB: ${flat ? "flat" : "GROWING"}`,
);
process.exit(flat ? 0 : 1);
