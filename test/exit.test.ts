// However the process ends short of SIGKILL or a crash, what was accepted is
// written, the process ends as it would have without aiowasi (same exit code,
// same signal), and a failure nobody was told of is named on stderr. Each
// case is a child process (test/exit/child.mjs) on each host; the test counts
// what is on disk.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { line } from "./exit/child.mjs";
import { child, lastJson } from "./exit/run.js";
import { tempDir } from "./helpers.js";
import { HOSTS } from "./hosts/runtimes.js";

/** The numbered lines in a file, checked to be exactly 0..n-1 in order. */
function linesIn(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, "utf8");
  let n = 0;
  while (text.startsWith(line(n), n * line(0).length)) n++;
  expect(text.length, `${path} holds exactly its ${n} lines`).toBe(n * line(0).length);
  return n;
}

/** A 256 KiB tmpfs at `dir` for the child, in a mount namespace of its own; /dev/full where that is refused. */
function smallDisk(dir: string): { prefix: string[]; devFull: boolean } {
  const probe = spawnSync("unshare", ["-m", "sh", "-c", `mount -t tmpfs -o size=256k tmpfs "${dir}"`]);
  if (probe.status === 0) {
    return {
      prefix: ["unshare", "-m", "sh", "-c", `mount -t tmpfs -o size=256k tmpfs "${dir}" && exec "$@"`, "sh"],
      devFull: false,
    };
  }
  console.info("ENOSPC cases use /dev/full: a tmpfs cannot be mounted here (not root, or no mount namespaces)");
  return { prefix: [], devFull: true };
}

