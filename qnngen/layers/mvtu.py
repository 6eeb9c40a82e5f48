"""Matrix-vector-threshold unit: y = act(W @ x) per frame, folded over PE x SIMD."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np

from ..ir import BIPOLAR, DataType
from .base import Cycles, Fold, HwLayer, RomContents, divisors, require
from .cost import (
    CostTerms, Memory, RomBits, clog2, cost_terms, counter_bits, memory_ffs, memory_luts, product_terms,
    rom_memories, rom_of, rom_terms, split_constant, threshold_terms,
)
from .memory import styles_of

#: cycles from issuing a step to its output beat being valid (issue, S1, S2, S3)
PIPELINE_DEPTH = 3


def mul_style(in_dtype: DataType, w_dtype: DataType) -> str:
    """MUL_STYLE of qnngen_mvtu / qnngen_vvu products: "dsp" (x * w) or "lut" (shift-and-add).

    "dsp" iff neither operand is bipolar and both decoded widths (BITS if signed, BITS + 1 if
    unsigned) are >= 5, i.e. INT5-and-wider or UINT4-and-wider on both sides (FINN's split):
    narrower products are cheaper in LUTs; written as `*` they would take a DSP48 each.
    """
    if in_dtype == BIPOLAR or w_dtype == BIPOLAR:
        return "lut"
    decoded = [t.bitwidth() + (0 if t.signed() else 1) for t in (in_dtype, w_dtype)]
    return "dsp" if min(decoded) >= 5 else "lut"


@dataclass(frozen=True, eq=False)
class MVTU(HwLayer):
    """Matrix-vector(-threshold) unit for MH x MW integer weights and a fused activation.

    weights: (MH, MW) integers of w_dtype; thresholds: (MH, N) ascending integers or None
    (no activation: the output is the accumulator, acc_dtype). Activation output:
    out_bias + #{k : acc >= T[j, k]} for integer outputs, the bit of (acc >= T[j, 0]) for BIPOLAR.
    A frame is n_vectors input vectors (output pixels of a convolution) processed back to back;
    simd_divides (the convolution's input channels) further restricts SIMD.
    """

    name: str
    in_dtype: DataType
    w_dtype: DataType
    acc_dtype: DataType
    out_dtype: DataType
    weights: np.ndarray = field(repr=False)
    thresholds: np.ndarray | None = field(default=None, repr=False)
    out_bias: int = 0
    n_vectors: int = 1
    simd_divides: int = 0
    kind = "MVTU"
    rtl_module = "qnngen_mvtu"

    @property
    def mh(self) -> int:
        return int(self.weights.shape[0])

    @property
    def mw(self) -> int:
        return int(self.weights.shape[1])

    @property
    def n_thres(self) -> int:
        return 0 if self.thresholds is None else int(self.thresholds.shape[1])

    @property
    def binary(self) -> bool:
        return self.in_dtype == BIPOLAR and self.w_dtype == BIPOLAR

    # folding
    @property
    def simd_limit(self) -> int:
        """SIMD must divide this: MW, or the input channels of a convolution."""
        return self.simd_divides or self.mw

    def fold_space(self) -> Iterator[Fold]:
        return (Fold(pe, simd) for pe in divisors(self.mh) for simd in divisors(self.simd_limit))

    def check(self, fold: Fold) -> None:
        require(fold.pe >= 1 and self.mh % fold.pe == 0, f"{self.name}: PE={fold.pe} must divide MH={self.mh}")
        require(fold.simd >= 1 and self.mw % fold.simd == 0, f"{self.name}: SIMD={fold.simd} must divide MW={self.mw}")
        require(self.simd_limit % fold.simd == 0,
                f"{self.name}: SIMD={fold.simd} must divide the {self.simd_limit} input channels of the convolution")

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.simd * self.in_dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return fold.pe * self.out_dtype.bitwidth()

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.n_vectors * (self.mw // fold.simd)

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.n_vectors * (self.mh // fold.pe)

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        """One input vector: the unit reads a vector in a burst, then works on it."""
        return self.mw // fold.simd

    # cycles
    def cycles(self, fold: Fold) -> Cycles:
        sf, nf = self.mw // fold.simd, self.mh // fold.pe
        work = self.n_vectors * sf * nf
        return Cycles(interval=work, latency=work + PIPELINE_DEPTH - 1)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        sf, nf = self.mw // fold.simd, self.mh // fold.pe
        t, out = -1, []
        for v in range(self.n_vectors):
            for s in range(sf):
                t = max(t + 1, int(in_times[v * sf + s]))
            out += [t + n * sf + PIPELINE_DEPTH for n in range(nf)]
            t += (nf - 1) * sf
        return np.array(out, dtype=np.int64)

    # resources
    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """(width, depth) of each memory: weights, thresholds and the input buffer."""
        sf, nf = self.mw // fold.simd, self.mh // fold.pe
        mems = {"weights": (fold.pe * fold.simd * self.w_dtype.bitwidth(), nf * sf)}
        if self.n_thres:
            mems["thresholds"] = (fold.pe * self.n_thres * self.acc_dtype.bitwidth(), nf)
        if nf > 1:
            mems["input_buffer"] = (self.in_width(fold), sf)
        return mems

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_rom / qnngen_ram STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=("weights", "thresholds"))

    def accumulate(self, x: np.ndarray) -> np.ndarray:
        """Exact int64 dot products, (N, n_vectors*MW) -> (N*n_vectors, MH)."""
        return np.asarray(x, dtype=np.int64).reshape(-1, self.mw) @ self.weights.astype(np.int64).T

    def execute(self, x: np.ndarray) -> np.ndarray:
        acc = self.accumulate(x)
        if self.thresholds is not None:
            count = np.sum(acc[:, :, None] >= self.thresholds[None, :, :], axis=-1)
            acc = 2 * count - 1 if self.out_dtype == BIPOLAR else self.out_bias + count
        return acc.reshape(len(x), -1)

    # RTL
    def rom_words(self, fold: Fold) -> dict[str, RomContents]:
        nf, sf = self.mh // fold.pe, self.mw // fold.simd
        w = self.weights.reshape(nf, fold.pe, sf, fold.simd).transpose(0, 2, 1, 3)
        w = w.reshape(nf * sf, fold.pe * fold.simd)
        if self.w_dtype == BIPOLAR:
            w = (w > 0).astype(np.int64)
        roms = {"W_FILE": RomContents(w, self.w_dtype.bitwidth())}
        if self.thresholds is not None:
            t = self.thresholds.reshape(nf, fold.pe * self.n_thres)
            roms["T_FILE"] = RomContents(t, self.acc_dtype.bitwidth(), self.n_thres)
        return roms

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        params = {
            "MW": self.mw, "MH": self.mh, "PE": fold.pe, "SIMD": fold.simd,
            "IN_BITS": self.in_dtype.bitwidth(), "IN_SIGNED": int(self.in_dtype.signed()),
            "IN_BIPOLAR": int(self.in_dtype == BIPOLAR),
            "W_BITS": self.w_dtype.bitwidth(), "W_SIGNED": int(self.w_dtype.signed()),
            "W_BIPOLAR": int(self.w_dtype == BIPOLAR),
            "ACC_BITS": self.acc_dtype.bitwidth(), "N_THRES": self.n_thres,
            "OUT_BITS": self.out_dtype.bitwidth(), "OUT_BIAS": 0 if self.out_dtype == BIPOLAR else self.out_bias,
            "W_FILE": f"{self.name}_w.mem", "T_FILE": f"{self.name}_t.mem" if self.n_thres else "",
            "MUL_STYLE": mul_style(self.in_dtype, self.w_dtype),
        }
        style_params = {"weights": "W_STYLE", "thresholds": "T_STYLE", "input_buffer": "BUF_STYLE"}
        for mem, style in self.memory_styles(fold).items():
            params[style_params[mem]] = style
        return params


@cost_terms("qnngen_mvtu", roms=True)
def mvtu_terms(p: dict, roms: Mapping[str, RomBits]) -> CostTerms:
    pe, simd = p["PE"], p["SIMD"]
    nf, sf = p["MH"] // pe, p["MW"] // simd
    acc, nt = p["ACC_BITS"], p["N_THRES"]
    in_w, ww, tw = simd * p["IN_BITS"], pe * simd * p["W_BITS"], pe * nt * acc
    ctrl = counter_bits(nf) + counter_bits(sf) + counter_bits(nf * sf)
    ops, dsp, pw = product_terms(p, pe * simd)
    w = rom_of(roms, "W_FILE", ww, nf * sf, pe * simd)
    # with DSP products the accumulators and part of the sum go into the DSP48s
    in_dsp = "_dsp" if dsp else ""
    lut = {
        "one": 1, "ctrl": ctrl, "acc" + in_dsp: pe * acc,
        "tree" + in_dsp: pe * (simd - 1) * (pw + clog2(simd) / 2) if p["IN_BIPOLAR"] + p["W_BIPOLAR"] < 2 else 0,
        "popcount": pe * simd if p["IN_BIPOLAR"] and p["W_BIPOLAR"] else 0,
        **split_constant(ops, w.varying / ww),
    }
    w_lut, w_ff = rom_terms("w_", w, p["W_STYLE"])
    t = rom_of(roms, "T_FILE", tw, nf, pe * nt)
    thr_lut, thr_ff = threshold_terms(pe, nt, acc, acc, t, p.get("T_STYLE", "logic"), p["OUT_BITS"])
    lut.update({**w_lut, **thr_lut})
    mems, mux_lut, mux_ff = rom_memories((w, p["W_STYLE"]), *([(t, p["T_STYLE"])] if nt else []))
    ff = {"one": 1, "ctrl": ctrl, "acc" + in_dsp: pe * acc, "out": pe * p["OUT_BITS"],
          "x" + in_dsp: in_w * (1 if nf == 1 else 2), "dsp_lanes": dsp * pw, **w_ff, **thr_ff}
    if nf > 1:
        lut.update(memory_luts("buf_", in_w, sf, p["BUF_STYLE"]))
        ff.update(memory_ffs("buf_", in_w, sf, p["BUF_STYLE"]))
        mems.append(Memory(in_w, sf, p["BUF_STYLE"]))
    xnor = p["IN_BIPOLAR"] and p["W_BIPOLAR"]
    return CostTerms(lut, ff, tuple(mems), dsp, "xnor" if xnor else "", mux_lut, mux_ff)
