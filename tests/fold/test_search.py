"""Folding search: meets the target at least cost within the budget, the fastest folding that
fits (checked against brute force on small models), the balanced bound, clear errors."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import onnx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import synthetic_cnn, synthetic_mlp
from qnngen.errors import BoardError, FoldingError
from qnngen.fold import (
    Board,
    Budget,
    assemble,
    design_resources,
    estimate,
    fold_for_target_fps,
    load_board,
    max_parallel_folding,
    minimal_folding,
    resource_cost,
    search,
)
from qnngen.fold.estimate import interval_floor
from qnngen.frontend import load_model
from qnngen.layers.base import Fold, HwLayer, Resources
from qnngen.lower import HwGraph, to_hw
from qnngen.streamline import streamline

MODELS = ["mlp_w4a4_digits", "tfc_w2a2", "tfc_w1a1"]
CONV = [("conv", 4, 3, 1, (0, 0, 0, 0), 1, 1, False)]
SMALL = {
    "mlp": lambda: synthetic_mlp([6, 4, 4, 2], 2, 2, seed=1),
    "cnn": lambda: synthetic_cnn((2, 6, 6), CONV * 2 + [("flatten",), ("fc", 2)], seed=1),
}


def _key(layer: HwLayer, fold: Fold, board: Board) -> tuple[float, int, int]:
    return (resource_cost(layer.resources(fold, board.family), board), fold.pe * fold.simd, fold.pe)


def _floor(hw: HwGraph) -> int:
    """The fewest cycles per frame any folding reaches: the slowest layer at full parallelism."""
    return max(min(layer.cycles(f).interval for f in layer.fold_space()) for layer in hw.layers)


def _fits(res: Resources, board: Board, budget: Budget) -> bool:
    used, limit = res.as_dict(), budget.limits(board).as_dict()
    return all(used[k] <= limit[k] for k in Resources.KEYS)


def _tight(lut: int, family: str = "xc7") -> Board:
    """A board whose LUTs are the only limit."""
    return Board(
        name="tight", part="test", family=family, flavour="zynq7", lut=lut, ff=10**7,
        bram18=10**5, uram=10**5, dsp=10**5, default_clock_mhz=100.0, source="test",
    )  # fmt: skip


@cache
def _small(name: str, tmp_path_factory_dir: str) -> HwGraph:
    path = f"{tmp_path_factory_dir}/{name}.onnx"
    onnx.save(SMALL[name](), path)
    return to_hw(streamline(load_model(path)))


@pytest.fixture(scope="module", params=sorted(SMALL))
def small(request, tmp_path_factory) -> HwGraph:
    return _small(request.param, str(tmp_path_factory.getbasetemp()))


@dataclass(frozen=True)
class _Brute:
    """Every folding of a model: whole-design interval, resources, and the layers' resources."""

    foldings: list[dict[str, Fold]]
    interval: np.ndarray  # (n,)
    resources: np.ndarray  # (n, 5) of the whole design
    compute: np.ndarray  # (n, 5) of the model's layers (the SWUs included, the plumbing not)

    def fitting(self, board: Board, budget: Budget) -> np.ndarray:
        limit = np.array([budget.limits(board).as_dict()[k] for k in Resources.KEYS])
        return (np.round(self.resources) <= limit).all(axis=1)

    def cost(self, board: Board, whole: bool = False) -> np.ndarray:
        """resource_cost of the layers, or (`whole`) of the whole design with its plumbing."""
        cap = np.array([getattr(board.capacity(), k) for k in Resources.KEYS], dtype=float)
        used = self.resources if whole else self.compute
        return used @ np.divide(1.0, cap, out=np.zeros_like(cap), where=cap > 0)


_BRUTE: dict[tuple[int, str], _Brute] = {}


