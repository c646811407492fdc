// Streams, log rotation and mkdir, written once and run on Node
// (test/ecosystem.test.ts) and on Deno (this file as a script):
//   deno run --allow-all scenarios.mjs DIR     prints { NAME: result }
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import pino from "pino";
import { Sandbox } from "../../dist/index.js";
import { faults, kFaults } from "../faults/inject.mjs";
import { codeOf } from "../outcome.mjs";

const text = (dir, name) => readFileSync(join(dir, name), "utf8");
const lines = (from, to, tag) => Array.from({ length: to - from }, (_, i) => `${tag} ${from + i} ✓\n`);

export const SCENARIOS = {
  /** readable.pipeTo(file.writable): strings and bytes, through a ring far smaller than the data. */
  async webStream(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024 });
    const f = await sb.open("/out/web.txt", "w");
    const chunks = Array.from({ length: 400 }, (_, i) =>
      i % 2 ? new TextEncoder().encode(`${i}:${"b".repeat(9000)}\n`) : `${i}:${"é".repeat(4000)}\n`,
    );
    let pulled = 0;
    const source = new ReadableStream(
      {
        pull(controller) {
          if (pulled === chunks.length) controller.close();
          else controller.enqueue(chunks[pulled++]);
        },
      },
      { highWaterMark: 1 },
    );
    await source.pipeTo(f.writable); // closes the file at the end
    await sb.close();
    const expected = chunks.map((c) => (typeof c === "string" ? c : new TextDecoder().decode(c))).join("");
    return { closed: f.closed, intact: text(dir, "web.txt") === expected };
  },

  /** stream.pipeline() into file.createWriteStream(), and 'drain' with a small highWaterMark. */
  async nodeStream(dir) {
    // A small ring and a slow disk (1 ms per fd_write), so the writer outruns
    // the disk and must wait for 'drain'.
    const slow = faults({ fdWrite: ["slow"], repeat: true, slowMs: 1 });
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024, [kFaults]: slow });
    const f = await sb.open("/out/piped.txt", "w");
    const all = lines(0, 5000, "piped");
    await pipeline(Readable.from(all), f.createWriteStream({ highWaterMark: 1024 }));
    const g = await sb.open("/out/drained.txt", "w");
    const stream = g.createWriteStream({ highWaterMark: 256 });
    let drains = 0;
    let falses = 0;
    stream.on("drain", () => drains++);
    const many = lines(0, 5_000, `drained ${"x".repeat(100)}`);
    for (const line of many) {
      if (!stream.write(line)) {
        falses++;
        await new Promise((resolve) => stream.once("drain", resolve));
      }
    }
    stream.end();
    await finished(stream);
    await sb.close();
    return {
      piped: text(dir, "piped.txt") === all.join(""),
      pipedClosed: f.closed,
      drained: text(dir, "drained.txt") === many.join(""),
      sawDrain: drains > 0 && drains === falses,
    };
  },

  /** pino writing through file.createWriteStream(): every line arrives, as JSON. */
  async pinoDestination(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const f = await sb.open("/out/pino.log", "a");
    const dest = f.createWriteStream();
    const logger = pino({ base: undefined }, dest);
    for (let i = 0; i < 10_000; i++) logger.info({ i }, "hello ✓");
    dest.end();
    await finished(dest);
    await sb.close();
    const records = text(dir, "pino.log")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    return {
      lines: records.length,
      inOrder: records.every((r, i) => r.i === i && r.msg === "hello ✓" && r.level === 30),
    };
  },

  /** Log rotation: rename, reopen() (not awaited), keep writing: nothing lost, nothing misplaced. */
  async reopen(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const f = await sb.open("/out/app.log", "a");
    const before = lines(0, 3000, "line");
    const after = lines(3000, 6000, "line");
    const pending = before.map((l) => f.write(l)); // some still in the ring at the rename
    renameSync(join(dir, "app.log"), join(dir, "app.log.1"));
    const reopened = f.reopen();
    pending.push(...after.map((l) => f.write(l)));
    await Promise.all(pending);
    await reopened;
    await f.close();
    mkdirSync(join(dir, "gone"));
    const g = await sb.open("/out/gone/x.log", "a"); // (with mkdir, reopen() would make "gone" again)
    renameSync(join(dir, "gone"), join(dir, "moved"));
    const failed = await codeOf(g.reopen()); // the path cannot be opened again: keep the old file
    await g.write("still here\n");
    await g.close();
    await sb.close().catch(() => undefined);
    return {
      rotated: text(dir, "app.log.1") === before.join(""),
      current: text(dir, "app.log") === after.join(""),
      failed,
      keptWriting: text(dir, "moved/x.log") === "still here\n",
    };
  },

  /** open(..., { mkdir: true }) makes missing folders, only inside the sandbox. */
  async mkdir(dir) {
    const pre = join(dir, "pre");
    mkdirSync(pre);
    mkdirSync(join(dir, "outside"));
    symlinkSync("../outside", join(pre, "link-out"));
    const sb = await Sandbox.create({ preopens: { "/out": pre } });
    const without = await codeOf(sb.open("/out/a/b/c.log", "w"));
    const f = await sb.open("/out/a/b/c.log", "w", { mkdir: true });
    await f.write("deep\n");
    await f.close();
    const again = await codeOf(sb.open("/out/a/b/d.log", "w", { mkdir: true }).then((g) => g.close()));
    const outOfPreopen = await codeOf(sb.open("/out/../up/x.log", "w", { mkdir: true }));
    const viaLink = await codeOf(sb.open("/out/link-out/new/x.log", "w", { mkdir: true }));
    const badOption = await codeOf(sb.open("/out/x.log", "w", { mkdir: "yes" }));
    await sb.close();
    return {
      without,
      deep: text(pre, "a/b/c.log"),
      again,
      outOfPreopen,
      viaLink,
      badOption,
      outsideUntouched: readdirSync(join(dir, "outside")).length === 0 && !existsSync(join(dir, "up")),
    };
  },
};

export const EXPECTED = {
  webStream: { closed: true, intact: true },
  nodeStream: { piped: true, pipedClosed: true, drained: true, sawDrain: true },
  pinoDestination: { lines: 10_000, inOrder: true },
  reopen: { rotated: true, current: true, failed: "ENOENT", keptWriting: true },
  mkdir: {
    without: "ENOENT",
    deep: "deep\n",
    again: "ok",
    outOfPreopen: "ENOTCAPABLE",
    viaLink: "ENOTCAPABLE",
    badOption: "ERR_INVALID_ARG_TYPE",
    outsideUntouched: true,
  },
};

const deno = globalThis.Deno;
if (deno && import.meta.main) {
  const [dir] = deno.args;
  const results = {};
  for (const name of Object.keys(SCENARIOS)) {
    const sub = join(dir, name);
    mkdirSync(sub, { recursive: true });
    results[name] = await SCENARIOS[name](sub);
  }
  console.log(JSON.stringify(results));
}
