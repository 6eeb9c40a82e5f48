# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_dup.sv through test-only single-stream wrapper tops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qnngen.sim import Ports, Simulator, build_model, lint

RTL_DIR = Path(__file__).resolve().parents[2] / "rtl"
DUP_SV = RTL_DIR / "qnngen_dup.sv"
FIFO_SV = RTL_DIR / "qnngen_fifo.sv"
LATENCY = 1  # documented: a beat accepted at cycle t is visible on both outputs at t + 1
FIFO_LATENCY = 1  # qnngen_fifo with DEPTH <= 64

# dup_probe: m0 is the harness output; m1_tready is input bit WIDTH and m1 is observed next to
# m0 in the output beat {m1_tvalid, m1_tdata, m0_tdata}.
# dup_zip: each dup output passes an optional random gate (test-only: withdraws valid and
# ready together, which qnngen_fifo tolerates) and a FIFO; the two copies are joined side by
# side as {copy 1, copy 0}, so any drop, duplicate or reordering on either branch shows.
WRAPPERS = """
module dup_probe #(parameter int WIDTH = 8) (
    input  logic               clk,
    input  logic               rst_n,
    input  logic [WIDTH:0]     s_axis_tdata,
    input  logic               s_axis_tvalid,
    output logic               s_axis_tready,
    output logic [2*WIDTH:0]   m_axis_tdata,
    output logic               m_axis_tvalid,
    input  logic               m_axis_tready
);
  logic [WIDTH-1:0] d0, d1;
  logic v1;
  qnngen_dup #(.WIDTH(WIDTH)) dut (
      .clk, .rst_n, .s_axis_tdata(s_axis_tdata[WIDTH-1:0]), .s_axis_tvalid, .s_axis_tready,
      .m0_axis_tdata(d0), .m0_axis_tvalid(m_axis_tvalid), .m0_axis_tready(m_axis_tready),
      .m1_axis_tdata(d1), .m1_axis_tvalid(v1), .m1_axis_tready(s_axis_tdata[WIDTH]));
  assign m_axis_tdata = {v1, d1, d0};
endmodule

module random_gate #(parameter int WIDTH = 8, parameter int SEED = 1, parameter int ON = 1) (
    input  logic             clk,
    input  logic             rst_n,
    input  logic [WIDTH-1:0] s_axis_tdata,
    input  logic             s_axis_tvalid,
    output logic             s_axis_tready,
    output logic [WIDTH-1:0] m_axis_tdata,
    output logic             m_axis_tvalid,
    input  logic             m_axis_tready
);
  logic [15:0] lfsr;
  logic open_now;
  always_ff @(posedge clk) begin
    if (!rst_n) lfsr <= 16'(SEED);
    else lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
  end
  assign open_now = ON == 0 || lfsr[0] || lfsr[5];
  assign m_axis_tdata = s_axis_tdata;
  assign m_axis_tvalid = s_axis_tvalid && open_now;
  assign s_axis_tready = m_axis_tready && open_now;
endmodule

module dup_zip #(
    parameter int WIDTH = 8,
    parameter int DEPTH0 = 2,
    parameter int DEPTH1 = 16,
    parameter int GATED = 1
) (
    input  logic               clk,
    input  logic               rst_n,
    input  logic [WIDTH-1:0]   s_axis_tdata,
    input  logic               s_axis_tvalid,
    output logic               s_axis_tready,
    output logic [2*WIDTH-1:0] m_axis_tdata,
    output logic               m_axis_tvalid,
    input  logic               m_axis_tready
);
  logic [WIDTH-1:0] d[2], gd[2], fd[2];
  logic v[2], r[2], gv[2], gr[2], fv[2], fr[2];
  qnngen_dup #(.WIDTH(WIDTH)) dut (
      .clk, .rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready,
      .m0_axis_tdata(d[0]), .m0_axis_tvalid(v[0]), .m0_axis_tready(r[0]),
      .m1_axis_tdata(d[1]), .m1_axis_tvalid(v[1]), .m1_axis_tready(r[1]));
  for (genvar i = 0; i < 2; i++) begin : g_branch
    random_gate #(.WIDTH(WIDTH), .SEED(16'hace1 + 16'(i * 4321)), .ON(GATED)) gate (
        .clk, .rst_n, .s_axis_tdata(d[i]), .s_axis_tvalid(v[i]), .s_axis_tready(r[i]),
        .m_axis_tdata(gd[i]), .m_axis_tvalid(gv[i]), .m_axis_tready(gr[i]));
    qnngen_fifo #(.WIDTH(WIDTH), .DEPTH(i == 0 ? DEPTH0 : DEPTH1)) fifo (
        .clk, .rst_n, .s_axis_tdata(gd[i]), .s_axis_tvalid(gv[i]), .s_axis_tready(gr[i]),
        .m_axis_tdata(fd[i]), .m_axis_tvalid(fv[i]), .m_axis_tready(fr[i]));
  end
  assign m_axis_tvalid = fv[0] && fv[1];
  assign fr[0] = m_axis_tready && fv[1];
  assign fr[1] = m_axis_tready && fv[0];
  assign m_axis_tdata = {fd[1], fd[0]};
endmodule
"""

