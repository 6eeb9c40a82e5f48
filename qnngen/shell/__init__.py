# SPDX-License-Identifier: Apache-2.0
"""The kernel shell around the accelerator: its register map (AXI4-Lite control) and the
memory side (AXI4 masters) shared by every memory-mapped board."""

from .regmap import (
    ADDR_BITS, ARGS, CONTROL, CYCLES, DATA_BITS, FRAMES, GIE, IER, IN_ADDR, ISR, OUT_ADDR,
    REGISTERS, Bit, Register, register,
)
from .frames import stream_layout
from .kernel import (
    CORE_INSTANCE, KERNEL_MODULE, KERNEL_PORTS, MEM_PARAM, SHELL_INSTANCE, SHELL_LIBRARY,
    SHELL_MODULE, KernelParams, Port,
    register_params, rtl_offsets,
)

__all__ = [
    # register map
    "Register", "Bit", "REGISTERS", "ARGS", "register", "ADDR_BITS", "DATA_BITS",
    "CONTROL", "GIE", "IER", "ISR", "IN_ADDR", "OUT_ADDR", "FRAMES", "CYCLES",
    # kernel top
    "KERNEL_MODULE", "SHELL_MODULE", "SHELL_INSTANCE", "CORE_INSTANCE", "SHELL_LIBRARY",
    "MEM_PARAM", "KERNEL_PORTS", "Port", "KernelParams", "register_params", "rtl_offsets",
    # memory side
    "stream_layout",
]
