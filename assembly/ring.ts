// The consumer side of the ring. pump() walks the records the host published,
// gathers each file's bytes into iovecs, at most `chunkSize` bytes per
// fd_write, and hands them to the host. Large records are written straight
// from the ring (no copy); small ones are staged (see STAGE_BELOW). Space is
// released (HEAD advanced) only after the bytes it holds were written.
//
// Durable writes (WANT_* flags) are group-committed: everything a window
// gathered for a file goes out in as few fd_writes as chunkSize allows, then,
// if any of it asked to be synced, one fd_datasync covers all of it; the
// file's WRITTEN/SYNCED sequence numbers move, and one notify on
// CTRL_PROGRESS wakes the host for the whole group. Writes that arrive while
// a sync runs wait in the ring and make the next group.
import { errno } from "bindings/wasi_snapshot_preview1";
import {
  CALL_FD_WRITE, CTRL_HEAD, CTRL_PROGRESS, CTRL_RESULT, CTRL_TAIL, IOV_MAX, KIND_CLOSE, KIND_COMMIT, KIND_DATASYNC,
  KIND_FLUSH, KIND_FSTAT, KIND_MKDIR, KIND_OPEN, KIND_PAD, KIND_READ, KIND_READDIR, KIND_RENAME, KIND_REOPEN, KIND_RMDIR,
  KIND_STAT, KIND_STOP, KIND_SYNC, KIND_TRUNCATE, KIND_UNLINK, KIND_WRITE, MAX_SLOTS, OPEN_ATOMIC, PUMP_COMPLETED,
  PUMP_IDLE, PUMP_PROGRESS, PUMP_STOPPED, REC_ALIGN, REC_FILE, REC_FLAGS_SHIFT, REC_HEADER, REC_KIND, REC_LEN,
  REC_SEQ, REPLY_STAT_BYTES, RESULT_CALL, RESULT_ERRNO, RESULT_REQ, RESULT_VALUE, RESULT_VALUE2, STAGE_CAP, STAT_DATASYNCS,
  STAT_DROPPED, STAT_NOFOLLOW, STAT_SYNCED_WRITES, WANT_SYNCED, WHOLE_BELOW,
} from "./layout";
import {
  closeAll, closeFile, commitFile, failedCall, failFile, failure, fdOf, flushFile, isWritable, markWritten, openAtomic,
  openFile, reopenFile, syncFile, syncUpTo,
} from "./files";
import {
  bytesRead, direntBytes, fstatOp, mkdirOp, readdirOp, readOp, renameOp, rmdirOp, statOp, truncateOp, unlinkOp,
} from "./ops";
import { refusal } from "./path";
import { carve } from "./region";
import { bump, writeAll } from "./write";

let ctrl: usize = 0;
let ring: usize = 0;
let reply: usize = 0; // where read, stat and readdir put what they answer (the host splits it up)
let replySize: u32 = 0;
let ringSize: u32 = 0;
let chunkSize: u32 = 0;
let windowBytes: u32 = 0;

// Records smaller than WHOLE_BELOW are copied into the slot's staging area
// instead of getting an iovec of their own: a run of 64-byte log lines becomes
// one iovec, and a small record is never split across fd_write calls. The copy
// is cheap next to the syscall work it saves, and it matters on hosts whose
// fd_write loops over iovecs one write(2) at a time (Deno 2.9).
const STAGE_BELOW: u32 = <u32>WHOLE_BELOW;
let stageBytes: u32 = 0; // min(chunkSize, STAGE_CAP)
let stages: usize = 0; // MAX_SLOTS staging areas of stageBytes each

// A slot gathers one file's records in a window. The iovec part empties at
// every fd_write; the group part (sequence numbers, sync wanted) lasts the window.
let slotHandle: usize = 0;
let slotStaged: usize = 0; // bytes used in the slot's staging area
let slotCount: usize = 0; // iovecs in use
let slotBytes: usize = 0;
let slotFirstSeq: usize = 0; // first sequence number not yet written
let slotLastSeq: usize = 0; // last sequence number wholly gathered (firstSeq - 1: none)
let slotSynced: usize = 0; // "synced" records gathered (0: no fd_datasync wanted)
let slotIovs: usize = 0;
let slots: i32 = 0;
let durable = false; // a record of this window asked to hear when it is done

/** Bytes of the region the staging areas need. */
export function stagingBytes(chunk: u32): usize {
  return <usize>MAX_SLOTS * <usize>min(chunk, <u32>STAGE_CAP);
}

