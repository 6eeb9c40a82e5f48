# SPDX-License-Identifier: Apache-2.0
"""The generated kernel top `qnngen_kernel`: its ports (Vitis RTL-kernel names), the register
offsets it hands the hand-written shell (from regmap.py) and its parameter defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .regmap import ADDR_BITS, DATA_BITS, REGISTERS

__all__ = [
    "KERNEL_MODULE", "SHELL_MODULE", "SHELL_INSTANCE", "CORE_INSTANCE", "SHELL_LIBRARY", "MEM_PARAM", "Port", "KERNEL_PORTS",
    "KernelParams", "register_params", "rtl_offsets",
]

#: the generated kernel top and the hand-written shell inside it
KERNEL_MODULE = "qnngen_kernel"
SHELL_MODULE = "qnngen_kernel_shell"
#: instance names in the kernel top: the shell (also its line in the estimate) and the core
SHELL_INSTANCE = "shell"
CORE_INSTANCE = "core"
#: hand-written rtl/ modules the shell is made of, the shell first
SHELL_LIBRARY = (
    SHELL_MODULE, "qnngen_axi_ctrl", "qnngen_axi_burst", "qnngen_axi_reader",
    "qnngen_axi_writer", "qnngen_axi_split", "qnngen_axi_unpack", "qnngen_axi_pack",
    "qnngen_axi_join", "qnngen_fifo",
)
#: the kernel parameter holding the memory port's data width
MEM_PARAM = "C_M_AXI_GMEM0_DATA_WIDTH"


@dataclass(frozen=True)
class Port:
    """One port of qnngen_kernel: `bits` wide, or for the memory data ports the memory width
    divided by `per_mem` (1 for data, 8 for byte strobes) when `per_mem` is set."""

    name: str
    output: bool
    bits: int = 1
    per_mem: int = 0

    def width(self, mem_width: int) -> int:
        """Width in bits for a memory port `mem_width` bits wide."""
        return mem_width // self.per_mem if self.per_mem else self.bits

    @property
    def decl(self) -> str:
        """The port declaration in Verilog-2001 (the kernel top is read as Verilog by the
        vendor flows: a module reference or packaged top may not be SystemVerilog)."""
        direction = "output" if self.output else "input "
        if self.per_mem:
            scale = "" if self.per_mem == 1 else f"/{self.per_mem}"
            rng = f"[{MEM_PARAM}{scale}-1:0] "
        else:
            rng = f"[{self.bits - 1}:0] " if self.bits > 1 else ""
        return f"{direction} wire {rng}{self.name}"


def _ports() -> tuple[Port, ...]:
    ctl, mem = "s_axi_control_", "m_axi_gmem0_"
    lite = [("awvalid", 0, 1), ("awready", 1, 1), ("awaddr", 0, ADDR_BITS), ("wvalid", 0, 1),
            ("wready", 1, 1), ("wdata", 0, DATA_BITS), ("wstrb", 0, DATA_BITS // 8),
            ("bvalid", 1, 1), ("bready", 0, 1), ("bresp", 1, 2), ("arvalid", 0, 1),
            ("arready", 1, 1), ("araddr", 0, ADDR_BITS), ("rvalid", 1, 1), ("rready", 0, 1),
            ("rdata", 1, DATA_BITS), ("rresp", 1, 2)]
    full = []
    for ch in ("aw", "ar"):
        full += [(f"{ch}valid", 1, 1, 0), (f"{ch}ready", 0, 1, 0), (f"{ch}addr", 1, 64, 0),
                 (f"{ch}len", 1, 8, 0), (f"{ch}size", 1, 3, 0), (f"{ch}burst", 1, 2, 0),
                 (f"{ch}cache", 1, 4, 0), (f"{ch}prot", 1, 3, 0)]
        if ch == "aw":
            full += [("wvalid", 1, 1, 0), ("wready", 0, 1, 0), ("wdata", 1, 0, 1),
                     ("wstrb", 1, 0, 8), ("wlast", 1, 1, 0), ("bvalid", 0, 1, 0),
                     ("bready", 1, 1, 0), ("bresp", 0, 2, 0)]
    full += [("rvalid", 0, 1, 0), ("rready", 1, 1, 0), ("rdata", 0, 0, 1), ("rresp", 0, 2, 0),
             ("rlast", 0, 1, 0)]
    return (
        Port("ap_clk", False), Port("ap_rst_n", False), Port("interrupt", True),
        *(Port(ctl + n, bool(o), b) for n, o, b in lite),
        *(Port(mem + n, bool(o), b, s) for n, o, b, s in full),
    )


#: every port of qnngen_kernel, in declaration order
KERNEL_PORTS: tuple[Port, ...] = _ports()


def register_params() -> tuple[tuple[str, str], ...]:
    """The shell's ADDR_* parameters and their values, one per register word, from regmap.py:
    ADDR_CTRL for a 32-bit register, ADDR_IN_ADDR_LO / _HI for the words of a 64-bit one."""
    params = []
    for reg in REGISTERS:
        suffixes = ("",) if reg.bits == 32 else ("_LO", "_HI")
        for suffix, offset in zip(suffixes, reg.words):
            params.append((f"ADDR_{reg.name.upper()}{suffix}", f"{ADDR_BITS}'h{offset:03X}"))
    return tuple(params)


def rtl_offsets(text: str) -> dict[str, int]:
    """The ADDR_* register-word offsets bound in a qnngen_kernel.sv text: {param: offset}."""
    pattern = rf"\.(ADDR_\w+)\(\s*{ADDR_BITS}'h([0-9A-Fa-f]+)\s*\)"
    return {m.group(1): int(m.group(2), 16) for m in re.finditer(pattern, text)}


@dataclass(frozen=True)
class KernelParams:
    """Every value qnngen_kernel.sv.j2 may reference."""

    module_name: str
    core_module: str
    shell_instance: str
    core_instance: str
    version: str
    model: str
    mem_width: int
    in_width: int
    in_beats: int
    out_width: int
    out_beats: int
    in_msb: int
    out_msb: int
    offsets: tuple[tuple[str, str], ...]
    ports: tuple[Port, ...]
