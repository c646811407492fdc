// Hooks for this package's own tests, never exported from the package
// entry. The symbols are registered (Symbol.for), so the tests reach them
// without importing anything but the package; the fault injector itself is
// test code (test/faults/inject.mjs), loaded by the worker only when a plan
// names it: no test code ships in the package.

/** Sandbox[kTerminateWorker]() kills the sandbox's worker at once. */
export const kTerminateWorker: unique symbol = Symbol.for("aiowasi.test.terminateWorker") as typeof kTerminateWorker;

/**
 * Sandbox.create({ [kFaults]: plan }): the worker imports `plan.injector`
 * and lets it wrap the WASI imports the core uses, so the tests can give the
 * real core the host failures they need without mocking it.
 */
export const kFaults: unique symbol = Symbol.for("aiowasi.test.faults") as typeof kFaults;

/** A fault plan: opaque to the library but for these fields. */
export interface FaultPlan {
  /** The URL of a module exporting injectFaults(imports, memory, plan). */
  injector: string;
  /** A small heap for the worker (MiB), so a plan that exhausts memory dies quickly. */
  workerHeapMb?: number;
  [step: string]: unknown;
}
