# SPDX-License-Identifier: Apache-2.0
"""A verilated `qnngen_kernel` with its host side in C++: an AXI4 slave memory model (sparse,
64-bit addresses, seeded latency and ready/valid gaps, protocol checks) and an AXI4-Lite host."""

from __future__ import annotations

import ctypes
import json
from pathlib import Path

import numpy as np

from ..errors import ModelError, QnnGenError
from .build import KERNEL_HARNESS_SOURCE, BuildError, Ports, build_model

__all__ = ["KERNEL_TOP", "KernelSim", "ProtocolError", "build_kernel"]

#: top module of the kernel shell (Vitis RTL-kernel port names)
KERNEL_TOP = "qnngen_kernel"
_RESET_CYCLES = 8
#: the harness's counters, in qnngen_kernel_stats order
_STATS = ("read_bursts", "write_bursts", "max_reads_in_flight", "read_beats", "write_beats")
_I64 = ctypes.c_int64
_U64 = ctypes.c_uint64
_PTR = ctypes.c_void_p


class ProtocolError(QnnGenError):
    """The kernel broke an AXI4 / AXI4-Lite rule, touched memory outside the host's buffers,
    or did not answer a register access."""


def _load(library: Path) -> ctypes.CDLL:
    """Open a kernel harness library and declare its C signatures."""
    lib = ctypes.CDLL(str(library))
    sigs = {
        "qnngen_kernel_mem_bits": ([], ctypes.c_int),
        "qnngen_kernel_new": (
            [_U64, ctypes.c_double, ctypes.c_int, ctypes.c_int, ctypes.c_int],
            _PTR,
        ),
        "qnngen_kernel_free": ([_PTR], None),
        "qnngen_kernel_open_trace": ([_PTR, ctypes.c_char_p], ctypes.c_int),
        "qnngen_kernel_reset": ([_PTR, ctypes.c_int], None),
        "qnngen_kernel_alloc": ([_PTR, _U64, _U64], ctypes.c_int),
        "qnngen_kernel_mem": ([_PTR, _U64, _PTR, _U64, ctypes.c_int], ctypes.c_int),
        "qnngen_kernel_write_cycles": ([_PTR, _U64, _I64, _PTR], None),
        "qnngen_kernel_write_reg": ([_PTR, ctypes.c_uint32, ctypes.c_uint32, _I64], ctypes.c_int),
        "qnngen_kernel_read_reg": (
            [_PTR, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32), _I64],
            ctypes.c_int,
        ),
        "qnngen_kernel_run": ([_PTR, _I64, ctypes.c_int], ctypes.c_int),
        "qnngen_kernel_interrupt": ([_PTR], ctypes.c_int),
        "qnngen_kernel_cycle": ([_PTR], _I64),
        "qnngen_kernel_error": ([_PTR], ctypes.c_char_p),
        "qnngen_kernel_stats": ([_PTR, _PTR], None),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    return lib


def _mem_bits(out: Path) -> int:
    """The kernel's memory port width of a build folder: its board's mem_width."""
    from ..fold import load_board

    report = out / "report.json"
    if not report.is_file():
        raise ModelError(f"{out}: no report.json (run: qnngen compile MODEL -o {out})")
    return load_board(json.loads(report.read_text())["board"]).mem_width


def build_kernel(out: Path, trace: bool = False, build_dir: Path | None = None) -> Path:
    """Verilate the kernel of build folder `out` (OUT/rtl) with the C++ host side; the library.

    Cached in build_dir (default OUT/sim_build, like `simulate`'s stream model).
    """
    rtl = Path(out) / "rtl"
    sources = sorted(rtl.glob("*.sv"))
    if not any(f"module {KERNEL_TOP}" in s.read_text() for s in sources):
        raise ModelError(
            f"{rtl}: no module {KERNEL_TOP} (the kernel shell); recompile with this qnngen: "
            f"qnngen compile MODEL -o {out}"
        )
    mem = _mem_bits(Path(out))
    try:
        return build_model(
            sources, Ports(KERNEL_TOP, mem, mem), build_dir or Path(out) / "sim_build",
            params={"MEM_DIR": f"{rtl.resolve()}/"}, trace=trace, harness=KERNEL_HARNESS_SOURCE,
        )  # fmt: skip
    except BuildError as exc:
        raise QnnGenError(str(exc).splitlines()[0] + "; the kernel RTL did not verilate") from None


