"""Benchmark `qnngen compile` (up to OUT/rtl and the report, no Verilator) and `qnngen estimate`.

Prints a table of seconds per bundled example (median of --repeat runs, in-process), and the
seconds of `estimate --target-fps max` on zcu104.

    python scripts/bench_compile.py [--repeat N] [--target-fps F]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qnngen.examples import list_examples
from qnngen.pipeline import Options, compile_model, plan


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--target-fps", type=float, default=1000.0)
    args = ap.parse_args()
    options = Options(target_fps=args.target_fps)
    table = Table(title=f"compile / estimate seconds (median of {args.repeat}, --target-fps {args.target_fps:g})")
    fastest = Options(board="zcu104", clock_mhz=200.0, target_fps="max")
    for col in ("model", "estimate s", "compile s", "interval cycles", "stages", "max s", "max interval"):
        table.add_column(col, justify="right")
    work = Path(tempfile.mkdtemp(prefix="qnngen-bench-"))
    try:
        for name in sorted(list_examples()):
            p = plan(name, options)
            est = _median_seconds(lambda: plan(name, options), args.repeat)
            comp = _median_seconds(lambda: compile_model(name, work / name, options), args.repeat)
            top = plan(name, fastest)
            top_s = _median_seconds(lambda: plan(name, fastest), args.repeat)
            table.add_row(name, f"{est:.3f}", f"{comp:.3f}", str(p.estimate.interval_cycles), str(len(p.design.stages)),
                          f"{top_s:.3f}", str(top.estimate.interval_cycles))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
