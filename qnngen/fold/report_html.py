"""report.html: one offline page (inline CSS and SVG) drawn from the report dict.

Python decides what the page says and formats every number into a frozen `ReportPage`; the
jinja2 template `templates/report.html.j2` only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from .. import __version__
from ..resources import template_env
from .report_plots import cycles_plot, resources_plot, utilization_plot

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_UNITS = {"lut": "LUT", "ff": "FF", "bram18": "BRAM18", "uram": "URAM", "dsp": "DSP"}
LAYER_HEADER = (
    "layer",
    "kind",
    "PE",
    "SIMD",
    "interval",
    "latency",
    *_UNITS.values(),
    "memory",
)
RESOURCE_HEADER = ("resource", "used", "available", "utilization", "error")


@dataclass(frozen=True)
class LayerRow:
    """One row of the per-layer table; `bottleneck` highlights it."""

    cells: tuple[str, ...]
    bottleneck: bool


@dataclass(frozen=True)
class Plot:
    """One inline SVG figure with a heading and a one-line reading guide."""

    title: str
    caption: str
    svg: Markup


@dataclass(frozen=True)
class ReportPage:
    """Every value report.html.j2 may reference; StrictUndefined catches the rest."""

    title: str
    subtitle: str
    summary: tuple[tuple[str, str], ...]
    resource_header: tuple[str, ...]
    resource_numeric: tuple[bool, ...]
    resource_rows: tuple[tuple[str, ...], ...]
    band_note: str
    layer_header: tuple[str, ...]
    layer_numeric: tuple[bool, ...]
    layer_rows: tuple[LayerRow, ...]
    plots: tuple[Plot, ...]
    footer: str


def _cycles(n: int, clock_mhz: float) -> str:
    return f"{n:,} cycles ({n / clock_mhz:,.2f} µs)"


def _summary(rep: dict) -> tuple[tuple[str, str], ...]:
    est, clock = rep["estimate"], rep["clock_mhz"]
    slowest = rep["bottleneck"]
    rows = [
        ("throughput", f"{est['fps']:,.2f} frames/s"),
        ("interval", _cycles(est["interval_cycles"], clock) + " between frames"),
        ("latency", _cycles(est["latency_cycles"], clock) + " for one frame"),
        ("bottleneck", f"{slowest['name']} ({slowest['interval_cycles']:,} cycles / frame)"),
    ]
    if "bound_interval_cycles" in est:
        bound = f"{est['bound_interval_cycles']:,} cycles / frame"
        if "bound_efficiency" in est:
            bound += f" (the folding reaches {100 * est['bound_efficiency']:.0f} % of it)"
        rows.append(("balanced bound", bound))
    return tuple(rows)


def _resource_rows(rep: dict) -> tuple[tuple[str, ...], ...]:
    used, cap, util = rep["estimate"]["resources"], rep["capacity"], rep["utilization"]
    band = rep["error_band"]
    rows = []
    for key, unit in _UNITS.items():
        pct = f"{100 * util[key]:.1f} %" if util[key] is not None else "none on board"
        err = "exact" if band[key] == 0 else f"±{100 * band[key]:.0f} %"
        rows.append((unit, f"{used[key]:,}", f"{cap[key]:,}", pct, err))
    return tuple(rows)


def _layer_rows(rep: dict) -> tuple[LayerRow, ...]:
    slowest = rep["bottleneck"]["name"]
    rows = []
    for layer in rep["layers"]:
        res = layer["resources"]
        cells = (
            layer["name"],
            layer["kind"],
            str(layer["pe"]),
            str(layer["simd"]),
            f"{layer['interval_cycles']:,}",
            f"{layer['latency_cycles']:,}",
            *(f"{res[k]:,}" for k in _UNITS),
            layer["memory_style"],
        )
        rows.append(LayerRow(cells, layer["name"] == slowest))
    return tuple(rows)


def _plots(rep: dict) -> tuple[Plot, ...]:
    return (
        Plot(
            "Cycles per layer",
            "Interval of each layer in stream order; the red bar is the "
            "bottleneck that sets the frame rate.",
            Markup(cycles_plot(rep)),
        ),
        Plot(
            "Resources per layer",
            "Estimated LUT and FF (top) and counted BRAM18, URAM and DSP "
            "blocks (bottom) of each layer.",
            Markup(resources_plot(rep)),
        ),
        Plot(
            "Board utilization",
            f"Share of {rep['board']}'s resources the whole design uses; "
            "the dashed line is the board's capacity.",
            Markup(utilization_plot(rep)),
        ),
    )


def report_page(rep: dict) -> ReportPage:
    """Decide and format everything the page shows, from the report dict alone."""
    note = (
        "Error: the 90th-percentile relative error of the estimate against Yosys "
        "synthesis on held-out calibration points; memory blocks and DSPs are counted."
    )
    return ReportPage(
        title=f"{rep['model']} on {rep['board']}",
        subtitle=f"{rep['part']} at {rep['clock_mhz']:g} MHz",
        summary=_summary(rep),
        resource_header=RESOURCE_HEADER,
        resource_numeric=tuple(h != "resource" for h in RESOURCE_HEADER),
        resource_rows=_resource_rows(rep),
        band_note=note,
        layer_header=LAYER_HEADER,
        layer_numeric=tuple(h not in ("layer", "kind", "memory") for h in LAYER_HEADER),
        layer_rows=_layer_rows(rep),
        plots=_plots(rep),
        footer=f"qnngen {__version__} estimate report; the same figures are in report.json.",
    )


def report_html(rep: dict) -> str:
    """The report dict as one self-contained HTML page."""
    return template_env(_TEMPLATES, autoescape=True).get_template("report.html.j2").render(page=report_page(rep))
