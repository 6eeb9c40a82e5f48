# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_vvu.sv against a numpy reference and its cycle model."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.vvu_timing import vvu_out_times
from qnngen.packing import hex_memory, pack_beats, unpack_beats
from qnngen.sim import Ports, Simulator, build_model, lint
from rtl_operands import BIPOLAR, Operand

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_vvu.sv"
SOURCES = [RTL, RTL.parent / "qnngen_rom.sv"]
TOP = "qnngen_vvu"
N_FRAMES = 6
WARMUP_FRAMES = 2  # frames before the measured steady state
LATENCY_EXTRA = 2  # last output of a frame: pixels*CF*K2 + 2 cycles after its first input


@dataclass(frozen=True)
class Case:
    """One parameter point of the VVU; `pixels` output pixels per frame."""

    name: str
    c: int
    k2: int
    pe: int
    x: Operand
    w: Operand
    pixels: int
    n_thres: int = 0
    out_bias: int = 0
    mul_style: str = "lut"  # MUL_STYLE of integer x integer products

    @property
    def cf(self) -> int:
        """Channel groups (output beats per pixel)."""
        return self.c // self.pe

    @property
    def in_beats(self) -> int:
        """Input beats per frame."""
        return self.pixels * self.cf * self.k2


CASES = (
    # PE=1, 3x3 window, XNOR products, one threshold.
    Case("pe1_xnor_k9", 4, 9, 1, BIPOLAR, BIPOLAR, pixels=3, n_thres=1),
    # PE=C (one group), unsigned x signed, raw accumulator out.
    Case("pec_uint_int_k9", 6, 9, 6, Operand(4), Operand(3, signed=True), pixels=4),
    # Signed x signed, thresholds with a negative bias, DSP-style products.
    Case("int_int_thres_neg", 8, 9, 2, Operand(4, True), Operand(3, True), 3, 3, out_bias=-2,
         mul_style="dsp"),
    # The input is the narrower decoded operand (2 < 5 bits): the shift-and-add runs over x.
    Case("int_uint_lut_x", 4, 4, 2, Operand(2, True), Operand(4), pixels=3),
    # 1x1 window: one input beat per output beat; bipolar x signed, many thresholds.
    Case("k1_bip_int_thres", 6, 1, 3, BIPOLAR, Operand(4, True), 5, n_thres=7, out_bias=-4),
    # 1x1 window, PE=1, signed x bipolar, raw accumulator out.
    Case("k1_pe1_int_bip", 3, 1, 1, Operand(3, True), BIPOLAR, pixels=4),
)


@dataclass(frozen=True)
class Design:
    """Random weights, thresholds and frames of one case, with the widths they need."""

    case: Case
    weights: np.ndarray  # raw (C, K2)
    thresholds: np.ndarray  # (C, N_THRES), ascending per channel
    frames: np.ndarray  # raw (N_FRAMES, pixels, K2, C)
    acc_bits: int
    out_bits: int

    @property
    def out_signed(self) -> bool:
        """Whether output elements are two's complement."""
        return self.case.n_thres == 0 or self.case.out_bias < 0

    def params(self, mem_dir: str) -> dict[str, int | str]:
        """Verilog parameters of the design, memory files in mem_dir."""
        c = self.case
        return {
            "C": c.c, "K2": c.k2, "PE": c.pe,
            "IN_BITS": c.x.bits, "IN_SIGNED": int(c.x.signed), "IN_BIPOLAR": int(c.x.bipolar),
            "W_BITS": c.w.bits, "W_SIGNED": int(c.w.signed), "W_BIPOLAR": int(c.w.bipolar),
            "ACC_BITS": self.acc_bits, "N_THRES": c.n_thres, "OUT_BITS": self.out_bits,
            "OUT_BIAS": c.out_bias, "MEM_DIR": mem_dir, "W_FILE": "w.mem", "T_FILE": "t.mem",
            "MUL_STYLE": c.mul_style,
        }  # fmt: skip


