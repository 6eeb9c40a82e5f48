"""A folded design: the hardware layers with their folds and the stream plumbing between them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..layers.base import Fold, HwLayer
from ..layers.streams import DWC, FIFO
from ..lower import HwGraph

#: extra FIFO beats beyond one whole frame of the consumer's input
FIFO_SLACK = 2


@dataclass(frozen=True)
class Stage:
    """One instance in the stream: a layer and its fold."""

    layer: HwLayer
    fold: Fold

    @property
    def name(self) -> str:
        return self.layer.name


@dataclass(frozen=True, eq=False)
class FoldedDesign:
    """The stages of the accelerator in stream order, from the input port to the output port."""

    hw: HwGraph
    folding: dict[str, Fold]
    stages: tuple[Stage, ...]

    @property
    def in_width(self) -> int:
        return self.stages[0].layer.in_width(self.stages[0].fold)

    @property
    def out_width(self) -> int:
        return self.stages[-1].layer.out_width(self.stages[-1].fold)

    @property
    def in_beats(self) -> int:
        return self.stages[0].layer.in_beats(self.stages[0].fold)

    @property
    def out_beats(self) -> int:
        return self.stages[-1].layer.out_beats(self.stages[-1].fold)

    def compute_stages(self) -> list[Stage]:
        """The stages that are model layers (not stream plumbing)."""
        names = {layer.name for layer in self.hw.layers}
        return [s for s in self.stages if s.name in names]

    def frame_latency(self) -> int:
        """Cycles from the first input beat to the last output beat of a lone frame."""
        t = np.arange(self.in_beats, dtype=np.int64)
        for s in self.stages:
            t = s.layer.out_times(s.fold, t)
        return int(t[-1]) + 1


def assemble(hw: HwGraph, folding: dict[str, Fold]) -> FoldedDesign:
    """Check each fold and insert a width converter where widths differ and a FIFO in front of
    every layer after the first, sized by the layer's `fifo_beats` (+ slack). A layer that is not
    foldable (a SWU) takes the SIMD of the layer it feeds."""
    stages: list[Stage] = []
    for i, layer in enumerate(hw.layers):
        fold = folding.get(layer.name, Fold()) if layer.foldable else Fold(1, folding.get(layer.feeds, Fold()).simd)
        layer.check(fold)
        if stages:
            prev = stages[-1]
            width_out, width_in = prev.layer.out_width(prev.fold), layer.in_width(fold)
            if width_out != width_in:
                frame_bits = width_out * prev.layer.out_beats(prev.fold)
                stages.append(Stage(DWC(f"dwc_{i}", width_out, width_in, frame_bits), Fold()))
            depth = layer.fifo_beats(fold) + FIFO_SLACK
            stages.append(Stage(FIFO(f"fifo_{i}", width_in, depth, layer.in_beats(fold)), Fold()))
        stages.append(Stage(layer, fold))
    folds = {layer.name: folding.get(layer.name, Fold()) for layer in hw.layers if layer.foldable}
    return FoldedDesign(hw, folds, tuple(stages))
