"""What every hardware layer provides: folding space, cycles, resources, reference and RTL."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

import numpy as np

from ..errors import FoldingError

if TYPE_CHECKING:
    from .cost import CostTerms

T = TypeVar("T")


@dataclass(frozen=True)
class RomContents:
    """One ROM of a layer at a fold: its words and how they are made of elements."""

    #: depth x elements-per-word integers, element 0 in a word's LSBs
    words: np.ndarray
    #: bits per element (two's complement)
    bits: int
    #: consecutive elements compared with one input (one lane's thresholds), else 1
    group: int = 1


@dataclass(frozen=True, order=True)
class Fold:
    """Parallelism of a layer: PE output channels and SIMD input elements per cycle."""

    pe: int = 1
    simd: int = 1


@dataclass(frozen=True)
class Resources:
    """FPGA resources; LUT/FF are estimates, memories and DSPs are counted from shapes."""

    lut: float = 0.0
    ff: float = 0.0
    bram18: int = 0
    uram: int = 0
    dsp: int = 0

    KEYS = ("lut", "ff", "bram18", "uram", "dsp")

    def __add__(self, other: "Resources") -> "Resources":
        return Resources(*(getattr(self, k) + getattr(other, k) for k in self.KEYS))

    def as_dict(self) -> dict[str, int]:
        return {k: int(round(getattr(self, k))) for k in self.KEYS}


@dataclass(frozen=True)
class Cycles:
    """Interval: cycles between frames in steady state; latency: first input to last output."""

    interval: int
    latency: int


@dataclass(frozen=True)
class RtlInstance:
    """What the top-level template needs to instantiate one layer."""

    module: str
    params: dict[str, int | str]
    mem_files: dict[str, str] = field(default_factory=dict)


def divisors(n: int) -> list[int]:
    """All positive divisors of n, ascending."""
    return [d for d in range(1, n + 1) if n % d == 0]


def require(cond: bool, message: str) -> None:
    """Raise FoldingError(message) unless cond holds."""
    if not cond:
        raise FoldingError(message)


class HwLayer:
    """Interface of a streaming hardware layer; subclasses are frozen dataclasses."""

    name: str
    kind: str = "layer"
    #: the library module (rtl/<rtl_module>.sv) that implements the layer
    rtl_module: str = ""
    #: False for layers whose fold is implied by a neighbour (a SWU takes its MVTU's SIMD)
    foldable: bool = True
    #: stream port names of the RTL module, inputs then outputs
    in_ports: tuple[str, ...] = ("s_axis",)
    out_ports: tuple[str, ...] = ("m_axis",)

    def fold_space(self) -> Iterator[Fold]:
        yield Fold(1, 1)

    def fitted_to_input(self, width: int, beats: int) -> "HwLayer":
        """The layer adapted to the stream it reads (default: unchanged; a fork takes its shape)."""
        return self

    def implied_fold(self, folding: dict[str, Fold]) -> Fold:
        """The fold of a layer that is not foldable, given the others' (default: none)."""
        return Fold()

    def check(self, fold: Fold) -> None:
        require(fold == Fold(1, 1), f"{self.name}: {self.kind} has no PE/SIMD folding")

    def in_width(self, fold: Fold, port: int = 0) -> int:
        raise NotImplementedError

    def out_width(self, fold: Fold, port: int = 0) -> int:
        raise NotImplementedError

    def in_beats(self, fold: Fold, port: int = 0) -> int:
        raise NotImplementedError

    def out_beats(self, fold: Fold, port: int = 0) -> int:
        raise NotImplementedError

    def cycles(self, fold: Fold) -> Cycles:
        raise NotImplementedError

    def fifo_beats(self, fold: Fold, port: int = 0) -> int:
        """Beats the FIFO in front of this layer should hold so that a faster producer is never
        held up by this layer's bursty reading (a whole frame unless the layer says less)."""
        return self.in_beats(fold)

    def out_times(self, fold: Fold, in_times: np.ndarray) -> np.ndarray:
        """Cycle at which each output beat of one frame leaves, given its input beats' times."""
        raise NotImplementedError

    def join_take_times(self, fold: Fold, ins: list[np.ndarray]) -> list[np.ndarray]:
        """For each input port, the cycle each of its beats is taken (default: all inputs in
        lock-step, beat i of every input at once, when the last of them is there)."""
        taken = ins[0]
        for t in ins[1:]:
            taken = np.maximum(taken, t)
        return [taken] * len(ins)

    def join_out_times(self, fold: Fold, ins: list[np.ndarray]) -> np.ndarray:
        """Output beat times given every input port's beat times (see out_times)."""
        return self.out_times(fold, self.join_take_times(fold, ins)[0])

    def rtl_params(self, fold: Fold) -> dict[str, int | str]:
        """Parameters of the layer's RTL module (`rtl_module`) at this fold."""
        raise NotImplementedError

    def rom_words(self, fold: Fold) -> dict[str, RomContents]:
        """Each ROM's contents at this fold by the parameter naming its file (W_FILE, T_FILE).
        Default: no ROM."""
        return {}

    def memory_files(self, fold: Fold) -> dict[str, str]:
        """Contents of the module's $readmemh files at this fold, by file name."""
        from ..packing import hex_memory

        params = self.rtl_params(fold)
        return {params[key]: hex_memory(rom.words, rom.bits) for key, rom in self.rom_words(fold).items()}

    def cost_terms(self, fold: Fold) -> CostTerms:
        """What the layer's module is made of at this fold, for the cost model (layers/cost.py)."""
        from .cost import rom_stats, terms

        def compute() -> CostTerms:
            params = self.rtl_params(fold)
            return terms(self.rtl_module, params, rom_stats(self.rom_words(fold), params))

        return self.per_fold("cost_terms", fold, compute)

    def per_fold(self, what: str, fold: Fold, compute: Callable[[], T]) -> T:
        """compute(), kept on the layer under (what, fold) for the next call: for figures the
        folding search asks for many times. Not a field: eq, hash and frozenness ignore it."""
        known = self.__dict__.setdefault("_per_fold", {})
        if (what, fold) not in known:
            known[what, fold] = compute()
        return known[what, fold]

    def resources(self, fold: Fold, family: str) -> Resources:
        """What the layer's module costs on device `family`, from the calibrated cost model."""
        from .cost import priced

        return priced(self.rtl_module, self.cost_terms(fold), family)

    def execute(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def rtl(self, fold: Fold) -> RtlInstance:
        """The module instance the top level needs: module, parameters and memory files."""
        return RtlInstance(self.rtl_module, self.rtl_params(fold), self.memory_files(fold))

    def describe(self) -> dict:
        """Plain-data view of the layer's scalar fields for reports."""
        return {f.name: getattr(self, f.name) for f in fields(self) if np.isscalar(getattr(self, f.name))}
