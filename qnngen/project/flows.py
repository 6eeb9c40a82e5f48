"""Which vendor project each board flavour gets, writing it into OUT/project, and the record
(OUT/project/project.json) that tells `qnngen bitstream` what to run and what it writes.

A flow is chosen by the board's flavour (FLOWS); another flow (an open FPGA flow, say) is one
more writer function and one more FLOWS entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from ..errors import QnnGenError
from ..fold import Board
from . import vitis, vivado
from .render import render
from .sources import KernelSources, kernel_sources

RECORD = "project.json"


@dataclass(frozen=True)
class ProjectRecord:
    """What a written project runs: the tool (and what else must be on PATH), the command in
    `workdir` (relative to OUT), the number of progress phases it prints and the files it writes
    into OUT; `next_steps` are commands to run after it (on F1, the AFI)."""

    qnngen_version: str
    board: str
    flavour: str
    flow: str
    tool: str
    tool_version: str
    requires: tuple[str, ...]
    workdir: str
    command: tuple[str, ...]
    phases: int
    outputs: tuple[str, ...]
    next_steps: tuple[str, ...] = ()

    def shell_command(self, out: Path) -> str:
        """The command line that runs the flow of build folder `out` by hand."""
        return f"cd {out / self.workdir} && {' '.join(self.command)}"


def _write_vivado(board: Board, clock_mhz: float, src: KernelSources, out: Path) -> ProjectRecord:
    d = out / "project" / "vivado"
    d.mkdir(parents=True)
    (d / "build.tcl").write_text(
        render("build.tcl.j2", vivado.vivado_params(board, clock_mhz, src))
    )
    base = vivado.OUTPUT_BASE
    return ProjectRecord(
        qnngen_version=__version__, board=board.name, flavour=board.flavour, flow="vivado",
        tool="vivado", tool_version=board.tool_version, requires=("vivado",),
        workdir="project/vivado",
        command=("vivado", "-mode", "batch", "-notrace", "-source", "build.tcl"),
        phases=len(vivado.PHASES), outputs=(f"{base}.bit", f"{base}.hwh"),
    )  # fmt: skip


def _write_vitis(board: Board, clock_mhz: float, src: KernelSources, out: Path) -> ProjectRecord:
    d = out / "project" / "vitis"
    d.mkdir(parents=True)
    (d / "kernel.xml").write_text(render("kernel.xml.j2", vitis.kernel_xml_params(board)))
    (d / "package_kernel.tcl").write_text(
        render("package_kernel.tcl.j2", vitis.package_params(board, src))
    )
    (d / "link.cfg").write_text(render("link.cfg.j2", vitis.link_params(board, clock_mhz)))
    (d / "Makefile").write_text(render("Makefile.j2", vitis.makefile_params(board, src)))
    afi = (
        "cd project/vitis && make afi S3_BUCKET=<bucket> S3_DCP_KEY=<folder> S3_LOGS_KEY=<folder>"
        "  (AWS F1, a legacy target: aws-fpga's F1 branch is deprecated, F2 is its successor)",
    )
    return ProjectRecord(
        qnngen_version=__version__, board=board.name, flavour=board.flavour, flow="vitis",
        tool="v++", tool_version=board.tool_version, requires=("v++", "vivado", "make"),
        workdir="project/vitis", command=("make", "xclbin"), phases=len(vitis.PHASES),
        outputs=(vitis.OUTPUT,), next_steps=afi if board.flavour == "aws-f1" else (),
    )  # fmt: skip


#: the project writer of each board flavour
FLOWS: dict[str, Callable[[Board, float, KernelSources, Path], ProjectRecord]] = {
    "zynq7": _write_vivado,
    "zynqmp": _write_vivado,
    "alveo": _write_vitis,
    "aws-f1": _write_vitis,
}


def write_project(board: Board, clock_mhz: float, out: Path) -> ProjectRecord:
    """Write OUT/project/ for the board's flow from the kernel files in OUT/rtl, and its record."""
    if board.flavour not in FLOWS:
        raise QnnGenError(f"board {board.name}: no vendor project for flavour {board.flavour!r}")
    record = FLOWS[board.flavour](board, clock_mhz, kernel_sources(out / "rtl"), out)
    (out / "project" / RECORD).write_text(json.dumps(asdict(record), indent=2) + "\n")
    return record


def read_project(out: Path) -> ProjectRecord:
    """The record of OUT's project; QnnGenError (one line) if OUT has none."""
    path = out / "project" / RECORD
    if not path.is_file():
        raise QnnGenError(f"{out}: no project/{RECORD}; run qnngen compile -o {out} first")
    try:
        data = json.loads(path.read_text())
        return ProjectRecord(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
    except (ValueError, TypeError) as e:
        raise QnnGenError(
            f"{path}: not a qnngen project record ({e}); recompile into {out}"
        ) from None
