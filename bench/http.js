// Runs the HTTP workload for one contender (a logging setup) and prints one
// JSON line shaped like bench/measure.js's. Three processes: this one only
// starts and waits; the server (bench/http-server.js) and autocannon each
// have their own, so the load generator never shares the server's event loop.
//
//   node bench/http.js CONTENDER HTTP full|quick SCALE DIR
//
// seconds is the time per request (1 / requests per second), so the report's
// medians and ratios work as for the other workloads; extra has requests/s,
// latency p50/p99 (ms, as autocannon gives them) and the request count. The
// check: the log holds exactly one JSON line per request the server served.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { planOf } from "./workloads.js";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const [name, workloadId, size, scaleText, dir] = process.argv.slice(2);
const { params } = planOf(workloadId, size, Number(scaleText));

for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });

/** Runs a process to its end; resolves with its stdout, rejects on a non-zero exit. */
async function output(child, what) {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code, signal] = await once(child, "exit");
  if (code !== 0) throw new Error(`${what} exited ${code ?? signal}:\n${stderr}`);
  return stdout;
}

const server = spawn(process.execPath, [here("./http-server.js"), name, dir], { stdio: ["ignore", "pipe", "pipe"] });
const serverDone = output(server, `${name} server`);
const port = await new Promise((resolve, reject) => {
  let text = "";
  server.stdout.on("data", (chunk) => {
    text += chunk;
    if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0]).port);
  });
  serverDone.catch(reject);
});
const url = `http://127.0.0.1:${port}`;

const load = spawn(
  here("../node_modules/.bin/autocannon"),
  ["-c", String(params.connections), "-d", String(params.seconds), "-j", `${url}/`],
  { stdio: ["ignore", "pipe", "pipe"] },
);
const result = JSON.parse(await output(load, "autocannon"));
const ended = await fetch(`${url}/__end`);
const answer = await ended.text();
if (!ended.ok) throw new Error(`${name}: the server could not end its logger:\n${answer}`);
const { served } = JSON.parse(answer);
await serverDone;

const requests = result["2xx"];
if (result.errors || result.timeouts || result.non2xx || requests === 0)
  throw new Error(`${name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${requests} ok`);
if (served < requests) throw new Error(`${name}: the server served ${served}, autocannon counted ${requests}`);

// Every request served has its line, whole, once.
const files = [];
if (name !== "http-none") {
  const text = await readFile(join(dir, "app.log"), "utf8");
  const lines = text.split("\n");
  if (lines.pop() !== "") throw new Error(`${name}: the log does not end with a newline`);
  const seen = new Uint8Array(served + 1);
  for (const line of lines) {
    const record = JSON.parse(line);
    if (record.msg !== "request" || !(record.n >= 1 && record.n <= served) || seen[record.n]++)
      throw new Error(`${name}: a stray or repeated line: ${line.slice(0, 80)}`);
  }
  if (lines.length !== served) throw new Error(`${name}: ${lines.length} log lines for ${served} requests`);
  files.push({ file: "app.log", bytes: Buffer.byteLength(text), lines: lines.length });
}

const rps = requests / result.duration;
console.log(
  JSON.stringify({
    contender: name,
    workload: workloadId,
    scale: 1,
    seconds: 1 / rps,
    writes: 1,
    bytes: 0,
    lagP99: null,
    lagMax: null,
    rssGrowthMiB: null,
    extra: { rps, latencyP50: result.latency.p50, latencyP99: result.latency.p99, requests },
    files,
  }),
);
