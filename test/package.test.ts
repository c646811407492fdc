// The package as a user gets it: `npm pack`, installed once into a fresh
// project (with @types/node for the TypeScript consumers), and used from there:
// ESM and require() on every Node and on Deno and Bun, TypeScript consumers
// without the DOM lib, apps bundled with esbuild and Vite SSR run from a copy
// of their output folder alone, and the `aiowasi` bin. The fixtures are in
// test/package/. The README's code blocks run there too, so the README cannot
// drift from the code. A runtime that is missing fails its test (runtime()).
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST } from "./helpers.js";
import { NODE_VERSIONS, runtime } from "./hosts/runtimes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = join(ROOT, "test/package");
const DENO = join(ROOT, "node_modules/.bin/deno");
const BUN = join(ROOT, "node_modules/.bin/bun");
const DENO_RUN = ["run", "--allow-read", "--allow-write", "--allow-env"];
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const ESBUILD = join(ROOT, "node_modules/.bin/esbuild");
const VITE = join(ROOT, "node_modules/.bin/vite");
const TYPES_NODE = JSON.parse(readFileSync(join(ROOT, "node_modules/@types/node/package.json"), "utf8")).version;
const PINO = JSON.parse(readFileSync(join(ROOT, "node_modules/pino/package.json"), "utf8")).version;

let out = ""; // everything of this file lives here
let project = ""; // the consumer project, with the tarball installed
let packed: string[] = [];

/** Runs a command to its end without blocking the loop (so tests can run side by side). */
function exec(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? project, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm ${args.join(" ")} failed: ${result.error?.message ?? result.stderr}`);
  return result;
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "aiowasi-pack-"));
  const [info] = JSON.parse(npm(["pack", "--json", "--pack-destination", out], ROOT).stdout);
  packed = info.files.map((f: { path: string }) => f.path);
  project = join(out, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // From the npm cache when it has them (the root's npm ci put @types/node there), else the registry.
  npm(["install", "--prefer-offline", join(out, info.filename), `@types/node@${TYPES_NODE}`, `pino@${PINO}`], project);
  await cp(FIXTURES, project, { recursive: true });
  await cp(join(project, "consumer.ts"), join(project, "consumer.cts"));
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function run(command: string, args: string[], file: string) {
  return spawnSync(command, [...args, file], { cwd: project, encoding: "utf8", timeout: 60_000 });
}

/** Runs `prefix app DIR NAME` and checks it wrote DIR/NAME.txt, saying nothing. */
async function runApp(prefix: string[], app: string, name: string, cwd = project) {
  const dir = join(out, "written");
  const result = await exec(prefix[0]!, [...prefix.slice(1), app, dir, name], { cwd });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(await readFile(join(dir, `${name}.txt`), "utf8")).toBe(`hello from ${name} ✓\n`);
}

describe("the pino transport target", () => {
  it('pino.transport({ target: "aiowasi/pino" }) resolves from the installed package and keeps every line at exit', async () => {
    const app = join(project, "pino-app.mjs");
    const log = join(out, "pino-logs", "app.log");
    await writeFile(
      app,
      `import pino from "pino";
const transport = pino.transport({ target: "aiowasi/pino", options: { destination: ${JSON.stringify(log)}, mkdir: true } });
const logger = pino({ base: undefined, timestamp: false }, transport);
for (let i = 0; i < 20000; i++) logger.info({ i }, "line");
process.exit(0);
`,
    );
    const result = await exec(process.execPath, [app]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect((await readFile(log, "utf8")).trimEnd().split("\n").length).toBe(20_000);
  });
});

describe("the packed tarball", () => {
  it("holds dist/ (the ESM and CommonJS bundles of the library and its pino target, their types, the bin), the two .wasm files, README, LICENSE and package.json only", () => {
    const unexpected = packed.filter(
      (path) =>
        !/^dist\/(index|pino)\.(js|cjs|d\.ts|d\.cts)$/.test(path) &&
        path !== "dist/bin.js" &&
        path !== "dist/unsupported.js" && // what browsers and edge runtimes resolve
        path !== "pino/package.json" && // "aiowasi/pino" for resolvers that ignore "exports" (TypeScript's node10)
        !["build/aiowasi.wasm", "build/aiowasi-cli.wasm", "README.md", "LICENSE", "package.json"].includes(path),
    );
    expect(unexpected).toEqual([]);
    expect(packed).toContain("dist/index.d.ts");
    expect(packed).toContain("build/aiowasi.wasm");
  });

  it("exports the two .wasm files", async () => {
    const resolved = await exec(process.execPath, [
      "-p",
      'JSON.stringify(["aiowasi/aiowasi.wasm", "aiowasi/aiowasi-cli.wasm"].map((name) => require.resolve(name)))',
    ]);
    expect(resolved.stderr).toBe("");
    const [core, cli] = JSON.parse(resolved.stdout) as string[];
    expect(readFileSync(core!).equals(readFileSync(join(ROOT, "build/aiowasi.wasm")))).toBe(true);
    expect(readFileSync(cli!).equals(readFileSync(join(ROOT, "build/aiowasi-cli.wasm")))).toBe(true);
  });

  it("declares the public API only: no internals, no DOM names", async () => {
    for (const types of ["index.d.ts", "index.d.cts"]) {
      const text = await readFile(join(project, "node_modules/aiowasi/dist", types), "utf8");
      expect(text).toContain("declare class Sandbox");
      for (const name of [
        "kFaults",
        "kTerminateWorker",
        "FaultPlan",
        "Channel",
        "FileOwner",
        "kShut",
        "kTold",
        "kAccept",
        "kStream",
      ])
        expect(text, `${types} names ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
      expect(text).not.toContain("WebAssembly");
      expect(text).not.toMatch(/constructor\(owner/);
    }
  });
});

