// aiowasi's public API.

export {
  appendFile,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  writeFile,
} from "./api/defaults.js";
export { Destination, type DestinationOptions } from "./api/destination.js";
export { AsyncFile } from "./api/file.js";
export { type MkdirOptions, Sandbox, type SandboxOptions, type WriteFileOptions } from "./api/sandbox.js";
export { FileStats } from "./api/stats.js";
export type { FileWriteStreamOptions } from "./api/streams.js";
export type { Durability, OpenFlags, OpenOptions, WriteData, WriteOptions } from "./api/validate.js";
export { ArgumentError, CodedError, codeOfErrno, errnoOfCode, SandboxCloseError, WasiError } from "./errors.js";
export type { CoreStats } from "./transport/channel.js";
