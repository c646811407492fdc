// The shared-memory contract between the core and the TypeScript host.
// Its twin is src/transport/layout.ts; test/layout.test.ts proves both sides
// agree (the values are exported from the module as globals for that test).
//
// Every instance of the core lives in a region of a shared memory that the
// host hands it at init() (many instances may share one memory, see
// src/transport/arena.ts). A region holds, in this order: the control block,
// the ring, the staging areas, the file table and the fixed scratch areas.

// Control block: byte offsets. HEAD and TAIL sit on separate 64-byte lines so
// the producer (main thread) and the consumer (worker) do not share a cache line.
export const CTRL_HEAD: i32 = 0; // u32, consumer position in the ring (written by the core)
export const CTRL_TAIL: i32 = 64; // u32, producer position in the ring (written by the host)
export const CTRL_STATE: i32 = 128; // i32, worker state, see STATE_*
export const CTRL_SPACE_WANTED: i32 = 192; // i32, 1 while the producer waits for ring space
export const CTRL_RESULT: i32 = 256; // the result of the last control record, see RESULT_*
export const CTRL_STATS: i32 = 320; // u64 counters, see STAT_*
export const CTRL_PROGRESS: i32 = 384; // i32, bumped (and notified) when durable writes completed or a file failed
export const CTRL_FAILURES: i32 = 448; // i32, count of entries ever put in the failure log
export const CTRL_HOT: i32 = 512; // i32, > 0 while the host waits for durable writes: the worker spins before it sleeps
export const CTRL_BYTES: i32 = 576;

export const RESULT_REQ: i32 = 0;
export const RESULT_ERRNO: i32 = 4;
export const RESULT_VALUE: i32 = 8; // u32: what the record answers (bytes read, ...)
export const RESULT_VALUE2: i32 = 12; // u32: a second answer; for ENOTCAPABLE, the REFUSED_* reason
export const RESULT_CALL: i32 = 16; // CALL_*: which WASI call failed, when not the record's own

export const STAT_WRITE_CALLS: i32 = 0;
export const STAT_MAX_WRITE: i32 = 8;
export const STAT_BYTES: i32 = 16; // bytes the host reported written
export const STAT_RETRIES: i32 = 24;
export const STAT_DATASYNCS: i32 = 32; // fd_datasync calls made for "synced" writes (one per group)
export const STAT_SYNCED_WRITES: i32 = 40; // "synced" write records those calls covered
export const STAT_DROPPED: i32 = 48; // accepted bytes not written because their file had failed
export const STAT_COUNT: i32 = 8;

export const STATE_RUNNING: i32 = 0;
export const STATE_SLEEPING: i32 = 1;

// Records: a 16-byte header, then `len` payload bytes, padded to REC_ALIGN.
// A record never straddles the end of the ring; a PAD kind (only its first
// word is written) sends the consumer back to offset 0.
export const REC_KIND: i32 = 0; // u32: kind | flags << 8
export const REC_FILE: i32 = 4; // the file's handle (an index into the file table)
export const REC_LEN: i32 = 8;
export const REC_SEQ: i32 = 12; // WRITE: the file's write sequence number; control: the request id
export const REC_HEADER: i32 = 16;
export const REC_ALIGN: i32 = 8;
export const REC_FLAGS_SHIFT: i32 = 8;

export const KIND_WRITE: i32 = 1;
export const KIND_PAD: i32 = 2;
export const KIND_OPEN: i32 = 3; // payload: u32 OPEN_* bits, then the guest path
export const KIND_FLUSH: i32 = 4;
export const KIND_SYNC: i32 = 5;
export const KIND_DATASYNC: i32 = 6;
export const KIND_CLOSE: i32 = 7;
export const KIND_STOP: i32 = 8;
export const KIND_REOPEN: i32 = 9; // payload as OPEN; the handle keeps its old fd if the open fails
// The rest of the file system (ops.ts). A reply (REPLY_*) goes to the reply
// area at the offset and length the payload gives; RESULT_VALUE says how much.
export const KIND_MKDIR: i32 = 10; // payload: u32 MKDIR_* bits, path
export const KIND_RENAME: i32 = 11; // payload: u32 from's length, from, to
export const KIND_UNLINK: i32 = 12; // payload: path
export const KIND_RMDIR: i32 = 13; // payload: path
export const KIND_STAT: i32 = 14; // payload: u32 reply offset, u32 STAT_NOFOLLOW bit, path; reply: a stat (REPLY_STAT_*)
export const KIND_READDIR: i32 = 15; // payload: u32 reply offset, u32 reply length, u64 cookie, path; reply: WASI dirents
export const KIND_READ: i32 = 16; // file; payload: u32 reply offset, u32 length; RESULT_VALUE: bytes read (0 at the end)
export const KIND_FSTAT: i32 = 17; // file; payload: u32 reply offset; reply: a stat
export const KIND_TRUNCATE: i32 = 18; // file; payload: u64 length
export const KIND_COMMIT: i32 = 19; // file opened OPEN_ATOMIC: datasync, rename over the target, sync the folder, close

// WRITE record flags: what the writer waits for (see ring.ts, durable writes).
export const WANT_WRITTEN: i32 = 1;
export const WANT_SYNCED: i32 = 2;

// A write smaller than this many bytes is one record (the host never splits
// it) and goes out in one fd_write (the core stages it whole, see ring.ts):
// appends from several writers never tear such a write.
export const WHOLE_BELOW: i32 = 4096;

