"""Estimates, the fit check, reports, and the memory-mapping rules they rely on."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from qnngen.errors import BoardError
from qnngen.fold import (
    assemble,
    check_fits,
    estimate,
    list_boards,
    load_board,
    max_parallel_folding,
    minimal_folding,
    print_boards,
    print_estimate,
    report_dict,
    report_json,
)
from qnngen.fold.estimate import shell_stage
from qnngen.layers.base import Fold, Resources
from qnngen.layers.memory import bram18_count
from qnngen.lower import HwGraph

FOLDING = {"mvtu_0": Fold(4, 16), "mvtu_1": Fold(8, 8), "mvtu_2": Fold(2, 4), "mvtu_3": Fold(5, 2)}
RES_KEYS = {"lut", "ff", "bram18", "uram", "dsp"}
LAYER_KEYS = {
    "name",
    "kind",
    "pe",
    "simd",
    "interval_cycles",
    "latency_cycles",
    "memory_style",
    "resources",
}


@pytest.mark.parametrize("model", ["tfc_w1a1", "tfc_w2a2"])
def test_interval_is_slowest_stage(load_hw, model: str) -> None:
    """By hand: an MVTU takes MH/PE * MW/SIMD cycles a frame, so at FOLDING the 784-64-64-64-10
    MLP's take 16 * 49, 8 * 8, 32 * 16 and 2 * 32; the first sets the interval. (The latency is
    checked against simulation in test_end_to_end.py, the resources against Yosys in
    tests/synth.)"""
    design = assemble(load_hw(model), FOLDING)
    est = estimate(design, load_board("pynq-z2"), 100)
    mvtus = {s.name: s.interval_cycles for s in est.stages if s.kind == "MVTU"}
    assert mvtus == {"mvtu_0": 784, "mvtu_1": 64, "mvtu_2": 512, "mvtu_3": 64}
    assert est.bottleneck.name == "mvtu_0" and est.interval_cycles == 784
    assert est.fps == pytest.approx(100e6 / 784)
    # the kernel shell is a line of its own: outside the core's stages, inside the kernel's total
    assert est.shell.name not in mvtus and est.shell.resources.lut > 0
    assert est.kernel_resources.lut > est.resources.lut
    assert [s.name for s in est.stages] == [s.name for s in design.stages]


def test_memory_styles(tfc_w1a1: HwGraph) -> None:
    """A stage reports the style the RTL gets for its largest memory."""
    design = assemble(tfc_w1a1, FOLDING)
    est = estimate(design, load_board("zcu104"), 200)
    for stage, s in zip(design.stages, est.stages):
        if s.kind == "MVTU":
            assert s.memory_style == stage.layer.memory_styles(stage.fold)["weights"]
            assert s.memory_style == stage.layer.rtl_params(stage.fold)["W_STYLE"]
        elif s.kind == "FIFO":
            assert s.memory_style == ("block" if stage.layer.depth >= 65 else "distributed")
        else:
            assert s.memory_style == "none"
    assert {s.kind for s in est.stages} == {"MVTU", "DWC", "FIFO"}
    assert est.shell.kind == "Shell" and est.shell.memory_style == "block"  # its buffers


def test_check_fits_accepts_small_design(tfc_w1a1: HwGraph) -> None:
    check_fits(estimate(assemble(tfc_w1a1, minimal_folding(tfc_w1a1)), load_board("pynq-z2"), 100))


def test_check_fits_rejects_zcu104_design_on_pynq(tfc_w2a2: HwGraph) -> None:
    folding = max_parallel_folding(tfc_w2a2, load_board("zcu104"), 200)
    est = estimate(assemble(tfc_w2a2, folding), load_board("pynq-z2"), 100)
    with pytest.raises(BoardError) as err:
        check_fits(est)
    msg = str(err.value)
    lut = est.kernel_resources.as_dict()["lut"]  # the core and the kernel shell around it
    assert msg.startswith(
        f"design needs {lut} LUT but pynq-z2 has 53200 ({round(100 * lut / 53200)} %)"
    )
    # the three boards with the fewest LUTs that hold every resource the design needs
    need = est.kernel_resources.as_dict()
    fitting = sorted(
        (b.capacity().as_dict()["lut"], b.name) for b in list_boards()
        if all(b.capacity().as_dict()[k] >= v for k, v in need.items())
    )
    assert fitting, "no board holds the design"
    assert msg.endswith(f"or pick a bigger board ({', '.join(n for _, n in fitting[:3])})") and "\n" not in msg


def test_check_fits_without_bigger_board(tfc_w1a1: HwGraph) -> None:
    est = replace(estimate(assemble(tfc_w1a1, {}), load_board("pynq-z2"), 100), shell=None)
    huge = replace(est, resources=Resources(lut=10, bram18=10_000))
    with pytest.raises(BoardError) as err:
        check_fits(huge)
    assert str(err.value) == (
        "design needs 10000 BRAM18 but pynq-z2 has 280 (3571 %); "
        "lower --target-fps, use a folding with smaller PE/SIMD"
    )
    smallest_with_uram = r"\(kv260, zcu104, aws-f1\)$"
    with pytest.raises(
        BoardError, match=r"needs 3 URAM but pynq-z2 has 0; .*" + smallest_with_uram
    ):
        check_fits(replace(est, resources=Resources(uram=3)))


def test_report_dict_contract(tfc_w1a1: HwGraph) -> None:
    design = assemble(tfc_w1a1, FOLDING)
    est = estimate(design, load_board("pynq-z2"), 100)
    rep = report_dict("tfc_w1a1", est)
    assert set(rep) == {
        "model", "board", "part", "clock_mhz", "estimate", "layers",
        "bottleneck", "capacity", "utilization", "error_band",
    }  # fmt: skip
    assert (rep["model"], rep["board"], rep["clock_mhz"]) == ("tfc_w1a1", "pynq-z2", 100.0)
    assert set(rep["estimate"]) == {
        "interval_cycles", "latency_cycles", "fps", "resources", "bound_interval_cycles",
        "bound_efficiency",
    }  # fmt: skip
    assert set(rep["estimate"]["resources"]) == RES_KEYS
    assert rep["estimate"]["fps"] == round(100e6 / 784, 2)
    assert [layer["name"] for layer in rep["layers"]] == [s.name for s in design.stages] + ["shell"]
    assert rep["layers"][-1]["kind"] == "Shell"
    for layer in rep["layers"]:
        assert set(layer) == LAYER_KEYS and set(layer["resources"]) == RES_KEYS
        assert all(isinstance(v, int) for v in layer["resources"].values())
    text = report_json("tfc_w1a1", est)
    assert text.endswith("\n") and json.loads(text) == rep
    assert text == report_json(
        "tfc_w1a1", estimate(assemble(tfc_w1a1, FOLDING), load_board("pynq-z2"), 100)
    )


def _render(fn, *args) -> str:
    out = io.StringIO()
    fn(*args, Console(file=out, width=100))
    return out.getvalue()


def test_print_estimate(tfc_w1a1: HwGraph) -> None:
    est = estimate(assemble(tfc_w1a1, FOLDING), load_board("pynq-z2"), 100)
    text = _render(print_estimate, est)
    bottleneck = next(line for line in text.splitlines() if line.strip().startswith("mvtu_0"))
    assert bottleneck.rstrip().endswith("◀")
    for word in (
        "dwc_",
        "fifo_",
        "total",
        "capacity",
        "used %",
        "53200",
        "784 cycles",
        "fps at 100 MHz",
    ):
        assert word in text


def test_print_boards() -> None:
    text = _render(print_boards, list_boards())
    for word in ("pynq-z2", "xc7z020clg400-1", "zcu104", "230400", "1728"):
        assert word in text


@given(st.integers(1, 4096), st.integers(1, 70000))
def test_bram18_count_holds_the_bits(width: int, depth: int) -> None:
    assert bram18_count(width, depth) >= math.ceil(width * depth / 18432)


@given(st.integers(1, 2048), st.integers(1, 40000), st.integers(0, 64), st.integers(0, 4096))
def test_bram18_count_is_monotone(width: int, depth: int, more_w: int, more_d: int) -> None:
    assert bram18_count(width + more_w, depth) >= bram18_count(width, depth)
    assert bram18_count(width, depth + more_d) >= bram18_count(width, depth)


def test_check_fits_counts_the_kernel_shell(tfc_w1a1: HwGraph) -> None:
    """A core that fits alone but not with the shell around it is refused."""
    est = estimate(assemble(tfc_w1a1, {}), load_board("pynq-z2"), 100)
    lut = est.board.capacity().lut
    core = Resources(lut=lut - est.shell.resources.lut + 1)
    check_fits(replace(est, resources=core, shell=None))
    with pytest.raises(BoardError, match=f"design needs {lut + 1} LUT but pynq-z2 has {lut}"):
        check_fits(replace(est, resources=core))
