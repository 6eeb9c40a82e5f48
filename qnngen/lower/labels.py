"""Move a final ArgMax into hardware (a label-select layer) when it only depends on the integers."""

from __future__ import annotations

import math

import numpy as np

from ..ir import UINT, ops
from ..ir.graph import Graph, Node
from ..layers.elementwise import LabelSelect
from .chain import HwNode


def _order_preserving(g: Graph, n: Node) -> bool:
    """A Mul by a positive constant or an Add of a constant, equal for every class: the same
    increasing map on every value, so it cannot change which class is largest."""
    consts = [np.asarray(g.constants[t]) for t in n.inputs if g.is_constant(t)]
    if len(consts) != 1 or not np.all(consts[0] == consts[0].reshape(-1)[0]):
        return False
    return isinstance(n.op, ops.Add) or (isinstance(n.op, ops.Mul) and float(consts[0].reshape(-1)[0]) > 0)


def label_select(g: Graph, post: list[Node], stream_out: str, core_out: str) -> tuple[Graph, HwNode, str] | None:
    """When post-processing is order-preserving scalar maps then an ArgMax over the classes,
    return (graph with the index dtype, the LabelSelect node, its output tensor); else None."""
    if not post or not isinstance(post[-1].op, ops.ArgMax) or len(g.shapes[core_out]) != 2:
        return None
    *maps, argmax = post
    if argmax.op.axis not in (1, -1) or argmax.outputs[0] not in g.outputs or len(g.outputs) != 1:
        return None
    if not all(_order_preserving(g, n) for n in maps):
        return None
    chain = core_out
    for n in maps + [argmax]:
        if n.inputs[0] != chain:
            return None
        chain = n.outputs[0]
    classes = int(g.shapes[core_out][1])
    idx_type = UINT(max(1, math.ceil(math.log2(classes))))
    out = argmax.outputs[0]
    layer = LabelSelect("labelselect_0", classes, 1, 1, g.dtype(core_out), idx_type)
    return g.with_(dtypes={**g.dtypes, out: idx_type}), HwNode(layer, (stream_out,), (out,)), out
