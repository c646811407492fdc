// The public API's behaviours, on real files through the built package.
import { spawnSync } from "node:child_process";
import { chmod, writeFile as fsWriteFile, link, mkdir, readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Sandbox, type SandboxOptions } from "../dist/index.js";
import { DIST, rejection, tempDir } from "./helpers.js";

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function sandboxIn(dir: string, options: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await Sandbox.create({ preopens: { "/out": dir }, ...options });
  open.push(sb);
  return sb;
}

describe("open flags", () => {
  it('"w" truncates an existing file', async () => {
    const dir = await tempDir();
    await fsWriteFile(join(dir, "f"), "old contents that are long");
    const sb = await sandboxIn(dir);
    await sb.writeFile("/out/f", "new");
    expect(await readFile(join(dir, "f"), "utf8")).toBe("new");
  });

  it('"a" keeps what was there and appends', async () => {
    const dir = await tempDir();
    await fsWriteFile(join(dir, "f"), "old\n");
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/f", "a");
    await f.write("new\n");
    await f.close();
    expect(await readFile(join(dir, "f"), "utf8")).toBe("old\nnew\n");
  });

  it.each(["wx", "ax"] as const)('"%s" creates a new file and fails with EEXIST on an existing one', async (flags) => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/new", flags);
    await f.write("x");
    await f.close();
    expect(await readFile(join(dir, "new"), "utf8")).toBe("x");
    const error = await rejection(sb.open("/out/new", flags));
    expect(error).toMatchObject({ code: "EEXIST", errno: 20, syscall: "path_open", path: "/out/new" });
    expect(await readFile(join(dir, "new"), "utf8")).toBe("x");
  });

  it.each([["rw"], ["w+"], [""], ["W"]])("rejects the flag %j with ERR_INVALID_ARG_VALUE", async (flags) => {
    const sb = await sandboxIn(await tempDir());
    const error = await rejection(sb.open("/out/f", flags as "w"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe("ERR_INVALID_ARG_VALUE");
  });

  it.each([[1], [null], [{}]])("rejects the flag %j with ERR_INVALID_ARG_TYPE", async (flags) => {
    const sb = await sandboxIn(await tempDir());
    expect((await rejection(sb.open("/out/f", flags as unknown as "w"))).code).toBe("ERR_INVALID_ARG_TYPE");
  });

  it("rejects a path that is not a string with ERR_INVALID_ARG_TYPE", async () => {
    const sb = await sandboxIn(await tempDir());
    const error = await rejection(sb.open(42 as unknown as string));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe("ERR_INVALID_ARG_TYPE");
  });

  it.each([
    ["", "EINVAL"],
    ["/out/a\0b", "EINVAL"],
    ["/out/missing-dir/f", "ENOENT"],
    ["/out", "EISDIR"],
    ["/out/../escape", "ENOTCAPABLE"],
    ["/elsewhere/f", "ENOTCAPABLE"],
    ["relative-without-default-preopen", "ENOTCAPABLE"],
  ])("open(%j) rejects with %s", async (path, code) => {
    const sb = await sandboxIn(await tempDir());
    expect(await rejection(sb.open(path, "w"))).toMatchObject({ code, syscall: "path_open", path });
  });
});

describe("what write() takes", () => {
  it("writes strings as UTF-8, multi-byte characters included, and resolves to the byte count", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/utf8", "w");
    const text = "héllo wörld ✓ 日本語 😀 \u{10FFFF}\n";
    expect(await f.write(text)).toBe(Buffer.byteLength(text));
    await f.close();
    expect(await readFile(join(dir, "utf8"), "utf8")).toBe(text);
  });

  it("writes a long non-ASCII string that spans the ring's wrap-around intact", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir, { bufferSize: 64 * 1024 });
    const f = await sb.open("/out/long", "w");
    const text = "αβγδε😀日本".repeat(40_000); // ~1.3 MB of mixed 2-, 3- and 4-byte characters
    expect(await f.write(text)).toBe(Buffer.byteLength(text));
    await f.close();
    expect(await readFile(join(dir, "long"), "utf8")).toBe(text);
  });

  const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  const views: [string, (b: ArrayBuffer) => ArrayBufferView][] = [
    ["Uint8Array", (b) => new Uint8Array(b)],
    ["Int8Array", (b) => new Int8Array(b)],
    ["Uint8ClampedArray", (b) => new Uint8ClampedArray(b)],
    ["Int16Array", (b) => new Int16Array(b)],
    ["Uint16Array", (b) => new Uint16Array(b)],
    ["Int32Array", (b) => new Int32Array(b)],
    ["Uint32Array", (b) => new Uint32Array(b)],
    ["Float32Array", (b) => new Float32Array(b)],
    ["Float64Array", (b) => new Float64Array(b)],
    ["BigInt64Array", (b) => new BigInt64Array(b)],
    ["BigUint64Array", (b) => new BigUint64Array(b)],
    ["DataView", (b) => new DataView(b)],
    ["Buffer", (b) => Buffer.from(b)],
  ];
  it.each(views)("writes the bytes of a %s", async (_name, make) => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/bin", "w");
    expect(await f.write(make(bytes.slice().buffer))).toBe(64);
    await f.close();
    expect(new Uint8Array(await readFile(join(dir, "bin")))).toEqual(bytes);
  });

  it("writes only the viewed window of a larger buffer", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/window", "w");
    await f.write(new Uint16Array(bytes.slice().buffer, 8, 4));
    await f.close();
    expect(new Uint8Array(await readFile(join(dir, "window")))).toEqual(bytes.subarray(8, 16));
  });

  it("accepts the empty write and writes nothing", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/empty", "w");
    expect(await f.write("")).toBe(0);
    expect(await f.write(new Uint8Array(0))).toBe(0);
    await f.close();
    expect((await readFile(join(dir, "empty"))).length).toBe(0);
  });

  it.each([[42], [null], [undefined], [{ length: 3 }], [new ArrayBuffer(4)], [[1, 2, 3]]])(
    "rejects %j with ERR_INVALID_ARG_TYPE and keeps what was accepted",
    async (data) => {
      const dir = await tempDir();
      const sb = await sandboxIn(dir);
      const f = await sb.open("/out/f", "w");
      await f.write("kept\n");
      const error = await rejection(f.write(data as unknown as string));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe("ERR_INVALID_ARG_TYPE");
      await f.close();
      expect(await readFile(join(dir, "f"), "utf8")).toBe("kept\n");
    },
  );

  it("takes one write larger than the whole ring", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir, { bufferSize: 64 * 1024 });
    const f = await sb.open("/out/big", "w");
    const big = Uint8Array.from({ length: 5 * 1024 * 1024 + 13 }, (_, i) => (i * 131) & 0xff);
    expect(await f.write(big)).toBe(big.length);
    await f.close();
    expect(Buffer.compare(await readFile(join(dir, "big")), Buffer.from(big))).toBe(0);
  });

  it("keeps the order of writes that are not awaited, through a full ring", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir, { bufferSize: 64 * 1024 });
    const f = await sb.open("/out/ordered", "w");
    const pending: Promise<number>[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 2000; i++) {
      // A buffer belongs to its write() until that resolves (as with fs.write).
      pending.push(i % 2 ? f.write(new Uint8Array(1000).fill(i & 0xff)) : f.write(String.fromCharCode(i & 0x7f).repeat(1000)));
      expected.push(i % 2 ? i & 0xff : i & 0x7f);
    }
    const results = await Promise.all(pending);
    expect(results.every((n) => n === 1000)).toBe(true);
    await f.close();
    const got = await readFile(join(dir, "ordered"));
    expect(got.length).toBe(2_000_000);
    for (let i = 0; i < 2000; i++) expect(got[i * 1000 + 999]).toBe(expected[i]);
  });
});

