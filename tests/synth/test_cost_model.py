"""The committed cost model against the committed Yosys sweep, and its exact parts."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qnngen.layers import cost
from qnngen.layers.memory import BRAM18_SHAPES, bram18_count

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from calibrate import read_rows  # noqa: E402
from calibration_points import GENERATORS, draw, draw_point, module_of, point_key  # noqa: E402

FAMILIES = ("xc7", "xcup")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows()


@pytest.fixture(scope="module")
def holdout(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["split"] == "holdout"]


def test_point_key_is_parameters_and_contents() -> None:
    """One key for one netlist: the same draw twice gives it, other ROM contents or other
    parameters another."""
    layer, fold = draw_point("qnngen_mvtu", 3)
    params, roms = layer.rtl_params(fold), layer.rom_words(fold)
    key = point_key("qnngen_mvtu", params, roms)
    again, fold_again = draw_point("qnngen_mvtu", 3)
    params_again, roms_again = again.rtl_params(fold_again), again.rom_words(fold_again)
    assert point_key("qnngen_mvtu", params_again, roms_again) == key
    name, rom = next(iter(roms.items()))
    words = rom.words.copy()
    words.flat[0] ^= 1
    assert point_key("qnngen_mvtu", params, {**roms, name: replace(rom, words=words)}) != key
    assert point_key("qnngen_mvtu", {**params, "PE": params["PE"] + 1}, roms) != key
    assert point_key("qnngen_mvtu", {**params, "W_FILE": "other.mem"}, roms) == key


@pytest.mark.parametrize("family", FAMILIES)
def test_holdout_points_are_distinct_and_never_fit_points(rows: list[dict], family: str) -> None:
    """Every module has at least 30 held-out points; none is a fit point of its module (same
    parameters and ROM contents) or another held-out point; draws that were are marked repeats."""
    fam = [r for r in rows if r["family"] == family]
    for module in sorted({module_of(s) for s in GENERATORS}):
        fit = [r for r in fam if r["module"] == module and r["split"] == "fit"]
        held = [r for r in fam if r["module"] == module and r["split"] == "holdout"]
        assert len(held) >= 30, (module, len(held))
        assert len({r["key"] for r in held}) == len(held), module
        assert not {r["key"] for r in held} & {r["key"] for r in fit}, module
        if not cost.takes_roms(module):  # the parameters are the whole point: compare them as such
            fit_params = {json.dumps(r["params"], sort_keys=True) for r in fit}
            held_params = [json.dumps(r["params"], sort_keys=True) for r in held]
            assert len(set(held_params)) == len(held_params), module
            assert not fit_params & set(held_params), module
    for r in fam:
        if r["split"] == "repeat":
            same = [o for o in fam if o["module"] == r["module"] and o["key"] == r["key"]]
            assert len(same) > 1, (r["sweep"], r["index"])


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
    """The band users see is the held-out 90th percentile of the committed model: pooled, per
    module, and for several modules the widest of theirs."""
    rows = [r for r in holdout if r["family"] == family]
    s = cost.error_stats(rows, family)
    band = cost.error_band(family)
    assert band["lut"] == pytest.approx(s["lut"]["p90"], abs=1e-4)
    assert band["ff"] == pytest.approx(s["ff"]["p90"], abs=1e-4)
    p90 = {}
    for module in sorted({r["module"] for r in rows}):
        s = cost.error_stats([r for r in rows if r["module"] == module], family)
        band = cost.error_band(family, [module])
        assert band["lut"] == pytest.approx(s["lut"]["p90"], abs=1e-4), module
        assert band["ff"] == pytest.approx(s["ff"]["p90"], abs=1e-4), module
        p90[module] = s["lut"]["p90"]
    pair = ["qnngen_fifo", "qnngen_mvtu"]
    widest = max(p90[m] for m in pair)
    assert cost.error_band(family, pair)["lut"] == pytest.approx(widest, abs=1e-4)


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
