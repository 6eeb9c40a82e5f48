# SPDX-License-Identifier: Apache-2.0
"""Run a batch of frames through a verilated kernel the way a host does: buffers in memory,
register writes, ap_start, wait for the interrupt, check ap_done, read the outputs back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import QnnGenError
from ..memlayout import FrameLayout
from ..shell import CONTROL, CYCLES, FRAMES, GIE, IER, IN_ADDR, ISR, OUT_ADDR
from .kernel import KernelSim, ProtocolError

__all__ = ["DEFAULT_IN_ADDR", "DEFAULT_OUT_ADDR", "KernelRun", "MemoryPace", "run_frames"]

#: default buffer addresses: the input above 4 GiB, so the upper address word is exercised
DEFAULT_IN_ADDR = 0x1_0000_1000
DEFAULT_OUT_ADDR = 0x2000_0000
#: progress checks per run
_CHECKS = 100
_MIN_CHUNK = 10_000
_AP_DONE, _AP_IDLE = 1 << CONTROL.bit("ap_done").pos, 1 << CONTROL.bit("ap_idle").pos


@dataclass(frozen=True)
class MemoryPace:
    """Which side sets the kernel's rate: the core's interval or the memory port, which moves
    one word per cycle on each of its read and write channels (fewer under stalls)."""

    core_interval_cycles: float
    words_per_frame_in: int
    words_per_frame_out: int
    stalls: float

    @property
    def memory_bound_cycles(self) -> int:
        """Cycles per frame the memory port needs at one word per cycle per channel."""
        return max(self.words_per_frame_in, self.words_per_frame_out)

    @property
    def memory_bound_cycles_with_stalls(self) -> float:
        """memory_bound_cycles when each handshake waits for the host side with the stall rate."""
        return self.memory_bound_cycles / (1.0 - self.stalls)

    @property
    def pace(self) -> str:
        """ "memory" when the memory port needs more cycles per frame than the core, else "core"."""
        return (
            "memory" if self.memory_bound_cycles_with_stalls > self.core_interval_cycles else "core"
        )

    @property
    def expected_interval_cycles(self) -> float:
        """The kernel's cycles per frame the slower side allows."""
        return max(self.core_interval_cycles, self.memory_bound_cycles_with_stalls)


@dataclass(frozen=True)
class KernelRun:
    """What the runs of the kernel produced. A batch of N >= 2 frames runs twice, back to back:
    frame 0 alone, then all N; the difference of the two runs' cycle counts over N - 1 frames is
    the kernel's steady-state cycles per frame, free of pipeline fill and of the shell's burst
    buffering (which hides when each frame finishes)."""

    outputs: np.ndarray  # int64 (N, out elems), from the run of all N frames
    first_output: np.ndarray | None  # int64 (out elems,), from the run of frame 0 alone
    cycles: int  # the kernel's cycles register after the run of N frames: ap_start to ap_done
    single_cycles: int | None  # ... after the run of frame 0 alone: one frame's latency
    stats: dict[str, int]  # memory traffic of both runs

    @property
    def interval_cycles(self) -> float | None:
        """Steady-state cycles per frame: (cycles - single_cycles) / (N - 1)."""
        if self.single_cycles is None:
            return None
        return (self.cycles - self.single_cycles) / (len(self.outputs) - 1)


def _write64(k: KernelSim, offset: int, value: int) -> None:
    k.write_reg(offset, value & 0xFFFFFFFF)
    k.write_reg(offset + 4, value >> 32)


def _frames_done(written: np.ndarray, frames: int, start: int) -> int:
    """Output frames whose every word has been written since cycle start."""
    return int(np.all(written.reshape(frames, -1) >= start, axis=1).sum())