describe("durability set for the whole sandbox, and on writeFile/appendFile", () => {
  it('Sandbox.create({ durability: "written" }): an awaited write is in the file at once, no flush', async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir, { durability: "written", chunkSize: 64 * 1024 });
    const f = await sb.open("/out/f.bin", "w");
    for (let i = 0; i < 20; i++) {
      await f.write(new Uint8Array(100_000).fill(i));
      const onDisk = await readFile(join(dir, "f.bin"));
      expect(onDisk.length).toBe((i + 1) * 100_000);
      expect(onDisk[onDisk.length - 1]).toBe(i);
    }
  });

  it('Sandbox.create({ durability: "synced" }), writeFile and appendFile with { durability: "synced" }: each resolves after an fdatasync', async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir, { durability: "synced" });
    const f = await sb.open("/out/a.log", "a");
    await f.write("one\n");
    expect(sb.stats().groupSyncs).toBe(1);
    const plain = await sandboxIn(dir);
    await plain.writeFile("/out/b.log", "two\n", { durability: "synced" });
    await plain.appendFile("/out/b.log", "three\n", { durability: "synced" });
    expect(plain.stats().groupSyncs).toBe(2);
    await plain.writeFile("/out/c.log", "four\n");
    expect(plain.stats().groupSyncs).toBe(2); // "accepted" (the default): no fdatasync
    expect(await readFile(join(dir, "b.log"), "utf8")).toBe("two\nthree\n");
  });

  it("a resolved write keeps its own copy: changing the buffer afterwards changes nothing on disk", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/f.bin", "w");
    const buffer = new Uint8Array(64 * 1024).fill(7);
    await f.write(buffer);
    buffer.fill(9);
    await f.close();
    expect((await readFile(join(dir, "f.bin"))).every((byte) => byte === 7)).toBe(true);
  });
});

