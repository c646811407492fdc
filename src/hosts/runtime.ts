// What differs between the JS hosts (Node, Deno, Bun), in one place.
import { constants, fstatSync, openSync } from "node:fs";
import type { WASIOptions, WASI as WasiClass } from "node:wasi";
import { errnoOf, wasiTypeOf } from "./beneath.js";

/** True under Deno (its node:wasi and node:worker_threads serve the same code). */
export const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
/** True under Bun, whose node:wasi is a JavaScript polyfill (wasi-js) with its own fd table. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * Runs `fn` on a later turn of the event loop, after timers due meanwhile.
 * Bun runs setImmediate callbacks queued by setImmediate callbacks before its
 * timers (a chain of them starves a 1 ms interval), so there a 0 ms timeout;
 * elsewhere setImmediate (a timeout is clamped to 1 ms on Node).
 */
export const nextTurn: (fn: () => void) => void = isBun ? (fn) => void setTimeout(fn, 0) : (fn) => void setImmediate(fn);

/** The name of the runtime, for messages. */
export function runtimeName(): string {
  if (isDeno) return `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`;
  if (isBun) return `Bun ${process.versions.bun}`;
  return `Node ${process.versions.node}`;
}

const major = (version: string | undefined): number => Number(version?.split(".")[0] ?? 0);
const minor = (version: string | undefined): number => Number(version?.split(".")[1] ?? 0);

/**
 * Why this runtime cannot run aiowasi, or undefined when it can: the oldest
 * versions whose node:wasi and worker threads do what the core needs (Bun
 * before 1.4 has no usable node:wasi; Node 20 is the oldest tested).
 */
export function unsupportedRuntime(): string | undefined {
  const wanted = "aiowasi runs on Node >= 20, Deno >= 2 and Bun >= 1.4";
  if (isDeno) {
    const deno = (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno;
    return major(deno) < 2 ? `${wanted}; this is ${runtimeName()}` : undefined;
  }
  if (isBun) {
    const bun = process.versions.bun;
    return major(bun) < 1 || (major(bun) === 1 && minor(bun) < 4) ? `${wanted}; this is ${runtimeName()}` : undefined;
  }
  if (major(process.versions.node) < 20) return `${wanted}; this is ${runtimeName()}`;
  if (typeof SharedArrayBuffer !== "function") return `${wanted} with SharedArrayBuffer, which this process has turned off`;
  return undefined;
}

/** Runs `fn` with node:wasi's ExperimentalWarning filtered out, every other warning kept. */
export async function withoutWasiWarning<T>(fn: () => Promise<T>): Promise<T> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === "string" ? type : warning.name;
    if ((type === "ExperimentalWarning" || name === "ExperimentalWarning") && /WASI/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await fn();
  } finally {
    process.emitWarning = emitWarning;
  }
}

// ACCESS_* of the core's adopt import (assembly/beneath.ts).
const ACCESS_READ = 1;
const ACCESS_WRITE = 2;
const ACCESS_APPEND = 4;
const ACCESS_NONBLOCK = 8;
const ACCESS_DIRECTORY = 16;

// WASI rights and flags an adopted fd gets.
const R = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  FD_READDIR: 1n << 14n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
};
const OFLAG_DIRECTORY = 2;
const FDFLAG_APPEND = 1;
const FDFLAG_NONBLOCK = 4;

function rightsOf(access: number): bigint {
  let rights = R.FD_SEEK | R.FD_TELL | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.FD_ADVISE | R.FD_SYNC | R.FD_DATASYNC;
  if (access & ACCESS_WRITE) rights |= R.FD_WRITE | R.FD_FILESTAT_SET_SIZE | R.FD_ALLOCATE;
  if (access & ACCESS_READ) rights |= R.FD_READ;
  // No FD_DATASYNC for a folder: uvwasi counts it as a write right and would open the folder O_RDWR (EISDIR).
  if (access & ACCESS_DIRECTORY) rights = R.FD_READDIR | R.FD_FILESTAT_GET | R.FD_SYNC;
  return rights;
}

/** A node:wasi instance for the core, and how a host fd becomes one of its fds. */
export interface HostWasi {
  imports: WebAssembly.ModuleImports;
  /** Runs the module's _initialize with the host's WASI bound to its memory. */
  start(instance: WebAssembly.Instance): void;
  /**
   * Host-anchored walks only: a WASI fd for the file the host fd `fd` holds
   * (reopened, so the core gets exactly that inode), or -errno. `scratch`: 64
   * bytes of the core's memory this may use.
   */
  adopt(fd: number, access: number, memory: WebAssembly.Memory, scratch: number): number;
}

/** The guest name of the /proc/self/fd preopen adopt() opens through (never matched by a guest path). */
const FD_PREOPEN = "/.aiowasi-fd";
const FD_PREOPEN_WASI_FD = 3; // the first preopen