def signed_bits(lo: int, hi: int) -> int:
    """Smallest two's complement width holding every value in [lo, hi]."""
    return max(int(lo).bit_length() if lo < 0 else 0, int(hi).bit_length()) + 1


def reference(design: Design, raw_x: np.ndarray) -> np.ndarray:
    """Expected outputs (N, pixels*C): per-channel window dot products, then activation."""
    c = design.case
    acc = np.einsum("npkc,ck->npc", c.x.value(raw_x), c.w.value(design.weights))
    if c.n_thres:
        acc = c.out_bias + (acc[..., None] >= design.thresholds).sum(axis=-1)
    return acc.reshape(len(raw_x), -1)


def make_design(case: Case, seed: int = 0) -> Design:
    """Draw weights and frames; thresholds sit on and next to the frames' accumulators."""
    rng = np.random.default_rng(seed)
    weights = case.w.random(rng, (case.c, case.k2))
    frames = case.x.random(rng, (N_FRAMES, case.pixels, case.k2, case.c))
    w = case.w.value(weights)
    lo = np.minimum(w * case.x.lo, w * case.x.hi).sum(axis=1).min()
    hi = np.maximum(w * case.x.lo, w * case.x.hi).sum(axis=1).max()
    thresholds = np.zeros((case.c, 0), dtype=np.int64)
    if case.n_thres:
        acc = np.einsum("npkc,ck->cnp", case.x.value(frames), w).reshape(case.c, -1)
        picks = rng.integers(0, acc.shape[1], (case.c, case.n_thres))
        near = np.take_along_axis(acc, picks, axis=1) + rng.integers(-1, 2, picks.shape)
        thresholds = np.sort(near, axis=1)
        lo, hi = min(lo, thresholds.min()), max(hi, thresholds.max())
    acc_bits = signed_bits(lo, hi)
    top = case.out_bias + case.n_thres
    out_bits = (
        acc_bits if case.n_thres == 0
        else signed_bits(case.out_bias, top) if case.out_bias < 0 else max(1, top.bit_length())
    )  # fmt: skip
    return Design(case, weights, thresholds, frames, acc_bits, out_bits)


def pack_frames(case: Case, raw_x: np.ndarray) -> np.ndarray:
    """(N, pixels, K2, C) inputs as depthwise SWU beats: for pixel, for g, for k, PE lanes."""
    n = len(raw_x)
    beats = raw_x.reshape(n, case.pixels, case.k2, case.cf, case.pe).transpose(0, 1, 3, 2, 4)
    return pack_beats(beats.reshape(n, -1), case.x.bits, case.pe)


def _write_atomic(path: Path, text: str) -> None:
    """Write text so a concurrent reader (another xdist worker) never sees a partial file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_memories(design: Design, mem_dir: Path) -> None:
    """Write the weight and threshold files in the layout documented in the RTL header."""
    c = design.case
    w = design.weights.reshape(c.cf, c.pe, c.k2).transpose(0, 2, 1).reshape(c.cf * c.k2, c.pe)
    _write_atomic(mem_dir / "w.mem", hex_memory(w, c.w.bits))
    if c.n_thres:
        t = design.thresholds.reshape(c.cf, c.pe * c.n_thres)
        _write_atomic(mem_dir / "t.mem", hex_memory(t, design.acc_bits))


@dataclass(frozen=True)
class Built:
    """A design with its memory files and verilated model."""

    design: Design
    library: Path


def build(case: Case, sim_build_dir: Path) -> Built:
    """Write the case's memories to a stable folder and build (or reuse) its model."""
    design = make_design(case)
    mem_dir = sim_build_dir / "vvu_mem" / case.name
    mem_dir.mkdir(parents=True, exist_ok=True)
    write_memories(design, mem_dir)
    ports = Ports(TOP, case.pe * case.x.bits, case.pe * design.out_bits)
    return Built(design, build_model(SOURCES, ports, sim_build_dir, design.params(f"{mem_dir}/")))


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, sim_build_dir: Path) -> Built:
    """Build one case's model once per module."""
    return build(request.param, sim_build_dir)


