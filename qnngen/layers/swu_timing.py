# SPDX-License-Identifier: Apache-2.0
"""Cycle model of rtl/qnngen_swu.sv: output beat times and the steady-state interval.

The RTL header documents the schedule this module reproduces: a writer filling NR = K_H + STRIDE_H
row slots and a reader issuing one output beat per cycle once the rows of its output row are in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SwuParams", "swu_interval", "swu_out_times", "swu_row_schedule"]

#: cycles from accepting the last input beat an output row waits for to accepting its first beat
DATA_TO_OUT = 2
#: frames simulated at first when looking for the steady state, and the most ever simulated
_MIN_FRAMES = 8
_MAX_FRAMES = 512


@dataclass(frozen=True)
class SwuParams:
    """The qnngen_swu parameters that determine its stream shapes and timing."""

    ifm_ch: int
    ifm_h: int
    ifm_w: int
    k_h: int
    k_w: int
    stride_h: int = 1
    stride_w: int = 1
    pad_top: int = 0
    pad_bottom: int = 0
    pad_left: int = 0
    pad_right: int = 0
    simd: int = 1

    def __post_init__(self) -> None:
        if self.simd < 1 or self.ifm_ch % self.simd:
            raise ValueError(f"SIMD={self.simd} must divide IFM_CH={self.ifm_ch}")
        if min(self.k_h, self.k_w, self.stride_h, self.stride_w, self.ifm_h, self.ifm_w) < 1:
            raise ValueError("kernel, stride and image sizes must be at least 1")
        if min(self.pad_top, self.pad_bottom, self.pad_left, self.pad_right) < 0:
            raise ValueError("padding must not be negative")
        if self.k_h > self.ifm_h + self.pad_top + self.pad_bottom:
            raise ValueError(f"K_H={self.k_h} exceeds the padded image height")
        if self.k_w > self.ifm_w + self.pad_left + self.pad_right:
            raise ValueError(f"K_W={self.k_w} exceeds the padded image width")

    @property
    def oh(self) -> int:
        """Output rows."""
        return (self.ifm_h + self.pad_top + self.pad_bottom - self.k_h) // self.stride_h + 1

    @property
    def ow(self) -> int:
        """Output columns."""
        return (self.ifm_w + self.pad_left + self.pad_right - self.k_w) // self.stride_w + 1

    @property
    def row_beats(self) -> int:
        """Input beats per image row (ROWB)."""
        return self.ifm_w * self.ifm_ch // self.simd

    @property
    def window_beats(self) -> int:
        """Output beats per output pixel."""
        return self.k_h * self.k_w * self.ifm_ch // self.simd

    @property
    def out_row_beats(self) -> int:
        """Output beats per output row."""
        return self.ow * self.window_beats

    @property
    def slots(self) -> int:
        """Line-buffer rows NR."""
        return self.k_h + self.stride_h

    @property
    def in_beats(self) -> int:
        """Input beats per frame."""
        return self.ifm_h * self.row_beats

    @property
    def out_beats(self) -> int:
        """Output beats per frame."""
        return self.oh * self.out_row_beats

    def _rows_above(self, py: np.ndarray) -> np.ndarray:
        """Image rows above padded row py: clamp(py - PAD_TOP, 0, IFM_H)."""
        return np.clip(py - self.pad_top, 0, self.ifm_h)

    def need_rows(self) -> np.ndarray:
        """(OH,) image rows each output row waits for; the last waits for the whole frame."""
        py0 = np.arange(self.oh) * self.stride_h
        need = self._rows_above(py0 + max(self.k_h, self.stride_h))
        need[-1] = self.ifm_h
        return need

    def first_rows(self) -> np.ndarray:
        """(OH+1,) first image row each output row still uses, then IFM_H (release bounds)."""
        lo = self._rows_above(np.arange(self.oh + 1) * self.stride_h)
        lo[-1] = self.ifm_h
        return lo


def swu_out_times(p: SwuParams, in_times: np.ndarray) -> np.ndarray:
    """Cycle each output beat of one frame is accepted, output always ready, started from reset.

    Args:
        p: the unit's parameters.
        in_times: (IN_BEATS,) non-decreasing cycles at which the frame's input beats were accepted.
    """
    in_times = np.asarray(in_times, dtype=np.int64)
    if in_times.shape != (p.in_beats,):
        raise ValueError(f"in_times must have shape ({p.in_beats},), got {in_times.shape}")
    need = p.need_rows()
    last_beat = np.maximum(need * p.row_beats - 1, 0)
    ready = np.where(need > 0, in_times[last_beat] + DATA_TO_OUT, 0)
    earliest = np.repeat(ready, p.out_row_beats)
    j = np.arange(p.out_beats, dtype=np.int64)
    return np.maximum.accumulate(np.maximum(earliest - j, 1)) + j


def swu_row_schedule(p: SwuParams, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-level schedule of back-to-back frames with input always valid and output always ready.

    Returns:
        wc: (frames*IFM_H,) cycle the last beat of each image row is accepted.
        ie: (frames*OH,) cycle the last beat of each output row issues (accepted one cycle later).
    """
    h, oh, nr = p.ifm_h, p.oh, p.slots
    f = np.arange(frames)[:, None]
    need = (f * h + p.need_rows()[None, :]).ravel()  # global rows each output row waits for
    lo = p.first_rows()
    releaser = np.repeat(np.arange(oh), np.diff(lo))  # output row releasing each image row
    rel_q = (f * oh + releaser[None, :]).ravel()
    wc = np.zeros(frames * h, dtype=np.int64)
    ie = np.zeros(frames * oh, dtype=np.int64)
    r = q = 0
    while r < len(wc) or q < len(ie):
        moved = False
        while r < len(wc) and (r < nr or rel_q[r - nr] < q):
            start = max(wc[r - 1] + 1 if r else 0, ie[rel_q[r - nr]] + 1 if r >= nr else 0)
            wc[r], r, moved = start + p.row_beats - 1, r + 1, True
        while q < len(ie) and need[q] <= r:
            start = max(ie[q - 1] + 1 if q else 0, wc[need[q] - 1] + 1 if need[q] else 0)
            ie[q], q, moved = start + p.out_row_beats - 1, q + 1, True
        if not moved:
            raise RuntimeError(f"SWU schedule deadlocks at image row {r}, output row {q}")
    return wc, ie


def _frame_shift(events: np.ndarray, per_frame: int, frames: int) -> set[int]:
    """Distinct shifts between each of the last `frames` frames' events and the frame before."""
    ev = events.reshape(-1, per_frame)
    return set(np.unique(ev[-frames:] - ev[-frames - 1 : -1]).tolist())


def swu_interval(p: SwuParams) -> int:
    """Steady-state cycles per frame with input always valid and output always ready.

    Found by running the row-level schedule until whole frames repeat with a constant shift
    (over enough frames to cover the NR-row memory of the schedule).
    """
    window = 2 + -(-p.slots // p.ifm_h)
    frames = _MIN_FRAMES
    while frames <= _MAX_FRAMES:
        wc, ie = swu_row_schedule(p, frames + window)
        shifts = _frame_shift(wc, p.ifm_h, window) | _frame_shift(ie, p.oh, window)
        if len(shifts) == 1:
            return shifts.pop()
        frames *= 2
    raise RuntimeError(f"no periodic steady state found for {p}")
