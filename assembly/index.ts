// The reactor module's exports (for the JS hosts). Every export returns an
// errno or a plain value; nothing here throws (a throw aborts the instance).
import { errno } from "bindings/wasi_snapshot_preview1";
import { CTRL_BYTES } from "./layout";
import { discoverPreopens } from "./path";
import { ringSetup, stagingBytes } from "./ring";
import { setStatsBlock } from "./write";

export {
  CTRL_HEAD, CTRL_TAIL, CTRL_STATE, CTRL_SPACE_WANTED, CTRL_RESULT, CTRL_STATS, CTRL_BYTES,
  RESULT_REQ, RESULT_ERRNO, RESULT_VALUE, STAT_WRITE_CALLS, STAT_MAX_WRITE, STAT_BYTES, STAT_RETRIES,
  STATE_RUNNING, STATE_SLEEPING, REC_KIND, REC_FD, REC_LEN, REC_REQ, REC_HEADER, REC_ALIGN,
  KIND_WRITE, KIND_PAD, KIND_OPEN, KIND_FLUSH, KIND_SYNC, KIND_DATASYNC, KIND_CLOSE, KIND_STOP,
  WHOLE_BELOW, OPEN_APPEND, OPEN_EXCLUSIVE, OPEN_MKDIR, PUMP_IDLE, PUMP_PROGRESS, PUMP_COMPLETED, PUMP_STOPPED,
} from "./layout";
export { pump, hasWork } from "./ring";

let ctrlBlock: usize = 0;
let ringBase: usize = 0;

/** Allocates the control block and a ring of `ringBytes`; finds the preopens. */
export function init(ringBytes: u32, chunkSize: u32): u32 {
  if (ctrlBlock != 0) return errno.ALREADY;
  if (ringBytes < 4096 || (ringBytes & 7) != 0 || chunkSize == 0) return errno.INVAL;
  // Grow memory ourselves so a failure is an errno, not a trap.
  const need = <usize>CTRL_BYTES + 64 + <usize>ringBytes + stagingBytes(chunkSize);
  const start = (<usize>memory.size() << 16);
  const pages = <i32>((need + 0xffff) >> 16);
  if (memory.grow(pages) < 0) return errno.NOMEM;
  ctrlBlock = (start + 63) & ~63;
  ringBase = ctrlBlock + <usize>CTRL_BYTES;
  memory.fill(ctrlBlock, 0, CTRL_BYTES);
  setStatsBlock(ctrlBlock);
  ringSetup(ctrlBlock, ringBase, ringBytes, chunkSize, ringBase + <usize>ringBytes);
  discoverPreopens();
  return errno.SUCCESS;
}

export function ctrlPtr(): usize {
  return ctrlBlock;
}

export function ringPtr(): usize {
  return ringBase;
}
