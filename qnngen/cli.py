"""The `qnngen` command line: compile, estimate, simulate, csim, synth, bitstream, boards, examples."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
from rich.console import Console

from .errors import FoldingError, QnnGenError
from .outputs import check_output_dir, check_output_file, npy_bytes, write_output

RANDOM_FRAMES = 32
#: the fastest clock --clock-mhz accepts
MAX_CLOCK_MHZ = 1000.0
MAX_SEED = 2**63 - 1
BUDGET_HELP = (
    "with --target-fps: the share of each board resource the folding may use, e.g. "
    "lut=70%%,bram18=80%% or dsp=0.9 (keys lut, ff, bram18, uram, dsp); unnamed keys keep the "
    "defaults lut=80%%,ff=80%%,bram18=85%%,uram=85%%,dsp=90%%, headroom for placement and routing"
)


def _fps(text: str) -> float | str:
    """A --target-fps value: 'max' or a positive number; FoldingError (one line) otherwise."""
    if text.strip().lower() == "max":
        return "max"
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise FoldingError(f"--target-fps {text}: give a positive number of frames per second or max")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line: the subcommand and what to fix."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sub = self.prog.split(" ", 1)[1] + ": " if " " in self.prog else ""
        text = " ".join(message.split())
        self.exit(2, f"qnngen: error: {sub}{text}; see: {self.prog} --help\n")


def number(
    kind: type, low: float, high: float, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number of `kind` in the given range (usage error otherwise)."""
    show = (lambda v: str(int(v))) if kind is int else (lambda v: f"{v:g}")
    span = f"{'(' if low_open else '['}{show(low)}, {show(high)}{')' if high_open else ']'}"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and (low < value if low_open else low <= value) and (
            value < high if high_open else value <= high)
        if not ok:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} in {span}")
        return value

    return parse


def _address(text: str | None, flag: str, default: int) -> int:
    """A --in-addr / --out-addr value: a 64-bit byte address, decimal or 0x hex."""
    if text is None:
        return default
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 <= value < 2**64:
        raise QnnGenError(f"{flag} {text}: give a byte address in 0..2**64-1 (decimal or 0x hex)")
    return value


def _add_fold_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="an .onnx file or a bundled example name")
    p.add_argument("--board", default="pynq-z2", help="target board (see: qnngen boards); default pynq-z2")
    p.add_argument("--clock-mhz", type=number(float, 0, MAX_CLOCK_MHZ, low_open=True), default=None,
                   help="clock in MHz; default the board's (100 on pynq-z2)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--target-fps", metavar="FPS|max",
                   help="cheapest folding that reaches FPS frames/s within --budget, or max: the fastest that fits it")
    g.add_argument("--folding", type=Path, help="folding JSON {layer: {pe, simd}} (as written to OUT/folding.json)")
    p.add_argument("--budget", metavar="KEY=PCT,...", help=BUDGET_HELP)


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="qnngen", description="Compile quantized ONNX models into streaming FPGA accelerators.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compile", help="generate RTL, folding and report for a model")
    _add_fold_args(c)
    c.add_argument("-o", "--out", type=Path, required=True, help="build folder to write")
    c.add_argument("--backend", choices=("rtl", "hls"), default="rtl",
                   help="rtl: SystemVerilog in OUT/rtl (default); hls: Vitis HLS C++ in OUT/hls")
    e = sub.add_parser("estimate", help="estimate cycles and resources without generating anything")
    _add_fold_args(e)
    e.add_argument("--json", type=Path, help="also write the report JSON here")
    e.add_argument("--html", type=Path, help="also write the HTML report (tables and plots) here")
    s = sub.add_parser("simulate", help="simulate a build folder cycle-accurately with Verilator")
    s.add_argument("out", metavar="OUT", type=Path, help="build folder from qnngen compile")
    s.add_argument("--input", type=Path, help="inputs .npy, float32 (N, *input shape)")
    s.add_argument("-o", "--output", type=Path, help="write the model outputs (.npy) here")
    s.add_argument("--stalls", type=number(float, 0, 1, high_open=True), default=0.0,
                   help="probability of input bubbles / output backpressure per cycle, in [0, 1)")
    s.add_argument("--seed", type=number(int, 0, MAX_SEED), default=0,
                   help="seed for stalls and random inputs (>= 0)")
    s.add_argument("--trace", action="store_true", help="write a VCD waveform to OUT/sim.vcd")
    s.add_argument("--kernel", action="store_true",
                   help="run the whole kernel (AXI shell and core) with host memory and register writes; "
                        "--stalls and --seed then also drive the memory latency and AXI handshakes")
    s.add_argument("--in-addr", metavar="ADDR",
                   help="with --kernel: byte address of the input buffer (default 0x100001000, above 4 GiB)")
    s.add_argument("--out-addr", metavar="ADDR",
                   help="with --kernel: byte address of the output buffer (default 0x20000000)")
    b = sub.add_parser("bitstream", help="run the vendor tool on OUT/project: OUT/qnngen.bit (Zynq) or .xclbin (Alveo, F1)")
    b.add_argument("out", metavar="OUT", type=Path, help="build folder from qnngen compile")
    h = sub.add_parser("csim", help="C-simulate the HLS C++ of a build folder (compile --backend hls) with g++")
    h.add_argument("out", metavar="OUT", type=Path, help="build folder from qnngen compile --backend hls")
    h.add_argument("--input", type=Path, help="inputs .npy, float32 (N, *input shape)")
    h.add_argument("-o", "--output", type=Path, help="write the model outputs (.npy) here")
    h.add_argument("--seed", type=number(int, 0, MAX_SEED), default=0, help="seed for random inputs (>= 0)")
    y = sub.add_parser("synth", help="synthesize a build folder with Yosys; compare with the estimate")
    y.add_argument("out", metavar="OUT", type=Path, help="build folder from qnngen compile")
    sub.add_parser("boards", help="list the boards and their resources")
    sub.add_parser("examples", help="list the bundled example models")
    return ap


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The parsed arguments; an unknown argument is reported by its subcommand's parser."""
    ap = _parser()
    args, extra = ap.parse_known_args(argv)
    if extra:
        sub = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
        sub.choices[args.cmd].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _options(args: argparse.Namespace):
    from .fold import Budget, load_board, parse_budget
    from .pipeline import Options

    target = None if args.target_fps is None else _fps(args.target_fps)
    if args.budget is not None and target is None:
        raise FoldingError("--budget bounds the folding search: give it with --target-fps")
    budget = Budget() if args.budget is None else parse_budget(args.budget)
    clock = args.clock_mhz if args.clock_mhz is not None else load_board(args.board).default_clock_mhz
    return Options(args.board, float(clock), target, args.folding, budget, getattr(args, "backend", "rtl"))


