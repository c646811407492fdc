// Makes the hosts the tests run on besides this Node and the root
// devDependencies (Deno, Bun): the Python venv for Wasmtime and the aiofiles
// baseline (.venv, from test/hosts/requirements.txt), and Node 22, 24 and 26
// (test/hosts/node-versions, from its package-lock.json), unless they are
// already current. `npm test` and `npm run bench` call it, so CI never relies
// on a hand-made setup. Any failure ends the run with a non-zero exit: no
// host may be skipped quietly.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.status !== 0) {
    console.error(`ensure-hosts: '${command} ${args.join(" ")}' failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

/** Runs `make` unless `stamp` holds `wanted` (and `check` says the result is there). */
function ensure(stamp, wanted, check, make) {
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted && check()) return;
  make();
  writeFileSync(stamp, wanted);
}

// Wasmtime (and aiofiles for the benchmark): a venv.
const requirements = readFileSync(here("./requirements.txt"), "utf8");
const venv = `${root}.venv`;
const python = `${venv}/bin/python`;
ensure(
  `${venv}/aiowasi-requirements.txt`,
  requirements,
  () => existsSync(python),
  () => {
    console.log("ensure-hosts: installing", requirements.trim().split("\n").join(", "), "into .venv");
    if (!existsSync(python)) run(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
    // --retries 0: on machines that reach only a local index, an unreachable
    // default index fails fast instead of retrying for minutes.
    run(python, ["-m", "pip", "install", "--quiet", "--retries", "0", "-r", here("./requirements.txt")]);
    run(python, ["-c", "import wasmtime, aiofiles"]);
  },
);

// Node 22, 24, 26: their own folder, so their bin (named node) never shadows this one.
const versions = here("./node-versions/");
const lock = readFileSync(`${versions}package-lock.json`, "utf8");
ensure(
  `${versions}node_modules/.aiowasi-lock.json`,
  lock,
  () => ["22", "24", "26"].every((v) => existsSync(`${versions}node_modules/node${v}/bin/node`)),
  () => {
    console.log("ensure-hosts: installing Node 22, 24 and 26 into test/hosts/node-versions");
    run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: versions });
  },
);
