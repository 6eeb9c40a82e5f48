# SPDX-License-Identifier: Apache-2.0
"""Tests of qnngen.sim: building and caching, per-cycle vs batch runs, deadlocks, traces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qnngen.packing import hex_memory, pack_beats, unpack_beats
from qnngen.sim import (
    BuildError,
    DeadlockError,
    LintError,
    Ports,
    Simulator,
    build_model,
    lint,
    verilator_bin,
    verilator_root,
)

RTL = Path(__file__).resolve().parents[2] / "rtl"
FIFO = Ports("qnngen_fifo", 8, 8)
FIFO_PARAMS = {"WIDTH": 8, "DEPTH": 4}
ROM_SV = """
module rom #(
  parameter string MEM_DIR = "", parameter string W_FILE = "w.mem", parameter int W = 72
) (
  input logic clk, input logic rst_n,
  input logic [W-1:0] s_axis_tdata, input logic s_axis_tvalid, output logic s_axis_tready,
  output logic [W-1:0] m_axis_tdata, output logic m_axis_tvalid, input logic m_axis_tready);
  logic [W-1:0] mem[4];
  logic [1:0] addr;
  initial $readmemh({MEM_DIR, W_FILE}, mem);
  always_ff @(posedge clk)
    if (!rst_n) addr <= '0;
    else if (s_axis_tvalid && s_axis_tready) addr <= addr + 1'b1;
  assign s_axis_tready = m_axis_tready;
  assign m_axis_tvalid = s_axis_tvalid;
  assign m_axis_tdata = mem[addr] ^ s_axis_tdata;
endmodule
"""


@pytest.fixture(scope="module")
def fifo_lib(sim_build_dir: Path) -> Path:
    return build_model([RTL / "qnngen_fifo.sv"], FIFO, sim_build_dir, FIFO_PARAMS)


def test_verilator_comes_from_the_package() -> None:
    assert (verilator_root() / "include" / "verilated.h").is_file()
    assert verilator_bin().is_relative_to(verilator_root())


def test_second_build_is_a_cache_hit(fifo_lib: Path, sim_build_dir: Path, capfd) -> None:
    capfd.readouterr()
    stamp_time = (fifo_lib.parent / "stamp").stat().st_mtime_ns
    again = build_model([RTL / "qnngen_fifo.sv"], FIFO, sim_build_dir, dict(FIFO_PARAMS))
    assert again == fifo_lib
    assert (fifo_lib.parent / "stamp").stat().st_mtime_ns == stamp_time
    assert "verilating" not in capfd.readouterr().err


def test_per_cycle_api_matches_batch(fifo_lib: Path) -> None:
    """A Python driver with the batch driver's policy sees the same beats at the same cycles."""
    values = np.random.default_rng(3).integers(0, 256, size=(5, 6))
    frames = pack_beats(values, 8, 1)
    with Simulator(fifo_lib) as sim:
        batch = sim.run_batch(frames, 6)
        sim.reset()
        beats_in = [int(w) for w in frames.reshape(-1)]
        seen: list[tuple[int, int]] = []
        sent = 0
        while len(seen) < len(beats_in):
            m_ready = sim.cycle % 3 != 1  # some backpressure; must not change the data
            sim.poke(sent < len(beats_in), beats_in[sent] if sent < len(beats_in) else 0, m_ready)
            p = sim.peek()
            if p.m_valid and m_ready:
                seen.append((sim.cycle, p.m_data))
            sent += int(p.s_ready and sent < len(beats_in))
            sim.step()
    assert [d for _, d in seen] == beats_in
    np.testing.assert_array_equal(unpack_beats(batch.outputs, 8, 1, False), values)


def test_per_cycle_timing_matches_batch(fifo_lib: Path) -> None:
    frames = pack_beats(np.arange(12).reshape(3, 4), 8, 1)
    with Simulator(fifo_lib) as sim:
        batch = sim.run_batch(frames, 4)
        sim.reset()
        out_cycles = []
        for beat in [*frames.reshape(-1).tolist(), *[None] * 4]:
            sim.poke(beat is not None, beat or 0, True)
            if sim.peek().m_valid:
                out_cycles.append(sim.cycle)
            sim.step()
    assert out_cycles[3::4] == batch.out_last_cycle.tolist()
    assert batch.cycles == batch.out_last_cycle[-1] + 1


