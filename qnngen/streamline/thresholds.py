"""Absorb everything between an integer MatMul and the next activation quantizer into
per-channel integer thresholds, found by bisection on the exact float32 function."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..ir import BIPOLAR, DataType, ops
from ..ir.execute import execute, infer_shapes
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass
from .linear import LINEAR, scale_columns, weight_columns


def accumulator_range(w: np.ndarray, in_dtype: DataType) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel (min, max) of x @ w over every x with elements in in_dtype's range."""
    w = np.asarray(w, dtype=object)
    lo, hi = int(in_dtype.min()), int(in_dtype.max())
    a, b = w * lo, w * hi
    mins = np.minimum(a, b).sum(axis=0)
    maxs = np.maximum(a, b).sum(axis=0)
    return np.array(mins, dtype=np.int64), np.array(maxs, dtype=np.int64)


def _chain(g: Graph, quant: Node) -> tuple[list[Node], Node] | None:
    """Walk back from a quantizer over single-use per-channel monotone elementwise ops to the
    node producing their integer input: an integer MatMul/Conv used only by the chain, or any
    other op with an integer output (a pool, a residual add, another activation)."""
    chain: list[Node] = []
    cur = g.producer(quant.inputs[0])
    while cur is not None and not (_flippable(g, cur) or g.dtype(cur.outputs[0]).is_integer()):
        if isinstance(cur.op, LINEAR) or not (cur.op.monotone and cur.op.elementwise):
            return None
        data = [t for t in cur.inputs if t and not g.is_constant(t)]
        if len(data) != 1 or data[0] != cur.inputs[0] or g.sole_consumer(cur) is None:
            return None
        chain.insert(0, cur)
        cur = g.producer(cur.inputs[0])
    if cur is None or not (_flippable(g, cur) or g.dtype(cur.outputs[0]).is_integer()):
        return None
    if _flippable(g, cur) and g.sole_consumer(cur) is not (chain[0] if chain else quant):
        return None
    return chain, cur


def _flippable(g: Graph, root: Node) -> bool:
    """An integer linear op: its weight columns can be negated for decreasing channels."""
    return isinstance(root.op, LINEAR) and g.dtype(root.inputs[0]).is_integer() and g.dtype(root.inputs[1]).is_integer()


def _root_range(g: Graph, root: Node) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (min, max) of the integer tensor the chain starts from."""
    if _flippable(g, root):
        w = np.asarray(g.constants[root.inputs[1]], dtype=np.int64)
        return accumulator_range(weight_columns(root, w), g.dtype(root.inputs[0]))
    dt, c = g.dtype(root.outputs[0]), g.shapes[root.outputs[0]][1]
    return np.full(c, int(dt.min()), dtype=np.int64), np.full(c, int(dt.max()), dtype=np.int64)


def _levels(g: Graph, quant: Node) -> np.ndarray:
    """The integer output values of an IntQuant, ascending."""
    from qonnx.custom_op.general.quant import max_int, min_int

    if g.dtype(quant.outputs[0]) == BIPOLAR:
        return np.array([-1, 1])
    bits = int(np.asarray(g.constants[quant.inputs[3]]).item())
    signed, narrow = quant.op.signed, quant.op.narrow
    return np.arange(int(min_int(signed, narrow, bits)), int(max_int(signed, narrow, bits)) + 1)


def _evaluator(g: Graph, chain: list[Node], quant: Node, root: Node):
    """f(a) for a (rows, C) int array: the quantizer's integer output on accumulator values a."""
    acc = root.outputs[0]
    sub = Graph("chain", tuple(chain + [quant]), (acc,), quant.outputs, dict(g.constants), {}, {})
    ndim = len(g.shapes[acc])

    def f(a: np.ndarray) -> np.ndarray:
        feed = a.astype(np.float32).reshape(a.shape + (1,) * (ndim - 2))
        out = execute(sub, {acc: feed})[quant.outputs[0]]
        return np.asarray(out).reshape(a.shape).astype(np.int64)

    return f


