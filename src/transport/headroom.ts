// Address space under `ulimit -v`. Each sandbox is a worker thread, and the
// engine reserves address space for every thread's isolate that aiowasi does
// not control (measured: ~80 MiB on Node 20-24 with a small code range, ~320
// MiB on Node 26, ~1.1 GiB on Deno). When a reservation fails the engine ends
// the whole process ("Fatal process out of memory"). So before a worker
// starts, the headroom below the limit is checked against what the last
// sandboxes took: not enough is ENOMEM, a rejection the caller can handle.
import { readFileSync } from "node:fs";
import { codedError } from "../errors.js";

/** The largest growth of the address space one sandbox's start has caused (bytes). */
let perSandbox = 0;

/** The soft RLIMIT_AS in bytes (Infinity when unlimited or unknown: not Linux, no /proc). */
function addressLimit(): number {
  try {
    const line = /^Max address space\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return !line || line[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(line[1]);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

let limited: boolean | undefined;
/** Whether the process runs under an address-space limit (read once). */
export function addressLimited(): boolean {
  limited ??= addressLimit() !== Number.POSITIVE_INFINITY;
  return limited;
}

/** The process's address space now, bytes (0 when unknown). */
export function addressSpace(): number {
  try {
    const kib = /^VmSize:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"));
    return kib ? Number(kib[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Throws ENOMEM when another sandbox would likely not fit under the limit. Returns the address space now. */
export function checkHeadroom(): number {
  const limit = addressLimit();
  const used = addressSpace();
  if (limit !== Number.POSITIVE_INFINITY && used > 0 && perSandbox > 0 && limit - used < 2 * perSandbox) {
    const mib = (n: number) => `${Math.round(n / 1048576)} MiB`;
    throw codedError(
      "ENOMEM",
      `not enough address space for another sandbox: ${mib(limit - used)} left under the limit (ulimit -v), ` +
        `the last sandbox took ${mib(perSandbox)}; close sandboxes or raise the limit`,
    );
  }
  return used;
}

/** Records what a sandbox's start took (address space after minus before). */
export function recordStart(before: number): void {
  if (before > 0) perSandbox = Math.max(perSandbox, addressSpace() - before);
}
