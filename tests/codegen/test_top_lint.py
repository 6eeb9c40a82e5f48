"""The generated top level and the kernel around it lint clean with verilator -Wall for several
models, foldings and memory widths."""

from __future__ import annotations

import pytest

from helpers import synthetic_mlp
from qnngen.codegen import TOP_MODULE, write_rtl
from qnngen.fold import assemble, fold_for_target_fps, load_board, minimal_folding
from qnngen.frontend import from_onnx
from qnngen.shell import KERNEL_MODULE, MEM_PARAM
from qnngen.lower import to_hw
from qnngen.pipeline import lower_model, resolve_model
from qnngen.sim import lint
from qnngen.streamline import streamline


def _designs():
    tfc = lower_model(resolve_model("tfc_w1a1")[0])
    mlp = lower_model(resolve_model("mlp_w2a2")[0])
    odd = to_hw(streamline(from_onnx(synthetic_mlp([15, 9, 6, 5], 3, 2, seed=4, signed_act=True), "odd")))
    board = load_board("pynq-z2")
    return {
        "tfc-minimal": assemble(tfc, minimal_folding(tfc)),
        "tfc-target": assemble(tfc, fold_for_target_fps(tfc, board, 100.0, 50000)),
        "mlp-target": assemble(mlp, fold_for_target_fps(mlp, board, 100.0, 300000)),
        "odd-signed": assemble(odd, fold_for_target_fps(odd, board, 100.0, 5e6)),
    }


@pytest.mark.parametrize("which, mem_width", [
    ("tfc-minimal", 32), ("tfc-target", 64), ("mlp-target", 512), ("odd-signed", 128),
])
def test_generated_top_lints_clean(which, mem_width, tmp_path):
    design = _designs()[which]
    sources = write_rtl(design, tmp_path, mem_width)
    lint(sources, TOP_MODULE, {"MEM_DIR": f"{tmp_path}/"})
    lint(sources, KERNEL_MODULE, {"MEM_DIR": f"{tmp_path}/"})
    lint(sources, KERNEL_MODULE, {"MEM_DIR": f"{tmp_path}/", MEM_PARAM: 256})
