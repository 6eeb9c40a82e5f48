# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_mvtu.sv against an independent numpy reference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.packing import hex_memory, pack_beats, unpack_beats
from qnngen.sim import Ports, Simulator, build_model, lint
from rtl_operands import BIPOLAR, Operand

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_mvtu.sv"
SOURCES = [RTL, RTL.parent / "qnngen_rom.sv", RTL.parent / "qnngen_ram.sv"]
TOP = "qnngen_mvtu"
N_FRAMES = 24
WARMUP_FRAMES = 3  # frames before the measured steady state
LATENCY_EXTRA = 2  # documented latency: NF*SF + 2 cycles


@dataclass(frozen=True)
class Case:
    """One parameter point of the MVTU."""

    name: str
    mw: int
    mh: int
    pe: int
    simd: int
    x: Operand
    w: Operand
    n_thres: int = 0
    out_bias: int = 0
    mul_style: str = "lut"  # MUL_STYLE of integer x integer products

    @property
    def nf(self) -> int:
        """Output beats per frame."""
        return self.mh // self.pe

    @property
    def sf(self) -> int:
        """Input beats per frame."""
        return self.mw // self.simd


CASES = (
    Case("serial_xnor", 16, 8, 1, 1, BIPOLAR, BIPOLAR, n_thres=1),
    Case("parallel_uint_int", 12, 6, 6, 12, Operand(4), Operand(3, signed=True)),
    Case("mixed_xnor_signed_out", 32, 16, 4, 8, BIPOLAR, BIPOLAR, n_thres=3, out_bias=-1),
    Case("bipolar_x_int_w", 24, 12, 3, 4, BIPOLAR, Operand(4, True), n_thres=7, out_bias=-4),
    Case("int_x_bipolar_w_nf1", 16, 8, 8, 2, Operand(4, True), BIPOLAR),
    Case("odd_int_int_dsp", 15, 6, 3, 5, Operand(4, True), Operand(3, True), n_thres=15, out_bias=-8,
         mul_style="dsp"),
    Case("uint_int_thres", 48, 8, 2, 16, Operand(2), Operand(2, True), n_thres=3),
    Case("sf1_int8_dsp", 8, 16, 2, 8, Operand(8), Operand(8, True), mul_style="dsp"),
    Case("sf1_int8_lut", 8, 16, 2, 8, Operand(8), Operand(8, True)),
    # The input is the narrower decoded operand (3 < 6 bits): the shift-and-add runs over x.
    Case("int_uint_lut_x", 12, 4, 2, 3, Operand(3, True), Operand(5), n_thres=3, out_bias=-1),
)


@dataclass(frozen=True)
class Design:
    """Random weights, thresholds and frames of one case, with the widths they need."""

    case: Case
    weights: np.ndarray  # raw (MH, MW)
    thresholds: np.ndarray  # (MH, N_THRES), ascending per row
    frames: np.ndarray  # raw (N_FRAMES, MW)
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
            "MW": c.mw, "MH": c.mh, "PE": c.pe, "SIMD": c.simd,
            "IN_BITS": c.x.bits, "IN_SIGNED": int(c.x.signed), "IN_BIPOLAR": int(c.x.bipolar),
            "W_BITS": c.w.bits, "W_SIGNED": int(c.w.signed), "W_BIPOLAR": int(c.w.bipolar),
            "ACC_BITS": self.acc_bits, "N_THRES": c.n_thres, "OUT_BITS": self.out_bits,
            "OUT_BIAS": c.out_bias, "MEM_DIR": mem_dir, "W_FILE": "w.mem", "T_FILE": "t.mem",
            "MUL_STYLE": c.mul_style,
        }  # fmt: skip


def signed_bits(lo: int, hi: int) -> int:
    """Smallest two's complement width holding every value in [lo, hi]."""
    return max(int(lo).bit_length() if lo < 0 else 0, int(hi).bit_length()) + 1


def out_width(case: Case, acc_bits: int) -> int:
    """OUT_BITS: the accumulator width, or the width of OUT_BIAS + 0..N_THRES."""
    top = case.out_bias + case.n_thres
    if case.n_thres == 0:
        return acc_bits
    return signed_bits(case.out_bias, top) if case.out_bias < 0 else max(1, top.bit_length())


