# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_maxpool.sv against a numpy reshape-max and its cycle model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.pool_timing import maxpool_interval, maxpool_out_times
from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import LintError, Ports, Simulator, build_model, lint

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_maxpool.sv"
SOURCES = [RTL, RTL.parent / "qnngen_ram.sv"]
TOP = "qnngen_maxpool"
N_FRAMES = 4
INTERVAL_FRAMES = 10
LATENCY = 2  # documented: output beat accepted 2 cycles after the beat completing its window


@dataclass(frozen=True)
class Case:
    """One parameter point of the pooling unit."""

    name: str
    c: int
    h: int
    w: int
    k: int
    simd: int
    bits: int
    signed: bool

    def params(self) -> dict[str, int]:
        """Verilog parameters of the case."""
        return {
            "C": self.c, "IFM_H": self.h, "IFM_W": self.w, "K": self.k, "STRIDE": self.k,
            "SIMD": self.simd, "BITS": self.bits, "SIGNED": int(self.signed),
        }  # fmt: skip

    @property
    def geometry(self) -> tuple[int, int, int, int, int]:
        """Arguments (c, ifm_h, ifm_w, k, simd) of the timing model."""
        return self.c, self.h, self.w, self.k, self.simd

    @property
    def in_beats(self) -> int:
        """Input beats per frame."""
        return self.h * self.w * self.c // self.simd

    @property
    def out_beats(self) -> int:
        """Output beats per frame."""
        return (self.h // self.k) * (self.w // self.k) * self.c // self.simd

    @property
    def cropped(self) -> bool:
        """Whether rows or columns are dropped at the bottom or right."""
        return self.h % self.k != 0 or self.w % self.k != 0


CASES = (
    Case("k2_simd1_uint4", 4, 6, 8, 2, 1, 4, False),
    # Odd sizes with cropped rows and columns, signed.
    Case("k3_crop_signed", 6, 7, 8, 3, 3, 5, True),
    # Bipolar as unsigned 1-bit (max = OR), all channels in one beat.
    Case("k2_bipolar_simd_c", 8, 5, 5, 2, 8, 1, False),
    # One channel: consecutive beats update the same accumulator word.
    Case("k2_c1_int8", 1, 4, 6, 2, 1, 8, True),
    # One window covering the image, a cropped column.
    Case("k4_single_window", 2, 4, 5, 4, 1, 3, True),
)


def random_images(case: Case, n: int, seed: int) -> np.ndarray:
    """Random (n, H, W, C) images over the element range."""
    lo, hi = (-(1 << (case.bits - 1)), 1 << (case.bits - 1)) if case.signed else (0, 1 << case.bits)
    return np.random.default_rng(seed).integers(lo, hi, (n, case.h, case.w, case.c))


def maxpool(case: Case, images: np.ndarray) -> np.ndarray:
    """Expected NHWC outputs, flattened per frame: crop, then reshape and max."""
    oh, ow, k = case.h // case.k, case.w // case.k, case.k
    windows = images[:, : oh * k, : ow * k, :].reshape(len(images), oh, k, ow, k, case.c)
    return windows.max(axis=(2, 4)).reshape(len(images), -1)


def pack_images(case: Case, images: np.ndarray) -> np.ndarray:
    """NHWC images as input beats (N, IN_BEATS, words)."""
    return pack_beats(images.reshape(len(images), -1), case.bits, case.simd)


def build(case: Case, build_dir: Path) -> Path:
    """Verilated model of one case (cached in build_dir)."""
    width = case.simd * case.bits
    return build_model(SOURCES, Ports(TOP, width, width), build_dir, case.params())


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, sim_build_dir: Path) -> tuple[Case, Path]:
    """Build one case's model once per module."""
    return request.param, build(request.param, sim_build_dir)


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2), (0.3, 3)])
def test_matches_reference(built: tuple[Case, Path], stalls: float, seed: int) -> None:
    """Back-to-back frames give exactly the numpy max, with and without bubbles."""
    case, library = built
    images = random_images(case, N_FRAMES, seed)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.out_beats, stalls, seed)
    got = unpack_beats(res.outputs, case.bits, case.simd, signed=case.signed)
    np.testing.assert_array_equal(got, maxpool(case, images))


def test_interval_and_latency(built: tuple[Case, Path]) -> None:
    """Without stalls, a frame takes IN_BEATS cycles; uncropped frames leave IN_BEATS + 1 after."""
    case, library = built
    images = random_images(case, INTERVAL_FRAMES, 0)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.out_beats)
    interval = maxpool_interval(*case.geometry)
    assert interval == case.in_beats
    np.testing.assert_array_equal(res.in_first_cycle, np.arange(INTERVAL_FRAMES) * interval)
    assert set(np.diff(res.out_last_cycle).tolist()) == {interval}
    if not case.cropped:
        assert set((res.out_last_cycle - res.in_first_cycle).tolist()) == {case.in_beats + 1}


def run_per_cycle(
    sim: Simulator, case: Case, image: np.ndarray, bubbles: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One frame from reset with random input bubbles and the output always ready.

    Returns the accept cycles of the input and of the output beats, and the output beats as a
    (1, beats, words) uint32 frame.
    """
    beats = pack_images(case, image[None])[0]
    words = [sum(int(w) << (32 * i) for i, w in enumerate(b)) for b in beats]
    n_words = beats.shape[1]
    rng = np.random.default_rng(seed)
    in_t, out_t, out_data = [], [], []
    sim.reset()
    offered = False
    while len(out_t) < case.out_beats or len(in_t) < len(words):
        if not offered and len(in_t) < len(words):
            offered = bool(rng.random() >= bubbles)
        sim.poke(offered, words[len(in_t)] if offered else 0, True)
        peek = sim.peek()
        cycle = sim.cycle
        if peek.m_valid:
            out_t.append(cycle)
            out_data.append([(peek.m_data >> (32 * i)) & 0xFFFFFFFF for i in range(n_words)])
        if offered and peek.s_ready:
            in_t.append(cycle)
            offered = False
        sim.step()
        assert cycle < 50 * len(words), "no progress"
    return np.array(in_t), np.array(out_t), np.array([out_data], dtype=np.uint32)


@pytest.mark.parametrize("name", ["k3_crop_signed", "k2_c1_int8"])
@pytest.mark.parametrize("bubbles", [0.0, 0.5])
def test_beat_times_match_model(sim_build_dir: Path, name: str, bubbles: float) -> None:
    """Every output beat is accepted exactly when maxpool_out_times predicts."""
    case = next(c for c in CASES if c.name == name)
    with Simulator(build(case, sim_build_dir)) as sim:
        for seed in range(3):
            image = random_images(case, 1, seed)[0]
            in_t, out_t, data = run_per_cycle(sim, case, image, bubbles, seed)
            np.testing.assert_array_equal(out_t, maxpool_out_times(*case.geometry, in_t))
            got = unpack_beats(data, case.bits, case.simd, signed=case.signed)
            np.testing.assert_array_equal(got, maxpool(case, image[None]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint(SOURCES, TOP, case.params())


def test_refuses_overlapping_windows() -> None:
    """STRIDE != K stops elaboration with the module's $error."""
    params = {**CASES[0].params(), "STRIDE": 1}
    with pytest.raises(LintError, match="STRIDE must equal K"):
        lint(SOURCES, TOP, params)
