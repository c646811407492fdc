// The instance's memory. Several instances may share one memory (the host
// gives each a region of it, see src/transport/arena.ts), so the core keeps no
// mutable static data: every table and scratch area is carved out of its
// region at init(), and the pointers live in wasm globals, which are
// per-instance. The reactor never allocates after that.

let next: usize = 0;

/** Starts carving at `base`. */
export function carveFrom(base: usize): void {
  next = base;
}

/** The next `bytes` of the region, aligned to `align` (a power of two). */
export function carve(bytes: usize, align: usize = 8): usize {
  next = (next + align - 1) & ~(align - 1);
  const at = next;
  next += bytes;
  return at;
}

/** Where carving has got to: the region's end once every part is carved. */
export function carvedTo(): usize {
  return next;
}
