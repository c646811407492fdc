// The file table: one entry per handle the host gave out (FILE_*), in shared
// memory so the host can see a file's state without a round trip.
//
// A file fails when a write or a sync of it fails: its errno is kept (sticky),
// nothing more is written to it (so a record cut short is never followed by
// new data), and every later flush/sync/close answers that error until the
// file is closed or reopened. Each failure is also put in the failure log, so
// the host can report it even if nobody asks the file again.
import { errno, fd_close, fd_datasync, fd_filestat_set_size, fd_sync, filetype } from "bindings/wasi_snapshot_preview1";
import {
  ACCESS_APPEND, ACCESS_READ, ACCESS_WRITE, closeDir, isHostAnchored, openEntry, renameAt, STAT_MODE, STAT_NLINK, STAT_SIZEOF,
  STAT_TYPE, statAt, syncDir, unlinkAt,
} from "./beneath";
import {
  ATOMIC_SLOTS, CALL_FD_DATASYNC, CALL_FD_SYNC, CALL_NONE, CTRL_FAILURES, CTRL_PROGRESS, FAILLOG_ENTRY, FAILLOG_SIZE,
  FILE_ATOMIC, FILE_ENTRY, FILE_ERR_CALL, FILE_ERR_SEQ, FILE_ERRNO, FILE_FD, FILE_HOST_MODE, FILE_MAX, FILE_MODE, FILE_SYNCED,
  FILE_WRITTEN, INIT_ALLOW_SPECIAL, INIT_NO_PIPES, INIT_REFUSE_HARD_LINKS, NAME_MAX, NO_FD, OPEN_APPEND, OPEN_CREATE, OPEN_EXCLUSIVE, OPEN_MKDIR, OPEN_READ, OPEN_TRUNCATE, OPEN_WRITE,
  REFUSED_CHANGING, REFUSED_HARD_LINK,
} from "./layout";
import {
  leafExists, leafLen, leafName, RACE_RETRIES, RACED, refuse, releaseWalk, resolve, takeWalkDir, tookOwned, walkDir,
} from "./path";
import { carve } from "./region";

let table: usize = 0;
let failLog: usize = 0;
let ctrl: usize = 0;
let statBuf: usize = 0;
let expectBuf: usize = 0;
let allowSpecial = false;
let noPipes = false;
let refuseHardLinks = false;

// Atomic replaces in progress: the folder the target is in (held open), and
// the target's and the temp's names in it.
const NAME_CAP: usize = <usize>NAME_MAX + 1;
let atomicDir: usize = 0; // i32 anchor per slot
let atomicOwned: usize = 0; // u8: the anchor is ours to close (not a preopen's root)
let atomicUsed: usize = 0; // u8
let atomicLens: usize = 0; // u32 target length, u32 temp length per slot
let atomicNames: usize = 0; // target name, temp name per slot

export function carveFiles(ctrlBlock: usize, options: i32): void {
  ctrl = ctrlBlock;
  allowSpecial = (options & INIT_ALLOW_SPECIAL) != 0;
  noPipes = (options & INIT_NO_PIPES) != 0;
  refuseHardLinks = (options & INIT_REFUSE_HARD_LINKS) != 0;
  table = carve(<usize>FILE_MAX * <usize>FILE_ENTRY, 64);
  failLog = carve(<usize>FAILLOG_SIZE * <usize>FAILLOG_ENTRY);
  statBuf = carve(STAT_SIZEOF);
  expectBuf = carve(STAT_SIZEOF);
  atomicDir = carve(<usize>ATOMIC_SLOTS * 4);
  atomicOwned = carve(<usize>ATOMIC_SLOTS);
  atomicUsed = carve(<usize>ATOMIC_SLOTS);
  atomicLens = carve(<usize>ATOMIC_SLOTS * 8);
  atomicNames = carve(<usize>ATOMIC_SLOTS * 2 * NAME_CAP);
}

