// The memory the sandboxes' cores live in. V8 (every Node version tested)
// reserves about 10 GiB of address space for each WebAssembly memory, whatever
// its maximum, so a memory per sandbox would cap a process under `ulimit -v`
// at a handful of sandboxes. Instead the sandboxes of a thread share one
// shared memory (an arena, up to ARENA_PAGES): each core instance gets a
// region of it at init() and keeps all its state there (assembly/region.ts),
// and a closed sandbox's region is reused by the next one that fits.
import { codedError } from "../errors.js";

const PAGE = 65536;
/** An arena's most pages (2 GiB); the core's import allows up to 4 GiB. */
const ARENA_PAGES = 32768;

interface Arena {
  memory: WebAssembly.Memory;
  free: { base: number; bytes: number }[];
}

const arenas: Arena[] = [];

/** A part of an arena one core instance owns until release(). */
export interface Region {
  memory: WebAssembly.Memory;
  base: number;
  bytes: number;
  release(): void;
}

function newArena(): Arena {
  let memory: WebAssembly.Memory;
  try {
    // Page 0 is left to the module's own static data (it has none today).
    memory = new WebAssembly.Memory({ initial: 1, maximum: ARENA_PAGES, shared: true });
  } catch (error) {
    throw codedError("ENOMEM", `cannot reserve memory for a sandbox: ${(error as Error).message}`);
  }
  const arena = { memory, free: [] };
  arenas.push(arena);
  return arena;
}

function take(arena: Arena, bytes: number): Region | undefined {
  const reuse = arena.free.findIndex((r) => r.bytes >= bytes);
  let base: number;
  let size: number;
  if (reuse >= 0) {
    ({ base, bytes: size } = arena.free[reuse]!);
    arena.free.splice(reuse, 1);
  } else {
    const pages = Math.ceil(bytes / PAGE);
    try {
      base = arena.memory.grow(pages) * PAGE;
    } catch {
      return undefined; // this arena is full (or the system said no): try another
    }
    size = pages * PAGE;
  }
  let released = false;
  return {
    memory: arena.memory,
    base,
    bytes: size,
    release() {
      if (released) return;
      released = true;
      arena.free.push({ base, bytes: size });
    },
  };
}

/** A region of at least `bytes` for one sandbox's core; ENOMEM when memory cannot be had. */
export function allocateRegion(bytes: number): Region {
  if (bytes > (ARENA_PAGES - 1) * PAGE) throw codedError("ENOMEM", `a sandbox of ${bytes} bytes does not fit an arena`);
  for (const arena of arenas) {
    const region = take(arena, bytes);
    if (region) return region;
  }
  const region = take(newArena(), bytes);
  if (!region) throw codedError("ENOMEM", `cannot grow memory by ${bytes} bytes for a sandbox`);
  return region;
}

/** Some arena's memory, for instantiating the core where only its pure exports are needed. */
export function anyArenaMemory(): WebAssembly.Memory {
  return (arenas[0] ?? newArena()).memory;
}
