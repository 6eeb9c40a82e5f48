# SPDX-License-Identifier: Apache-2.0
"""Drive a model built by `build_model`: per-cycle pokes for debugging, C++ batch runs for speed."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qnngen.sim.build import PORTS_FILE, Ports

__all__ = ["BatchResult", "DeadlockError", "Peek", "Simulator"]

_RESET_CYCLES = 4
_I64 = ctypes.c_int64
_PTR = ctypes.c_void_p


class DeadlockError(RuntimeError):
    """No beat moved on either port for idle_limit cycles while a batch still had work."""


@dataclass(frozen=True)
class Peek:
    """Port values seen at the current cycle, after the last poke settled."""

    s_ready: bool
    m_valid: bool
    m_data: int


@dataclass(frozen=True)
class BatchResult:
    """Outputs and handshake timing of one batch run (cycles count from the end of reset)."""

    outputs: np.ndarray  # uint32 (N, out_beats, out_words)
    in_first_cycle: np.ndarray  # int64 (N,): cycle the first input beat of each frame moved
    out_last_cycle: np.ndarray  # int64 (N,): cycle the last output beat of each frame moved
    cycles: int  # cycles simulated, from reset release to the last output beat inclusive


def _words(width: int) -> int:
    """32-bit words Verilator uses for a port of width bits."""
    return 1 if width <= 32 else 2 if width <= 64 else -(-width // 32)


def _load(library: Path) -> ctypes.CDLL:
    """Open the harness library and declare its C signatures."""
    lib = ctypes.CDLL(str(library))
    sigs = {
        "qnngen_in_words": ([], ctypes.c_int),
        "qnngen_out_words": ([], ctypes.c_int),
        "qnngen_new": ([], _PTR),
        "qnngen_free": ([_PTR], None),
        "qnngen_open_trace": ([_PTR, ctypes.c_char_p], ctypes.c_int),
        "qnngen_close_trace": ([_PTR], None),
        "qnngen_reset": ([_PTR, ctypes.c_int], None),
        "qnngen_poke": ([_PTR, ctypes.c_int, _PTR, ctypes.c_int], None),
        "qnngen_step": ([_PTR, _I64], None),
        "qnngen_peek": ([_PTR, _PTR, _PTR, _PTR], None),
        "qnngen_cycle": ([_PTR], _I64),
        "qnngen_batch_begin": (
            [_PTR, _PTR, _I64, _I64, _PTR, _I64, _PTR, _PTR, ctypes.c_double, ctypes.c_uint64],
            None,
        ),
        "qnngen_batch_run": ([_PTR, _I64, _I64, _PTR, _PTR], ctypes.c_int),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    return lib


class Simulator:
    """One instance of a verilated AXI-Stream design, reset and ready to run.

    Args:
        library: shared library returned by `build_model`.
        ports: port widths; read from the build folder when omitted.
    """

    def __init__(self, library: Path, ports: Ports | None = None) -> None:
        library = Path(library)
        if ports is None:
            ports = Ports(**json.loads((library.parent / PORTS_FILE).read_text()))
        self.ports = ports
        self._lib = _load(library)
        self._in_words = self._lib.qnngen_in_words()
        self._out_words = self._lib.qnngen_out_words()
        if (self._in_words, self._out_words) != (_words(ports.in_width), _words(ports.out_width)):
            raise ValueError(
                f"{ports.top}: library ports use {self._in_words}/{self._out_words} words, "
                f"which does not match in_width={ports.in_width}, out_width={ports.out_width}"
            )
        self._in_buf = (ctypes.c_uint32 * self._in_words)()
        self._out_buf = (ctypes.c_uint32 * self._out_words)()
        self._handle = self._lib.qnngen_new()
        self.reset()

    def close(self) -> None:
        """Close any trace and free the model."""
        if getattr(self, "_handle", None):
            self._lib.qnngen_free(self._handle)
            self._handle = None

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def cycle(self) -> int:
        """Rising edges since reset was released."""
        return self._lib.qnngen_cycle(self._handle)

    def reset(self) -> None:
        """Hold rst_n low for a few cycles with both valids/readies low; cycle restarts at 0."""
        self._lib.qnngen_reset(self._handle, _RESET_CYCLES)

    def poke(self, s_valid: bool, s_data: int, m_ready: bool) -> None:
        """Drive the input handshake, input data and output ready for the current cycle."""
        data = s_data & ((1 << self.ports.in_width) - 1)
        for i in range(self._in_words):
            self._in_buf[i] = (data >> (32 * i)) & 0xFFFFFFFF
        self._lib.qnngen_poke(self._handle, int(s_valid), self._in_buf, int(m_ready))

    def step(self, n: int = 1) -> None:
        """Clock n rising edges with the poked inputs held."""
        self._lib.qnngen_step(self._handle, n)

    def peek(self) -> Peek:
        """Read s_axis_tready, m_axis_tvalid and m_axis_tdata for the current cycle."""
        s_ready, m_valid = ctypes.c_int(), ctypes.c_int()
        self._lib.qnngen_peek(
            self._handle, ctypes.byref(s_ready), ctypes.byref(m_valid), self._out_buf
        )
        data = sum(int(w) << (32 * i) for i, w in enumerate(self._out_buf))
        return Peek(bool(s_ready.value), bool(m_valid.value), data)

    def open_trace(self, vcd_path: Path) -> None:
        """Start writing a VCD waveform; needs a library built with trace=True."""
        status = self._lib.qnngen_open_trace(self._handle, str(vcd_path).encode())
        if status == -1:
            raise RuntimeError(f"{self.ports.top}: rebuild with build_model(..., trace=True)")
        if status != 0:
            raise OSError(f"{self.ports.top}: cannot open trace file {vcd_path}")

    def close_trace(self) -> None:
        """Flush and close the VCD waveform, if one is open."""
        self._lib.qnngen_close_trace(self._handle)

    def run_batch(
        self,
        frames: np.ndarray,
        out_beats: int,
        stalls: float = 0.0,
        seed: int = 0,
        idle_limit: int = 100_000,
        progress: Callable[[int, int], object] | None = None,
    ) -> BatchResult:
        """Reset, stream frames through the design in C++ and collect out_beats beats per frame.

        Args:
            frames: uint32 (N, in_beats, in_words), e.g. from `qnngen.packing.pack_beats`.
            out_beats: output beats expected per frame.
            stalls: probability of an input bubble, and independently of m_axis_tready low,
                in each cycle (seeded, deterministic).
            seed: seed of the stall generator.
            idle_limit: cycles without any handshake after which the run is a deadlock.
            progress: called as progress(frames_done, total) between chunks of frames.

        Raises:
            DeadlockError: when no beat moves for idle_limit cycles while work remains.
        """
        frames = np.ascontiguousarray(frames, dtype=np.uint32)
        if frames.ndim != 3 or frames.shape[2] != self._in_words:
            raise ValueError(
                f"{self.ports.top}: frames must have shape (N, in_beats, {self._in_words}), "
                f"got {frames.shape}"
            )
        n, in_beats, _ = frames.shape
        if not 0.0 <= stalls <= 1.0 or out_beats < 1 or in_beats < 1 or idle_limit < 1:
            raise ValueError(
                "need 0 <= stalls <= 1, out_beats >= 1, in_beats >= 1, idle_limit >= 1"
            )
        outputs = np.zeros((n, out_beats, self._out_words), dtype=np.uint32)
        in_first = np.full(n, -1, dtype=np.int64)
        out_last = np.full(n, -1, dtype=np.int64)
        self.reset()
        self._lib.qnngen_batch_begin(
            self._handle, frames.ctypes.data, n, in_beats, outputs.ctypes.data, out_beats,
            in_first.ctypes.data, out_last.ctypes.data, stalls, seed & (2**64 - 1),
        )  # fmt: skip
        chunk = max(1, n if progress is None else -(-n // 100))
        n_in, n_out = _I64(), _I64()
        done = 0
        while done < n:
            done = min(n, done + chunk)
            status = self._lib.qnngen_batch_run(
                self._handle, done * out_beats, idle_limit, ctypes.byref(n_in), ctypes.byref(n_out)
            )
            if status:
                raise DeadlockError(
                    f"{self.ports.top}: no beat moved for {idle_limit} cycles, until cycle "
                    f"{self.cycle}: {n_in.value} of {n * in_beats} input beats "
                    f"({n_in.value // in_beats} of {n} frames) in, {n_out.value} of "
                    f"{n * out_beats} output beats ({n_out.value // out_beats} frames) out"
                )
            if progress is not None:
                progress(done, n)
        return BatchResult(outputs, in_first, out_last, self.cycle)
