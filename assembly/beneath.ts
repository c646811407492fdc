// The steps of a path walk, each anchored on an open directory: "open this
// name beneath that directory, without following it if it is a symlink".
// path.ts does the walk; this file only knows how to take one step.
//
// Two backends, chosen at init():
// - WASI-anchored: an anchor is a WASI directory fd and each step is a WASI
//   call relative to it. Race-free where the host resolves beneath an open
//   directory (Wasmtime, cap-std); node:wasi and Deno resolve every call from
//   path text, so there it is only the fallback (see the README's threat model).
// - Host-anchored: an anchor is a host OS directory fd that the worker opened
//   with O_PATH | O_DIRECTORY | O_NOFOLLOW through /proc/self/fd/<dir>/<name>
//   (src/hosts/beneath.ts, the imports below), so a swapped folder cannot
//   redirect a step; a file is then adopted into the host's WASI table by
//   reopening exactly the inode that was checked.
import {
  errno,
  fd_close,
  fd_filestat_get,
  fd_readdir,
  fd_sync,
  fdflags,
  filestat,
  filetype,
  oflags,
  path_create_directory,
  path_filestat_get,
  path_open,
  path_readlink,
  path_remove_directory,
  path_rename,
  path_unlink_file,
  rights,
} from "bindings/wasi_snapshot_preview1";
import { carve } from "./region";

// HOST_IMPORTS is a build constant (asc --use, see package.json): 0 for the
// command module, which a plain `wasmtime run` must be able to link, so the
// host imports below are left out of it entirely.

// Host imports (module "aiowasi_host"). Each returns an fd or a byte count, or -errno.
@external("aiowasi_host", "open_beneath")
declare function host_open_beneath(dir: i32, name: usize, len: i32, how: i32): i32;
@external("aiowasi_host", "stat_fd")
declare function host_stat_fd(fd: i32, out: usize): i32;
@external("aiowasi_host", "stat_beneath")
declare function host_stat_beneath(dir: i32, name: usize, len: i32, out: usize): i32;
@external("aiowasi_host", "readlink_beneath")
declare function host_readlink_beneath(dir: i32, name: usize, len: i32, buf: usize, cap: i32): i32;
@external("aiowasi_host", "mkdir_beneath")
declare function host_mkdir_beneath(dir: i32, name: usize, len: i32): i32;
@external("aiowasi_host", "unlink_beneath")
declare function host_unlink_beneath(dir: i32, name: usize, len: i32): i32;
@external("aiowasi_host", "rmdir_beneath")
declare function host_rmdir_beneath(dir: i32, name: usize, len: i32): i32;
@external("aiowasi_host", "rename_beneath")
declare function host_rename_beneath(fromDir: i32, from: usize, fromLen: i32, toDir: i32, to: usize, toLen: i32): i32;
@external("aiowasi_host", "close_host")
declare function host_close(fd: i32): i32;
@external("aiowasi_host", "adopt")
declare function host_adopt(fd: i32, access: i32, flags: i32): i32;
@external("aiowasi_host", "sync_dir")
declare function host_sync_dir(dir: i32): i32;
@external("aiowasi_host", "readdir_beneath")
declare function host_readdir_beneath(dir: i32, name: usize, len: i32, cookie: u64, buf: usize, cap: i32): i32;

// HOW_* for open_beneath; ACCESS_* for adopt. Mirrored in src/hosts/beneath.ts.
const HOW_DIR: i32 = 1; // O_PATH | O_DIRECTORY | O_NOFOLLOW
const HOW_PATH: i32 = 2; // O_PATH | O_NOFOLLOW: a handle on exactly this entry, whatever it is
const HOW_CREATE: i32 = 3; // O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
export const ACCESS_READ: i32 = 1;
export const ACCESS_WRITE: i32 = 2;
export const ACCESS_APPEND: i32 = 4;
export const ACCESS_NONBLOCK: i32 = 8;
export const ACCESS_DIRECTORY: i32 = 16;

// A filestat as WASI lays it out, plus the host's mode bits (0 where unknown).
export const STAT_DEV: usize = 0;
export const STAT_INO: usize = 8;
export const STAT_TYPE: usize = 16;
export const STAT_NLINK: usize = 24;
export const STAT_SIZE: usize = 32;
export const STAT_MODE: usize = 64;
export const STAT_SIZEOF: usize = 72;

const FILE_RIGHTS: u64 =
  rights.FD_WRITE | rights.FD_READ | rights.FD_SYNC | rights.FD_DATASYNC | rights.FD_SEEK | rights.FD_TELL |
  rights.FD_FDSTAT_SET_FLAGS | rights.FD_FILESTAT_GET | rights.FD_FILESTAT_SET_SIZE | rights.FD_ADVISE |
  rights.FD_ALLOCATE;
