# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_thresh.sv against a numpy threshold count."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.packing import hex_memory, pack_beats, unpack_beats
from qnngen.sim import LintError, Ports, Simulator, build_model, lint

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_thresh.sv"
SOURCES = [RTL, RTL.parent / "qnngen_rom.sv"]
TOP = "qnngen_thresh"
N_FRAMES = 6
PIXELS = 5  # per frame; the module itself has no notion of frames
LATENCY = 2  # documented: a beat accepted at cycle t is visible at t + 2


@dataclass(frozen=True)
class Case:
    """One parameter point of the threshold unit."""

    name: str
    c: int
    pe: int
    in_bits: int
    in_signed: bool
    n_thres: int
    out_bias: int = 0
    t_bits: int = 0  # 0: the module's default, the width of [lo, hi + 1]

    @property
    def thres_bits(self) -> int:
        """Width of a stored threshold."""
        return self.t_bits or self.in_bits + (1 if self.in_signed else 2)

    @property
    def lo(self) -> int:
        """Smallest input value."""
        return -(1 << (self.in_bits - 1)) if self.in_signed else 0

    @property
    def hi(self) -> int:
        """Largest input value."""
        return (1 << (self.in_bits - 1)) - 1 if self.in_signed else (1 << self.in_bits) - 1

    @property
    def out_signed(self) -> bool:
        """Whether output elements need a sign."""
        return self.out_bias < 0

    @property
    def out_bits(self) -> int:
        """Narrowest OUT_BITS holding OUT_BIAS + 0..N_THRES."""
        top = self.out_bias + self.n_thres
        if self.out_bias < 0:
            return max(int(self.out_bias).bit_length(), top.bit_length()) + 1
        return max(1, top.bit_length())

    @property
    def beats(self) -> int:
        """Input (and output) beats per frame."""
        return PIXELS * self.c // self.pe

    def params(self, mem_dir: str) -> dict[str, int | str]:
        """Verilog parameters of the case, thresholds in mem_dir."""
        params: dict[str, int | str] = {
            "C": self.c, "PE": self.pe, "IN_BITS": self.in_bits, "IN_SIGNED": int(self.in_signed),
            "N_THRES": self.n_thres, "OUT_BITS": self.out_bits, "OUT_BIAS": self.out_bias,
            "MEM_DIR": mem_dir, "T_FILE": "t.mem",
        }  # fmt: skip
        if self.t_bits:
            params["T_BITS"] = self.t_bits
        return params


CASES = (
    Case("uint4_pe1", 4, 1, 4, False, 3),
    # Signed input and output, three groups of three channels.
    Case("int6_pe3_signed_out", 9, 3, 6, True, 7, out_bias=-4),
    # One channel: every beat reads the same threshold word.
    Case("c1_int8_n15", 1, 1, 8, True, 15, out_bias=-8),
    # The whole pixel in one beat, 1-bit input.
    Case("uint1_pe_c", 8, 8, 1, False, 2),
    # Thresholds far outside the input range, wider than IN_BITS + 1.
    Case("wide_thresholds", 6, 2, 3, False, 4, out_bias=-2, t_bits=12),
)


def make_thresholds(case: Case, rng: np.random.Generator) -> np.ndarray:
    """Ascending (C, N_THRES) thresholds, ties included, from "always" to "never" reached."""
    if case.t_bits:
        half = 1 << (case.t_bits - 1)
        t = rng.integers(-half, half, (case.c, case.n_thres))
        t[:, 0] = -half  # far below the input range
        t[:, -1] = half - 1  # far above it
    else:
        t = rng.integers(case.lo, case.hi + 2, (case.c, case.n_thres))  # hi + 1 = never reached
    return np.sort(t, axis=1)


def reference(case: Case, frames: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Expected outputs (N, PIXELS*C): bias plus the count of thresholds reached."""
    x = frames.reshape(len(frames), PIXELS, case.c)
    count = (x[..., None] >= thresholds[None, None]).sum(axis=3)
    return (case.out_bias + count).reshape(len(frames), -1)


@dataclass(frozen=True)
class Built:
    """A case with its thresholds, input frames and verilated model."""

    case: Case
    thresholds: np.ndarray
    frames: np.ndarray
    library: Path


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sim_build_dir: Path
) -> Built:
    """Write one case's threshold memory and build its model once per module."""
    case: Case = request.param
    rng = np.random.default_rng(len(case.name))
    thresholds = make_thresholds(case, rng)
    frames = rng.integers(case.lo, case.hi + 1, (N_FRAMES, PIXELS * case.c))
    mem_dir = tmp_path_factory.mktemp(f"thresh_{case.name}")
    words = thresholds.reshape(case.c // case.pe, case.pe * case.n_thres)
    (mem_dir / "t.mem").write_text(hex_memory(words, case.thres_bits))
    ports = Ports(TOP, case.pe * case.in_bits, case.pe * case.out_bits)
    library = build_model(SOURCES, ports, sim_build_dir, case.params(f"{mem_dir}/"))
    return Built(case, thresholds, frames, library)


def run(built: Built, stalls: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stream the frames back to back; return decoded outputs, in_first and out_last cycles."""
    case = built.case
    frames = pack_beats(built.frames, case.in_bits, case.pe)
    with Simulator(built.library) as sim:
        res = sim.run_batch(frames, case.beats, stalls, seed)
    got = unpack_beats(res.outputs, case.out_bits, case.pe, signed=case.out_signed)
    return got, res.in_first_cycle, res.out_last_cycle


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2)])
def test_matches_reference(built: Built, stalls: float, seed: int) -> None:
    """Outputs equal the numpy threshold count exactly, with and without bubbles/backpressure."""
    got, _, _ = run(built, stalls, seed)
    np.testing.assert_array_equal(got, reference(built.case, built.frames, built.thresholds))


def test_throughput_and_latency(built: Built) -> None:
    """Without stalls, one beat per cycle and each beat visible LATENCY cycles after entering."""
    beats = built.case.beats
    _, in_first, out_last = run(built, 0.0, 0)
    np.testing.assert_array_equal(in_first, np.arange(N_FRAMES) * beats)
    np.testing.assert_array_equal(out_last, in_first + beats - 1 + LATENCY)


LINT_EXTRA = (
    # Deep table (block RAM sized), PE = 1.
    Case("deep_bram", 512, 1, 8, False, 3),
    Case("signed_wide_pe", 64, 16, 4, True, 15, out_bias=-8, t_bits=9),
)


@pytest.mark.parametrize("case", CASES + LINT_EXTRA, ids=[c.name for c in CASES + LINT_EXTRA])
def test_lint_clean(case: Case, tmp_path: Path) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint(SOURCES, TOP, case.params(f"{tmp_path}/"))


def test_refuses_pe_not_dividing_c(tmp_path: Path) -> None:
    """PE must divide C; otherwise elaboration stops with the module's $error."""
    with pytest.raises(LintError, match="PE must divide C"):
        lint(SOURCES, TOP, {**CASES[0].params(f"{tmp_path}/"), "PE": 3})
