# SPDX-License-Identifier: Apache-2.0
"""The memory layout (qnngen.memlayout) of a stream's frames, from the stream's integer type."""

from __future__ import annotations

from ..ir import BIPOLAR, DataType
from ..memlayout import FrameLayout


def stream_layout(dtype: DataType, elems: int, mem_bits: int) -> FrameLayout:
    """The memory layout of frames of `elems` elements of an integer stream type."""
    kind = "bipolar" if dtype == BIPOLAR else "signed" if dtype.signed() else "unsigned"
    return FrameLayout(elems, dtype.bitwidth(), kind, mem_bits)
