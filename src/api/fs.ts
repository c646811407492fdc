// The rest of the file system, inside the sandbox: each operation is one
// control record the core runs with the same path resolution, race rules and
// codes as opening a file (assembly/ops.ts). Sandbox's methods call these.
import { randomBytes } from "node:crypto";
import { ArgumentError, WasiError } from "../errors.js";
import type { Channel } from "../transport/channel.js";
import {
  ATOMIC_SLOTS,
  KIND_CLOSE,
  KIND_COMMIT,
  KIND_MKDIR,
  KIND_OPEN,
  KIND_READDIR,
  KIND_RENAME,
  KIND_RMDIR,
  KIND_STAT,
  KIND_UNLINK,
  MKDIR_RECURSIVE,
  NAME_MAX,
  OPEN_ATOMIC,
  OPEN_EXCLUSIVE,
  OPEN_MKDIR,
  OPEN_READ,
  OPEN_WRITE,
  REPLY_STAT_BYTES,
  STAT_NOFOLLOW,
} from "../transport/layout.js";
import { fstat, readRest } from "./reads.js";
import { FileStats } from "./stats.js";
import { checkPath, describe, pathBytes } from "./validate.js";

const EMFILE = 33;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What an operation needs of its sandbox. */
export interface FsContext {
  channel: Channel;
  /** Throws EBADF when the sandbox is closing. */
  open(syscall: string, path: string): void;
}

/** A payload: a header of `words` u32s (the first ones given), then the path. */
function withPath(path: string, syscall: string, words: number[], size = words.length * 4): Uint8Array {
  const bytes = pathBytes(path, syscall);
  const payload = new Uint8Array(size + bytes.length);
  const view = new DataView(payload.buffer);
  for (const [i, word] of words.entries()) view.setUint32(i * 4, word, true);
  payload.set(bytes, size);
  return payload;
}

/** "a/b/" names the folder "a/b": rmdir and mkdir take it so (the core reads a trailing "/" as "/."). */
function withoutTrailingSlash(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? path : trimmed;
}

async function run(ctx: FsContext, kind: number, syscall: string, path: string, payload: Uint8Array): Promise<void> {
  ctx.open(syscall, path);
  await ctx.channel.request(kind, 0, syscall, path, payload);
}

export async function mkdir(ctx: FsContext, path: unknown, options?: unknown): Promise<void> {
  const target = withoutTrailingSlash(checkPath(path));
  const recursive = recursiveOption(options);
  await run(
    ctx,
    KIND_MKDIR,
    "path_create_directory",
    target,
    withPath(target, "path_create_directory", [recursive ? MKDIR_RECURSIVE : 0]),
  );
}

