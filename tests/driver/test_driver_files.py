# SPDX-License-Identifier: Apache-2.0
"""OUT/driver without a kernel: the files are deterministic and self-contained (numpy only: the
driver imports and runs the host pre- and post-processing with qnngen unimportable, equal bit
for bit to qnngen's), carry memlayout.py and host_ops.py verbatim and the register map of the
issue, and a host op the driver cannot run is refused."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import EXAMPLES, SHARED_MODELS, model_files
from qnngen import memlayout
from qnngen.driver import DATA_FILE, DRIVER_FILE, host_program, write_driver
from qnngen.errors import UnsupportedError
from qnngen.ir import FLOAT32, host_ops, ops
from qnngen.ir.graph import Graph, Node
from qnngen.pipeline import Options, plan

MODELS = [
    pytest.param(SHARED_MODELS, n, "pynq-z2", id=n)
    for n in ("tfc_w1a1", "tfc_w2a2", "mlp_w4a4_digits", "cnv_w1a1_small", "cnv_w2a2_small")
]
MODELS += [
    pytest.param(EXAMPLES, n, "alveo-u250", id=f"example-{n}")
    for n in ("tfc_w1a1", "mlp_w2a2", "cnv_w2a2", "resnet_w4a4")
]

#: run in a fresh interpreter beside a copy of the driver: qnngen, pynq and pyxrt unimportable
_TARGET = """
import sys
for name in ("qnngen", "pynq", "pyxrt"):
    sys.modules[name] = None
import numpy as np
import qnngen_driver as d
spec = d.Spec(d.DATA_FILE)
q = spec.quantize(np.load("x.npy"))
outs = spec.finish(np.load("y_stream.npy"))
np.savez("host.npz", q=q, **outs)
errors = {}
for backend in d.BACKENDS:
    try:
        d.Accelerator(backend=backend)
    except ImportError as exc:
        errors[backend] = str(exc)
print(repr(errors))
"""


def _driver(model: Path, board: str, folder: Path):
    p = plan(str(model), Options(board=board))
    write_driver(p, folder)
    return p


def _run_isolated(folder: Path, code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize("folder,name,board", MODELS)
def test_host_programs_run_without_qnngen_bit_exact(folder, name, board, tmp_path):
    model, x, _ = model_files(name, folder)
    p = _driver(model, board, tmp_path / "out" / "driver")
    target = tmp_path / "target"
    shutil.copytree(tmp_path / "out" / "driver", target)
    q_ref = p.hw.quantize_input(x)
    y_stream = p.hw.run_layers(q_ref)
    np.save(target / "x.npy", x)
    np.save(target / "y_stream.npy", y_stream)
    errors = ast.literal_eval(_run_isolated(target, _TARGET))
    host = np.load(target / "host.npz")
    assert host["q"].dtype == q_ref.dtype
    np.testing.assert_array_equal(host["q"], q_ref)
    ref = p.hw.finish_output(y_stream)
    assert set(host.files) == {"q", *ref}
    for k, v in ref.items():
        assert host[k].dtype == v.dtype
        np.testing.assert_array_equal(host[k], v)
    assert "pynq module" in errors["pynq"] and "pyxrt module" in errors["xrt"]
    assert "qnngen.sim.kernel module" in errors["sim"]
    data = json.loads((target / DATA_FILE).read_text())
    assert data["default_backend"] == ("pynq" if board == "pynq-z2" else "xrt")
    assert data["stream_in"]["layout"]["mem_bits"] == (64 if board == "pynq-z2" else 512)


def _embedded_sources(text: str) -> dict[str, str]:
    found = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_embedded":
            found[node.args[0].value] = node.args[1].value
    return found


def test_driver_carries_memlayout_and_host_ops_verbatim(tmp_path):
    model, _, _ = model_files("tfc_w1a1", SHARED_MODELS)
    _driver(model, "pynq-z2", tmp_path)
    sources = _embedded_sources((tmp_path / DRIVER_FILE).read_text())
    assert sources == {
        "memlayout": Path(memlayout.__file__).read_text(),
        "host_ops": Path(host_ops.__file__).read_text(),
    }


def test_register_map_and_defaults(tmp_path):
    model, _, _ = model_files("tfc_w1a1", SHARED_MODELS)
    _driver(model, "zcu104", tmp_path)
    out = _run_isolated(
        tmp_path,
        "import qnngen_driver as d; print(repr((d.REGISTERS, d.ARGS, d.CTRL, "
        "d.AP_START, d.AP_DONE, d.AP_IDLE, d.KERNEL)))",
    )
    regs, args, ctrl, start, done, idle, kernel = ast.literal_eval(out)
    assert (regs["in_addr"], regs["out_addr"], regs["frames"], regs["cycles"]) == (
        (0x10, 0x14),
        (0x1C, 0x20),
        (0x28,),
        (0x30, 0x34),
    )
    assert (ctrl, start, done, idle) == (0x00, 1, 2, 4) and args == (
        "in_addr",
        "out_addr",
        "frames",
    )
    assert kernel == "qnngen_kernel"
    data = json.loads((tmp_path / DATA_FILE).read_text())
    # tfc_w1a1: 784 bipolar inputs, 10 INT8 outputs, on the 128-bit ZynqMP port
    assert data["stream_in"]["layout"] == {
        "elems": 784,
        "elem_bits": 1,
        "kind": "bipolar",
        "mem_bits": 128,
    }
    assert data["stream_out"]["layout"] == {
        "elems": 10,
        "elem_bits": 8,
        "kind": "signed",
        "mem_bits": 128,
    }
    bad = _run_isolated(
        tmp_path,
        "import qnngen_driver as d\nfor kw in ({'backend': 'fpga'}, {'backend': 'sim', "
        "'batch_size': 0}):\n  try: d.Accelerator(**kw)\n  except ValueError as e: print(e)",
    )
    assert (
        "backend='fpga': choose one of pynq, xrt, sim" in bad
        and "batch_size=0: must be at least 1" in bad
    )


def test_driver_files_are_deterministic(tmp_path):
    model, _, _ = model_files("cnv_w2a2_small", SHARED_MODELS)
    for k in range(2):
        _driver(model, "pynq-z2", tmp_path / str(k))
    for f in (DRIVER_FILE, DATA_FILE):
        assert (tmp_path / "0" / f).read_bytes() == (tmp_path / "1" / f).read_bytes()


def test_refuses_a_host_op_without_semantics():
    g = Graph(
        "g",
        (Node("mm", ops.MatMul(), ("x", "w"), ("y",)), Node("t", ops.Trunc(), ("y",), ("z",))),
        ("x",),
        ("z",),
        {"w": np.ones((2, 2), np.float32)},
        {},
        {"z": FLOAT32},
    )
    with pytest.raises(
        UnsupportedError,
        match=r"^node mm: MatMul in the host post-processing .* driver cannot run it",
    ):
        host_program(g, "post")
    assert host_program(g.with_(nodes=()), "post")["steps"] == []
