// The core module: compiled once per process and shared with every worker,
// and what an instance of it needs before it starts.
import { readFile } from "node:fs/promises";
import { anyArenaMemory } from "../transport/arena.js";

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled core (build/aiowasi.wasm). */
export function coreModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL("../../build/aiowasi.wasm", import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** The worker entry. */
export function workerUrl(): URL {
  return new URL("../hosts/worker.js", import.meta.url);
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
