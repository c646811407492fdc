// Safe guest-path resolution: the one place in the core that turns a guest
// path into "this name beneath this open directory". The hosts do not keep a
// walk inside a preopen on their own (node:wasi follows symlinks out, Deno a
// final symlink), so the core walks every path itself, one component at a
// time, each step anchored on the directory the previous one opened
// (beneath.ts): `..` never climbs above the preopen, a symlink is replaced by
// its target (read, never followed by the host) and absolute targets are
// refused. Every escape is ENOTCAPABLE, on every host.
//
// resolve() stops before the last component and leaves it to the operation
// (open, mkdir, rename, ...), which acts on it without following it and
// without changing anything it has not verified; when the operation sees that
// the entry changed under it, it returns RACED and resolves again.
import { errno, fd_prestat_dir_name, fd_prestat_get, filetype, prestat } from "bindings/wasi_snapshot_preview1";
import { closeDir, isHostAnchored, mkdirAt, openDir, readLinkAt, STAT_SIZEOF, STAT_TYPE, statAt } from "./beneath";
import {
  MAX_DEPTH, MAX_PREOPENS, NAME_MAX, PATH_MAX, PREOPEN_NAME_CAP, REFUSED_ABOVE_ROOT, REFUSED_ABSOLUTE_LINK,
  REFUSED_HIDDEN_LINK, REFUSED_NEW_LINK, REFUSED_NO_PREOPEN,
} from "./layout";
import { carve } from "./region";

const MAX_SYMLINKS: i32 = 40; // as Linux: more is ELOOP
const WORK_CAP: i32 = 2 * PATH_MAX;
/** How often an operation re-resolves a path whose entry kept changing under it. */
export const RACE_RETRIES: i32 = 8;
/** An operation saw its entry change between the walk and its own step: resolve again. */
export const RACED: errno = <errno>0xffff;

const SLASH: u8 = 0x2f;
const DOT: u8 = 0x2e;

// Preopens: name (canonical: no leading "/" or "./", no "." components, no
// repeated or trailing slashes), whether the guest name was absolute, and the
// anchor of its root directory (held for the sandbox's life).
let preopenAnchor: usize = 0;
let preopenAbs: usize = 0;
let preopenLen: usize = 0;
let preopenName: usize = 0;
let preopenCount: i32 = 0;
let prestatBuf: usize = 0;
let rawName: usize = 0;

// Walk state: the anchors from the preopen's root (index 0, not ours to
// close) down to the current directory, two work buffers for "what is left
// to walk", the symlink target buffer and the leaf's name.
let anchors: usize = 0;
let depth: i32 = 0;
let workA: usize = 0;
let workB: usize = 0;
let linkBuf: usize = 0;
let leafBuf: usize = 0;
let statBuf: usize = 0;

/** After resolve(): the directory the leaf is in, its name, and whether it exists (followFinal only). */
export let walkDir: i32 = 0;
export let leafName: usize = 0;
export let leafLen: i32 = 0; // 0: the path names walkDir itself
export let leafExists: bool = false;
/** After resolve(): the path named a preopen's root itself (its entry is outside the sandbox). */
export let atRoot: bool = false;
/** Why the last ENOTCAPABLE was answered (REFUSED_*), for the host's message. */
export let refusal: i32 = 0;

export function refuse(reason: i32): errno {
  refusal = reason;
  return errno.NOTCAPABLE;
}

export function carvePath(): void {
  preopenAnchor = carve(<usize>MAX_PREOPENS * 4);
  preopenAbs = carve(<usize>MAX_PREOPENS);
  preopenLen = carve(<usize>MAX_PREOPENS * 4);
  preopenName = carve(<usize>MAX_PREOPENS * <usize>PREOPEN_NAME_CAP);
  prestatBuf = carve(8);
  rawName = carve(<usize>PREOPEN_NAME_CAP);
  anchors = carve(<usize>(MAX_DEPTH + 1) * 4);
  workA = carve(<usize>WORK_CAP);
  workB = carve(<usize>WORK_CAP);
  linkBuf = carve(<usize>PATH_MAX);
  leafBuf = carve(<usize>NAME_MAX + 1);
  statBuf = carve(STAT_SIZEOF);
  preopenCount = 0;
}

/**
 * Canonicalises `len` bytes at `src` into `dst`: no empty or "." components.
 * A path that ended in "/" or "." names a folder, so "/." is kept at its end
 * ("file.txt/." must be ENOTDIR, not the file). Returns the new length.
 */
function canonical(src: usize, len: i32, dst: usize): i32 {
  let n = 0;
  let i = 0;
  let folder = false;
  while (i < len) {
    while (i < len && load<u8>(src + i) == SLASH) i++;
    const start = i;
    while (i < len && load<u8>(src + i) != SLASH) i++;
    const clen = i - start;
    folder = clen == 0 || (clen == 1 && load<u8>(src + start) == DOT);
    if (folder) continue;
    if (n > 0) store<u8>(dst + n++, SLASH);
    memory.copy(dst + n, src + start, clen);
    n += clen;
  }
  if (folder && n > 0 && len > 1) {
    store<u8>(dst + n++, SLASH);
    store<u8>(dst + n++, DOT);
  }
  return n;
}

