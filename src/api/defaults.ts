// The module-level helpers: one lazily created Sandbox rooted at process.cwd().
import type { AsyncFile } from "./file.js";
import { type MkdirOptions, Sandbox, type WriteFileOptions } from "./sandbox.js";
import type { FileStats } from "./stats.js";
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

/** Creates a folder in the default sandbox. See Sandbox#mkdir(). */
export async function mkdir(path: string, options?: MkdirOptions): Promise<void> {
  return (await defaultSandbox()).mkdir(path, options);
}

/** Renames inside the default sandbox. See Sandbox#rename(). */
export async function rename(from: string, to: string): Promise<void> {
  return (await defaultSandbox()).rename(from, to);
}

/** Removes a file (or a symlink itself) in the default sandbox. */
export async function unlink(path: string): Promise<void> {
  return (await defaultSandbox()).unlink(path);
}

/** Removes an empty folder in the default sandbox. */
export async function rmdir(path: string): Promise<void> {
  return (await defaultSandbox()).rmdir(path);
}

/** A file's metadata in the default sandbox, following a last symlink. */
export async function stat(path: string): Promise<FileStats> {
  return (await defaultSandbox()).stat(path);
}

/** A file's metadata in the default sandbox; a symlink's own. */
export async function lstat(path: string): Promise<FileStats> {
  return (await defaultSandbox()).lstat(path);
}

/** The names in a folder of the default sandbox. */
export async function readdir(path: string): Promise<string[]> {
  return (await defaultSandbox()).readdir(path);
}

/** A whole file of the default sandbox: bytes, or a string with "utf8". */
export async function readFile(path: string): Promise<Uint8Array>;
export async function readFile(path: string, encoding: "utf8" | "utf-8" | { encoding: "utf8" | "utf-8" }): Promise<string>;
export async function readFile(
  path: string,
  encoding?: "utf8" | "utf-8" | { encoding: "utf8" | "utf-8" },
): Promise<Uint8Array | string> {
  const sandbox = await defaultSandbox();
  return encoding === undefined ? sandbox.readFile(path) : sandbox.readFile(path, encoding);
}
