// The JS contenders. Each: { name, setup?(dir), open(path, { append, durability }) -> writer,
// teardown?() } and, for the workloads that use them, readFile, openLines,
// writeAtomic, stat, rename and stats (see bench/workloads.js). A writer's
// write() returns a promise (or a value) the workload awaits.
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, writeSync } from "node:fs";
import { open as openHandle, readFile, rename, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

/** Resolves when a Node stream accepts more: honours 'drain'. */
function streamWriter(stream) {
  return {
    write(data) {
      if (stream.write(data)) return undefined;
      return new Promise((resolve) => stream.once("drain", resolve));
    },
    close() {
      return new Promise((resolve, reject) => {
        stream.once("error", reject);
        stream.once("finish", resolve);
        stream.once("close", resolve);
        stream.end();
      });
    },
  };
}

/**
 * The library's build before this work (a checkout of f06d1e2, built): its
 * root or its dist/ folder, from AIOWASI_BEFORE (bench/run.js --before sets it).
 */
export function beforeEntry() {
  const dir = process.env.AIOWASI_BEFORE;
  if (!dir) return undefined;
  const inDist = join(resolve(dir), "dist", "index.js");
  return existsSync(inDist) ? inDist : join(resolve(dir), "index.js");
}

/** aiowasi from the given dist/index.js: one sandbox per run, its one preopen the run's folder. */
function aiowasi(entry) {
  return async () => {
    const { Sandbox } = await import(entry);
    let sb;
    const guest = (path) => `/bench/${basename(path)}`;
    return {
      async setup(dir) {
        sb = await Sandbox.create({ preopens: { "/bench": dir } });
      },
      async open(path, { append = false, durability } = {}) {
        return sb.open(guest(path), append ? "a" : "w", durability ? { durability } : undefined);
      },
      readFile: (path) => sb.readFile(guest(path)),
      // The file's own iterator, not wrapped in another generator (each layer costs a promise per line).
      async openLines(path) {
        const file = await sb.open(guest(path), "r");
        return { lines: file.readLines(), close: () => file.close() };
      },
      writeAtomic: (path, data) => sb.writeFile(guest(path), data, { atomic: true }),
      stat: (path) => sb.stat(guest(path)),
      rename: (from, to) => sb.rename(guest(from), guest(to)),
      stats: () => sb.stats(),
      async teardown() {
        await sb.close();
      },
    };
  };
}

export const nodeContenders = {
  "aiowasi-node": aiowasi(new URL("../../dist/index.js", import.meta.url).href),
  "aiowasi-before": async () => {
    const entry = beforeEntry();
    if (!entry) throw new Error("aiowasi-before needs AIOWASI_BEFORE (bench/run.js --before DIR)");
    return aiowasi(pathToFileURL(entry).href)();
  },
  // Each write awaited until the OS has it; with durability "synced", a datasync after each (W6).
  "fs-promises": async () => ({
    async open(path, { append = false, durability } = {}) {
      const handle = await openHandle(path, append ? "a" : "w");
      const write =
        durability === "synced"
          ? async (data) => {
              await handle.write(data);
              await handle.datasync();
            }
          : (data) => handle.write(data);
      return { write, close: () => handle.close() };
    },
    readFile: (path) => readFile(path),
    stat: (path) => stat(path),
    rename: (from, to) => rename(from, to),
  }),
  // node:readline over fs.createReadStream: what Node's docs show for reading lines.
  "node-readline": async () => ({
    async openLines(path) {
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
      return { lines, close: () => lines.close() };
    },
  }),
  // The npm package for atomic writes (temp file, fsync, rename), as it comes.
  "write-file-atomic": async () => {
    const { default: writeFileAtomic } = await import("write-file-atomic");
    return { writeAtomic: (path, data) => writeFileAtomic(path, data) };
  },
  // The same, plus an fsync of the folder after the rename, as aiowasi does:
  // the same durability (write-file-atomic alone leaves the rename itself to the next journal commit).
  "write-file-atomic-dirsync": async () => {
    const { default: writeFileAtomic } = await import("write-file-atomic");
    return {
      async writeAtomic(path, data) {
        await writeFileAtomic(path, data);
        const folder = await openHandle(dirname(path), "r");
        try {
          await folder.sync();
        } finally {
          await folder.close();
        }
      },
    };
  },
  createWriteStream: async () => ({
    async open(path) {
      const stream = createWriteStream(path);
      await new Promise((resolve) => stream.once("open", resolve));
      return streamWriter(stream);
    },
  }),
  "sonic-boom": async () => {
    const { default: SonicBoom } = await import("sonic-boom");
    return {
      async open(path) {
        const boom = new SonicBoom({ dest: path, minLength: 4096, sync: false, append: false, contentMode: "buffer" });
        await new Promise((resolve) => boom.once("ready", resolve));
        return {
          write(data) {
            const bytes =
              typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
            if (boom.write(bytes)) return undefined;
            return new Promise((resolve) => boom.once("drain", resolve));
          },
          close() {
            return new Promise((resolve) => {
              boom.once("close", resolve);
              boom.end();
            });
          },
        };
      },
    };
  },
  // The limit: the same bytes gathered into large blocks, one blocking write each.
  "limit-blocking": async () => ({
    async open(path) {
      const fd = openSync(path, "w");
      const block = Buffer.allocUnsafe(1024 * 1024);
      let used = 0;
      const out = () => {
        for (let at = 0; at < used; ) at += writeSync(fd, block, at, used - at);
        used = 0;
      };
      return {
        write(data) {
          if (typeof data === "string" && used + data.length * 3 <= block.length) {
            used += block.write(data, used);
            return;
          }
          const bytes =
            typeof data === "string" ? Buffer.from(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          if (bytes.length >= block.length) {
            out();
            for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
            return;
          }
          if (used + bytes.length > block.length) out();
          block.set(bytes, used);
          used += bytes.length;
        },
        async close() {
          out();
          closeSync(fd);
        },
      };
    },
  }),
};
