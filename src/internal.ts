// Hooks for this package's own tests; not exported from the package entry.

/** Sandbox[kTerminateWorker]() kills the sandbox's worker at once. */
export const kTerminateWorker: unique symbol = Symbol("aiowasi.terminateWorker");
