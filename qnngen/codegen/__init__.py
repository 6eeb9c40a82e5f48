"""Codegen: the build folder's RTL (library modules, memory files, generated top level and the
kernel shell around it)."""

from .rtl import (
    TOP_MODULE, TopParams, kernel_params, render_kernel, render_top, top_params, write_rtl,
)

__all__ = [
    "TOP_MODULE", "TopParams", "render_top", "top_params", "write_rtl",
    "kernel_params", "render_kernel",
]
