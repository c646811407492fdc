// Stream adapters for AsyncFile: a WHATWG WritableStream (pipeTo on every
// host) and a Node stream.Writable (pipeline(), pino destinations).
//
// The Node adapter takes each chunk into the sandbox the moment write() is
// called (into the ring, or into the queue of writes waiting for it), so
// nothing a logger wrote waits in the stream's own buffer: it is "accepted"
// as any write() is, and exit and signals write it too. A chunk's callback
// comes at once, or, for a file opened "written" or "synced", once the chunk
// is. Backpressure comes from the ring: write() returns false while writes
// wait for ring space, and 'drain' follows when they are in.
import { Writable } from "node:stream";
import { type AsyncFile, kAccept, kStream, kTell } from "./file.js";

/** Options of AsyncFile#createWriteStream(). */
export interface FileWriteStreamOptions {
  /** Passed to stream.Writable: its own buffer, which this adapter keeps empty. Default 16 KiB. */
  highWaterMark?: number;
  /** Close the file when the stream ends or is destroyed. Default true; false only flushes it at the end. */
  autoClose?: boolean;
}

type Chunk = string | ArrayBufferView;

export function webWritable(file: AsyncFile): WritableStream<Chunk> {
  return new WritableStream<Chunk>({
    write: async (chunk) => {
      await file.write(chunk);
    },
    close: () => file.close(),
    abort: () => file.close(),
  });
}

const bytesOf = (chunk: unknown, encoding: BufferEncoding): Chunk =>
  typeof chunk === "string" && encoding !== "utf8" && encoding !== "utf-8" ? Buffer.from(chunk, encoding) : (chunk as Chunk);

/** What accepting a chunk gave (see kAccept), waiting for its turn in _write(). */
type Outcome = Error | Promise<number> | undefined;

/** The chunks Node's Writable (not in object mode) takes; anything else it refuses itself. */
const isChunk = (chunk: unknown): chunk is string | Uint8Array => typeof chunk === "string" || chunk instanceof Uint8Array;

class FileWritable extends Writable {
  readonly #file: AsyncFile;
  readonly #autoClose: boolean;
  readonly #backlogged: () => boolean;
  readonly #accepted: () => Promise<unknown>;
  readonly #outcomes: Outcome[] = []; // one per chunk write() took, in order
  #draining = false;

  constructor(file: AsyncFile, options: FileWriteStreamOptions, backlogged: () => boolean, accepted: () => Promise<unknown>) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, decodeStrings: false });
    this.#file = file;
    this.#autoClose = options.autoClose ?? true;
    this.#backlogged = backlogged;
    this.#accepted = accepted;
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A chunk that came another way than write() (end(chunk) calls the internals) is taken now.
    const taken = this.#outcomes.length > 0 ? this.#outcomes.shift() : this.#file[kAccept](bytesOf(chunk, encoding));
    // An error goes to the stream's 'error' event: the file's failure is told.
    const fail = (error: Error): void => {
      this.#file[kTell]();
      callback(error);
    };
    if (taken instanceof Promise) taken.then(() => callback(), fail);
    else if (taken) fail(taken);
    else callback();
  }

  override write(
    chunk: unknown,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    cb?: (error?: Error | null) => void,
  ): boolean {
    if (isChunk(chunk) && !this.writableEnded && !this.destroyed) {
      this.#outcomes.push(this.#file[kAccept](bytesOf(chunk, typeof encoding === "string" ? encoding : "utf8")));
    }
    const ok = super.write(chunk, encoding as BufferEncoding, cb);
    if (!ok || !this.#backlogged()) return ok;
    // The ring is full and writes wait for it: hold the writer back until they are in.
    if (!this.#draining) {
      this.#draining = true;
      this.#accepted().then(
        () => {
          this.#draining = false;
          this.emit("drain");
        },
        () => {
          this.#draining = false;
        },
      );
    }
    return false;
  }

  override _final(callback: (error?: Error | null) => void): void {
    const done = this.#file.closed ? Promise.resolve() : this.#autoClose ? this.#file.close() : this.#file.flush();
    done.then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#autoClose || this.#file.closed) {
      callback(error);
      return;
    }
    this.#file.close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }
}

/** A Node stream.Writable of the file; `backlogged`/`accepted` come from its sandbox's queue. */
export function nodeWritable(
  file: AsyncFile,
  options: FileWriteStreamOptions = {},
  backlogged: () => boolean = () => false,
  accepted: () => Promise<unknown> = () => Promise.resolve(),
): Writable {
  const stream = new FileWritable(file, options, backlogged, accepted);
  file[kStream] = stream;
  return stream;
}