describe("many requests at once", () => {
  it("2,000 stats, reads and opens in flight together (more than the answer queue's 256) all get their own answer", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => sb.writeFile(`/out/f${i}`, "x".repeat(i))));
    const sizes = await Promise.all(Array.from({ length: 2000 }, (_, i) => sb.stat(`/out/f${i % 50}`).then((s) => s.size)));
    expect(sizes).toEqual(Array.from({ length: 2000 }, (_, i) => i % 50));
    const texts = await Promise.all(Array.from({ length: 500 }, (_, i) => sb.readFile(`/out/f${i % 50}`, "utf8")));
    expect(texts.every((text, i) => text === "x".repeat(i % 50))).toBe(true);
    const missing = await Promise.all(Array.from({ length: 300 }, (_, i) => sb.stat(`/out/none${i}`).catch((e) => e.code)));
    expect(new Set(missing)).toEqual(new Set(["ENOENT"]));
  });
});

describe("flush, sync and close", () => {
  it("flush() makes the bytes visible before close", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/f", "w");
    await f.write("visible\n");
    await f.flush();
    expect(await readFile(join(dir, "f"), "utf8")).toBe("visible\n");
    await f.sync();
    await f.datasync();
    await f.close();
  });

  it("rejects use of a closed file with EBADF, and close() is idempotent", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/f", "w");
    await f.write("a");
    const first = f.close();
    expect(f.close()).toBe(first);
    await first;
    await f.close();
    expect(f.closed).toBe(true);
    for (const call of [() => f.write("b"), () => f.flush(), () => f.sync(), () => f.datasync()]) {
      expect((await rejection(call())).code).toBe("EBADF");
    }
    expect(await readFile(join(dir, "f"), "utf8")).toBe("a");
  });

  it("writes accepted before close() are written even when close() is not awaited first", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const f = await sb.open("/out/f", "w");
    const writes = [f.write("one "), f.write("two ")];
    const closing = f.close();
    expect((await rejection(f.write("three"))).code).toBe("EBADF");
    await Promise.all([...writes, closing]);
    expect(await readFile(join(dir, "f"), "utf8")).toBe("one two ");
  });

  it("closing the sandbox closes its files; later calls reject with EBADF", async () => {
    const dir = await tempDir();
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const f = await sb.open("/out/f", "w");
    await f.write("data");
    await sb.close();
    await sb.close();
    expect(f.closed).toBe(true);
    expect(await readFile(join(dir, "f"), "utf8")).toBe("data");
    expect((await rejection(f.write("x"))).code).toBe("EBADF");
    expect((await rejection(sb.open("/out/g"))).code).toBe("EBADF");
  });

  it("supports await using", async () => {
    const dir = await tempDir();
    {
      await using sb = await Sandbox.create({ preopens: { "/out": dir } });
      await using f = await sb.open("/out/f", "w");
      await f.write("disposed");
    }
    expect(await readFile(join(dir, "f"), "utf8")).toBe("disposed");
  });
});

