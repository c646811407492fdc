// The core module: compiled once per process and shared with every worker,
// and what an instance of it needs before it starts.
import { Buffer } from "node:buffer";
import { anyArenaMemory } from "../transport/arena.js";

// Both are put in by the build (scripts/build.mjs), so the bundles in dist/
// need no file beside them: an app bundled with esbuild or Vite runs from its
// output folder alone.
/** build/aiowasi.wasm, base64. */
declare const __AIOWASI_CORE_WASM__: string;
/** src/hosts/worker.ts bundled into one CommonJS script (no top-level await). */
declare const __AIOWASI_WORKER_SCRIPT__: string;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled core (build/aiowasi.wasm). */
export function coreModule(): Promise<WebAssembly.Module> {
  compiled ??= Promise.resolve().then(() => WebAssembly.compile(Buffer.from(__AIOWASI_CORE_WASM__, "base64")));
  return compiled;
}

/** The worker's source, for `new Worker(source, { eval: true })`. */
export function workerScript(): string {
  return __AIOWASI_WORKER_SCRIPT__;
}

type RegionBytes = (ringBytes: number, chunkSize: number, replyBytes: number) => number;
let probe: RegionBytes | undefined;

/**
 * The bytes of memory a core with this ring, chunk size and reply area needs: asked of
 * an instance made only for that (its exports are pure before init(); the
 * module has no data segments, so instantiating it writes no memory).
 */
export function regionBytesFor(module: WebAssembly.Module, ringBytes: number, chunkSize: number, replyBytes: number): number {
  if (!probe) {
    const imports: Record<string, Record<string, unknown>> = { env: { memory: anyArenaMemory() } };
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      if (kind !== "function") continue;
      imports[from] ??= {};
      imports[from]![name] = () => {
        throw new Error("the core's size probe made a host call");
      };
    }
    const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    probe = instance.exports.regionBytes as RegionBytes;
  }
  return probe(ringBytes, chunkSize, replyBytes) >>> 0;
}
