"""Operand encodings shared by the MVTU and VVU module tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Operand:
    """Encoding of an input or weight element: bipolar, or signed/unsigned integer."""

    bits: int
    signed: bool = False
    bipolar: bool = False

    @property
    def lo(self) -> int:
        """Smallest decoded value."""
        return -1 if self.bipolar else -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        """Largest decoded value."""
        if self.bipolar:
            return 1
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def random(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Random raw encodings (bipolar as bits 0/1, integers as their values)."""
        if self.bipolar:
            return rng.integers(0, 2, shape)
        return rng.integers(self.lo, self.hi + 1, shape)

    def value(self, raw: np.ndarray) -> np.ndarray:
        """Decode raw encodings to int64 values (bipolar bit 1 = +1, bit 0 = -1)."""
        raw = raw.astype(np.int64)
        return 2 * raw - 1 if self.bipolar else raw


BIPOLAR = Operand(1, bipolar=True)
