"""The compiler pipeline: model -> streamlined graph -> hardware layers -> folding -> build folder.

The CLI only strings these functions together; each stage is a package of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from . import __version__
from .errors import ModelError, QnnGenError
from .examples import example_path
from .fold import (
    Board, Budget, Estimate, FoldedDesign, assemble, check_fits, estimate, fold_for_target_fps,
    folding_to_json, load_board, max_parallel_folding, minimal_folding, read_folding_file,
    report_dict, report_json,
)
from .frontend import load_model
from .ir.onnx_export import to_onnx
from .lower import HwGraph, to_hw
from .streamline import streamline

DEFAULT_BOARD = "pynq-z2"
DEFAULT_CLOCK_MHZ = 100.0
#: frames of the stimulus written beside the HLS testbench
HLS_TB_FRAMES = 16


@dataclass(frozen=True)
class Options:
    """What the user chose: board, clock and how to fold (a target fps or "max" for the fastest
    folding that fits, a folding file, or neither: PE = SIMD = 1); `budget` bounds the share of
    the board a searched folding may use."""

    board: str = DEFAULT_BOARD
    clock_mhz: float = DEFAULT_CLOCK_MHZ
    target_fps: float | Literal["max"] | None = None
    folding_file: Path | None = None
    budget: Budget = field(default_factory=Budget)
    #: what OUT/ gets: "rtl" (SystemVerilog, OUT/rtl) or "hls" (Vitis HLS C++, OUT/hls)
    backend: str = "rtl"


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything decided for one model before any file is written."""

    model_path: Path
    example: str | None
    hw: HwGraph
    design: FoldedDesign
    board: Board
    estimate: Estimate


def resolve_model(model: str) -> tuple[Path, str | None]:
    """A model argument is an .onnx path or a bundled example name."""
    path = Path(model)
    if path.is_file():
        return path, None
    ex = example_path(model)
    if ex is not None:
        return ex, model
    raise ModelError(f"{model or repr(model)}: no such model file or bundled example "
                     "(list them with: qnngen examples)")


def lower_model(model_path: Path) -> HwGraph:
    """Frontend, streamline and lowering of one model file."""
    return to_hw(streamline(load_model(model_path)))


def plan(model: str, options: Options) -> Plan:
    """Import, streamline, lower and fold a model, and estimate it on the board; no files."""
    model_path, example = resolve_model(model)
    board = load_board(options.board)
    hw = lower_model(model_path)
    depths = {}
    if options.folding_file is not None:
        folding, depths = read_folding_file(options.folding_file, hw)
    elif options.target_fps == "max":
        folding = max_parallel_folding(hw, board, options.clock_mhz, options.budget)
    elif options.target_fps is not None:
        folding = fold_for_target_fps(hw, board, options.clock_mhz, options.target_fps, options.budget)
    else:
        folding = minimal_folding(hw)
    design = assemble(hw, folding, depths)
    est = estimate(design, board, options.clock_mhz)
    check_fits(est)
    return Plan(model_path, example, hw, design, board, est)


def design_record(p: Plan, backend: str = "rtl") -> dict:
    """design.json: what `simulate` needs to drive the generated top level."""
    from .codegen.rtl import TOP_MODULE  # codegen (jinja2) loads only when a design is written

    d = p.design
    return {
        "qnngen_version": __version__,
        "model": p.model_path.stem,
        "example": p.example,
        "top": TOP_MODULE,
        "core_in": p.hw.core_in,
        "core_out": p.hw.core_out,
        "input_shape": list(p.hw.graph.shapes[p.hw.graph.inputs[0]]),
        "stream_in": {"width": d.in_width, "beats": d.in_beats, "dtype": p.hw.in_dtype.name,
                      "elems_per_beat": d.in_width // p.hw.in_dtype.bitwidth()},
        "stream_out": {"width": d.out_width, "beats": d.out_beats, "dtype": p.hw.out_dtype.name,
                       "elems_per_beat": d.out_width // p.hw.out_dtype.bitwidth()},
        "estimate_interval_cycles": p.estimate.interval_cycles,
        "estimate_latency_cycles": p.estimate.latency_cycles,
        "backend": backend,
    }


def hls_stimulus(p: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Packed input and expected output beats of the HLS testbench: the example's first sample
    inputs, else seeded random ones."""
    from .examples import sample_inputs
    from .packing import pack_beats
    from .sim.design_run import encode

    if p.example:
        x = sample_inputs(p.example)[:HLS_TB_FRAMES]
    else:
        shape = p.hw.graph.shapes[p.hw.graph.inputs[0]][1:]
        x = np.random.default_rng(0).uniform(-1, 1, size=(HLS_TB_FRAMES, *shape)).astype(np.float32)
    q = p.hw.quantize_input(x)
    beats = []
    for values, dtype, width in ((q, p.hw.in_dtype, p.design.in_width),
                                 (p.hw.run_layers(q), p.hw.out_dtype, p.design.out_width)):
        bits = dtype.bitwidth()
        beats.append(pack_beats(encode(values, dtype.name), bits, width // bits))
    return beats[0], beats[1]


def write_build(p: Plan, out: Path, backend: str = "rtl") -> None:
    """Write the build folder into a temporary sibling, then rename it into place."""
    from .codegen.rtl import write_rtl
    from .driver import write_driver
    from .fold.report_html import report_html  # matplotlib loads only when a folder is written
    from .project import write_project

    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise QnnGenError(
            f"-o {out}: cannot create the build folder ({exc.strerror}); choose another -o"
        ) from None
    try:
        if backend == "hls":
            from .hls import write_hls

            write_hls(p.design, tmp / "hls", p.board.part, p.estimate.clock_mhz, hls_stimulus(p))
        else:
            write_rtl(p.design, tmp / "rtl", p.board.mem_width)
        (tmp / "folding.json").write_text(folding_to_json(p.design.folding, p.design.fifo_depths))
        (tmp / "report.json").write_text(report_json(p.model_path.stem, p.estimate))
        (tmp / "report.html").write_text(report_html(report_dict(p.model_path.stem, p.estimate)))
        (tmp / "design.json").write_text(json.dumps(design_record(p, backend), indent=2) + "\n")
        (tmp / "streamlined.onnx").write_bytes(to_onnx(p.hw.graph).SerializeToString())
        if backend == "rtl":  # the kernel shell, its projects and driver wrap the RTL
            write_driver(p, tmp / "driver")
            write_project(p.board, p.estimate.clock_mhz, tmp)  # lists rtl/: after every file in it
        _replace_dir(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise QnnGenError(
            f"-o {out}: cannot write the build folder ({exc.strerror}); check the place and free space"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace_dir(new: Path, out: Path) -> None:
    if out.exists() and not (out / "design.json").is_file():
        raise QnnGenError(f"{out}: exists and is not a qnngen build folder; choose another -o")
    if out.exists():
        old = out.with_name(f".{out.name}.old{os.getpid()}")
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)
    os.chmod(out, 0o755)


def compile_model(model: str, out: Path, options: Options) -> Plan:
    """Plan the model and write OUT/ (rtl/ or hls/, folding.json, report.{json,html}, streamlined.onnx)."""
    p = plan(model, options)
    write_build(p, out, options.backend)
    return p
