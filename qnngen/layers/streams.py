"""Stream plumbing layers inserted between compute layers: width converters and FIFOs."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .base import Cycles, Fold, HwLayer
from .cost import CostTerms, Memory, clog2, cost_terms, counter_bits, memory_luts

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
    rtl_module = "qnngen_dwc"

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

    def execute(self, x: np.ndarray) -> np.ndarray:
        return x

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {"IN_WIDTH": self.in_bits, "OUT_WIDTH": self.out_bits}


@dataclass(frozen=True)
class FIFO(HwLayer):
    """First-word fall-through FIFO of `depth` beats of `width` bits."""

    name: str
    width: int
    depth: int
    frame_beats: int
    kind = "FIFO"
    rtl_module = "qnngen_fifo"

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


    def execute(self, x: np.ndarray) -> np.ndarray:
        return x

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {"WIDTH": self.width, "DEPTH": self.depth}


@dataclass(frozen=True)
class Dup(HwLayer):
    """Fork: every beat of one stream goes to both outputs (width/beats set when wired)."""

    name: str
    tensor: str
    width: int = 0
    beats: int = 0
    kind = "Dup"
    rtl_module = "qnngen_dup"
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

    def execute(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x, x

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {"WIDTH": self.width}


@cost_terms("qnngen_dwc")
def dwc_terms(p: dict) -> CostTerms:
    g = math.gcd(p["IN_WIDTH"], p["OUT_WIDTH"])
    in_g, out_g = p["IN_WIDTH"] // g, p["OUT_WIDTH"] // g
    buf_g = in_g + out_g - 1
    buf, cw = buf_g * g, clog2(buf_g + 1)
    if p["IN_WIDTH"] >= p["OUT_WIDTH"]:
        # each buffer bit keeps, shifts, or loads the input at one of OUT_G offsets; synthesis
        # folds the offset decode (count bits) into each bit's LUTs
        lut = {"one": 1, "ctrl": cw, "down_buf": buf, "down_loads": out_g * p["IN_WIDTH"],
               "down_shift": buf * (in_g > 1), "down_decode": buf * (cw > 3), "down_offsets": out_g * cw}
    else:
        # the buffer shifts beats in; the output picks one of IN_G alignments
        lut = {"one": 1, "ctrl": cw, "up_out": p["OUT_WIDTH"] * (in_g - 1), "up_offsets": in_g * cw}
    return CostTerms(lut, {"one": 1, "ctrl": cw, "buf": buf})


@cost_terms("qnngen_fifo")
def fifo_terms(p: dict) -> CostTerms:
    width, depth = p["WIDTH"], p["DEPTH"]
    block = depth >= 65
    style = "block" if block else "distributed"
    # count and two pointers; the block variant adds a RAM count and a two-entry output skid
    ctrl = clog2(depth + 1) * (2 if block else 1) + counter_bits(depth) * 2
    kind = "block_" if block else "dist_"
    lut = {"one": 1, kind + "ctrl": ctrl, "skid": width if block else 0}
    ff = {"one": 1, kind + "ctrl": ctrl, "skid": 2 * width if block else 0}
    if not block:
        lut.update(memory_luts("buf_", width, depth, style))
    return CostTerms(lut, ff, (Memory(width, depth, style),))


@cost_terms("qnngen_dup")
def dup_terms(p: dict) -> CostTerms:
    return CostTerms({"one": 1, "data": p["WIDTH"]}, {"one": 1, "data": p["WIDTH"]})
