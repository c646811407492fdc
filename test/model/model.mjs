// Model-based randomized test, host-agnostic: random sequences of open/write/
// flush/sync/close over several files and two sandboxes, with writes from 0
// bytes to more than the ring, must leave files byte-identical to an
// in-memory model. Run by test/model.test.ts on Node and, through this file
// as a script, on Deno:  deno run --allow-all model.mjs DIR RUNS [SEED]
import { readFileSync } from "node:fs";
import { join } from "node:path";
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
const op = fc.oneof(
  fc.record({ op: fc.constant("open"), file, sandbox: fc.integer({ min: 0, max: 1 }), flag: fc.constantFrom("w", "a") }),
  write,
  write,
  fc.record({ op: fc.constant("burst"), file, sizes: fc.array(size, { maxLength: 6 }) }), // not awaited one by one
  fc.record({ op: fc.constantFrom("flush", "sync", "close"), file }),
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

/** Runs `runs` random sequences; returns what happened (never throws for a failed property). */
export async function checkModel(dir, runs, seed) {
  const sandboxes = [
    await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING, chunkSize: 1000 }),
    await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING }),
  ];
  const done = { writes: 0, bytes: 0, larger: 0 }; // proves the runs did real work
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

const deno = globalThis.Deno;
if (deno && import.meta.main) {
  const [dir, runs, seed] = deno.args;
  console.log(JSON.stringify(await checkModel(dir, Number(runs), seed === undefined ? undefined : Number(seed))));
}
