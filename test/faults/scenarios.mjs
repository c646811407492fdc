// Reliability scenarios, written once and run on Node (test/faults.test.ts,
// in-process or in a child with lowered limits) and on Deno and Bun (the same
// file as a script). Each takes a fresh folder and returns plain JSON; EXPECTED says
// what it must return on every host.
//
//   deno run --allow-all scenarios.mjs DIR [NAME...]   prints { NAME: result }
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Sandbox } from "../../dist/index.js";
import { codeOf } from "../outcome.mjs";
import { faults, kFaults, kTerminateWorker } from "./inject.mjs";

const text = (dir, name) => readFileSync(join(dir, name), "utf8");

export const SCENARIOS = {
  /**
   * A full disk: ENOSPC by flush at the latest; the file has failed, so later
   * writes and close answer it too; other files intact; the sandbox still works.
   * (/dev/full is a device: the sandbox opts in to special files.)
   */
  async enospc(dir) {
    const sb = await Sandbox.create({ preopens: { "/dev": "/dev", "/out": dir }, allowSpecialFiles: true });
    const good = await sb.open("/out/good.txt", "w");
    await good.write("kept\n");
    const full = await sb.open("/dev/full", "w");
    const accepted = await full.write("x".repeat(100_000));
    const flush = await codeOf(full.flush());
    const later = await codeOf(full.write("y"));
    const close = await codeOf(full.close());
    await good.write("more\n");
    await good.close();
    await sb.writeFile("/out/after.txt", "still usable");
    await sb.close();
    return { accepted, flush, later, close, good: text(dir, "good.txt"), after: text(dir, "after.txt") };
  },

  /** A file size limit (run under `ulimit -f 64`, SIGXFSZ ignored): EFBIG; smaller files intact. */
  async efbig(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const small = await sb.open("/out/small.txt", "w");
    await small.write("small\n");
    const big = await sb.open("/out/big.bin", "w");
    await big.write(new Uint8Array(200 * 1024));
    const flush = await codeOf(big.flush());
    const close = await codeOf(big.close());
    await small.close();
    await sb.close();
    return { flush, close, small: text(dir, "small.txt") };
  },

  /** A directory nobody may create files in (sysfs refuses even root), and a folder opened as a file. */
  async readOnlyAndFolder(dir) {
    const sb = await Sandbox.create({ preopens: { "/ro": "/sys/kernel", "/out": dir } });
    const readOnly = await codeOf(sb.open("/ro/aiowasi-test", "w"));
    const folder = await codeOf(sb.open("/out", "w"));
    await sb.writeFile("/out/after.txt", "usable");
    await sb.close();
    return { readOnly, folder, after: text(dir, "after.txt") };
  },

  /** Short writes, zero-byte writes, EAGAIN and EINTR from the host: retried, every byte lands once. */
  async flakyHost(dir) {
    const plan = { fdWrite: ["EAGAIN", "ok", "short", "EINTR", "zero", "short", "ok"], repeat: true };
    const sb = await Sandbox.create({ preopens: { "/out": dir }, chunkSize: 4096, [kFaults]: faults(plan) });
    const f = await sb.open("/out/flaky.txt", "w");
    const lines = [];
    for (let i = 0; i < 3000; i++) {
      const line = `line ${i} ${"é".repeat(i % 50)}\n`;
      lines.push(line);
      await f.write(line);
      if (i % 500 === 0) await f.flush();
    }
    await f.close();
    const { retries } = sb.stats();
    await sb.close();
    return { intact: text(dir, "flaky.txt") === lines.join(""), retried: retries > 0 };
  },

  /** A host that answers EAGAIN forever: a bounded number of retries, then EAGAIN; no hang, no spin. */
  async eagainForever(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, [kFaults]: faults({ fdWrite: ["EAGAIN"], repeat: true }) });
    const f = await sb.open("/out/never.txt", "w");
    await f.write("x");
    const started = performance.now();
    const flush = await codeOf(f.flush());
    const ms = performance.now() - started;
    const { retries } = sb.stats();
    await sb.close();
    // ~1 ms between tries, on every host: 200 of them take 0.2 s, not a spin (Bun's WASI once skipped the pause).
    return { flush, boundedRetries: retries > 0 && retries <= 250, withinTwoSeconds: ms < 2000, paused: ms >= 150 };
  },

  /** A trap in the core: pending and later calls reject with ERR_WORKER_EXITED, fast; others keep working. */
  async trap(dir) {
    const other = await Sandbox.create({ preopens: { "/out": dir } });
    const sb = await Sandbox.create({ preopens: { "/out": dir }, [kFaults]: faults({ fdWrite: ["trap"] }) });
    const f = await sb.open("/out/trap.txt", "w");
    await f.write("x");
    const started = performance.now();
    const flush = await codeOf(f.flush());
    const ms = performance.now() - started;
    const later = await codeOf(sb.open("/out/later.txt", "w"));
    const write = await codeOf(f.write("y"));
    await other.writeFile("/out/other.txt", "fine");
    await other.close();
    await sb.close().catch(() => undefined);
    return { flush, later, write, fast: ms < 100, other: text(dir, "other.txt") };
  },

  /** Memory exhausted in the worker (Node: a small worker heap): ERR_WORKER_EXITED, nothing hangs. */
  async outOfMemory(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, [kFaults]: faults({ fdWrite: ["oom"] }) });
    const f = await sb.open("/out/oom.txt", "w");
    await f.write("x");
    const flush = await codeOf(f.flush());
    const later = await codeOf(f.write("y"));
    return { flush, later };
  },

  /** Terminated from outside while 64 MiB wait for the ring: all of them reject, promptly. */
  async terminated(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024 });
    const f = await sb.open("/out/t.bin", "w");
    const pending = Array.from({ length: 1024 }, () => codeOf(f.write(new Uint8Array(64 * 1024))));
    await sb[kTerminateWorker]();
    // From the worker's exit (the runtime's terminate() alone took 70-220 ms on a loaded machine): everything pending rejects at once.
    const started = performance.now();
    const codes = new Set(await Promise.all(pending));
    const ms = performance.now() - started;
    return { codes: [...codes].filter((c) => c !== "ok"), fast: ms < 100, later: await codeOf(sb.open("/out/x", "w")) };
  },

  /** Several sandboxes (workers) appending lines to one file with "a": none torn, lost or doubled. */
  async appenders(dir) {
    const writers = 4;
    const perWriter = 3000;
    // Small rings and writes that are not awaited keep the rings full, where
    // a write could be split at the ring's end; lines up to ~3 KB, strings and
    // bytes, all below WHOLE_BELOW (4 KiB), so none may tear.
    const sandboxes = await Promise.all(
      Array.from({ length: writers }, () => Sandbox.create({ preopens: { "/out": dir }, bufferSize: 64 * 1024 })),
    );
    await Promise.all(
      sandboxes.map(async (sb, n) => {
        const f = await sb.open("/out/shared.log", "a");
        const pending = [];
        for (let i = 0; i < perWriter; i++) {
          const line = `w${n} ${i} ${"ab".repeat((i * 977 + n * 131) % 1500)} end\n`;
          pending.push(f.write(i % 2 ? line : new TextEncoder().encode(line)));
        }
        await Promise.all(pending);
        await f.close();
        await sb.close();
      }),
    );
    const lines = text(dir, "shared.log").split("\n");
    lines.pop();
    const seen = new Set(lines);
    const wellFormed = lines.every((l) => /^w\d \d+ (ab)* end$/.test(l));
    return { lines: lines.length, distinct: seen.size, wellFormed, expected: writers * perWriter };
  },

  /** Thousands of files open at once in one sandbox. */
  async manyFiles(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const files = await Promise.all(Array.from({ length: 3000 }, (_, i) => sb.open(`/out/f${i}.txt`, "w")));
    await Promise.all(files.map((f, i) => f.write(`file ${i}\n`)));
    await Promise.all(files.map((f) => f.close()));
    await sb.close();
    const names = readdirSync(dir);
    return { files: names.length, right: names.every((n) => text(dir, n) === `file ${n.slice(1, -4)}\n`) };
  },

  /** More files than the process may open (run under `ulimit -n 256`): EMFILE, and the sandbox recovers. */
  async tooManyFiles(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const open = [];
    let code = "ok";
    for (let i = 0; i < 1000 && code === "ok"; i++) {
      code = await sb.open(`/out/f${i}`, "w").then(
        (f) => {
          open.push(f);
          return "ok";
        },
        (e) => e.code,
      );
    }
    await Promise.all(open.splice(0, 20).map((f) => f.close()));
    const after = await codeOf(sb.writeFile("/out/after.txt", "recovered"));
    await sb.close();
    return { code: code === "ENFILE" ? "EMFILE" : code, opened: open.length + 20 > 100, after };
  },

  /** Bad input: a clear code each, and nothing accepted before is lost. */
  async badInput(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const f = await sb.open("/out/kept.txt", "w");
    await f.write("kept\n");
    const detachedBuffer = new ArrayBuffer(8);
    const detachedView = new Uint8Array(detachedBuffer);
    structuredClone(detachedBuffer, { transfer: [detachedBuffer] });
    const shared = new Uint8Array(new SharedArrayBuffer(6));
    shared.set(new TextEncoder().encode("share\n"));
    const result = {
      number: await codeOf(f.write(42)),
      object: await codeOf(f.write({ length: 1 })),
      detached: await codeOf(f.write(detachedView)),
      shared: await codeOf(f.write(shared)), // copied at once, so it is as safe as any buffer
      badFlag: await codeOf(sb.open("/out/x", "rw")),
      badPath: await codeOf(sb.open(42, "w")),
    };
    const closing = f.close();
    result.writeWhileClosing = await codeOf(f.write("late"));
    await closing;
    result.closedFile = await codeOf(f.flush());
    await sb.close();
    result.closedSandbox = await codeOf(sb.open("/out/y", "w"));
    result.kept = text(dir, "kept.txt");
    return result;
  },
};

