// Children for the durability tests (test/durability.test.ts), on every host:
//   <runtime> child.mjs kill DIR LEVEL      awaits writes until SIGKILLed
//   <runtime> child.mjs SCENARIO DIR         prints JSON
// "kill": WRITERS loops append fixed records with durability LEVEL; after
// each write resolves, its index goes into a side file with a synchronous
// positional write (in the kernel before the next step). Whatever moment the
// parent kills the process at, every record the side file names must be whole
// in the log. With "accepted" and a slow disk the same test must find losses,
// which shows it can.
import { openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Sandbox } from "../../dist/index.js";
import { faults, kFaults } from "../faults/inject.mjs";
import { codeOf } from "../outcome.mjs";

export const RECORD = 16;
/** Record i: 16 bytes. */
export const record = (i) => `rec ${String(i).padStart(11, "0")}\n`;
const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const SCENARIOS = {
  async kill(dir, level) {
    const slow = level === "accepted" ? { [kFaults]: faults({ fdWrite: ["slow"], repeat: true, slowMs: 5 }) } : {};
    const sb = await Sandbox.create({ preopens: { "/out": dir }, chunkSize: 4096, ...slow });
    const file = await sb.open("/out/log.bin", "a", { durability: level });
    const side = openSync(join(dir, "resolved.bin"), "w");
    const mark = new Uint8Array(4);
    const view = new DataView(mark.buffer);
    let next = 0;
    const writer = async () => {
      for (;;) {
        const i = next++;
        await file.write(record(i));
        view.setUint32(0, i + 1, true);
        writeSync(side, mark, 0, 4, i * 4);
        if (i === 50) process.stdout.write("ready\n");
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
  },

  /** 64 concurrent writers × 20 "synced" appends: few fd_datasync calls cover them all. */
  async groups(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const file = await sb.open("/out/audit.log", "a", { durability: "synced" });
    let n = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = 0; i < 20; i++) await file.write(record(n++));
      }),
    );
    const stats = sb.stats();
    await file.close();
    await sb.close();
    say({ groupSyncs: stats.groupSyncs, syncedWrites: stats.syncedWrites });
  },

  /** Levels mixed on one file: an "accepted" write before a "synced" one is written (and synced) with it. */
  async mixed(dir) {
    const sb = await Sandbox.create({ preopens: { "/out": dir } });
    const file = await sb.open("/out/mixed.log", "a");
    const slowFile = await sb.open("/out/other.log", "a", { durability: "written" });
    const accepted = [];
    for (let i = 0; i < 1000; i++) accepted.push(file.write(record(i)));
    await file.write(record(1000), { durability: "synced" });
    const { readFileSync } = await import("node:fs");
    const onDisk = readFileSync(join(dir, "mixed.log"), "utf8");
    await slowFile.write("x");
    const written = readFileSync(join(dir, "other.log"), "utf8");
    await Promise.all(accepted);
    await sb.close();
    say({
      records: onDisk.length / RECORD,
      inOrder: onDisk === Array.from({ length: 1001 }, (_, i) => record(i)).join(""),
      written,
    });
  },

  /** fd_datasync fails for the second group: exactly that group's writes reject; the file has failed after. */
  async syncFails(dir) {
    const plan = faults({ fdDatasync: ["ok", "EIO"] });
    const sb = await Sandbox.create({ preopens: { "/out": dir }, [kFaults]: plan });
    const file = await sb.open("/out/audit.log", "a", { durability: "synced" });
    const round = async (r) => Promise.all(Array.from({ length: 8 }, (_, i) => codeOf(file.write(record(r * 8 + i)))));
    const first = await round(0);
    const second = await round(1);
    const third = await round(2);
    const close = await codeOf(file.close());
    const stats = sb.stats();
    await sb.close().catch(() => undefined);
    say({ first, second, third, close, groupSyncs: stats.groupSyncs });
  },

  /** A failing fd_write rejects the "written" writes of its group with the code; those before resolved. */
  async writeFails(dir) {
    const plan = faults({ fdWrite: ["ok", "EIO"] });
    const sb = await Sandbox.create({ preopens: { "/out": dir }, [kFaults]: plan });
    const file = await sb.open("/out/log.bin", "a", { durability: "written" });
    const round = async (r) => Promise.all(Array.from({ length: 4 }, (_, i) => codeOf(file.write(record(r * 4 + i)))));
    const first = await round(0);
    const second = await round(1);
    await sb.close().catch(() => undefined);
    say({ first, second });
  },

  /**
   * A write larger than a chunk goes out a chunk at a time: when a later
   * chunk fails, the write rejects ("written" and "synced" alike) instead of
   * resolving on its first chunk or never settling.
   */
  async largeWriteFails(dir) {
    const result = {};
    for (const level of ["written", "synced"]) {
      const plan = faults({ fdWrite: ["ok", "EIO"] });
      const sb = await Sandbox.create({ preopens: { "/out": dir }, chunkSize: 64 * 1024, [kFaults]: plan });
      const file = await sb.open(`/out/${level}.bin`, "w", { durability: level });
      let timer;
      const settled = await Promise.race([
        codeOf(file.write(new Uint8Array(1024 * 1024))),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve("still pending after 10 s"), 10_000);
        }),
      ]);
      clearTimeout(timer);
      result[level] = { write: settled, close: await codeOf(file.close()) };
      await sb.close().catch(() => undefined);
    }
    say(result);
  },

  /** "synced" on a FIFO (which cannot be synced): EINVAL on every host that opens one, as fsync(2) says. */
  async syncUnsupported(dir) {
    const { execFileSync } = await import("node:child_process");
    const { closeSync, constants } = await import("node:fs");
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const reader = openSync(join(dir, "pipe"), constants.O_RDONLY | constants.O_NONBLOCK); // open, never read
    const sb = await Sandbox.create({ preopens: { "/out": dir }, allowSpecialFiles: true });
    const opened = await sb.open("/out/pipe", "w", { durability: "synced" }).then(
      (file) => ({ file, code: "ok" }),
      (error) => ({ code: error?.code }),
    );
    const result = { open: opened.code };
    if (opened.file) {
      result.write = await codeOf(opened.file.write("x\n"));
      result.close = await codeOf(opened.file.close());
    }
    await sb.close().catch(() => undefined);
    closeSync(reader);
    say(result);
  },
};

const [scenario, dir, arg] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
if (scenario) await SCENARIOS[scenario](dir, arg);