def _compile(args: argparse.Namespace, console: Console) -> int:
    from .fold import print_estimate
    from .pipeline import compile_model

    t0 = time.perf_counter()
    options = _options(args)
    check_output_dir(args.out, "-o", "design.json")
    p = compile_model(args.model, args.out, options)
    print_estimate(p.estimate, console)
    built = f"{args.backend}/, project/, driver/" if args.backend == "rtl" else "hls/"
    console.print(f"wrote {args.out}/ ({built}, folding.json, report.json, report.html, streamlined.onnx) in {time.perf_counter() - t0:.2f} s")
    return 0


def _estimate(args: argparse.Namespace, console: Console) -> int:
    from .fold import print_estimate, report_dict, report_json
    from .pipeline import plan

    options = _options(args)
    for option, path in (("--json", args.json), ("--html", args.html)):
        if path is not None:
            check_output_file(path, option)
    p = plan(args.model, options)
    print_estimate(p.estimate, console)
    if args.json:
        write_output(args.json, report_json(p.model_path.stem, p.estimate), "--json")
    if args.html:
        from .fold.report_html import report_html  # matplotlib loads only for the page

        write_output(args.html, report_html(report_dict(p.model_path.stem, p.estimate)), "--html")
    return 0


def _inputs(args: argparse.Namespace, record: dict) -> np.ndarray:
    from .examples import sample_inputs
    from .sim.design_run import read_inputs

    if args.input is not None:
        return read_inputs(args.input, tuple(record["input_shape"][1:]))
    if record.get("example"):
        return sample_inputs(record["example"])
    rng = np.random.default_rng(args.seed)
    return rng.uniform(-1, 1, size=(RANDOM_FRAMES, *record["input_shape"][1:])).astype(np.float32)


