"""C simulation of an HLS build folder: compile OUT/hls with g++ against the ap_types headers
of the `hls4ml` package (cached in OUT/csim_build), run every frame, compare with the numpy
reference and finish the outputs on the host."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import QnnGenError
from ..sim.design_run import check_input_shape, input_beats, load_build, output_values

#: the C++ standard of the csim build: C++20 defines the left shifts of negative values that the
#: ap_types C models do (UB before C++20, so UBSan flags them); the generated code is C++14.
#: The HLS pragmas are for Vitis: g++ would warn about each (-Wunknown-pragmas, which GCC 12
#: ignores `#pragma GCC diagnostic` for), every other -Wall -Wextra warning stays on.
CXX_STD = "-std=c++20"
WARNINGS = ("-Wall", "-Wextra", "-Wno-unknown-pragmas")
CXXFLAGS = (CXX_STD, "-O2", *WARNINGS)
SANITIZE_FLAGS = (CXX_STD, "-O0", "-g", *WARNINGS, "-fsanitize=address,undefined",
                  "-fno-sanitize-recover=all", "-fno-omit-frame-pointer")
EXECUTABLE = "qnngen_tb"
_TIMING = re.compile(r"qnngen_tb: (\d+) frames in ([0-9.]+) s")


@dataclass(frozen=True)
class CsimResult:
    """Outcome of one C simulation run (csim.json) plus the outputs themselves."""

    frames: int
    mismatches_vs_reference: int
    fps: float
    build_seconds: float
    outputs: dict[str, np.ndarray]
    csim_stream: np.ndarray
    reference_stream: np.ndarray

    def as_json(self) -> dict:
        return {"frames": self.frames, "mismatches_vs_reference": self.mismatches_vs_reference,
                "fps": round(self.fps, 3), "build_seconds": round(self.build_seconds, 3)}


def ap_types_dir() -> Path:
    """The ap_int / hls_stream C model headers shipped in the `hls4ml` wheel (found without
    importing hls4ml)."""
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise QnnGenError("C simulation needs the ap_int headers of the hls4ml package: pip install 'qnngen[hls]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "templates" / "vivado" / "ap_types"
    if not (path / "ap_int.h").is_file():
        raise QnnGenError(f"{path}: no ap_int.h in this hls4ml installation; reinstall it: pip install 'qnngen[hls]'")
    return path


def compiler() -> str:
    """The g++ on PATH."""
    found = shutil.which("g++")
    if found is None:
        raise QnnGenError("C simulation needs g++ on PATH (apt-get install g++)")
    return found


def build_csim(sources: list[Path], include_dir: Path, build_root: Path, sanitize: bool = False) -> tuple[Path, float]:
    """Compile `sources` (with the headers in include_dir) into an executable cached in a folder of
    build_root named after a hash of every source and header, the flags and the compiler;
    return it and the seconds the build took (0 when cached).

    The build log (OUT/csim_build/<hash>/build.log) keeps the compiler's warnings."""
    flags = SANITIZE_FLAGS if sanitize else CXXFLAGS
    ap = ap_types_dir()
    cxx = compiler()
    h = hashlib.sha256(json.dumps([cxx, str(ap), flags]).encode())
    h.update(subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.encode())
    for f in sorted({*sources, *include_dir.glob("*.h")}):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    key = h.hexdigest()
    out = build_root.resolve() / f"{key[:16]}{'-sanitize' if sanitize else ''}"
    exe, stamp = out / EXECUTABLE, out / "stamp"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if exe.is_file() and stamp.is_file() and stamp.read_text() == key:
            return exe, 0.0
        stamp.unlink(missing_ok=True)
        print(f"compiling the C simulation -> {out} ...", file=sys.stderr, flush=True)
        start = time.monotonic()
        cmd = [cxx, *flags, "-isystem", str(ap), "-I", str(include_dir), *map(str, sources), "-o", str(exe)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        (out / "build.log").write_text(" ".join(cmd) + "\n" + proc.stdout + proc.stderr)
        if proc.returncode != 0:
            first = next((ln for ln in proc.stderr.splitlines() if "error" in ln), "g++ failed")
            raise QnnGenError(f"the generated C++ did not compile: {first} (log: {out / 'build.log'})")
        stamp.write_text(key)
        return exe, time.monotonic() - start


def run_tb(exe: Path, frames: np.ndarray, work: Path) -> tuple[np.ndarray, float]:
    """Run the testbench on packed input beats; return the output beats and the frames/s it reports."""
    work.mkdir(parents=True, exist_ok=True)
    src, dst = work / "in.npy", work / "out.npy"
    np.save(src, frames.astype(np.uint32))
    proc = subprocess.run([str(exe), str(src), str(dst)], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise QnnGenError(f"the C simulation failed: {tail}")
    found = _TIMING.search(proc.stdout)
    seconds = float(found.group(2)) if found else 0.0
    return np.load(dst), len(frames) / max(seconds, 1e-9)


def csim(out: Path, x: np.ndarray, sanitize: bool = False) -> CsimResult:
    """Run frames x (N, *input shape) through the C++ in OUT/hls and check it bit for bit."""
    record, hw = load_build(out, "hls")
    hls_dir = out / "hls"
    if not (hls_dir / "qnngen_top.cpp").is_file():
        raise QnnGenError(f"{out}/hls: qnngen_top.cpp is missing; recompile the folder with qnngen compile --backend hls")
    check_input_shape(record, x)
    q = hw.quantize_input(x)
    reference = hw.run_layers(q)
    exe, build_seconds = build_csim([hls_dir / "qnngen_top.cpp", hls_dir / "qnngen_tb.cpp"], hls_dir,
                                    out / "csim_build", sanitize)
    words, fps = run_tb(exe, input_beats(record, q), exe.parent / "run")
    y = output_values(record, words)
    mismatches = int(np.sum(np.any(y != reference, axis=1)))
    return CsimResult(len(x), mismatches, fps, build_seconds, hw.finish_output(y), y, reference)
