# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_labelselect.sv: output beat times and the steady-state interval."""

from __future__ import annotations

import numpy as np

__all__ = ["labelselect_interval", "labelselect_out_times"]


def _check(n: int, pe: int, k: int) -> None:
    """Reject parameters the RTL refuses."""
    if n < 1 or pe < 1 or n % pe:
        raise ValueError(f"PE={pe} must divide N={n}")
    if not 1 <= k <= n:
        raise ValueError(f"K={k} must satisfy 1 <= K <= N={n}")


def labelselect_out_times(n: int, pe: int, k: int, in_times: np.ndarray) -> np.ndarray:
    """Cycle each of a frame's K output beats is accepted, output always ready.

    Output beat j leaves j + 1 cycles after the frame's last input beat. The RTL holds back a
    last beat until the previous frame has drained, so in_times measured on the RTL already
    contain that wait.

    Args:
        n, pe, k: the RTL parameters N, PE, K.
        in_times: (N/PE,) non-decreasing cycles at which the frame's input beats were accepted.
    """
    _check(n, pe, k)
    in_times = np.asarray(in_times, dtype=np.int64)
    if in_times.shape != (n // pe,):
        raise ValueError(f"in_times must have shape ({n // pe},), got {in_times.shape}")
    return in_times[-1] + 1 + np.arange(k, dtype=np.int64)


def labelselect_interval(n: int, pe: int, k: int) -> int:
    """Steady-state cycles per frame with input always valid and output always ready."""
    _check(n, pe, k)
    return max(n // pe, k)
