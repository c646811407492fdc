// Hooks for this package's own tests; not exported from the package entry.

/** Sandbox[kTerminateWorker]() kills the sandbox's worker at once. */
export const kTerminateWorker: unique symbol = Symbol("aiowasi.terminateWorker");

/**
 * Sandbox.create({ [kFaults]: plan }) wraps the WASI fd_write the core
 * imports, so the tests can give the real core the host failures they need
 * (EAGAIN, EINTR, short and zero-byte writes, a slow disk, a trap, memory
 * exhaustion) without mocking it. Each fd_write call takes the next step;
 * after the last step it is "ok" again, unless `repeat` is set.
 */
export const kFaults: unique symbol = Symbol("aiowasi.faults");

export type FaultStep = "ok" | "EAGAIN" | "EINTR" | "short" | "zero" | "slow" | "trap" | "oom";

export interface FaultPlan {
  fdWrite: FaultStep[];
  repeat?: boolean;
  /** How long a "slow" step blocks, in ms. */
  slowMs?: number;
}
