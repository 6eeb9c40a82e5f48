# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_concat.sv: output beat times and the steady-state interval."""

from __future__ import annotations

import numpy as np

__all__ = ["concat_interval", "concat_order", "concat_out_times"]

#: cycles from a beat entering the qnngen_fifo in front (DEPTH <= 64) to it being valid there
FIFO_LATENCY = 1
#: cycles from the concat taking an input beat to its output beat being accepted (output ready)
CONCAT_LATENCY = 1


def _beats(c0: int, c1: int, pe: int) -> tuple[int, int]:
    """Beats per pixel (B0, B1) of the two inputs; rejects parameters the RTL refuses."""
    if pe < 1 or c0 < pe or c1 < pe or c0 % pe or c1 % pe:
        raise ValueError(f"PE={pe} must divide C0={c0} and C1={c1}")
    return c0 // pe, c1 // pe


def concat_order(c0: int, c1: int, pe: int, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Source (0 or 1) and index within that source's stream of each output beat, in order."""
    b0, b1 = _beats(c0, c1, pe)
    p = np.arange(pixels)[:, None]
    src = np.concatenate([np.zeros((pixels, b0), np.int64), np.ones((pixels, b1), np.int64)], 1)
    idx = np.concatenate([p * b0 + np.arange(b0), p * b1 + np.arange(b1)], axis=1)
    return src.ravel(), idx.ravel()


def concat_out_times(
    c0: int, c1: int, pe: int, in0_times: np.ndarray, in1_times: np.ndarray
) -> np.ndarray:
    """Cycle each output beat is accepted, output always ready.

    Each input is fed through a qnngen_fifo (DEPTH <= 64) that never fills: input beat k
    arriving (offered and so accepted) at cycle t is valid on the concat's port from t + 1 on.
    The concat takes output beat j at max(take_{j-1} + 1, that valid cycle) and it is accepted
    one cycle later. The RTL is frame-agnostic, so several frames may be given at once.

    Args:
        c0, c1, pe: the RTL parameters C0, C1, PE.
        in0_times: (pixels * C0/PE,) cycles at which input 0's beats arrive at its FIFO.
        in1_times: (pixels * C1/PE,) cycles at which input 1's beats arrive at its FIFO.
    """
    b0, b1 = _beats(c0, c1, pe)
    t0 = np.asarray(in0_times, dtype=np.int64)
    t1 = np.asarray(in1_times, dtype=np.int64)
    pixels = len(t0) // b0
    if t0.shape != (pixels * b0,) or t1.shape != (pixels * b1,):
        raise ValueError(
            f"in0_times and in1_times must have shapes (P*{b0},) and (P*{b1},) for one pixel "
            f"count P, got {t0.shape} and {t1.shape}"
        )
    src, idx = concat_order(c0, c1, pe, pixels)
    ready = np.empty(len(src), np.int64)
    ready[src == 0] = t0[idx[src == 0]]
    ready[src == 1] = t1[idx[src == 1]]
    ready += FIFO_LATENCY
    # take_j = max(take_{j-1} + 1, ready_j) solves to j + max_{i <= j}(ready_i - i).
    j = np.arange(len(ready))
    take = j + np.maximum.accumulate(ready - j) if len(j) else ready
    return take + CONCAT_LATENCY


def concat_interval(pixels: int, c0: int, c1: int, pe: int) -> int:
    """Steady-state cycles per frame with both inputs always valid and the output always ready."""
    b0, b1 = _beats(c0, c1, pe)
    if pixels < 1:
        raise ValueError(f"PIXELS={pixels} must be at least 1")
    return (b0 + b1) * pixels
