// What differs between the JS hosts (Node and Deno), in one place.
import type { WASIOptions, WASI as WasiClass } from "node:wasi";

/** True under Deno (its node:wasi and node:worker_threads serve the same code). */
export const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** Runs `fn` with node:wasi's ExperimentalWarning filtered out, every other warning kept. */
async function withoutWasiWarning<T>(fn: () => Promise<T>): Promise<T> {
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

/**
 * Makes a node:wasi instance without printing its ExperimentalWarning: a
 * library must not put that on its users' stderr. Node warns when the module
 * loads, Deno when a WASI is constructed, so both happen inside the filter.
 */
export function createWasi(options: WASIOptions): Promise<WasiClass> {
  return withoutWasiWarning(async () => {
    const { WASI } = await import("node:wasi");
    return new WASI(options);
  });
}