function recursiveOption(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options must be an object, got ${describe(options)}`);
  }
  const { recursive } = options as { recursive?: unknown };
  if (recursive !== undefined && typeof recursive !== "boolean") {
    throw new ArgumentError("ERR_INVALID_ARG_TYPE", `options.recursive must be a boolean, got ${describe(recursive)}`);
  }
  return recursive === true;
}

export async function unlink(ctx: FsContext, path: unknown): Promise<void> {
  const target = checkPath(path);
  await run(ctx, KIND_UNLINK, "path_unlink_file", target, pathBytes(target, "path_unlink_file"));
}

export async function rmdir(ctx: FsContext, path: unknown): Promise<void> {
  const target = withoutTrailingSlash(checkPath(path));
  await run(ctx, KIND_RMDIR, "path_remove_directory", target, pathBytes(target, "path_remove_directory"));
}

export async function rename(ctx: FsContext, from: unknown, to: unknown): Promise<void> {
  const source = checkPath(from); // a trailing "/" stays: the core checks the entry is a folder
  const target = checkPath(to);
  const a = pathBytes(source, "path_rename");
  const b = pathBytes(target, "path_rename");
  const payload = new Uint8Array(4 + a.length + b.length);
  new DataView(payload.buffer).setUint32(0, a.length, true);
  payload.set(a, 4);
  payload.set(b, 4 + a.length);
  await run(ctx, KIND_RENAME, "path_rename", source, payload);
}

export async function stat(ctx: FsContext, path: unknown, follow: boolean): Promise<FileStats> {
  const target = checkPath(path);
  const payload = withPath(target, "path_filestat_get", [0, follow ? 0 : STAT_NOFOLLOW]);
  ctx.open("path_filestat_get", target);
  return ctx.channel.requestReply(KIND_STAT, 0, "path_filestat_get", target, payload, {
    bytes: REPLY_STAT_BYTES,
    take: (reply) => new FileStats(reply.slice(0, REPLY_STAT_BYTES)),
  });
}

// A WASI dirent: d_next u64, d_ino u64, d_namlen u32, d_type u8, 3 bytes pad, then the name.
const DIRENT_HEADER = 24;

/** The names in a folder ("." and ".." left out), in the order the host lists them. */
export async function readdir(ctx: FsContext, path: unknown): Promise<string[]> {
  const target = checkPath(path);
  ctx.open("fd_readdir", target);
  const channel = ctx.channel;
  const names: string[] = [];
  let cookie = 0n;
  for (;;) {
    const payload = withPath(target, "fd_readdir", [0, channel.replySlot], 16);
    new DataView(payload.buffer).setBigUint64(8, cookie, true);
    const { more, next } = await channel.requestReply(KIND_READDIR, 0, "fd_readdir", target, payload, {
      bytes: channel.replySlot,
      take(reply, answer) {
        const view = new DataView(reply.buffer, reply.byteOffset, answer.value);
        let at = 0;
        let last = cookie;
        // A full buffer may end in a cut entry: stop at the last whole one, and ask again from there.
        while (at + DIRENT_HEADER <= answer.value) {
          const length = view.getUint32(at + 16, true);
          if (at + DIRENT_HEADER + length > answer.value) break;
          const name = decoder.decode(reply.subarray(at + DIRENT_HEADER, at + DIRENT_HEADER + length));
          if (name !== "." && name !== "..") names.push(name);
          last = view.getBigUint64(at, true);
          at += DIRENT_HEADER + length;
        }
        return { more: answer.value === channel.replySlot && last !== cookie, next: last };
      },
    });
    if (!more) return names;
    cookie = next;
  }
}

/** The whole file: bytes, or a string with "utf8". */
export async function readFile(ctx: FsContext, path: unknown, encoding: unknown): Promise<Uint8Array | string> {
  const target = checkPath(path);
  const text = encodingOf(encoding);
  const payload = withPath(target, "path_open", [OPEN_READ]);
  ctx.open("path_open", target);
  const channel = ctx.channel;
  const handle = await openHandle(channel, target, payload);
  try {
    const { size } = await fstat(channel, handle, target);
    const bytes = await readRest(channel, handle, target, size);
    return text ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8") : bytes;
  } finally {
    await channel.request(KIND_CLOSE, handle, "fd_close", target).finally(() => channel.releaseHandle(handle));
  }
}

function encodingOf(encoding: unknown): boolean {
  const name = typeof encoding === "object" && encoding !== null ? (encoding as { encoding?: unknown }).encoding : encoding;
  if (name === undefined || name === null || name === "buffer") return false;
  if (name === "utf8" || name === "utf-8") return true;
  throw new ArgumentError("ERR_INVALID_ARG_VALUE", `encoding must be "utf8" (or absent, for bytes), got ${String(name)}`);
}

/** Takes a file handle and opens `path` on it with an OPEN `payload`; the handle is given back if that fails. */
export async function openHandle(channel: Channel, path: string, payload: Uint8Array): Promise<number> {
  const handle = channel.takeHandle();
  if (handle === undefined) throw new WasiError(EMFILE, "path_open", path, "the sandbox has the most files it can open");
  try {
    await channel.request(KIND_OPEN, handle, "path_open", path, payload);
  } catch (error) {
    channel.releaseHandle(handle);
    throw error;
  }
  return handle;
}

/**
 * writeFile(..., { atomic: true }): a temp file with an unguessable name is
 * created (O_EXCL) beside the target, written, made durable, and renamed over
 * the target, and the folder synced: readers see the old content or the new,
 * never a mix, and a crash leaves one of the two. On any failure the temp is
 * removed and the target left as it was.
 */
export async function writeAtomic(ctx: FsContext, path: string, data: string | Uint8Array, mkdirs: boolean): Promise<void> {
  const base = path.slice(path.lastIndexOf("/") + 1) || "file";
  const suffix = `.${randomBytes(12).toString("hex")}.tmp`; // ASCII: one byte a character
  const temp = encoder.encode(utf8Prefix(`.${base}`, NAME_MAX - suffix.length) + suffix);
  const target = pathBytes(path, "path_open");
  const payload = new Uint8Array(8 + temp.length + target.length);
  const view = new DataView(payload.buffer);
  view.setUint32(0, OPEN_WRITE | OPEN_EXCLUSIVE | OPEN_ATOMIC | (mkdirs ? OPEN_MKDIR : 0), true);
  view.setUint32(4, temp.length, true);
  payload.set(temp, 8);
  payload.set(target, 8 + temp.length);
  ctx.open("path_open", path);
  const channel = ctx.channel;
  const slots = atomicSlots.get(channel) ?? new Slots(ATOMIC_SLOTS);
  atomicSlots.set(channel, slots);
  await slots.take(); // the core holds ATOMIC_SLOTS atomic writes at once: more wait their turn
  try {
    const handle = await openHandle(channel, path, payload);
    try {
      if (data.length > 0) channel.write(handle, data, 0, path).catch(() => undefined); // a failure comes back from COMMIT
      await channel.request(KIND_COMMIT, handle, "path_rename", path);
    } finally {
      channel.releaseHandle(handle);
    }
  } finally {
    slots.give();
  }
}

/** The longest start of `text`, in whole characters, whose UTF-8 takes at most `bytes` bytes. */
function utf8Prefix(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

const atomicSlots = new WeakMap<Channel, Slots>();

/** A counting semaphore: take() waits, in order, while all `count` are taken. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = count;
  }

  take(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    // The slot passes straight to the next in line, if there is one.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export { fstat };