/** Adds a preopen: its guest name and the anchor of its root. Errno on a bad name or too many. */
export function addPreopen(name: usize, len: i32, anchor: i32): errno {
  if (preopenCount == MAX_PREOPENS) return errno.NFILE;
  if (len > PREOPEN_NAME_CAP) return errno.NAMETOOLONG;
  const slot = preopenCount++;
  store<u32>(preopenAnchor + <usize>slot * 4, <u32>anchor);
  store<u8>(preopenAbs + <usize>slot, len > 0 && load<u8>(name) == SLASH ? 1 : 0);
  let n = canonical(name, len, preopenName + <usize>slot * <usize>PREOPEN_NAME_CAP);
  // A preopen names a folder; drop the "/." a trailing slash left.
  if (n >= 2 && load<u8>(preopenName + <usize>slot * <usize>PREOPEN_NAME_CAP + <usize>n - 1) == DOT) n -= 2;
  store<u32>(preopenLen + <usize>slot * 4, n);
  return errno.SUCCESS;
}

/** The WASI preopens (Wasmtime, the command module): found with fd_prestat_get. */
export function discoverPreopens(): void {
  for (let fd: u32 = 3; ; fd++) {
    const err = fd_prestat_get(fd, changetype<prestat>(prestatBuf));
    if (err != errno.SUCCESS) break; // EBADF: no more; anything else: stop rather than loop
    if (load<u8>(prestatBuf) != 0) continue; // not a directory
    let len = <i32>load<u32>(prestatBuf + 4);
    if (len > PREOPEN_NAME_CAP || fd_prestat_dir_name(fd, rawName, len) != errno.SUCCESS) continue;
    while (len > 0 && load<u8>(rawName + len - 1) == 0) len--; // some hosts count a NUL
    if (addPreopen(rawName, len, <i32>fd) != errno.SUCCESS) break;
  }
}

/** Finds the preopen that holds the canonical guest path; -1 if none does. */
function matchPreopen(path: usize, len: i32, absolute: bool): i32 {
  let best = -1;
  let bestLen = -1;
  for (let i = 0; i < preopenCount; i++) {
    if ((load<u8>(preopenAbs + <usize>i) == 1) != absolute) continue;
    const plen = <i32>load<u32>(preopenLen + <usize>i * 4);
    if (plen > len || plen <= bestLen) continue;
    if (plen > 0 && len > plen && load<u8>(path + plen) != SLASH) continue;
    if (memory.compare(path, preopenName + <usize>i * <usize>PREOPEN_NAME_CAP, plen) != 0) continue;
    best = i;
    bestLen = plen;
  }
  return best;
}

/** After takeWalkDir(): whether the anchor it gave is the caller's to close (not a preopen's root). */
export let tookOwned: bool = false;

/** Takes walkDir out of the walk, so releaseWalk() leaves it open (for an operation on two paths). */
export function takeWalkDir(): i32 {
  tookOwned = depth > 0;
  if (depth > 0) depth--;
  return walkDir;
}

/** Closes the anchors the last resolve() opened. */
export function releaseWalk(): void {
  for (; depth > 0; depth--) closeDir(load<i32>(anchors + <usize>depth * 4));
}

function current(): i32 {
  return load<i32>(anchors + <usize>depth * 4);
}

/**
 * The component beneath the current directory is a symlink or not a folder
 * (openDir said ENOTDIR/ELOOP); readlink tells which. A link's target is
 * returned in linkBuf (its length); otherwise -errno.
 */
function linkOrError(name: usize, len: i32): i32 {
  const n = readLinkAt(current(), name, len, linkBuf, PATH_MAX);
  if (n >= 0) return n;
  if (n == -<i32>errno.NOENT) return -<i32>RACED; // gone meanwhile: look again
  if (n == -<i32>errno.INVAL) {
    // Not a link: a file used as a folder, unless the entry keeps changing
    // (a link when the step failed, a folder or a link again now): look again.
    const err = statAt(current(), name, len, statBuf);
    if (err != errno.SUCCESS) return err == errno.NOENT ? -<i32>RACED : -<i32>err;
    const type = load<u8>(statBuf + STAT_TYPE);
    return type == filetype.DIRECTORY || type == filetype.SYMBOLIC_LINK ? -<i32>RACED : -<i32>errno.NOTDIR;
  }
  // A host that will not show the target (Wasmtime, for absolute ones:
  // EPERM) leaves a link that cannot be checked, so it is not followed.
  return -<i32>refuse(REFUSED_HIDDEN_LINK);
}

/**
 * Walks a guest path. On success walkDir and leafName/leafLen name its last
 * component, every folder before it opened without following a symlink.
 * With `followFinal`, a last component that is a symlink is followed too
 * (leafExists says whether the leaf is there). With `mkdir`, missing folders
 * on the way are created. Call releaseWalk() afterwards, whatever it returned.
 */
