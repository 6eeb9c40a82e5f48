"""Folding search within a resource budget: the cheapest folding that meets a frame rate, or the
fastest folding that fits (`--target-fps max`), each solved exactly over the layers' folds with
the width converters and FIFOs between them priced for every pair of neighbouring folds
(see plumbing.py)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import BoardError, FoldingError
from ..layers.base import Fold, HwLayer, Resources
from ..lower import HwGraph
from .boards import Board, list_boards
from .budget import Budget
from .choice import Groups, Link, choose
from .design import assemble
from .estimate import design_resources
from .plumbing import Edge, implied_stages, plumbing_edges, resource_vector

#: solve / assemble / check rounds (needed only where join FIFOs are not priced exactly): the
#: first exclude each folding whose whole design overflowed, the next also reserve the least
#: unpriced plumbing seen, the last the most (see _fit)
CUT_ROUNDS, LEAST_ROUNDS, MOST_ROUNDS = 3, 3, 4


def resource_cost(res: Resources, board: Board) -> float:
    """Usage as a fraction of the board, summed over the resources the board has."""
    cap = board.capacity()
    return sum(getattr(res, k) / getattr(cap, k) for k in Resources.KEYS if getattr(cap, k) > 0)


@dataclass(frozen=True)
class _Options:
    """One foldable layer's folds, cheapest first (ties: smaller PE*SIMD, then smaller PE). A
    fold's interval and resources include those of the stages whose fold it implies (the SWU in
    front of an MVTU), not the plumbing; its cost is their resource_cost."""

    name: str
    folds: tuple[Fold, ...]
    interval: np.ndarray  # (n,) cycles per frame
    resources: np.ndarray  # (n, len(Resources.KEYS))
    cost: np.ndarray  # (n,) weighted as resource_cost, ascending


def _option_table(hw: HwGraph, board: Board, owned: dict[str, list[HwLayer]]) -> list[_Options]:
    """Every foldable layer's folds with their intervals and resources, cheapest first.

    No fold is dropped for being beaten by another in every resource of the layer: its
    stream plumbing may still be smaller."""
    cap = resource_vector(board.capacity())
    weight = np.divide(1.0, cap, out=np.zeros_like(cap), where=cap > 0)
    table = []
    for layer in (x for x in hw.layers if x.foldable):
        folds = list(layer.fold_space())
        implied: dict[tuple[str, Fold], tuple[int, np.ndarray]] = {}
        interval, res = np.zeros(len(folds), dtype=np.int64), np.zeros((len(folds), len(cap)))
        for j, f in enumerate(folds):
            interval[j] = layer.cycles(f).interval
            res[j] = resource_vector(layer.resources(f, board.family))
            for stage in owned[layer.name]:
                sf = stage.implied_fold({layer.name: f})
                if (stage.name, sf) not in implied:
                    implied[stage.name, sf] = (
                        stage.cycles(sf).interval,
                        resource_vector(stage.resources(sf, board.family)),
                    )
                cycles, used = implied[stage.name, sf]
                interval[j], res[j] = max(interval[j], cycles), res[j] + used
        cost = res @ weight
        keep = np.lexsort(([f.pe for f in folds], [f.pe * f.simd for f in folds], cost))
        table.append(
            _Options(
                layer.name, tuple(folds[k] for k in keep), interval[keep], res[keep], cost[keep]
            )
        )
    return table


@dataclass(frozen=True)
class _Model:
    """What the search knows of a design: the layers' options, and the plumbing between them."""

    table: list[_Options]
    exact: list[Edge]
    joins: list[Edge]  # a lower bound: their FIFO depths are checked on the assembled design
    weight: np.ndarray  # resource_cost per unit of each resource

    @property
    def edges(self) -> list[Edge]:
        return self.exact + self.joins


