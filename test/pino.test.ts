// pino, as its users reach for it, on every host: sb.destination() (the
// sonic-boom-compatible destination) and the "aiowasi/pino" transport target.
// Every line must be on disk at process.exit(), on SIGTERM, after
// logger.flush(), and across a rotation with reopen().
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { child, lastJson } from "./exit/run.js";
import { tempDir } from "./helpers.js";
import { HOSTS } from "./hosts/runtimes.js";

/** The JSON records of a log, checked to be numbered from `from`, in order, with `msg`. */
function records(path: string, from = 0, msg = "hello"): number {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  lines.forEach((line, n) => {
    const record = JSON.parse(line);
    expect(record.i, path).toBe(from + n);
    expect(record.msg).toBe(msg);
  });
  return lines.length;
}

describe.each(HOSTS)("pino on %s", (host) => {
  it.each([
    ["exit", undefined],
    ["signal", "SIGTERM"],
  ] as const)("pino(await sb.destination(...)), then %s at once: all 50,000 lines", async (how, signal) => {
    const dir = await tempDir();
    const run = await child(host, ["pinoDestination", dir, how], signal);
    if (signal) expect(run.signal, run.stderr).toBe(signal);
    else expect(run.status, run.stderr).toBe(0);
    expect(records(join(dir, "pino.log"))).toBe(50_000);
  });

  it('pino.transport({ target: "aiowasi/pino" }), then process.exit() at once: all 50,000 lines', async () => {
    const dir = await tempDir();
    const run = await child(host, ["pinoTransport", dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(records(join(dir, "logs/pino.log"))).toBe(50_000);
  });

  it('logger.flush() on a "synced" destination calls back with every line on disk; reopen() rotates without loss', async () => {
    const dir = await tempDir();
    const run = await child(host, ["pinoFlushRotate", dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({ flushed: 10_000 });
    expect(records(join(dir, "app.log.1"), 0, "before")).toBe(10_000);
    expect(records(join(dir, "app.log"), 10_000, "after")).toBe(10_000);
  });
});
