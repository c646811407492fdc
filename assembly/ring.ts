// The consumer side of the ring. pump() walks the records the host published,
// gathers each file's bytes into iovecs, at most `chunkSize` bytes per
// fd_write, and hands them to the host. Large records are written straight
// from the ring (no copy); small ones are staged (see STAGE_BELOW). Space is
// released (HEAD advanced) only after the bytes it holds were written.
import { errno } from "bindings/wasi_snapshot_preview1";
import {
  CTRL_HEAD, CTRL_RESULT, CTRL_TAIL, KIND_CLOSE, KIND_DATASYNC, KIND_FLUSH, KIND_OPEN, KIND_PAD,
  KIND_STOP, KIND_SYNC, KIND_WRITE, PUMP_COMPLETED, PUMP_IDLE, PUMP_PROGRESS, PUMP_STOPPED,
  REC_ALIGN, REC_FD, REC_HEADER, REC_KIND, REC_LEN, REC_REQ, RESULT_ERRNO, RESULT_REQ, RESULT_VALUE,
  WHOLE_BELOW,
} from "./layout";
import {
  closeAll, closeFile, errorFromWrite, flushFile, isWritable, markFailed, openFile, openedFd, syncFile,
} from "./files";
import { writeAll } from "./write";

const MAX_SLOTS: i32 = 16; // distinct files gathered in one window
const IOV_MAX: i32 = 1024; // POSIX's minimum IOV_MAX; hosts pass iovecs straight to writev

let ctrl: usize = 0;
let ring: usize = 0;
let ringSize: u32 = 0;
let chunkSize: u32 = 0;
let windowBytes: u32 = 0;

// Records smaller than WHOLE_BELOW are copied into the slot's staging area
// instead of getting an iovec of their own: a run of 64-byte log lines becomes
// one iovec, and a small record is never split across fd_write calls. The copy
// is cheap next to the syscall work it saves, and it matters on hosts whose
// fd_write loops over iovecs one write(2) at a time (Deno 2.9).
const STAGE_BELOW: u32 = <u32>WHOLE_BELOW;
const STAGE_CAP: u32 = 64 * 1024;
let stageBytes: u32 = 0; // min(chunkSize, STAGE_CAP)
let stages: usize = 0; // MAX_SLOTS staging areas of stageBytes each

const slotFd = memory.data(MAX_SLOTS * 4, 4);
const slotStaged = memory.data(MAX_SLOTS * 4, 4); // bytes used in the slot's staging area
const slotCount = memory.data(MAX_SLOTS * 4, 4); // iovecs in use
const slotBytes = memory.data(MAX_SLOTS * 4, 4);
const slotIovs = memory.data(MAX_SLOTS * IOV_MAX * 8, 8);
let slots: i32 = 0;

/** Bytes of memory the staging areas need after the ring. */
export function stagingBytes(chunk: u32): usize {
  return <usize>MAX_SLOTS * <usize>min(chunk, STAGE_CAP);
}

export function ringSetup(ctrlBlock: usize, ringBase: usize, size: u32, chunk: u32, staging: usize): void {
  stages = staging;
  stageBytes = min(chunk, STAGE_CAP);
  ctrl = ctrlBlock;
  ring = ringBase;
  ringSize = size;
  chunkSize = chunk;
  // Release space in pieces so a producer waiting for room is not held up by a
  // whole ring's worth of writing.
  windowBytes = size / 4;
}

function slotFor(fd: u32): i32 {
  for (let i = 0; i < slots; i++) if (load<u32>(slotFd + i * 4) == fd) return i;
  if (slots == MAX_SLOTS) return -1;
  store<u32>(slotFd + slots * 4, fd);
  store<u32>(slotCount + slots * 4, 0);
  store<u32>(slotBytes + slots * 4, 0);
  store<u32>(slotStaged + slots * 4, 0);
  return slots++;
}

function writeSlot(slot: i32): void {
  const count = <i32>load<u32>(slotCount + slot * 4);
  if (count == 0) return;
  const fd = load<u32>(slotFd + slot * 4);
  const iovs = slotIovs + slot * IOV_MAX * 8;
  if (isWritable(fd)) {
    const err = writeAll(fd, iovs, count);
    if (err != errno.SUCCESS) markFailed(fd, err);
  }
  store<u32>(slotCount + slot * 4, 0);
  store<u32>(slotBytes + slot * 4, 0);
  store<u32>(slotStaged + slot * 4, 0);
}