def _simulate(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import Progress

    from .sim.design_run import load_build, simulate
    from .sim.kernel_run import DEFAULT_IN_ADDR, DEFAULT_OUT_ADDR

    if args.output is not None:
        check_output_file(args.output, "-o")
    if not args.kernel and (args.in_addr is not None or args.out_addr is not None):
        raise QnnGenError("--in-addr / --out-addr place the kernel's buffers: give them with --kernel")
    record, _ = load_build(args.out)
    x = _inputs(args, record)
    trace = args.out / "sim.vcd" if args.trace else None
    addrs = {"in_addr": _address(args.in_addr, "--in-addr", DEFAULT_IN_ADDR),
             "out_addr": _address(args.out_addr, "--out-addr", DEFAULT_OUT_ADDR)}
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("simulating the kernel" if args.kernel else "simulating", total=len(x))
        res = simulate(args.out, x, args.stalls, args.seed, trace, lambda done, n: bar.update(task, completed=done),
                       kernel=args.kernel, **addrs)
    write_output(args.out / "sim.json", json.dumps(res.as_json(), indent=2) + "\n", "OUT")
    if args.output is not None:
        y = next(iter(res.outputs.values())).astype(np.float32)
        write_output(args.output, npy_bytes(y), "-o")
    est = record.get("estimate_interval_cycles")
    interval = f"{res.interval_cycles:.1f}" if res.interval_cycles is not None else "n/a (1 frame)"
    console.print(f"{res.frames} frames, {res.mismatches_vs_reference} mismatches vs the numpy reference; "
                  f"interval {interval} cycles (estimate {est}), latency {res.latency_cycles} cycles, stalls {res.stalls}")
    if res.kernel is not None:
        k = res.kernel.as_json(res.frames)
        console.print(f"kernel: {k['kernel_cycles_per_frame']:.1f} cycles per frame over the run ({res.cycles} cycles), "
                      f"interval {interval} vs core {k['core_interval_cycles']}; memory port {k['memory_bits']} bits, "
                      f"{k['memory_words_per_frame']['in']}/{k['memory_words_per_frame']['out']} words per frame in/out: "
                      f"memory-bound {k['memory_bound_cycles_with_stalls']:.1f} cycles per frame -> "
                      f"the {k['pace']} sets the pace")
    return 1 if res.mismatches_vs_reference else 0


def _csim(args: argparse.Namespace, console: Console) -> int:
    from .hls import csim
    from .sim.design_run import load_build

    if args.output is not None:
        check_output_file(args.output, "-o")
    record, _ = load_build(args.out, "hls")
    x = _inputs(args, record)
    with Console(stderr=True).status(f"C simulation of {len(x)} frames ..."):
        res = csim(args.out, x)
    write_output(args.out / "csim.json", json.dumps(res.as_json(), indent=2) + "\n", "OUT")
    if args.output is not None:
        y = next(iter(res.outputs.values())).astype(np.float32)
        write_output(args.output, npy_bytes(y), "-o")
    built = f"built in {res.build_seconds:.1f} s" if res.build_seconds else "build cached"
    console.print(f"{res.frames} frames, {res.mismatches_vs_reference} mismatches vs the numpy reference; "
                  f"{res.fps:,.0f} frames/s ({built})")
    return 1 if res.mismatches_vs_reference else 0


def _boards(args: argparse.Namespace, console: Console) -> int:
    from .fold import list_boards, print_boards

    print_boards(list_boards(), console)
    return 0


def _examples(args: argparse.Namespace, console: Console) -> int:
    from .examples import list_examples

    for name, rec in sorted(list_examples().items()):
        console.print(f"{name:12s} {rec['description']} (input {rec['input_shape']})")
    return 0


def _synth(args: argparse.Namespace, console: Console) -> int:
    from .synth import print_synth, synthesize_build

    t0 = time.perf_counter()
    with console.status(f"Yosys synth_xilinx of {args.out} (minutes for a large design) ..."):
        result = synthesize_build(args.out)
    print_synth(result, console)
    console.print(f"wrote {args.out}/synth.json in {time.perf_counter() - t0:.1f} s")
    return 0


def _bitstream(args: argparse.Namespace, console: Console) -> int:
    from .project import run_bitstream

    t0 = time.perf_counter()
    record = run_bitstream(args.out, Console(stderr=True))
    console.print(f"wrote {', '.join(str(args.out / n) for n in record.outputs)} "
                  f"in {time.perf_counter() - t0:.0f} s")
    for step in record.next_steps:
        console.print(f"next: {step}")
    return 0


COMMANDS = {
    "compile": _compile, "estimate": _estimate, "simulate": _simulate, "csim": _csim, "synth": _synth,
    "bitstream": _bitstream,
    "boards": _boards, "examples": _examples,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    Numpy floating-point warnings (underflow to zero excepted) are errors while a command runs:
    the validation stage turns those a broken model would cause into messages; any other reaches
    the user as one line.
    """
    try:
        args = _parse(argv)
    except SystemExit as exc:  # usage error (one line, status 2) or --help (status 0)
        return exc.code if isinstance(exc.code, int) else 2
    # rich assumes 80 columns when not on a terminal; the tables need more
    console = Console() if sys.stdout.isatty() else Console(width=120)
    try:
        with np.errstate(all="raise", under="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return COMMANDS[args.cmd](args, console)
    except QnnGenError as exc:
        print(f"qnngen: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except (FloatingPointError, RuntimeWarning) as exc:
        print(f"qnngen: error: {args.cmd}: numeric failure ({exc}); the model or inputs hold values "
              "qnngen cannot compute with", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qnngen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
