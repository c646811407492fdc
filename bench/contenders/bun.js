// Contenders that run under Bun: aiowasi itself (the same dist/ as on Node)
// and Bun's own file writers.
import { closeSync, constants, openSync } from "node:fs";
import { nodeContenders } from "./node.js";

export const bunContenders = {
  "aiowasi-bun": nodeContenders["aiowasi-node"],
  // Bun.file(path).writer(): a FileSink. write() buffers (and writes out
  // past its high-water mark); a write that hands back a promise is awaited;
  // end() flushes and closes. With durability "written" each write is flushed.
  "bun-filesink": async () => ({
    async open(path, { durability } = {}) {
      const sink = Bun.file(path).writer();
      return {
        async write(data) {
          const taken = sink.write(data);
          if (typeof taken !== "number") await taken;
          if (durability === "written") await sink.flush();
        },
        async close() {
          await sink.end();
        },
      };
    },
  }),
  // Bun.write, awaited for each write: it resolves once the bytes were
  // written. To the file's fd, so each call adds at the fd's position (it
  // uses write(2) there). Not O_APPEND: Bun 1.4.5 calls fallocate(fd, 0, 0,
  // size) before a large write (1 MiB here), which on an empty O_APPEND file
  // grows it first and the write then lands after: 4 writes of 1 MiB left 5 MiB.
  "bun-write": async () => ({
    async open(path) {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
      const file = Bun.file(fd);
      return {
        async write(data) {
          await Bun.write(file, data);
        },
        async close() {
          closeSync(fd);
        },
      };
    },
  }),
};
