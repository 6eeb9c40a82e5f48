"""The stream plumbing as the folding search sees it: the width converters and FIFOs that
assemble() puts on every input port, priced as a function of the folds they depend on.

A stream's width and beats depend on the fold of the layer writing it: its own, that of the
foldable layer whose fold it implies (implied_stages), or, for a layer fitted to its input (a
fork), that of the stream it reads. plumbing_edges() works out those owners per port, groups
each owner's folds into classes that give the port the same plumbing, and prices every
combination of classes once through design.edge_plumbing."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial

import numpy as np

from ..layers.base import Fold, HwLayer, Resources
from ..lower import HwGraph
from .design import FIFO_SLACK, edge_plumbing, fold_of


def resource_vector(res: Resources) -> np.ndarray:
    """`res` as floats in the order of Resources.KEYS."""
    return np.array([getattr(res, k) for k in Resources.KEYS], dtype=float)


def _follows(layer: HwLayer, leader: HwLayer, probe: dict[str, Fold]) -> bool:
    """Whether the non-foldable `layer`'s implied fold changes with some fold of `leader`."""
    base = layer.implied_fold(probe)
    try:
        for f in leader.fold_space():
            probe[leader.name] = f
            if layer.implied_fold(probe) != base:
                return True
        return False
    finally:
        probe[leader.name] = Fold()


def implied_stages(hw: HwGraph) -> dict[str, list[HwLayer]]:
    """For each foldable layer, the non-foldable layers whose implied fold follows its fold,
    found by asking each of them about every fold of every foldable layer, nearest first."""
    foldable = [layer for layer in hw.layers if layer.foldable]
    probe = {layer.name: Fold() for layer in foldable}
    pos = {layer.name: i for i, layer in enumerate(hw.layers)}
    owned: dict[str, list[HwLayer]] = {layer.name: [] for layer in foldable}
    for layer in (x for x in hw.layers if not x.foldable):
        near = sorted(foldable, key=lambda f: abs(pos[f.name] - pos[layer.name]))
        leader = next((f for f in near if _follows(layer, f, probe)), None)
        if leader is not None:
            owned[leader.name].append(layer)
    return owned


@dataclass(frozen=True)
class Edge:
    """The plumbing assemble() puts on one input port, for every combination of one width class
    per owner (the foldable layers it depends on): classes[j][i] is the class of fold i (in the
    order given to plumbing_edges) of owner j; combination m has class combos[m, j] for owner j
    and uses resources[m]."""

    owners: tuple[int, ...]  # indices of the foldable layers, in the order given
    classes: tuple[np.ndarray, ...]
    combos: np.ndarray  # (m, len(owners))
    resources: np.ndarray  # (m, len(Resources.KEYS))

    def used(self, picked: list[int]) -> np.ndarray:
        """The resources at the folds `picked` (a fold index per foldable layer)."""
        at = tuple(int(c[picked[o]]) for o, c in zip(self.owners, self.classes))
        return self.resources[int(np.flatnonzero((self.combos == at).all(axis=1))[0])]


@dataclass(frozen=True)
class _Stream:
    """A stream's (width, beats per frame) given the folds of its `owners` (foldable layers)."""

    owners: tuple[str, ...]
    at: Callable[[dict[str, Fold]], tuple[int, int]]


_View = tuple[tuple[str, ...], Callable[[dict[str, Fold]], tuple]]


def _edge(
    owners: list[str],
    views: list[_View],
    plumbing: Callable[[dict[str, Fold]], list[HwLayer]],
    folds: Mapping[str, Sequence[Fold]],
    index: dict[str, int],
    price: Callable[[HwLayer], np.ndarray],
) -> Edge:
    """The Edge whose plumbing(folding) depends on the `owners`' folds only through `views`
    (the owners a view depends on, and the view as a function of their folds): the folds of an
    owner that every view sees alike make one class, priced once (a stage's resources: price)."""
    reps, classes = [], []
    for o in owners:
        seen = [view for own, view in views if own == (o,)]
        # a view of several owners tells their folds apart only all together
        mixed = any(o in own and len(own) > 1 for own, _ in views)
        key = [tuple(view({o: f}) for view in seen) + ((f,) if mixed else ()) for f in folds[o]]
        ids = {k: c for c, k in enumerate(dict.fromkeys(key))}
        classes.append(np.array([ids[k] for k in key]))
        reps.append([folds[o][key.index(k)] for k in ids])
    combos = np.array(list(itertools.product(*(range(len(r)) for r in reps))), dtype=np.int64)
    combos = combos.reshape(len(combos), len(owners))
    res = np.zeros((len(combos), len(Resources.KEYS)))
    for m, combo in enumerate(combos):
        stages = plumbing({o: r[c] for o, r, c in zip(owners, reps, combo)})
        res[m] = sum((price(st) for st in stages), np.zeros(len(Resources.KEYS)))
    return Edge(tuple(index[o] for o in owners), tuple(classes), combos, res)


