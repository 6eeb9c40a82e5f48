"""The committed cost model against the committed Yosys sweep, and its exact parts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qnngen.layers import cost
from qnngen.layers.memory import BRAM18_SHAPES, bram18_count

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from calibrate import read_rows  # noqa: E402
from calibration_points import GENERATORS  # noqa: E402

FAMILIES = ("xc7", "xcup")


@pytest.fixture(scope="module")
def holdout() -> list[dict]:
    return [r for r in read_rows() if r["split"] == "holdout"]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_module_is_calibrated_per_family(family: str) -> None:
    for module in GENERATORS:
        est = cost.module_resources(module, _any_point(module), family)
        assert est.lut >= 0 and est.ff >= 0


def _any_point(module: str) -> dict:
    from calibration_points import draw

    return draw(module, 0).params


@pytest.mark.parametrize("family", FAMILIES)
def test_holdout_error_within_targets(holdout: list[dict], family: str) -> None:
    """Median LUT/FF error <= 10 %, 90th percentile <= 25 %, memories and DSPs exact, on points
    never used in fitting, for each module kind with at least its held-out share of points."""
    rows = [r for r in holdout if r["family"] == family]
    assert rows, f"no held-out points for {family}"
    for module in GENERATORS:
        sel = [r for r in rows if r["module"] == module]
        assert len(sel) >= 10, module
        s = cost.error_stats(sel, family)
        for key in ("lut", "ff"):
            assert s[key]["median"] <= 0.10, (module, key, s[key])
            assert s[key]["p90"] <= 0.25, (module, key, s[key])
        for key in ("bram18", "uram", "dsp"):
            assert s[key]["exact"] == s[key]["points"], (module, key, s[key])


def test_xc7_has_30_holdout_points_per_module(holdout: list[dict]) -> None:
    for module in GENERATORS:
        assert sum(r["module"] == module and r["family"] == "xc7" for r in holdout) >= 30, module


@given(st.integers(1, 600), st.integers(1, 40000))
def test_bram18_count_is_the_cheapest_single_shape(width: int, depth: int) -> None:
    n = bram18_count(width, depth)
    assert n * 18 * 1024 >= width * depth  # it holds the bits
    assert any(-(-width // w) * -(-depth // d) == n for d, w in BRAM18_SHAPES)
    assert all(-(-width // w) * -(-depth // d) >= n for d, w in BRAM18_SHAPES)


@given(st.integers(1, 300), st.integers(1, 9000), st.sampled_from(["block", "logic", "distributed"]))
def test_only_block_memories_take_bram(width: int, depth: int, style: str) -> None:
    got = cost.memory_blocks(width, depth, style)
    assert got.bram18 == (bram18_count(width, depth) if style == "block" else 0)


@pytest.mark.parametrize("family", FAMILIES)
def test_error_band_is_held_out_p90(family: str) -> None:
    band = cost.error_band(family)
    assert set(band) == {"lut", "ff", "bram18", "uram", "dsp"}
    assert 0 < band["lut"] <= 0.25 and 0 < band["ff"] <= 0.25
    assert band["bram18"] == band["uram"] == band["dsp"] == 0.0
