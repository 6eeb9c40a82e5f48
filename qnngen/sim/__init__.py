# SPDX-License-Identifier: Apache-2.0
"""Cycle-accurate simulation of qnngen RTL with Verilator: a generic C++ AXI-Stream harness for
the accelerator core and a C++ memory model and AXI4-Lite host for the whole kernel."""

from qnngen.sim.build import KERNEL_HARNESS_SOURCE, BuildError, Ports, build_model
from qnngen.sim.harness import BatchResult, DeadlockError, Peek, Simulator
from qnngen.sim.kernel import KERNEL_TOP, KernelSim, ProtocolError, build_kernel
from qnngen.sim.verilator import LintError, lint, verilator_bin, verilator_root

__all__ = [
    # building
    "Ports",
    "build_model",
    "BuildError",
    "KERNEL_HARNESS_SOURCE",
    "build_kernel",
    "KERNEL_TOP",
    # running
    "Simulator",
    "BatchResult",
    "Peek",
    "DeadlockError",
    "KernelSim",
    "ProtocolError",
    # tools
    "lint",
    "LintError",
    "verilator_root",
    "verilator_bin",
]
