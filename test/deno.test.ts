// The package under Deno (the deno npm package's binary): the same dist/, the
// same worker-per-sandbox model. If Deno cannot start, this fails; it never skips.
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
const script = fileURLToPath(new URL("./fixtures/deno-smoke.mjs", import.meta.url));

describe("Deno host", () => {
  it("writes, appends, refuses escapes and flushes at exit", async () => {
    const dir = await tempDir();
    const run = spawnSync(deno, ["run", "--allow-read", "--allow-write", "--allow-env", script, dir], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe(""); // no ExperimentalWarning either
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      written: Buffer.byteLength("héllo from deno ✓\n"),
      escape: "ENOTCAPABLE",
      exists: "EEXIST",
      missing: "ENOENT",
      closed: "EBADF",
    });
    expect(await readFile(join(dir, "utf8.txt"), "utf8")).toBe("héllo from deno ✓\n");
    expect((await readFile(join(dir, "app.log"), "utf8")).split("\n").sort()).toEqual(["", "a", "b", "c"]);
    const lines = (await readFile(join(dir, "unflushed.txt"), "utf8")).split("\n");
    expect(lines.length).toBe(20_001);
    expect(lines[19_999]).toBe("line 19999");
  });
});
