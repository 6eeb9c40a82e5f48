"""Move dequantization (scale and offset) from the input of a linear op or max pool to its output."""

from __future__ import annotations

import numpy as np

from ..ir import ops
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass
from ..ir.spatial_ops import AveragePool, GlobalAveragePool, MaxPool
from .linear import input_channel_sum, linear_nodes


def _feeding(g: Graph, node: Node, op_type: type) -> tuple[Node, str, np.ndarray] | None:
    """The sole-consumer op of `op_type` with one constant operand that feeds node's data input."""
    p = g.producer(node.inputs[0])
    if p is None or not isinstance(p.op, op_type) or g.sole_consumer(p) is not node:
        return None
    data = [t for t in p.inputs if not g.is_constant(t)]
    const = [t for t in p.inputs if g.is_constant(t)]
    if len(data) != 1 or len(const) != 1 or p.inputs[0] != data[0]:
        return None
    return p, data[0], np.asarray(g.constants[const[0]], dtype=np.float32)


def _swap(g: Graph, first: Node, x: str, second: Node, const_name: str, const: np.ndarray) -> Graph:
    """x -> first(c) -> second  becomes  x -> second -> first(const)."""
    mid = g.fresh_name(second.outputs[0] + "_pre")
    return g.substitute(
        [first, second],
        [Node(second.name, second.op, (x, *second.inputs[1:]), (mid,)),
         Node(first.name, first.op, (mid, const_name), second.outputs)],
        {const_name: const},
    )


@graph_pass("streamline.move_mul_past_linear")
def move_mul_past_linear(g: Graph) -> Graph:
    """Before: x -> Mul(s) -> MatMul|Conv(W)      After: x -> MatMul|Conv(W) -> Mul(s)
    Fires when s is a scalar (per-tensor scale) and the Mul feeds only the linear op.
    """
    for lin in linear_nodes(g):
        found = _feeding(g, lin, ops.Mul)
        if found is not None and found[2].size == 1:
            mul, x, s = found
            return _swap(g, mul, x, lin, g.fresh_name(mul.name + "_s"), s.reshape(()))
    return g


@graph_pass("streamline.move_add_past_linear")
def move_add_past_linear(g: Graph) -> Graph:
    """Before: x -> Add(c) -> MatMul|Conv(W)      After: x -> MatMul|Conv(W) -> Add(c applied to W)
    Fires when c is constant per input channel, the Add feeds only the op and a Conv has no padding.
    """
    for lin in linear_nodes(g):
        found = _feeding(g, lin, ops.Add)
        if found is None:
            continue
        add, x, c = found
        bias = input_channel_sum(lin, np.asarray(g.constants[lin.inputs[1]]), c)
        if bias is not None:
            return _swap(g, add, x, lin, g.fresh_name(add.name + "_c"), bias)
    return g


@graph_pass("streamline.move_affine_past_pool")
def move_affine_past_pool(g: Graph) -> Graph:
    """Before: x -> Mul(s)|Add(c) -> MaxPool|AveragePool|GlobalAveragePool   After: x -> pool -> Mul(s)|Add(c)
    Fires for per-channel constants (a pool commutes with adding c and with scaling, which for a
    max pool must be by s > 0).
    """
    for pool in [n for n in g.nodes if isinstance(n.op, (MaxPool, GlobalAveragePool, AveragePool))]:
        for op_type in (ops.Mul, ops.Add):
            found = _feeding(g, pool, op_type)
            if found is None or not (found[2].size == 1 or (found[2].ndim == 4 and found[2].shape[2:] == (1, 1))):
                continue
            if op_type is ops.Mul and isinstance(pool.op, MaxPool) and not np.all(found[2] > 0):
                continue
            node, x, c = found
            return _swap(g, node, x, pool, g.fresh_name(node.name + "_c"), c)
    return g


@graph_pass("streamline.move_scalar_affine_past_reshape")
def move_scalar_affine_past_reshape(g: Graph) -> Graph:
    """Before: x -> Mul(s)|Add(c) -> Reshape/Flatten      After: x -> Reshape/Flatten -> Mul(s)|Add(c)
    Fires for scalar constants (so the layout change cannot affect them).
    """
    for rs in g.nodes:
        if not isinstance(rs.op, (ops.Reshape, ops.Flatten)):
            continue
        for op_type in (ops.Mul, ops.Add):
            found = _feeding(g, rs, op_type)
            if found is not None and found[2].size == 1:
                node, x, c = found
                return _swap(g, node, x, rs, g.fresh_name(node.name + "_c"), c.reshape(()))
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
