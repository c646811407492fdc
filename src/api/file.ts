// AsyncFile: one open file of a sandbox.
import { Readable, type Writable } from "node:stream";
import { ArgumentError, badFile, WasiError } from "../errors.js";
import type { Channel } from "../transport/channel.js";
import { KIND_CLOSE, KIND_DATASYNC, KIND_FLUSH, KIND_REOPEN, KIND_SYNC, KIND_TRUNCATE } from "../transport/layout.js";
import { fstat, LineReader, pieces, readInto } from "./reads.js";
import type { FileStats } from "./stats.js";
import { type FileWriteStreamOptions, nodeWritable, webWritable } from "./streams.js";
import { checkWriteOptions, type OpenFlags, openPayload, toWritable, type WriteData, type WriteOptions } from "./validate.js";

/** @internal What a file needs from its sandbox. */
export interface FileOwner {
  channel: Channel;
  /** The OPEN payload of this file (bits and path), for reopen(). */
  reopenPayload: Uint8Array;
  closed(file: AsyncFile, handle: number): void;
  /** The file failed and nobody waits on it: onError, or owed to sb.close() and exit. */
  unclaimed(file: AsyncFile, error: WasiError): void;
  /** The file's failure reached the caller (a rejection): it is owed no more. */
  delivered(file: AsyncFile): void;
}

/**
 * @internal A chunk the stream adapters hand over, taken into the sandbox at
 * once: undefined when that is all it waits for, a promise when the file's
 * durability says to wait until it is written or synced, the error when refused.
 */
export const kAccept: unique symbol = Symbol("aiowasi.accept");
/** @internal The file's Node stream, ended before the file closes. */
export const kStream: unique symbol = Symbol("aiowasi.stream");
/** @internal close() for the sandbox's own close: a failure it answers is not thereby told to anyone. */
export const kShut: unique symbol = Symbol("aiowasi.shut");
/** @internal Whether the file's failure reached someone (a rejection or onError). */
export const kTold: unique symbol = Symbol("aiowasi.told");
/** @internal An adapter handed the file's failure to its user (an 'error' event): it is told. */
export const kTell: unique symbol = Symbol("aiowasi.tell");
/** @internal reopen() at another guest path (a destination's reopen(path)). */
export const kReopenAt: unique symbol = Symbol("aiowasi.reopenAt");

/** An open file. Obtain one with `Sandbox.open()` or `open()`. */
export class AsyncFile implements AsyncDisposable {
  /** The guest path it was opened with. */
  readonly path: string;
  /** The flags it was opened with. */
  readonly flags: OpenFlags;
  readonly #owner: FileOwner;
  readonly #channel: Channel;
  readonly #handle: number;
  readonly #want: number; // WANT_* bits of its durability
  readonly #writes: boolean; // opened for writing
  readonly #reads: boolean; // opened for reading
  #closing: Promise<void> | undefined;
  #closed: Promise<void> | undefined; // what close() hands out: a rejection there reached the caller
  #failure: WasiError | undefined; // why the file failed, once known
  #waiting = 0; // flush/sync/close/reopen calls in flight: they will report a failure
  #writable: WritableStream<string | ArrayBufferView> | undefined;
  /** @internal */
  [kStream]: Writable | undefined;
  /** @internal */
  [kTold] = false;

