"""Yosys synth_xilinx of the whole kernel (shell and core) through `qnngen synth`: the shell is a
line of its own in synth.json and report.json, and its estimate is within the error band."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qnngen.cli import main as qnngen


@pytest.mark.slow
@pytest.mark.parametrize("board", ["pynq-z2", "zcu104"])
def test_kernel_synth_has_the_shell_line(board: str, tmp_path: Path) -> None:
    out = tmp_path / "b"
    # at PE = SIMD = 1 the first MVTU's 784-word input buffer goes to LUT-RAM, which Yosys fails
    # to map for xcup (single-port LUT-RAM of 10 address bits); a faster folding avoids it
    assert qnngen(["compile", "tfc_w1a1", "-o", str(out), "--board", board, "--clock-mhz", "100",
                   "--target-fps", "100000"]) == 0
    assert qnngen(["synth", str(out)]) == 0
    synth = json.loads((out / "synth.json").read_text())
    report = json.loads((out / "report.json").read_text())
    shell = next(layer for layer in synth["layers"] if layer["kind"] == "Shell")
    assert shell["estimate"] == next(l for l in report["layers"] if l["kind"] == "Shell")["resources"]
    got, est = shell["resources"], shell["estimate"]
    assert got["lut"] > 300 and got["ff"] > 300  # AXI masters, control and buffers synthesized
    assert got["bram18"] == est["bram18"] and got["dsp"] == est["dsp"] == 0
    band = report["error_band"]
    for key in ("lut", "ff"):
        assert abs(est[key] - got[key]) <= band[key] * got[key], (key, est[key], got[key])
    total = sum(layer["resources"]["lut"] for layer in synth["layers"])
    assert total <= synth["resources"]["lut"]
