// One sandbox's link to its worker: the ring producer, the requests waiting for
// a completion, the operations waiting for ring space (in order), and the one
// failure path that rejects everything pending (like thread-stream's destroy()).
import { Worker } from "node:worker_threads";
import { badFile, errnoOfCode, WasiError, workerExited } from "./errors.js";
import { type Drainable, trackForExit, untrackForExit } from "./exit.js";
import { CTRL_STATS, STAT_BYTES, STAT_MAX_WRITE, STAT_RETRIES, STAT_WRITE_CALLS } from "./layout.js";
import type { WorkerConfig, WorkerMessage } from "./protocol.js";
import { RingProducer } from "./ring.js";
import { settle } from "./yield.js";

interface Waiter {
  resolve(value: number): void;
  reject(error: Error): void;
  syscall: string;
  path: string | undefined;
}

interface WriteOp {
  kind: 0;
  fd: number;
  data: string | Uint8Array;
  from: number; // UTF-16 units or bytes already accepted
  accepted: number; // bytes accepted so far
  resolve(value: number): void;
  reject(error: Error): void;
}

interface ControlOp {
  kind: number;
  fd: number;
  req: number;
  payload: Uint8Array | undefined;
}

type Op = WriteOp | ControlOp;

/** Counters the core keeps about its fd_write calls. */
export interface CoreStats {
  /** fd_write calls made by the core. */
  fdWriteCalls: number;
  /** The most bytes handed to one fd_write (never more than chunkSize). */
  largestFdWrite: number;
  /** Bytes the host reported written. */
  bytesWritten: number;
  /** fd_write calls retried after EINTR, EAGAIN or a zero-byte write. */
  retries: number;
}

export class Channel implements Drainable {
  readonly #worker: Worker;
  #producer: RingProducer | undefined;
  #stats: BigUint64Array | undefined;
  readonly #requests = new Map<number, Waiter>();
  #queue: (Op | undefined)[] = [];
  #queueHead = 0;
  #nextReq = 1;
  #failure: Error | undefined;
  #reffed = true;
  #stopping = false;
  readonly #ready: Promise<void>;
  readonly #exited: Promise<void>;

