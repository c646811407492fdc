// The rest of the file system, inside the sandbox: mkdir, rename, unlink,
// rmdir, stat, readdir and, on open files, read, fstat and truncate. Every
// path goes through resolve() (path.ts) and every change through one
// anchored step (beneath.ts), so the same rules and codes hold as for
// opening a file: nothing outside the preopens is reached, even while the
// tree changes. An operation that sees its entry change under it resolves
// again (RACED), at most RACE_RETRIES times.
import { errno, fd_filestat_get, fd_filestat_set_size, fd_read, filestat, filetype } from "bindings/wasi_snapshot_preview1";
import {
  closeDir, mkdirAt, readdirAt, renameAt, rmdirAt, STAT_MODE, STAT_SIZEOF, STAT_TYPE, statAt, statDir, unlinkAt,
} from "./beneath";
import { fdOf, hostModeOf } from "./files";
import { MKDIR_RECURSIVE, NO_FD, REFUSED_CHANGING, REFUSED_ROOT_ENTRY } from "./layout";
import {
  atRoot, leafExists, leafLen, leafName, RACE_RETRIES, RACED, refuse, releaseWalk, resolve, takeWalkDir, tookOwned, walkDir,
} from "./path";
import { carve } from "./region";

let statBuf: usize = 0;
let iov: usize = 0;
let countOut: usize = 0;
let nameA: usize = 0; // rename's first leaf, kept while the second path resolves
let dotName: usize = 0; // "."

export function carveOps(): void {
  statBuf = carve(STAT_SIZEOF);
  iov = carve(8);
  countOut = carve(8);
  nameA = carve(256);
  dotName = carve(8);
}

/** Writes what carveOps() carved needs at init(). */
export function resetOps(): void {
  store<u8>(dotName, 0x2e);
}

// The arguments of the step being retried (AssemblyScript has no closures).
let argRecursive = false;
let argFollow = false;
let argOut: usize = 0;
let argCap: u32 = 0;
let argCookie: u64 = 0;

/** Resolves the path and runs `step` on its leaf, again while the step answers RACED. */
function withLeaf(path: usize, len: i32, follow: bool, mkdir: bool, step: () => errno): errno {
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    let err = resolve(path, len, follow, mkdir);
    if (err == errno.SUCCESS) err = step();
    releaseWalk();
    if (err != RACED) return err;
  }
  return refuse(REFUSED_CHANGING);
}

/** mkdir; with MKDIR_RECURSIVE, the missing folders on the way too, and an existing folder is fine. */
export function mkdirOp(flags: i32, path: usize, len: i32): errno {
  argRecursive = (flags & MKDIR_RECURSIVE) != 0;
  return withLeaf(path, len, false, argRecursive, mkdirLeaf);
}

function mkdirLeaf(): errno {
  if (leafLen == 0) return argRecursive ? errno.SUCCESS : errno.EXIST; // the path names a folder that is there
  const err = mkdirAt(walkDir, leafName, leafLen);
  if (err != errno.EXIST || !argRecursive) return err;
  const e = statAt(walkDir, leafName, leafLen, statBuf);
  if (e != errno.SUCCESS) return e == errno.NOENT ? RACED : e;
  return load<u8>(statBuf + STAT_TYPE) == filetype.DIRECTORY ? errno.SUCCESS : errno.EXIST;
}

/** unlink: removes a file or a symlink itself (never its target); a folder is EISDIR. */
export function unlinkOp(path: usize, len: i32): errno {
  return withLeaf(path, len, false, false, unlinkLeaf);
}

function unlinkLeaf(): errno {
  if (leafLen == 0) return atRoot ? refuse(REFUSED_ROOT_ENTRY) : errno.ISDIR;
  const err = unlinkAt(walkDir, leafName, leafLen);
  // Linux says EISDIR for a folder; some hosts say EPERM (POSIX allows it): one code everywhere.
  if (err == errno.PERM || err == errno.ACCES) {
    const e = statAt(walkDir, leafName, leafLen, statBuf);
    if (e == errno.SUCCESS && load<u8>(statBuf + STAT_TYPE) == filetype.DIRECTORY) return errno.ISDIR;
  }
  return err;
}

/** rmdir: an empty folder; the preopen's own root is not the sandbox's to remove. */
export function rmdirOp(path: usize, len: i32): errno {
  return withLeaf(path, len, false, false, rmdirLeaf);
}

function rmdirLeaf(): errno {
  if (leafLen == 0) return atRoot ? refuse(REFUSED_ROOT_ENTRY) : errno.INVAL; // "dir/." or "dir/.."
  return rmdirAt(walkDir, leafName, leafLen);
}

/** The length of a path without its trailing slashes (a name is never all slashes: then `len`). */
function withoutTrailingSlashes(path: usize, len: i32): i32 {
  let n = len;
  while (n > 1 && load<u8>(path + <usize>(n - 1)) == 0x2f) n--;
  return n;
}

/**
 * rename: both paths inside the sandbox (across preopens on one file system
 * too). A trailing "/" on either path says "a folder", as rename(2) reads it:
 * the entry renamed must be one (not a file, not a link to a folder), or ENOTDIR.
 */
