# SPDX-License-Identifier: Apache-2.0
"""Pack integer elements into stream beats and memory words, element 0 in the LSBs.

This is the single place where the project turns element arrays into bit vectors: the
simulation harness feeds `pack_beats` output to AXI-Stream ports and the code generator
writes `hex_memory` text for `$readmemh`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pack_beats", "unpack_beats", "hex_memory"]

_MAX_ELEM_BITS = 64
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Rows packed per step, so the one-byte-per-bit scratch array stays around 64 MiB.
_SCRATCH_BITS = 1 << 26


def _check_layout(elem_bits: int, elems_per_beat: int) -> None:
    """Reject element widths and beat sizes that cannot describe a bit layout."""
    if not 1 <= elem_bits <= _MAX_ELEM_BITS:
        raise ValueError(f"elem_bits={elem_bits} must be in 1..{_MAX_ELEM_BITS}")
    if elems_per_beat < 1:
        raise ValueError(f"elems_per_beat={elems_per_beat} must be at least 1")


def _words_per_beat(elem_bits: int, elems_per_beat: int) -> int:
    """Number of 32-bit words holding one beat of elems_per_beat elements."""
    return -(-(elem_bits * elems_per_beat) // 32)


def _pack_rows(v: np.ndarray, elem_bits: int, words: int) -> np.ndarray:
    """Pack (R, K) uint64 elements into (R, words) uint32, element 0 in the LSBs."""
    rows, k = v.shape
    bits = np.zeros((rows, words * 32), dtype=np.uint8)
    view = bits[:, : k * elem_bits].reshape(rows, k, elem_bits)
    for b in range(elem_bits):
        view[:, :, b] = (v >> np.uint64(b)) & np.uint64(1)
    packed = np.packbits(bits, axis=1, bitorder="little")
    return packed.view("<u4").astype(np.uint32, copy=False)


def pack_beats(values: np.ndarray, elem_bits: int, elems_per_beat: int) -> np.ndarray:
    """Pack (N, E) integers into uint32 beats of shape (N, E // elems_per_beat, words_per_beat).

    Args:
        values: integer array (N, E); each element is masked to elem_bits (two's complement).
        elem_bits: width of one element in bits (1..64).
        elems_per_beat: elements per beat; must divide E. Element i of a beat sits at
            bits [i*elem_bits +: elem_bits]; word 0 of a beat holds its least significant bits.
    """
    _check_layout(elem_bits, elems_per_beat)
    values = np.asarray(values)
    if values.ndim != 2 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"values must be a 2-D integer array, got {values.dtype} {values.shape}")
    n, e = values.shape
    if e % elems_per_beat:
        raise ValueError(f"elems_per_beat={elems_per_beat} must divide the {e} elements per frame")
    beats = e // elems_per_beat
    words = _words_per_beat(elem_bits, elems_per_beat)
    mask = np.uint64((1 << elem_bits) - 1)
    flat = values.astype(np.int64, copy=False).view(np.uint64).reshape(n * beats, elems_per_beat)
    out = np.empty((n * beats, words), dtype=np.uint32)
    step = max(1, _SCRATCH_BITS // (words * 32))
    for start in range(0, n * beats, step):
        out[start : start + step] = _pack_rows(flat[start : start + step] & mask, elem_bits, words)
    return out.reshape(n, beats, words)


def unpack_beats(
    words: np.ndarray, elem_bits: int, elems_per_beat: int, signed: bool
) -> np.ndarray:
    """Unpack uint32 beats (N, beats, words_per_beat) into int64 elements (N, beats*elems_per_beat).

    Args:
        words: beats as produced by `pack_beats` or read from an output stream.
        elem_bits: width of one element in bits (1..64).
        elems_per_beat: elements per beat.
        signed: interpret elements as two's complement.
    """
    _check_layout(elem_bits, elems_per_beat)
    words = np.asarray(words)
    if words.ndim != 3:
        raise ValueError(f"words must have shape (N, beats, words_per_beat), got {words.shape}")
    n, beats, wpb = words.shape
    if wpb != _words_per_beat(elem_bits, elems_per_beat):
        raise ValueError(
            f"{wpb} words per beat do not hold {elems_per_beat} elements of {elem_bits} bits"
        )
    k = elems_per_beat * elem_bits
    raw = np.ascontiguousarray(words.astype("<u4", copy=False)).view(np.uint8)
    bits = np.unpackbits(raw.reshape(n * beats, wpb * 4), axis=1, bitorder="little")[:, :k]
    container = next(c for c in (8, 16, 32, 64) if c >= elem_bits)
    elems = np.zeros((n * beats * elems_per_beat, container), dtype=np.uint8)
    elems[:, :elem_bits] = bits.reshape(-1, elem_bits)
    value = np.packbits(elems, axis=1, bitorder="little").view(f"<u{container // 8}").ravel()
    out = value.astype(np.uint64).view(np.int64)
    if signed and elem_bits < 64:
        sign = np.int64(1) << np.int64(elem_bits - 1)
        out = (out ^ sign) - sign
    return out.reshape(n, beats * elems_per_beat)


def hex_memory(words: np.ndarray, elem_bits: int) -> str:
    """Render (depth, elems_per_word) integers as `$readmemh` text, one word per line.

    Element 0 sits in the LSBs; each line has ceil(elems_per_word*elem_bits/4) lowercase hex
    digits and the text ends with a newline.
    """
    words = np.asarray(words)
    if words.ndim != 2:
        raise ValueError(f"memory must have shape (depth, elems_per_word), got {words.shape}")
    depth, per_word = words.shape
    digits = -(-(per_word * elem_bits) // 4)
    packed = pack_beats(words, elem_bits, per_word)[:, 0, :]
    msb_first = np.ascontiguousarray(packed[:, ::-1].astype(">u4")).view(np.uint8)
    nibbles = np.stack([msb_first >> 4, msb_first & 0xF], axis=2).reshape(
        depth, packed.shape[1] * 8
    )
    text = np.empty((depth, digits + 1), dtype=np.uint8)
    text[:, :digits] = _HEX_DIGITS[nibbles[:, packed.shape[1] * 8 - digits :]]
    text[:, digits] = ord("\n")
    return text.tobytes().decode("ascii")
