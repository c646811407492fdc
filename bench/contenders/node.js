// The JS contenders. Each: { name, setup?(dir), open(path) -> writer, teardown?() }.
// A writer's write() returns a promise (or a value) the workload awaits.
import { closeSync, createWriteStream, openSync, writeSync } from "node:fs";
import { open as openHandle } from "node:fs/promises";
import { basename } from "node:path";

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

export const nodeContenders = {
  "aiowasi-node": async () => {
    const { Sandbox } = await import("../../dist/index.js");
    let sb;
    return {
      async setup(dir) {
        sb = await Sandbox.create({ preopens: { "/bench": dir } });
      },
      async open(path) {
        return sb.open(`/bench/${basename(path)}`, "w");
      },
      async teardown() {
        await sb.close();
      },
    };
  },
  "fs-promises": async () => ({
    async open(path) {
      const handle = await openHandle(path, "w");
      return { write: (data) => handle.write(data), close: () => handle.close() };
    },
  }),
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
