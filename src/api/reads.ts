// Reading an open file: the core reads into a slot of the reply area (shared
// memory) and the main thread copies from there: one copy into the caller's
// buffer, no bytes in a postMessage. A read is at most one slot, so a large
// read or a line iterator interleaves with the writes of the same sandbox
// instead of holding them up; a few reads are kept in flight for speed.
import type { Channel } from "../transport/channel.js";
import { KIND_FSTAT, KIND_READ, REPLY_STAT_BYTES } from "../transport/layout.js";
import { settle } from "../transport/yield.js";
import { FileStats } from "./stats.js";

/** Reads kept in flight by the whole-file readers. */
const AHEAD = 3;

function readPayload(length: number): Uint8Array {
  const payload = new Uint8Array(8); // u32 reply offset (set when it goes out), u32 length
  new DataView(payload.buffer).setUint32(4, length, true);
  return payload;
}

/** One read of up to `length` bytes at the file's position; `into` gets them, at `offset`. Resolves with the count (0 at the end). */
export function readInto(
  channel: Channel,
  handle: number,
  path: string,
  into: Uint8Array,
  offset: number,
  length: number,
): Promise<number> {
  const want = Math.min(length, channel.replySlot);
  return channel.requestReply(KIND_READ, handle, "fd_read", path, readPayload(want), {
    bytes: want,
    take(reply, answer) {
      into.set(reply.subarray(0, answer.value), offset);
      return answer.value;
    },
  });
}

/** fstat of an open file. */
export function fstat(channel: Channel, handle: number, path: string): Promise<FileStats> {
  return channel.requestReply(KIND_FSTAT, handle, "fd_filestat_get", path, new Uint8Array(4), {
    bytes: REPLY_STAT_BYTES,
    take: (reply) => new FileStats(reply.slice(0, REPLY_STAT_BYTES)),
  });
}

/**
 * A read kept in flight ahead of the caller: it may fail (the file or the
 * sandbox closed) while nobody awaits it yet. The caller hears of it when it
 * awaits the read, or not at all if it stopped; never as an unhandled rejection.
 */
function handled<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/**
 * The file from its position to its end, piece by piece, AHEAD reads in
 * flight; pulled, so nothing is read further ahead than that. `take` makes
 * what is yielded of each piece (a copy, a decoded string): it runs as the
 * read completes, in file order, and the piece is only valid during the call.
 */
export async function* pieces<T>(
  channel: Channel,
  handle: number,
  path: string,
  take: (bytes: Uint8Array) => T,
): AsyncGenerator<T, void, undefined> {
  const slot = channel.replySlot;
  let ended = false;
  const next = (): Promise<T | undefined> =>
    channel.requestReply(KIND_READ, handle, "fd_read", path, readPayload(slot), {
      bytes: slot,
      take(reply, answer) {
        if (answer.value === 0) ended = true;
        return ended ? undefined : take(reply.subarray(0, answer.value));
      },
    });
  const inFlight: Promise<T | undefined>[] = [];
  try {
    for (;;) {
      while (!ended && inFlight.length < AHEAD) inFlight.push(handled(next()));
      if (inFlight.length === 0) return;
      const piece = await inFlight.shift()!;
      if (piece !== undefined) yield piece;
    }
  } finally {
    await Promise.allSettled(inFlight); // let the reads out finish before the file is used again
  }
}

