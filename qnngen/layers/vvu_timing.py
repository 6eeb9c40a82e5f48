# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_vvu.sv: output beat times with the output always ready.

The unit takes one input beat per cycle whenever one is offered (s_axis_tready = adv), and each
output beat leaves a fixed pipeline depth after the last input beat of its channel group.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LATENCY", "vvu_out_times"]

#: cycles from accepting the last input beat (g, K2-1) of a channel group to accepting its output
LATENCY = 3


def vvu_out_times(c: int, k2: int, pe: int, in_times: np.ndarray) -> np.ndarray:
    """Cycle each output beat is accepted, output always ready, started from reset.

    Args:
        c: channels C.
        k2: window positions K2 = K_H*K_W.
        pe: channels per beat; must divide c.
        in_times: increasing cycles at which the input beats were accepted; a whole number of
            pixels (C/PE*K2 beats each), any number of them.

    Returns:
        (pixels*C/PE,) int64 accept cycles of the output beats, in stream order.
    """
    if pe < 1 or k2 < 1 or c % pe:
        raise ValueError(f"need PE={pe} dividing C={c} and K2={k2} >= 1")
    in_times = np.asarray(in_times, dtype=np.int64)
    per_pixel = c // pe * k2
    if in_times.ndim != 1 or len(in_times) % per_pixel:
        raise ValueError(f"in_times must hold whole pixels of {per_pixel} beats")
    return in_times.reshape(-1, k2)[:, -1] + LATENCY
