// aiowasi's public API.

export { appendFile, open, writeFile } from "./api/defaults.js";
export { AsyncFile } from "./api/file.js";
export { Sandbox, type SandboxOptions, type WriteFileOptions } from "./api/sandbox.js";
export type { FileWriteStreamOptions } from "./api/streams.js";
export type { Durability, OpenFlags, OpenOptions, WriteData, WriteOptions } from "./api/validate.js";
export { ArgumentError, CodedError, codeOfErrno, errnoOfCode, SandboxCloseError, WasiError } from "./errors.js";
export type { CoreStats } from "./transport/channel.js";
