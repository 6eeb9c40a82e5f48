# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_gap.sv against a numpy per-channel sum and its cycle model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.gap_timing import gap_interval, gap_out_times
from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import LintError, Ports, Simulator, build_model, lint

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_gap.sv"
SOURCES = [RTL, RTL.parent / "qnngen_ram.sv"]
TOP = "qnngen_gap"
N_FRAMES = 4  # random, all-maximum, all-minimum, random: the extremes need every OUT_BITS bit
INTERVAL_FRAMES = 10
LATENCY = 2  # documented: output beat g accepted 2 cycles after the last pixel's beat g


@dataclass(frozen=True)
class Case:
    """One parameter point of the accumulating pool."""

    name: str
    c: int
    h: int
    w: int
    simd: int
    in_bits: int
    signed: bool
    spare_bits: int = 0  # OUT_BITS beyond the minimum holding N times the input range

    @property
    def lo_hi(self) -> tuple[int, int]:
        """Smallest and largest input element."""
        if self.signed:
            return -(1 << (self.in_bits - 1)), (1 << (self.in_bits - 1)) - 1
        return 0, (1 << self.in_bits) - 1

    @property
    def out_bits(self) -> int:
        """Narrowest OUT_BITS holding every sum (as the compiler sizes it), plus spare_bits."""
        lo, hi = (self.h * self.w * v for v in self.lo_hi)
        bits = max((-lo - 1).bit_length(), hi.bit_length()) + 1 if self.signed else hi.bit_length()
        return max(bits, self.in_bits) + self.spare_bits

    def params(self) -> dict[str, int]:
        """Verilog parameters of the case."""
        return {
            "C": self.c, "IFM_H": self.h, "IFM_W": self.w, "SIMD": self.simd,
            "IN_BITS": self.in_bits, "IN_SIGNED": int(self.signed), "OUT_BITS": self.out_bits,
        }  # fmt: skip

    @property
    def geometry(self) -> tuple[int, int, int, int]:
        """Arguments (c, ifm_h, ifm_w, simd) of the timing model."""
        return self.c, self.h, self.w, self.simd

    @property
    def in_beats(self) -> int:
        """Input beats per frame."""
        return self.h * self.w * self.c // self.simd

    @property
    def out_beats(self) -> int:
        """Output beats per frame."""
        return self.c // self.simd


CASES = (
    Case("c4_simd1_uint4", 4, 5, 7, 1, 4, False),
    # All channels in one beat (C/SIMD = 1: back-to-back updates of one word), 3-word output.
    Case("simd_c_int5", 8, 3, 5, 8, 5, True),
    # One channel, one word; a wider OUT_BITS than needed must still sign-extend correctly.
    Case("c1_int8_wide", 1, 4, 6, 1, 8, True, spare_bits=5),
    # A 1x1 image: every beat is both the first and the last pixel; OUT_BITS = IN_BITS.
    Case("n1_simd2_int3", 6, 1, 1, 2, 3, True),
    # Bipolar as unsigned 1-bit (the unit counts the +1s), odd sizes, two groups.
    Case("bin_odd_simd5", 10, 7, 9, 5, 1, False),
)


def make_images(case: Case, n: int, seed: int) -> np.ndarray:
    """(n, H, W, C) images: random over the element range, frames 1 and 2 all-max and all-min."""
    lo, hi = case.lo_hi
    images = np.random.default_rng(seed).integers(lo, hi + 1, (n, case.h, case.w, case.c))
    if n >= 3:
        images[1], images[2] = hi, lo
    return images


def global_sum(case: Case, images: np.ndarray) -> np.ndarray:
    """Expected outputs (n, C): each channel summed over all pixels."""
    return images.reshape(len(images), case.h * case.w, case.c).sum(axis=1)


def pack_images(case: Case, images: np.ndarray) -> np.ndarray:
    """NHWC images as input beats (N, IN_BEATS, words)."""
    return pack_beats(images.reshape(len(images), -1), case.in_bits, case.simd)


def unpack_sums(case: Case, words: np.ndarray) -> np.ndarray:
    """Output beats (N, OUT_BEATS, words) as sums (N, C)."""
    return unpack_beats(words, case.out_bits, case.simd, signed=case.signed)


