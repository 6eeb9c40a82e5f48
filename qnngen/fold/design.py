"""A folded design: the hardware layers with their folds, wired by streams, with width
converters and FIFOs on every edge and FIFO depths derived from the layers' beat schedules."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..layers.base import Fold, HwLayer
from ..layers.streams import DWC, FIFO
from ..lower import HwGraph

#: FIFO beats beyond what the consumer or the schedule asks for
FIFO_SLACK = 2
#: no FIFO shallower: a full qnngen_fifo accepts again only a cycle after a pop, so a 2-deep one
#: between two units running at the same rate with different burst patterns loses cycles
MIN_FIFO_DEPTH = 8
TOP_IN, TOP_OUT = "s_axis", "m_axis"


@dataclass(frozen=True)
class Stage:
    """One instance: a layer, its fold, and the wires on its input and output ports."""

    layer: HwLayer
    fold: Fold
    ins: tuple[str, ...]
    outs: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.layer.name


@dataclass(frozen=True, eq=False)
class FoldedDesign:
    """The stages in topological order; wire TOP_IN is the accelerator's input, TOP_OUT its output."""

    hw: HwGraph
    folding: dict[str, Fold]
    stages: tuple[Stage, ...]
    fifo_depths: dict[str, tuple[int, ...]]

    def _port(self, wire: str, reading: bool) -> tuple[Stage, int]:
        for s in self.stages:
            wires = s.ins if reading else s.outs
            if wire in wires:
                return s, wires.index(wire)
        raise KeyError(wire)

    @property
    def in_width(self) -> int:
        s, k = self._port(TOP_IN, True)
        return s.layer.in_width(s.fold, k)

    @property
    def out_width(self) -> int:
        s, k = self._port(TOP_OUT, False)
        return s.layer.out_width(s.fold, k)

    @property
    def in_beats(self) -> int:
        s, k = self._port(TOP_IN, True)
        return s.layer.in_beats(s.fold, k)

    @property
    def out_beats(self) -> int:
        s, k = self._port(TOP_OUT, False)
        return s.layer.out_beats(s.fold, k)

    def compute_stages(self) -> list[Stage]:
        """The stages that are model layers (not stream plumbing)."""
        names = {layer.name for layer in self.hw.layers}
        return [s for s in self.stages if s.name in names]

    def frame_latency(self) -> int:
        """Cycles from the first input beat to the last output beat of a lone frame."""
        return int(beat_times(self.stages, self.in_beats)[TOP_OUT][-1]) + 1


def beat_times(stages: tuple[Stage, ...] | list[Stage], in_beats: int) -> dict[str, np.ndarray]:
    """Cycle at which each beat of a lone frame crosses each wire, with unbounded FIFOs and the
    output always ready. A join takes beat i of all inputs together."""
    times = {TOP_IN: np.arange(in_beats, dtype=np.int64)}
    for s in stages:
        t_out = s.layer.join_out_times(s.fold, [times[w] for w in s.ins])
        for w in s.outs:
            times[w] = t_out
    return times


def fold_of(layer: HwLayer, folding: dict[str, Fold]) -> Fold:
    """The layer's fold in `folding`: its own if foldable, else the one its neighbours imply."""
    return folding.get(layer.name, Fold()) if layer.foldable else layer.implied_fold(folding)


def edge_plumbing(suffix: str, src: tuple[int, int], port: tuple[int, int], depth: int) -> list[HwLayer]:
    """The stages on an edge from a stream of src = (width, beats per frame) into a port reading
    port = (width, beats): a DWC where the widths differ, then a FIFO of `depth` beats (at least
    MIN_FIFO_DEPTH); named dwc_`suffix`, fifo_`suffix`."""
    dwc = [DWC(f"dwc_{suffix}", src[0], port[0], src[0] * src[1])] if src[0] != port[0] else []
    return dwc + [FIFO(f"fifo_{suffix}", port[0], max(MIN_FIFO_DEPTH, depth), port[1])]


