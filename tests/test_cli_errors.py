"""Every user error: exit status 2, one line on stderr naming the problem, no OUT left behind."""

from __future__ import annotations

import errno
import json
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from helpers import synthetic_mlp
from qnngen.cli import main


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    return code, err


def _assert_clean_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("qnngen: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def _save(model: onnx.ModelProto, path) -> str:
    onnx.save(model, str(path))
    return str(path)


@pytest.fixture
def softsign_model(tmp_path):
    node = helper.make_node("Softsign", ["x"], ["y"], name="odd_node")
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    return _save(helper.make_model(g), tmp_path / "softsign.onnx")


def _cases(tmp_path, softsign_model):
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\x01 definitely not a protobuf \xff" * 10)
    float_mm = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1, float_weight_layer=1), tmp_path / "floatmm.onnx")
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    big = _save(synthetic_mlp([512, 512, 10], 4, 4, seed=2), tmp_path / "big.onnx")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{ not json")
    bad_pe = tmp_path / "pe.json"
    bad_pe.write_text(json.dumps({"mvtu_0": {"pe": 4, "simd": 1}}))
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"mvtu_0": {"pe": 512, "simd": 512}}))
    return {
        "missing file": ([str(tmp_path / "nope.onnx")], ("nope.onnx", "no such model")),
        "not onnx": ([str(garbage)], ("garbage.onnx", "not a readable ONNX")),
        "unsupported op": ([softsign_model], ("odd_node", "Softsign")),
        "float matmul": ([float_mm], ("MatMul", "no quantizer")),
        "bad folding json": ([good, "--folding", str(bad_json)], ("bad.json",)),
        "illegal pe": ([good, "--folding", str(bad_pe)], ("PE=4", "MH=6")),
        "unknown board": ([good, "--board", "nosuchboard"], ("nosuchboard", "pynq-z2")),
        "too big": ([big, "--folding", str(huge)], ("LUT", "pynq-z2", "53200")),
        "over budget": ([big, "--target-fps", "max", "--budget", "lut=0.1%"],
                        ("LUT but pynq-z2 has 53 within the budget (0.1 % of 53200)", "raise --budget", "bigger board")),
        "target over budget": ([big, "--target-fps", "1e5", "--budget", "lut=1%"],
                               ("LUT", "532", "lower --target-fps or raise --budget")),
        "bad target": ([good, "--target-fps", "fast"], ("--target-fps fast", "or max")),
        "bad budget key": ([good, "--target-fps", "max", "--budget", "lut=70%,gpu=1"], ("gpu=1", "bram18")),
        "bad budget share": ([good, "--target-fps", "max", "--budget", "dsp=150%"], ("dsp=150%", "(0, 100%]")),
        "budget without target": ([good, "--budget", "lut=70%"], ("--budget", "--target-fps")),
    }


CASES = ["missing file", "not onnx", "unsupported op", "float matmul", "bad folding json",
         "illegal pe", "unknown board", "too big", "over budget", "target over budget", "bad target",
         "bad budget key", "bad budget share", "budget without target"]


@pytest.mark.parametrize("case", CASES)
def test_compile_error(case, tmp_path, softsign_model, capsys):
    args, needles = _cases(tmp_path, softsign_model)[case]
    out = tmp_path / "OUT"
    code, err = _run(capsys, "compile", *args, "-o", str(out))
    _assert_clean_error(code, err, *needles)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".OUT")]


@pytest.mark.parametrize("case", ["unsupported op", "illegal pe", "too big", "over budget", "bad target"])
def test_estimate_error(case, tmp_path, softsign_model, capsys):
    args, needles = _cases(tmp_path, softsign_model)[case]
    _assert_clean_error(*_run(capsys, "estimate", *args), *needles)


def test_failed_compile_leaves_existing_out_as_it_was(tmp_path, softsign_model, capsys):
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    out = tmp_path / "OUT"
    assert main(["compile", good, "-o", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, err = _run(capsys, "compile", softsign_model, "-o", str(out))
    _assert_clean_error(code, err, "odd_node")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after


def test_simulate_errors(tmp_path, capsys):
    _assert_clean_error(*_run(capsys, "simulate", str(tmp_path / "nothing")), "not a qnngen build folder")
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    out = tmp_path / "OUT"
    assert main(["compile", good, "-o", str(out)]) == 0
    _assert_clean_error(*_run(capsys, "simulate", str(out), "--input", str(tmp_path / "x.npy")), "x.npy")
    np.save(tmp_path / "wrong.npy", np.zeros((3, 5), dtype=np.float32))
    _assert_clean_error(*_run(capsys, "simulate", str(out), "--input", str(tmp_path / "wrong.npy")), "shape")


def test_console_script_exit_status(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "qnngen", "compile", str(tmp_path / "none.onnx"), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_estimate_write_failure_leaves_json_as_it_was(tmp_path, capsys, monkeypatch):
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    report = tmp_path / "r.json"
    report.write_text("old report\n")
    monkeypatch.setattr("qnngen.outputs.os.replace", _no_space)
    _assert_clean_error(*_run(capsys, "estimate", good, "--json", str(report)), "--json", "No space left")
    assert report.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.onnx", "r.json"]


def test_compile_write_failure_leaves_out_as_it_was(tmp_path, capsys, monkeypatch):
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    out = tmp_path / "OUT"
    assert main(["compile", good, "-o", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    monkeypatch.setattr("qnngen.codegen.rtl.write_rtl", _no_space)
    _assert_clean_error(*_run(capsys, "compile", good, "-o", str(out), "--target-fps", "max"), "-o", "No space left")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT", "good.onnx"]


def test_simulate_error_leaves_output_file_as_it_was(tmp_path, capsys):
    good = _save(synthetic_mlp([8, 6, 4], 2, 2, seed=1), tmp_path / "good.onnx")
    out = tmp_path / "OUT"
    assert main(["compile", good, "-o", str(out)]) == 0
    y = tmp_path / "y.npy"
    y.write_bytes(b"earlier outputs")
    np.save(tmp_path / "nan.npy", np.full((2, 8), np.nan, dtype=np.float32))
    _assert_clean_error(*_run(capsys, "simulate", str(out), "--input", str(tmp_path / "nan.npy"), "-o", str(y)),
                        "nan.npy", "NaN")
    assert y.read_bytes() == b"earlier outputs"
    assert not (out / "sim.json").exists() and not (out / "sim_build").exists()


@pytest.mark.parametrize("argv,needles", [
    (["compile"], ("compile:", "-o/--out", "qnngen compile --help")),
    (["estimate", "x.onnx", "--clock-mhz", "inf"], ("estimate:", "--clock-mhz", "(0, 1000]")),
    (["simulate", "OUT", "--seed", "-1"], ("simulate:", "--seed", "'-1'")),
    (["estimate", "x.onnx", "--speed", "3"], ("estimate:", "unrecognized arguments: --speed 3")),
])
def test_usage_errors_are_one_line(argv, needles, capsys):
    _assert_clean_error(*_run(capsys, *argv), *needles)


@pytest.mark.filterwarnings("error")
def test_numpy_warning_inside_a_command_is_one_error_line(tmp_path, capsys, monkeypatch):
    def overflowing_plan(*args, **kwargs):
        return np.exp(np.float32(1000.0))

    monkeypatch.setattr("qnngen.pipeline.plan", overflowing_plan)
    _assert_clean_error(*_run(capsys, "estimate", "tfc_w1a1"), "estimate:", "overflow")