def reference(design: Design, raw_x: np.ndarray) -> np.ndarray:
    """Expected outputs (N, MH): int64 matmul, then the threshold count plus bias."""
    c = design.case
    acc = c.x.value(raw_x) @ c.w.value(design.weights).T
    if c.n_thres == 0:
        return acc
    return c.out_bias + (acc[:, :, None] >= design.thresholds[None, :, :]).sum(axis=2)


def make_design(case: Case, seed: int = 0) -> Design:
    """Draw weights and frames; thresholds sit on and next to the frames' accumulators."""
    rng = np.random.default_rng(seed)
    weights = case.w.random(rng, (case.mh, case.mw))
    frames = case.x.random(rng, (N_FRAMES, case.mw))
    w = case.w.value(weights)
    lo = np.minimum(w * case.x.lo, w * case.x.hi).sum(axis=1).min()
    hi = np.maximum(w * case.x.lo, w * case.x.hi).sum(axis=1).max()
    thresholds = np.zeros((case.mh, 0), dtype=np.int64)
    if case.n_thres:
        acc = case.x.value(frames) @ w.T
        picks = rng.integers(0, N_FRAMES, (case.mh, case.n_thres))
        near = np.take_along_axis(acc.T, picks, axis=1) + rng.integers(-1, 2, picks.shape)
        thresholds = np.sort(near, axis=1)
        lo, hi = min(lo, thresholds.min()), max(hi, thresholds.max())
    acc_bits = signed_bits(lo, hi)
    return Design(case, weights, thresholds, frames, acc_bits, out_width(case, acc_bits))


def write_memories(design: Design, mem_dir: Path) -> None:
    """Write the weight and threshold files in the layout documented in the RTL header."""
    c = design.case
    w = design.weights.reshape(c.nf, c.pe, c.sf, c.simd).transpose(0, 2, 1, 3)
    (mem_dir / "w.mem").write_text(hex_memory(w.reshape(c.nf * c.sf, c.pe * c.simd), c.w.bits))
    if c.n_thres:
        t = design.thresholds.reshape(c.nf, c.pe * c.n_thres)
        (mem_dir / "t.mem").write_text(hex_memory(t, design.acc_bits))


@dataclass(frozen=True)
class Built:
    """A design with its memory files and verilated model."""

    design: Design
    library: Path


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build one case's model once per module."""
    case: Case = request.param
    design = make_design(case)
    mem_dir = tmp_path_factory.mktemp(f"mvtu_{case.name}")
    write_memories(design, mem_dir)
    ports = Ports(TOP, case.simd * case.x.bits, case.pe * design.out_bits)
    library = build_model(SOURCES, ports, mem_dir / "build", design.params(f"{mem_dir}/"))
    return Built(design, library)


def run(built: Built, stalls: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stream the design's frames; return decoded outputs, in_first and out_last cycles."""
    d, c = built.design, built.design.case
    with Simulator(built.library) as sim:
        res = sim.run_batch(pack_beats(d.frames, c.x.bits, c.simd), c.nf, stalls, seed)
    got = unpack_beats(res.outputs, d.out_bits, c.pe, signed=d.out_signed)
    return got, res.in_first_cycle, res.out_last_cycle


@pytest.mark.slow
@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_matches_reference(built: Built, stalls: float, seed: int) -> None:
    """Outputs equal the numpy reference exactly, with and without bubbles/backpressure."""
    got, _, _ = run(built, stalls, seed)
    np.testing.assert_array_equal(got, reference(built.design, built.design.frames))


@pytest.mark.slow
def test_interval_and_latency(built: Built) -> None:
    """Without stalls, frames leave every NF*SF cycles, NF*SF + 2 after they enter."""
    c = built.design.case
    _, in_first, out_last = run(built, 0.0, 0)
    steps = c.nf * c.sf
    assert set(np.diff(out_last)[WARMUP_FRAMES:].tolist()) == {steps}
    assert set((out_last - in_first).tolist()) == {steps + LATENCY_EXTRA}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_clean(case: Case, tmp_path: Path) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    design = make_design(case)
    lint(SOURCES, TOP, design.params(f"{tmp_path}/"))
