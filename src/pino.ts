// The pino transport target "aiowasi/pino":
//
//   pino.transport({ target: "aiowasi/pino", options: { destination: "./logs/app.log" } })
//
// pino runs this in a worker thread of its own (thread-stream) and writes the
// lines to what it returns: a destination in a sandbox whose one preopen is
// the log's folder. Options: destination (a host path, required), append
// (default true), mkdir (create the folder), durability.
import { mkdirSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
// The library itself, not a copy: the build keeps "./index.js" an import of dist/index.js.
import { ArgumentError, type Destination, type Durability, Sandbox } from "./index.js";

/** Options of the "aiowasi/pino" transport target. */
export interface PinoTransportOptions {
  /** The log file, a host path (relative to the process's working folder). */
  destination: string;
  /** Keep what the file holds and append. Default true. */
  append?: boolean;
  /** Create the log's folder (and its parents) if missing. Default false. */
  mkdir?: boolean;
  /** When lines count as written. Default "written": pino's worker may be ended at any time. */
  durability?: Durability;
}

export default async function aiowasiTransport(options: PinoTransportOptions): Promise<Destination> {
  if (typeof options?.destination !== "string" || options.destination === "") {
    throw new ArgumentError("ERR_INVALID_ARG_VALUE", 'the "aiowasi/pino" target needs options.destination, a file path');
  }
  const file = resolve(options.destination);
  const folder = dirname(file);
  if (options.mkdir) mkdirSync(folder, { recursive: true }); // the preopen itself must exist before the sandbox
  const sandbox = await Sandbox.create({ preopens: { "/log": folder } });
  const destination = await sandbox.destination(`/log/${basename(file)}`, {
    append: options.append ?? true,
    durability: options.durability ?? "written",
  });
  destination.once("close", () => {
    sandbox.close().catch(() => undefined); // a failure was told through the destination's 'error'
  });
  return destination;
}
