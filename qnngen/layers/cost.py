"""The calibrated cost model: resources of a library module from its RTL parameters.

Each layer kind registers, for its RTL module, a function of the module's parameters giving its
cost terms: LUT and FF terms (counts of adders, comparators, register bits, ...), its memories
and its DSPs. LUT and FF are linear in the terms, with per-module, per-family coefficients that
scripts/calibrate.py fits against Yosys and writes to cost_model.json; BRAM18, URAM and DSP are
counted exactly from the memory shapes and products, the way synthesis maps them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np

from .base import Resources
from .memory import bram18_count

MODEL_PATH = Path(__file__).resolve().parent / "cost_model.json"


@dataclass(frozen=True)
class CostTerms:
    """What one parameterization of a module is made of.

    lut / ff: named terms that the fitted coefficients weigh; memories: (width, depth, style) of
    every memory ("block", "distributed" or "logic"); dsp: DSP slices its products map to.
    A module whose sub-kinds synthesize to different logic names a variant per sub-kind.
    """

    lut: dict[str, float]
    ff: dict[str, float]
    memories: tuple[tuple[int, int, str], ...] = ()
    dsp: int = 0
    #: a sub-kind of the module with coefficients of its own ("" for none), e.g. "xnor"
    variant: str = ""


_TERMS: dict[str, Callable[[dict], CostTerms]] = {}
_installed: list[dict] = []


def cost_terms(module: str) -> Callable:
    """Register the decorated function as the cost terms of RTL module `module`."""

    def register(fn: Callable[[dict], CostTerms]) -> Callable[[dict], CostTerms]:
        _TERMS[module] = fn
        return fn

    return register


def terms(module: str, params: dict) -> CostTerms:
    """The cost terms of one parameterization of RTL module `module`."""
    return _TERMS[module](params)


def model_key(module: str, params: dict) -> str:
    """Which coefficients a parameterization uses: the module's, or its variant's."""
    return _key(module, terms(module, params))


def _key(module: str, t: CostTerms) -> str:
    return f"{module}:{t.variant}" if t.variant else module


def install(model: dict) -> None:
    """Use `model` (the cost_model.json structure) instead of the committed one (calibration)."""
    _installed[:] = [model]


@cache
def _committed() -> dict:
    return json.loads(MODEL_PATH.read_text())


def _model() -> dict:
    return _installed[0] if _installed else _committed()


def _coefficients(module: str, family: str) -> dict[str, dict[str, float]]:
    families = _model()["families"]
    if family not in families:
        raise KeyError(f"no cost model for device family '{family}' (calibrated: {sorted(families)})")
    return families[family]["modules"][module]


def memory_blocks(width: int, depth: int, style: str) -> Resources:
    """Block memory of one memory: BRAM18s for "block", none for LUT or register styles."""
    return Resources(bram18=bram18_count(width, depth)) if style == "block" else Resources()


def module_resources(module: str, params: dict, family: str) -> Resources:
    """Resources of RTL module `module` with parameters `params` on device `family`."""
    t = terms(module, params)
    coef = _coefficients(_key(module, t), family)
    lut = sum(c * t.lut.get(name, 0.0) for name, c in coef["lut"].items())
    ff = sum(c * t.ff.get(name, 0.0) for name, c in coef["ff"].items())
    mem = sum((memory_blocks(*m) for m in t.memories), Resources())
    return Resources(lut=round(lut), ff=round(ff), bram18=mem.bram18, uram=mem.uram, dsp=t.dsp)


def error_stats(rows: list[dict], family: str) -> dict[str, dict[str, float]]:
    """Median and 90th-percentile relative error (LUT, FF) and the number of exact counts
    (BRAM18, URAM, DSP) of the estimate over synthesized rows ({module, params, lut, ff, ...})."""
    preds = [module_resources(r["module"], r["params"], family).as_dict() for r in rows]
    stats = {}
    for key in ("lut", "ff"):
        err = [abs(p[key] - r[key]) / max(r[key], 1) for p, r in zip(preds, rows)]
        stats[key] = {
            "median": round(float(np.median(err)), 4),
            "p90": round(float(np.percentile(err, 90)), 4),
            "points": len(err),
        }
    for key in ("bram18", "uram", "dsp"):
        exact = sum(p[key] == r[key] for p, r in zip(preds, rows))
        stats[key] = {"exact": exact, "points": len(rows)}
    return stats


def error_band(family: str) -> dict[str, float]:
    """Expected relative error of an estimate per resource: the 90th percentile against Yosys
    on held-out calibration points (0 for BRAM18, URAM and DSP, which are counted exactly)."""
    err = _model()["families"][family]["error"]
    return {k: (err[k]["p90"] if k in ("lut", "ff") else 0.0) for k in Resources.KEYS}


def clog2(n: int) -> int:
    """ceil(log2(n)) for n >= 1, as Verilog's $clog2."""
    return max(0, math.ceil(math.log2(n))) if n > 1 else 0


