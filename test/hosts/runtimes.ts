// The JavaScript runtimes the tests run the library on, as command prefixes
// (`[...prefix, script, ...args]`). A runtime that is missing fails the test
// that asks for it: npm test installs every one (test/hosts/ensure-hosts.mjs).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const DENO = here("../../node_modules/.bin/deno");
export const BUN = here("../../node_modules/.bin/bun");
const nodeBinary = (version: string) => here(`./node-versions/node_modules/node${version}/bin/node`);

/** Command prefixes by runtime name. */
export const RUNTIMES: Record<string, string[]> = {
  node: [process.execPath],
  deno: [DENO, "run", "--allow-all"],
  bun: [BUN],
  node22: [nodeBinary("22")],
  node24: [nodeBinary("24")],
  node26: [nodeBinary("26")],
};

/** The command prefix of a runtime; throws (fails the test) when it is not installed. */
export function runtime(name: string): string[] {
  const prefix = RUNTIMES[name];
  if (!prefix) throw new Error(`unknown runtime ${name}`);
  if (!existsSync(prefix[0]!))
    throw new Error(`${name} is not installed at ${prefix[0]}: npm test installs it (test/hosts/ensure-hosts.mjs)`);
  return prefix;
}

/** The runtimes the library's behaviour suites run on: this Node, Deno and Bun. */
export const HOSTS = ["node", "deno", "bun"] as const;
/** Every Node version the package is tested on. */
export const NODE_VERSIONS = ["node", "node22", "node24", "node26"] as const;
