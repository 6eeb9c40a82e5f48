"""What the cost model reads from a ROM's contents, against a plain re-count of the bits."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qnngen.ir.datatypes import INT
from qnngen.layers import MVTU
from qnngen.layers.base import Fold, RomContents
from qnngen.layers.cost import memory_blocks, rom_bits
from qnngen.layers.memory import rom_blocks


@st.composite
def roms(draw) -> RomContents:
    depth = draw(st.integers(1, 80))
    elems = draw(st.integers(1, 12))
    bits = draw(st.integers(1, 9))
    group = draw(st.sampled_from([g for g in range(1, elems + 1) if elems % g == 0]))
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    # few distinct values, so that constant and repeated columns occur
    values = draw(st.lists(st.integers(lo, hi), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**32 - 1))
    words = np.random.default_rng(seed).choice(values, size=(depth, elems))
    return RomContents(words, bits, group)


def _columns(rom: RomContents) -> list[tuple[int, ...]]:
    """Every bit column (one bit of one element over all addresses), two's complement."""
    mask = (1 << rom.bits) - 1
    return [
        tuple((int(w) & mask) >> b & 1 for w in rom.words[:, e])
        for e in range(rom.words.shape[1]) for b in range(rom.bits)
    ]  # fmt: skip


@given(roms())
def test_rom_bits_counts_varying_distinct_and_elements(rom: RomContents) -> None:
    cols = [c for c in _columns(rom) if len(set(c)) > 1]
    groups = {}
    for e in range(rom.words.shape[1]):
        groups.setdefault(e // rom.group, set()).add(tuple(int(v) for v in rom.words[:, e]))
    got = rom_bits(rom)
    assert got.depth == len(rom.words)
    assert got.varying == len(cols)
    assert got.distinct == len(set(cols))
    assert got.elements == sum(len(g) for g in groups.values())


def test_block_rom_holds_only_varying_bits() -> None:
    """Weights whose high bits never change take the block RAM of their varying bits only (the
    way Yosys drops constant ROM columns)."""
    rng = np.random.default_rng(0)
    mh, mw = 64, 1152
    w = rng.integers(0, 2, size=(mh, mw))  # INT(8) weights that only use 0 and 1
    layer = MVTU("m", INT(8), INT(8), INT(20), INT(20), w, None, 0)
    fold = Fold(8, 8)
    mems = layer.cost_terms(fold).memories
    width, depth = 8 * 8 * 8, (mh // 8) * (mw // 8)
    assert (mems[0].width, mems[0].depth) == (64, depth)  # bit 0 of each of the 64 weights a word varies
    assert layer.memory_styles(fold)["weights"] == "block"
    assert memory_blocks(mems[0]).bram18 == rom_blocks(64, depth)[0] < rom_blocks(width, depth)[0]
