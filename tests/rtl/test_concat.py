# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_concat.sv through a test-only wrapper top, and its cycle model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.concat_timing import concat_interval, concat_out_times
from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import LintError, Ports, Simulator, build_model, lint

RTL_DIR = Path(__file__).resolve().parents[2] / "rtl"
CONCAT_SV = RTL_DIR / "qnngen_concat.sv"
SOURCES = [CONCAT_SV, RTL_DIR / "qnngen_dup.sv", RTL_DIR / "qnngen_fifo.sv"]
DUP_LATENCY = 1  # a beat accepted by the dup at t reaches both FIFOs at t + 1
DEPTH = 64  # FIFO per branch: the largest LUT-RAM FIFO (latency 1), never full per-cycle below
N_FRAMES = 8

# concat_split: one input beat {f1, f0, x1, x0} (x* PE*BITS wide) is forked by a dup; branch i
#   keeps the beats with flag f_i set (the others are consumed and dropped), then passes x_i
#   through a qnngen_fifo of DEPTH beats into input i of the concat. So one input stream feeds
#   two streams with their own beat counts and arrival times.
WRAPPERS = """
module concat_split #(
    parameter int PIXELS = 1, parameter int C0 = 1, parameter int C1 = 1, parameter int PE = 1,
    parameter int BITS = 8, parameter int DEPTH = 2
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic [2*PE*BITS+1:0]   s_axis_tdata,
    input  logic                   s_axis_tvalid,
    output logic                   s_axis_tready,
    output logic [PE*BITS-1:0]     m_axis_tdata,
    output logic                   m_axis_tvalid,
    input  logic                   m_axis_tready
);
  localparam int W = PE * BITS;
  logic [2*W+1:0] d0, d1;
  logic [W-1:0] x0, x1;
  logic v0, r0, v1, r1, fr0, fr1, xv0, xr0, xv1, xr1;
  qnngen_dup #(.WIDTH(2 * W + 2)) dup (
      .clk, .rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready,
      .m0_axis_tdata(d0), .m0_axis_tvalid(v0), .m0_axis_tready(r0),
      .m1_axis_tdata(d1), .m1_axis_tvalid(v1), .m1_axis_tready(r1));
  assign r0 = !d0[2*W] || fr0;
  assign r1 = !d1[2*W+1] || fr1;
  qnngen_fifo #(.WIDTH(W), .DEPTH(DEPTH)) fifo0 (
      .clk, .rst_n, .s_axis_tdata(d0[W-1:0]), .s_axis_tvalid(v0 && d0[2*W]),
      .s_axis_tready(fr0), .m_axis_tdata(x0), .m_axis_tvalid(xv0), .m_axis_tready(xr0));
  qnngen_fifo #(.WIDTH(W), .DEPTH(DEPTH)) fifo1 (
      .clk, .rst_n, .s_axis_tdata(d1[2*W-1:W]), .s_axis_tvalid(v1 && d1[2*W+1]),
      .s_axis_tready(fr1), .m_axis_tdata(x1), .m_axis_tvalid(xv1), .m_axis_tready(xr1));
  qnngen_concat #(.PIXELS(PIXELS), .C0(C0), .C1(C1), .PE(PE), .BITS(BITS)) concat (
      .clk, .rst_n, .s0_axis_tdata(x0), .s0_axis_tvalid(xv0), .s0_axis_tready(xr0),
      .s1_axis_tdata(x1), .s1_axis_tvalid(xv1), .s1_axis_tready(xr1),
      .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
endmodule
"""


@dataclass(frozen=True)
class Case:
    """One parameter point of qnngen_concat."""

    name: str
    pixels: int
    c0: int
    c1: int
    pe: int
    bits: int

    def params(self) -> dict[str, int]:
        """Verilog parameters of qnngen_concat."""
        return {
            "PIXELS": self.pixels, "C0": self.c0, "C1": self.c1, "PE": self.pe, "BITS": self.bits
        }  # fmt: skip

    @property
    def in_width(self) -> int:
        """Bits of a concat_split input beat {f1, f0, x1, x0}."""
        return 2 * self.pe * self.bits + 2

    @property
    def b0(self) -> int:
        """Input 0 beats per pixel."""
        return self.c0 // self.pe

    @property
    def b1(self) -> int:
        """Input 1 beats per pixel."""
        return self.c1 // self.pe

    @property
    def out_beats(self) -> int:
        """Output beats per frame."""
        return (self.b0 + self.b1) * self.pixels


