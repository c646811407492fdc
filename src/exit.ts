// Flushes what was accepted when the process exits (process.exit(), an
// uncaught exception, the natural end). The 'exit' handler runs while the
// workers still live; the main thread blocks (Atomics.wait) until each
// worker has consumed its ring, bounded so a hung disk cannot hang exit.
import { writeSync } from "node:fs";
import { isDeno } from "./runtime.js";

export interface Drainable {
  /** Blocks until consumed or the deadline (performance.now() ms); returns bytes left. */
  drainSync(deadline: number): number;
}

/** How long exit may wait for the disk, in total. Documented in the README. */
export const EXIT_FLUSH_TIMEOUT_MS = 5000;

const live = new Set<Drainable>();
let installed = false;

function flushAtExit(): void {
  const deadline = performance.now() + EXIT_FLUSH_TIMEOUT_MS;
  let lost = 0;
  for (const channel of live) lost += channel.drainSync(deadline);
  if (lost > 0) {
    writeSync(2, `aiowasi: exit flush timed out after ${EXIT_FLUSH_TIMEOUT_MS} ms; ${lost} accepted bytes were not written\n`);
  }
}

export function trackForExit(channel: Drainable): void {
  if (!installed) {
    installed = true;
    process.on("exit", flushAtExit);
    // Deno does not run 'exit' handlers when an uncaught error ends the
    // process; its global error events come first, so drain there too (without
    // preventDefault: the process still ends, and reports, as it would).
    if (isDeno) {
      globalThis.addEventListener("error", flushAtExit);
      globalThis.addEventListener("unhandledrejection", flushAtExit);
    }
  }
  live.add(channel);
}

export function untrackForExit(channel: Drainable): void {
  live.delete(channel);
}
