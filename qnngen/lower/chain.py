"""Lower the integer core of a streamlined graph, in topological order, to hardware layers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import UnsupportedError
from ..ir import BIPOLAR, ops
from ..ir.graph import Graph, Node
from ..ir.spatial_ops import Conv, GlobalSumPool, MaxPool
from ..layers.base import HwLayer
from ..layers.elementwise import AddStreams, Concat, GlobalPool, Thresholding
from ..layers.mvtu import MVTU
from ..layers.pool import MaxPoolLayer
from ..layers.streams import Dup
from ..layers.swu import SWU
from ..layers.vvu import VVU


@dataclass(frozen=True)
class HwNode:
    """A hardware layer and the stream tensors on its input and output ports."""

    layer: HwLayer
    ins: tuple[str, ...]
    outs: tuple[str, ...]


@dataclass
class _Lowering:
    """State while lowering: stream tensors, hardware nodes, graph nodes consumed, aliases."""

    g: Graph
    stream: set[str]
    nodes: list[HwNode] = field(default_factory=list)
    used: list[Node] = field(default_factory=list)
    #: tensors that are another tensor's elements under a new shape (Flatten/Reshape)
    alias: dict[str, str] = field(default_factory=dict)
    #: NCHW shape whose channel-major flattening a tensor carries (the next MatMul's rows follow it)
    flattened_from: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def count(self, kind: type) -> int:
        return sum(isinstance(n.layer, kind) for n in self.nodes)

    def source(self, tensor: str) -> str:
        return self.alias.get(tensor, tensor)

    def add(self, layer: HwLayer, ins: tuple[str, ...], outs: tuple[str, ...], used: list[Node]) -> None:
        self.nodes.append(HwNode(layer, tuple(self.source(t) for t in ins), outs))
        self.used += used
        self.stream.update(outs)


def _threshold_after(g: Graph, node: Node) -> Node | None:
    mt = g.sole_consumer(node)
    if mt is not None and isinstance(mt.op, ops.MultiThreshold) and g.dtype(mt.outputs[0]).is_integer():
        return mt
    return None


def _mvtu(lw: _Lowering, node: Node, x: str, weights: np.ndarray, n_vectors: int, simd_divides: int) -> None:
    """An MVTU computing `node` on stream x (+ the MultiThreshold it feeds)."""
    g, thr = lw.g, _threshold_after(lw.g, node)
    out = thr.outputs[0] if thr else node.outputs[0]
    layer = MVTU(
        name=f"mvtu_{lw.count(MVTU)}", in_dtype=g.dtype(node.inputs[0]), w_dtype=g.dtype(node.inputs[1]),
        acc_dtype=g.dtype(node.outputs[0]), out_dtype=g.dtype(out), weights=weights,
        thresholds=np.asarray(g.constants[thr.inputs[1]], dtype=np.int64) if thr else None,
        out_bias=int(thr.op.out_bias) if thr else 0, n_vectors=n_vectors, simd_divides=simd_divides,
    )
    lw.add(layer, (x,), (out,), [node] + ([thr] if thr else []))


def _matmul(lw: _Lowering, mm: Node) -> None:
    g = lw.g
    if len(g.shapes[mm.inputs[0]]) != 2:
        raise UnsupportedError(f"node {mm.name}: MatMul on a {len(g.shapes[mm.inputs[0]])}-D tensor; flatten it first")
    weights = np.asarray(g.constants[mm.inputs[1]], dtype=np.int64)
    if mm.inputs[0] in lw.flattened_from:
        _, c, h, wd = lw.flattened_from[mm.inputs[0]]
        # rows are in channel-major (NCHW) order; the stream is pixel-major (NHWC)
        weights = weights.reshape(c, h, wd, -1).transpose(1, 2, 0, 3).reshape(c * h * wd, -1)
    _mvtu(lw, mm, mm.inputs[0], weights.T.copy(), 1, 0)


def _conv(lw: _Lowering, conv: Node) -> None:
    g, op, x = lw.g, conv.op, conv.inputs[0]
    _, c, h, wd = g.shapes[x]
    wt = np.asarray(g.constants[conv.inputs[1]], dtype=np.int64)
    if op.group != 1 and not (op.group == c == wt.shape[0] and wt.shape[1] == 1):
        raise UnsupportedError(f"node {conv.name}: grouped Conv (group={op.group}) is supported only as depthwise "
                               "(group = input channels = output channels)")
    if any(op.pads) and g.dtype(x) == BIPOLAR:
        raise UnsupportedError(f"node {conv.name}: zero padding of a bipolar (+-1) input has no encoding; use pads=0")
    depthwise = op.group != 1
    feeds = f"vvu_{lw.count(VVU)}" if depthwise else f"mvtu_{lw.count(MVTU)}"
    swu = SWU(f"swu_{lw.count(SWU)}", g.dtype(x), c, h, wd, op.kernel_shape, op.strides, op.pads, 0, feeds, depthwise)
    lw.add(swu, (x,), (f"{swu.name}_windows",), [])
    if depthwise:
        _vvu(lw, conv, f"{swu.name}_windows", wt.reshape(c, -1), swu.out_h * swu.out_w)
    else:
        _mvtu(lw, conv, f"{swu.name}_windows", wt.transpose(0, 2, 3, 1).reshape(wt.shape[0], -1),
              swu.out_h * swu.out_w, c)


def _vvu(lw: _Lowering, conv: Node, x: str, weights: np.ndarray, n_vectors: int) -> None:
    """A VVU for a depthwise `conv` on window stream x (+ the MultiThreshold it feeds)."""
    g, thr = lw.g, _threshold_after(lw.g, conv)
    out = thr.outputs[0] if thr else conv.outputs[0]
    layer = VVU(
        name=f"vvu_{lw.count(VVU)}", in_dtype=g.dtype(conv.inputs[0]), w_dtype=g.dtype(conv.inputs[1]),
        acc_dtype=g.dtype(conv.outputs[0]), out_dtype=g.dtype(out), weights=weights, n_vectors=n_vectors,
        thresholds=np.asarray(g.constants[thr.inputs[1]], dtype=np.int64) if thr else None,
        out_bias=int(thr.op.out_bias) if thr else 0,
    )
    lw.add(layer, (x,), (out,), [conv] + ([thr] if thr else []))


def _maxpool(lw: _Lowering, pool: Node) -> None:
    op = pool.op
    kh, kw = op.kernel_shape
    if kh != kw or tuple(op.strides) != (kh, kw) or any(op.pads):
        raise UnsupportedError(f"node {pool.name}: MaxPool needs a square kernel equal to its stride and no padding")
    _, c, h, wd = lw.g.shapes[pool.inputs[0]]
    layer = MaxPoolLayer(f"maxpool_{lw.count(MaxPoolLayer)}", lw.g.dtype(pool.inputs[0]), c, h, wd, kh)
    lw.add(layer, pool.inputs[:1], pool.outputs, [pool])


def _flatten(lw: _Lowering, node: Node) -> None:
    """No hardware: the stream already carries the elements; only the shape changes."""
    shape_in, shape_out = lw.g.shapes[node.inputs[0]], lw.g.shapes[node.outputs[0]]
    if len(shape_out) != 2 or int(np.prod(shape_in)) != int(np.prod(shape_out)):
        raise UnsupportedError(f"node {node.name}: only flattening to (batch, features) is supported")
    if len(shape_in) == 4 and shape_in[2:] != (1, 1):
        lw.flattened_from[node.outputs[0]] = tuple(shape_in)
    lw.alias[node.outputs[0]] = lw.source(node.inputs[0])
    lw.stream.add(node.outputs[0])
    lw.used.append(node)


def _pixels(shape: tuple[int, ...]) -> tuple[int, int]:
    """(channels, pixels per frame) of an NCHW or (N, C) tensor."""
    return int(shape[1]), int(np.prod(shape[2:], dtype=np.int64))


def _threshold(lw: _Lowering, mt: Node) -> None:
    g = lw.g
    c, pixels = _pixels(g.shapes[mt.inputs[0]])
    out_dtype = g.dtype(mt.outputs[0])
    layer = Thresholding(f"thresh_{lw.count(Thresholding)}", c, pixels, g.dtype(mt.inputs[0]), out_dtype,
                         np.asarray(g.constants[mt.inputs[1]], dtype=np.int64), int(mt.op.out_bias))
    lw.add(layer, mt.inputs[:1], mt.outputs, [mt])


def _add_streams(lw: _Lowering, add: Node) -> None:
    g = lw.g
    if add.inputs[1] not in lw.stream:
        raise UnsupportedError(f"node {add.name}: one input of the residual add is not computed in hardware")
    c, pixels = _pixels(g.shapes[add.outputs[0]])
    layer = AddStreams(f"add_{lw.count(AddStreams)}", c, pixels, g.dtype(add.inputs[0]), g.dtype(add.inputs[1]),
                       g.dtype(add.outputs[0]), add.op.a_mul, add.op.b_mul)
    lw.add(layer, add.inputs, add.outputs, [add])


def _concat(lw: _Lowering, cat: Node) -> None:
    g = lw.g
    if cat.inputs[1] not in lw.stream:
        raise UnsupportedError(f"node {cat.name}: one input of the Concat is not computed in hardware")
    c, pixels = _pixels(g.shapes[cat.outputs[0]])
    c0 = int(g.shapes[cat.inputs[0]][1])
    layer = Concat(f"concat_{lw.count(Concat)}", c, pixels, c0, g.dtype(cat.outputs[0]))
    lw.add(layer, cat.inputs, cat.outputs, [cat])


def _global_pool(lw: _Lowering, pool: Node) -> None:
    g = lw.g
    if g.dtype(pool.inputs[0]) == BIPOLAR:
        raise UnsupportedError(f"node {pool.name}: global pooling of a bipolar (+-1) tensor is not supported yet")
    _, c, h, w = g.shapes[pool.inputs[0]]
    layer = GlobalPool(f"gpool_{lw.count(GlobalPool)}", c, h * w, h, w, g.dtype(pool.inputs[0]), g.dtype(pool.outputs[0]))
    lw.add(layer, pool.inputs, pool.outputs, [pool])


def _is_integer_linear(g: Graph, node: Node) -> bool:
    return g.is_constant(node.inputs[1]) and g.dtype(node.inputs[1]).is_integer() and g.dtype(node.inputs[0]).is_integer()


def _lower_node(lw: _Lowering, node: Node) -> bool:
    """Build the hardware for a graph node reading the stream; False if it is not hardware."""
    g = lw.g
    if isinstance(node.op, ops.MatMul) and _is_integer_linear(g, node):
        _matmul(lw, node)
    elif isinstance(node.op, Conv) and _is_integer_linear(g, node):
        _conv(lw, node)
    elif isinstance(node.op, MaxPool):
        _maxpool(lw, node)
    elif isinstance(node.op, (ops.Reshape, ops.Flatten)) and g.dtype(node.outputs[0]).is_integer():
        _flatten(lw, node)
    elif isinstance(node.op, ops.MultiThreshold) and g.dtype(node.outputs[0]).is_integer():
        _threshold(lw, node)
    elif isinstance(node.op, ops.AddStreams):
        _add_streams(lw, node)
    elif isinstance(node.op, GlobalSumPool):
        _global_pool(lw, node)
    elif isinstance(node.op, ops.Concat) and g.dtype(node.outputs[0]).is_integer():
        _concat(lw, node)
    else:
        return False
    return True


def _insert_forks(nodes: list[HwNode], core_in: str) -> list[HwNode]:
    """A Dup in front of every stream read by two hardware nodes (chained for more)."""
    out = list(nodes)
    for tensor in [core_in] + [t for n in nodes for t in n.outs]:
        readers = [i for i, n in enumerate(out) if tensor in n.ins]
        k = 0
        while len(readers) > 1:
            a, b = f"{tensor}_fork{k}a", f"{tensor}_fork{k}b"
            first = readers[0]
            dup = HwNode(Dup(f"dup_{sum(isinstance(n.layer, Dup) for n in out)}", tensor), (tensor,), (a, b))
            out[first] = HwNode(out[first].layer, tuple(a if t == tensor else t for t in out[first].ins), out[first].outs)
            for r in readers[1:]:
                out[r] = HwNode(out[r].layer, tuple(b if t == tensor else t for t in out[r].ins), out[r].outs)
            out.insert(first, dup)
            tensor, readers, k = b, [i + 1 for i in readers[1:]], k + 1
    return out


def walk_layers(g: Graph, core_in: str) -> tuple[list[HwNode], list[Node], str, dict[str, str]]:
    """Hardware nodes for the integer core fed by core_in, the graph nodes they cover, the
    graph tensor the core ends with, and the aliases (tensor -> stream it is read from)."""
    lw = _Lowering(g, {core_in})
    ends = set()
    for node in g.nodes:
        if node.inputs and node.inputs[0] in lw.stream and node not in lw.used and not _lower_node(lw, node):
            ends.add(node.inputs[0])
    ends |= {t for t in lw.stream if t in g.outputs}
    if len(ends) > 1:
        raise UnsupportedError(f"model {g.name}: the accelerator would have {len(ends)} output streams ({', '.join(sorted(ends))}); only one is supported")
    core_out = ends.pop() if ends else core_in
    return _insert_forks(lw.nodes, core_in), lw.used, core_out, lw.alias
