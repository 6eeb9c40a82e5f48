"""Helpers of tests/project: build folders with a vendor project, and a generated vendor script
run to its end in a plain Tcl interpreter, vendor commands stubbed (project/vendor_stub.tcl),
returning the recorded calls.

The interpreter is `tclsh` (Debian's tcl package, on the machine image) or, where it is missing,
Python's own Tcl (tkinter); under CI one of them must exist: the tests fail rather than skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from qnngen.fold import load_board
from qnngen.project import write_project

STUB = Path(__file__).resolve().parent / "project" / "vendor_stub.tcl"


ZYNQ_BOARDS = ("pynq-z1", "pynq-z2", "ultra96-v2", "kv260", "zcu102", "zcu104")
VITIS_BOARDS = ("alveo-u250", "alveo-u280", "aws-f1")
#: a kernel's files as a build folder holds them: HDL sources and $readmemh memory files
FAKE_RTL = ("qnngen_kernel.v", "qnngen_top.sv", "qnngen_rom.sv", "mvtu_0_w.mem", "mvtu_0_t.mem")


def fake_build(root: Path, board: str, clock_mhz: float | None = None) -> Path:
    """OUT with a stand-in rtl/ and the board's project written from it."""
    out = root / f"out_{board}"
    (out / "rtl").mkdir(parents=True)
    for name in FAKE_RTL:
        (out / "rtl" / name).write_text("0\n" if name.endswith(".mem") else f"// {name}\n")
    b = load_board(board)
    write_project(b, clock_mhz or b.default_clock_mhz, out)
    return out


@dataclass(frozen=True)
class TclRun:
    """A finished run: the recorded vendor calls (each a list of words), stdout, exit status."""

    calls: list[list[str]]
    stdout: str
    stderr: str
    returncode: int

    def named(self, command: str) -> list[list[str]]:
        """The calls of `command`, in order."""
        return [c for c in self.calls if c[0] == command]

    def index(self, command: str, *words: str) -> int:
        """Position of the first call of `command` having all `words` among its arguments."""
        for i, c in enumerate(self.calls):
            if c[0] == command and all(w in c[1:] for w in words):
                return i
        raise AssertionError(f"no call {command} {' '.join(words)} in {[c[0] for c in self.calls]}")


def _tcl_words(text: str) -> str:
    return "{" + text.replace("\\", "/") + "}"


PYTHON_TCL = "import sys, tkinter; tkinter.Tcl().eval(open(sys.argv[1]).read())"


def _interpreter(python_tcl: bool = False) -> list[str]:
    tclsh = None if python_tcl else shutil.which("tclsh")
    if tclsh:
        return [tclsh]
    try:
        import tkinter  # noqa: F401  (stdlib; its Tcl runs the script)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("no Tcl interpreter: install Debian's tcl (tclsh) or Python's tkinter")
        pytest.skip("no Tcl interpreter (tclsh or tkinter)")
    return [sys.executable, "-c", PYTHON_TCL]


def run_tcl(
    script: Path,
    tmp: Path,
    *,
    version: str,
    mhz: str = "100",
    board_parts: str = "exact",
    argv: tuple[str, ...] = (),
    python_tcl: bool = False,
) -> TclRun:
    """Source `script` after the stub, in tclsh (or Python's Tcl: `python_tcl`, or no tclsh);
    the run's own files (log, driver) go into `tmp`."""
    log = tmp / "vendor_calls.log"
    driver = tmp / "run_stub.tcl"
    driver.write_text("\n".join([
        f"set stub_log {_tcl_words(str(log))}",
        f"set stub_version {version}",
        f"set stub_mhz {mhz}",
        f"set stub_board_parts {board_parts}",
        f"set argv [list {' '.join(_tcl_words(a) for a in argv)}]",
        f"source {_tcl_words(str(STUB))}",
        f"source {_tcl_words(str(script))}",
        "close $stub_fh",
        "",
    ]))  # fmt: skip
    proc = subprocess.run(
        [*_interpreter(python_tcl), str(driver)],
        capture_output=True,
        text=True,
        cwd=script.parent,
        timeout=120,
    )
    calls = [line.split("\x1f") for line in log.read_text().splitlines()] if log.exists() else []
    return TclRun(calls, proc.stdout, proc.stderr, proc.returncode)
