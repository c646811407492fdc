// Fault injection for the package's own tests (see kFaults in internal.ts):
// wraps the fd_write the core imports. Loaded by the worker only when a plan
// is given; a normal sandbox never runs this code.
import type { FaultPlan } from "./internal.js";

type FdWrite = (fd: number, iovs: number, iovsLen: number, nwritten: number) => number;

const EAGAIN = 6;
const EINTR = 27;

export function injectFaults(
  imports: WebAssembly.Imports,
  memory: () => WebAssembly.Memory,
  plan: FaultPlan,
): WebAssembly.Imports {
  const wasi = imports.wasi_snapshot_preview1 as Record<string, unknown>;
  const real = wasi.fd_write as FdWrite;
  let step = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const hog: unknown[] = [];
  const fdWrite: FdWrite = (fd, iovs, iovsLen, nwritten) => {
    const steps = plan.fdWrite;
    if (step === steps.length && plan.repeat) step = 0;
    const action = step < steps.length ? steps[step] : "ok";
    step++;
    const view = new DataView(memory().buffer);
    switch (action) {
      case "EAGAIN":
        return EAGAIN;
      case "EINTR":
        return EINTR;
      case "zero":
        view.setUint32(nwritten, 0, true);
        return 0;
      case "short": {
        // A real write of half the first iovec: the host wrote less than asked.
        const len = view.getUint32(iovs + 4, true);
        if (len < 2) break;
        view.setUint32(iovs + 4, len >>> 1, true);
        const err = real(fd, iovs, 1, nwritten);
        view.setUint32(iovs + 4, len, true);
        return err;
      }
      case "slow":
        Atomics.wait(pause, 0, 0, plan.slowMs ?? 100);
        break;
      case "trap":
        throw new WebAssembly.RuntimeError("aiowasi test: injected trap in fd_write");
      case "oom":
        for (;;) hog.push(new Array(1 << 20).fill(hog.length));
    }
    return real(fd, iovs, iovsLen, nwritten);
  };
  return { ...imports, wasi_snapshot_preview1: { ...wasi, fd_write: fdWrite } };
}
