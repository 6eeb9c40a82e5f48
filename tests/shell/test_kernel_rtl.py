"""The generated kernel top: register offsets bound from regmap.py and declared by the
hand-written decoder, the Vitis port list, the build's parameter defaults, determinism."""

from __future__ import annotations

import re

import pytest

from qnngen.codegen import write_rtl
from qnngen.fold import assemble, fold_for_target_fps, load_board
from qnngen.pipeline import lower_model, resolve_model
from qnngen.resources import data_dir
from qnngen.shell import KERNEL_MODULE, KERNEL_PORTS, REGISTERS, SHELL_MODULE, rtl_offsets


@pytest.fixture(scope="module")
def tfc_design():
    hw = lower_model(resolve_model("tfc_w1a1")[0])
    return assemble(hw, fold_for_target_fps(hw, load_board("pynq-z2"), 100.0, 100_000))


def _kernel_text(design, tmp_path, mem_width: int) -> str:
    write_rtl(design, tmp_path, mem_width)
    return (tmp_path / f"{KERNEL_MODULE}.sv").read_text()


def test_decoder_offsets_come_from_the_register_map(tfc_design, tmp_path) -> None:
    """Every 32-bit word of every register is bound at its regmap offset, and the shell and its
    control slave declare exactly those decoder parameters."""
    bound = rtl_offsets(_kernel_text(tfc_design, tmp_path, 64))
    words = sorted((off, reg.name) for reg in REGISTERS for off in reg.words)
    assert sorted(bound.values()) == [off for off, _ in words]
    for name, offset in bound.items():
        reg = next(r for r in REGISTERS if offset in r.words)
        assert name.startswith(f"ADDR_{reg.name.upper()}")
    assert bound["ADDR_CTRL"] == 0x00 and bound["ADDR_IN_ADDR_HI"] == 0x14
    for module in (SHELL_MODULE, "qnngen_axi_ctrl"):
        text = (data_dir("rtl") / f"{module}.sv").read_text()
        declared = set(re.findall(r"parameter logic \[11:0\] (ADDR_\w+)", text))
        assert declared == set(bound), module


def test_ports_and_defaults(tfc_design, tmp_path) -> None:
    """The kernel declares the Vitis-named ports in order, with the board's memory width as the
    default of C_M_AXI_GMEM0_DATA_WIDTH, and the build's stream shapes on the shell."""
    for mem_width in (64, 128):
        text = _kernel_text(tfc_design, tmp_path / str(mem_width), mem_width)
        header = text[text.index(f"module {KERNEL_MODULE}"):text.index(");")]
        names = re.findall(r"(?:input|output)\s+wire\s+(?:\[[^\]]+\]\s*)?(\w+)", header)
        assert names == [p.name for p in KERNEL_PORTS]
        assert f"parameter     C_M_AXI_GMEM0_DATA_WIDTH = {mem_width}" in text
        assert "[C_M_AXI_GMEM0_DATA_WIDTH/8-1:0] m_axi_gmem0_wstrb" in text
        assert f".IN_WIDTH({tfc_design.in_width})" in text
        assert f".IN_BEATS({tfc_design.in_beats})" in text
        assert f".OUT_BEATS({tfc_design.out_beats})" in text


def test_rtl_is_deterministic(tfc_design, tmp_path) -> None:
    write_rtl(tfc_design, tmp_path / "a", 512)
    write_rtl(tfc_design, tmp_path / "b", 512)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert f"{KERNEL_MODULE}.sv" in files and f"{SHELL_MODULE}.sv" in files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
