"""Passes for forks and joins: duplicated dequantizers, integer residual adds, global pools."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..ir import UINT, ops, smallest_int_type
from ..ir.execute import infer_shapes
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass
from ..ir.spatial_ops import AveragePool, Conv, GlobalAveragePool, GlobalSumPool

_MAX_ADD_RATIO_BITS = 16


@graph_pass("streamline.duplicate_shared_dequant")
def duplicate_shared_dequant(g: Graph) -> Graph:
    """Before: x -> Mul|Add(c) -> {A, B}      After: x -> Mul|Add(c) -> A,  x -> Mul|Add(c)' -> B
    Fires when a Mul/Add with a constant operand feeds several nodes, so that each copy can be
    moved on along its own branch.
    """
    for n in g.nodes:
        if not isinstance(n.op, (ops.Mul, ops.Add)) or n.outputs[0] in g.outputs:
            continue
        if sum(g.is_constant(t) for t in n.inputs) != 1 or g.is_constant(n.inputs[0]) is True:
            continue
        readers = g.consumers(n.outputs[0])
        if len(readers) < 2:
            continue
        copies, renamed = [], []
        for k, r in enumerate(readers[1:], start=1):
            out = g.fresh_name(f"{n.outputs[0]}_copy{k}")
            copies.append(Node(f"{n.name}_copy{k}", n.op, n.inputs, (out,)))
            renamed.append(Node(r.name, r.op, tuple(out if t == n.outputs[0] else t for t in r.inputs), r.outputs))
        return g.substitute(readers[1:], copies + renamed)
    return g


def _scaled_int(g: Graph, t: str) -> tuple[Node, str, float] | None:
    """(Mul node, integer tensor, scalar scale) when t = Mul(integer tensor, scalar)."""
    p = g.producer(t)
    if p is None or not isinstance(p.op, ops.Mul) or g.sole_consumer(p) is None:
        return None
    data = [x for x in p.inputs if not g.is_constant(x)]
    const = [x for x in p.inputs if g.is_constant(x)]
    if len(data) != 1 or len(const) != 1 or not g.dtype(data[0]).is_integer():
        return None
    s = np.asarray(g.constants[const[0]], dtype=np.float32)
    return (p, data[0], float(s.reshape(-1)[0])) if s.size == 1 else None


def _integer_ratio(sa: float, sb: float) -> tuple[int, int, float]:
    """(ka, kb, s) with ka * s == sa and kb * s == sb exactly, ka, kb powers of two."""
    for big, small, swap in ((sa, sb, False), (sb, sa, True)):
        ratio = np.float32(big) / np.float32(small)
        k = int(ratio)
        if k >= 1 and ratio == k and k & (k - 1) == 0 and k < (1 << _MAX_ADD_RATIO_BITS):
            return (1, k, small) if swap else (k, 1, small)
    raise UnsupportedError(
        f"the two inputs of a residual Add have scales {sa:g} and {sb:g}, not a power-of-two "
        "ratio; quantize both branches with the same (shared) quantizer"
    )


@graph_pass("streamline.integer_residual_add")
def integer_residual_add(g: Graph) -> Graph:
    """Before: qa:INT -> Mul(sa) -> Add <- Mul(sb) <- qb:INT      After: AddStreams(qa*ka + qb*kb) -> Mul(s)
    Fires when both Add inputs are scaled integers with scalar scales whose ratio is a power of
    two (sa = ka*s, sb = kb*s exactly); other ratios are refused with a clear error.
    """
    for add in g.nodes_of(ops.Add):
        if any(g.is_constant(t) for t in add.inputs):
            continue
        a, b = _scaled_int(g, add.inputs[0]), _scaled_int(g, add.inputs[1])
        if a is None or b is None:
            continue
        try:
            ka, kb, s = _integer_ratio(a[2], b[2])
        except UnsupportedError as exc:
            raise UnsupportedError(f"node {add.name}: {exc}") from None
        mid, sname = g.fresh_name(add.outputs[0] + "_int"), g.fresh_name(add.name + "_scale")
        join = Node(add.name, ops.AddStreams(ka, kb), (a[1], b[1]), (mid,))
        scale = Node(add.name + "_scale", ops.Mul(), (mid, sname), add.outputs)
        g = g.substitute([a[0], b[0], add], [join, scale], {sname: np.float32(s)})
        ta, tb = g.dtype(a[1]), g.dtype(b[1])
        lo = min(ka * ta.min(), ka * ta.max()) + min(kb * tb.min(), kb * tb.max())
        hi = max(ka * ta.min(), ka * ta.max()) + max(kb * tb.min(), kb * tb.max())
        return g.with_(dtypes={**g.dtypes, mid: smallest_int_type(int(lo), int(hi))})
    return g


@graph_pass("streamline.integer_global_pool")
def integer_global_pool(g: Graph) -> Graph:
    """Before: q:INT -> GlobalAveragePool      After: q -> GlobalSumPool -> Mul(1 / (H*W))
    Fires on a global average pool of an integer tensor (its sum is exact in hardware).
    """
    for gap in g.nodes_of(GlobalAveragePool):
        x = gap.inputs[0]
        if not g.dtype(x).is_integer():
            continue
        if x not in g.shapes:
            g = infer_shapes(g)
        _, _, h, w = g.shapes[x]
        mid, kname = g.fresh_name(gap.outputs[0] + "_sum"), g.fresh_name(gap.name + "_n")
        g = g.substitute([gap], [Node(gap.name, GlobalSumPool(), (x,), (mid,)),
                                 Node(gap.name + "_mean", ops.Div(), (mid, kname), gap.outputs)],
                         {kname: np.float32(h * w)})
        dt = g.dtype(x)
        return g.with_(dtypes={**g.dtypes, mid: smallest_int_type(int(dt.min()) * h * w, int(dt.max()) * h * w)})
    return g


@graph_pass("streamline.integer_concat")
def integer_concat(g: Graph) -> Graph:
    """Before: qa:INT -> Mul(s) -> Concat(axis 1) <- Mul(s) <- qb:INT      After: Concat(qa, qb) -> Mul(s)
    Fires when both inputs are integers of the same type scaled by the same scalar; a Concat of
    differently scaled or typed inputs is refused (they would need requantizing).
    """
    for cat in g.nodes_of(ops.Concat):
        if len(cat.inputs) != 2 or cat.op.axis not in (1, -3) or any(g.is_constant(t) for t in cat.inputs):
            continue
        a, b = _scaled_int(g, cat.inputs[0]), _scaled_int(g, cat.inputs[1])
        if a is None or b is None:
            continue
        if a[2] != b[2] or g.dtype(a[1]) != g.dtype(b[1]):
            raise UnsupportedError(
                f"node {cat.name}: Concat inputs have scales {a[2]:g} / {b[2]:g} and types "
                f"{g.dtype(a[1])} / {g.dtype(b[1])}; quantize both branches with the same quantizer"
            )
        mid, sname = g.fresh_name(cat.outputs[0] + "_int"), g.fresh_name(cat.name + "_scale")
        g = g.substitute([a[0], b[0], cat], [Node(cat.name, cat.op, (a[1], b[1]), (mid,)),
                                             Node(cat.name + "_scale", ops.Mul(), (mid, sname), cat.outputs)],
                         {sname: np.float32(a[2])})
        return g.with_(dtypes={**g.dtypes, mid: g.dtype(a[1])})
    return g


@graph_pass("streamline.average_pool_as_depthwise_sum")
def average_pool_as_depthwise_sum(g: Graph) -> Graph:
    """Before: q:INT -> AveragePool(k, s, pads)      After: q -> Conv(ones, group=C) -> Div(k*k)
    Fires on an average pool of an integer tensor: the window sum is a depthwise convolution
    with all-one weights (exact in hardware); the division is absorbed into the next thresholds.
    """
    for pool in g.nodes_of(AveragePool):
        x = pool.inputs[0]
        if not g.dtype(x).is_integer():
            continue
        if x not in g.shapes:
            g = infer_shapes(g)
        c = int(g.shapes[x][1])
        kh, kw = pool.op.kernel_shape
        conv = Conv(pool.op.kernel_shape, pool.op.strides, pool.op.pads, group=c)
        mid, wname, kname = (g.fresh_name(pool.outputs[0] + "_sum"), g.fresh_name(pool.name + "_ones"),
                             g.fresh_name(pool.name + "_k"))
        g = g.substitute([pool], [Node(pool.name, conv, (x, wname), (mid,)),
                                  Node(pool.name + "_mean", ops.Div(), (mid, kname), pool.outputs)],
                         {wname: np.ones((c, 1, kh, kw), dtype=np.int64), kname: np.float32(kh * kw)})
        return g.with_(dtypes={**g.dtypes, wname: UINT(1)})
    return g
