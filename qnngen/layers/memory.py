"""Where a memory of a given shape goes (block RAM, LUT-RAM or logic) and how many BRAM18s."""

from __future__ import annotations

import math

#: BRAM18 aspect ratios (depth, width) of Xilinx 7-series / UltraScale block RAM
BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
#: deepest memory kept out of block RAM whatever its width (one LUT6 or LUT-RAM per bit)
SHALLOW_DEPTH = 64
#: LUT6s a memory must save per BRAM18 it takes before it goes to block RAM
LUTS_PER_BRAM18 = 32


def bram18_count(width: int, depth: int) -> int:
    """Fewest BRAM18s holding width x depth, choosing one aspect ratio for the whole array."""
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in BRAM18_SHAPES)


def memory_style(width: int, depth: int, rom: bool) -> str:
    """The STYLE qnngen_rom / qnngen_ram get for a width x depth memory.

    Up to 2 words: "logic". Deeper than SHALLOW_DEPTH words, block RAM when the LUT6s a
    distributed memory would take (width * ceil(depth / 64)) exceed LUTS_PER_BRAM18 per BRAM18
    it would take instead. Otherwise "logic" for a ROM (LUTs) and "distributed" for a RAM.
    """
    if depth <= 2:
        return "logic"
    luts = width * math.ceil(depth / 64)
    if depth > SHALLOW_DEPTH and luts > LUTS_PER_BRAM18 * bram18_count(width, depth):
        return "block"
    return "logic" if rom else "distributed"


def styles_of(memories: dict[str, tuple[int, int]], roms: tuple[str, ...]) -> dict[str, str]:
    """memory_style of each {name: (width, depth)}; the names in roms are ROMs, the rest RAMs."""
    return {name: memory_style(w, d, name in roms) for name, (w, d) in memories.items()}
