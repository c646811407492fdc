// The files this instance opened, and their sticky write errors. A write that
// fails marks its fd; later writes to it are dropped until the error has been
// reported by the next flush/sync/datasync/close on that fd (the BufferedWriter
// contract: errors surface at the latest at flush). Only fds opened here can be
// written or closed, so a stray record can never touch a preopen's fd.
import {
  errno,
  fd_close,
  fd_datasync,
  fd_sync,
  fdflags,
  oflags,
  path_open,
  rights,
} from "bindings/wasi_snapshot_preview1";
import { OPEN_APPEND, OPEN_EXCLUSIVE, OPEN_MKDIR } from "./layout";
import { resolve, resolvedDir, resolvedLen, resolvedPath } from "./path";

const MAX_FDS: u32 = 65536;
const opened = memory.data(<i32>MAX_FDS); // u8: 1 while open
const sticky = memory.data(<i32>MAX_FDS * 2, 2); // u16: pending errno
const fdOut = memory.data(4, 4);

const FILE_RIGHTS: u64 =
  rights.FD_WRITE | rights.FD_SYNC | rights.FD_DATASYNC | rights.FD_SEEK | rights.FD_TELL |
  rights.FD_FDSTAT_SET_FLAGS | rights.FD_FILESTAT_GET | rights.FD_FILESTAT_SET_SIZE |
  rights.FD_ADVISE | rights.FD_ALLOCATE;

export function isWritable(fd: u32): bool {
  return fd < MAX_FDS && load<u8>(opened + fd) == 1 && load<u16>(sticky + fd * 2) == 0;
}

export function markFailed(fd: u32, err: errno): void {
  if (fd < MAX_FDS && load<u16>(sticky + fd * 2) == 0) store<u16>(sticky + fd * 2, err);
}

/** True when the last flush/sync/close result is an earlier fd_write's error. */
export let errorFromWrite: bool = false;

function takeError(fd: u32): errno {
  const err = load<u16>(sticky + fd * 2);
  store<u16>(sticky + fd * 2, 0);
  errorFromWrite = err != errno.SUCCESS;
  return err;
}

function isOpen(fd: u32): bool {
  return fd < MAX_FDS && load<u8>(opened + fd) == 1;
}

/** Opens a guest path; on success the fd is in `openedFd`. */
export let openedFd: u32 = 0;
export function openFile(flags: i32, path: usize, len: i32): errno {
  errorFromWrite = false;
  const exclusive = (flags & OPEN_EXCLUSIVE) != 0;
  const append = (flags & OPEN_APPEND) != 0;
  const err = resolve(path, len, !exclusive, (flags & OPEN_MKDIR) != 0);
  if (err != errno.SUCCESS) return err;
  let openFlags: u16 = oflags.CREAT;
  if (exclusive) openFlags |= oflags.EXCL;
  if (!append) openFlags |= oflags.TRUNC;
  const ff: u16 = append ? fdflags.APPEND : 0;
  // No SYMLINK_FOLLOW: resolve() already replaced every symlink it found.
  const e = path_open(resolvedDir, 0, resolvedPath, resolvedLen, openFlags, FILE_RIGHTS, 0, ff, fdOut);
  if (e != errno.SUCCESS) return e;
  const fd = load<u32>(fdOut);
  if (fd >= MAX_FDS) {
    fd_close(fd);
    return errno.MFILE;
  }
  store<u8>(opened + fd, 1);
  store<u16>(sticky + fd * 2, 0);
  openedFd = fd;
  return errno.SUCCESS;
}

export function flushFile(fd: u32): errno {
  errorFromWrite = false;
  if (!isOpen(fd)) return errno.BADF;
  return takeError(fd); // the writes before this record are already out
}

export function syncFile(fd: u32, dataOnly: bool): errno {
  errorFromWrite = false;
  if (!isOpen(fd)) return errno.BADF;
  const err = takeError(fd);
  if (err != errno.SUCCESS) return err;
  return dataOnly ? fd_datasync(fd) : fd_sync(fd);
}

export function closeFile(fd: u32): errno {
  errorFromWrite = false;
  if (!isOpen(fd)) return errno.BADF;
  const err = takeError(fd);
  store<u8>(opened + fd, 0);
  const e = fd_close(fd);
  return err != errno.SUCCESS ? err : e;
}

/** Closes everything still open (the sandbox is ending). */
export function closeAll(): void {
  for (let fd: u32 = 0; fd < MAX_FDS; fd++) {
    if (load<u8>(opened + fd) == 1) {
      store<u8>(opened + fd, 0);
      fd_close(fd);
    }
  }
}