class KernelSim:
    """One verilated kernel, reset, with its memory model and AXI4-Lite host.

    Args:
        out: a build folder (its kernel is verilated and cached in OUT/sim_build) or a library
            built with `build_model(..., harness=KERNEL_HARNESS_SOURCE)`.
        seed: seed of every random choice of the host side.
        stalls: probability of a gap on every ready and valid the host side drives, per cycle.
        max_read_latency: a read burst's first beat comes 1..this many cycles after its address.
        max_write_latency: a write response comes 1..this many cycles after the burst's wlast.
        max_outstanding: read (and write) bursts the memory accepts before it holds ready low.
        reg_timeout: cycles (at stalls=0; stretched by stalls) a register access may take before
            the kernel counts as not answering.
        trace: write a VCD waveform here (the library is built with tracing).
        build_dir: where a build folder's kernel is verilated and cached (default OUT/sim_build).
    """

    def __init__(
        self,
        out: Path,
        *,
        seed: int = 0,
        stalls: float = 0.0,
        max_read_latency: int = 32,
        max_write_latency: int = 16,
        max_outstanding: int = 8,
        reg_timeout: int = 1000,
        trace: Path | None = None,
        build_dir: Path | None = None,
    ) -> None:
        out = Path(out)
        if not 0.0 <= stalls < 1.0:
            raise ValueError(f"stalls={stalls} must be in [0, 1)")
        if min(max_read_latency, max_write_latency, max_outstanding) < 1:
            raise ValueError("latencies and max_outstanding must be at least 1")
        library = out if out.is_file() else build_kernel(out, trace is not None, build_dir)
        self._lib = _load(library)
        self.mem_bits: int = self._lib.qnngen_kernel_mem_bits()
        self.stalls = stalls
        self._lite_timeout = int(reg_timeout / (1.0 - stalls) ** 2)
        self._handle = self._lib.qnngen_kernel_new(
            seed & (2**64 - 1), stalls, max_read_latency, max_write_latency, max_outstanding
        )
        if trace is not None:
            status = self._lib.qnngen_kernel_open_trace(self._handle, str(trace).encode())
            if status:
                self.close()
                raise OSError(f"cannot trace into {trace} (library built without trace?)")
        self._lib.qnngen_kernel_reset(self._handle, _RESET_CYCLES)

    def close(self) -> None:
        """Free the model (and flush a trace)."""
        if getattr(self, "_handle", None):
            self._lib.qnngen_kernel_free(self._handle)
            self._handle = None

    def __enter__(self) -> KernelSim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _check(self, status: int) -> int:
        """Raise ProtocolError with the harness's message when a call reported an error."""
        if status == 1:
            raise ProtocolError(f"kernel: {self._lib.qnngen_kernel_error(self._handle).decode()}")
        return status

    @property
    def cycle(self) -> int:
        """Rising edges since reset was released."""
        return self._lib.qnngen_kernel_cycle(self._handle)

    @property
    def interrupt(self) -> bool:
        """The kernel's interrupt output now."""
        return bool(self._lib.qnngen_kernel_interrupt(self._handle))

    def alloc(self, addr: int, nbytes: int) -> None:
        """Declare a zero-filled host buffer of nbytes at byte address addr (any 64-bit value).

        Raises:
            ValueError: when it overlaps a buffer declared before or leaves the address space.
        """
        if addr < 0 or nbytes < 1 or addr + nbytes > 2**64:
            raise ValueError(f"buffer 0x{addr:x} + {nbytes} bytes is outside the 64-bit space")
        if self._lib.qnngen_kernel_alloc(self._handle, addr, nbytes):
            raise ValueError(f"buffer 0x{addr:x} + {nbytes} bytes overlaps another buffer")

    def mem_write(self, addr: int, data: bytes | np.ndarray) -> None:
        """Copy bytes into declared buffers (no clock)."""
        buf = np.ascontiguousarray(np.frombuffer(memoryview(data), dtype=np.uint8)).copy()
        if self._lib.qnngen_kernel_mem(self._handle, addr, buf.ctypes.data, buf.size, 1):
            raise ValueError(f"0x{addr:x} + {buf.size} bytes is not inside one declared buffer")

    def mem_read(self, addr: int, n: int) -> np.ndarray:
        """n bytes of declared buffers at addr, as uint8 (no clock)."""
        buf = np.zeros(n, dtype=np.uint8)
        if self._lib.qnngen_kernel_mem(self._handle, addr, buf.ctypes.data, n, 0):
            raise ValueError(f"0x{addr:x} + {n} bytes is not inside one declared buffer")
        return buf

    def write_cycles(self, addr: int, nbytes: int) -> np.ndarray:
        """Per memory word of [addr, addr + nbytes): the cycle of the kernel's last write to it
        (-1 if none). addr must be aligned to the port width."""
        word = self.mem_bits // 8
        if addr % word:
            raise ValueError(f"0x{addr:x} is not aligned to the {word}-byte memory port")
        out = np.empty(-(-nbytes // word), dtype=np.int64)
        self._lib.qnngen_kernel_write_cycles(self._handle, addr, out.size, out.ctypes.data)
        return out

    def write_reg(self, offset: int, value: int) -> None:
        """One AXI4-Lite write of a 32-bit value; the clock runs until its response."""
        self._check(
            self._lib.qnngen_kernel_write_reg(
                self._handle, offset, value & 0xFFFFFFFF, self._lite_timeout
            )
        )

    def read_reg(self, offset: int) -> int:
        """One AXI4-Lite read of a 32-bit register; the clock runs until its data."""
        value = ctypes.c_uint32()
        self._check(
            self._lib.qnngen_kernel_read_reg(
                self._handle, offset, ctypes.byref(value), self._lite_timeout
            )
        )
        return value.value

    def step(self, cycles: int) -> None:
        """Clock `cycles` cycles, the memory model serving the kernel."""
        self._check(self._lib.qnngen_kernel_run(self._handle, cycles, 0))

    def wait(self, max_cycles: int) -> bool:
        """Clock until the interrupt output is high (True) or max_cycles passed (False)."""
        return self._check(self._lib.qnngen_kernel_run(self._handle, max_cycles, 1)) == 0

    def stats(self) -> dict[str, int]:
        """Read and write bursts and beats the memory served, and the most read bursts in
        flight (accepted, not fully returned) at once."""
        out = np.zeros(len(_STATS), dtype=np.int64)
        self._lib.qnngen_kernel_stats(self._handle, out.ctypes.data)
        return dict(zip(_STATS, map(int, out)))
