"""Threshold absorption and accumulator ranges, checked exhaustively on random float chains."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qnngen.ir import BIPOLAR, INT, UINT, Graph, Node, execute, ops
from qnngen.streamline import absorb_into_thresholds, accumulator_range, infer_accumulator_types


def _chain_graph(w, in_dtype, mul, add, relu, bits, signed, narrow, scale, bn):
    """q:in_dtype -> MatMul(w) -> Mul -> Add -> [BN] -> [Relu] -> IntQuant -> y."""
    c = w.shape[1]
    nodes = [Node("mm", ops.MatMul(), ("q", "w"), ("acc",)),
             Node("mul", ops.Mul(), ("acc", "m"), ("a1",)),
             Node("add", ops.Add(), ("a1", "b"), ("a2",))]
    cur = "a2"
    consts = {"w": w, "m": mul.astype(np.float32), "b": add.astype(np.float32),
              "s": np.float32(scale), "z": np.float32(0), "nb": np.float32(bits)}
    if bn is not None:
        gamma, beta, mean, var = bn
        consts.update({"g": gamma, "be": beta, "mu": mean, "v": var})
        nodes.append(Node("bn", ops.BatchNormalization(1e-5), (cur, "g", "be", "mu", "v"), ("a3",)))
        cur = "a3"
    if relu:
        nodes.append(Node("relu", ops.Relu(), (cur,), ("a4",)))
        cur = "a4"
    nodes.append(Node("quant", ops.IntQuant(signed, narrow, "ROUND"), (cur, "s", "z", "nb"), ("y",)))
    out = BIPOLAR if bits == 1 and signed else (INT(bits) if signed else UINT(bits))
    g = Graph("t", (), ("q",), ("y",), {}, {"q": (1, w.shape[0])}, {"q": in_dtype, "w": INT(4), "y": out})
    return g.substitute([], nodes, consts), c


@st.composite
def chains(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mw, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    in_dtype = draw(st.sampled_from([BIPOLAR, UINT(2), INT(3), UINT(1)]))
    w = rng.integers(-8, 8, size=(mw, c))
    mul = rng.uniform(-2, 2, size=(1, c)) * (rng.random((1, c)) > 0.1)
    add = rng.uniform(-5, 5, size=(1, c))
    bn = None
    if draw(st.booleans()):
        bn = tuple(a.astype(np.float32) for a in (rng.uniform(-2, 2, c), rng.uniform(-2, 2, c),
                                                 rng.uniform(-3, 3, c), rng.uniform(0.1, 3, c)))
    bits = draw(st.integers(1, 4))
    signed, narrow = draw(st.booleans()), draw(st.booleans())
    return _chain_graph(w, in_dtype, mul, add, draw(st.booleans()), bits, signed, narrow,
                        float(rng.uniform(0.05, 2)), bn)


def _all_inputs(dtype, mw):
    vals = [-1, 1] if dtype == BIPOLAR else list(range(int(dtype.min()), int(dtype.max()) + 1))
    grids = np.meshgrid(*([vals] * mw), indexing="ij")
    return np.stack([gr.reshape(-1) for gr in grids], axis=1).astype(np.int64)


@settings(max_examples=150, deadline=None)
@given(chains())
def test_thresholds_equal_float_chain_on_every_input(case):
    g, _ = case
    x = _all_inputs(g.dtype("q"), g.shapes["q"][1])[:4096]
    before = execute(g, {"q": x})["y"]
    g2 = absorb_into_thresholds(g)
    assert g2 is not g and [n.op_type for n in g2.nodes] == ["MatMul", "MultiThreshold"]
    after = execute(g2, {"q": x})["y"]
    np.testing.assert_array_equal(before, after)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([BIPOLAR, UINT(2), INT(4), UINT(8), INT(8)]),
       st.integers(1, 40), st.integers(1, 6))
def test_accumulator_type_holds_worst_case_inputs(seed, in_dtype, mw, mh):
    rng = np.random.default_rng(seed)
    w = rng.integers(-7, 8, size=(mw, mh))
    g = Graph("t", (Node("mm", ops.MatMul(), ("q", "w"), ("acc",)),), ("q",), ("acc",),
              {"w": w}, {"q": (1, mw)}, {"q": in_dtype, "w": INT(4)})
    acc_t = infer_accumulator_types(g).dtype("acc")
    lo, hi = int(in_dtype.min()), int(in_dtype.max())
    # the inputs that maximise / minimise each output channel
    x_max = np.where(w.T > 0, hi, lo)
    x_min = np.where(w.T > 0, lo, hi)
    extremes = np.concatenate([np.diagonal(x_max @ w)[None], np.diagonal(x_min @ w)[None]])
    assert acc_t.min() <= extremes.min() and extremes.max() <= acc_t.max()
    rlo, rhi = accumulator_range(w, in_dtype)
    np.testing.assert_array_equal(rhi, np.diagonal(x_max @ w))
    np.testing.assert_array_equal(rlo, np.diagonal(x_min @ w))
    # one bit fewer would not do
    assert acc_t.bitwidth() == 1 or not (INT(acc_t.bitwidth() - 1).min() <= min(extremes.min(), -1)
                                         and extremes.max() <= INT(acc_t.bitwidth() - 1).max())