// How a file is opened (the payload's first word).
export const OPEN_WRITE: i32 = 1;
export const OPEN_APPEND: i32 = 2;
export const OPEN_EXCLUSIVE: i32 = 4; // create; anything already there is EEXIST
export const OPEN_CREATE: i32 = 8; // create when missing
export const OPEN_TRUNCATE: i32 = 16; // through the verified fd, never at open
export const OPEN_MKDIR: i32 = 32; // create missing parent folders (inside the preopen)
export const OPEN_READ: i32 = 64;
// Atomic replace: the payload's path is the target; a temp beside it (its
// name after the bits, u32 length first) is what is opened; COMMIT renames it
// over the target, CLOSE without COMMIT removes it.
export const OPEN_ATOMIC: i32 = 128;

export const MKDIR_RECURSIVE: i32 = 1;
export const STAT_NOFOLLOW: i32 = 1;

// A stat in the reply area (the WASI filestat layout, then the host's mode bits).
export const REPLY_STAT_DEV: i32 = 0;
export const REPLY_STAT_INO: i32 = 8;
export const REPLY_STAT_TYPE: i32 = 16;
export const REPLY_STAT_NLINK: i32 = 24;
export const REPLY_STAT_SIZE: i32 = 32;
export const REPLY_STAT_ATIM: i32 = 40;
export const REPLY_STAT_MTIM: i32 = 48;
export const REPLY_STAT_CTIM: i32 = 56;
export const REPLY_STAT_MODE: i32 = 64; // 0 where the host does not say (Wasmtime)
export const REPLY_STAT_BYTES: i32 = 72;

// init() options.
export const INIT_HOST_ANCHORED: i32 = 1; // walk with the host's beneath-imports (see beneath.ts)
export const INIT_ALLOW_SPECIAL: i32 = 2; // FIFOs, sockets and devices may be opened
export const INIT_NO_PIPES: i32 = 4; // the host cannot open a FIFO or socket non-blocking: never open one
export const INIT_REFUSE_HARD_LINKS: i32 = 8; // never open for writing a file that has another name (nlink > 1)

// The file table: one entry per handle; the host reads ERRNO, WRITTEN and
// SYNCED (Atomics) to settle durable writes and to refuse writes to a failed file.
export const FILE_MAX: i32 = 16384;
export const FILE_ENTRY: i32 = 48;
export const FILE_FD: i32 = 0; // u32 WASI fd, NO_FD when closed
export const FILE_ERRNO: i32 = 4; // u32 sticky errno: the file failed, nothing more is written to it
export const FILE_ERR_SEQ: i32 = 8; // u32 first write sequence number not known written (or synced)
export const FILE_ERR_CALL: i32 = 12; // u32 CALL_* that failed
export const FILE_WRITTEN: i32 = 16; // u32 last sequence number handed to the OS
export const FILE_SYNCED: i32 = 20; // u32 last sequence number an fd_datasync covered
export const FILE_MODE: i32 = 24; // u32 OPEN_* bits it was opened with
export const FILE_ATOMIC: i32 = 28; // u32 1 + its atomic slot (files.ts), 0 when not an atomic replace
export const FILE_HOST_MODE: i32 = 32; // u32 the host's st_mode at open (0 where the host does not say)
export const NO_FD: u32 = 0xffffffff;

// The failure log: one entry per file that failed (handle, errno, call),
// FAILLOG_SIZE entries in a circle; CTRL_FAILURES counts every entry ever made.
export const FAILLOG_SIZE: i32 = 64;
export const FAILLOG_ENTRY: i32 = 16;

// Why a path was refused with ENOTCAPABLE (in RESULT_VALUE2), for the host's message.
export const REFUSED_NO_PREOPEN: i32 = 1; // no preopen holds the path
export const REFUSED_ABOVE_ROOT: i32 = 2; // ".." climbs above the preopen
export const REFUSED_ABSOLUTE_LINK: i32 = 3; // a symlink on the way points to a host path
export const REFUSED_HIDDEN_LINK: i32 = 4; // a symlink whose target the host will not show
export const REFUSED_NEW_LINK: i32 = 5; // a symlink appeared where a folder was being made
export const REFUSED_CHANGING: i32 = 6; // the tree kept changing under the walk
export const REFUSED_ROOT_ENTRY: i32 = 7; // the preopen's own entry is outside the sandbox
export const REFUSED_HARD_LINK: i32 = 8; // the file has more than one name and INIT_REFUSE_HARD_LINKS is set

export const CALL_NONE: i32 = 0;
export const CALL_FD_WRITE: i32 = 1;
export const CALL_FD_DATASYNC: i32 = 2;
export const CALL_FD_SYNC: i32 = 3;

// What pump() tells the worker loop.
export const PUMP_IDLE: i32 = 0; // ring empty
export const PUMP_PROGRESS: i32 = 1; // wrote a window of records, call again
export const PUMP_COMPLETED: i32 = 2; // a control record finished; result in CTRL_RESULT
export const PUMP_STOPPED: i32 = 3; // STOP record: the worker ends

// Sizes of the region's fixed parts (see region.ts).
export const MAX_SLOTS: i32 = 16; // distinct files gathered in one window
export const IOV_MAX: i32 = 1024; // POSIX's minimum IOV_MAX; hosts pass iovecs straight to writev
export const STAGE_CAP: i32 = 64 * 1024; // the most a file's staging area holds
export const MAX_PREOPENS: i32 = 64;
export const PREOPEN_NAME_CAP: i32 = 1024;
export const PATH_MAX: i32 = 4096;
export const NAME_MAX: i32 = 255;
export const MAX_DEPTH: i32 = 128; // folders a path may go down at once (each holds an open directory)
export const ATOMIC_SLOTS: i32 = 64; // atomic replaces in progress at once