CASES = (
    Case("pe1_c3_c5", 4, 3, 5, 1, 4),
    Case("pe2_c8_c4", 3, 8, 4, 2, 3),
    # Input beats of 66 bits (two 32-bit data halves and the flags), output beats of 32.
    Case("pe4_c4_c12_uint8", 2, 4, 12, 4, 8),
)


def ints_of(words: np.ndarray) -> list[int]:
    """Rows of little-endian uint32 words (any leading shape) as Python ints."""
    rows = words.reshape(-1, words.shape[-1])
    return [sum(int(w) << (32 * i) for i, w in enumerate(row)) for row in rows]


def words_of(values: list[int], width: int) -> np.ndarray:
    """Python ints as rows of little-endian uint32 words of a width-bit port."""
    n = -(-width // 32)
    return np.array([[(v >> (32 * i)) & 0xFFFFFFFF for i in range(n)] for v in values], np.uint32)


def random_inputs(case: Case, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random unsigned NHWC pixels (n, PIXELS, C0) and (n, PIXELS, C1)."""
    rng = np.random.default_rng(seed)
    hi = 1 << case.bits
    return (
        rng.integers(0, hi, (n, case.pixels, case.c0)),
        rng.integers(0, hi, (n, case.pixels, case.c1)),
    )


def stream_beats(case: Case, x: np.ndarray) -> list[int]:
    """All frames of one input (n, PIXELS, C) as its sequence of PE-element beats."""
    return ints_of(pack_beats(x.reshape(-1, x.shape[-1]), case.bits, case.pe))


def merged(case: Case, beats0: list[int], beats1: list[int], flags: list[tuple[int, int]]) -> list:
    """concat_split input beats carrying the two streams' beats as flags (f0, f1) say."""
    w = case.pe * case.bits
    it0, it1 = iter(beats0), iter(beats1)
    out = []
    for f0, f1 in flags:
        x0 = next(it0) if f0 else 0
        x1 = next(it1) if f1 else 0
        out.append(x0 | (x1 << w) | (f0 << (2 * w)) | (f1 << (2 * w + 1)))
    return out


def aligned_frames(case: Case, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """Frames of max(B0, B1) input beats per pixel, beat g carrying beat g of each stream."""
    beats0, beats1 = stream_beats(case, x0), stream_beats(case, x1)
    per_pixel = [(int(g < case.b0), int(g < case.b1)) for g in range(max(case.b0, case.b1))]
    beats = merged(case, beats0, beats1, per_pixel * (len(x0) * case.pixels))
    return words_of(beats, case.in_width).reshape(len(x0), -1, -(-case.in_width // 32))


def expected(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """np.concatenate on the channel axis, flattened per frame."""
    return np.concatenate([x0, x1], axis=-1).reshape(len(x0), -1)


@pytest.fixture(scope="module")
def wrapper_sv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wrapper top, written once per module."""
    path = tmp_path_factory.mktemp("concat_wrappers") / "concat_wrappers.sv"
    path.write_text(WRAPPERS)
    return path


def build(case: Case, wrapper_sv: Path, build_dir: Path) -> Path:
    """Verilated concat_split of one case, cached in build_dir."""
    ports = Ports("concat_split", case.in_width, case.pe * case.bits)
    return build_model([*SOURCES, wrapper_sv], ports, build_dir, {**case.params(), "DEPTH": DEPTH})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_data_exact(
    case: Case, stalls: float, seed: int, wrapper_sv: Path, sim_build_dir: Path
) -> None:
    """Output pixels are the input pixels concatenated on the channel axis, input 0 first."""
    x0, x1 = random_inputs(case, N_FRAMES, seed)
    with Simulator(build(case, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(aligned_frames(case, x0, x1), case.out_beats, stalls, seed)
    np.testing.assert_array_equal(
        unpack_beats(res.outputs, case.bits, case.pe, signed=False), expected(x0, x1)
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_interval(case: Case, wrapper_sv: Path, sim_build_dir: Path) -> None:
    """Without stalls frames leave back to back, concat_interval cycles apart."""
    x0, x1 = random_inputs(case, N_FRAMES, 3)
    with Simulator(build(case, wrapper_sv, sim_build_dir)) as sim:
        res = sim.run_batch(aligned_frames(case, x0, x1), case.out_beats)
    interval = concat_interval(case.pixels, case.c0, case.c1, case.pe)
    assert interval == case.out_beats
    assert set(np.diff(res.out_last_cycle).tolist()) == {interval}


def random_flags(case: Case, frames: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """A random merge of the two streams: each input beat carries input 0, input 1 or both."""
    left = [frames * case.pixels * case.b0, frames * case.pixels * case.b1]
    flags = []
    while left[0] or left[1]:
        f0, f1 = (int(v) for v in rng.integers(0, 2, 2))
        if not f0 and not f1:
            f0, f1 = (1, 0) if rng.random() < 0.5 else (0, 1)
        f0, f1 = f0 if left[0] else 0, f1 if left[1] else 0
        if not f0 and not f1:
            f0, f1 = int(left[0] > 0), int(left[1] > 0)
        left[0], left[1] = left[0] - f0, left[1] - f1
        flags.append((f0, f1))
    return flags


def run_per_cycle(
    sim: Simulator, words: list[int], out_beats: int, bubbles: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Feed words from reset with random input bubbles, output always ready.

    Returns the accept cycles of the input and output beats and the output beats.
    """
    sim.reset()
    in_t, out_t, out_data = [], [], []
    offered = False
    while len(out_t) < out_beats or len(in_t) < len(words):
        if not offered and len(in_t) < len(words):
            offered = bool(rng.random() >= bubbles)
        sim.poke(offered, words[len(in_t)] if offered else 0, True)
        peek = sim.peek()
        cycle = sim.cycle
        if peek.m_valid:
            out_t.append(cycle)
            out_data.append(peek.m_data)
        if offered and peek.s_ready:
            in_t.append(cycle)
            offered = False
        sim.step()
        assert cycle < 50 * (len(words) + out_beats), "no progress"
    return np.array(in_t), np.array(out_t), out_data


@pytest.mark.parametrize("case", CASES[:2], ids=[c.name for c in CASES[:2]])
@pytest.mark.parametrize("bubbles", [0.0, 0.5])
def test_beat_times_match_model(
    case: Case, bubbles: float, wrapper_sv: Path, sim_build_dir: Path
) -> None:
    """Every output beat is accepted exactly when concat_out_times predicts."""
    frames = 2
    with Simulator(build(case, wrapper_sv, sim_build_dir)) as sim:
        for seed in range(4):
            rng = np.random.default_rng(seed)
            x0, x1 = random_inputs(case, frames, seed)
            flags = random_flags(case, frames, rng)
            words = merged(case, stream_beats(case, x0), stream_beats(case, x1), flags)
            in_t, out_t, data = run_per_cycle(sim, words, frames * case.out_beats, bubbles, rng)
            arrive = in_t + DUP_LATENCY  # the dup never stalls: both FIFOs always have room
            in0 = arrive[[f0 == 1 for f0, _ in flags]]
            in1 = arrive[[f1 == 1 for _, f1 in flags]]
            np.testing.assert_array_equal(
                out_t, concat_out_times(case.c0, case.c1, case.pe, in0, in1)
            )
            words_out = words_of(data, case.pe * case.bits).reshape(frames, case.out_beats, -1)
            got = unpack_beats(words_out, case.bits, case.pe, signed=False)
            np.testing.assert_array_equal(got, expected(x0, x1))


LINT_CASES = [*CASES, Case("pe1_c1_c1", 1, 1, 1, 1, 1), Case("pe16_c64_c32", 49, 64, 32, 16, 8)]


@pytest.mark.parametrize("case", LINT_CASES, ids=[c.name for c in LINT_CASES])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint([CONCAT_SV], "qnngen_concat", case.params())


def test_refuses_pe_not_dividing() -> None:
    """PE must divide both channel counts; elaboration stops otherwise."""
    with pytest.raises(LintError, match="PE=2 must divide C0=4 and C1=3"):
        lint([CONCAT_SV], "qnngen_concat", {"C0": 4, "C1": 3, "PE": 2})
