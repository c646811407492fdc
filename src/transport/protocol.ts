import type { FaultPlan } from "../internal.js";

// Messages between a sandbox's worker and the main thread. Messages are for
// rare events only; writes travel through the ring, their completions
// through the file table, answers to control records through the answer
// queue (see channel.ts and answers.ts).

/** A preopen as the worker gets it: the host folder already resolved (realpath) and identified. */
export interface PinnedPreopen {
  guest: string;
  host: string;
  dev: bigint;
  ino: bigint;
}

export interface WorkerConfig {
  module: WebAssembly.Module;
  /** The memory the core's region is in (shared by the thread's sandboxes, see arena.ts). */
  memory: WebAssembly.Memory;
  base: number;
  size: number;
  preopens: PinnedPreopen[];
  bufferSize: number;
  chunkSize: number;
  /** The reply area's bytes: where reads, stats and folder listings come back. */
  replyBytes: number;
  allowSpecialFiles: boolean;
  refuseHardLinks: boolean;
  /** The answer queue (answers.ts). */
  answers: SharedArrayBuffer;
  /** Test-only fault injection (see kFaults in internal.ts). */
  faults?: FaultPlan;
}

export type WorkerMessage =
  /** `anchored`: the walk is anchored on open directories by the host (see hosts/beneath.ts). */
  | { type: "ready"; ctrl: number; ring: number; reply: number; files: number; failLog: number; anchored: boolean }
  | { type: "fatal"; code: string; errno: number; message: string; path?: string }
  | { type: "space" }
  /** A file failed; `index` counts failures (the answer queue may have told it already). */
  | { type: "failed"; index: number; handle: number; errno: number; call: number };
