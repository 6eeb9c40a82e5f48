"""Spatial operators on NCHW tensors (ONNX semantics): Conv, MaxPool, Pad."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ops import Op


def im2col(x: np.ndarray, kernel: tuple[int, int], strides: tuple[int, int],
           pads: tuple[int, int, int, int], pad_value: float = 0) -> np.ndarray:
    """(N, C, H, W) -> (N, OH, OW, KH, KW, C): every window, zero (pad_value) padded.

    pads are ONNX order (top, left, bottom, right).
    """
    kh, kw = kernel
    sh, sw = strides
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=pad_value)
    n, c, h, w = xp.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = xp.strides
    win = np.lib.stride_tricks.as_strided(
        xp, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]), writeable=False
    )
    return win.transpose(0, 2, 3, 4, 5, 1)


@dataclass(frozen=True)
class Conv(Op):
    """ONNX Conv (2-D, dilation 1, any group); integer operands give an exact int64 result."""

    kernel_shape: tuple[int, int] = (1, 1)
    strides: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    group: int = 1

    def execute(self, x, w, b=None):
        integer = np.issubdtype(x.dtype, np.integer) and np.issubdtype(w.dtype, np.integer)
        dt = np.int64 if integer else np.float32
        oc, icg = w.shape[0], w.shape[1]
        cols = im2col(np.asarray(x, dtype=dt), self.kernel_shape, self.strides, self.pads)
        n, oh, ow = cols.shape[:3]
        outs = []
        for g in range(self.group):
            cg = cols[..., g * icg:(g + 1) * icg].reshape(n, oh, ow, -1)
            wg = np.asarray(w[g * (oc // self.group):(g + 1) * (oc // self.group)], dtype=dt)
            wg = wg.transpose(0, 2, 3, 1).reshape(wg.shape[0], -1)
            outs.append(cg @ wg.T)
        y = np.concatenate(outs, axis=-1).transpose(0, 3, 1, 2)
        if b is not None:
            y = y + np.asarray(b, dtype=dt).reshape(1, -1, 1, 1)
        return (np.ascontiguousarray(y),)


@dataclass(frozen=True)
class MaxPool(Op):
    """ONNX MaxPool (2-D, no dilation, floor mode); keeps the input's dtype."""

    kernel_shape: tuple[int, int] = (2, 2)
    strides: tuple[int, int] = (2, 2)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    monotone = True

    def execute(self, x):
        lowest = np.iinfo(np.int64).min if np.issubdtype(x.dtype, np.integer) else -np.inf
        cols = im2col(np.asarray(x), self.kernel_shape, self.strides, self.pads, lowest)
        return (np.ascontiguousarray(cols.max(axis=(3, 4)).transpose(0, 3, 1, 2)),)


@dataclass(frozen=True)
class GlobalAveragePool(Op):
    """ONNX GlobalAveragePool: mean over the spatial axes, computed as sum / (H * W) in float32."""

    def execute(self, x):
        x = np.asarray(x, dtype=np.float32)
        total = x.sum(axis=(2, 3), keepdims=True, dtype=np.float32)
        return (total / np.float32(x.shape[2] * x.shape[3]),)


@dataclass(frozen=True)
class GlobalSumPool(Op):
    """Sum over the spatial axes (the integer half of GlobalAveragePool); exact for integers."""

    def execute(self, x):
        x = np.asarray(x)
        dt = np.int64 if np.issubdtype(x.dtype, np.integer) else np.float32
        return (x.astype(dt).sum(axis=(2, 3), keepdims=True, dtype=dt),)


@dataclass(frozen=True)
class Pad(Op):
    """ONNX Pad in constant mode: pads (begin..., end...) for every axis, filled with value."""

    value: float = 0.0

    def execute(self, x, pads, *rest):
        p = [int(v) for v in np.asarray(pads).reshape(-1)]
        n = len(p) // 2
        return (np.pad(np.asarray(x), list(zip(p[:n], p[n:])), constant_values=self.value),)


@dataclass(frozen=True)
class AveragePool(Op):
    """ONNX AveragePool (2-D, floor mode): window sum / window size (padding counted as zeros)."""

    kernel_shape: tuple[int, int] = (2, 2)
    strides: tuple[int, int] = (2, 2)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)

    def execute(self, x):
        cols = im2col(np.asarray(x, dtype=np.float32), self.kernel_shape, self.strides, self.pads)
        total = cols.sum(axis=(3, 4), dtype=np.float32)
        size = np.float32(self.kernel_shape[0] * self.kernel_shape[1])
        return (np.ascontiguousarray((total / size).transpose(0, 3, 1, 2)),)
