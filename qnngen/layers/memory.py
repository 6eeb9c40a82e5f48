"""Where a memory of a given shape goes (block RAM, LUT-RAM or logic) and how many BRAM18s."""

from __future__ import annotations

import math
from functools import cache

#: BRAM18 aspect ratios (depth, width) of Xilinx 7-series / UltraScale block RAM
BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
#: deepest memory kept out of block RAM whatever its width (one LUT6 or LUT-RAM per bit)
SHALLOW_DEPTH = 64
#: LUT6s a memory must save per BRAM18 it takes before it goes to block RAM
LUTS_PER_BRAM18 = 32


@cache
def bram18_count(width: int, depth: int) -> int:
    """Fewest BRAM18s holding a width x depth RAM, choosing one aspect ratio for the whole array."""
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in BRAM18_SHAPES)


#: block RAM modes Yosys (memory_libmap, synth_xilinx) maps a ROM to, in the order it tries
#: them: (address bits at 1 bit wide, read widths, cost, BRAM18s per block). The 64Kx1 cascade
#: of xc7 is left out: it never wins for a ROM.
_ROM_MODES = (
    (15, (1, 2, 4, 9, 18, 36), 257, 2),      # RAMB36, true dual port
    (14, (1, 2, 4, 9, 18), 129, 1),          # RAMB18, true dual port
    (15, (1, 2, 4, 9, 18, 36, 72), 257, 2),  # RAMB36, simple dual port
    (14, (1, 2, 4, 9, 18, 36), 129, 1),      # RAMB18, simple dual port
)


@cache
def rom_blocks(width: int, depth: int) -> tuple[int, int]:
    """(BRAM18s, slices) of a width x depth ROM in block RAM, the way Yosys maps it.

    For each mode and aspect (d words of w bits) Yosys cuts the ROM into ceil(depth / d) slices
    of d words and packs all their bits side by side (a ROM has no byte enables to pad for)
    into ceil(slices * width / w) blocks, a slices:1 mux after each output bit picking the
    slice; it scores cost * blocks + (slices - 1) * width / 2 and keeps the cheapest (the first
    of equals, comparing against the best score of a mode truncated to an integer)."""
    best = None
    for abits, widths, cost, per_block in _ROM_MODES:
        mode, mode_score = None, 0
        for i, w in enumerate(widths):
            slices = math.ceil(depth / (1 << (abits - i)))
            blocks = math.ceil(slices * width / w)
            score = cost * blocks + 0.5 * (slices - 1) * width
            if mode is None or score < mode_score:
                mode, mode_score = (score, blocks * per_block, slices), int(score)
        if best is None or mode[0] < best[0]:
            best = mode
    return best[1], best[2]


def rom_slice_mux_luts(width: int, slices: int) -> int:
    """LUTs of the slices:1 mux after each of a block ROM's `width` output bits: one LUT for
    2-4 slices, two for 5-6 (exact), about slices / 2 beyond (measured)."""
    per_bit = 0 if slices == 1 else 1 if slices <= 4 else 2 if slices <= 6 else slices / 2
    return math.ceil(per_bit * width)


def memory_style(width: int, depth: int, rom: bool) -> str:
    """The STYLE qnngen_rom / qnngen_ram get for a width x depth memory.

    Up to 2 words: "logic". Deeper than SHALLOW_DEPTH words, block RAM when the LUT6s a
    distributed memory would take (width * ceil(depth / 64)) exceed LUTS_PER_BRAM18 per BRAM18
    it would take instead. Otherwise "logic" for a ROM (LUTs) and "distributed" for a RAM.
    """
    if depth <= 2:
        return "logic"
    luts = width * math.ceil(depth / 64)
    blocks = rom_blocks(width, depth)[0] if rom else bram18_count(width, depth)
    if depth > SHALLOW_DEPTH and luts > LUTS_PER_BRAM18 * blocks:
        return "block"
    return "logic" if rom else "distributed"


def styles_of(memories: dict[str, tuple[int, int]], roms: tuple[str, ...]) -> dict[str, str]:
    """memory_style of each {name: (width, depth)}; the names in roms are ROMs, the rest RAMs."""
    return {name: memory_style(w, d, name in roms) for name, (w, d) in memories.items()}
