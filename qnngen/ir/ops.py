"""The operators of qnngen's IR: one frozen dataclass per op holding its attributes and its
numpy semantics (in `host_ops` for every op the host may run), which match ONNX / QONNX
execution in float32 bit for bit.

Convention: dimension 0 of every activation tensor is the batch (models come in with batch 1,
the executor runs any batch size).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from . import host_ops
from .host_ops import f32


@dataclass(frozen=True)
class Op:
    """Base of all ops: `execute` maps input arrays to a tuple of output arrays.

    An op the host can run names its function in `host_ops` (`host_fn`), which receives the
    op's fields as keywords: that function is its semantics, for qnngen and the host driver.
    """

    #: elementwise ops whose per-channel constants broadcast over the last axis
    elementwise = False
    #: elementwise and non-decreasing in the first input (for a positive constant operand)
    monotone = False
    #: name of the function of `host_ops` computing this op (None: no host semantics)
    host_fn: ClassVar[str | None] = None

    @property
    def op_type(self) -> str:
        return type(self).__name__

    def attrs(self) -> dict[str, object]:
        """The op's attributes (its dataclass fields) by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def execute(self, *xs: np.ndarray) -> tuple[np.ndarray, ...]:
        if self.host_fn is None:
            raise NotImplementedError
        return getattr(host_ops, self.host_fn)(*xs, **self.attrs())


@dataclass(frozen=True)
class MatMul(Op):
    """ONNX MatMul; integer operands give an exact integer result (computed in int64)."""

    def execute(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
        if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
            return (a.astype(np.int64) @ b.astype(np.int64),)
        return (f32(a) @ f32(b),)


@dataclass(frozen=True)
class Add(Op):
    elementwise = True
    monotone = True
    host_fn = "add"


@dataclass(frozen=True)
class Sub(Op):
    elementwise = True
    monotone = True
    host_fn = "sub"


@dataclass(frozen=True)
class Mul(Op):
    elementwise = True
    monotone = True
    host_fn = "mul"


@dataclass(frozen=True)
class Div(Op):
    elementwise = True
    monotone = True
    host_fn = "div"


@dataclass(frozen=True)
class Relu(Op):
    elementwise = True
    monotone = True
    host_fn = "relu"


@dataclass(frozen=True)
class Sign(Op):
    elementwise = True
    monotone = True
    host_fn = "sign"


@dataclass(frozen=True)
class BatchNormalization(Op):
    """Inference BatchNorm over axis 1, fused the way onnxruntime computes it:
    y = x * (scale / sqrt(var + eps)) + (bias - mean * scale / sqrt(var + eps))."""

    epsilon: float = 1e-5
    elementwise = True
    monotone = True
    host_fn = "batch_normalization"


@dataclass(frozen=True)
class Reshape(Op):
    """ONNX Reshape whose target's leading dimension stands for the batch."""

    host_fn = "reshape"


@dataclass(frozen=True)
class Flatten(Op):
    axis: int = 1
    host_fn = "flatten"


@dataclass(frozen=True)
class Transpose(Op):
    perm: tuple[int, ...] = ()
    host_fn = "transpose"


@dataclass(frozen=True)
class IntQuant(Op):
    """The integer half of QONNX Quant: q = round(clip(x / scale + zeropt)), no rescaling.

    Inputs: x, scale, zeropt, bitwidth. Clipping precedes rounding, as in qonnx.
    """

    signed: bool = True
    narrow: bool = False
    rounding_mode: str = "ROUND"
    monotone = True
    host_fn = "int_quant"


@dataclass(frozen=True)
class Quant(Op):
    """QONNX Quant: (IntQuant(x) - zeropt) * scale."""

    signed: bool = True
    narrow: bool = False
    rounding_mode: str = "ROUND"
    monotone = True
    host_fn = "quant"


@dataclass(frozen=True)
class BipolarQuant(Op):
    """QONNX BipolarQuant: +scale where x >= 0, else -scale."""

    monotone = True
    host_fn = "bipolar_quant"


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
    host_fn = "multi_threshold"


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
        ctx = {n: f32(x) for n, x in zip(names, xs)}
        getCustomOp(node).execute_node(ctx, None)
        return (ctx["o"],)


@dataclass(frozen=True)
class ArgMax(Op):
    axis: int = -1
    keepdims: bool = True
    host_fn = "argmax"


@dataclass(frozen=True)
class TopK(Op):
    """ONNX TopK (largest, sorted): values and int64 indices, ties resolved to the lower index."""

    axis: int = -1
    host_fn = "topk"


@dataclass(frozen=True)
class AddStreams(Op):
    """Integer join of two streams: a * a_mul + b * b_mul (exact in int64 for integer inputs)."""

    a_mul: int = 1
    b_mul: int = 1
    host_fn = "add_streams"


@dataclass(frozen=True)
class Concat(Op):
    """ONNX Concat along `axis`; integer inputs stay integer."""

    axis: int = 1
    host_fn = "concat"
