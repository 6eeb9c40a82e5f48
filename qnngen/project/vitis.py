"""The Vitis project of a shell platform (Alveo, AWS F1): the kernel packaged as an RTL kernel
(kernel.xml from the register map, an IP-packaging script and package_xo), the v++ link
configuration and a Makefile; for F1 also the AFI creation command (a legacy target)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ..fold import Board
from ..shell import regmap
from .sources import KERNEL_TOP, KernelSources

#: the kernel's VLNV parts (package_kernel.tcl packages it so, kernel.xml names it so)
VENDOR, LIBRARY, IP_VERSION = "qnngen", "kernel", "1.0"
#: the compute unit's name in link.cfg (nk=) and so in XRT
INSTANCE = f"{KERNEL_TOP}_1"
#: the kernel's ports as kernel.xml and link.cfg name them
CONTROL_PORT, MEMORY_PORT = "s_axi_control", "m_axi_gmem0"
#: the xclbin written into OUT
OUTPUT = "qnngen.xclbin"
#: the Makefile's phases for `make xclbin` (each echoes "qnngen-phase: i/n name")
PHASES = ("package the kernel (vivado)", "link (v++)")
#: aws-fpga's AFI script, relative to the aws-fpga checkout (master branch, legacy F1)
AFI_SCRIPT = "$(AWS_FPGA_REPO_DIR)/Vitis/tools/create_vitis_afi.sh"


@dataclass(frozen=True)
class RegParams:
    """One register of the control port as kernel.xml / the IP packager describe it."""

    name: str
    offset: str
    bits: int
    size: str
    arg: bool
    arg_id: int
    port: str
    address_qualifier: int
    c_type: str


@dataclass(frozen=True)
class KernelXmlParams:
    """Every value kernel.xml.j2 may reference."""

    version: str
    kernel: str
    vlnv: str
    control_port: str
    control_range: str
    control_bits: int
    memory_port: str
    memory_bits: int
    args: tuple[RegParams, ...]


@dataclass(frozen=True)
class PackageParams:
    """Every value package_kernel.tcl.j2 may reference."""

    version: str
    board: str
    part: str
    tool_version: str
    kernel: str
    vendor: str
    library: str
    ip_version: str
    control_port: str
    control_range: str
    memory_port: str
    registers: tuple[RegParams, ...]
    rtl_rel: str
    hdl: tuple[str, ...]
    mem: tuple[str, ...]
    as_verilog: tuple[str, ...]


@dataclass(frozen=True)
class LinkParams:
    """Every value link.cfg.j2 may reference."""

    version: str
    board: str
    platform: str
    kernel: str
    instance: str
    memory_port: str
    bank: str
    clock_mhz: int


@dataclass(frozen=True)
class MakefileParams:
    """Every value Makefile.j2 may reference."""

    version: str
    board: str
    platform: str
    tool_version: str
    kernel: str
    out_rel: str
    rtl_rel: str
    hdl: tuple[str, ...]
    mem: tuple[str, ...]
    output: str
    phases: tuple[str, ...]
    afi: bool
    afi_script: str


def _registers() -> tuple[RegParams, ...]:
    """The register map as the vendor files describe it: pointers are global-memory arguments
    (addressQualifier 1) on the memory port, scalars (addressQualifier 0) on the control port."""
    ids = {r.name: i for i, r in enumerate(regmap.ARGS)}
    out = []
    for r in regmap.REGISTERS:
        pointer = r.c_type.endswith("*")
        out.append(RegParams(
            name=r.name, offset=f"0x{r.offset:02X}", bits=r.bits, size=f"0x{r.bits // 8:X}",
            arg=r.arg, arg_id=ids.get(r.name, -1), port=MEMORY_PORT if pointer else CONTROL_PORT,
            address_qualifier=1 if pointer else 0, c_type=r.c_type,
        ))  # fmt: skip
    return tuple(out)


def kernel_xml_params(board: Board) -> KernelXmlParams:
    """kernel.xml: the RTL kernel's ports and arguments, offsets and sizes from the register map."""
    return KernelXmlParams(
        version=__version__, kernel=KERNEL_TOP,
        vlnv=f"{VENDOR}:{LIBRARY}:{KERNEL_TOP}:{IP_VERSION}",
        control_port=CONTROL_PORT, control_range=f"0x{1 << regmap.ADDR_BITS:X}",
        control_bits=regmap.DATA_BITS, memory_port=MEMORY_PORT, memory_bits=board.mem_width,
        args=tuple(r for r in _registers() if r.arg),
    )  # fmt: skip


def package_params(board: Board, sources: KernelSources) -> PackageParams:
    """package_kernel.tcl: package OUT/rtl as an RTL kernel IP, then package_xo with kernel.xml."""
    return PackageParams(
        version=__version__, board=board.name, part=board.part, tool_version=board.tool_version,
        kernel=KERNEL_TOP, vendor=VENDOR, library=LIBRARY, ip_version=IP_VERSION,
        control_port=CONTROL_PORT, control_range=f"0x{1 << regmap.ADDR_BITS:X}",
        memory_port=MEMORY_PORT, registers=_registers(), rtl_rel="../../rtl",
        hdl=sources.hdl, mem=sources.mem, as_verilog=sources.as_verilog,
    )  # fmt: skip


def link_params(board: Board, clock_mhz: float) -> LinkParams:
    """link.cfg: one compute unit, its memory port on the board's kernel bank, the kernel clock."""
    return LinkParams(
        version=__version__, board=board.name, platform=board.platform, kernel=KERNEL_TOP,
        instance=INSTANCE, memory_port=MEMORY_PORT, bank=board.kernel_bank,
        clock_mhz=round(clock_mhz),
    )  # fmt: skip


def makefile_params(board: Board, sources: KernelSources) -> MakefileParams:
    """The Makefile: xo and xclbin targets (and afi on F1), the platform from the board data."""
    return MakefileParams(
        version=__version__, board=board.name, platform=board.platform,
        tool_version=board.tool_version, kernel=KERNEL_TOP, out_rel="../..", rtl_rel="../../rtl",
        hdl=sources.hdl, mem=sources.mem, output=OUTPUT,
        phases=tuple(f"{i}/{len(PHASES)} {name}" for i, name in enumerate(PHASES, 1)),
        afi=board.flavour == "aws-f1", afi_script=AFI_SCRIPT,
    )  # fmt: skip
