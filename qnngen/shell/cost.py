# SPDX-License-Identifier: Apache-2.0
"""The kernel shell's resources: cost terms in the style of qnngen/layers/cost.py (a function of
the qnngen_kernel_shell parameters) weighed by the shell's own coefficients, which
scripts/calibrate_shell.py fits against Yosys and writes, with the measured points, to
shell_cost.json. Block RAM (the read and write buffers) is counted exactly."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from ..layers.base import Resources
from ..layers.cost import CostTerms, Memory, clog2, cost_terms, memory_blocks
from .kernel import SHELL_INSTANCE, SHELL_MODULE, register_params

__all__ = ["SHELL_KIND", "SHELL_NAME", "shell_params", "shell_terms", "shell_resources",
           "shell_words", "slice_width", "fifo_depth", "price"]

COST_PATH = Path(__file__).resolve().parent / "shell_cost.json"
SHELL_KIND = "Shell"
SHELL_NAME = SHELL_INSTANCE
#: bursts have at most this many beats (AXI4 INCR), and never cross a 4 KB page
MAX_BURST = 256
PAGE_BYTES = 4096


def fifo_depth(mem_width: int) -> int:
    """Words of each read / write buffer: twice the longest burst (FIFO_DEPTH default of the RTL)."""
    return 2 * min(MAX_BURST, PAGE_BYTES // (mem_width // 8))


def shell_words(bits: int, mem_width: int) -> int:
    """Memory words a frame of `bits` bits occupies."""
    return -(-bits // mem_width)


def shell_params(mem_width: int, in_width: int, in_beats: int, out_width: int,
                 out_beats: int) -> dict[str, int]:
    """The qnngen_kernel_shell parameters the generated qnngen_kernel sets (offsets as integers)."""
    offsets = {name: int(value.split("'h")[1], 16) for name, value in register_params()}
    return {**offsets, "MEM_WIDTH": mem_width, "IN_WIDTH": in_width, "IN_BEATS": in_beats,
            "OUT_WIDTH": out_width, "OUT_BEATS": out_beats}


def slice_width(beat: int, mem_width: int) -> int:
    """Width of the slices a memory word is cut into for a `beat`-bit stream (the shell's
    IN_SLICE / OUT_SLICE): the power of two just covering a beat, at most the word."""
    return min(mem_width, 1 << clog2(beat))


def _gearbox(beat: int, mem_width: int) -> tuple[int, int]:
    """Buffer bits and load-mux inputs of the gearbox between a `beat`-bit stream and its
    slices (qnngen_axi_unpack / _pack: the narrower side enters at one of wider/G offsets)."""
    side = slice_width(beat, mem_width)
    g = math.gcd(side, beat)
    return side + beat - g, (max(side, beat) // g) * min(side, beat)


@cost_terms(SHELL_MODULE)
def shell_terms(p: dict) -> CostTerms:
    """LUT: control, burst and address logic (one), the memory-word datapath that cuts words
    into slices and assembles them (mem), and the two frame gearboxes between slices and beats
    (their buffer bits and load-mux inputs); FF: the same registers; memories: the read and
    write buffers in block RAM."""
    mem = p["MEM_WIDTH"]
    in_buf, in_loads = _gearbox(p["IN_WIDTH"], mem)
    out_buf, out_loads = _gearbox(p["OUT_WIDTH"], mem)
    lut = {"one": 1, "mem": mem, "gear_buf": in_buf + out_buf, "gear_loads": in_loads + out_loads}
    ff = {"one": 1, "mem": mem, "gear_buf": in_buf + out_buf}
    depth = fifo_depth(mem)
    return CostTerms(lut, ff, (Memory(mem, depth, "block"), Memory(mem, depth, "block")))


@cache
def _model() -> dict:
    return json.loads(COST_PATH.read_text())


def price(t: CostTerms, coefficients: dict[str, dict[str, float]]) -> Resources:
    """Resources of cost terms `t` with LUT and FF coefficients {"lut": {...}, "ff": {...}}."""
    lut = sum(c * t.lut.get(k, 0.0) for k, c in coefficients["lut"].items())
    ff = sum(c * t.ff.get(k, 0.0) for k, c in coefficients["ff"].items())
    mem = sum((memory_blocks(m) for m in t.memories), Resources())
    return Resources(lut=round(lut), ff=round(ff), bram18=mem.bram18, uram=mem.uram, dsp=t.dsp)


def shell_resources(params: dict, family: str) -> Resources:
    """Estimated resources of the shell with `params` (shell_params) on device `family`."""
    families = _model()["families"]
    if family not in families:
        raise KeyError(f"no shell cost model for device family '{family}' (calibrated: {sorted(families)})")
    return price(shell_terms(params), families[family]["coefficients"])
