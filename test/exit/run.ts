// Runs the exit tests' child scenarios (test/exit/child.mjs) on a host.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runtime } from "../hosts/runtimes.js";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a child scenario; with `signal`, sends it once the child says "ready". */
export function child(host: string, args: string[], signal?: NodeJS.Signals, prefix: string[] = []): Promise<Run> {
  const [program, ...rest] = [...prefix, ...runtime(host)] as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const proc = spawn(program, [...rest, CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (signal && stdout.includes("ready\n")) proc.kill(signal);
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    proc.on("error", reject);
    proc.on("close", (status, sig) => {
      clearTimeout(timer);
      resolve({ status, signal: sig, stdout, stderr });
    });
  });
}

/** The child's last line of output, as JSON. */
// biome-ignore lint/suspicious/noExplicitAny: each scenario prints its own shape
export const lastJson = (run: Run): any => JSON.parse(run.stdout.trim().split("\n").at(-1)!);
