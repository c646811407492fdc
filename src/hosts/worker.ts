// The worker entry: one WASM instance of the core, its preopens, and a loop
// that pumps the ring and sleeps (Atomics.wait) when it is empty. It never
// needs its own event loop: the main thread talks to it through shared memory.
import { closeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { errnoOfCode } from "../errors.js";
import { AnswerWriter } from "../transport/answers.js";
import {
  CTRL_FAILURES,
  CTRL_HOT,
  CTRL_RESULT,
  CTRL_SPACE_WANTED,
  CTRL_STATE,
  FAILLOG_ENTRY,
  FAILLOG_SIZE,
  INIT_ALLOW_SPECIAL,
  INIT_HOST_ANCHORED,
  INIT_NO_PIPES,
  INIT_REFUSE_HARD_LINKS,
  PUMP_COMPLETED,
  PUMP_IDLE,
  PUMP_PROGRESS,
  PUMP_STOPPED,
  RESULT_CALL,
  RESULT_ERRNO,
  RESULT_REQ,
  RESULT_VALUE,
  RESULT_VALUE2,
  STATE_RUNNING,
  STATE_SLEEPING,
} from "../transport/layout.js";
import type { WorkerConfig, WorkerMessage } from "../transport/protocol.js";
import { beneathImports, canAnchor, openRoot } from "./beneath.js";
import { createHostWasi, isDeno } from "./runtime.js";

interface CoreExports {
  memory: WebAssembly.Memory;
  init(base: number, size: number, ringBytes: number, chunkSize: number, replyBytes: number, options: number): number;
  hostPreopen(nameLen: number, anchor: number): number;
  ctrlPtr(): number;
  ringPtr(): number;
  replyPtr(): number;
  fileTablePtr(): number;
  failLogPtr(): number;
  scratchPtr(): number;
  pump(): number;
  hasWork(): number;
}

// While the main thread waits for durable writes, the worker spins this long
// for the next group before it sleeps: a futex wake-up costs more than the
// write it would wait for.
const SPIN_MS = 0.2;

const port = parentPort;
if (!port) throw new Error("aiowasi's worker must run in a worker thread");
const post = (message: WorkerMessage): void => port.postMessage(message);

function fatal(code: string, message: string, path?: string): void {
  post({ type: "fatal", code, errno: errnoOfCode(code) ?? 0, message, ...(path === undefined ? {} : { path }) });
}

/** Opens every preopen's root; on failure reports it (with the host folder) and returns undefined. */
function openRoots(config: WorkerConfig): number[] | undefined {
  const roots: number[] = [];
  for (const { host, dev, ino } of config.preopens) {
    try {
      roots.push(openRoot(host, dev, ino));
    } catch (error) {
      for (const fd of roots) closeSync(fd);
      fatal((error as { code?: string }).code ?? "EIO", `cannot open the preopen '${host}': ${(error as Error).message}`, host);
      return undefined;
    }
  }
  return roots;
}

async function start(config: WorkerConfig): Promise<{ core: CoreExports; anchored: boolean } | undefined> {
  const roots = openRoots(config);
  if (!roots) return undefined;
  const anchored = roots.length > 0 && canAnchor(roots[0]!);
  if (!anchored) for (const fd of roots) closeSync(fd); // the WASI preopens serve instead
  if (config.refuseHardLinks && !anchored && isDeno) {
    // Deno's node:wasi reports every file's link count as 1: the check would pass everything.
    fatal("ENOTSUP", "refuseHardLinks needs link counts, which Deno's node:wasi does not report: run Deno with --allow-all");
    return undefined;
  }
  const byPath = Object.fromEntries(config.preopens.map((p) => [p.guest, p.host]));
  let wasi: Awaited<ReturnType<typeof createHostWasi>>;
  try {
    wasi = await createHostWasi(byPath, anchored);
  } catch (error) {
    const code = (error as { code?: string }).code;
    fatal(
      code && (errnoOfCode(code) !== undefined || code.startsWith("ERR_")) ? code : "ENOENT",
      String((error as Error).message),
    );
    return undefined;
  }
  let scratch = 0;
  let imports: WebAssembly.Imports = {
    env: { memory: config.memory },
    wasi_snapshot_preview1: wasi.imports,
    aiowasi_host: beneathImports(config.memory, (fd, access) => wasi.adopt(fd, access, config.memory, scratch)),
  };
  if (config.faults) {
    // Test-only: the plan names its injector (test/faults/inject.mjs); nothing of it ships.
    const { injectFaults } = await import(config.faults.injector);
    imports = injectFaults(imports, () => config.memory, config.faults);
  }
  const instance = new WebAssembly.Instance(config.module, imports);
  wasi.start(instance);
  const core = instance.exports as unknown as CoreExports;
  let options = anchored ? INIT_HOST_ANCHORED : 0;
  if (config.allowSpecialFiles) options |= INIT_ALLOW_SPECIAL;
  if (config.refuseHardLinks) options |= INIT_REFUSE_HARD_LINKS;
  // Deno's node:wasi ignores O_NONBLOCK: a FIFO it opens can block the worker for good.
  if (isDeno) options |= INIT_NO_PIPES;
  const err = core.init(config.base, config.size, config.bufferSize, config.chunkSize, config.replyBytes, options);
  if (err !== 0) {
    fatal(err === 48 ? "ENOMEM" : "EINVAL", `core init failed with WASI errno ${err}`);
    return undefined;
  }
  scratch = core.scratchPtr();
  if (anchored) {
    const u8 = new Uint8Array(config.memory.buffer);
    for (const [i, { guest }] of config.preopens.entries()) {
      const name = new TextEncoder().encode(guest);
      u8.set(name, scratch);
      core.hostPreopen(name.length, roots[i]!);
    }
  }
  return { core, anchored };
}

function run(core: CoreExports, answers: AnswerWriter): void {
  const ctrl = core.ctrlPtr();
  const i32 = new Int32Array(core.memory.buffer);
  const state = (ctrl + CTRL_STATE) >> 2;
  const spaceWanted = (ctrl + CTRL_SPACE_WANTED) >> 2;
  const result = (ctrl + CTRL_RESULT) >> 2;
  const failures = (ctrl + CTRL_FAILURES) >> 2;
  const hot = (ctrl + CTRL_HOT) >> 2;
  const failLog = core.failLogPtr() >> 2;
  let failuresSeen = 0;
  for (;;) {
    const status = core.pump();
    if (Atomics.load(i32, spaceWanted) !== 0 && Atomics.exchange(i32, spaceWanted, 0) !== 0) {
      post({ type: "space" });
    }
    // A file failed: say so at once (before the answer of any later record),
    // so the error reaches whoever waits on that file, or onError.
    for (const count = Atomics.load(i32, failures); failuresSeen < count; failuresSeen++) {
      const entry = failLog + ((failuresSeen % FAILLOG_SIZE) * FAILLOG_ENTRY) / 4;
      const handle = i32[entry]! >>> 0;
      const errno = i32[entry + 1]!;
      const call = i32[entry + 2]!;
      answers.failure(handle, errno, call, failuresSeen); // ahead of later answers
      post({ type: "failed", index: failuresSeen, handle, errno, call }); // wakes the main thread if nothing waits
    }
    if (status === PUMP_PROGRESS) continue;
    if (status === PUMP_COMPLETED || status === PUMP_STOPPED) {
      answers.answer({
        req: i32[result + RESULT_REQ / 4]! >>> 0,
        errno: i32[result + RESULT_ERRNO / 4]!,
        value: i32[result + RESULT_VALUE / 4]! >>> 0,
        value2: i32[result + RESULT_VALUE2 / 4]! >>> 0,
        call: i32[result + RESULT_CALL / 4]!,
      });
      if (status === PUMP_STOPPED) return;
      continue;
    }
    if (status !== PUMP_IDLE) throw new Error(`core pump returned ${status}`);
    if (Atomics.load(i32, hot) > 0) {
      const until = performance.now() + SPIN_MS;
      while (!core.hasWork() && performance.now() < until) {}
      if (core.hasWork()) continue;
    }
    // Dekker with the producer: announce sleep, then look once more.
    Atomics.store(i32, state, STATE_SLEEPING);
    if (core.hasWork()) {
      Atomics.store(i32, state, STATE_RUNNING);
      continue;
    }
    Atomics.wait(i32, state, STATE_SLEEPING);
    Atomics.store(i32, state, STATE_RUNNING);
  }
}

// No top-level await: the package runs this file as an eval'd CommonJS script
// (see scripts/build.mjs). A rejection ends the worker like an uncaught error.
start(workerData as WorkerConfig).then((started) => {
  if (!started) return;
  const { core, anchored } = started;
  post({
    type: "ready",
    ctrl: core.ctrlPtr(),
    ring: core.ringPtr(),
    reply: core.replyPtr(),
    files: core.fileTablePtr(),
    failLog: core.failLogPtr(),
    anchored,
  });
  run(core, new AnswerWriter((workerData as WorkerConfig).answers));
});
