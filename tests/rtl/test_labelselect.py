# SPDX-License-Identifier: Apache-2.0
"""Verilator tests of rtl/qnngen_labelselect.sv against numpy's stable argsort and its model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.layers.labelselect_timing import labelselect_interval, labelselect_out_times
from qnngen.packing import pack_beats, unpack_beats
from qnngen.sim import LintError, Ports, Simulator, build_model, lint

RTL = Path(__file__).resolve().parents[2] / "rtl" / "qnngen_labelselect.sv"
TOP = "qnngen_labelselect"
N_FRAMES = 6  # random, all-maximum, all-minimum (all tied), two-value, random, random
INTERVAL_FRAMES = 10


@dataclass(frozen=True)
class Case:
    """One parameter point of the top-K selector."""

    name: str
    n: int
    pe: int
    k: int
    bits: int
    signed: bool
    spare_bits: int = 0  # OUT_BITS beyond max(1, clog2(N)): indices must be zero-extended

    @property
    def lo_hi(self) -> tuple[int, int]:
        """Smallest and largest input value."""
        if self.signed:
            return -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
        return 0, (1 << self.bits) - 1

    @property
    def out_bits(self) -> int:
        """Width of an output index."""
        return max(1, (self.n - 1).bit_length()) + self.spare_bits

    def params(self) -> dict[str, int]:
        """Verilog parameters of the case."""
        return {
            "N": self.n, "PE": self.pe, "BITS": self.bits, "SIGNED": int(self.signed),
            "K": self.k, "OUT_BITS": self.out_bits,
        }  # fmt: skip

    @property
    def geometry(self) -> tuple[int, int, int]:
        """Arguments (n, pe, k) of the timing model."""
        return self.n, self.pe, self.k

    @property
    def in_beats(self) -> int:
        """Input beats per frame."""
        return self.n // self.pe


CASES = (
    # ArgMax: one value per beat, one index out.
    Case("n10_pe1_k1_int8", 10, 1, 1, 8, True),
    # K > N/PE: the last beat of a frame waits for the previous frame's 3 indices to drain.
    Case("n10_pe5_k3_uint4", 10, 5, 3, 4, False),
    # A whole frame per beat and a full sort (K = N): every beat is first and last.
    Case("n7_pe7_k7_int3", 7, 7, 7, 3, True),
    # Many ties: 2-bit values in 16 labels, wide indices.
    Case("ties_n16_pe4_k5_uint2", 16, 4, 5, 2, False, spare_bits=2),
    # Signed 1-bit values (-1, 0): nothing but ties.
    Case("ties_n6_pe2_k4_int1", 6, 2, 4, 1, True),
)


def make_values(case: Case, n: int, seed: int) -> np.ndarray:
    """(n, N) frames: random; frames 1-3 all-max, all-min and from the two top values."""
    lo, hi = case.lo_hi
    rng = np.random.default_rng(seed)
    values = rng.integers(lo, hi + 1, (n, case.n))
    if n >= 4:
        values[1], values[2] = hi, lo
        values[3] = rng.integers(max(lo, hi - 1), hi + 1, case.n)
    return values


def top_k(case: Case, values: np.ndarray) -> np.ndarray:
    """Expected outputs (n, K): indices by descending value, lower index first among ties."""
    return np.argsort(-values, axis=1, kind="stable")[:, : case.k]


def pack_values(case: Case, values: np.ndarray) -> np.ndarray:
    """Frames as input beats (n, N/PE, words)."""
    return pack_beats(values, case.bits, case.pe)


def unpack_indices(case: Case, words: np.ndarray) -> np.ndarray:
    """Output beats (n, K, words) as indices (n, K)."""
    return unpack_beats(words, case.out_bits, 1, signed=False)


def build(case: Case, build_dir: Path) -> Path:
    """Verilated model of one case (cached in build_dir)."""
    ports = Ports(TOP, case.pe * case.bits, case.out_bits)
    return build_model([RTL], ports, build_dir, case.params())


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def built(request: pytest.FixtureRequest, sim_build_dir: Path) -> tuple[Case, Path]:
    """Build one case's model once per module."""
    return request.param, build(request.param, sim_build_dir)


