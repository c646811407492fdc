// aiowasi's public API.

export type { CoreStats } from "./channel.js";
export { appendFile, open, writeFile } from "./defaults.js";
export { codeOfErrno, errnoOfCode, WasiError } from "./errors.js";
export { AsyncFile } from "./file.js";
export { Sandbox, type SandboxOptions } from "./sandbox.js";
export type { FileWriteStreamOptions } from "./streams.js";
export type { OpenFlags, OpenOptions, WriteData } from "./validate.js";