def counter_bits(n: int) -> int:
    """Counter width the RTL uses for n states (at least 1 bit)."""
    return max(1, clog2(n))


def memory_luts(prefix: str, width: int, depth: int, style: str, rom: bool) -> dict[str, float]:
    """LUT terms of a memory kept out of block RAM: a ROM as logic (one LUT6 per bit per 64
    words, plus a mux level per 256), a RAM as LUT-RAM (quad-port primitives of 4 LUTs holding
    32x6 or 64x3, one bank per 64 words, with a read mux across banks) or as registers with a
    read mux."""
    if style == "block" or depth <= 1:
        return {}
    if rom:
        return {f"{prefix}rom": width * math.ceil(depth / 64), f"{prefix}rom_mux": width * (math.ceil(depth / 256) - 1)}
    if style == "logic":
        return {f"{prefix}reg_mux": width * depth / 4}
    banks = math.ceil(depth / 64)
    return {
        f"{prefix}lutram": 4 * math.ceil(width / (6 if depth <= 32 else 3)) * banks,
        f"{prefix}lutram_mux": width * (banks - 1),
    }


def memory_ffs(prefix: str, width: int, depth: int, style: str, rom: bool) -> dict[str, float]:
    """FF terms of a memory's registered read (absorbed by a block RAM) and of a register file."""
    if style == "block" or (rom and depth <= 1):
        return {}
    regs = {f"{prefix}read": width}
    if style == "logic" and not rom:
        regs[f"{prefix}regs"] = width * depth
    return regs


def product_terms(p: dict, lanes: int) -> tuple[dict[str, float], int, int]:
    """LUT terms of `lanes` products plus their DSP count and product width (mvtu / vvu).

    MUL_STYLE "lut" is a shift-and-add over the narrower operand: no DSP. "dsp" is a `*`, which
    synthesis puts in DSP48s when both operands have 2 bits or more and the product 9 or more
    (an unsigned x unsigned product drops the zero sign bits first), one per 25 x 18 tile.
    """
    xbip, wbip = p["IN_BIPOLAR"] != 0, p["W_BIPOLAR"] != 0
    xd = 1 if xbip else (p["IN_BITS"] if p["IN_SIGNED"] else p["IN_BITS"] + 1)
    wd = 1 if wbip else (p["W_BITS"] if p["W_SIGNED"] else p["W_BITS"] + 1)
    pw = wd + 1 if xbip else (xd + 1 if wbip else xd + wd)
    if xbip and wbip:
        return {"xnor": lanes}, 0, pw
    if xbip or wbip:
        return {"negate": lanes * pw}, 0, pw
    unsigned = not p["IN_SIGNED"] and not p["W_SIGNED"]
    a, b = (p["IN_BITS"], p["W_BITS"]) if unsigned else (xd, wd)
    if p["MUL_STYLE"] == "dsp" and min(a, b) >= 2 and a + b >= 9:
        tiles = math.ceil((max(xd, wd) - 1) / 24) * math.ceil((min(xd, wd) - 1) / 17)
        return {"dsp_lanes": lanes * pw}, lanes * tiles, pw
    return {"lut_mul": lanes * min(xd, wd) * pw}, 0, pw


def threshold_terms(
    lanes: int, n: int, in_bits: int, t_bits: int, depth: int, style: str
) -> tuple[dict[str, float], dict[str, float]]:
    """LUT and FF terms of `lanes` units counting how many of their n thresholds (t_bits wide,
    read from a ROM of `depth` words in `style`) an in_bits input reaches. With the thresholds
    in logic, synthesis can fold ROM, read register and comparators into one function of the
    input and address bits; when that truth table is the smaller, it is what the unit costs."""
    if n == 0:
        return {}, {}
    cw = max(t_bits, in_bits + 1)
    out_bits = clog2(n + 1)
    addr = clog2(depth) if style != "block" else 0
    table = out_bits * 2 ** max(0, in_bits + addr - 6)
    if style != "block" and table < 2 * n * cw:
        return {"thr_table": lanes * table}, {}
    regs = lanes * n * t_bits if style != "block" and depth > 1 else 0
    lut = {"thr_cmp": lanes * n * cw, "thr_count": lanes * n * out_bits, "thr_rom": regs * addr}
    return lut, {"thr_read": regs}
