// Safe guest-path resolution. The hosts do not keep writes inside a preopen on
// their own (node:wasi follows symlinks out, Deno follows a final symlink out),
// so the core walks every path itself, one component at a time relative to the
// preopen's directory fd: `..` never climbs above the preopen, a symlink is
// replaced by its target (read with path_readlink) and absolute targets are
// refused. The host only ever sees a path made of checked, non-symlink
// components. Every escape is ENOTCAPABLE, on every host.
import {
  errno, fd_prestat_dir_name, fd_prestat_get, filestat, filetype, path_create_directory, path_filestat_get, path_readlink,
  prestat,
} from "bindings/wasi_snapshot_preview1";

const MAX_PREOPENS: i32 = 64;
const NAME_CAP: i32 = 1024;
const PATH_MAX: i32 = 4096;
const NAME_MAX: i32 = 255;
const MAX_SYMLINKS: i32 = 40; // as Linux: more is ELOOP
const WORK_CAP: i32 = 2 * PATH_MAX;
const MAX_DEPTH: i32 = PATH_MAX / 2;

const SLASH: u8 = 0x2f;
const DOT: u8 = 0x2e;

// Preopens, discovered once with fd_prestat_get/fd_prestat_dir_name. Names are
// stored canonically: no leading "/" or "./", no "." components, no repeated or
// trailing slashes; `preopenAbs` says whether the guest name was absolute.
const preopenFd = memory.data(MAX_PREOPENS * 4, 4);
const preopenAbs = memory.data(MAX_PREOPENS);
const preopenLen = memory.data(MAX_PREOPENS * 4, 4);
const preopenName = memory.data(MAX_PREOPENS * NAME_CAP);
let preopenCount: i32 = 0;

const prestatBuf = memory.data(8, 4);
const rawName = memory.data(NAME_CAP);

// Resolution scratch: the resolved path (what path_open gets), the stack of
// its component starts, and two work buffers for "what is left to walk".
const outBuf = memory.data(PATH_MAX + NAME_MAX + 2);
const outStarts = memory.data(MAX_DEPTH * 4, 4);
const workA = memory.data(WORK_CAP);
const workB = memory.data(WORK_CAP);
const linkBuf = memory.data(PATH_MAX);
const usedOut = memory.data(8, 4);
const statBuf = memory.data(64, 8); // a WASI filestat; filetype is the byte at 16
const STAT_FILETYPE: usize = 16;

/** The result of resolve(): the directory fd and the path relative to it. */
export let resolvedDir: u32 = 0;
export let resolvedPath: usize = outBuf;
export let resolvedLen: i32 = 0;

/** Canonicalises `len` bytes at `src` into `dst` (see above). Returns the new length. */
function canonical(src: usize, len: i32, dst: usize): i32 {
  let n = 0;
  let i = 0;
  while (i < len) {
    while (i < len && load<u8>(src + i) == SLASH) i++;
    const start = i;
    while (i < len && load<u8>(src + i) != SLASH) i++;
    const clen = i - start;
    if (clen == 0 || (clen == 1 && load<u8>(src + start) == DOT)) continue;
    if (n > 0) store<u8>(dst + n++, SLASH);
    memory.copy(dst + n, src + start, clen);
    n += clen;
  }
  return n;
}

export function discoverPreopens(): void {
  preopenCount = 0;
  for (let fd: u32 = 3; preopenCount < MAX_PREOPENS; fd++) {
    const err = fd_prestat_get(fd, changetype<prestat>(prestatBuf));
    if (err == errno.BADF) break;
    if (err != errno.SUCCESS) break; // a host that answers oddly: stop rather than loop
    if (load<u8>(prestatBuf) != 0) continue; // not a directory
    let len = <i32>load<u32>(prestatBuf + 4);
    if (len > NAME_CAP) continue;
    if (fd_prestat_dir_name(fd, rawName, len) != errno.SUCCESS) continue;
    while (len > 0 && load<u8>(rawName + len - 1) == 0) len--; // some hosts count a NUL
    const slot = preopenCount++;
    store<u32>(preopenFd + slot * 4, fd);
    store<u8>(preopenAbs + slot, len > 0 && load<u8>(rawName) == SLASH ? 1 : 0);
    store<u32>(preopenLen + slot * 4, canonical(rawName, len, preopenName + slot * NAME_CAP));
  }
}

/** Finds the preopen that holds the canonical guest path; -1 if none does. */
function matchPreopen(path: usize, len: i32, absolute: bool): i32 {
  let best = -1;
  let bestLen = -1;
  for (let i = 0; i < preopenCount; i++) {
    if ((load<u8>(preopenAbs + i) == 1) != absolute) continue;
    const plen = <i32>load<u32>(preopenLen + i * 4);
    if (plen > len || plen <= bestLen) continue;
    if (plen > 0 && len > plen && load<u8>(path + plen) != SLASH) continue;
    if (memory.compare(path, preopenName + i * NAME_CAP, plen) != 0) continue;
    best = i;
    bestLen = plen;
  }
  return best;
}

/**
 * The file type of an entry already known not to be a symlink, or -errno.
 * The core asks itself instead of trusting path_open's answer, because the
 * hosts differ: Deno's node:wasi opens a folder as a file (even with
 * O_EXCL) and reports a file used as a folder as EACCES.
 */
function typeOf(dirFd: u32, len: i32): i32 {
  const err = path_filestat_get(dirFd, 0, outBuf, len, changetype<filestat>(statBuf)); // no follow: not a symlink anyway
  return err == errno.SUCCESS ? <i32>load<u8>(statBuf + STAT_FILETYPE) : -<i32>err;
}

