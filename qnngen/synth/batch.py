"""Synthesize many parameterizations of library modules in one Yosys run.

Each instance is kept as its own (internally flattened) module under a generated top, so one
`synth_xilinx` pass, whose fixed cost is several seconds, serves a whole batch.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..layers.base import Resources, RtlInstance
from ..resources import data_dir
from .yosys import cell_resources, synthesize_instances

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
        lines.append(f"  (* keep *) {inst.module} #({binding}) u{k} ();")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def synthesize_batch(instances: list[RtlInstance], family: str) -> list[BatchResult]:
    """Synthesize every instance (with its memory files) for `family` in a single Yosys run."""
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
        names = [s.name for s in sources] + ["calib_top.sv"]
        by_instance, _ = synthesize_instances(work, names, _TOP, family)
    results = []
    for k in range(len(instances)):
        cells = by_instance[f"u{k}"]
        results.append(BatchResult(cell_resources(cells), cells))
    return results
