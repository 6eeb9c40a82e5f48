"""Resource budget: the share of each board resource a searched folding may fill."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from ..errors import FoldingError
from ..layers.base import Resources
from .boards import Board

#: how --budget is written, for error messages and --help
BUDGET_SYNTAX = "KEY=PCT[,KEY=PCT...] with KEY in lut, ff, bram18, uram, dsp and PCT like 70% or 0.7"


@dataclass(frozen=True)
class Budget:
    """Fraction (0, 1] of each board resource (board.capacity()) a searched folding may use.

    The defaults leave headroom for placement and routing and for the cost model's error: LUT and
    FF 80 %, BRAM18 and URAM 85 %, DSP 90 % (hard blocks route more easily than fabric logic).
    """

    lut: float = 0.80
    ff: float = 0.80
    bram18: float = 0.85
    uram: float = 0.85
    dsp: float = 0.90

    def limits(self, board: Board) -> Resources:
        """The usable amount of each resource: floor(share x capacity)."""
        cap = board.capacity()
        # the epsilon keeps 0.85 x 280 at 238 despite binary floating point
        return Resources(*(math.floor(getattr(self, k) * getattr(cap, k) + 1e-6) for k in Resources.KEYS))

    def share(self, key: str) -> str:
        """The share of one resource as a percentage, e.g. '80 %'."""
        return f"{100 * getattr(self, key):g} %"

    def __str__(self) -> str:
        return ",".join(f"{k}={100 * getattr(self, k):g}%" for k in Resources.KEYS)


def _fraction(text: str, item: str) -> float:
    """'70%' or '0.7' as 0.7; FoldingError unless it is in (0, 1]."""
    body = text[:-1] if text.endswith("%") else text
    try:
        value = float(body) / (100 if text.endswith("%") else 1)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1:
        raise FoldingError(f"--budget {item}: the share must be in (0, 100%], e.g. lut=70% or lut=0.7")
    return value


def parse_budget(text: str) -> Budget:
    """A --budget value such as 'lut=70%,bram18=80%' or 'dsp=0.9'; unnamed keys keep their default.

    Raises FoldingError (one line) for an unknown key, a repeated key or a share outside (0, 1].
    """
    keys = [f.name for f in fields(Budget)]
    shares: dict[str, float] = {}
    for item in (i.strip() for i in text.split(",")):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if not eq or key not in keys:
            raise FoldingError(f"--budget {text!r}: {item!r} is not {BUDGET_SYNTAX}")
        if key in shares:
            raise FoldingError(f"--budget {text!r}: {key} is given twice")
        shares[key] = _fraction(value.strip(), item)
    return replace(Budget(), **shares)
