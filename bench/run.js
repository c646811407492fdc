// The cross-runtime benchmark: every contender on every workload it takes,
// each run in a fresh process, rounds interleaved so drift hits all alike.
//
//   npm run bench                     full run: table on stdout, bench/RESULTS.md, bench/results.svg
//   npm run bench -- --quick          a tiny run of every contender (npm test's smoke run)
//   options: --dir DIR (default: tmpfs), --runs N (default 4; the first is discarded),
//            --disk DIR (W6 and R3, whose fdatasync must reach a real disk; default
//              bench/tmp/disk, or the OS temp folder if that is tmpfs; never tmpfs),
//            --before DIR (a build of the library from before this work, its root or
//              its dist/: runs the "aiowasi before" contender; env AIOWASI_BEFORE too;
//              make one with `node bench/before.js`),
//            --out DIR (where RESULTS.md/results.svg/results.json go), --only W1,W3
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statfsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CONTENDERS } from "./contenders/list.js";
import { machine } from "./machine.js";
import { renderMarkdown, renderTable, targetChecks } from "./report.js";
import { renderSvg } from "./svg.js";
import { planOf, WORKLOADS } from "./workloads.js";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function parseArgs(argv) {
  const options = {
    quick: false,
    runs: undefined,
    dir: undefined,
    disk: undefined,
    before: undefined,
    out: undefined,
    only: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--runs") options.runs = Number(argv[++i]);
    else if (arg === "--dir") options.dir = argv[++i];
    else if (arg === "--out") options.out = argv[++i];
    else if (arg === "--disk") options.disk = argv[++i];
    else if (arg === "--before") options.before = argv[++i];
    else if (arg === "--only") options.only = argv[++i].split(",");
    else throw new Error(`unknown option ${arg} (see the top of bench/run.js)`);
  }
  if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs >= 1))
    throw new Error("--runs takes a whole number ≥ 1");
  options.runs ??= options.quick ? 1 : 4;
  options.dir ??= existsSync("/dev/shm") ? "/dev/shm/aiowasi-bench" : join(tmpdir(), "aiowasi-bench");
  if (!options.out && !options.quick) options.out = here(".");
  options.disk = realDisk(options.disk);
  options.before ??= process.env.AIOWASI_BEFORE || undefined;
  if (options.before) {
    options.before = resolve(options.before);
    const entry = [join(options.before, "dist", "index.js"), join(options.before, "index.js")].find((p) => existsSync(p));
    if (!entry) throw new Error(`--before ${options.before}: no dist/index.js there (build it: node bench/before.js)`);
  }
  return options;
}

const TMPFS_MAGIC = 0x01021994;
const onTmpfs = (dir) => statfsSync(dir).type === TMPFS_MAGIC;

/** The folder for the workloads that need a real disk: never tmpfs, where fdatasync costs nothing. */
function realDisk(chosen) {
  const candidates = chosen ? [resolve(chosen)] : [here("./tmp/disk"), join(tmpdir(), "aiowasi-bench-disk")];
  for (const dir of candidates) {
    mkdirSync(dir, { recursive: true });
    if (!onTmpfs(dir)) return dir;
  }
  throw new Error(`${candidates.join(" and ")} ${chosen ? "is" : "are"} tmpfs: pass --disk DIR, a folder on a real disk`);
}

const COMMANDS = {
  node: [process.execPath, [here("./measure.js")]],
  deno: [here("../node_modules/.bin/deno"), ["run", "--allow-all", here("./measure.js")]],
  bun: [here("../node_modules/.bin/bun"), [here("./measure.js")]],
  python: [here("../.venv/bin/python"), [here("./contenders/python_bench.py")]],
  http: [process.execPath, [here("./http.js")]],
};

/** Runs one contender on one workload in a process of its own; returns its JSON line. */
function runOnce(contender, workloadId, size, scale, dir, env) {
  const [command, prefix] = COMMANDS[contender.runtime];
  const args = [contender.name, workloadId, size, String(scale), dir];
  // Python has no access to workloads.js: it gets the run's plan from it.
  if (contender.runtime === "python") args.push(JSON.stringify(planOf(workloadId, size, scale)));
  const run = spawnSync(command, [...prefix, ...args], {
    encoding: "utf8",
    env,
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
    writes: first.writes / first.scale,
    mbPerSecond: first.bytes / first.scale / seconds / 1e6,
    usPerWrite: (seconds * 1e6) / (first.writes / first.scale),
    lagP99: lagsP99.length ? median(lagsP99) : null,
    lagMax: lagsMax.length ? Math.max(...lagsMax) : null,
    rssGrowthMiB: runs[0].rssGrowthMiB === null ? null : Math.max(...runs.map((r) => r.rssGrowthMiB)),
    extra: medianExtras(runs),
  };
}

/** The median of each number a workload reports besides its time (null where a run had none). */
function medianExtras(runs) {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.extra ?? {})));
  const extra = {};
  for (const key of keys) {
    const values = runs.map((r) => r.extra?.[key]).filter((v) => typeof v === "number");
    extra[key] = values.length ? median(values) : null;
  }
  return extra;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const size = options.quick ? "quick" : "full";
  const workloadIds = Object.keys(WORKLOADS).filter((id) => !options.only || options.only.includes(id));
  await mkdir(options.dir, { recursive: true });
  const env = { ...process.env };
  if (options.before) env.AIOWASI_BEFORE = options.before;
  else {
    delete env.AIOWASI_BEFORE;
    process.stderr.write("bench: no --before DIR (nor AIOWASI_BEFORE): the 'aiowasi before' contender does not run\n");
  }
  const jobs = [];
  for (const workloadId of workloadIds) {
    for (const contender of CONTENDERS) {
      const scale = contender.workloads[workloadId];
      if (scale === undefined) continue;
      if (contender.needs === "before" && !options.before) continue;
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
    const base = WORKLOADS[job.workloadId].disk ? options.disk : options.dir;
    const dir = join(base, `${job.contender.name}-${job.workloadId}`);
    await mkdir(dir, { recursive: true });
    const result = runOnce(job.contender, job.workloadId, size, job.scale, dir, env);
    await rm(dir, { recursive: true, force: true });
    // The first of several runs warms caches and the page cache: it is not kept.
    if (round > 0 || options.runs === 1) job.runs.push(result);
    done++;
    process.stderr.write(
      `[${String(done).padStart(String(total).length)}/${total}] round ${round + 1}/${options.runs} ${job.workloadId} ` +
        `${job.contender.name}: ${result.extra?.rps ? `${Math.round(result.extra.rps)} req/s` : `${(result.seconds / result.scale).toFixed(3)} s`}${round === 0 && options.runs > 1 ? " (warm-up)" : ""}\n`,
    );
  }
  const rows = jobs.map((job) => summarise(job.contender, job.workloadId, job.runs));
  const checks = targetChecks(rows);
  const info = {
    ...machine(options.before),
    date: new Date().toISOString(),
    dir: options.dir,
    disk: options.disk.startsWith(here("..")) ? relative(here(".."), options.disk) : options.disk,
    runs: options.runs,
    quick: options.quick,
  };
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
