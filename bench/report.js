// The benchmark's figures as a table (stdout) and as bench/RESULTS.md, and
// the issues' targets checked as same-run ratios.
import { WORKLOADS } from "./workloads.js";

const RING_MIB = 4; // the default bufferSize
const find = (rows, workload, contender) => rows.find((r) => r.workload === workload && r.contender === contender);

/** The speed targets, each as a same-run ratio. Missing rows (e.g. --only, no --before) skip a target. */
export function targetChecks(rows) {
  const checks = [];
  /** slow's time over fast's: how many times faster `fast` is. */
  const ratio = (label, workload, slow, fast, minimum, note = "") => {
    const a = find(rows, workload, slow);
    const b = find(rows, workload, fast);
    if (!a || !b) return;
    const value = a.seconds / b.seconds;
    checks.push({ target: `${label} ≥ ${minimum}×${note}`, measured: `${value.toFixed(2)}×`, pass: value >= minimum });
  };
  /** `other`'s time over `base`'s must stay within `maximum`. */
  const within = (label, workload, other, base, maximum) => {
    const a = find(rows, workload, other);
    const b = find(rows, workload, base);
    if (!a || !b) return;
    const value = a.seconds / b.seconds;
    checks.push({ target: `${label} ≤ ${maximum}×`, measured: `${value.toFixed(2)}×`, pass: value <= maximum });
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
  // "accepted" writes must not have slowed down: now over before, same run (noise here is ~5-10 %).
  for (const w of ["W1", "W2", "W3", "W4"])
    within(`${w} aiowasi (Node) now / before (f06d1e2), time`, w, "aiowasi-node", "aiowasi-before", 1.1);
  for (const w of Object.keys(WORKLOADS)) {
    within(`${w} aiowasi on Deno / on Node, time`, w, "aiowasi-deno", "aiowasi-node", 1.5);
    within(`${w} aiowasi on Bun / on Node, time`, w, "aiowasi-bun", "aiowasi-node", 1.5);
  }
  for (const w of ["W1", "W2"]) ratio(`${w} Wasmtime stdin → file vs a plain copy`, w, "plain-copy", "wasmtime-cli", 0.7);
  ratio('W6 "synced" appends/s, aiowasi (Node) vs fs/promises write + datasync', "W6", "fs-promises", "aiowasi-node", 10);
  ratio('W7 "written" writes, aiowasi (Node) vs fs/promises FileHandle.write', "W7", "fs-promises", "aiowasi-node", 2);
  ratio("R1 readFile 256 MiB, aiowasi (Node) vs fs.promises.readFile", "R1", "fs-promises", "aiowasi-node", 0.8);
  ratio("R2 readLines, aiowasi (Node) vs node:readline", "R2", "node-readline", "aiowasi-node", 2);
  ratio("R2 readLines, aiowasi (Node) vs aiofiles", "R2", "aiofiles", "aiowasi-node", 50);
  ratio("R3 atomic writeFile, aiowasi (Node) vs write-file-atomic", "R3", "write-file-atomic", "aiowasi-node", 1);
  ratio(
    "R3 (same durability) aiowasi (Node) vs write-file-atomic + folder fsync",
    "R3",
    "write-file-atomic-dirsync",
    "aiowasi-node",
    1,
    " (not an issue target)",
  );
  ratio("R4 stat + rename, aiowasi (Node) vs fs/promises", "R4", "fs-promises", "aiowasi-node", 0.5);
  ratio("HTTP req/s, pino + aiowasi destination vs pino.destination()", "HTTP", "http-pino-destination", "http-aiowasi", 1);
  return checks;
}

const fixed = (value, digits) => (value === null || value === undefined ? "–" : value.toFixed(digits));
const time = (s) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 0.1 ? `${s.toFixed(3)} s` : `${(s * 1000).toFixed(2)} ms`);
const count = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));
const label = (row) => row.label + (row.scale < 1 ? ` (${Math.round(row.scale * 100)}% of the work, scaled)` : "");
const vs = (row, best) => `${(row.seconds / best).toFixed(2)}×`;
const perSecond = (row) => (row.writes ?? 0) / row.seconds;
const lag = (row) => [fixed(row.lagP99, 2), fixed(row.lagMax, 1), fixed(row.rssGrowthMiB, 1)];
const LAG = ["lag p99 ms", "lag max ms", "RSS growth MiB"];

/** The columns of each kind of workload: head and cells(row, fastest seconds). */
const COLUMNS = {
  write: {
    head: ["contender", "time", "vs fastest", "MB/s", "µs/write", ...LAG],
    cells: (row, best) => [
      label(row),
      time(row.seconds),
      vs(row, best),
      fixed(row.mbPerSecond, 1),
      fixed(row.usPerWrite, 2),
      ...lag(row),
    ],
  },
  synced: {
    head: ["contender", "time", "vs fastest", "appends/s", "µs/append", "group syncs", "appends per sync", ...LAG],
    cells: (row, best) => [
      label(row),
      time(row.seconds),
      vs(row, best),
      count(perSecond(row)),
      fixed(row.usPerWrite, 2),
      fixed(row.extra?.groupSyncs, 0),
      fixed(row.extra?.writesPerSync, 1),
      ...lag(row),
    ],
  },
  latency: {
    head: ["contender", "time", "vs fastest", "writes/s", "µs/write", "write p50 µs", "write p99 µs", ...LAG],
    cells: (row, best) => [
      label(row),
      time(row.seconds),
      vs(row, best),
      count(perSecond(row)),
      fixed(row.usPerWrite, 2),
      fixed(row.extra?.writeP50Us, 1),
      fixed(row.extra?.writeP99Us, 1),
      ...lag(row),
    ],
  },
  read: {
    head: ["contender", "time", "vs fastest", "MB/s", "items/s", ...LAG],
    cells: (row, best) => [
      label(row),
      time(row.seconds),
      vs(row, best),
      fixed(row.mbPerSecond, 1),
      count(perSecond(row)),
      ...lag(row),
    ],
  },
  ops: {
    head: ["contender", "time", "vs fastest", "ops/s", "µs/op", ...LAG],
    cells: (row, best) => [
      label(row),
      time(row.seconds),
      vs(row, best),
      count(perSecond(row)),
      fixed(row.usPerWrite, 1),
      ...lag(row),
    ],
  },
  http: {
    head: ["server's logging", "requests/s", "vs fastest", "latency p50 ms", "latency p99 ms", "requests per run"],
    cells: (row, best) => [
      row.label,
      count(1 / row.seconds),
      vs(row, best),
      fixed(row.extra?.latencyP50, 0),
      fixed(row.extra?.latencyP99, 0),
      count(row.extra?.requests ?? 0),
    ],
  },
};

