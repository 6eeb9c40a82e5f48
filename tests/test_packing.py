# SPDX-License-Identifier: Apache-2.0
"""Property tests of qnngen.packing against references built from Python ints."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnngen.packing import hex_memory, pack_beats, unpack_beats


@st.composite
def layouts(draw: st.DrawFn, max_bits: int = 32) -> tuple[np.ndarray, int, int, bool]:
    """Random elements with their width, elements per beat and signedness."""
    elem_bits = draw(st.integers(1, max_bits))
    signed = draw(st.booleans())
    per_beat = draw(st.integers(1, 12))
    beats = draw(st.integers(1, 4))
    frames = draw(st.integers(0, 3))
    lo, hi = (
        (-(1 << (elem_bits - 1)), (1 << (elem_bits - 1)) - 1)
        if signed
        else (0, (1 << elem_bits) - 1)
    )
    flat = draw(
        st.lists(
            st.integers(lo, hi),
            min_size=frames * beats * per_beat,
            max_size=frames * beats * per_beat,
        )
    )
    values = np.array(flat, dtype=np.int64).reshape(frames, beats * per_beat)
    return values, elem_bits, per_beat, signed


def beat_int(values: list[int], elem_bits: int) -> int:
    """Reference: one beat as a Python int, element 0 in the LSBs."""
    mask = (1 << elem_bits) - 1
    return sum((int(v) & mask) << (i * elem_bits) for i, v in enumerate(values))


@given(layouts())
def test_round_trip(case: tuple[np.ndarray, int, int, bool]) -> None:
    values, elem_bits, per_beat, signed = case
    words = pack_beats(values, elem_bits, per_beat)
    assert words.dtype == np.uint32
    assert words.shape == (
        values.shape[0],
        values.shape[1] // per_beat,
        -(-(elem_bits * per_beat) // 32),
    )
    np.testing.assert_array_equal(unpack_beats(words, elem_bits, per_beat, signed), values)


@given(layouts())
def test_pack_matches_python_ints(case: tuple[np.ndarray, int, int, bool]) -> None:
    values, elem_bits, per_beat, _ = case
    words = pack_beats(values, elem_bits, per_beat)
    for n in range(values.shape[0]):
        for b in range(words.shape[1]):
            expected = beat_int(values[n, b * per_beat : (b + 1) * per_beat].tolist(), elem_bits)
            got = sum(int(w) << (32 * i) for i, w in enumerate(words[n, b]))
            assert got == expected


@settings(max_examples=50)
@given(st.integers(1, 32), st.integers(3, 40), st.booleans(), st.integers(0, 2**32 - 1))
def test_wide_beats(elem_bits: int, per_beat: int, signed: bool, seed: int) -> None:
    """Beats far wider than 64 bits keep every element in place."""
    rng = np.random.default_rng(seed)
    lo = -(1 << (elem_bits - 1)) if signed else 0
    values = rng.integers(lo, lo + (1 << elem_bits), size=(2, per_beat * 3), dtype=np.int64)
    words = pack_beats(values, elem_bits, per_beat)
    got = sum(int(w) << (32 * i) for i, w in enumerate(words[1, 2]))
    assert got == beat_int(values[1, 2 * per_beat :].tolist(), elem_bits)
    np.testing.assert_array_equal(unpack_beats(words, elem_bits, per_beat, signed), values)


def test_negative_values_are_masked() -> None:
    words = pack_beats(np.array([[-1, 0, -2]]), 4, 3)
    assert int(words[0, 0, 0]) == 0xE0F


def test_unpack_is_signed_only_when_asked() -> None:
    words = pack_beats(np.array([[-3]]), 3, 1)
    assert unpack_beats(words, 3, 1, signed=False)[0, 0] == 5
    assert unpack_beats(words, 3, 1, signed=True)[0, 0] == -3


@pytest.mark.parametrize(
    ("shape", "elem_bits", "per_beat"), [((2, 5), 8, 2), ((2, 4), 0, 1), ((2, 4), 8, 0)]
)
def test_bad_layouts_raise(shape: tuple[int, int], elem_bits: int, per_beat: int) -> None:
    with pytest.raises(ValueError):
        pack_beats(np.zeros(shape, dtype=np.int64), elem_bits, per_beat)


@given(layouts())
def test_hex_memory_matches_reference(case: tuple[np.ndarray, int, int, bool]) -> None:
    values, elem_bits, per_beat, _ = case
    memory = values.reshape(-1, per_beat)
    digits = -(-(per_beat * elem_bits) // 4)
    expected = "".join(f"{beat_int(row.tolist(), elem_bits):0{digits}x}\n" for row in memory)
    text = hex_memory(memory, elem_bits)
    assert text == expected
    assert text == hex_memory(memory.copy(), elem_bits)


def test_hex_memory_example() -> None:
    assert hex_memory(np.array([[1, -1], [3, 4]]), 3) == "39\n23\n"