def run(built: Built, stalls: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stream the design's frames; return decoded outputs, in_first and out_last cycles."""
    d, c = built.design, built.design.case
    with Simulator(built.library) as sim:
        res = sim.run_batch(pack_frames(c, d.frames), c.pixels * c.cf, stalls, seed)
    got = unpack_beats(res.outputs, d.out_bits, c.pe, signed=d.out_signed)
    return got, res.in_first_cycle, res.out_last_cycle


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_matches_reference(built: Built, stalls: float, seed: int) -> None:
    """Outputs equal the numpy reference exactly, with and without bubbles/backpressure."""
    got, _, _ = run(built, stalls, seed)
    np.testing.assert_array_equal(got, reference(built.design, built.design.frames))


def test_interval_and_latency(built: Built) -> None:
    """Without stalls, frames leave every pixels*CF*K2 cycles, that + 2 after they enter."""
    _, in_first, out_last = run(built, 0.0, 0)
    beats = built.design.case.in_beats
    assert set(np.diff(out_last)[WARMUP_FRAMES:].tolist()) == {beats}
    assert set((out_last - in_first).tolist()) == {beats + LATENCY_EXTRA}


def run_per_cycle(
    sim: Simulator, built: Built, raw_x: np.ndarray, bubbles: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames from reset with random input bubbles and the output always ready.

    Returns the accept cycles of the input and of the output beats, and the output beats as a
    (1, beats, words) uint32 stream.
    """
    c = built.design.case
    beats = pack_frames(c, raw_x).reshape(-1, pack_frames(c, raw_x[:1]).shape[2])
    words = [sum(int(w) << (32 * i) for i, w in enumerate(b)) for b in beats]
    n_out_words = -(-(c.pe * built.design.out_bits) // 32)
    n_out = len(raw_x) * c.pixels * c.cf
    rng = np.random.default_rng(seed)
    in_t, out_t, out_data = [], [], []
    sim.reset()
    offered = False
    while len(out_t) < n_out:
        if not offered and len(in_t) < len(words):
            offered = bool(rng.random() >= bubbles)  # an offer is held until accepted
        sim.poke(offered, words[len(in_t)] if offered else 0, True)
        peek = sim.peek()
        cycle = sim.cycle
        if peek.m_valid:
            out_t.append(cycle)
            out_data.append([(peek.m_data >> (32 * i)) & 0xFFFFFFFF for i in range(n_out_words)])
        if offered and peek.s_ready:
            in_t.append(cycle)
            offered = False
        sim.step()
        assert cycle < 50 * len(words), "no progress"
    return np.array(in_t), np.array(out_t), np.array([out_data], dtype=np.uint32)


@pytest.mark.parametrize("bubbles", [0.0, 0.3, 0.7])
def test_beat_times_match_model(sim_build_dir: Path, bubbles: float) -> None:
    """Every output beat is accepted exactly when vvu_out_times predicts, for any input timing."""
    built = build(next(c for c in CASES if c.name == "int_int_thres_neg"), sim_build_dir)
    d, c = built.design, built.design.case
    frames = d.frames[:2]
    with Simulator(built.library) as sim:
        in_t, out_t, data = run_per_cycle(sim, built, frames, bubbles, int(bubbles * 10))
    np.testing.assert_array_equal(out_t, vvu_out_times(c.c, c.k2, c.pe, in_t))
    got = unpack_beats(data, d.out_bits, c.pe, signed=d.out_signed)
    np.testing.assert_array_equal(got[0], reference(d, frames).reshape(-1))


def test_model_rejects_partial_pixels() -> None:
    """vvu_out_times needs whole pixels and a PE dividing C."""
    with pytest.raises(ValueError):
        vvu_out_times(4, 9, 2, np.arange(17))
    with pytest.raises(ValueError):
        vvu_out_times(5, 9, 2, np.arange(45))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_clean(case: Case, tmp_path: Path) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint(SOURCES, TOP, make_design(case).params(f"{tmp_path}/"))
