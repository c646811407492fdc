// Fault injection for the package's own tests: wraps the WASI fd_write and
// fd_datasync the core imports, so the real core meets the host failures the
// tests need (EAGAIN, EINTR, short and zero-byte writes, a slow disk, a trap,
// memory exhaustion, a failing fdatasync) without mocking it.
//
//   Sandbox.create({ ..., [kFaults]: faults({ fdWrite: ["EAGAIN", "ok"], repeat: true }) })
//
// Each call takes the next step of its list; after the last step it is "ok"
// again, unless `repeat` is set. The worker imports this file (the plan names
// it); the package ships none of it.

/** The key of Sandbox.create()'s test-only option (registered by the library too). */
export const kFaults = Symbol.for("aiowasi.test.faults");
/** Sandbox[kTerminateWorker]() kills the sandbox's worker at once. */
export const kTerminateWorker = Symbol.for("aiowasi.test.terminateWorker");

/** A plan for Sandbox.create({ [kFaults]: ... }): { fdWrite?, fdDatasync?, repeat?, slowMs? }. */
export function faults(plan) {
  const heap = plan.fdWrite?.includes("oom") ? { workerHeapMb: 64 } : {};
  return { injector: import.meta.url, ...heap, ...plan };
}

const EAGAIN = 6;
const EINTR = 27;
const EIO = 29;

/** A stepper over one list of the plan. */
function steps(list = [], repeat = false) {
  let step = 0;
  return () => {
    if (step === list.length && repeat) step = 0;
    return step < list.length ? list[step++] : "ok";
  };
}

export function injectFaults(imports, memory, plan) {
  const wasi = imports.wasi_snapshot_preview1;
  const realWrite = wasi.fd_write;
  const realDatasync = wasi.fd_datasync;
  const nextWrite = steps(plan.fdWrite, plan.repeat);
  const nextDatasync = steps(plan.fdDatasync, plan.repeat);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const hog = [];
  const fdWrite = (fd, iovs, iovsLen, nwritten) => {
    const view = new DataView(memory().buffer);
    switch (nextWrite()) {
      case "EAGAIN":
        return EAGAIN;
      case "EINTR":
        return EINTR;
      case "EIO":
        return EIO;
      case "zero":
        view.setUint32(nwritten, 0, true);
        return 0;
      case "short": {
        // A real write of half the first iovec: the host wrote less than asked.
        const len = view.getUint32(iovs + 4, true);
        if (len < 2) break;
        view.setUint32(iovs + 4, len >>> 1, true);
        const err = realWrite(fd, iovs, 1, nwritten);
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
    return realWrite(fd, iovs, iovsLen, nwritten);
  };
  const fdDatasync = (fd) => {
    const step = nextDatasync();
    if (step === "EIO") return EIO;
    if (step === "slow") Atomics.wait(pause, 0, 0, plan.slowMs ?? 100);
    return realDatasync(fd);
  };
  return { ...imports, wasi_snapshot_preview1: { ...wasi, fd_write: fdWrite, fd_datasync: fdDatasync } };
}
