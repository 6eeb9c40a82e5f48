# SPDX-License-Identifier: Apache-2.0
"""How frames sit in host memory for the kernel shell: the one definition used by the shell's
RTL parameters, the simulation harness, the host drivers and the tests.

A frame is the accelerator's stream for one input (or output): its elements in stream order
(channels last), each `elem_bits` wide in two's complement (bipolar -1/+1 as bit 0/1). In
memory, element i of a frame sits at bits [i*elem_bits +: elem_bits] counted from the frame's
first byte, least significant bit first (little-endian bytes), with no gaps. Every frame starts
on a memory-word boundary: it is followed by zero bits up to a whole number of `mem_bits`-wide
words. Frames follow each other without other gaps, so frame n starts at byte n * frame_bytes.

This module needs nothing but numpy, so the generated driver carries a verbatim copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FrameLayout", "MEM_BITS_RANGE"]

#: memory port widths the shell supports (bits, powers of two)
MEM_BITS_RANGE = (32, 512)
_KINDS = ("unsigned", "signed", "bipolar")


@dataclass(frozen=True)
class FrameLayout:
    """The memory image of one stream's frames: `elems` elements of `elem_bits` bits each
    (`kind` unsigned, signed or bipolar), packed densely and padded to `mem_bits`-bit words."""

    elems: int
    elem_bits: int
    kind: str
    mem_bits: int

    def __post_init__(self) -> None:
        lo, hi = MEM_BITS_RANGE
        if not (lo <= self.mem_bits <= hi and self.mem_bits & (self.mem_bits - 1) == 0):
            raise ValueError(f"mem_bits={self.mem_bits} must be a power of two in {lo}..{hi}")
        if not 1 <= self.elem_bits <= 64 or self.elems < 1:
            raise ValueError(f"elem_bits={self.elem_bits} must be 1..64 and elems={self.elems} >= 1")
        if self.kind not in _KINDS or (self.kind == "bipolar" and self.elem_bits != 1):
            raise ValueError(f"kind={self.kind!r} must be one of {_KINDS} (bipolar is 1 bit)")

    @property
    def frame_bits(self) -> int:
        """Bits of data in one frame (without the padding)."""
        return self.elems * self.elem_bits

    @property
    def words_per_frame(self) -> int:
        """Memory words one frame occupies."""
        return -(-self.frame_bits // self.mem_bits)

    @property
    def frame_bytes(self) -> int:
        """Bytes one frame occupies, padding included: the stride between frames."""
        return self.words_per_frame * self.mem_bits // 8

    def buffer_bytes(self, frames: int) -> int:
        """Bytes of a buffer holding `frames` frames."""
        return frames * self.frame_bytes

    def pack(self, values: np.ndarray) -> np.ndarray:
        """Integer element values (N, elems) -> the memory image, uint8 of shape (N, frame_bytes)."""
        values = np.asarray(values)
        if values.ndim != 2 or values.shape[1] != self.elems:
            raise ValueError(f"values must have shape (N, {self.elems}), got {values.shape}")
        if not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"values must be integers, got {values.dtype}")
        codes = (values > 0).astype(np.uint64) if self.kind == "bipolar" else values.astype(np.int64).view(np.uint64)
        n = len(codes)
        raw = np.ascontiguousarray(codes.astype("<u8")).view(np.uint8).reshape(n, self.elems, 8)
        bits = np.unpackbits(raw, axis=2, bitorder="little")[:, :, : self.elem_bits]
        padded = np.zeros((n, self.frame_bytes * 8), dtype=np.uint8)
        padded[:, : self.frame_bits] = bits.reshape(n, self.frame_bits)
        return np.packbits(padded, axis=1, bitorder="little")

    def unpack(self, image: np.ndarray, frames: int) -> np.ndarray:
        """The memory image of `frames` frames (bytes, at least buffer_bytes(frames)) -> int64
        element values (frames, elems); bipolar comes back as -1/+1."""
        flat = np.frombuffer(memoryview(np.ascontiguousarray(image)), dtype=np.uint8)
        if flat.size < self.buffer_bytes(frames):
            raise ValueError(f"{flat.size} bytes hold fewer than {frames} frames of {self.frame_bytes} bytes")
        rows = flat[: self.buffer_bytes(frames)].reshape(frames, self.frame_bytes)
        bits = np.unpackbits(rows, axis=1, bitorder="little")[:, : self.frame_bits]
        elems = np.zeros((frames, self.elems, 64), dtype=np.uint8)
        elems[:, :, : self.elem_bits] = bits.reshape(frames, self.elems, self.elem_bits)
        out = np.packbits(elems, axis=2, bitorder="little").reshape(frames, self.elems, 8)
        value = np.ascontiguousarray(out).view("<u8").reshape(frames, self.elems).view(np.int64)
        if self.kind == "bipolar":
            return 2 * value - 1
        if self.kind == "signed" and self.elem_bits < 64:
            sign = np.int64(1) << np.int64(self.elem_bits - 1)
            return (value ^ sign) - sign
        return value