/**
 * Resolves a guest path for opening a file. On success resolvedDir,
 * resolvedPath and resolvedLen name a path with no `..`, no `.` and no
 * symlink except, when `followFinal` is false, possibly the last component.
 * With `mkdir`, missing folders on the way are created.
 */
export function resolve(path: usize, len: i32, followFinal: bool, mkdir: bool = false): errno {
  if (len == 0) return errno.INVAL;
  for (let i = 0; i < len; i++) if (load<u8>(path + i) == 0) return errno.INVAL;
  if (len > PATH_MAX) return errno.NAMETOOLONG;
  const trailingSlash = load<u8>(path + len - 1) == SLASH;
  const absolute = load<u8>(path) == SLASH;

  let work = workA;
  let spare = workB;
  let workLen = canonical(path, len, work);
  const slot = matchPreopen(work, workLen, absolute);
  if (slot < 0) return errno.NOTCAPABLE;
  const dirFd = load<u32>(preopenFd + slot * 4);
  let pos = <i32>load<u32>(preopenLen + slot * 4); // skip the preopen's own name

  let outLen = 0;
  let depth = 0;
  let links = 0;
  while (true) {
    while (pos < workLen && load<u8>(work + pos) == SLASH) pos++;
    if (pos >= workLen) break;
    const start = pos;
    while (pos < workLen && load<u8>(work + pos) != SLASH) pos++;
    const clen = pos - start;
    if (clen == 1 && load<u8>(work + start) == DOT) continue;
    if (clen == 2 && load<u8>(work + start) == DOT && load<u8>(work + start + 1) == DOT) {
      if (depth == 0) return errno.NOTCAPABLE; // above the preopen's root
      depth--;
      outLen = depth == 0 ? 0 : <i32>load<u32>(outStarts + depth * 4) - 1;
      continue;
    }
    if (clen > NAME_MAX) return errno.NAMETOOLONG;
    if (depth >= MAX_DEPTH || outLen + 1 + clen > PATH_MAX) return errno.NAMETOOLONG;
    if (depth > 0) store<u8>(outBuf + outLen++, SLASH);
    store<u32>(outStarts + depth * 4, outLen);
    memory.copy(outBuf + outLen, work + start, clen);
    const before = depth == 0 ? 0 : outLen - 1;
    outLen += clen;
    depth++;

    let rest = pos;
    while (rest < workLen && load<u8>(work + rest) == SLASH) rest++;
    const last = rest >= workLen;
    if (last && !followFinal && !trailingSlash) {
      // "x" flags never follow a final symlink: an existing link is EEXIST,
      // whatever it points at, so the outcome is the same on every host.
      const e = path_readlink(dirFd, outBuf, outLen, linkBuf, PATH_MAX, usedOut);
      if (e == errno.SUCCESS || e == errno.INVAL) return errno.EXIST; // a symlink, or something else that exists
      if (e == errno.NOENT) break;
      return typeOf(dirFd, outLen) >= 0 ? errno.EXIST : e;
    }
    const err = path_readlink(dirFd, outBuf, outLen, linkBuf, PATH_MAX, usedOut);
    if (err == errno.INVAL) {
      // Exists and is not a symlink: a folder to walk into, or the file to open.
      const type = typeOf(dirFd, outLen);
      if (type < 0) return <errno>-type;
      if (!last && type != filetype.DIRECTORY) return errno.NOTDIR;
      if (last && type == filetype.DIRECTORY) return errno.ISDIR;
      continue;
    }
    if (err == errno.NOENT) {
      if (last) break; // the file to create
      if (!mkdir) return errno.NOENT; // a missing parent
      // Every component before this one was checked, so the folder is made
      // inside the preopen. If something appeared there meanwhile (EEXIST),
      // it is walked into only if it is a real folder, never a new symlink.
      const made = path_create_directory(dirFd, outBuf, outLen);
      if (made == errno.EXIST) {
        const type = typeOf(dirFd, outLen);
        if (type == filetype.SYMBOLIC_LINK) return errno.NOTCAPABLE;
        if (type != filetype.DIRECTORY) return type < 0 ? <errno>-type : errno.NOTDIR;
      } else if (made != errno.SUCCESS) return made;
      continue;
    }
    if (err != errno.SUCCESS) {
      // A symlink whose target the host will not show cannot be checked, so
      // it is not followed: Wasmtime refuses to read absolute targets (EPERM).
      return typeOf(dirFd, outLen) == filetype.SYMBOLIC_LINK ? errno.NOTCAPABLE : err;
    }

    // A symlink: splice its target in front of what is left to walk.
    if (++links > MAX_SYMLINKS) return errno.LOOP;
    const tlen = <i32>load<u32>(usedOut);
    if (tlen >= PATH_MAX) return errno.NAMETOOLONG;
    if (tlen == 0) return errno.NOENT;
    if (load<u8>(linkBuf) == SLASH) return errno.NOTCAPABLE; // a host path: outside by definition
    const restLen = workLen - pos;
    if (tlen + restLen > WORK_CAP) return errno.NAMETOOLONG;
    memory.copy(spare, linkBuf, tlen);
    memory.copy(spare + tlen, work + pos, restLen);
    const t = work; work = spare; spare = t;
    workLen = tlen + restLen;
    pos = 0;
    depth--;
    outLen = before;
  }
  if (depth == 0 || trailingSlash) return errno.ISDIR;
  resolvedDir = dirFd;
  resolvedPath = outBuf;
  resolvedLen = outLen;
  return errno.SUCCESS;
}
