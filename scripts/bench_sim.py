"""Benchmark compile and simulation speed on the bundled tfc_w1a1 at two foldings.

Prints one table row per folding: compile seconds (model -> OUT/rtl + report), Verilator build
seconds, the same build again (a cache hit), batched C++ simulation (cycles/s, frames/s) and the
same design driven one cycle at a time from Python (cycles/s), with the ratio between the two;
then how long packing 256 frames of 784 8-bit values into beats takes.

    python scripts/bench_sim.py [--frames N] [--python-cycles N]
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
from qnngen.packing import pack_beats
from qnngen.pipeline import Options, compile_model
from qnngen.sim import Ports, Simulator, build_model
from qnngen.sim.design_run import encode, load_build

FOLDINGS = {"minimal (PE=SIMD=1)": None, "--target-fps 100000": 100000.0}


def _frames(out: Path, n: int) -> tuple[np.ndarray, dict]:
    record, hw = load_build(out)
    x = sample_inputs("tfc_w1a1")
    x = np.concatenate([x] * (n // len(x) + 1))[:n]
    sin = record["stream_in"]
    q = encode(hw.quantize_input(x), sin["dtype"])
    return pack_beats(q, 1, sin["elems_per_beat"]), record


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
    frames, record = _frames(out, n_frames)
    ports = Ports(record["top"], record["stream_in"]["width"], record["stream_out"]["width"])
    build_args = (sorted((out / "rtl").glob("*.sv")), ports, out / "sim_build")
    params = {"MEM_DIR": f"{(out / 'rtl').resolve()}/"}
    t0 = time.perf_counter()
    lib = build_model(*build_args, params=params)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_model(*build_args, params=dict(params))
    t_cached = time.perf_counter() - t0
    with Simulator(lib) as sim:
        t0 = time.perf_counter()
        res = sim.run_batch(frames, record["stream_out"]["beats"])
        t_run = time.perf_counter() - t0
        py_rate = _python_loop(sim, frames, py_cycles)
    rate = res.cycles / t_run
    return [label, f"{t_compile:.2f}", f"{t_build:.1f}", f"{t_cached:.2f}", f"{rate / 1e6:.2f} M",
            f"{n_frames / t_run:,.0f}", f"{py_rate / 1e3:.0f} k", f"{rate / py_rate:,.0f}x"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=2000, help="frames for the batched run")
    ap.add_argument("--python-cycles", type=int, default=100_000, help="cycles for the per-cycle Python run")
    args = ap.parse_args()
    table = Table(title="tfc_w1a1 simulation speed")
    for col in ("folding", "compile s", "verilator build s", "cached build s", "batched cycles/s",
                "batched frames/s", "per-cycle Python cycles/s", "speed-up"):
        table.add_column(col, justify="right")
    work = Path(tempfile.mkdtemp(prefix="qnngen-bench-"))
    try:
        for label, target in FOLDINGS.items():
            table.add_row(*bench(label, target, args.frames, args.python_cycles, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    console = Console(width=150)
    console.print(table)
    values = np.random.default_rng(0).integers(0, 256, size=(256, 784))
    t0 = time.perf_counter()
    pack_beats(values, 8, 16)
    ms = 1e3 * (time.perf_counter() - t0)
    console.print(f"pack_beats: 256 frames x 784 8-bit values, 16 a beat: {ms:.0f} ms")


if __name__ == "__main__":
    main()
