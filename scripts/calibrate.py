"""Calibrate the cost model against Yosys: sweep every RTL module, then fit its coefficients.

    python scripts/calibrate.py sweep [--family xc7 xcup] [--sweeps ...] [--jobs 2] [--batch 8]
    python scripts/calibrate.py fit
    python scripts/calibrate.py rom-blocks

`sweep` synthesizes random legal parameterizations of each library module (drawn by
calibration_points.py, as the compiler would emit them, weights and thresholds included) with
`synth_xilinx` of each device family and appends one CSV row per point to
scripts/calibration/sweep.csv; points already there are skipped, so an interrupted sweep
resumes. POINTS gives per family how many points are for fitting and how many are held out
(EXTRA_FIT: more fit points after those; a "module@focus" sweep has fit points only). A held-out
point shares its parameterization and ROM contents with no fit point of its module and no other
held-out point: draws that would repeat one are skipped (before synthesis) and further ones drawn
(indices from MORE_HOLDOUT on). `fit`
fits the LUT and FF coefficients on the xc7 fit points (non-negative, on relative error, by least
squares or least absolute error, whichever cross-validates better on the fit points; the threshold
units and ROMs shared by the MVTU and VVU at once), scales them per module
for the other families (one factor each, from their own fit points), measures the error on each
family's held-out points, pooled and per module (the band an estimate reports for the modules
its design contains), and writes qnngen/layers/cost_model.json, the only thing the estimator
reads at run time. `rom-blocks` measures lone block ROMs for the ROM block mapping
(scripts/calibration/rom_blocks.csv, checked by tests/synth/test_rom_bits.py)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from itertools import count
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from scipy.optimize import nnls

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_points import (  # noqa: E402
    GENERATORS, coefficient_set, draw, draw_layer, drawn_key, module_of, point_key,
    synthesized_params,
)

from qnngen.layers import cost  # noqa: E402
from qnngen.layers.base import Fold, RtlInstance  # noqa: E402
from qnngen.packing import hex_memory  # noqa: E402
from qnngen.synth.batch import synthesize_batch  # noqa: E402

SWEEP_CSV = Path(__file__).resolve().parent / "calibration" / "sweep.csv"
#: "sweep" is the generator (calibration_points.GENERATORS): an RTL module, or "module:variant"
COLUMNS = ("family", "sweep", "index", "split", "params", "lut", "ff", "bram18", "uram", "dsp", "cells")
#: (fit points, held-out points) per sweep and family: indices below the first number are for
#: fitting, the next ones are drawn to be held out
POINTS = {"xc7": (40, 30), "xcup": (10, 30)}
#: the first index of the further held-out draws, past every fit index: they replace draws that
#: repeat a fit point or an earlier held-out point
MORE_HOLDOUT = 1000
#: more fit points (indices after the held-out ones) for the sweeps with the most cost terms; a
#: "module@focus" sweep has only these
EXTRA_FIT = {
    "xc7": {
        "qnngen_mvtu": 40, "qnngen_vvu": 30, "qnngen_thresh": 30, "qnngen_dwc": 30,
        "qnngen_mvtu@one_word": 30, "qnngen_vvu@one_word": 20, "qnngen_thresh@one_word": 20,
    },
    "xcup": {sweep: 10 for sweep in GENERATORS if "@" not in sweep},
}
#: the family whose coefficients are fitted term by term; the others scale them per module
#: (UltraScale+ maps the same logic to the same LUT6s and FFs, with other carry and RAM cells)
BASE_FAMILY = "xc7"


_COLUMNS = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


def split_of(index: int, family: str, sweep: str) -> str:
    """What point `index` of sweep `sweep` is drawn for: fitting or held out ("fit",
    "holdout"). read_rows marks a held-out draw that repeats a point "repeat"."""
    fit, held = POINTS[family]
    if "@" in sweep or not (fit <= index < fit + held or index >= MORE_HOLDOUT):
        return "fit"
    return "holdout"


def fit_indices(family: str, sweep: str) -> list[int]:
    """The indices of the fit points of sweep `sweep` for `family`."""
    extra = EXTRA_FIT.get(family, {}).get(sweep, 0)
    if "@" in sweep:
        return list(range(extra))
    fit, held = POINTS[family]
    return list(range(fit)) + list(range(fit + held, fit + held + extra))


def holdout_candidates(family: str, sweep: str) -> Iterator[int]:
    """The indices drawn for held-out points of sweep `sweep`, in the order they are taken."""
    if "@" in sweep:
        return
    fit, held = POINTS[family]
    yield from range(fit, fit + held)
    yield from count(MORE_HOLDOUT)


def read_rows(path: Path = SWEEP_CSV) -> list[dict]:
    """Every row of the sweep CSV (params and cells decoded, "module" the RTL module, "roms"
    the bit statistics of its ROMs, "key" its point_key, both from the point drawn again), held-out
    rows that repeat a fit point or an earlier held-out point of their module split "repeat"."""
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["module"] = module_of(r["sweep"])
        r["index"] = int(r["index"])
        r["params"] = json.loads(r["params"])
        r["cells"] = json.loads(r["cells"])
        for k in ("lut", "ff", "bram18", "uram", "dsp"):
            r[k] = int(r[k])
        r["roms"], r["key"] = _drawn(r)
    _mark_repeats(rows)
    return rows


def _drawn(row: dict) -> tuple[dict, str]:
    """RomBits of the ROMs of a sweep point and its point_key: its layer drawn again (the draw
    is deterministic) at the CSV's fold and memory styles. The fold caps and style rules of a
    generator may have changed since the point was synthesized, the layers it draws not; the
    point is the first attempt whose layer gives the CSV's parameters at that fold."""
    p = row["params"]
    if not cost.takes_roms(row["module"]):
        return {}, point_key(row["module"], p, {})
    fold = Fold(p["PE"], p.get("SIMD", 1))
    for attempt in range(100):
        layer, _ = draw_layer(row["sweep"], row["index"], attempt=attempt)
        if fold not in layer.fold_space():
            continue
        params = layer.rtl_params(fold)
        if all(params.get(k) == v for k, v in p.items() if not k.endswith("_STYLE")):
            roms = layer.rom_words(fold)
            return cost.rom_stats(roms, p), point_key(row["module"], p, roms)
    raise SystemExit(f"{row['sweep']} point {row['index']} no longer draws what the CSV holds")


