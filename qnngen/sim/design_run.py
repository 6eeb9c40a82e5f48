"""Simulate a qnngen build folder: quantize inputs on the host, stream them through the verilated
top level, compare with the numpy reference and finish the outputs on the host."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..build_folder import check_build_folder, read_design
from ..errors import ModelError, QnnGenError
from ..examples import example_path
from ..frontend import load_model
from ..ir import BIPOLAR, parse_dtype
from ..lower import HwGraph, to_hw
from ..packing import pack_beats, unpack_beats
from .build import BuildError, Ports, build_model
from .harness import DeadlockError, Simulator

#: fraction of the frames skipped as pipeline fill before measuring the interval
FILL_FRACTION = 0.25
#: a stall longer than this many times the estimated frame latency + interval is a deadlock
IDLE_FACTOR = 4
MIN_IDLE_LIMIT = 100_000


@dataclass(frozen=True)
class SimResult:
    """Outcome of one simulation run (sim.json) plus the outputs themselves."""

    frames: int
    mismatches_vs_reference: int
    interval_cycles: float | None
    latency_cycles: int
    stalls: float
    seed: int
    cycles: int
    outputs: dict[str, np.ndarray]
    rtl_stream: np.ndarray
    reference_stream: np.ndarray

    def as_json(self) -> dict:
        return {
            "frames": self.frames, "mismatches_vs_reference": self.mismatches_vs_reference,
            "interval_cycles": self.interval_cycles, "latency_cycles": self.latency_cycles,
            "stalls": self.stalls, "seed": self.seed, "cycles": self.cycles,
        }


#: what each backend's build holds and the command that runs it
_BACKEND_RUNNER = {"rtl": "qnngen simulate", "hls": "qnngen csim"}


def load_build(out: Path, backend: str = "rtl") -> tuple[dict, HwGraph]:
    """design.json and the HwGraph re-lowered from OUT/streamlined.onnx of a build of `backend`
    ("rtl" or "hls"), every file the run needs checked first (QnnGenError naming the file and
    the problem)."""
    check_build_folder(out, ("streamlined.onnx",))
    record = read_design(out)
    built = record.get("backend", "rtl")
    if built != backend:
        raise QnnGenError(f"{out}: is a --backend {built} build; run {_BACKEND_RUNNER[built]} {out}, "
                          f"or compile with --backend {backend}")
    check_build_folder(out, (f"{backend}/",))
    if backend == "rtl" and not (out / "rtl" / f"{record['top']}.sv").is_file():
        raise QnnGenError(
            f"{out}/rtl: {record['top']}.sv is missing; recompile the folder with qnngen compile"
        )
    if record["example"] is not None and example_path(record["example"]) is None:
        raise QnnGenError(
            f"{out}/design.json: example {record['example']!r} is not a bundled example; "
            "recompile the folder with qnngen compile"
        )
    try:
        hw = to_hw(load_model(out / "streamlined.onnx"))
    except QnnGenError as exc:
        where = "" if "streamlined.onnx" in str(exc) else f"{out}/streamlined.onnx: "
        raise QnnGenError(f"{where}{exc}; recompile the folder with qnngen compile") from None
    if list(hw.graph.shapes[hw.graph.inputs[0]]) != record["input_shape"]:
        raise QnnGenError(f"{out}/design.json: input_shape {record['input_shape']} differs from "
                          "streamlined.onnx; recompile the folder with qnngen compile")
    return record, hw


def read_inputs(path: Path, input_shape: tuple[int, ...]) -> np.ndarray:
    """Frames from a .npy file: a float array of shape (N, *input_shape), N >= 1, every value
    finite in float32; returned as float32. QnnGenError (one line) otherwise."""
    want = f"(N, {', '.join(map(str, input_shape))})"
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "no such file"
        raise ModelError(f"--input {path}: {problem}; give a .npy of shape {want}")
    try:
        x = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        reason = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise ModelError(
            f"--input {path}: not a readable .npy array ({reason}); save it with numpy.save"
        ) from None
    if not isinstance(x, np.ndarray):
        x.close()
        raise ModelError(
            f"--input {path}: is an .npz archive; give one array saved with numpy.save as .npy"
        )
    if x.dtype.kind != "f":
        raise ModelError(
            f"--input {path}: holds {x.dtype} values; give a float array (x.astype(np.float32))"
        )
    if x.shape[1:] != tuple(input_shape) or x.ndim == 0 or x.shape[0] == 0:
        raise ModelError(
            f"--input {path}: has shape {tuple(x.shape)}; the model takes {want} with N >= 1"
        )
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(x.astype(np.float64)) <= np.finfo(np.float32).max)
    if np.any(bad):
        raise ModelError(
            f"--input {path}: {int(np.count_nonzero(bad))} value(s) are NaN, infinite or beyond "
            "float32; give finite inputs"
        )
    return x.astype(np.float32)


def encode(values: np.ndarray, dtype_name: str) -> np.ndarray:
    """Stream element codes of integer values: bipolar -1/+1 become bits 0/1."""
    return (values > 0).astype(np.int64) if parse_dtype(dtype_name) == BIPOLAR else values


def decode(codes: np.ndarray, dtype_name: str) -> np.ndarray:
    """Integer values of stream element codes (inverse of encode)."""
    return 2 * codes - 1 if parse_dtype(dtype_name) == BIPOLAR else codes


def check_input_shape(record: dict, x: np.ndarray) -> None:
    """QnnGenError unless x is (N, *the model's input shape)."""
    shape = tuple(record["input_shape"][1:])
    if tuple(x.shape[1:]) != shape:
        raise QnnGenError(f"input has shape {tuple(x.shape)}; the model takes (N, {', '.join(map(str, shape))})")


def input_beats(record: dict, q: np.ndarray) -> np.ndarray:
    """Quantized inputs (N, elements) packed into the input stream's beats (N, beats, words)."""
    sin = record["stream_in"]
    return pack_beats(encode(q, sin["dtype"]), parse_dtype(sin["dtype"]).bitwidth(), sin["elems_per_beat"])


def output_values(record: dict, words: np.ndarray) -> np.ndarray:
    """Output stream beats (N, beats, words) as the integer values of the reference."""
    sout = record["stream_out"]
    odt = parse_dtype(sout["dtype"])
    codes = unpack_beats(words, odt.bitwidth(), sout["elems_per_beat"], odt.signed() and odt != BIPOLAR)
    return decode(codes, sout["dtype"])


def measured_interval(out_last: np.ndarray) -> float | None:
    """Mean cycles between consecutive frame completions after the pipeline has filled."""
    n = len(out_last)
    if n < 2:
        return None
    k = min(int(n * FILL_FRACTION), n - 2)
    return float(out_last[-1] - out_last[k]) / (n - 1 - k)


def idle_limit(record: dict, stalls: float) -> int:
    """Cycles without a handshake at the ports after which the run counts as deadlocked: some
    multiple of the estimated frame latency plus interval (a slow layer may legitimately keep
    the ports quiet that long), stretched by the expected stalls."""
    expected = record.get("estimate_latency_cycles", 0) + record.get("estimate_interval_cycles", 0)
    return max(MIN_IDLE_LIMIT, int(IDLE_FACTOR * expected / max(1e-3, 1 - stalls) ** 2))


def simulate(
    out: Path, x: np.ndarray, stalls: float = 0.0, seed: int = 0, trace: Path | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> SimResult:
    """Run frames x (N, *input shape) through the RTL in OUT and check it bit for bit."""
    record, hw = load_build(out)
    check_input_shape(record, x)
    sin, sout = record["stream_in"], record["stream_out"]
    q = hw.quantize_input(x)
    reference = hw.run_layers(q)
    rtl_dir = out / "rtl"
    sources = sorted(rtl_dir.glob("*.sv"))
    try:
        lib = build_model(sources, Ports(record["top"], sin["width"], sout["width"]), out / "sim_build",
                          params={"MEM_DIR": f"{rtl_dir.resolve()}/"}, trace=trace is not None)
    except BuildError as exc:
        raise QnnGenError(str(exc).splitlines()[0] + "; the generated RTL did not verilate") from None
    frames = input_beats(record, q)
    with Simulator(lib) as sim:
        if trace is not None:
            sim.open_trace(trace)
        try:
            res = sim.run_batch(frames, sout["beats"], stalls=stalls, seed=seed, progress=progress,
                                idle_limit=idle_limit(record, stalls))
        except DeadlockError as exc:
            raise QnnGenError(f"simulation deadlocked: {exc}") from None
        finally:
            if trace is not None:
                sim.close_trace()
    rtl = output_values(record, res.outputs)
    mismatches = int(np.sum(np.any(rtl != reference, axis=1)))
    return SimResult(
        frames=len(x), mismatches_vs_reference=mismatches,
        interval_cycles=measured_interval(res.out_last_cycle),
        latency_cycles=int(res.out_last_cycle[0] - res.in_first_cycle[0] + 1),
        stalls=stalls, seed=seed, cycles=res.cycles, outputs=hw.finish_output(rtl),
        rtl_stream=rtl, reference_stream=reference,
    )