def _model(hw: HwGraph, board: Board) -> _Model:
    """The option table and the plumbing edges of `hw` on `board`."""
    owned = implied_stages(hw)
    table = _option_table(hw, board, owned)
    exact, joins = plumbing_edges(hw, {o.name: o.folds for o in table}, owned, board.family)
    cap = resource_vector(board.capacity())
    return _Model(table, exact, joins, np.divide(1.0, cap, out=np.zeros_like(cap), where=cap > 0))


def _floor(table: list[_Options]) -> tuple[str, int]:
    """The layer whose fastest fold is slowest, and that fold's interval: the design's limit."""
    return max(((o.name, int(o.interval.min())) for o in table), key=lambda x: x[1])


def _cheapest(table: list[_Options], interval: float) -> list[int]:
    """Per layer, the cheapest fold taking at most `interval` cycles (which must be reachable)."""
    return [int(np.argmax(o.interval <= interval)) for o in table]


def _used(model: _Model, picked: list[int]) -> np.ndarray:
    """The resources of the layers at the fold indices `picked` and of the plumbing modelled."""
    layers = sum(
        (o.resources[i] for o, i in zip(model.table, picked)), np.zeros(len(Resources.KEYS))
    )
    return layers + sum((e.used(picked) for e in model.edges), np.zeros(len(Resources.KEYS)))


def _within(used: np.ndarray, limits: np.ndarray) -> bool:
    """Whether `used` fits `limits` as the budget check counts: each resource rounded."""
    return bool((np.round(used) <= limits).all())


_Cuts = list[tuple[int, ...]]


def _groups(
    model: _Model, kept: list[np.ndarray], plumbing_cost: bool
) -> tuple[Groups, np.ndarray]:
    """The options of `kept` (fold indices per layer) with the plumbing that depends on their
    layer's fold alone, a link per plumbing edge that depends on more, and the resources of the
    plumbing that depends on no fold. Plumbing costs its resource_cost if `plumbing_cost`."""
    res = [o.resources[k] for o, k in zip(model.table, kept)]
    cost = [o.cost[k] for o, k in zip(model.table, kept)]
    starts, fixed, links = (
        np.cumsum([0] + [len(k) for k in kept]),
        np.zeros(len(Resources.KEYS)),
        [],
    )
    for e in model.edges:
        price = e.resources @ model.weight if plumbing_cost else np.zeros(len(e.combos))
        if not e.owners:
            fixed += e.resources[0]
        elif len(e.owners) == 1:  # one owner: combination c is class c
            o, at = e.owners[0], e.classes[0][kept[e.owners[0]]]
            res[o], cost[o] = res[o] + e.resources[at], cost[o] + price[at]
        else:
            members = tuple(
                tuple(starts[o] + np.flatnonzero(c[kept[o]] == k) for k in range(c.max() + 1))
                for o, c in zip(e.owners, e.classes)
            )
            links.append(Link(members, e.combos, e.resources, price))
    groups = Groups(
        np.concatenate(res),
        np.concatenate([o.interval[k] for o, k in zip(model.table, kept)]),
        np.concatenate(cost),
        np.concatenate([np.full(len(k), g) for g, k in enumerate(kept)]),
        tuple(links),
    )
    return groups, fixed


def _solve(
    model: _Model,
    limits: np.ndarray,
    interval: float,
    fastest: bool,
    cuts: _Cuts,
    plumbing_cost: bool,
) -> list[int] | None:
    """Exactly, per layer, the fold index of the cheapest choice (with its plumbing's cost if
    `plumbing_cost`) whose layers and modelled plumbing fit `limits` taking at most `interval`
    cycles, or (`fastest`) of the least largest interval; not any of the `cuts` (fold indices
    per layer); None if nothing fits."""
    kept = [np.flatnonzero(o.interval <= interval) for o in model.table]
    starts = np.cumsum([0] + [len(k) for k in kept])
    position = [dict(zip(k.tolist(), range(s, s + len(k)))) for k, s in zip(kept, starts)]
    exclude = [
        np.array([at[i] for at, i in zip(position, cut)])
        for cut in cuts
        if all(i in at for at, i in zip(position, cut))
    ]
    # as _within counts: a total that rounds down to the limit fits
    groups, fixed = _groups(model, kept, plumbing_cost)
    picked = choose(groups, limits + 0.5 - fixed, fastest, exclude)
    if picked is None:
        return None
    return [int(k[p - s]) for k, p, s in zip(kept, picked, starts)]


