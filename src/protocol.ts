import type { FaultPlan } from "./internal.js";

// Messages between a sandbox's worker and the main thread. Messages are for
// rare events only; writes travel through the ring.

export interface WorkerConfig {
  module: WebAssembly.Module;
  preopens: Record<string, string>;
  bufferSize: number;
  chunkSize: number;
  /** Test-only fault injection (see kFaults in internal.ts). */
  faults?: FaultPlan;
}

export type WorkerMessage =
  | { type: "ready"; buffer: SharedArrayBuffer; ctrl: number; ring: number }
  | { type: "fatal"; code: string; errno: number; message: string }
  | { type: "done"; req: number; errno: number; value: number }
  | { type: "space" };
