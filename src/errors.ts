// One errno table (WASI number <-> Node-style code), like uvwasi's
// uv_mapping.c, and the error classes the API rejects with.

/** WASI preview1 errno values, indexed by number (wasi_snapshot_preview1 witx). */
// biome-ignore format: a table, in WASI errno order
const WASI_CODES = [
  "ESUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
  "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET",
  "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM",
  "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK",
  "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE",
  "ENOBUFS", "ENODEV", "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT",
  "ENOSPC", "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
  "ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT",
  "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY", "EXDEV",
  "ENOTCAPABLE",
] as const;

export type WasiCode = (typeof WASI_CODES)[number];

const NUMBER_OF_CODE = new Map<string, number>(WASI_CODES.map((code, errno) => [code, errno]));

/** The Node-style code of a WASI errno; unknown numbers get "EUNKNOWN". */
export function codeOfErrno(errno: number): string {
  return WASI_CODES[errno] ?? "EUNKNOWN";
}

/** The WASI errno of a Node-style code, or undefined. */
export function errnoOfCode(code: string): number | undefined {
  return NUMBER_OF_CODE.get(code);
}

/** The number of WASI errno values (for the exhaustive table test). */
export const WASI_ERRNO_COUNT = WASI_CODES.length;

/** A failure reported by WASI: carries the code, the WASI errno, the call and the path. */
export class WasiError extends Error {
  /** The Node-style code, e.g. "ENOENT", "ENOTCAPABLE". Assert this, not the message. */
  readonly code: string;
  /** The WASI errno number (see codeOfErrno). */
  readonly errno: number;
  /** The WASI call that failed, e.g. "path_open", "fd_write". */
  readonly syscall: string;
  /** The guest path involved, where there is one. */
  readonly path: string | undefined;

  /** @internal Made by the sandbox from a core result; `detail` says why, where it helps. */
  constructor(errno: number, syscall: string, path?: string, detail?: string) {
    const code = codeOfErrno(errno);
    const where = path === undefined ? "" : `, '${path}'`;
    super(`${code}: ${syscall} failed${where}${detail ? `: ${detail}` : ""} (WASI errno ${errno})`);
    this.name = "WasiError";
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    this.path = path;
  }
}

/** An Error with a Node-style `code`: host-side failures (ERR_WORKER_EXITED, ENOMEM, an unsupported runtime). */
export class CodedError extends Error {
  /** The Node-style code. Assert this, not the message. */
  readonly code: string;
  /** @internal */
  constructor(code: string, message: string) {
    super(message);
    this.name = "CodedError";
    this.code = code;
  }
}

/** A CodedError; for a code in the WASI table (ENOMEM, ...) it carries that `errno` too. */
export function codedError(code: string, message: string): CodedError & { errno?: number } {
  const error = new CodedError(code, message) as CodedError & { errno?: number };
  const errno = errnoOfCode(code);
  if (errno !== undefined) error.errno = errno;
  return error;
}

/**
 * What `Sandbox.close()` rejects with when files still owed an error nobody
 * had been told of: every one of them in `errors`, and the first one's `code`.
 */
export class SandboxCloseError extends AggregateError {
  /** The code of the first error (all of them are in `errors`). */
  readonly code: string;
  /** @internal */
  constructor(errors: WasiError[]) {
    const list = errors.map((e) => `${e.code} on '${e.path}'`).join(", ");
    super(errors, `the sandbox closed, but data accepted for ${errors.length} file(s) was not written: ${list}`);
    this.name = "SandboxCloseError";
    this.code = errors[0]!.code;
  }
}

/** A TypeError with a Node-style `code`, for bad arguments. */
export class ArgumentError extends TypeError {
  /** "ERR_INVALID_ARG_TYPE" or "ERR_INVALID_ARG_VALUE". */
  readonly code: "ERR_INVALID_ARG_TYPE" | "ERR_INVALID_ARG_VALUE";
  /** @internal */
  constructor(code: "ERR_INVALID_ARG_TYPE" | "ERR_INVALID_ARG_VALUE", message: string) {
    super(message);
    this.code = code;
  }
}

export function workerExited(detail: string): CodedError {
  return new CodedError("ERR_WORKER_EXITED", `aiowasi worker exited: ${detail}`);
}

/** The names of CALL_* (layout.ts): which WASI call failed, for a file's earlier failure. */
export const CALL_NAMES = ["", "fd_write", "fd_datasync", "fd_sync"] as const;

export function badFile(what: string, path?: string): WasiError {
  return new WasiError(8, what, path);
}
