# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_swu.sv against an independent numpy im2col and its cycle model."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.swu_timing import SwuParams, swu_interval, swu_out_times
from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import Ports, Simulator, build_model, lint

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_swu.sv"
SOURCES = [RTL, RTL.parent / "qnngen_ram.sv"]
TOP = "qnngen_swu"
N_FRAMES = 4
INTERVAL_FRAMES = 10
WARMUP_FRAMES = 3  # frames before the measured steady state


@dataclass(frozen=True)
class Case:
    """One parameter point: the timing geometry, element width, signedness, pad value, order."""

    name: str
    geom: SwuParams
    bits: int
    signed: bool
    pad_value: int
    depthwise: bool = False  # window beats for g, ky, kx instead of ky, kx, g

    def params(self) -> dict[str, int]:
        """Verilog parameters of the case (DEPTHWISE only when set: default builds unchanged)."""
        extra = {"DEPTHWISE": 1} if self.depthwise else {}
        return {k.upper(): v for k, v in asdict(self.geom).items()} | {
            "BITS": self.bits, "PAD_VALUE": self.pad_value,
        } | extra  # fmt: skip

    @property
    def width(self) -> int:
        """Bits per beat, in and out."""
        return self.geom.simd * self.bits


CASES = (
    # 3x3 "same" convolution, odd width, SIMD=1, a pad value that needs masking to 4 bits.
    Case("k3_same_simd1", SwuParams(4, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1, simd=1), 4, False, 21),
    # Rectangular kernel, different strides, asymmetric padding, negative pad value.
    Case("k3x2_s2x1_asym", SwuParams(6, 7, 9, 3, 2, 2, 1, 2, 0, 1, 3, simd=3), 5, True, -3),
    # Pointwise kernel with stride 2 on one channel of 1-bit elements (input bound).
    Case("k1_s2_c1", SwuParams(1, 7, 5, 1, 1, 2, 2, simd=1), 1, False, 0),
    # Kernel as large as the image: one output pixel, SIMD = C.
    Case("k_full_image", SwuParams(3, 4, 5, 4, 5, 1, 1, simd=3), 8, True, 0),
    # 2x2 stride 2: as many output as input beats; no padding, cropped last row and column.
    Case("k2_s2_balanced", SwuParams(2, 7, 9, 2, 2, 2, 2, simd=2), 2, True, 0),
    # 3x3 without padding: the next frame's first rows do not fit beside the last ones.
    Case("k3_valid_c8", SwuParams(8, 6, 6, 3, 3, 1, 1, simd=4), 3, False, 0),
    # Depthwise order: 3x3 "same" with two channel groups, and the asymmetric strided case.
    Case("dw_k3_same_cf2", SwuParams(4, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, simd=2), 4, True, -5, True),
    Case("dw_k3x2_s2x1", SwuParams(6, 7, 9, 3, 2, 2, 1, 2, 0, 1, 3, simd=3), 5, True, -3, True),
    # Depthwise with SIMD = 1 (element order (c, ky, kx)) and a kernel as large as the image.
    Case("dw_k_full_simd1", SwuParams(3, 4, 5, 4, 5, 1, 1, simd=1), 3, False, 0, True),
)


def masked(value: int, bits: int, signed: bool) -> int:
    """value as a bits-wide element reads back: masked, then sign-extended when signed."""
    v = value & ((1 << bits) - 1)
    return v - (1 << bits) if signed and v >> (bits - 1) else v


def random_images(case: Case, n: int, seed: int) -> np.ndarray:
    """Random (n, IFM_H, IFM_W, C) images over the element range."""
    g, bits = case.geom, case.bits
    lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if case.signed else (0, 1 << bits)
    return np.random.default_rng(seed).integers(lo, hi, (n, g.ifm_h, g.ifm_w, g.ifm_ch))


def im2col(case: Case, image: np.ndarray) -> np.ndarray:
    """Expected output stream of one image: (OH*OW, K_H*K_W*C) windows of the padded image.

    Window elements in (ky, kx, c) order, or for depthwise in (g, ky, kx, s) order, c = g*SIMD+s.
    """
    g = case.geom
    padded = np.pad(
        image,
        ((g.pad_top, g.pad_bottom), (g.pad_left, g.pad_right), (0, 0)),
        constant_values=masked(case.pad_value, case.bits, case.signed),
    )
    windows = []
    for oy in range(g.oh):
        for ox in range(g.ow):
            y, x = oy * g.stride_h, ox * g.stride_w
            win = padded[y : y + g.k_h, x : x + g.k_w, :]
            if case.depthwise:
                win = win.reshape(g.k_h, g.k_w, g.ifm_ch // g.simd, g.simd).transpose(2, 0, 1, 3)
            windows.append(win.reshape(-1))
    return np.stack(windows)


def pack_images(case: Case, images: np.ndarray) -> np.ndarray:
    """NHWC images as input beats (N, IN_BEATS, words)."""
    return pack_beats(images.reshape(len(images), -1), case.bits, case.geom.simd)


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, sim_build_dir: Path) -> tuple[Case, Path]:
    """Build one case's model once per module."""
    case: Case = request.param
    ports = Ports(TOP, case.width, case.width)
    return case, build_model(SOURCES, ports, sim_build_dir, case.params())


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2), (0.3, 3)])
def test_matches_im2col(built: tuple[Case, Path], stalls: float, seed: int) -> None:
    """Back-to-back frames give exactly the numpy windows, with and without bubbles."""
    case, library = built
    images = random_images(case, N_FRAMES, seed)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.geom.out_beats, stalls, seed)
    got = unpack_beats(res.outputs, case.bits, case.geom.simd, signed=case.signed)
    want = np.stack([im2col(case, im).reshape(-1) for im in images])
    np.testing.assert_array_equal(got, want)


