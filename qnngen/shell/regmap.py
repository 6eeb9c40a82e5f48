# SPDX-License-Identifier: Apache-2.0
"""The kernel shell's AXI4-Lite register map: the one source of truth for the RTL decoder,
kernel.xml, the vendor projects and the host drivers.

The layout is the one Vitis expects of an RTL kernel with `ap_ctrl_hs`: control, global
interrupt enable, interrupt enable and interrupt status below 0x10, then the arguments (64-bit
buffer addresses take two words, with the 12-byte stride of the Xilinx RTL-kernel examples).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Access = Literal["rw", "ro", "cor", "tow"]

#: width of the control port's address bus (bytes 0x00..0xFFF; kernel.xml range 0x1000)
ADDR_BITS = 12
#: data width of the control port
DATA_BITS = 32


@dataclass(frozen=True)
class Bit:
    """One named bit of a register: its position, access and meaning."""

    name: str
    pos: int
    access: Access
    doc: str


@dataclass(frozen=True)
class Register:
    """One register of the control port.

    `bits` is 32 or 64; a 64-bit register occupies `offset` (low word) and `offset + 4` (high
    word). `arg` marks a kernel argument (an `<arg>` of kernel.xml, set by the host per run),
    with its C type as the host sees it. `fields` names single bits where they have a meaning.
    """

    name: str
    offset: int
    bits: int
    access: Access
    doc: str
    arg: bool = False
    c_type: str = "uint"
    fields: tuple[Bit, ...] = ()

    @property
    def words(self) -> tuple[int, ...]:
        """Byte offsets of the 32-bit words of this register, low word first."""
        return tuple(self.offset + 4 * i for i in range(self.bits // 32))

    def bit(self, name: str) -> Bit:
        """The named bit of this register."""
        return next(b for b in self.fields if b.name == name)


CONTROL = Register("CTRL", 0x00, 32, "rw", "control and status (ap_ctrl_hs)", fields=(
    Bit("ap_start", 0, "rw", "set by the host to start a run; cleared by the kernel when it takes the run"),
    Bit("ap_done", 1, "cor", "the run finished (last output written and acknowledged); cleared on read"),
    Bit("ap_idle", 2, "ro", "no run in progress"),
    Bit("ap_ready", 3, "cor", "the kernel took the arguments and may be started again; cleared on read"),
))
GIE = Register("GIE", 0x04, 32, "rw", "global interrupt enable", fields=(
    Bit("enable", 0, "rw", "the interrupt output follows ISR & IER"),
))
IER = Register("IER", 0x08, 32, "rw", "interrupt enable", fields=(
    Bit("ap_done", 0, "rw", "interrupt on ap_done"),
    Bit("ap_ready", 1, "rw", "interrupt on ap_ready"),
))
ISR = Register("ISR", 0x0C, 32, "tow", "interrupt status; writing 1 to a bit toggles it", fields=(
    Bit("ap_done", 0, "tow", "ap_done happened (while enabled in IER)"),
    Bit("ap_ready", 1, "tow", "ap_ready happened (while enabled in IER)"),
))
IN_ADDR = Register("in_addr", 0x10, 64, "rw", "byte address of the input frames in memory",
                   arg=True, c_type="void*")
OUT_ADDR = Register("out_addr", 0x1C, 64, "rw", "byte address of the output frames in memory",
                    arg=True, c_type="void*")
FRAMES = Register("frames", 0x28, 32, "rw", "number of frames to run (at least 1)",
                  arg=True, c_type="uint")
CYCLES = Register("cycles", 0x30, 64, "ro",
                  "kernel clock cycles from ap_start to ap_done of the last run (not an argument)")

#: every register, by offset
REGISTERS: tuple[Register, ...] = (CONTROL, GIE, IER, ISR, IN_ADDR, OUT_ADDR, FRAMES, CYCLES)
#: the kernel arguments, in argument order (kernel.xml ids, driver call order)
ARGS: tuple[Register, ...] = tuple(r for r in REGISTERS if r.arg)


def register(name: str) -> Register:
    """The register called `name`."""
    return next(r for r in REGISTERS if r.name == name)
