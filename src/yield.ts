// Keeps the caller's event loop free. A write that is accepted at once would
// resolve as a microtask, so `for (...) await f.write(x)` would never let
// timers or sockets run. About every millisecond of such work, one promise is
// resolved from a macrotask (setImmediate) instead.

const YIELD_EVERY_MS = 1;
const CHECK_EVERY = 32; // clock reads are cheap, not free: look every N writes
const BYTES_PER_STEP = 8192; // a large write counts as several small ones

let budget = CHECK_EVERY;
let lastYield = performance.now();

/** A promise for `value`, resolved from a macrotask when the loop is due a turn. */
export function settle<T>(value: T, bytes: number): Promise<T> {
  budget -= 1 + ((bytes / BYTES_PER_STEP) | 0);
  if (budget > 0) return Promise.resolve(value);
  budget = CHECK_EVERY;
  const now = performance.now();
  if (now - lastYield < YIELD_EVERY_MS) return Promise.resolve(value);
  return new Promise((resolve) => {
    setImmediate(() => {
      lastYield = performance.now();
      resolve(value);
    });
  });
}
