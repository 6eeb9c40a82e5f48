"""Lower: split a streamlined graph into host pre-processing, a pipeline of hardware layers and
host post-processing."""

from .partition import HwGraph, to_hw

__all__ = ["HwGraph", "to_hw"]
