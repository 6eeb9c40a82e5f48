"""Folding search: the cheapest PE/SIMD per layer that meets a frame rate on a board."""

from __future__ import annotations

import math
import re

from ..errors import FoldingError
from ..layers.base import Fold, HwLayer, Resources
from ..lower import HwGraph
from .boards import Board
from .design import assemble
from .estimate import check_fits, design_resources, estimate

#: one fold of a layer: (interval cycles, (weighted cost, PE*SIMD, PE), fold)
_Option = tuple[int, tuple[float, int, int], Fold]


def resource_cost(res: Resources, board: Board) -> float:
    """Usage as a fraction of the board, summed over the resources the board has."""
    cap = board.capacity()
    return sum(getattr(res, k) / getattr(cap, k) for k in Resources.KEYS if getattr(cap, k) > 0)


def _options(layer: HwLayer, board: Board) -> list[_Option]:
    """Every fold of the layer with its interval and its tie-broken cost key."""
    return [
        (
            layer.cycles(f).interval,
            (resource_cost(layer.resources(f, board.family), board), f.pe * f.simd, f.pe),
            f,
        )
        for f in layer.fold_space()
    ]


def _option_table(hw: HwGraph, board: Board) -> dict[str, list[_Option]]:
    return {layer.name: _options(layer, board) for layer in hw.layers if layer.foldable}


def _floor(table: dict[str, list[_Option]]) -> tuple[str, int]:
    """The layer whose fastest fold is slowest, and that fold's interval: the design's limit."""
    return max(
        ((name, min(o[0] for o in opts)) for name, opts in table.items()), key=lambda x: x[1]
    )


def _cheapest(table: dict[str, list[_Option]], interval: int) -> dict[str, Fold]:
    """Per layer, the cheapest fold taking at most `interval` cycles (which must be reachable)."""
    return {
        name: min((o for o in opts if o[0] <= interval), key=lambda o: o[1])[2]
        for name, opts in table.items()
    }


def _num(x: float) -> str:
    """A number as a user would type it: 1e9 rather than 1e+09, 100 rather than 100.0."""
    short = re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{x:g}")
    if float(short) == x:
        return short
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def fold_for_target_fps(
    hw: HwGraph, board: Board, clock_mhz: float, target_fps: float
) -> dict[str, Fold]:
    """The cheapest folding whose every layer takes at most floor(clock / target_fps) cycles.

    Each layer independently takes the least weighted-cost fold that is fast enough (ties: smaller
    PE*SIMD, then smaller PE). Raises FoldingError if some layer cannot reach it fully parallel.
    """
    if not target_fps > 0:
        raise FoldingError(f"--target-fps must be positive, got {_num(target_fps)}")
    required = math.floor(clock_mhz * 1e6 / target_fps)
    table = _option_table(hw, board)
    name, floor = _floor(table)
    if floor > required:
        cycles = f"{floor} cycle{'s' if floor > 1 else ''}"
        max_fps = math.floor(clock_mhz * 1e6 / floor)
        raise FoldingError(
            f"--target-fps {_num(target_fps)} is out of reach at {_num(clock_mhz)} MHz: "
            f"{name} needs at least {cycles} per frame (max {max_fps} fps)"
        )
    return _cheapest(table, required)


def minimal_folding(hw: HwGraph) -> dict[str, Fold]:
    """Every layer at Fold(1, 1): the slowest, smallest design."""
    return {layer.name: Fold() for layer in hw.layers if layer.foldable}


def max_parallel_folding(hw: HwGraph, board: Board, clock_mhz: float) -> dict[str, Fold]:
    """The fastest folding that fits the board, trying each achievable interval from the fastest.

    Raises BoardError (via check_fits) if even the slowest candidate does not fit.
    """
    table = _option_table(hw, board)
    _, floor = _floor(table)
    intervals = sorted({o[0] for opts in table.values() for o in opts if o[0] >= floor})
    for interval in intervals:
        folding = _cheapest(table, interval)
        design = assemble(hw, folding)
        if board.fits(design_resources(design, board.family)) or interval == intervals[-1]:
            break
    check_fits(estimate(design, board, clock_mhz))
    return folding
