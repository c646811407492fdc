// Reading an open file: the core reads into a slot of the reply area (shared
// memory) and the main thread copies from there: one copy into the caller's
// buffer, no bytes in a postMessage. A read is at most one slot, so a large
// read or a line iterator interleaves with the writes of the same sandbox
// instead of holding them up; a few reads are kept in flight for speed.
import type { Channel } from "../transport/channel.js";
import { KIND_FSTAT, KIND_READ, REPLY_STAT_BYTES } from "../transport/layout.js";
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
      while (!ended && inFlight.length < AHEAD) inFlight.push(next());
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
  let buffer = new Uint8Array(Math.max(sizeHint, 1));
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

/** The file's lines, from its position: UTF-8, without their "\n" (or "\r\n"); a last line without one too. */
export async function* lines(channel: Channel, handle: number, path: string): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  const strip = (line: string) => (line.endsWith("\r") ? line.slice(0, -1) : line);
  let carry = "";
  // Decoded as each read completes (in order), so a character cut between two reads is whole.
  for await (const text of pieces(channel, handle, path, (bytes) => decoder.decode(bytes, { stream: true }))) {
    const parts = (carry + text).split("\n");
    carry = parts.pop()!;
    for (const part of parts) yield strip(part);
  }
  carry += decoder.decode();
  if (carry !== "") yield strip(carry);
}
