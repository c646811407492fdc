// Contenders that run under Deno: aiowasi itself (the same dist/ as on Node)
// and Deno's own file API, each write awaited until all its bytes are out.
import { nodeContenders } from "./node.js";

const encoder = new TextEncoder();

export const denoContenders = {
  "aiowasi-deno": nodeContenders["aiowasi-node"],
  "deno-file": async () => ({
    async open(path) {
      const file = await Deno.open(path, { write: true, create: true, truncate: true });
      return {
        async write(data) {
          let bytes =
            typeof data === "string" ? encoder.encode(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes));
        },
        async close() {
          file.close();
        },
      };
    },
  }),
};
