"""The reactor core (build/aiowasi.wasm) in the Wasmtime engine.

This is the JS hosts' producer and worker folded onto one thread: records go
into the shared ring, pump() writes them out, and control records answer with
(errno, value) in the control block. The layout constants are read from the
module's own exports, so this file cannot drift from assembly/layout.ts.
"""
import ctypes
import struct

import wasmtime

LAYOUT = [
    "CTRL_HEAD", "CTRL_TAIL", "CTRL_RESULT", "RESULT_ERRNO", "RESULT_VALUE",
    "REC_KIND", "REC_FILE", "REC_LEN", "REC_SEQ", "REC_HEADER", "REC_ALIGN",
    "KIND_WRITE", "KIND_OPEN", "KIND_FLUSH", "KIND_SYNC", "KIND_DATASYNC", "KIND_CLOSE", "KIND_STOP",
    "OPEN_WRITE", "OPEN_CREATE", "OPEN_TRUNCATE", "OPEN_APPEND", "OPEN_EXCLUSIVE", "OPEN_READ", "PUMP_IDLE",
    "PUMP_COMPLETED", "PUMP_STOPPED", "KIND_MKDIR", "KIND_RENAME", "KIND_UNLINK", "KIND_RMDIR", "KIND_STAT",
    "KIND_READDIR", "KIND_READ", "MKDIR_RECURSIVE", "STAT_NOFOLLOW", "REPLY_STAT_TYPE", "REPLY_STAT_SIZE",
]
U32 = struct.Struct("<I")
ENOSYS = 52
PAGE = 65536


def make_engine():
    """An engine that accepts the core's shared memory (threads + shared-memory)."""
    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    return wasmtime.Engine(config)


class CoreError(Exception):
    def __init__(self, errno, what):
        super().__init__(f"{what}: WASI errno {errno}")
        self.errno = errno


def shared_memory(engine, pages, maximum):
    """A shared memory for the module's env.memory import.

    wasmtime-py 49's SharedMemory._as_extern passes a pointer to its pointer
    where the C API wants the pointer ("incompatible types, LP_LP_..."), so
    the extern is built here the way the C API expects it.
    """
    memory = wasmtime.SharedMemory(engine, wasmtime.MemoryType(wasmtime.Limits(pages, maximum), shared=True))
    ffi = wasmtime._ffi
    memory._as_extern = lambda: ffi.wasmtime_extern_t(
        ffi.WASMTIME_EXTERN_SHAREDMEMORY, ffi.wasmtime_extern_union(sharedmemory=memory.ptr())
    )
    return memory


def define_host_imports(linker, module):
    """The reactor imports the JS hosts' anchored-walk steps (aiowasi_host.*).
    Wasmtime resolves beneath open directories itself (cap-std), so the core
    runs WASI-anchored here and never calls them: each answers ENOSYS."""
    for imp in module.imports:
        if imp.module == "aiowasi_host":
            ty = imp.type
            linker.define_func(imp.module, imp.name, ty, lambda *args: -ENOSYS)