def _held_order(row: dict) -> tuple[str, int]:
    """The order in which held-out draws are taken: by sweep, then index (as in `sweep`)."""
    return row["sweep"], row["index"]


def _mark_repeats(rows: list[dict]) -> None:
    """Split "repeat" every held-out row whose point_key is a fit row's of its family and module
    or an earlier held-out row's."""
    seen = {(r["family"], r["module"], r["key"]) for r in rows if r["split"] == "fit"}
    for r in sorted((r for r in rows if r["split"] == "holdout"), key=_held_order):
        key = (r["family"], r["module"], r["key"])
        if key in seen:
            r["split"] = "repeat"
        seen.add(key)


def _append(rows: list[dict]) -> None:
    new = not SWEEP_CSV.is_file()
    SWEEP_CSV.parent.mkdir(parents=True, exist_ok=True)
    with SWEEP_CSV.open("a", newline="") as f:
        w = csv.DictWriter(f, COLUMNS)
        if new:
            w.writeheader()
        w.writerows(rows)


def _batch_job(family: str, sweep: str, indices: list[int]) -> list[dict]:
    insts = [draw(sweep, i) for i in indices]
    results = synthesize_batch(insts, family)
    rows = []
    for i, inst, res in zip(indices, insts, results):
        params = synthesized_params(inst.params)
        rows.append({
            "family": family, "sweep": sweep, "index": i,
            "split": split_of(i, family, sweep), "params": json.dumps(params, sort_keys=True),
            **res.resources.as_dict(), "cells": json.dumps(res.cells, sort_keys=True),
        })
    return rows


def _points(family: str, module: str, done: dict[tuple, str]) -> dict[str, list[int]]:
    """Every point (indices by sweep) of `module` for `family`: the fit points, then per sweep
    the first POINTS held-out candidates that repeat no fit point and no earlier held-out
    point of the module (keys from `done`, the CSV's, else drawn)."""
    sweeps = sorted(s for s in GENERATORS if module_of(s) == module)

    def key(sweep: str, index: int) -> str:
        return done.get((family, sweep, index)) or drawn_key(sweep, index)

    points = {s: fit_indices(family, s) for s in sweeps}
    seen = {key(s, i) for s in sweeps for i in points[s]}
    for s in sweeps:
        held = []
        for i in holdout_candidates(family, s):
            if len(held) == POINTS[family][1]:
                break
            if i >= 2 * MORE_HOLDOUT:
                wanted = POINTS[family][1]
                raise SystemExit(f"{family} {s}: fewer than {wanted} distinct held-out points")
            k = key(s, i)
            if k not in seen:
                seen.add(k)
                held.append(i)
        points[s] += held
    return points


