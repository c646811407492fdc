// The module-level helpers: one lazily created Sandbox rooted at process.cwd().
import type { AsyncFile } from "./file.js";
import { Sandbox, type WriteFileOptions } from "./sandbox.js";
import type { OpenFlags, OpenOptions, WriteData } from "./validate.js";

let shared: Promise<Sandbox> | undefined;

function defaultSandbox(): Promise<Sandbox> {
  shared ??= Sandbox.create().catch((error: unknown) => {
    shared = undefined; // let a later call try again
    throw error;
  });
  return shared;
}

/** Opens `path` (relative to process.cwd()) in the default sandbox. See Sandbox#open(). */
export async function open(path: string, flags: OpenFlags = "w", options?: OpenOptions): Promise<AsyncFile> {
  return (await defaultSandbox()).open(path, flags, options);
}

/** Writes `data` to `path` in the default sandbox, replacing what was there. */
export async function writeFile(path: string, data: WriteData, options?: WriteFileOptions): Promise<void> {
  return (await defaultSandbox()).writeFile(path, data, options);
}

/** Appends `data` to `path` in the default sandbox. */
export async function appendFile(path: string, data: WriteData, options?: WriteFileOptions): Promise<void> {
  return (await defaultSandbox()).appendFile(path, data, options);
}
