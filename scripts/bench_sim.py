"""Benchmark compile and simulation speed on the bundled tfc_w1a1 at two foldings, and the
HLS C simulation next to Verilator on tfc_w1a1 and cnv_w1a1.

Prints one table row per folding: compile seconds (model -> OUT/rtl + report), Verilator build
seconds, the same build again (a cache hit), batched C++ simulation (cycles/s, frames/s) and the
same design driven one cycle at a time from Python (cycles/s), with the ratio between the two;
then how long packing 256 frames of 784 8-bit values into beats takes. A second table has one
row per model: Verilator build seconds and frames/s against g++ build seconds and frames/s of
the `--backend hls` C++ (`qnngen csim`), at the same folding.

    python scripts/bench_sim.py [--frames N] [--python-cycles N] [--csim-frames N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from qnngen.examples import sample_inputs
from qnngen.hls import csim
from qnngen.packing import pack_beats
from qnngen.pipeline import Options, compile_model
from qnngen.sim import Ports, Simulator, build_model
from qnngen.sim.design_run import encode, load_build

FOLDINGS = {"minimal (PE=SIMD=1)": None, "--target-fps 100000": 100000.0}
#: models of the C-simulation table and the --target-fps they are folded for
CSIM_MODELS = {"tfc_w1a1": 20000.0, "cnv_w1a1": 2000.0}


def _tiled(model: str, n: int) -> np.ndarray:
    """n frames: the example's sample inputs, repeated."""
    x = sample_inputs(model)
    return np.concatenate([x] * (n // len(x) + 1))[:n]


def _frames(out: Path, x: np.ndarray) -> tuple[np.ndarray, dict]:
    """x quantized and packed into the input beats of the build in out, and its design.json."""
    record, hw = load_build(out)
    sin = record["stream_in"]
    q = encode(hw.quantize_input(x), sin["dtype"])
    return pack_beats(q, int(sin["width"]) // int(sin["elems_per_beat"]), sin["elems_per_beat"]), record


def _verilate(out: Path, record: dict) -> tuple[Path, float]:
    """The Verilator library of the build in out and the seconds its build took."""
    t0 = time.perf_counter()
    lib = build_model(sorted((out / "rtl").glob("*.sv")),
                      Ports(record["top"], record["stream_in"]["width"], record["stream_out"]["width"]),
                      out / "sim_build", params={"MEM_DIR": f"{(out / 'rtl').resolve()}/"})
    return lib, time.perf_counter() - t0


def _python_loop(sim: Simulator, frames: np.ndarray, cycles: int) -> float:
    """Drive the design cycle by cycle from Python: poke, step, peek; return cycles/s."""
    beats = frames.reshape(-1, frames.shape[-1])
    words = [sum(int(w) << (32 * i) for i, w in enumerate(b)) for b in beats]
    sim.reset()
    k, t0 = 0, time.perf_counter()
    for _ in range(cycles):
        sim.poke(True, words[k % len(words)], True)
        if sim.peek().s_ready:
            k += 1
        sim.step()
    return cycles / (time.perf_counter() - t0)


def bench(label: str, target: float | None, n_frames: int, py_cycles: int, work: Path) -> list[str]:
    out = work / f"tfc_{len(label)}"
    t0 = time.perf_counter()
    compile_model("tfc_w1a1", out, Options(target_fps=target))
    t_compile = time.perf_counter() - t0
    frames, record = _frames(out, _tiled("tfc_w1a1", n_frames))
    lib, t_build = _verilate(out, record)
    _, t_cached = _verilate(out, record)
    with Simulator(lib) as sim:
        t0 = time.perf_counter()
        res = sim.run_batch(frames, record["stream_out"]["beats"])
        t_run = time.perf_counter() - t0
        py_rate = _python_loop(sim, frames, py_cycles)
    rate = res.cycles / t_run
    return [label, f"{t_compile:.2f}", f"{t_build:.1f}", f"{t_cached:.2f}", f"{rate / 1e6:.2f} M",
            f"{n_frames / t_run:,.0f}", f"{py_rate / 1e3:.0f} k", f"{rate / py_rate:,.0f}x"]


def bench_csim(model: str, target: float, n_frames: int, work: Path) -> list[str]:
    """Verilator and C simulation of the same folding: build seconds and frames/s of each."""
    x = _tiled(model, n_frames)
    rtl, hls = work / f"{model}_rtl", work / f"{model}_hls"
    compile_model(model, rtl, Options(target_fps=target))
    compile_model(model, hls, Options(target_fps=target, backend="hls"))
    frames, record = _frames(rtl, x)
    lib, t_build = _verilate(rtl, record)
    with Simulator(lib) as sim:
        t0 = time.perf_counter()
        sim.run_batch(frames, record["stream_out"]["beats"])
        v_fps = n_frames / (time.perf_counter() - t0)
    c = csim(hls, x)
    assert c.mismatches_vs_reference == 0
    return [model, f"{target:g}", str(n_frames), f"{t_build:.1f}", f"{v_fps:,.0f}", f"{c.build_seconds:.1f}",
            f"{c.fps:,.0f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=2000, help="frames for the batched run")
    ap.add_argument("--python-cycles", type=int, default=100_000, help="cycles for the per-cycle Python run")
    ap.add_argument("--csim-frames", type=int, default=64, help="frames for the Verilator vs C simulation table")
    args = ap.parse_args()
    table = Table(title="tfc_w1a1 simulation speed")
    for col in ("folding", "compile s", "verilator build s", "cached build s", "batched cycles/s",
                "batched frames/s", "per-cycle Python cycles/s", "speed-up"):
        table.add_column(col, justify="right")
    versus = Table(title="Verilator vs HLS C simulation (qnngen csim)")
    for col in ("model", "--target-fps", "frames", "verilator build s", "verilator frames/s", "csim build s",
                "csim frames/s"):
        versus.add_column(col, justify="right")
    work = Path(tempfile.mkdtemp(prefix="qnngen-bench-"))
    try:
        for label, target in FOLDINGS.items():
            table.add_row(*bench(label, target, args.frames, args.python_cycles, work))
        for model, target in CSIM_MODELS.items():
            versus.add_row(*bench_csim(model, target, args.csim_frames, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    console = Console(width=150)
    console.print(table)
    console.print(versus)
    values = np.random.default_rng(0).integers(0, 256, size=(256, 784))
    t0 = time.perf_counter()
    pack_beats(values, 8, 16)
    ms = 1e3 * (time.perf_counter() - t0)
    console.print(f"pack_beats: 256 frames x 784 8-bit values, 16 a beat: {ms:.0f} ms")


if __name__ == "__main__":
    main()
