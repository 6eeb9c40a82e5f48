"""Throughput, latency and resource estimate of a folded design on a board."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BoardError
from ..layers.base import Fold, Resources
from ..layers.cost import CostTerms, priced
from ..lower import HwGraph
from ..shell.cost import SHELL_KIND, SHELL_NAME, shell_params, shell_resources, shell_words
from ..shell.kernel import SHELL_MODULE
from .boards import Board, list_boards
from .design import FoldedDesign
from .plumbing import implied_stages

_UNITS = {"lut": "LUT", "ff": "FF", "bram18": "BRAM18", "uram": "URAM", "dsp": "DSP"}


@dataclass(frozen=True)
class StageEstimate:
    """Cycles, resources and memory style of one stage of the stream."""

    name: str
    kind: str
    pe: int
    simd: int
    interval_cycles: int
    latency_cycles: int
    resources: Resources
    memory_style: str
    #: the library module the stage instantiates (whose calibration error band applies)
    rtl_module: str


@dataclass(frozen=True)
class Estimate:
    """The whole design: per-stage figures, frame interval and latency, fps and resources."""

    stages: tuple[StageEstimate, ...]
    interval_cycles: int
    latency_cycles: int
    fps: float
    resources: Resources
    board: Board
    clock_mhz: float
    #: the interval of a perfectly balanced pipeline with the same total PE*SIMD (see balanced_bound)
    bound_interval_cycles: int
    #: the kernel shell around the core (AXI control and memory masters), a line of its own: the
    #: folding's budget, interval and resources above are the core's
    shell: StageEstimate | None = None

    @property
    def kernel_resources(self) -> Resources:
        """Resources of the whole kernel: the core's and the shell's."""
        return self.resources + (self.shell.resources if self.shell else Resources())

    @property
    def bottleneck(self) -> StageEstimate:
        """The first stage with the largest interval: it sets the frame rate."""
        return max(self.stages, key=lambda s: s.interval_cycles)

    @property
    def bound_efficiency(self) -> float:
        """How close the folding comes to a balanced pipeline: bound / achieved interval."""
        return self.bound_interval_cycles / self.interval_cycles


def _memory_style(t: CostTerms) -> str:
    """Style of the largest memory of a stage ("block", "distributed", "logic"), or "none"."""
    return max(t.memories, key=lambda m: m.width * m.depth).style if t.memories else "none"


def interval_floor(hw: HwGraph) -> int:
    """The frame interval no folding beats: over the foldable layers, the slowest of the
    fastest intervals their folds reach (with the stages whose fold follows theirs, such as the
    sliding window in front of an MVTU)."""
    owned = implied_stages(hw)
    floor = 0
    for layer in (x for x in hw.layers if x.foldable):
        floor = max(floor, min(
            max([layer.cycles(f).interval]
                + [s.cycles(s.implied_fold({layer.name: f})).interval for s in owned[layer.name]])
            for f in layer.fold_space()
        ))  # fmt: skip
    return floor


def balanced_bound(design: FoldedDesign) -> int:
    """The frame interval of a perfectly balanced pipeline with the design's parallelism:
    ceil(sum of the foldable layers' intervals at PE = SIMD = 1 / sum of their PE*SIMD), but
    no faster than interval_floor (no layer is more parallel than all of its work at once)."""
    layers = [layer for layer in design.hw.layers if layer.foldable]
    work = sum(layer.cycles(Fold()).interval for layer in layers)
    lanes = sum(design.folding[layer.name].pe * design.folding[layer.name].simd for layer in layers)
    return max(-(-work // lanes), interval_floor(design.hw))


def design_resources(design: FoldedDesign, family: str) -> Resources:
    """The sum of every stage's resources on a device `family`."""
    return sum((s.layer.resources(s.fold, family) for s in design.stages), Resources())


def shell_stage(design: FoldedDesign, board: Board) -> StageEstimate:
    """The kernel shell around the design on the board's memory port: its interval is the
    memory words a frame takes in or out (reads and writes overlap), its latency both."""
    mem = board.mem_width
    words_in = shell_words(design.in_width * design.in_beats, mem)
    words_out = shell_words(design.out_width * design.out_beats, mem)
    params = shell_params(mem, design.in_width, design.in_beats, design.out_width, design.out_beats)
    return StageEstimate(SHELL_NAME, SHELL_KIND, 1, 1, max(words_in, words_out),
                         words_in + words_out, shell_resources(params, board.family), "block",
                         SHELL_MODULE)


def estimate(design: FoldedDesign, board: Board, clock_mhz: float) -> Estimate:
    """Estimate the design at `clock_mhz`: the slowest stage's interval, a lone frame's latency,
    and beside them the kernel shell's line."""
    stages = []
    for s in design.stages:
        cycles = s.layer.cycles(s.fold)
        t = s.layer.cost_terms(s.fold)
        stages.append(
            StageEstimate(
                s.name,
                s.layer.kind,
                s.fold.pe,
                s.fold.simd,
                cycles.interval,
                cycles.latency,
                priced(s.layer.rtl_module, t, board.family),
                _memory_style(t),
                s.layer.rtl_module,
            )
        )
    interval = max(s.interval_cycles for s in stages)
    total = sum((s.resources for s in stages), Resources())
    clock_mhz = float(clock_mhz)
    return Estimate(
        tuple(stages),
        interval,
        design.frame_latency(),
        clock_mhz * 1e6 / interval,
        total,
        board,
        clock_mhz,
        balanced_bound(design),
        shell_stage(design, board),
    )


_MAX_SUGGESTED = 3


def check_fits(est: Estimate) -> None:
    """Raise BoardError naming the first resource the kernel (core and shell) needs more of than
    the board has."""
    kernel = est.kernel_resources
    key = est.board.first_overflow(kernel)
    if key is None:
        return
    need, have = kernel.as_dict()[key], est.board.capacity().as_dict()[key]
    share = f" ({round(100 * need / have)} %)" if have else ""
    # the (at most three) smallest other boards that fit, by the LUTs they leave to the user
    fitting = [b for b in list_boards() if b.name != est.board.name and b.fits(kernel)]
    fitting.sort(key=lambda b: (b.capacity().as_dict()["lut"], b.name))
    bigger = [b.name for b in fitting[:_MAX_SUGGESTED]]
    advice = "lower --target-fps, use a folding with smaller PE/SIMD"
    advice += f", or pick a bigger board ({', '.join(bigger)})" if bigger else ""
    raise BoardError(
        f"design needs {need} {_UNITS[key]} but {est.board.name} has {have}{share}; {advice}"
    )
