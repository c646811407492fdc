// Model-based randomized test, host-agnostic: random sequences of open/write/
// flush/sync/close over several files and two sandboxes, with writes from 0
// bytes to more than the ring, must leave files byte-identical to an
// in-memory model. Between them, on files that are not open: rename (to any
// of the names, itself included), unlink, atomic writeFile, open "r" and
// read() a few bytes twice or readLines() (each closes the files it names
// first, or is skipped for an open one); and readFile of any file (an open
// one is flushed first). A missing file must give ENOENT, to each of them.
// Run by test/model.test.ts on Node and, through this file as a script, on
// Deno and Bun:  deno run --allow-all model.mjs DIR RUNS [SEED]

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { Sandbox } from "../../dist/index.js";

const FILES = 4;
const RING = 64 * 1024; // the smallest ring, so large writes wrap and wait

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 8000 }) },
  { weight: 1, arbitrary: fc.integer({ min: RING - 100, max: 2 * RING + 100 }) },
);
const file = fc.integer({ min: 0, max: FILES - 1 });
const write = fc.record({ op: fc.constant("write"), file, size, text: fc.boolean(), seed: fc.nat() });
const sandbox = fc.integer({ min: 0, max: 1 });
// The rest of the file system acts on files that are not open: `close` first closes the ones it names, else it is skipped for them.
const close = fc.boolean();
const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant("open"), file, sandbox, flag: fc.constantFrom("w", "a") }) },
  { weight: 5, arbitrary: write },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("burst"), file, sizes: fc.array(size, { maxLength: 6 }) }) }, // not awaited one by one
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("flush", "sync", "close"), file }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("readFile"), file, sandbox, text: fc.boolean() }) }, // an open file is flushed first
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rename"), file, to: file, sandbox, close }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("unlink"), file, sandbox, close }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("atomic"), file, sandbox, size, text: fc.boolean(), seed: fc.nat(), close }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("read"),
      file,
      sandbox,
      lines: fc.boolean(),
      sizes: fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 })),
      close,
    }),
  },
);

/** Deterministic data: ASCII-and-multibyte text, or bytes. */
function dataOf(length, text, seed) {
  if (text) {
    const alphabet = ["a", "b", "é", "✓", "🚀", "\n"];
    let s = "";
    for (let i = 0; s.length < length; i++) s += alphabet[(seed + i * 7) % alphabet.length];
    return s.slice(0, length).replace(/[\uD800-\uDBFF]$/, "x"); // never end on half a surrogate pair
  }
  return Uint8Array.from({ length }, (_, i) => (seed + i * 31) & 0xff);
}
const bytesOf = (data) => (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));

function same(dir, name, content, when) {
  const actual = readFileSync(join(dir, name));
  if (!actual.equals(content))
    throw new Error(`${name} ${when}: ${actual.length} bytes on disk, the model has ${content.length}`);
}

/** What the library read equals the model's bytes (or, for text, their UTF-8 decoding). */
function sameRead(name, actual, content, what) {
  const expected = typeof actual === "string" ? new TextDecoder().decode(content) : content;
  const equal = typeof actual === "string" ? actual === expected : Buffer.from(actual).equals(expected);
  if (!equal)
    throw new Error(
      `${what} of ${name}: ${actual.length} ${typeof actual === "string" ? "characters" : "bytes"}, the model has ${expected.length}`,
    );
}

