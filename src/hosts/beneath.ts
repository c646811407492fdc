// The host side of the core's anchored path walk (assembly/beneath.ts): each
// step opens, stats, reads, makes or removes exactly one name beneath a
// directory the worker holds open, through /proc/self/fd/<dir>/<name>. Linux
// resolves that from the directory fd itself (the "magic link"), not from
// any path text, so renaming or swapping a folder cannot redirect a step; and
// no step follows a symlink at its last component (O_NOFOLLOW for opens;
// lstat, readlink, mkdir, unlink, rmdir and rename never follow one).
//
// This is the only host-side path code. The core decides what to walk; this
// file only does one step and answers an errno, never throws.
import {
  type BigIntStats,
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  unlinkSync,
} from "node:fs";
import { errnoOfCode } from "../errors.js";

/** O_PATH (Linux): a handle on an entry that opens nothing (no device opened, no FIFO waited on). */
export const O_PATH = 0o10000000;
const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = constants;

// HOW_* of open_beneath, mirrored from assembly/beneath.ts.
const HOW_FLAGS = [0, O_PATH | O_DIRECTORY | O_NOFOLLOW, O_PATH | O_NOFOLLOW, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW];

// WASI filetypes.
const BLOCK_DEVICE = 1;
const CHARACTER_DEVICE = 2;
const DIRECTORY = 3;
const REGULAR_FILE = 4;
const SOCKET_STREAM = 6;
const SYMBOLIC_LINK = 7;
const UNKNOWN = 0;

const EIO = 29;
const EACCES = 2;
/** Where a held fd can be reached by path (Linux). */
const FD_DIR = "/proc/self/fd";
const encoder = new TextEncoder();
const ENAMETOOLONG = 37;

export function wasiTypeOf(stat: BigIntStats): number {
  if (stat.isFile()) return REGULAR_FILE;
  if (stat.isDirectory()) return DIRECTORY;
  if (stat.isSymbolicLink()) return SYMBOLIC_LINK;
  if (stat.isCharacterDevice()) return CHARACTER_DEVICE;
  if (stat.isBlockDevice()) return BLOCK_DEVICE;
  if (stat.isSocket() || stat.isFIFO()) return SOCKET_STREAM; // WASI has no FIFO type
  return UNKNOWN;
}

/** A time in ns; from the ms figure where a host's bigint stats lack the ns one. */
function nanoseconds(ns: bigint | undefined, ms: bigint | number): bigint {
  return typeof ns === "bigint" ? ns : BigInt(ms) * 1_000_000n;
}

/** The WASI errno of a node:fs error (EIO when it has no code the table knows). */
export function errnoOf(error: unknown): number {
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_ACCESS_DENIED") return EACCES; // Node's permission model (--permission) said no
  return (typeof code === "string" && errnoOfCode(code)) || EIO;
}