def _wire_stages(hw: HwGraph, folding: dict[str, Fold], depths: dict[str, tuple[int, ...]]) -> list[Stage]:
    """Stages for every layer, with a DWC where widths differ and a FIFO on every input edge."""
    wire_of = {hw.core_in: TOP_IN}
    width_of: dict[str, int] = {}
    beats_of: dict[str, int] = {}
    stages: list[Stage] = []
    for node in hw.nodes:
        layer, fold = node.layer, fold_of(node.layer, folding)
        src = wire_of[node.ins[0]]
        # at the accelerator's input a reader sees one element per beat unless it sets the width
        layer = layer.fitted_to_input(width_of.get(src, hw.in_dtype.bitwidth()), beats_of.get(src, hw.in_elems))
        layer.check(fold)
        ins = []
        for k, tensor in enumerate(node.ins):
            wire = wire_of[tensor]
            if wire != TOP_IN:
                suffix = f"{layer.name}" if len(node.ins) == 1 else f"{layer.name}_{k}"
                depth = depths.get(layer.name, (None,) * len(node.ins))[k] or layer.fifo_beats(fold, k) + FIFO_SLACK
                port = (layer.in_width(fold, k), layer.in_beats(fold, k))
                for st in edge_plumbing(suffix, (width_of[wire], beats_of[wire]), port, depth):
                    stages.append(Stage(st, Fold(), (wire,), (f"{st.name}_out",)))
                    wire = f"{st.name}_out"
            ins.append(wire)
        outs = tuple(f"{layer.name}_{p}" for p in layer.out_ports)
        stages.append(Stage(layer, fold, tuple(ins), outs))
        for k, tensor in enumerate(node.outs):
            wire_of[tensor] = outs[k]
            width_of[outs[k]] = layer.out_width(fold, k)
            beats_of[outs[k]] = layer.out_beats(fold, k)
    last = wire_of[hw.stream_out]
    return [replace(s, outs=tuple(TOP_OUT if w == last else w for w in s.outs)) for s in stages]



def _join_depths(stages: list[Stage], in_beats: int) -> dict[str, tuple[int, ...]]:
    """FIFO depths in front of joins: the most beats that arrive on an input before the join
    takes them (from a lone frame's schedule and the join's own order of taking beats)."""
    times = beat_times(stages, in_beats)
    by_out = {w: s for s in stages for w in s.outs}
    depths: dict[str, tuple[int, ...]] = {}
    for s in stages:
        if len(s.ins) < 2:
            continue
        takes = s.layer.join_take_times(s.fold, [times[w] for w in s.ins])
        need = []
        for w, taken in zip(s.ins, takes):
            fifo = by_out[w]
            arrive = times[fifo.ins[0]]
            occupancy = np.searchsorted(arrive, taken, side="right") - np.arange(len(taken))
            need.append(int(occupancy.max()) + FIFO_SLACK)
        depths[s.name] = tuple(need)
    return depths


def assemble(hw: HwGraph, folding: dict[str, Fold], fifo_depths: dict[str, tuple[int, ...]] | None = None) -> FoldedDesign:
    """Check each fold and wire the stages. FIFO depths come from `fifo_depths` (per layer, one
    per input) where given, else from the layer's `fifo_beats` and, in front of joins, from the
    schedule of a lone frame. A layer that is not foldable (a SWU) takes its consumer's SIMD."""
    given = dict(fifo_depths or {})
    stages = _wire_stages(hw, folding, given)
    first = next(s for s in stages if TOP_IN in s.ins)
    in_beats = first.layer.in_beats(first.fold, first.ins.index(TOP_IN))
    joins = {k: v for k, v in _join_depths(stages, in_beats).items() if k not in given}
    if joins:
        stages = _wire_stages(hw, folding, {**joins, **given})
    depths = {s.name: tuple(st.layer.depth for st in stages if st.outs[0] in s.ins and isinstance(st.layer, FIFO))
              for s in stages if not isinstance(s.layer, (FIFO, DWC))}
    folds = {layer.name: folding.get(layer.name, Fold()) for layer in hw.layers if layer.foldable}
    return FoldedDesign(hw, folds, tuple(stages), {k: v for k, v in depths.items() if v})
