// An app that uses aiowasi the way users do: `node app.mjs DIR NAME` writes
// DIR/NAME.txt through a sandbox. The package test runs it from a fresh
// project on every runtime, and bundled (esbuild, Vite SSR) from a copy of
// the bundle's output folder alone.
import { mkdir } from "node:fs/promises";
import process from "node:process";
import { Sandbox } from "aiowasi";

const [dir, name] = process.argv.slice(2);
await mkdir(dir, { recursive: true });
const sb = await Sandbox.create({ preopens: { "/out": dir } });
const file = await sb.open(`/out/${name}.txt`, "w");
await file.write(`hello from ${name} ✓\n`);
await file.close();
await sb.close();
