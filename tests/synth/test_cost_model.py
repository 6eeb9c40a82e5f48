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
from calibration_points import GENERATORS, draw, module_of  # noqa: E402

FAMILIES = ("xc7", "xcup")


@pytest.fixture(scope="module")
def holdout() -> list[dict]:
    return [r for r in read_rows() if r["split"] == "holdout"]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_module_is_calibrated_per_family(family: str) -> None:
    for sweep in GENERATORS:
        est = cost.module_resources(module_of(sweep), draw(sweep, 0).params, family)
        assert est.lut > 0 and est.ff > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_holdout_memories_and_dsps_are_counted(holdout: list[dict], family: str) -> None:
    """BRAM18, URAM and DSP counts equal Yosys' on every held-out point."""
    rows = [r for r in holdout if r["family"] == family]
    s = cost.error_stats(rows, family)
    for key in ("bram18", "uram", "dsp"):
        assert s[key]["exact"] == s[key]["points"], (key, s[key])


@pytest.mark.parametrize("family", FAMILIES)
def test_holdout_error_within_targets(holdout: list[dict], family: str) -> None:
    """Per module, on at least 30 held-out points: median LUT and FF error at most 10 %, 90th
    percentile at most 25 %."""
    rows = [r for r in holdout if r["family"] == family]
    for module in sorted({r["module"] for r in rows}):
        sel = [r for r in rows if r["module"] == module]
        s = cost.error_stats(sel, family)
        assert len(sel) >= 30, (module, len(sel))
        for key in ("lut", "ff"):
            assert s[key]["median"] <= 0.10 and s[key]["p90"] <= 0.25 + 1e-9, (module, key, s[key])


@pytest.mark.parametrize("family", FAMILIES)
def test_reported_error_band_is_what_the_holdout_shows(holdout: list[dict], family: str) -> None:
    """The band users see in report.json is the held-out 90th percentile of the committed model."""
    s = cost.error_stats([r for r in holdout if r["family"] == family], family)
    band = cost.error_band(family)
    assert band["lut"] == pytest.approx(s["lut"]["p90"], abs=1e-4)
    assert band["ff"] == pytest.approx(s["ff"]["p90"], abs=1e-4)


@given(st.integers(1, 600), st.integers(1, 40000))
def test_bram18_count_is_the_cheapest_single_shape(width: int, depth: int) -> None:
    n = bram18_count(width, depth)
    assert n * 18 * 1024 >= width * depth  # it holds the bits
    assert any(-(-width // w) * -(-depth // d) == n for d, w in BRAM18_SHAPES)
    assert all(-(-width // w) * -(-depth // d) >= n for d, w in BRAM18_SHAPES)


@given(st.integers(1, 300), st.integers(1, 9000), st.sampled_from(["block", "logic", "distributed"]))
def test_only_block_memories_take_bram(width: int, depth: int, style: str) -> None:
    got = cost.memory_blocks(cost.Memory(width, depth, style))
    assert got.bram18 == (bram18_count(width, depth) if style == "block" else 0)


@pytest.mark.parametrize("family", FAMILIES)
def test_error_band_keys(family: str) -> None:
    band = cost.error_band(family)
    assert set(band) == {"lut", "ff", "bram18", "uram", "dsp"}
    assert band["lut"] > 0 and band["ff"] > 0
    assert band["bram18"] == band["uram"] == band["dsp"] == 0.0