def _brute(hw: HwGraph, family: str) -> _Brute:
    """Assemble and cost every combination of legal folds (cached per model and family)."""
    if (id(hw), family) not in _BRUTE:
        layers = [layer for layer in hw.layers if layer.foldable]
        vec = lambda r: [getattr(r, k) for k in Resources.KEYS]
        foldings, interval, res, compute = [], [], [], []
        for folds in itertools.product(*(list(layer.fold_space()) for layer in layers)):
            folding = {layer.name: f for layer, f in zip(layers, folds)}
            design = assemble(hw, folding)
            foldings.append(folding)
            interval.append(max(s.layer.cycles(s.fold).interval for s in design.stages))
            res.append(vec(design_resources(design, family)))
            stages = design.compute_stages()
            compute.append(
                vec(sum((s.layer.resources(s.fold, family) for s in stages), Resources()))
            )
        _BRUTE[id(hw), family] = _Brute(
            foldings, np.array(interval), np.array(res), np.array(compute)
        )
    return _BRUTE[id(hw), family]


def _interval(hw: HwGraph, folding: dict[str, Fold], board: Board) -> int:
    return estimate(assemble(hw, folding), board, board.default_clock_mhz).interval_cycles


# --- target fps --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("board_name", ["pynq-z2", "zcu104"])
def test_target_met_at_least_cost(load_hw, model: str, board_name: str) -> None:
    hw, board, budget = load_hw(model), load_board(board_name), Budget()
    clock = board.default_clock_mhz
    for target in (1, 1_000, 50_000, 1_000_000, clock * 1e6):
        required = math.floor(clock * 1e6 / target)
        cheapest = {
            layer.name: min(
                (f for f in layer.fold_space() if layer.cycles(f).interval <= required),
                key=lambda f: _key(layer, f, board),
            )
            for layer in hw.layers
        }
        least_fits = _fits(design_resources(assemble(hw, cheapest), board.family), board, budget)
        try:
            folding = fold_for_target_fps(hw, board, clock, target)
        except BoardError:
            assert not least_fits
            continue
        est = estimate(assemble(hw, folding), board, clock)
        assert est.fps >= target and _fits(est.resources, board, budget)
        if least_fits:
            assert folding == cheapest