/** Every handle starts closed (a region may have served an earlier instance). */
export function resetFiles(): void {
  for (let h = 0; h < FILE_MAX; h++) store<u32>(entry(<u32>h) + FILE_FD, NO_FD);
  memory.fill(atomicUsed, 0, <usize>ATOMIC_SLOTS);
}

/** The host's st_mode of an open file, as seen at open (0 where the host does not say). */
export function hostModeOf(handle: u32): u32 {
  return handle < <u32>FILE_MAX ? load<u32>(entry(handle) + FILE_HOST_MODE) : 0;
}

export function fileTablePtr(): usize {
  return table;
}

export function failLogPtr(): usize {
  return failLog;
}

function entry(handle: u32): usize {
  return table + <usize>handle * <usize>FILE_ENTRY;
}

/** The WASI fd of an open handle, or NO_FD. */
export function fdOf(handle: u32): u32 {
  return handle < <u32>FILE_MAX ? load<u32>(entry(handle) + FILE_FD) : NO_FD;
}

/** Open and not failed: its writes go out. */
export function isWritable(handle: u32): bool {
  return fdOf(handle) != NO_FD && atomic.load<u32>(entry(handle) + FILE_ERRNO) == 0;
}

/** The errno a failed file keeps answering, and the call that failed (for the host's error). */
export function failure(handle: u32): errno {
  return handle < <u32>FILE_MAX ? <errno>atomic.load<u32>(entry(handle) + FILE_ERRNO) : errno.BADF;
}
export function failedCall(handle: u32): i32 {
  return <i32>load<u32>(entry(handle) + FILE_ERR_CALL);
}

/** Records that the file failed; the first failure wins. `seq`: the first write not known done. */
export function failFile(handle: u32, err: errno, call: i32, seq: u32): void {
  const e = entry(handle);
  if (atomic.load<u32>(e + FILE_ERRNO) != 0) return;
  store<u32>(e + FILE_ERR_SEQ, seq);
  store<u32>(e + FILE_ERR_CALL, call);
  atomic.store<u32>(e + FILE_ERRNO, err); // after ERR_SEQ: the host reads ERRNO first
  const count = atomic.load<i32>(ctrl + CTRL_FAILURES);
  const log = failLog + <usize>(count % FAILLOG_SIZE) * <usize>FAILLOG_ENTRY;
  store<u32>(log, handle);
  store<u32>(log + 4, err);
  store<u32>(log + 8, call);
  atomic.store<i32>(ctrl + CTRL_FAILURES, count + 1);
  atomic.add<i32>(ctrl + CTRL_PROGRESS, 1);
  atomic.notify(ctrl + CTRL_PROGRESS); // durable writers waiting on this file must hear of it
}

/** Marks `seq` (and everything of the file before it) handed to the OS. */
export function markWritten(handle: u32, seq: u32): void {
  atomic.store<u32>(entry(handle) + FILE_WRITTEN, seq);
}

/**
 * fd_datasync or fd_sync. A file that cannot be synced (a FIFO, a device) is
 * EINVAL, as fsync(2) says: node:wasi answers ENOTCAPABLE (no sync right on
 * such an fd), a code this library keeps for paths that leave the sandbox.
 */
function syncFd(fd: u32, dataOnly: bool): errno {
  const err = dataOnly ? fd_datasync(fd) : fd_sync(fd);
  return err == errno.NOTCAPABLE ? errno.INVAL : err;
}

/**
 * fd_datasync (or fd_sync) of the file, covering its writes up to `seq`: a
 * group of "synced" writes, a sync(), a commit. A failure fails the file
 * from the first write no sync had covered.
 */
export function syncUpTo(handle: u32, seq: u32, dataOnly: bool): errno {
  const e = entry(handle);
  const err = syncFd(load<u32>(e + FILE_FD), dataOnly);
  if (err != errno.SUCCESS) {
    failFile(handle, err, dataOnly ? CALL_FD_DATASYNC : CALL_FD_SYNC, load<u32>(e + FILE_SYNCED) + 1);
  } else {
    atomic.store<u32>(e + FILE_SYNCED, seq);
  }
  return err;
}

