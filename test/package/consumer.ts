// A TypeScript consumer of the public types, compiled (never run) without the
// DOM lib and with skipLibCheck false: as ESM (module NodeNext), as CommonJS
// (a .cts copy under module node16) and under module commonjs (node10
// resolution). Written so that one text is valid in all three.
import type { Writable } from "node:stream";
import {
  type ArgumentError,
  AsyncFile,
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
  SandboxCloseError,
  type SandboxOptions,
  type WasiError,
  type WriteData,
  type WriteFileOptions,
  writeFile,
} from "aiowasi";

export async function use(): Promise<number> {
  const durability: Durability = "written";
  const options: SandboxOptions = {
    preopens: { "/out": "./out" },
    chunkSize: 65536,
    bufferSize: 1 << 22,
    durability,
    allowSpecialFiles: false,
    onError: (error: WasiError, file: AsyncFile) => console.error(error.code, error.errno, error.syscall, file.path),
  };
  const sb: Sandbox = await Sandbox.create(options);
  const flags: OpenFlags = "a";
  const openOptions: OpenOptions = { mkdir: true, durability: "synced" };
  const file = await sb.open("/out/a.log", flags, openOptions);
  const data: WriteData = new Uint8Array(4);
  const n: number = (await file.write("line\n")) + (await file.write(data));
  await file.flush();
  await file.sync();
  await file.datasync();
  await file.reopen();
  const streamOptions: FileWriteStreamOptions = { highWaterMark: 1024, autoClose: false };
  const stream: Writable = file.createWriteStream(streamOptions);
  const writer = file.writable.getWriter();
  await writer.write("web\n");
  stream.end();
  await file[Symbol.asyncDispose]();
  const wf: WriteFileOptions = { mkdir: true };
  await sb.writeFile("/out/b.txt", "b", wf);
  await sb.appendFile("/out/b.txt", "b");
  const stats: CoreStats = sb.stats();
  const anchored: boolean = sb.anchored;
  try {
    await sb.close();
  } catch (error) {
    if (error instanceof SandboxCloseError) console.error(error.code, error.errors.length);
  }
  await (await open("x.txt")).close();
  await writeFile("y.txt", "y");
  await appendFile("y.txt", "y");
  const code: string = codeOfErrno(8);
  const errno: number | undefined = errnoOfCode("EBADF");
  const failures: (ArgumentError | CodedError)[] = [];
  // @ts-expect-error files come from Sandbox.open(), not from a constructor
  new AsyncFile({}, 0, "/out/a.log", "w", 0);
  // @ts-expect-error "rw" is not a flag aiowasi takes
  await sb.open("/out/a.log", "rw");
  return n + stats.bytesWritten + Number(anchored) + code.length + (errno ?? 0) + failures.length;
}
