// The command module, build/aiowasi-cli.wasm, run the way `wasmtime run`
// runs it (test/hosts/wasmtime_run.py on the wasmtime engine): stdin → file
// through the same core, `aiowasi: CODE: message` and a non-zero exit on failure.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const PYTHON = here("../.venv/bin/python");
const RUNNER = here("./hosts/wasmtime_run.py");
const CLI = here("../build/aiowasi-cli.wasm");

/** `wasmtime run --dir DIR::/out aiowasi-cli.wasm ARGS < input` */
function cli(dir: string, args: string[], input: Buffer | string = "") {
  const run = spawnSync(PYTHON, [RUNNER, "--dir", `${dir}::/out`, CLI, ...args], { input, timeout: 120_000, maxBuffer: 1 << 20 });
  if (run.error) throw run.error;
  return { status: run.status, stderr: run.stderr.toString("utf8") };
}

/** The CODE of `aiowasi: CODE: message`. */
const codeIn = (stderr: string) => /^aiowasi: (E[A-Z0-9]+): /.exec(stderr)?.[1];

describe("aiowasi-cli.wasm on wasmtime", () => {
  it("copies stdin to the file byte for byte, in chunks of --chunk-size", async () => {
    const dir = await tempDir();
    const input = Buffer.concat([randomBytes(3 << 20), Buffer.from("héllo ✓ 日本\n")]);
    const run = cli(dir, ["write", "--chunk-size", "1000", "/out/copy.bin"], input);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, "copy.bin")).equals(input)).toBe(true);
  });

  it("writes an empty file for empty input, and --sync succeeds", async () => {
    const dir = await tempDir();
    expect(cli(dir, ["write", "--sync", "/out/empty"], "").status).toBe(0);
    expect(readFileSync(join(dir, "empty")).length).toBe(0);
  });

  it("--append keeps what was there; the default truncates", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "log"), "old\n");
    expect(cli(dir, ["write", "--append", "/out/log"], "new\n").status).toBe(0);
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("old\nnew\n");
    expect(cli(dir, ["write", "/out/log"], "only\n").status).toBe(0);
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("only\n");
  });

  it("--exclusive refuses an existing file with EEXIST and leaves it alone", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "keep"), "keep");
    const run = cli(dir, ["write", "--exclusive", "/out/keep"], "lost");
    expect(run.status).toBe(1);
    expect(codeIn(run.stderr)).toBe("EEXIST");
    expect(readFileSync(join(dir, "keep"), "utf8")).toBe("keep");
  });

  it("refuses paths out of the preopen with ENOTCAPABLE and creates nothing", async () => {
    const parent = await tempDir();
    const dir = join(parent, "pre");
    await mkdir(dir);
    for (const path of ["/out/../escape", "/escape", "escape"]) {
      const run = cli(dir, ["write", path], "x");
      expect(run.status, path).toBe(1);
      expect(codeIn(run.stderr), path).toBe("ENOTCAPABLE");
    }
    expect(await readdir(parent)).toEqual(["pre"]);
    expect(existsSync(join(dir, "escape"))).toBe(false);
  });

  it("reports a missing parent as ENOENT and a folder as EISDIR", async () => {
    const dir = await tempDir();
    expect(codeIn(cli(dir, ["write", "/out/no/such"], "x").stderr)).toBe("ENOENT");
    expect(codeIn(cli(dir, ["write", "/out"], "x").stderr)).toBe("EISDIR");
  });

  it.each([
    ["no command", []],
    ["an unknown command", ["read", "/out/x"]],
    ["an unknown option", ["write", "--fast", "/out/x"]],
    ["a chunk size of 0", ["write", "--chunk-size", "0", "/out/x"]],
    ["a chunk size that is not a number", ["write", "--chunk-size", "4k", "/out/x"]],
    ["a missing chunk size", ["write", "--chunk-size"]],
    ["no path", ["write"]],
    ["two paths", ["write", "/out/a", "/out/b"]],
  ])("prints the usage and exits 2 for %s", async (_what, args) => {
    const dir = await tempDir();
    const run = cli(dir, args as string[]);
    expect(run.status).toBe(2); // the usage exit code; the text itself is not asserted
    expect(codeIn(run.stderr)).toBeUndefined(); // not reported as an operation failure
    expect(run.stderr.length).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual([]);
  });
});
