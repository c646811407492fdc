// What stat(), lstat() and AsyncFile#stat() give: the fields fs.Stats users
// reach for, made from the core's reply (a WASI filestat and, where the host
// says, its st_mode).
import {
  REPLY_STAT_ATIM,
  REPLY_STAT_CTIM,
  REPLY_STAT_DEV,
  REPLY_STAT_INO,
  REPLY_STAT_MODE,
  REPLY_STAT_MTIM,
  REPLY_STAT_NLINK,
  REPLY_STAT_SIZE,
  REPLY_STAT_TYPE,
} from "../transport/layout.js";

// st_mode's type bits, and the WASI filetypes they come from where a host gives no mode.
const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const TYPE_BITS = [0, S_IFBLK, S_IFCHR, S_IFDIR, S_IFREG, S_IFSOCK, S_IFSOCK, S_IFLNK];

/** A file's metadata, like fs.Stats (times in ms since the epoch). */
export class FileStats {
  readonly dev: number;
  readonly ino: number;
  /**
   * st_mode: type and permission bits. Where the host does not give them
   * (Wasmtime's WASI has no mode), only the type bits, from the file type.
   */
  readonly mode: number;
  readonly nlink: number;
  readonly size: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;

  /** @internal Made from the core's reply. */
  constructor(reply: Uint8Array) {
    const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
    const u64 = (at: number) => Number(view.getBigUint64(at, true));
    const ms = (at: number) => Number(view.getBigUint64(at, true) / 1000n) / 1000;
    this.dev = u64(REPLY_STAT_DEV);
    this.ino = u64(REPLY_STAT_INO);
    this.nlink = u64(REPLY_STAT_NLINK);
    this.size = u64(REPLY_STAT_SIZE);
    this.atimeMs = ms(REPLY_STAT_ATIM);
    this.mtimeMs = ms(REPLY_STAT_MTIM);
    this.ctimeMs = ms(REPLY_STAT_CTIM);
    const mode = view.getUint32(REPLY_STAT_MODE, true);
    this.mode = mode !== 0 ? mode : (TYPE_BITS[view.getUint8(REPLY_STAT_TYPE)] ?? 0);
  }

  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }

  #is(type: number): boolean {
    return (this.mode & S_IFMT) === type;
  }

  isFile(): boolean {
    return this.#is(S_IFREG);
  }
  isDirectory(): boolean {
    return this.#is(S_IFDIR);
  }
  isSymbolicLink(): boolean {
    return this.#is(S_IFLNK);
  }
  isFIFO(): boolean {
    return this.#is(S_IFIFO);
  }
  isSocket(): boolean {
    return this.#is(S_IFSOCK);
  }
  isCharacterDevice(): boolean {
    return this.#is(S_IFCHR);
  }
  isBlockDevice(): boolean {
    return this.#is(S_IFBLK);
  }
}