function accessOf(mode: i32): i32 {
  let access = 0;
  if ((mode & OPEN_READ) != 0) access |= ACCESS_READ;
  if ((mode & OPEN_WRITE) != 0) access |= ACCESS_WRITE;
  if ((mode & OPEN_APPEND) != 0) access |= ACCESS_APPEND;
  return access;
}

/** Whether an entry of this type may be opened: regular files and folders; the rest if allowed. */
function mayOpen(type: u8): bool {
  if (type == filetype.REGULAR_FILE || type == filetype.DIRECTORY) return true;
  if (!allowSpecial) return false;
  return !noPipes || (type != filetype.SOCKET_STREAM && type != filetype.SOCKET_DGRAM && type != filetype.UNKNOWN);
}

/** Opens the leaf resolve() found; an fd, or -errno, or -RACED when it changed meanwhile. */
function openLeaf(mode: i32): i32 {
  const exclusive = (mode & OPEN_EXCLUSIVE) != 0;
  const create = exclusive || ((mode & OPEN_CREATE) != 0 && !leafExists);
  let expect: usize = 0;
  if (!isHostAnchored() && !create) {
    // WASI-anchored: remember what the walk saw, so an entry swapped in
    // before path_open is caught by its identity (see openEntry).
    const e = statAt(walkDir, leafName, leafLen, expectBuf);
    if (e == errno.NOENT) return (mode & OPEN_CREATE) != 0 ? -<i32>RACED : -<i32>errno.NOENT;
    if (e != errno.SUCCESS) return -<i32>e;
    const type = load<u8>(expectBuf + STAT_TYPE);
    if (type == filetype.SYMBOLIC_LINK) return -<i32>RACED;
    // Refused before path_open: opening a FIFO for writing may block in open(2).
    if (!mayOpen(type)) return -<i32>errno.NOTSUP;
    expect = expectBuf;
  }
  const fd = openEntry(walkDir, leafName, leafLen, accessOf(mode), create, allowSpecial, noPipes, statBuf, expect);
  if (fd < 0) {
    if (fd == -<i32>errno.EXIST && !exclusive) return -<i32>RACED; // appeared meanwhile: open it instead
    if (fd == -<i32>errno.NOENT && !create && (mode & OPEN_CREATE) != 0) return -<i32>RACED; // vanished: create it
    if (fd == -<i32>errno.LOOP && !exclusive) return -<i32>RACED; // became a link: follow it
    return fd;
  }
  const type = load<u8>(statBuf + STAT_TYPE);
  let err = errno.SUCCESS;
  // An O_EXCL create makes a new regular file or nothing: a host that
  // opened something else (Deno's node:wasi opens a folder) found it there.
  if (create && type != filetype.REGULAR_FILE) err = errno.EXIST;
  else if (type == filetype.DIRECTORY) err = errno.ISDIR;
  // A hard link makes a file inside *be* one outside: with the option, it is
  // never written (checked on the opened fd, before truncating: race-free).
  else if (refuseHardLinks && (mode & (OPEN_WRITE | OPEN_APPEND)) != 0 && type == filetype.REGULAR_FILE &&
    load<u64>(statBuf + STAT_NLINK) > 1) err = refuse(REFUSED_HARD_LINK);
  else if ((mode & OPEN_TRUNCATE) != 0 && type == filetype.REGULAR_FILE) err = fd_filestat_set_size(<u32>fd, 0);
  if (err != errno.SUCCESS) {
    fd_close(<u32>fd);
    return -<i32>err;
  }
  return fd;
}

/** Opens a guest path: an fd, or -errno. Nothing outside the preopens is touched. */
function openPath(mode: i32, path: usize, len: i32): i32 {
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    let fd: i32;
    const err = resolve(path, len, (mode & OPEN_EXCLUSIVE) == 0, (mode & OPEN_MKDIR) != 0);
    if (err != errno.SUCCESS) fd = -<i32>err;
    else if (leafLen == 0) fd = -<i32>errno.ISDIR; // the path names a folder
    else fd = openLeaf(mode);
    releaseWalk();
    if (fd != -<i32>RACED) return fd;
  }
  return -<i32>refuse(REFUSED_CHANGING);
}