export const EXPECTED = {
  enospc: { accepted: 100_000, flush: "ENOSPC", later: "ENOSPC", close: "ENOSPC", good: "kept\nmore\n", after: "still usable" },
  efbig: { flush: "EFBIG", close: "EFBIG", small: "small\n" },
  readOnlyAndFolder: { readOnly: "EACCES", folder: "EISDIR", after: "usable" },
  flakyHost: { intact: true, retried: true },
  eagainForever: { flush: "EAGAIN", boundedRetries: true, withinTwoSeconds: true, paused: true },
  trap: { flush: "ERR_WORKER_EXITED", later: "ERR_WORKER_EXITED", write: "ERR_WORKER_EXITED", fast: true, other: "fine" },
  outOfMemory: { flush: "ERR_WORKER_EXITED", later: "ERR_WORKER_EXITED" },
  terminated: { codes: ["ERR_WORKER_EXITED"], fast: true, later: "ERR_WORKER_EXITED" },
  appenders: { lines: 12_000, distinct: 12_000, wellFormed: true, expected: 12_000 },
  manyFiles: { files: 3000, right: true },
  tooManyFiles: { code: "EMFILE", opened: true, after: "ok" },
  badInput: {
    number: "ERR_INVALID_ARG_TYPE",
    object: "ERR_INVALID_ARG_TYPE",
    detached: "ERR_INVALID_ARG_VALUE",
    shared: "ok",
    badFlag: "ERR_INVALID_ARG_VALUE",
    badPath: "ERR_INVALID_ARG_TYPE",
    writeWhileClosing: "EBADF",
    closedFile: "EBADF",
    closedSandbox: "EBADF",
    kept: "kept\nshare\n",
  },
};