describe.each(HOSTS)("the process on %s", (host) => {
  it.each([
    ["exit", 0],
    ["throw", 1],
    ["natural", 0],
  ])("20,000 awaited lines, then %s: every line on disk, the exit code unchanged", async (how, status) => {
    const dir = await tempDir();
    const run = await child(host, ["awaited", dir, how]);
    expect(run.status, run.stderr).toBe(status);
    if (how === "throw") expect(run.stderr).toContain("uncaught on purpose");
    else expect(run.stderr).toBe(""); // no ExperimentalWarning from node:wasi, nothing else
    expect(linesIn(join(dir, "lines.txt"))).toBe(20_000);
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "%s with no listener of the app's: drains a slow disk, then ends by that signal",
    async (signal) => {
      const dir = await tempDir();
      const run = await child(host, ["awaited", dir, "signal", "10000"], signal);
      expect(run.signal, run.stderr).toBe(signal);
      expect(linesIn(join(dir, "lines.txt"))).toBe(10_000);
    },
  );

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s with the app's own listener: the app decides (its exit code), nothing lost",
    async (signal) => {
      const dir = await tempDir();
      const run = await child(host, ["awaited", dir, `own:${signal}`, "10000"], signal);
      expect(run.status, run.stderr).toBe(3);
      expect(run.stderr).toContain("handled");
      expect(linesIn(join(dir, "lines.txt"))).toBe(10_000);
    },
  );

  it.each(["SIGTERM", "SIGHUP"] as const)(
    "%s with the app's own listener that cleans up and re-raises it: ends by that signal, nothing lost",
    async (signal) => {
      const dir = await tempDir();
      const run = await child(host, ["awaited", dir, `reraise:${signal}`, "10000"], signal);
      expect(run.signal, run.stderr).toBe(signal);
      expect(linesIn(join(dir, "lines.txt"))).toBe(10_000);
    },
  );

  // Deno only: its own exit function, which runs no 'exit' handlers.
  if (host === "deno") {
    it("20,000 awaited lines, then Deno.exit(): every line on disk", async () => {
      const dir = await tempDir();
      const run = await child(host, ["awaited", dir, "deno-exit"]);
      expect(run.status, run.stderr).toBe(0);
      expect(linesIn(join(dir, "lines.txt"))).toBe(20_000);
    });
  }

  it("a script that sends itself SIGTERM as its last act ends by it (not with code 0), nothing lost", async () => {
    const dir = await tempDir();
    const run = await child(host, ["awaited", dir, "selfkill", "10000"]); // the sandbox idle: nothing else keeps the loop
    expect(run.signal, `status ${run.status} ${run.stderr}`).toBe("SIGTERM");
    expect(linesIn(join(dir, "lines.txt"))).toBe(10_000);
  });

  it("writes not awaited, waiting for ring space, are written at process.exit()", async () => {
    const dir = await tempDir();
    const run = await child(host, ["queued", dir, "exit"]);
    expect(run.status, run.stderr).toBe(0);
    expect(linesIn(join(dir, "lines.txt"))).toBe(50_000);
  });

  it("writes waiting for ring space are written when SIGTERM ends the process", async () => {
    const dir = await tempDir();
    const run = await child(host, ["queued", dir, "signal"], "SIGTERM");
    expect(run.signal, run.stderr).toBe("SIGTERM");
    expect(linesIn(join(dir, "lines.txt"))).toBe(50_000);
  });

  it("writes queued behind more requests than the answer queue holds are written at process.exit()", async () => {
    const dir = await tempDir();
    const run = await child(host, ["behindRequests", dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "lines.txt"), "utf8")).toBe(Array.from({ length: 2000 }, (_, i) => line(i)).join(""));
  });

  it("writes behind a reopen() still in flight are written at process.exit(), each to its file", async () => {
    const dir = await tempDir();
    const run = await child(host, ["reopen", dir]);
    expect(run.status, run.stderr).toBe(0);
    const before = readFileSync(join(dir, "lines.txt.1"), "utf8");
    const after = readFileSync(join(dir, "lines.txt"), "utf8");
    expect(before).toBe(Array.from({ length: 20_000 }, (_, i) => line(i)).join(""));
    expect(after).toBe(Array.from({ length: 20_000 }, (_, i) => line(20_000 + i)).join(""));
  });

  it.each([
    ["exit", undefined],
    ["signal", "SIGTERM"],
  ] as const)("pino through createWriteStream(), then %s: all 50,000 lines", async (how, signal) => {
    const dir = await tempDir();
    const run = await child(host, ["pino", dir, how], signal);
    if (signal) expect(run.signal, run.stderr).toBe(signal);
    else expect(run.status, run.stderr).toBe(0);
    const records = readFileSync(join(dir, "pino.log"), "utf8").trimEnd().split("\n");
    expect(records.length).toBe(50_000);
    expect(records.every((r, i) => JSON.parse(r).i === i)).toBe(true);
  });

  it("closing the file while a logger's stream has data ends the stream first: no unhandled 'error', nothing lost", async () => {
    const dir = await tempDir();
    const run = await child(host, ["closeStream", dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({ ended: true });
    expect(readFileSync(join(dir, "pino.log"), "utf8").trimEnd().split("\n").length).toBe(20_000);
  });

  it("on a hung disk, gives up after the documented 5 s and says exactly how many accepted bytes did not reach the file", async () => {
    const dir = await tempDir();
    const started = performance.now();
    const run = await child(host, ["bound", dir]);
    const seconds = (performance.now() - started) / 1000;
    expect(run.status, run.stderr).toBe(0);
    const lost = /^aiowasi: exit flush timed out after 5000 ms; (\d+) accepted bytes were not written\n$/.exec(run.stderr);
    expect(lost, run.stderr).not.toBeNull();
    const missing = 100_000 * line(0).length - statSync(join(dir, "lines.txt")).size;
    expect(missing).toBeGreaterThan(0);
    expect(Number(lost![1])).toBe(missing);
    expect(seconds).toBeGreaterThan(5);
    expect(seconds).toBeLessThan(30);
  });

  describe("a full disk nobody was told of", () => {
    it("sb.close() rejects with ENOSPC, naming the file", async () => {
      const dir = await tempDir();
      const disk = smallDisk(dir);
      const run = await child(host, ["enospc", dir, disk.devFull ? "close@devfull" : "close"], undefined, disk.prefix);
      expect(run.status, run.stderr).toBe(0);
      const expected = host === "deno" ? "EIO" : "ENOSPC"; // Deno's node:wasi reports ENOSPC as EIO
      const path = disk.devFull ? "/out/full" : "/out/big.bin";
      expect(lastJson(run)).toEqual({ seen: [], close: expected, errors: [[expected, path]] });
    });

    it("onError hears of it, once; sb.close() then resolves", async () => {
      const dir = await tempDir();
      const disk = smallDisk(dir);
      const run = await child(host, ["enospc", dir, disk.devFull ? "onError@devfull" : "onError"], undefined, disk.prefix);
      expect(run.status, run.stderr).toBe(0);
      const expected = host === "deno" ? "EIO" : "ENOSPC";
      const path = disk.devFull ? "/out/full" : "/out/big.bin";
      expect(lastJson(run)).toEqual({ seen: [[expected, "fd_write", path]], close: "ok", errors: [] });
    });

    it.each(["natural", "exit"])(
      "the %s end of the process names the code and the file on stderr, exit code unchanged",
      async (how) => {
        const dir = await tempDir();
        const disk = smallDisk(dir);
        const run = await child(host, ["enospc", dir, disk.devFull ? `${how}@devfull` : how], undefined, disk.prefix);
        expect(run.status).toBe(0);
        const expected = host === "deno" ? "EIO" : "ENOSPC";
        const path = disk.devFull ? "/out/full" : "/out/big.bin";
        expect(run.stderr).toContain(`aiowasi: ${expected} (fd_write) on '${path}'`);
      },
    );
  });

  it("a full disk the app heard of from a rejected write: nothing said on stderr at the end", async () => {
    const dir = await tempDir();
    const disk = smallDisk(dir);
    for (let i = 0; i < 3; i++) {
      const run = await child(host, ["enospc", dir, disk.devFull ? "told@devfull" : "told"], undefined, disk.prefix);
      expect(run.status, run.stderr).toBe(0);
      expect(lastJson(run)).toEqual({ write: host === "deno" ? "EIO" : "ENOSPC" });
      expect(run.stderr).toBe("");
    }
  });

  it("a path longer than the core takes is ENAMETOOLONG at once; what was accepted before is written, and the sandbox keeps working", async () => {
    const dir = await tempDir();
    const run = await child(host, ["longPath", dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({ codes: Array(4).fill("ENAMETOOLONG"), fast: true });
    expect(readFileSync(join(dir, "after.txt"), "utf8")).toBe("still works");
    expect(readFileSync(join(dir, "before.txt"), "utf8")).toBe(Array.from({ length: 5000 }, (_, i) => line(i)).join(""));
  });

  it("a FIFO is refused (ENOTSUP), or with allowSpecialFiles opened without blocking (ENXIO: no reader); exit returns", async () => {
    const dir = await tempDir();
    const run = await child(host, ["fifo", dir]);
    expect(run.status, run.stderr).toBe(0);
    // Deno's node:wasi ignores O_NONBLOCK, so there a FIFO is never opened (see the README's known differences).
    expect(lastJson(run)).toEqual({
      refused: ["ENOTSUP", "ENOTSUP"],
      noReader: host === "deno" ? "ENOTSUP" : "ENXIO",
      fast: true,
    });
  });

  it.each(["terminate", "exit", "early-terminate", "early-exit"])(
    "inside a worker thread (durability 'written' there by default), %s: every line whose write resolved is on disk",
    async (how) => {
      const dir = await tempDir();
      const run = await child(host, ["inWorker", dir, how]);
      expect(run.status, run.stderr).toBe(0);
      const { resolved } = lastJson(run);
      expect(linesIn(join(dir, "lines.txt"))).toBeGreaterThanOrEqual(resolved);
      if (!how.startsWith("early")) expect(resolved).toBe(100_000);
    },
    120_000,
  );
});

// The other Node versions people run: the ways a process ends, on each.
describe.each(["node22", "node24", "node26"])("the end of the process on %s", (host) => {
  it.each([
    ["exit", 0],
    ["throw", 1],
    ["natural", 0],
  ])("20,000 awaited lines, then %s: every line on disk", async (how, status) => {
    const dir = await tempDir();
    const run = await child(host, ["awaited", dir, how]);
    expect(run.status, run.stderr).toBe(status);
    expect(linesIn(join(dir, "lines.txt"))).toBe(20_000);
  });

  it("SIGTERM with no listener of the app's: drains a slow disk, then ends by that signal", async () => {
    const dir = await tempDir();
    const run = await child(host, ["awaited", dir, "signal", "10000"], "SIGTERM");
    expect(run.signal, run.stderr).toBe("SIGTERM");
    expect(linesIn(join(dir, "lines.txt"))).toBe(10_000);
  });

  it("writes waiting for ring space are written at process.exit()", async () => {
    const dir = await tempDir();
    const run = await child(host, ["queued", dir, "exit"]);
    expect(run.status, run.stderr).toBe(0);
    expect(linesIn(join(dir, "lines.txt"))).toBe(50_000);
  });

  it("pino(await sb.destination(...)), then exit at once: all 50,000 lines", async () => {
    const dir = await tempDir();
    const run = await child(host, ["pinoDestination", dir, "exit"]);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "pino.log"), "utf8").trimEnd().split("\n").length).toBe(50_000);
  });
});
