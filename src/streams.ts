// Stream adapters for AsyncFile: a WHATWG WritableStream (pipeTo on Node and
// Deno) and a Node stream.Writable (pipeline(), pino destinations). Both get
// their backpressure from write(), which resolves once the bytes are in the
// ring: a full ring holds the stream back.
import { Writable } from "node:stream";
import type { AsyncFile } from "./file.js";

/** Options of AsyncFile#createWriteStream(). */
export interface FileWriteStreamOptions {
  /** Bytes (or strings) the stream buffers before write() returns false. Default 16 KiB. */
  highWaterMark?: number;
  /** Close the file when the stream ends or is destroyed. Default true; false only flushes at the end. */
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

export function nodeWritable(file: AsyncFile, options: FileWriteStreamOptions = {}): Writable {
  const autoClose = options.autoClose ?? true;
  const end = () => (autoClose ? file.close() : file.flush());
  const bytesOf = (chunk: unknown, encoding: BufferEncoding): Chunk =>
    typeof chunk === "string" && encoding !== "utf8" && encoding !== "utf-8" ? Buffer.from(chunk, encoding) : (chunk as Chunk);
  return new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    decodeStrings: false, // strings go to the ring as they are (encoded there once)
    write(chunk, encoding, callback) {
      file.write(bytesOf(chunk, encoding)).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      // In order, without waiting in between: the ring keeps the order.
      Promise.all(chunks.map(({ chunk, encoding }) => file.write(bytesOf(chunk, encoding as BufferEncoding)))).then(
        () => callback(),
        callback,
      );
    },
    final(callback) {
      end().then(() => callback(), callback);
    },
    destroy(error, callback) {
      if (!autoClose || file.closed) {
        callback(error);
        return;
      }
      file.close().then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
    },
  });
}
