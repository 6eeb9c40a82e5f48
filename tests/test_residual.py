"""Skip connections: the computed FIFO depths keep a residual net running at its estimated
interval and latency; an undersized skip FIFO deadlocks, and the simulator says so instead of
hanging."""

from __future__ import annotations

import json

import pytest

from helpers import assert_on_estimate
from qnngen.cli import main


@pytest.fixture(scope="module")
def resnet_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("resnet") / "out"
    assert main(["compile", "resnet_w4a4", "-o", str(out), "--target-fps", "1000"]) == 0
    return out


def test_skip_fifo_depth_comes_from_the_schedule(resnet_build):
    folding = json.loads((resnet_build / "folding.json").read_text())
    main_depth, skip_depth = folding["add_0"]["fifo_depth"]
    # the skip waits for the main branch (two 3x3 convolutions): many rows of beats, not a few
    assert skip_depth > 16 * main_depth
    report = json.loads((resnet_build / "report.json").read_text())
    fifos = {layer["name"]: layer for layer in report["layers"] if layer["kind"] == "FIFO"}
    assert "fifo_add_0_1" in fifos and fifos["fifo_add_0_1"]["memory_style"] in ("block", "distributed")


def test_undersized_skip_fifo_deadlocks_and_is_reported(resnet_build, tmp_path, capsys):
    folding = json.loads((resnet_build / "folding.json").read_text())
    folding["add_0"]["fifo_depth"] = [folding["add_0"]["fifo_depth"][0], 8]
    path = tmp_path / "small_fifo.json"
    path.write_text(json.dumps(folding))
    out = tmp_path / "small"
    assert main(["compile", "resnet_w4a4", "-o", str(out), "--folding", str(path)]) == 0
    capsys.readouterr()
    assert main(["simulate", str(out)]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("qnngen: error")]
    assert len(err) == 1 and "deadlocked" in err[0] and "no beat moved" in err[0]
    assert "Traceback" not in err[0]


def test_computed_depths_run_at_the_estimate(resnet_build):
    assert main(["simulate", str(resnet_build)]) == 0
    sim = json.loads((resnet_build / "sim.json").read_text())
    assert sim["mismatches_vs_reference"] == 0
    assert_on_estimate(resnet_build)