export function carveRing(ctrlBlock: usize, size: u32, chunk: u32, replyBytes: u32): usize {
  ctrl = ctrlBlock;
  ring = carve(<usize>size, 64);
  reply = carve(<usize>replyBytes, 64);
  replySize = replyBytes;
  ringSize = size;
  chunkSize = chunk;
  stageBytes = min(chunk, <u32>STAGE_CAP);
  stages = carve(stagingBytes(chunk), 64);
  slotHandle = carve(<usize>MAX_SLOTS * 4);
  slotStaged = carve(<usize>MAX_SLOTS * 4);
  slotCount = carve(<usize>MAX_SLOTS * 4);
  slotBytes = carve(<usize>MAX_SLOTS * 4);
  slotFirstSeq = carve(<usize>MAX_SLOTS * 4);
  slotLastSeq = carve(<usize>MAX_SLOTS * 4);
  slotSynced = carve(<usize>MAX_SLOTS * 4);
  slotIovs = carve(<usize>MAX_SLOTS * <usize>IOV_MAX * 8);
  slots = 0;
  // Release space in pieces so a producer waiting for room is not held up by a
  // whole ring's worth of writing.
  windowBytes = size / 4;
  return ring;
}

function field(base: usize, slot: i32): usize {
  return base + <usize>slot * 4;
}

function slotFor(handle: u32): i32 {
  for (let i = 0; i < slots; i++) if (load<u32>(field(slotHandle, i)) == handle) return i;
  if (slots == MAX_SLOTS) return -1;
  store<u32>(field(slotHandle, slots), handle);
  store<u32>(field(slotCount, slots), 0);
  store<u32>(field(slotBytes, slots), 0);
  store<u32>(field(slotStaged, slots), 0);
  store<u32>(field(slotSynced, slots), 0);
  return slots++;
}

/**
 * Hands the slot's iovecs to fd_write; the file fails if that does. Then
 * the records wholly gathered so far are written: marked so (a large record
 * goes out a chunk at a time, and is marked only once its last chunk is).
 */
function writeSlot(slot: i32): void {
  const count = <i32>load<u32>(field(slotCount, slot));
  const handle = load<u32>(field(slotHandle, slot));
  if (count > 0) {
    const iovs = slotIovs + <usize>slot * <usize>IOV_MAX * 8;
    const writable = isWritable(handle);
    const err = writable ? writeAll(fdOf(handle), iovs, count) : errno.SUCCESS;
    if (err != errno.SUCCESS) failFile(handle, err, CALL_FD_WRITE, load<u32>(field(slotFirstSeq, slot)));
    if (!writable || err != errno.SUCCESS) bump(STAT_DROPPED, <u64>load<u32>(field(slotBytes, slot))); // at most: some may have gone out
    store<u32>(field(slotCount, slot), 0);
    store<u32>(field(slotBytes, slot), 0);
    store<u32>(field(slotStaged, slot), 0);
  }
  const last = load<u32>(field(slotLastSeq, slot));
  if (last + 1 != load<u32>(field(slotFirstSeq, slot)) && isWritable(handle)) {
    markWritten(handle, last);
    store<u32>(field(slotFirstSeq, slot), last + 1);
  }
}

/** Copies a small record into the slot's staging area, growing its last iovec when it can. */
function stage(slot: i32, ptr: usize, len: u32): void {
  if (load<u32>(field(slotStaged, slot)) + len > stageBytes || load<u32>(field(slotBytes, slot)) + len > chunkSize) {
    writeSlot(slot);
  }
  const staged = load<u32>(field(slotStaged, slot));
  const dst = stages + <usize>slot * <usize>stageBytes + <usize>staged;
  memory.copy(dst, ptr, len);
  const iovs = slotIovs + <usize>slot * <usize>IOV_MAX * 8;
  const count = load<u32>(field(slotCount, slot));
  const last = iovs + <usize>(count - 1) * 8;
  if (count > 0 && <usize>load<u32>(last) + <usize>load<u32>(last + 4) == dst) {
    store<u32>(last + 4, load<u32>(last + 4) + len);
  } else {
    store<u32>(iovs + <usize>count * 8, <u32>dst);
    store<u32>(iovs + <usize>count * 8 + 4, len);
    store<u32>(field(slotCount, slot), count + 1);
  }
  store<u32>(field(slotStaged, slot), staged + len);
  const bytes = load<u32>(field(slotBytes, slot)) + len;
  store<u32>(field(slotBytes, slot), bytes);
  if (bytes == chunkSize || count + 1 == <u32>IOV_MAX) writeSlot(slot);
}