export function resolve(path: usize, len: i32, followFinal: bool, mkdir: bool): errno {
  depth = 0;
  leafLen = 0;
  leafExists = false;
  atRoot = false;
  refusal = 0;
  if (len == 0) return errno.INVAL;
  for (let i = 0; i < len; i++) if (load<u8>(path + i) == 0) return errno.INVAL;
  if (len > PATH_MAX) return errno.NAMETOOLONG;

  let work = workA;
  let spare = workB;
  let workLen = canonical(path, len, work);
  const slot = matchPreopen(work, workLen, load<u8>(path) == SLASH);
  if (slot < 0) return refuse(REFUSED_NO_PREOPEN);
  store<i32>(anchors, load<i32>(preopenAnchor + <usize>slot * 4));
  let pos = <i32>load<u32>(preopenLen + <usize>slot * 4); // skip the preopen's own name
  let links = 0;

  while (true) {
    while (pos < workLen && load<u8>(work + pos) == SLASH) pos++;
    if (pos >= workLen) break; // the path names the current folder
    const start = pos;
    while (pos < workLen && load<u8>(work + pos) != SLASH) pos++;
    const clen = pos - start;
    const name = work + start;
    let rest = pos;
    while (rest < workLen && load<u8>(work + rest) == SLASH) rest++;
    const last = rest >= workLen;

    if (clen == 1 && load<u8>(name) == DOT) continue; // only a spliced target's "." gets here
    if (clen == 2 && load<u8>(name) == DOT && load<u8>(name + 1) == DOT) {
      if (depth == 0) return refuse(REFUSED_ABOVE_ROOT);
      closeDir(current());
      depth--;
      continue;
    }
    if (clen > NAME_MAX) return errno.NAMETOOLONG;

    let target = -1; // >= 0: `name` is a symlink whose target (this many bytes) is in linkBuf
    if (last && pos == workLen) {
      // The leaf: left to the operation unless it is a link to follow.
      if (followFinal) {
        const n = readLinkAt(current(), name, clen, linkBuf, PATH_MAX);
        if (n >= 0) target = n;
        else if (n == -<i32>errno.INVAL) leafExists = true;
        else if (n != -<i32>errno.NOENT) return n == -<i32>errno.PERM ? refuse(REFUSED_HIDDEN_LINK) : <errno>-n;
      }
      if (target < 0) {
        memory.copy(leafBuf, name, clen);
        leafName = leafBuf;
        leafLen = clen;
        break;
      }
    } else {
      // A folder on the way (or a leaf with a trailing "/" or "/."): step into it.
      if (depth == MAX_DEPTH) return errno.NAMETOOLONG;
      // Host-anchored steps never follow a link (O_NOFOLLOW), so readlink is
      // needed only when the step fails. WASI-anchored ones ask first: on the
      // fallback hosts path_open would follow it.
      let dir = isHostAnchored() ? openDir(current(), name, clen) : -<i32>errno.LOOP;
      if (!isHostAnchored()) {
        const n = readLinkAt(current(), name, clen, linkBuf, PATH_MAX);
        if (n >= 0) target = n;
        else if (n == -<i32>errno.INVAL) dir = openDir(current(), name, clen);
        else if (n == -<i32>errno.NOENT) dir = n;
        else return n == -<i32>errno.PERM ? refuse(REFUSED_HIDDEN_LINK) : <errno>-n;
      }
      if (dir == -<i32>errno.NOENT && mkdir) {
        // Every step so far was checked, so the folder is made inside the
        // preopen. Whatever appears there meanwhile is walked into only if
        // it is a real folder, never a new symlink.
        const made = mkdirAt(current(), name, clen);
        if (made != errno.SUCCESS && made != errno.EXIST) return made;
        dir = openDir(current(), name, clen);
        if (dir == -<i32>errno.NOTDIR || dir == -<i32>errno.LOOP) {
          const n = linkOrError(name, clen);
          return n >= 0 ? refuse(REFUSED_NEW_LINK) : <errno>-n;
        }
      }
      if (target >= 0) {
        // a link, found by readlink above
      } else if (dir == -<i32>errno.NOTDIR || dir == -<i32>errno.LOOP) {
        const n = linkOrError(name, clen);
        if (n < 0) return <errno>-n;
        target = n;
      } else if (dir < 0) {
        return <errno>-dir;
      } else {
        depth++;
        store<i32>(anchors + <usize>depth * 4, dir);
        continue;
      }
    }

    // A symlink: splice its target in front of what is left to walk.
    if (++links > MAX_SYMLINKS) return errno.LOOP;
    if (target >= PATH_MAX) return errno.NAMETOOLONG;
    if (target == 0) return errno.NOENT; // an empty target names nothing
    if (load<u8>(linkBuf) == SLASH) return refuse(REFUSED_ABSOLUTE_LINK); // a host path: outside by definition
    const restLen = workLen - pos;
    if (target + restLen > WORK_CAP) return errno.NAMETOOLONG;
    memory.copy(spare, linkBuf, target);
    memory.copy(spare + target, work + pos, restLen);
    const t = work;
    work = spare;
    spare = t;
    workLen = target + restLen;
    pos = 0;
  }
  walkDir = current();
  atRoot = depth == 0 && leafLen == 0;
  return errno.SUCCESS;
}
