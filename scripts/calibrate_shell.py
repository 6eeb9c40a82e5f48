"""Calibrate the kernel shell's cost terms (qnngen/shell/cost.py) against Yosys.

    python scripts/calibrate_shell.py sweep [--family xc7 xcup]
    python scripts/calibrate_shell.py fit

`sweep` synthesizes qnngen_kernel_shell at POINTS (memory widths 32..512 bits, stream widths
and frame lengths as models produce them) with `synth_xilinx` of each family and writes the
measured points to scripts/calibration/shell_points.json. `fit` fits the LUT and FF
coefficients per family (non-negative least squares on relative error), measures the
leave-one-out error, and writes qnngen/shell/shell_cost.json, which the estimator reads.
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
#: (MEM_WIDTH, IN_WIDTH, IN_BEATS, OUT_WIDTH, OUT_BEATS)
POINTS = (
    (32, 1, 784, 8, 10), (64, 49, 16, 8, 10), (128, 24, 1024, 16, 1), (256, 8, 64, 32, 4),
    (512, 1, 784, 8, 10), (512, 49, 16, 8, 10), (64, 784, 1, 80, 1), (128, 3, 1024, 4, 1),
    (32, 64, 13, 10, 1), (256, 100, 8, 7, 10), (64, 8, 1024, 8, 10), (512, 24, 1024, 32, 1),
)
KEYS = ("MEM_WIDTH", "IN_WIDTH", "IN_BEATS", "OUT_WIDTH", "OUT_BEATS")


def sweep(families: list[str]) -> None:
    points = json.loads(POINTS_PATH.read_text()) if POINTS_PATH.is_file() else []
    for family in families:
        insts = [RtlInstance(SHELL_MODULE, shell_params(*pt)) for pt in POINTS]
        results = synthesize_batch(insts, family)
        points = [p for p in points if p["family"] != family]
        for pt, res in zip(POINTS, results):
            points.append({"family": family, "params": dict(zip(KEYS, pt)),
                           **res.resources.as_dict(), "cells": res.cells})
        POINTS_PATH.write_text(json.dumps(points, indent=1) + "\n")
        print(f"{family}: {len(insts)} points synthesized", file=sys.stderr)


def _fit(rows: list[dict], key: str) -> dict[str, float]:
    """Non-negative coefficients of the `key` terms minimizing the relative error."""
    names = sorted({n for r in rows for n in r["terms"][key]})
    a = np.array([[r["terms"][key].get(n, 0.0) / max(r[key], 1) for n in names] for r in rows])
    coef, _ = nnls(a, np.ones(len(rows)))
    return {n: round(float(c), 6) for n, c in zip(names, coef)}


def _predict(coef: dict[str, float], terms: dict[str, float]) -> float:
    return sum(c * terms.get(n, 0.0) for n, c in coef.items())


def fit() -> None:
    points = json.loads(POINTS_PATH.read_text())
    model = {"families": {}}
    for family in FAMILIES:
        rows = [p for p in points if p["family"] == family]
        for r in rows:
            t = shell_terms(shell_params(*(r["params"][k] for k in KEYS)))
            r["terms"] = {"lut": t.lut, "ff": t.ff}
        coefficients = {key: _fit(rows, key) for key in ("lut", "ff")}
        error = {}
        for key in ("lut", "ff"):  # leave one out
            err = [abs(_predict(_fit(rows[:i] + rows[i + 1:], key), r["terms"][key]) - r[key])
                   / max(r[key], 1) for i, r in enumerate(rows)]
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
    sub.add_parser("fit")
    args = ap.parse_args()
    sweep(args.family) if args.cmd == "sweep" else fit()


if __name__ == "__main__":
    main()
