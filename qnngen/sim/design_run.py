"""Simulate a qnngen build folder: quantize inputs on the host, run them through the verilated
core (its streams) or the whole kernel (host memory and registers), compare with the numpy
reference and finish the outputs on the host."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..build_folder import check_build_folder, read_design
from ..errors import ModelError, QnnGenError
from ..examples import example_path
from ..frontend import load_model
from ..ir import BIPOLAR, parse_dtype
from ..lower import HwGraph, to_hw
from ..memlayout import FrameLayout
from ..packing import pack_beats, unpack_beats
from ..shell.cost import SHELL_KIND
from ..shell.frames import stream_layout as dtype_layout
from .build import BuildError, Ports, build_model
from .harness import DeadlockError, Simulator
from .kernel import KernelSim
from .kernel_run import DEFAULT_IN_ADDR, DEFAULT_OUT_ADDR, KernelRun, MemoryPace, run_frames

#: fraction of the frames skipped as pipeline fill before measuring the interval
FILL_FRACTION = 0.25
#: a stall longer than this many times the estimated frame latency + interval is a deadlock
IDLE_FACTOR = 4
MIN_IDLE_LIMIT = 100_000
#: beats of the longest AXI4 burst
MAX_BURST = 256


@dataclass(frozen=True)
class KernelFigures:
    """What a run through the whole kernel adds to sim.json: its rate next to the core's and
    the memory port's, the buffers' addresses and the memory traffic."""

    pace: MemoryPace
    mem_bits: int
    interval_cycles: float | None  # steady state (see KernelRun.interval_cycles)
    cycles: int  # the kernel's cycles register for the run of all frames: ap_start to ap_done
    in_addr: int
    out_addr: int
    stats: dict[str, int]

    def as_json(self, frames: int) -> dict:
        p = self.pace
        return {
            "kernel_interval_cycles": self.interval_cycles,
            "kernel_cycles_per_frame": self.cycles / frames,
            "core_interval_cycles": p.core_interval_cycles,
            "memory_bits": self.mem_bits,
            "memory_words_per_frame": {"in": p.words_per_frame_in, "out": p.words_per_frame_out},
            "memory_bound_cycles": p.memory_bound_cycles,
            "memory_bound_cycles_with_stalls": p.memory_bound_cycles_with_stalls,
            "pace": p.pace,
            "in_addr": f"0x{self.in_addr:x}",
            "out_addr": f"0x{self.out_addr:x}",
            **self.stats,
        }


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
    kernel: KernelFigures | None = None

    def as_json(self) -> dict:
        record = {
            "frames": self.frames, "mismatches_vs_reference": self.mismatches_vs_reference,
            "interval_cycles": self.interval_cycles, "latency_cycles": self.latency_cycles,
            "stalls": self.stalls, "seed": self.seed, "cycles": self.cycles,
            "kernel": self.kernel is not None,
        }
        return record | (self.kernel.as_json(self.frames) if self.kernel else {})


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


def core_interval(out: Path) -> float:
    """The core's estimated interval: the slowest stage of OUT/report.json but the shell."""
    layers = json.loads((out / "report.json").read_text())["layers"]
    return max(layer["interval_cycles"] for layer in layers if layer["kind"] != SHELL_KIND)


def stream_layout(stream: dict, mem_bits: int) -> FrameLayout:
    """The memory layout of the frames of a design.json stream record."""
    elems = stream["beats"] * stream["elems_per_beat"]
    return dtype_layout(parse_dtype(stream["dtype"]), elems, mem_bits)


