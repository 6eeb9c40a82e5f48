"""Convolutional models that are not in ../shared: other sizes, strides, asymmetric and explicit
padding, 1x1 kernels, global pooling, odd channel counts; and the refusals."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from helpers import assert_on_estimate, frames_off, qonnx_outputs, synthetic_cnn
from qnngen.cli import main

CNNS = {
    "pad-stride2-asym": (20000, (3, 9, 8), [("conv", 4, 3, 1, (1, 1, 1, 1), 1, 1, True),
                                     ("conv", 6, 3, 2, (0, 1, 1, 0), 1, 1, False), ("flatten",), ("fc", 5)]),
    "depthwise-separable": (200000, (3, 7, 6), [("conv", 4, 3, 1, (1, 1, 1, 1), 1, 1, False),
                                        ("conv", 4, 3, 1, (1, 1, 1, 1), 4, 1, False),
                                        ("conv", 6, 1, 1, (0, 0, 0, 0), 1, 1, False), ("flatten",), ("fc", 5)]),
    "avgpool": (50000, (3, 8, 8), [("conv", 4, 3, 1, (1, 1, 1, 1), 1, 1, False), ("avgpool", 2),
                                   ("conv", 5, 3, 1, (0, 0, 0, 0), 1, 1, False), ("flatten",), ("fc", 3)]),
    "1x1-pool-gap": (20000, (2, 8, 6), [("conv", 5, 1, 1, (0, 0, 0, 0), 1, 1, False), ("maxpool", 2),
                                 ("conv", 3, 3, 1, (1, 1, 1, 1), 1, 1, False), ("gap",), ("flatten",), ("fc", 3)]),
}


@pytest.mark.parametrize("name", sorted(CNNS))
def test_synthetic_cnn_bit_exact(name, tmp_path, capsys):
    target, shape, spec = CNNS[name]
    model = synthetic_cnn(shape, spec, seed=3)
    onnx.save(model, str(tmp_path / "m.onnx"))
    x = np.random.default_rng(5).uniform(-1, 1, size=(12, *shape)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    assert main(["compile", str(tmp_path / "m.onnx"), "-o", str(out), "--target-fps", str(target)]) == 0
    assert main(["simulate", str(out), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"),
                 "--stalls", "0.3", "--seed", "2"]) == 0
    assert json.loads((out / "sim.json").read_text())["mismatches_vs_reference"] == 0
    assert frames_off(np.load(tmp_path / "y.npy"), qonnx_outputs(model, x)) == 0


REFUSED = {
    "dilation": ([("conv", 4, 3, 1, (0, 0, 0, 0), 1, 2, False), ("flatten",), ("fc", 3)], "dilation"),
    "ceil-mode pool": ([("conv", 4, 3, 1, (0, 0, 0, 0), 1, 1, False), ("maxpool", 2, 1), ("flatten",), ("fc", 3)], "ceil_mode"),
    "grouped conv": ([("conv", 4, 3, 1, (0, 0, 0, 0), 2, 1, False), ("flatten",), ("fc", 3)], "group"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unsupported_variants_are_refused(case, tmp_path, capsys):
    spec, needle = REFUSED[case]
    onnx.save(synthetic_cnn((2, 9, 9), spec, seed=1), str(tmp_path / "m.onnx"))
    code = main(["compile", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and needle in err[0] and "node " in err[0]
    assert not (tmp_path / "out").exists()


def test_inception_style_concat(tmp_path):
    from helpers import synthetic_concat_net

    model = synthetic_concat_net(seed=2)
    onnx.save(model, str(tmp_path / "m.onnx"))
    x = np.random.default_rng(1).uniform(-1, 1, size=(10, 3, 6, 5)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    assert main(["compile", str(tmp_path / "m.onnx"), "-o", str(out), "--target-fps", "100000"]) == 0
    assert main(["simulate", str(out), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy")]) == 0
    assert json.loads((out / "sim.json").read_text())["mismatches_vs_reference"] == 0
    assert_on_estimate(out)
    assert frames_off(np.load(tmp_path / "y.npy"), qonnx_outputs(model, x)) == 0
