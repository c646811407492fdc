// Sandbox.create()'s preopens, checked and pinned: each host folder is
// resolved once (realpath) and identified (dev/ino), so the worker opens that
// very folder and later renames of it or of its parents cannot redirect an
// open. Problems come back at create, with the host folder as `path`.
import { realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ArgumentError, errnoOfCode, WasiError } from "../errors.js";
import { MAX_PREOPENS, PREOPEN_NAME_CAP } from "../transport/layout.js";
import type { PinnedPreopen } from "../transport/protocol.js";
import { describe } from "./validate.js";

const EIO = 29;
const ENOTDIR = 54;

/** A guest name as the core compares it: no empty or "." components, no leading or trailing slash. */
function canonicalGuest(name: string): string {
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  return `${name.startsWith("/") ? "/" : ""}${parts.join("/")}`;
}

function checkNames(preopens: unknown): [string, string][] {
  if (typeof preopens !== "object" || preopens === null || Array.isArray(preopens)) {
    throw new ArgumentError(
      "ERR_INVALID_ARG_TYPE",
      `preopens must be an object of guest dir -> host dir, got ${describe(preopens)}`,
    );
  }
  const entries = Object.entries(preopens);
  if (entries.length === 0) throw new ArgumentError("ERR_INVALID_ARG_VALUE", "preopens must name at least one directory");
  if (entries.length > MAX_PREOPENS) {
    throw new ArgumentError("ERR_INVALID_ARG_VALUE", `at most ${MAX_PREOPENS} preopens, got ${entries.length}`);
  }
  const seen = new Map<string, string>();
  for (const [guest, host] of entries) {
    if (typeof host !== "string" || host === "" || host.includes("\0")) {
      throw new ArgumentError("ERR_INVALID_ARG_VALUE", `preopen "${guest}" must map to a host directory path`);
    }
    if (guest === "" || guest.includes("\0") || Buffer.byteLength(guest) > PREOPEN_NAME_CAP) {
      throw new ArgumentError(
        "ERR_INVALID_ARG_VALUE",
        `preopen name "${guest.slice(0, 40)}" must be 1 to ${PREOPEN_NAME_CAP} bytes, no NUL`,
      );
    }
    const canonical = canonicalGuest(guest);
    const twin = seen.get(canonical);
    if (twin !== undefined) {
      throw new ArgumentError("ERR_INVALID_ARG_VALUE", `preopens "${twin}" and "${guest}" name the same guest folder`);
    }
    seen.set(canonical, guest);
  }
  return entries as [string, string][];
}

function preopenError(error: unknown, host: string): WasiError {
  const code = (error as { code?: string }).code;
  const errno = (code && errnoOfCode(code)) || EIO;
  return new WasiError(errno, "preopen", host, `cannot use it as a preopen (${(error as Error).message})`);
}

/** Checks `preopens` (guest dir -> host dir) and pins each host folder. */
export async function pinPreopens(preopens: unknown): Promise<PinnedPreopen[]> {
  const pinned: PinnedPreopen[] = [];
  for (const [guest, given] of checkNames(preopens)) {
    const host = resolve(given);
    try {
      const real = await realpath(host);
      const info = await stat(real, { bigint: true });
      if (!info.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR", errno: ENOTDIR });
      await stat(`${real}/.`); // EACCES when the folder cannot be searched (not join(): it drops the "."; not access(): Deno wants --allow-sys for it)
      pinned.push({ guest, host: real, dev: info.dev, ino: info.ino });
    } catch (error) {
      throw preopenError(error, host);
    }
  }
  return pinned;
}
