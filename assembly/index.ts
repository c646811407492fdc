// The reactor module's exports (for the JS hosts and the Wasmtime host).
// Every export returns an errno or a plain value; nothing here throws (a throw
// aborts the instance).
import { errno } from "bindings/wasi_snapshot_preview1";
import { carveBeneath } from "./beneath";
import { carveFiles, resetFiles } from "./files";
import { CTRL_BYTES, INIT_HOST_ANCHORED, PREOPEN_NAME_CAP } from "./layout";
import { addPreopen, carvePath, discoverPreopens } from "./path";
import { carve, carvedTo, carveFrom } from "./region";
import { carveOps, resetOps } from "./ops";
import { carveRing } from "./ring";
import { carveWrite } from "./write";

export {
  CTRL_HEAD, CTRL_TAIL, CTRL_STATE, CTRL_SPACE_WANTED, CTRL_RESULT, CTRL_STATS, CTRL_PROGRESS, CTRL_FAILURES,
  CTRL_HOT, CTRL_BYTES, RESULT_REQ, RESULT_ERRNO, RESULT_VALUE, RESULT_VALUE2, RESULT_CALL, STAT_WRITE_CALLS,
  STAT_MAX_WRITE, STAT_BYTES, STAT_RETRIES, STAT_DATASYNCS, STAT_SYNCED_WRITES, STAT_DROPPED, STAT_COUNT,
  STATE_RUNNING, STATE_SLEEPING, REC_KIND, REC_FILE, REC_LEN, REC_SEQ, REC_HEADER, REC_ALIGN, REC_FLAGS_SHIFT,
  KIND_WRITE, KIND_PAD, KIND_OPEN, KIND_FLUSH, KIND_SYNC, KIND_DATASYNC, KIND_CLOSE, KIND_STOP, KIND_REOPEN,
  KIND_MKDIR, KIND_RENAME, KIND_UNLINK, KIND_RMDIR, KIND_STAT, KIND_READDIR, KIND_READ, KIND_FSTAT, KIND_TRUNCATE,
  KIND_COMMIT, OPEN_ATOMIC, MKDIR_RECURSIVE, STAT_NOFOLLOW, REPLY_STAT_DEV, REPLY_STAT_INO, REPLY_STAT_TYPE,
  REPLY_STAT_NLINK, REPLY_STAT_SIZE, REPLY_STAT_ATIM, REPLY_STAT_MTIM, REPLY_STAT_CTIM, REPLY_STAT_MODE, REPLY_STAT_BYTES,
  FILE_ATOMIC, FILE_HOST_MODE, ATOMIC_SLOTS,
  WANT_WRITTEN, WANT_SYNCED, WHOLE_BELOW, OPEN_WRITE, OPEN_APPEND, OPEN_EXCLUSIVE, OPEN_CREATE, OPEN_TRUNCATE,
  OPEN_MKDIR, OPEN_READ, INIT_HOST_ANCHORED, INIT_ALLOW_SPECIAL, INIT_NO_PIPES, INIT_REFUSE_HARD_LINKS, FILE_MAX, FILE_ENTRY, FILE_FD, FILE_ERRNO,
  FILE_ERR_SEQ, FILE_ERR_CALL, FILE_WRITTEN, FILE_SYNCED, FILE_MODE, FAILLOG_SIZE, FAILLOG_ENTRY,
  REFUSED_NO_PREOPEN, REFUSED_ABOVE_ROOT, REFUSED_ABSOLUTE_LINK, REFUSED_HIDDEN_LINK, REFUSED_NEW_LINK,
  REFUSED_CHANGING, REFUSED_ROOT_ENTRY, REFUSED_HARD_LINK, CALL_NONE, CALL_FD_WRITE, CALL_FD_DATASYNC, CALL_FD_SYNC, PUMP_IDLE, PUMP_PROGRESS, PUMP_COMPLETED,
  PUMP_STOPPED, MAX_SLOTS, IOV_MAX, STAGE_CAP, MAX_PREOPENS, PREOPEN_NAME_CAP, PATH_MAX, NAME_MAX, MAX_DEPTH,
} from "./layout";
export { pump, hasWork, ringPtr, replyPtr } from "./ring";
export { fileTablePtr, failLogPtr } from "./files";

let ctrlBlock: usize = 0;
let scratch: usize = 0;

/** Lays the region out from `base`: where each part goes. Writes nothing. */
function carveAll(base: usize, ringBytes: u32, chunkSize: u32, replyBytes: u32, options: i32): usize {
  carveFrom(base);
  ctrlBlock = carve(<usize>CTRL_BYTES, 64);
  carveRing(ctrlBlock, ringBytes, chunkSize, replyBytes);
  carveWrite(ctrlBlock);
  carveBeneath((options & INIT_HOST_ANCHORED) != 0);
  carveFiles(ctrlBlock, options);
  carvePath();
  carveOps();
  scratch = carve(<usize>PREOPEN_NAME_CAP);
  return carvedTo() - base;
}

function badSizes(ringBytes: u32, chunkSize: u32, replyBytes: u32): bool {
  return ringBytes < 4096 || (ringBytes & 7) != 0 || chunkSize == 0 || (replyBytes & 7) != 0;
}

/** The bytes of memory an instance with this ring, chunk size and reply area needs for its region. */
export function regionBytes(ringBytes: u32, chunkSize: u32, replyBytes: u32): usize {
  if (ctrlBlock != 0 || badSizes(ringBytes, chunkSize, replyBytes)) return 0; // only before init(): it moves the globals
  return carveAll(0, ringBytes, chunkSize, replyBytes, 0) + 64; // + the alignment a base may need
}

/**
 * Sets the instance up in [base, base + size) of its memory: the control
 * block, a ring of `ringBytes`, a reply area of `replyBytes`, the file table.
 * Without INIT_HOST_ANCHORED it finds the WASI preopens itself; with it, the
 * host adds them (hostPreopen).
 */
export function init(base: usize, size: usize, ringBytes: u32, chunkSize: u32, replyBytes: u32, options: i32): u32 {
  if (ctrlBlock != 0) return errno.ALREADY;
  if (badSizes(ringBytes, chunkSize, replyBytes)) return errno.INVAL;
  if (carveAll(base, ringBytes, chunkSize, replyBytes, options) > size) return errno.NOMEM;
  memory.fill(ctrlBlock, 0, CTRL_BYTES);
  resetFiles();
  resetOps();
  if ((options & INIT_HOST_ANCHORED) == 0) discoverPreopens();
  return errno.SUCCESS;
}

/** A preopen the host anchored: its guest name (written at scratchPtr()) and the host fd of its root. */
export function hostPreopen(nameLen: i32, anchor: i32): u32 {
  return addPreopen(scratch, nameLen, anchor);
}

export function ctrlPtr(): usize {
  return ctrlBlock;
}

export function scratchPtr(): usize {
  return scratch;
}

/** Where the module's static data ends: regions start above it. */
export function staticEnd(): usize {
  return __heap_base;
}
