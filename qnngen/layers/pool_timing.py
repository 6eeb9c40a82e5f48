# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_maxpool.sv: output beat times and the steady-state interval."""

from __future__ import annotations

import numpy as np

__all__ = ["maxpool_interval", "maxpool_out_times", "maxpool_window_ends"]

#: cycles from accepting the beat completing a window to accepting its output beat
MAXPOOL_LATENCY = 2


def _check(c: int, ifm_h: int, ifm_w: int, k: int, simd: int) -> None:
    """Reject parameters the RTL refuses."""
    if simd < 1 or c % simd:
        raise ValueError(f"SIMD={simd} must divide C={c}")
    if not 1 <= k <= min(ifm_h, ifm_w):
        raise ValueError(f"K={k} must be in 1..min(IFM_H, IFM_W)={min(ifm_h, ifm_w)}")


def maxpool_window_ends(c: int, ifm_h: int, ifm_w: int, k: int, simd: int) -> np.ndarray:
    """Index of the input beat completing each output beat's window, in output order."""
    _check(c, ifm_h, ifm_w, k, simd)
    cf = c // simd
    oy, ox, g = np.meshgrid(
        np.arange(ifm_h // k), np.arange(ifm_w // k), np.arange(cf), indexing="ij"
    )
    y, x = oy * k + k - 1, ox * k + k - 1
    return ((y * ifm_w + x) * cf + g).ravel()


def maxpool_out_times(
    c: int, ifm_h: int, ifm_w: int, k: int, simd: int, in_times: np.ndarray
) -> np.ndarray:
    """Cycle each output beat of one frame is accepted, output always ready.

    Args:
        c, ifm_h, ifm_w, k, simd: the RTL parameters C, IFM_H, IFM_W, K (= STRIDE), SIMD.
        in_times: (IFM_H*IFM_W*C/SIMD,) cycles at which the frame's input beats were accepted.
    """
    in_times = np.asarray(in_times, dtype=np.int64)
    beats = ifm_h * ifm_w * (c // simd)
    if in_times.shape != (beats,):
        raise ValueError(f"in_times must have shape ({beats},), got {in_times.shape}")
    return in_times[maxpool_window_ends(c, ifm_h, ifm_w, k, simd)] + MAXPOOL_LATENCY


def maxpool_interval(c: int, ifm_h: int, ifm_w: int, k: int, simd: int) -> int:
    """Steady-state cycles per frame with input always valid and output always ready."""
    _check(c, ifm_h, ifm_w, k, simd)
    return ifm_h * ifm_w * (c // simd)
