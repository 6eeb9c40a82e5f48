"""A final ArgMax runs in hardware when nothing after the integers can reorder the classes, and
on the host otherwise; both give the source model's labels."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from helpers import synthetic_mlp, with_argmax
from qnngen.cli import main


def _qonnx_labels(model, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    mw = ModelWrapper(model).transform(InferShapes())
    return np.concatenate([execute_onnx(mw, {"global_in": x[i:i + 1]})["label"] for i in range(len(x))])


@pytest.mark.parametrize("per_channel,in_hardware", [(False, True), (True, False)])
def test_argmax_labels(per_channel, in_hardware, tmp_path):
    model = with_argmax(synthetic_mlp([16, 8, 6], 3, 2, seed=4, bias=False, per_channel=per_channel, batchnorm=False))
    onnx.save(model, str(tmp_path / "m.onnx"))
    x = np.random.default_rng(0).uniform(-1, 1, size=(40, 16)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    assert main(["compile", str(tmp_path / "m.onnx"), "-o", str(out)]) == 0
    kinds = {layer["kind"] for layer in json.loads((out / "report.json").read_text())["layers"]}
    assert ("LabelSelect" in kinds) == in_hardware
    assert main(["simulate", str(out), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"),
                 "--stalls", "0.3"]) == 0
    labels = np.load(tmp_path / "y.npy").reshape(-1)
    np.testing.assert_array_equal(labels, _qonnx_labels(model, x).reshape(-1))
