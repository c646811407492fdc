// Sandbox: one worker thread, one instance of the core, one set of preopens.
import { isMainThread } from "node:worker_threads";
import { ArgumentError, badFile, CALL_NAMES, CodedError, codeOfErrno, SandboxCloseError, WasiError } from "../errors.js";
import { unsupportedRuntime } from "../hosts/runtime.js";
import { type FaultPlan, kFaults, kTerminateWorker } from "../internal.js";
import { allocateRegion } from "../transport/arena.js";
import { Channel, type CoreStats } from "../transport/channel.js";
import { reportAtExit } from "../transport/exit.js";
import { addressLimited, checkHeadroom, recordStart } from "../transport/headroom.js";
import {
  REFUSED_ABOVE_ROOT,
  REFUSED_ABSOLUTE_LINK,
  REFUSED_CHANGING,
  REFUSED_HARD_LINK,
  REFUSED_HIDDEN_LINK,
  REFUSED_NEW_LINK,
  REFUSED_NO_PREOPEN,
  REFUSED_ROOT_ENTRY,
  WANT_SYNCED,
  WANT_WRITTEN,
} from "../transport/layout.js";
import type { PinnedPreopen } from "../transport/protocol.js";
import { coreModule, regionBytesFor, workerScript } from "./core.js";
import { Destination, type DestinationOptions } from "./destination.js";
import { AsyncFile, type FileOwner, kShut, kTold } from "./file.js";
import * as fs from "./fs.js";
import { pinPreopens } from "./preopens.js";
import type { FileStats } from "./stats.js";
import {
  checkBoolean,
  checkOpenOptions,
  checkPath,
  checkSize,
  type Durability,
  describe,
  durabilityBits,
  flagBits,
  type OpenFlags,
  type OpenOptions,
  openPayload,
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
  /**
   * When write() resolves, for every file that does not say (see Durability).
   * Default "accepted" on the main thread, "written" in a worker thread (a
   * terminated thread runs no exit handler, so only written bytes are safe there).
   */
  durability?: Durability;
  /** Open FIFOs, sockets and devices too (non-blocking). Default false: regular files only. */
  allowSpecialFiles?: boolean;
  /**
   * Refuse (ENOTCAPABLE) to open for writing a file that has more than one
   * name: a hard link makes a file inside the preopens *be* a file elsewhere.
   * Default false (see the README's threat model).
   */
  refuseHardLinks?: boolean;
  /**
   * Told of a write error (ENOSPC, EIO, ...) nobody was waiting on: a file
   * that failed in the background while no write, flush, sync or close of it
   * was pending. Without it, sb.close() rejects with such errors, and at exit
   * they are named on stderr.
   */
  onError?: (error: WasiError, file: AsyncFile) => void;
  /** @internal Test-only fault injection; not part of the public API. */
  [kFaults]?: FaultPlan;
}

/** Options of writeFile()/appendFile(). */
export interface WriteFileOptions {
  /** Create missing parent folders (inside the sandbox). Default false. */
  mkdir?: boolean;
  /** When the returned promise resolves (see Durability); the file is closed either way. */
  durability?: Durability;
  /**
   * writeFile only: replace the file atomically (a temp file beside it,
   * written, fdatasync'ed, renamed over it, the folder synced): readers and a
   * crash see the old content or the new, never a mix. Default false.
   */
  atomic?: boolean;
}

