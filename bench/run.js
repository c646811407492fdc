// The cross-runtime benchmark: every contender on every workload it takes,
// each run in a fresh process, rounds interleaved so drift hits all alike.
//
//   npm run bench                     full run: table on stdout, bench/RESULTS.md, bench/results.svg
//   npm run bench -- --quick          a tiny run of every contender (npm test's smoke run)
//   options: --dir DIR (default: tmpfs), --runs N (default 4; the first is discarded),
//            --out DIR (where RESULTS.md/results.svg/results.json go), --only W1,W3
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONTENDERS } from "./contenders/list.js";
import { machine } from "./machine.js";
import { renderMarkdown, renderTable, targetChecks } from "./report.js";
import { renderSvg } from "./svg.js";
import { planOf, WORKLOADS } from "./workloads.js";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function parseArgs(argv) {
  const options = { quick: false, runs: undefined, dir: undefined, out: undefined, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--runs") options.runs = Number(argv[++i]);
    else if (arg === "--dir") options.dir = argv[++i];
    else if (arg === "--out") options.out = argv[++i];
    else if (arg === "--only") options.only = argv[++i].split(",");
    else throw new Error(`unknown option ${arg} (see the top of bench/run.js)`);
  }
  if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs >= 1))
    throw new Error("--runs takes a whole number ≥ 1");
  options.runs ??= options.quick ? 1 : 4;
  options.dir ??= existsSync("/dev/shm") ? "/dev/shm/aiowasi-bench" : join(tmpdir(), "aiowasi-bench");
  if (!options.out && !options.quick) options.out = here(".");
  return options;
}

const COMMANDS = {
  node: [process.execPath, [here("./measure.js")]],
  deno: [here("../node_modules/.bin/deno"), ["run", "--allow-all", here("./measure.js")]],
  python: [here("../.venv/bin/python"), [here("./contenders/python_bench.py")]],
};

/** Runs one contender on one workload in a process of its own; returns its JSON line. */
function runOnce(contender, workloadId, size, scale, dir) {
  const [command, prefix] = COMMANDS[contender.runtime];
  const args = [contender.name, workloadId, size, String(scale), dir];
  // Python has no access to workloads.js: it gets the run's plan from it.
  if (contender.runtime === "python") args.push(JSON.stringify(planOf(workloadId, size, scale)));
  const run = spawnSync(command, [...prefix, ...args], {
    encoding: "utf8",
    timeout: 15 * 60_000,
    maxBuffer: 16 << 20,
  });
  if (run.error || run.status !== 0) {
    throw new Error(`${contender.name} ${workloadId} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  }
  return JSON.parse(run.stdout.trim().split("\n").at(-1));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One row of the results: medians of the kept runs, scaled to the full work. */
function summarise(contender, workloadId, runs) {
  const first = runs[0];
  const seconds = median(runs.map((r) => r.seconds)) / first.scale;
  const lagsP99 = runs.map((r) => r.lagP99).filter((v) => v !== null);
  const lagsMax = runs.map((r) => r.lagMax).filter((v) => v !== null);
  return {
    contender: contender.name,
    label: contender.label,
    runtime: contender.runtime,
    workload: workloadId,
    scale: first.scale,
    runs: runs.length,
    seconds,
    mbPerSecond: first.bytes / first.scale / seconds / 1e6,
    usPerWrite: (seconds * 1e6) / (first.writes / first.scale),
    lagP99: lagsP99.length ? median(lagsP99) : null,
    lagMax: lagsMax.length ? Math.max(...lagsMax) : null,
    rssGrowthMiB: Math.max(...runs.map((r) => r.rssGrowthMiB)),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const size = options.quick ? "quick" : "full";
  const workloadIds = Object.keys(WORKLOADS).filter((id) => !options.only || options.only.includes(id));
  await mkdir(options.dir, { recursive: true });
  const jobs = [];
  for (const workloadId of workloadIds) {
    for (const contender of CONTENDERS) {
      const scale = contender.workloads[workloadId];
      if (scale === undefined) continue;
      jobs.push({ contender, workloadId, scale: options.quick ? 1 : scale, runs: [] });
    }
  }
  const total = jobs.length * options.runs;
  let done = 0;
  const started = Date.now();
  // One workload at a time (what one workload leaves behind in the page cache
  // and tmpfs slowed the next one's first runs by 2-3× here), its rounds
  // interleaved across contenders, the order rotated each round so that no
  // contender is always the one that runs first.
  const batches = workloadIds.map((id) => jobs.filter((job) => job.workloadId === id));
  const schedule = batches.flatMap((batch) =>
    Array.from({ length: options.runs }, (_, round) => batch.map((_, i) => [round, batch[(i + round) % batch.length]])).flat(),
  );
  for (const [round, job] of schedule) {
    const dir = join(options.dir, `${job.contender.name}-${job.workloadId}`);
    await mkdir(dir, { recursive: true });
    const result = runOnce(job.contender, job.workloadId, size, job.scale, dir);
    await rm(dir, { recursive: true, force: true });
    // The first of several runs warms caches and the page cache: it is not kept.
    if (round > 0 || options.runs === 1) job.runs.push(result);
    done++;
    process.stderr.write(
      `[${String(done).padStart(String(total).length)}/${total}] round ${round + 1}/${options.runs} ${job.workloadId} ` +
        `${job.contender.name}: ${(result.seconds / result.scale).toFixed(3)} s${round === 0 && options.runs > 1 ? " (warm-up)" : ""}\n`,
    );
  }
  const rows = jobs.map((job) => summarise(job.contender, job.workloadId, job.runs));
  const checks = targetChecks(rows);
  const info = { ...machine(), date: new Date().toISOString(), dir: options.dir, runs: options.runs, quick: options.quick };
  console.log(renderTable(rows, checks));
  console.error(
    `bench: ${jobs.length} contender × workload pairs, ${total} runs, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (options.out) {
    await mkdir(options.out, { recursive: true });
    await writeFile(join(options.out, "RESULTS.md"), renderMarkdown(rows, checks, info));
    await writeFile(join(options.out, "results.svg"), renderSvg(rows, info));
    await writeFile(join(options.out, "results.json"), `${JSON.stringify({ info, rows, checks }, null, 2)}\n`);
    console.error(`bench: wrote RESULTS.md, results.svg and results.json to ${options.out}`);
  }
}

await main();
