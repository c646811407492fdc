// Makes the Python venv the Wasmtime host and the aiofiles baseline run in
// (.venv, from test/hosts/requirements.txt) unless it is already current.
// `npm test` and `npm run bench` call it, so CI never relies on a hand-made
// venv. Any failure ends the run with a non-zero exit: the Wasmtime host must
// never be skipped quietly.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const requirements = fileURLToPath(new URL("./requirements.txt", import.meta.url));
const venv = `${root}.venv`;
const python = `${venv}/bin/python`;
const stamp = `${venv}/aiowasi-requirements.txt`;

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) {
    console.error(`ensure-venv: '${command} ${args.join(" ")}' failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

const wanted = readFileSync(requirements, "utf8");
if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted && existsSync(python)) process.exit(0);
console.log("ensure-venv: installing", wanted.trim().split("\n").join(", "), "into .venv");
if (!existsSync(python)) run(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
// --retries 0: on machines that reach only a local index, an unreachable
// default index fails fast instead of retrying for minutes.
run(python, ["-m", "pip", "install", "--quiet", "--retries", "0", "-r", requirements]);
run(python, ["-c", "import wasmtime, aiofiles"]);
writeFileSync(stamp, wanted);
