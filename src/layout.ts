// The shared-memory contract with the core: the twin of assembly/layout.ts.
// test/layout.test.ts reads the values the built module exports and proves
// every one of these equals its counterpart.

export const CTRL_HEAD = 0;
export const CTRL_TAIL = 64;
export const CTRL_STATE = 128;
export const CTRL_SPACE_WANTED = 192;
export const CTRL_RESULT = 256;
export const CTRL_STATS = 320;
export const CTRL_BYTES = 384;

export const RESULT_REQ = 0;
export const RESULT_ERRNO = 4;
export const RESULT_VALUE = 8;

export const STAT_WRITE_CALLS = 0;
export const STAT_MAX_WRITE = 8;
export const STAT_BYTES = 16;
export const STAT_RETRIES = 24;

export const STATE_RUNNING = 0;
export const STATE_SLEEPING = 1;

export const REC_KIND = 0;
export const REC_FD = 4;
export const REC_LEN = 8;
export const REC_REQ = 12;
export const REC_HEADER = 16;
export const REC_ALIGN = 8;

export const KIND_WRITE = 1;
export const KIND_PAD = 2;
export const KIND_OPEN = 3;
export const KIND_FLUSH = 4;
export const KIND_SYNC = 5;
export const KIND_DATASYNC = 6;
export const KIND_CLOSE = 7;
export const KIND_STOP = 8;

export const WHOLE_BELOW = 4096; // a smaller write is one record and one fd_write

export const OPEN_APPEND = 1;
export const OPEN_EXCLUSIVE = 2;
export const OPEN_MKDIR = 4;

export const PUMP_IDLE = 0;
export const PUMP_PROGRESS = 1;
export const PUMP_COMPLETED = 2;
export const PUMP_STOPPED = 3;
