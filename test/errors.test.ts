// The errno table, exhaustively, against the WASI witx numbering as the
// AssemblyScript bindings spell it (an independent copy of the spec).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { codeOfErrno, errnoOfCode, WasiError } from "../dist/index.js";

const require = createRequire(import.meta.url);
const bindings = readFileSync(require.resolve("@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1.ts"), "utf8");
const errnoBlock = bindings.slice(bindings.indexOf("export namespace errno {"), bindings.indexOf("export type errno"));
const spec = [...errnoBlock.matchAll(/export const (\w+): errno = (\d+);/g)].map(
  ([, name, value]) => [name === "SUCCESS" ? "ESUCCESS" : name === "TOOBIG" ? "E2BIG" : `E${name}`, Number(value)] as const,
);

describe("the errno table", () => {
  it("has every WASI errno of the spec, 0 to 76", () => {
    expect(spec.length).toBe(77);
    expect(spec.map(([, n]) => n)).toEqual(Array.from({ length: 77 }, (_, i) => i));
  });

  it.each(spec)("maps %s <-> %i both ways", (code, errno) => {
    expect(codeOfErrno(errno)).toBe(code);
    expect(errnoOfCode(code)).toBe(errno);
    const error = new WasiError(errno, "fd_write", "/p");
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code, errno, syscall: "fd_write", path: "/p", name: "WasiError" });
  });

  it("names numbers outside the spec EUNKNOWN and unknown codes undefined", () => {
    expect(codeOfErrno(77)).toBe("EUNKNOWN");
    expect(codeOfErrno(-1)).toBe("EUNKNOWN");
    expect(errnoOfCode("ENOPE")).toBeUndefined();
  });
});