/** The core's imports for the host-anchored walk, over the core's memory. */
export function beneathImports(memory: WebAssembly.Memory, adopt: (fd: number, access: number) => number) {
  const u8 = new Uint8Array(memory.buffer);
  const view = new DataView(memory.buffer);
  // A string path where the name is UTF-8 (always, but in a link target),
  // else a Buffer: Deno's node:fs builds some error messages from a Buffer
  // path by String.prototype.toString and throws a TypeError instead.
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const at = (dir: number, name: number, len: number): string | Buffer => {
    const bytes = u8.subarray(name, name + len);
    try {
      return `${FD_DIR}/${dir}/${utf8.decode(bytes)}`;
    } catch {
      return Buffer.concat([Buffer.from(`${FD_DIR}/${dir}/`), bytes]);
    }
  };
  const errno = (step: () => void): number => {
    try {
      step();
      return 0;
    } catch (error) {
      return errnoOf(error);
    }
  };
  const writeStat = (stat: BigIntStats, out: number): void => {
    view.setBigUint64(out, stat.dev, true);
    view.setBigUint64(out + 8, stat.ino, true);
    view.setUint8(out + 16, wasiTypeOf(stat));
    view.setBigUint64(out + 24, stat.nlink, true);
    view.setBigUint64(out + 32, stat.size, true);
    view.setBigUint64(out + 40, nanoseconds(stat.atimeNs, stat.atimeMs), true);
    view.setBigUint64(out + 48, nanoseconds(stat.mtimeNs, stat.mtimeMs), true);
    view.setBigUint64(out + 56, nanoseconds(stat.ctimeNs, stat.ctimeMs), true);
    view.setUint32(out + 64, Number(stat.mode), true);
  };
  return {
    open_beneath(dir: number, name: number, len: number, how: number): number {
      try {
        return openSync(at(dir, name, len), HOW_FLAGS[how] ?? O_PATH | O_NOFOLLOW, 0o666);
      } catch (error) {
        return -errnoOf(error);
      }
    },
    stat_fd: (fd: number, out: number): number => errno(() => writeStat(fstatSync(fd, { bigint: true }), out)),
    stat_beneath: (dir: number, name: number, len: number, out: number): number =>
      errno(() => writeStat(lstatSync(at(dir, name, len), { bigint: true }), out)),
    readlink_beneath(dir: number, name: number, len: number, buf: number, cap: number): number {
      try {
        const target = readlinkSync(at(dir, name, len), { encoding: "buffer" });
        if (target.length > cap) return -ENAMETOOLONG;
        u8.set(target, buf);
        return target.length;
      } catch (error) {
        return -errnoOf(error);
      }
    },
    mkdir_beneath: (dir: number, name: number, len: number): number => errno(() => mkdirSync(at(dir, name, len), 0o777)),
    unlink_beneath: (dir: number, name: number, len: number): number =>
      errno(() => {
        // Deno's unlinkSync removes an empty folder too: unlink never does.
        const path = at(dir, name, len);
        if (lstatSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
        unlinkSync(path);
      }),
    rmdir_beneath: (dir: number, name: number, len: number): number => errno(() => rmdirSync(at(dir, name, len))),
    rename_beneath: (fromDir: number, from: number, fromLen: number, toDir: number, to: number, toLen: number): number =>
      errno(() => renameSync(at(fromDir, from, fromLen), at(toDir, to, toLen))),
    close_host: (fd: number): number => errno(() => closeSync(fd)),
    sync_dir: (dir: number): number =>
      // fsync of the folder through a real fd of its own (Deno's WASI cannot sync a folder fd).
      errno(() => {
        const fd = openSync(`${FD_DIR}/${dir}`, O_RDONLY | O_DIRECTORY);
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }),
    readdir_beneath(dir: number, name: number, len: number, cookie: bigint, buf: number, cap: number): number {
      // Opened without following a link, then listed through its own fd: exactly the folder the walk checked.
      let fd: number;
      try {
        fd = openSync(at(dir, name, len), O_PATH | O_DIRECTORY | O_NOFOLLOW);
      } catch (error) {
        return -errnoOf(error);
      }
      try {
        // Names as strings: Bun gives no Dirent methods with encoding "buffer".
        const entries = readdirSync(`${FD_DIR}/${fd}`, { withFileTypes: true });
        return writeDirents(u8, entries, Number(cookie), buf, cap);
      } catch (error) {
        return -errnoOf(error);
      } finally {
        closeSync(fd);
      }
    },
    adopt: (fd: number, access: number): number => adopt(fd, access),
  };
}

/**
 * Folder entries as WASI dirents from index `from` (the cookie), as many as
 * fit in buf[0..cap), the last one possibly cut (as fd_readdir does): the
 * bytes used. d_next is the entry's index + 1; d_ino is left 0.
 */
function writeDirents(u8: Uint8Array, entries: Dirent[], from: number, buf: number, cap: number): number {
  let at = 0;
  for (let i = from; i < entries.length && at < cap; i++) {
    const entry = entries[i]!;
    const name = encoder.encode(entry.name);
    const header = new Uint8Array(24);
    const h = new DataView(header.buffer);
    h.setBigUint64(0, BigInt(i + 1), true);
    h.setUint32(16, name.length, true);
    h.setUint8(20, direntType(entry));
    const whole = new Uint8Array(24 + name.length);
    whole.set(header);
    whole.set(name, 24);
    const fit = Math.min(whole.length, cap - at);
    u8.set(whole.subarray(0, fit), buf + at);
    at += fit;
  }
  return at;
}

function direntType(entry: Dirent): number {
  if (entry.isFile()) return REGULAR_FILE;
  if (entry.isDirectory()) return DIRECTORY;
  if (entry.isSymbolicLink()) return SYMBOLIC_LINK;
  if (entry.isCharacterDevice()) return CHARACTER_DEVICE;
  if (entry.isBlockDevice()) return BLOCK_DEVICE;
  if (entry.isSocket() || entry.isFIFO()) return SOCKET_STREAM;
  return UNKNOWN;
}

/**
 * Opens a preopen's root for the walk: the host folder, pinned, so later
 * renames of it or of its parents cannot redirect an open. Throws when it is
 * not the folder `Sandbox.create()` checked (dev/ino): a folder swapped in
 * between cannot be slipped in.
 */
export function openRoot(host: string, dev: bigint, ino: bigint): number {
  const fd = openSync(host, O_PATH | O_DIRECTORY);
  const stat = fstatSync(fd, { bigint: true });
  if (stat.dev !== dev || stat.ino !== ino) {
    closeSync(fd);
    throw Object.assign(new Error(`the preopen '${host}' changed while the sandbox started`), { code: "ENOENT" });
  }
  return fd;
}

/**
 * Whether steps can be anchored through /proc/self/fd here. Deno refuses
 * those paths without --allow-all, and a system may have no /proc: then the
 * worker falls back to the WASI-anchored walk (see the README's threat model).
 */
export function canAnchor(root: number): boolean {
  // Under Node's permission model the steps need read and write on /proc/self/fd
  // (node:wasi itself ignores --allow-fs-*): without both, the WASI walk serves.
  const permission = (process as { permission?: { has(scope: string, reference?: string): boolean } }).permission;
  if (permission && !(permission.has("fs.read", FD_DIR) && permission.has("fs.write", FD_DIR))) return false;
  try {
    closeSync(openSync(`${FD_DIR}/${root}`, O_PATH | O_DIRECTORY));
    return true;
  } catch {
    return false;
  }
}
