"""Runs conformance cases on the Wasmtime engine through the reactor core.

    python wasmtime_conformance.py build/aiowasi.wasm INPUT.json

INPUT.json: [{root, preopens, options, ops}] (see test/conformance/cases.mjs).
Prints one list of outcomes per case: "ok", a WASI errno number (the Node side
names it with the one errno table, src/errors.ts), or "MISMATCH".

The per-file rules the JS API adds on top of the core are mirrored here: a
closed file answers EBADF without reaching the core, close() is idempotent,
and the empty write is accepted without a record.
"""
import json
import os
import sys

import wasmtime

from wasmtime_core import Core, make_engine

EBADF = 8
CONTROL = {"flush": "KIND_FLUSH", "sync": "KIND_SYNC", "datasync": "KIND_DATASYNC"}


def bytes_of(spec):
    if isinstance(spec.get("text"), str):
        return spec["text"].encode("utf-8")
    return bytes([spec["fill"]]) * spec["length"]


# WASI filetypes, as run-cases.mjs names them.
DIRECTORY, REGULAR_FILE, SYMBOLIC_LINK = 3, 4, 7


def describe_stat(filetype, size):
    if filetype == SYMBOLIC_LINK:
        return "link"
    if filetype == DIRECTORY:
        return "dir"
    return f"file:{size}" if filetype == REGULAR_FILE else "other"


def run_case(engine, module, case):
    options = case.get("options") or {}
    core = Core(engine, module, case["preopens"], options.get("bufferSize", 4 << 20), options.get("chunkSize", 64 << 10),
                refuse_hard_links=options.get("refuseHardLinks", False))
    files = {}  # case handle -> {"fd": the core's file handle, "closed": None or close outcome}
    outcomes = []
    for op in case["ops"]:
        kind = op["op"]
        handle = files.get(op.get("h"))
        if kind == "open":
            err, fd = core.open(op["path"], op["flag"])
            if err == 0:
                files[op["h"]] = {"fd": fd, "closed": None}
            outcomes.append("ok" if err == 0 else err)
        elif kind == "write":
            data = bytes_of(op)
            if handle["closed"] is not None:
                outcomes.append(EBADF)
                continue
            if data:
                core.write(handle["fd"], data)
            outcomes.append("ok")
        elif kind in CONTROL:
            if handle["closed"] is not None:
                outcomes.append(EBADF)
                continue
            err, _ = core.control(core.k[CONTROL[kind]], handle["fd"])
            outcomes.append("ok" if err == 0 else err)
        elif kind == "close":
            if handle["closed"] is None:
                err, _ = core.control(core.k["KIND_CLOSE"], handle["fd"])
                handle["closed"] = "ok" if err == 0 else err
            outcomes.append(handle["closed"])
        elif kind in ("mkdir", "unlink", "rmdir"):
            err = core.mkdir(op["path"], op.get("recursive", False)) if kind == "mkdir" else getattr(core, kind)(op["path"])
            outcomes.append("ok" if err == 0 else err)
        elif kind == "rename":
            err = core.rename(op["from"], op["to"])
            outcomes.append("ok" if err == 0 else err)
        elif kind in ("stat", "lstat"):
            err, filetype, size = core.stat(op["path"], follow=kind == "stat")
            outcomes.append(err if err else describe_stat(filetype, size))
        elif kind == "readdir":
            err, names = core.readdir(op["path"])
            outcomes.append(err if err else ",".join(sorted(names)))
        elif kind == "read":
            err, data = core.read_file(op["path"])
            outcomes.append(err if err else "text:" + data.decode("utf-8"))
        elif kind == "check":
            core.drain()
            with open(os.path.join(case["root"], op["file"]), "rb") as f:
                outcomes.append("ok" if f.read() == bytes_of(op) else "MISMATCH")
        else:
            outcomes.append("BADCASE")
    core.stop()
    return outcomes


def main():
    engine = make_engine()
    module = wasmtime.Module.from_file(engine, sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        cases = json.load(f)
    print(json.dumps([run_case(engine, module, case) for case in cases]))


if __name__ == "__main__":
    main()
