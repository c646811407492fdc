"""The race scenarios of test/race/scenarios.mjs on the Wasmtime engine, through the reactor core.

    python wasmtime_race.py build/aiowasi.wasm SWAPPER ROOT CASE ATTEMPTS

ROOT/CASE is the case's tree, made by the Node side (makeCaseTree in
scenarios.mjs), which also snapshots everything outside the preopen before
and after and checks what landed inside. This script starts the swapper
itself (subprocess), runs ATTEMPTS open/write/close through the core while it
swaps, stops it, and prints {"counts": {outcome: n}, "swaps": n, ...}: an
outcome is "ok" or a WASI errno number (the Node side names it with the one
errno table, src/errors.ts). Wasmtime resolves beneath the preopen's
directory fd itself (cap-std), so the core runs WASI-anchored here.
"""
import json
import os
import subprocess
import sys
import time

import wasmtime

import wasmtime_core
from wasmtime_core import Core, make_engine

# reopen and mkdir are beyond Core.open(); their constants come from the module like the rest.
wasmtime_core.LAYOUT.extend(name for name in ("KIND_REOPEN", "OPEN_MKDIR") if name not in wasmtime_core.LAYOUT)

GUEST = "/out"
LINE = b"line\n"
W_DATA = b"w-data\n"


def payload(core, path, flag, mkdir=False):
    """The OPEN/REOPEN payload, as the JS API builds it (Core.open's bits, plus OPEN_MKDIR)."""
    k = core.k
    bits = k["OPEN_WRITE"] | (k["OPEN_APPEND"] if flag.startswith("a") else 0)
    bits |= k["OPEN_EXCLUSIVE"] if flag.endswith("x") else k["OPEN_CREATE"] | (0 if flag.startswith("a") else k["OPEN_TRUNCATE"])
    if mkdir:
        bits |= k["OPEN_MKDIR"]
    return bits.to_bytes(4, "little") + path.encode("utf-8")


def open_file(core, path, flag, mkdir=False):
    handle = core._next_handle
    err, _ = core.control(core.k["KIND_OPEN"], handle, payload(core, path, flag, mkdir))
    if err == 0:
        core._next_handle += 1
    return err, handle


def open_write_close(core, path, flag, data, mkdir=False):
    err, handle = open_file(core, path, flag, mkdir)
    if err:
        return err
    core.write(handle, data)
    err, _ = core.control(core.k["KIND_CLOSE"], handle)
    return "ok" if err == 0 else f"write:{err}"


class Reopen:
    """(f): one file opened before the race, then reopen() + write per attempt."""

    def __init__(self, core):
        self.path = f"{GUEST}/d/reopen.txt"
        err, self.handle = open_file(core, self.path, "a")
        if err:
            raise RuntimeError(f"the first open of {self.path} failed: errno {err}")

    def attempt(self, core, _i):
        err, _ = core.control(core.k["KIND_REOPEN"], self.handle, payload(core, self.path, "a"))
        core.write(self.handle, LINE)
        return "ok" if err == 0 else err

    def finish(self, core):
        err, _ = core.control(core.k["KIND_CLOSE"], self.handle)
        if err:
            raise RuntimeError(f"closing {self.path} failed: errno {err}")


def renamed(case_dir):
    os.rename(os.path.join(case_dir, "pre"), os.path.join(case_dir, "pre-moved"))
    os.symlink("outside", os.path.join(case_dir, "pre"))


def retargeted(case_dir):
    os.symlink("outside", os.path.join(case_dir, "pre-link.new"))
    os.rename(os.path.join(case_dir, "pre-link.new"), os.path.join(case_dir, "pre-link"))


def root_or_d(letter):
    return lambda core, i: open_write_close(core, f"{GUEST}/{letter}-{i}.txt" if i % 2 else f"{GUEST}/d/{letter}-{i}.txt", "w", LINE)


# As CASES in scenarios.mjs: swap, preopen, after, attempt (or a stateful class).
CASES = {
    "dir-w": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: open_write_close(core, f"{GUEST}/d/w-{i}.txt", "w", LINE)},
    "dir-wx": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: open_write_close(core, f"{GUEST}/d/wx-{i}.txt", "wx", LINE)},
    "dir-mkdir": {
        "swap": ("pre/d", "pre/d-link"),
        "attempt": lambda core, i: open_write_close(core, f"{GUEST}/d/m-{i}/deep/file.txt", "w", LINE, mkdir=True),
    },
    "file-a": {"swap": ("pre/f.txt", "pre/f-link"), "attempt": lambda core, i: open_write_close(core, f"{GUEST}/f.txt", "a", LINE)},
    "file-w": {"swap": ("pre/f.txt", "pre/f-link"), "attempt": lambda core, i: open_write_close(core, f"{GUEST}/f.txt", "w", W_DATA)},
    "dir-reopen": {"swap": ("pre/d", "pre/d-link"), "stateful": Reopen},
    "preopen-renamed": {"after": renamed, "attempt": root_or_d("g")},
    "preopen-symlink": {"preopen": "pre-link", "after": retargeted, "attempt": root_or_d("h")},
}


class Swapper:
    """test/race/swapper.c on a pair; stop() puts the pair back and returns the swap count."""

    def __init__(self, swapper, a, b, stop_file):
        self.stop_file = stop_file
        if os.path.exists(stop_file):
            os.unlink(stop_file)
        self.proc = subprocess.Popen([swapper, a, b, stop_file, "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if self.proc.stdout.readline() != "ready\n":
            _, err = self.proc.communicate()
            raise RuntimeError(f"swapper exited before it swapped ({self.proc.returncode}): {err}")

    def stop(self):
        open(self.stop_file, "w").close()
        out, err = self.proc.communicate(timeout=60)
        os.unlink(self.stop_file)
        if self.proc.returncode != 0:
            raise RuntimeError(f"swapper failed ({self.proc.returncode}): {err}")
        return int(out.strip())


def main():
    wasm, swapper, root, name, attempts = sys.argv[1:6]
    attempts = int(attempts)
    spec = CASES[name]
    case_dir = os.path.join(root, name)
    started = time.monotonic()
    engine = make_engine()
    module = wasmtime.Module.from_file(engine, wasm)
    core = Core(engine, module, {GUEST: os.path.join(case_dir, spec.get("preopen", "pre"))})
    state = spec["stateful"](core) if "stateful" in spec else None
    attempt = state.attempt if state else spec["attempt"]
    if "after" in spec:
        spec["after"](case_dir)
    racer = None
    if "swap" in spec:
        a, b = spec["swap"]
        racer = Swapper(swapper, os.path.join(case_dir, a), os.path.join(case_dir, b), os.path.join(case_dir, "stop"))
    counts = {}
    swaps = 0
    try:
        for i in range(attempts):
            outcome = attempt(core, i)
            counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        if racer:
            swaps = racer.stop()
    if state:
        state.finish(core)
    core.stop()
    print(json.dumps({
        "case": name,
        "runtime": f"wasmtime (python {sys.version_info.major}.{sys.version_info.minor})",
        "attempts": attempts,
        "swaps": swaps,
        "counts": counts,
        "ms": round((time.monotonic() - started) * 1000),
    }))


if __name__ == "__main__":
    main()
