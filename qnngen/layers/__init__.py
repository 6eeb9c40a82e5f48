"""Hardware layers: one module per layer kind with its reference, cycles, resources and RTL."""

from .base import Cycles, Fold, HwLayer, Resources, RtlInstance, divisors
from .memory import MemoryMapping, bram18_count, map_memory
from .mvtu import MVTU
from .streams import DWC, FIFO, Dup
from .vvu import VVU

__all__ = [
    # interface
    "HwLayer", "Fold", "Cycles", "Resources", "RtlInstance", "divisors",
    # layers
    "MVTU", "VVU", "DWC", "FIFO", "Dup",
    # memories
    "map_memory", "bram18_count", "MemoryMapping",
]
