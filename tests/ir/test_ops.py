"""qnngen's op semantics equal onnxruntime's (standard ops) and qonnx's (quantizers) bit for bit."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import helper

from qnngen.ir import ops


def _ort(op_type: str, inputs: list[np.ndarray], n_out: int = 1, **attrs) -> list[np.ndarray]:
    names = [f"i{k}" for k in range(len(inputs))]
    node = helper.make_node(op_type, names, [f"o{k}" for k in range(n_out)], **attrs)
    vi = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(x.dtype), x.shape) for n, x in zip(names, inputs)]
    outs = [helper.make_empty_tensor_value_info(f"o{k}") for k in range(n_out)]
    model = helper.make_model(helper.make_graph([node], "g", vi, outs), opset_imports=[helper.make_opsetid("", 17)])
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, dict(zip(names, inputs)))


def _arr(rng, shape, lo=-4.0, hi=4.0) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_elementwise_and_bn_match_onnxruntime(seed):
    rng = np.random.default_rng(seed)
    x, c = _arr(rng, (3, 5)), _arr(rng, (1, 5))
    for cls, name in [(ops.Add, "Add"), (ops.Sub, "Sub"), (ops.Mul, "Mul"), (ops.Div, "Div")]:
        np.testing.assert_array_equal(cls().execute(x, c)[0], _ort(name, [x, c])[0])
    np.testing.assert_array_equal(ops.Relu().execute(x)[0], _ort("Relu", [x])[0])
    np.testing.assert_array_equal(ops.Sign().execute(x)[0], _ort("Sign", [x])[0])
    bn = [_arr(rng, (5,)), _arr(rng, (5,)), _arr(rng, (5,)), _arr(rng, (5,), 0.1, 3.0)]
    np.testing.assert_array_equal(ops.BatchNormalization(1e-5).execute(x, *bn)[0],
                                  _ort("BatchNormalization", [x, *bn], epsilon=1e-5)[0])


def test_shape_ops_and_selection_match_onnxruntime():
    rng = np.random.default_rng(0)
    x = _arr(rng, (2, 3, 4))
    np.testing.assert_array_equal(ops.Flatten(1).execute(x)[0], _ort("Flatten", [x], axis=1)[0])
    np.testing.assert_array_equal(ops.Transpose((0, 2, 1)).execute(x)[0], _ort("Transpose", [x], perm=[0, 2, 1])[0])
    shape = np.array([1, 12], dtype=np.int64)
    assert ops.Reshape().execute(x, shape)[0].shape == (2, 12)  # leading 1 stands for the batch
    y = _arr(rng, (4, 10))
    np.testing.assert_array_equal(ops.ArgMax(1, True).execute(y)[0], _ort("ArgMax", [y], axis=1, keepdims=1)[0])
    k = np.array([3], dtype=np.int64)
    vals, idx = ops.TopK(-1).execute(y, k)
    ref = _ort("TopK", [y, k], n_out=2, axis=-1)
    np.testing.assert_array_equal(vals, ref[0])
    np.testing.assert_array_equal(idx, ref[1])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.booleans(), st.booleans(),
       st.sampled_from(["ROUND", "FLOOR", "CEIL", "HALF_UP"]))
def test_quantizers_match_qonnx(seed, bits, signed, narrow, mode):
    from qonnx.custom_op.general.bipolar_quant import binary_quant
    from qonnx.custom_op.general.quant import quant

    rng = np.random.default_rng(seed)
    x = _arr(rng, (4, 6), -3, 3)
    x[0, :3] = [0.5, -0.5, 1.5]  # rounding ties
    scale, zp = np.float32(rng.uniform(0.05, 1)), np.float32(0)
    got = ops.Quant(signed, narrow, mode).execute(x, scale, zp, np.float32(bits))[0]
    want = quant(x, scale, zp, np.float32(bits), signed, narrow, mode)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ops.BipolarQuant().execute(x, scale)[0], binary_quant(x, scale))


@pytest.mark.parametrize("int_input", [False, True])
def test_multithreshold_matches_qonnx(int_input):
    from qonnx.custom_op.general.multithreshold import multithreshold

    rng = np.random.default_rng(3)
    x = rng.integers(-10, 10, size=(5, 4)) if int_input else _arr(rng, (5, 4), -10, 10)
    t = np.sort(rng.integers(-10, 10, size=(4, 3)), axis=1).astype(np.float32)
    got = ops.MultiThreshold("INT2", 1.0, -2.0).execute(x, t)[0]
    np.testing.assert_array_equal(got, multithreshold(x.astype(np.float32), t, 1.0, -2.0))