/**
 * Where Deno's node:wasi cannot give the code: it reports several OS errors
 * as EIO (its error mapping has no ENOSPC, EFBIG or EMFILE), so the core never sees
 * the real one. The failure still surfaces at flush/close and nothing else is
 * lost; only the code differs.
 */
export const DENO_DIFFERENCES = {
  enospc: {
    expect: { ...EXPECTED.enospc, flush: "EIO", later: "EIO", close: "EIO" },
    why: "Deno's node:wasi reports ENOSPC as EIO",
  },
  efbig: { expect: { ...EXPECTED.efbig, flush: "EIO", close: "EIO" }, why: "Deno's node:wasi reports EFBIG as EIO" },
  tooManyFiles: { expect: { ...EXPECTED.tooManyFiles, code: "EIO" }, why: "Deno's node:wasi reports EMFILE as EIO" },
};

/**
 * Scenarios that need a child process with lowered limits: the shell prefix
 * for each. SIGXFSZ is ignored so that a write past the limit fails with
 * EFBIG instead of killing the process (Node ignores it already, Deno not).
 */
export const LIMITS = { efbig: "trap '' XFSZ && ulimit -f 64", tooManyFiles: "ulimit -n 256" };

// As a script: run the named scenarios (default: all) in subfolders of DIR.
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const isMain = globalThis.Deno ? import.meta.main : process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop());
if (isMain && args.length > 0) {
  const [dir, ...names] = args;
  const { mkdirSync } = await import("node:fs");
  const results = {};
  for (const name of names.length ? names : Object.keys(SCENARIOS)) {
    const sub = join(dir, name);
    mkdirSync(sub, { recursive: true });
    console.error(`scenario ${name}`); // a child that hangs says where (the test prints stderr)
    results[name] = await SCENARIOS[name](sub);
  }
  console.log(JSON.stringify(results));
  process.exit(0);
}