def _run_stream(
    out: Path, record: dict, q: np.ndarray, stalls: float, seed: int, trace: Path | None,
    progress: Callable[[int, int], object] | None, build_dir: Path | None,
) -> tuple[np.ndarray, float | None, int, int]:
    """The core alone, through the AXI-Stream harness: outputs, interval, latency, cycles."""
    sin, sout = record["stream_in"], record["stream_out"]
    rtl_dir = out / "rtl"
    sources = sorted(rtl_dir.glob("*.sv"))
    ports = Ports(record["top"], sin["width"], sout["width"])
    try:
        lib = build_model(sources, ports, build_dir or out / "sim_build",
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
    latency = int(res.out_last_cycle[0] - res.in_first_cycle[0] + 1)
    return output_values(record, res.outputs), measured_interval(res.out_last_cycle), latency, res.cycles


def _run_kernel(
    out: Path, record: dict, q: np.ndarray, stalls: float, seed: int, trace: Path | None,
    progress: Callable[[int, int], object] | None, addrs: tuple[int, int], build_dir: Path | None,
) -> tuple[KernelRun, KernelFigures]:
    """The whole kernel with host memory (buffers at addrs: in, out) and register writes."""
    with KernelSim(out, seed=seed, stalls=stalls, trace=trace, build_dir=build_dir) as k:
        mem_bits = k.mem_bits
        lin = stream_layout(record["stream_in"], mem_bits)
        lout = stream_layout(record["stream_out"], mem_bits)
        interval = record.get("estimate_interval_cycles", 0)
        expected = record.get("estimate_latency_cycles", 0) + len(q) * interval
        # the shell may wait for a whole burst of output words, and fill its input FIFO by bursts
        burst_frames = -(-MAX_BURST // min(lin.words_per_frame, lout.words_per_frame))
        quiet = int(IDLE_FACTOR * burst_frames * interval / (1 - stalls) ** 2)
        run = run_frames(k, q, lin, lout, in_addr=addrs[0], out_addr=addrs[1], progress=progress,
                         idle_limit=idle_limit(record, stalls) + quiet, expected_cycles=expected)
    pace = MemoryPace(core_interval(out), lin.words_per_frame, lout.words_per_frame, stalls)
    figures = KernelFigures(pace, mem_bits, run.interval_cycles, run.cycles, *addrs, run.stats)
    return run, figures


def simulate(
    out: Path, x: np.ndarray, stalls: float = 0.0, seed: int = 0, trace: Path | None = None,
    progress: Callable[[int, int], object] | None = None, kernel: bool = False,
    in_addr: int = DEFAULT_IN_ADDR, out_addr: int = DEFAULT_OUT_ADDR,
    build_dir: Path | None = None,
) -> SimResult:
    """Run frames x (N, *input shape) through the RTL in OUT and check it bit for bit: the core
    alone through its streams, or with kernel=True the whole kernel through host memory (input
    buffer at in_addr, output buffer at out_addr) and register writes (see KernelRun for the
    two runs and the cycles per frame). Verilator models are cached in build_dir (default
    OUT/sim_build)."""
    record, hw = load_build(out)
    check_input_shape(record, x)
    q = hw.quantize_input(x)
    reference = hw.run_layers(q)
    figures = None
    single_wrong = False
    if kernel:
        run, figures = _run_kernel(out, record, q, stalls, seed, trace, progress,
                                   (in_addr, out_addr), build_dir)
        rtl, interval, cycles = run.outputs, figures.interval_cycles, figures.cycles
        latency = run.cycles if run.single_cycles is None else run.single_cycles
        if run.first_output is not None:
            single_wrong = not np.array_equal(run.first_output, reference[0])
    else:
        rtl, interval, latency, cycles = _run_stream(out, record, q, stalls, seed, trace, progress,
                                                     build_dir)
    mismatches = int(np.sum(np.any(rtl != reference, axis=1))) + int(single_wrong)
    return SimResult(
        frames=len(x), mismatches_vs_reference=mismatches, interval_cycles=interval,
        latency_cycles=latency, stalls=stalls, seed=seed, cycles=cycles,
        outputs=hw.finish_output(rtl), rtl_stream=rtl, reference_stream=reference, kernel=figures,
    )
