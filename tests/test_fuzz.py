"""Fuzz: hundreds of malformed models, folding files, input arrays, build folders and command
lines, made deterministically from the shared models and the bundled examples (see
fuzz_mutations). Each must end with exit status 2, exactly one non-empty stderr line, no
traceback or warning, and every file under the test's folder (OUT, --json, -o, ...) as it was.
A mutation that leaves the model valid must compile and simulate bit-exactly instead.

The cases run in-process through qnngen.cli.main. `pytest -m fuzz` runs only this suite.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import pytest

import fuzz_mutations as fm
from helpers import EXAMPLES, SHARED_MODELS, model_files
from qnngen.cli import main

pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("error")]

#: the build folder the input, build and CLI cases start from (small: compiles in a second)
BUILT = (SHARED_MODELS, "mlp_w4a4_digits")
GRAPH_MODELS = [
    (SHARED_MODELS, "tfc_w1a1"),
    (SHARED_MODELS, "mlp_w4a4_digits"),
    (SHARED_MODELS, "cnv_w2a2_small"),
    (EXAMPLES, "resnet_w4a4"),
    (EXAMPLES, "mlp_w2a2"),
]
ATTRIBUTE_MODELS = [
    (SHARED_MODELS, "cnv_w2a2_small"),
    (EXAMPLES, "resnet_w4a4"),
    (SHARED_MODELS, "mlp_w4a4_digits"),
    (SHARED_MODELS, "tfc_w1a1"),
]
QUANT_MODELS = [
    (SHARED_MODELS, "tfc_w2a2"),
    (SHARED_MODELS, "mlp_w4a4_digits"),
    (SHARED_MODELS, "cnv_w1a1_small"),
    (EXAMPLES, "resnet_w4a4"),
]
FILE_MODELS = [
    (SHARED_MODELS, "tfc_w1a1"),
    (SHARED_MODELS, "mlp_w4a4_digits"),
    (EXAMPLES, "mlp_w2a2"),
    (EXAMPLES, "cnv_w1a1"),
]
FLIPS_PER_MODEL = 10


@dataclass(frozen=True)
class Run:
    """What a case runs: the argv, and for a model mutation the mutated model (a valid outcome
    is then simulated)."""

    argv: list[str]
    model: Path | None = None
    source: tuple[Path, str] | None = None


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    prepare: Callable[[Path, "Built"], Run]


@dataclass(frozen=True)
class Built:
    """A compiled build folder of BUILT and a valid folding file for it."""

    out: Path
    folding: dict


@lru_cache(maxsize=None)
def _model_bytes(folder: Path, name: str) -> bytes | None:
    path = folder / f"{name}.onnx"
    return path.read_bytes() if path.is_file() else None


def _proto(folder: Path, name: str) -> onnx.ModelProto:
    data = _model_bytes(folder, name)
    if data is None:
        model_files(name, folder)  # the suite's policy for an absent model (skip, or fail in CI)
    return onnx.load_from_string(data)


def _model_case(family: str, src: tuple[Path, str], label: str, mutate) -> Case:
    def prepare(tmp: Path, built: Built) -> Run:
        m = mutate(_proto(*src))
        path = tmp / f"{src[1]}.onnx"
        if isinstance(m, bytes):
            path.write_bytes(m)
        else:
            path.write_bytes(m.SerializeToString())
        return Run(["compile", str(path), "-o", str(tmp / "OUT")], path, src)

    return Case(family, f"{src[1]}-{label}", prepare)


def _model_cases(family: str, models: list, generate) -> list[Case]:
    cases = []
    for src in models:
        if _model_bytes(*src) is None:
            cases.append(_model_case(family, src, "absent", lambda m: m))
            continue
        cases += [_model_case(family, src, label, fn) for label, fn in generate(_proto(*src))]
    return cases


def _external_short_cases() -> list[Case]:
    def case(src):
        def prepare(tmp: Path, built: Built) -> Run:
            path = tmp / f"{src[1]}.onnx"
            path.write_bytes(fm.external_data_short(_proto(*src), tmp).SerializeToString())
            return Run(["compile", str(path), "-o", str(tmp / "OUT")], path, src)

        return Case("graph", f"{src[1]}-external-data-too-short", prepare)

    return [case(src) for src in GRAPH_MODELS[:2]]


def _byte_cases() -> list[Case]:
    cases = []
    for seed, src in enumerate(FILE_MODELS):
        data = _model_bytes(*src)
        if data is None:
            cases.append(_model_case("file", src, "absent", lambda m: m))
            continue
        raw = fm.raw_ranges(onnx.load_from_string(data), data)
        for label, mutated in fm.byte_mutations(data, raw, FLIPS_PER_MODEL, seed):
            cases.append(_model_case("file", src, label, lambda m, b=mutated: b))
    return cases


def _folding_cases() -> list[Case]:
    def case(label: str, text: bytes, sub: str) -> Case:
        def prepare(tmp: Path, built: Built) -> Run:
            path = tmp / "folding.json"
            path.write_bytes(text)
            model = str(BUILT[0] / f"{BUILT[1]}.onnx")
            argv = [sub, model, "--folding", str(path)] + (
                ["-o", str(tmp / "OUT")] if sub == "compile" else []
            )
            return Run(argv)

        return Case("folding", f"{sub}-{label}", prepare)

    # the layer names of a compiled folding (fixed by the lowering of BUILT)
    valid = {"mvtu_0": {"pe": 1, "simd": 1}, "mvtu_1": {"pe": 1, "simd": 1}}
    texts = list(fm.folding_texts(valid))
    return [
        case(label, text, "compile" if k % 2 else "estimate")
        for k, (label, text) in enumerate(texts)
    ]


def _input_cases() -> list[Case]:
    labels = [
        "empty",
        "garbage",
        "truncated",
        "header-only",
        "npz",
        "zero-d",
        "one-frame-no-batch",
        "wrong-shape",
        "extra-axis",
        "no-frames",
        "int64",
        "bool",
        "complex",
        "strings",
        "object",
        "structured",
        "all-nan",
        "one-inf",
        "beyond-float32",
        "folder",
        "missing",
    ]

    def case(label: str) -> Case:
        def prepare(tmp: Path, built: Built) -> Run:
            shape = tuple(json.loads((built.out / "design.json").read_text())["input_shape"][1:])
            files = dict(fm.input_files(shape, tmp))
            return Run(
                ["simulate", str(built.out), "--input", str(files[label]), "-o", str(tmp / "y.npy")]
            )

        return Case("inputs", label, prepare)

    return [case(label) for label in labels]


def _build_cases() -> list[Case]:
    def case(label: str, breaks, sub: str) -> Case:
        def prepare(tmp: Path, built: Built) -> Run:
            out = tmp / "OUT"
            shutil.copytree(built.out, out)
            breaks(out)
            return Run([sub, str(out)])

        return Case("build", f"{sub}-{label}", prepare)

    cases = [case(label, fn, "simulate") for label, fn in fm.build_breakages()]
    cases += [case(label, fn, "synth") for label, fn in fm.report_breakages()]
    synth_needs = (
        "no-design-json",
        "no-rtl",
        "no-top-sv",
        "design-json-truncated",
        "design-json-no-top",
    )
    cases += [
        case(label, fn, "synth") for label, fn in fm.build_breakages() if label in synth_needs
    ]
    return cases


CLI_ARGS: list[tuple[str, list[str]]] = [
    ("no-command", []),
    ("unknown-command", ["build"]),
    ("compile-no-args", ["compile"]),
    ("compile-no-out", ["compile", "{model}"]),
    ("unknown-option", ["estimate", "{model}", "--fast"]),
    ("fps-and-folding", ["estimate", "{model}", "--target-fps", "100", "--folding", "{file}"]),
    ("simulate-no-out", ["simulate"]),
    ("model-empty", ["estimate", ""]),
    ("model-folder", ["estimate", "{tmp}"]),
    ("model-not-onnx", ["estimate", "{file}"]),
    ("board-empty", ["estimate", "{model}", "--board", ""]),
    ("board-path", ["estimate", "{model}", "--board", "../boards/pynq-z2"]),
    ("board-unknown", ["estimate", "{model}", "--board", "PYNQ-Z9"]),
    ("budget-alone", ["estimate", "{model}", "--budget", "lut=50%"]),
    ("json-folder", ["estimate", "{model}", "--json", "{tmp}"]),
    ("json-missing-folder", ["estimate", "{model}", "--json", "{tmp}/nope/r.json"]),
    ("json-under-file", ["estimate", "{model}", "--json", "{file}/r.json"]),
    ("json-device", ["estimate", "{model}", "--json", "/dev/full"]),
    ("json-unwritable", ["estimate", "{model}", "--json", "/proc/qnngen.json"]),
    ("html-folder", ["estimate", "{model}", "--html", "{tmp}"]),
    ("html-missing-folder", ["estimate", "{model}", "--html", "{tmp}/nope/r.html"]),
    ("html-under-file", ["estimate", "{model}", "--html", "{file}/r.html"]),
    ("out-under-file", ["compile", "{model}", "-o", "{file}/OUT"]),
    ("out-is-file", ["compile", "{model}", "-o", "{file}"]),
    ("out-not-build-folder", ["compile", "{model}", "-o", "{tmp}"]),
    ("out-unwritable", ["compile", "{model}", "-o", "/proc/qnngen_out"]),
    ("simulate-out-missing", ["simulate", "{tmp}/nothing"]),
    ("simulate-out-is-file", ["simulate", "{file}"]),
    ("simulate-o-under-file", ["simulate", "{built}", "-o", "{file}/y.npy"]),
    ("simulate-o-folder", ["simulate", "{built}", "-o", "{tmp}"]),
    ("simulate-o-missing-folder", ["simulate", "{built}", "-o", "{tmp}/nope/y.npy"]),
    ("simulate-o-device", ["simulate", "{built}", "-o", "/dev/full"]),
    ("synth-out-missing", ["synth", "{tmp}/nothing"]),
    ("synth-out-is-file", ["synth", "{file}"]),
    ("folding-missing", ["estimate", "{model}", "--folding", "{tmp}/none.json"]),
    ("folding-folder", ["estimate", "{model}", "--folding", "{tmp}"]),
]
for _value in ("inf", "-inf", "nan", "0", "-5", "1e9", "abc", "", "0x10"):
    CLI_ARGS.append(
        (f"clock-mhz-{_value or 'empty'}", ["estimate", "{model}", "--clock-mhz", _value])
    )
for _value in ("inf", "nan", "-1", "0", "", "1e400", "maximum"):
    CLI_ARGS.append(
        (f"target-fps-{_value or 'empty'}", ["estimate", "{model}", "--target-fps", _value])
    )
for _value in (
    "",
    "lut",
    "lut=",
    "lut=nan",
    "lut=inf%",
    "lut=0",
    "lut=2",
    "lut=70%,lut=80%",
    "x=1",
    "lut=-5%",
    "lut=1e-400",
):
    CLI_ARGS.append(
        (
            f"budget-{_value or 'empty'}",
            ["estimate", "{model}", "--target-fps", "max", "--budget", _value],
        )
    )
for _value in ("1", "-0.1", "nan", "inf", "x", "1.5"):
    CLI_ARGS.append((f"stalls-{_value}", ["simulate", "{built}", "--stalls", _value]))
for _value in ("-1", "1.5", "x", "1e30", str(2**64), ""):
    CLI_ARGS.append((f"seed-{_value or 'empty'}", ["simulate", "{built}", "--seed", _value]))


def _cli_cases() -> list[Case]:
    def case(label: str, template: list[str]) -> Case:
        def prepare(tmp: Path, built: Built) -> Run:
            afile = tmp / "plain.txt"
            afile.write_text("not a model\n")
            model = str(BUILT[0] / f"{BUILT[1]}.onnx")
            fill = {
                "{model}": model,
                "{tmp}": str(tmp),
                "{file}": str(afile),
                "{built}": str(built.out),
            }
            argv = [a for a in template]
            for key, value in fill.items():
                argv = [a.replace(key, value) for a in argv]
            return Run(argv)

        return Case("cli", label, prepare)

    return [case(label, t) for label, t in CLI_ARGS]


CASES: list[Case] = (
    _model_cases("graph", GRAPH_MODELS, fm.graph_mutations)
    + _external_short_cases()
    + _model_cases("shape", GRAPH_MODELS, fm.shape_mutations)
    + _model_cases("attribute", ATTRIBUTE_MODELS, fm.attribute_mutations)
    + _model_cases("quantizer", QUANT_MODELS, fm.quantizer_mutations)
    + _byte_cases()
    + _folding_cases()
    + _input_cases()
    + _build_cases()
    + _cli_cases()
)
FAMILY_COUNTS = Counter(c.family for c in CASES)


def _snapshot(*roots: Path) -> dict[str, str]:
    """Every file and folder under the roots, with a hash of each file's bytes."""
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    """A build folder of BUILT, compiled once per worker."""
    path, _, _ = model_files(BUILT[1], BUILT[0])
    out = tmp_path_factory.mktemp("fuzz_built") / "OUT"
    assert main(["compile", str(path), "-o", str(out)]) == 0
    return Built(out, json.loads((out / "folding.json").read_text()))


