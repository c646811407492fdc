// The package as a user gets it: `npm pack`, installed into a fresh project,
// used from Node and from Deno (through that project's node_modules). The
// README's code blocks run there too, so the README cannot drift from the code.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = join(ROOT, "node_modules/.bin/deno");
const DENO_RUN = ["run", "--allow-read", "--allow-write", "--allow-env"];
let project = "";
let packed: string[] = [];

let out = "";

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "aiowasi-pack-")); // lives for the whole file

  const [info] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: ROOT, encoding: "utf8" }));
  packed = info.files.map((f: { path: string }) => f.path);
  project = join(out, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(out, info.filename)], {
    cwd: project,
    stdio: "ignore",
  });
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function run(command: string, args: string[], file: string) {
  return spawnSync(command, [...args, file], { cwd: project, encoding: "utf8", timeout: 60_000 });
}

describe("the packed tarball", () => {
  it("holds dist/ (the ESM and CommonJS bundles, their types, the bin), the two .wasm files, README, LICENSE and package.json only", () => {
    const unexpected = packed.filter(
      (path) =>
        !/^dist\/(index\.(js|cjs|d\.ts|d\.cts)|bin\.js)$/.test(path) &&
        !["build/aiowasi.wasm", "build/aiowasi-cli.wasm", "README.md", "LICENSE", "package.json"].includes(path),
    );
    expect(unexpected).toEqual([]);
    expect(packed).toContain("dist/index.d.ts");
    expect(packed).toContain("build/aiowasi.wasm");
  });

  it.each([
    ["Node", process.execPath, []],
    ["Deno", DENO, DENO_RUN],
  ])("works from a fresh project on %s", async (runtime, command, args) => {
    const app = join(project, `app-${runtime}.mjs`);
    await writeFile(
      app,
      `import { mkdir } from "node:fs/promises";
import { Sandbox } from "aiowasi";
await mkdir("./out", { recursive: true });
const sb = await Sandbox.create({ preopens: { "/out": "./out" } });
const f = await sb.open("/out/${runtime}.txt", "w");
await f.write("hello from ${runtime} ✓\\n");
await f.close();
await sb.close();
`,
    );
    const result = run(command, args as string[], app);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(await readFile(join(project, "out", `${runtime}.txt`), "utf8")).toBe(`hello from ${runtime} ✓\n`);
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

/** The ```sh block of the README's Wasmtime section, with `wasmtime run` played by our runner. */
function wasmtimeBlock(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Wasmtime"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  const runner = `${join(ROOT, ".venv/bin/python")} ${join(ROOT, "test/hosts/wasmtime_run.py")}`;
  return block.replaceAll("wasmtime run -W threads=y,shared-memory=y", runner).replaceAll("build/", `${join(ROOT, "build")}/`);
}

describe("the README's code blocks", () => {
  it("the wasmtime lines work as written (wasmtime run played by test/hosts/wasmtime_run.py)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aiowasi-readme-"));
    try {
      const result = spawnSync("bash", ["-euo", "pipefail", "-c", wasmtimeBlock()], {
        cwd: dir,
        encoding: "utf8",
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
    "%s runs on Node (and Deno where it is about Deno)",
    async (_name, i) => {
      const block = blocks[i]!;
      const file = join(project, `readme-${i}.mjs`);
      await writeFile(file, `${block.code}\n`);
      const node = run(process.execPath, [], file);
      expect(node.stderr).toBe("");
      expect(node.status).toBe(0);
      if (block.section === "Deno") {
        const deno = run(DENO, DENO_RUN, file);
        expect(deno.stderr).toBe("");
        expect(deno.status).toBe(0);
      }
    },
  );
});
