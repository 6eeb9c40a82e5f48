# SPDX-License-Identifier: Apache-2.0
"""The generated driver end to end on the Verilator-simulated kernel: the sim backend returns the
source model's outputs (tfc_w1a1 and a CNV, several ap_starts per call, buffers above and across
4 GiB, memory stalls), and the pynq and xrt backends, run against fakes of pynq / pyxrt whose
registers and buffers are the simulated kernel's (qnngen unimportable for the driver), make the
expected calls and return the same outputs."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import SHARED_MODELS, model_files
from qnngen.cli import main
from qnngen.pipeline import lower_model

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
#: tfc_w1a1 on pynq-z2 (64-bit memory port): 784 one-bit inputs = 13 words = 104 bytes a frame,
#: 10 eight-bit outputs = 2 words = 16 bytes a frame
TFC_IN_BYTES, TFC_OUT_BYTES = 104, 16


def _build(tmp_path_factory, name: str, fps: str):
    """The model compiled once per test run: the pytest-xdist workers share the build folder
    (and so its verilated kernel in OUT/sim_build)."""
    model, x, ref = model_files(name, SHARED_MODELS)
    base = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        base = base.parent  # the workers' folders sit side by side in the run's folder
    out = base / "driver_builds" / name
    out.parent.mkdir(exist_ok=True)
    with open(out.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "driver").is_dir():
            assert main(["compile", str(model), "-o", str(out), "--target-fps", fps]) == 0
    return out, x, ref, lower_model(model)


@pytest.fixture(scope="module")
def tfc(tmp_path_factory):
    return _build(tmp_path_factory, "tfc_w1a1", "20000")


def _driver(out: Path):
    spec = importlib.util.spec_from_file_location(
        f"qnngen_driver_{abs(hash(out))}", out / "driver" / "qnngen_driver.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check(y: np.ndarray, x: np.ndarray, ref: np.ndarray, hw) -> None:
    """y is what `simulate` returns (the numpy reference of the hardware, finished on the host)
    and the source model's output: exactly where that is integral, else within float32 rounding
    of the last float scale with the same argmax on >= 99 % of frames (as test_end_to_end)."""
    (expected,) = hw.finish_output(hw.run_layers(hw.quantize_input(x))).values()
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y, expected)
    if np.all(ref == np.round(ref)):
        np.testing.assert_array_equal(y, ref)
    tol = 1e-5 * np.abs(ref).max(axis=1, keepdims=True)
    close = np.all(np.abs(y - ref) <= tol, axis=1) & (y.argmax(1) == ref.argmax(1))
    assert np.mean(close) >= 0.99


def test_sim_backend_tfc_all_inputs(tfc):
    out, x, ref, hw = tfc
    driver = _driver(out)
    with driver.Accelerator(backend="sim", batch_size=100) as acc:
        y = acc.run(x)
        with pytest.raises(
            ValueError, match=r"input has shape \(3, 28, 28\); the model takes \(N, 784\)"
        ):
            acc.run(x[:3].reshape(3, 28, 28))
        assert {a.address for a in acc.buffers.values()} == {0x1_0000_0000, 0x1_8000_0000}
    _check(y, x, ref, hw)
    assert len(acc.run_cycles) == 3  # 100 + 100 + 56 frames
    interval = json.loads((out / "report.json").read_text())["estimate"]["interval_cycles"]
    assert acc.run_cycles[0] >= 100 * interval


def test_sim_backend_buffers_across_4gib_with_stalls(tfc):
    out, x, ref, hw = tfc
    x, ref = x[:20], ref[:20]
    addresses = {"in_addr": 0xFFFF_FF00, "out_addr": 0x2_0000_0000 - 48}  # both cross a 4 GiB line
    with _driver(out).Accelerator(
        backend="sim", batch_size=7, addresses=addresses, sim_options={"seed": 5, "stalls": 0.3}
    ) as acc:
        y = acc.run(x)
    _check(y, x, ref, hw)
    assert len(acc.run_cycles) == 3


def test_sim_backend_cnv(tmp_path_factory):
    out, x, ref, hw = _build(tmp_path_factory, "cnv_w1a1_small", "2000")
    x, ref = x[:8], ref[:8]
    with _driver(out).Accelerator(backend="sim", batch_size=3) as acc:
        y = acc.run(x)
    _check(y, x, ref, hw)
    assert len(acc.run_cycles) == 3


def _on_fakes(
    out: Path, tmp_path: Path, backend: str, target_file: str, x: np.ndarray
) -> tuple[np.ndarray, dict]:
    target = tmp_path / "target"
    shutil.copytree(out / "driver", target)
    (target / target_file).write_bytes(b"")
    np.save(tmp_path / "x.npy", x)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    args = [
        str(out),
        str(target),
        backend,
        "7",
        str(tmp_path / "x.npy"),
        str(tmp_path / "y.npy"),
        str(tmp_path / "log.json"),
    ]
    res = subprocess.run(
        [sys.executable, str(HERE / "fake_target.py"), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    return np.load(tmp_path / "y.npy"), json.loads((tmp_path / "log.json").read_text())


def test_pynq_backend_on_fakes(tfc, tmp_path):
    out, x, ref, hw = tfc
    x, ref = x[:20], ref[:20]
    y, log = _on_fakes(out, tmp_path, "pynq", "design.bit", x)
    _check(y, x, ref, hw)
    calls = log["calls"]
    assert calls[:2] == [
        ["Overlay", str(tmp_path / "target" / "design.bit")],
        ["MMIO", 0x4000_0000, 0x1000],
    ]
    assert [c[:3] for c in calls[2:4]] == [
        ["allocate", [7 * TFC_IN_BYTES], "|u1"],
        ["allocate", [7 * TFC_OUT_BYTES], "|u1"],
    ]
    src, dst = calls[2][3], calls[3][3]
    rest = calls[4:]
    for frames in (7, 7, 6):
        assert rest[0] == ["flush", src]
        assert rest[1][:2] == ["read", 0x00] and rest[1][2] & 0x4  # ap_idle before the start
        assert rest[2:8] == [
            ["write", 0x10, src & 0xFFFFFFFF],
            ["write", 0x14, src >> 32],
            ["write", 0x1C, dst & 0xFFFFFFFF],
            ["write", 0x20, dst >> 32],
            ["write", 0x28, frames],
            ["write", 0x00, 1],
        ]
        polls = 8
        while rest[polls][:2] == ["read", 0x00] and not rest[polls][2] & 0x2:
            polls += 1
        assert polls > 8 and rest[polls][:2] == ["read", 0x00] and rest[polls][2] & 0x2  # ap_done
        assert [c[:2] for c in rest[polls + 1 : polls + 3]] == [["read", 0x30], ["read", 0x34]]
        assert rest[polls + 3] == ["invalidate", dst]
        rest = rest[polls + 4 :]
    assert rest == [["freebuffer", src], ["freebuffer", dst]]
    assert len(log["run_cycles"]) == 3


def test_xrt_backend_on_fakes(tfc, tmp_path):
    out, x, ref, hw = tfc
    x, ref = x[:20], ref[:20]
    y, log = _on_fakes(out, tmp_path, "xrt", "design.xclbin", x)
    _check(y, x, ref, hw)
    xclbin = str(tmp_path / "target" / "design.xclbin")
    src, dst = 0x40_0000_0000, 0x40_0000_1000  # the fake's 4 KiB-aligned buffers above 4 GiB
    expected = [
        ["device", 0],
        ["xclbin", xclbin],
        ["load_xclbin", xclbin],
        ["kernel", "uuid", "qnngen_kernel", "shared"],
        ["group_id", 0],
        ["bo", 7 * TFC_IN_BYTES, "normal", 10, src],
        ["group_id", 1],
        ["bo", 7 * TFC_OUT_BYTES, "normal", 11, dst],
    ]
    for frames in (7, 7, 6):
        expected += [
            ["sync", "XCL_BO_SYNC_BO_TO_DEVICE", src, frames * TFC_IN_BYTES, 0],
            ["call", src, dst, frames],
            ["wait", None],
            ["sync", "XCL_BO_SYNC_BO_FROM_DEVICE", dst, frames * TFC_OUT_BYTES, 0],
        ]
    calls = [c if c[0] != "wait" else ["wait", None] for c in log["calls"]]
    assert calls == expected
    assert all(c[1] > 1000 for c in log["calls"] if c[0] == "wait")  # a timeout in ms, above 1 s
    assert log["run_cycles"] == []