def _pick(
    model: _Model, limits: np.ndarray, required: float, cuts: _Cuts, plumbing_cost: bool
) -> list[int] | None:
    """Per layer, the fold index of the cheapest choice (see _solve) within `limits`, not any of
    the `cuts`, taking at most `required` cycles (math.inf: the fewest cycles reachable so)."""

    def quick(picked: list[int]) -> bool:
        return tuple(picked) not in cuts and _within(_used(model, picked), limits)

    table = model.table
    if required == math.inf:
        required = _floor(table)[1]
        if not quick(_cheapest(table, required)):
            fastest = _solve(model, limits, math.inf, True, cuts, plumbing_cost)
            if fastest is None:
                return None
            required = max(int(o.interval[i]) for o, i in zip(table, fastest))
    cheapest = _cheapest(table, required)
    # the layers' cheapest folds are the cheapest choice unless the plumbing's cost counts too
    if not plumbing_cost and quick(cheapest):
        return cheapest
    return _solve(model, limits, required, False, cuts, plumbing_cost)


def _over_budget(need: Resources, board: Board, budget: Budget, advice: list[str]) -> BoardError:
    """The one-line error for a design over the budget: the first resource it needs more of,
    how much it needs and has, and what to do (with the boards whose budget it fits)."""
    used, limits = need.as_dict(), budget.limits(board).as_dict()
    key = next(k for k in Resources.KEYS if used[k] > limits[k])
    bigger = [
        b.name for b in list_boards() if b.name != board.name and _fits(need, budget.limits(b))
    ]
    advice = advice + [f"pick a bigger board ({', '.join(bigger)})"] if bigger else advice
    todo = advice[0] if len(advice) == 1 else f"{', '.join(advice[:-1])} or {advice[-1]}"
    cap = board.capacity().as_dict()[key]
    return BoardError(
        f"design needs {used[key]} {key.upper()} but {board.name} has {limits[key]} within the "
        f"budget ({budget.share(key)} of {cap}); {todo}"
    )


def _fits(need: Resources, limits: Resources) -> bool:
    used, have = need.as_dict(), limits.as_dict()
    return all(used[k] <= have[k] for k in Resources.KEYS)


