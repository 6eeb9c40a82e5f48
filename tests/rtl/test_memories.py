# SPDX-License-Identifier: Apache-2.0
"""rtl/qnngen_rom.sv and rtl/qnngen_ram.sv: lint, the primitives Yosys maps each STYLE to, and the
compiler's style rule (qnngen/layers/memory.py memory_style)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import synth_cells

from qnngen.ir import IntType
from qnngen.layers.memory import bram18_count, memory_style
from qnngen.layers.mvtu import MVTU
from qnngen.layers.base import Fold
from qnngen.sim import LintError, lint

RTL_DIR = Path(__file__).resolve().parents[2] / "rtl"
ROM_SV = RTL_DIR / "qnngen_rom.sv"
RAM_SV = RTL_DIR / "qnngen_ram.sv"
BRAM = ("RAMB18E1", "RAMB36E1")
LUTRAM_PREFIXES = ("RAM32", "RAM64", "RAM128", "RAM256")


# ---------------------------------------------------------------- lint

@pytest.mark.parametrize("style", ["block", "logic"])
@pytest.mark.parametrize("depth", [1, 2, 64])
def test_rom_lints_clean(style, depth, tmp_path):
    lint([ROM_SV], "qnngen_rom", {"WIDTH": 8, "DEPTH": depth, "STYLE": style, "MEM_FILE": f"{tmp_path}/r.mem"})


@pytest.mark.parametrize("style", ["block", "distributed", "logic"])
@pytest.mark.parametrize("depth", [1, 2, 100])
def test_ram_lints_clean(style, depth):
    lint([RAM_SV], "qnngen_ram", {"WIDTH": 8, "DEPTH": depth, "STYLE": style})


@pytest.mark.parametrize("sv, top, message", [
    (ROM_SV, "qnngen_rom", 'STYLE must be "block" or "logic"'),
    (RAM_SV, "qnngen_ram", 'STYLE must be "block", "distributed" or "logic"'),
])
def test_unknown_style_stops_elaboration(sv, top, message):
    with pytest.raises(LintError, match=message):
        lint([sv], top, {"STYLE": "distributed" if top == "qnngen_rom" else "ultra"})


# ---------------------------------------------------------------- synthesis

def _synth_cells(tmp_path: Path, sv: Path, params: dict[str, int | str]) -> dict[str, int]:
    """Cell counts by type of synth_xilinx (xc7) of sv's module with params, run in tmp_path."""
    return synth_cells(tmp_path, [sv], sv.stem, params)


def _count(cells: dict[str, int], kinds) -> int:
    return sum(n for c, n in cells.items() if c.startswith(tuple(kinds)))


@pytest.mark.parametrize("style", ["block", "logic"])
def test_rom_style_picks_primitives(style, tmp_path):
    words = np.random.default_rng(1).integers(0, 1 << 32, size=64)
    (tmp_path / "rom.mem").write_text("".join(f"{int(w):08x}\n" for w in words))
    cells = _synth_cells(tmp_path, ROM_SV, {"WIDTH": 32, "DEPTH": 64, "STYLE": style, "MEM_FILE": "rom.mem"})
    if style == "block":
        assert _count(cells, BRAM) >= 1 and _count(cells, LUTRAM_PREFIXES) == 0, cells
    else:
        assert _count(cells, BRAM) == 0 and _count(cells, LUTRAM_PREFIXES) == 0, cells
        assert _count(cells, ("LUT",)) > 0, cells


@pytest.mark.parametrize("style", ["block", "distributed", "logic"])
def test_ram_style_picks_primitives(style, tmp_path):
    cells = _synth_cells(tmp_path, RAM_SV, {"WIDTH": 8, "DEPTH": 64, "STYLE": style})
    bram, lutram = _count(cells, BRAM), _count(cells, LUTRAM_PREFIXES)
    if style == "block":
        assert bram >= 1 and lutram == 0, cells
    elif style == "distributed":
        assert lutram >= 1 and bram == 0, cells
    else:
        assert bram == 0 and lutram == 0 and cells.get("FDRE", 0) >= 8 * 64, cells


# ---------------------------------------------------------------- the style rule

@pytest.mark.parametrize("width, depth, rom, style", [
    (32, 2, True, "logic"),          # depth <= 2: always registers/LUTs
    (4096, 2, False, "logic"),
    (32, 64, True, "logic"),         # luts = 32*1 = 32, bram = 1: 32 > 32 fails
    (32, 64, False, "distributed"),
    (33, 64, False, "distributed"),  # 64 words or fewer never go to block RAM
    (36, 3, True, "logic"),
    (33, 65, False, "block"),        # luts = 33*2 = 66 > 32*1 (512x36 holds it in one BRAM18)
    (16, 65, True, "logic"),         # luts = 16*2 = 32, bram = 1: 32 > 32 fails
    (17, 65, True, "block"),         # luts = 17*2 = 34 > 32
    (1, 2048, False, "distributed"),  # luts = 1*32 = 32, bram = 1 (16384x1)
    (1, 2049, False, "block"),       # luts = 1*33 = 33 > 32
    (32, 1024, True, "block"),       # luts = 32*16 = 512 > 32*2
])
def test_memory_style_cases(width, depth, rom, style):
    assert memory_style(width, depth, rom) == style


def test_memory_style_arithmetic_of_a_case():
    assert bram18_count(37, 3) == 2 and bram18_count(36, 3) == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(1, 20000), st.integers(1, 5000), st.booleans())
def test_deeper_never_leaves_block(width, depth, more, rom):
    """For a fixed width, a deeper memory never goes from block RAM back to LUTs."""
    if memory_style(width, depth, rom) == "block":
        assert memory_style(width, depth + more, rom) == "block"


def test_rtl_params_follow_memory_styles():
    """The RTL and the estimator read the same styles: the MVTU passes memory_styles(fold)."""
    mvtu = MVTU("mvtu_0", IntType(2, True), IntType(2, True), IntType(10, True), IntType(2, False),
                weights=np.ones((64, 256), np.int64), thresholds=np.zeros((64, 3), np.int64))
    fold = Fold(pe=4, simd=8)
    styles = mvtu.memory_styles(fold)
    assert set(styles) == {"weights", "thresholds", "input_buffer"}
    params = mvtu.rtl(fold).params
    assert (params["W_STYLE"], params["T_STYLE"], params["BUF_STYLE"]) == (
        styles["weights"], styles["thresholds"], styles["input_buffer"])