/** What a table alone does not say. */
const NOTES = {
  W6: 'appends/s = 19,200 appends over the time. group syncs: fdatasync calls that covered appends (sb.stats().groupSyncs); appends per sync: syncedWrites / groupSyncs. fs/promises: 64 async writers on one FileHandle opened "a", write + datasync per append.',
  W7: "Latency: each awaited write's own time (performance.now() around the await), p50/p99 over all writes of the run (median of runs). aiowasi resolves once the worker's fd_write returned; fs/promises once the thread pool's write returned; Bun.write once written; the FileSink with a flush() per write.",
  R1: "One readFile of a 256 MiB file made before the timed part (page cache warm); the bytes read are compared with the file's pattern afterwards.",
  R2: "Each line counted and its length summed; count, characters, first and last line checked afterwards. aiofiles: `async for line in f`.",
  R3: 'writeFile(path, 1 KiB, { atomic: true }) 1,000 times over one file: temp file, fdatasync, rename, folder fsync (aiowasi); write-file-atomic: temp file, fsync, rename (its defaults; the folder is not synced, so the rename itself is not yet durable when it resolves: the row "+ folder fsync" adds that, for the same durability). Afterwards the file must hold the last write and no temp file may be left.',
  R4: "Sequential and awaited. Each aiowasi stat or rename is one request to the sandbox's worker and one reply (Atomics wake-ups both ways), plus the core's component-by-component path walk (each step checked with path_readlink/path_filestat_get, anchored on an open folder); fs/promises is one libuv thread-pool round trip. What bounds aiowasi here is that round trip to the worker and the walk, not the disk.",
  HTTP: 'A node:http server answering "ok", one pino JSON line per request (`pino({}, destination)`), in its own process; autocannon (-c 50 -d 5) in another. requests/s = 2xx responses / duration; latency as autocannon gives it (whole ms). After each run the log must hold exactly one line per request served.',
};

function byWorkload(rows) {
  return Object.keys(WORKLOADS)
    .map((w) => [w, rows.filter((r) => r.workload === w).sort((a, b) => a.seconds - b.seconds)])
    .filter(([, list]) => list.length > 0);
}

/** Plain text for the terminal. */
export function renderTable(rows, checks) {
  const lines = [];
  for (const [w, list] of byWorkload(rows)) {
    const { head, cells } = COLUMNS[WORKLOADS[w].kind];
    const body = list.map((row) => cells(row, list[0].seconds));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    lines.push(`\n${w}: ${WORKLOADS[w].title}`, line(head), ...body.map(line));
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
    `Produced by \`npm run bench\`${info.quick ? " -- --quick (a smoke run: tiny work, times mean little)" : ""} on ${info.date}, at commit ${info.commit}.`,
    `Each figure is the median of ${info.runs > 1 ? `${info.runs - 1} runs (a first warm-up run discarded)` : "1 run"}, each run in a fresh process; one workload at a time, its rounds interleaved across contenders in rotating order. Folders: \`${info.dir}\` (tmpfs where there is one), and \`${info.disk}\` (a real disk) for the workloads marked so.`,
    "Every run checks what it did afterwards: file sizes and content, lines, or log lines per request; a run that fails its check fails the benchmark.",
    "Lag is how late a 1 ms interval timer fires while the workload runs (the caller's event loop; – where there is none).",
    info.before
      ? `"aiowasi before" is the library as it was at ${info.before}, built from that checkout.`
      : '"aiowasi before" did not run (no --before DIR).',
    "",
    `Machine: ${info.cpu}, ${info.memoryGiB} GiB, Linux ${info.kernel}. Node ${info.node}; ${info.deno}; ${info.bun}; ${info.python}; ${info.wasmtime}.`,
    "",
    "![results](results.svg)",
  ];
  for (const [w, list] of byWorkload(rows)) {
    const { head, cells } = COLUMNS[WORKLOADS[w].kind];
    out.push("", `## ${w}: ${WORKLOADS[w].title}`, "");
    if (NOTES[w]) out.push(NOTES[w], "");
    out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`);
    for (const row of list) out.push(`| ${cells(row, list[0].seconds).join(" | ")} |`);
  }
  out.push("", "## Targets (same-run ratios)", "", "| target | measured | |", "|---|---:|---|");
  for (const c of checks) out.push(`| ${c.target} | ${c.measured} | ${c.pass ? "met" : "**not met**"} |`);
  return `${out.join("\n")}\n`;
}