def test_interval_matches_model(built: tuple[Case, Path]) -> None:
    """Without stalls, frames complete every swu_interval cycles."""
    case, library = built
    images = random_images(case, INTERVAL_FRAMES, 0)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_images(case, images), case.geom.out_beats)
    steady = np.diff(res.out_last_cycle)[WARMUP_FRAMES:]
    assert set(steady.tolist()) == {swu_interval(case.geom)}


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
    while len(out_t) < case.geom.out_beats or len(in_t) < len(words):
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
        assert cycle < 50 * (len(words) + case.geom.out_beats), "no progress"
    return np.array(in_t), np.array(out_t), np.array([out_data], dtype=np.uint32)


@pytest.mark.parametrize("name", ["k3x2_s2x1_asym", "k1_s2_c1", "dw_k3x2_s2x1"])
@pytest.mark.parametrize("bubbles", [0.0, 0.3, 0.7])
def test_beat_times_match_model(sim_build_dir: Path, name: str, bubbles: float) -> None:
    """Every output beat is accepted exactly when swu_out_times predicts, for any input timing."""
    case = next(c for c in CASES if c.name == name)
    library = build_model(SOURCES, Ports(TOP, case.width, case.width), sim_build_dir, case.params())
    with Simulator(library) as sim:
        for seed in range(3):
            image = random_images(case, 1, seed)[0]
            in_t, out_t, data = run_per_cycle(sim, case, image, bubbles, seed)
            np.testing.assert_array_equal(out_t, swu_out_times(case.geom, in_t))
            got = unpack_beats(data, case.bits, case.geom.simd, signed=case.signed)
            np.testing.assert_array_equal(got[0], im2col(case, image).reshape(-1))


def documented_interval(g: SwuParams) -> int | None:
    """The header's closed form, or None outside the shapes it covers."""
    padded_h = g.ifm_h + g.pad_top + g.pad_bottom
    if g.stride_h > g.k_h or (padded_h - g.k_h) % g.stride_h:
        return None
    if g.out_row_beats < g.stride_h * g.row_beats:
        return None
    first = min(max(g.k_h - g.pad_top, 0), g.ifm_h)
    last = min(max(g.k_h - g.pad_bottom, 0), g.ifm_h)
    wait_rows = max(0, first + last - (g.k_h + g.stride_h))
    return max(g.in_beats, g.out_beats + wait_rows * g.row_beats)


@pytest.mark.parametrize(
    ("geom", "expected"),
    [
        (SwuParams(16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, simd=4), 32 * 32 * 36),
        (SwuParams(16, 32, 32, 3, 3, 1, 1, simd=4), 30 * 30 * 36 + 2 * 128),
        (SwuParams(16, 32, 32, 3, 3, 2, 2, 1, 0, 1, 0, simd=4), 16 * 16 * 36),
        (SwuParams(16, 32, 32, 2, 2, 2, 2, simd=16), 32 * 32),
        (SwuParams(16, 32, 32, 1, 1, 2, 2, simd=16), 32 * 32),
        (SwuParams(1, 28, 28, 5, 5, 1, 1, simd=1), 24 * 24 * 25 + 4 * 28),
    ],
)
def test_interval_common_shapes(geom: SwuParams, expected: int) -> None:
    """Common layers run at max(IN_BEATS, OUT_BEATS) plus the documented frame-boundary rows."""
    assert swu_interval(geom) == expected


def test_interval_closed_form() -> None:
    """swu_interval equals the header's closed form on every covered random shape."""
    rng = np.random.default_rng(0)
    covered = 0
    while covered < 300:
        h, w, kh, kw = (int(v) for v in rng.integers(1, 13, 4))
        sh, sw, pt, pb, pl, pr = (
            int(v) for v in rng.integers([1, 1, 0, 0, 0, 0], [4, 4, 3, 3, 3, 3])
        )
        kh, kw = min(kh, h + pt + pb), min(kw, w + pl + pr)
        g = SwuParams(int(rng.choice([1, 2, 4])), h, w, kh, kw, sh, sw, pt, pb, pl, pr)
        expected = documented_interval(g)
        if expected is not None:
            assert swu_interval(g) == expected, g
            covered += 1


LINT_ONLY = (
    # A CIFAR-sized layer: block-RAM line buffer.
    Case("k3_same_32x32x64", SwuParams(64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, simd=8), 4, True, 0),
    # Stride above the kernel and padding above it: the first output row is all padding.
    Case("k2_s3_pad3", SwuParams(2, 3, 3, 2, 2, 3, 3, 3, 0, 0, 1, simd=1), 2, False, 1),
)


@pytest.mark.parametrize("case", CASES + LINT_ONLY, ids=[c.name for c in CASES + LINT_ONLY])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint(SOURCES, TOP, case.params())
