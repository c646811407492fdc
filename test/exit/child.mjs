// Child processes for the exit tests (test/exit.test.ts), run on every host:
//   <runtime> child.mjs SCENARIO DIR [ARG]
// Each scenario accepts data through the library and then ends the process
// in the way it names. The parent counts what is on disk: everything accepted
// must be there, or the failure must have reached the caller (or stderr).
import { spawnSync } from "node:child_process";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import pino from "pino";
import { Sandbox } from "../../dist/index.js";
import { faults, kFaults } from "../faults/inject.mjs";
import { codeOf } from "../outcome.mjs";

/** The exit tests' line: 40 bytes, numbered. */
export const line = (i) => `line ${String(i).padStart(8, "0")} of the exit test\n`;
/** Every fd_write takes `ms` (a slow disk), so accepted data is still pending when the process ends. */
const slowDisk = (ms) => ({ [kFaults]: faults({ fdWrite: ["slow"], repeat: true, slowMs: ms }) });
const say = (text) => process.stdout.write(`${text}\n`);

/** Ends the process as `how` says: exit, throw, natural, or waits to be signalled ("ready" on stdout). */
function end(how) {
  if (how === "exit") process.exit(0);
  if (how === "deno-exit") globalThis.Deno.exit(0);
  if (how === "throw") throw new Error("uncaught on purpose");
  if (how === "signal") {
    say("ready");
    setInterval(() => {}, 1000); // alive until the signal
  }
  if (how.startsWith("own:")) {
    // The app's own handler: aiowasi stays out of its way; its process.exit() drains.
    process.on(how.slice(4), () => {
      process.stderr.write("handled\n");
      process.exit(3);
    });
    say("ready");
    setInterval(() => {}, 1000);
  }
  if (how.startsWith("reraise:")) {
    // The app cleans up and re-raises (a common pattern): the process must end by the signal.
    const signal = how.slice(8);
    const server = setInterval(() => {}, 1000);
    process.once(signal, () => {
      clearInterval(server);
      process.kill(process.pid, signal);
    });
    say("ready");
  }
  // The script's last act signals the process itself: it must end by the signal.
  if (how === "selfkill") process.kill(process.pid, "SIGTERM");
  // "natural": the idle sandbox must not keep the process alive.
}

/** A 1 ms interval timer; stop() gives the longest gap between its ticks, in ms. */
function timerProbe() {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return worst;
    },
  };
}

