"""Streaming max pooling on an NHWC stream (pool size = stride, no padding, floor mode)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..ir import BIPOLAR, DataType
from .base import Cycles, Fold, HwLayer, divisors, require
from .cost import CostTerms, Memory, cost_terms, counter_bits, memory_ffs, memory_luts
from .memory import styles_of
from .pool_timing import maxpool_interval, maxpool_out_times


@dataclass(frozen=True)
class MaxPoolLayer(HwLayer):
    """K x K max pooling with stride K of a channels x in_h x in_w image, PE channels per beat."""

    name: str
    dtype: DataType
    channels: int
    in_h: int
    in_w: int
    k: int
    kind = "MaxPool"
    rtl_module = "qnngen_maxpool"

    @property
    def out_h(self) -> int:
        return self.in_h // self.k

    @property
    def out_w(self) -> int:
        return self.in_w // self.k

    def fold_space(self) -> Iterator[Fold]:
        return (Fold(pe, 1) for pe in divisors(self.channels))

    def check(self, fold: Fold) -> None:
        require(fold.simd == 1, f"{self.name}: a max pool has no SIMD (got SIMD={fold.simd}); set PE")
        require(self.channels % fold.pe == 0, f"{self.name}: PE={fold.pe} must divide the {self.channels} channels")

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        """None beyond the minimum: the unit reads whenever it has buffer space."""
        return 0

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.in_width(fold)

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.in_h * self.in_w * self.channels // fold.pe

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.out_h * self.out_w * self.channels // fold.pe

    def _timing_args(self, fold: Fold) -> dict:
        return {"c": self.channels, "ifm_h": self.in_h, "ifm_w": self.in_w, "k": self.k, "simd": fold.pe}

    def cycles(self, fold: Fold) -> Cycles:
        times = self.out_times(fold, np.arange(self.in_beats(fold)))
        return Cycles(interval=maxpool_interval(**self._timing_args(fold)), latency=int(times[-1]) + 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return maxpool_out_times(**self._timing_args(fold), in_times=np.asarray(in_times))

    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """(width, depth) of the accumulator RAM: one word per output column and channel group."""
        return {"accumulators": (self.in_width(fold), self.out_w * self.channels // fold.pe)}

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_ram STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=())

    def execute(self, x: np.ndarray) -> np.ndarray:
        n, k = len(x), self.k
        img = np.asarray(x).reshape(n, self.in_h, self.in_w, self.channels)
        img = img[:, : self.out_h * k, : self.out_w * k]
        return img.reshape(n, self.out_h, k, self.out_w, k, self.channels).max(axis=(2, 4)).reshape(n, -1)

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        signed = int(self.dtype.signed() and self.dtype != BIPOLAR)
        return {
            "C": self.channels, "IFM_H": self.in_h, "IFM_W": self.in_w, "K": self.k, "STRIDE": self.k,
            "SIMD": fold.pe, "BITS": self.dtype.bitwidth(), "SIGNED": signed,
            "MEM_STYLE": self.memory_styles(fold)["accumulators"],
        }


@cost_terms("qnngen_maxpool")
def maxpool_terms(p: dict) -> CostTerms:
    cf = p["C"] // p["SIMD"]
    wb = p["SIMD"] * p["BITS"]
    depth = p["IFM_W"] // p["K"] * cf
    ctrl = counter_bits(depth) + counter_bits(cf) + counter_bits(p["K"]) * 2 + counter_bits(p["IFM_W"]) + counter_bits(p["IFM_H"])
    lut = {"one": 1, "ctrl": ctrl, "max": wb}
    lut.update(memory_luts("buf_", wb, depth, p["MEM_STYLE"]))
    ff = {"one": 1, "ctrl": ctrl, "data": wb}
    ff.update(memory_ffs("buf_", wb, depth, p["MEM_STYLE"]))
    return CostTerms(lut, ff, (Memory(wb, depth, p["MEM_STYLE"]),))