function install(handle: u32, fd: u32, mode: i32): void {
  const e = entry(handle);
  store<u32>(e + FILE_MODE, mode);
  store<u32>(e + FILE_HOST_MODE, load<u32>(statBuf + STAT_MODE));
  store<u32>(e + FILE_ATOMIC, 0);
  store<u32>(e + FILE_ERR_SEQ, 0);
  store<u32>(e + FILE_ERR_CALL, CALL_NONE);
  atomic.store<u32>(e + FILE_WRITTEN, 0);
  atomic.store<u32>(e + FILE_SYNCED, 0);
  atomic.store<u32>(e + FILE_ERRNO, 0);
  atomic.store<u32>(e + FILE_FD, fd);
}

/** OPEN: the handle gets a fresh entry. */
export function openFile(handle: u32, mode: i32, path: usize, len: i32): errno {
  if (handle >= <u32>FILE_MAX || fdOf(handle) != NO_FD) return errno.BADF;
  const fd = openPath(mode, path, len);
  if (fd < 0) return <errno>-fd;
  install(handle, <u32>fd, mode);
  return errno.SUCCESS;
}

/**
 * REOPEN (log rotation): later records of the handle go to a fresh open of
 * `path`; the old fd, whose records all came before, is closed. If the open
 * fails, the handle keeps writing where it was. A failed file starts afresh.
 */
export function reopenFile(handle: u32, mode: i32, path: usize, len: i32): errno {
  const old = fdOf(handle);
  if (old == NO_FD) return errno.BADF;
  if (load<u32>(entry(handle) + FILE_ATOMIC) != 0) return errno.INVAL;
  const fd = openPath(mode, path, len);
  if (fd < 0) return <errno>-fd;
  const e = entry(handle);
  const written = atomic.load<u32>(e + FILE_WRITTEN);
  install(handle, <u32>fd, mode);
  atomic.store<u32>(e + FILE_WRITTEN, written); // sequence numbers go on across the switch
  atomic.store<u32>(e + FILE_SYNCED, written);
  fd_close(old);
  return errno.SUCCESS;
}

/** FLUSH: the writes before this record are already out; report a failure. */
export function flushFile(handle: u32): errno {
  if (fdOf(handle) == NO_FD) return errno.BADF;
  return failure(handle);
}

export function syncFile(handle: u32, dataOnly: bool): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  const failed = failure(handle);
  if (failed != errno.SUCCESS) return failed;
  return syncUpTo(handle, atomic.load<u32>(entry(handle) + FILE_WRITTEN), dataOnly);
}

/** CLOSE: fd_close; answers the file's failure if it had one. An atomic replace not committed is dropped. */
export function closeFile(handle: u32): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  const failed = failure(handle);
  atomic.store<u32>(entry(handle) + FILE_FD, NO_FD);
  const err = fd_close(fd);
  endAtomic(handle, true);
  return failed != errno.SUCCESS ? failed : err;
}

/** Closes everything still open (the sandbox is ending). */
export function closeAll(): void {
  for (let h: u32 = 0; h < <u32>FILE_MAX; h++) {
    if (fdOf(h) != NO_FD) closeFile(h);
  }
}

function slotName(slot: i32, which: i32): usize {
  return atomicNames + (<usize>slot * 2 + <usize>which) * NAME_CAP;
}

function slotLen(slot: i32, which: i32): i32 {
  return load<i32>(atomicLens + <usize>slot * 8 + <usize>which * 4);
}

/**
 * OPEN with OPEN_ATOMIC: `path` is the target; the file opened is a new temp
 * (`temp`, an unguessable name the host chose) beside it, created with
 * O_EXCL in the very folder the walk found the target in, which stays open
 * until COMMIT renames the temp over the target.
 */
