// aiowasi's public API.
export { Sandbox, type SandboxOptions } from "./sandbox.js";
export { AsyncFile } from "./file.js";
export { open, writeFile, appendFile } from "./defaults.js";
export { WasiError, codeOfErrno, errnoOfCode } from "./errors.js";
export type { CoreStats } from "./channel.js";
export type { OpenFlags, OpenOptions, WriteData } from "./validate.js";
export type { FileWriteStreamOptions } from "./streams.js";
