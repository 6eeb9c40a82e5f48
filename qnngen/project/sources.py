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
    """File names (relative to OUT/rtl, sorted) of the HDL sources and of the memory files."""

    hdl: tuple[str, ...]
    mem: tuple[str, ...]


def kernel_sources(rtl_dir: Path) -> KernelSources:
    """List OUT/rtl: HDL sources by suffix, the rest memory files (read by base name, MEM_DIR "")."""
    names = sorted(p.name for p in rtl_dir.iterdir() if p.is_file())
    hdl = tuple(n for n in names if n.endswith(HDL_SUFFIXES))
    return KernelSources(hdl, tuple(n for n in names if n not in hdl))