def test_stalls_are_deterministic_per_seed(fifo_lib: Path) -> None:
    frames = pack_beats(np.arange(200).reshape(10, 20) % 256, 8, 1)
    with Simulator(fifo_lib) as sim:
        a = sim.run_batch(frames, 20, stalls=0.4, seed=1)
        b = sim.run_batch(frames, 20, stalls=0.4, seed=1)
        c = sim.run_batch(frames, 20, stalls=0.4, seed=2)
    np.testing.assert_array_equal(a.out_last_cycle, b.out_last_cycle)
    assert not np.array_equal(a.out_last_cycle, c.out_last_cycle)
    np.testing.assert_array_equal(a.outputs, c.outputs)


def test_progress_reports_chunks(fifo_lib: Path) -> None:
    calls: list[tuple[int, int]] = []
    frames = pack_beats(np.zeros((250, 3), dtype=np.int64), 8, 1)
    with Simulator(fifo_lib) as sim:
        sim.run_batch(frames, 3, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (250, 250)
    assert len(calls) > 10
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_missing_output_beats_raise_deadlock(fifo_lib: Path) -> None:
    frames = pack_beats(np.zeros((2, 3), dtype=np.int64), 8, 1)
    with Simulator(fifo_lib) as sim:
        with pytest.raises(DeadlockError, match=r"6 of 6 input beats .* 6 of 8 output beats"):
            sim.run_batch(frames, 4, idle_limit=50)
        with pytest.raises(DeadlockError, match="no beat moved for 20 cycles"):
            sim.run_batch(frames, 3, stalls=1.0, idle_limit=20)


def test_string_params_wide_ports_and_trace(sim_build_dir: Path, tmp_path: Path) -> None:
    """MEM_DIR reaches $readmemh through -G; 72-bit ports work; a VCD trace gets written."""
    mem_dir = tmp_path / "mem dir"
    mem_dir.mkdir()
    rom_values = np.array([[1, 2, 3], [-1, 5, 6], [7, 8, 9], [10, 11, -12]])
    (mem_dir / "w.mem").write_text(hex_memory(rom_values, 24))
    (tmp_path / "rom.sv").write_text(ROM_SV)
    params = {"MEM_DIR": f"{mem_dir}/", "W": 72}
    lib = build_model(
        [tmp_path / "rom.sv"], Ports("rom", 72, 72), sim_build_dir, params, trace=True
    )
    with Simulator(lib) as sim:
        sim.open_trace(tmp_path / "rom.vcd")
        frames = pack_beats(np.zeros((2, 12), dtype=np.int64), 24, 3)
        result = sim.run_batch(frames, 4)
        sim.close_trace()
        sim.poke(True, (1 << 71) | 1, True)
        assert sim.peek().m_data == (1 << 71) | (2 << 24) | (3 << 48)
    np.testing.assert_array_equal(
        unpack_beats(result.outputs, 24, 3, True), np.tile(rom_values.reshape(-1), (2, 1))
    )
    assert "m_axis_tdata" in (tmp_path / "rom.vcd").read_text()


def test_build_error_shows_the_log(sim_build_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sv"
    bad.write_text("module bad(input logic clk;\nendmodule\n")
    with pytest.raises(BuildError, match="bad.sv"):
        build_model([bad], Ports("bad", 8, 8), sim_build_dir)


def test_lint_reports_warnings(tmp_path: Path) -> None:
    sloppy = tmp_path / "sloppy.sv"
    sloppy.write_text(
        "module sloppy(input logic [7:0] a, output logic [3:0] y);\n  assign y = a;\nendmodule\n"
    )
    with pytest.raises(LintError, match="WIDTH"):
        lint([sloppy], "sloppy", {})


def test_frames_must_match_port_words(fifo_lib: Path) -> None:
    with Simulator(fifo_lib) as sim, pytest.raises(ValueError, match="frames must have shape"):
        sim.run_batch(np.zeros((1, 2, 2), dtype=np.uint32), 2)
