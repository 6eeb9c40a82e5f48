"""Render the RTL build folder: library modules, memory files and the generated top level."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path


from .. import __version__
from ..fold.design import TOP_OUT, FoldedDesign
from ..resources import data_dir, template_env
from ..shell.kernel import (
    CORE_INSTANCE, KERNEL_MODULE, KERNEL_PORTS, SHELL_INSTANCE, SHELL_LIBRARY, KernelParams,
    register_params,
)

TOP_MODULE = "qnngen_top"

#: library modules instantiated inside each library module (kept by hand beside rtl/)
LIBRARY_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "qnngen_mvtu": ("qnngen_rom", "qnngen_ram"),
    "qnngen_vvu": ("qnngen_rom",),
    "qnngen_thresh": ("qnngen_rom",),
    "qnngen_swu": ("qnngen_ram",),
    "qnngen_maxpool": ("qnngen_ram",),
    "qnngen_gap": ("qnngen_ram",),
}


@dataclass(frozen=True)
class StageParams:
    """One instance in the top level: module, verilog parameter values, and for each stream
    port of the module the wire it connects to (s_axis / m_axis are the top's own ports)."""

    name: str
    module: str
    params: tuple[tuple[str, str], ...]
    bindings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EdgeParams:
    """An internal stream between two instances."""

    name: str
    msb: int


@dataclass(frozen=True)
class TopParams:
    """Every value qnngen_top.sv.j2 may reference."""

    module_name: str
    version: str
    model: str
    params_hash: str
    in_width: int
    out_width: int
    in_msb: int
    out_msb: int
    edges: tuple[EdgeParams, ...]
    stages: tuple[StageParams, ...]


def _verilog_value(v: int | str) -> str:
    return json.dumps(v) if isinstance(v, str) else str(int(v))


def _add_module(modules: list[str], module: str) -> None:
    """Append module and, depth first, the library modules it instantiates, each once."""
    if module in modules:
        return
    modules.append(module)
    for dep in LIBRARY_DEPENDENCIES.get(module, ()):
        _add_module(modules, dep)


def top_params(design: FoldedDesign) -> tuple[TopParams, dict[str, str], list[str]]:
    """The top-level params, the memory files {name: text} and the library modules used
    (instantiated ones first-use order, each followed by its dependencies)."""
    stages, edges, mems, modules = [], [], {}, []
    for st in design.stages:
        inst = st.layer.rtl(st.fold)
        mems.update(inst.mem_files)
        _add_module(modules, inst.module)
        params = [(k, _verilog_value(v)) for k, v in inst.params.items()]
        if inst.mem_files:
            params.append(("MEM_DIR", "MEM_DIR"))
        for k, wire in enumerate(st.outs):
            if wire != TOP_OUT:
                edges.append(EdgeParams(wire, st.layer.out_width(st.fold, k) - 1))
        bindings = tuple(zip(st.layer.in_ports, st.ins)) + tuple(zip(st.layer.out_ports, st.outs))
        stages.append(StageParams(st.name, inst.module, tuple(params), bindings))
    digest = hashlib.sha256(json.dumps([[s.params, s.bindings] for s in stages]).encode()).hexdigest()[:16]
    top = TopParams(
        TOP_MODULE, __version__, design.hw.name, digest, design.in_width, design.out_width,
        design.in_width - 1, design.out_width - 1, tuple(edges), tuple(stages),
    )
    return top, mems, modules


def _render(template: str, params: TopParams | KernelParams) -> str:
    return template_env(data_dir("rtl") / "templates").get_template(template).render(p=params)


def render_top(params: TopParams) -> str:
    """Render the top-level SystemVerilog from its params dataclass."""
    return _render("qnngen_top.sv.j2", params)


def kernel_params(design: FoldedDesign, mem_width: int) -> KernelParams:
    """The kernel top's params: the build's stream shapes, the board's memory width and the
    register offsets of regmap.py."""
    return KernelParams(
        KERNEL_MODULE, TOP_MODULE, SHELL_INSTANCE, CORE_INSTANCE, __version__, design.hw.name, mem_width,
        design.in_width, design.in_beats, design.out_width, design.out_beats,
        design.in_width - 1, design.out_width - 1, register_params(), KERNEL_PORTS,
    )


def render_kernel(params: KernelParams) -> str:
    """Render the kernel top (qnngen_kernel) from its params dataclass."""
    return _render("qnngen_kernel.sv.j2", params)


def write_rtl(design: FoldedDesign, rtl_dir: Path, mem_width: int) -> list[Path]:
    """Write the library modules, memory files, top level and the kernel (shell around the top,
    memory port `mem_width` bits wide) into rtl_dir; return the .sv files."""
    rtl_dir.mkdir(parents=True, exist_ok=True)
    top, mems, modules = top_params(design)
    for module in SHELL_LIBRARY:
        _add_module(modules, module)
    sources = []
    for module in modules:
        dst = rtl_dir / f"{module}.sv"
        shutil.copyfile(data_dir("rtl") / f"{module}.sv", dst)
        sources.append(dst)
    for name, text in sorted(mems.items()):
        (rtl_dir / name).write_text(text)
    top_file = rtl_dir / f"{TOP_MODULE}.sv"
    top_file.write_text(render_top(top))
    kernel_file = rtl_dir / f"{KERNEL_MODULE}.sv"
    kernel_file.write_text(render_kernel(kernel_params(design, mem_width)))
    return sources + [top_file, kernel_file]
