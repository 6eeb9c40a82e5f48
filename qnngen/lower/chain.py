"""Walk the integer chain of a streamlined graph and build one hardware layer per op."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import UnsupportedError
from ..ir import BIPOLAR, ops
from ..ir.graph import Graph, Node
from ..ir.spatial_ops import Conv, MaxPool
from ..layers.base import HwLayer
from ..layers.mvtu import MVTU
from ..layers.pool import MaxPoolLayer
from ..layers.swu import SWU


@dataclass
class _Walk:
    """State of the walk: where the stream is, what was built, which nodes were used."""

    g: Graph
    cur: str
    layers: list[HwLayer] = field(default_factory=list)
    used: list[Node] = field(default_factory=list)
    #: NCHW shape whose flattening (channel-major) the next MatMul's weight rows follow
    flattened_from: tuple[int, ...] | None = None

    def count(self, kind: type) -> int:
        return sum(isinstance(layer, kind) for layer in self.layers)


def _threshold_after(g: Graph, node: Node) -> Node | None:
    mt = g.sole_consumer(node)
    if mt is not None and isinstance(mt.op, ops.MultiThreshold) and g.dtype(mt.outputs[0]).is_integer():
        return mt
    return None


def _mvtu(w: _Walk, node: Node, weights: np.ndarray, n_vectors: int, simd_divides: int) -> None:
    """Add an MVTU for `node` (+ its MultiThreshold) and advance the walk."""
    g, thr = w.g, _threshold_after(w.g, node)
    out = thr.outputs[0] if thr else node.outputs[0]
    w.layers.append(MVTU(
        name=f"mvtu_{w.count(MVTU)}", in_dtype=g.dtype(w.cur), w_dtype=g.dtype(node.inputs[1]),
        acc_dtype=g.dtype(node.outputs[0]), out_dtype=g.dtype(out), weights=weights,
        thresholds=np.asarray(g.constants[thr.inputs[1]], dtype=np.int64) if thr else None,
        out_bias=int(thr.op.out_bias) if thr else 0, n_vectors=n_vectors, simd_divides=simd_divides,
    ))
    w.used += [node] + ([thr] if thr else [])
    w.cur = out


def _matmul(w: _Walk, mm: Node) -> None:
    weights = np.asarray(w.g.constants[mm.inputs[1]], dtype=np.int64)
    if w.flattened_from is not None:
        _, c, h, wd = w.flattened_from
        # rows are in channel-major (NCHW) order; the stream is pixel-major (NHWC)
        weights = weights.reshape(c, h, wd, -1).transpose(1, 2, 0, 3).reshape(c * h * wd, -1)
        w.flattened_from = None
    _mvtu(w, mm, weights.T.copy(), 1, 0)


def _conv(w: _Walk, conv: Node) -> None:
    g, op = w.g, conv.op
    _, c, h, wd = g.shapes[w.cur]
    if op.group != 1:
        raise UnsupportedError(f"node {conv.name}: grouped/depthwise Conv (group={op.group}) is not supported yet")
    if any(op.pads) and g.dtype(w.cur) == BIPOLAR:
        raise UnsupportedError(f"node {conv.name}: zero padding of a bipolar (+-1) input has no encoding; use pads=0")
    k = w.count(SWU)
    mvtu_name = f"mvtu_{w.count(MVTU)}"
    swu = SWU(f"swu_{k}", g.dtype(w.cur), c, h, wd, op.kernel_shape, op.strides, op.pads, 0, mvtu_name)
    w.layers.append(swu)
    wt = np.asarray(g.constants[conv.inputs[1]], dtype=np.int64)
    _mvtu(w, conv, wt.transpose(0, 2, 3, 1).reshape(wt.shape[0], -1), swu.out_h * swu.out_w, c)


def _maxpool(w: _Walk, pool: Node) -> None:
    op = pool.op
    kh, kw = op.kernel_shape
    if kh != kw or tuple(op.strides) != (kh, kw) or any(op.pads):
        raise UnsupportedError(f"node {pool.name}: MaxPool needs a square kernel equal to its stride and no padding")
    _, c, h, wd = w.g.shapes[w.cur]
    w.layers.append(MaxPoolLayer(f"maxpool_{w.count(MaxPoolLayer)}", w.g.dtype(w.cur), c, h, wd, kh))
    w.used.append(pool)
    w.cur = pool.outputs[0]


def _flatten(w: _Walk, node: Node) -> None:
    shape_in, shape_out = w.g.shapes[w.cur], w.g.shapes[node.outputs[0]]
    if len(shape_out) != 2 or int(np.prod(shape_in)) != int(np.prod(shape_out)):
        raise UnsupportedError(f"node {node.name}: only flattening to (batch, features) is supported")
    if len(shape_in) == 4 and shape_in[2:] != (1, 1):
        w.flattened_from = tuple(shape_in)
    w.used.append(node)
    w.cur = node.outputs[0]


def _is_integer_linear(g: Graph, node: Node) -> bool:
    return g.is_constant(node.inputs[1]) and g.dtype(node.inputs[1]).is_integer() and g.dtype(node.inputs[0]).is_integer()


def walk_layers(g: Graph, core_in: str) -> tuple[list[HwLayer], list[Node], str]:
    """Hardware layers for the integer chain starting at core_in, the nodes they cover, and
    the tensor the chain ends with."""
    w = _Walk(g, core_in)
    while w.cur not in g.outputs:
        cons = g.consumers(w.cur)
        if len(cons) != 1:
            break
        node = cons[0]
        if isinstance(node.op, ops.MatMul) and _is_integer_linear(g, node):
            if len(g.shapes[w.cur]) != 2:
                raise UnsupportedError(f"node {node.name}: MatMul on a {len(g.shapes[w.cur])}-D tensor; flatten it first")
            _matmul(w, node)
        elif isinstance(node.op, Conv) and _is_integer_linear(g, node):
            _conv(w, node)
        elif isinstance(node.op, MaxPool):
            _maxpool(w, node)
        elif isinstance(node.op, (ops.Reshape, ops.Flatten)) and g.dtype(node.outputs[0]).is_integer():
            _flatten(w, node)
        else:
            break
        if w.layers and isinstance(w.layers[-1], MVTU) and w.layers[-1].thresholds is None:
            break
    return w.layers, w.used, w.cur
