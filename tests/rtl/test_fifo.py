# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_fifo.sv: data integrity, capacity, latency and throughput."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qnngen.sim import Ports, Simulator, build_model, lint

FIFO_SV = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_fifo.sv"
BRAM_MIN_DEPTH = 65
# (WIDTH, DEPTH): minimal depth, 1-bit data, odd depth, >64-bit data, largest LUT RAM, block RAM.
CONFIGS = [(8, 2), (1, 3), (100, 5), (16, 64), (36, 200)]


def latency(depth: int) -> int:
    """Documented cycles from accepting a beat to showing it on m_axis."""
    return 2 if depth >= BRAM_MIN_DEPTH else 1


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"w{c[0]}_d{c[1]}")
def fifo(request: pytest.FixtureRequest, sim_build_dir: Path):
    """A simulator of one FIFO configuration, built once per test session."""
    width, depth = request.param
    lib = build_model(
        [FIFO_SV],
        Ports("qnngen_fifo", width, width),
        sim_build_dir,
        {"WIDTH": width, "DEPTH": depth},
    )
    with Simulator(lib) as sim:
        yield sim, width, depth


def random_frames(width: int, n: int, beats: int, seed: int) -> np.ndarray:
    """Random uint32 frames (n, beats, words) of width-bit beats, upper bits clear."""
    words = -(-width // 32)
    data = np.random.default_rng(seed).integers(0, 2**32, size=(n, beats, words), dtype=np.uint64)
    top_bits = width - 32 * (words - 1)
    data[..., -1] &= (1 << top_bits) - 1
    return data.astype(np.uint32)


@pytest.mark.parametrize("stalls", [0.0, 0.3])
def test_data_passes_unchanged(fifo, stalls: float) -> None:
    sim, width, depth = fifo
    frames = random_frames(width, 40, 2 * depth + 3, seed=depth)
    result = sim.run_batch(frames, frames.shape[1], stalls=stalls, seed=7)
    np.testing.assert_array_equal(result.outputs, frames)


def test_latency_and_throughput(fifo) -> None:
    sim, width, depth = fifo
    beats = 10
    result = sim.run_batch(random_frames(width, 20, beats, seed=1), beats)
    np.testing.assert_array_equal(result.in_first_cycle, np.arange(20) * beats)
    assert result.out_last_cycle[0] == latency(depth) + beats - 1
    assert set(np.diff(result.out_last_cycle)) == {beats}


def test_capacity_and_registered_ready(fifo) -> None:
    """Exactly DEPTH beats fit, and s_axis_tready never follows m_axis_tready combinationally."""
    sim, width, depth = fifo
    sim.reset()
    for i in range(depth):
        sim.poke(True, i, False)
        assert sim.peek().s_ready
        sim.step()
    sim.poke(True, depth, True)
    assert not sim.peek().s_ready
    assert sim.peek().m_valid and sim.peek().m_data == 0
    sim.step()  # pops beat 0; the input beat is refused this cycle
    sim.poke(True, depth, False)
    assert sim.peek().s_ready
    sim.poke(True, depth, True)
    assert sim.peek().s_ready
    sim.poke(True, depth, False)
    sim.step()
    sim.poke(False, 0, True)
    for i in range(1, depth + 1):
        assert sim.peek().m_valid and sim.peek().m_data == i % (1 << width)
        sim.step()
    assert not sim.peek().m_valid


@pytest.mark.parametrize("width, depth", [(1, 2), (8, 3), (100, 64), (36, 65), (8, 1024)])
def test_lint_clean(width: int, depth: int) -> None:
    lint([FIFO_SV], "qnngen_fifo", {"WIDTH": width, "DEPTH": depth})