function addBytes(slot: i32, ptr: usize, len: u32): void {
  if (len < STAGE_BELOW && len <= stageBytes) {
    stage(slot, ptr, len);
    return;
  }
  const iovs = slotIovs + <usize>slot * <usize>IOV_MAX * 8;
  while (len > 0) {
    const count = load<u32>(field(slotCount, slot));
    const bytes = load<u32>(field(slotBytes, slot));
    const take = min(len, chunkSize - bytes);
    store<u32>(iovs + <usize>count * 8, <u32>ptr);
    store<u32>(iovs + <usize>count * 8 + 4, take);
    store<u32>(field(slotCount, slot), count + 1);
    store<u32>(field(slotBytes, slot), bytes + take);
    ptr += take;
    len -= take;
    if (bytes + take == chunkSize || count + 1 == <u32>IOV_MAX) writeSlot(slot);
  }
}

/** Ends the window: writes every slot, then one fd_datasync per file that asked for one. */
function endWindow(): void {
  for (let i = 0; i < slots; i++) writeSlot(i);
  for (let i = 0; i < slots; i++) {
    const synced = load<u32>(field(slotSynced, i));
    const handle = load<u32>(field(slotHandle, i));
    if (synced == 0 || !isWritable(handle)) continue;
    if (syncUpTo(handle, load<u32>(field(slotLastSeq, i)), true) == errno.SUCCESS) {
      bump(STAT_DATASYNCS, 1);
      bump(STAT_SYNCED_WRITES, <u64>synced);
    }
  }
  slots = 0;
  if (durable) {
    durable = false;
    atomic.add<i32>(ctrl + CTRL_PROGRESS, 1);
    atomic.notify(ctrl + CTRL_PROGRESS);
  }
}

function publishHead(pos: u32): void {
  atomic.store<u32>(ctrl + CTRL_HEAD, pos);
  atomic.notify(ctrl + CTRL_HEAD); // the host's exit flush may be waiting on it
}

function recordEnd(pos: u32, len: u32): u32 {
  const end = pos + ((<u32>REC_HEADER + len + <u32>REC_ALIGN - 1) & ~(<u32>REC_ALIGN - 1));
  return end == ringSize ? 0 : end;
}

/** A reply area part [offset, offset + len) the host named, as a pointer; 0 when it is not inside the area. */
function replyAt(offset: u32, len: u32): usize {
  return <u64>offset + <u64>len <= <u64>replySize ? reply + <usize>offset : 0;
}

/** Runs one control record; `value` is what it answers besides the errno. */
let value: u32 = 0;
function control(kind: i32, handle: u32, payload: usize, len: u32): errno {
  value = 0;
  if (kind == KIND_FLUSH) return flushFile(handle);
  if (kind == KIND_SYNC) return syncFile(handle, false);
  if (kind == KIND_DATASYNC) return syncFile(handle, true);
  if (kind == KIND_CLOSE) return closeFile(handle);
  if (kind == KIND_COMMIT) return commitFile(handle);
  if (kind == KIND_STOP) {
    closeAll();
    return errno.SUCCESS;
  }
  if (kind == KIND_UNLINK) return unlinkOp(payload, <i32>len);
  if (kind == KIND_RMDIR) return rmdirOp(payload, <i32>len);
  // The rest have a fixed part before any path.
  if (len < 4) return errno.INVAL;
  const word = load<u32>(payload);
  if (kind == KIND_OPEN || kind == KIND_REOPEN) {
    const mode = <i32>word;
    if ((mode & OPEN_ATOMIC) != 0) {
      if (kind == KIND_REOPEN || len < 8) return errno.INVAL;
      const tempLen = load<u32>(payload + 4);
      if (<u64>tempLen + 8 > <u64>len) return errno.INVAL;
      return openAtomic(handle, mode, payload + 8, <i32>tempLen, payload + 8 + tempLen, <i32>(len - 8 - tempLen));
    }
    if (kind == KIND_OPEN) return openFile(handle, mode, payload + 4, <i32>len - 4);
    return reopenFile(handle, mode, payload + 4, <i32>len - 4);
  }
  if (kind == KIND_MKDIR) return mkdirOp(<i32>word, payload + 4, <i32>len - 4);
  if (kind == KIND_RENAME) {
    if (<u64>word + 4 > <u64>len) return errno.INVAL;
    return renameOp(payload + 4, <i32>word, payload + 4 + word, <i32>(len - 4 - word));
  }
  if (kind == KIND_FSTAT) {
    const out = replyAt(word, <u32>REPLY_STAT_BYTES);
    return out == 0 ? errno.INVAL : fstatOp(handle, out);
  }
  if (len < 8) return errno.INVAL;
  const word2 = load<u32>(payload + 4);
  if (kind == KIND_STAT) {
    const out = replyAt(word, <u32>REPLY_STAT_BYTES);
    return out == 0 ? errno.INVAL : statOp((word2 & STAT_NOFOLLOW) == 0, payload + 8, <i32>len - 8, out);
  }
  if (kind == KIND_READ) {
    const out = replyAt(word, word2);
    if (out == 0) return errno.INVAL;
    const err = readOp(handle, out, word2);
    value = bytesRead;
    return err;
  }
  if (kind == KIND_TRUNCATE) return truncateOp(handle, load<u64>(payload));
  if (kind == KIND_READDIR) {
    const out = replyAt(word, word2);
    if (out == 0 || len < 16) return errno.INVAL;
    const err = readdirOp(payload + 16, <i32>len - 16, load<u64>(payload + 8), out, word2);
    value = direntBytes;
    return err;
  }
  return errno.INVAL; // a record kind this core does not know
}

