// The shared-memory contract with the core: the twin of assembly/layout.ts.
// test/layout.test.ts reads the values the built module exports and proves
// every one of these equals its counterpart.

export const CTRL_HEAD = 0;
export const CTRL_TAIL = 64;
export const CTRL_STATE = 128;
export const CTRL_SPACE_WANTED = 192;
export const CTRL_RESULT = 256;
export const CTRL_STATS = 320;
export const CTRL_PROGRESS = 384;
export const CTRL_FAILURES = 448;
export const CTRL_HOT = 512;
export const CTRL_BYTES = 576;

export const RESULT_REQ = 0;
export const RESULT_ERRNO = 4;
export const RESULT_VALUE = 8;
export const RESULT_VALUE2 = 12;
export const RESULT_CALL = 16;

export const STAT_WRITE_CALLS = 0;
export const STAT_MAX_WRITE = 8;
export const STAT_BYTES = 16;
export const STAT_RETRIES = 24;
export const STAT_DATASYNCS = 32;
export const STAT_SYNCED_WRITES = 40;
export const STAT_DROPPED = 48;
export const STAT_COUNT = 8;

export const STATE_RUNNING = 0;
export const STATE_SLEEPING = 1;

export const REC_KIND = 0;
export const REC_FILE = 4;
export const REC_LEN = 8;
export const REC_SEQ = 12;
export const REC_HEADER = 16;
export const REC_ALIGN = 8;
export const REC_FLAGS_SHIFT = 8;

export const KIND_WRITE = 1;
export const KIND_PAD = 2;
export const KIND_OPEN = 3;
export const KIND_FLUSH = 4;
export const KIND_SYNC = 5;
export const KIND_DATASYNC = 6;
export const KIND_CLOSE = 7;
export const KIND_STOP = 8;
export const KIND_REOPEN = 9;
export const KIND_MKDIR = 10;
export const KIND_RENAME = 11;
export const KIND_UNLINK = 12;
export const KIND_RMDIR = 13;
export const KIND_STAT = 14;
export const KIND_READDIR = 15;
export const KIND_READ = 16;
export const KIND_FSTAT = 17;
export const KIND_TRUNCATE = 18;
export const KIND_COMMIT = 19;

export const WANT_WRITTEN = 1;
export const WANT_SYNCED = 2;

export const WHOLE_BELOW = 4096; // a smaller write is one record and one fd_write

export const OPEN_WRITE = 1;
export const OPEN_APPEND = 2;
export const OPEN_EXCLUSIVE = 4;
export const OPEN_CREATE = 8;
export const OPEN_TRUNCATE = 16;
export const OPEN_MKDIR = 32;
export const OPEN_READ = 64;
export const OPEN_ATOMIC = 128;

export const MKDIR_RECURSIVE = 1;
export const STAT_NOFOLLOW = 1;

export const REPLY_STAT_DEV = 0;
export const REPLY_STAT_INO = 8;
export const REPLY_STAT_TYPE = 16;
export const REPLY_STAT_NLINK = 24;
export const REPLY_STAT_SIZE = 32;
export const REPLY_STAT_ATIM = 40;
export const REPLY_STAT_MTIM = 48;
export const REPLY_STAT_CTIM = 56;
export const REPLY_STAT_MODE = 64;
export const REPLY_STAT_BYTES = 72;

export const INIT_HOST_ANCHORED = 1;
export const INIT_ALLOW_SPECIAL = 2;
export const INIT_NO_PIPES = 4;
export const INIT_REFUSE_HARD_LINKS = 8;

export const FILE_MAX = 16384;
export const FILE_ENTRY = 48;
export const FILE_FD = 0;
export const FILE_ERRNO = 4;
export const FILE_ERR_SEQ = 8;
export const FILE_ERR_CALL = 12;
export const FILE_WRITTEN = 16;
export const FILE_SYNCED = 20;
export const FILE_MODE = 24;
export const FILE_ATOMIC = 28;
export const FILE_HOST_MODE = 32;

export const FAILLOG_SIZE = 64;
export const FAILLOG_ENTRY = 16;

export const REFUSED_NO_PREOPEN = 1;
export const REFUSED_ABOVE_ROOT = 2;
export const REFUSED_ABSOLUTE_LINK = 3;
export const REFUSED_HIDDEN_LINK = 4;
export const REFUSED_NEW_LINK = 5;
export const REFUSED_CHANGING = 6;
export const REFUSED_ROOT_ENTRY = 7;
export const REFUSED_HARD_LINK = 8;

export const CALL_NONE = 0;
export const CALL_FD_WRITE = 1;
export const CALL_FD_DATASYNC = 2;
export const CALL_FD_SYNC = 3;

export const PUMP_IDLE = 0;
export const PUMP_PROGRESS = 1;
export const PUMP_COMPLETED = 2;
export const PUMP_STOPPED = 3;

export const MAX_SLOTS = 16;
export const IOV_MAX = 1024;
export const STAGE_CAP = 64 * 1024;
export const MAX_PREOPENS = 64;
export const PREOPEN_NAME_CAP = 1024;
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAX_DEPTH = 128;
export const ATOMIC_SLOTS = 64;
