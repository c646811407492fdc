// The command module (build/aiowasi-cli.wasm) for wasmtime and other WASI
// runners:
//
//   aiowasi-cli.wasm write [--append] [--exclusive] [--chunk-size N] [--sync] GUEST_PATH < input
//
// It copies stdin to GUEST_PATH through the same core as the JS hosts: it plays
// the host's part on one thread, reading stdin straight into WRITE records in
// the ring and calling pump(), so path resolution, chunking and coalescing are
// the reactor's own code. On failure it prints `aiowasi: CODE: message` to
// stderr and exits 1; bad usage prints the usage and exits 2.
import { errno, errnoToString, fd_read, proc_exit } from "bindings/wasi_snapshot_preview1";
import {
  CTRL_HEAD, CTRL_RESULT, CTRL_TAIL, KIND_CLOSE, KIND_OPEN, KIND_SYNC, KIND_WRITE, OPEN_APPEND, OPEN_CREATE,
  OPEN_EXCLUSIVE, OPEN_TRUNCATE, OPEN_WRITE, PUMP_COMPLETED, PUMP_IDLE, REC_ALIGN, REC_FILE, REC_HEADER,
  REC_KIND, REC_LEN, REC_SEQ, RESULT_ERRNO,
} from "./layout";
import { ctrlPtr, init, regionBytes } from "./index";
import { pump, ringPtr } from "./ring";

const RING_BYTES: u32 = 4 << 20;
const READ_MAX: u32 = 1 << 20; // one fd_read; the core splits it into chunkSize writes
// A bulk copy has no loop to keep responsive, so its default chunk is larger
// than the JS hosts' 64 KiB: fewer fd_write calls, each of which costs
// Wasmtime a hand-off to its I/O thread.
const DEFAULT_CHUNK: u32 = 1 << 20;
const MAX_CHUNK: u32 = 1 << 30;
const STDIN: u32 = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

// The host gives the folders (wasmtime run --dir HOST::GUEST, or the aiowasi bin's --dir).
const USAGE =
  "usage: aiowasi write [--append] [--exclusive] [--chunk-size N] [--sync] GUEST_PATH < input\n" +
  "       (GUEST_PATH inside a folder the host preopens: --dir HOST::GUEST)\n";

function usage(problem: string): void {
  process.stderr.write("aiowasi: " + problem + "\n" + USAGE);
  proc_exit(EXIT_USAGE);
}

/** The Node-style code of a WASI errno, as the JS hosts name it. */
function codeOf(err: errno): string {
  if (err == errno.TOOBIG) return "E2BIG";
  return "E" + errnoToString(err);
}

function fail(err: errno, what: string): void {
  process.stderr.write("aiowasi: " + codeOf(err) + ": " + what + "\n");
  proc_exit(EXIT_FAILED);
}

/** A decimal in 1..MAX_CHUNK, or 0 when it is not one. */
function parseSize(text: string): u32 {
  if (text.length == 0 || text.length > 10) return 0;
  let value: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    value = value * 10 + <u64>(c - 0x30);
  }
  return value >= 1 && value <= <u64>MAX_CHUNK ? <u32>value : 0;
}

let ctrl: usize = 0;
let ring: usize = 0;
let tail: u32 = 0;

const FILE: u32 = 0; // the one file this command writes: handle 0

function header(kind: i32, len: u32): usize {
  const rec = ring + <usize>tail;
  store<u32>(rec + REC_KIND, kind);
  store<u32>(rec + REC_FILE, FILE);
  store<u32>(rec + REC_LEN, len);
  store<u32>(rec + REC_SEQ, 0);
  tail += (<u32>REC_HEADER + len + <u32>REC_ALIGN - 1) & ~(<u32>REC_ALIGN - 1);
  return rec + REC_HEADER;
}

/** Publishes the records put since the last drain, pumps them all out, and empties the ring. */
function drain(): void {
  atomic.store<u32>(ctrl + CTRL_TAIL, tail);
  while (pump() != PUMP_IDLE) {}
  // One thread owns both ends here, so an empty ring can start over at 0.
  atomic.store<u32>(ctrl + CTRL_HEAD, 0);
  atomic.store<u32>(ctrl + CTRL_TAIL, 0);
  tail = 0;
}

/**
 * Runs one control record to completion and returns its errno. The payload
 * is encoded before init(): nothing may be allocated after it, because the
 * ring sits in memory init() grew past the stub allocator's heap (the stub
 * would hand that memory out again). fail() still builds its message, but
 * only on the way to proc_exit, when the ring no longer matters.
 */
