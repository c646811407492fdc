// The fd_write loop: hands a list of iovecs to the host until every byte is
// written. Short writes keep the unwritten tail (the iovecs are advanced in
// place); EINTR is retried at once, EAGAIN and zero-byte writes after a short
// sleep, and both give up after a bounded number of tries instead of spinning.
import {
  errno,
  fd_write,
  poll_oneoff,
  clockid,
} from "bindings/wasi_snapshot_preview1";
import { CTRL_STATS, STAT_BYTES, STAT_MAX_WRITE, STAT_RETRIES, STAT_WRITE_CALLS } from "./layout";
import { carve } from "./region";

// Bounds: 200 retries of ~1 ms is about 0.2 s of a host that makes no progress.
const MAX_RETRIES: i32 = 200;
// A little over 1 ms: Bun's poll_oneoff sleeps only when what is left of the
// timeout, less the time it took itself, is still 1 ms or more.
const RETRY_SLEEP_NS: u64 = 1_100_000;

let nwrittenOut: usize = 0;
let sleepSub: usize = 0; // one clock subscription
let sleepEvent: usize = 0;
let neventsOut: usize = 0;
let stats: usize = 0;

export function carveWrite(ctrl: usize): void {
  stats = ctrl + <usize>CTRL_STATS;
  nwrittenOut = carve(8);
  sleepSub = carve(48);
  sleepEvent = carve(32);
  neventsOut = carve(8);
}

/** Adds `value` to one of the u64 counters in the control block (STAT_*). */
export function bump(offset: i32, value: u64): void {
  const p = stats + <usize>offset;
  store<u64>(p, load<u64>(p) + value);
}

export function sleepBriefly(): void {
  memory.fill(sleepSub, 0, 48);
  store<u8>(sleepSub + 8, 0); // eventtype CLOCK
  store<u32>(sleepSub + 16, clockid.MONOTONIC);
  store<u64>(sleepSub + 24, RETRY_SLEEP_NS);
  poll_oneoff(sleepSub, sleepEvent, 1, neventsOut); // an error here only shortens the pause
}

function iovBytes(iovs: usize, count: i32): u64 {
  let total: u64 = 0;
  for (let i = 0; i < count; i++) total += <u64>load<u32>(iovs + <usize>(i * 8) + 4);
  return total;
}

/** Writes every byte the iovecs describe to `fd`. Mutates the iovecs. */
export function writeAll(fd: u32, iovs: usize, count: i32): errno {
  let retries = 0;
  // Skip leading empty iovecs so "all written" is simply count == 0.
  while (count > 0 && load<u32>(iovs + 4) == 0) { iovs += 8; count--; }
  while (count > 0) {
    const requested = iovBytes(iovs, count);
    const err = fd_write(fd, iovs, count, nwrittenOut);
    bump(STAT_WRITE_CALLS, 1);
    if (requested > load<u64>(stats + <usize>STAT_MAX_WRITE)) store<u64>(stats + <usize>STAT_MAX_WRITE, requested);
    let written: u32 = err == errno.SUCCESS ? load<u32>(nwrittenOut) : 0;
    if (err == errno.INTR || err == errno.AGAIN || (err == errno.SUCCESS && written == 0)) {
      if (++retries > MAX_RETRIES) return err == errno.SUCCESS ? errno.AGAIN : err;
      bump(STAT_RETRIES, 1);
      if (err != errno.INTR) sleepBriefly();
      continue;
    }
    if (err != errno.SUCCESS) return err;
    retries = 0;
    bump(STAT_BYTES, <u64>written);
    // Advance past what was written; a partly written iovec keeps its tail.
    while (count > 0) {
      const len = load<u32>(iovs + 4);
      if (written < len) {
        store<u32>(iovs, load<u32>(iovs) + written);
        store<u32>(iovs + 4, len - written);
        break;
      }
      written -= len;
      iovs += 8;
      count--;
    }
  }
  return errno.SUCCESS;
}
