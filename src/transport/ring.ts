// The producer side of the ring (main thread). Records are written straight
// into the core's shared memory and published with one Atomics.store of TAIL;
// the worker is woken only when it sleeps. See layout.ts for the format.
import { isDeno } from "../hosts/runtime.js";
import {
  CTRL_HEAD,
  CTRL_SPACE_WANTED,
  CTRL_STATE,
  CTRL_TAIL,
  KIND_PAD,
  KIND_WRITE,
  REC_ALIGN,
  REC_FILE,
  REC_FLAGS_SHIFT,
  REC_HEADER,
  REC_KIND,
  REC_LEN,
  REC_SEQ,
  STATE_RUNNING,
  STATE_SLEEPING,
  WHOLE_BELOW,
} from "./layout.js";

const encoder = new TextEncoder();

/** Node's Buffer with its native UTF-8 writer (not in @types/node). */
type NativeBuffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };
// Where Node's native utf8Write is missing (Deno), strings up to this many
// UTF-16 units are copied by a plain loop while they are ASCII: cheaper than
// a subarray plus encodeInto for short log lines.
const ASCII_LOOP_MAX = 256;
// The smallest string record worth making: room for any one UTF-8 character.
const MIN_STRING_ROOM = REC_HEADER + 8;
// The most UTF-16 units encoded in one step: 256 Ki units is ~0.5 ms on Node
// and Deno, ~2 ms on Bun, so a huge string never holds the caller's loop long.
const STRING_STEP = 1 << 18;