def build(case: Case, build_dir: Path) -> Path:
    """Verilated model of one case (cached in build_dir)."""
    ports = Ports(TOP, case.simd * case.in_bits, case.simd * case.out_bits)
    return build_model(SOURCES, ports, build_dir, case.params())


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, sim_build_dir: Path) -> tuple[Case, Path]:
    """Build one case's model once per module."""
    return request.param, build(request.param, sim_build_dir)


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2), (0.3, 3)])
def test_matches_reference(built: tuple[Case, Path], stalls: float, seed: int) -> None:
    """Back-to-back frames give exactly the numpy sums, with and without bubbles."""
    case, library = built
    images = make_images(case, N_FRAMES, seed)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.out_beats, stalls, seed)
    np.testing.assert_array_equal(unpack_sums(case, res.outputs), global_sum(case, images))


def test_interval_and_latency(built: tuple[Case, Path]) -> None:
    """Without stalls, a frame takes IN_BEATS cycles and its last sum leaves IN_BEATS + 1 after."""
    case, library = built
    images = make_images(case, INTERVAL_FRAMES, 0)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.out_beats)
    np.testing.assert_array_equal(unpack_sums(case, res.outputs), global_sum(case, images))
    interval = gap_interval(*case.geometry)
    assert interval == case.in_beats
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(INTERVAL_FRAMES) * interval)
    assert set(np.diff(res.out_last_cycle).tolist()) == {interval}
    assert set((res.out_last_cycle - res.in_first_cycle).tolist()) == {case.in_beats + LATENCY - 1}


def run_per_cycle(
    sim: Simulator, case: Case, images: np.ndarray, bubbles: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames back to back from reset with random input bubbles and the output always ready.

    Returns the accept cycles of the input and of the output beats, (frames, beats) each, and
    the output beats as a (frames, OUT_BEATS, words) uint32 array.
    """
    beats = pack_images(case, images)
    n, n_in, n_words = beats.shape
    words = [sum(int(w) << (32 * i) for i, w in enumerate(b)) for b in beats.reshape(-1, n_words)]
    out_words = -(-case.simd * case.out_bits // 32)
    rng = np.random.default_rng(seed)
    in_t, out_t, out_data = [], [], []
    sim.reset()
    offered = False
    while len(out_t) < n * case.out_beats or len(in_t) < len(words):
        if not offered and len(in_t) < len(words):
            offered = bool(rng.random() >= bubbles)
        sim.poke(offered, words[len(in_t)] if offered else 0, True)
        peek = sim.peek()
        cycle = sim.cycle
        if peek.m_valid:
            out_t.append(cycle)
            out_data.append([(peek.m_data >> (32 * i)) & 0xFFFFFFFF for i in range(out_words)])
        if offered and peek.s_ready:
            in_t.append(cycle)
            offered = False
        sim.step()
        assert cycle < 50 * len(words), "no progress"
    data = np.array(out_data, dtype=np.uint32).reshape(n, case.out_beats, out_words)
    return np.reshape(in_t, (n, n_in)), np.reshape(out_t, (n, case.out_beats)), data


@pytest.mark.parametrize("name", ["c4_simd1_uint4", "simd_c_int5", "n1_simd2_int3"])
@pytest.mark.parametrize("bubbles", [0.0, 0.5])
def test_beat_times_match_model(sim_build_dir: Path, name: str, bubbles: float) -> None:
    """Every output beat of 3 back-to-back frames is accepted when gap_out_times predicts."""
    case = next(c for c in CASES if c.name == name)
    with Simulator(build(case, sim_build_dir)) as sim:
        for seed in range(2):
            images = make_images(case, 3, seed)
            in_t, out_t, data = run_per_cycle(sim, case, images, bubbles, seed)
            for f in range(len(images)):
                np.testing.assert_array_equal(out_t[f], gap_out_times(*case.geometry, in_t[f]))
            np.testing.assert_array_equal(unpack_sums(case, data), global_sum(case, images))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint(SOURCES, TOP, case.params())


@pytest.mark.parametrize(
    ("change", "message"),
    [({"SIMD": 3}, "SIMD must divide C"), ({"OUT_BITS": 3}, "IN_BITS <= OUT_BITS")],
)
def test_refuses_bad_parameters(change: dict[str, int], message: str) -> None:
    """SIMD not dividing C, or sums narrower than the input, stop elaboration with $error."""
    params = {**CASES[0].params(), **change}
    with pytest.raises(LintError, match=message):
        lint(SOURCES, TOP, params)
