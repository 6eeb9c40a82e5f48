"""The kernel's files in a build folder (OUT/rtl), as the vendor projects list them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: the kernel's top module (the AXI shell around qnngen_top), as Vivado and Vitis instantiate it
KERNEL_TOP = "qnngen_kernel"
#: hardware description files; every other file in OUT/rtl is a memory file ($readmemh)
HDL_SUFFIXES = (".v", ".sv", ".svh", ".vh")


@dataclass(frozen=True)
class KernelSources:
    """File names (relative to OUT/rtl, sorted) of the HDL sources and of the memory files, and
    the .sv files the vendor tools must read as Verilog: the top's, since a block-design module
    reference (UG994) and the IP packager (UG1118) take a Verilog or VHDL top only (the file is
    Verilog-2001 inside; the modules it instantiates are SystemVerilog)."""

    hdl: tuple[str, ...]
    mem: tuple[str, ...]
    as_verilog: tuple[str, ...]


def kernel_sources(rtl_dir: Path) -> KernelSources:
    """List OUT/rtl: HDL sources by suffix, the rest memory files (read by base name)."""
    names = sorted(p.name for p in rtl_dir.iterdir() if p.is_file())
    hdl = tuple(n for n in names if n.endswith(HDL_SUFFIXES))
    top_sv = (f"{KERNEL_TOP}.sv",) if f"{KERNEL_TOP}.sv" in hdl else ()
    return KernelSources(hdl, tuple(n for n in names if n not in hdl), top_sv)
