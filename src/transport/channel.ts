// One sandbox's link to its worker: the ring producer, the requests waiting for
// a completion, the operations waiting for ring space (in order), the writes
// waiting to be durable, and the one failure path that rejects everything
// pending (like thread-stream's destroy()).
import { Worker } from "node:worker_threads";
import { badFile, CALL_NAMES, errnoOfCode, WasiError, workerExited } from "../errors.js";
import { nextTurn } from "../hosts/runtime.js";
import { ANSWER_SLOTS, AnswerReader, answerQueueMemory, FAILURE_REQ, type QueueEntry } from "./answers.js";
import { type Drainable, trackForExit, untrackForExit } from "./exit.js";
import {
  CTRL_HOT,
  CTRL_PROGRESS,
  CTRL_STATS,
  FILE_ENTRY,
  FILE_ERR_CALL,
  FILE_ERR_SEQ,
  FILE_ERRNO,
  FILE_MAX,
  FILE_SYNCED,
  FILE_WRITTEN,
  KIND_STOP,
  STAT_BYTES,
  STAT_COUNT,
  STAT_DATASYNCS,
  STAT_MAX_WRITE,
  STAT_RETRIES,
  STAT_SYNCED_WRITES,
  STAT_WRITE_CALLS,
  WANT_SYNCED,
} from "./layout.js";
import type { WorkerConfig, WorkerMessage } from "./protocol.js";
import { RingProducer, utf8Length } from "./ring.js";
import { settle } from "./yield.js";

/** What a control record answered. */
export interface Answer {
  value: number;
  value2: number;
}

/**
 * A request that gets a reply in the reply area: how many bytes it needs
 * (at most `Channel#replySlot`), and what to take from them when it
 * completes, synchronously, before the slot is used again.
 */
export interface Reply<T> {
  bytes: number;
  take(reply: Uint8Array, answer: Answer): T;
}

interface Waiter {
  resolve(answer: Answer & { taken?: unknown }): void;
  reject(error: Error): void;
  syscall: string;
  path: string | undefined;
  reply: Reply<unknown> | undefined;
  slot: number; // the reply slot it holds, -1 for none
}

interface WriteOp {
  kind: 0;
  file: number;
  data: string | Uint8Array;
  from: number; // UTF-16 units or bytes already accepted
  accepted: number; // bytes accepted so far
  flags: number; // WANT_*: resolve only once written/synced
  path: string;
  resolve(value: number): void;
  reject(error: Error): void;
}

interface ControlOp {
  kind: number;
  file: number;
  req: number;
  payload: Uint8Array | undefined; // with a reply: its first word is patched to the slot's offset
  waiter: Waiter;
}

/** The worker's code range, MiB (see the constructor). */
const WORKER_CODE_RANGE_MB = 16;

/** Bytes one pass over the queue of writes waiting for space moves into the ring at most. */
const PASS_BYTES = 1024 * 1024;

/** How many requests with replies may be in flight at once (the reply area is split in as many slots). */
const REPLY_SLOTS = 4;

type Op = WriteOp | ControlOp;

/** A write that resolves once the core says its last record was written (or synced). */
interface DurableWait {
  seq: number;
  synced: boolean;
  value: number;
  path: string;
  resolve(value: number): void;
  reject(error: Error): void;
}

/** Counters the core keeps about its fd_write and fd_datasync calls. */
export interface CoreStats {
  /** fd_write calls made by the core. */
  fdWriteCalls: number;
  /** The most bytes handed to one fd_write (never more than chunkSize). */
  largestFdWrite: number;
  /** Bytes the host reported written. */
  bytesWritten: number;
  /** fd_write calls retried after EINTR, EAGAIN or a zero-byte write. */
  retries: number;
  /** fd_datasync calls made for "synced" writes: one per group. */
  groupSyncs: number;
  /** "synced" writes those calls covered (over groupSyncs: the writes per group commit). */
  syncedWrites: number;
}