def _fit(
    hw: HwGraph,
    model: _Model,
    board: Board,
    budget: Budget,
    required: float,
    plumbing_cost: bool,
    advice: list[str],
) -> dict[str, Fold]:
    """The cheapest folding (see _solve) taking at most `required` cycles per frame (math.inf:
    the fewest cycles any folding within the budget reaches) whose whole design fits the budget.

    The folds are chosen exactly (see _pick) against the budget, with the width converters and
    FIFOs that assemble() adds between each two layers priced for each pair of their folds. Only
    the FIFOs in front of joins, whose depths follow the whole beat schedule, are priced low
    (MIN_FIFO_DEPTH), so each choice is assembled and checked whole; one that overflows is
    excluded and the search runs again (exact). As that alone could take many rounds, after
    CUT_ROUNDS the budget is also lowered by the least plumbing beyond the modelled one that
    any overflowing design used (a heuristic: it misses the best design only if that needs less
    than all of those) for LEAST_ROUNDS rounds, then by the most (to converge) for MOST_ROUNDS
    more. If that finds nothing, the cheapest folding fast enough is returned if it fits, else
    BoardError names what it overflows.
    """
    table, cap = model.table, budget.limits(board)
    limits, cuts = resource_vector(cap), []
    reserve, least, most = (
        np.zeros_like(limits),
        np.full_like(limits, np.inf),
        np.zeros_like(limits),
    )
    for round_ in range(1, CUT_ROUNDS + LEAST_ROUNDS + MOST_ROUNDS + 1):
        picked = _pick(model, limits - reserve, required, cuts, plumbing_cost)
        if picked is None:
            break
        folding = {o.name: o.folds[i] for o, i in zip(table, picked)}
        need = design_resources(assemble(hw, folding), board.family)
        if _fits(need, cap):
            return folding
        cuts.append(tuple(picked))
        used = resource_vector(need)
        over, unmodelled = used > limits, used - _used(model, picked)
        least = np.where(over, np.minimum(least, unmodelled), least)
        most = np.where(over, np.maximum(most, unmodelled), most)
        if round_ >= CUT_ROUNDS:
            reserve = np.where(
                np.isfinite(least), least if round_ < CUT_ROUNDS + LEAST_ROUNDS else most, 0.0
            )
    folding = {o.name: o.folds[i] for o, i in zip(table, _cheapest(table, required))}
    need = design_resources(assemble(hw, folding), board.family)
    if _fits(need, cap):
        return folding
    raise _over_budget(need, board, budget, advice)


def _num(x: float) -> str:
    """A number as a user would type it: 1e9 rather than 1e+09, 100 rather than 100.0."""
    short = re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{x:g}")
    if float(short) == x:
        return short
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def fold_for_target_fps(
    hw: HwGraph, board: Board, clock_mhz: float, target_fps: float, budget: Budget = Budget()
) -> dict[str, Fold]:
    """The cheapest folding (least summed resource_cost of the layers, with the SWUs whose fold
    they imply) whose every layer takes at most floor(clock / target_fps) cycles and whose whole
    design (with its width converters and FIFOs) fits the budget on the board.

    The cost leaves the plumbing out so that, when the least-cost fold of each layer fits, that
    is the answer (ties: smaller PE*SIMD, then smaller PE); otherwise an exact search over the
    folds (see _fit). Raises FoldingError if some layer cannot reach the target fully parallel,
    BoardError if no folding fits.
    """
    if not target_fps > 0:
        raise FoldingError(f"--target-fps must be positive, got {_num(target_fps)}")
    required = math.floor(clock_mhz * 1e6 / target_fps)
    model = _model(hw, board)
    name, floor = _floor(model.table)
    if floor > required:
        cycles = f"{floor} cycle{'s' if floor > 1 else ''}"
        max_fps = math.floor(clock_mhz * 1e6 / floor)
        raise FoldingError(
            f"--target-fps {_num(target_fps)} is out of reach at {_num(clock_mhz)} MHz: "
            f"{name} needs at least {cycles} per frame (max {max_fps} fps)"
        )
    return _fit(hw, model, board, budget, required, False, ["lower --target-fps", "raise --budget"])


def minimal_folding(hw: HwGraph) -> dict[str, Fold]:
    """Every layer at Fold(1, 1): the slowest, smallest design."""
    return {layer.name: Fold() for layer in hw.layers if layer.foldable}


def max_parallel_folding(
    hw: HwGraph, board: Board, clock_mhz: float, budget: Budget = Budget()
) -> dict[str, Fold]:
    """The folding with the smallest frame interval whose whole design fits the budget on the
    board, and the cheapest of those by the whole design's resource_cost, width converters and
    FIFOs included (`--target-fps max`); exact over the layers' folds (an integer program, see
    _fit). Intervals are in cycles, so `clock_mhz` does not change the
    choice; it is taken as fold_for_target_fps takes it. Raises BoardError if even the cheapest
    folding does not fit.
    """
    return _fit(hw, _model(hw, board), board, budget, math.inf, True, ["raise --budget"])
