"""Constant arrays of the HLS code (weights, thresholds) as C initialisers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedError

#: (bits, C type) of the integer types a ROM element may be stored in, narrowest first
_SIGNED_TYPES = ((8, "int8_t"), (16, "int16_t"), (32, "int32_t"), (64, "int64_t"))


@dataclass(frozen=True)
class CArray:
    """A `static const` array: name, element C type, "[d0][d1]..." and the braced initialiser."""

    name: str
    ctype: str
    dims: str
    init: str


def storage_type(values: np.ndarray, what: str) -> str:
    """The narrowest fixed-width C integer type holding every value.

    The arrays are plain C integers rather than ap_int: g++ compiles an initialiser of a
    million ap_int objects (each a non-constexpr constructor call) for many minutes; the
    functions convert each element to its ap_int width where they read it.
    """
    lo, hi = (int(values.min()), int(values.max())) if values.size else (0, 0)
    for bits, name in _SIGNED_TYPES:
        if -(1 << (bits - 1)) <= lo and hi < (1 << (bits - 1)):
            return name
    raise UnsupportedError(f"{what}: values need more than 64 bits; the HLS backend stores at most int64")


def _braced(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "{" + ", ".join(map(str, a.tolist())) + "}"
    return "{\n" + ",\n".join(_braced(row) for row in a) + "}"


def c_array(name: str, values: np.ndarray) -> CArray:
    """`values` (any number of dimensions) as a CArray of the narrowest integer type."""
    values = np.asarray(values, dtype=np.int64)
    dims = "".join(f"[{d}]" for d in values.shape)
    return CArray(name, storage_type(values, name), dims, _braced(values))