/** `a` is at or after `b` in a sequence that wraps at 2^32. */
function atOrAfter(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

export class Channel implements Drainable {
  readonly #worker: Worker;
  #producer: RingProducer | undefined;
  #stats: BigUint64Array | undefined;
  #i32: Int32Array | undefined;
  #files = 0; // byte offset of the file table
  #progressWord = 0;
  #hotWord = 0;
  readonly #requests = new Map<number, Waiter>();
  readonly #answers: AnswerReader;
  #sentControls = 0; // control records in the ring or in the core, not yet answered
  #answersArmed = false;
  #awaitingAnswers = false; // the queue's head waits for an answer slot (#takeAnswers drains)
  #failuresTaken = 0; // failures told so far (by the answer queue or a message)
  #queue: (Op | undefined)[] = [];
  #queueHead = 0;
  #nextReq = 1;
  readonly #durable = new Map<number, DurableWait[]>();
  #durableCount = 0;
  #progressArmed = false;
  #whenAccepted: { resolve(): void; reject(error: Error): void }[] = [];
  readonly #freeHandles: number[] = [];
  #replyBase = 0; // byte offset of the reply area
  #replySlots = [false, false, false, false]; // in use
  /** The most bytes one request's reply may have. */
  readonly replySlot: number;
  #nextHandle = 0;
  #failure: Error | undefined;
  #reffed = true;
  #stopping = false;
  #anchored = false;
  readonly #ready: Promise<void>;
  readonly #exited: Promise<void>;
  /** Told when the core logs that a file failed (see files.ts in the core). */
  onFileFailure: ((file: number, errno: number, call: number) => void) | undefined;
  /** Says why a request failed, from its errno and second answer (for ENOTCAPABLE, the REFUSED_* reason). */
  explain: (errno: number, value2: number) => string | undefined = () => undefined;
  /** Resolves once the worker has exited (its region of memory is free again). */
  readonly exited: Promise<void>;

  private constructor(base: Omit<WorkerConfig, "answers">, script: string) {
    const config: WorkerConfig = { ...base, answers: answerQueueMemory() };
    this.#answers = new AnswerReader(config.answers);
    // V8 reserves a code range per isolate (128 MiB and up) that this small
    // loop never fills: a small one lets hundreds of sandboxes start under
    // `ulimit -v` (Deno and Bun ignore it). A test plan that exhausts memory
    // gets a small heap, so it dies quickly.
    const heap = config.faults?.workerHeapMb;
    const resourceLimits = { codeRangeSizeMb: WORKER_CODE_RANGE_MB, ...(heap ? { maxOldGenerationSizeMb: heap } : {}) };
    // The worker is a CommonJS script: an --input-type=module the process was
    // started with (node --input-type=module -e ...) would make it an ES module.
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
    this.#worker = new Worker(script, { eval: true, workerData: config, resourceLimits, execArgv });
    this.replySlot = Math.floor(config.replyBytes / REPLY_SLOTS / 8) * 8;
    let ready!: () => void;
    let notReady!: (error: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    this.exited = this.#exited;
    this.#worker.on("message", (message: WorkerMessage) => {
      switch (message.type) {
        case "ready": {
          const buffer = config.memory.buffer as unknown as SharedArrayBuffer;
          this.#producer = new RingProducer(buffer, message.ctrl, message.ring, config.bufferSize, FILE_MAX);
          this.#stats = new BigUint64Array(buffer, message.ctrl + CTRL_STATS, STAT_COUNT);
          this.#i32 = new Int32Array(buffer);
          this.#files = message.files;
          this.#progressWord = (message.ctrl + CTRL_PROGRESS) >> 2;
          this.#hotWord = (message.ctrl + CTRL_HOT) >> 2;
          this.#anchored = message.anchored;
          this.#replyBase = message.reply;
          trackForExit(this);
          this.#updateRef();
          ready();
          break;
        }
        case "fatal": {
          const errno = message.errno || (errnoOfCode(message.code) ?? 0);
          notReady(
            errno
              ? new WasiError(errno, "preopen", message.path, message.message)
              : Object.assign(new Error(message.message), { code: message.code }),
          );
          break;
        }
        case "space":
          this.#drainQueue();
          break;
        case "failed":
          this.#takeAnswers(); // the failures before it, and the answers before those
          this.#fileFailed(message.index, message.handle, message.errno, message.call);
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

  /** Starts the worker from its source (`script`, a CommonJS script) and waits until it is ready. */
  static async start(config: Omit<WorkerConfig, "answers">, script: string): Promise<Channel> {
    const channel = new Channel(config, script);
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

  /** Whether the worker anchors its walk on open directories (race-free; see hosts/beneath.ts). */
  get anchored(): boolean {
    return this.#anchored;
  }

  /** A file handle for an OPEN record; undefined when the sandbox has FILE_MAX files open. */
  takeHandle(): number | undefined {
    const handle = this.#freeHandles.pop() ?? (this.#nextHandle < FILE_MAX ? this.#nextHandle++ : undefined);
    if (handle !== undefined) this.#producer!.resetSeq(handle);
    return handle;
  }

  /** Gives a handle back once its file is closed (or its open failed). */
  releaseHandle(handle: number): void {
    this.#settleDurable(handle);
    for (const wait of this.#durable.get(handle) ?? []) wait.reject(badFile("fd_write", wait.path));
    this.#durableCount -= this.#durable.get(handle)?.length ?? 0;
    this.#durable.delete(handle);
    this.#freeHandles.push(handle);
  }

  /** True while operations wait for ring space. */
  get backlogged(): boolean {
    return this.#queueHead < this.#queue.length;
  }

  /** Resolves once nothing waits for ring space any more. */
  whenAccepted(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.backlogged) return Promise.resolve();
    return new Promise((resolve, reject) => this.#whenAccepted.push({ resolve, reject }));
  }

  /** Whether the file has writes waiting to be written or synced (they will hear of its failure). */
  hasDurable(handle: number): boolean {
    return this.#durable.has(handle);
  }

  /** The errno a failed file keeps answering (0: not failed), read from the file table. */
  fileErrno(handle: number): number {
    // A plain read (every write asks): the errno is set once and kept, and a
    // write that misses it by a moment is told by the next call instead.
    return this.#i32![(this.#files + handle * FILE_ENTRY + FILE_ERRNO) >> 2]!;
  }

  /** The WASI call that failed a file (fd_write, fd_datasync, ...). */
  fileFailedCall(handle: number): string {
    return CALL_NAMES[this.#i32![(this.#files + handle * FILE_ENTRY + FILE_ERR_CALL) >> 2]!] ?? "fd_write";
  }

  /**
   * Accepts `data` for the file into the ring. Resolves with the bytes
   * accepted; with `flags` (WANT_*), only once the core has written (or
   * synced) them.
   */
  write(file: number, data: string | Uint8Array, flags: number, path: string): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    const producer = this.#producer!;
    if (this.#queueHead === this.#queue.length) {
      let from: number;
      let accepted: number;
      if (typeof data === "string") {
        from = producer.writeString(file, data, 0, flags);
        accepted = producer.lastWritten;
      } else {
        from = accepted = producer.writeBytes(file, data, 0, flags);
      }
      if (from === data.length) {
        if (flags === 0) {
          producer.publish(false);
          return settle(accepted, accepted);
        }
        producer.publishSoon();
        return new Promise((resolve, reject) => this.#awaitDurable(file, flags, accepted, path, resolve, reject));
      }
      // Part of it waits for space. The caller's buffer is held, not copied
      // (one copy in total, into the ring): as with fs.write, it must not be
      // changed until this write() resolves.
      return this.#enqueueWrite(file, data, from, accepted, flags, path);
    }
    return this.#enqueueWrite(file, data, 0, 0, flags, path);
  }

  #enqueueWrite(file: number, data: string | Uint8Array, from: number, accepted: number, flags: number, path: string) {
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ kind: 0, file, data, from, accepted, flags, path, resolve, reject });
      this.#drainQueue();
    });
  }

  /** Sends a control record; resolves with the core's answer. */
  request(kind: number, file: number, syscall: string, path?: string, payload?: Uint8Array): Promise<Answer> {
    return this.#send(kind, file, syscall, path, payload, undefined);
  }

  /** Sends a control record whose answer comes in the reply area; resolves with what `reply.take` made of it. */
  requestReply<T>(
    kind: number,
    file: number,
    syscall: string,
    path: string | undefined,
    payload: Uint8Array,
    reply: Reply<T>,
  ): Promise<T> {
    return this.#send(kind, file, syscall, path, payload, reply as Reply<unknown>).then(
      (answer) => (answer as { taken: T }).taken,
    );
  }

  #send(
    kind: number,
    file: number,
    syscall: string,
    path: string | undefined,
    payload: Uint8Array | undefined,
    reply: Reply<unknown> | undefined,
  ) {
    if (this.#failure) return Promise.reject(this.#failure);
    const req = this.#nextReq;
    this.#nextReq = this.#nextReq === 0x7fffffff ? 1 : this.#nextReq + 1;
    let waiter!: Waiter;
    const done = new Promise<Answer & { taken?: unknown }>((resolve, reject) => {
      waiter = { resolve, reject, syscall, path, reply, slot: -1 };
    });
    this.#requests.set(req, waiter);
    this.#queue.push({ kind, file, req, payload, waiter });
    this.#drainQueue();
    return done;
  }

  /** True once the core answered STOP: it will not touch its memory again. */
  stoppedCleanly = false;

  /** Ends the worker after everything sent before; later calls reject with EBADF. */
  async stop(): Promise<void> {
    if (!this.#failure && !this.#stopping) {
      this.#stopping = true; // keeps the worker referenced until it has exited
      await this.request(KIND_STOP, 0, "sandbox_close").then(
        () => {
          this.stoppedCleanly = true;
        },
        () => undefined,
      );
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
      groupSyncs: Number(s[STAT_DATASYNCS / 8]),
      syncedWrites: Number(s[STAT_SYNCED_WRITES / 8]),
    };
  }

  /**
   * Blocks until everything accepted (the ring, the writes waiting for space
   * and the records behind them) was handed to the core, or until `deadline`
   * (performance.now() ms). Only for process exit and signals. Returns the
   * accepted bytes that did not reach a file.
   */
  drainSync(deadline: number): number {
    const producer = this.#producer;
    if (this.#failure || !producer) return 0;
    for (;;) {
      this.#takeAnswers(); // frees answer slots a queued request may wait for
      this.#drainQueue();
      if (this.#queueHead === this.#queue.length && producer.empty) return 0;
      if (this.#awaitingAnswers && producer.empty) {
        if (performance.now() >= deadline) return this.#unwritten(producer);
        this.#answers.waitSync(deadline - performance.now()); // the queue's head waits for an answer slot
      } else if (!producer.waitConsumed(deadline)) return this.#unwritten(producer);
    }
  }

  /** Accepted bytes (in the ring or waiting for it) that no fd_write has written. */
  #unwritten(producer: RingProducer): number {
    let queued = 0;
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const op = this.#queue[i];
      if (op?.kind !== 0) continue;
      const { data, from } = op as WriteOp;
      queued += typeof data === "string" ? utf8Length(from === 0 ? data : data.slice(from)) : data.length - from;
    }
    return producer.acceptedBytes + queued - Number(this.#stats![STAT_BYTES / 8]);
  }

  /** Moves queued operations into the ring, in order, until one does not fit. */
  #drainQueue(): void {
    const producer = this.#producer;
    if (!producer || this.#failure) return;
    const queue = this.#queue;
    // Bounded work per pass (encoding a huge string is ~8 ms per MiB on Bun):
    // the rest goes on after the loop has had a turn.
    const budgetEnd = producer.acceptedBytes + PASS_BYTES;
    while (this.#queueHead < queue.length) {
      if (producer.acceptedBytes >= budgetEnd) {
        this.#continueSoon();
        break;
      }
      const op = queue[this.#queueHead]!;
      const headSeen = producer.head;
      if (this.#advance(producer, op, budgetEnd)) {
        queue[this.#queueHead++] = undefined;
        if (op.kind === 0) {
          const write = op as WriteOp;
          if (write.flags === 0) write.resolve(write.accepted);
          else this.#awaitDurable(write.file, write.flags, write.accepted, write.path, write.resolve, write.reject);
        }
        continue;
      }
      if (producer.acceptedBytes >= budgetEnd) continue; // out of budget, not of room
      producer.publish(true);
      if (this.#awaitingAnswers) break; // taking answers drains again (#takeAnswers)
      if (producer.wantSpace(headSeen)) continue; // space was freed meanwhile
      break; // the worker posts "space" when it frees some
    }
    producer.publish(true);
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
      if (this.#whenAccepted.length > 0) for (const waiter of this.#whenAccepted.splice(0)) waiter.resolve();
    }
    this.#updateRef();
  }

  #continuing = false;
  #continueSoon(): void {
    if (this.#continuing) return;
    this.#continuing = true;
    nextTurn(() => {
      this.#continuing = false;
      this.#drainQueue();
    });
  }

  /**
   * The queue's head waits for an answer (a free answer or reply slot), not
   * for ring space: spinning on the ring's head would not free one.
   */
  #blockOnAnswers(): false {
    this.#awaitingAnswers = true;
    return false;
  }

  /** Puts as much of `op` into the ring as fits (and the pass's budget allows); true when all of it is in. */
  #advance(producer: RingProducer, op: Op, budgetEnd: number): boolean {
    if (op.kind !== 0) {
      const control = op as ControlOp;
      const { waiter } = control;
      if (waiter.reply && waiter.slot < 0) {
        // Its answer needs a reply slot: wait (in order) until one is free.
        const slot = this.#replySlots.indexOf(false);
        if (slot < 0) return this.#blockOnAnswers();
        new DataView(control.payload!.buffer).setUint32(0, slot * this.replySlot, true);
        if (!producer.writeControl(control.kind, control.file, control.req, control.payload)) return false;
        this.#replySlots[slot] = true;
        waiter.slot = slot;
        this.#controlSent();
        return true;
      }
      if (this.#sentControls >= ANSWER_SLOTS) return this.#blockOnAnswers(); // the answer queue holds that many
      if (!producer.writeControl(control.kind, control.file, control.req, control.payload)) return false;
      this.#controlSent();
      return true;
    }
    const write = op as WriteOp;
    const { data } = write;
    while (write.from < data.length && producer.acceptedBytes < budgetEnd) {
      if (typeof data === "string") {
        const read = producer.writeString(write.file, data, write.from, write.flags);
        if (read === 0) return false;
        write.from += read;
        write.accepted += producer.lastWritten;
      } else {
        const n = producer.writeBytes(write.file, data, write.from, write.flags);
        if (n === 0) return false;
        write.from += n;
        write.accepted += n;
      }
    }
    return write.from === data.length;
  }

  /** Registers a write whose last record (the producer's lastSeq) must be written or synced. */
  #awaitDurable(
    file: number,
    flags: number,
    value: number,
    path: string,
    resolve: (v: number) => void,
    reject: (e: Error) => void,
  ) {
    const wait = { seq: this.#producer!.lastSeq, synced: (flags & WANT_SYNCED) !== 0, value, path, resolve, reject };
    const waits = this.#durable.get(file);
    if (waits) waits.push(wait);
    else this.#durable.set(file, [wait]);
    if (this.#durableCount++ === 0) {
      this.#updateHot();
      this.#updateRef();
    }
    this.#armProgress();
  }

  /**
   * Waits (without blocking) for the core to bump CTRL_PROGRESS, then settles
   * what it completed: one wake-up per group commit, no message per write.
   */
  #armProgress(): void {
    if (this.#progressArmed || this.#durableCount === 0 || this.#failure) return;
    const i32 = this.#i32!;
    const seen = Atomics.load(i32, this.#progressWord);
    this.#settleAll();
    if (this.#durableCount === 0) return;
    this.#progressArmed = true;
    const rearm = (): void => {
      this.#progressArmed = false;
      this.#settleAll();
      this.#armProgress();
    };
    if (typeof Atomics.waitAsync === "function") {
      const waiting = Atomics.waitAsync(i32, this.#progressWord, seen);
      if (waiting.async) waiting.value.then(rearm);
      else queueMicrotask(rearm);
    } else {
      setTimeout(rearm, 1); // a host without waitAsync: poll
    }
  }

  #settleAll(): void {
    for (const file of this.#durable.keys()) this.#settleDurable(file);
  }

  /** Settles the file's durable writes the file table says are done (or failed). */
  #settleDurable(file: number): void {
    const waits = this.#durable.get(file);
    if (!waits || !this.#i32) return;
    const i32 = this.#i32;
    const entry = (this.#files + file * FILE_ENTRY) >> 2;
    const errno = Atomics.load(i32, entry + FILE_ERRNO / 4);
    const written = Atomics.load(i32, entry + FILE_WRITTEN / 4);
    const synced = Atomics.load(i32, entry + FILE_SYNCED / 4);
    const failedFrom = i32[entry + FILE_ERR_SEQ / 4]!;
    const before = waits.length;
    let kept = 0;
    for (const wait of waits) {
      if (errno !== 0 && atOrAfter(wait.seq, failedFrom)) {
        wait.reject(new WasiError(errno, this.fileFailedCall(file), wait.path));
      } else if (atOrAfter(wait.synced ? synced : written, wait.seq)) {
        wait.resolve(wait.value);
      } else {
        waits[kept++] = wait;
      }
    }
    waits.length = kept;
    if (kept === 0) this.#durable.delete(file);
    this.#durableCount -= before - kept;
    if (this.#durableCount === 0 && before !== kept) {
      this.#updateHot();
      this.#updateRef();
    }
  }

  #controlSent(): void {
    if (this.#sentControls++ === 0) this.#updateHot();
    this.#armAnswers();
  }

  /** Waits (without blocking) for the answer queue while control records are out. */
  #armAnswers(): void {
    if (this.#answersArmed || this.#sentControls === 0 || this.#failure) return;
    this.#answersArmed = true;
    const rearm = (): void => {
      this.#answersArmed = false;
      this.#takeAnswers();
      this.#armAnswers();
    };
    const waiting = this.#answers.wait();
    if (waiting) waiting.then(rearm);
    else queueMicrotask(rearm);
  }

  readonly #takeEntry = (entry: QueueEntry): void => {
    if (entry.req === FAILURE_REQ) this.#fileFailed(entry.value2, entry.value, entry.errno, entry.call);
    else {
      this.#sentControls--;
      this.#complete(entry);
    }
  };

  #takeAnswers(): void {
    if (this.#failure) return;
    this.#answers.takeAll(this.#takeEntry);
    if (this.#sentControls === 0) this.#updateHot();
    if (this.#awaitingAnswers) {
      this.#awaitingAnswers = false;
      this.#drainQueue(); // the queue's head may go now
    }
  }

  /** A file failed (the core logged it): told once, whichever path brings it first. */
  #fileFailed(index: number, handle: number, errno: number, call: number): void {
    if (!atOrAfter(index, this.#failuresTaken)) return;
    this.#failuresTaken = (index + 1) | 0;
    this.onFileFailure?.(handle, errno, call);
    this.#settleDurable(handle);
  }

  /** The worker spins a little before it sleeps while something waits on it (see hosts/worker.ts). */
  #updateHot(): void {
    if (this.#i32) Atomics.store(this.#i32, this.#hotWord, this.#durableCount > 0 || this.#sentControls > 0 ? 1 : 0);
  }

  #complete(message: QueueEntry): void {
    const waiter = this.#requests.get(message.req);
    if (!waiter) return;
    this.#requests.delete(message.req);
    const answer: Answer & { taken?: unknown } = { value: message.value, value2: message.value2 };
    if (message.errno === 0 && waiter.reply) {
      const at = this.#replyBase + waiter.slot * this.replySlot;
      answer.taken = waiter.reply.take(new Uint8Array(this.#i32!.buffer, at, this.replySlot), answer);
    }
    if (waiter.slot >= 0) {
      this.#replySlots[waiter.slot] = false;
      if (this.backlogged) this.#awaitingAnswers = true; // a request may wait for the slot: #takeAnswers drains
    }
    if (message.errno === 0) waiter.resolve(answer);
    else {
      const syscall = CALL_NAMES[message.call] || waiter.syscall;
      waiter.reject(new WasiError(message.errno, syscall, waiter.path, this.explain(message.errno, message.value2)));
    }
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
    for (const waiter of this.#whenAccepted.splice(0)) waiter.reject(error);
    for (const waits of this.#durable.values()) for (const wait of waits) wait.reject(error);
    this.#durable.clear();
    this.#durableCount = 0;
  }

  /** A sandbox with nothing pending must not keep the process alive. */
  #updateRef(): void {
    const busy = this.#stopping || this.#requests.size > 0 || this.#queueHead < this.#queue.length || this.#durableCount > 0;
    if (busy === this.#reffed) return;
    this.#reffed = busy;
    if (busy) this.#worker.ref();
    else this.#worker.unref();
  }
}
