"""Estimate reports: a JSON-ready dict (a contract for tools and tests) and rich tables."""

from __future__ import annotations

import json

from rich import box
from rich.console import Console
from rich.table import Table

from ..layers import cost
from ..layers.base import Resources
from .boards import Board
from .estimate import Estimate, StageEstimate

_RES_HEADERS = ("LUT", "FF", "BRAM18", "URAM", "DSP")
_UNITS = dict(zip(Resources.KEYS, _RES_HEADERS))
_BOTTLENECK = "◀"


def _stage_dict(s: StageEstimate) -> dict:
    return {
        "name": s.name,
        "kind": s.kind,
        "pe": s.pe,
        "simd": s.simd,
        "interval_cycles": s.interval_cycles,
        "latency_cycles": s.latency_cycles,
        "memory_style": s.memory_style,
        "resources": s.resources.as_dict(),
    }


def _error_band(est: Estimate) -> dict[str, float]:
    """Per resource, the 90th-percentile relative error of the estimate against Yosys synthesis
    on held-out calibration points: the widest of the modules the design contains."""
    band = cost.error_band(est.board.family, {s.rtl_module for s in est.stages})
    return {k: round(float(band[k]), 4) for k in Resources.KEYS}


def _used_fraction(used: Resources, capacity: Resources) -> dict[str, float | None]:
    """used / capacity per resource as a fraction; None where the board has none of it."""
    have = capacity.as_dict()
    return {k: round(v / have[k], 6) if have[k] else None for k, v in used.as_dict().items()}


def _quality_dict(est: Estimate) -> dict:
    """The bottleneck, how full the board is, and how far the resource figures may be off."""
    slowest = est.bottleneck
    return {
        "bottleneck": {"name": slowest.name, "interval_cycles": slowest.interval_cycles},
        "capacity": est.board.capacity().as_dict(),
        "utilization": _used_fraction(est.kernel_resources, est.board.capacity()),
        "error_band": _error_band(est),
    }


def _lines(est: Estimate) -> tuple[StageEstimate, ...]:
    """Every stage in stream order, then the kernel shell."""
    return est.stages + ((est.shell,) if est.shell else ())


def report_dict(model_name: str, est: Estimate) -> dict:
    """The estimate as plain data: kernel totals, then every stage (MVTU, DWC, FIFO) in stream
    order and the kernel shell (kind "Shell")."""
    return {
        "model": model_name,
        "board": est.board.name,
        "part": est.board.part,
        "clock_mhz": est.clock_mhz,
        "estimate": {
            "interval_cycles": est.interval_cycles,
            "latency_cycles": est.latency_cycles,
            "fps": round(est.fps, 2),
            "resources": est.kernel_resources.as_dict(),
            "bound_interval_cycles": est.bound_interval_cycles,
            "bound_efficiency": round(est.bound_efficiency, 4),
        },
        **_quality_dict(est),
        "layers": [_stage_dict(s) for s in _lines(est)],
    }


def report_json(model_name: str, est: Estimate) -> str:
    """report_dict as JSON text (indent 2, trailing newline)."""
    return json.dumps(report_dict(model_name, est), indent=2) + "\n"


def _res_cells(res: Resources) -> list[str]:
    return [str(v) for v in res.as_dict().values()]


def _utilization(est: Estimate) -> list[str]:
    used, cap = est.kernel_resources.as_dict(), est.board.capacity().as_dict()
    return [
        f"{100 * used[k] / cap[k]:.1f}" if cap[k] else ("-" if not used[k] else "over")
        for k in used
    ]


def _band_text(band: dict[str, float] | None) -> str:
    """'LUT ±12 %, FF ±9 %': the resources whose estimate is not exact; '' without calibration."""
    if not band:
        return ""
    return ", ".join(f"{_UNITS[k]} ±{100 * v:.0f} %" for k, v in band.items() if v > 0)


def _band_caption(est: Estimate) -> str:
    text = _band_text(_error_band(est))
    return f"\nestimate error {text} (90th percentile vs Yosys)" if text else ""


def print_estimate(est: Estimate, console: Console | None = None) -> None:
    """Print one row per stage (bottleneck marked), total, capacity and utilization, then rates."""
    console = console or Console()
    title = f"Estimate on {est.board.name} ({est.board.part}) at {est.clock_mhz:g} MHz"
    table = Table(
        title=title,
        caption=f"{_BOTTLENECK} bottleneck (largest interval){_band_caption(est)}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for header in ("stage", "kind", "PE", "SIMD", "interval", *_RES_HEADERS):
        left = header in ("stage", "kind")
        table.add_column(header, justify="left" if left else "right", no_wrap=True)
    table.add_column("", no_wrap=True)
    slowest = est.bottleneck
    for s in _lines(est):
        mark = _BOTTLENECK if s is slowest else ""
        table.add_row(
            s.name,
            s.kind,
            str(s.pe),
            str(s.simd),
            str(s.interval_cycles),
            *_res_cells(s.resources),
            mark,
            style="bold" if mark else None,
        )
    table.add_section()
    total = _res_cells(est.kernel_resources)
    table.add_row("total", "", "", "", str(est.interval_cycles), *total, "")
    table.add_row("capacity", "", "", "", "", *_res_cells(est.board.capacity()), "")
    table.add_row("used %", "", "", "", "", *_utilization(est), "")
    console.print(table)
    console.print(
        f"interval {est.interval_cycles} cycles, latency {est.latency_cycles} cycles, "
        f"{est.fps:,.2f} fps at {est.clock_mhz:g} MHz"
    )
    console.print(
        f"balanced bound {est.bound_interval_cycles} cycles at the same total PE*SIMD: "
        f"{100 * est.bound_efficiency:.1f} % efficiency"
    )


def print_boards(boards: list[Board], console: Console | None = None) -> None:
    """Print a table of boards: part, family, flavour, SLRs, the resources the user's logic may
    use (the device minus the shell on shell platforms), the default clock and the shell's LUTs."""
    console = console or Console()
    table = Table(
        title="Boards (resources the user's logic may use; default clock in MHz)",
        caption="on shell platforms the resources are the device minus the shell;"
        " shell = the LUTs it reserves",
        box=box.SIMPLE_HEAD,
        padding=0,
        pad_edge=False,
    )
    text_headers = ("name", "part", "family", "flavour")
    for header in (*text_headers, "SLRs", *_RES_HEADERS, "MHz", "shell"):
        left = header in text_headers
        table.add_column(header, justify="left" if left else "right", no_wrap=True)
    for b in boards:
        shell = str(b.shell.as_dict()["lut"]) if b.shell is not None else "-"
        table.add_row(
            b.name,
            b.part,
            b.family,
            b.flavour,
            str(b.slrs),
            *_res_cells(b.capacity()),
            f"{b.default_clock_mhz:g}",
            shell,
        )
    console.print(table)
