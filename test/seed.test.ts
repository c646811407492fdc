// The seed's three scenarios, done with aiowasi and checked byte for byte.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Sandbox } from "../dist/index.js";
import { tempDir } from "./helpers.js";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function sandboxIn(dir: string): Promise<Sandbox> {
  sandbox = await Sandbox.create({ preopens: { "/out": dir } });
  return sandbox;
}

describe("the seed scenarios", () => {
  it("writes two log files concurrently with Promise.all", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const lines = (name: string) => Array.from({ length: 1000 }, (_, i) => `${name} line ${i}\n`);
    await Promise.all(
      ["first", "second"].map(async (name) => {
        const file = await sb.open(`/out/${name}.log`, "w");
        for (const line of lines(name)) await file.write(line);
        await file.close();
      }),
    );
    expect(await readFile(join(dir, "first.log"), "utf8")).toBe(lines("first").join(""));
    expect(await readFile(join(dir, "second.log"), "utf8")).toBe(lines("second").join(""));
  });

  it("writes a 1,000,000-character string in 1024- and 2048-byte chunks to two files at once", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const text = Array.from({ length: 1_000_000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join("");
    const writeChunked = async (name: string, size: number) => {
      const file = await sb.open(`/out/${name}`, "w");
      for (let at = 0; at < text.length; at += size) await file.write(text.slice(at, at + size));
      await file.close();
    };
    await Promise.all([writeChunked("chunks-1024.txt", 1024), writeChunked("chunks-2048.txt", 2048)]);
    expect(await readFile(join(dir, "chunks-1024.txt"), "utf8")).toBe(text);
    expect(await readFile(join(dir, "chunks-2048.txt"), "utf8")).toBe(text);
  });

  it("appends three messages concurrently to one log", async () => {
    const dir = await tempDir();
    const sb = await sandboxIn(dir);
    const messages = ["first message\n", "second message\n", "third message\n"];
    await Promise.all(messages.map((m) => sb.appendFile("/out/app.log", m)));
    const got = await readFile(join(dir, "app.log"), "utf8");
    expect(got.length).toBe(messages.join("").length);
    expect(got.split("\n").filter(Boolean).sort()).toEqual(messages.map((m) => m.trim()).sort());
  });
});