/** Options of mkdir(). */
export interface MkdirOptions {
  /** Create the missing parents too, and accept a folder that exists. Default false. */
  recursive?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const DEFAULT_CHUNK = 64 * KiB;
const DEFAULT_BUFFER = 4 * MiB;
const MIN_BUFFER = 64 * KiB; // room for the largest control record (a 4 KiB path) many times over
const MAX_BUFFER = 512 * MiB;
const MAX_CHUNK = 1024 * MiB;

/** The reply area (reads, stats, folder listings come back there): a quarter of the ring, 256 KiB to 8 MiB. */
function replyBytesFor(bufferSize: number): number {
  return Math.min(8 * MiB, Math.max(256 * KiB, Math.floor(bufferSize / 4 / 32) * 32));
}

/**
 * Runs sandbox starts one after another when the address space is limited
 * (ulimit -v), so each one's headroom check sees what the one before took;
 * without a limit they start side by side.
 */
let starting: Promise<unknown> = Promise.resolve();
function startInTurn<T>(start: () => Promise<T>): Promise<T> {
  if (!addressLimited()) return start();
  const next = starting.then(start, start);
  starting = next.catch(() => undefined);
  return next;
}

/** Durability names by their WANT_* bits. */
const LEVELS: Record<number, Durability> = { 0: "accepted", [WANT_WRITTEN]: "written", [WANT_SYNCED]: "synced" };

const REFUSALS: Record<number, string> = {
  [REFUSED_NO_PREOPEN]: "no preopen holds this path",
  [REFUSED_ABOVE_ROOT]: '".." climbs above the preopen it started in',
  [REFUSED_ABSOLUTE_LINK]: "a symlink on the way points to an absolute (host) path",
  [REFUSED_HIDDEN_LINK]: "a symlink on the way has a target the host will not show",
  [REFUSED_NEW_LINK]: "a symlink appeared where a folder was being made",
  [REFUSED_CHANGING]: "the folders kept changing under the walk",
  [REFUSED_ROOT_ENTRY]: "a preopen's own entry is outside the sandbox",
  [REFUSED_HARD_LINK]: "the file has another name (hard link) and refuseHardLinks is set",
};

/** A set of preopened directories served by its own worker thread. */
export class Sandbox implements AsyncDisposable {
  readonly #channel: Channel;
  readonly #preopens: PinnedPreopen[];
  readonly #files = new Map<number, AsyncFile>();
  readonly #owed = new Map<AsyncFile, WasiError>();
  readonly #onError: SandboxOptions["onError"];
  readonly #want: number;
  readonly #stopReporting: () => void;
  readonly #fs: fs.FsContext;
  #closing: Promise<void> | undefined;
  readonly #busy = new Set<Promise<unknown>>(); // calls of several requests in flight (#track)

  private constructor(channel: Channel, preopens: PinnedPreopen[], want: number, onError: SandboxOptions["onError"]) {
    this.#channel = channel;
    this.#preopens = preopens;
    this.#want = want;
    this.#onError = onError;
    channel.onFileFailure = (handle, errno, call) =>
      this.#files.get(handle)?.noticeFailure(errno, CALL_NAMES[call] ?? "fd_write");
    channel.explain = (errno, reason) => (errno === 76 ? this.#whyNotCapable(reason) : undefined);
    this.#stopReporting = reportAtExit(() => this.#unreported());
    this.#fs = {
      channel,
      open: (syscall, path) => {
        if (this.#closing) throw badFile(syscall, path);
        if (channel.failure) throw channel.failure;
      },
    };
  }

  /** Starts a worker with its own instance of the core and the given preopens. */
  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const unsupported = unsupportedRuntime();
    if (unsupported) throw new CodedError("ERR_UNSUPPORTED_RUNTIME", unsupported);
    const chunkSize = checkSize("chunkSize", options.chunkSize ?? DEFAULT_CHUNK, 1, MAX_CHUNK);
    const requested = checkSize("bufferSize", options.bufferSize ?? DEFAULT_BUFFER, MIN_BUFFER, MAX_BUFFER);
    const bufferSize = Math.ceil(requested / 8) * 8; // records are 8-byte aligned
    const want = durabilityBits(options.durability ?? (isMainThread ? "accepted" : "written"));
    const allowSpecialFiles = checkBoolean("allowSpecialFiles", options.allowSpecialFiles);
    const refuseHardLinks = checkBoolean("refuseHardLinks", options.refuseHardLinks);
    const { onError } = options;
    if (onError !== undefined && typeof onError !== "function") {
      throw new ArgumentError("ERR_INVALID_ARG_TYPE", `onError must be a function, got ${describe(onError)}`);
    }
    const preopens = await pinPreopens(options.preopens ?? { ".": process.cwd() });
    const module = await coreModule();
    const replyBytes = replyBytesFor(bufferSize);
    return startInTurn(async () => {
      const before = checkHeadroom();
      const region = allocateRegion(regionBytesFor(module, bufferSize, chunkSize, replyBytes));
      let channel: Channel;
      try {
        channel = await Channel.start(
          {
            module,
            memory: region.memory,
            base: region.base,
            size: region.bytes,
            preopens,
            bufferSize,
            chunkSize,
            replyBytes,
            allowSpecialFiles,
            refuseHardLinks,
            faults: options[kFaults],
          },
          workerScript(),
        );
      } catch (error) {
        region.release();
        throw error;
      }
      recordStart(before);
      // Only a core that answered STOP is sure to be done with its region: a
      // worker that was terminated or died may still be running when 'exit'
      // fires (Deno), so its region is never given to another sandbox.
      channel.exited.then(() => {
        if (channel.stoppedCleanly) region.release();
      });
      return new Sandbox(channel, preopens, want, onError);
    });
  }

