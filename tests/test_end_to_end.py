"""ONNX to simulated Verilator RTL, for every MLP we have, at three foldings each.

Checks: RTL == numpy reference on every frame (with and without stalls); the finished outputs
equal the source model's (qonnx) outputs exactly where they are integers, else within float32
rounding and with the same argmax, on every frame; measured interval and latency (first frame
in, its last beat out) within 5 % of the estimate; byte-identical output when compiling twice.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import (
    EXAMPLES, SHARED_CNVS, SHARED_MLPS, SHARED_MODELS, assert_on_estimate, frames_off, model_files,
)
from qnngen.cli import main
from qnngen.fold import folding_to_json, load_board, max_parallel_folding
from qnngen.pipeline import lower_model

#: max: the fastest folding that fits the PYNQ-Z2 (on a ZCU104 the MLPs go fully parallel, tens
#: of thousands of lanes, which Verilator takes many minutes to compile)
FOLDINGS = ("minimal", "target", "max-pynq-z2")
TARGET_FPS = "20000"
CONV_TARGET_FPS = "2000"
#: frames simulated at the slowest (PE = SIMD = 1) folding of a conv net, to bound the test's time
MINIMAL_CONV_FRAMES = 6


def _compile(model: Path, out: Path, folding: str, target: str = TARGET_FPS) -> None:
    args = ["compile", str(model), "-o", str(out)]
    if folding == "target":
        args += ["--target-fps", target]
    elif folding == "max-pynq-z2":
        fold = max_parallel_folding(lower_model(model), load_board("pynq-z2"), 100.0)
        path = out.parent / f"{out.name}.folding.json"
        path.write_text(folding_to_json(fold))
        args += ["--board", "pynq-z2", "--folding", str(path)]
    assert main(args) == 0


def _simulate(out: Path, x_path: Path, stalls: float = 0.0) -> tuple[dict, np.ndarray]:
    """Run `qnngen simulate`; returns sim.json and the outputs."""
    y_path = out.parent / f"{out.name}.y{stalls}.npy"
    code = main(["simulate", str(out), "--input", str(x_path), "-o", str(y_path), "--stalls", str(stalls), "--seed", "7"])
    sim = json.loads((out / "sim.json").read_text())
    assert code == (1 if sim["mismatches_vs_reference"] else 0)
    return sim, np.load(y_path)


def _cases() -> list:
    cases = [pytest.param(SHARED_MODELS, name, f, id=f"{name}-{f}") for name in SHARED_MLPS + SHARED_CNVS for f in FOLDINGS]
    cases += [pytest.param(EXAMPLES, n, f, id=f"example-{n}-{f}") for n in ("cnv_w1a1", "cnv_w2a2") for f in FOLDINGS]
    cases += [pytest.param(EXAMPLES, "resnet_w4a4", f, id=f"example-resnet_w4a4-{f}") for f in FOLDINGS]
    return cases + [pytest.param(EXAMPLES, "mlp_w2a2", f, id=f"example-mlp_w2a2-{f}") for f in ("minimal", "target")]


@pytest.mark.slow
@pytest.mark.parametrize("folder,name,folding", _cases())
def test_model_bit_exact_and_on_estimate(folder, name, folding, tmp_path):
    model, x, ref = model_files(name, folder)
    out = tmp_path / "out"
    conv = x.ndim == 4
    _compile(model, out, folding, CONV_TARGET_FPS if conv else TARGET_FPS)
    x_path = folder / f"{name}.in.npy"
    if conv and folding == "minimal":
        x, ref = x[:MINIMAL_CONV_FRAMES], ref[:MINIMAL_CONV_FRAMES]
        x_path = tmp_path / "x.npy"
        np.save(x_path, x)
    sim, y = _simulate(out, x_path)
    assert sim["frames"] == len(x) and sim["mismatches_vs_reference"] == 0
    assert frames_off(y, ref) == 0
    if np.all(ref == np.round(ref)):  # integer-valued logits: exact on every frame
        np.testing.assert_array_equal(y, ref)
    assert_on_estimate(out)
    if folding == "target":
        stalled, y2 = _simulate(out, x_path, stalls=0.3)
        assert stalled["mismatches_vs_reference"] == 0 and stalled["stalls"] == 0.3
        np.testing.assert_array_equal(y2, y)


def test_compile_is_deterministic(tmp_path):
    files = []
    for k in range(2):
        out = tmp_path / f"o{k}"
        assert main(["compile", "tfc_w1a1", "-o", str(out), "--target-fps", TARGET_FPS]) == 0
        files.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert files[0].keys() == files[1].keys()
    for rel in files[0]:
        assert files[0][rel] == files[1][rel], rel
    assert any(str(r).startswith("rtl/") for r in files[0]) and Path("report.json") in files[0]


def test_simulate_flags_a_corrupted_design(tmp_path):
    out = tmp_path / "out"
    assert main(["compile", "mlp_w2a2", "-o", str(out), "--target-fps", TARGET_FPS]) == 0
    mem = out / "rtl" / "mvtu_0_w.mem"
    lines = mem.read_text().splitlines()
    lines[0] = "".join("f" if c != "f" else "0" for c in lines[0])
    mem.write_text("\n".join(lines) + "\n")
    assert main(["simulate", str(out)]) == 1
    assert json.loads((out / "sim.json").read_text())["mismatches_vs_reference"] > 0