class Core:
    """One instance of the reactor with its own WASI preopens (guest -> host).

    The module imports a shared memory (env.memory); here it gets one of its
    own, grown by the region init() carves its state from."""

    def __init__(self, engine, module, preopens, ring_bytes=4 << 20, chunk_size=64 << 10, reply_bytes=64 << 10,
                 refuse_hard_links=False):
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        define_host_imports(linker, module)
        self._store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        for guest, host in preopens.items():
            wasi.preopen_dir(host, guest)
        self._store.set_wasi(wasi)
        memory = shared_memory(engine, 1, 65536)
        linker.define(self._store, "env", "memory", memory)
        exports = linker.instantiate(self._store, module).exports(self._store)
        exports["_initialize"](self._store)
        size = exports["regionBytes"](self._store, ring_bytes, chunk_size, reply_bytes)
        pages = (size + PAGE - 1) // PAGE
        region = memory.grow(pages) * PAGE
        options = exports["INIT_REFUSE_HARD_LINKS"].value(self._store) if refuse_hard_links else 0
        err = exports["init"](self._store, region, pages * PAGE, ring_bytes, chunk_size, reply_bytes, options)
        if err:
            raise CoreError(err, "core init")
        self.k = {name: exports[name].value(self._store) for name in LAYOUT}
        self._pump = exports["pump"]
        base = ctypes.addressof(memory.data_ptr().contents)  # shared memory never moves
        self._ctrl = base + exports["ctrlPtr"](self._store)
        self._ring = base + exports["ringPtr"](self._store)
        self._reply = base + exports["replyPtr"](self._store)
        self._reply_bytes = reply_bytes
        self._ring_bytes = ring_bytes
        self._tail = 0
        self._next_handle = 0
        self._memory = memory

    def _set(self, addr, value):
        ctypes.c_uint32.from_address(addr).value = value

    def _get(self, addr):
        return ctypes.c_uint32.from_address(addr).value

    def _put(self, kind, handle, payload):
        k = self.k
        align = k["REC_ALIGN"]
        size = k["REC_HEADER"] + ((len(payload) + align - 1) & ~(align - 1))
        # Keep 8 bytes free so a full ring never looks empty (HEAD == TAIL).
        if self._tail + size > self._ring_bytes - 8:
            self.drain()
        rec = self._ring + self._tail
        self._set(rec + k["REC_KIND"], kind)
        self._set(rec + k["REC_FILE"], handle)
        self._set(rec + k["REC_LEN"], len(payload))
        self._set(rec + k["REC_SEQ"], 0)
        ctypes.memmove(rec + k["REC_HEADER"], payload, len(payload))
        self._tail += size

    def drain(self):
        """Pumps every published record out; the empty ring starts over at 0."""
        k = self.k
        self._set(self._ctrl + k["CTRL_TAIL"], self._tail)
        while self._pump(self._store) != k["PUMP_IDLE"]:
            pass
        self._set(self._ctrl + k["CTRL_HEAD"], 0)
        self._set(self._ctrl + k["CTRL_TAIL"], 0)
        self._tail = 0

    def write(self, handle, data):
        """Queues bytes for a file; big writes become ring-sized pieces. Errors surface at flush/close."""
        piece = self._ring_bytes // 4
        for start in range(0, len(data), piece):
            self._put(self.k["KIND_WRITE"], handle, data[start:start + piece])

    def control(self, kind, handle, payload=b""):
        """Runs one control record after every write before it; returns (errno, value)."""
        k = self.k
        self._put(kind, handle, payload)
        self._set(self._ctrl + k["CTRL_TAIL"], self._tail)
        done = (k["PUMP_COMPLETED"], k["PUMP_STOPPED"])
        while self._pump(self._store) not in done:
            pass
        result = self._ctrl + k["CTRL_RESULT"]
        outcome = (self._get(result + k["RESULT_ERRNO"]), self._get(result + k["RESULT_VALUE"]))
        self.drain()
        return outcome

    def open(self, path, flag):
        """Opens a path as the JS hosts' flags say; returns (errno, handle)."""
        k = self.k
        bits = k["OPEN_WRITE"] | (k["OPEN_APPEND"] if flag.startswith("a") else 0)
        bits |= k["OPEN_EXCLUSIVE"] if flag.endswith("x") else k["OPEN_CREATE"] | (0 if flag.startswith("a") else k["OPEN_TRUNCATE"])
        return self.open_bits(bits, path)

    def open_bits(self, bits, path):
        """Opens a path with OPEN_* bits; returns (errno, handle)."""
        handle = self._next_handle
        err, _ = self.control(self.k["KIND_OPEN"], handle, U32.pack(bits) + path.encode("utf-8"))
        if err == 0:
            self._next_handle += 1
        return err, handle

    # The rest of the file system: the records the JS hosts send, with the
    # reply area read the way src/api/fs.ts and src/api/reads.ts read it.

    def mkdir(self, path, recursive=False):
        bits = self.k["MKDIR_RECURSIVE"] if recursive else 0
        return self.control(self.k["KIND_MKDIR"], 0, U32.pack(bits) + path.encode("utf-8"))[0]

    def rename(self, source, target):
        a, b = source.encode("utf-8"), target.encode("utf-8")
        return self.control(self.k["KIND_RENAME"], 0, U32.pack(len(a)) + a + b)[0]

    def unlink(self, path):
        return self.control(self.k["KIND_UNLINK"], 0, path.encode("utf-8"))[0]

    def rmdir(self, path):
        return self.control(self.k["KIND_RMDIR"], 0, path.encode("utf-8"))[0]

    def stat(self, path, follow=True):
        """(errno, WASI filetype, size)."""
        flags = 0 if follow else self.k["STAT_NOFOLLOW"]
        err, _ = self.control(self.k["KIND_STAT"], 0, U32.pack(0) + U32.pack(flags) + path.encode("utf-8"))
        if err:
            return err, None, None
        kind = ctypes.c_uint8.from_address(self._reply + self.k["REPLY_STAT_TYPE"]).value
        size = ctypes.c_uint64.from_address(self._reply + self.k["REPLY_STAT_SIZE"]).value
        return 0, kind, size

    def readdir(self, path):
        """(errno, names): WASI dirents from the reply area, asked again from the last whole entry's cookie."""
        names, cookie, cap = [], 0, self._reply_bytes
        while True:
            payload = U32.pack(0) + U32.pack(cap) + struct.pack("<Q", cookie) + path.encode("utf-8")
            err, used = self.control(self.k["KIND_READDIR"], 0, payload)
            if err:
                return err, None
            data, at, last = ctypes.string_at(self._reply, used), 0, cookie
            while at + 24 <= used:
                length = U32.unpack_from(data, at + 16)[0]
                if at + 24 + length > used:
                    break
                name = data[at + 24:at + 24 + length].decode("utf-8")
                if name not in (".", ".."):
                    names.append(name)
                last = struct.unpack_from("<Q", data, at)[0]
                at += 24 + length
            if used < cap or last == cookie:
                return 0, names
            cookie = last

    def read_file(self, path):
        """(errno, bytes): open "r", reads into the reply area until 0, close."""
        err, handle = self.open_bits(self.k["OPEN_READ"], path)
        if err:
            return err, None
        chunks = []
        while True:
            err, got = self.control(self.k["KIND_READ"], handle, U32.pack(0) + U32.pack(self._reply_bytes))
            if err or got == 0:
                break
            chunks.append(ctypes.string_at(self._reply, got))
        self.control(self.k["KIND_CLOSE"], handle)
        return err, b"".join(chunks)

    def stop(self):
        self.control(self.k["KIND_STOP"], 0)
