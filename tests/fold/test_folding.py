"""Folding files: every malformed input is a one-line FoldingError; JSON round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnngen.errors import FoldingError
from qnngen.fold import folding_to_json, load_folding
from qnngen.layers.base import Fold
from qnngen.lower import HwGraph


def _error(path: Path, hw: HwGraph) -> str:
    with pytest.raises(FoldingError) as err:
        load_folding(path, hw)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    return msg


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"mvtu_0": {"pe": 2', "invalid JSON at line 1"),
        ("[1, 2]", "expected a JSON object"),
        (
            '{"mvtu_9": {"pe": 1, "simd": 1}}',
            "unknown layer 'mvtu_9'; layers: mvtu_0, mvtu_1, mvtu_2, mvtu_3",
        ),
        ('{"mvtu_0": 4}', "mvtu_0: expected"),
        ('{"mvtu_0": {"simd": 1}}', "mvtu_0: missing 'pe'"),
        ('{"mvtu_0": {"pe": 1}}', "mvtu_0: missing 'simd'"),
        ('{"mvtu_0": {"pe": 1.5, "simd": 1}}', "mvtu_0: pe must be a positive integer, got 1.5"),
        ('{"mvtu_0": {"pe": "2", "simd": 1}}', "mvtu_0: pe must be a positive integer, got '2'"),
        ('{"mvtu_0": {"pe": true, "simd": 1}}', "mvtu_0: pe must be a positive integer, got True"),
        ('{"mvtu_0": {"pe": 1, "simd": 0}}', "mvtu_0: simd must be a positive integer, got 0"),
        ('{"mvtu_0": {"pe": -4, "simd": 1}}', "mvtu_0: pe must be a positive integer, got -4"),
        (
            '{"mvtu_0": {"pe": 1, "simd": 1, "ram_style": "block"}}',
            "mvtu_0: unknown key 'ram_style'",
        ),
        ('{"mvtu_0": {"pe": 7, "simd": 1}}', "mvtu_0: PE=7 must divide MH=64"),
        ('{"mvtu_1": {"pe": 1, "simd": 3}}', "mvtu_1: SIMD=3 must divide MW=64"),
    ],
)
def test_bad_folding_file(tmp_path: Path, tfc_w1a1: HwGraph, text: str, problem: str) -> None:
    path = tmp_path / "folding.json"
    path.write_text(text)
    assert problem in _error(path, tfc_w1a1)


def test_missing_file(tmp_path: Path, tfc_w1a1: HwGraph) -> None:
    assert "not found" in _error(tmp_path / "nope.json", tfc_w1a1)


def test_unlisted_layers_get_fold_1_1(tmp_path: Path, tfc_w1a1: HwGraph) -> None:
    path = tmp_path / "folding.json"
    path.write_text('{"mvtu_2": {"pe": 4, "simd": 8}}')
    folding = load_folding(path, tfc_w1a1)
    assert folding == {"mvtu_0": Fold(), "mvtu_1": Fold(), "mvtu_2": Fold(4, 8), "mvtu_3": Fold()}


@st.composite
def _foldings(draw: st.DrawFn, hw: HwGraph) -> dict[str, Fold]:
    return {layer.name: draw(st.sampled_from(list(layer.fold_space()))) for layer in hw.layers}


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_json_round_trip(
    tmp_path_factory: pytest.TempPathFactory, tfc_w1a1: HwGraph, data: st.DataObject
) -> None:
    folding = data.draw(_foldings(tfc_w1a1))
    text = folding_to_json(folding)
    path = tmp_path_factory.mktemp("fold") / "folding.json"
    path.write_text(text)
    assert load_folding(path, tfc_w1a1) == folding
    assert text.endswith("}\n") and list(json.loads(text)) == sorted(folding)
    assert folding_to_json(dict(reversed(list(folding.items())))) == text
