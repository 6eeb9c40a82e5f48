# SPDX-License-Identifier: Apache-2.0
"""`simulate --kernel`: every shared model and bundled example through the whole kernel (AXI
shell + core) with host memory, each on one of the boards of the four memory-port flavours in
turn (every board gets several models; `scripts/bench_kernel.py` runs every model on every
board): bit-exact against the numpy reference with random memory latency and stalls, and at the
core's pace where the memory port covers the streams (else at the memory-bound figure)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from helpers import EXAMPLES, SHARED_CNVS, SHARED_MLPS, SHARED_MODELS, model_files

from qnngen.cli import main
from qnngen.sim.design_run import SimResult, simulate

BOARDS = ("pynq-z2", "zcu104", "alveo-u250", "aws-f1")
EXAMPLE_MODELS = ("tfc_w1a1", "mlp_w2a2", "cnv_w1a1", "cnv_w2a2", "resnet_w4a4")
#: foldings as the end-to-end tests use them: a target rate per family
MLP_FPS, CONV_FPS = "20000", "2000"
MLP_FRAMES, CONV_FRAMES = 12, 4
STALLS = 0.2
#: buffers above 4 GiB, 64 bytes before a 4 KB boundary (any burst from there must split)
IN_ADDR, OUT_ADDR = 0x1_2345_6FC0, 0x3_0000_0FC0
#: cases that run without --slow-marked selection: one binary MLP on the narrowest and a wide port
FAST = {("example", "tfc_w1a1", "pynq-z2"), ("example", "tfc_w1a1", "aws-f1")}
TOLERANCE = 0.05


@cache
def _compiled(root: Path, source: str, name: str, board: str, fps: str) -> Path:
    """Compile a model once per test session (shared by the tests that need it)."""
    folder = EXAMPLES if source == "example" else SHARED_MODELS
    out = root / f"{source}-{name}-{board}-{fps}"
    if not (out / "design.json").is_file():
        model = folder / f"{name}.onnx"
        assert (
            main(["compile", str(model), "-o", str(out), "--board", board, "--target-fps", fps])
            == 0
        )
    return out


def _cases() -> list:
    models = [("example", n) for n in EXAMPLE_MODELS] + [
        ("shared", n) for n in SHARED_MLPS + SHARED_CNVS
    ]
    cases = [(source, name, BOARDS[i % len(BOARDS)]) for i, (source, name) in enumerate(models)]
    return [
        pytest.param(
            *case, id="-".join(case), marks=() if case in FAST else pytest.mark.slow
        )
        for case in sorted(set(cases) | FAST)
    ]


def _check_pace(res: SimResult) -> None:
    """The kernel's cycles per frame: the core's interval when the memory port covers the
    streams, else the memory-bound figure (one word per cycle per channel, stretched by the
    stalls), each within TOLERANCE."""
    k = res.kernel
    assert k is not None and k.interval_cycles is not None
    expected = k.pace.expected_interval_cycles
    side = k.pace.pace
    assert abs(k.interval_cycles - expected) <= TOLERANCE * expected, (
        f"kernel {k.interval_cycles:.1f} cycles per frame, {side}-bound figure {expected:.1f}"
    )


@pytest.mark.parametrize("source,name,board", _cases())
def test_kernel_bit_exact_and_on_pace(
    source, name, board, tmp_path_factory, sim_build_dir, record_property
) -> None:
    folder = EXAMPLES if source == "example" else SHARED_MODELS
    _, x, _ = model_files(name, folder)
    conv = x.ndim == 4
    x = x[: CONV_FRAMES if conv else MLP_FRAMES]
    out = _compiled(
        tmp_path_factory.getbasetemp(), source, name, board, CONV_FPS if conv else MLP_FPS
    )
    res = simulate(
        out,
        x,
        stalls=STALLS,
        seed=len(name) + len(board),
        kernel=True,
        in_addr=IN_ADDR,
        out_addr=OUT_ADDR,
        build_dir=sim_build_dir,
    )
    assert res.frames == len(x) and res.mismatches_vs_reference == 0
    np.testing.assert_array_equal(res.rtl_stream, res.reference_stream)
    k = res.kernel
    for key, value in k.as_json(res.frames).items():  # the cycles table, via --junitxml
        record_property(key, value)
    # every input word read once and every output word written once, in each of the two runs
    assert k.stats["read_beats"] == (len(x) + 1) * k.pace.words_per_frame_in
    assert k.stats["write_beats"] == (len(x) + 1) * k.pace.words_per_frame_out
    _check_pace(res)


def test_memory_bound_kernel(tmp_path, sim_build_dir) -> None:
    """tfc_w1a1 at the fastest folding of a PYNQ-Z2 needs 4 cycles per frame but reads 13
    64-bit words per frame: the memory port sets the pace, at one word per cycle less the stalls."""
    out = tmp_path / "out"
    assert (
        main(["compile", "tfc_w1a1", "-o", str(out), "--board", "pynq-z2", "--target-fps", "max"])
        == 0
    )
    x = np.random.default_rng(1).uniform(-1, 1, size=(600, 784)).astype(np.float32)
    for stalls in (0.0, STALLS):
        res = simulate(out, x, stalls=stalls, seed=4, kernel=True, build_dir=sim_build_dir)
        assert res.mismatches_vs_reference == 0
        assert res.kernel.pace.pace == "memory"
        assert res.kernel.pace.memory_bound_cycles == 13  # ceil(784 bits / 64)
        assert res.kernel.stats["max_reads_in_flight"] >= 2  # latency hidden by outstanding bursts
        _check_pace(res)


@pytest.fixture(scope="module")
def tfc_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    assert (
        main(["compile", "tfc_w1a1", "-o", str(out), "--board", "pynq-z2", "--target-fps", MLP_FPS])
        == 0
    )
    return out


def test_cli_simulate_kernel(tfc_out: Path, capsys) -> None:
    _, x, ref = model_files("tfc_w1a1", EXAMPLES)
    y_path = tfc_out.parent / "y.npy"
    code = main(
        [
            "simulate",
            str(tfc_out),
            "--kernel",
            "--stalls",
            "0.3",
            "--seed",
            "9",
            "--in-addr",
            "0x2_0000_0000",
            "--out-addr",
            "0x1000",
            "-o",
            str(y_path),
        ]
    )
    assert code == 0
    sim = json.loads((tfc_out / "sim.json").read_text())
    assert sim["kernel"] is True and sim["frames"] == len(x) and sim["mismatches_vs_reference"] == 0
    assert sim["stalls"] == 0.3 and sim["seed"] == 9
    assert sim["in_addr"] == "0x200000000" and sim["out_addr"] == "0x1000"
    assert sim["memory_bits"] == 64 and sim["memory_words_per_frame"] == {"in": 13, "out": 2}
    assert sim["pace"] == "core"
    assert (
        abs(sim["kernel_interval_cycles"] - sim["core_interval_cycles"])
        <= TOLERANCE * sim["core_interval_cycles"]
    )
    np.testing.assert_array_equal(np.load(y_path), ref)  # binary logits: integers, exact
    assert "the core sets the pace" in capsys.readouterr().out


def test_cli_kernel_flags_a_corrupted_design(tfc_out: Path) -> None:
    """Weights are read at simulation start, so a corrupted .mem reuses the built model."""
    mem = tfc_out / "rtl" / "mvtu_0_w.mem"
    lines = mem.read_text().splitlines()
    lines[0] = "".join("f" if c != "f" else "0" for c in lines[0])
    mem.write_text("\n".join(lines) + "\n")
    assert main(["simulate", str(tfc_out), "--kernel", "--seed", "2"]) == 1
    assert json.loads((tfc_out / "sim.json").read_text())["mismatches_vs_reference"] > 0


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--in-addr", "0x1000"],
            "--in-addr / --out-addr place the kernel's buffers: give them with --kernel",
        ),
        (["--kernel", "--out-addr", "-5"], "--out-addr -5: give a byte address in 0..2**64-1"),
        (
            ["--kernel", "--in-addr", "0x1_0000_0000_0000_0000"],
            "--in-addr 0x1_0000_0000_0000_0000: give",
        ),
        (["--kernel", "--in-addr", "0x1004"], "in_addr 0x1004: must be a multiple of 8 bytes"),
        (["--kernel", "--in-addr", "0x1000", "--out-addr", "0x1040"], "out_addr: buffer 0x1040"),
    ],
)
def test_cli_address_errors(tfc_out: Path, capsys, args, message) -> None:
    assert main(["simulate", str(tfc_out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