export function renameOp(from: usize, fromLen: i32, to: usize, toLen: i32): errno {
  const fromBare = withoutTrailingSlashes(from, fromLen);
  const toBare = withoutTrailingSlashes(to, toLen);
  const folderOnly = fromBare != fromLen || toBare != toLen;
  fromLen = fromBare;
  toLen = toBare;
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    let err = resolve(from, fromLen, false, false);
    if (err == errno.SUCCESS && leafLen == 0) err = atRoot ? refuse(REFUSED_ROOT_ENTRY) : errno.INVAL;
    if (err != errno.SUCCESS) {
      releaseWalk();
      if (err == RACED) continue;
      return err;
    }
    // Keep the first anchor open while the second path resolves.
    const aLen = leafLen;
    memory.copy(nameA, leafName, aLen);
    const a = takeWalkDir();
    const ownA = tookOwned;
    releaseWalk();
    err = resolve(to, toLen, false, false);
    if (err == errno.SUCCESS && leafLen == 0) err = atRoot ? refuse(REFUSED_ROOT_ENTRY) : errno.INVAL;
    if (err == errno.SUCCESS && folderOnly) {
      // Both ends are inside (a refusal comes first); now the source must be a folder.
      err = statAt(a, nameA, aLen, statBuf); // not followed: the entry itself
      if (err == errno.SUCCESS && load<u8>(statBuf + STAT_TYPE) != filetype.DIRECTORY) err = errno.NOTDIR;
    }
    if (err == errno.SUCCESS) err = renameAt(a, nameA, aLen, walkDir, leafName, leafLen);
    releaseWalk();
    if (ownA) closeDir(a);
    if (err != RACED) return err;
  }
  return refuse(REFUSED_CHANGING);
}

/** stat (follow) or lstat of a path, into `out` (REPLY_STAT_*). */
export function statOp(follow: bool, path: usize, len: i32, out: usize): errno {
  argFollow = follow;
  argOut = out;
  return withLeaf(path, len, follow, false, statLeaf);
}

function statLeaf(): errno {
  if (leafLen == 0) return statDir(walkDir, argOut);
  if (argFollow && !leafExists) return errno.NOENT;
  const err = statAt(walkDir, leafName, leafLen, argOut);
  if (err == errno.NOENT) return argFollow ? RACED : err;
  // Followed, yet a link now: it changed under us.
  if (err == errno.SUCCESS && argFollow && load<u8>(argOut + STAT_TYPE) == filetype.SYMBOLIC_LINK) return RACED;
  return err;
}

/**
 * readdir: WASI dirents of the folder from `cookie` into out[0..cap); their
 * bytes in direntBytes (cap means: maybe more, ask again from the last whole
 * entry's cookie).
 */
export let direntBytes: u32 = 0;
export function readdirOp(path: usize, len: i32, cookie: u64, out: usize, cap: u32): errno {
  argCookie = cookie;
  argOut = out;
  argCap = cap;
  return withLeaf(path, len, true, false, readdirLeaf);
}

function readdirLeaf(): errno {
  if (leafLen > 0 && !leafExists) return errno.NOENT;
  // A path that names a folder the walk holds ("x/.", a preopen) lists "." beneath it.
  const n = leafLen == 0
    ? readdirAt(walkDir, dotName, 1, argCookie, argOut, <i32>argCap)
    : readdirAt(walkDir, leafName, leafLen, argCookie, argOut, <i32>argCap);
  // A link now (follow it), or a link when listed and a folder again now: look again.
  if (n == -<i32>errno.LOOP || (n == -<i32>errno.NOTDIR && leafLen > 0 && changing())) return RACED;
  if (n < 0) return <errno>-n;
  direntBytes = <u32>n;
  return errno.SUCCESS;
}

/** Whether the leaf, found not a folder a moment ago, is a link or a folder now: the tree is changing. */
function changing(): bool {
  if (statAt(walkDir, leafName, leafLen, statBuf) != errno.SUCCESS) return false;
  const type = load<u8>(statBuf + STAT_TYPE);
  return type == filetype.SYMBOLIC_LINK || type == filetype.DIRECTORY;
}

/** read: up to `cap` bytes of the file at its position into `out`; how many in the return's low word. */
export let bytesRead: u32 = 0;
export function readOp(handle: u32, out: usize, cap: u32): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  store<u32>(iov, <u32>out);
  store<u32>(iov + 4, cap);
  for (let tries = 0; ; tries++) {
    const err = fd_read(fd, iov, 1, countOut);
    if (err == errno.INTR && tries < 100) continue;
    bytesRead = err == errno.SUCCESS ? load<u32>(countOut) : 0;
    return err;
  }
}

/** fstat of an open file into `out`. */
export function fstatOp(handle: u32, out: usize): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  const err = fd_filestat_get(fd, changetype<filestat>(out));
  store<u32>(out + STAT_MODE, hostModeOf(handle));
  return err;
}

export function truncateOp(handle: u32, size: u64): errno {
  const fd = fdOf(handle);
  if (fd == NO_FD) return errno.BADF;
  return fd_filestat_set_size(fd, size);
}
