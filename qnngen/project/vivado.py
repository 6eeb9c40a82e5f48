"""The Vivado project of a Zynq board (zynq7, zynqmp): one build.tcl that makes the block design
(PS + the kernel as an RTL module reference), runs synthesis, implementation and the bitstream,
and copies the .bit and .hwh to OUT under one base name, as PYNQ's Overlay wants them."""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ..errors import BoardError
from ..fold import Board
from ..shell import regmap
from .sources import KERNEL_TOP, KernelSources

#: base name of the bitstream and hardware handoff written into OUT
OUTPUT_BASE = "qnngen"
#: build.tcl's phases, in order (each prints "qnngen-phase: i/n name")
PHASES = (
    "project",
    "sources",
    "block design",
    "addresses",
    "wrapper",
    "synthesis",
    "implementation and bitstream",
    "reports",
    "outputs",
)


@dataclass(frozen=True)
class PsParams:
    """The processing system of one Zynq flavour: IP, board-preset rule, its ports and pins."""

    ip: str
    automation_config: str
    hp_port: str
    gp_port: str
    clk_pin: str
    resetn_pin: str
    port_clock_pins: tuple[str, ...]
    irq_pin: str
    ctrl_base: str
    clock_property: str
    actual_clock_property: str
    hp_widths: tuple[int, ...]
    config: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class VivadoParams:
    """Every value build.tcl.j2 may reference."""

    version: str
    board: str
    part: str
    board_part: str
    board_part_glob: str
    tool_version: str
    clock_mhz: str
    ps: PsParams
    ctrl_range: str
    kernel_top: str
    kernel_cell: str
    rtl_rel: str
    out_rel: str
    hdl: tuple[str, ...]
    mem: tuple[str, ...]
    as_verilog: tuple[str, ...]
    output_base: str
    phases: tuple[str, ...]


def _zynq7(mem_width: int, mhz: str) -> PsParams:
    """Zynq-7000: data on S_AXI_HP0 (AXI3, 32/64 bits), control from M_AXI_GP0 at 0x4000_0000
    (the GP0 window), interrupt on IRQ_F2P[0], fabric clock FCLK_CLK0 from the PS."""
    return PsParams(
        ip="processing_system7",
        automation_config=(
            'make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"'
        ),
        hp_port="S_AXI_HP0", gp_port="M_AXI_GP0", clk_pin="FCLK_CLK0", resetn_pin="FCLK_RESET0_N",
        port_clock_pins=("M_AXI_GP0_ACLK", "S_AXI_HP0_ACLK"), irq_pin="IRQ_F2P",
        ctrl_base="0x40000000", clock_property="CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ",
        actual_clock_property="CONFIG.PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ", hp_widths=(32, 64),
        config=(
            ("CONFIG.PCW_USE_M_AXI_GP0", "1"), ("CONFIG.PCW_USE_S_AXI_HP0", "1"),
            ("CONFIG.PCW_S_AXI_HP0_DATA_WIDTH", str(mem_width)),
            ("CONFIG.PCW_EN_CLK0_PORT", "1"), ("CONFIG.PCW_EN_RST0_PORT", "1"),
            ("CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ", mhz),
            ("CONFIG.PCW_USE_FABRIC_INTERRUPT", "1"), ("CONFIG.PCW_IRQ_F2P_INTR", "1"),
        ),
    )  # fmt: skip


def _zynqmp(mem_width: int, mhz: str) -> PsParams:
    """Zynq UltraScale+: data on S_AXI_HP0_FPD (SAXIGP2, up to 128 bits), control from
    M_AXI_HPM0_FPD at 0xA000_0000, interrupt on pl_ps_irq0, fabric clock pl_clk0 from the PS."""
    return PsParams(
        ip="zynq_ultra_ps_e",
        automation_config='apply_board_preset "1"',
        hp_port="S_AXI_HP0_FPD", gp_port="M_AXI_HPM0_FPD",
        clk_pin="pl_clk0", resetn_pin="pl_resetn0",
        port_clock_pins=("maxihpm0_fpd_aclk", "saxihp0_fpd_aclk"), irq_pin="pl_ps_irq0",
        ctrl_base="0xA0000000", clock_property="CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
        actual_clock_property="CONFIG.PSU__CRL_APB__PL0_REF_CTRL__ACT_FREQMHZ",
        hp_widths=(32, 64, 128),
        config=(
            ("CONFIG.PSU__USE__M_AXI_GP0", "1"), ("CONFIG.PSU__MAXIGP0__DATA_WIDTH", "32"),
            ("CONFIG.PSU__USE__M_AXI_GP1", "0"), ("CONFIG.PSU__USE__S_AXI_GP2", "1"),
            ("CONFIG.PSU__SAXIGP2__DATA_WIDTH", str(mem_width)),
            ("CONFIG.PSU__FPGA_PL0_ENABLE", "1"),
            ("CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ", mhz),
            ("CONFIG.PSU__USE__IRQ0", "1"),
        ),
    )  # fmt: skip


PS_OF_FLAVOUR = {"zynq7": _zynq7, "zynqmp": _zynqmp}


def _mhz(clock_mhz: float) -> str:
    """The clock as the PS configuration takes it: MHz, no trailing zeros."""
    return f"{clock_mhz:.6g}"


def vivado_params(board: Board, clock_mhz: float, sources: KernelSources) -> VivadoParams:
    """The build.tcl params for `board` at `clock_mhz` with the kernel's files."""
    ps = PS_OF_FLAVOUR[board.flavour](board.mem_width, _mhz(clock_mhz))
    if board.mem_width not in ps.hp_widths:
        raise BoardError(
            f"{board.name}: mem_width {board.mem_width} is not a width of the PS port {ps.hp_port} "
            f"({', '.join(map(str, ps.hp_widths))}); fix boards/{board.name}.yaml"
        )
    vendor, name, part0, _ = board.board_part.split(":")
    return VivadoParams(
        version=__version__, board=board.name, part=board.part, board_part=board.board_part,
        board_part_glob=f"{vendor}:{name}:{part0}:*", tool_version=board.tool_version,
        clock_mhz=_mhz(clock_mhz), ps=ps, ctrl_range=f"{(1 << regmap.ADDR_BITS) // 1024}K",
        kernel_top=KERNEL_TOP, kernel_cell=f"{KERNEL_TOP}_0", rtl_rel="../../rtl", out_rel="../..",
        hdl=sources.hdl, mem=sources.mem, as_verilog=sources.as_verilog, output_base=OUTPUT_BASE,
        phases=PHASES,
    )  # fmt: skip
