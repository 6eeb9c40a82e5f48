"""The calibrated cost model: resources of a library module from its RTL parameters.

Each layer kind registers, for its RTL module, a function of the module's parameters giving its
cost terms: LUT and FF terms (counts of adders, comparators, register bits, ...), its memories
and its DSPs. LUT and FF are linear in the terms, with per-module, per-family coefficients that
scripts/calibrate.py fits against Yosys and writes to cost_model.json; BRAM18, URAM and DSP are
counted exactly from the memory shapes and products, the way synthesis maps them.

A ROM costs what its contents leave: synthesis drops the bits that are the same at every address
(from block RAM too), merges equal read-register bits of a ROM in logic, and constant operands
shrink the multipliers and comparators they feed. So the terms of a module see, besides its
parameters, the bit statistics (RomBits) of its ROMs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from .base import Resources, RomContents
from .memory import bram18_count, rom_blocks, rom_slice_mux_luts

MODEL_PATH = Path(__file__).resolve().parent / "cost_model.json"


@dataclass(frozen=True)
class Memory:
    """One memory of a module as synthesis sees it: width (a ROM's varying bits), depth, style
    ("block", "distributed" or "logic") and whether it is a ROM."""

    width: int
    depth: int
    style: str
    rom: bool = False


@dataclass(frozen=True)
class CostTerms:
    """What one parameterization of a module is made of.

    lut / ff: named terms that the fitted coefficients weigh; memories: every memory; dsp: DSP
    slices its products map to; fixed_lut / fixed_ff: logic known exactly, outside the fit.
    A module whose sub-kinds synthesize to different logic names a variant per sub-kind.
    """

    lut: dict[str, float]
    ff: dict[str, float]
    memories: tuple[Memory, ...] = ()
    dsp: int = 0
    #: a sub-kind of the module with coefficients of its own ("" for none), e.g. "xnor"
    variant: str = ""
    fixed_lut: int = 0
    fixed_ff: int = 0


@dataclass(frozen=True)
class RomBits:
    """What synthesis keeps of a ROM's contents (a column: one bit over all addresses)."""

    depth: int
    #: columns that are not the same at every address (the rest become constants)
    varying: int
    #: distinct varying columns: equal read-register bits merge into one flip-flop and one LUT
    distinct: int
    #: distinct elements (an element: its values over all addresses) within each group of
    #: RomContents.group: equal thresholds of one lane make one comparator
    elements: int

    @staticmethod
    def unknown(width: int, depth: int, elements: int) -> RomBits:
        """Contents not given: every column varies and, as far as the depth allows, differs."""
        varying = width if depth > 1 else 0
        return RomBits(depth, varying, min(varying, 2 ** min(depth, 62) - 2), elements)


def rom_bits(rom: RomContents, in_logic: bool = True) -> RomBits:
    """RomBits of a ROM from its contents. Equal columns only merge in logic: for a ROM in
    block RAM (in_logic False) `distinct` is left at `varying`."""
    words = np.asarray(rom.words, dtype=np.int64)
    planes = ((words[:, :, None] >> np.arange(rom.bits)) & 1).reshape(len(words), -1).astype(np.uint8)
    varying = planes[:, (planes != planes[:1]).any(axis=0)]
    if not in_logic:
        distinct = varying.shape[1]
    elif len(words) <= 64:  # a column is one 64-bit key
        keys = np.zeros((varying.shape[1], 8), dtype=np.uint8)
        packed = np.packbits(varying.T, axis=1)
        keys[:, : packed.shape[1]] = packed
        distinct = len(set(keys.view(np.uint64).ravel().tolist()))
    else:
        distinct = len(set(map(bytes, np.packbits(varying.T, axis=1))))
    if rom.group == 1:
        elements = words.shape[1]
    else:  # an element's values over the addresses, tagged with its group
        tagged = np.concatenate([(np.arange(words.shape[1]) // rom.group)[:, None], words.T], axis=1)
        elements = len(set(map(bytes, tagged)))
    return RomBits(len(words), varying.shape[1], distinct, elements)


def rom_stats(roms: Mapping[str, RomContents], params: Mapping) -> dict[str, RomBits]:
    """RomBits of a module's ROMs (by file parameter X_FILE) at the styles its parameters give
    them (X_STYLE)."""
    return {key: rom_bits(rom, params.get(key.replace("_FILE", "_STYLE")) != "block")
            for key, rom in roms.items()}


def rom_of(roms: Mapping[str, RomBits], key: str, width: int, depth: int, elements: int) -> RomBits:
    """The RomBits given for ROM `key`, or those of unknown contents of its shape."""
    return roms.get(key) or RomBits.unknown(width, depth, elements)


_TERMS: dict[str, Callable[..., CostTerms]] = {}
_WITH_ROMS: set[str] = set()
_installed: list[dict] = []


def cost_terms(module: str, roms: bool = False) -> Callable:
    """Register the decorated function as the cost terms of RTL module `module`: a function of
    the parameters, and with roms=True also of the RomBits of its ROMs."""

    def register(fn: Callable[..., CostTerms]) -> Callable[..., CostTerms]:
        _TERMS[module] = fn
        if roms:
            _WITH_ROMS.add(module)
        return fn

    return register


def takes_roms(module: str) -> bool:
    """Whether the cost terms of RTL module `module` depend on its ROMs' contents."""
    return module in _WITH_ROMS


def terms(module: str, params: dict, roms: Mapping[str, RomBits] | None = None) -> CostTerms:
    """The cost terms of one parameterization of RTL module `module`, with the bit statistics
    of its ROMs where known, by file parameter (W_FILE, T_FILE)."""
    if module in _WITH_ROMS:
        return _TERMS[module](params, roms or {})
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


def memory_blocks(m: Memory) -> Resources:
    """Block memory of one memory: BRAM18s for "block", none for LUT or register styles."""
    if m.style != "block" or m.width == 0:
        return Resources()
    return Resources(bram18=rom_blocks(m.width, m.depth)[0] if m.rom else bram18_count(m.width, m.depth))


def module_resources(
    module: str, params: dict, family: str, roms: Mapping[str, RomBits] | None = None
) -> Resources:
    """Resources of RTL module `module` with parameters `params` on device `family` (roms: as
    for terms)."""
    return priced(module, terms(module, params, roms), family)


def priced(module: str, t: CostTerms, family: str) -> Resources:
    """The resources cost terms `t` of RTL module `module` stand for on device `family`."""
    coef = _coefficients(_key(module, t), family)
    lut = t.fixed_lut + sum(c * t.lut.get(name, 0.0) for name, c in coef["lut"].items())
    ff = t.fixed_ff + sum(c * t.ff.get(name, 0.0) for name, c in coef["ff"].items())
    mem = sum((memory_blocks(m) for m in t.memories), Resources())
    return Resources(lut=round(lut), ff=round(ff), bram18=mem.bram18, uram=mem.uram, dsp=t.dsp)


def error_stats(rows: list[dict], family: str) -> dict[str, dict[str, float]]:
    """Median and 90th-percentile relative error (LUT, FF) and the number of exact counts
    (BRAM18, URAM, DSP) of the estimate over synthesized rows ({module, params, roms, lut, ff,
    ...})."""
    preds = [module_resources(r["module"], r["params"], family, r.get("roms")).as_dict() for r in rows]
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


def error_band(family: str, modules: Iterable[str] | None = None) -> dict[str, float]:
    """Expected relative error of an estimate per resource: the 90th percentile against Yosys
    on held-out calibration points, the widest of those of the RTL `modules` a design contains
    (all modules pooled when None); 0 for BRAM18, URAM and DSP, which are counted exactly."""
    fam = _model()["families"][family]
    if modules is None:
        errors = [fam["error"]]
    else:
        errors = [fam["module_error"][m] for m in sorted(set(modules))]
    return {
        k: (max((e[k]["p90"] for e in errors), default=0.0) if k in ("lut", "ff") else 0.0)
        for k in Resources.KEYS
    }


def clog2(n: int) -> int:
    """ceil(log2(n)) for n >= 1, as Verilog's $clog2."""
    return max(0, math.ceil(math.log2(n))) if n > 1 else 0


def counter_bits(n: int) -> int:
    """Counter width the RTL uses for n states (at least 1 bit)."""
    return max(1, clog2(n))


def memory_luts(prefix: str, width: int, depth: int, style: str) -> dict[str, float]:
    """LUT terms of a RAM kept out of block RAM: as LUT-RAM (quad-port primitives of 4 LUTs
    holding 32x6 or 64x3, one bank per 64 words, with a read mux across banks) or as registers
    with a read mux."""
    if style == "block" or depth <= 1:
        return {}
    if style == "logic":
        return {f"{prefix}reg_mux": width * depth / 4}
    banks = math.ceil(depth / 64)
    return {
        f"{prefix}lutram": 4 * math.ceil(width / (6 if depth <= 32 else 3)) * banks,
        f"{prefix}lutram_mux": width * (banks - 1),
    }


def memory_ffs(prefix: str, width: int, depth: int, style: str) -> dict[str, float]:
    """FF terms of a RAM's registered read (absorbed by a block RAM) and of a register file."""
    if style == "block":
        return {}
    regs = {f"{prefix}read": width}
    if style == "logic":
        regs[f"{prefix}regs"] = width * depth
    return regs


def rom_memories(*roms: tuple[RomBits, str]) -> tuple[list[Memory], int, int]:
    """ROMs (bits, style) as the memories synthesis keeps (their varying bits), and the LUTs and
    FFs known exactly beside them: a block ROM cut into address slices has a slice mux after
    each output bit and a registered slice select."""
    mems, luts, ffs = [], 0, 0
    for rom, style in roms:
        mems.append(Memory(rom.varying, rom.depth, style, rom=True))
        if style == "block" and rom.varying:
            slices = rom_blocks(rom.varying, rom.depth)[1]
            luts += rom_slice_mux_luts(rom.varying, slices)
            ffs += clog2(slices)
    return mems, luts, ffs


def rom_terms(prefix: str, rom: RomBits, style: str) -> tuple[dict[str, float], dict[str, float]]:
    """LUT and FF terms of a ROM: none in block RAM (its read register is the BRAM's, see
    rom_memories for its slice mux); in logic, per distinct varying column, a read-register bit
    and a function of the address bits (a term per address width up to a LUT6's 6 inputs,
    then one per 64 words plus a mux level per 256)."""
    if style == "block" or rom.distinct == 0:
        return {}, {}
    addr = clog2(rom.depth)
    if addr <= 6:
        lut = {f"{prefix}rom{max(addr, 2)}": rom.distinct}
    else:
        lut = {f"{prefix}rom": rom.distinct * math.ceil(rom.depth / 64),
               f"{prefix}rom_mux": rom.distinct * (math.ceil(rom.depth / 256) - 1)}
    return lut, {f"{prefix}read": rom.distinct}


def split_constant(lut: dict[str, float], share: float) -> dict[str, float]:
    """Terms of logic fed by operands of which `share` vary: that part under the same names,
    the rest (constant operands, which synthesis simplifies) under names ending "_const"."""
    out = {k: v * share for k, v in lut.items()}
    out.update({f"{k}_const": v * (1 - share) for k, v in lut.items()})
    return out


def _operand_range(bits: int, signed: int, bipolar: int) -> tuple[int, int]:
    if bipolar:
        return -1, 1
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def _product_width(p: dict) -> int:
    """Bits a product's values need (synthesis drops the bits that never change, such as the
    sign of an unsigned x unsigned product)."""
    xs = _operand_range(p["IN_BITS"], p["IN_SIGNED"], p["IN_BIPOLAR"])
    ws = _operand_range(p["W_BITS"], p["W_SIGNED"], p["W_BIPOLAR"])
    values = [a * b for a in xs for b in ws]
    lo, hi = min(values), max(values)
    return max(clog2(hi + 1), clog2(-lo)) + 1 if lo < 0 else max(1, clog2(hi + 1))


def product_terms(p: dict, lanes: int) -> tuple[dict[str, float], int, int]:
    """LUT terms of `lanes` products plus their DSP count and value width (mvtu / vvu).

    MUL_STYLE "lut" is a shift-and-add over the narrower operand: no DSP. "dsp" is a `*`, which
    synthesis puts in DSP48s when both operands have 2 bits or more and the product 9 or more
    (an unsigned x unsigned product drops the zero sign bits first), one per 25 x 18 tile.
    """
    xbip, wbip = p["IN_BIPOLAR"] != 0, p["W_BIPOLAR"] != 0
    xd = 1 if xbip else (p["IN_BITS"] if p["IN_SIGNED"] else p["IN_BITS"] + 1)
    wd = 1 if wbip else (p["W_BITS"] if p["W_SIGNED"] else p["W_BITS"] + 1)
    pw = _product_width(p)
    if xbip and wbip:  # XNOR-popcount: the XNORs go into the popcount's LUTs (see mvtu_terms)
        return {}, 0, pw
    if xbip or wbip:
        return {"negate": lanes * pw}, 0, pw
    unsigned = not p["IN_SIGNED"] and not p["W_SIGNED"]
    a, b = (p["IN_BITS"], p["W_BITS"]) if unsigned else (xd, wd)
    if p["MUL_STYLE"] == "dsp" and min(a, b) >= 2 and a + b >= 9:
        tiles = math.ceil((max(xd, wd) - 1) / 24) * math.ceil((min(xd, wd) - 1) / 17)
        return {"dsp_lanes": lanes * pw}, lanes * tiles, pw
    # an unsigned operand's zero sign bit adds no partial product
    return {"lut_mul": lanes * min(p["IN_BITS"], p["W_BITS"]) * pw}, 0, pw


#: a count whose truth table over the input and the threshold ROM's address bits is below this
#: share of its comparator bits costs the table (synthesis collapses such small cones)
TABLE_SHARE = 0.25


def threshold_terms(
    lanes: int, n: int, in_bits: int, t_bits: int, t: RomBits, style: str, out_bits: int
) -> tuple[dict[str, float], dict[str, float]]:
    """LUT and FF terms of `lanes` units counting how many of their n thresholds (t_bits wide,
    read from a ROM with bits `t` in `style`) an in_bits input reaches, plus an out_bits bias.

    Equal thresholds of a lane (equal at every address) make one comparator. Comparators
    against the constant bits of thresholds that vary are cheaper than against varying ones.
    The count is one function of the input and of the threshold flip-flops feeding the lane;
    synthesis maps it as that truth table when the table is small: when no threshold varies
    (one word) and the table is below the comparators, or when it is below TABLE_SHARE of them;
    the bias is then in the table."""
    if n == 0:
        return {}, {}
    cw = max(t_bits, in_bits + 1)
    cmps = t.elements  # distinct comparators over all lanes
    count = cmps * clog2(n + 1)
    # the count as one function of the input and the lane's distinct threshold flip-flops
    support = in_bits + min(t.distinct, -(-t.varying // lanes))
    table = lanes * out_bits * 2 ** max(0, support - 6)
    if t.varying == 0:
        if table < cmps * cw:  # up to 6 inputs a LUT6 per output bit; wider, less dense
            return {("thr_table" if support > 6 else "thr_table6"): table}, {}
        # sorted constants share their high bits: each comparator decides the bits below them
        return {"thr_fixed": cmps * max(1, cw - clog2(n)), "thr_fixed_count": count,
                "thr_bias": lanes * out_bits}, {}
    rom_lut, rom_ff = rom_terms("thr_", t, style)
    if style != "block" and table < TABLE_SHARE * cmps * cw:
        return {"thr_table_rom": table, **rom_lut}, rom_ff
    # comparators against thresholds from a ROM in logic of 1-2 address bits (few distinct
    # flip-flops) or of 6 (33-64 words) map differently from the rest: coefficients of their own
    a = clog2(t.depth)
    deep = f"_a{a}" if style == "logic" and (a <= 2 or a == 6) else ""
    cmp = split_constant({"thr_cmp" + deep: cmps * cw, "thr_count": count}, t.varying / (lanes * n * t_bits))
    return {**cmp, **rom_lut, "thr_bias": lanes * out_bits}, rom_ff
