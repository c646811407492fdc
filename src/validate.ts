// Argument checks for the public API: misuse is a TypeError with a Node-style code.
import { ArgumentError } from "./errors.js";
import { OPEN_APPEND, OPEN_EXCLUSIVE, OPEN_MKDIR } from "./layout.js";

/** How a file is opened: "w" truncates, "a" appends, "x" fails with EEXIST if it exists. */
export type OpenFlags = "w" | "a" | "wx" | "ax";

/** What write() takes: a string (written as UTF-8) or any ArrayBufferView. */
export type WriteData = string | ArrayBufferView;

const FLAG_BITS: Record<OpenFlags, number> = {
  w: 0,
  a: OPEN_APPEND,
  wx: OPEN_EXCLUSIVE,
  ax: OPEN_APPEND | OPEN_EXCLUSIVE,
};

export function flagBits(flags: unknown): number {
  if (typeof flags !== "string") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `flags must be a string, got ${typeof flags}`);
  }
  if (!Object.hasOwn(FLAG_BITS, flags)) {
    throw new ArgumentError("ERR_INVALID_ARG_VALUE", `flags must be one of "w", "a", "wx", "ax"; got "${flags}"`);
  }
  return FLAG_BITS[flags as OpenFlags];
}

/** Options of open(). */
export interface OpenOptions {
  /** Create missing parent folders (inside the sandbox). Default false. */
  mkdir?: boolean;
}

/** The OPEN_* bits of open()'s options, like flagBits() for its flags. */
export function optionBits(options: unknown): number {
  if (options === undefined) return 0;
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options must be an object, got ${describe(options)}`);
  }
  const { mkdir } = options as { mkdir?: unknown };
  if (mkdir !== undefined && typeof mkdir !== "boolean") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options.mkdir must be a boolean, got ${describe(mkdir)}`);
  }
  return mkdir === true ? OPEN_MKDIR : 0;
}

export function checkPath(path: unknown): string {
  if (typeof path !== "string") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `path must be a string, got ${describe(path)}`);
  }
  return path;
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

export function checkPreopens(preopens: unknown): Record<string, string> {
  if (typeof preopens !== "object" || preopens === null || Array.isArray(preopens)) {
    throw new ArgumentError(
      "ERR_INVALID_ARG_TYPE",
      `preopens must be an object of guest dir -> host dir, got ${describe(preopens)}`,
    );
  }
  const entries = Object.entries(preopens);
  if (entries.length === 0) throw new ArgumentError("ERR_INVALID_ARG_VALUE", "preopens must name at least one directory");
  for (const [guest, host] of entries) {
    if (typeof host !== "string" || host === "" || guest === "") {
      throw new ArgumentError("ERR_INVALID_ARG_VALUE", `preopen "${guest}" must map to a host directory path`);
    }
  }
  return preopens as Record<string, string>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an instance of ${value.constructor?.name ?? "Object"}`;
  return `type ${typeof value}`;
}
