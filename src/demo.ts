// `npm start`: the seed's three scenarios done with aiowasi, then what this
// release adds (durable group-committed writes, reads, atomic replace,
// rotation inside the sandbox, a refused escape), in a folder it makes,
// printing what it did. Run it after `npm run build`.
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

// 4. An audit trail: 64 writers, 50 "synced" appends each; group commit shares the fdatasyncs.
await timed('audit log: 64 writers x 50 "synced" appends, each on disk when it resolves', async () => {
  const audit = await sandbox.open("/demo/audit.log", "a", { durability: "synced" });
  let n = 0;
  await Promise.all(
    Array.from({ length: 64 }, async (_, writer) => {
      for (let i = 0; i < 50; i++) await audit.write(`audit ${n++} from writer ${writer}\n`);
    }),
  );
  await audit.close();
});
const { groupSyncs, syncedWrites } = sandbox.stats();

// 5. A config replaced atomically, the log rotated with sb.rename(), lines read back.
let lines = 0;
await timed("atomic config write, log rotation, readLines() of the rotated log", async () => {
  await sandbox.writeFile("/demo/config.json", JSON.stringify({ version: 2 }), { atomic: true });
  await sandbox.rename("/demo/service-a.log", "/demo/service-a.log.1");
  const rotated = await sandbox.open("/demo/service-a.log.1", "r");
  for await (const _line of rotated.readLines()) lines++;
  await rotated.close();
});

// 6. A path that tries to leave the sandbox.
const refused = await sandbox.open("/demo/../escape.txt", "w").then(
  () => "opened (!)",
  (error: { code: string }) => error.code,
);

await sandbox.close();

const check = await readFile(join(dir, "chunks-1024.txt"), "utf8");
console.log(`aiowasi demo: wrote into ${dir}\n`);
for (const name of [
  "service-a.log.1",
  "service-b.log",
  "chunks-1024.txt",
  "chunks-2048.txt",
  "app.log",
  "audit.log",
  "config.json",
]) {
  console.log(`  ${name.padEnd(18)} ${String((await stat(join(dir, name))).size).padStart(10)} bytes`);
}
console.log("");
for (const [label, time] of report) console.log(`  ${label.padEnd(74)} ${time}`);
console.log(`\n  chunked copies identical to the source string: ${check === text}`);
console.log(
  `  3,200 synced appends took ${groupSyncs} fdatasync calls (group commit: ${(syncedWrites / groupSyncs).toFixed(1)} writes each)`,
);
console.log(`  service-a.log.1 read back: ${lines} lines; "/demo/../escape.txt": ${refused}`);
console.log(`  app.log:\n${(await readFile(join(dir, "app.log"), "utf8")).trimEnd().replace(/^/gm, "    ")}`);