// No FD_DATASYNC (nor any write right) for a folder: uvwasi counts it as one and
// would open the folder O_RDWR, which Linux refuses (EISDIR).
const DIR_RIGHTS: u64 =
  rights.PATH_OPEN | rights.PATH_CREATE_DIRECTORY | rights.PATH_CREATE_FILE | rights.PATH_READLINK |
  rights.PATH_FILESTAT_GET | rights.PATH_RENAME_SOURCE | rights.PATH_RENAME_TARGET | rights.PATH_UNLINK_FILE |
  rights.PATH_REMOVE_DIRECTORY | rights.FD_READDIR | rights.FD_FILESTAT_GET | rights.FD_SYNC;

let hostAnchored = false;
let fdOut: usize = 0;
let usedOut: usize = 0;
let readdirStat: usize = 0;

export function carveBeneath(anchoredByHost: bool): void {
  hostAnchored = HOST_IMPORTS != 0 && anchoredByHost;
  fdOut = carve(8);
  usedOut = carve(8);
  readdirStat = carve(STAT_SIZEOF);
}

export function isHostAnchored(): bool {
  return HOST_IMPORTS != 0 && hostAnchored;
}

/** The directory `name` beneath `dir`, never through a symlink: an anchor, or -errno (ENOTDIR/ELOOP for a link). */
export function openDir(dir: i32, name: usize, len: i32): i32 {
  if (isHostAnchored()) return host_open_beneath(dir, name, len, HOW_DIR);
  const err = path_open(<u32>dir, 0, name, len, oflags.DIRECTORY, DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS, 0, fdOut);
  return err == errno.SUCCESS ? <i32>load<u32>(fdOut) : -<i32>err;
}

/** Releases an anchor that openDir() gave. */
export function closeDir(dir: i32): void {
  if (isHostAnchored()) host_close(dir);
  else fd_close(<u32>dir);
}

/** lstat of `name` beneath `dir` into `out` (STAT_*). */
export function statAt(dir: i32, name: usize, len: i32, out: usize): errno {
  if (isHostAnchored()) return <errno>host_stat_beneath(dir, name, len, out);
  store<u32>(out + STAT_MODE, 0);
  return path_filestat_get(<u32>dir, 0, name, len, changetype<filestat>(out));
}

/** stat of a directory the walk holds (an anchor) into `out`. */
export function statDir(dir: i32, out: usize): errno {
  if (isHostAnchored()) return <errno>host_stat_fd(dir, out);
  store<u32>(out + STAT_MODE, 0);
  return fd_filestat_get(<u32>dir, changetype<filestat>(out));
}

/**
 * WASI dirents of the folder `name` beneath `dir` (not followed if a link:
 * ENOTDIR), from `cookie`, into buf[0..cap): the bytes used, or -errno.
 */
export function readdirAt(dir: i32, name: usize, len: i32, cookie: u64, buf: usize, cap: i32): i32 {
  // node:wasi lists a folder by its path text, not its fd: the host lists it itself.
  if (isHostAnchored()) return host_readdir_beneath(dir, name, len, cookie, buf, cap);
  const fd = openEntry(dir, name, len, ACCESS_READ | ACCESS_DIRECTORY, false, false, false, readdirStat, 0);
  if (fd < 0) return fd;
  if (load<u8>(readdirStat + STAT_TYPE) != filetype.DIRECTORY) {
    fd_close(<u32>fd);
    return -<i32>errno.NOTDIR;
  }
  const err = fd_readdir(<u32>fd, buf, cap, cookie, usedOut);
  fd_close(<u32>fd);
  return err == errno.SUCCESS ? <i32>load<u32>(usedOut) : -<i32>err;
}

/** fsync of a directory the walk holds, so an entry made or renamed in it is durable. */
export function syncDir(dir: i32): errno {
  if (isHostAnchored()) return <errno>host_sync_dir(dir);
  // Deno's node:wasi cannot sync a folder fd (EBADF); a host that cannot is
  // not a failure of the rename before it: only a real I/O error is.
  const err = fd_sync(<u32>dir);
  return err == errno.IO ? err : errno.SUCCESS;
}

/** The target of the symlink `name` beneath `dir`: its length, or -errno (EINVAL: not a symlink). */
export function readLinkAt(dir: i32, name: usize, len: i32, buf: usize, cap: i32): i32 {
  if (isHostAnchored()) return host_readlink_beneath(dir, name, len, buf, cap);
  const err = path_readlink(<u32>dir, name, len, buf, cap, usedOut);
  return err == errno.SUCCESS ? <i32>load<u32>(usedOut) : -<i32>err;
}

export function mkdirAt(dir: i32, name: usize, len: i32): errno {
  if (isHostAnchored()) return <errno>host_mkdir_beneath(dir, name, len);
  return path_create_directory(<u32>dir, name, len);
}

