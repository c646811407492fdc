// The HTTP workload's server (bench/http.js starts it, autocannon loads it
// from another process): node:http, one pino JSON line per request to
// DIR/app.log, written through the logger setup MODE names.
//
//   node bench/http-server.js MODE DIR
//
// It prints {"port": N} once listening. GET /__end stops it: it stops
// counting, ends the logger so that every line is in the file, answers
// {"served": N} and exits. Only then does http.js count the file's lines.
import { once } from "node:events";
import { createServer } from "node:http";
import { join } from "node:path";
import pino from "pino";

// pino(options, stream) throughout: pino takes a lone argument for a stream
// only if it is a SonicBoom or has `writable`/`_writableState`, which the
// aiowasi destination lacks, so pino(dest) alone would log to stdout.

const [mode, dir] = process.argv.slice(2);
const file = join(dir, "app.log");
const aiowasiPino = new URL("../dist/pino.js", import.meta.url).href;

/** Each mode: a logger (or none) and how to end it with every line in the file. */
const MODES = {
  "http-none": async () => ({ logger: undefined, end: async () => {} }),
  "http-aiowasi": async () => {
    const { Sandbox } = await import("../dist/index.js");
    const sb = await Sandbox.create({ preopens: { "/log": dir } });
    const dest = await sb.destination("/log/app.log");
    return {
      logger: pino({}, dest),
      async end() {
        dest.end();
        await once(dest, "close");
        await sb.close();
      },
    };
  },
  "http-pino-destination": async () => sonic(pino.destination(file)),
  "http-pino-destination-4k": async () => sonic(pino.destination({ dest: file, minLength: 4096 })),
  "http-pino-transport": async () => transport({ target: "pino/file", options: { destination: file } }),
  "http-aiowasi-transport": async () => transport({ target: aiowasiPino, options: { destination: file } }),
};

async function sonic(dest) {
  await once(dest, "ready");
  return {
    logger: pino({}, dest),
    async end() {
      dest.end();
      await once(dest, "close");
    },
  };
}

async function transport(options) {
  const stream = pino.transport(options);
  await once(stream, "ready");
  return {
    logger: pino({}, stream),
    async end() {
      stream.end();
      await once(stream, "close");
    },
  };
}

const { logger, end } = await MODES[mode]();
let served = 0;
let ending = false;
const server = createServer((req, res) => {
  if (req.url === "/__end") {
    ending = true;
    server.close();
    end().then(
      () => {
        res.end(JSON.stringify({ served }));
        res.once("finish", () => setTimeout(() => process.exit(0), 10));
      },
      (error) => {
        res.statusCode = 500;
        res.end(String(error?.stack ?? error));
      },
    );
    return;
  }
  if (!ending) {
    served++;
    logger?.info({ method: req.method, url: req.url, n: served }, "request");
  }
  res.end("ok");
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
