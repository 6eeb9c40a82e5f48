# SPDX-License-Identifier: Apache-2.0
"""host_ops is the one source of the host ops' semantics: every IR op with host semantics names
a host_ops function taking exactly its attributes, and the quantizers equal qonnx's own."""

from __future__ import annotations

import inspect
from dataclasses import fields

import numpy as np
import pytest
from qonnx.custom_op.general import quant as qonnx_quant

from qnngen.ir import host_ops, ops, spatial_ops


def _op_classes() -> list[type]:
    found, todo = [], [ops.Op]
    while todo:
        cls = todo.pop()
        found += cls.__subclasses__()
        todo += cls.__subclasses__()
    return sorted(set(found), key=lambda c: c.__name__)


def test_every_host_op_names_a_function_taking_its_attributes():
    classes = _op_classes()
    assert {c.__name__ for c in classes} >= {
        "Add",
        "IntQuant",
        "MultiThreshold",
        "MaxPool",
        "TopK",
        "Conv",
    }
    hosted = [c for c in classes if c.host_fn is not None]
    assert {c.__name__ for c in classes} - {c.__name__ for c in hosted} == {
        "Conv",
        "MatMul",
        "Trunc",
    }
    for cls in hosted:
        fn = getattr(host_ops, cls.host_fn)
        keywords = [
            p.name for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY
        ]
        assert keywords == [f.name for f in fields(cls)], cls.__name__


@pytest.mark.parametrize(
    "mode", ["ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN"]
)
def test_quant_equals_qonnx(mode):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 40, 4000), np.arange(-300, 300) / 2]).astype(np.float32)
    for bits in (1, 2, 3, 4, 8, 16):
        for signed in (True, False):
            for narrow in (False, True):
                scale, zeropt = np.float32(rng.uniform(0.05, 2)), np.float32(rng.integers(-2, 3))
                args = (x, np.asarray(scale), np.asarray(zeropt), np.asarray(np.float32(bits)))
                (ours,) = host_ops.quant(*args, signed=signed, narrow=narrow, rounding_mode=mode)
                theirs = qonnx_quant.quant(*args, signed, narrow, mode)
                np.testing.assert_array_equal(
                    ours, theirs, err_msg=f"{mode} bits={bits} signed={signed} narrow={narrow}"
                )
                assert ours.dtype == np.float32


def test_ir_op_runs_its_host_function():
    x = np.array([[-1.7, 0.2, 3.5]], dtype=np.float32)
    op = spatial_ops.MaxPool((1, 2), (1, 1), (0, 0, 0, 0))
    (y,) = op.execute(x.reshape(1, 1, 1, 3))
    np.testing.assert_array_equal(y.reshape(-1), np.float32([0.2, 3.5]))
    (q,) = ops.IntQuant(True, False, "HALF_UP").execute(
        x, np.float32(0.5), np.float32(0), np.float32(3)
    )
    np.testing.assert_array_equal(q, [[-3.0, 0.0, 3.0]])  # -3.4 -> -3, 0.4 -> 0, 7 -> clipped to 3
