// The rest of the file system through the library, written once and run on
// Node (test/fs.test.ts, in-process), Deno and Bun (this file as a script):
//   <runtime> scenarios.mjs DIR [NAME...]      prints { NAME: result }
// Each scenario takes a fresh folder and returns plain JSON; EXPECTED says
// what it must return on every host.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Sandbox } from "../../dist/index.js";
import { faults, kFaults } from "../faults/inject.mjs";
import { codeOf } from "../outcome.mjs";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const sameBytes = (a, b) => a.length === b.length && sha(a) === sha(b);

/** Text with 1-, 2-, 3- and 4-byte UTF-8 characters, so reads cut characters at slot edges. */
function mixedText(chars) {
  const alphabet = ["a", "é", "✓", "日", "🚀", "\n", "z", "ß"];
  let text = "";
  for (let i = 0; text.length < chars; i++) text += alphabet[(i * 7 + (i >> 3)) % alphabet.length];
  return text;
}

export const SCENARIOS = {
  /** readFile, read() and the read stream give the bytes back exactly: empty, tiny, large, multi-byte. */
  async readsByteForByte(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir }, bufferSize: 256 * 1024 }); // small slots: many reads
    const large = randomBytes(5 * 1024 * 1024 + 13);
    const text = mixedText(1_500_000);
    writeFileSync(join(dir, "empty"), "");
    writeFileSync(join(dir, "one"), "x");
    writeFileSync(join(dir, "large"), large);
    writeFileSync(join(dir, "text"), text);
    const result = {
      empty: (await sb.readFile("/d/empty")).length === 0 && (await sb.readFile("/d/empty", "utf8")) === "",
      one: (await sb.readFile("/d/one", "utf8")) === "x",
      large: sameBytes(await sb.readFile("/d/large"), large),
      text: (await sb.readFile("/d/text", "utf8")) === text,
    };
    // read() in odd-sized pieces, until 0.
    const file = await sb.open("/d/large", "r");
    const pieces = [];
    for (;;) {
      const { bytesRead, buffer } = await file.read(new Uint8Array(7777));
      if (bytesRead === 0) break;
      pieces.push(buffer.slice(0, bytesRead));
    }
    await file.close();
    result.pieces = sameBytes(Buffer.concat(pieces), large);
    const streamed = await sb.open("/d/text", "r");
    const chunks = [];
    for await (const chunk of streamed.createReadStream()) chunks.push(chunk);
    await streamed.close();
    result.stream = Buffer.concat(chunks).toString("utf8") === text;
    await sb.close();
    return result;
  },

  /** readLines(): a million lines, "\r\n" endings, no final newline, empty lines and files. */
  async readLines(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    const lines = Array.from({ length: 1_000_000 }, (_, i) => `line ${i} ${"é✓".repeat(i % 5)}`);
    writeFileSync(join(dir, "million"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "crlf"), "one\r\ntwo\r\n\r\nfour");
    writeFileSync(join(dir, "empty"), "");
    writeFileSync(join(dir, "newline"), "\n");
    // 4-byte characters cut at every byte offset by the reads' edges; malformed bytes and a cut last character.
    const emoji = Array.from({ length: 200_000 }, (_, i) => `${"🚀".repeat(i % 7)}${"x".repeat(i % 3)}`);
    writeFileSync(join(dir, "emoji"), emoji.join("\n"));
    const malformed = Uint8Array.of(0x61, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0xe6, 0x97);
    writeFileSync(join(dir, "malformed"), malformed);
    const collect = async (name) => {
      const file = await sb.open(`/d/${name}`, "r");
      const out = [];
      for await (const line of file.readLines()) out.push(line);
      await file.close();
      return out;
    };
    const million = await collect("million");
    const result = {
      million: million.length === lines.length && million.every((line, i) => line === lines[i]),
      crlf: await collect("crlf"),
      empty: await collect("empty"),
      newline: await collect("newline"),
      emoji: (await collect("emoji")).every((line, i, all) => all.length === emoji.length && line === emoji[i]),
      malformed: JSON.stringify(await collect("malformed")) === JSON.stringify(new TextDecoder().decode(malformed).split("\n")),
    };
    await sb.close();
    return result;
  },

  /**
   * writeFile(..., { atomic: true }) while this thread reads the file in a
   * loop: every read sees one whole version, never a mix or an empty file;
   * no temp file is left.
   */
  async atomicReader(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    const versions = ["a", "b"].map((c) => c.repeat(256 * 1024));
    await sb.writeFile("/d/config.json", versions[0]);
    let reads = 0;
    let torn = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const seen = readFileSync(join(dir, "config.json"), "utf8");
        reads++;
        if (seen !== versions[0] && seen !== versions[1]) torn++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 0; i < 100; i++) await sb.writeFile("/d/config.json", versions[i % 2], { atomic: true });
    stop = true;
    await reader;
    const last = readFileSync(join(dir, "config.json"), "utf8") === versions[1];
    await sb.close();
    return { torn, readsHappened: reads > 20, last, left: readdirSync(dir) };
  },

  /** A failure before the rename (fd_datasync EIO): the target untouched, no temp left, the code reported. */
  async atomicFailure(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir }, [kFaults]: faults({ fdDatasync: ["EIO"] }) });
    writeFileSync(join(dir, "target.txt"), "old");
    const code = await codeOf(sb.writeFile("/d/target.txt", "new content", { atomic: true }));
    const after = await codeOf(sb.writeFile("/d/target.txt", "second try", { atomic: true }));
    const content = readFileSync(join(dir, "target.txt"), "utf8");
    await sb.close();
    return { code, after, content, left: readdirSync(dir) };
  },

  /**
   * Concurrent atomic writes to one target, more than the core holds at once
   * (64; the rest wait their turn): each lands whole, one wins, no temps left;
   * mkdir works.
   */
  async atomicConcurrent(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    const codes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => codeOf(sb.writeFile("/d/deep/x.json", `{"v":${i}}`, { atomic: true, mkdir: true }))),
    );
    const content = JSON.parse(readFileSync(join(dir, "deep/x.json"), "utf8"));
    const escaped = await codeOf(sb.writeFile("/d/../x.json", "no", { atomic: true }));
    const folder = await codeOf(sb.writeFile("/d/deep", "no", { atomic: true }));
    await sb.close();
    return {
      all: codes.every((code) => code === "ok"),
      whole: typeof content.v === "number",
      left: readdirSync(join(dir, "deep")),
      escaped,
      folder,
    };
  },

  /**
   * Atomic writes to names of up to 255 bytes of multi-byte characters: the
   * temp name keeps its random part (cut in whole characters), so concurrent
   * writes do not collide and no name cut mid-character is made.
   */
  async atomicLongNames(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    const names = ["é".repeat(127), `a${"é".repeat(127)}`, "🚀".repeat(63)];
    const codes = [];
    for (const name of names) {
      const writes = Array.from({ length: 4 }, (_, i) => codeOf(sb.writeFile(`/d/${name}`, `v${i}`, { atomic: true })));
      codes.push(...(await Promise.all(writes)));
    }
    await sb.close();
    const left = readdirSync(dir);
    return { codes: [...new Set(codes)], files: left.length, sameNames: names.every((name) => left.includes(name)) };
  },

  /** "r+", "a+", truncate() and stat() on an open file; a read-only file refuses writes. */
  async openModes(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    writeFileSync(join(dir, "f.txt"), "0123456789");
    const rw = await sb.open("/d/f.txt", "r+");
    const head = await rw.read(new Uint8Array(4));
    await rw.write("AB"); // at the position the read left: 4
    await rw.truncate(8);
    const size = (await rw.stat()).size;
    await rw.close();
    // Write, read, write: each at the position the one before left (Bun's WASI once wrote where the read began).
    writeFileSync(join(dir, "g.txt"), "0123456789");
    const mixed = await sb.open("/d/g.txt", "r+");
    await mixed.write("XY");
    const between = await mixed.read(new Uint8Array(3));
    await mixed.write("Q");
    await mixed.close();
    const plus = await sb.open("/d/new.txt", "a+");
    await plus.write("x\n");
    await plus.close();
    const readOnly = await sb.open("/d/f.txt", "r");
    const refused = await codeOf(readOnly.write("no"));
    const truncateRefused = await codeOf(readOnly.truncate(0));
    await readOnly.close();
    const missing = await codeOf(sb.open("/d/missing.txt", "r"));
    const missingRw = await codeOf(sb.open("/d/missing.txt", "r+"));
    await sb.close();
    return {
      head: Buffer.from(head.buffer.subarray(0, head.bytesRead)).toString(),
      content: readFileSync(join(dir, "f.txt"), "utf8"),
      size,
      mixed: `${Buffer.from(between.buffer.subarray(0, between.bytesRead))}|${readFileSync(join(dir, "g.txt"), "utf8")}`,
      plus: readFileSync(join(dir, "new.txt"), "utf8"),
      refused,
      truncateRefused,
      missing,
      missingRw,
    };
  },

  /** Reads do not hold up the writes of the same sandbox: a big readFile interleaves with a writer. */
  async readsInterleave(dir) {
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    writeFileSync(join(dir, "big"), randomBytes(64 * 1024 * 1024));
    const log = await sb.open("/d/log.txt", "a", { durability: "written" });
    let writes = 0;
    let reading = true;
    const writer = (async () => {
      while (reading) {
        await log.write("tick\n");
        writes++;
      }
    })();
    const bytes = await sb.readFile("/d/big");
    reading = false;
    await writer;
    await log.close();
    await sb.close();
    return { read: bytes.length === 64 * 1024 * 1024, writesDuringRead: writes > 10 };
  },

  /**
   * A readLines() loop whose file is closed under it rejects EBADF, and the
   * reads it had in flight are nobody's unhandled rejection; calls of several
   * steps begun before sb.close() (readFile, readdir, writeFile, appendFile)
   * finish; later ones are EBADF.
   */
  async closeWhileBusy(dir) {
    writeFileSync(join(dir, "big.bin"), randomBytes(8 * 1024 * 1024));
    writeFileSync(join(dir, "lines.txt"), Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n"));
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error?.code ?? String(error));
    process.on("unhandledRejection", onUnhandled);
    const sb = await Sandbox.create({ preopens: { "/d": dir } });
    const lines = await sb.open("/d/lines.txt", "r");
    let seen = 0;
    const loop = await codeOf(
      (async () => {
        for await (const _ of lines.readLines()) if (++seen === 10) lines.close();
      })(),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const calls = [
      sb.readFile("/d/big.bin"),
      sb.readdir("/d"),
      sb.writeFile("/d/a.json", "{}", { atomic: true }),
      sb.appendFile("/d/log.txt", "x\n"),
    ];
    const closing = sb.close();
    const codes = await Promise.all(calls.map(codeOf));
    const closed = await codeOf(closing);
    const after = await codeOf(sb.readFile("/d/big.bin"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("unhandledRejection", onUnhandled);
    const written = readFileSync(join(dir, "a.json"), "utf8") + readFileSync(join(dir, "log.txt"), "utf8");
    return { loop, unhandled, codes, closed, after, written };
  },
};

export const EXPECTED = {
  readsByteForByte: { empty: true, one: true, large: true, text: true, pieces: true, stream: true },
  readLines: { million: true, crlf: ["one", "two", "", "four"], empty: [], newline: [""], emoji: true, malformed: true },
  atomicReader: { torn: 0, readsHappened: true, last: true, left: ["config.json"] },
  atomicFailure: { code: "EIO", after: "ok", content: "second try", left: ["target.txt"] },
  atomicConcurrent: { all: true, whole: true, left: ["x.json"], escaped: "ENOTCAPABLE", folder: "EISDIR" },
  openModes: {
    head: "0123",
    content: "0123AB67",
    size: 8,
    mixed: "234|XY234Q6789",
    plus: "x\n",
    refused: "EBADF",
    truncateRefused: "EBADF",
    missing: "ENOENT",
    missingRw: "ENOENT",
  },
  readsInterleave: { read: true, writesDuringRead: true },
  atomicLongNames: { codes: ["ok"], files: 3, sameNames: true },
  closeWhileBusy: {
    loop: "EBADF",
    unhandled: [],
    codes: ["ok", "ok", "ok", "ok"],
    closed: "ok",
    after: "EBADF",
    written: "{}x\n",
  },
};

// As a script: run the named scenarios (default: all) in subfolders of DIR.
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
if ((globalThis.Deno || globalThis.Bun) && import.meta.main && args.length > 0) {
  const [dir, ...names] = args;
  const results = {};
  for (const name of names.length ? names : Object.keys(SCENARIOS)) {
    const sub = join(dir, name);
    mkdirSync(sub, { recursive: true });
    results[name] = await SCENARIOS[name](sub);
  }
  console.log(JSON.stringify(results));
}
