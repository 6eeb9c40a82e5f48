"""Partition an integer-only graph into host pre-processing, hardware layers and post-processing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedError
from ..ir import DataType, ops
from ..ir.execute import execute
from ..ir.graph import Graph, Node
from ..layers.base import HwLayer
from ..layers.mvtu import MVTU


@dataclass(frozen=True, eq=False)
class HwGraph:
    """A streaming accelerator for one model: host pre | layers | host post.

    `pre` maps the model inputs to the integer stream `core_in`; the layers map it to the
    integer stream `core_out`; `post` maps that to the model outputs. All three run on numpy.
    """

    name: str
    graph: Graph
    pre: Graph
    layers: tuple[HwLayer, ...]
    post: Graph
    core_in: str
    core_out: str

    @property
    def in_dtype(self) -> DataType:
        return self.graph.dtype(self.core_in)

    @property
    def out_dtype(self) -> DataType:
        return self.graph.dtype(self.core_out)

    @property
    def in_elems(self) -> int:
        return int(np.prod(self.graph.shapes[self.core_in][1:]))

    @property
    def out_elems(self) -> int:
        return int(np.prod(self.graph.shapes[self.core_out][1:]))

    def quantize_input(self, x: np.ndarray) -> np.ndarray:
        """Model input (N, *shape) float32 -> integer stream elements (N, in_elems)."""
        q = execute(self.pre, {self.pre.inputs[0]: np.asarray(x, dtype=np.float32)})[self.core_in]
        return np.asarray(q, dtype=np.int64).reshape(len(x), -1)

    def run_layers(self, q: np.ndarray) -> np.ndarray:
        """The bit-exact numpy reference of the hardware: stream elements in, elements out."""
        for layer in self.layers:
            q = layer.execute(q)
        return q

    def finish_output(self, y: np.ndarray) -> dict[str, np.ndarray]:
        """Integer stream elements (N, out_elems) -> the model's outputs (host post-processing)."""
        shape = (len(y),) + tuple(self.graph.shapes[self.core_out][1:])
        return execute(self.post, {self.core_out: np.asarray(y, dtype=np.int64).reshape(shape)})


def _input_quantizer(g: Graph) -> Node:
    found = [n for n in g.nodes_of(ops.IntQuant) if not g.dtype(n.inputs[0]).is_integer()]
    if not found:
        raise UnsupportedError(
            f"model {g.name}: no activation quantizer (Quant/BipolarQuant) on the input; "
            "qnngen needs a quantized input to build an integer accelerator"
        )
    if len(found) > 1:
        raise UnsupportedError(f"node {found[1].name}: more than one float-to-integer quantizer; only one model input stream is supported")
    return found[0]


def _ancestors(g: Graph, tensor: str) -> list[Node]:
    want, keep = {tensor}, []
    for n in reversed(g.nodes):
        if want & set(n.outputs):
            keep.append(n)
            want |= set(n.inputs)
    return list(reversed(keep))


def _lower_layers(g: Graph, core_in: str) -> tuple[list[HwLayer], list[Node], str]:
    """Walk the integer chain from core_in, one MVTU per MatMul (+ MultiThreshold)."""
    layers: list[HwLayer] = []
    used: list[Node] = []
    cur = core_in
    while cur not in g.outputs:
        cons = g.consumers(cur)
        if len(cons) != 1 or not isinstance(cons[0].op, ops.MatMul):
            break
        mm = cons[0]
        if not g.dtype(mm.inputs[1]).is_integer() or not g.is_constant(mm.inputs[1]):
            break
        if len(g.shapes[cur]) != 2:
            raise UnsupportedError(f"node {mm.name}: MatMul on a {len(g.shapes[cur])}-D tensor; only (batch, features) is supported")
        mt = g.sole_consumer(mm)
        thr = mt if mt is not None and isinstance(mt.op, ops.MultiThreshold) and g.dtype(mt.outputs[0]).is_integer() else None
        w = np.asarray(g.constants[mm.inputs[1]], dtype=np.int64).T.copy()
        out = thr.outputs[0] if thr else mm.outputs[0]
        t = np.asarray(g.constants[thr.inputs[1]], dtype=np.int64) if thr else None
        layers.append(MVTU(
            name=f"mvtu_{len(layers)}", in_dtype=g.dtype(cur), w_dtype=g.dtype(mm.inputs[1]),
            acc_dtype=g.dtype(mm.outputs[0]), out_dtype=g.dtype(out), weights=w, thresholds=t,
            out_bias=int(thr.op.out_bias) if thr else 0,
        ))
        used += [mm] + ([thr] if thr else [])
        cur = out
        if thr is None:
            break
    return layers, used, cur


def _refuse_float_matmul(nodes: list[Node], g: Graph) -> None:
    for n in nodes:
        if isinstance(n.op, ops.MatMul):
            side = "input" if not g.dtype(n.inputs[0]).is_integer() else "weight"
            raise UnsupportedError(
                f"node {n.name}: MatMul on a float {side} with no quantizer; add a Quant/BipolarQuant "
                "(e.g. Brevitas QuantIdentity / weight quantization) in front of it"
            )
        if isinstance(n.op, (ops.MultiThreshold, ops.IntQuant)):
            raise UnsupportedError(f"node {n.name}: {n.op_type} outside the matrix-vector chain is not supported yet")


def to_hw(g: Graph) -> HwGraph:
    """Lower a streamlined graph; raises UnsupportedError naming the first node it cannot place."""
    iq = _input_quantizer(g)
    core_in = iq.outputs[0]
    pre_nodes = _ancestors(g, core_in)
    layers, core_nodes, core_out = _lower_layers(g, core_in)
    if not layers:
        raise UnsupportedError(f"node {iq.name}: its output feeds no integer MatMul; nothing to accelerate")
    taken = {n.name for n in pre_nodes + core_nodes}
    post_nodes = [n for n in g.nodes if n.name not in taken]
    _refuse_float_matmul(post_nodes, g)
    _refuse_float_matmul([n for n in pre_nodes if n is not iq], g)
    pre = Graph(g.name + "_pre", tuple(pre_nodes), g.inputs, (core_in,), dict(g.constants), dict(g.shapes), dict(g.dtypes))
    post = Graph(g.name + "_post", tuple(post_nodes), (core_out,), g.outputs, dict(g.constants), dict(g.shapes), dict(g.dtypes))
    if len(g.inputs) != 1:
        raise UnsupportedError(f"model {g.name}: {len(g.inputs)} inputs; only single-input models are supported")
    return HwGraph(g.name, g, pre, tuple(layers), post, core_in, core_out)
