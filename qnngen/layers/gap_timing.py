# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_gap.sv: output beat times and the steady-state interval."""

from __future__ import annotations

import numpy as np

__all__ = ["gap_interval", "gap_last_pixel_beats", "gap_out_times"]

#: cycles from accepting a last-pixel input beat to accepting its group's output beat
GAP_LATENCY = 2


def _check(c: int, ifm_h: int, ifm_w: int, simd: int) -> None:
    """Reject parameters the RTL refuses."""
    if simd < 1 or c % simd:
        raise ValueError(f"SIMD={simd} must divide C={c}")
    if ifm_h < 1 or ifm_w < 1:
        raise ValueError(f"IFM_H={ifm_h} and IFM_W={ifm_w} must be at least 1")


def gap_last_pixel_beats(c: int, ifm_h: int, ifm_w: int, simd: int) -> np.ndarray:
    """Index of the input beat completing each output beat's sums, in output order."""
    _check(c, ifm_h, ifm_w, simd)
    cf = c // simd
    return (ifm_h * ifm_w - 1) * cf + np.arange(cf)


def gap_out_times(c: int, ifm_h: int, ifm_w: int, simd: int, in_times: np.ndarray) -> np.ndarray:
    """Cycle each output beat of one frame is accepted, output always ready.

    Args:
        c, ifm_h, ifm_w, simd: the RTL parameters C, IFM_H, IFM_W, SIMD.
        in_times: (IFM_H*IFM_W*C/SIMD,) non-decreasing cycles at which the frame's input beats
            were accepted.
    """
    in_times = np.asarray(in_times, dtype=np.int64)
    beats = ifm_h * ifm_w * (c // simd)
    if in_times.shape != (beats,):
        raise ValueError(f"in_times must have shape ({beats},), got {in_times.shape}")
    return in_times[gap_last_pixel_beats(c, ifm_h, ifm_w, simd)] + GAP_LATENCY


def gap_interval(c: int, ifm_h: int, ifm_w: int, simd: int) -> int:
    """Steady-state cycles per frame with input always valid and output always ready."""
    _check(c, ifm_h, ifm_w, simd)
    return ifm_h * ifm_w * (c // simd)
