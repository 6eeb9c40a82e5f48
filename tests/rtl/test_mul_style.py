# SPDX-License-Identifier: Apache-2.0
"""MUL_STYLE of qnngen_mvtu / qnngen_vvu: the primitives Yosys maps each style to, the unknown
style error, and the compiler's rule (qnngen/layers/mvtu.py mul_style). Bit-exactness of both
styles is simulated in test_mvtu.py and test_vvu.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import synth_cells

from qnngen.ir import BIPOLAR, IntType
from qnngen.layers.base import Fold
from qnngen.layers.mvtu import MVTU, mul_style
from qnngen.layers.vvu import VVU
from qnngen.sim import LintError, lint

RTL_DIR = Path(__file__).resolve().parents[2] / "rtl"
SOURCES = {
    "qnngen_mvtu": ("qnngen_mvtu.sv", "qnngen_rom.sv", "qnngen_ram.sv"),
    "qnngen_vvu": ("qnngen_vvu.sv", "qnngen_rom.sv"),
}
# UINT8 inputs x INT2 weights: a 9 x 2 -> 11-bit product, which Yosys puts in a DSP48 when
# written as `*`. 4 lanes (PE*SIMD) per module.
OPERANDS = {
    "IN_BITS": 8,
    "IN_SIGNED": 0,
    "IN_BIPOLAR": 0,
    "W_BITS": 2,
    "W_SIGNED": 1,
    "W_BIPOLAR": 0,
    "ACC_BITS": 14,
    "N_THRES": 0,
    "OUT_BITS": 14,
}
SHAPES = {  # (params, weight words, lanes = products per cycle)
    "qnngen_mvtu": ({"MW": 4, "MH": 4, "PE": 2, "SIMD": 2}, 4, 4),
    "qnngen_vvu": ({"C": 8, "K2": 2, "PE": 4}, 4, 4),
}


def _synth_cells(tmp_path: Path, top: str, params: dict[str, int | str]) -> dict[str, int]:
    """Cell counts by type of synth_xilinx (xc7) of top with params, run in tmp_path."""
    return synth_cells(tmp_path, [RTL_DIR / name for name in SOURCES[top]], top, params)


@pytest.mark.parametrize("style", ["lut", "dsp"])
@pytest.mark.parametrize("top", sorted(SHAPES))
def test_style_picks_primitives(top: str, style: str, tmp_path: Path) -> None:
    """ "dsp" puts every lane's product in a DSP48E1, "lut" none."""
    shape, words, lanes = SHAPES[top]
    width = lanes * OPERANDS["W_BITS"]  # a weight word holds one weight per lane
    rng = np.random.default_rng(3)
    (tmp_path / "w.mem").write_text(
        "".join(f"{int(v):x}\n" for v in rng.integers(0, 1 << width, words))
    )
    params = {**shape, **OPERANDS, "W_FILE": "w.mem", "W_STYLE": "logic", "MUL_STYLE": style}
    cells = _synth_cells(tmp_path, top, params)
    assert cells.get("DSP48E1", 0) == (lanes if style == "dsp" else 0), cells


@pytest.mark.parametrize("top", sorted(SHAPES))
def test_unknown_style_stops_elaboration(top: str, tmp_path: Path) -> None:
    params = {**OPERANDS, "MEM_DIR": f"{tmp_path}/", "MUL_STYLE": "fast"}
    with pytest.raises(LintError, match='MUL_STYLE must be "lut" or "dsp"'):
        lint([RTL_DIR / n for n in SOURCES[top]], top, params)


U, S = (lambda b: IntType(b, False)), (lambda b: IntType(b, True))


@pytest.mark.parametrize("x, w, style", [
    (U(8), S(2), "lut"),       # the w2a8 case: 9 x 2 bits
    (S(2), S(2), "lut"),
    (S(4), S(4), "lut"),       # decoded 4 x 4 bits
    (S(5), S(5), "dsp"),       # decoded 5 x 5 bits: the narrowest DSP product
    (U(4), S(4), "lut"),
    (U(4), S(5), "dsp"),
    (U(3), S(8), "lut"),
    (U(4), U(4), "dsp"),
    (S(3), S(8), "lut"),
    (S(8), S(8), "dsp"),
    (BIPOLAR, S(8), "lut"),
    (U(8), BIPOLAR, "lut"),
    (BIPOLAR, BIPOLAR, "lut"),
])  # fmt: skip
def test_rule(x, w, style: str) -> None:
    assert mul_style(x, w) == style


def test_layers_pass_the_rule() -> None:
    """MVTU and VVU hand their operands' style to the RTL as MUL_STYLE."""
    acc = IntType(16, True)
    mvtu = MVTU("m", U(8), S(2), acc, acc, np.ones((2, 4), np.int64))
    vvu = VVU("v", S(8), S(8), acc, acc, np.ones((2, 9), np.int64))
    assert mvtu.rtl_params(Fold(1, 1))["MUL_STYLE"] == "lut"
    assert vvu.rtl_params(Fold(1, 1))["MUL_STYLE"] == "dsp"
