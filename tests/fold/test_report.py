"""What report.json adds for readers (bottleneck, utilization, error band) and report.html."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from qnngen.cli import main
from qnngen.fold import assemble, estimate, load_board, print_estimate, report_dict
from qnngen.fold.report_html import report_html
from qnngen.layers import cost
from qnngen.layers.base import Fold, Resources
from qnngen.lower import HwGraph

FOLDING = {"mvtu_0": Fold(4, 16), "mvtu_1": Fold(8, 8), "mvtu_2": Fold(2, 4), "mvtu_3": Fold(5, 2)}
BAND = {"lut": 0.12, "ff": 0.09, "bram18": 0.0, "uram": 0.0, "dsp": 0.0}


@pytest.fixture
def fake_band(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Stand in for qnngen.layers.cost.error_band with a known band."""
    calls = []

    def error_band(family: str) -> dict[str, float]:
        calls.append(family)
        return dict(BAND)

    monkeypatch.setattr(cost, "error_band", error_band)
    return {"band": BAND, "calls": calls}


def _est(hw: HwGraph, board: str = "pynq-z2", clock: float = 100):
    return estimate(assemble(hw, FOLDING), load_board(board), clock)


@pytest.mark.parametrize("board", ["pynq-z2", "zcu104"])
def test_report_dict_adds_bottleneck_utilization_band(tfc_w1a1, fake_band, board: str) -> None:
    design = assemble(tfc_w1a1, FOLDING)
    b = load_board(board)
    rep = report_dict("tfc_w1a1", estimate(design, b, 100))
    assert rep["part"] == b.part
    # bottleneck: the first layer with the largest interval
    intervals = [s.layer.cycles(s.fold).interval for s in design.stages]
    first_max = intervals.index(max(intervals))
    assert rep["bottleneck"] == {
        "name": design.stages[first_max].name,
        "interval_cycles": max(intervals),
    }
    # utilization: the sum of every layer's resources over what the board offers
    used = sum((s.layer.resources(s.fold, b.family) for s in design.stages), Resources())
    used = used + estimate(design, b, 100).shell.resources  # the kernel shell's line
    cap = {"lut": b.lut, "ff": b.ff, "bram18": b.bram18, "uram": b.uram, "dsp": b.dsp}
    assert rep["capacity"] == cap
    for key in Resources.KEYS:
        if cap[key] == 0:
            assert rep["utilization"][key] is None
        else:
            want = round(getattr(used, key)) / cap[key]
            assert rep["utilization"][key] == pytest.approx(want, abs=1e-6)
    assert rep["error_band"] == BAND and fake_band["calls"][-1] == b.family
    # the keys tools already read are unchanged
    assert {"model", "board", "clock_mhz", "estimate", "layers"} <= set(rep)
    assert set(rep["layers"][0]) >= {"name", "interval_cycles", "memory_style", "resources"}
    assert json.loads(json.dumps(rep)) == rep


def test_print_estimate_gives_the_band(tfc_w1a1, fake_band) -> None:
    out = io.StringIO()
    print_estimate(_est(tfc_w1a1), Console(file=out, width=100))
    text = out.getvalue()
    assert "LUT ±12 %, FF ±9 % (90th percentile vs Yosys)" in text
    assert "BRAM18 ±" not in text


def _external_refs(html: str) -> list[str]:
    """src=/href=/url() values that do not point inside the page."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html)
    refs += re.findall(r"url\(\s*['\"]?([^)'\"]+)", html)
    return [r for r in refs if not r.startswith("#")]


def test_report_html(tfc_w1a1, fake_band) -> None:
    rep = report_dict("tfc_w1a1", _est(tfc_w1a1))
    html = report_html(rep)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert _external_refs(html) == []
    assert not re.search(r"<(script|link|iframe|img)\b|@import", html)
    assert html.count("<svg") == 3
    for layer in rep["layers"]:
        assert f"<td>{layer['name']}</td>" in html
    row = re.search(r'<tr class="bottleneck"><td>([^<]+)</td>', html)
    assert row and row.group(1) == rep["bottleneck"]["name"] == "mvtu_0"
    for text in ("tfc_w1a1 on pynq-z2", "xc7z020clg400-1 at 100 MHz", "±12 %", "exact"):
        assert text in html
    assert f"{rep['estimate']['bound_interval_cycles']:,} cycles / frame" in html
    assert report_html(rep) == html


def test_report_html_shows_balanced_bound(tfc_w1a1, fake_band) -> None:
    rep = report_dict("tfc_w1a1", _est(tfc_w1a1))
    rep["estimate"] |= {"bound_interval_cycles": 700, "bound_efficiency": 0.893}
    html = report_html(rep)
    assert "balanced bound" in html and "700 cycles / frame" in html and "89 %" in html


def test_cli_writes_report_html(tmp_path: Path, fake_band, capsys) -> None:
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main(["compile", "tfc_w1a1", "-o", str(out), "--board", "zcu104"]) == 0
    assert "LUT ±12 %, FF ±9 %" in capsys.readouterr().out
    html = (outs[0] / "report.html").read_bytes()
    assert html == (outs[1] / "report.html").read_bytes()
    rep = json.loads((outs[0] / "report.json").read_text())
    assert rep["error_band"] == BAND and rep["board"] == "zcu104"
    text = html.decode()
    assert _external_refs(text) == [] and text.count("<svg") == 3
    assert all(layer["name"] in text for layer in rep["layers"])
    # estimate --html writes the same page as compile
    page, report = tmp_path / "page.html", tmp_path / "report.json"
    args = ["estimate", "tfc_w1a1", "--board", "zcu104", "--html", str(page), "--json", str(report)]
    assert main(args) == 0
    assert page.read_bytes() == html
    assert json.loads(report.read_text()) == rep
