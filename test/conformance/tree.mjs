// The folder tree every conformance case starts from, made fresh for each case
// (cases write into it), and the snapshot that proves nothing outside the
// preopens changed. Used by the Node side only: the hosts get the paths.
import { createHash } from "node:crypto";
import { link, lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Guest name → folder under the case root. `/out/mnt` is nested to test longest-prefix matching. */
export const PREOPENS = { "/out": "pre", "/out/mnt": "mnt" };

/**
 * The entries of a case root. A string is a file's content, null a folder,
 * { link } a symlink (relative as given; { abs } joined to the case root, so
 * it is an absolute host path), { hard } a hard link of a file (under the case root).
 */
function entries(root) {
  return [
    ["outside", null],
    ["outside/secret.txt", "secret"],
    ["outside/dir", null],
    ["pre", null],
    ["pre/existing.txt", "existing\n"],
    ["pre/a-dir", null],
    ["pre/sub", null],
    ["pre/sub/inner.txt", "inner\n"],
    ["pre/sub/deeper", null],
    ["pre/link-in-file", { link: "existing.txt" }],
    ["pre/link-in-dir", { link: "sub" }],
    ["pre/sub/link-parent-file", { link: "../existing.txt" }],
    ["pre/sub/link-up-root", { link: ".." }],
    ["pre/sub/link-up-up", { link: "../.." }],
    ["pre/sub/link-deep-out", { link: "../../outside/secret.txt" }],
    ["pre/link-out-dir", { link: "../outside" }],
    ["pre/link-out-file", { link: "../outside/secret.txt" }],
    ["pre/link-out-missing", { link: "../outside/new.txt" }],
    ["pre/link-abs-dir", { link: join(root, "outside") }],
    ["pre/link-abs-file", { link: join(root, "outside/secret.txt") }],
    ["pre/link-abs-inside", { link: join(root, "pre/existing.txt") }],
    ["pre/dangling-in", { link: "missing-target.txt" }],
    ["pre/loop-a", { link: "loop-b" }],
    ["pre/loop-b", { link: "loop-a" }],
    ["pre/self-loop", { link: "self-loop" }],
    ["pre/chain1", { link: "chain2" }],
    ["pre/chain2", { link: "sub/../chain3" }],
    ["pre/chain3", { link: "existing.txt" }],
    ["pre/chain-out1", { link: "chain-out2" }],
    ["pre/chain-out2", { link: "../outside/secret.txt" }],
    ["pre/hard-out", { hard: "outside/secret.txt" }],
    ["mnt", null],
    ["mnt/mnt.txt", "mnt\n"],
  ];
}

/** Makes the tree under `root` and returns the host folder of each preopen. */
export async function makeTree(root) {
  await mkdir(root, { recursive: true });
  for (const [name, value] of entries(root)) {
    const path = join(root, name);
    if (value === null) await mkdir(path);
    else if (typeof value === "string") await writeFile(path, value);
    else if (value.hard) await link(join(root, value.hard), path);
    else await symlink(value.link, path);
  }
  return Object.fromEntries(Object.entries(PREOPENS).map(([guest, dir]) => [guest, join(root, dir)]));
}

/**
 * Every entry under `dir` except the preopen folders of each case: name,
 * type, mode, symlink target and content hash. Equal before and after means
 * nothing outside a preopen was created, changed or removed. Hard links of
 * one file are read once per snapshot (`hashes`, by inode): the race cases
 * keep a thousand canaries as links of one file.
 */
export async function snapshotOutside(dir, skip = new Set(Object.values(PREOPENS)), rel = "", hashes = new Map()) {
  const out = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    if (skip.has(name) && rel.split("/").length === 1 && rel !== "") continue; // <case>/pre, <case>/mnt
    const full = join(dir, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) out.push(`${path} -> ${await readlink(full)}`);
    else if (info.isDirectory()) {
      out.push(`${path}/ ${info.mode.toString(8)}`);
      out.push(...(await snapshotOutside(dir, skip, path, hashes)));
    } else {
      const inode = info.nlink > 1 ? `${info.dev}:${info.ino}` : undefined;
      let hash = inode === undefined ? undefined : hashes.get(inode);
      if (hash === undefined) {
        hash = createHash("sha256")
          .update(await readFile(full))
          .digest("hex");
        if (inode !== undefined) hashes.set(inode, hash);
      }
      out.push(`${path} ${info.mode.toString(8)} ${info.size} ${hash}`);
    }
  }
  return out;
}
