// The worker entry: one WASM instance of the core, its preopens, and a loop
// that pumps the ring and sleeps (Atomics.wait) when it is empty. It never
// needs its own event loop: the main thread talks to it through shared memory.
import { parentPort, workerData } from "node:worker_threads";
import { errnoOfCode } from "./errors.js";
import {
  CTRL_RESULT,
  CTRL_SPACE_WANTED,
  CTRL_STATE,
  PUMP_COMPLETED,
  PUMP_IDLE,
  PUMP_PROGRESS,
  PUMP_STOPPED,
  RESULT_ERRNO,
  RESULT_REQ,
  RESULT_VALUE,
  STATE_RUNNING,
  STATE_SLEEPING,
} from "./layout.js";
import type { WorkerConfig, WorkerMessage } from "./protocol.js";
import { createWasi } from "./runtime.js";

interface CoreExports {
  memory: WebAssembly.Memory;
  init(ringBytes: number, chunkSize: number): number;
  ctrlPtr(): number;
  ringPtr(): number;
  pump(): number;
  hasWork(): number;
}

const port = parentPort;
if (!port) throw new Error("aiowasi's worker must run in a worker thread");
const post = (message: WorkerMessage): void => port.postMessage(message);

function fatal(code: string, message: string): void {
  post({ type: "fatal", code, errno: errnoOfCode(code) ?? 0, message });
}

async function start(config: WorkerConfig): Promise<CoreExports | undefined> {
  let wasi: Awaited<ReturnType<typeof createWasi>>;
  try {
    wasi = await createWasi({ version: "preview1", preopens: config.preopens, args: [], env: {}, returnOnExit: true });
  } catch (error) {
    // A preopen that cannot be opened (missing, not a directory, no access).
    const code = (error as { code?: string }).code;
    fatal(code && errnoOfCode(code) !== undefined ? code : "ENOENT", String((error as Error).message));
    return undefined;
  }
  let imports = wasi.getImportObject() as WebAssembly.Imports;
  let instance: WebAssembly.Instance | undefined;
  if (config.faults) {
    const { injectFaults } = await import("./faults.js");
    imports = injectFaults(imports, () => instance!.exports.memory as WebAssembly.Memory, config.faults);
  }
  instance = new WebAssembly.Instance(config.module, imports);
  wasi.initialize(instance);
  const core = instance.exports as unknown as CoreExports;
  const err = core.init(config.bufferSize, config.chunkSize);
  if (err !== 0) {
    fatal(err === 48 ? "ENOMEM" : "EINVAL", `core init failed with WASI errno ${err}`);
    return undefined;
  }
  return core;
}

function run(core: CoreExports): void {
  const ctrl = core.ctrlPtr();
  const i32 = new Int32Array(core.memory.buffer);
  const state = (ctrl + CTRL_STATE) >> 2;
  const spaceWanted = (ctrl + CTRL_SPACE_WANTED) >> 2;
  const result = (ctrl + CTRL_RESULT) >> 2;
  for (;;) {
    const status = core.pump();
    if (Atomics.load(i32, spaceWanted) !== 0 && Atomics.exchange(i32, spaceWanted, 0) !== 0) {
      post({ type: "space" });
    }
    if (status === PUMP_PROGRESS) continue;
    if (status === PUMP_COMPLETED || status === PUMP_STOPPED) {
      post({
        type: "done",
        req: i32[result + RESULT_REQ / 4]! >>> 0,
        errno: i32[result + RESULT_ERRNO / 4]!,
        value: i32[result + RESULT_VALUE / 4]! >>> 0,
      });
      if (status === PUMP_STOPPED) return;
      continue;
    }
    if (status !== PUMP_IDLE) throw new Error(`core pump returned ${status}`);
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

const core = await start(workerData as WorkerConfig);
if (core) {
  post({
    type: "ready",
    buffer: core.memory.buffer as unknown as SharedArrayBuffer,
    ctrl: core.ctrlPtr(),
    ring: core.ringPtr(),
  });
  run(core);
}
