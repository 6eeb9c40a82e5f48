"""The operators of qnngen's IR: one frozen dataclass per op holding its attributes and its
numpy semantics, which match ONNX / QONNX execution in float32 bit for bit.

Convention: dimension 0 of every activation tensor is the batch (models come in with batch 1,
the executor runs any batch size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_F32 = np.float32


def _f32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=_F32)


@dataclass(frozen=True)
class Op:
    """Base of all ops: `execute` maps input arrays to a tuple of output arrays."""

    #: elementwise ops whose per-channel constants broadcast over the last axis
    elementwise = False
    #: elementwise and non-decreasing in the first input (for a positive constant operand)
    monotone = False

    @property
    def op_type(self) -> str:
        return type(self).__name__

    def execute(self, *xs: np.ndarray) -> tuple[np.ndarray, ...]:
        raise NotImplementedError


@dataclass(frozen=True)
class MatMul(Op):
    """ONNX MatMul; integer operands give an exact integer result (computed in int64)."""

    def execute(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
        if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
            return (a.astype(np.int64) @ b.astype(np.int64),)
        return (_f32(a) @ _f32(b),)


@dataclass(frozen=True)
class Add(Op):
    elementwise = True
    monotone = True

    def execute(self, a, b):
        return (_f32(a) + _f32(b),)


@dataclass(frozen=True)
class Sub(Op):
    elementwise = True
    monotone = True

    def execute(self, a, b):
        return (_f32(a) - _f32(b),)


@dataclass(frozen=True)
class Mul(Op):
    elementwise = True
    monotone = True

    def execute(self, a, b):
        return (_f32(a) * _f32(b),)


@dataclass(frozen=True)
class Div(Op):
    elementwise = True
    monotone = True

    def execute(self, a, b):
        return (_f32(a) / _f32(b),)


@dataclass(frozen=True)
class Relu(Op):
    elementwise = True
    monotone = True

    def execute(self, x):
        return (np.maximum(_f32(x), _F32(0)),)


@dataclass(frozen=True)
class Sign(Op):
    elementwise = True
    monotone = True

    def execute(self, x):
        return (np.sign(_f32(x)),)


@dataclass(frozen=True)
class BatchNormalization(Op):
    """Inference BatchNorm over axis 1, fused the way onnxruntime computes it:
    y = x * (scale / sqrt(var + eps)) + (bias - mean * scale / sqrt(var + eps))."""

    epsilon: float = 1e-5
    elementwise = True
    monotone = True

    def execute(self, x, scale, bias, mean, var):
        x = _f32(x)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        new_scale = (_F32(1) / np.sqrt(_f32(var) + _F32(self.epsilon))) * _f32(scale)
        new_bias = _f32(bias) - _f32(mean) * new_scale
        return (x * new_scale.reshape(shape) + new_bias.reshape(shape),)


@dataclass(frozen=True)
class Reshape(Op):
    """ONNX Reshape whose target's leading dimension stands for the batch."""

    def execute(self, x, shape):
        target = [int(d) for d in shape]
        if target and target[0] == 1:
            target[0] = x.shape[0]
        return (np.reshape(x, target),)


@dataclass(frozen=True)
class Flatten(Op):
    axis: int = 1

    def execute(self, x):
        lead = int(np.prod(x.shape[: self.axis], dtype=np.int64))
        return (np.reshape(x, (lead, -1)),)


@dataclass(frozen=True)
class Transpose(Op):
    perm: tuple[int, ...] = ()

    def execute(self, x):
        return (np.transpose(x, self.perm or None),)


@dataclass(frozen=True)
class IntQuant(Op):
    """The integer half of QONNX Quant: q = round(clip(x / scale + zeropt)), no rescaling.

    Inputs: x, scale, zeropt, bitwidth. Clipping precedes rounding, as in qonnx.
    """

    signed: bool = True
    narrow: bool = False
    rounding_mode: str = "ROUND"
    monotone = True

    def execute(self, x, scale, zeropt, bitwidth):
        from qonnx.custom_op.general.quant import max_int, min_int, resolve_rounding_mode

        bits = int(np.asarray(bitwidth).item())
        y = _f32(x) / _f32(scale)
        y = y + _f32(zeropt)
        if bits == 1 and self.signed:
            return (np.where(y >= 0, _F32(1), _F32(-1)),)
        lo = _F32(min_int(self.signed, self.narrow, bits))
        hi = _F32(max_int(self.signed, self.narrow, bits))
        y = np.where(y > hi, hi, y)
        y = np.where(y < lo, lo, y)
        return (resolve_rounding_mode(self.rounding_mode)(y).astype(_F32),)