describe("Sandbox.create options", () => {
  it.each([
    [{ chunkSize: 0 }, "ERR_INVALID_ARG_VALUE"],
    [{ chunkSize: 1.5 }, "ERR_INVALID_ARG_VALUE"],
    [{ chunkSize: "64k" }, "ERR_INVALID_ARG_TYPE"],
    [{ bufferSize: 1024 }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: "/tmp" }, "ERR_INVALID_ARG_TYPE"],
    [{ preopens: {} }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: { "": "/tmp" } }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: { "/a\0b": "/tmp" } }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: { [`/${"n".repeat(1100)}`]: "/tmp" } }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: { "/a": "/tmp", "/a/": "/tmp" } }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: { "/a": "/tmp", "/./a": "/tmp" } }, "ERR_INVALID_ARG_VALUE"],
    [{ preopens: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`/p${i}`, "/tmp"])) }, "ERR_INVALID_ARG_VALUE"],
    [{ durability: "fast" }, "ERR_INVALID_ARG_VALUE"],
    [{ durability: 1 }, "ERR_INVALID_ARG_TYPE"],
    [{ allowSpecialFiles: "yes" }, "ERR_INVALID_ARG_TYPE"],
    [{ refuseHardLinks: 1 }, "ERR_INVALID_ARG_TYPE"],
    [{ onError: "log" }, "ERR_INVALID_ARG_TYPE"],
  ])("rejects %j with %s", async (options, code) => {
    const error = await rejection(Sandbox.create(options as SandboxOptions));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe(code);
  });

  it("takes 64 preopens, the most the core holds, each usable", async () => {
    const dir = await tempDir();
    const preopens = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`/p${i}`, dir]));
    const sb = await Sandbox.create({ preopens });
    await sb.writeFile("/p63/last.txt", "63");
    await sb.close();
    expect(await readFile(join(dir, "last.txt"), "utf8")).toBe("63");
  });

  it.each([
    ["missing", "ENOENT"],
    ["a-file", "ENOTDIR"],
    ["a-file/below", "ENOTDIR"],
  ])("a preopen that is %s fails at create with %s, naming the host folder", async (name, code) => {
    const dir = await tempDir();
    await fsWriteFile(join(dir, "a-file"), "x");
    const error = await rejection(Sandbox.create({ preopens: { "/x": join(dir, name) } }));
    expect(error).toMatchObject({ code, syscall: "preopen", path: join(dir, name) });
  });

  it("a preopen the process may not search fails at create with EACCES, naming the host folder", async () => {
    const dir = await tempDir();
    const locked = join(dir, "locked");
    await mkdir(locked, { mode: 0o000 });
    await chmod(dir, 0o755);
    // Root may search anything: the check runs as "nobody" in a child process then.
    const script = `
      ${process.getuid?.() === 0 ? "process.setgid(65534); process.setuid(65534);" : ""}
      const { Sandbox } = await import(${JSON.stringify(DIST)});
      const error = await Sandbox.create({ preopens: { "/x": ${JSON.stringify(locked)} } }).then(() => undefined, (e) => e);
      console.log(JSON.stringify({ code: error?.code, syscall: error?.syscall, path: error?.path }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ code: "EACCES", syscall: "preopen", path: locked });
  });

  it("a hard link of a file elsewhere is written through by default; refuseHardLinks refuses it (ENOTCAPABLE)", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "in"));
    await fsWriteFile(join(dir, "elsewhere.txt"), "kept\n");
    await link(join(dir, "elsewhere.txt"), join(dir, "in/linked.txt"));
    const plain = await sandboxIn(join(dir, "in"));
    await plain.appendFile("/out/linked.txt", "through\n");
    expect(await readFile(join(dir, "elsewhere.txt"), "utf8")).toBe("kept\nthrough\n");
    const strict = await sandboxIn(join(dir, "in"), { refuseHardLinks: true });
    for (const flags of ["w", "a", "r+", "a+"] as const) {
      const error = await rejection(strict.open("/out/linked.txt", flags));
      expect(error.code).toBe("ENOTCAPABLE");
    }
    expect(await strict.readFile("/out/linked.txt", "utf8")).toBe("kept\nthrough\n");
    // An atomic replace gives the name a new file: the other name keeps its content.
    await strict.writeFile("/out/linked.txt", "replaced\n", { atomic: true });
    expect(await readFile(join(dir, "elsewhere.txt"), "utf8")).toBe("kept\nthrough\n");
    await strict.appendFile("/out/linked.txt", "now its own\n");
    expect(await readFile(join(dir, "in/linked.txt"), "utf8")).toBe("replaced\nnow its own\n");
  });

  it("works in a process started with node --input-type=module -e (the worker stays a CommonJS script)", () => {
    const script = `
      const { Sandbox } = await import(${JSON.stringify(DIST)});
      const sb = await Sandbox.create({ preopens: { "/x": "." } });
      await sb.close();
      console.log("created");`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stdout.trim(), run.stderr).toBe("created");
  });

  it("a runtime that cannot run the core says ERR_UNSUPPORTED_RUNTIME at create (here: without SharedArrayBuffer)", () => {
    // Node 20's --no-harmony-sharedarraybuffer is gone from later V8s: the global is removed instead.
    const script = `
      delete globalThis.SharedArrayBuffer;
      const { Sandbox } = await import(${JSON.stringify(DIST)});
      const error = await Sandbox.create({ preopens: { "/x": "." } }).then(() => undefined, (e) => e);
      console.log(JSON.stringify({ code: error?.code, name: error?.name }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ code: "ERR_UNSUPPORTED_RUNTIME", name: "CodedError" });
  });

  it("ENOTCAPABLE says which preopens exist and why the path was refused", async () => {
    const dir = await tempDir();
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    try {
      const error = await rejection(sb.open("/elsewhere/x", "w"));
      expect(error.code).toBe("ENOTCAPABLE");
      expect(error.message).toContain(`"/out" (${await realpath(dir)})`);
      const climbing = await rejection(sb.open("/out/../x", "w"));
      expect(climbing.message).not.toBe(error.message); // a different reason
    } finally {
      await sb.close();
    }
  });
});
