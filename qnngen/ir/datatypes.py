"""Datatypes as values: integer, bipolar and float tensor element types (the QONNX DataType API)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DataType:
    """Base of every element type; `bits` is the width of one element in a stream or memory."""

    @property
    def name(self) -> str:
        raise NotImplementedError

    def bitwidth(self) -> int:
        raise NotImplementedError

    def min(self) -> float:
        raise NotImplementedError

    def max(self) -> float:
        raise NotImplementedError

    def is_integer(self) -> bool:
        return True

    def signed(self) -> bool:
        return self.min() < 0

    def allowed(self, values: np.ndarray) -> bool:
        """True when every value is representable in this type."""
        v = np.asarray(values)
        if v.size == 0:
            return True
        return bool(np.all(v == np.round(v)) and v.min() >= self.min() and v.max() <= self.max())

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class IntType(DataType):
    """Two's complement (signed) or plain binary (unsigned) integer of `bits` bits."""

    bits: int
    is_signed: bool

    def __post_init__(self) -> None:
        if not 1 <= self.bits <= 64:
            raise ValueError(f"integer width {self.bits} outside 1..64")

    @property
    def name(self) -> str:
        return f"{'INT' if self.is_signed else 'UINT'}{self.bits}"

    def bitwidth(self) -> int:
        return self.bits

    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.is_signed else 0

    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.is_signed else (1 << self.bits) - 1

    def signed(self) -> bool:
        return self.is_signed


@dataclass(frozen=True)
class BipolarType(DataType):
    """The values {-1, +1}, stored as one bit: 1 is +1, 0 is -1."""

    @property
    def name(self) -> str:
        return "BIPOLAR"

    def bitwidth(self) -> int:
        return 1

    def min(self) -> int:
        return -1

    def max(self) -> int:
        return 1

    def allowed(self, values: np.ndarray) -> bool:
        return bool(np.all(np.abs(np.asarray(values)) == 1))


@dataclass(frozen=True)
class FloatType(DataType):
    """IEEE float32: anything not known to be an integer."""

    @property
    def name(self) -> str:
        return "FLOAT32"

    def bitwidth(self) -> int:
        return 32

    def min(self) -> float:
        return float(np.finfo(np.float32).min)

    def max(self) -> float:
        return float(np.finfo(np.float32).max)

    def is_integer(self) -> bool:
        return False

    def allowed(self, values: np.ndarray) -> bool:
        return True


BIPOLAR = BipolarType()
FLOAT32 = FloatType()


def INT(bits: int) -> IntType:  # noqa: N802 - reads like the type name
    """Signed integer type of `bits` bits."""
    return IntType(bits, True)


def UINT(bits: int) -> IntType:  # noqa: N802
    """Unsigned integer type of `bits` bits."""
    return IntType(bits, False)


def parse_dtype(name: str) -> DataType:
    """Parse 'INT8', 'UINT2', 'BIPOLAR' or 'FLOAT32'."""
    if name == "BIPOLAR":
        return BIPOLAR
    if name == "FLOAT32":
        return FLOAT32
    m = re.fullmatch(r"(U?)INT(\d+)", name)
    if not m:
        raise ValueError(f"unknown datatype '{name}'")
    return IntType(int(m.group(2)), m.group(1) == "")


def smallest_int_type(lo: int, hi: int) -> IntType:
    """Narrowest IntType holding every integer in [lo, hi]; signed only when lo < 0."""
    lo, hi = int(lo), int(hi)
    if lo >= 0:
        return UINT(max(1, hi.bit_length()))
    bits = max((-lo - 1).bit_length(), hi.bit_length() if hi > 0 else 0) + 1
    return INT(bits)
