"""Synthesize many parameterizations of library modules in one Yosys run.

Each instance is kept as its own (internally flattened) module under a generated top, so one
`synth_xilinx` pass, whose fixed cost is several seconds, serves a whole batch.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..layers.base import Resources, RtlInstance
from ..resources import data_dir
from .yosys import FAMILIES, cell_resources, run_yosys

_TOP = "calib_top"


@dataclass(frozen=True)
class BatchResult:
    """One instance's primitive counts and resources."""

    resources: Resources
    cells: dict[str, int]


def _param(value: int | str) -> str:
    return json.dumps(value) if isinstance(value, str) else str(int(value))


def _wrapper(instances: list[RtlInstance], prefixes: list[str]) -> str:
    lines = [f"module {_TOP};"]
    for k, (inst, prefix) in enumerate(zip(instances, prefixes)):
        params = dict(inst.params)
        for key, value in inst.params.items():
            if isinstance(value, str) and value in inst.mem_files:
                params[key] = prefix + value
        binding = ", ".join(f".{k}({_param(v)})" for k, v in params.items())
        lines.append(f"  (* keep, keep_hierarchy *) {inst.module} #({binding}) u{k} ();")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def _module_cells(stat: dict, module: str) -> dict[str, int]:
    return {k: int(v) for k, v in stat["modules"][module]["num_cells_by_type"].items()}


def synthesize_batch(instances: list[RtlInstance], family: str) -> list[BatchResult]:
    """Synthesize every instance (with its memory files) for `family` in a single Yosys run."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family}")
    prefixes = [f"i{k}_" for k in range(len(instances))]
    with tempfile.TemporaryDirectory(prefix="qnngen-batch-") as tmp:
        work = Path(tmp)
        sources = sorted(data_dir("rtl").glob("qnngen_*.sv"))
        for src in sources:
            (work / src.name).write_text(src.read_text())
        for inst, prefix in zip(instances, prefixes):
            for name, text in inst.mem_files.items():
                (work / (prefix + name)).write_text(text)
        (work / "calib_top.sv").write_text(_wrapper(instances, prefixes))
        names = " ".join([s.name for s in sources] + ["calib_top.sv"])
        script = [
            f"read_verilog -defer -sv {names}",
            f"synth_xilinx -flatten -family {family} -top {_TOP}",
            "tee -q -o stat.json stat -json",
            f"tee -q -o top.il dump {_TOP}",
        ]
        run_yosys(["-q", "-p", "; ".join(script)], work)
        stat = json.loads((work / "stat.json").read_text())
        cell_types = dict(
            (m.group(2), m.group(1))
            for m in re.finditer(r"^\s*cell (\S+) \\(u\d+)$", (work / "top.il").read_text(), re.M)
        )
    results = []
    for k in range(len(instances)):
        cells = _module_cells(stat, cell_types[f"u{k}"])
        cells = {c: n for c, n in cells.items() if not c.startswith("$")}
        results.append(BatchResult(cell_resources(cells), dict(sorted(cells.items()))))
    return results
