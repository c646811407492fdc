// `npm start`: the seed's three scenarios done with aiowasi, in a folder it
// makes, printing what it wrote. Run it after `npm run build`.
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "./index.js";

const dir = await mkdtemp(join(tmpdir(), "aiowasi-demo-"));
const sandbox = await Sandbox.create({ preopens: { "/demo": dir } });
const report: [string, string][] = [];

async function timed(label: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await run();
  report.push([label, `${(performance.now() - started).toFixed(1)} ms`]);
}

// 1. Two log files written concurrently with Promise.all.
await timed("two logs, 10,000 lines each, concurrently", async () => {
  await Promise.all(
    ["service-a.log", "service-b.log"].map(async (name) => {
      const file = await sandbox.open(`/demo/${name}`, "w");
      for (let i = 0; i < 10_000; i++) await file.write(`${new Date(1_700_000_000_000 + i).toISOString()} ${name} event ${i}\n`);
      await file.close();
    }),
  );
});

// 2. A 1,000,000-character string in 1024- and 2048-byte chunks to two files at once.
const text = Array.from({ length: 1_000_000 }, (_, i) => "aiowasi ✓ "[i % 10]).join("");
await timed("1,000,000 characters in 1024- and 2048-char chunks, two files", async () => {
  await Promise.all(
    [1024, 2048].map(async (size) => {
      const file = await sandbox.open(`/demo/chunks-${size}.txt`, "w");
      for (let at = 0; at < text.length; at += size) await file.write(text.slice(at, at + size));
      await file.close();
    }),
  );
});

// 3. Three messages appended concurrently to one log.
await timed("three messages appended concurrently", async () => {
  await Promise.all(["first", "second", "third"].map((m) => sandbox.appendFile("/demo/app.log", `${m} message\n`)));
});

await sandbox.close();

const check = await readFile(join(dir, "chunks-1024.txt"), "utf8");
console.log(`aiowasi demo: wrote into ${dir}\n`);
for (const name of ["service-a.log", "service-b.log", "chunks-1024.txt", "chunks-2048.txt", "app.log"]) {
  console.log(`  ${name.padEnd(16)} ${String((await stat(join(dir, name))).size).padStart(10)} bytes`);
}
console.log("");
for (const [label, time] of report) console.log(`  ${label.padEnd(64)} ${time}`);
console.log(`\n  chunked copies identical to the source string: ${check === text}`);
console.log(`  app.log:\n${(await readFile(join(dir, "app.log"), "utf8")).trimEnd().replace(/^/gm, "    ")}`);
