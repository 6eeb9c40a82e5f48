"""How far the cost model is from Yosys: per module on held-out points, and on whole designs.

    python scripts/bench_cost.py                 # held-out calibration points (no synthesis)
    python scripts/bench_cost.py --designs M...  # also compile and synthesize models (slow)

The first table reads scripts/calibration/sweep.csv (held-out points, which share no
parameterization and ROM contents with a fit point or with each other) and the committed cost
model; the targets are median LUT/FF error <= 10 %, 90th percentile <= 25 %, and
BRAM18 / URAM / DSP exact. The second compiles each model (an .onnx path or an example name) for
--board with --target-fps, runs `qnngen synth` on it and compares with the estimate.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate import read_rows  # noqa: E402

from qnngen.layers import cost  # noqa: E402


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def module_table(console: Console) -> None:
    every = read_rows()
    rows = [r for r in every if r["split"] == "holdout"]
    repeats = sum(r["split"] == "repeat" for r in every)
    table = Table(
        title="Cost model vs Yosys synth_xilinx on held-out points (error in %)",
        caption=f"{repeats} held-out draws left out: each repeats a fit point or a held-out one",
    )
    for h in ("family", "module", "points", "LUT med", "LUT p90", "FF med", "FF p90", "BRAM18", "URAM", "DSP"):
        table.add_column(h, justify="left" if h in ("family", "module") else "right")
    for family in sorted({r["family"] for r in rows}):
        fam_rows = [r for r in rows if r["family"] == family]
        for module in sorted({r["module"] for r in fam_rows}) + ["all"]:
            sel = [r for r in fam_rows if module in ("all", r["module"])]
            s = cost.error_stats(sel, family)
            table.add_row(
                family, module, str(len(sel)),
                _pct(s["lut"]["median"]), _pct(s["lut"]["p90"]),
                _pct(s["ff"]["median"]), _pct(s["ff"]["p90"]),
                *(f"{s[k]['exact']}/{s[k]['points']}" for k in ("bram18", "uram", "dsp")),
                end_section=module == "all",
            )
    console.print(table)


def design_table(console: Console, models: list[str], board: str, fps: str) -> None:
    from qnngen.cli import main as qnngen

    table = Table(title=f"Whole designs on {board} (--target-fps {fps}): estimate vs Yosys")
    for h in ("model", "resource", "estimate", "yosys", "error %"):
        table.add_column(h, justify="left" if h in ("model", "resource") else "right")

    for model in models:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "build"
            args = ["compile", model, "-o", str(out), "--board", board, "--target-fps", fps]
            if qnngen(args) != 0 or qnngen(["synth", str(out)]) != 0:
                table.add_row(model, "failed", "", "", "")
                continue
            synth = json.loads((out / "synth.json").read_text())
        for key in ("lut", "ff", "bram18", "uram", "dsp"):
            est, got = synth["estimate"][key], synth["resources"][key]
            err = synth["error"][key]
            table.add_row(Path(model).stem, key, str(est), str(got), "-" if err is None else _pct(err))
        table.add_section()
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", nargs="*", default=[], help="models to compile and synthesize")
    ap.add_argument("--board", default="pynq-z2")
    ap.add_argument("--target-fps", default="1000")
    args = ap.parse_args()
    console = Console(width=150)
    module_table(console)
    if args.designs:
        design_table(console, args.designs, args.board, args.target_fps)


if __name__ == "__main__":
    main()
