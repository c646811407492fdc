// The shared-memory contract between the core and the TypeScript host.
// Its twin is src/layout.ts; test/layout.test.ts proves both sides agree
// (the values are exported from the module as globals for that test).

// Control block: byte offsets. HEAD and TAIL sit on separate 64-byte lines so
// the producer (main thread) and the consumer (worker) do not share a cache line.
export const CTRL_HEAD: i32 = 0; // u32, consumer position in the ring (written by the core)
export const CTRL_TAIL: i32 = 64; // u32, producer position in the ring (written by the host)
export const CTRL_STATE: i32 = 128; // i32, worker state, see STATE_*
export const CTRL_SPACE_WANTED: i32 = 192; // i32, 1 while the producer waits for ring space
export const CTRL_RESULT: i32 = 256; // u32 req, u32 errno, u32 value of the last control record
export const CTRL_STATS: i32 = 320; // u64 fd_write calls, u64 largest fd_write, u64 bytes, u64 retries
export const CTRL_BYTES: i32 = 384;

export const RESULT_REQ: i32 = 0;
export const RESULT_ERRNO: i32 = 4;
export const RESULT_VALUE: i32 = 8;

export const STAT_WRITE_CALLS: i32 = 0;
export const STAT_MAX_WRITE: i32 = 8;
export const STAT_BYTES: i32 = 16;
export const STAT_RETRIES: i32 = 24;

export const STATE_RUNNING: i32 = 0;
export const STATE_SLEEPING: i32 = 1;

// Records: a 16-byte header, then `len` payload bytes, padded to REC_ALIGN.
// A record never straddles the end of the ring; a PAD kind (only its first
// word is written) sends the consumer back to offset 0.
export const REC_KIND: i32 = 0;
export const REC_FD: i32 = 4; // the file's fd; for OPEN: the OPEN_* flags
export const REC_LEN: i32 = 8;
export const REC_REQ: i32 = 12; // request id echoed in the result
export const REC_HEADER: i32 = 16;
export const REC_ALIGN: i32 = 8;

export const KIND_WRITE: i32 = 1;
export const KIND_PAD: i32 = 2;
export const KIND_OPEN: i32 = 3;
export const KIND_FLUSH: i32 = 4;
export const KIND_SYNC: i32 = 5;
export const KIND_DATASYNC: i32 = 6;
export const KIND_CLOSE: i32 = 7;
export const KIND_STOP: i32 = 8;

// A write smaller than this many bytes is one record (the host never splits
// it) and goes out in one fd_write (the core stages it whole, see ring.ts):
// appends from several writers never tear such a write.
export const WHOLE_BELOW: i32 = 4096;

export const OPEN_APPEND: i32 = 1;
export const OPEN_EXCLUSIVE: i32 = 2;
export const OPEN_MKDIR: i32 = 4; // create missing parent folders (inside the preopen)

// What pump() tells the worker loop.
export const PUMP_IDLE: i32 = 0; // ring empty
export const PUMP_PROGRESS: i32 = 1; // wrote a window of records, call again
export const PUMP_COMPLETED: i32 = 2; // a control record finished; result in CTRL_RESULT
export const PUMP_STOPPED: i32 = 3; // STOP record: the worker ends