def _place(layer: HwLayer, s0: _Stream | None, folding: dict[str, Fold]) -> tuple[HwLayer, Fold]:
    """The layer and its fold as assemble() wires them under `folding`, fitted to the stream s0
    on its first input if that changes it (a fork takes its input's shape)."""
    fit = layer.fitted_to_input(*s0.at(folding)) if s0 else layer
    return fit, fold_of(fit, folding)


def _port_view(
    place: Callable, k: int, join: bool, folding: dict[str, Fold]
) -> tuple[int, int, int]:
    """(width, beats, FIFO depth) of input port k as assemble() sizes them; in front of a join
    the depth is left to the beat schedule (0 here: MIN_FIFO_DEPTH)."""
    fit, fold = place(folding)
    depth = 0 if join else fit.fifo_beats(fold, k) + FIFO_SLACK
    return fit.in_width(fold, k), fit.in_beats(fold, k), depth


def _out_view(place: Callable, k: int, folding: dict[str, Fold]) -> tuple[int, int]:
    """(width, beats) of output port k."""
    fit, fold = place(folding)
    return fit.out_width(fold, k), fit.out_beats(fold, k)


def _plumbing(src: _Stream, port: Callable, folding: dict[str, Fold]) -> list[HwLayer]:
    """The stages assemble() puts between the stream `src` and the port seen by `port`."""
    width, beats, depth = port(folding)
    return edge_plumbing("", src.at(folding), (width, beats), depth)


def plumbing_edges(
    hw: HwGraph,
    folds: Mapping[str, Sequence[Fold]],
    owned: dict[str, list[HwLayer]],
    family: str,
) -> tuple[list[Edge], list[Edge]]:
    """The plumbing on every input port (but the accelerator's input) as a function of the folds
    it depends on: exact edges (a DWC and a FIFO whose depth the consumer sets), and the edges
    in front of joins, whose FIFO depths come from whole beat schedules (priced at
    MIN_FIFO_DEPTH, so a lower bound).

    Args:
        folds: every foldable layer's folds, in the order that Edge.owners and the fold indices
            given to Edge.used refer to.
        owned: implied_stages(hw).
        family: the board family the stages are priced for.
    """
    leader = {s.name: o for o, stages in owned.items() for s in stages}
    index = {name: i for i, name in enumerate(folds)}
    streams = {hw.core_in: _Stream((), lambda folding: (hw.in_dtype.bitwidth(), hw.in_elems))}
    # the same converter or FIFO recurs between many pairs of folds
    price = cache(lambda stage: resource_vector(stage.resources(Fold(), family)))
    exact, joins = [], []
    for node in hw.nodes:
        layer, s0 = node.layer, streams[node.ins[0]]
        fitted = layer.fitted_to_input(1, 1) is not layer
        own = (layer.name,) if layer.foldable else tuple(o for o in [leader.get(layer.name)] if o)
        owners = tuple(dict.fromkeys(own + (s0.owners if fitted else ())))
        place = partial(_place, layer, s0 if fitted else None)
        join = len(node.ins) > 1
        for k, tensor in enumerate(node.ins):
            if tensor != hw.core_in:
                src, port = streams[tensor], partial(_port_view, place, k, join)
                deps = list(dict.fromkeys(owners + src.owners))
                views = [(owners, port), (src.owners, src.at)]
                edge = _edge(deps, views, partial(_plumbing, src, port), folds, index, price)
                (joins if join else exact).append(edge)
        for k, tensor in enumerate(node.outs):
            streams[tensor] = _Stream(owners, partial(_out_view, place, k))
    return exact, joins
