"""A stand-in for `wasmtime run` built on the wasmtime Python package:

    python wasmtime_run.py [--dir HOST::GUEST]... MODULE.wasm [ARGS...]

is what `wasmtime run -W threads=y,shared-memory=y --dir HOST::GUEST MODULE.wasm ARGS...`
does for aiowasi-cli.wasm: the module gets ARGS (after its own name), the
preopens, this process's stdin/stdout/stderr, and its exit code becomes ours.
A trap exits 134, as the wasmtime CLI does on Unix.
"""
import os
import sys

import wasmtime

from wasmtime_core import make_engine


def main(argv):
    dirs = []
    while argv and argv[0] == "--dir":
        host, sep, guest = argv[1].partition("::")
        dirs.append((host, guest if sep else host))
        argv = argv[2:]
    if not argv:
        sys.stderr.write("usage: wasmtime_run.py [--dir HOST::GUEST]... MODULE.wasm [ARGS...]\n")
        return 2
    engine = make_engine()
    module = wasmtime.Module.from_file(engine, argv[0])
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [os.path.basename(argv[0]), *argv[1:]]
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    try:
        linker.instantiate(store, module).exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit:
        return exit.code
    except wasmtime.Trap as trap:
        sys.stderr.write(f"wasmtime_run: trap: {trap}\n")
        return 134
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