def test_target_is_cheapest_that_fits(small: HwGraph) -> None:
    """(c) Against brute force: the result meets the target, fits, and nothing meeting the
    target and fitting costs less; with the LUTs binding, the per-layer cheapest does not fit."""
    brute = _brute(small, "xc7")
    for lut in np.quantile(brute.compute[:, 0], [0.3, 0.6, 0.9]):
        board = _tight(int(lut * 1.4))
        cost, fits = brute.cost(board), brute.fitting(board, Budget())
        for required in sorted(set(brute.interval))[:: max(1, len(set(brute.interval)) // 6)]:
            ok = fits & (brute.interval <= required)
            target = 100e6 / (required + 0.5)
            if not ok.any():
                with pytest.raises(BoardError, match="but tight has"):
                    fold_for_target_fps(small, board, 100, target)
                continue
            folding = fold_for_target_fps(small, board, 100, target)
            i = brute.foldings.index(folding)
            assert ok[i] and cost[i] <= cost[ok].min() + 1e-9


@settings(max_examples=40, deadline=None)
@given(required=st.integers(1, 60_000))
def test_any_reachable_interval_is_met(tfc_w2a2: HwGraph, required: int) -> None:
    board = load_board("zcu104")
    try:
        folding = fold_for_target_fps(tfc_w2a2, board, 100, 100e6 / (required + 0.5))
    except BoardError:
        assume(False)
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


# --- max ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("board_name", ["pynq-z2", "zcu104"])
def test_max_is_fastest_that_fits(small: HwGraph, board_name: str) -> None:
    """(a) On the real boards with LUT budgets that bind: fits, and (the small models are
    chains, whose plumbing the search prices exactly) reaches brute force's best interval."""
    board = load_board(board_name)
    brute = _brute(small, board.family)
    cap = board.capacity().lut
    for quantile in (0.05, 0.3, 0.6, 0.95):
        budget = Budget(lut=float(np.quantile(brute.resources[:, 0], quantile)) / cap)
        fits = brute.fitting(board, budget)
        assert fits.any()
        folding = max_parallel_folding(small, board, 100, budget)
        est = estimate(assemble(small, folding), board, 100)
        assert _fits(est.resources, board, budget)
        assert est.interval_cycles == brute.interval[fits].min()


@settings(max_examples=25, deadline=None)
@given(
    share=st.floats(0.02, 1.0),
    lut_share=st.floats(0.0, 1.0),
    family=st.sampled_from(["xc7", "xcup"]),
)
def test_max_matches_brute_force_on_random_boards(
    small: HwGraph, share: float, lut_share: float, family: str
) -> None:
    """Random LUT-bound boards and budgets: brute force's best interval, at its least cost
    (the whole design's, plumbing included)."""
    brute = _brute(small, family)
    lo, hi = brute.resources[:, 0].min(), brute.resources[:, 0].max()
    board = _tight(int(lo + lut_share * (hi - lo)) + 1, family)
    budget = Budget(lut=max(share, 0.5))
    fits = brute.fitting(board, budget)
    if not fits.any():
        with pytest.raises(BoardError):
            max_parallel_folding(small, board, 100, budget)
        return
    folding = max_parallel_folding(small, board, 100, budget)
    i = brute.foldings.index(folding)
    assert fits[i] and brute.interval[i] == brute.interval[fits].min()
    fastest = fits & (brute.interval == brute.interval[i])
    cost = brute.cost(board, whole=True)
    assert cost[i] <= cost[fastest].min() * (1 + 1e-6) + 1e-9


@settings(max_examples=30, deadline=None)
@given(
    lut=st.floats(0.0, 1.0),
    ff=st.floats(0.0, 1.0),
    board_name=st.sampled_from(["pynq-z2", "zcu104"]),
)
def test_max_equals_brute_force_on_random_budgets(
    tmp_path_factory, lut: float, ff: float, board_name: str
) -> None:
    """Random small LUT and FF budgets on a small chain: the assembled design fits and its
    interval is brute force's best (BoardError exactly when nothing fits)."""
    hw, board = _small("mlp", str(tmp_path_factory.getbasetemp())), load_board(board_name)
    brute, cap = _brute(hw, board.family), board.capacity()
    lo, hi = brute.resources.min(axis=0), brute.resources.max(axis=0)
    budget = Budget(
        lut=(lo[0] + lut * (hi[0] - lo[0]) + 1) / cap.lut,
        ff=(lo[1] + ff * (hi[1] - lo[1]) + 1) / cap.ff,
    )
    fits = brute.fitting(board, budget)
    if not fits.any():
        with pytest.raises(BoardError):
            max_parallel_folding(hw, board, 100, budget)
        return
    design = assemble(hw, max_parallel_folding(hw, board, 100, budget))
    assert _fits(design_resources(design, board.family), board, budget)
    assert estimate(design, board, 100).interval_cycles == brute.interval[fits].min()


@pytest.mark.parametrize("family", ["xc7", "xcup"])
def test_search_prices_chain_designs_exactly(small: HwGraph, family: str) -> None:
    """On a chain, the layers and plumbing the integer program sees are the assembled design's
    resources, for every folding."""
    board = _tight(10**6, family)
    model = search._model(small, board)
    assert not model.joins
    brute = _brute(small, family)
    for folding, whole in zip(brute.foldings, brute.resources):
        picked = [o.folds.index(folding[o.name]) for o in model.table]
        np.testing.assert_allclose(search._used(model, picked), whole, rtol=1e-12)


@pytest.mark.parametrize("share", [0.05, 0.1, 0.3])
def test_max_with_joins_fits(load_hw, share: float) -> None:
    """Residual joins (FIFO depths from the beat schedule, checked on the assembled design):
    the result fits the budget, or nothing does and BoardError says so."""
    hw, board = load_hw("resnet_w4a4"), load_board("zcu104")
    budget = Budget(lut=share)
    try:
        folding = max_parallel_folding(hw, board, 100, budget)
    except BoardError:
        need = design_resources(assemble(hw, minimal_folding(hw)), board.family)
        assert not _fits(need, board, budget)
        return
    assert _fits(design_resources(assemble(hw, folding), board.family), board, budget)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("board_name", ["pynq-z2", "zcu104"])
def test_max_parallel_fits_and_nothing_cheaper_is_faster(
    load_hw, model: str, board_name: str
) -> None:
    hw, board = load_hw(model), load_board(board_name)
    est = estimate(assemble(hw, max_parallel_folding(hw, board, 100)), board, 100)
    assert _fits(est.resources, board, Budget())
    assert est.interval_cycles >= _floor(hw)
    if est.interval_cycles > _floor(hw):
        # the per-layer cheapest folds one achievable interval faster do not fit
        faster = max(
            i for layer in hw.layers for f in layer.fold_space()
            if (i := layer.cycles(f).interval) < est.interval_cycles
        )  # fmt: skip
        with pytest.raises(BoardError):
            fold_for_target_fps(hw, board, 100, 100e6 / (faster + 0.5))


def test_balanced_bound_with_luts_binding(tmp_path) -> None:
    """(b) Layers with many divisors, LUTs the limit: at least 90 % of the balanced bound from
    5 % of the LUT range between the smallest and the fully parallel design upwards."""
    path = tmp_path / "rich.onnx"
    onnx.save(synthetic_mlp([64, 96, 48, 32, 16], 2, 2, seed=4), str(path))
    hw = to_hw(streamline(load_model(path)))
    full = design_resources(assemble(hw, max_parallel_folding(hw, _tight(10**7), 100)), "xc7").lut
    small = design_resources(assemble(hw, minimal_folding(hw)), "xc7").lut
    for share in (0.05, 0.1, 0.3, 0.6):
        board = _tight(int((small + share * (full - small)) / Budget().lut))
        est = estimate(assemble(hw, max_parallel_folding(hw, board, 100)), board, 100)
        assert est.resources.lut <= Budget().limits(board).lut
        assert est.bound_efficiency >= 0.9, (share, est.bound_interval_cycles, est.interval_cycles)


def test_interval_floor_is_the_fastest_folding(small: HwGraph) -> None:
    """interval_floor is the smallest whole-design interval over every folding (brute force)."""
    assert interval_floor(small) == _brute(small, "xc7").interval.min()


@pytest.mark.parametrize("model", ["cnv_w1a1", "tfc_w2a2"])
def test_balanced_bound_stops_at_full_parallelism(load_hw, model: str) -> None:
    """With room for everything, max reaches interval_floor and the bound is that interval: a
    balanced pipeline cannot beat the layer that is already fully parallel (the CNV's first
    sliding window, 3 channels wide)."""
    hw, board = load_hw(model), _tight(10**9)
    folding = max_parallel_folding(hw, board, 100)
    est = estimate(assemble(hw, folding), board, 100)
    assert est.interval_cycles == interval_floor(hw) == est.bound_interval_cycles
    work = sum(layer.cycles(Fold()).interval for layer in hw.layers if layer.foldable)
    assert est.bound_interval_cycles >= work / sum(f.pe * f.simd for f in folding.values())


# --- errors ------------------------------------------------------------------------------------


def test_max_parallel_raises_when_nothing_fits(tfc_w1a1: HwGraph) -> None:
    """(d) One line: the resource, what the design needs, what the budget allows, what to do."""
    tiny = Board(
        name="tiny", part="xc7z007s", family="xc7", flavour="zynq7", lut=50, ff=50, bram18=1,
        uram=0, dsp=1, default_clock_mhz=100.0, source="test",
    )  # fmt: skip
    with pytest.raises(BoardError) as err:
        max_parallel_folding(tfc_w1a1, tiny, 100)
    msg = str(err.value)
    assert re.fullmatch(
        r"design needs \d+ LUT but tiny has 40 within the budget \(80 % of 50\); "
        r"raise --budget or pick a bigger board \([a-z0-9-]+(, [a-z0-9-]+)*\)",
        msg,
    ), msg


def test_target_over_budget_suggests_lower_target(tfc_w1a1: HwGraph) -> None:
    board = load_board("pynq-z2")
    with pytest.raises(BoardError) as err:
        fold_for_target_fps(tfc_w1a1, board, 100, 50e6, Budget(lut=0.05))
    msg = str(err.value)
    assert "LUT but pynq-z2 has 2660 within the budget (5 % of 53200); " in msg
    assert "lower --target-fps" in msg and "raise --budget" in msg and "\n" not in msg