/**
 * Makes the WASI the core runs on. `preopens`: what the WASI-anchored walk
 * uses; with `anchored`, none of them: the host holds the roots, and Node and
 * Deno get one preopen of /proc/self/fd to reopen fds through.
 */
export function createHostWasi(preopens: Record<string, string>, anchored: boolean): Promise<HostWasi> {
  // Node warns when the module loads, Deno when a WASI is constructed, so both happen inside the filter.
  return withoutWasiWarning(async () => {
    const { WASI } = await import("node:wasi");
    const options: WASIOptions = {
      version: "preview1",
      preopens: anchored ? (isBun ? {} : { [FD_PREOPEN]: "/proc/self/fd" }) : preopens,
      args: [],
      env: {},
      returnOnExit: true,
    };
    const wasi = new WASI(options);
    return isBun ? bunWasi(wasi) : nodeWasi(wasi);
  });
}

function nodeWasi(wasi: WasiClass): HostWasi {
  const imports = (wasi.getImportObject() as { wasi_snapshot_preview1: WebAssembly.ModuleImports }).wasi_snapshot_preview1;
  const pathOpen = imports.path_open as (...args: (number | bigint)[]) => number;
  return {
    imports,
    start: (instance) => wasi.initialize(instance),
    adopt(fd, access, memory, scratch) {
      // Reopening /proc/self/fd/<fd> opens the very inode the host checked.
      const name = new TextEncoder().encode(String(fd));
      new Uint8Array(memory.buffer).set(name, scratch);
      let fdflags = 0;
      if (access & ACCESS_APPEND) fdflags |= FDFLAG_APPEND;
      if (access & ACCESS_NONBLOCK) fdflags |= FDFLAG_NONBLOCK;
      const oflags = access & ACCESS_DIRECTORY ? OFLAG_DIRECTORY : 0;
      const out = scratch + 32;
      const err = pathOpen(FD_PREOPEN_WASI_FD, 0, scratch, name.length, oflags, rightsOf(access), 0n, fdflags, out);
      return err === 0 ? new DataView(memory.buffer).getUint32(out, true) : -err;
    },
  };
}

/**
 * Bun's node:wasi is wasi-js: no getImportObject()/initialize(), but
 * wasiImport, setMemory() and a table (FD_MAP) of host fds by WASI fd. Its
 * path calls check containment with realpath, which refuses /proc/self/fd, so
 * an adopted fd is put in that table directly.
 */
interface BunWasi {
  wasiImport: WebAssembly.ModuleImports;
  setMemory(memory: WebAssembly.Memory): void;
  FD_MAP: Map<number, unknown>;
  getUnusedFileDescriptor(): number;
}

function bunWasi(wasi: WasiClass): HostWasi {
  const bun = wasi as unknown as BunWasi;
  if (typeof bun.wasiImport !== "object" || typeof bun.setMemory !== "function" || !(bun.FD_MAP instanceof Map)) {
    throw Object.assign(new Error(`unsupported runtime: ${runtimeName()}'s node:wasi lacks wasiImport/setMemory/FD_MAP`), {
      code: "ERR_UNSUPPORTED_RUNTIME",
    });
  }
  // Its fd_read keeps an offset of its own that its fd_write then writes at
  // (a write after a read landed where the read began, not where it ended):
  // dropping it after each read leaves both at the kernel's file position.
  const imports = { ...bun.wasiImport };
  const fdRead = imports.fd_read as (fd: number, iovs: number, count: number, nread: number) => number;
  imports.fd_read = (fd: number, iovs: number, count: number, nread: number): number => {
    const result = fdRead(fd, iovs, count, nread);
    const entry = bun.FD_MAP.get(fd) as { offset?: bigint } | undefined;
    if (entry) entry.offset = undefined;
    return result;
  };
  return {
    imports,
    start(instance) {
      bun.setMemory(instance.exports.memory as WebAssembly.Memory);
      (instance.exports._initialize as () => void)();
    },
    adopt(fd, access) {
      let flags = access & ACCESS_WRITE ? (access & ACCESS_READ ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY;
      if (access & ACCESS_APPEND) flags |= constants.O_APPEND;
      if (access & ACCESS_NONBLOCK) flags |= constants.O_NONBLOCK;
      if (access & ACCESS_DIRECTORY) flags = constants.O_RDONLY | constants.O_DIRECTORY;
      try {
        const real = openSync(`/proc/self/fd/${fd}`, flags);
        const filetype = wasiTypeOf(fstatSync(real, { bigint: true }));
        const wasiFd = bun.getUnusedFileDescriptor();
        bun.FD_MAP.set(wasiFd, {
          real,
          filetype,
          rights: { base: rightsOf(access), inheriting: 0n },
          path: `/proc/self/fd/${real}`,
        });
        return wasiFd;
      } catch (error) {
        return -errnoOf(error);
      }
    },
  };
}
