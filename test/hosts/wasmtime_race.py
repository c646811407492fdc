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

# reopen, mkdir and the other operations are beyond Core.open(); their constants come from the module like the rest.
wasmtime_core.LAYOUT.extend(
    name
    for name in (
        "KIND_REOPEN", "OPEN_MKDIR", "KIND_MKDIR", "KIND_RENAME", "KIND_UNLINK", "KIND_RMDIR", "KIND_COMMIT",
        "OPEN_ATOMIC", "MKDIR_RECURSIVE",
    )
    if name not in wasmtime_core.LAYOUT
)

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


def outcome(err):
    return "ok" if err == 0 else err


def mkdir(core, path, recursive=False):
    flags = core.k["MKDIR_RECURSIVE"] if recursive else 0
    return outcome(core.control(core.k["KIND_MKDIR"], 0, flags.to_bytes(4, "little") + path.encode("utf-8"))[0])


def rename(core, source, target):
    a = source.encode("utf-8")
    return outcome(core.control(core.k["KIND_RENAME"], 0, len(a).to_bytes(4, "little") + a + target.encode("utf-8"))[0])


def unlink(core, path):
    return outcome(core.control(core.k["KIND_UNLINK"], 0, path.encode("utf-8"))[0])


def rmdir(core, path):
    return outcome(core.control(core.k["KIND_RMDIR"], 0, path.encode("utf-8"))[0])


def write_atomic(core, path, data):
    """writeFile(path, data, { atomic: true }) as src/api/fs.ts sends it: OPEN of a temp beside the target, WRITE, COMMIT."""
    k = core.k
    base = path[path.rindex("/") + 1:] or "file"
    temp = f".{base}.{os.urandom(12).hex()}.tmp".encode("utf-8")
    bits = k["OPEN_WRITE"] | k["OPEN_EXCLUSIVE"] | k["OPEN_ATOMIC"]
    handle = core._next_handle
    err, _ = core.control(k["KIND_OPEN"], handle, bits.to_bytes(4, "little") + len(temp).to_bytes(4, "little") + temp + path.encode("utf-8"))
    if err:
        return err
    core._next_handle += 1
    core.write(handle, data)
    err, _ = core.control(k["KIND_COMMIT"], handle)
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


# The read cases: what is inside, what is outside (as scenarios.mjs has them).
IN_TEXT = b"inside\n"
OUT_TEXT = b"outside canary\n"
REGULAR_FILE = 4


def judge(value, inside, outside):
    """What a read returned: the inside value is "ok", the outside one READ_ESCAPE, anything else WRONG."""
    return "ok" if value == inside else "READ_ESCAPE" if value == outside else f"WRONG {value!r}"


def read_file(core, path):
    err, data = core.read_file(path)
    return err if err else judge(data, IN_TEXT, OUT_TEXT)


def stat_size(core, path, follow):
    err, filetype, size = core.stat(path, follow)
    if err:
        return err
    return judge(size, len(IN_TEXT), len(OUT_TEXT)) if filetype == REGULAR_FILE else "WRONG not a file"


def listed(core, path):
    err, names = core.readdir(path)
    return err if err else judge(",".join(sorted(names)), "existing.txt,same.txt", "keep.txt,same.txt")


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
    "file-a-hard-link": {
        "swap": ("pre/f.txt", "pre/f-hard"),
        "refuse_hard_links": True,
        "attempt": lambda core, i: open_write_close(core, f"{GUEST}/f.txt", "a", LINE),
    },
    "dir-reopen": {"swap": ("pre/d", "pre/d-link"), "stateful": Reopen},
    "preopen-renamed": {"after": renamed, "attempt": root_or_d("g")},
    "preopen-symlink": {"preopen": "pre-link", "after": retargeted, "attempt": root_or_d("h")},
    # The operations beside open; their trees (one entry per attempt, canaries outside) are made by the Node side.
    "op-rename": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: rename(core, f"{GUEST}/d/a-{i}", f"{GUEST}/d/b-{i}")},
    "op-rename-into": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: rename(core, f"{GUEST}/t-{i}", f"{GUEST}/d/t-{i}")},
    "op-unlink": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: unlink(core, f"{GUEST}/d/u-{i}")},
    "op-rmdir": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: rmdir(core, f"{GUEST}/d/r-{i}")},
    "op-mkdir": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: mkdir(core, f"{GUEST}/d/k-{i}")},
    "op-mkdir-recursive": {
        "swap": ("pre/d", "pre/d-link"),
        "attempt": lambda core, i: mkdir(core, f"{GUEST}/d/kr-{i}/deep", recursive=True),
    },
    "op-write-atomic": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: write_atomic(core, f"{GUEST}/d/aw-{i}", W_DATA)},
    "op-read-file": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: read_file(core, f"{GUEST}/d/same.txt")},
    "op-stat": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: stat_size(core, f"{GUEST}/d/same.txt", i % 2 == 0)},
    "op-readdir": {"swap": ("pre/d", "pre/d-link"), "attempt": lambda core, i: listed(core, f"{GUEST}/d")},
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
    core = Core(engine, module, {GUEST: os.path.join(case_dir, spec.get("preopen", "pre"))},
                refuse_hard_links=spec.get("refuse_hard_links", False))
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