const SCENARIOS = {
  /** N awaited lines, then end as ARG says. Slow disk for signals, so much is pending. */
  async awaited(dir, how, count = 20_000) {
    const pending = how === "signal" || how.startsWith("own:") || how.startsWith("reraise:");
    const sb = await Sandbox.create({ preopens: { "/out": dir }, chunkSize: 4096, ...(pending ? slowDisk(3) : {}) });
    const file = await sb.open("/out/lines.txt", "w");
    for (let i = 0; i < count; i++) await file.write(line(i));
    end(how);
  },

  /** 100,000 lines on a hung disk (300 ms per fd_write): the exit bound is hit. */
  async bound(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, ...slowDisk(300) });
    const file = await sb.open("/out/lines.txt", "w");
    for (let i = 0; i < 100_000; i++) await file.write(line(i));
    process.exit(0);
  },

  /** Writes not awaited, most waiting for ring space, then exit (or a signal). */
  async queued(dir, how) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024, ...slowDisk(1) });
    const file = await sb.open("/out/lines.txt", "w");
    for (let i = 0; i < 50_000; i++) file.write(line(i));
    end(how);
  },

  /** Writes interleaved with more stat() requests than the answer queue's 256 slots, then exit at once. */
  async behindRequests(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, ...slowDisk(1) });
    const file = await sb.open("/out/lines.txt", "w");
    for (let i = 0; i < 2000; i++) {
      file.stat();
      file.write(line(i));
    }
    process.exit(0);
  },

  /** Rotation: writes behind a reopen() that has not finished, then exit. */
  async reopen(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024, ...slowDisk(1) });
    const file = await sb.open("/out/lines.txt", "a");
    for (let i = 0; i < 20_000; i++) file.write(line(i));
    renameSync(join(dir, "lines.txt"), join(dir, "lines.txt.1"));
    file.reopen();
    for (let i = 20_000; i < 40_000; i++) file.write(line(i));
    process.exit(0);
  },

  /** pino through file.createWriteStream(), then exit (or a signal) at once. */
  async pino(dir, how) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 256 * 1024, ...slowDisk(1) });
    const file = await sb.open("/out/pino.log", "w");
    const logger = pino({ base: undefined, timestamp: false }, file.createWriteStream());
    for (let i = 0; i < 50_000; i++) logger.info({ i }, "hello");
    end(how);
  },

  /** pino with sb.destination(), then exit or a signal at once. */
  async pinoDestination(dir, how) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 256 * 1024, ...slowDisk(1) });
    const logger = pino({ base: undefined, timestamp: false }, await sb.destination("/out/pino.log"));
    for (let i = 0; i < 50_000; i++) logger.info({ i }, "hello");
    end(how);
  },

  /** pino.transport({ target: "aiowasi/pino" }), then exit at once. */
  async pinoTransport(dir) {
    const target = new URL("../../dist/pino.js", import.meta.url).href;
    const transport = pino.transport({ target, options: { destination: join(dir, "logs/pino.log"), mkdir: true } });
    const logger = pino({ base: undefined, timestamp: false }, transport);
    for (let i = 0; i < 50_000; i++) logger.info({ i }, "hello");
    process.exit(0);
  },

  /** logger.flush() with a "synced" destination calls back once every line is on disk; then rotation with reopen(). */
  async pinoFlushRotate(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const dest = await sb.destination("/out/app.log", { durability: "synced" });
    // The one-argument form, as pino's docs show it: pino must take it for a stream, not options.
    const logger = pino(dest);
    for (let i = 0; i < 10_000; i++) logger.info({ i }, "before");
    await new Promise((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
    const { readFileSync } = await import("node:fs");
    const flushed = readFileSync(join(dir, "app.log"), "utf8").trimEnd().split("\n").length;
    renameSync(join(dir, "app.log"), join(dir, "app.log.1"));
    dest.reopen();
    for (let i = 10_000; i < 20_000; i++) logger.info({ i }, "after");
    await new Promise((resolve) => {
      dest.once("close", resolve);
      dest.end();
    });
    await sb.close();
    say(JSON.stringify({ flushed }));
  },

  /** pino through createWriteStream(), then close the file at once: no unhandled 'error', nothing lost. */
  async closeStream(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024, ...slowDisk(1) });
    const file = await sb.open("/out/pino.log", "w");
    const stream = file.createWriteStream();
    const logger = pino({ base: undefined, timestamp: false }, stream);
    for (let i = 0; i < 20_000; i++) logger.info({ i }, "hello");
    await file.close();
    await sb.close();
    say(JSON.stringify({ ended: stream.writableEnded }));
  },

  /**
   * A full disk (DIR is a tiny tmpfs; "@devfull": /dev/full instead), 4 MiB
   * accepted in one write, so it fails in the background and nobody is
   * waiting. Then ARG: close (sb.close() must reject), natural or exit
   * (stderr must name the code and the file), onError (the callback must
   * hear of it, once, and sb.close() then resolves), told (a "written" write
   * rejects with it; then stderr must say nothing).
   */
  async enospc(dir, how) {
    const devFull = how.endsWith("@devfull");
    const mode = how.replace("@devfull", "");
    const seen = [];
    const sb = await Sandbox.create({
      preopens: { "/out": devFull ? "/dev" : dir },
      allowSpecialFiles: devFull,
      bufferSize: 8 * 1024 * 1024,
      ...(mode === "onError" ? { onError: (error, file) => seen.push([error.code, error.syscall, file.path]) } : {}),
    });
    const file = await sb.open(devFull ? "/out/full" : "/out/big.bin", "w");
    await file.write(new Uint8Array(4 * 1024 * 1024).fill(0x78));
    if (mode === "close" || mode === "onError") {
      if (mode === "onError") await new Promise((resolve) => setTimeout(resolve, 500));
      const error = await sb.close().then(
        () => undefined,
        (e) => e,
      );
      say(JSON.stringify({ seen, close: error?.code ?? "ok", errors: error?.errors?.map((e) => [e.code, e.path]) ?? [] }));
      return;
    }
    if (mode === "told") {
      // The app hears of it from a "written" write: nobody is owed a word at the end.
      say(JSON.stringify({ write: await codeOf(file.write("x\n", { durability: "written" })) }));
      return;
    }
    end(mode);
  },

  /** A path longer than the core takes: ENAMETOOLONG at once; the sandbox keeps working. */
  async longPath(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024 });
    // Accepted before the bad paths (most of it waiting for ring space): none of it may be lost.
    const before = await sb.open("/out/before.txt", "w");
    for (let i = 0; i < 5000; i++) before.write(line(i));
    const started = performance.now();
    const codes = [
      await codeOf(sb.open(`/out/${"a".repeat(5000)}`, "w")),
      await codeOf(sb.open(`/out/${"é".repeat(3000)}`, "w")), // 6,000 bytes of UTF-8
      await codeOf(sb.open(`/out/${"b".repeat(64 * 1024 * 1024)}`, "w")), // 64 MiB: refused without a pass over it
      await codeOf(sb.writeFile(`/out/${"c".repeat(40_000)}`, "x")),
    ];
    const ms = performance.now() - started;
    await before.close();
    await sb.writeFile("/out/after.txt", "still works");
    await sb.close();
    say(JSON.stringify({ codes, fast: ms < 1000 }));
  },

  /** A FIFO (and a socket-like special file) inside the preopen: refused, or opened without blocking. */
  async fifo(dir) {
    if (spawnSync("mkfifo", [join(dir, "pipe")]).status !== 0) throw new Error("mkfifo failed");
    const started = performance.now();
    const plain = await Sandbox.create({ preopens: { "/out": dir } });
    const refused = [await codeOf(plain.open("/out/pipe", "w")), await codeOf(plain.open("/out/pipe", "a"))];
    const special = await Sandbox.create({ preopens: { "/out": dir }, allowSpecialFiles: true });
    const noReader = await codeOf(special.open("/out/pipe", "w")); // would block in open(2) if not non-blocking
    const ms = performance.now() - started;
    await plain.writeFile("/out/after.txt", "works");
    say(JSON.stringify({ refused, noReader, fast: ms < 2000 }));
    process.exit(0); // must return: nothing may be stuck in open(2)
  },

  /** One 256 MiB string while the ring is busy: 1 ms timers keep firing (gaps under 20 ms). */
  async bigString(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const file = await sb.open("/out/big.txt", "w");
    const busy = [];
    for (let i = 0; i < 200; i++) busy.push(file.write("x".repeat(64 * 1024))); // 12.5 MiB: the ring is full
    const text = "é".repeat(128 * 1024 * 1024); // 256 MiB of UTF-8
    // repeat() makes a rope; the engine flattens it (one ~70 ms copy) the
    // first time anything reads it, whoever does. Strings from JSON.stringify,
    // a file or a template are flat: make this one so before the probe starts.
    text.slice(0, 1);
    // What the machine alone does to a 1 ms timer (a loaded 2-core machine
    // keeps a process off the CPU for tens of ms now and then), for as long
    // as the write takes: the test bounds what the write adds to it.
    const baseline = timerProbe();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baselineGapMs = baseline.stop();
    const probe = timerProbe();
    const written = file.write(text);
    await Promise.all([...busy, written]);
    const worst = probe.stop();
    await file.close();
    await sb.close();
    say(JSON.stringify({ bytes: await written, worstGapMs: Math.round(worst), baselineGapMs: Math.round(baselineGapMs) }));
  },

  /** A tight loop of awaited writes for 200 ms: 1 ms timers still run (the writes yield about every 0.5 ms). */
  async tightLoop(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const file = await sb.open("/out/f", "w");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    let writes = 0;
    while (performance.now() - started < 200) {
      await file.write("a line that keeps the loop busy\n");
      writes++;
    }
    clearInterval(timer);
    await file.close();
    await sb.close();
    say(JSON.stringify({ writes, ticks }));
  },

  /** aiowasi inside a worker thread: 100,000 awaited lines, then the worker is terminated (or the process exits). */
  async inWorker(dir, how) {
    if (!isMainThread) {
      const sb = await Sandbox.create({ preopens: { "/out": workerData.dir } });
      const file = await sb.open("/out/lines.txt", "w");
      for (let i = 0; i < 100_000; i++) {
        await file.write(line(i));
        if (i % 1000 === 999) parentPort.postMessage(i + 1);
      }
      parentPort.postMessage("done");
      setInterval(() => {}, 1000);
      return;
    }
    const worker = new Worker(new URL(import.meta.url), { workerData: { dir } });
    let resolved = 0;
    await new Promise((resolve) => {
      worker.on("message", (m) => {
        if (m === "done") resolve();
        else resolved = m;
        if (how.startsWith("early") && resolved >= 30_000) resolve();
      });
    });
    if (how.endsWith("terminate")) {
      await worker.terminate();
      say(JSON.stringify({ resolved }));
    } else {
      say(JSON.stringify({ resolved }));
      process.exit(0);
    }
  },
};

if (!isMainThread) {
  await SCENARIOS.inWorker(workerData.dir, "");
} else {
  const [scenario, dir, arg = "", ...rest] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
  if (scenario) await SCENARIOS[scenario](dir, arg, ...rest.map(Number));
}