def find_thresholds(f, lo: np.ndarray, hi: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel j and level v_k (k >= 1): the least a in [lo_j, hi_j] with f(a)_j >= v_k, or
    hi_j + 1 when there is none. Channels where f decreases are flipped (sign -1, f(-a))."""
    sign = np.where(f(lo[None, :])[0] > f(hi[None, :])[0], -1, 1)
    lo_s, hi_s = np.where(sign > 0, lo, -hi), np.where(sign > 0, hi, -lo)
    targets = levels[1:]
    left = np.repeat(lo_s[None, :], len(targets), axis=0)
    right = np.repeat(hi_s[None, :] + 1, len(targets), axis=0)
    while np.any(left < right):
        mid = (left + right) // 2
        ok = f(mid * sign[None, :]) >= targets[:, None]
        active = left < right
        right = np.where(active & ok, mid, right)
        left = np.where(active & ~ok, mid + 1, left)
    return left.T.copy(), sign


@graph_pass("streamline.absorb_into_thresholds")
def absorb_into_thresholds(g: Graph) -> Graph:
    """Fuse the float ops between an integer MatMul and an IntQuant into integer thresholds.

    Before: q:INT -> MatMul|Conv(Wint) -> [Mul/Add/BatchNorm/Relu/...] -> IntQuant -> y:INTb
    After:  q:INT -> MatMul|Conv(Wint') -> MultiThreshold(T) -> y:INTb
    Fires when every op on the way is per-channel, monotone and used once; the chain may also
    start at any other integer tensor (pool, residual add). Channels whose function decreases
    get their weight column negated (Wint') so thresholds always read acc >= T.
    """
    for quant in g.nodes_of(ops.IntQuant):
        found = _chain(g, quant)
        if found is None:
            continue
        chain, root = found
        if root.outputs[0] not in g.shapes:
            g = infer_shapes(g)
        lo, hi = _root_range(g, root)
        levels = _levels(g, quant)
        f = _evaluator(g, chain, quant, root)
        thr, sign = find_thresholds(f, lo, hi, levels)
        if np.any(sign < 0) and not _flippable(g, root):
            raise UnsupportedError(f"node {quant.name}: its input decreases with the integer tensor "
                                   f"{root.outputs[0]} on some channels; only increasing activations are supported there")
        lo_s, hi_s = np.where(sign > 0, lo, -hi), np.where(sign > 0, hi, -lo)
        _check_thresholds(f, thr, sign, lo_s, hi_s, levels, quant.name)
        tname = g.fresh_name(quant.name + "_thresholds")
        out_dtype = g.dtype(quant.outputs[0])
        scale, bias = (2, -1) if out_dtype == BIPOLAR else (1, int(levels[0]))
        mt = Node(quant.name, ops.MultiThreshold(out_dtype.name, scale, bias), (root.outputs[0], tname), quant.outputs)
        if not _flippable(g, root):
            return g.substitute([*chain, quant], [mt], {tname: thr})
        w = np.asarray(g.constants[root.inputs[1]], dtype=np.int64)
        wname = g.fresh_name(root.name + "_Wflip")
        new_root = Node(root.name, root.op, (root.inputs[0], wname), root.outputs)
        g = g.substitute([root, *chain, quant], [new_root, mt], {wname: scale_columns(root, w, sign), tname: thr})
        g = g.with_(dtypes={**g.dtypes, wname: g.dtype(root.inputs[1])})
    return g


def _check_thresholds(f, thr, sign, lo, hi, levels, name: str, samples: int = 64) -> None:
    """Compare thresholding with f at the thresholds, their neighbours and random points."""
    rng = np.random.default_rng(0)
    pts = [thr.T, thr.T - 1, rng.integers(lo, hi + 1, size=(samples, len(lo)))]
    for p in pts:
        p = np.clip(p, lo, hi)
        want = f(p * sign[None, :])
        count = np.sum(p[:, :, None] >= thr[None, :, :], axis=-1)
        got = levels[count]
        if not np.array_equal(want, got):
            raise UnsupportedError(f"node {name}: the ops before it are not monotone per channel; cannot threshold")
