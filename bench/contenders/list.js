// Who runs which workload, where, and at what fraction of the work. Slow
// contenders run a fraction (scale) and their times are scaled back up; the
// table says so. Runtimes: node and deno run bench/measure.js, python runs
// bench/contenders/python_bench.py.
const ALL = (scale = 1) => ({ W1: scale, W2: 1, W3: scale, W4: 1, W5: 1 });

export const CONTENDERS = [
  { name: "aiowasi-node", label: "aiowasi (Node)", runtime: "node", workloads: ALL() },
  { name: "aiowasi-deno", label: "aiowasi (Deno)", runtime: "deno", workloads: ALL() },
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
    label: "fs/promises FileHandle.write (Node)",
    runtime: "node",
    workloads: { W1: 0.05, W2: 1, W3: 0.05, W4: 0.25, W5: 1 },
  },
  {
    name: "deno-file",
    label: "Deno.open + write (Deno)",
    runtime: "deno",
    workloads: { W1: 0.1, W2: 1, W3: 0.1, W4: 0.25, W5: 1 },
  },
  {
    name: "aiofiles",
    label: "aiofiles + asyncio (Python)",
    runtime: "python",
    workloads: { W1: 0.01, W2: 1, W3: 0.01, W4: 0.05, W5: 1 },
  },
  { name: "limit-blocking", label: "limit: 1 MiB blocking writes (Node)", runtime: "node", workloads: ALL() },
];
