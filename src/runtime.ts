// What differs between the JS hosts (Node and Deno), in one place.
import type { WASI as WasiClass } from "node:wasi";

/**
 * Loads node:wasi without printing its ExperimentalWarning. A library must not
 * put that on its users' stderr; every other warning still goes through.
 */
export async function loadWasi(): Promise<typeof WasiClass> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === "string" ? type : warning.name;
    if ((type === "ExperimentalWarning" || name === "ExperimentalWarning") && /WASI/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const { WASI } = await import("node:wasi");
    return WASI;
  } finally {
    process.emitWarning = emitWarning;
  }
}