  /**
   * True when every step of a path walk is anchored on an open directory
   * (Linux with /proc, on Node, Bun and Deno with --allow-all): a tree
   * changed while the sandbox works cannot redirect an open. False where the
   * host allows only path text (see the README's threat model).
   */
  get anchored(): boolean {
    return this.#channel.anchored;
  }

  /**
   * Opens a file inside the sandbox. `flags`: "w" (default, truncate), "a"
   * (append), "wx"/"ax" (fail with EEXIST if it exists), "r" (read), "r+"
   * (read and write), "a+" (read and append). Options: `mkdir`
   * creates missing parent folders (inside the sandbox); `durability` says
   * when write() resolves (default: the sandbox's).
   */
  async open(path: string, flags: OpenFlags = "w", options?: OpenOptions): Promise<AsyncFile> {
    const bits = flagBits(flags);
    const opts = checkOpenOptions(options);
    checkPath(path);
    if (this.#closing) throw badFile("path_open", path);
    const payload = openPayload(bits | opts.bits, path);
    const channel = this.#channel;
    if (channel.failure) throw channel.failure;
    const handle = await fs.openHandle(channel, path, payload);
    const file = new AsyncFile(this.#ownerOf(payload), handle, path, flags, opts.durability ?? this.#want);
    this.#files.set(handle, file);
    return file;
  }

  /** Writes `data` to `path`, replacing what was there; with `atomic`, all at once (see WriteFileOptions). */
  writeFile(path: string, data: WriteData, options?: WriteFileOptions): Promise<void> {
    return this.#track(async () => {
      if (options?.atomic === true) {
        const bytes = toWritable(data);
        checkPath(path);
        await fs.writeAtomic(this.#fs, path, bytes, checkOpenOptions({ mkdir: options.mkdir }).bits !== 0);
        return;
      }
      await this.#whole(path, "w", data, options);
    });
  }

  /** Appends `data` to `path`, creating it if needed. */
  appendFile(path: string, data: WriteData, options?: WriteFileOptions): Promise<void> {
    return this.#track(() => this.#whole(path, "a", data, options));
  }

  /** Creates a folder; with `recursive`, its missing parents too (an existing folder is then fine). */
  mkdir(path: string, options?: MkdirOptions): Promise<void> {
    return fs.mkdir(this.#fs, path, options);
  }

  /** Renames a file or folder; both paths inside the sandbox (ENOTCAPABLE if either leaves). */
  rename(from: string, to: string): Promise<void> {
    return fs.rename(this.#fs, from, to);
  }

  /** Removes a file, or a symlink itself (never what it points at). */
  unlink(path: string): Promise<void> {
    return fs.unlink(this.#fs, path);
  }

  /** Removes an empty folder. */
  rmdir(path: string): Promise<void> {
    return fs.rmdir(this.#fs, path);
  }

  /** A file's metadata, following a last symlink (inside the sandbox). */
  stat(path: string): Promise<FileStats> {
    return fs.stat(this.#fs, path, true);
  }

  /** A file's metadata; a symlink's own. */
  lstat(path: string): Promise<FileStats> {
    return fs.stat(this.#fs, path, false);
  }

  /** The names in a folder ("." and ".." left out). */
  readdir(path: string): Promise<string[]> {
    return this.#track(() => fs.readdir(this.#fs, path));
  }

  /** A whole file: its bytes, or with "utf8" a string. */
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, encoding: "utf8" | "utf-8" | { encoding: "utf8" | "utf-8" }): Promise<string>;
  readFile(path: string, encoding?: unknown): Promise<Uint8Array | string> {
    return this.#track(() => fs.readFile(this.#fs, path, encoding));
  }

  /**
   * A destination for pino (and any code written for pino.destination() or
   * sonic-boom): `pino(await sb.destination("/logs/app.log"))`. Appends by
   * default; every line is taken into the sandbox when written, so nothing
   * is lost at exit, on a signal or on an uncaught error.
   */
  async destination(path: string, options: DestinationOptions = {}): Promise<Destination> {
    const { append = true, mkdir = false, durability } = options;
    if (typeof append !== "boolean") throw new ArgumentError("ERR_INVALID_ARG_TYPE", "options.append must be a boolean");
    const level =
      durability === undefined ? LEVELS[this.#want]! : (LEVELS[durabilityBits(durability, "options.durability")]! as Durability);
    const file = await this.open(path, append ? "a" : "w", { mkdir, durability: level });
    const channel = this.#channel;
    return new Destination(file, {
      backlogged: () => channel.backlogged,
      accepted: () => channel.whenAccepted(),
      drainSync: (deadline) => channel.drainSync(deadline),
      durability: level,
    });
  }

  /** Counters of the core's fd_write and fd_datasync calls (how the chunking and group commits went). */
  stats(): CoreStats {
    return this.#channel.stats();
  }

  /**
   * Closes every open file, then ends the worker. Rejects with a
   * SandboxCloseError if a file failed and nobody was told (no rejected call,
   * no onError): its accepted bytes did not all reach the OS. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // Calls of several steps made before close() (readFile, writeFile, ...) finish first.
      await Promise.allSettled(this.#busy);
      const files = [...this.#files.values()];
      const results = await Promise.allSettled(files.map((file) => file[kShut]()));
      await this.#channel.stop();
      this.#stopReporting();
      for (const [i, result] of results.entries()) {
        const file = files[i]!;
        if (result.status === "rejected" && result.reason instanceof WasiError && !file[kTold])
          this.#owed.set(file, result.reason);
      }
      const errors = [...this.#owed.values()];
      this.#owed.clear();
      if (errors.length > 0) throw new SandboxCloseError(errors);
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

  /** Runs a call of several requests; close() lets the ones begun before it finish. */
  #track<T>(call: () => Promise<T>): Promise<T> {
    const work = call();
    this.#busy.add(work);
    const done = (): void => {
      this.#busy.delete(work);
    };
    work.then(done, done);
    return work;
  }

  async #whole(path: string, flags: OpenFlags, data: WriteData, options: WriteFileOptions | undefined): Promise<void> {
    const bytes = toWritable(data); // bad data must not truncate the file first
    const file = await this.open(path, flags, options);
    try {
      await file.write(bytes);
    } finally {
      await file.close();
    }
  }

  #ownerOf(reopenPayload: Uint8Array): FileOwner {
    return {
      channel: this.#channel,
      reopenPayload,
      closed: (_file, handle) => {
        this.#files.delete(handle);
        this.#channel.releaseHandle(handle);
      },
      unclaimed: (file, error) => {
        if (!this.#onError) {
          this.#owed.set(file, error);
          return;
        }
        file[kTold] = true;
        try {
          this.#onError(error, file);
        } catch (thrown) {
          queueMicrotask(() => {
            throw thrown; // the callback's own bug: as an uncaught exception, not swallowed
          });
        }
      },
      delivered: (file) => {
        file[kTold] = true;
        this.#owed.delete(file);
      },
    };
  }

  #whyNotCapable(reason: number): string {
    const list = this.#preopens.map((p) => `"${p.guest}" (${p.host})`).join(", ");
    return `${REFUSALS[reason] ?? "the path leaves the sandbox"}; the preopens are ${list}`;
  }

  /** stderr lines at exit: failures nobody was told of. */
  #unreported(): string[] {
    const lines: string[] = [];
    const line = (code: string, path: string, call: string) =>
      `aiowasi: ${code} (${call}) on '${path}': data accepted for it was not all written, and nobody was told`;
    for (const [file, error] of this.#owed) lines.push(line(error.code, file.path, error.syscall));
    for (const [handle, file] of this.#files) {
      const errno = this.#channel.fileErrno(handle);
      if (errno !== 0 && !this.#owed.has(file) && !file[kTold]) {
        lines.push(line(codeOfErrno(errno), file.path, this.#channel.fileFailedCall(handle)));
      }
    }
    return lines;
  }
}
