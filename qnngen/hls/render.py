"""Render the HLS build folder OUT/hls from a folded design: one header per layer function
(and its constant arrays), the dataflow top level, the C testbench and the Vitis HLS script."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..fold.design import TOP_IN, TOP_OUT, FoldedDesign
from ..layers import FIFO
from ..resources import data_dir, template_env
from .params import HlsStage, hls_stage

#: static headers of hls_templates copied into every HLS folder
STATIC_HEADERS = ("qnngen_types.h", "qnngen_npy.h")
#: depth of a stream with no FIFO stage on it (between a layer and the width converter after it)
DEFAULT_STREAM_DEPTH = 2
#: the Vitis HLS release the TCL script and pragmas are written for
VITIS_HLS_VERSION = "2023.2"
TB_IN, TB_EXPECTED = "tb_in.npy", "tb_expected.npy"


@dataclass(frozen=True)
class StageMeta:
    """What a layer file's header names besides its layer: qnngen version and params hash."""

    version: str
    params_hash: str


@dataclass(frozen=True)
class StreamDecl:
    """An internal stream of the top level and its depth (the FIFO stage's, if it has one)."""

    name: str
    width: int
    depth: int


@dataclass(frozen=True)
class Call:
    """One layer function call in the dataflow region: function and stream arguments."""

    function: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class TopParams:
    """Every value qnngen_top.{h,cpp}.j2, qnngen_tb.cpp.j2 and run_hls.tcl.j2 may reference."""

    model: str
    version: str
    params_hash: str
    in_width: int
    in_beats: int
    out_width: int
    out_beats: int
    headers: tuple[str, ...]
    streams: tuple[StreamDecl, ...]
    calls: tuple[Call, ...]
    part: str
    clock_mhz: str
    period_ns: str
    vitis_version: str



def stage_hash(stage: HlsStage) -> str:
    """A short hash of everything that shapes the stage's code and arrays."""
    h = hashlib.sha256(repr((stage.template, stage.params, stage.ins, stage.outs)).encode())
    for a in stage.arrays:
        h.update(repr(a).encode())
    return h.hexdigest()[:16]


def render_stage(stage: HlsStage) -> dict[str, str]:
    """The stage's files {name: text}: NAME.h and, with constant arrays, NAME_params.h."""
    env, meta = template_env(data_dir("hls_templates")), StageMeta(__version__, stage_hash(stage))
    files = {f"{stage.name}.h": env.get_template(stage.template).render(s=stage, meta=meta)}
    if stage.arrays:
        files[f"{stage.name}_params.h"] = env.get_template("params.h.j2").render(s=stage, meta=meta)
    return files


def render_layer_testbench(stages: list[HlsStage]) -> str:
    """layer_tb.cpp: runs each stage's function alone on DIR/NAME_in<k>.npy (see the template)."""
    return template_env(data_dir("hls_templates")).get_template("layer_tb.cpp.j2").render(stages=stages, meta=StageMeta(__version__, ""))


def top_params(design: FoldedDesign, part: str, clock_mhz: float) -> tuple[TopParams, list[HlsStage]]:
    """The top level's params and the layer functions: every stage but the FIFOs, which become
    the depth of the stream they sit on."""
    alias = {TOP_IN: "s_axis", TOP_OUT: "m_axis"}
    depth: dict[str, int] = {}
    widths: dict[str, int] = {}
    stages, calls = [], []
    for st in design.stages:
        ins = [alias.get(w, w) for w in st.ins]
        if isinstance(st.layer, FIFO):
            alias[st.outs[0]] = ins[0]
            depth[ins[0]] = st.layer.depth
            continue
        stage = hls_stage(st.layer, st.fold)
        stages.append(stage)
        outs = [alias.get(w, w) for w in st.outs]
        widths.update((w, port.width) for w, port in zip(outs, stage.outs))
        calls.append(Call(stage.name, tuple(ins + outs)))
    streams = tuple(StreamDecl(w, widths[w], depth.get(w, DEFAULT_STREAM_DEPTH)) for w in widths if w != "m_axis")
    digest = hashlib.sha256(repr((streams, calls, [stage_hash(s) for s in stages])).encode()).hexdigest()[:16]
    top = TopParams(
        design.hw.name, __version__, digest, design.in_width, design.in_beats, design.out_width, design.out_beats,
        tuple(s.name for s in stages), streams, tuple(calls), part, f"{clock_mhz:g}", f"{1000.0 / clock_mhz:.3f}",
        VITIS_HLS_VERSION,
    )
    return top, stages


def write_hls(design: FoldedDesign, hls_dir: Path, part: str, clock_mhz: float,
              stimulus: tuple[np.ndarray, np.ndarray]) -> list[Path]:
    """Write the HLS sources, the testbench, its stimulus (packed input and expected output
    beats, uint32 (frames, beats, words)) and run_hls.tcl into hls_dir; return the .cpp files."""
    hls_dir.mkdir(parents=True, exist_ok=True)
    top, stages = top_params(design, part, clock_mhz)
    for stage in stages:
        for name, text in render_stage(stage).items():
            (hls_dir / name).write_text(text)
    for name in STATIC_HEADERS:
        shutil.copyfile(data_dir("hls_templates") / name, hls_dir / name)
    env = template_env(data_dir("hls_templates"))
    for name in ("qnngen_top.h", "qnngen_top.cpp", "qnngen_tb.cpp", "run_hls.tcl"):
        (hls_dir / name).write_text(env.get_template(f"{name}.j2").render(t=top))
    np.save(hls_dir / TB_IN, stimulus[0].astype(np.uint32))
    np.save(hls_dir / TB_EXPECTED, stimulus[1].astype(np.uint32))
    return [hls_dir / "qnngen_top.cpp", hls_dir / "qnngen_tb.cpp"]
