# SPDX-License-Identifier: Apache-2.0
"""The driver's data file: stream layouts, shapes, timing and the host pre- and
post-processing as programs of `host_ops` steps, from a compiled plan."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from ..errors import UnsupportedError
from ..ir.graph import Graph
from ..memlayout import FrameLayout
from ..shell.frames import stream_layout

if TYPE_CHECKING:
    from ..pipeline import Plan

#: backend the driver uses by default on each board flavour
DEFAULT_BACKEND = {"zynq7": "pynq", "zynqmp": "pynq", "alveo": "xrt", "aws-f1": "xrt"}


def _array(value: np.ndarray) -> dict:
    a = np.ascontiguousarray(value)
    le = a.astype(a.dtype.newbyteorder("<"))
    return {
        "dtype": le.dtype.str,
        "shape": list(a.shape),
        "base64": base64.b64encode(le.tobytes()).decode(),
    }


def _json_value(v: object) -> object:
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return v.item()
    return v


def host_program(g: Graph, role: str) -> dict:
    """A host graph as host_ops steps plus the constants they read.

    Raises:
        UnsupportedError: naming the first node whose op has no host semantics.
    """
    steps = []
    for n in g.nodes:
        if n.op.host_fn is None:
            raise UnsupportedError(
                f"node {n.name}: {n.op_type} in the host {role}-processing has no host driver "
                "semantics; the driver cannot run it (move it into the quantized network)"
            )
        steps.append(
            {
                "op": n.op_type,
                "fn": n.op.host_fn,
                "attrs": {k: _json_value(v) for k, v in n.op.attrs().items()},
                "inputs": list(n.inputs),
                "outputs": list(n.outputs),
                "integer": [g.dtype(t).is_integer() for t in n.outputs],
            }
        )
    used = sorted({t for n in g.nodes for t in n.inputs if t in g.constants})
    return {
        "inputs": list(g.inputs),
        "outputs": list(g.outputs),
        "steps": steps,
        "constants": {t: _array(g.constants[t]) for t in used},
    }


def driver_data(p: Plan) -> dict:
    """Everything the generated driver reads from its data file."""
    hw, mem = p.hw, p.board.mem_width
    return {
        "qnngen_version": __version__,
        "model": p.model_path.stem,
        "board": p.board.name,
        "default_backend": DEFAULT_BACKEND[p.board.flavour],
        "clock_mhz": p.estimate.clock_mhz,
        "interval_cycles": p.estimate.interval_cycles,
        "latency_cycles": p.estimate.latency_cycles,
        "input_shape": list(hw.graph.shapes[hw.pre.inputs[0]][1:]),
        "outputs": list(hw.post.outputs),
        "stream_in": {
            "tensor": hw.core_in,
            "dtype": hw.in_dtype.name,
            "shape": list(hw.graph.shapes[hw.core_in][1:]),
            "layout": _layout(stream_layout(hw.in_dtype, hw.in_elems, mem)),
        },
        "stream_out": {
            "tensor": hw.core_out,
            "dtype": hw.out_dtype.name,
            "shape": list(hw.graph.shapes[hw.core_out][1:]),
            "layout": _layout(stream_layout(hw.out_dtype, hw.out_elems, mem)),
        },
        "pre": host_program(hw.pre, "pre"),
        "post": host_program(hw.post, "post"),
    }


def _layout(layout: FrameLayout) -> dict:
    return {
        "elems": layout.elems,
        "elem_bits": layout.elem_bits,
        "kind": layout.kind,
        "mem_bits": layout.mem_bits,
    }


def data_json(data: dict) -> str:
    """The data file's text (deterministic)."""
    return json.dumps(data, indent=1) + "\n"