/** The rest of the file, from its position; `sizeHint` sizes the buffer (it grows if the file did). */
export async function readRest(channel: Channel, handle: number, path: string, sizeHint: number): Promise<Uint8Array> {
  // Not zero-filled: only what was read is handed out (a 256 MiB zero fill held the loop ~60 ms).
  let buffer: Uint8Array = Buffer.allocUnsafeSlow(Math.max(sizeHint, 1));
  let length = 0;
  const append = (bytes: Uint8Array): void => {
    if (length + bytes.length > buffer.length) {
      const grown = new Uint8Array(Math.max(buffer.length * 2, length + bytes.length));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(bytes, length);
    length += bytes.length;
  };
  for await (const _ of pieces(channel, handle, path, append));
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}

/**
 * The file's lines, from its position: UTF-8, without their "\n" (or
 * "\r\n"); a last line without one too. A hand-written iterator, not an
 * async generator: a generator costs a promise hop per line, which made it
 * slower than node:readline. Each line is a slice of the decoded piece (no
 * copy, unlike split()), handed out in a resolved promise that is parked now
 * and then (settle) so the caller's loop still gets its turns.
 */
export class LineReader implements AsyncIterableIterator<string> {
  readonly #channel: Channel;
  readonly #handle: number;
  readonly #path: string;
  readonly #decoder = new Utf8Pieces();
  #refused: Error | undefined;
  #text = ""; // the decoded text not yet handed out, from #at
  #at = 0;
  #reads: Promise<string | undefined>[] = [];
  #ended = false; // the last read came back empty
  #done = false;
  #filling: Promise<IteratorResult<string, undefined>> | undefined;

  /** `refused`: why the file cannot be read (closed, not opened for reading); told at the first next(). */
  constructor(channel: Channel, handle: number, path: string, refused: Error | undefined) {
    this.#channel = channel;
    this.#handle = handle;
    this.#path = path;
    this.#refused = refused;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string, undefined>> {
    const end = this.#text.indexOf("\n", this.#at);
    if (end >= 0) {
      const value = this.#line(end);
      return settle({ value, done: false }, value.length);
    }
    if (this.#filling) return this.#filling.then(() => this.next()); // a next() that did not wait for the last
    this.#filling = this.#fill().finally(() => {
      this.#filling = undefined;
    });
    return this.#filling;
  }

  /** Stops early (a `break` out of for await): the reads in flight finish before the file is used again. */
  async return(): Promise<IteratorResult<string, undefined>> {
    this.#done = true;
    this.#text = "";
    this.#at = 0;
    await Promise.allSettled(this.#reads);
    this.#reads = [];
    return { value: undefined, done: true };
  }

  async #fill(): Promise<IteratorResult<string, undefined>> {
    if (this.#refused) {
      const error = this.#refused;
      this.#refused = undefined;
      this.#done = true;
      throw error;
    }
    try {
      while (!this.#done) {
        while (!this.#ended && this.#reads.length < AHEAD) this.#reads.push(handled(this.#read()));
        const read = this.#reads.shift();
        const text = read === undefined ? undefined : await read;
        if (text === undefined) {
          if (this.#reads.length > 0) continue;
          this.#done = true;
          this.#text = this.#text.slice(this.#at) + this.#decoder.end();
          this.#at = 0;
          if (this.#text !== "") return { value: this.#line(this.#text.length), done: false };
          break;
        }
        this.#text = this.#text.slice(this.#at) + text; // what is left of the last piece: a line cut in two
        this.#at = 0;
        const end = this.#text.indexOf("\n");
        if (end >= 0) return { value: this.#line(end), done: false };
      }
    } catch (error) {
      await this.return();
      throw error;
    }
    return { value: undefined, done: true };
  }

  /** The line from #at to `end` (a "\n", or the end of the text), without a "\r" before it; #at moves past it. */
  #line(end: number): string {
    const start = this.#at;
    this.#at = end + 1;
    return this.#text.slice(start, this.#text.charCodeAt(end - 1) === CR && end > start ? end - 1 : end);
  }

  /** One read of a reply slot, decoded as it completes (in file order, so a character cut between reads is whole). */
  #read(): Promise<string | undefined> {
    const slot = this.#channel.replySlot;
    return this.#channel.requestReply(KIND_READ, this.#handle, "fd_read", this.#path, readPayload(slot), {
      bytes: slot,
      take: (reply, answer) => {
        if (answer.value === 0) this.#ended = true;
        return this.#ended ? undefined : this.#decoder.decode(reply.subarray(0, answer.value));
      },
    });
  }
}

const CR = 13;

/**
 * UTF-8 text of consecutive pieces that may cut a character in two. Buffer's
 * decoder, not a streaming TextDecoder: on Node that was most of readLines()'
 * time. The bytes of a cut character wait for the next piece; malformed bytes
 * become U+FFFD, as with TextDecoder.
 */
export class Utf8Pieces {
  #held: Uint8Array | undefined;

  decode(piece: Uint8Array): string {
    let bytes = piece;
    if (this.#held) {
      bytes = new Uint8Array(this.#held.length + piece.length);
      bytes.set(this.#held);
      bytes.set(piece, this.#held.length);
      this.#held = undefined;
    }
    const whole = completeUpTo(bytes);
    if (whole < bytes.length) this.#held = bytes.slice(whole);
    return utf8(bytes, whole);
  }

  /** What a last, cut character leaves (U+FFFD). */
  end(): string {
    const held = this.#held;
    this.#held = undefined;
    return held ? utf8(held, held.length) : "";
  }
}

const utf8 = (bytes: Uint8Array, length: number): string => Buffer.from(bytes.buffer, bytes.byteOffset, length).toString("utf8");

/** Where the last character of `bytes` that is cut short starts (bytes.length when none is). */
function completeUpTo(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + length > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}
