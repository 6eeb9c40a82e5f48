"""Vector-vector(-threshold) unit: depthwise convolution, each channel with its own K x K kernel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np

from ..ir import BIPOLAR, DataType
from .base import Cycles, Fold, HwLayer, RomContents, divisors, require
from .cost import (
    CostTerms, RomBits, cost_terms, counter_bits, product_terms, rom_memories, rom_of, rom_terms,
    split_constant, threshold_terms,
)
from .memory import styles_of
from .mvtu import mul_style
from .vvu_timing import vvu_out_times


@dataclass(frozen=True, eq=False)
class VVU(HwLayer):
    """y[c] = act(sum_k x[k, c] * w[c, k]) per output pixel; PE channels per beat.

    weights: (C, K2); thresholds: (C, N) or None. The reference reads windows in (k, c) order
    (what the SWU's reference produces); the RTL stream between them is (group, k, lane).
    """

    name: str
    in_dtype: DataType
    w_dtype: DataType
    acc_dtype: DataType
    out_dtype: DataType
    weights: np.ndarray = field(repr=False)
    n_vectors: int = 1
    thresholds: np.ndarray | None = field(default=None, repr=False)
    out_bias: int = 0
    kind = "VVU"
    rtl_module = "qnngen_vvu"

    @property
    def channels(self) -> int:
        return int(self.weights.shape[0])

    @property
    def k2(self) -> int:
        return int(self.weights.shape[1])

    @property
    def n_thres(self) -> int:
        return 0 if self.thresholds is None else int(self.thresholds.shape[1])

    def fold_space(self) -> Iterator[Fold]:
        return (Fold(pe, 1) for pe in divisors(self.channels))

    def check(self, fold: Fold) -> None:
        require(fold.simd == 1, f"{self.name}: a depthwise unit has no SIMD (got SIMD={fold.simd}); set PE")
        require(self.channels % fold.pe == 0, f"{self.name}: PE={fold.pe} must divide the {self.channels} channels")

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.in_dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.out_dtype.bitwidth()

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.n_vectors * self.channels // fold.pe * self.k2

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.n_vectors * self.channels // fold.pe

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        return 0

    def cycles(self, fold: Fold) -> Cycles:
        times = self.out_times(fold, np.arange(self.in_beats(fold)))
        return Cycles(interval=self.in_beats(fold), latency=int(times[-1]) + 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return vvu_out_times(self.channels, self.k2, fold.pe, np.asarray(in_times))

    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """(width, depth) of each memory: weights and thresholds."""
        groups = self.channels // fold.pe
        mems = {"weights": (fold.pe * self.w_dtype.bitwidth(), groups * self.k2)}
        if self.n_thres:
            mems["thresholds"] = (fold.pe * self.n_thres * self.acc_dtype.bitwidth(), groups)
        return mems

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_rom STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=("weights", "thresholds"))

    def execute(self, x: np.ndarray) -> np.ndarray:
        win = np.asarray(x, np.int64).reshape(len(x), self.n_vectors, self.k2, self.channels)
        acc = np.einsum("nvkc,ck->nvc", win, self.weights.astype(np.int64))
        if self.thresholds is not None:
            count = np.sum(acc[..., None] >= self.thresholds[None, None], axis=-1)
            acc = 2 * count - 1 if self.out_dtype == BIPOLAR else self.out_bias + count
        return acc.reshape(len(x), -1)

    def rom_words(self, fold: Fold) -> dict[str, RomContents]:
        groups = self.channels // fold.pe
        w = self.weights.reshape(groups, fold.pe, self.k2).transpose(0, 2, 1).reshape(groups * self.k2, fold.pe)
        if self.w_dtype == BIPOLAR:
            w = (w > 0).astype(np.int64)
        roms = {"W_FILE": RomContents(w, self.w_dtype.bitwidth())}
        if self.thresholds is not None:
            t = self.thresholds.reshape(groups, fold.pe * self.n_thres)
            roms["T_FILE"] = RomContents(t, self.acc_dtype.bitwidth(), self.n_thres)
        return roms

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        params = {
            "C": self.channels, "K2": self.k2, "PE": fold.pe,
            "IN_BITS": self.in_dtype.bitwidth(), "IN_SIGNED": int(self.in_dtype.signed()),
            "IN_BIPOLAR": int(self.in_dtype == BIPOLAR),
            "W_BITS": self.w_dtype.bitwidth(), "W_SIGNED": int(self.w_dtype.signed()),
            "W_BIPOLAR": int(self.w_dtype == BIPOLAR),
            "ACC_BITS": self.acc_dtype.bitwidth(), "N_THRES": self.n_thres,
            "OUT_BITS": self.out_dtype.bitwidth(), "OUT_BIAS": 0 if self.out_dtype == BIPOLAR else self.out_bias,
            "W_FILE": f"{self.name}_w.mem", "T_FILE": f"{self.name}_t.mem" if self.thresholds is not None else "",
            "MUL_STYLE": mul_style(self.in_dtype, self.w_dtype),
        }
        style_params = {"weights": "W_STYLE", "thresholds": "T_STYLE"}
        for mem, style in self.memory_styles(fold).items():
            params[style_params[mem]] = style
        return params


@cost_terms("qnngen_vvu", roms=True)
def vvu_terms(p: dict, roms: Mapping[str, RomBits]) -> CostTerms:
    pe, cf, k2 = p["PE"], p["C"] // p["PE"], p["K2"]
    acc, nt = p["ACC_BITS"], p["N_THRES"]
    ww, tw = pe * p["W_BITS"], pe * nt * acc
    ctrl = counter_bits(cf) + counter_bits(k2) + counter_bits(cf * k2)
    ops, dsp, pw = product_terms(p, pe)
    w = rom_of(roms, "W_FILE", ww, cf * k2, pe)
    w_lut, w_ff = rom_terms("w_", w, p["W_STYLE"])
    t = rom_of(roms, "T_FILE", tw, cf, pe * nt)
    thr_lut, thr_ff = threshold_terms(pe, nt, acc, acc, t, p.get("T_STYLE", "logic"), p["OUT_BITS"])
    in_dsp = "_dsp" if dsp else ""  # with DSP products the accumulators go into the DSP48s
    lut = {"one": 1, "ctrl": ctrl, "acc" + in_dsp: pe * acc,
           **split_constant(ops, w.varying / ww), **w_lut, **thr_lut}
    ff = {"one": 1, "ctrl": ctrl, "acc" + in_dsp: pe * acc, "out": pe * p["OUT_BITS"],
          "x" + in_dsp: pe * p["IN_BITS"], "dsp_lanes": dsp * pw, **w_ff, **thr_ff}
    mems, mux_lut, mux_ff = rom_memories((w, p["W_STYLE"]), *([(t, p["T_STYLE"])] if nt else []))
    return CostTerms(lut, ff, tuple(mems), dsp, fixed_lut=mux_lut, fixed_ff=mux_ff)
