// What a browser, Cloudflare Workers or an edge runtime gets (the package's
// "browser", "workerd" and "edge-light" conditions): aiowasi needs files,
// node:worker_threads and node:wasi, which those do not have. The same names
// as the library, so an app that bundles it for such a target builds, and any
// use says ERR_UNSUPPORTED_RUNTIME instead of failing at import.
import { CodedError } from "./errors.js";

export { ArgumentError, CodedError, codeOfErrno, errnoOfCode, SandboxCloseError, WasiError } from "./errors.js";

function unsupported(): CodedError {
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  return new CodedError(
    "ERR_UNSUPPORTED_RUNTIME",
    `aiowasi runs on Node >= 20, Deno >= 2 and Bun >= 1.4 (it needs files, node:worker_threads and node:wasi); not on ${agent || "this runtime"}`,
  );
}

const rejects = async (): Promise<never> => {
  throw unsupported();
};

/** A class that cannot be made here. */
class Unsupported {
  constructor() {
    throw unsupported();
  }
}

export class Sandbox extends Unsupported {
  static create = rejects;
}
export const AsyncFile = Unsupported;
export const Destination = Unsupported;
export const FileStats = Unsupported;
export const open = rejects;
export const writeFile = rejects;
export const appendFile = rejects;
export const mkdir = rejects;
export const rename = rejects;
export const unlink = rejects;
export const rmdir = rejects;
export const stat = rejects;
export const lstat = rejects;
export const readdir = rejects;
export const readFile = rejects;
