// Runs conformance cases with the library itself (dist/): in-process on Node,
// and as a script under Deno and Bun:
//   deno run --allow-read --allow-write --allow-env run-cases.mjs INPUT.json
//   bun run-cases.mjs INPUT.json      (or node, another version than the one testing)
// INPUT.json: [{ root, preopens, options, ops }]; prints [[outcome, ...], ...].
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Sandbox } from "../../dist/index.js";

/** The bytes a `write`/`check` op describes. */
export function bytesOf(spec) {
  if (typeof spec.text === "string") return new TextEncoder().encode(spec.text);
  return new Uint8Array(spec.length).fill(spec.fill);
}

const outcomeOf = (error) => error?.code ?? `THREW ${String(error)}`;

async function runOp(sandbox, files, root, op) {
  switch (op.op) {
    case "open":
      files.set(op.h, await sandbox.open(op.path, op.flag));
      return;
    case "write":
      await files.get(op.h).write(typeof op.text === "string" ? op.text : bytesOf(op));
      return;
    case "flush":
    case "sync":
    case "datasync":
    case "close":
      await files.get(op.h)[op.op]();
      return;
    case "mkdir":
      await sandbox.mkdir(op.path, { recursive: op.recursive === true });
      return;
    case "rename":
      await sandbox.rename(op.from, op.to);
      return;
    case "unlink":
    case "rmdir":
      await sandbox[op.op](op.path);
      return;
    case "stat":
    case "lstat": {
      const st = await sandbox[op.op](op.path);
      return st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : st.isFile() ? `file:${st.size}` : "other";
    }
    case "readdir":
      return (await sandbox.readdir(op.path)).sort().join(",");
    case "read":
      return `text:${await sandbox.readFile(op.path, "utf8")}`;
    case "check": {
      const actual = readFileSync(join(root, op.file));
      if (!Buffer.from(bytesOf(op)).equals(actual)) throw Object.assign(new Error("mismatch"), { code: "MISMATCH" });
      return;
    }
    default:
      throw Object.assign(new Error(`unknown op ${op.op}`), { code: "BADCASE" });
  }
}

/** Runs one case in a sandbox of its own; one outcome per op. */
export async function runCase({ root, preopens, options, ops }) {
  const sandbox = await Sandbox.create({ preopens, ...options }).catch((error) => `create: ${outcomeOf(error)}`);
  if (typeof sandbox === "string") return [sandbox];
  const files = new Map();
  const outcomes = [];
  try {
    for (const op of ops) {
      outcomes.push(await runOp(sandbox, files, root, op).then((result) => result ?? "ok", outcomeOf));
    }
  } finally {
    await sandbox.close();
  }
  return outcomes;
}

export async function runCases(inputs) {
  const results = [];
  for (const input of inputs) results.push(await runCase(input));
  return results;
}

// As a script (Deno, Bun, another Node): read the cases, print the outcomes.
const asScript = globalThis.Deno ? import.meta.main : process.argv[1] === fileURLToPath(import.meta.url);
if (asScript) {
  const file = globalThis.Deno ? globalThis.Deno.args[0] : process.argv[2];
  console.log(JSON.stringify(await runCases(JSON.parse(readFileSync(file, "utf8")))));
}
