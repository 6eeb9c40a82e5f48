"""Folding search: meets the target, cheapest per layer, fastest that fits, clear errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnngen.errors import BoardError, FoldingError
from qnngen.fold import (
    Board,
    assemble,
    design_resources,
    estimate,
    fold_for_target_fps,
    load_board,
    max_parallel_folding,
    minimal_folding,
    resource_cost,
)
from qnngen.layers.base import Fold, HwLayer
from qnngen.lower import HwGraph

MODELS = ["mlp_w4a4_digits", "tfc_w2a2", "tfc_w1a1"]


def _key(layer: HwLayer, fold: Fold, board: Board) -> tuple[float, int, int]:
    return (resource_cost(layer.resources(fold, board.family), board), fold.pe * fold.simd, fold.pe)


def _floor(hw: HwGraph) -> int:
    """The fewest cycles per frame any folding reaches: the slowest layer at full parallelism."""
    return max(min(layer.cycles(f).interval for f in layer.fold_space()) for layer in hw.layers)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("board_name", ["pynq-z2", "zcu104"])
def test_target_met_at_least_cost(load_hw, model: str, board_name: str) -> None:
    hw, board = load_hw(model), load_board(board_name)
    clock = board.default_clock_mhz
    for target in (1, 1_000, 50_000, 1_000_000, clock * 1e6):
        required = math.floor(clock * 1e6 / target)
        folding = fold_for_target_fps(hw, board, clock, target)
        assert estimate(assemble(hw, folding), board, clock).fps >= target
        for layer in hw.layers:
            assert layer.cycles(folding[layer.name]).interval <= required
            fast_enough = [f for f in layer.fold_space() if layer.cycles(f).interval <= required]
            assert _key(layer, folding[layer.name], board) == min(
                _key(layer, f, board) for f in fast_enough
            )


@settings(max_examples=40, deadline=None)
@given(required=st.integers(1, 60_000))
def test_any_reachable_interval_is_met(tfc_w2a2: HwGraph, required: int) -> None:
    board = load_board("pynq-z2")
    folding = fold_for_target_fps(tfc_w2a2, board, 100, 100e6 / (required + 0.5))
    assert estimate(assemble(tfc_w2a2, folding), board, 100).interval_cycles <= required


def test_slowest_target_gives_cheapest_folds(tfc_w1a1: HwGraph) -> None:
    board = load_board("pynq-z2")
    folding = fold_for_target_fps(tfc_w1a1, board, 100, 1)
    assert list(folding) == [layer.name for layer in tfc_w1a1.layers]
    for layer in tfc_w1a1.layers:
        assert _key(layer, folding[layer.name], board) == min(
            _key(layer, f, board) for f in layer.fold_space()
        )


def test_fastest_target_gives_full_parallelism(tfc_w1a1: HwGraph) -> None:
    folding = fold_for_target_fps(tfc_w1a1, load_board("zcu104"), 200, 200e6)
    assert folding == {layer.name: Fold(layer.mh, layer.mw) for layer in tfc_w1a1.layers}


def test_unreachable_target(tfc_w2a2: HwGraph) -> None:
    with pytest.raises(FoldingError) as err:
        fold_for_target_fps(tfc_w2a2, load_board("pynq-z2"), 100, 1e9)
    assert str(err.value) == (
        "--target-fps 1e9 is out of reach at 100 MHz: mvtu_0 needs at least 1 cycle per frame "
        "(max 100000000 fps)"
    )


@pytest.mark.parametrize("target", [0, -5.0])
def test_target_must_be_positive(tfc_w1a1: HwGraph, target: float) -> None:
    with pytest.raises(FoldingError, match="--target-fps must be positive"):
        fold_for_target_fps(tfc_w1a1, load_board("pynq-z2"), 100, target)


def test_minimal_folding(tfc_w1a1: HwGraph) -> None:
    assert minimal_folding(tfc_w1a1) == {layer.name: Fold(1, 1) for layer in tfc_w1a1.layers}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("board_name", ["pynq-z2", "zcu104"])
def test_max_parallel_is_fastest_that_fits(load_hw, model: str, board_name: str) -> None:
    hw, board = load_hw(model), load_board(board_name)
    clock = board.default_clock_mhz
    est = estimate(assemble(hw, max_parallel_folding(hw, board, clock)), board, clock)
    assert board.fits(est.resources)
    achievable = {layer.cycles(f).interval for layer in hw.layers for f in layer.fold_space()}
    for interval in sorted(i for i in achievable if _floor(hw) <= i < est.interval_cycles):
        folding = fold_for_target_fps(hw, board, clock, clock * 1e6 / (interval + 0.5))
        assert not board.fits(design_resources(assemble(hw, folding), board.family))


def test_max_parallel_raises_when_nothing_fits(tfc_w1a1: HwGraph) -> None:
    tiny = Board("tiny", "xc7z007s", "xc7", "zynq7", 50, 50, 1, 0, 1, 100.0, "test")
    with pytest.raises(BoardError, match="but tiny has"):
        max_parallel_folding(tfc_w1a1, tiny, 100)
