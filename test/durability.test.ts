// Durable writes: "written" survives the process dying, "synced" survives
// power loss (here: the fd_datasync happened before the write resolved).
// Concurrent "synced" writers share one fd_datasync (group commit); a failed
// write or sync rejects exactly the writes of its group. On every host, each
// case a child process (test/durability/child.mjs).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RECORD, record } from "./durability/child.mjs";
import { tempDir } from "./helpers.js";
import { HOSTS, runtime } from "./hosts/runtimes.js";

const CHILD = fileURLToPath(new URL("./durability/child.mjs", import.meta.url));

function scenario(host: string, name: string, dir: string) {
  const [program, ...prefix] = runtime(host) as [string, ...string[]];
  const run = spawnSync(program, [...prefix, CHILD, name, dir], { encoding: "utf8", timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** Starts the kill child, SIGKILLs it `afterMs` after it says "ready", and compares disk and side file. */
function killed(host: string, dir: string, level: string, afterMs: number): Promise<{ resolved: number; missing: number }> {
  const [program, ...prefix] = runtime(host) as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const proc = spawn(program, [...prefix, CHILD, "kill", dir, level], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    proc.stdout.on("data", (chunk: Buffer) => {
      if (String(chunk).includes("ready")) setTimeout(() => proc.kill("SIGKILL"), afterMs);
    });
    proc.on("error", reject);
    proc.on("close", (_status, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`the child ended without the kill: ${stderr}`));
      const side = readFileSync(join(dir, "resolved.bin"));
      const log = existsSync(join(dir, "log.bin")) ? readFileSync(join(dir, "log.bin"), "latin1") : "";
      const onDisk = new Set<string>();
      for (let at = 0; at + RECORD <= log.length; at += RECORD) onDisk.add(log.slice(at, at + RECORD));
      let resolved = 0;
      let missing = 0;
      for (let at = 0; at + 4 <= side.length; at += 4) {
        const mark = side.readUInt32LE(at);
        if (mark === 0) continue; // not (yet) resolved
        resolved++;
        if (!onDisk.has(record(mark - 1))) missing++;
      }
      resolve({ resolved, missing });
    });
  });
}

describe.each(HOSTS)("durability on %s", (host) => {
  it.each(["written", "synced"])(
    "SIGKILL at random moments: every %s write that resolved is whole in the file",
    async (level) => {
      for (const afterMs of [30 + Math.random() * 50, 100 + Math.random() * 200, 300 + Math.random() * 300]) {
        const { resolved, missing } = await killed(host, await tempDir(), level, afterMs);
        expect(resolved, `killed ${Math.round(afterMs)} ms in`).toBeGreaterThan(50);
        expect(missing, `killed ${Math.round(afterMs)} ms in, ${resolved} resolved`).toBe(0);
      }
    },
  );

  it('the same test finds losses with "accepted" on a slow disk (so it can fail)', async () => {
    const { resolved, missing } = await killed(host, await tempDir(), "accepted", 200);
    expect(resolved).toBeGreaterThan(50);
    expect(missing).toBeGreaterThan(0);
  });

  it('64 concurrent "synced" writers share fd_datasync calls (group commit)', async () => {
    const { groupSyncs, syncedWrites } = scenario(host, "groups", await tempDir());
    expect(syncedWrites).toBe(64 * 20);
    expect(groupSyncs).toBeGreaterThan(0);
    expect(syncedWrites / groupSyncs).toBeGreaterThanOrEqual(8);
  });

  it('levels mixed on one file keep order: "accepted" writes before a "synced" one are on disk when it resolves', async () => {
    const dir = await tempDir();
    expect(scenario(host, "mixed", dir)).toEqual({ records: 1001, inOrder: true, written: "x" });
  });

  it("a failing fd_datasync rejects exactly its group; the file has failed after it", async () => {
    const ok = Array(8).fill("ok");
    const eio = Array(8).fill("EIO");
    expect(scenario(host, "syncFails", await tempDir())).toEqual({
      first: ok,
      second: eio,
      third: eio,
      close: "EIO",
      groupSyncs: 1,
    });
  });

  it("a write of many chunks whose second chunk fails rejects with the code, written or synced (not resolved on its first chunk, not left pending)", async () => {
    const failed = { write: "EIO", close: "EIO" };
    expect(scenario(host, "largeWriteFails", await tempDir())).toEqual({ written: failed, synced: failed });
  });

  it('"synced" on a file that cannot be synced (a FIFO) is EINVAL, as fsync(2) says (Deno does not open FIFOs: ENOTSUP)', async () => {
    const expected = host === "deno" ? { open: "ENOTSUP" } : { open: "ok", write: "EINVAL", close: "EINVAL" };
    expect(scenario(host, "syncUnsupported", await tempDir())).toEqual(expected);
  });

  it('a failing fd_write rejects the "written" writes of its group with the code', async () => {
    expect(scenario(host, "writeFails", await tempDir())).toEqual({ first: Array(4).fill("ok"), second: Array(4).fill("EIO") });
  });
});
