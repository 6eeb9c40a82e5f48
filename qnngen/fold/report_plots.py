"""The HTML report's plots, drawn from the report dict as inline SVG with matplotlib.

No pyplot and no global backend: each plot is a bare `Figure` saved as SVG under fixed rc
settings (glyphs as paths, a fixed hash salt, no date), so the same report gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_UNITS = {"lut": "LUT", "ff": "FF", "bram18": "BRAM18", "uram": "URAM", "dsp": "DSP"}
_COLORS = {
    "lut": "#4c72b0",
    "ff": "#55a868",
    "bram18": "#c44e52",
    "uram": "#8172b2",
    "dsp": "#ccb974",
}
_PLAIN, _HOT = "#8da0b8", "#d1495b"
_RC = {
    "svg.fonttype": "path",  # text as glyph paths: the page looks the same without the font
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
#: a bar plot's x labels are rotated vertical beyond this many layers
_ROTATE_BEYOND = 8
#: cycles go on a log axis when the largest interval is this many times the smallest
_LOG_RANGE = 50


def _svg(draw: Callable[[], Figure], salt: str) -> str:
    """Draw a figure under the fixed style and return its <svg> element (no XML prolog)."""
    import matplotlib

    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"qnngen-{salt}"}):
        fig = draw()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=_NO_METADATA)
    text = buf.getvalue()
    return _prefix_ids(text[text.index("<svg") :], salt)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Prefix every id and its references: glyph ids repeat across figures on one page."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def _figure(height_in: float, n_layers: int, rows: int = 1) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    width = min(16.0, max(7.0, 3.0 + 0.3 * n_layers))
    fig = Figure(figsize=(width, height_in), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, list(axes)


def _layer_axis(ax: Axes, names: list[str], bottleneck: str) -> None:
    """Layer names under the bars, vertical when there are many; the bottleneck in bold red."""
    vertical = len(names) > _ROTATE_BEYOND
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(
        names,
        rotation=90 if vertical else 30,
        ha="center" if vertical else "right",
        rotation_mode="default" if vertical else "anchor",
    )
    for label, name in zip(ax.get_xticklabels(), names):
        if name == bottleneck:
            label.set_color(_HOT)
            label.set_fontweight("bold")
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_xlabel("layer (stream order)")
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)


def _grouped(ax: Axes, layers: list[dict], keys: list[str]) -> None:
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        xs = [j + (i - (len(keys) - 1) / 2) * width for j in range(len(layers))]
        ys = [layer["resources"][key] for layer in layers]
        ax.bar(xs, ys, width, label=_UNITS[key], color=_COLORS[key])
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def resources_plot(rep: dict) -> str:
    """LUT and FF per layer above, block resources (BRAM18, URAM if used, DSP) below."""
    layers = rep["layers"]
    names = [layer["name"] for layer in layers]
    blocks = [
        k for k in ("bram18", "uram", "dsp") if k != "uram" or rep["estimate"]["resources"][k]
    ]

    def draw() -> Figure:
        fig, (top, bottom) = _figure(5.6, len(names), rows=2)
        _grouped(top, layers, ["lut", "ff"])
        top.set_ylabel("LUT / FF (count)")
        top.set_title("Logic per layer", loc="left")
        _grouped(bottom, layers, blocks)
        bottom.set_ylabel("blocks (count)")
        bottom.set_title("Memory blocks and DSPs per layer", loc="left")
        bottom.yaxis.get_major_locator().set_params(integer=True)
        top.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        _layer_axis(bottom, names, rep["bottleneck"]["name"])
        return fig

    return _svg(draw, "resources")


def cycles_plot(rep: dict) -> str:
    """Each layer's interval (cycles per frame); the bottleneck in red, log scale when wide."""
    layers = rep["layers"]
    names = [layer["name"] for layer in layers]
    cycles = [layer["interval_cycles"] for layer in layers]
    slowest = rep["bottleneck"]["name"]
    log = max(cycles) >= _LOG_RANGE * max(1, min(cycles))

    def draw() -> Figure:
        fig, (ax,) = _figure(4.4, len(names))
        colors = [_HOT if n == slowest else _PLAIN for n in names]
        ax.bar(range(len(names)), cycles, 0.7, color=colors)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel("interval (cycles / frame)" + (", log scale" if log else ""))
        interval = rep["bottleneck"]["interval_cycles"]
        ax.set_title(f"{slowest} sets the frame rate: {interval:,} cycles / frame", loc="left")
        ax.set_ylim(top=max(cycles) * (3 if log else 1.12))
        _layer_axis(ax, names, slowest)
        return fig

    return _svg(draw, "cycles")


def utilization_plot(rep: dict) -> str:
    """Percent of the board per resource, with the calibration's error band and a 100 % line."""
    keys = list(_UNITS)
    util = rep["utilization"]
    band = rep["error_band"]
    pct = [100 * util[k] if util[k] is not None else 0.0 for k in keys]
    err = [p * band[k] for p, k in zip(pct, keys)]

    def draw() -> Figure:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7.0, 3.4), layout="constrained")
        ax = fig.subplots()
        ax.bar(range(len(keys)), pct, 0.6, color=[_COLORS[k] for k in keys])
        ax.errorbar(range(len(keys)), pct, yerr=err, fmt="none", ecolor="#333", capsize=5)
        ax.axhline(100, color=_HOT, linestyle="--", linewidth=1)
        top = max(115.0, max(p + e for p, e in zip(pct, err)) * 1.15)
        ax.set_ylim(0, top)
        ax.text(len(keys) - 0.5, 101, "capacity", color=_HOT, ha="right", va="bottom")
        for i, k in enumerate(keys):
            label = f"{pct[i]:.1f} %" if util[k] is not None else "none on board"
            label += f" ±{err[i]:.1f}" if err[i] >= 0.05 else ""
            ax.text(i, pct[i] + err[i] + top * 0.015, label, ha="center", va="bottom")
        ax.set_xticks(range(len(keys)), [_UNITS[k] for k in keys])
        ax.set_ylabel(f"used / available on {rep['board']} (%)")
        ax.set_title("error bars: 90th-percentile estimate error", loc="left")
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        return fig

    return _svg(draw, "utilization")
