"""Every shared model and bundled example through the whole kernel (`simulate --kernel`) on every
board flavour's memory port: bit-exactness and cycles per frame of the kernel against the core.

Prints one row per model and board: frames, mismatches against the numpy reference, the memory
words a frame takes in and out, the core's estimated interval, the kernel's measured cycles per
frame, their difference, and which side sets the pace (core or memory). Exits 1 if any frame
differs or the kernel is more than 5 % off the pace it should keep.

    python scripts/bench_kernel.py [--boards B ...] [--stalls P] [--work DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from qnngen.pipeline import Options, compile_model
from qnngen.sim.design_run import simulate

REPO = Path(__file__).resolve().parents[1]
MODELS = [REPO / "qnngen" / "examples" / f"{n}.onnx"
          for n in ("tfc_w1a1", "mlp_w2a2", "cnv_w1a1", "cnv_w2a2", "resnet_w4a4")] + [
    REPO.parent / "shared" / "models" / f"{n}.onnx"
    for n in ("tfc_w1a1", "tfc_w2a2", "mlp_w4a4_digits", "cnv_w1a1_small", "cnv_w2a2_small")]
BOARDS = ("pynq-z2", "zcu104", "alveo-u250", "aws-f1")
#: the end-to-end tests' foldings and frame counts, per kind of model
MLP_FPS, CONV_FPS = 20000.0, 2000.0
MLP_FRAMES, CONV_FRAMES = 12, 4
TOLERANCE = 0.05


def run(model: Path, board: str, stalls: float, work: Path) -> tuple[list[str], bool]:
    """One model on one board: the table row and whether it passed."""
    x = np.load(model.with_suffix(".in.npy"))
    conv = x.ndim == 4
    out = work / f"{model.parent.name}-{model.stem}-{board}"
    t0 = time.perf_counter()
    compile_model(str(model), out, Options(board=board, target_fps=CONV_FPS if conv else MLP_FPS))
    res = simulate(out, x[: CONV_FRAMES if conv else MLP_FRAMES], stalls=stalls, seed=len(board), kernel=True,
                   build_dir=work / "sim_builds")
    k = res.kernel
    expected = k.pace.expected_interval_cycles
    off = (k.interval_cycles - expected) / expected
    ok = res.mismatches_vs_reference == 0 and abs(off) <= TOLERANCE
    row = [f"{model.parent.name}/{model.stem}", board, str(res.frames), str(res.mismatches_vs_reference),
           f"{k.pace.words_per_frame_in}/{k.pace.words_per_frame_out}", f"{k.pace.core_interval_cycles:g}",
           f"{k.interval_cycles:.1f}", f"{100 * off:+.2f} %", k.pace.pace, f"{time.perf_counter() - t0:.0f}"]
    return row, ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boards", nargs="+", default=list(BOARDS), help="boards to run on")
    ap.add_argument("--stalls", type=float, default=0.2, help="memory and handshake stall probability")
    ap.add_argument("--work", type=Path, help="folder for the build folders (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="qnngen-kernel-"))
    table = Table(title=f"simulate --kernel, stalls {args.stalls}")
    for col in ("model", "board", "frames", "mismatches", "words in/out", "core interval",
                "kernel cycles/frame", "vs pace", "pace", "s"):
        table.add_column(col, justify="right")
    failed = 0
    for model in MODELS:
        for board in args.boards:
            row, ok = run(model, board, args.stalls, work)
            failed += not ok
            table.add_row(*row)
            print(" ".join(row), flush=True)
    Console(width=160).print(table)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