describe.concurrent("from a fresh project", () => {
  it.each([...NODE_VERSIONS, "deno", "bun"])("import works, and writes, on %s", async (name) => {
    await runApp(runtime(name), "app.mjs", `esm-${name}`);
  });

  it.each([...NODE_VERSIONS, "bun", "deno"])('require("aiowasi") works, and writes, on %s', async (name) => {
    await runApp(runtime(name), "app.cjs", `cjs-${name}`);
  });

  // Each without the DOM lib (lib ES2022, types node) and with skipLibCheck false.
  it.each([
    ["ESM, module NodeNext", "tsconfig.esm.json"],
    ["CommonJS, a .cts file under module node16", "tsconfig.cts.json"],
    ["CommonJS, module commonjs (node10 resolution)", "tsconfig.commonjs.json"],
  ])("the types compile for a TypeScript consumer: %s", async (_name, tsconfig) => {
    const result = await exec(process.execPath, [TSC, "-p", tsconfig]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("bundled into an app, it runs from a copy of the output folder alone", () => {
  /** Copies the output folder where no node_modules can be found, and runs the app there. */
  async function runCopy(folder: string, name: string) {
    const copy = join(out, "copies", name);
    await cp(join(project, folder), copy, { recursive: true });
    expect(await readdir(copy)).toEqual(["app.mjs"]);
    await runApp([process.execPath], "app.mjs", name, copy);
  }

  it("esbuild --bundle --platform=node --format=esm", async () => {
    const args = [
      "app.mjs",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--outfile=esbuild-out/app.mjs",
      "--log-level=warning",
    ];
    const result = await exec(ESBUILD, args);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    await runCopy("esbuild-out", "esbuild");
  });

  it("bundled for a browser (esbuild --platform=browser), every name is there and says ERR_UNSUPPORTED_RUNTIME", async () => {
    const app = join(project, "browser-app.mjs");
    await writeFile(
      app,
      `import * as aiowasi from "aiowasi";
const outcome = (f) => f().then(() => "resolved", (e) => e.code);
console.log(JSON.stringify({
  names: Object.keys(aiowasi).sort(),
  create: await outcome(() => aiowasi.Sandbox.create()),
  writeFile: await outcome(() => aiowasi.writeFile("x", "y")),
  construct: await outcome(async () => new aiowasi.AsyncFile()),
  errno: aiowasi.errnoOfCode("ENOENT"),
}));`,
    );
    const args = [app, "--bundle", "--platform=browser", "--format=esm", "--outfile=browser-out/app.mjs", "--log-level=warning"];
    const result = await exec(ESBUILD, args);
    expect(result.stderr).toBe("");
    const bundle = await readFile(join(project, "browser-out/app.mjs"), "utf8");
    expect(bundle).not.toMatch(/from\s*"node:|import\("node:|require\(/); // nothing a browser cannot load
    const run = await exec(process.execPath, [join(project, "browser-out/app.mjs")]);
    expect(run.stderr).toBe("");
    const library = (await import(DIST)) as Record<string, unknown>;
    expect(JSON.parse(run.stdout)).toEqual({
      names: Object.keys(library).sort(),
      create: "ERR_UNSUPPORTED_RUNTIME",
      writeFile: "ERR_UNSUPPORTED_RUNTIME",
      construct: "ERR_UNSUPPORTED_RUNTIME",
      errno: 44,
    });
  });

  it("Vite SSR build with ssr.noExternal (test/package/vite.config.mjs)", async () => {
    const result = await exec(VITE, ["build"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    await runCopy("vite-out", "vite");
  });
});

describe.concurrent("npx aiowasi (the command module on node:wasi)", () => {
  const aiowasi = (args: string[], input = "", prefix = ["npx", "--no", "aiowasi"]) =>
    exec(prefix[0]!, [...prefix.slice(1), ...args], { input });

  it("writes stdin to the file, --append adds to it; the preopen comes from --dir HOST::GUEST", async () => {
    const dir = await mkdtemp(join(out, "cli-"));
    const first = await aiowasi(["write", "/data/log.txt", "--dir", `${dir}::/data`], "first ✓\n");
    expect(first.stderr).toBe(""); // no ExperimentalWarning either
    expect(first.status).toBe(0);
    const second = await aiowasi(["write", "--append", "--sync", `--dir=${dir}::/data`, "/data/log.txt"], "second\n");
    expect(second.stderr).toBe("");
    expect(second.status).toBe(0);
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe("first ✓\nsecond\n");
  });

  it("fails with 1 and `aiowasi: CODE: message`: a path out of the preopen, an existing file with --exclusive", async () => {
    const dir = await mkdtemp(join(out, "cli-"));
    await writeFile(join(dir, "keep"), "keep");
    const outside = await aiowasi(["write", "/data/../x", "--dir", `${dir}::/data`], "x");
    expect(outside.status).toBe(1);
    expect(outside.stderr).toMatch(/^aiowasi: ENOTCAPABLE: /);
    const exclusive = await aiowasi(["write", "--exclusive", "/data/keep", "--dir", `${dir}::/data`], "lost");
    expect(exclusive.status).toBe(1);
    expect(exclusive.stderr).toMatch(/^aiowasi: EEXIST: /);
    expect(await readFile(join(dir, "keep"), "utf8")).toBe("keep");
    const missing = await aiowasi(["write", "/data/x", "--dir", `${join(dir, "no-such")}::/data`], "x");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^aiowasi: ENOENT: /);
  });

  it("exits 2 with the usage on bad usage", async () => {
    const tmp = tmpdir();
    for (const args of [
      [],
      ["copy", "/x", "--dir", tmp],
      ["write", "--dir", tmp],
      ["write", "--chunk-size", "0", "/x", "--dir", tmp],
      ["write", "/x", "--dir"],
      ["write", "/x"],
    ]) {
      const result = await aiowasi(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(/usage: aiowasi/);
    }
  });

  it.each([...NODE_VERSIONS, "deno"])("runs on %s", async (name) => {
    const dir = await mkdtemp(join(out, "cli-"));
    const bin = join(project, "node_modules/.bin/aiowasi");
    const result = await aiowasi(["write", "/data/x", "--dir", `${dir}::/data`], name, [...runtime(name), bin]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(await readFile(join(dir, "x"), "utf8")).toBe(name);
  });
});

/** The ```js blocks of the README, with the section each is in. */
function readmeBlocks(): { section: string; code: string }[] {
  const blocks: { section: string; code: string }[] = [];
  let section = "";
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith("## ")) section = lines[i]!.slice(3);
    if (lines[i] === "```js") {
      const end = lines.indexOf("```", i + 1);
      blocks.push({ section, code: lines.slice(i + 1, end).join("\n") });
      i = end;
    }
  }
  return blocks;
}

/** The README's ```sh block of `wasmtime run` lines, with `wasmtime run` played by our runner. */
function wasmtimeBlock(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes("wasmtime run -W"))!;
  const runner = `${join(ROOT, ".venv/bin/python")} ${join(ROOT, "test/hosts/wasmtime_run.py")}`;
  return block.replaceAll("wasmtime run -W threads=y,shared-memory=y", runner).replaceAll("build/", `${join(ROOT, "build")}/`);
}

describe("the README's code blocks", () => {
  it("the wasmtime lines work as written (wasmtime run played by test/hosts/wasmtime_run.py)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aiowasi-readme-"));
    try {
      // stdin not a socket (Node's "pipe" is one): bash would take itself for a
      // remote shell and read the system bashrc, whose PS1 line fails under -u.
      const result = spawnSync("bash", ["-euo", "pipefail", "-c", wasmtimeBlock()], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(await readFile(join(dir, "out/data.txt"), "utf8")).toBe("first line\nsecond line\n".repeat(2));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const blocks = readmeBlocks();
  it("has code blocks to run", () => expect(blocks.length).toBeGreaterThanOrEqual(3));
  it.each(blocks.map((b, i) => [`${b.section} #${i + 1}`, i] as const))(
    "%s runs on Node and Bun (and Deno where it is about Deno)",
    async (_name, i) => {
      const block = blocks[i]!;
      const file = join(project, `readme-${i}.mjs`);
      await writeFile(file, `${block.code}\n`);
      const node = run(process.execPath, [], file);
      expect(node.stderr).toBe("");
      expect(node.status).toBe(0);
      const bun = run(BUN, [], file);
      expect(bun.stderr).toBe("");
      expect(bun.status).toBe(0);
      if (block.section === "Deno") {
        const deno = run(DENO, DENO_RUN, file);
        expect(deno.stderr).toBe("");
        expect(deno.status).toBe(0);
      }
    },
  );
});
