// Conformance cases, written once for every host. A case is a list of
// operations and what each must give ("ok" or an error code), plus the bytes
// the files under the case root must hold afterwards. The hosts run the ops
// (test/conformance/run-cases.mjs on Node, Deno and Bun,
// test/hosts/wasmtime_conformance.py on Wasmtime); test/conformance.test.ts compares.
//
// Ops: { op: "open", h, path, flag } | { op: "write", h, text } |
//      { op: "write", h, fill, length } (length bytes of value fill) |
//      { op: "flush" | "sync" | "datasync" | "close", h } |
//      { op: "check", file, text } (the host reads a file mid-case: "ok" or "MISMATCH")
// `expect` is one outcome per op; `files` maps paths under the case root to
// their final content (text, or { fill, length }); `absent` lists paths that must not exist.
import { CORPUS } from "./corpus.mjs";
import { FS_CASES } from "./fs-cases.mjs";

const SMALL_RING = { bufferSize: 64 * 1024, chunkSize: 1000 };

/** Cases for the file operations themselves. */
export const OPERATIONS = [
  {
    name: "w creates a file and writes UTF-8 text",
    ops: [
      { op: "open", h: "f", path: "/out/new.txt", flag: "w" },
      { op: "write", h: "f", text: "héllo, wörld ✓ 日本 🚀\n" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { "pre/new.txt": "héllo, wörld ✓ 日本 🚀\n" },
  },
  {
    name: "w truncates an existing file",
    ops: [
      { op: "open", h: "f", path: "/out/existing.txt", flag: "w" },
      { op: "write", h: "f", text: "new" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { "pre/existing.txt": "new" },
  },
  {
    name: "a keeps what was there and appends",
    ops: [
      { op: "open", h: "f", path: "/out/existing.txt", flag: "a" },
      { op: "write", h: "f", text: "more\n" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { "pre/existing.txt": "existing\nmore\n" },
  },
  {
    name: "wx and ax refuse an existing file with EEXIST and leave it alone",
    ops: [
      { op: "open", h: "f", path: "/out/existing.txt", flag: "wx" },
      { op: "open", h: "g", path: "/out/existing.txt", flag: "ax" },
      { op: "open", h: "h", path: "/out/fresh.txt", flag: "ax" },
      { op: "write", h: "h", text: "fresh" },
      { op: "close", h: "h" },
    ],
    expect: ["EEXIST", "EEXIST", "ok", "ok", "ok"],
    files: { "pre/existing.txt": "existing\n", "pre/fresh.txt": "fresh" },
  },
  {
    name: "the empty write is accepted and writes nothing",
    ops: [
      { op: "open", h: "f", path: "/out/empty.txt", flag: "w" },
      { op: "write", h: "f", text: "" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { "pre/empty.txt": "" },
  },
  {
    name: "one write larger than the whole ring, in chunks of 1000 bytes",
    options: SMALL_RING,
    ops: [
      { op: "open", h: "f", path: "/out/big.bin", flag: "w" },
      { op: "write", h: "f", fill: 0x61, length: 300_000 },
      { op: "write", h: "f", text: "end" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok", "ok"],
    files: { "pre/big.bin": [{ fill: 0x61, length: 300_000 }, "end"] },
  },
  {
    name: "many small writes keep their order",
    ops: [
      { op: "open", h: "f", path: "/out/lines.txt", flag: "w" },
      ...Array.from({ length: 500 }, (_, i) => ({ op: "write", h: "f", text: `line ${i}\n` })),
      { op: "close", h: "f" },
    ],
    expect: ["ok", ...Array(500).fill("ok"), "ok"],
    files: { "pre/lines.txt": Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join("") },
  },
  {
    name: "flush makes the bytes visible before close",
    ops: [
      { op: "open", h: "f", path: "/out/flushed.txt", flag: "w" },
      { op: "write", h: "f", text: "visible" },
      { op: "flush", h: "f" },
      { op: "check", file: "pre/flushed.txt", text: "visible" },
      { op: "sync", h: "f" },
      { op: "datasync", h: "f" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
    files: { "pre/flushed.txt": "visible" },
  },
  {
    name: "a closed file rejects every call with EBADF; close is idempotent",
    ops: [
      { op: "open", h: "f", path: "/out/closed.txt", flag: "w" },
      { op: "write", h: "f", text: "kept" },
      { op: "close", h: "f" },
      { op: "close", h: "f" },
      { op: "write", h: "f", text: "lost" },
      { op: "flush", h: "f" },
      { op: "sync", h: "f" },
      { op: "datasync", h: "f" },
    ],
    expect: ["ok", "ok", "ok", "ok", "EBADF", "EBADF", "EBADF", "EBADF"],
    files: { "pre/closed.txt": "kept" },
  },
  {
    name: "two files written in turns get their own bytes",
    ops: [
      { op: "open", h: "a", path: "/out/one.txt", flag: "w" },
      { op: "open", h: "b", path: "/out/sub/two.txt", flag: "w" },
      ...Array.from({ length: 50 }, (_, i) => ({ op: "write", h: i % 2 ? "b" : "a", text: `${i};` })),
      { op: "close", h: "a" },
      { op: "close", h: "b" },
    ],
    expect: ["ok", "ok", ...Array(50).fill("ok"), "ok", "ok"],
    files: {
      "pre/one.txt": Array.from({ length: 25 }, (_, i) => `${2 * i};`).join(""),
      "pre/sub/two.txt": Array.from({ length: 25 }, (_, i) => `${2 * i + 1};`).join(""),
    },
  },
  {
    name: "two append handles on one file both land",
    ops: [
      { op: "open", h: "a", path: "/out/shared.log", flag: "a" },
      { op: "open", h: "b", path: "/out/shared.log", flag: "a" },
      { op: "write", h: "a", text: "a1\n" },
      { op: "flush", h: "a" },
      { op: "write", h: "b", text: "b1\n" },
      { op: "flush", h: "b" },
      { op: "write", h: "a", text: "a2\n" },
      { op: "close", h: "a" },
      { op: "close", h: "b" },
    ],
    expect: Array(9).fill("ok"),
    files: { "pre/shared.log": "a1\nb1\na2\n" },
  },
  {
    name: "the longest matching preopen wins",
    ops: [
      { op: "open", h: "f", path: "/out/mnt/mnt.txt", flag: "a" },
      { op: "write", h: "f", text: "+mnt\n" },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok"],
    files: { "mnt/mnt.txt": "mnt\n+mnt\n" },
    absent: ["pre/mnt"],
  },
  {
    name: "chunkSize 1000 still writes every byte of mixed sizes",
    options: SMALL_RING,
    ops: [
      { op: "open", h: "f", path: "/out/mixed.bin", flag: "w" },
      { op: "write", h: "f", fill: 0x31, length: 999 },
      { op: "write", h: "f", fill: 0x32, length: 1001 },
      { op: "write", h: "f", fill: 0x33, length: 5000 },
      { op: "write", h: "f", fill: 0x34, length: 1 },
      { op: "close", h: "f" },
    ],
    expect: ["ok", "ok", "ok", "ok", "ok", "ok"],
    files: {
      "pre/mixed.bin": [
        { fill: 0x31, length: 999 },
        { fill: 0x32, length: 1001 },
        { fill: 0x33, length: 5000 },
        { fill: 0x34, length: 1 },
      ],
    },
  },
  {
    name: "refuseHardLinks: a file with another name is never opened for writing, directly or through a link; one of its own is",
    options: { refuseHardLinks: true },
    ops: [
      { op: "open", h: "f", path: "/out/hard-out", flag: "w" },
      { op: "open", h: "g", path: "/out/hard-out", flag: "a" },
      { op: "open", h: "h", path: "/out/hard-out", flag: "wx" },
      { op: "read", path: "/out/hard-out" },
      { op: "rename", from: "/out/hard-out", to: "/out/sub/moved" },
      { op: "open", h: "i", path: "/out/link-in-dir/moved", flag: "a" },
      { op: "open", h: "j", path: "/out/existing.txt", flag: "a" },
      { op: "write", h: "j", text: "own\n" },
      { op: "close", h: "j" },
    ],
    expect: ["ENOTCAPABLE", "ENOTCAPABLE", "EEXIST", "text:secret", "ok", "ENOTCAPABLE", "ok", "ok", "ok"],
    files: { "pre/existing.txt": "existing\nown\n", "pre/sub/moved": "secret", "outside/secret.txt": "secret" },
  },
];

/** Every case, with a unique name. */
export const CASES = [...OPERATIONS, ...FS_CASES, ...CORPUS];
