"""Partition an integer-only graph into host pre-processing, hardware layers and post-processing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedError
from ..ir import DataType, ops
from ..ir.execute import execute
from ..ir.graph import Graph, Node
from ..ir.host_ops import from_stream, to_stream
from ..ir.spatial_ops import Conv
from ..layers.base import HwLayer
from .chain import HwNode, walk_layers
from .labels import label_select


@dataclass(frozen=True, eq=False)
class HwGraph:
    """A streaming accelerator for one model: host pre | layers | host post.

    `pre` maps the model inputs to the integer stream `core_in`; the layers map it to the
    integer stream `core_out`; `post` maps that to the model outputs. All three run on numpy.
    """

    name: str
    graph: Graph
    pre: Graph
    nodes: tuple[HwNode, ...]
    post: Graph
    core_in: str
    core_out: str
    #: graph tensors that are another stream under a new shape (Flatten): tensor -> stream
    alias: dict[str, str]

    @property
    def stream_out(self) -> str:
        """The stream tensor the hardware outputs (core_out, or what it is a view of)."""
        return self.alias.get(self.core_out, self.core_out)

    @property
    def layers(self) -> tuple[HwLayer, ...]:
        return tuple(n.layer for n in self.nodes)

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
        """Model input (N, *shape) float32 -> integer stream elements (N, in_elems), NHWC order."""
        return to_stream(execute(self.pre, {self.pre.inputs[0]: np.asarray(x, dtype=np.float32)})[self.core_in])

    def run_layers(self, q: np.ndarray) -> np.ndarray:
        """The bit-exact numpy reference of the hardware: stream elements in, elements out."""
        env = {self.core_in: q}
        for node in self.nodes:
            result = node.layer.execute(*(env[t] for t in node.ins))
            results = result if len(node.outs) > 1 else (result,)
            env.update(zip(node.outs, results))
        return env[self.stream_out]

    def finish_output(self, y: np.ndarray) -> dict[str, np.ndarray]:
        """Integer stream elements (N, out_elems) -> the model's outputs (host post-processing)."""
        shape = tuple(self.graph.shapes[self.core_out][1:])
        return execute(self.post, {self.core_out: from_stream(y, shape)})


def _input_quantizer(g: Graph) -> Node:
    found = [n for n in g.nodes_of(ops.IntQuant) if not g.dtype(n.inputs[0]).is_integer()]
    if not found:
        raise UnsupportedError(
            f"model {g.name}: no activation quantizer (Quant/BipolarQuant) on the input; "
            "qnngen needs a quantized input to build an integer accelerator"
        )
    if len(found) > 1:
        inner = [n for n in found if any(g.dtype(t).is_integer() for a in _ancestors(g, n.inputs[0]) for t in a.inputs)]
        if inner:
            ops_seen = sorted({a.op_type for a in _ancestors(g, inner[0].inputs[0])} - {"IntQuant", "MultiThreshold"})
            raise UnsupportedError(
                f"node {inner[0].name}: quantizes a float tensor computed from quantized values by ops with "
                f"no integer form here ({', '.join(ops_seen)}); quantize right after them or use supported ops")
        raise UnsupportedError(f"node {found[1].name}: more than one float-to-integer quantizer; only one model input stream is supported")
    return found[0]


def _ancestors(g: Graph, tensor: str) -> list[Node]:
    want, keep = {tensor}, []
    for n in reversed(g.nodes):
        if want & set(n.outputs):
            keep.append(n)
            want |= set(n.inputs)
    return list(reversed(keep))


def _refuse_float_matmul(nodes: list[Node], g: Graph) -> None:
    for n in nodes:
        if isinstance(n.op, (ops.MatMul, Conv)):
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
    nodes, core_nodes, core_out, alias = walk_layers(g, core_in)
    if not nodes:
        raise UnsupportedError(f"node {iq.name}: its output feeds no integer MatMul; nothing to accelerate")
    taken = {n.name for n in pre_nodes + core_nodes}
    post_nodes = [n for n in g.nodes if n.name not in taken]
    labels = label_select(g, post_nodes, alias.get(core_out, core_out), core_out)
    if labels is not None:
        g, node, core_out = labels
        nodes, post_nodes = [*nodes, node], []
    _refuse_float_matmul(post_nodes, g)
    _refuse_float_matmul([n for n in pre_nodes if n is not iq], g)
    pre = Graph(g.name + "_pre", tuple(pre_nodes), g.inputs, (core_in,), dict(g.constants), dict(g.shapes), dict(g.dtypes))
    post = Graph(g.name + "_post", tuple(post_nodes), (core_out,), g.outputs, dict(g.constants), dict(g.shapes), dict(g.dtypes))
    if len(g.inputs) != 1:
        raise UnsupportedError(f"model {g.name}: {len(g.inputs)} inputs; only single-input models are supported")
    return HwGraph(g.name, g, pre, tuple(nodes), post, core_in, core_out, alias)
