"""The Python-side contenders of the benchmark, one run per call:

    python python_bench.py CONTENDER WORKLOAD full|quick SCALE DIR PLAN_JSON

CONTENDER: aiofiles (the seed's library, with asyncio), wasmtime-cli
(build/aiowasi-cli.wasm on the wasmtime engine, stdin -> file) or plain-copy
(the same stdin -> file with 1 MiB blocking reads and writes: the bar the
command module is measured against). Prints one JSON line shaped like
bench/measure.js's. PLAN_JSON is bench/workloads.js's planOf() for the run
(parameters, writes, bytes, expected files and the unit their content
repeats), passed by bench/run.js, so the sizes are defined once. The wasmtime
contenders take the byte-stream workloads (W1, W2) and the cold start (W5);
aiofiles takes W1-W5 and R2 (line iteration over the file R2 reads).
"""
import asyncio
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "hosts"))

# R2's line n, as bench/workloads.js's numberedLine makes it (64 bytes).
def numbered_line(n):
    return f"{n:012d} " + "x" * 50 + "\n"

LINE = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
MIB = 1024 * 1024

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- aiofiles, with a 1 ms asyncio timer measuring the loop's lateness ---

async def aiofiles_run(workload, p, d):
    import aiofiles

    if workload == "W1":
        async with aiofiles.open(f"{d}/w1.log", "wb") as f:
            for _ in range(p["lines"]):
                await f.write(LINE)
    elif workload == "W2":
        block = b"a" * p["size"]
        async with aiofiles.open(f"{d}/w2.bin", "wb") as f:
            for _ in range(p["blocks"]):
                await f.write(block)
    elif workload == "W3":
        async def one(n):
            async with aiofiles.open(f"{d}/w3-{n}.log", "wb") as f:
                for _ in range(p["lines"]):
                    await f.write(LINE)
        await asyncio.gather(*(one(n) for n in range(p["files"])))
    elif workload == "W4":
        text = (LINE.decode() * -(-p["chars"] // 64))[: p["chars"]]

        async def one(n):
            async with aiofiles.open(f"{d}/w4-{n}.txt", "w") as f:
                for at in range(0, len(text), p["chunk"]):
                    await f.write(text[at:at + p["chunk"]])
        await asyncio.gather(*(one(n) for n in range(p["files"])))
    elif workload == "W5":
        for _ in range(p["rounds"]):
            async with aiofiles.open(f"{d}/w5.txt", "wb") as f:
                await f.write(LINE * 16)
    elif workload == "R2":
        count, chars, first, last = 0, 0, None, None
        async with aiofiles.open(f"{d}/r2.txt", "r") as f:
            async for line in f:
                if count == 0:
                    first = line
                last = line
                count += 1
                chars += len(line) - 1
        return {"count": count, "chars": chars, "first": first, "last": last}
    else:
        raise SystemExit(f"aiofiles does not take {workload}")


def prepare(workload, p, d):
    """The input a read workload needs, made before the timed part (as measure.js's prepare)."""
    if workload == "R2":
        with open(f"{d}/r2.txt", "w") as f:
            for start in range(0, p["lines"], 16384):
                f.write("".join(numbered_line(n) for n in range(start, min(p["lines"], start + 16384))))


def check(workload, p, outcome):
    if workload == "R2":
        want = lambda n: numbered_line(n)  # noqa: E731
        ok = (outcome["count"] == p["lines"] and outcome["chars"] == p["lines"] * 63
              and outcome["first"] == want(0) and outcome["last"] == want(p["lines"] - 1))
        if not ok:
            raise SystemExit(f"R2: {outcome['count']} lines, {outcome['chars']} chars; expected {p['lines']}")


def check_pattern(what, path, unit, length):
    """The file is `length` bytes of `unit` repeated (read 1 MiB at a time; 1 MiB is a multiple of 64)."""
    unit = unit.encode()
    block = (unit * (MIB // len(unit) + 1))[:MIB]
    with open(path, "rb") as f:
        at = 0
        while at < length:
            got = f.read(min(MIB, length - at))
            if not got or got != block[:len(got)]:
                raise SystemExit(f"{what}: wrong content at {at}")
            at += len(got)


async def aiofiles_measure(workload, p, d):
    lags = []
    done = False

    async def ticker():
        expected = time.perf_counter() + 0.001
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            lags.append(max(0.0, now - expected) * 1000)
            expected = now + 0.001

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    outcome = await aiofiles_run(workload, p, d)
    seconds = time.perf_counter() - started
    done = True
    await tick
    check(workload, p, outcome)
    return seconds, lags


# --- the command module on wasmtime, and the plain copy it is measured against ---

def make_input(workload, p, d):
    path = f"{d}/input.bin"
    # Written in blocks, so the input's bytes are not held in this process's memory.
    if workload == "W1":
        block, count = LINE * 16384, p["lines"] // 16384
        tail = LINE * (p["lines"] % 16384)
    elif workload == "W2":
        block, count, tail = b"a" * p["size"], p["blocks"], b""
    else:
        block, count, tail = LINE * 16, 1, b""
    with open(path, "wb") as f:
        for _ in range(count):
            f.write(block)
        f.write(tail)
    return path


def wasmtime_copy(engine, module, d, source, target):
    import wasmtime

    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = ["aiowasi-cli.wasm", "write", f"/bench/{target}"]
    wasi.preopen_dir(d, "/bench")
    wasi.stdin_file = source
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    try:
        linker.instantiate(store, module).exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit:
        if exit.code != 0:
            raise RuntimeError(f"aiowasi-cli.wasm exited {exit.code}")


def plain_copy(d, source, target):
    src = os.open(source, os.O_RDONLY)
    dst = os.open(f"{d}/{target}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while True:
            block = os.read(src, MIB)
            if not block:
                break
            view = memoryview(block)
            while view:
                view = view[os.write(dst, view):]
    finally:
        os.close(src)
        os.close(dst)


def stream_measure(contender, workload, p, d):
    if workload not in ("W1", "W2", "W5"):
        raise SystemExit(f"{contender} takes W1, W2 and W5 (byte streams and cold start), not {workload}")
    source = make_input(workload, p, d)
    target = {"W1": "w1.log", "W2": "w2.bin", "W5": "w5.txt"}[workload]
    rounds = p["rounds"] if workload == "W5" else 1
    if contender == "wasmtime-cli":
        from wasmtime_core import make_engine
        import wasmtime

        engine = make_engine()
        module = wasmtime.Module.from_file(engine, os.path.join(ROOT, "build", "aiowasi-cli.wasm"))
        copy = lambda: wasmtime_copy(engine, module, d, source, target)  # noqa: E731
    else:
        copy = lambda: plain_copy(d, source, target)  # noqa: E731
    started = time.perf_counter()
    for _ in range(rounds):
        copy()
    seconds = time.perf_counter() - started
    os.remove(source)
    return seconds, []


def main():
    contender, workload, _size, scale_text, d, plan_json = sys.argv[1:7]
    plan = json.loads(plan_json)
    p = plan["params"]
    for entry in os.listdir(d):
        os.remove(os.path.join(d, entry))
    prepare(workload, p, d)
    rss_before = rss_bytes()
    if contender == "aiofiles":
        seconds, lags = asyncio.run(aiofiles_measure(workload, p, d))
    elif contender in ("wasmtime-cli", "plain-copy"):
        seconds, lags = stream_measure(contender, workload, p, d)
    else:
        raise SystemExit(f"unknown contender {contender}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    files = []
    for name, want, unit in plan["expected"]:
        got = os.stat(os.path.join(d, name)).st_size
        files.append({"file": name, "bytes": want, "got": got})
        if got != want:
            raise SystemExit(f"{contender} {workload}: {name} has {got} bytes, expected {want}")
        if unit:
            check_pattern(f"{contender} {workload}: {name}", os.path.join(d, name), unit, want)
    lags.sort()
    at = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else None  # noqa: E731
    print(json.dumps({
        "contender": contender, "workload": workload, "scale": float(scale_text), "seconds": seconds,
        "writes": plan["writes"], "bytes": plan["bytes"], "lagP99": at(0.99), "lagMax": lags[-1] if lags else None,
        "rssGrowthMiB": max(0, peak - rss_before) / MIB, "extra": {}, "files": files,
    }))


if __name__ == "__main__":
    main()
