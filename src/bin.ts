// `aiowasi`, the package's bin: the command module (build/aiowasi-cli.wasm)
// on the Node that runs it, through node:wasi, with the preopens `wasmtime run`
// would take:
//
//   npx aiowasi write [--append] [--exclusive] [--chunk-size N] [--sync] GUEST_PATH --dir HOST::GUEST < input
//
// Everything but --dir goes to the module as it is, so the exit codes and
// stderr are the module's own: 0 written; 1 and `aiowasi: CODE: message`; 2
// and the usage. A bad --dir is a usage error (2); a preopen that cannot be
// opened is a failure (1), said the module's way.
import { readFileSync, statSync } from "node:fs";
import { withoutWasiWarning } from "./hosts/runtime.js";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const USAGE =
  "usage: aiowasi write [--append] [--exclusive] [--chunk-size N] [--sync] GUEST_PATH --dir HOST[::GUEST] [--dir ...] < input\n";

function exit(code: number, message: string): never {
  process.stderr.write(message);
  process.exit(code);
}

/** The module's arguments and the preopens, from ours: --dir HOST[::GUEST] (or --dir=...) anywhere before `--`. */
function parse(argv: string[]): { args: string[]; preopens: Record<string, string> } {
  const args: string[] = [];
  const preopens: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      args.push(...argv.slice(i));
      break;
    }
    if (arg === "--chunk-size") {
      args.push(arg, ...argv.slice(i + 1, i + 2)); // its value is the module's to judge
      i++;
      continue;
    }
    let dir: string | undefined;
    if (arg === "--dir") {
      dir = argv[++i];
      if (dir === undefined) exit(EXIT_USAGE, `aiowasi: --dir needs a value\n${USAGE}`);
    } else if (arg.startsWith("--dir=")) {
      dir = arg.slice("--dir=".length);
    } else {
      args.push(arg);
      continue;
    }
    // As with wasmtime: HOST::GUEST, or HOST alone for the same name inside.
    const at = dir.indexOf("::");
    const host = at < 0 ? dir : dir.slice(0, at);
    const guest = at < 0 ? dir : dir.slice(at + 2);
    if (host === "" || guest === "") exit(EXIT_USAGE, `aiowasi: --dir takes HOST::GUEST, not '${dir}'\n${USAGE}`);
    preopens[guest] = host;
  }
  return { args, preopens };
}

/** Each preopen must be a folder we can open; node:wasi would only say UVWASI_ENOENT. */
function checkPreopens(preopens: Record<string, string>): void {
  for (const host of Object.values(preopens)) {
    let code: string | undefined;
    try {
      if (!statSync(host).isDirectory()) code = "ENOTDIR";
    } catch (error) {
      code = (error as { code?: string }).code ?? "EIO";
    }
    if (code) exit(EXIT_FAILED, `aiowasi: ${code}: cannot open the preopen '${host}'\n`);
  }
}

const { args, preopens } = parse(process.argv.slice(2));
if (args.length === 0) exit(EXIT_USAGE, USAGE);
if (Object.keys(preopens).length === 0) {
  exit(EXIT_USAGE, `aiowasi: no --dir: files are reached only inside a folder given as --dir HOST::GUEST\n${USAGE}`);
}
checkPreopens(preopens);
const module = new WebAssembly.Module(readFileSync(new URL("../build/aiowasi-cli.wasm", import.meta.url)));
// node:wasi warns (ExperimentalWarning) when it loads: not on our users' stderr.
const wasi = await withoutWasiWarning(async () => {
  const { WASI } = await import("node:wasi");
  try {
    return new WASI({ version: "preview1", args: ["aiowasi", ...args], env: {}, preopens, returnOnExit: true });
  } catch (error) {
    // UVWASI_ENOENT and the like, from a preopen that changed since it was checked.
    const { code, message } = error as { code?: string; message: string };
    const name = /^(?:UVWASI_)?(E[A-Z0-9]+)$/.exec(code ?? "")?.[1] ?? "EIO";
    return exit(EXIT_FAILED, `aiowasi: ${name}: cannot open the preopens: ${message}\n`);
  }
});
// Bun's node:wasi (a polyfill) has no getImportObject, and its start() fails on this module's shared memory.
if (typeof wasi.getImportObject !== "function") {
  exit(EXIT_FAILED, `aiowasi: ENOTSUP: this runtime's node:wasi cannot run the command module; run the bin with node\n`);
}
const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
process.exitCode = wasi.start(instance);