/** readLines() as the model says: UTF-8, split at "\n", a "\r" before it dropped, a last line without one kept. */
function linesOf(content) {
  const parts = new TextDecoder().decode(content).split("\n");
  const last = parts.pop();
  if (last !== "") parts.push(last);
  return parts.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/** Awaits `promise`, which must reject with `code`. */
async function rejects(promise, code, what) {
  const outcome = await promise.then(
    () => "resolved",
    (error) => error?.code ?? String(error),
  );
  if (outcome !== code) throw new Error(`${what}: ${outcome}, the model expects ${code}`);
}

/** Runs `runs` random sequences; returns what happened (never throws for a failed property). */
export async function checkModel(dir, runs, seed) {
  const sandboxes = [
    await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING, chunkSize: 1000 }),
    await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING }),
  ];
  // Proves the runs did real work.
  const done = { writes: 0, bytes: 0, larger: 0, readFiles: 0, renames: 0, unlinks: 0, atomics: 0, reads: 0, missing: 0 };
  let run = 0;
  const property = fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
    const prefix = `r${run++}-`;
    const model = new Map();
    const open = new Map();
    for (const step of ops) {
      const name = `${prefix}${step.file}`;
      const openFile = async (sandbox, flag) => {
        const handle = await sandboxes[sandbox].open(`/m/${name}`, flag);
        open.set(step.file, handle);
        if (flag === "w" || !model.has(step.file)) model.set(step.file, Buffer.alloc(0));
        return handle;
      };
      if (step.op === "open") {
        if (!open.has(step.file)) await openFile(step.sandbox, step.flag); // one handle per file keeps the model exact
        continue;
      }
      if (step.op === "close" && !open.has(step.file)) continue;
      if (await otherOp(step, name)) continue;
      const handle = open.get(step.file) ?? (await openFile(step.file % 2, "a")); // writing opens for appending
      if (step.op === "write") {
        const data = dataOf(step.size, step.text, step.seed);
        const accepted = await handle.write(data);
        if (accepted !== bytesOf(data).length) throw new Error(`write resolved ${accepted}, not ${bytesOf(data).length}`);
        done.writes++;
        done.bytes += accepted;
        if (accepted > RING) done.larger++;
        model.set(step.file, Buffer.concat([model.get(step.file), bytesOf(data)]));
      } else if (step.op === "burst") {
        const writes = step.sizes.map((n, i) => dataOf(n, i % 2 === 0, n + i));
        await Promise.all(writes.map((data) => handle.write(data)));
        model.set(step.file, Buffer.concat([model.get(step.file), ...writes.map(bytesOf)]));
      } else if (step.op === "close") {
        await handle.close();
        open.delete(step.file);
      } else {
        await handle[step.op]();
        same(dir, name, model.get(step.file), `after ${step.op}`);
      }
    }
    await Promise.all([...open.values()].map((h) => h.close()));
    for (const [n, content] of model) same(dir, `${prefix}${n}`, content, "at the end");
    for (let n = 0; n < FILES; n++) {
      if (!model.has(n) && existsSync(join(dir, `${prefix}${n}`))) throw new Error(`${prefix}${n} is on disk, not in the model`);
    }

    /** The operations beside open/write/flush/close; false for those (they are handled above). */
    async function otherOp(step, name) {
      const sb = sandboxes[step.sandbox];
      const path = `/m/${name}`;
      const content = model.get(step.file);
      if (step.op === "readFile") {
        await open.get(step.file)?.flush();
        if (content === undefined) {
          done.missing++;
          await rejects(sb.readFile(path), "ENOENT", `readFile of missing ${name}`);
          return true;
        }
        sameRead(name, await sb.readFile(path, step.text ? "utf8" : undefined), content, "readFile");
        done.readFiles++;
        return true;
      }
      if (!["rename", "unlink", "atomic", "read"].includes(step.op)) return false;
      // Only files that are not open: closed first, or skipped.
      for (const n of step.op === "rename" ? [step.file, step.to] : [step.file]) {
        if (!open.has(n)) continue;
        if (!step.close) return true;
        await open.get(n).close();
        open.delete(n);
      }
      if (step.op === "atomic") {
        const data = dataOf(step.size, step.text, step.seed);
        await sb.writeFile(path, data, { atomic: true });
        model.set(step.file, bytesOf(data));
        done.atomics++;
        return true;
      }
      if (content === undefined) {
        done.missing++;
        if (step.op === "rename") await rejects(sb.rename(path, `/m/${prefix}${step.to}`), "ENOENT", `rename of missing ${name}`);
        else if (step.op === "unlink") await rejects(sb.unlink(path), "ENOENT", `unlink of missing ${name}`);
        else await rejects(sb.open(path, "r"), "ENOENT", `open "r" of missing ${name}`);
        return true;
      }
      if (step.op === "rename") {
        await sb.rename(path, `/m/${prefix}${step.to}`);
        model.delete(step.file);
        model.set(step.to, content); // onto itself: nothing changes
        done.renames++;
      } else if (step.op === "unlink") {
        await sb.unlink(path);
        model.delete(step.file);
        done.unlinks++;
      } else {
        const reader = await sb.open(path, "r");
        try {
          if (step.lines) {
            const lines = [];
            for await (const line of reader.readLines()) lines.push(line);
            const expected = linesOf(content);
            if (lines.length !== expected.length || lines.some((line, i) => line !== expected[i]))
              throw new Error(`readLines of ${name}: ${lines.length} lines, the model has ${expected.length}`);
          } else {
            // Two reads: the second starts where the first ended.
            let at = 0;
            for (const want of step.sizes) {
              const { bytesRead, buffer } = await reader.read(new Uint8Array(want));
              const expected = content.subarray(at, at + want);
              if (bytesRead !== expected.length)
                throw new Error(`read(${want}) of ${name} at ${at}: ${bytesRead} bytes, the model has ${expected.length}`);
              sameRead(name, buffer.subarray(0, bytesRead), expected, `read(${want}) at ${at}`);
              at += bytesRead;
            }
          }
        } finally {
          await reader.close();
        }
        done.reads++;
      }
      return true;
    }
  });
  try {
    const result = await fc.check(property, { numRuns: runs, ...(seed === undefined ? {} : { seed }) });
    return {
      failed: result.failed,
      seed: result.seed,
      counterexample: result.failed ? JSON.stringify(result.counterexample)?.slice(0, 2000) : null,
      error: result.failed ? String(result.errorInstance ?? result.error) : null,
      ...done,
    };
  } finally {
    await Promise.all(sandboxes.map((sb) => sb.close()));
  }
}

// As a script (Deno, Bun): <runtime> model.mjs DIR RUNS [SEED] prints the outcome as JSON.
const deno = globalThis.Deno;
const asScript = deno ? import.meta.main : process.argv[1] === fileURLToPath(import.meta.url);
if (asScript) {
  const [dir, runs, seed] = deno ? deno.args : process.argv.slice(2);
  console.log(JSON.stringify(await checkModel(dir, Number(runs), seed === undefined ? undefined : Number(seed))));
}