@pytest.mark.parametrize(("stalls", "seed"), [(0.0, 1), (0.3, 2), (0.3, 3)])
def test_matches_reference(built: tuple[Case, Path], stalls: float, seed: int) -> None:
    """Back-to-back frames give exactly numpy's stable top-K, with and without bubbles."""
    case, library = built
    values = make_values(case, N_FRAMES, seed)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_values(case, values), case.k, stalls, seed)
    np.testing.assert_array_equal(unpack_indices(case, res.outputs), top_k(case, values))


def test_interval_and_latency(built: tuple[Case, Path]) -> None:
    """Without stalls, frame f's last index leaves at N/PE - 1 + f*max(N/PE, K) + K."""
    case, library = built
    values = make_values(case, INTERVAL_FRAMES, 0)
    with Simulator(library) as sim:
        res = sim.run_batch(pack_values(case, values), case.k)
    np.testing.assert_array_equal(unpack_indices(case, res.outputs), top_k(case, values))
    interval = labelselect_interval(*case.geometry)
    assert interval == max(case.in_beats, case.k)
    assert set(np.diff(res.out_last_cycle).tolist()) == {interval}
    assert set(np.diff(res.in_first_cycle[1:]).tolist()) == {interval}
    last_in = case.in_beats - 1 + np.arange(INTERVAL_FRAMES) * interval
    np.testing.assert_array_equal(res.out_last_cycle, last_in + case.k)


def run_per_cycle(
    sim: Simulator, case: Case, values: np.ndarray, bubbles: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames back to back from reset with random input bubbles and the output always ready.

    Returns the accept cycles of the input and of the output beats, (frames, beats) each, and
    the output beats as a (frames, K, 1) uint32 array.
    """
    beats = pack_values(case, values)
    n, n_in, n_words = beats.shape
    words = [sum(int(w) << (32 * i) for i, w in enumerate(b)) for b in beats.reshape(-1, n_words)]
    rng = np.random.default_rng(seed)
    in_t, out_t, out_data = [], [], []
    sim.reset()
    offered = False
    while len(out_t) < n * case.k or len(in_t) < len(words):
        if not offered and len(in_t) < len(words):
            offered = bool(rng.random() >= bubbles)
        sim.poke(offered, words[len(in_t)] if offered else 0, True)
        peek = sim.peek()
        cycle = sim.cycle
        if peek.m_valid:
            out_t.append(cycle)
            out_data.append([peek.m_data])
        if offered and peek.s_ready:
            in_t.append(cycle)
            offered = False
        sim.step()
        assert cycle < 50 * (len(words) + n * case.k), "no progress"
    data = np.array(out_data, dtype=np.uint32).reshape(n, case.k, 1)
    return np.reshape(in_t, (n, n_in)), np.reshape(out_t, (n, case.k)), data


@pytest.mark.parametrize("bubbles", [0.0, 0.5])
def test_beat_times_match_model(built: tuple[Case, Path], bubbles: float) -> None:
    """Every output beat of 4 back-to-back frames is accepted when labelselect_out_times says."""
    case, library = built
    with Simulator(library) as sim:
        for seed in range(2):
            values = make_values(case, 4, seed)
            in_t, out_t, data = run_per_cycle(sim, case, values, bubbles, seed)
            for f in range(len(values)):
                np.testing.assert_array_equal(
                    out_t[f], labelselect_out_times(*case.geometry, in_t[f])
                )
            np.testing.assert_array_equal(unpack_indices(case, data), top_k(case, values))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_clean(case: Case) -> None:
    """`verilator --lint-only -Wall` reports nothing for the case's parameters."""
    lint([RTL], TOP, case.params())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PE": 3}, "PE must divide N"),
        ({"K": 11}, "1 <= K <= N"),
        ({"OUT_BITS": 3}, "OUT_BITS >= max"),
    ],
)
def test_refuses_bad_parameters(change: dict[str, int], message: str) -> None:
    """PE not dividing N, K beyond N, or indices narrower than clog2(N) stop elaboration."""
    params = {**CASES[0].params(), **change}
    with pytest.raises(LintError, match=message):
        lint([RTL], TOP, params)


def test_model_refuses_bad_parameters() -> None:
    """The timing model rejects what the RTL rejects."""
    with pytest.raises(ValueError, match="must divide"):
        labelselect_interval(10, 3, 1)
    with pytest.raises(ValueError, match="K=11"):
        labelselect_out_times(10, 1, 11, np.arange(10))