def test_case_count():
    """At least 300 distinct cases, every family represented."""
    assert len({(c.family, c.name) for c in CASES}) == len(CASES) >= 300
    assert set(FAMILY_COUNTS) == {
        "graph",
        "shape",
        "attribute",
        "quantizer",
        "file",
        "folding",
        "inputs",
        "build",
        "cli",
    }, FAMILY_COUNTS
    print("fuzz cases per family:", dict(FAMILY_COUNTS), "total", len(CASES))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.family}-{c.name}" for c in CASES])
def test_fuzz_case(case: Case, tmp_path: Path, built: Built, capsys) -> None:
    run = case.prepare(tmp_path, built)
    before = _snapshot(tmp_path, built.out)
    code = main(run.argv)
    err = capsys.readouterr().err
    if code == 0 and run.model is not None:
        _assert_valid_model_simulates(tmp_path / "OUT", run, capsys)
        return
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, (code, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("qnngen: error: ") and "Traceback" not in err, err
    assert _snapshot(tmp_path, built.out) == before


def _assert_valid_model_simulates(out: Path, run: Run, capsys) -> None:
    """A mutated model that is still valid: its build simulates with 0 mismatches."""
    _, x, _ = model_files(run.source[1], run.source[0])
    x_path = out.parent / "x.npy"
    np.save(x_path, x[:8])
    code = main(["simulate", str(out), "--input", str(x_path)])
    assert code == 0, capsys.readouterr().err
    assert " 0 mismatches" in capsys.readouterr().out


@pytest.mark.slow
def test_valid_mutations_compile_to_a_design_that_simulates_bit_exactly(tmp_path: Path) -> None:
    """Rewrites that keep the model valid (a Constant with value_float, nodes out of order,
    unnamed nodes, a symbolic batch dimension) compile to the same RTL, folding and stream formats
    as the original model, whose build simulates with 0 mismatches and the source's outputs."""
    path, x, ref = model_files(BUILT[1], BUILT[0])
    reference = tmp_path / "reference"
    assert main(["compile", str(path), "-o", str(reference)]) == 0
    y_path = tmp_path / "y.npy"
    assert (
        main(
            [
                "simulate",
                str(reference),
                "--input",
                str(BUILT[0] / f"{BUILT[1]}.in.npy"),
                "-o",
                str(y_path),
            ]
        )
        == 0
    )
    y = np.load(y_path)
    assert np.array_equal(np.argmax(y, axis=1), np.argmax(ref, axis=1))
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-5)
    files = [
        "folding.json",
        "design.json",
        *[f"rtl/{p.name}" for p in sorted((reference / "rtl").iterdir())],
    ]
    for label, mutate in fm.VALID_MUTATIONS.items():
        folder = tmp_path / label
        folder.mkdir()
        model = folder / f"{BUILT[1]}.onnx"  # the same name: the top level's header names the model
        model.write_bytes(mutate(_proto(*BUILT)).SerializeToString())
        out = folder / "OUT"
        assert main(["compile", str(model), "-o", str(out)]) == 0, label
        for rel in files:
            assert (out / rel).read_bytes() == (reference / rel).read_bytes(), (label, rel)
