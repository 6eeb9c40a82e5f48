"""Move dequantization (scale and offset) from the input of a MatMul to its output."""

from __future__ import annotations

import numpy as np

from ..ir import ops
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass


def _feeding(g: Graph, mm: Node, op_type: type) -> tuple[Node, str, np.ndarray] | None:
    """The sole-consumer op of `op_type` with one constant operand that feeds mm's data input."""
    p = g.producer(mm.inputs[0])
    if p is None or not isinstance(p.op, op_type) or g.sole_consumer(p) is not mm:
        return None
    if not g.is_constant(mm.inputs[1]):
        return None
    data = [t for t in p.inputs if not g.is_constant(t)]
    const = [t for t in p.inputs if g.is_constant(t)]
    if len(data) != 1 or len(const) != 1:
        return None
    return p, data[0], np.asarray(g.constants[const[0]], dtype=np.float32)


@graph_pass("streamline.move_mul_past_matmul")
def move_mul_past_matmul(g: Graph) -> Graph:
    """Before: x -> Mul(s) -> MatMul(W)      After: x -> MatMul(W) -> Mul(s)
    Fires when s is a scalar (per-tensor scale) and the Mul feeds only the MatMul.
    """
    for mm in g.nodes_of(ops.MatMul):
        found = _feeding(g, mm, ops.Mul)
        if found is None or found[2].size != 1:
            continue
        mul, x, s = found
        mid = g.fresh_name(mm.outputs[0] + "_pre")
        g = g.substitute(
            [mul, mm],
            [Node(mm.name, mm.op, (x, mm.inputs[1]), (mid,)), Node(mul.name, ops.Mul(), (mid, mul.name + "_s"), mm.outputs)],
            {mul.name + "_s": s.reshape(())},
        )
    return g


@graph_pass("streamline.move_add_past_matmul")
def move_add_past_matmul(g: Graph) -> Graph:
    """Before: x -> Add(c) -> MatMul(W)      After: x -> MatMul(W) -> Add(c @ W)
    Fires when c is constant and broadcasts along the batch, and the Add feeds only the MatMul.
    """
    for mm in g.nodes_of(ops.MatMul):
        found = _feeding(g, mm, ops.Add)
        if found is None:
            continue
        add, x, c = found
        w = np.asarray(g.constants[mm.inputs[1]], dtype=np.float32)
        if c.size not in (1, w.shape[0]):
            continue
        bias = (np.broadcast_to(c.reshape(1, -1), (1, w.shape[0])) @ w).astype(np.float32)
        mid = g.fresh_name(mm.outputs[0] + "_pre")
        g = g.substitute(
            [add, mm],
            [Node(mm.name, mm.op, (x, mm.inputs[1]), (mid,)), Node(add.name, ops.Add(), (mid, add.name + "_c"), mm.outputs)],
            {add.name + "_c": bias},
        )
    return g


@graph_pass("streamline.remove_noop_reshapes")
def remove_noop_reshapes(g: Graph) -> Graph:
    """Before: x -> Reshape/Flatten -> y (same shape)      After: x
    Fires when the op leaves the shape unchanged and its output is not a graph output.
    """
    for n in g.nodes:
        if not isinstance(n.op, (ops.Reshape, ops.Flatten, ops.Transpose)) or n.outputs[0] in g.outputs:
            continue
        if isinstance(n.op, ops.Transpose) and list(n.op.perm) != sorted(n.op.perm):
            continue
        if g.shapes.get(n.inputs[0]) == g.shapes.get(n.outputs[0]) is not None:
            return g.substitute([n], [], rename={n.outputs[0]: n.inputs[0]})
    return g
