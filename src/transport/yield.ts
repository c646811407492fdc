// Keeps the caller's event loop free. A write that is accepted at once would
// resolve as a microtask, so `for (...) await f.write(x)` would never let
// timers or sockets run. About every half millisecond of such work, the
// writes are parked until the next turn of the loop (nextTurn): all of them,
// not just one, since several loops (Promise.all over files) may be writing.
import { nextTurn } from "../hosts/runtime.js";

const YIELD_EVERY_MS = 0.5;
const CHECK_EVERY = 32; // clock reads are cheap, not free: look every N writes
const BYTES_PER_STEP = 8192; // a large write counts as several small ones

let budget = CHECK_EVERY;
let lastYield = performance.now();
let parked: (() => void)[] | undefined;

function release(): void {
  const waiting = parked!;
  parked = undefined;
  lastYield = performance.now();
  for (const resume of waiting) resume();
}

// write() resolves with a byte count, and a loop of writes repeats the same
// count: one settled promise per count serves them all (awaiting a settled
// promise twice is fine), which saves an allocation per write.
let lastValue: unknown;
let lastPromise: Promise<unknown> | undefined;
function resolved<T>(value: T): Promise<T> {
  if (lastPromise === undefined || lastValue !== value) {
    lastValue = value;
    lastPromise = Promise.resolve(value);
  }
  return lastPromise as Promise<T>;
}

/** A promise for `value`; parked until the next macrotask when the loop is due a turn. */
export function settle<T>(value: T, bytes: number): Promise<T> {
  if (parked === undefined) {
    budget -= 1 + ((bytes / BYTES_PER_STEP) | 0);
    if (budget > 0) return resolved(value);
    budget = CHECK_EVERY;
    if (performance.now() - lastYield < YIELD_EVERY_MS) return resolved(value);
    parked = [];
    nextTurn(release);
  }
  const waiting = parked;
  return new Promise((resolve) => waiting.push(() => resolve(value)));
}