def sweep(families: list[str], sweeps: list[str], jobs: int, batch: int) -> None:
    console = Console(stderr=True)
    done = {(r["family"], r["sweep"], r["index"]): r["key"] for r in read_rows()}
    todo = []
    with console.status("drawing the points (held-out ones distinct from the fit points)"):
        for family in families:
            for module in sorted({module_of(s) for s in sweeps}):
                for name, indices in _points(family, module, done).items():
                    left = [i for i in indices if name in sweeps and (family, name, i) not in done]
                    todo += [(family, name, left[k:k + batch]) for k in range(0, len(left), batch)]
    total = sum(len(t[2]) for t in todo)
    with Progress(*_COLUMNS) as progress, ThreadPoolExecutor(jobs) as pool:
        task = progress.add_task("synthesizing", total=total)
        futures = {pool.submit(_batch_job, *t): t for t in todo}
        for fut in as_completed(futures):
            family, name, indices = futures[fut]
            try:
                _append(fut.result())
            except Exception as e:  # a failing batch is reported and retried on the next run
                progress.console.print(f"[red]{family} {name} {indices}: {e}")
            progress.update(task, advance=len(indices), description=f"{family} {name}")


def _design(rows: list[dict], module: str, key: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The term names of resource `key` ("lut" or "ff") over `rows`, their values per row, what
    the terms are to explain per row (the measured count less the logic known exactly), and
    the relative-error weight of each row."""
    terms = [cost.terms(module, r["params"], r["roms"]) for r in rows]
    values = [getattr(t, key) for t in terms]
    names = sorted({n for v in values for n in v})
    x = np.array([[v.get(n, 0.0) for n in names] for v in values], dtype=float)
    y = np.array([r[key] for r in rows], dtype=float)
    target = y - np.array([getattr(t, f"fixed_{key}") for t in terms], dtype=float)
    return names, x, target, 1.0 / np.maximum(y, 8.0)


def _nnls_abs(a: np.ndarray, b: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Non-negative x minimizing sum |a x - b| (iteratively reweighted least squares from the
    least-squares start): the estimate's error is judged by its median and 90th percentile,
    which a few large misses should not pull."""
    x, _ = nnls(a, b)
    for _ in range(rounds):
        w = 1.0 / np.sqrt(np.maximum(np.abs(a @ x - b), 1e-3))
        x, _ = nnls(a * w[:, None], b * w)
    return x


#: how a fit may weigh the relative errors: squared, or absolute (robust to a few misses)
LOSSES = {"squares": lambda a, b: nnls(a, b)[0], "absolute": _nnls_abs}
CV_FOLDS = 5


def _target_score(err: np.ndarray) -> float:
    """How far relative errors are from the targets: the larger of the 90th percentile over
    25 % and the median over 10 %."""
    return float(max(np.percentile(err, 90) / 0.25, np.median(err) / 0.10))


def _cross_validated(a: np.ndarray, b: np.ndarray, fit: Callable) -> float:
    """_target_score of fit (rows of a, b -> coefficients) in CV_FOLDS-fold cross-validation."""
    folds = np.arange(len(b)) % CV_FOLDS
    err = np.empty(len(b))
    for k in range(CV_FOLDS):
        held = folds == k
        err[held] = np.abs(a[held] @ fit(a[~held], b[~held]) - b[held])
    return _target_score(err)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Non-negative x for a x ~ b (rows scaled to relative error) under the loss whose
    CV_FOLDS-fold cross-validation on these rows misses least: the larger of the 90th
    percentile over 25 % and the median over 10 %, the targets the estimate is held to."""
    scores = {name: _cross_validated(a, b, solve) for name, solve in LOSSES.items()}
    return LOSSES[min(scores, key=scores.get)](a, b)


def _fit_one(rows: list[dict], module: str, key: str) -> dict[str, float]:
    """Non-negative coefficients minimizing the relative error of resource `key`."""
    names, x, target, scale = _design(rows, module, key)
    coef = _solve(x * scale[:, None], target * scale)
    return {n: round(float(c), 6) for n, c in zip(names, coef) if c > 0}


#: coefficient sets whose threshold units and ROMs in logic (LUT terms named thr_* and *rom*)
#: are the same RTL, fitted with one coefficient per such term across the sets
SHARED_LUT = ("qnngen_mvtu", "qnngen_mvtu:xnor", "qnngen_vvu")


def _shared(name: str) -> bool:
    return name.startswith("thr_") or "rom" in name


def _fit_shared_lut(groups: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """LUT coefficients of the SHARED_LUT sets, fitted at once (non-negative, on relative
    error): a shared term has one coefficient for all, the others one per set."""
    designs = {key: _design(groups[key], key.split(":")[0], "lut") for key in SHARED_LUT}
    columns = sorted({(("", n) if _shared(n) else (key, n)) for key, d in designs.items() for n in d[0]})
    index = {c: j for j, c in enumerate(columns)}
    blocks, ys = [], []
    for key, (names, x, target, scale) in designs.items():
        block = np.zeros((len(x), len(columns)))
        for i, n in enumerate(names):
            block[:, index[("", n) if _shared(n) else (key, n)]] = x[:, i]
        blocks.append(block * scale[:, None])
        ys.append(target * scale)
    coef = _solve(np.vstack(blocks), np.concatenate(ys))
    out: dict[str, dict[str, float]] = {}
    for key, (names, *_) in designs.items():
        cols = {n: coef[index[("", n) if _shared(n) else (key, n)]] for n in names}
        out[key] = {n: round(float(c), 6) for n, c in cols.items() if c > 0}
    return out


def _scale(rows: list[dict], base: dict[str, dict[str, float]], module: str) -> dict:
    """`base` coefficients times the one factor per resource that best fits `rows` (1 and a
    mark "unscaled" when there are no rows)."""
    if not rows:
        return {**base, "unscaled": True}
    out = {}
    for key, coef in base.items():
        names, x, target, scale = _design(rows, module, key)
        pred = x @ np.array([coef.get(n, 0.0) for n in names])
        factor = float(_solve((pred * scale)[:, None], target * scale)[0])
        out[key] = {n: round(c * factor, 6) for n, c in coef.items()}
    return out


def _fit_rows(rows: list[dict], family: str) -> dict[str, list[dict]]:
    """Fit rows of `family` by coefficient set (module or module:variant), every set present:
    the base family must have points for all; another family's missing sets get none."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        if r["family"] == family and r["split"] == "fit":
            groups.setdefault(cost.model_key(r["module"], r["params"]), []).append(r)
    wanted = {module_of(name) for name in GENERATORS} | {coefficient_set(n) for n in GENERATORS if ":" in n}
    missing = sorted(wanted - set(groups))
    if missing and family == BASE_FAMILY:
        raise SystemExit(f"{family}: no fit points for {missing}; run: calibrate.py sweep --family {family}")
    return {key: groups.get(key, []) for key in sorted(wanted)}


def fit() -> None:
    """Fit the base family term by term, then scale it per module for the others; measure each
    on its held-out points and write cost_model.json."""
    rows = read_rows()
    families = [BASE_FAMILY] + sorted({r["family"] for r in rows} - {BASE_FAMILY})
    model: dict = {"families": {}}
    console = Console()
    for family in families:
        fam = {"modules": {}}
        groups = _fit_rows(rows, family)
        shared = _fit_shared_lut(groups) if family == BASE_FAMILY else {}
        for key, group in groups.items():
            module = key.split(":")[0]
            if family == BASE_FAMILY:
                fam["modules"][key] = {k: _fit_one(group, module, k) for k in ("lut", "ff")}
                fam["modules"][key]["lut"] = shared.get(key, fam["modules"][key]["lut"])
            else:
                fam["modules"][key] = _scale(group, model["families"][BASE_FAMILY]["modules"][key], module)
        model["families"][family] = fam
        cost.install(model)
        held = [r for r in rows if r["family"] == family and r["split"] == "holdout"]
        fam["error"] = cost.error_stats(held, family)
        fam["module_error"] = {
            m: cost.error_stats([r for r in held if r["module"] == m], family)
            for m in sorted({module_of(s) for s in GENERATORS})
        }
        console.print(family, fam["error"])
    cost.MODEL_PATH.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    console.print(f"wrote {cost.MODEL_PATH}")


ROM_BLOCKS_CSV = SWEEP_CSV.parent / "rom_blocks.csv"
#: lone block ROMs (width, depth) measured for the ROM block mapping (memory.rom_blocks): shapes
#: that need 1 to 67 address slices; xcup gets the first XCUP_ROM_SHAPES
ROM_SHAPES = (
    (12, 1536), (128, 1152), (6, 49152), (128, 2304), (36, 1536), (18, 1536), (9, 3072), (20, 4608),
    (1, 70000), (2, 65536), (3, 65536), (7, 2304), (10, 4608), (13, 7000), (45, 9000), (100, 100),
    (250, 5000), (300, 3072), (512, 128), (600, 1152),
    (1, 300), (1, 16384), (1, 65536), (2, 20000), (3, 129), (4, 9221), (4, 12294), (4, 13316),
    (4, 18433), (4, 22535), (4, 27652), (4, 33000), (4, 47105), (4, 65543), (4, 67587), (5, 2304),
    (6, 18433), (6, 21506), (6, 30725), (7, 40000), (8, 65), (9, 4608), (9, 8192), (9, 14339),
    (11, 16385), (12, 15367), (16, 70000), (17, 1000), (19, 3000), (27, 3072), (33, 288), (35, 4000),
    (36, 200), (40, 12000), (48, 1152), (64, 4608), (70, 2500), (72, 576), (99, 1025), (150, 777),
    (200, 1536), (256, 513), (400, 300), (500, 640), (600, 70),
)
XCUP_ROM_SHAPES = 20


def rom_blocks_sweep(batch: int) -> None:
    """Synthesize a lone block ROM (random contents) of every ROM_SHAPES shape and write
    scripts/calibration/rom_blocks.csv (family, width, depth, bram18, lut, ff, cells)."""
    rng = np.random.default_rng(1)
    todo = [("xc7", shape) for shape in ROM_SHAPES] + [("xcup", shape) for shape in ROM_SHAPES[:XCUP_ROM_SHAPES]]
    insts = {
        (family, w, d): RtlInstance("qnngen_rom", {"WIDTH": w, "DEPTH": d, "STYLE": "block", "MEM_FILE": "m.mem"},
                                    {"m.mem": hex_memory(rng.integers(0, 2, size=(d, w)), 1)})
        for family, (w, d) in todo
    }  # fmt: skip
    rows = []
    with Progress(*_COLUMNS) as progress:
        task = progress.add_task("block ROMs", total=len(todo))
        for k in range(0, len(todo), batch):
            chunk = todo[k:k + batch]
            for family in sorted({f for f, _ in chunk}):
                keys = [(f, w, d) for f, (w, d) in chunk if f == family]
                for (f, w, d), res in zip(keys, synthesize_batch([insts[key] for key in keys], family)):
                    r = res.resources
                    rows.append([f, w, d, r.bram18, r.lut, r.ff, json.dumps(res.cells, sort_keys=True)])
            progress.update(task, advance=len(chunk))
    with ROM_BLOCKS_CSV.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["family", "width", "depth", "bram18", "lut", "ff", "cells"])
        w.writerows(sorted(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sweep", help="synthesize the sweep points not yet in the CSV")
    s.add_argument("--family", nargs="+", default=list(POINTS), choices=list(POINTS))
    s.add_argument("--sweeps", nargs="+", default=sorted(GENERATORS), choices=sorted(GENERATORS),
                   help="which generators (modules, or module:variant) to sweep")
    s.add_argument("--jobs", type=int, default=2, help="Yosys runs at once")
    s.add_argument("--batch", type=int, default=8, help="points per Yosys run")
    sub.add_parser("fit", help="fit the coefficients and write qnngen/layers/cost_model.json")
    r = sub.add_parser("rom-blocks", help="synthesize lone block ROMs into scripts/calibration/rom_blocks.csv")
    r.add_argument("--batch", type=int, default=10, help="ROMs per Yosys run")
    args = ap.parse_args()
    if args.cmd == "sweep":
        sweep(args.family, args.sweeps, args.jobs, args.batch)
    elif args.cmd == "rom-blocks":
        rom_blocks_sweep(args.batch)
    else:
        fit()


if __name__ == "__main__":
    main()
