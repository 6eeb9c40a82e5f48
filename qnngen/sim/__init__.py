# SPDX-License-Identifier: Apache-2.0
"""Cycle-accurate simulation of qnngen RTL with Verilator and a generic C++ AXI-Stream harness."""

from qnngen.sim.build import BuildError, Ports, build_model
from qnngen.sim.harness import BatchResult, DeadlockError, Peek, Simulator
from qnngen.sim.verilator import LintError, lint, verilator_bin, verilator_root

__all__ = [
    # building
    "Ports",
    "build_model",
    "BuildError",
    # running
    "Simulator",
    "BatchResult",
    "Peek",
    "DeadlockError",
    # tools
    "lint",
    "LintError",
    "verilator_root",
    "verilator_bin",
]
