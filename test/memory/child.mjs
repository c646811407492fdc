// Starts N sandboxes at once (run under `ulimit -v`), writes one file with
// each, closes them, and prints how many started and the codes of those that
// did not: a sandbox that cannot get its memory must be an ENOMEM rejection,
// never the engine ending the process.
//   <runtime> child.mjs DIR N
import { readdirSync } from "node:fs";
import { Sandbox } from "../../dist/index.js";

const [dir, count] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const results = await Promise.allSettled(
  Array.from({ length: Number(count) }, () => Sandbox.create({ preopens: { "/o": dir } })),
);
const started = results.filter((r) => r.status === "fulfilled").map((r) => r.value);
const codes = [...new Set(results.filter((r) => r.status === "rejected").map((r) => r.reason?.code ?? String(r.reason)))];
await Promise.all(started.map((sb, i) => sb.writeFile(`/o/f${i}`, "x")));
await Promise.all(started.map((sb) => sb.close()));
console.log(JSON.stringify({ started: started.length, codes, files: readdirSync(dir).length }));