@dataclass(frozen=True)
class Quant(Op):
    """QONNX Quant: (IntQuant(x) - zeropt) * scale."""

    signed: bool = True
    narrow: bool = False
    rounding_mode: str = "ROUND"
    monotone = True

    def execute(self, x, scale, zeropt, bitwidth):
        (q,) = IntQuant(self.signed, self.narrow, self.rounding_mode).execute(x, scale, zeropt, bitwidth)
        return ((q - _f32(zeropt)) * _f32(scale),)


@dataclass(frozen=True)
class BipolarQuant(Op):
    """QONNX BipolarQuant: +scale where x >= 0, else -scale."""

    monotone = True

    def execute(self, x, scale):
        x = _f32(x)
        return (np.where(x >= 0, _F32(1), _F32(-1)) * _f32(scale),)


@dataclass(frozen=True)
class MultiThreshold(Op):
    """QONNX MultiThreshold: out_scale * #{k : x >= T[c, k]} + out_bias, channel on axis 1.

    When the input is an integer tensor and out_scale/out_bias are integers, it is the integer
    activation of a hardware layer (BIPOLAR output: out_scale=2, out_bias=-1).
    """

    out_dtype: str = "FLOAT32"
    out_scale: float = 1.0
    out_bias: float = 0.0
    monotone = True

    def execute(self, x, thresholds):
        xm = np.moveaxis(np.asarray(x), 1, -1)[..., None]
        t = np.asarray(thresholds)
        count = np.count_nonzero(xm >= t, axis=-1)
        y = np.moveaxis(count, -1, 1)
        if np.issubdtype(np.asarray(x).dtype, np.integer):
            return (y.astype(np.int64) * int(self.out_scale) + int(self.out_bias),)
        return (_F32(self.out_scale) * y.astype(_F32) + _F32(self.out_bias),)


@dataclass(frozen=True)
class Trunc(Op):
    """QONNX Trunc, executed by qonnx itself (`onnx_attrs` keeps its ONNX attributes)."""

    onnx_attrs: tuple[tuple[str, object], ...] = ()
    monotone = True

    def execute(self, *xs):
        import onnx.helper as oh
        from qonnx.custom_op.registry import getCustomOp

        names = [f"i{k}" for k in range(len(xs))]
        node = oh.make_node("Trunc", names, ["o"], domain="qonnx.custom_op.general", **dict(self.onnx_attrs))
        ctx = {n: _f32(x) for n, x in zip(names, xs)}
        getCustomOp(node).execute_node(ctx, None)
        return (ctx["o"],)


@dataclass(frozen=True)
class ArgMax(Op):
    axis: int = -1
    keepdims: bool = True

    def execute(self, x):
        return (np.argmax(x, axis=self.axis, keepdims=self.keepdims).astype(np.int64),)


@dataclass(frozen=True)
class TopK(Op):
    """ONNX TopK (largest, sorted): values and int64 indices, ties resolved to the lower index."""

    axis: int = -1

    def execute(self, x, k):
        kk = int(np.asarray(k).reshape(-1)[0])
        idx = np.argsort(-np.asarray(x), axis=self.axis, kind="stable")
        idx = np.take(idx, np.arange(kk), axis=self.axis)
        return np.take_along_axis(x, idx, axis=self.axis), idx.astype(np.int64)


@dataclass(frozen=True)
class AddStreams(Op):
    """Integer join of two streams: a * a_mul + b * b_mul (exact in int64 for integer inputs)."""

    a_mul: int = 1
    b_mul: int = 1

    def execute(self, a, b):
        if np.issubdtype(np.asarray(a).dtype, np.integer) and np.issubdtype(np.asarray(b).dtype, np.integer):
            return (np.asarray(a, np.int64) * self.a_mul + np.asarray(b, np.int64) * self.b_mul,)
        return (_f32(a) * _F32(self.a_mul) + _f32(b) * _F32(self.b_mul),)


@dataclass(frozen=True)
class Concat(Op):
    """ONNX Concat along `axis`; integer inputs stay integer."""

    axis: int = 1

    def execute(self, *xs):
        return (np.concatenate([np.asarray(x) for x in xs], axis=self.axis),)
