// AsyncFile: one open file of a sandbox.
import type { Channel } from "./channel.js";
import { badFile } from "./errors.js";
import { KIND_CLOSE, KIND_DATASYNC, KIND_FLUSH, KIND_SYNC } from "./layout.js";
import { toWritable, type OpenFlags, type WriteData } from "./validate.js";

/** An open file. Obtain one with `Sandbox.open()` or `open()`. */
export class AsyncFile implements AsyncDisposable {
  /** The guest path it was opened with. */
  readonly path: string;
  /** The flags it was opened with. */
  readonly flags: OpenFlags;
  readonly #channel: Channel;
  readonly #fd: number;
  readonly #onClose: (file: AsyncFile) => void;
  #closing: Promise<void> | undefined;

  /** @internal Files come from Sandbox.open(). */
  constructor(channel: Channel, fd: number, path: string, flags: OpenFlags, onClose: (file: AsyncFile) => void) {
    this.#channel = channel;
    this.#fd = fd;
    this.path = path;
    this.flags = flags;
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

  /** flush(), then fd_close. Idempotent: later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#channel.request(KIND_CLOSE, this.#fd, "fd_close", this.path).then(
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
    return this.#channel.request(kind, this.#fd, syscall, this.path);
  }
}
