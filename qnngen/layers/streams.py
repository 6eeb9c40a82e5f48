"""Stream plumbing layers inserted between compute layers: width converters and FIFOs."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .base import Cycles, Fold, HwLayer, Resources, RtlInstance
from .memory import map_memory

#: cycles from a beat entering qnngen_dup to it being offered on both outputs (rtl header)
DUP_LATENCY = 1
#: FIFO depth above which qnngen_fifo uses block RAM with a registered read (see rtl header)
FIFO_BRAM_MIN_DEPTH = 65


@dataclass(frozen=True)
class DWC(HwLayer):
    """Data width converter: the same bit stream, re-cut from in_bits- to out_bits-wide beats."""

    name: str
    in_bits: int
    out_bits: int
    frame_bits: int
    kind = "DWC"

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return self.in_bits

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.out_bits

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.frame_bits // self.in_bits

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.frame_bits // self.out_bits

    def cycles(self, fold: Fold) -> Cycles:
        beats = max(self.in_beats(fold), self.out_beats(fold))
        return Cycles(interval=beats, latency=beats + 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        """Output beat k leaves once the input beat holding its last bit is in, one per cycle."""
        last_bit = (np.arange(self.out_beats(fold)) + 1) * self.out_bits - 1
        ready = in_times[last_bit // self.in_bits] + 1
        return np.maximum.accumulate(np.maximum(ready, np.arange(len(ready)) + ready[0]))

    def resources(self, fold: Fold, family: str) -> Resources:
        buf = self.in_bits + self.out_bits
        return Resources(lut=buf + 2 * math.ceil(math.log2(buf + 1)) + 10, ff=buf + math.ceil(math.log2(buf + 1)) + 2)

    def execute(self, x: np.ndarray) -> np.ndarray:
        return x

    def rtl(self, fold: Fold) -> RtlInstance:
        return RtlInstance("qnngen_dwc", {"IN_WIDTH": self.in_bits, "OUT_WIDTH": self.out_bits})


@dataclass(frozen=True)
class FIFO(HwLayer):
    """First-word fall-through FIFO of `depth` beats of `width` bits."""

    name: str
    width: int
    depth: int
    frame_beats: int
    kind = "FIFO"

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return self.width

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.width

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.frame_beats

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.frame_beats

    @property
    def read_latency(self) -> int:
        return 2 if self.depth >= FIFO_BRAM_MIN_DEPTH else 1

    def cycles(self, fold: Fold) -> Cycles:
        return Cycles(interval=self.frame_beats, latency=self.frame_beats + self.read_latency - 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return in_times + self.read_latency

    def resources(self, fold: Fold, family: str) -> Resources:
        ctrl = 2 * math.ceil(math.log2(self.depth + 1))
        return map_memory(self.width, self.depth).resources + Resources(lut=ctrl + 4, ff=ctrl + 2)

    @property
    def memory_style(self) -> str:
        return map_memory(self.width, self.depth).style

    def execute(self, x: np.ndarray) -> np.ndarray:
        return x

    def rtl(self, fold: Fold) -> RtlInstance:
        return RtlInstance("qnngen_fifo", {"WIDTH": self.width, "DEPTH": self.depth})


@dataclass(frozen=True)
class Dup(HwLayer):
    """Fork: every beat of one stream goes to both outputs (width/beats set when wired)."""

    name: str
    tensor: str
    width: int = 0
    beats: int = 0
    kind = "Dup"
    foldable = False
    out_ports = ("m0_axis", "m1_axis")

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return self.width

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.width

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.beats

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.beats

    def fitted_to_input(self, width: int, beats: int) -> "Dup":
        """A fork carries whatever stream it reads."""
        return replace(self, width=width, beats=beats)

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        """None beyond the minimum: a fork passes beats straight on."""
        return 0

    def cycles(self, fold: Fold) -> Cycles:
        return Cycles(interval=self.beats, latency=self.beats + DUP_LATENCY)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return in_times + DUP_LATENCY

    def resources(self, fold: Fold, family: str) -> Resources:
        return Resources(lut=self.width // 2 + 8, ff=2 * self.width + 4)

    def execute(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x, x

    def rtl(self, fold: Fold) -> RtlInstance:
        return RtlInstance("qnngen_dup", {"WIDTH": self.width})
