"""Yosys runs: primitive counting, batched module synthesis and `qnngen synth` on a build."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import EXAMPLES, SHARED_CNVS, SHARED_MLPS, SHARED_MODELS

from qnngen.cli import main as qnngen
from qnngen.errors import QnnGenError
from qnngen.ir.datatypes import INT, UINT
from qnngen.layers import DWC, MVTU
from qnngen.layers.base import Fold, Resources
from qnngen.synth import cell_resources
from qnngen.synth.batch import synthesize_batch
from qnngen.synth.design import relative_error
from qnngen.synth.yosys import run_yosys



def test_cell_resources_counts_primitives_as_the_vendor_reports() -> None:
    cells = {"LUT6": 3, "LUT2": 1, "INV": 1, "RAM32M": 2, "SRLC32E": 1, "FDRE": 7, "FDSE": 1,
             "RAMB36E1": 2, "RAMB18E1": 1, "DSP48E1": 4, "CARRY4": 9, "MUXF7": 5, "IBUF": 3}
    assert cell_resources(cells) == Resources(lut=3 + 1 + 1 + 8 + 1, ff=8, bram18=5, uram=0, dsp=4)


def test_yosys_failure_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.sv").write_text("module bad(; endmodule\n")
    with pytest.raises(QnnGenError, match="yosys failed .*ERROR"):
        run_yosys(["-q", "-p", "read_verilog -sv bad.sv"], tmp_path)


def test_relative_error() -> None:
    assert relative_error(110, 100) == 0.1
    assert relative_error(0, 0) == 0.0
    assert relative_error(3, 0) is None


def test_batch_keeps_each_instance_apart() -> None:
    """Two parameterizations in one run give what each gives alone, and differ as they should."""
    rng = np.random.default_rng(0)
    w = rng.integers(-2, 2, size=(8, 16))
    mvtu = MVTU("m", UINT(2), INT(2), INT(8), INT(8), w).rtl(Fold(2, 4))
    dwc = DWC("d", 16, 4, 64).rtl(Fold())
    both = synthesize_batch([mvtu, dwc], "xc7")
    alone = synthesize_batch([dwc], "xc7")
    assert both[1] == alone[0]
    assert both[0].resources.lut > both[1].resources.lut > 0


@pytest.mark.slow
@pytest.mark.parametrize("model, fps", [
    pytest.param(EXAMPLES / "mlp_w2a2.onnx", "100000", id="example-mlp_w2a2"),
    *(pytest.param(SHARED_MODELS / f"{m}.onnx", "20000", id=f"shared-{m}") for m in SHARED_MLPS),
    *(pytest.param(SHARED_MODELS / f"{m}.onnx", "500", id=f"shared-{m}") for m in SHARED_CNVS),
])
def test_synth_command_matches_estimate(model: Path, fps: str, tmp_path: Path) -> None:
    """`qnngen synth` on a compiled model: per-layer figures add up, DSPs and URAMs equal the
    estimate, BRAM18s within 10 %, LUT and FF within the error band the estimate reports
    (held-out p90)."""
    if not model.is_file():
        pytest.skip(f"{model} not present")
    out = tmp_path / "b"
    assert qnngen(["compile", str(model), "-o", str(out), "--target-fps", fps]) == 0
    assert qnngen(["synth", str(out)]) == 0
    synth = json.loads((out / "synth.json").read_text())
    report = json.loads((out / "report.json").read_text())
    assert synth["estimate"] == report["estimate"]["resources"]
    assert [layer["name"] for layer in synth["layers"]] == [layer["name"] for layer in report["layers"]]
    for key in ("bram18", "uram", "dsp"):
        assert sum(layer["resources"][key] for layer in synth["layers"]) == synth["resources"][key]
    assert synth["resources"]["uram"] == synth["estimate"]["uram"]
    assert synth["resources"]["dsp"] == synth["estimate"]["dsp"]
    assert abs(synth["error"]["bram18"]) <= 0.1, synth["error"]["bram18"]
    band = report["error_band"]
    for key in ("lut", "ff"):
        assert abs(synth["error"][key]) <= band[key], (key, synth["error"][key], band[key])


def test_synth_of_a_missing_folder_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert qnngen(["synth", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a qnngen build folder (run: qnngen compile" in err
