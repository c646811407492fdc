// A logger destination that code written for pino.destination() / sonic-boom
// takes as is: write(string) → boolean, flush(cb), flushSync(), reopen(path?),
// end(), destroy(), and the events ready, drain, error, finish and close.
//
// Unlike sonic-boom it holds nothing of its own: each write() is taken into
// the sandbox at once (the ring, or the queue of writes waiting for it), so
// process.exit(), an uncaught error or a signal right after logging loses no
// line, and the writing happens on the sandbox's worker thread, not the
// caller's. write() returns false while writes wait for ring space; 'drain'
// follows. With durability "synced", flush(cb) calls back once an fdatasync
// covered every line written before it.
import { EventEmitter } from "node:events";
import { CodedError } from "../errors.js";
import { EXIT_FLUSH_TIMEOUT_MS } from "../transport/exit.js";
import type { AsyncFile } from "./file.js";
import { kAccept, kReopenAt, kTell } from "./file.js";
import type { Durability } from "./validate.js";

/** Options of Sandbox#destination(). */
export interface DestinationOptions {
  /** Keep what the file holds and append (default true, as for a log); false truncates it. */
  append?: boolean;
  /** Create missing parent folders (inside the sandbox). Default false. */
  mkdir?: boolean;
  /** When lines count as written (see Durability): what flush(cb) waits for. Default: the sandbox's. */
  durability?: Durability;
}

/** @internal What a destination needs of its sandbox. */
export interface DestinationLink {
  backlogged(): boolean;
  accepted(): Promise<unknown>;
  /** Blocks until everything accepted was handed to the core (or the deadline); the bytes left. */
  drainSync(deadline: number): number;
  durability: Durability;
}

/** A sonic-boom-compatible destination for pino (see Sandbox#destination()). */
export class Destination extends EventEmitter {
  /** The guest path it writes (changes with reopen(path)). */
  file: string;
  /** Always false: nothing is written on the caller's thread (sonic-boom's field, for code that reads it). */
  readonly writing = false;
  /** Always true, as for a stream: pino(destination) takes an object with it for a stream, not for options. */
  readonly writable = true;
  /** True once end() or destroy() was called. */
  destroyed = false;
  readonly #target: AsyncFile;
  readonly #link: DestinationLink;
  #draining = false;

  /** @internal Destinations come from Sandbox#destination(). */
  constructor(target: AsyncFile, link: DestinationLink) {
    super();
    this.#target = target;
    this.#link = link;
    this.file = target.path;
    process.nextTick(() => this.emit("ready"));
  }

  /** Takes a line (string or bytes) into the sandbox; false while the sandbox's buffer is full ('drain' follows). */
  write(data: string | Uint8Array): boolean {
    if (this.destroyed) throw new CodedError("ERR_STREAM_DESTROYED", "the destination was ended");
    const refused = this.#target[kAccept](data);
    if (refused instanceof Error) {
      this.#fail(refused);
      return false;
    }
    if (refused) refused.catch((error: Error) => this.#fail(error)); // a durable write that failed
    if (!this.#link.backlogged()) return true;
    if (!this.#draining) {
      this.#draining = true;
      this.#link.accepted().then(
        () => {
          this.#draining = false;
          this.emit("drain");
        },
        (error: Error) => {
          this.#draining = false;
          this.#fail(error);
        },
      );
    }
    return false;
  }

  /**
   * Calls back once every line written before was handed to the OS, or,
   * with durability "synced", made durable (fdatasync).
   */
  flush(cb?: (error?: Error) => unknown): void {
    const done = this.#link.durability === "synced" ? this.#target.datasync() : this.#target.flush();
    done.then(
      () => cb?.(),
      (error: Error) => (cb ? cb(error) : this.#fail(error)),
    );
  }

  /**
   * Blocks this thread until every line written before was handed to the
   * sandbox's worker and written (at most the exit bound, 5 s). Costly, as
   * with sonic-boom: for the end of a process, not for every line.
   */
  flushSync(): void {
    if (this.destroyed) throw new CodedError("ERR_STREAM_DESTROYED", "the destination was ended");
    const left = this.#link.drainSync(performance.now() + EXIT_FLUSH_TIMEOUT_MS);
    if (left > 0) throw new CodedError("ETIMEDOUT", `flushSync timed out; ${left} bytes not written`);
  }

  /**
   * Log rotation: later lines go to a fresh open of the file's path (or of
   * `path`, a guest path); lines written before still go to the old file.
   * 'ready' follows; an error if the path cannot be opened (then the
   * destination keeps writing where it was).
   */
  reopen(path?: string): void {
    const target = path ?? this.file;
    this.#target[kReopenAt](target).then(
      () => {
        this.file = target;
        this.emit("ready");
      },
      (error: Error) => this.#fail(error),
    );
  }

  /** Writes what is pending, closes the file: 'finish', then 'close'. */
  end(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const ending =
      this.#link.durability === "synced" ? this.#target.datasync().then(() => this.#target.close()) : this.#target.close();
    ending.then(
      () => {
        this.emit("finish");
        this.emit("close");
      },
      (error: Error) => {
        this.#fail(error);
        this.emit("close");
      },
    );
  }

  /** Closes the file now (what was written before is still written, as every write was taken already). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.#target.close().then(
      () => this.emit("close"),
      (error: Error) => {
        this.#fail(error);
        this.emit("close");
      },
    );
  }

  /** An error reaches 'error' listeners; without one, the sandbox's onError, sb.close() or stderr at exit has it. */
  #fail(error: Error): void {
    if (this.listenerCount("error") === 0) return;
    this.#target[kTell]();
    this.emit("error", error);
  }
}
