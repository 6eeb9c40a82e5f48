"""The HLS backend: the folded design as Vitis HLS C++ (OUT/hls) and its C simulation with g++."""

from .csim import CsimResult, ap_types_dir, build_csim, csim, run_tb
from .params import HlsStage, Port, hls_stage
from .render import render_layer_testbench, render_stage, top_params, write_hls

__all__ = [
    # rendering
    "HlsStage", "Port", "hls_stage", "render_stage", "render_layer_testbench", "top_params", "write_hls",
    # C simulation
    "CsimResult", "ap_types_dir", "build_csim", "csim", "run_tb",
]