export function openAtomic(handle: u32, mode: i32, temp: usize, tempLen: i32, path: usize, len: i32): errno {
  if (handle >= <u32>FILE_MAX || fdOf(handle) != NO_FD) return errno.BADF;
  if (tempLen == 0 || tempLen > NAME_MAX) return errno.INVAL;
  let slot = 0;
  while (slot < ATOMIC_SLOTS && load<u8>(atomicUsed + <usize>slot) != 0) slot++;
  if (slot == ATOMIC_SLOTS) return errno.MFILE;
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    let err = resolve(path, len, true, (mode & OPEN_MKDIR) != 0);
    if (err == errno.SUCCESS && leafLen == 0) err = errno.ISDIR;
    if (err == errno.SUCCESS && leafExists) {
      // The target is replaced, not written: refuse what a rename would wrongly replace.
      err = statAt(walkDir, leafName, leafLen, statBuf);
      const type = load<u8>(statBuf + STAT_TYPE);
      if (err == errno.NOENT || (err == errno.SUCCESS && type == filetype.SYMBOLIC_LINK)) err = RACED;
      else if (err == errno.SUCCESS && type == filetype.DIRECTORY) err = errno.ISDIR;
      else if (err == errno.SUCCESS && type != filetype.REGULAR_FILE) err = errno.NOTSUP;
    }
    let fd: i32 = 0;
    if (err == errno.SUCCESS) {
      fd = openEntry(walkDir, temp, tempLen, ACCESS_WRITE, true, false, false, statBuf, 0);
      if (fd < 0) err = <errno>-fd;
    }
    if (err != errno.SUCCESS) {
      releaseWalk();
      if (err == RACED) continue;
      return err;
    }
    memory.copy(slotName(slot, 0), leafName, leafLen);
    memory.copy(slotName(slot, 1), temp, tempLen);
    store<i32>(atomicLens + <usize>slot * 8, leafLen);
    store<i32>(atomicLens + <usize>slot * 8 + 4, tempLen);
    store<i32>(atomicDir + <usize>slot * 4, takeWalkDir());
    store<u8>(atomicOwned + <usize>slot, tookOwned ? 1 : 0);
    store<u8>(atomicUsed + <usize>slot, 1);
    releaseWalk();
    install(handle, <u32>fd, mode);
    store<u32>(entry(handle) + FILE_ATOMIC, <u32>slot + 1);
    return errno.SUCCESS;
  }
  return refuse(REFUSED_CHANGING);
}

/** Frees an atomic replace's slot; `drop`: remove the temp first (it was not renamed). */
function endAtomic(handle: u32, drop: bool): void {
  const e = entry(handle);
  const tag = load<u32>(e + FILE_ATOMIC);
  if (tag == 0) return;
  store<u32>(e + FILE_ATOMIC, 0);
  const slot = <i32>tag - 1;
  const dir = load<i32>(atomicDir + <usize>slot * 4);
  if (drop) unlinkAt(dir, slotName(slot, 1), slotLen(slot, 1));
  if (load<u8>(atomicOwned + <usize>slot) != 0) closeDir(dir);
  store<u8>(atomicUsed + <usize>slot, 0);
}

/**
 * COMMIT: the temp's data made durable (fd_datasync), the temp renamed over
 * the target in the folder held since open, the folder synced, the file
 * closed. On any failure the temp is removed and the target left as it was.
 */
export function commitFile(handle: u32): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  const tag = load<u32>(entry(handle) + FILE_ATOMIC);
  if (tag == 0) return errno.INVAL;
  const slot = <i32>tag - 1;
  let err = failure(handle);
  if (err == errno.SUCCESS) err = syncUpTo(handle, atomic.load<u32>(entry(handle) + FILE_WRITTEN), true);
  const dir = load<i32>(atomicDir + <usize>slot * 4);
  if (err == errno.SUCCESS) err = renameAt(dir, slotName(slot, 1), slotLen(slot, 1), dir, slotName(slot, 0), slotLen(slot, 0));
  const renamed = err == errno.SUCCESS;
  if (renamed) err = syncDir(dir);
  atomic.store<u32>(entry(handle) + FILE_FD, NO_FD);
  fd_close(fd);
  endAtomic(handle, !renamed);
  return err;
}