function runControl(kind: i32, rec: usize): i32 {
  const handle = load<u32>(rec + REC_FILE);
  const err = control(kind, handle, rec + REC_HEADER, load<u32>(rec + REC_LEN));
  // When the answer is the file's failure, the host names the call that failed (fd_write, ...).
  const isFileOp = kind == KIND_FLUSH || kind == KIND_SYNC || kind == KIND_DATASYNC || kind == KIND_CLOSE || kind == KIND_COMMIT;
  const result = ctrl + CTRL_RESULT;
  store<u32>(result + RESULT_CALL, isFileOp && err != errno.SUCCESS && failure(handle) == err ? failedCall(handle) : 0);
  store<u32>(result + RESULT_REQ, load<u32>(rec + REC_SEQ));
  store<u32>(result + RESULT_ERRNO, err);
  store<u32>(result + RESULT_VALUE, value);
  store<u32>(result + RESULT_VALUE2, err == errno.NOTCAPABLE ? <u32>refusal : 0);
  return kind == KIND_STOP ? PUMP_STOPPED : PUMP_COMPLETED;
}

/** Consumes one window of records. See PUMP_* for what it returns. */
export function pump(): i32 {
  const tail = atomic.load<u32>(ctrl + CTRL_TAIL);
  let pos = atomic.load<u32>(ctrl + CTRL_HEAD);
  if (pos == tail) return PUMP_IDLE;
  let taken: u32 = 0;
  while (pos != tail && taken < windowBytes) {
    const rec = ring + pos;
    const word = load<u32>(rec + REC_KIND);
    const kind = <i32>(word & 0xff);
    if (kind == KIND_PAD) {
      taken += ringSize - pos;
      pos = 0;
      continue;
    }
    const len = load<u32>(rec + REC_LEN);
    if (kind == KIND_WRITE) {
      const handle = load<u32>(rec + REC_FILE);
      if (isWritable(handle)) {
        const slot = slotFor(handle);
        if (slot < 0) break; // too many files in one window: write these first
        const seq = load<u32>(rec + REC_SEQ);
        if (load<u32>(field(slotCount, slot)) == 0 && load<u32>(field(slotBytes, slot)) == 0) {
          store<u32>(field(slotFirstSeq, slot), seq); // first not yet written
          store<u32>(field(slotLastSeq, slot), seq - 1); // none wholly in the slot yet
        }
        const flags = <i32>(word >> REC_FLAGS_SHIFT);
        if (flags != 0) {
          durable = true;
          if ((flags & WANT_SYNCED) != 0) store<u32>(field(slotSynced, slot), load<u32>(field(slotSynced, slot)) + 1);
        }
        addBytes(slot, rec + REC_HEADER, len);
        store<u32>(field(slotLastSeq, slot), seq); // wholly in the slot now, or already out
        if (load<u32>(field(slotCount, slot)) == 0) writeSlot(slot); // out: mark it written
      } else {
        bump(STAT_DROPPED, <u64>len); // its file failed (or is not open): nothing more is written to it
      }
      taken += <u32>REC_HEADER + len;
      pos = recordEnd(pos, len);
      continue;
    }
    // A control record acts after every write before it is out.
    if (slots > 0) break;
    const next = recordEnd(pos, len);
    const status = runControl(kind, rec);
    publishHead(next);
    return status;
  }
  endWindow();
  publishHead(pos);
  return PUMP_PROGRESS;
}

export function hasWork(): bool {
  return atomic.load<u32>(ctrl + CTRL_TAIL) != atomic.load<u32>(ctrl + CTRL_HEAD);
}

/** The ring's offset in the region's memory (for the host's producer). */
export function ringPtr(): usize {
  return ring;
}

/** The reply area's offset in the region's memory. */
export function replyPtr(): usize {
  return reply;
}
