// Sandbox: one worker thread, one instance of the core, one set of preopens.
import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { Channel, type CoreStats } from "./channel.js";
import { badFile } from "./errors.js";
import { AsyncFile } from "./file.js";
import { type FaultPlan, kFaults, kTerminateWorker } from "./internal.js";
import { KIND_OPEN } from "./layout.js";
import {
  checkPath,
  checkPreopens,
  checkSize,
  flagBits,
  type OpenFlags,
  type OpenOptions,
  optionBits,
  toWritable,
  type WriteData,
} from "./validate.js";

/** Options of Sandbox.create(). */
export interface SandboxOptions {
  /** Guest directory -> host directory. Default: `{ ".": process.cwd() }`. */
  preopens?: Record<string, string>;
  /** The largest single fd_write, in bytes. Default 64 KiB. */
  chunkSize?: number;
  /** The ring's size in bytes: how much may be accepted but not yet written. Default 4 MiB. */
  bufferSize?: number;
  /** @internal Test-only fault injection; not part of the public API. */
  [kFaults]?: FaultPlan;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const DEFAULT_CHUNK = 64 * KiB;
const DEFAULT_BUFFER = 4 * MiB;
const MIN_BUFFER = 64 * KiB; // room for the largest control record (a 4 KiB path) many times over
const MAX_BUFFER = 512 * MiB; // the module's memory is capped at 1 GiB
const MAX_CHUNK = 1024 * MiB;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The core, compiled once per process and shared with every worker. */
function coreModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL("../build/aiowasi.wasm", import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

const encoder = new TextEncoder();

/** A set of preopened directories served by its own worker thread. */
export class Sandbox implements AsyncDisposable {
  readonly #channel: Channel;
  readonly #files = new Set<AsyncFile>();
  #closing: Promise<void> | undefined;

  private constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** Starts a worker with its own instance of the core and the given preopens. */
  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const preopens = checkPreopens(options.preopens ?? { ".": process.cwd() });
    const chunkSize = checkSize("chunkSize", options.chunkSize ?? DEFAULT_CHUNK, 1, MAX_CHUNK);
    const requested = checkSize("bufferSize", options.bufferSize ?? DEFAULT_BUFFER, MIN_BUFFER, MAX_BUFFER);
    const bufferSize = Math.ceil(requested / 8) * 8; // records are 8-byte aligned
    const hostDirs = Object.fromEntries(Object.entries(preopens).map(([guest, host]) => [guest, resolvePath(host)]));
    const channel = await Channel.start({
      module: await coreModule(),
      preopens: hostDirs,
      bufferSize,
      chunkSize,
      faults: options[kFaults],
    });
    return new Sandbox(channel);
  }

  /**
   * Opens a file inside the sandbox. `flags`: "w" (default, truncate), "a"
   * (append), "wx"/"ax" (fail with EEXIST if it exists). With
   * `{ mkdir: true }`, missing parent folders are created (inside the sandbox).
   */
  async open(path: string, flags: OpenFlags = "w", options?: OpenOptions): Promise<AsyncFile> {
    const bits = flagBits(flags) | optionBits(options);
    checkPath(path);
    if (this.#closing) throw badFile("path_open", path);
    const payload = encoder.encode(path);
    const openFd = () => this.#channel.request(KIND_OPEN, bits, "path_open", path, payload);
    const fd = await openFd();
    const file = new AsyncFile(this.#channel, fd, path, flags, openFd, (f) => this.#files.delete(f));
    this.#files.add(file);
    return file;
  }

  /** Writes `data` to `path`, replacing what was there. */
  async writeFile(path: string, data: WriteData): Promise<void> {
    await this.#whole(path, "w", data);
  }

  /** Appends `data` to `path`, creating it if needed. */
  async appendFile(path: string, data: WriteData): Promise<void> {
    await this.#whole(path, "a", data);
  }

  /** Counters of the core's fd_write calls (how the chunking really went). */
  stats(): CoreStats {
    return this.#channel.stats();
  }

  /** Closes every open file, then ends the worker. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#files].map((file) => file.close()));
      await this.#channel.stop();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Kills the worker at once; the failure-path tests use it. */
  [kTerminateWorker](): Promise<void> {
    return this.#channel.terminate();
  }

  async #whole(path: string, flags: OpenFlags, data: WriteData): Promise<void> {
    const bytes = toWritable(data); // bad data must not truncate the file first
    const file = await this.open(path, flags);
    try {
      await file.write(bytes);
    } finally {
      await file.close();
    }
  }
}
