"""Codegen: the build folder's RTL (library modules, memory files, generated top level)."""

from .rtl import TOP_MODULE, TopParams, render_top, top_params, write_rtl

__all__ = ["TOP_MODULE", "TopParams", "render_top", "top_params", "write_rtl"]
