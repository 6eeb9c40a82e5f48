"""Simulate a qnngen build folder: quantize inputs on the host, run them through the verilated
core (its streams) or the whole kernel (host memory and registers), compare with the numpy
reference and finish the outputs on the host."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..driver.data import stream_layout as driver_stream_layout
from ..errors import ModelError, QnnGenError
from ..frontend import load_model
from ..ir import BIPOLAR, parse_dtype
from ..lower import HwGraph, to_hw
from ..memlayout import FrameLayout
from ..packing import pack_beats, unpack_beats
from ..shell.cost import SHELL_KIND
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


def load_build(out: Path) -> tuple[dict, HwGraph]:
    """design.json and the HwGraph re-lowered from OUT/streamlined.onnx."""
    if not (out / "design.json").is_file() or not (out / "streamlined.onnx").is_file():
        raise ModelError(f"{out}: not a qnngen build folder (run: qnngen compile MODEL -o {out})")
    record = json.loads((out / "design.json").read_text())
    return record, to_hw(load_model(out / "streamlined.onnx"))


def encode(values: np.ndarray, dtype_name: str) -> np.ndarray:
    """Stream element codes of integer values: bipolar -1/+1 become bits 0/1."""
    return (values > 0).astype(np.int64) if parse_dtype(dtype_name) == BIPOLAR else values


def decode(codes: np.ndarray, dtype_name: str) -> np.ndarray:
    """Integer values of stream element codes (inverse of encode)."""
    return 2 * codes - 1 if parse_dtype(dtype_name) == BIPOLAR else codes


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
    return driver_stream_layout(parse_dtype(stream["dtype"]), elems, mem_bits)


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
    idt = parse_dtype(sin["dtype"])
    frames = pack_beats(encode(q, sin["dtype"]), idt.bitwidth(), sin["elems_per_beat"])
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
    odt = parse_dtype(sout["dtype"])
    signed = odt.signed() and odt != BIPOLAR
    codes = unpack_beats(res.outputs, odt.bitwidth(), sout["elems_per_beat"], signed)
    latency = int(res.out_last_cycle[0] - res.in_first_cycle[0] + 1)
    return decode(codes, sout["dtype"]), measured_interval(res.out_last_cycle), latency, res.cycles


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
    shape = tuple(record["input_shape"][1:])
    if tuple(x.shape[1:]) != shape:
        raise QnnGenError(
            f"input has shape {tuple(x.shape)}; the model takes (N, {', '.join(map(str, shape))})"
        )
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
