"""Per-channel stream layers: thresholding, residual add, global sum pool, concat, label select."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np

from ..ir import BIPOLAR, DataType
from .base import Cycles, Fold, HwLayer, RomContents, divisors, require
from .concat_timing import (
    CONCAT_LATENCY,
    FIFO_LATENCY,
    concat_interval,
    concat_order,
    concat_out_times,
)
from .cost import (
    CostTerms, Memory, RomBits, clog2, cost_terms, counter_bits, memory_ffs, memory_luts, rom_memories, rom_of,
    threshold_terms,
)
from .gap_timing import gap_interval, gap_out_times
from .labelselect_timing import labelselect_interval, labelselect_out_times
from .memory import styles_of

#: cycles from a beat entering to its result being offered (rtl headers of thresh and add)
THRESH_LATENCY = 2
ADD_LATENCY = 1


def _bits_of(values: np.ndarray) -> np.ndarray:
    """Stream codes of bipolar values: -1/+1 -> 0/1."""
    return (np.asarray(values) > 0).astype(np.int64)


def _pipelined(in_times: np.ndarray, latency: int) -> np.ndarray:
    """One beat per cycle, each `latency` cycles after its input (output always ready)."""
    t = np.asarray(in_times, dtype=np.int64) + latency
    return np.maximum.accumulate(np.maximum(t, np.arange(len(t)) + (t[0] if len(t) else 0)))


@dataclass(frozen=True)
class _ChannelStream(HwLayer):
    """Base of layers that stream `pixels` x `channels` elements with PE channels per beat."""

    name: str
    channels: int
    pixels: int

    def fold_space(self) -> Iterator[Fold]:
        return (Fold(pe, 1) for pe in divisors(self.channels))

    def check(self, fold: Fold) -> None:
        require(fold.simd == 1, f"{self.name}: {self.kind} has no SIMD (got SIMD={fold.simd}); set PE")
        require(self.channels % fold.pe == 0, f"{self.name}: PE={fold.pe} must divide the {self.channels} channels")

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.pixels * self.channels // fold.pe

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.in_beats(fold)

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        return 0


@dataclass(frozen=True)
class Thresholding(_ChannelStream):
    """out[c] = out_bias + #{k : x[c] >= T[c, k]} (BIPOLAR output: the bit of x >= T[c, 0])."""

    in_dtype: DataType = field(default=None)
    out_dtype: DataType = field(default=None)
    thresholds: np.ndarray = field(default=None, repr=False)
    out_bias: int = 0
    kind = "Threshold"
    rtl_module = "qnngen_thresh"

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.in_dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.out_dtype.bitwidth()

    def cycles(self, fold: Fold) -> Cycles:
        beats = self.in_beats(fold)
        return Cycles(interval=beats, latency=beats + THRESH_LATENCY - 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return _pipelined(in_times, THRESH_LATENCY)

    def execute(self, x: np.ndarray) -> np.ndarray:
        v = np.asarray(x).reshape(len(x), -1, self.channels)
        count = np.sum(v[..., None] >= self.thresholds[None, None], axis=-1)
        y = 2 * count - 1 if self.out_dtype == BIPOLAR else self.out_bias + count
        return y.reshape(len(x), -1)

    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """(width, depth) of the threshold ROM: one word of PE*N thresholds per channel group."""
        return {"thresholds": (fold.pe * self.thresholds.shape[1] * self._t_bits(), self.channels // fold.pe)}

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_rom STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=("thresholds",))

    def _code_thresholds(self) -> tuple[np.ndarray, int, bool]:
        """Thresholds on the input's stream codes, clamped to [min, max + 1] of the codes."""
        t = self.thresholds
        if self.in_dtype == BIPOLAR:
            return np.clip(-((-(t + 1)) // 2), 0, 2), 1, False  # x = 2b - 1 >= t  <=>  b >= ceil((t+1)/2)
        lo, hi = int(self.in_dtype.min()), int(self.in_dtype.max())
        return np.clip(t, lo, hi + 1), self.in_dtype.bitwidth(), self.in_dtype.signed()

    def _t_bits(self) -> int:
        _, bits, signed = self._code_thresholds()
        return bits + (1 if signed else 2)

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        t, bits, signed = self._code_thresholds()
        return {
            "C": self.channels, "PE": fold.pe, "IN_BITS": bits, "IN_SIGNED": int(signed),
            "T_BITS": self._t_bits(), "N_THRES": int(t.shape[1]), "OUT_BITS": self.out_dtype.bitwidth(),
            "OUT_BIAS": 0 if self.out_dtype == BIPOLAR else self.out_bias, "T_FILE": f"{self.name}_t.mem",
            "T_STYLE": self.memory_styles(fold)["thresholds"],
        }

    def rom_words(self, fold: Fold) -> dict[str, RomContents]:
        t = self._code_thresholds()[0]
        words = t.reshape(self.channels // fold.pe, fold.pe * t.shape[1])
        return {"T_FILE": RomContents(words, self._t_bits(), t.shape[1])}


@dataclass(frozen=True)
class AddStreams(_ChannelStream):
    """Join of two streams in lock-step: out = a_mul * a + b_mul * b."""

    a_dtype: DataType = field(default=None)
    b_dtype: DataType = field(default=None)
    out_dtype: DataType = field(default=None)
    a_mul: int = 1
    b_mul: int = 1
    kind = "AddStreams"
    rtl_module = "qnngen_add"
    in_ports = ("s0_axis", "s1_axis")

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * (self.a_dtype if port == 0 else self.b_dtype).bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.out_dtype.bitwidth()

    def cycles(self, fold: Fold) -> Cycles:
        beats = self.in_beats(fold)
        return Cycles(interval=beats, latency=beats + ADD_LATENCY - 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return _pipelined(in_times, ADD_LATENCY)

    def execute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a, np.int64) * self.a_mul + np.asarray(b, np.int64) * self.b_mul

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        # a bipolar operand arrives as bit c with value 2c - 1
        a_mul, b_mul, offset = self.a_mul, self.b_mul, 0
        if self.a_dtype == BIPOLAR:
            a_mul, offset = 2 * a_mul, offset - self.a_mul
        if self.b_dtype == BIPOLAR:
            b_mul, offset = 2 * b_mul, offset - self.b_mul
        return {
            "PE": fold.pe, "A_BITS": self.a_dtype.bitwidth(), "A_SIGNED": int(self.a_dtype.signed() and self.a_dtype != BIPOLAR),
            "B_BITS": self.b_dtype.bitwidth(), "B_SIGNED": int(self.b_dtype.signed() and self.b_dtype != BIPOLAR),
            "A_MUL": a_mul, "B_MUL": b_mul, "OFFSET": offset, "OUT_BITS": self.out_dtype.bitwidth(),
        }


@dataclass(frozen=True)
class GlobalPool(_ChannelStream):
    """Per-channel sum over all pixels of a frame (the integer half of a global average pool)."""

    in_h: int = 1
    in_w: int = 1
    in_dtype: DataType = field(default=None)
    out_dtype: DataType = field(default=None)
    kind = "GlobalPool"
    rtl_module = "qnngen_gap"

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.channels // fold.pe

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.in_dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.out_dtype.bitwidth()

    def cycles(self, fold: Fold) -> Cycles:
        times = self.out_times(fold, np.arange(self.in_beats(fold)))
        return Cycles(interval=gap_interval(self.channels, self.in_h, self.in_w, fold.pe), latency=int(times[-1]) + 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return gap_out_times(self.channels, self.in_h, self.in_w, fold.pe, np.asarray(in_times))

    def execute(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, np.int64).reshape(len(x), -1, self.channels).sum(axis=1)

    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """(width, depth) of the accumulator RAM: one word of PE sums per channel group."""
        return {"accumulators": (self.out_width(fold), self.channels // fold.pe)}

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_ram STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=())

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {
            "C": self.channels, "IFM_H": self.in_h, "IFM_W": self.in_w, "SIMD": fold.pe,
            "IN_BITS": self.in_dtype.bitwidth(), "IN_SIGNED": int(self.in_dtype.signed()),
            "OUT_BITS": self.out_dtype.bitwidth(), "MEM_STYLE": self.memory_styles(fold)["accumulators"],
        }


@dataclass(frozen=True)
class Concat(_ChannelStream):
    """Channel concatenation of two streams: per pixel, c0 channels from input 0, then c1 from 1."""

    c0: int = 0
    dtype: DataType = field(default=None)
    kind = "Concat"
    rtl_module = "qnngen_concat"
    in_ports = ("s0_axis", "s1_axis")

    @property
    def c1(self) -> int:
        return self.channels - self.c0

    def fold_space(self) -> Iterator[Fold]:
        return (Fold(pe, 1) for pe in divisors(math.gcd(self.c0, self.c1)))

    def check(self, fold: Fold) -> None:
        super().check(fold)
        require(self.c0 % fold.pe == 0 and self.c1 % fold.pe == 0,
                f"{self.name}: PE={fold.pe} must divide both inputs' channels ({self.c0} and {self.c1})")

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.pixels * (self.c0 if port == 0 else self.c1) // fold.pe

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.pixels * self.channels // fold.pe

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.in_width(fold)

    def cycles(self, fold: Fold) -> Cycles:
        beats = self.out_beats(fold)
        return Cycles(interval=concat_interval(self.pixels, self.c0, self.c1, fold.pe), latency=beats + 1)

    def _take(self, fold: Fold, ins: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source, index, take cycle) of every output beat; the ins are the times beats are
        valid at the ports (FIFO outputs), i.e. one cycle after arriving at a LUTRAM FIFO."""
        out = concat_out_times(self.c0, self.c1, fold.pe, ins[0] - FIFO_LATENCY, ins[1] - FIFO_LATENCY)
        src, idx = concat_order(self.c0, self.c1, fold.pe, self.pixels)
        return src, idx, out - CONCAT_LATENCY

    def join_take_times(self, fold: Fold, ins: list[np.ndarray]) -> list[np.ndarray]:
        src, idx, take = self._take(fold, ins)
        return [take[src == k][np.argsort(idx[src == k])] for k in (0, 1)]

    def join_out_times(self, fold: Fold, ins: list[np.ndarray]) -> np.ndarray:
        return self._take(fold, ins)[2] + CONCAT_LATENCY

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        raise TypeError(f"{self.name}: a concat has two inputs; use join_out_times")

    def execute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        n = len(a)
        return np.concatenate([np.asarray(a).reshape(n, self.pixels, self.c0),
                               np.asarray(b).reshape(n, self.pixels, self.c1)], axis=-1).reshape(n, -1)

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {"PIXELS": self.pixels, "C0": self.c0, "C1": self.c1, "PE": fold.pe,
                                             "BITS": self.dtype.bitwidth()}


@dataclass(frozen=True)
class LabelSelect(_ChannelStream):
    """The indices of the k largest of `channels` values, largest first, ties to the lower index."""

    k: int = 1
    in_dtype: DataType = field(default=None)
    out_dtype: DataType = field(default=None)
    kind = "LabelSelect"
    rtl_module = "qnngen_labelselect"

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.k

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.in_dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.out_dtype.bitwidth()

    def cycles(self, fold: Fold) -> Cycles:
        beats = self.in_beats(fold)
        return Cycles(interval=labelselect_interval(self.channels, fold.pe, self.k), latency=beats + self.k)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return labelselect_out_times(self.channels, fold.pe, self.k, np.asarray(in_times))

    def execute(self, x: np.ndarray) -> np.ndarray:
        return np.argsort(-np.asarray(x, np.int64), axis=1, kind="stable")[:, : self.k]

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        signed = int(self.in_dtype.signed() and self.in_dtype != BIPOLAR)
        return {
            "N": self.channels, "PE": fold.pe, "BITS": self.in_dtype.bitwidth(), "SIGNED": signed,
            "K": self.k, "OUT_BITS": self.out_dtype.bitwidth(),
        }


@cost_terms("qnngen_thresh", roms=True)
def thresh_terms(p: dict, roms: Mapping[str, RomBits]) -> CostTerms:
    pe, cf, nt = p["PE"], p["C"] // p["PE"], p["N_THRES"]
    tw = pe * nt * p["T_BITS"]
    t = rom_of(roms, "T_FILE", tw, cf, pe * nt)
    thr_lut, thr_ff = threshold_terms(pe, nt, p["IN_BITS"], p["T_BITS"], t, p["T_STYLE"], p["OUT_BITS"])
    lut = {"one": 1, "ctrl": counter_bits(cf), **thr_lut}
    ff = {"one": 1, "ctrl": counter_bits(cf), "out": pe * p["OUT_BITS"], "x": pe * p["IN_BITS"], **thr_ff}
    mems, mux_lut, mux_ff = rom_memories((t, p["T_STYLE"]))
    return CostTerms(lut, ff, tuple(mems), fixed_lut=mux_lut, fixed_ff=mux_ff)


@cost_terms("qnngen_gap")
def gap_terms(p: dict) -> CostTerms:
    cf = p["C"] // p["SIMD"]
    wo, wi = p["SIMD"] * p["OUT_BITS"], p["SIMD"] * p["IN_BITS"]
    ctrl = counter_bits(cf) + counter_bits(p["IFM_H"] * p["IFM_W"])
    lut = {"one": 1, "ctrl": ctrl, "sum": wo}
    lut.update(memory_luts("buf_", wo, cf, p["MEM_STYLE"]))
    ff = {"one": 1, "ctrl": ctrl, "sum": wo, "x": wi}
    ff.update(memory_ffs("buf_", wo, cf, p["MEM_STYLE"]))
    return CostTerms(lut, ff, (Memory(wo, cf, p["MEM_STYLE"]),))


def _bit_span(bits: int, signed: int, mul: int, out_bits: int) -> set[int]:
    """Output bit positions an operand reaches after a shift by log2(mul) (a sign extends)."""
    lo = mul.bit_length() - 1
    return set(range(lo, out_bits if signed else min(lo + bits, out_bits)))


@cost_terms("qnngen_add")
def add_terms(p: dict) -> CostTerms:
    """Bits where both shifted operands are live need a LUT beside the carry chain; the rest
    of the sum is wiring (powers-of-two multipliers are shifts)."""
    a = _bit_span(p["A_BITS"], p["A_SIGNED"], p["A_MUL"], p["OUT_BITS"])
    b = _bit_span(p["B_BITS"], p["B_SIGNED"], p["B_MUL"], p["OUT_BITS"])
    live = p["OUT_BITS"] - min(a | b, default=p["OUT_BITS"])  # low bits of two shifts are 0
    overlap = len(a & b)
    lut = {"one": 1, "overlap": p["PE"] * overlap, "chains": p["PE"] * (overlap > 0)}
    return CostTerms(lut, {"one": 1, "sum": p["PE"] * live})


@cost_terms("qnngen_concat")
def concat_terms(p: dict) -> CostTerms:
    data = p["PE"] * p["BITS"]
    ctrl = clog2(p["C0"] // p["PE"] + p["C1"] // p["PE"])
    return CostTerms({"one": 1, "data": data, "ctrl": ctrl}, {"one": 1, "data": data, "ctrl": ctrl})


@cost_terms("qnngen_labelselect")
def labelselect_terms(p: dict) -> CostTerms:
    """Each of the K + PE candidates (the list, then the beat) is ranked against all others:
    one comparator per pair that is not two list entries (whose order is known), a count of
    wins per candidate, and a K x candidates select of value and index."""
    k, pe, bits, ob = p["K"], p["PE"], p["BITS"], p["OUT_BITS"]
    c = k + pe
    pairs = c * (c - 1) // 2 - k * (k - 1) // 2
    lut = {"one": 1, "cmp": pairs * bits, "rank": c * (c - 1) * clog2(c + 1), "sel": c * k * (bits + ob),
           "index": pe * ob, "ctrl": ob + clog2(k + 1)}
    ff = {"one": 1, "list": k * (bits + ob + 1), "ctrl": ob + clog2(k + 1)}
    return CostTerms(lut, ff)