function control(kind: i32, payload: ArrayBuffer | null = null): errno {
  const len = payload === null ? 0 : <u32>payload.byteLength;
  if (len > 0) memory.copy(header(kind, len), changetype<usize>(payload), len);
  else header(kind, 0);
  atomic.store<u32>(ctrl + CTRL_TAIL, tail);
  let status = pump();
  while (status != PUMP_COMPLETED && status != PUMP_IDLE) status = pump();
  drain();
  return <errno>load<u32>(ctrl + CTRL_RESULT + RESULT_ERRNO);
}

/** Copies stdin into WRITE records for the file, draining whenever the ring is full. */
function copyStdin(): errno {
  const iov = memory.data(8, 4);
  const nread = memory.data(4, 4);
  // Keep 8 bytes free so a full ring is never mistaken for an empty one.
  const limit = RING_BYTES - 8;
  while (true) {
    if (tail + <u32>REC_HEADER + 4096 > limit) {
      drain();
      continue;
    }
    const room = limit - tail - <u32>REC_HEADER;
    const want = min(room & ~(<u32>REC_ALIGN - 1), READ_MAX);
    store<u32>(iov, <u32>(ring + <usize>tail + REC_HEADER));
    store<u32>(iov + 4, want);
    const err = fd_read(STDIN, iov, 1, nread);
    if (err == errno.INTR || err == errno.AGAIN) continue;
    if (err != errno.SUCCESS) return err;
    const got = load<u32>(nread);
    if (got == 0) break; // end of input
    header(KIND_WRITE, got);
  }
  drain();
  return errno.SUCCESS;
}

function main(): void {
  const args = process.argv;
  if (args.length < 2) usage("no command");
  if (args[1] != "write") usage("unknown command '" + args[1] + "'");
  let flags: i32 = OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE;
  let chunk = DEFAULT_CHUNK;
  let sync = false;
  let path: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const arg = args[i];
    if (arg == "--append") flags = (flags & ~OPEN_TRUNCATE) | OPEN_APPEND;
    else if (arg == "--exclusive") flags |= OPEN_EXCLUSIVE;
    else if (arg == "--sync") sync = true;
    else if (arg == "--chunk-size") {
      if (i + 1 >= args.length) usage("--chunk-size needs a value");
      chunk = parseSize(args[++i]);
      if (chunk == 0) usage("--chunk-size takes a whole number of bytes from 1 to " + MAX_CHUNK.toString());
    } else if (arg.startsWith("--") && arg != "--") usage("unknown option '" + arg + "'");
    else if (path === null) path = arg == "--" && i + 1 < args.length ? args[++i] : arg;
    else usage("more than one path");
  }
  if (path === null) usage("no GUEST_PATH");
  const target = path!;

  // OPEN's payload: the OPEN_* bits, then the path.
  const pathBytes = String.UTF8.encode(target);
  const payload = new ArrayBuffer(4 + pathBytes.byteLength);
  store<u32>(changetype<usize>(payload), <u32>flags);
  memory.copy(changetype<usize>(payload) + 4, changetype<usize>(pathBytes), pathBytes.byteLength);
  // The command module owns its memory: its region is simply grown.
  const size = regionBytes(RING_BYTES, chunk, 0);
  const pages = <i32>((size + 0xffff) >> 16);
  const start = memory.grow(pages);
  if (start < 0) fail(errno.NOMEM, "cannot set up the core");
  const initErr = init(<usize>start << 16, <usize>pages << 16, RING_BYTES, chunk, 0, 0);
  if (initErr != errno.SUCCESS) fail(<errno>initErr, "cannot set up the core");
  ctrl = ctrlPtr();
  ring = ringPtr();

  const openErr = control(KIND_OPEN, payload);
  if (openErr != errno.SUCCESS) fail(openErr, "cannot open '" + target + "'");

  const readErr = copyStdin();
  if (readErr != errno.SUCCESS) {
    control(KIND_CLOSE);
    fail(readErr, "cannot read standard input");
  }
  if (sync) {
    const syncErr = control(KIND_SYNC);
    if (syncErr != errno.SUCCESS) fail(syncErr, "cannot write or sync '" + target + "'");
  }
  // close reports any write error the core kept for this file.
  const closeErr = control(KIND_CLOSE);
  if (closeErr != errno.SUCCESS) fail(closeErr, "cannot write or close '" + target + "'");
}

main();
