// Who runs which workload, where, and at what fraction of the work. Slow
// contenders run a fraction (scale) and their times are scaled back up; the
// table says so. Runtimes: node, deno and bun run bench/measure.js, python
// runs bench/contenders/python_bench.py, http runs bench/http.js (a server
// process and an autocannon process). `needs: "before"`: only with a build of
// the library from before this work (bench/run.js --before DIR).
const ALL = (scale = 1) => ({ W1: scale, W2: 1, W3: scale, W4: 1, W5: 1 });
const HTTP = { HTTP: 1 };

export const CONTENDERS = [
  {
    name: "aiowasi-node",
    label: "aiowasi (Node)",
    runtime: "node",
    workloads: { ...ALL(), W6: 1, W7: 1, R1: 1, R2: 1, R3: 1, R4: 1 },
  },
  {
    name: "aiowasi-before",
    label: "aiowasi before (Node)",
    runtime: "node",
    needs: "before",
    workloads: { W1: 1, W2: 1, W3: 1, W4: 1 },
  },
  { name: "aiowasi-deno", label: "aiowasi (Deno)", runtime: "deno", workloads: ALL() },
  { name: "aiowasi-bun", label: "aiowasi (Bun)", runtime: "bun", workloads: ALL() },
  {
    name: "wasmtime-cli",
    label: "aiowasi-cli.wasm (Wasmtime, stdin → file)",
    runtime: "python",
    workloads: { W1: 1, W2: 1, W5: 1 },
  },
  { name: "plain-copy", label: "plain copy (1 MiB read/write, Python)", runtime: "python", workloads: { W1: 1, W2: 1, W5: 1 } },
  { name: "createWriteStream", label: "fs.createWriteStream + drain (Node)", runtime: "node", workloads: ALL() },
  { name: "sonic-boom", label: "sonic-boom (Node)", runtime: "node", workloads: ALL() },
  {
    name: "fs-promises",
    label: "fs/promises (Node)",
    runtime: "node",
    workloads: { W1: 0.05, W2: 1, W3: 0.05, W4: 0.25, W5: 1, W6: 1, W7: 0.25, R1: 1, R4: 1 },
  },
  { name: "node-readline", label: "node:readline over fs.createReadStream (Node)", runtime: "node", workloads: { R2: 1 } },
  { name: "write-file-atomic", label: "write-file-atomic (Node)", runtime: "node", workloads: { R3: 1 } },
  {
    name: "write-file-atomic-dirsync",
    label: "write-file-atomic + folder fsync (Node)",
    runtime: "node",
    workloads: { R3: 1 },
  },
  {
    name: "deno-file",
    label: "Deno.open + write (Deno)",
    runtime: "deno",
    workloads: { W1: 0.1, W2: 1, W3: 0.1, W4: 0.25, W5: 1 },
  },
  { name: "bun-filesink", label: "Bun.file().writer() FileSink (Bun)", runtime: "bun", workloads: { ...ALL(), W7: 1 } },
  {
    name: "bun-write",
    label: "Bun.write, awaited each (Bun)",
    runtime: "bun",
    workloads: { W1: 0.05, W2: 1, W3: 0.05, W4: 0.25, W5: 1, W7: 0.25 },
  },
  {
    name: "aiofiles",
    label: "aiofiles + asyncio (Python)",
    runtime: "python",
    workloads: { W1: 0.01, W2: 1, W3: 0.01, W4: 0.05, W5: 1, R2: 0.02 },
  },
  { name: "limit-blocking", label: "limit: 1 MiB blocking writes (Node)", runtime: "node", workloads: ALL() },
  { name: "http-none", label: "no logging", runtime: "http", workloads: HTTP },
  { name: "http-aiowasi", label: "pino + aiowasi sb.destination()", runtime: "http", workloads: HTTP },
  { name: "http-pino-destination", label: "pino + pino.destination() (sonic-boom)", runtime: "http", workloads: HTTP },
  {
    name: "http-pino-destination-4k",
    label: "pino + pino.destination({ minLength: 4096 })",
    runtime: "http",
    workloads: HTTP,
  },
  { name: "http-pino-transport", label: "pino + pino.transport(pino/file)", runtime: "http", workloads: HTTP },
  { name: "http-aiowasi-transport", label: "pino + pino.transport(aiowasi/pino)", runtime: "http", workloads: HTTP },
];
