"""`qnngen bitstream OUT`: the vendor tool missing gives exit 2 and one line with the command to
run elsewhere; a (stand-in) tool on PATH is run with its log streamed, a progress line per
phase, and its outputs checked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from vendor_stub import fake_build

from qnngen.cli import main

#: a stand-in for the vendor tool: prints the phases build.tcl prints, writes the outputs
FAKE_VIVADO = """#!/bin/sh
echo "vivado args: $*"
for i in 1 2 3 4 5 6 7 8 9; do
  echo "qnngen-phase: $i/9 step $i"
  echo "INFO: [Common 17-1] working $i"
done
{tail}
"""


def _tool(bindir: Path, name: str, tail: str) -> None:
    path = bindir / name
    path.write_text(FAKE_VIVADO.format(tail=tail))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("board, tool, command", [
    ("pynq-z2", "vivado",
     "cd {out}/project/vivado && vivado -mode batch -notrace -source build.tcl"),
    ("alveo-u280", "v++", "cd {out}/project/vitis && make xclbin"),
])  # fmt: skip
def test_missing_tool_exits_2_with_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    board: str, tool: str, command: str,
) -> None:  # fmt: skip
    out = fake_build(tmp_path, board)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["bitstream", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"qnngen: error: {tool} (")
    assert err.rstrip().endswith(command.format(out=out))


def test_runs_the_tool_and_checks_its_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = fake_build(tmp_path, "zcu104")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _tool(bindir, "vivado", "touch ../../qnngen.bit ../../qnngen.hwh")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    assert main(["bitstream", str(out)]) == 0
    captured = capsys.readouterr()
    assert (
        "vivado args: -mode batch -notrace -source build.tcl" in captured.out
    )  # the log, streamed
    assert [ln for ln in captured.err.splitlines() if "phase" in ln][-1].startswith(
        "vivado phase 9/9: step 9"
    )
    assert len([ln for ln in captured.err.splitlines() if "phase" in ln]) == 9
    assert "qnngen.bit" in captured.out and (out / "qnngen.hwh").is_file()
    assert "working 5" in (out / "project" / "vivado" / "bitstream.log").read_text()


@pytest.mark.parametrize("tail, problem", [
    ("exit 3", "vivado failed (exit 3) in phase 'step 9'"),
    ("touch ../../qnngen.bit", "vivado finished but did not write qnngen.hwh"),
])  # fmt: skip
def test_tool_failure_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tail: str, problem: str,
) -> None:  # fmt: skip
    out = fake_build(tmp_path, "pynq-z1")
    (out / "qnngen.hwh").write_text("stale")  # an earlier run's file does not pass for a new one
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _tool(bindir, "vivado", tail)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    assert main(["bitstream", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert problem in err[-1] and "bitstream.log" in err[-1]


def test_no_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bitstream", str(tmp_path)]) == 2
    assert "no project/project.json; run qnngen compile" in capsys.readouterr().err
