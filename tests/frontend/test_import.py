"""The frontend reproduces the source model's own execution and refuses what it cannot import."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from qnngen.errors import ModelError, UnsupportedError
from qnngen.frontend import from_onnx, load_model
from qnngen.ir import execute
from qnngen.ir.onnx_export import to_onnx
from qnngen.streamline import streamline

from helpers import all_mlps, model_files


@pytest.mark.parametrize("folder,name", all_mlps())
def test_import_matches_qonnx_outputs(folder, name):
    path, x, y = model_files(name, folder)
    g = load_model(path)
    out = execute(g, {g.inputs[0]: x})[g.outputs[0]]
    assert np.max(np.abs(out - y)) <= 1e-5 * np.abs(y).max()


@pytest.mark.parametrize("folder,name", all_mlps())
def test_streamlined_onnx_round_trip(folder, name):
    path, x, _ = model_files(name, folder)
    g = streamline(load_model(path))
    g2 = from_onnx(onnx.load_from_string(to_onnx(g).SerializeToString()), g.name)
    a = execute(g, {g.inputs[0]: x}, keep_all=True)
    b = execute(g2, {g2.inputs[0]: x}, keep_all=True)
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_unsupported_op_names_node():
    node = helper.make_node("Softsign", ["x"], ["y"], name="my_softsign")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    with pytest.raises(UnsupportedError, match="my_softsign.*Softsign"):
        from_onnx(helper.make_model(graph), "m")


def test_missing_and_garbage_files(tmp_path):
    with pytest.raises(ModelError, match="no such model file"):
        load_model(tmp_path / "nope.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_text("this is not onnx")
    with pytest.raises(ModelError, match="not a readable ONNX model"):
        load_model(bad)
