"""The numpy semantics of every op the host may run around the accelerator, the executor loop
and the stream layout at the accelerator's ports: the one definition qnngen's IR ops call and
the generated host driver carries verbatim.

Every op function takes the op's input arrays positionally and its attributes as keywords and
returns a tuple of output arrays, matching ONNX / QONNX execution in float32 bit for bit. This
module needs nothing but numpy.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np

F32 = np.float32

#: one executor step: the op's function (attributes bound), input and output tensor names, and
#: for each output whether it is an integer tensor (stored as int64)
Step = tuple[Callable[..., tuple], Sequence[str], Sequence[str], Sequence[bool]]
#: what every op function returns: its output arrays
Arrays = tuple[np.ndarray, ...]


def f32(x: np.ndarray) -> np.ndarray:
    """x as a float32 array."""
    return np.asarray(x, dtype=F32)


def run(steps: Iterable[Step], env: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Execute steps in order on the tensors of env (updated in place and returned)."""
    for fn, ins, outs, integer in steps:
        results = fn(*(env[t] for t in ins))
        for t, v, is_int in zip(outs, results, integer):
            env[t] = v.astype(np.int64) if is_int else v
    return env


def to_stream(q: np.ndarray) -> np.ndarray:
    """Integer tensor (N, C[, H, W]) -> the accelerator's stream elements (N, elems), channels
    last (NHWC order)."""
    q = np.asarray(q, dtype=np.int64)
    if q.ndim == 4:
        q = q.transpose(0, 2, 3, 1)
    return q.reshape(len(q), -1)


