"""How the vendor tools map a memory of a given shape: registers, LUTRAM, BRAM18 or URAM."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import Resources

#: BRAM18 aspect ratios (depth, width) of Xilinx 7-series / UltraScale block RAM
BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
LUTRAM_MAX_BITS = 4096
LUTRAM_MAX_DEPTH = 128


@dataclass(frozen=True)
class MemoryMapping:
    """Where a width x depth memory goes and what it costs."""

    style: str  # "registers", "lutram" or "bram"
    resources: Resources


def bram18_count(width: int, depth: int) -> int:
    """Fewest BRAM18s holding width x depth, choosing one aspect ratio for the whole array."""
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in BRAM18_SHAPES)


def map_memory(width: int, depth: int) -> MemoryMapping:
    """Map a memory as Vivado's default inference would: tiny ones in registers, shallow or
    small ones in LUTRAM (64 deep per LUT), the rest in BRAM18."""
    if width <= 0 or depth <= 0:
        return MemoryMapping("registers", Resources())
    if depth <= 2:
        return MemoryMapping("registers", Resources(lut=0, ff=width * depth))
    if depth <= LUTRAM_MAX_DEPTH and (width * depth <= LUTRAM_MAX_BITS or depth <= 32):
        return MemoryMapping("lutram", Resources(lut=width * math.ceil(depth / 64), ff=width))
    return MemoryMapping("bram", Resources(bram18=bram18_count(width, depth), ff=width))


def memory_style(width: int, depth: int, rom: bool) -> str:
    """The STYLE qnngen_rom / qnngen_ram get for a width x depth memory.

    Up to 2 words: "logic". Otherwise block RAM when the LUT6s a distributed memory would take
    (width * ceil(depth / 64)) exceed 32 per BRAM18 it would take instead, else "logic" for a
    ROM (LUTs) and "distributed" for a RAM (LUTRAM).
    """
    if depth <= 2:
        return "logic"
    luts = width * math.ceil(depth / 64)
    if luts > 32 * bram18_count(width, depth):
        return "block"
    return "logic" if rom else "distributed"


def styles_of(memories: dict[str, tuple[int, int]], roms: tuple[str, ...]) -> dict[str, str]:
    """memory_style of each {name: (width, depth)}; the names in roms are ROMs, the rest RAMs."""
    return {name: memory_style(w, d, name in roms) for name, (w, d) in memories.items()}
