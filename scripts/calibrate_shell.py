"""Calibrate the kernel shell's cost terms (qnngen/shell/cost.py) against Yosys.

    python scripts/calibrate_shell.py sweep [--family xc7 xcup] [--only 0 1 4] [--points FILE]
    python scripts/calibrate_shell.py fit

`sweep` synthesizes qnngen_kernel_shell at POINTS (memory widths 32..512 bits, stream widths
and frame lengths as models produce them; --only: those indices) with `synth_xilinx` of each
family and adds the measured points to scripts/calibration/shell_points.json (or --points, to
merge by hand when two sweeps run at once). `fit` fits the LUT and FF coefficients on the
FIT_FAMILY points (non-negative least squares on relative error), scales them by one factor per
resource for each other family from its own points (as calibrate.py does per module), measures
the leave-one-out error, and writes qnngen/shell/shell_cost.json, which the estimator reads.
Kept apart from calibrate.py: the shell is one module synthesized at a handful of points."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from qnngen.layers.base import RtlInstance
from qnngen.shell.cost import COST_PATH, shell_params, shell_terms
from qnngen.shell.kernel import SHELL_MODULE
from qnngen.synth.batch import synthesize_batch

POINTS_PATH = Path(__file__).resolve().parent / "calibration" / "shell_points.json"
FAMILIES = ("xc7", "xcup")
FIT_FAMILY = "xc7"
#: (MEM_WIDTH, IN_WIDTH, IN_BEATS, OUT_WIDTH, OUT_BEATS)
POINTS = (
    (32, 1, 784, 8, 10), (64, 49, 16, 8, 10), (128, 24, 1024, 16, 1), (256, 8, 64, 32, 4),
    (512, 1, 784, 8, 10), (512, 49, 16, 8, 10), (64, 784, 1, 80, 1), (128, 3, 1024, 4, 1),
    (32, 64, 13, 10, 1), (256, 100, 8, 7, 10), (64, 8, 1024, 8, 10), (512, 24, 1024, 32, 1),
)
KEYS = ("MEM_WIDTH", "IN_WIDTH", "IN_BEATS", "OUT_WIDTH", "OUT_BEATS")


def sweep(families: list[str], only: list[int], path: Path) -> None:
    chosen = [POINTS[i] for i in only] if only else list(POINTS)
    for family in families:
        results = synthesize_batch([RtlInstance(SHELL_MODULE, shell_params(*pt)) for pt in chosen],
                                   family)
        points = json.loads(path.read_text()) if path.is_file() else []
        done = {(p["family"], tuple(p["params"].values())) for p in points}
        for pt, res in zip(chosen, results):
            if (family, pt) not in done:
                points.append({"family": family, "params": dict(zip(KEYS, pt)),
                               **res.resources.as_dict(), "cells": res.cells})
        path.write_text(json.dumps(points, indent=1) + "\n")
        print(f"{family}: {len(chosen)} points synthesized", file=sys.stderr)


def _fit(rows: list[dict], key: str) -> dict[str, float]:
    """Non-negative coefficients of the `key` terms minimizing the relative error."""
    names = sorted({n for r in rows for n in r["terms"][key]})
    a = np.array([[r["terms"][key].get(n, 0.0) / max(r[key], 1) for n in names] for r in rows])
    coef, _ = nnls(a, np.ones(len(rows)))
    return {n: round(float(c), 6) for n, c in zip(names, coef)}


def _predict(coef: dict[str, float], terms: dict[str, float]) -> float:
    return sum(c * terms.get(n, 0.0) for n, c in coef.items())


def _scale(coef: dict[str, float], rows: list[dict], key: str) -> dict[str, float]:
    """coef times the one factor that best fits `rows` (least squares on relative error)."""
    pred = np.array([_predict(coef, r["terms"][key]) / max(r[key], 1) for r in rows])
    factor = float(pred.sum() / (pred @ pred))
    return {n: round(c * factor, 6) for n, c in coef.items()}


def _coefficients(base: list[dict], rows: list[dict], key: str) -> dict[str, float]:
    """The `key` coefficients of a family: fitted on `base` rows, scaled to `rows` if other."""
    coef = _fit(base, key)
    return coef if rows is base else _scale(coef, rows, key)


def fit() -> None:
    points = json.loads(POINTS_PATH.read_text())
    for r in points:
        t = shell_terms(shell_params(*(r["params"][k] for k in KEYS)))
        r["terms"] = {"lut": t.lut, "ff": t.ff}
    base = [p for p in points if p["family"] == FIT_FAMILY]
    model = {"families": {}}
    for family in FAMILIES:
        rows = base if family == FIT_FAMILY else [p for p in points if p["family"] == family]
        coefficients, error = {}, {}
        for key in ("lut", "ff"):
            coefficients[key] = _coefficients(base, rows, key)
            err = []
            for i, r in enumerate(rows):  # leave one out
                rest = rows[:i] + rows[i + 1:]
                coef = _coefficients(rest, rest, key) if rows is base else _scale(
                    _fit(base, key), rest, key)
                err.append(abs(_predict(coef, r["terms"][key]) - r[key]) / max(r[key], 1))
            error[key] = {"median": round(float(np.median(err)), 4),
                          "p90": round(float(np.percentile(err, 90)), 4),
                          "max": round(float(max(err)), 4), "points": len(rows)}
        model["families"][family] = {"coefficients": coefficients, "error": error}
        print(family, json.dumps(error), file=sys.stderr)
    COST_PATH.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sweep")
    s.add_argument("--family", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    s.add_argument("--only", nargs="+", type=int, default=[], help="indices into POINTS")
    s.add_argument("--points", type=Path, default=POINTS_PATH, help="file to add the points to")
    sub.add_parser("fit")
    args = ap.parse_args()
    if args.cmd == "sweep":
        sweep(args.family, args.only, args.points)
    else:
        fit()


if __name__ == "__main__":
    main()
