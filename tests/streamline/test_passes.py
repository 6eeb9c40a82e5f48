"""Every streamlining pass keeps the model's outputs on random and real inputs."""

from __future__ import annotations

import numpy as np
import pytest

from qnngen.frontend import load_model
from qnngen.ir import execute
from qnngen.ir.verify import verify
from qnngen.streamline import PASSES, streamline
from qnngen.ir import ops

from helpers import all_mlps, frames_off, model_files


@pytest.mark.parametrize("folder,name", all_mlps())
def test_each_pass_keeps_outputs(folder, name):
    path, x, _ = model_files(name, folder)
    g = load_model(path)
    rng = np.random.default_rng(1)
    feeds = np.concatenate([x[:64], rng.uniform(-0.2, 1.2, size=(64, *x.shape[1:])).astype(np.float32)])
    ref = execute(g, {g.inputs[0]: feeds})[g.outputs[0]]
    fired = set()
    for _ in range(10):
        changed = False
        for p in PASSES:
            g2 = p(g)
            if g2 is g:
                continue
            verify(g2)
            out = execute(g2, {g2.inputs[0]: feeds})[g2.outputs[0]]
            assert frames_off(out, ref) == 0, f"{p.__name__} changed the outputs"
            fired.add(p.__name__)
            g, changed = g2, True
        if not changed:
            break
    assert {"quantize_weights", "split_activation_quantizers", "absorb_into_thresholds"} <= fired


@pytest.mark.parametrize("folder,name", all_mlps())
def test_streamlined_graph_is_integer_only(folder, name):
    path, x, y = model_files(name, folder)
    g = streamline(load_model(path))
    for n in g.nodes:
        if isinstance(n.op, ops.MatMul):
            assert g.dtype(n.inputs[0]).is_integer() and g.dtype(n.inputs[1]).is_integer(), n.name
            assert g.dtype(n.outputs[0]).is_integer()
        assert not isinstance(n.op, (ops.Quant, ops.BipolarQuant, ops.BatchNormalization, ops.Relu)), n.name
    out = execute(g, {g.inputs[0]: x})[g.outputs[0]]
    assert frames_off(out, y) == 0
