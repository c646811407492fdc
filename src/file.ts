// AsyncFile: one open file of a sandbox.
import type { Writable } from "node:stream";
import type { Channel } from "./channel.js";
import { badFile } from "./errors.js";
import { KIND_CLOSE, KIND_DATASYNC, KIND_FLUSH, KIND_SYNC } from "./layout.js";
import { type FileWriteStreamOptions, nodeWritable, webWritable } from "./streams.js";
import { type OpenFlags, toWritable, type WriteData } from "./validate.js";

/** An open file. Obtain one with `Sandbox.open()` or `open()`. */
export class AsyncFile implements AsyncDisposable {
  /** The guest path it was opened with. */
  readonly path: string;
  /** The flags it was opened with. */
  readonly flags: OpenFlags;
  readonly #channel: Channel;
  #fd: number;
  readonly #openAgain: () => Promise<number>;
  readonly #onClose: (file: AsyncFile) => void;
  #closing: Promise<void> | undefined;
  #reopening: Promise<void> | undefined; // calls made meanwhile wait for it, in order
  #writable: WritableStream<string | ArrayBufferView> | undefined;

  /** @internal Files come from Sandbox.open(). */
  constructor(
    channel: Channel,
    fd: number,
    path: string,
    flags: OpenFlags,
    openAgain: () => Promise<number>,
    onClose: (file: AsyncFile) => void,
  ) {
    this.#channel = channel;
    this.#fd = fd;
    this.path = path;
    this.flags = flags;
    this.#openAgain = openAgain;
    this.#onClose = onClose;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Accepts `data` (a string, written as UTF-8, or any ArrayBufferView) for
   * writing. Resolves with the number of bytes accepted once they are in the
   * sandbox's buffer; waits while the buffer is full. Errors of the write
   * itself surface at the latest at the next flush/sync/close.
   */
  write(data: WriteData): Promise<number> {
    let bytes: string | Uint8Array;
    try {
      bytes = toWritable(data);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closing) return Promise.reject(badFile("fd_write", this.path));
    if (this.#reopening) return this.#afterReopen(() => this.#write(bytes));
    return this.#write(bytes);
  }

  #write(bytes: string | Uint8Array): Promise<number> {
    if (bytes.length === 0) return this.#channel.failure ? Promise.reject(this.#channel.failure) : Promise.resolve(0);
    return this.#channel.write(this.#fd, bytes);
  }

  /** Resolves when every byte accepted so far was handed to the OS. */
  async flush(): Promise<void> {
    await this.#control(KIND_FLUSH, "fd_write");
  }

  /** flush(), then fd_sync: data and metadata are durable. */
  async sync(): Promise<void> {
    await this.#control(KIND_SYNC, "fd_sync");
  }

  /** flush(), then fd_datasync: the data is durable. */
  async datasync(): Promise<void> {
    await this.#control(KIND_DATASYNC, "fd_datasync");
  }

  /**
   * For log rotation: opens the file's path again (with the same flags) and
   * sends every later write there; the bytes accepted before reopen() still
   * go to the old file, which is then closed. Rename the file, call
   * reopen(), and nothing is lost or misplaced at the switch. If the path
   * cannot be opened, reopen() rejects and the file keeps writing where it was.
   */
  reopen(): Promise<void> {
    if (this.#closing) return Promise.reject(badFile("path_open", this.path));
    const switched = this.#afterReopen(async () => {
      const fd = await this.#openAgain();
      const old = this.#fd;
      this.#fd = fd;
      await this.#channel.request(KIND_CLOSE, old, "fd_close", this.path);
    });
    const done = (): void => {
      if (this.#reopening === gate) this.#reopening = undefined;
    };
    const gate: Promise<void> = switched.then(done, done);
    this.#reopening = gate;
    return switched;
  }

  /** Runs `next` once a reopen() in progress has finished (in call order). */
  #afterReopen<T>(next: () => Promise<T>): Promise<T> {
    return (this.#reopening ?? Promise.resolve()).then(next);
  }

  /** A WHATWG WritableStream of this file (strings and bytes), for `readable.pipeTo(file.writable)`. */
  get writable(): WritableStream<string | ArrayBufferView> {
    this.#writable ??= webWritable(this);
    return this.#writable;
  }

  /**
   * A Node stream.Writable of this file, for stream.pipeline() and as a
   * destination for loggers such as pino. It honours highWaterMark and
   * 'drain'; when it ends it closes the file (or only flushes it, with
   * `autoClose: false`).
   */
  createWriteStream(options?: FileWriteStreamOptions): Writable {
    return nodeWritable(this, options);
  }

  /** flush(), then fd_close. Idempotent: later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#afterReopen(() => this.#channel.request(KIND_CLOSE, this.#fd, "fd_close", this.path)).then(
      () => this.#onClose(this),
      (error: unknown) => {
        this.#onClose(this);
        throw error;
      },
    );
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #control(kind: number, syscall: string): Promise<number> {
    if (this.#closing) return Promise.reject(badFile(syscall, this.path));
    return this.#afterReopen(() => this.#channel.request(kind, this.#fd, syscall, this.path));
  }
}
