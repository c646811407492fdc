// Argument checks for the public API: misuse is a TypeError with a Node-style code.
import { ArgumentError, WasiError } from "../errors.js";
import {
  OPEN_APPEND,
  OPEN_CREATE,
  OPEN_EXCLUSIVE,
  OPEN_MKDIR,
  OPEN_READ,
  OPEN_TRUNCATE,
  OPEN_WRITE,
  PATH_MAX,
  WANT_SYNCED,
  WANT_WRITTEN,
} from "../transport/layout.js";

/**
 * How a file is opened: "w" truncates, "a" appends, "x" fails with EEXIST if
 * it exists; "r" reads, "r+" reads and writes (neither creates), "a+" reads
 * and appends (creating it).
 */
export type OpenFlags = "w" | "a" | "wx" | "ax" | "r" | "r+" | "a+";

/** What write() takes: a string (written as UTF-8) or any ArrayBufferView. */
export type WriteData = string | ArrayBufferView;

/**
 * When write() resolves: "accepted" (the bytes are in the sandbox's buffer;
 * fastest, lost on SIGKILL or a crash), "written" (fd_write handed them to
 * the OS; survives the process dying) or "synced" (an fdatasync covered them;
 * survives power loss). Concurrent writers share one fd_write and one
 * fdatasync (group commit).
 */
export type Durability = "accepted" | "written" | "synced";

const FLAG_BITS: Record<OpenFlags, number> = {
  w: OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE,
  a: OPEN_WRITE | OPEN_CREATE | OPEN_APPEND,
  wx: OPEN_WRITE | OPEN_EXCLUSIVE,
  ax: OPEN_WRITE | OPEN_EXCLUSIVE | OPEN_APPEND,
  r: OPEN_READ,
  "r+": OPEN_READ | OPEN_WRITE,
  "a+": OPEN_READ | OPEN_WRITE | OPEN_CREATE | OPEN_APPEND,
};

const DURABILITY_BITS: Record<Durability, number> = { accepted: 0, written: WANT_WRITTEN, synced: WANT_SYNCED };

export function flagBits(flags: unknown): number {
  if (typeof flags !== "string") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `flags must be a string, got ${typeof flags}`);
  }
  if (!Object.hasOwn(FLAG_BITS, flags)) {
    throw new ArgumentError(
      "ERR_INVALID_ARG_VALUE",
      `flags must be one of "w", "a", "wx", "ax", "r", "r+", "a+"; got "${flags}"`,
    );
  }
  return FLAG_BITS[flags as OpenFlags];
}

/** The WANT_* bits of a durability level; `undefined` gives `fallback`'s. */
export function durabilityBits(durability: unknown, name = "durability"): number {
  if (typeof durability !== "string" || !Object.hasOwn(DURABILITY_BITS, durability)) {
    const got = typeof durability === "string" ? `"${durability}"` : describe(durability);
    const code = typeof durability === "string" ? "ERR_INVALID_ARG_VALUE" : "ERR_INVALID_ARG_TYPE";
    throw new ArgumentError(code, `${name} must be "accepted", "written" or "synced"; got ${got}`);
  }
  return DURABILITY_BITS[durability as Durability];
}

/** Options of AsyncFile#write(). */
export interface WriteOptions {
  /** When this write resolves, whatever the file's durability (see Durability). */
  durability?: Durability;
}

/** write()'s options: the WANT_* bits of its durability, or undefined for the file's. */
export function checkWriteOptions(options: unknown): number | undefined {
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options must be an object, got ${describe(options)}`);
  }
  const { durability } = options as { durability?: unknown };
  return durability === undefined ? undefined : durabilityBits(durability, "options.durability");
}

/** Options of open(). */
export interface OpenOptions {
  /** Create missing parent folders (inside the sandbox). Default false. */
  mkdir?: boolean;
  /** When write() resolves (see Durability). Default: the sandbox's. */
  durability?: Durability;
}

/** open()'s options: the OPEN_* bits they add, and the WANT_* bits of the durability (or undefined). */
export function checkOpenOptions(options: unknown): { bits: number; durability: number | undefined } {
  if (options === undefined) return { bits: 0, durability: undefined };
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options must be an object, got ${describe(options)}`);
  }
  const { mkdir, durability } = options as { mkdir?: unknown; durability?: unknown };
  if (mkdir !== undefined && typeof mkdir !== "boolean") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options.mkdir must be a boolean, got ${describe(mkdir)}`);
  }
  return {
    bits: mkdir === true ? OPEN_MKDIR : 0,
    durability: durability === undefined ? undefined : durabilityBits(durability, "options.durability"),
  };
}

export function checkPath(path: unknown): string {
  if (typeof path !== "string") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `path must be a string, got ${describe(path)}`);
  }
  return path;
}

const encoder = new TextEncoder();

/**
 * A guest path as UTF-8. A path longer than the core takes is ENAMETOOLONG
 * here, before it is queued, so it can never wedge the sandbox's queue.
 */
export function pathBytes(path: string, syscall: string): Uint8Array {
  // A UTF-16 unit is at least one UTF-8 byte: no need to encode a huge string to refuse it.
  const bytes = path.length > PATH_MAX ? undefined : encoder.encode(path);
  if (!bytes || bytes.length > PATH_MAX) throw new WasiError(37, syscall, path, `longer than ${PATH_MAX} bytes`);
  return bytes;
}

/** The payload of an OPEN record: the OPEN_* bits, then the path as UTF-8. */
export function openPayload(bits: number, path: string): Uint8Array {
  const bytes = pathBytes(path, "path_open");
  const payload = new Uint8Array(4 + bytes.length);
  new DataView(payload.buffer).setUint32(0, bits, true);
  payload.set(bytes, 4);
  return payload;
}

/**
 * A detached buffer's views all have length 0. ArrayBuffer#detached is not in
 * Node 20, so where it is missing, making a view is the test (it throws).
 */
function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: boolean }).detached;
  if (flag !== undefined) return flag;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** A string as is, or a Uint8Array view of the caller's bytes (no copy). */
export function toWritable(data: unknown): string | Uint8Array {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) {
    if (data.byteLength === 0 && isDetached(data.buffer)) {
      throw new ArgumentError("ERR_INVALID_ARG_VALUE", "data is a view of a detached ArrayBuffer");
    }
    return data instanceof Uint8Array && data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new ArgumentError("ERR_INVALID_ARG_TYPE", `data must be a string or an ArrayBufferView, got ${describe(data)}`);
}

export function checkSize(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError("ERR_INVALID_ARG_VALUE", `${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** An optional boolean option: false when absent. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an instance of ${value.constructor?.name ?? "Object"}`;
  return `type ${typeof value}`;
}