  private constructor(config: WorkerConfig) {
    // A test plan that exhausts memory gets a small heap, so it dies quickly.
    const resourceLimits = config.faults?.fdWrite.includes("oom") ? { maxOldGenerationSizeMb: 64 } : undefined;
    this.#worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: config, resourceLimits });
    let ready!: () => void;
    let notReady!: (error: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    this.#worker.on("message", (message: WorkerMessage) => {
      switch (message.type) {
        case "ready":
          this.#producer = new RingProducer(message.buffer, message.ctrl, message.ring, config.bufferSize);
          this.#stats = new BigUint64Array(message.buffer, message.ctrl + CTRL_STATS, 4);
          trackForExit(this);
          this.#updateRef();
          ready();
          break;
        case "fatal":
          notReady(new WasiError(message.errno || (errnoOfCode(message.code) ?? 28), "preopen", message.message));
          break;
        case "done":
          this.#complete(message.req, message.errno, message.value);
          break;
        case "space":
          this.#drainQueue();
          break;
      }
    });
    this.#worker.on("error", (error: Error) => {
      const failure = workerExited(error.message);
      notReady(failure);
      this.#fail(failure);
    });
    this.#worker.on("exit", (code: number) => {
      const failure = this.#stopping ? badFile("sandbox_closed") : workerExited(`exit code ${code}`);
      notReady(failure);
      this.#fail(failure);
    });
  }

  static async start(config: WorkerConfig): Promise<Channel> {
    const channel = new Channel(config);
    try {
      await channel.#ready;
    } catch (error) {
      await channel.#worker.terminate();
      throw error;
    }
    return channel;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Accepts `data` for `fd` into the ring; resolves with the bytes accepted. */
  write(fd: number, data: string | Uint8Array): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    const producer = this.#producer!;
    if (this.#queueHead === this.#queue.length) {
      let from: number;
      let accepted: number;
      if (typeof data === "string") {
        from = producer.writeString(fd, data, 0);
        accepted = producer.lastWritten;
      } else {
        from = accepted = producer.writeBytes(fd, data, 0);
      }
      if (from === data.length) {
        producer.publish(false);
        return settle(accepted, accepted);
      }
      // Part of it waits for space. The caller's buffer is held, not copied
      // (one copy in total, into the ring): as with fs.write, it must not be
      // changed until this write() resolves.
      return this.#enqueueWrite(fd, data, from, accepted);
    }
    return this.#enqueueWrite(fd, data, 0, 0);
  }

  #enqueueWrite(fd: number, data: string | Uint8Array, from: number, accepted: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 0, fd, data, from, accepted, resolve, reject });
      this.#drainQueue();
    });
  }

  /** Sends a control record; resolves with the core's value (an fd for open). */
  request(kind: number, fd: number, syscall: string, path?: string, payload?: Uint8Array): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    const req = this.#nextReq;
    this.#nextReq = this.#nextReq === 0x7fffffff ? 1 : this.#nextReq + 1;
    const done = new Promise<number>((resolve, reject) => {
      this.#requests.set(req, { resolve, reject, syscall, path });
    });
    this.#queue.push({ kind, fd, req, payload });
    this.#drainQueue();
    return done;
  }

  /** Ends the worker after everything sent before; later calls reject with EBADF. */
  async stop(): Promise<void> {
    if (!this.#failure && !this.#stopping) {
      this.#stopping = true; // keeps the worker referenced until it has exited
      await this.request(8 /* KIND_STOP */, 0, "sandbox_close").catch(() => undefined);
    }
    await this.#exited;
  }

  /** Kills the worker at once (tests of the failure path use it). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
    await this.#exited;
  }

  stats(): CoreStats {
    const s = this.#stats!;
    return {
      fdWriteCalls: Number(s[STAT_WRITE_CALLS / 8]),
      largestFdWrite: Number(s[STAT_MAX_WRITE / 8]),
      bytesWritten: Number(s[STAT_BYTES / 8]),
      retries: Number(s[STAT_RETRIES / 8]),
    };
  }

  drainSync(deadline: number): number {
    if (this.#failure || !this.#producer) return 0;
    return this.#producer.drainSync(deadline);
  }

  /** Moves queued operations into the ring, in order, until one does not fit. */
  #drainQueue(): void {
    const producer = this.#producer;
    if (!producer || this.#failure) return;
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const op = queue[this.#queueHead]!;
      const headSeen = producer.head;
      if (this.#advance(producer, op)) {
        queue[this.#queueHead++] = undefined;
        if (op.kind === 0) (op as WriteOp).resolve((op as WriteOp).accepted);
        continue;
      }
      producer.publish(true);
      if (producer.wantSpace(headSeen)) continue; // space was freed meanwhile
      break; // the worker posts "space" when it frees some
    }
    producer.publish(true);
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
    this.#updateRef();
  }

  /** Puts as much of `op` into the ring as fits; true when all of it is in. */
  #advance(producer: RingProducer, op: Op): boolean {
    if (op.kind !== 0) {
      const control = op as ControlOp;
      return producer.writeControl(control.kind, control.fd, control.req, control.payload);
    }
    const write = op as WriteOp;
    const { data } = write;
    while (write.from < data.length) {
      if (typeof data === "string") {
        const read = producer.writeString(write.fd, data, write.from);
        if (read === 0) return false;
        write.from += read;
        write.accepted += producer.lastWritten;
      } else {
        const n = producer.writeBytes(write.fd, data, write.from);
        if (n === 0) return false;
        write.from += n;
        write.accepted += n;
      }
    }
    return true;
  }

  #complete(req: number, errno: number, value: number): void {
    const waiter = this.#requests.get(req);
    if (!waiter) return;
    this.#requests.delete(req);
    if (errno === 0) waiter.resolve(value);
    else waiter.reject(new WasiError(errno, value === 1 ? "fd_write" : waiter.syscall, waiter.path));
    this.#updateRef();
  }

  /** The one failure path: everything pending and later rejects with `error`. */
  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    untrackForExit(this);
    for (const waiter of this.#requests.values()) waiter.reject(error);
    this.#requests.clear();
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const op = this.#queue[i];
      if (op && op.kind === 0) (op as WriteOp).reject(error);
    }
    this.#queue = [];
    this.#queueHead = 0;
  }

  /** A sandbox with nothing pending must not keep the process alive. */
  #updateRef(): void {
    const busy = this.#stopping || this.#requests.size > 0 || this.#queueHead < this.#queue.length;
    if (busy === this.#reffed) return;
    this.#reffed = busy;
    if (busy) this.#worker.ref();
    else this.#worker.unref();
  }
}
