// The public types, checked by the TypeScript compiler (vitest --typecheck):
// what users of the package see in dist/index.d.ts.
import type { Writable } from "node:stream";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ArgumentError,
  type AsyncFile,
  appendFile,
  type CodedError,
  type CoreStats,
  codeOfErrno,
  type Durability,
  errnoOfCode,
  type FileWriteStreamOptions,
  type OpenFlags,
  type OpenOptions,
  open,
  Sandbox,
  type SandboxCloseError,
  type SandboxOptions,
  type WasiError,
  type WriteData,
  type WriteFileOptions,
  writeFile,
} from "../dist/index.js";

describe("public types", () => {
  it("Sandbox.create takes SandboxOptions and gives a Sandbox", () => {
    expectTypeOf(Sandbox.create).parameter(0).toEqualTypeOf<SandboxOptions | undefined>();
    expectTypeOf(Sandbox.create).returns.toEqualTypeOf<Promise<Sandbox>>();
    expectTypeOf<SandboxOptions>().toHaveProperty("preopens").toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<SandboxOptions>().toHaveProperty("chunkSize").toEqualTypeOf<number | undefined>();
    expectTypeOf<SandboxOptions>().toHaveProperty("bufferSize").toEqualTypeOf<number | undefined>();
    expectTypeOf<SandboxOptions>().toHaveProperty("durability").toEqualTypeOf<Durability | undefined>();
    expectTypeOf<SandboxOptions>().toHaveProperty("allowSpecialFiles").toEqualTypeOf<boolean | undefined>();
    expectTypeOf<SandboxOptions>().toHaveProperty("refuseHardLinks").toEqualTypeOf<boolean | undefined>();
    expectTypeOf<SandboxOptions>()
      .toHaveProperty("onError")
      .toEqualTypeOf<((error: WasiError, file: AsyncFile) => void) | undefined>();
    expectTypeOf<Durability>().toEqualTypeOf<"accepted" | "written" | "synced">();
  });

  it("open takes a path, the flags and OpenOptions", () => {
    expectTypeOf<OpenFlags>().toEqualTypeOf<"w" | "a" | "wx" | "ax" | "r" | "r+" | "a+">();
    expectTypeOf<Sandbox["open"]>().parameters.toEqualTypeOf<[string, OpenFlags?, OpenOptions?]>();
    expectTypeOf(open).parameters.toEqualTypeOf<[string, OpenFlags?, OpenOptions?]>();
    expectTypeOf(open).returns.toEqualTypeOf<Promise<AsyncFile>>();
    expectTypeOf<OpenOptions>().toEqualTypeOf<{ mkdir?: boolean; durability?: Durability }>();
    // @ts-expect-error "rw" is not a flag aiowasi takes
    void open("x", "rw");
  });

  it("AsyncFile writes strings and views, and resolves to byte counts", () => {
    expectTypeOf<WriteData>().toEqualTypeOf<string | ArrayBufferView>();
    expectTypeOf<AsyncFile["write"]>().parameter(0).toEqualTypeOf<WriteData>();
    expectTypeOf<AsyncFile["write"]>().returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf<AsyncFile["flush"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<AsyncFile["close"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<AsyncFile["reopen"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<AsyncFile>().toMatchTypeOf<AsyncDisposable>();
    expectTypeOf<AsyncFile["path"]>().toEqualTypeOf<string>();
    expectTypeOf<AsyncFile["flags"]>().toEqualTypeOf<OpenFlags>();
    // @ts-expect-error numbers are not WriteData
    void (null as unknown as AsyncFile).write(42);
  });

  it("has the stream adapters", () => {
    expectTypeOf<AsyncFile["writable"]>().toEqualTypeOf<WritableStream<string | ArrayBufferView>>();
    expectTypeOf<AsyncFile["createWriteStream"]>().returns.toEqualTypeOf<Writable>();
    expectTypeOf<AsyncFile["createWriteStream"]>().parameter(0).toEqualTypeOf<FileWriteStreamOptions | undefined>();
  });

  it("has the whole-file helpers, stats and the errno table", () => {
    expectTypeOf(writeFile).toEqualTypeOf<(path: string, data: WriteData, options?: WriteFileOptions) => Promise<void>>();
    expectTypeOf(appendFile).toEqualTypeOf<(path: string, data: WriteData, options?: WriteFileOptions) => Promise<void>>();
    expectTypeOf<Sandbox["stats"]>().returns.toEqualTypeOf<CoreStats>();
    expectTypeOf(codeOfErrno).toEqualTypeOf<(errno: number) => string>();
    expectTypeOf(errnoOfCode).toEqualTypeOf<(code: string) => number | undefined>();
  });

  it("exports its error classes, each with a code", () => {
    expectTypeOf<CodedError["code"]>().toEqualTypeOf<string>();
    expectTypeOf<ArgumentError>().toMatchTypeOf<TypeError>();
    expectTypeOf<SandboxCloseError>().toMatchTypeOf<AggregateError>();
    expectTypeOf<SandboxCloseError["code"]>().toEqualTypeOf<string>();
  });

  it("WasiError carries code, errno, syscall and path", () => {
    expectTypeOf<WasiError>().toMatchTypeOf<Error>();
    expectTypeOf<WasiError["code"]>().toEqualTypeOf<string>();
    expectTypeOf<WasiError["errno"]>().toEqualTypeOf<number>();
    expectTypeOf<WasiError["syscall"]>().toEqualTypeOf<string>();
    expectTypeOf<WasiError["path"]>().toEqualTypeOf<string | undefined>();
  });
});
