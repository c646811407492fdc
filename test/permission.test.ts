// Node's permission model (--permission; --experimental-permission on Node 20)
// on every tested Node: node:wasi needs --allow-wasi and the worker
// --allow-worker (each refused with ERR_ACCESS_DENIED at create otherwise);
// node:wasi ignores --allow-fs-write, so the preopens are the boundary; the
// race-free walk needs read and write on /proc/self/fd, and without them the
// sandbox still works on the path-text walk (sb.anchored false), as the
// README's threat model says.
import { spawnSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { NODE_VERSIONS, runtime } from "./hosts/runtimes.js";

const DIST_DIR = fileURLToPath(new URL("../dist", import.meta.url));

const APP = `
const { Sandbox } = await import(process.argv[1] + "/index.js");
const dir = process.argv[2];
const result = await (async () => {
  const sb = await Sandbox.create({ preopens: { "/out": dir } });
  await sb.writeFile("/out/note.txt", "kept\\n");
  const read = await sb.readFile("/out/note.txt", "utf8");
  const escape = await sb.open("/out/../escape.txt", "w").then(() => "opened", (e) => e.code);
  await sb.close();
  return { anchored: sb.anchored, read, escape };
})().catch((error) => ({ code: error.code }));
console.log(JSON.stringify(result));
`;

function run(host: string, flags: string[], dir: string) {
  const [node] = runtime(host) as [string];
  const permission = host === "node" && process.versions.node.startsWith("20.") ? "--experimental-permission" : "--permission";
  const args = [permission, `--allow-fs-read=${DIST_DIR}`, `--allow-fs-read=${dir}`, ...flags];
  const child = spawnSync(node, [...args, "--input-type=module", "-e", APP, DIST_DIR, join(dir, "pre")], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

const PROC = ["--allow-fs-read=/proc/self/fd", "--allow-fs-write=/proc/self/fd"];

describe.each(NODE_VERSIONS)("under Node's permission model on %s", (host) => {
  it("with --allow-wasi, --allow-worker and /proc/self/fd: the anchored walk; escapes refused; no --allow-fs-write for the preopen needed", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "pre"));
    expect(run(host, ["--allow-wasi", "--allow-worker", ...PROC], dir)).toEqual({
      anchored: true,
      read: "kept\n",
      escape: "ENOTCAPABLE",
    });
    expect(await readFile(join(dir, "pre/note.txt"), "utf8")).toBe("kept\n");
  });

  it("without /proc/self/fd: the path-text walk (anchored false), the same answers", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "pre"));
    expect(run(host, ["--allow-wasi", "--allow-worker"], dir)).toEqual({
      anchored: false,
      read: "kept\n",
      escape: "ENOTCAPABLE",
    });
  });

  it.each([
    ["--allow-wasi", ["--allow-worker", ...PROC]],
    ["--allow-worker", ["--allow-wasi", ...PROC]],
  ])("without %s: ERR_ACCESS_DENIED at create", async (_missing, flags) => {
    const dir = await tempDir();
    await mkdir(join(dir, "pre"));
    expect(run(host, flags, dir)).toEqual({ code: "ERR_ACCESS_DENIED" });
  });
});
