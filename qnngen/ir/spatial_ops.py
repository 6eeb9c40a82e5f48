"""Spatial operators on NCHW tensors (ONNX semantics): Conv, MaxPool, Pad."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .host_ops import im2col
from .ops import Op


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
    host_fn = "max_pool"


@dataclass(frozen=True)
class GlobalAveragePool(Op):
    """ONNX GlobalAveragePool: mean over the spatial axes, computed as sum / (H * W) in float32."""

    host_fn = "global_average_pool"


@dataclass(frozen=True)
class GlobalSumPool(Op):
    """Sum over the spatial axes (the integer half of GlobalAveragePool); exact for integers."""

    host_fn = "global_sum_pool"


@dataclass(frozen=True)
class Pad(Op):
    """ONNX Pad in constant mode: pads (begin..., end...) for every axis, filled with value."""

    value: float = 0.0
    host_fn = "pad"


@dataclass(frozen=True)
class AveragePool(Op):
    """ONNX AveragePool (2-D, floor mode): window sum / window size (padding counted as zeros)."""

    kernel_shape: tuple[int, int] = (2, 2)
    strides: tuple[int, int] = (2, 2)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    host_fn = "average_pool"