# (WIDTH, DEPTH0, DEPTH1, GATED): a 1-bit stream, beats wider than 64 bits, desynchronised
# branches of unequal depth, and an ungated pair (also used for throughput).
UNGATED = (12, 2, 16, 0)
ZIP_CONFIGS = [(1, 2, 3, 1), (70, 16, 2, 1), (12, 2, 16, 1), UNGATED]
N_FRAMES = 30
BEATS = 17


def words_of(values: list[int], width: int) -> np.ndarray:
    """Python ints as rows of little-endian uint32 words of a width-bit port."""
    n = -(-width // 32)
    return np.array([[(v >> (32 * i)) & 0xFFFFFFFF for i in range(n)] for v in values], np.uint32)


def ints_of(words: np.ndarray) -> list[int]:
    """Rows of little-endian uint32 words (any leading shape) as Python ints."""
    rows = words.reshape(-1, words.shape[-1])
    return [sum(int(w) << (32 * i) for i, w in enumerate(row)) for row in rows]


def random_beats(width: int, n: int, seed: int) -> list[int]:
    """n random width-bit beats."""
    rng = np.random.default_rng(seed)
    return [int.from_bytes(rng.bytes(-(-width // 8)), "little") % (1 << width) for _ in range(n)]


@pytest.fixture(scope="module")
def wrapper_sv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wrapper tops, written once per module."""
    path = tmp_path_factory.mktemp("dup_wrappers") / "dup_wrappers.sv"
    path.write_text(WRAPPERS)
    return path


@pytest.fixture(scope="module")
def probe(wrapper_sv: Path, sim_build_dir: Path) -> Simulator:
    """dup_probe with 8-bit beats."""
    lib = build_model([DUP_SV, wrapper_sv], Ports("dup_probe", 9, 17), sim_build_dir, {"WIDTH": 8})
    with Simulator(lib) as sim:
        yield sim


def build_zip(config: tuple[int, int, int, int], wrapper_sv: Path, build_dir: Path) -> Path:
    """Verilated dup_zip of config (WIDTH, DEPTH0, DEPTH1, GATED), cached in build_dir."""
    width, depth0, depth1, gated = config
    params = {"WIDTH": width, "DEPTH0": depth0, "DEPTH1": depth1, "GATED": gated}
    ports = Ports("dup_zip", width, 2 * width)
    return build_model([DUP_SV, FIFO_SV, wrapper_sv], ports, build_dir, params)


@pytest.fixture(scope="module", params=ZIP_CONFIGS, ids=lambda c: "w{}_d{}_d{}_g{}".format(*c))
def zipped(request: pytest.FixtureRequest, wrapper_sv: Path, sim_build_dir: Path):
    """dup_zip of one configuration, with its beat width."""
    with Simulator(build_zip(request.param, wrapper_sv, sim_build_dir)) as sim:
        yield sim, request.param[0]


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_both_copies_exact(zipped, stalls: float, seed: int) -> None:
    """Every beat arrives exactly once, in order, on both outputs."""
    sim, width = zipped
    beats = random_beats(width, N_FRAMES * BEATS, seed)
    frames = words_of(beats, width).reshape(N_FRAMES, BEATS, -1)
    res = sim.run_batch(frames, BEATS, stalls, seed)
    assert ints_of(res.outputs) == [(b << width) | b for b in beats]


def test_zip_throughput(wrapper_sv: Path, sim_build_dir: Path) -> None:
    """Ungated and without stalls, dup + FIFO pass one beat per cycle."""
    width = UNGATED[0]
    frames = words_of(random_beats(width, N_FRAMES * BEATS, 3), width).reshape(N_FRAMES, BEATS, -1)
    with Simulator(build_zip(UNGATED, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(frames, BEATS)
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(N_FRAMES) * BEATS)
    np.testing.assert_array_equal(
        res.out_last_cycle, res.in_first_cycle + BEATS - 1 + LATENCY + FIFO_LATENCY
    )


def test_throughput_and_latency(probe: Simulator) -> None:
    """With m1 always ready and no stalls: one beat per cycle, visible LATENCY cycles later."""
    beats = random_beats(8, N_FRAMES * BEATS, 4)
    frames = words_of([b | 0x100 for b in beats], 9).reshape(N_FRAMES, BEATS, -1)
    res = probe.run_batch(frames, BEATS)
    assert [v & 0xFF for v in ints_of(res.outputs)] == beats
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(N_FRAMES) * BEATS)
    np.testing.assert_array_equal(res.out_last_cycle, res.in_first_cycle + BEATS - 1 + LATENCY)


def check(sim: Simulator, s_data: int, m0_ready: bool, m1_ready: bool, expect: tuple) -> None:
    """Drive one cycle, check (s_ready, m0 valid, m0 data, m1 valid, m1 data), then clock."""
    sim.poke(True, s_data | (int(m1_ready) << 8), m0_ready)
    p = sim.peek()
    got = (p.s_ready, p.m_valid, p.m_data & 0xFF, bool(p.m_data >> 16), (p.m_data >> 8) & 0xFF)
    assert got == expect
    sim.step()


def test_outputs_handshake_independently(probe: Simulator) -> None:
    """Each output takes the held beat on its own; a new beat enters once both have taken it."""
    probe.reset()
    probe.poke(True, 0xA1, False)
    first = probe.peek()
    assert first.s_ready and not first.m_valid and not first.m_data >> 16
    probe.step()  # A1 accepted, held for both outputs
    check(probe, 0xB2, True, False, (False, True, 0xA1, True, 0xA1))  # m0 takes A1
    check(probe, 0xB2, False, False, (False, False, 0xA1, True, 0xA1))  # m1 still owes A1
    check(probe, 0xB2, False, True, (True, False, 0xA1, True, 0xA1))  # m1 takes A1, B2 enters
    check(probe, 0xC3, False, True, (False, True, 0xB2, True, 0xB2))  # m1 takes B2, m0 stalls
    check(probe, 0xC3, True, False, (True, True, 0xB2, False, 0xB2))  # m0 takes B2, C3 enters
    check(probe, 0xD4, True, True, (True, True, 0xC3, True, 0xC3))  # both take C3, D4 enters
    check(probe, 0xD4, False, False, (False, True, 0xD4, True, 0xD4))


@pytest.mark.parametrize("width", [1, 8, 70, 1024])
def test_lint_clean(width: int) -> None:
    """`verilator --lint-only -Wall` reports nothing."""
    lint([DUP_SV], "qnngen_dup", {"WIDTH": width})