/** UTF-8 length of a string, by a pass over it: only for short strings, or at exit. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function align(n: number): number {
  return (n + REC_ALIGN - 1) & ~(REC_ALIGN - 1);
}

export class RingProducer {
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #buf: NativeBuffer | undefined; // the same memory as a Node Buffer, where it is fast
  readonly #ctrl: number; // byte offset of the control block
  readonly #ring: number; // byte offset of the ring
  readonly #size: number;
  readonly #seqs: Uint32Array; // each file's last write sequence number
  #tail = 0; // our copy: only the producer writes TAIL
  /** Bytes the last writeString() put in the ring. */
  lastWritten = 0;
  /** The sequence number of the last WRITE record made. */
  lastSeq = 0;
  /** Payload bytes of every WRITE record ever made (what was accepted into the ring). */
  acceptedBytes = 0;

  constructor(buffer: SharedArrayBuffer, ctrl: number, ring: number, size: number, files: number) {
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    // utf8Write is what Buffer#write calls after it has parsed its arguments;
    // it has been on Buffer.prototype since Node 0.x (protobufjs and others
    // use it). Only where it exists; otherwise the portable path below.
    const buf = typeof Buffer === "function" && !isDeno ? (Buffer.from(buffer) as NativeBuffer) : undefined;
    this.#buf = typeof buf?.utf8Write === "function" ? buf : undefined;
    this.#ctrl = ctrl;
    this.#ring = ring;
    this.#size = size;
    this.#seqs = new Uint32Array(files);
  }

  #word(offset: number): number {
    return (this.#ctrl + offset) >> 2;
  }

  /** Bytes the consumer has not finished with. */
  get inFlight(): number {
    const head = Atomics.load(this.#i32, this.#word(CTRL_HEAD));
    return this.#tail >= head ? this.#tail - head : this.#size - head + this.#tail;
  }

  /** A file's next sequence numbers start again (a handle given to a new file). */
  resetSeq(file: number): void {
    this.#seqs[file] = 0;
  }

  /**
   * Contiguous free bytes at the tail for a record that would like `want`
   * bytes. When the end of the ring is shorter than that and the start has
   * more room, a PAD record sends the consumer (and us) back to offset 0.
   * One REC_ALIGN gap is always kept so that a full ring is not mistaken for an empty one.
   */
  #room(want: number): number {
    const head = Atomics.load(this.#i32, this.#word(CTRL_HEAD)) >>> 0;
    const tail = this.#tail;
    if (tail < head) return head - tail - REC_ALIGN;
    const atEnd = this.#size - tail - (head === 0 ? REC_ALIGN : 0);
    const atStart = head - REC_ALIGN;
    if (atEnd >= want || atStart <= atEnd) return atEnd;
    this.#i32[(this.#ring + tail + REC_KIND) >> 2] = KIND_PAD;
    this.#tail = 0;
    return atStart;
  }

  #header(kind: number, file: number, len: number, seq: number): number {
    const at = this.#ring + this.#tail;
    const w = at >> 2;
    this.#i32[w + REC_KIND / 4] = kind;
    this.#i32[w + REC_FILE / 4] = file;
    this.#i32[w + REC_LEN / 4] = len;
    this.#i32[w + REC_SEQ / 4] = seq;
    const end = this.#tail + align(REC_HEADER + len);
    this.#tail = end === this.#size ? 0 : end;
    return at + REC_HEADER;
  }

  /** A WRITE record's header; `flags` (WANT_*) go on the record that completes a write. */
  #writeHeader(file: number, len: number, last: boolean, flags: number): void {
    const seq = (this.#seqs[file]! + 1) >>> 0;
    this.#seqs[file] = seq;
    this.lastSeq = seq;
    this.acceptedBytes += len;
    this.#header(last ? KIND_WRITE | (flags << REC_FLAGS_SHIFT) : KIND_WRITE, file, len, seq);
  }

  /** Copies as much of bytes[from..] as fits into one WRITE record; returns the count. */
  writeBytes(file: number, bytes: Uint8Array, from: number, flags: number): number {
    const left = bytes.length - from;
    const room = this.#room(REC_HEADER + left);
    if (room <= REC_HEADER) return 0;
    const n = Math.min(left, room - REC_HEADER);
    if (n < left && bytes.length < WHOLE_BELOW) return 0; // small writes wait to go in whole
    const at = this.#ring + this.#tail + REC_HEADER;
    this.#u8.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), at);
    this.#writeHeader(file, n, n === left, flags);
    return n;
  }

  /**
   * Encodes as much of text[from..] as fits (UTF-8, never splitting a
   * character) into one WRITE record. Returns the UTF-16 units read; the
   * bytes written are in `lastWritten` (no array per write: W1 makes a million).
   * Work is bounded by the room in the ring, never by the string's length:
   * a 256 MiB string goes in a ring's worth at a time as space frees.
   */
  writeString(file: number, text: string, from: number, flags: number): number {
    const left = text.length - from;
    const room = this.#room(REC_HEADER + left * 3);
    this.lastWritten = 0;
    if (room < MIN_STRING_ROOM) return 0;
    const at = this.#ring + this.#tail + REC_HEADER;
    const cap = room - REC_HEADER;
    if (from === 0 && left * 3 <= cap && this.#buf) {
      // Node's native UTF-8 copy: the fastest way in for a whole string, and
      // it never writes half a character.
      const written = this.#buf.utf8Write(text, at, cap);
      this.#writeHeader(file, written, true, flags);
      this.lastWritten = written;
      return left;
    }
    if (from === 0 && left <= ASCII_LOOP_MAX && left <= cap) {
      const u8 = this.#u8;
      let i = 0;
      for (; i < left; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) break;
        u8[at + i] = c;
      }
      if (i === left) {
        this.#writeHeader(file, left, true, flags);
        this.lastWritten = left;
        return left;
      }
    }
    // At most `cap` units can fit in `cap` bytes: slicing there (and at
    // STRING_STEP) bounds the work by the room, never by the string's length.
    const units = Math.min(cap, STRING_STEP);
    const piece = from === 0 && left <= units ? text : text.slice(from, from + units);
    const { read, written } = encoder.encodeInto(piece, this.#u8.subarray(at, at + cap));
    if (written === 0) return 0;
    // A small write waits for room to go in whole (WHOLE_BELOW); the bytes
    // encoded past TAIL are simply overwritten later.
    if (read < left && from === 0 && text.length < WHOLE_BELOW && utf8Length(text) < WHOLE_BELOW) return 0;
    this.#writeHeader(file, written, read === left, flags);
    this.lastWritten = written;
    return read;
  }

  /** Writes a control record with an optional payload; false if it does not fit yet. */
  writeControl(kind: number, file: number, req: number, payload?: Uint8Array): boolean {
    const len = payload?.length ?? 0;
    const need = align(REC_HEADER + len);
    const room = this.#room(need);
    if (room < need) return false;
    const at = this.#header(kind, file, len, req);
    if (payload) this.#u8.set(payload, at);
    return true;
  }

  /**
   * Makes what was written visible to the worker. Control records (`urgent`)
   * and an eighth of the ring go at once; otherwise TAIL is stored on the next
   * macrotask, so the worker sees a burst of small writes as one batch and
   * writes it in a few large fd_write calls (the caller's loop yields at least
   * every ~0.5 ms, see yield.ts; flush() and exit publish at once).
   */
  publish(urgent: boolean): void {
    if (urgent || this.#tail - this.#published >= this.#size >> 3 || this.#tail < this.#published) {
      this.#publishNow();
    } else if (!this.#publishScheduled) {
      this.#publishScheduled = true;
      setImmediate(this.#deferredPublish);
    }
  }

  /**
   * Publishes at the end of the current microtask run: writers that wait for
   * their bytes to be written (durable writes) are resumed together, and what
   * they write next should go to the worker as one group, at once.
   */
  publishSoon(): void {
    if (this.#microtaskScheduled) return;
    this.#microtaskScheduled = true;
    queueMicrotask(this.#microtaskPublish);
  }

  #published = 0; // the TAIL the worker can see
  #publishScheduled = false;
  #microtaskScheduled = false;
  readonly #deferredPublish = (): void => {
    this.#publishScheduled = false;
    this.#publishNow();
  };
  readonly #microtaskPublish = (): void => {
    this.#microtaskScheduled = false;
    this.#publishNow();
  };

  #publishNow(): void {
    if (this.#published === this.#tail) return;
    this.#published = this.#tail;
    Atomics.store(this.#i32, this.#word(CTRL_TAIL), this.#tail);
    this.wake();
  }

  wake(): void {
    const state = this.#word(CTRL_STATE);
    if (Atomics.compareExchange(this.#i32, state, STATE_SLEEPING, STATE_RUNNING) === STATE_SLEEPING) {
      Atomics.notify(this.#i32, state);
    }
  }

  /**
   * Asks the worker to say when it frees space. Returns true if space was
   * freed meanwhile (then the caller just retries), closing the race between
   * this flag and the worker's check of it.
   */
  wantSpace(headSeen: number): boolean {
    Atomics.store(this.#i32, this.#word(CTRL_SPACE_WANTED), 1);
    return Atomics.load(this.#i32, this.#word(CTRL_HEAD)) >>> 0 !== headSeen;
  }

  get head(): number {
    return Atomics.load(this.#i32, this.#word(CTRL_HEAD)) >>> 0;
  }

  /** True when the worker has consumed everything written. */
  get empty(): boolean {
    return this.head === this.#tail;
  }

  /**
   * Publishes everything and blocks this thread until the worker has consumed
   * more, or `until` (performance.now() ms) passes. Only for process exit and
   * signals, when nothing else can run. Returns false at the deadline.
   */
  waitConsumed(until: number): boolean {
    this.#publishNow();
    const headWord = this.#word(CTRL_HEAD);
    const head = Atomics.load(this.#i32, headWord);
    if (head >>> 0 === this.#tail) return true;
    const left = until - performance.now();
    if (left <= 0) return false;
    this.wake();
    Atomics.wait(this.#i32, headWord, head, Math.min(left, 50));
    return true;
  }
}
