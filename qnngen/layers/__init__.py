"""Hardware layers: one module per layer kind with its reference, cycles, resources and RTL."""

from .base import Cycles, Fold, HwLayer, Resources, RtlInstance, divisors
from .elementwise import AddStreams, Concat, GlobalPool, LabelSelect, Thresholding
from .memory import bram18_count, memory_style
from .mvtu import MVTU
from .pool import MaxPoolLayer
from .streams import DWC, FIFO, Dup
from .swu import SWU
from .vvu import VVU

__all__ = [
    # interface
    "HwLayer", "Fold", "Cycles", "Resources", "RtlInstance", "divisors",
    # compute layers
    "MVTU", "VVU", "SWU", "MaxPoolLayer", "GlobalPool", "Thresholding", "LabelSelect",
    # joins, forks and plumbing
    "AddStreams", "Concat", "Dup", "DWC", "FIFO",
    # memories
    "bram18_count", "memory_style",
]
