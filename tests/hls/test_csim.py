# SPDX-License-Identifier: Apache-2.0
"""ONNX to C-simulated HLS C++ (`qnngen compile --backend hls`, `qnngen csim`): every frame equals
the numpy reference and the outputs equal the source model's by the rule of `simulate`
(tests/test_end_to_end.py); the -O2 build has no warnings; a corrupted weight is caught; the
HLS folder is byte-identical across compiles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import EXAMPLES, SHARED_MODELS, frames_off, model_files
from qnngen.cli import main
from qnngen.hls.csim import WARNINGS, ap_types_dir, compiler
from test_end_to_end import CONV_TARGET_FPS, TARGET_FPS

#: the model checked on every run, and two slow ones that bring in every layer kind of the models
#: (a conv net's C++ takes minutes to build and run); scripts/csim_models.py runs all of them
FAST = (EXAMPLES, "tfc_w1a1")
MODELS = [FAST, (SHARED_MODELS, "cnv_w1a1_small"), (EXAMPLES, "resnet_w4a4")]


def _compile_hls(model: Path, out: Path, conv: bool) -> None:
    target = CONV_TARGET_FPS if conv else TARGET_FPS
    assert main(["compile", str(model), "-o", str(out), "--target-fps", target, "--backend", "hls"]) == 0


def _params(models: list) -> list:
    return [pytest.param(f, n, id=f"{f.name}-{n}", marks=() if (f, n) == FAST else pytest.mark.slow)
            for f, n in models]


@pytest.mark.parametrize("folder,name", _params(MODELS))
def test_model_csim_bit_exact(folder: Path, name: str, tmp_path: Path) -> None:
    model, x, ref = model_files(name, folder)
    out = tmp_path / "out"
    _compile_hls(model, out, x.ndim == 4)
    y_path = tmp_path / "y.npy"
    assert main(["csim", str(out), "--input", str(folder / f"{name}.in.npy"), "-o", str(y_path)]) == 0
    record = json.loads((out / "csim.json").read_text())
    assert record["frames"] == len(x) and record["mismatches_vs_reference"] == 0 and record["fps"] > 0
    y = np.load(y_path)
    assert frames_off(y, ref) == 0
    if np.all(ref == np.round(ref)):
        np.testing.assert_array_equal(y, ref)
    logs = list((out / "csim_build").glob("*/build.log"))
    assert len(logs) == 1 and "warning" not in logs[0].read_text()


def test_csim_flags_a_corrupted_weight(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    _compile_hls(Path("mlp_w2a2"), out, False)
    params = out / "hls" / "mvtu_0_params.h"
    text = params.read_text()
    first = text.index("{", text.index("mvtu_0_w")) + 1
    while not text[first].isdigit() and text[first] != "-":
        first += 1
    params.write_text(text[:first] + ("1" if text[first] in "-0" else "-1") + text[first + 1:].lstrip("0123456789"))
    assert main(["csim", str(out)]) == 1
    assert json.loads((out / "csim.json").read_text())["mismatches_vs_reference"] > 0


def test_hls_compile_is_deterministic(tmp_path: Path) -> None:
    files = []
    for k in range(2):
        out = tmp_path / f"o{k}"
        assert main(["compile", "tfc_w1a1", "-o", str(out), "--target-fps", TARGET_FPS, "--backend", "hls"]) == 0
        files.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert files[0] == files[1]
    assert Path("hls/qnngen_top.cpp") in files[0] and not any(str(p).startswith("rtl/") for p in files[0])


def test_hls_code_is_warning_free_cpp14(tmp_path: Path) -> None:
    """What Vitis HLS compiles (C++14) parses without a warning; csim builds as C++20 only for
    the ap_types headers' shifts."""
    out = tmp_path / "out"
    assert main(["compile", "resnet_w4a4", "-o", str(out), "--backend", "hls"]) == 0
    hls = out / "hls"
    cmd = [compiler(), "-std=c++14", "-fsyntax-only", *WARNINGS, "-isystem", str(ap_types_dir()), "-I", str(hls),
           str(hls / "qnngen_top.cpp"), str(hls / "qnngen_tb.cpp")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_csim_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "rtl_build"
    assert main(["compile", "tfc_w1a1", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["csim", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--backend hls" in err[0]
    assert main(["csim", str(tmp_path / "missing")]) == 2
