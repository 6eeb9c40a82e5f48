# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_dwc.sv: bit order, stalls and max(B_in, B_out) throughput."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from qnngen.packing import pack_beats
from qnngen.sim import Ports, Simulator, build_model, lint

DWC_SV = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_dwc.sv"
# (IN_WIDTH, OUT_WIDTH, element bits): non-integer ratios both ways, integer ratios both ways,
# 1-bit elements, a 784-bit side, and equal widths.
CONFIGS = [(6, 4, 2), (4, 6, 2), (8, 2, 2), (2, 8, 2), (1, 3, 1), (784, 16, 8), (5, 5, 5)]


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"{c[0]}to{c[1]}_e{c[2]}")
def dwc(request: pytest.FixtureRequest, sim_build_dir: Path):
    """A simulator of one converter configuration, built once per test session."""
    in_width, out_width, elem_bits = request.param
    params = {"IN_WIDTH": in_width, "OUT_WIDTH": out_width}
    lib = build_model([DWC_SV], Ports("qnngen_dwc", in_width, out_width), sim_build_dir, params)
    with Simulator(lib) as sim:
        yield sim, in_width, out_width, elem_bits


def frames_for(in_width: int, out_width: int, elem_bits: int, n: int, seed: int):
    """Random frames of two lcm-sized blocks, packed for the input and for the output side."""
    elems = 2 * math.lcm(in_width, out_width) // elem_bits
    values = np.random.default_rng(seed).integers(0, 1 << elem_bits, size=(n, elems))
    return (
        pack_beats(values, elem_bits, in_width // elem_bits),
        pack_beats(values, elem_bits, out_width // elem_bits),
    )


@pytest.mark.parametrize("stalls", [0.0, 0.3])
def test_bit_stream_passes_in_order(dwc, stalls: float) -> None:
    sim, in_width, out_width, elem_bits = dwc
    frames_in, frames_out = frames_for(in_width, out_width, elem_bits, 30, seed=in_width)
    result = sim.run_batch(frames_in, frames_out.shape[1], stalls=stalls, seed=11)
    np.testing.assert_array_equal(result.outputs, frames_out)


def test_throughput_is_max_of_beats(dwc) -> None:
    sim, in_width, out_width, elem_bits = dwc
    frames_in, frames_out = frames_for(in_width, out_width, elem_bits, 12, seed=5)
    per_frame = max(frames_in.shape[1], frames_out.shape[1])
    result = sim.run_batch(frames_in, frames_out.shape[1])
    assert set(np.diff(result.out_last_cycle)) == {per_frame}
    assert set(np.diff(result.in_first_cycle)) == {per_frame}
    assert result.out_last_cycle[0] == per_frame  # one cycle of latency


def test_ready_waits_for_room(dwc) -> None:
    """With the output stalled the converter takes no more input than its buffer holds."""
    sim, in_width, out_width, _ = dwc
    sim.reset()
    accepted = 0
    for _ in range(8):
        sim.poke(True, 0, False)
        accepted += sim.peek().s_ready
        sim.step()
    g = math.gcd(in_width, out_width)
    assert accepted * in_width <= in_width + out_width - g
    assert accepted * in_width >= out_width  # enough for one output beat


@pytest.mark.parametrize(
    "in_width, out_width", [(6, 4), (4, 6), (8, 2), (2, 8), (784, 16), (16, 784), (1, 1), (36, 100)]
)
def test_lint_clean(in_width: int, out_width: int) -> None:
    lint([DWC_SV], "qnngen_dwc", {"IN_WIDTH": in_width, "OUT_WIDTH": out_width})
