// What was accepted is written before the process ends, however it ends short
// of SIGKILL or a crash: process.exit(), an uncaught exception, the natural
// end, and SIGTERM/SIGINT/SIGHUP when nothing else listens for them. The
// handlers block this thread (Atomics.wait) until each worker has taken what
// its sandbox accepted, bounded so a hung disk cannot hang the exit, and then
// the process ends the way it would have without aiowasi.
//
// Why not the signal-exit package: it listens for some fifteen signals
// (SIGXFSZ, SIGUSR2, SIGALRM, ...), so a process that ignored one of them
// would be killed by it instead, and it patches process.emit and
// process.reallyExit for every module of the process. aiowasi needs three
// signals and the 'exit' event; this file is that and no more.
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import { isDeno } from "../hosts/runtime.js";

export interface Drainable {
  /** Blocks until consumed or the deadline (performance.now() ms); returns accepted bytes not written. */
  drainSync(deadline: number): number;
}

/** How long exit may wait for the disk, in total. Documented in the README. */
export const EXIT_FLUSH_TIMEOUT_MS = 5000;

/** The signals whose default action ends the process and that aiowasi drains for. */
const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

const live = new Set<Drainable>();
const reporters = new Set<() => string[]>();
let installed = false;
let listening = false; // the signal listeners are on (while a sandbox is live)
let flushed = false;
// A signal the process sent itself (an app's handler that cleans up and
// re-raises, or `process.kill(process.pid, "SIGTERM")` as a script's last
// act) waits for a turn of the event loop: with our listener on, Node and
// Deno would otherwise end the process with code 0 when the loop has nothing
// left, where without aiowasi the signal would have ended it. So when the loop
// empties and such a signal may be pending, it gets one more turn.
let signalMayBePending = true;

/** Drains every sandbox (bounded), then says on stderr what could not be written or failed. */
function flushAll(): void {
  const deadline = performance.now() + EXIT_FLUSH_TIMEOUT_MS;
  let lost = 0;
  for (const channel of live) lost += channel.drainSync(deadline);
  if (lost > 0) {
    writeSync(2, `aiowasi: exit flush timed out after ${EXIT_FLUSH_TIMEOUT_MS} ms; ${lost} accepted bytes were not written\n`);
  }
  for (const report of reporters) for (const line of report()) writeSync(2, `${line}\n`);
}

function flushAtExit(): void {
  if (flushed) return;
  flushed = true;
  flushAll();
}

/**
 * A default-handled signal: drain, then end the process by the same signal,
 * so the status a supervisor sees is unchanged. If the app listens for it
 * too, the app decides (its process.exit() drains through 'exit').
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) {
    signalMayBePending = true; // the app's handler may re-raise it
    return;
  }
  flushAtExit();
  stopListening();
  process.kill(process.pid, signal);
}

function onBeforeExit(): void {
  if (!signalMayBePending) return;
  signalMayBePending = false;
  setTimeout(() => undefined, 1); // one more turn (Deno needs a timer, not setImmediate): a pending signal is handled in it
}

function onRemoveListener(event: string | symbol): void {
  if ((SIGNALS as readonly (string | symbol)[]).includes(event)) signalMayBePending = true;
}

/** Signals reach the main thread only; listened for while a sandbox is live. */
function startListening(): void {
  if (listening || !isMainThread) return;
  listening = true;
  // Prepended, so the count of listeners in onSignal sees an app's `once`
  // listener before it removes itself.
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  process.on("beforeExit", onBeforeExit);
  process.on("removeListener", onRemoveListener);
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener("beforeExit", onBeforeExit);
  process.removeListener("removeListener", onRemoveListener);
}

export function trackForExit(channel: Drainable): void {
  if (!installed) {
    installed = true;
    process.on("exit", flushAtExit);
    // Deno does not run 'exit' handlers when an uncaught error ends the
    // process; its global error events come first, so drain there too (without
    // preventDefault: the process still ends, and reports, as it would).
    // Deno.exit() does not emit 'exit' either; it dispatches 'unload'.
    if (isDeno) {
      globalThis.addEventListener("error", flushAtExit);
      globalThis.addEventListener("unhandledrejection", flushAtExit);
      globalThis.addEventListener("unload", flushAtExit);
    }
  }
  live.add(channel);
  startListening();
}

export function untrackForExit(channel: Drainable): void {
  live.delete(channel);
  if (live.size === 0) stopListening(); // a closed sandbox leaves the signals as it found them
}

/** `report` gives the stderr lines for failures nobody was told of; called at exit. */
export function reportAtExit(report: () => string[]): () => void {
  reporters.add(report);
  return () => reporters.delete(report);
}
