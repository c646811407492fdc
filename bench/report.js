// The benchmark's figures as a table (stdout) and as bench/RESULTS.md, and
// the issue's speed targets checked as same-run ratios.
import { WORKLOADS } from "./workloads.js";

const RING_MIB = 4; // the default bufferSize
const find = (rows, workload, contender) => rows.find((r) => r.workload === workload && r.contender === contender);

/** The speed targets, each as a same-run ratio. Missing rows (e.g. --only) skip a target. */
export function targetChecks(rows) {
  const checks = [];
  const ratio = (label, workload, slow, fast, minimum, note = "") => {
    const a = find(rows, workload, slow);
    const b = find(rows, workload, fast);
    if (!a || !b) return;
    const value = a.seconds / b.seconds;
    checks.push({ target: `${label} ≥ ${minimum}×${note}`, measured: `${value.toFixed(2)}×`, pass: value >= minimum });
  };
  ratio("W1 aiowasi (Node) vs createWriteStream", "W1", "createWriteStream", "aiowasi-node", 2);
  ratio("W1 aiowasi (Node) vs fs/promises", "W1", "fs-promises", "aiowasi-node", 100);
  ratio("W1 aiowasi (Node) vs aiofiles", "W1", "aiofiles", "aiowasi-node", 300);
  for (const w of ["W1", "W2"]) {
    const row = find(rows, w, "aiowasi-node");
    if (row)
      checks.push({
        target: `${w} aiowasi (Node) timer lag p99 ≤ 1.5 ms`,
        measured: `${row.lagP99.toFixed(2)} ms`,
        pass: row.lagP99 <= 1.5,
      });
  }
  ratio("W2 aiowasi (Node) vs the blocking limit", "W2", "limit-blocking", "aiowasi-node", 0.85);
  const w2 = find(rows, "W2", "aiowasi-node");
  if (w2) {
    checks.push({
      target: `W2 peak RSS growth ≤ ring (${RING_MIB} MiB) + 32 MiB`,
      measured: `${w2.rssGrowthMiB.toFixed(1)} MiB`,
      pass: w2.rssGrowthMiB <= RING_MIB + 32,
    });
  }
  ratio("W3 aiowasi (Node) vs fs/promises, per line", "W3", "fs-promises", "aiowasi-node", 50);
  for (const w of Object.keys(WORKLOADS)) {
    const node = find(rows, w, "aiowasi-node");
    const deno = find(rows, w, "aiowasi-deno");
    if (node && deno) {
      const value = deno.seconds / node.seconds;
      checks.push({ target: `${w} aiowasi on Deno within 1.5× of Node`, measured: `${value.toFixed(2)}×`, pass: value <= 1.5 });
    }
  }
  for (const w of ["W1", "W2"]) ratio(`${w} Wasmtime stdin → file vs a plain copy`, w, "plain-copy", "wasmtime-cli", 0.7);
  return checks;
}

const fixed = (value, digits) => (value === null || value === undefined ? "–" : value.toFixed(digits));
const time = (s) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 0.1 ? `${s.toFixed(3)} s` : `${(s * 1000).toFixed(2)} ms`);

function cells(row, best) {
  return [
    row.label + (row.scale < 1 ? ` (${Math.round(row.scale * 100)}% of the work, scaled)` : ""),
    time(row.seconds),
    `${(row.seconds / best).toFixed(2)}×`,
    fixed(row.mbPerSecond, 1),
    fixed(row.usPerWrite, 2),
    fixed(row.lagP99, 2),
    fixed(row.lagMax, 1),
    fixed(row.rssGrowthMiB, 1),
  ];
}

const HEAD = ["contender", "time", "vs fastest", "MB/s", "µs/write", "lag p99 ms", "lag max ms", "RSS growth MiB"];

function byWorkload(rows) {
  return Object.keys(WORKLOADS)
    .map((w) => [w, rows.filter((r) => r.workload === w).sort((a, b) => a.seconds - b.seconds)])
    .filter(([, list]) => list.length > 0);
}

/** Plain text for the terminal. */
export function renderTable(rows, checks) {
  const lines = [];
  for (const [w, list] of byWorkload(rows)) {
    const body = list.map((row) => cells(row, list[0].seconds));
    const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    lines.push(`\n${w}: ${WORKLOADS[w].title}`, line(HEAD), ...body.map(line));
  }
  lines.push("\nTargets (same-run ratios):");
  for (const c of checks) lines.push(`  ${c.pass ? "met    " : "NOT MET"}  ${c.target}: ${c.measured}`);
  return lines.join("\n");
}

/** bench/RESULTS.md */
export function renderMarkdown(rows, checks, info) {
  const out = [
    "# Benchmark results",
    "",
    `Produced by \`npm run bench\`${info.quick ? " -- --quick (a smoke run: tiny work, times mean little)" : ""} on ${info.date}.`,
    `Each figure is the median of ${info.runs > 1 ? `${info.runs - 1} runs (a first warm-up run discarded)` : "1 run"}, each run in a fresh process; one workload at a time, its rounds interleaved across contenders in rotating order. Folder: \`${info.dir}\`.`,
    "Lag is how late a 1 ms interval timer fires while the workload runs (the caller's event loop; – where there is none).",
    "",
    `Machine: ${info.cpu}, ${info.memoryGiB} GiB, Linux ${info.kernel}. Node ${info.node}; ${info.deno}; ${info.python}; ${info.wasmtime}.`,
    "",
    "![results](results.svg)",
  ];
  for (const [w, list] of byWorkload(rows)) {
    out.push(
      "",
      `## ${w}: ${WORKLOADS[w].title}`,
      "",
      `| ${HEAD.join(" | ")} |`,
      `|${HEAD.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
    );
    for (const row of list) out.push(`| ${cells(row, list[0].seconds).join(" | ")} |`);
  }
  out.push("", "## Targets (same-run ratios)", "", "| target | measured | |", "|---|---:|---|");
  for (const c of checks) out.push(`| ${c.target} | ${c.measured} | ${c.pass ? "met" : "**not met**"} |`);
  return `${out.join("\n")}\n`;
}
