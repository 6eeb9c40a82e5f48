# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_add.sv (with qnngen_dup) through test-only wrapper tops."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import DeadlockError, Ports, Simulator, build_model, lint

RTL_DIR = Path(__file__).resolve().parents[2] / "rtl"
ADD_SV = RTL_DIR / "qnngen_add.sv"
SOURCES = [ADD_SV, RTL_DIR / "qnngen_dup.sv", RTL_DIR / "qnngen_fifo.sv"]
ADD_LATENCY = 1  # documented: a beat pair accepted at cycle t is visible at t + 1
DUP_LATENCY = 1
FIFO_LATENCY = 1  # qnngen_fifo with DEPTH <= 64
N_FRAMES = 12
BEATS = 16

# add_split: one input beat {b, a} is forked by a dup and sliced into the two operand streams,
#   b optionally through a FIFO of B_DEPTH beats.
# add_probe: s0 is the harness input; s1_tvalid is input bit 8 and s1_tready output bit 5.
# frame_delay: takes FRAME beats, then gives them back in order, then takes the next FRAME:
#   the first output beat of a frame needs the whole frame inside (like a layer that must see
#   a whole input before it answers).
# residual: dup -> FIFO(A_DEPTH) [-> frame_delay] -> add.s0 and dup -> FIFO(B_DEPTH) -> add.s1,
#   so out = (A_MUL + B_MUL) * x + OFFSET.
WRAPPERS = """
module add_split #(
    parameter int PE = 1, parameter int A_BITS = 4, parameter int A_SIGNED = 0,
    parameter int B_BITS = 4, parameter int B_SIGNED = 0, parameter int A_MUL = 1,
    parameter int B_MUL = 1, parameter int OFFSET = 0, parameter int OUT_BITS = 5,
    parameter int B_DEPTH = 0
) (
    input  logic                         clk,
    input  logic                         rst_n,
    input  logic [PE*(A_BITS+B_BITS)-1:0] s_axis_tdata,
    input  logic                         s_axis_tvalid,
    output logic                         s_axis_tready,
    output logic [PE*OUT_BITS-1:0]       m_axis_tdata,
    output logic                         m_axis_tvalid,
    input  logic                         m_axis_tready
);
  localparam int AW = PE * A_BITS;
  localparam int W = PE * (A_BITS + B_BITS);
  logic [W-1:0] d0, d1;
  logic [W-AW-1:0] bd;
  logic v0, r0, v1, r1, bv, br;
  qnngen_dup #(.WIDTH(W)) dup (
      .clk, .rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready,
      .m0_axis_tdata(d0), .m0_axis_tvalid(v0), .m0_axis_tready(r0),
      .m1_axis_tdata(d1), .m1_axis_tvalid(v1), .m1_axis_tready(r1));
  if (B_DEPTH > 0) begin : g_fifo
    qnngen_fifo #(.WIDTH(W - AW), .DEPTH(B_DEPTH)) fifo (
        .clk, .rst_n, .s_axis_tdata(d1[W-1:AW]), .s_axis_tvalid(v1), .s_axis_tready(r1),
        .m_axis_tdata(bd), .m_axis_tvalid(bv), .m_axis_tready(br));
  end else begin : g_wire
    assign bd = d1[W-1:AW];
    assign bv = v1;
    assign r1 = br;
  end
  qnngen_add #(
      .PE(PE), .A_BITS(A_BITS), .A_SIGNED(A_SIGNED), .B_BITS(B_BITS), .B_SIGNED(B_SIGNED),
      .A_MUL(A_MUL), .B_MUL(B_MUL), .OFFSET(OFFSET), .OUT_BITS(OUT_BITS)) add (
      .clk, .rst_n, .s0_axis_tdata(d0[AW-1:0]), .s0_axis_tvalid(v0), .s0_axis_tready(r0),
      .s1_axis_tdata(bd), .s1_axis_tvalid(bv), .s1_axis_tready(br),
      .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
endmodule

module add_probe (
    input  logic       clk,
    input  logic       rst_n,
    input  logic [8:0] s_axis_tdata,
    input  logic       s_axis_tvalid,
    output logic       s_axis_tready,
    output logic [5:0] m_axis_tdata,
    output logic       m_axis_tvalid,
    input  logic       m_axis_tready
);
  logic s1_ready;
  qnngen_add #(.A_BITS(4), .B_BITS(4), .OUT_BITS(5)) add (
      .clk, .rst_n, .s0_axis_tdata(s_axis_tdata[3:0]), .s0_axis_tvalid(s_axis_tvalid),
      .s0_axis_tready(s_axis_tready), .s1_axis_tdata(s_axis_tdata[7:4]),
      .s1_axis_tvalid(s_axis_tdata[8]), .s1_axis_tready(s1_ready),
      .m_axis_tdata(m_axis_tdata[4:0]), .m_axis_tvalid, .m_axis_tready);
  assign m_axis_tdata[5] = s1_ready;
endmodule

module frame_delay #(parameter int WIDTH = 8, parameter int FRAME = 8) (
    input  logic             clk,
    input  logic             rst_n,
    input  logic [WIDTH-1:0] s_axis_tdata,
    input  logic             s_axis_tvalid,
    output logic             s_axis_tready,
    output logic [WIDTH-1:0] m_axis_tdata,
    output logic             m_axis_tvalid,
    input  logic             m_axis_tready
);
  logic [WIDTH-1:0] mem[FRAME];
  int count;
  logic emitting;
  assign s_axis_tready = !emitting;
  assign m_axis_tvalid = emitting;
  assign m_axis_tdata = mem[count];
  always_ff @(posedge clk) if (s_axis_tvalid && !emitting) mem[count] <= s_axis_tdata;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      count <= 0;
      emitting <= 1'b0;
    end else if (emitting ? m_axis_tready : s_axis_tvalid) begin
      count <= count == FRAME - 1 ? 0 : count + 1;
      if (count == FRAME - 1) emitting <= !emitting;
    end
  end
endmodule

module residual #(
    parameter int PE = 1, parameter int BITS = 4, parameter int SIGNED = 0,
    parameter int A_MUL = 1, parameter int B_MUL = 1, parameter int OFFSET = 0,
    parameter int OUT_BITS = 5, parameter int A_DEPTH = 2, parameter int B_DEPTH = 2,
    parameter int FRAME = 0
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic [PE*BITS-1:0]     s_axis_tdata,
    input  logic                   s_axis_tvalid,
    output logic                   s_axis_tready,
    output logic [PE*OUT_BITS-1:0] m_axis_tdata,
    output logic                   m_axis_tvalid,
    input  logic                   m_axis_tready
);
  localparam int W = PE * BITS;
  logic [W-1:0] d0, d1, fa, a, fb;
  logic v0, r0, v1, r1, fav, far, av, ar, fbv, fbr;
  qnngen_dup #(.WIDTH(W)) dup (
      .clk, .rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready,
      .m0_axis_tdata(d0), .m0_axis_tvalid(v0), .m0_axis_tready(r0),
      .m1_axis_tdata(d1), .m1_axis_tvalid(v1), .m1_axis_tready(r1));
  qnngen_fifo #(.WIDTH(W), .DEPTH(A_DEPTH)) fifo_a (
      .clk, .rst_n, .s_axis_tdata(d0), .s_axis_tvalid(v0), .s_axis_tready(r0),
      .m_axis_tdata(fa), .m_axis_tvalid(fav), .m_axis_tready(far));
  if (FRAME > 0) begin : g_delay
    frame_delay #(.WIDTH(W), .FRAME(FRAME)) delay (
        .clk, .rst_n, .s_axis_tdata(fa), .s_axis_tvalid(fav), .s_axis_tready(far),
        .m_axis_tdata(a), .m_axis_tvalid(av), .m_axis_tready(ar));
  end else begin : g_wire
    assign a = fa;
    assign av = fav;
    assign far = ar;
  end
  qnngen_fifo #(.WIDTH(W), .DEPTH(B_DEPTH)) fifo_b (
      .clk, .rst_n, .s_axis_tdata(d1), .s_axis_tvalid(v1), .s_axis_tready(r1),
      .m_axis_tdata(fb), .m_axis_tvalid(fbv), .m_axis_tready(fbr));
  qnngen_add #(
      .PE(PE), .A_BITS(BITS), .A_SIGNED(SIGNED), .B_BITS(BITS), .B_SIGNED(SIGNED),
      .A_MUL(A_MUL), .B_MUL(B_MUL), .OFFSET(OFFSET), .OUT_BITS(OUT_BITS)) add (
      .clk, .rst_n, .s0_axis_tdata(a), .s0_axis_tvalid(av), .s0_axis_tready(ar),
      .s1_axis_tdata(fb), .s1_axis_tvalid(fbv), .s1_axis_tready(fbr),
      .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
endmodule
"""