export function unlinkAt(dir: i32, name: usize, len: i32): errno {
  if (isHostAnchored()) return <errno>host_unlink_beneath(dir, name, len);
  return path_unlink_file(<u32>dir, name, len);
}

export function rmdirAt(dir: i32, name: usize, len: i32): errno {
  if (isHostAnchored()) return <errno>host_rmdir_beneath(dir, name, len);
  return path_remove_directory(<u32>dir, name, len);
}

export function renameAt(fromDir: i32, from: usize, fromLen: i32, toDir: i32, to: usize, toLen: i32): errno {
  if (isHostAnchored()) return <errno>host_rename_beneath(fromDir, from, fromLen, toDir, to, toLen);
  return path_rename(<u32>fromDir, from, fromLen, <u32>toDir, to, toLen);
}

/** A FIFO or socket (WASI has no FIFO type: hosts report one as a socket or unknown). */
function isPipe(type: u8): bool {
  return type == filetype.SOCKET_STREAM || type == filetype.SOCKET_DGRAM || type == filetype.UNKNOWN;
}

/**
 * Opens the entry `name` beneath `dir` as a WASI fd, without following a
 * symlink and without changing anything (no O_TRUNC; O_CREAT only with
 * O_EXCL, when `create`). `stat` receives what was opened (STAT_*). A symlink
 * is ELOOP; a FIFO, socket or device is ENOTSUP unless `special` allows it,
 * and then it is opened non-blocking, so it can never hang the worker (a
 * host that cannot do that, `noPipes`, never opens a FIFO or socket). With
 * `expect` (a dev/ino pair from an earlier lstat, WASI-anchored only), an
 * entry swapped in meanwhile is ELOOP too, so the caller looks again.
 */
export function openEntry(
  dir: i32, name: usize, len: i32, access: i32, create: bool, special: bool, noPipes: bool, stat: usize, expect: usize,
): i32 {
  if (isHostAnchored()) {
    // An O_PATH handle opens nothing: no device is opened, no FIFO waited on,
    // before its type is known; then exactly that inode is reopened.
    const handle = host_open_beneath(dir, name, len, create ? HOW_CREATE : HOW_PATH);
    if (handle < 0) return handle;
    const err = <errno>host_stat_fd(handle, stat);
    let fd = -<i32>err;
    if (err == errno.SUCCESS) {
      const type = load<u8>(stat + STAT_TYPE);
      if (type == filetype.SYMBOLIC_LINK) fd = -<i32>errno.LOOP;
      else if (type == filetype.DIRECTORY) fd = host_adopt(handle, access | ACCESS_DIRECTORY, 0);
      else if (type == filetype.REGULAR_FILE) fd = host_adopt(handle, access, 0);
      else if (!special || (noPipes && isPipe(type))) fd = -<i32>errno.NOTSUP;
      else fd = host_adopt(handle, access | ACCESS_NONBLOCK, 0);
    }
    host_close(handle);
    return fd;
  }
  // A FIFO opened for writing with no reader would block in open(2): never wait.
  let flags: u16 = fdflags.NONBLOCK;
  if ((access & ACCESS_APPEND) != 0) flags |= fdflags.APPEND;
  const open: u16 = create ? oflags.CREAT | oflags.EXCL : 0;
  let base: u64 = FILE_RIGHTS;
  if ((access & ACCESS_WRITE) == 0) base &= ~(rights.FD_WRITE | rights.FD_FILESTAT_SET_SIZE | rights.FD_ALLOCATE);
  if ((access & ACCESS_READ) == 0) base &= ~rights.FD_READ;
  if ((access & ACCESS_DIRECTORY) != 0) base = DIR_RIGHTS;
  const err = path_open(<u32>dir, 0, name, len, (access & ACCESS_DIRECTORY) != 0 ? oflags.DIRECTORY | open : open, base, 0, flags, fdOut);
  if (err != errno.SUCCESS) return -<i32>err;
  const fd = load<u32>(fdOut);
  const e = fd_filestat_get(fd, changetype<filestat>(stat));
  store<u32>(stat + STAT_MODE, 0);
  const type = load<u8>(stat + STAT_TYPE);
  let refused: errno = e;
  if (e == errno.SUCCESS && type == filetype.SYMBOLIC_LINK) refused = errno.LOOP;
  else if (e == errno.SUCCESS && expect != 0 &&
    (load<u64>(stat + STAT_DEV) != load<u64>(expect + STAT_DEV) || load<u64>(stat + STAT_INO) != load<u64>(expect + STAT_INO))) {
    refused = errno.LOOP;
  } else if (e == errno.SUCCESS && type != filetype.REGULAR_FILE && type != filetype.DIRECTORY && (!special || (noPipes && isPipe(type)))) {
    refused = errno.NOTSUP;
  }
  if (refused != errno.SUCCESS) {
    fd_close(fd);
    return -<i32>refused;
  }
  return <i32>fd;
}