/** Copies a small record into the slot's staging area, growing its last iovec when it can. */
function stageBytesOf(slot: i32, ptr: usize, len: u32): void {
  if (load<u32>(slotStaged + slot * 4) + len > stageBytes || load<u32>(slotBytes + slot * 4) + len > chunkSize) {
    writeSlot(slot);
  }
  const staged = load<u32>(slotStaged + slot * 4);
  const stage = stages + <usize>slot * <usize>stageBytes;
  const dst = stage + staged;
  memory.copy(dst, ptr, len);
  const iovs = slotIovs + slot * IOV_MAX * 8;
  const count = load<u32>(slotCount + slot * 4);
  const last = iovs + (count - 1) * 8;
  if (count > 0 && <usize>load<u32>(last) + <usize>load<u32>(last + 4) == dst) {
    store<u32>(last + 4, load<u32>(last + 4) + len);
  } else {
    store<u32>(iovs + count * 8, <u32>dst);
    store<u32>(iovs + count * 8 + 4, len);
    store<u32>(slotCount + slot * 4, count + 1);
  }
  store<u32>(slotStaged + slot * 4, staged + len);
  const bytes = load<u32>(slotBytes + slot * 4) + len;
  store<u32>(slotBytes + slot * 4, bytes);
  if (bytes == chunkSize || count + 1 == <u32>IOV_MAX) writeSlot(slot);
}

function addBytes(slot: i32, ptr: usize, len: u32): void {
  if (len < STAGE_BELOW && len <= stageBytes) {
    stageBytesOf(slot, ptr, len);
    return;
  }
  const iovs = slotIovs + slot * IOV_MAX * 8;
  while (len > 0) {
    const count = load<u32>(slotCount + slot * 4);
    const bytes = load<u32>(slotBytes + slot * 4);
    const take = min(len, chunkSize - bytes);
    store<u32>(iovs + count * 8, <u32>ptr);
    store<u32>(iovs + count * 8 + 4, take);
    store<u32>(slotCount + slot * 4, count + 1);
    store<u32>(slotBytes + slot * 4, bytes + take);
    ptr += take;
    len -= take;
    if (bytes + take == chunkSize || count + 1 == <u32>IOV_MAX) writeSlot(slot);
  }
}

function writeAllSlots(): void {
  for (let i = 0; i < slots; i++) writeSlot(i);
  slots = 0;
}

function publishHead(pos: u32): void {
  atomic.store<u32>(ctrl + CTRL_HEAD, pos);
  atomic.notify(ctrl + CTRL_HEAD); // the host's exit flush may be waiting on it
}

function recordEnd(pos: u32, len: u32): u32 {
  const end = pos + ((<u32>REC_HEADER + len + <u32>REC_ALIGN - 1) & ~(<u32>REC_ALIGN - 1));
  return end == ringSize ? 0 : end;
}

function runControl(kind: i32, rec: usize): i32 {
  const fd = load<u32>(rec + REC_FD);
  let err: errno = errno.SUCCESS;
  let value: u32 = 0;
  if (kind == KIND_OPEN) {
    err = openFile(<i32>fd, rec + REC_HEADER, <i32>load<u32>(rec + REC_LEN));
    if (err == errno.SUCCESS) value = openedFd;
  } else if (kind == KIND_FLUSH) err = flushFile(fd);
  else if (kind == KIND_SYNC) err = syncFile(fd, false);
  else if (kind == KIND_DATASYNC) err = syncFile(fd, true);
  else if (kind == KIND_CLOSE) err = closeFile(fd);
  else if (kind == KIND_STOP) closeAll();
  else err = errno.INVAL; // a record kind this core does not know
  if (kind != KIND_OPEN && errorFromWrite) value = 1; // the host names fd_write as the failed call
  store<u32>(ctrl + CTRL_RESULT + RESULT_REQ, load<u32>(rec + REC_REQ));
  store<u32>(ctrl + CTRL_RESULT + RESULT_ERRNO, err);
  store<u32>(ctrl + CTRL_RESULT + RESULT_VALUE, value);
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
    const kind = <i32>load<u32>(rec + REC_KIND);
    if (kind == KIND_PAD) {
      taken += ringSize - pos;
      pos = 0;
      continue;
    }
    const len = load<u32>(rec + REC_LEN);
    if (kind == KIND_WRITE) {
      const fd = load<u32>(rec + REC_FD);
      if (isWritable(fd)) {
        const slot = slotFor(fd);
        if (slot < 0) break; // too many files in one window: write these first
        addBytes(slot, rec + REC_HEADER, len);
      }
      const next = recordEnd(pos, len);
      taken += <u32>REC_HEADER + len;
      pos = next;
      continue;
    }
    // A control record acts after every write before it is out.
    if (slots > 0) break;
    const next = recordEnd(pos, len);
    const status = runControl(kind, rec);
    publishHead(next);
    return status;
  }
  writeAllSlots();
  publishHead(pos);
  return PUMP_PROGRESS;
}

export function hasWork(): bool {
  return atomic.load<u32>(ctrl + CTRL_TAIL) != atomic.load<u32>(ctrl + CTRL_HEAD);
}