@dataclass(frozen=True)
class Operand:
    """Element type of one input stream."""

    bits: int
    signed: bool

    @property
    def lo(self) -> int:
        """Smallest value."""
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        """Largest value."""
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def span(self, mul: int) -> tuple[int, int]:
        """Smallest and largest value of mul times an element."""
        return min(mul * self.lo, mul * self.hi), max(mul * self.lo, mul * self.hi)

    def random(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Random values over the whole range."""
        return rng.integers(self.lo, self.hi + 1, shape)


@dataclass(frozen=True)
class Case:
    """One parameter point of qnngen_add inside add_split."""

    name: str
    pe: int
    a: Operand
    b: Operand
    a_mul: int
    b_mul: int
    offset: int
    b_depth: int  # FIFO on the b operand, 0 for none

    @property
    def out_bits(self) -> int:
        """Narrowest two's complement OUT_BITS holding every result."""
        (a_lo, a_hi), (b_lo, b_hi) = self.a.span(self.a_mul), self.b.span(self.b_mul)
        return signed_bits(a_lo + b_lo + self.offset, a_hi + b_hi + self.offset)

    def params(self) -> dict[str, int]:
        """Verilog parameters of add_split."""
        return {
            "PE": self.pe, "A_BITS": self.a.bits, "A_SIGNED": int(self.a.signed),
            "B_BITS": self.b.bits, "B_SIGNED": int(self.b.signed), "A_MUL": self.a_mul,
            "B_MUL": self.b_mul, "OFFSET": self.offset, "OUT_BITS": self.out_bits,
            "B_DEPTH": self.b_depth,
        }  # fmt: skip


def signed_bits(lo: int, hi: int) -> int:
    """Smallest two's complement width holding every value in [lo, hi]."""
    return max(int(lo).bit_length() if lo < 0 else 0, int(hi).bit_length()) + 1


CASES = (
    Case("pe1_uint4_uint4", 1, Operand(4, False), Operand(4, False), 1, 1, 0, 0),
    Case("pe3_int3_uint5_neg", 3, Operand(3, True), Operand(5, False), -3, 2, -7, 2),
    Case("pe4_int1_int8", 4, Operand(1, True), Operand(8, True), 5, -1, 100, 3),
    # Beats wider than 64 bits in and out.
    Case("pe3_uint16_int12", 3, Operand(16, False), Operand(12, True), 3, -7, -1000, 0),
    # A_MUL = 0 with an operand wider than OUT_BITS: it is truncated and ignored.
    Case("unused_wide_a", 2, Operand(10, True), Operand(2, False), 0, 1, 1, 2),
)


def words_of(values: list[int], width: int) -> np.ndarray:
    """Python ints as rows of little-endian uint32 words of a width-bit port."""
    n = -(-width // 32)
    return np.array([[(v >> (32 * i)) & 0xFFFFFFFF for i in range(n)] for v in values], np.uint32)


def ints_of(words: np.ndarray) -> list[int]:
    """Rows of little-endian uint32 words (any leading shape) as Python ints."""
    rows = words.reshape(-1, words.shape[-1])
    return [sum(int(w) << (32 * i) for i, w in enumerate(row)) for row in rows]


def split_frames(case: Case, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Operands (N, BEATS*PE) as add_split input beats {b, a}, shape (N, BEATS, words)."""
    a_beats = ints_of(pack_beats(a, case.a.bits, case.pe))
    b_beats = ints_of(pack_beats(b, case.b.bits, case.pe))
    shift = case.pe * case.a.bits
    joined = [x | (y << shift) for x, y in zip(a_beats, b_beats)]
    width = case.pe * (case.a.bits + case.b.bits)
    return words_of(joined, width).reshape(len(a), BEATS, -1)


@pytest.fixture(scope="module")
def wrapper_sv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wrapper tops, written once per module."""
    path = tmp_path_factory.mktemp("add_wrappers") / "add_wrappers.sv"
    path.write_text(WRAPPERS)
    return path


def build_split(case: Case, wrapper_sv: Path, build_dir: Path) -> Path:
    """Verilated add_split of one case, cached in build_dir."""
    ports = Ports("add_split", case.pe * (case.a.bits + case.b.bits), case.pe * case.out_bits)
    return build_model([*SOURCES, wrapper_sv], ports, build_dir, case.params())


def random_operands(case: Case, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random a and b operands, (N_FRAMES, BEATS*PE) each."""
    rng = np.random.default_rng(seed)
    shape = (N_FRAMES, BEATS * case.pe)
    return case.a.random(rng, shape), case.b.random(rng, shape)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_arithmetic_exact(
    case: Case, stalls: float, seed: int, wrapper_sv: Path, sim_build_dir: Path
) -> None:
    """out = A_MUL*a + B_MUL*b + OFFSET exactly, element by element."""
    a, b = random_operands(case, seed)
    with Simulator(build_split(case, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(split_frames(case, a, b), BEATS, stalls, seed)
    got = unpack_beats(res.outputs, case.out_bits, case.pe, signed=True)
    np.testing.assert_array_equal(got, case.a_mul * a + case.b_mul * b + case.offset)


BALANCED = [c for c in CASES if not c.b_depth]  # a FIFO on one branch only unbalances the fork


@pytest.mark.parametrize("case", BALANCED, ids=[c.name for c in BALANCED])
def test_throughput_and_latency(case: Case, wrapper_sv: Path, sim_build_dir: Path) -> None:
    """Without stalls: one beat per cycle, visible DUP_LATENCY + ADD_LATENCY after entering."""
    with Simulator(build_split(case, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(split_frames(case, *random_operands(case, 5)), BEATS)
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(N_FRAMES) * BEATS)
    latency = DUP_LATENCY + ADD_LATENCY
    np.testing.assert_array_equal(res.out_last_cycle, res.in_first_cycle + BEATS - 1 + latency)


def probe_cycle(sim: Simulator, s0: tuple[bool, int], s1: tuple[bool, int], m_ready: bool) -> tuple:
    """Drive one cycle of add_probe; return (s0_ready, s1_ready, m_valid, out), then clock."""
    sim.poke(s0[0], s0[1] | (s1[1] << 4) | (int(s1[0]) << 8), m_ready)
    p = sim.peek()
    sim.step()
    return p.s_ready, bool(p.m_data >> 5), p.m_valid, p.m_data & 0x1F


def test_lock_step_handshake(wrapper_sv: Path, sim_build_dir: Path) -> None:
    """Each tready waits for the other input's tvalid and for room in the output register."""
    lib = build_model([ADD_SV, wrapper_sv], Ports("add_probe", 9, 6), sim_build_dir)
    with Simulator(lib) as sim:
        assert probe_cycle(sim, (True, 3), (False, 4), True) == (False, True, False, 0)
        assert probe_cycle(sim, (False, 3), (True, 4), True) == (True, False, False, 0)
        assert probe_cycle(sim, (True, 3), (True, 4), False) == (True, True, False, 0)  # taken
        assert probe_cycle(sim, (True, 5), (True, 6), False) == (False, False, True, 7)  # stall
        assert probe_cycle(sim, (True, 5), (True, 6), True) == (True, True, True, 7)  # both move
        assert probe_cycle(sim, (False, 0), (False, 0), True) == (False, False, True, 11)
        assert probe_cycle(sim, (False, 0), (False, 0), True)[2] is False


# residual: out = (A_MUL + B_MUL) * x + OFFSET = -2x + 6 for x in INT4, two elements per beat.
RESIDUAL = {"PE": 2, "BITS": 4, "SIGNED": 1, "A_MUL": 3, "B_MUL": -5, "OFFSET": 6, "OUT_BITS": 6}
SKEWED = (2, 16, 0)  # (A_DEPTH, B_DEPTH, FRAME): FIFOs of unequal depth on the two branches
FRAME = 8  # frame_delay length; the skip FIFO needs FRAME - 1 beats, the dup holds one more
FRAME_FITS = (2, FRAME - 1, FRAME)
FRAME_DEADLOCKS = (2, FRAME - 2, FRAME)


def build_residual(config: tuple[int, int, int], wrapper_sv: Path, build_dir: Path) -> Path:
    """Verilated residual with (A_DEPTH, B_DEPTH, FRAME), cached in build_dir."""
    a_depth, b_depth, frame = config
    params = {**RESIDUAL, "A_DEPTH": a_depth, "B_DEPTH": b_depth, "FRAME": frame}
    pe = RESIDUAL["PE"]
    ports = Ports("residual", pe * RESIDUAL["BITS"], pe * RESIDUAL["OUT_BITS"])
    return build_model([*SOURCES, wrapper_sv], ports, build_dir, params)


def residual_input(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random INT4 frames (N_FRAMES, BEATS*PE) and their packed beats."""
    x = np.random.default_rng(seed).integers(-8, 8, (N_FRAMES, BEATS * RESIDUAL["PE"]))
    return x, pack_beats(x, RESIDUAL["BITS"], RESIDUAL["PE"])


@pytest.mark.parametrize("config", [SKEWED, FRAME_FITS], ids=["skewed_fifos", "frame_delay"])
@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_residual_exact(
    config: tuple[int, int, int], stalls: float, seed: int, wrapper_sv: Path, sim_build_dir: Path
) -> None:
    """dup -> two desynchronised branches -> add gives (A_MUL + B_MUL) * x + OFFSET."""
    x, frames = residual_input(seed)
    with Simulator(build_residual(config, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(frames, BEATS, stalls, seed)
    got = unpack_beats(res.outputs, RESIDUAL["OUT_BITS"], RESIDUAL["PE"], signed=True)
    np.testing.assert_array_equal(got, -2 * x + 6)


def test_residual_throughput(wrapper_sv: Path, sim_build_dir: Path) -> None:
    """Branches of equal latency keep one beat per cycle through dup, FIFOs and add."""
    with Simulator(build_residual(SKEWED, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(residual_input(3)[1], BEATS)
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(N_FRAMES) * BEATS)
    latency = DUP_LATENCY + FIFO_LATENCY + ADD_LATENCY
    np.testing.assert_array_equal(res.out_last_cycle, res.in_first_cycle + BEATS - 1 + latency)


def test_undersized_skip_fifo_deadlocks(wrapper_sv: Path, sim_build_dir: Path) -> None:
    """With FRAME - 2 skip FIFO slots only FRAME - 1 beats reach frame_delay, which then waits."""
    library = build_residual(FRAME_DEADLOCKS, wrapper_sv, sim_build_dir)
    match = f": {FRAME - 1} of .* input beats"
    with Simulator(library) as sim, pytest.raises(DeadlockError, match=match):
        sim.run_batch(residual_input(4)[1], BEATS, idle_limit=50)


LINT_CASES = [
    *CASES,
    Case("pe64_int8_int8", 64, Operand(8, True), Operand(8, True), 1, 1, 0, 0),
    Case("uint32_big_muls", 1, Operand(20, False), Operand(20, False), 1000, -1000, 1 << 20, 0),
]


@pytest.mark.parametrize("case", LINT_CASES, ids=[c.name for c in LINT_CASES])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    params = {k: v for k, v in case.params().items() if k != "B_DEPTH"}
    lint([ADD_SV], "qnngen_add", params)