def from_stream(y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Stream elements (N, elems) -> the integer tensor (N, *shape); shape is (C[, H, W])."""
    y = np.asarray(y, dtype=np.int64)
    if len(shape) == 3:
        y = y.reshape(len(y), shape[1], shape[2], shape[0]).transpose(0, 3, 1, 2)
    return y.reshape((len(y),) + tuple(shape))


# elementwise arithmetic -----------------------------------------------------------------------


def add(a, b) -> Arrays:
    return (f32(a) + f32(b),)


def sub(a, b) -> Arrays:
    return (f32(a) - f32(b),)


def mul(a, b) -> Arrays:
    return (f32(a) * f32(b),)


def div(a, b) -> Arrays:
    return (f32(a) / f32(b),)


def relu(x) -> Arrays:
    return (np.maximum(f32(x), F32(0)),)


def sign(x) -> Arrays:
    return (np.sign(f32(x)),)


def batch_normalization(x, scale, bias, mean, var, *, epsilon) -> Arrays:
    """Inference BatchNorm over axis 1, fused the way onnxruntime computes it."""
    x = f32(x)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    new_scale = (F32(1) / np.sqrt(f32(var) + F32(epsilon))) * f32(scale)
    new_bias = f32(bias) - f32(mean) * new_scale
    return (x * new_scale.reshape(shape) + new_bias.reshape(shape),)


def add_streams(a, b, *, a_mul, b_mul) -> Arrays:
    """a * a_mul + b * b_mul, exact in int64 for integer inputs."""
    if np.issubdtype(np.asarray(a).dtype, np.integer) and np.issubdtype(
        np.asarray(b).dtype, np.integer
    ):
        return (np.asarray(a, np.int64) * a_mul + np.asarray(b, np.int64) * b_mul,)
    return (f32(a) * F32(a_mul) + f32(b) * F32(b_mul),)


# shapes ------------------------------------------------------------------------------------


def reshape(x, shape) -> Arrays:
    """ONNX Reshape whose target's leading dimension stands for the batch."""
    target = [int(d) for d in shape]
    if target and target[0] == 1:
        target[0] = x.shape[0]
    return (np.reshape(x, target),)


def flatten(x, *, axis) -> Arrays:
    lead = int(np.prod(x.shape[:axis], dtype=np.int64))
    return (np.reshape(x, (lead, -1)),)


def transpose(x, *, perm) -> Arrays:
    return (np.transpose(x, tuple(perm) or None),)


def concat(*xs, axis) -> Arrays:
    return (np.concatenate([np.asarray(x) for x in xs], axis=axis),)


# quantizers --------------------------------------------------------------------------------


def int_range(signed: bool, narrow: bool, bits: int) -> tuple[int, int]:
    """Smallest and largest integer of a `bits`-wide quantizer (as QONNX min_int / max_int)."""
    if signed:
        return -(2 ** (bits - 1)) + int(narrow), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1 - int(narrow)


def _round_up(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.ceil(np.abs(x))


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _round_half_down(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.ceil(np.abs(x) - 0.5)


#: QONNX rounding modes
ROUNDING = {
    "ROUND": np.round,
    "HALF_EVEN": np.round,
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "UP": _round_up,
    "DOWN": np.fix,
    "HALF_UP": _round_half_up,
    "HALF_DOWN": _round_half_down,
}


def int_quant(x, scale, zeropt, bitwidth, *, signed, narrow, rounding_mode) -> Arrays:
    """The integer half of QONNX Quant: round(clip(x / scale + zeropt)); clipping first."""
    bits = int(np.asarray(bitwidth).item())
    y = f32(x) / f32(scale)
    y = y + f32(zeropt)
    if bits == 1 and signed:
        return (np.where(y >= 0, F32(1), F32(-1)),)
    mode = str(rounding_mode).upper()
    if mode not in ROUNDING:
        raise ValueError(f"Could not resolve rounding mode called: {mode}")
    lo, hi = (F32(v) for v in int_range(signed, narrow, bits))
    y = np.where(y > hi, hi, y)
    y = np.where(y < lo, lo, y)
    return (ROUNDING[mode](y).astype(F32),)


def quant(x, scale, zeropt, bitwidth, *, signed, narrow, rounding_mode) -> Arrays:
    """QONNX Quant: (int_quant(x) - zeropt) * scale."""
    (q,) = int_quant(
        x, scale, zeropt, bitwidth, signed=signed, narrow=narrow, rounding_mode=rounding_mode
    )
    return ((q - f32(zeropt)) * f32(scale),)


def bipolar_quant(x, scale) -> Arrays:
    """QONNX BipolarQuant: +scale where x >= 0, else -scale."""
    x = f32(x)
    return (np.where(x >= 0, F32(1), F32(-1)) * f32(scale),)


def multi_threshold(x, thresholds, *, out_dtype, out_scale, out_bias) -> Arrays:
    """QONNX MultiThreshold: out_scale * #{k : x >= T[c, k]} + out_bias, channel on axis 1;
    an integer input gives an integer output."""
    xm = np.moveaxis(np.asarray(x), 1, -1)[..., None]
    t = np.asarray(thresholds)
    count = np.count_nonzero(xm >= t, axis=-1)
    y = np.moveaxis(count, -1, 1)
    if np.issubdtype(np.asarray(x).dtype, np.integer):
        return (y.astype(np.int64) * int(out_scale) + int(out_bias),)
    return (F32(out_scale) * y.astype(F32) + F32(out_bias),)


# selection ---------------------------------------------------------------------------------


def argmax(x, *, axis, keepdims) -> Arrays:
    return (np.argmax(x, axis=axis, keepdims=keepdims).astype(np.int64),)


def topk(x, k, *, axis) -> Arrays:
    """ONNX TopK (largest, sorted): values and int64 indices, ties resolved to the lower index."""
    kk = int(np.asarray(k).reshape(-1)[0])
    idx = np.argsort(-np.asarray(x), axis=axis, kind="stable")
    idx = np.take(idx, np.arange(kk), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)


# spatial (NCHW) ------------------------------------------------------------------------------


def im2col(
    x: np.ndarray,
    kernel: tuple[int, int],
    strides: tuple[int, int],
    pads: tuple[int, int, int, int],
    pad_value: float = 0,
) -> np.ndarray:
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


def max_pool(x, *, kernel_shape, strides, pads) -> Arrays:
    """ONNX MaxPool (2-D, no dilation, floor mode); keeps the input's dtype."""
    lowest = np.iinfo(np.int64).min if np.issubdtype(x.dtype, np.integer) else -np.inf
    cols = im2col(np.asarray(x), kernel_shape, strides, pads, lowest)
    return (np.ascontiguousarray(cols.max(axis=(3, 4)).transpose(0, 3, 1, 2)),)


def average_pool(x, *, kernel_shape, strides, pads) -> Arrays:
    """ONNX AveragePool (2-D, floor mode): window sum / window size (padding counted as zeros)."""
    cols = im2col(np.asarray(x, dtype=np.float32), kernel_shape, strides, pads)
    total = cols.sum(axis=(3, 4), dtype=np.float32)
    size = np.float32(kernel_shape[0] * kernel_shape[1])
    return (np.ascontiguousarray((total / size).transpose(0, 3, 1, 2)),)


def global_average_pool(x) -> Arrays:
    """ONNX GlobalAveragePool: mean over the spatial axes, computed as sum / (H * W) in float32."""
    x = np.asarray(x, dtype=np.float32)
    total = x.sum(axis=(2, 3), keepdims=True, dtype=np.float32)
    return (total / np.float32(x.shape[2] * x.shape[3]),)


def global_sum_pool(x) -> Arrays:
    """Sum over the spatial axes (the integer half of GlobalAveragePool); exact for integers."""
    x = np.asarray(x)
    dt = np.int64 if np.issubdtype(x.dtype, np.integer) else np.float32
    return (x.astype(dt).sum(axis=(2, 3), keepdims=True, dtype=dt),)


def pad(x, pads, *rest, value) -> Arrays:
    """ONNX Pad in constant mode: pads (begin..., end...) for every axis, filled with value."""
    p = [int(v) for v in np.asarray(pads).reshape(-1)]
    n = len(p) // 2
    return (np.pad(np.asarray(x), list(zip(p[:n], p[n:])), constant_values=value),)
