// Model-based randomized test: random sequences of open/write/flush/sync/
// close over several files and two sandboxes, with writes from 0 bytes to
// more than the ring, must leave files byte-identical to an in-memory model.
// fast-check prints the seed and the shrunk sequence on failure; replay with
// FC_SEED=<seed> npx vitest run test/model.test.ts
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Sandbox } from "../dist/index.js";
import { tempDir } from "./helpers.js";

const FILES = 4;
const RING = 64 * 1024; // the smallest ring, so large writes wrap and wait

type Op =
  | { op: "open"; file: number; sandbox: number; flag: "w" | "a" }
  | { op: "write"; file: number; size: number; text: boolean; seed: number }
  | { op: "burst"; file: number; sizes: number[] } // writes not awaited one by one
  | { op: "flush" | "sync" | "close"; file: number };

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 8000 }) },
  { weight: 1, arbitrary: fc.integer({ min: RING - 100, max: 2 * RING + 100 }) },
);
const file = fc.integer({ min: 0, max: FILES - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("open" as const), file, sandbox: fc.integer({ min: 0, max: 1 }), flag: fc.constantFrom("w" as const, "a" as const) }),
  fc.record({ op: fc.constant("write" as const), file, size, text: fc.boolean(), seed: fc.nat() }),
  fc.record({ op: fc.constant("write" as const), file, size, text: fc.boolean(), seed: fc.nat() }),
  fc.record({ op: fc.constant("burst" as const), file, sizes: fc.array(size, { maxLength: 6 }) }),
  fc.record({ op: fc.constantFrom("flush" as const, "sync" as const, "close" as const), file }),
);

/** Deterministic data: ASCII-and-multibyte text, or bytes. */
function dataOf(size: number, text: boolean, seed: number): string | Uint8Array {
  if (text) {
    const alphabet = ["a", "b", "é", "✓", "🚀", "\n"];
    let s = "";
    for (let i = 0; s.length < size; i++) s += alphabet[(seed + i * 7) % alphabet.length];
    return s.slice(0, size).replace(/[\uD800-\uDBFF]$/, "x"); // never end on half a surrogate pair
  }
  return Uint8Array.from({ length: size }, (_, i) => (seed + i * 31) & 0xff);
}
const bytesOf = (data: string | Uint8Array) => (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));

let dir = "";
const sandboxes: Sandbox[] = [];
let run = 0;
const done = { writes: 0, bytes: 0, larger: 0 }; // proves the runs did real work

beforeAll(async () => {
  dir = await tempDir("aiowasi-model-");
  sandboxes.push(await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING, chunkSize: 1000 }));
  sandboxes.push(await Sandbox.create({ preopens: { "/m": dir }, bufferSize: RING }));
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
});

it("1000 random sequences give the files the model expects", async () => {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
      const prefix = `r${run++}-`;
      const model = new Map<number, Buffer>();
      const open = new Map<number, Awaited<ReturnType<Sandbox["open"]>>>();
      for (const step of ops) {
        const openFile = async (sandbox: number, flag: "w" | "a") => {
          const opened = await sandboxes[sandbox]!.open(`/m/${prefix}${step.file}`, flag);
          open.set(step.file, opened);
          if (flag === "w" || !model.has(step.file)) model.set(step.file, Buffer.alloc(0));
          return opened;
        };
        if (step.op === "open") {
          // One handle per file at a time keeps the model exact.
          if (!open.has(step.file)) await openFile(step.sandbox, step.flag);
          continue;
        }
        if (step.op === "close" && !open.has(step.file)) continue;
        // Writing to a file that is not open opens it for appending first.
        const handle = open.get(step.file) ?? (await openFile(step.file % 2, "a"));
        if (step.op === "write") {
          const data = dataOf(step.size, step.text, step.seed);
          expect(await handle.write(data)).toBe(bytesOf(data).length);
          done.writes++;
          done.bytes += bytesOf(data).length;
          if (bytesOf(data).length > RING) done.larger++;
          model.set(step.file, Buffer.concat([model.get(step.file)!, bytesOf(data)]));
        } else if (step.op === "burst") {
          const writes = step.sizes.map((n, i) => dataOf(n, i % 2 === 0, n + i));
          await Promise.all(writes.map((data) => handle.write(data)));
          model.set(step.file, Buffer.concat([model.get(step.file)!, ...writes.map(bytesOf)]));
        } else if (step.op === "close") {
          await handle.close();
          open.delete(step.file);
        } else {
          await handle[step.op]();
          expect(readFileSync(join(dir, `${prefix}${step.file}`)).equals(model.get(step.file)!)).toBe(true);
        }
      }
      await Promise.all([...open.values()].map((h) => h.close()));
      for (const [n, content] of model) {
        const actual = readFileSync(join(dir, `${prefix}${n}`));
        if (!actual.equals(content)) throw new Error(`file ${n}: ${actual.length} bytes on disk, the model has ${content.length}`);
      }
    }),
    { numRuns: 1000, ...(seed === undefined ? {} : { seed }) },
  );
  console.info(`model test: ${done.writes} awaited writes, ${done.bytes} bytes, ${done.larger} larger than the ring`);
  expect(done.writes).toBeGreaterThan(1000);
  expect(done.larger).toBeGreaterThan(20);
}, 300_000);