def _run(
    k: KernelSim,
    n: int,
    lin: FrameLayout,
    lout: FrameLayout,
    in_addr: int,
    out_addr: int,
    idle_limit: int,
    expected_cycles: int,
    progress: Callable[[int, int], object] | None,
) -> int:
    """One run of n frames (ap_start to the interrupt, then ap_done checked and the interrupt
    cleared); the kernel's cycles register."""
    if not k.read_reg(CONTROL.offset) & _AP_IDLE:
        raise ProtocolError("kernel: ap_idle is low before ap_start")
    _write64(k, IN_ADDR.offset, in_addr)
    _write64(k, OUT_ADDR.offset, out_addr)
    k.write_reg(FRAMES.offset, n)
    k.write_reg(GIE.offset, 1)
    k.write_reg(IER.offset, 1 << IER.bit("ap_done").pos)
    start = k.cycle
    k.write_reg(CONTROL.offset, 1 << CONTROL.bit("ap_start").pos)
    out_bytes = lout.buffer_bytes(n)
    chunk = max(_MIN_CHUNK, min(idle_limit, expected_cycles // _CHECKS))
    last_beats, last_change = -1, k.cycle
    while not k.wait(chunk):
        stats = k.stats()
        beats = stats["read_beats"] + stats["write_beats"]
        if beats != last_beats:
            last_beats, last_change = beats, k.cycle
        elif k.cycle - last_change >= idle_limit:
            raise QnnGenError(
                f"kernel simulation deadlocked: no memory beat moved for {idle_limit} cycles, "
                f"until cycle {k.cycle}, in a run of {n} frames ({lin.words_per_frame} words per "
                f"frame in, {lout.words_per_frame} out; {stats['read_beats']} read and "
                f"{stats['write_beats']} written in all runs so far)"
            )
        if progress is not None:
            progress(_frames_done(k.write_cycles(out_addr, out_bytes), n, start), n)
    ctrl = k.read_reg(CONTROL.offset)
    if ctrl & (_AP_DONE | _AP_IDLE) != _AP_DONE | _AP_IDLE:
        raise ProtocolError(f"kernel: interrupt with CTRL=0x{ctrl:x}, not ap_done and ap_idle")
    if not k.read_reg(ISR.offset) & 1:
        raise ProtocolError("kernel: interrupt without ISR.ap_done")
    k.write_reg(ISR.offset, 1)  # toggle-on-write: clears the status
    if k.interrupt:
        raise ProtocolError("kernel: interrupt still high after clearing ISR.ap_done")
    written = k.write_cycles(out_addr, out_bytes)
    if _frames_done(written, n, start) != n:
        missing = int(np.argmax(np.any(written.reshape(n, -1) < start, axis=1)))
        raise ProtocolError(f"kernel: ap_done before output frame {missing} of {n} was written")
    if progress is not None:
        progress(n, n)
    return k.read_reg(CYCLES.offset) | k.read_reg(CYCLES.offset + 4) << 32


def run_frames(
    k: KernelSim,
    values: np.ndarray,
    lin: FrameLayout,
    lout: FrameLayout,
    *,
    in_addr: int = DEFAULT_IN_ADDR,
    out_addr: int = DEFAULT_OUT_ADDR,
    idle_limit: int = 1_000_000,
    expected_cycles: int = 0,
    progress: Callable[[int, int], object] | None = None,
) -> KernelRun:
    """Run the integer input frames `values` (N, lin.elems) through the kernel: frame 0 alone,
    then (when N >= 2) all N frames in one run, with buffers at in_addr and out_addr.

    Raises:
        ProtocolError: the kernel broke an AXI rule, its control and status did not follow
            ap_ctrl_hs (idle before the start, ap_done and the interrupt at the end), it
            finished before writing every output word or it wrote into its input.
        QnnGenError: a buffer address is not aligned to the memory port or the buffers overlap;
            no memory beat moved for idle_limit cycles (a deadlock).
    """
    n = len(values)
    image = lin.pack(values)
    word = k.mem_bits // 8
    for name, addr, size in (
        ("in_addr", in_addr, lin.buffer_bytes(n)),
        ("out_addr", out_addr, lout.buffer_bytes(n)),
    ):
        if addr % word:
            raise QnnGenError(
                f"{name} 0x{addr:x}: must be a multiple of {word} bytes (the memory port width)"
            )
        try:
            k.alloc(addr, size)
        except ValueError as exc:
            raise QnnGenError(f"{name}: {exc}") from None
    k.mem_write(in_addr, image)
    first, single = None, None
    if n >= 2:
        single = _run(k, 1, lin, lout, in_addr, out_addr, idle_limit, expected_cycles // n, None)
        first = lout.unpack(k.mem_read(out_addr, lout.frame_bytes), 1)[0]
    cycles = _run(k, n, lin, lout, in_addr, out_addr, idle_limit, expected_cycles, progress)
    if not np.array_equal(k.mem_read(in_addr, lin.buffer_bytes(n)), image.reshape(-1)):
        raise ProtocolError("kernel: the input buffer changed during the run")
    outputs = lout.unpack(k.mem_read(out_addr, lout.buffer_bytes(n)), n)
    return KernelRun(outputs, first, cycles, single, k.stats())