  /** @internal Files come from Sandbox.open(). */
  constructor(owner: FileOwner, handle: number, path: string, flags: OpenFlags, want: number) {
    this.#owner = owner;
    this.#channel = owner.channel;
    this.#handle = handle;
    this.path = path;
    this.flags = flags;
    this.#want = want;
    this.#writes = flags !== "r";
    this.#reads = flags.startsWith("r") || flags === "a+";
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Accepts `data` (a string, written as UTF-8, or any ArrayBufferView) for
   * writing. Resolves with the number of bytes once they are accepted (in the
   * sandbox's buffer; waits while it is full), or, with durability "written"
   * or "synced" (the file's, or this write's `options.durability`), once they
   * were written or synced; an earlier write of the file is covered too, so
   * levels may be mixed on one file. If the file failed (a
   * write error such as ENOSPC), this rejects with that error, and nothing
   * more is written to it until reopen().
   */
  write(data: WriteData, options?: WriteOptions): Promise<number> {
    let bytes: string | Uint8Array;
    let want = this.#want;
    try {
      bytes = toWritable(data);
      if (options !== undefined) want = checkWriteOptions(options) ?? want;
    } catch (error) {
      return Promise.reject(error);
    }
    const refused = this.#refusal("fd_write");
    if (refused) return Promise.reject(refused);
    if (bytes.length === 0) return Promise.resolve(0);
    const written = this.#channel.write(this.#handle, bytes, want, this.path);
    return want === 0 ? written : written.catch((error: unknown) => this.#rethrow(error));
  }

  /** @internal For the stream adapters (see kAccept). */
  [kAccept](data: WriteData): Error | Promise<number> | undefined {
    let bytes: string | Uint8Array;
    try {
      bytes = toWritable(data);
    } catch (error) {
      return error as Error;
    }
    const refused = this.#refusal("fd_write", false); // the adapter tells its user, or not (kTell)
    if (refused) return refused;
    if (bytes.length === 0) return undefined;
    // In the ring, or in the queue for it, either way accepted now.
    const written = this.#channel.write(this.#handle, bytes, this.#want, this.path);
    if (this.#want !== 0) return written.catch((error: unknown) => this.#rethrow(error));
    // A later failure of the file surfaces at the next write, flush or close, like any write's.
    written.catch(() => undefined);
    return undefined;
  }

  /** Why this file takes no more writes, if it does not: closed, opened to read only, or failed. */
  #refusal(syscall: string, tell = true): Error | undefined {
    if (this.#closing || !this.#writes) return badFile(syscall, this.path);
    if (this.#channel.failure) return this.#channel.failure;
    const errno = this.#channel.fileErrno(this.#handle);
    if (errno === 0) return undefined;
    this.#failure ??= new WasiError(errno, this.#channel.fileFailedCall(this.#handle), this.path);
    if (tell) this.#owner.delivered(this);
    return this.#failure;
  }

  /** @internal */
  [kTell](): void {
    this.#owner.delivered(this);
  }

  /** @internal */
  async [kReopenAt](path: string): Promise<void> {
    const bits = new DataView(this.#owner.reopenPayload.buffer).getUint32(0, true);
    await this.#control(KIND_REOPEN, "path_open", openPayload(bits, path));
    this.#failure = undefined;
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
   * cannot be opened, reopen() rejects and the file keeps writing where it
   * was. A file that failed starts afresh once reopen() resolves.
   */
  async reopen(): Promise<void> {
    await this.#control(KIND_REOPEN, "path_open", this.#owner.reopenPayload);
    this.#failure = undefined;
  }

  /**
   * Reads up to `length` bytes at the file's position into `buffer` (from
   * `offset`), like FileHandle.read: resolves with how many (0 at the end)
   * and the buffer. Reads and writes of one file keep their order.
   */
  async read<T extends ArrayBufferView = Uint8Array>(
    buffer?: T,
    offset = 0,
    length?: number,
  ): Promise<{ bytesRead: number; buffer: T }> {
    const target = (buffer ?? new Uint8Array(16 * 1024)) as T;
    if (!ArrayBuffer.isView(target)) throw new ArgumentError("ERR_INVALID_ARG_TYPE", "buffer must be an ArrayBufferView");
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    const want = length ?? bytes.length - offset;
    if (!Number.isInteger(offset) || !Number.isInteger(want) || offset < 0 || want < 0 || offset + want > bytes.length) {
      throw new ArgumentError(
        "ERR_INVALID_ARG_VALUE",
        `offset ${offset} and length ${want} must fit the buffer (${bytes.length} bytes)`,
      );
    }
    this.#readable("fd_read");
    if (want === 0) return { bytesRead: 0, buffer: target };
    const bytesRead = await readInto(this.#channel, this.#handle, this.path, bytes, offset, want);
    return { bytesRead, buffer: target };
  }

  /** The lines from the file's position to its end: UTF-8, without their "\n" (or "\r\n"). */
  readLines(): AsyncIterableIterator<string> {
    let refused: Error | undefined;
    try {
      this.#readable("fd_read");
    } catch (error) {
      refused = error as Error; // told at the first next(), as a generator would
    }
    return new LineReader(this.#channel, this.#handle, this.path, refused);
  }

  /** A WHATWG ReadableStream of the file's bytes, from its position to its end. */
  get readable(): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.createReadStream()) as unknown as ReadableStream<Uint8Array>;
  }

  /** A Node stream.Readable of the file's bytes, from its position to its end. */
  createReadStream(): Readable {
    this.#readable("fd_read");
    return Readable.from(
      pieces(this.#channel, this.#handle, this.path, (bytes) => bytes.slice()),
      { objectMode: false },
    );
  }

  /** The file's metadata (fstat). */
  async stat(): Promise<FileStats> {
    this.#usable("fd_filestat_get");
    return fstat(this.#channel, this.#handle, this.path);
  }

  /** Sets the file's size to `length` (default 0), after every write before it. */
  async truncate(length = 0): Promise<void> {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new ArgumentError("ERR_INVALID_ARG_VALUE", `length must be a whole number of bytes, got ${length}`);
    }
    if (!this.#writes) throw badFile("fd_filestat_set_size", this.path);
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setBigUint64(0, BigInt(length), true);
    await this.#control(KIND_TRUNCATE, "fd_filestat_set_size", payload);
  }

  #usable(syscall: string): void {
    if (this.#closing) throw badFile(syscall, this.path);
    if (this.#channel.failure) throw this.#channel.failure;
  }

  #readable(syscall: string): void {
    this.#usable(syscall);
    if (!this.#reads) throw badFile(syscall, this.path);
  }

  /** A WHATWG WritableStream of this file (strings and bytes), for `readable.pipeTo(file.writable)`. */
  get writable(): WritableStream<string | ArrayBufferView> {
    this.#writable ??= webWritable(this);
    return this.#writable;
  }

  /**
   * A Node stream.Writable of this file, for stream.pipeline() and as a
   * destination for loggers such as pino. Each chunk is accepted when it is
   * written (so exit and signals write it too); write() returns false while
   * the sandbox's buffer is full, and 'drain' follows. When it ends it closes
   * the file (or only flushes it, with `autoClose: false`).
   */
  createWriteStream(options?: FileWriteStreamOptions): Writable {
    const channel = this.#channel;
    return nodeWritable(
      this,
      options,
      () => channel.backlogged,
      () => channel.whenAccepted(),
    );
  }

  /**
   * flush(), then fd_close. Rejects if the file failed (its accepted bytes did
   * not all reach the OS). A Node stream of the file is ended first.
   * Idempotent: later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this[kShut]().catch((error: unknown) => this.#rethrow(error));
    return this.#closed;
  }

  /** @internal */
  [kShut](): Promise<void> {
    if (!this.#closing) {
      this.#waiting++;
      this.#closing = this.#channel.request(KIND_CLOSE, this.#handle, "fd_close", this.path).then(
        () => {
          this.#waiting--;
          this.#owner.closed(this, this.#handle);
        },
        (error: unknown) => {
          this.#waiting--;
          this.#owner.closed(this, this.#handle);
          throw error;
        },
      );
      // The stream holds nothing (every chunk was accepted when written): end
      // it, so its 'finish' and 'close' come and later writes to it are refused.
      const stream = this[kStream];
      if (stream && !stream.writableEnded) stream.end();
    }
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal The core logged that this file failed. */
  noticeFailure(errno: number, call: string): void {
    if (this.#failure) return;
    this.#failure = new WasiError(errno, call, this.path);
    // A flush/sync/close (or durable write) in flight will reject with it, or
    // one already did (the file table can tell a durable write before this
    // notice comes); otherwise nobody waits on this file: onError, or owed.
    if (this[kTold]) return;
    if (this.#waiting === 0 && !this.#channel.hasDurable(this.#handle)) this.#owner.unclaimed(this, this.#failure);
  }

  #rethrow(error: unknown): never {
    if (error instanceof WasiError) this.#owner.delivered(this);
    throw error;
  }

  #control(kind: number, syscall: string, payload?: Uint8Array): Promise<unknown> {
    if (this.#closing) return Promise.reject(badFile(syscall, this.path));
    return this.#ask(kind, syscall, payload);
  }

  #ask(kind: number, syscall: string, payload?: Uint8Array): Promise<unknown> {
    this.#waiting++;
    const done = (): void => {
      this.#waiting--;
    };
    return this.#channel.request(kind, this.#handle, syscall, this.path, payload).then(done, (error: unknown) => {
      done();
      this.#rethrow(error);
    });
  }
}
