"""Sliding-window unit: turns an NHWC image stream into the im2col window stream of a convolution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import DataType
from ..ir.spatial_ops import im2col
from .base import Cycles, Fold, HwLayer, require
from .cost import CostTerms, Memory, clog2, cost_terms, memory_ffs, memory_luts
from .memory import styles_of
from .swu_timing import SwuParams, swu_interval, swu_out_times


@dataclass(frozen=True)
class SWU(HwLayer):
    """Windows of kernel (kh, kw), stride (sh, sw), pads (top, left, bottom, right) filled with
    pad_value, in (ky, kx, channel) order, SIMD channels per beat (for a depthwise consumer the
    RTL sends channel groups outermost; the reference order stays the same). Its SIMD is that of
    the layer it feeds (`feeds`), so it has no folding of its own."""

    name: str
    dtype: DataType
    channels: int
    in_h: int
    in_w: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]
    pad_value: int
    feeds: str
    depthwise: bool = False
    kind = "SWU"
    rtl_module = "qnngen_swu"
    foldable = False

    @property
    def out_h(self) -> int:
        return (self.in_h + self.pads[0] + self.pads[2] - self.kernel[0]) // self.stride[0] + 1

    @property
    def out_w(self) -> int:
        return (self.in_w + self.pads[1] + self.pads[3] - self.kernel[1]) // self.stride[1] + 1

    def check(self, fold: Fold) -> None:
        require(self.channels % fold.simd == 0, f"{self.name}: SIMD={fold.simd} must divide the {self.channels} channels")

    def implied_fold(self, folding: dict[str, Fold]) -> Fold:
        """The SIMD of the MVTU it feeds (the PE of a depthwise VVU)."""
        consumer = folding.get(self.feeds, Fold())
        return Fold(1, consumer.pe if self.depthwise else consumer.simd)

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        """K_H image rows: while the line buffer still holds the end of a frame, the producer
        can go on with the rows the next frame's first window row needs."""
        return self.kernel[0] * self.in_w * self.channels // fold.simd

    def in_width(self, fold: Fold, port: int = 0) -> int:
        return fold.simd * self.dtype.bitwidth()

    def out_width(self, fold: Fold, port: int = 0) -> int:
        return self.in_width(fold)

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        return self.in_h * self.in_w * self.channels // fold.simd

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        return self.out_h * self.out_w * self.kernel[0] * self.kernel[1] * self.channels // fold.simd

    def _timing(self, fold: Fold) -> SwuParams:
        return SwuParams(**{
            "ifm_ch": self.channels, "ifm_h": self.in_h, "ifm_w": self.in_w,
            "k_h": self.kernel[0], "k_w": self.kernel[1], "stride_h": self.stride[0], "stride_w": self.stride[1],
            "pad_top": self.pads[0], "pad_left": self.pads[1], "pad_bottom": self.pads[2], "pad_right": self.pads[3],
            "simd": fold.simd,
        })

    def cycles(self, fold: Fold) -> Cycles:
        def compute() -> Cycles:
            times = self.out_times(fold, np.arange(self.in_beats(fold)))
            return Cycles(interval=swu_interval(self._timing(fold)), latency=int(times[-1]) + 1)

        return self.per_fold("cycles", fold, compute)  # a schedule walk: the search asks often

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        return swu_out_times(self._timing(fold), np.asarray(in_times))

    def memories(self, fold: Fold) -> dict[str, tuple[int, int]]:
        """The line buffer: K_H + STRIDE_H rows of the image."""
        rows = self.kernel[0] + self.stride[0]
        return {"line_buffer": (self.in_width(fold), rows * self.in_w * self.channels // fold.simd)}

    def memory_styles(self, fold: Fold) -> dict[str, str]:
        """qnngen_ram STYLE of each memory in memories(fold)."""
        return styles_of(self.memories(fold), roms=())

    def execute(self, x: np.ndarray) -> np.ndarray:
        img = np.asarray(x).reshape(len(x), self.in_h, self.in_w, self.channels).transpose(0, 3, 1, 2)
        cols = im2col(img, self.kernel, self.stride, self.pads, self.pad_value)
        return np.ascontiguousarray(cols).reshape(len(x), -1)

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        return {
            "IFM_CH": self.channels, "IFM_H": self.in_h, "IFM_W": self.in_w,
            "K_H": self.kernel[0], "K_W": self.kernel[1], "STRIDE_H": self.stride[0], "STRIDE_W": self.stride[1],
            "PAD_TOP": self.pads[0], "PAD_BOTTOM": self.pads[2], "PAD_LEFT": self.pads[1], "PAD_RIGHT": self.pads[3],
            "PAD_VALUE": self.pad_value, "SIMD": fold.simd, "BITS": self.dtype.bitwidth(),
            "DEPTHWISE": int(self.depthwise), "MEM_STYLE": self.memory_styles(fold)["line_buffer"],
        }


@cost_terms("qnngen_swu")
def swu_terms(p: dict) -> CostTerms:
    """Line buffer, its address and position counters, the window counters (none for 1x1) and,
    with padding, the pad bounds and the pad-value select on the data."""
    cf = p["IFM_CH"] // p["SIMD"]
    wb = p["SIMD"] * p["BITS"]
    nr = p["K_H"] + p["STRIDE_H"]
    depth = nr * p["IFM_W"] * cf
    ph = p["IFM_H"] + p["PAD_TOP"] + p["PAD_BOTTOM"]
    pw = p["IFM_W"] + p["PAD_LEFT"] + p["PAD_RIGHT"]
    oh, ow = (ph - p["K_H"]) // p["STRIDE_H"] + 1, (pw - p["K_W"]) // p["STRIDE_W"] + 1
    padded = any(p[k] for k in ("PAD_TOP", "PAD_BOTTOM", "PAD_LEFT", "PAD_RIGHT"))
    kernel = p["K_H"] * p["K_W"] > 1  # a 1x1 window has no window counters
    terms = {
        "one": 1, "data": wb, "pad": wb * padded, "window": kernel,
        "ctrl": 2 * clog2(depth) + clog2(cf) + clog2(ph + 1) + clog2(pw + 1) + clog2(oh) + clog2(ow)
        + clog2(nr) + clog2(p["IFM_H"] + 1),
        "kernel": clog2(p["K_H"]) * clog2(p["K_W"]), "pad_ctrl": padded * (clog2(ph + 1) + clog2(pw + 1)),
    }
    lut = dict(terms)
    lut.update(memory_luts("buf_", wb, depth, p["MEM_STYLE"]))
    ff = dict(terms)
    ff.update(memory_ffs("buf_", wb, depth, p["MEM_STYLE"]))
    return CostTerms(lut, ff, (Memory(wb, depth, p["MEM_STYLE"]),), _offset_product_dsp(p, cf, depth, pw))


def _offset_product_dsp(p: dict, cf: int, depth: int, pw: int) -> int:
    """DSP48s of the read address's column term (px - PAD_LEFT) * CF: synthesis maps a product
    to a DSP48 when both operands are 2 bits or wider and it is 9 or wider; CF a power of two
    is a shift. px is signed once PAD_LEFT is subtracted. The row term slot * ROWB, unsigned
    times a constant, stays in LUTs. (Both hold on all 120 SWU calibration points, of which one
    has such a DSP.)"""
    offset = clog2(pw + p["STRIDE_W"] + 1) + (1 if p["PAD_LEFT"] else 0)
    product = min(offset + cf.bit_length(), clog2(depth))
    return int(cf & (cf - 1) != 0 and cf.bit_length() >= 2 and offset >= 2 and product >= 9)
