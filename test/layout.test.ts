// Both sides of the shared-memory contract agree: every constant the built
// core exports equals the host's, and the host has no constant the core lacks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// The host side as written: the bundles in dist/ inline these constants.
import * as layout from "../src/transport/layout.js";

const module = new WebAssembly.Module(readFileSync(new URL("../build/aiowasi.wasm", import.meta.url)));
const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
const stubs = Object.fromEntries(WebAssembly.Module.imports(module).map(({ module: m }) => [m, {}]));
for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
  (stubs[m] as Record<string, unknown>)[name] = kind === "memory" ? memory : () => 52;
}
const exported = new WebAssembly.Instance(module, stubs as WebAssembly.Imports).exports;

describe("ring layout", () => {
  const names = Object.keys(layout);
  it("has constants on the host side", () => expect(names.length).toBeGreaterThan(30));
  it.each(names)("%s is the same in the core and the host", (name) => {
    const global = exported[name];
    expect(global).toBeInstanceOf(WebAssembly.Global);
    expect((global as WebAssembly.Global).value).toBe((layout as Record<string, number>)[name]);
  });
  it("the core exports no layout constant the host lacks", () => {
    const coreGlobals = Object.entries(exported)
      .filter(([, v]) => v instanceof WebAssembly.Global)
      .map(([k]) => k);
    expect(coreGlobals.sort()).toEqual([...names].sort());
  });
  it("uses a shared memory the host gives it (many instances share one, see src/transport/arena.ts)", () => {
    expect(exported.memory).toBe(memory);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(WebAssembly.Module.imports(module)).toContainEqual({ module: "env", name: "memory", kind: "memory" });
  });
});
