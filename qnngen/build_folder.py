"""What a build folder written by `qnngen compile` must hold for `simulate` and `synth`: the
files, and the fields of design.json and report.json they read, each checked with a one-line
QnnGenError naming the file, the field and what to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from .errors import QnnGenError
from .ir import parse_dtype
from .layers.base import Resources

DESIGN_JSON = "design.json"
REPORT_JSON = "report.json"
_RECOMPILE = "recompile the folder with qnngen compile"


def _fail(path: Path, what: str) -> QnnGenError:
    return QnnGenError(f"{path}: {what}; {_RECOMPILE}")


def check_build_folder(out: Path, files: tuple[str, ...]) -> None:
    """OUT is a folder holding `files` (names; a trailing / marks a folder)."""
    if not out.is_dir() or not (out / DESIGN_JSON).is_file():
        raise QnnGenError(f"{out}: not a qnngen build folder (run: qnngen compile MODEL -o {out})")
    for name in files:
        p = out / name.rstrip("/")
        if not (p.is_dir() if name.endswith("/") else p.is_file()):
            raise _fail(out, f"{name} is missing")


def read_json(path: Path) -> dict:
    """A JSON object from a build file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise _fail(path, f"unreadable ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise _fail(path, f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise _fail(path, f"expected a JSON object, got {type(data).__name__}")
    return data


def _is_count(v: object, low: int = 1) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _is_dtype(v: object) -> bool:
    try:
        return isinstance(v, str) and parse_dtype(v) is not None
    except ValueError:
        return False


def _require(path: Path, data: dict, key: str, ok: Callable[[object], bool], rule: str) -> None:
    if key not in data:
        raise _fail(path, f"field {key!r} is missing")
    if not ok(data[key]):
        raise _fail(path, f"field {key!r} is {data[key]!r:.60}; it must be {rule}")


def _stream(path: Path, data: dict, key: str) -> None:
    _require(path, data, key, lambda v: isinstance(v, dict), "an object")
    s = data[key]
    for k in ("width", "beats", "elems_per_beat"):
        _require(path, s, k, _is_count, f"a positive integer (in {key})")
    _require(path, s, "dtype", _is_dtype, f"a datatype name such as INT4 or BIPOLAR (in {key})")


def read_design(out: Path) -> dict:
    """OUT/design.json with every field `simulate` reads checked."""
    path = out / DESIGN_JSON
    data = read_json(path)
    _require(path, data, "top", lambda v: isinstance(v, str) and v.isidentifier(), "a module name")
    _require(
        path,
        data,
        "input_shape",
        lambda v: (
            isinstance(v, list) and len(v) >= 2 and v[0] == 1 and all(_is_count(d) for d in v)
        ),
        "[1, positive dimensions...]",
    )
    _stream(path, data, "stream_in")
    _stream(path, data, "stream_out")
    for key in ("estimate_interval_cycles", "estimate_latency_cycles"):
        _require(path, data, key, lambda v: _is_count(v, 0), "a non-negative integer")
    _require(
        path, data, "example", lambda v: v is None or isinstance(v, str), "null or an example name"
    )
    return data


def _resources(v: object) -> bool:
    return isinstance(v, dict) and all(_is_count(v.get(k), 0) for k in Resources.KEYS)


def _layer(v: object) -> bool:
    return (
        isinstance(v, dict)
        and isinstance(v.get("name"), str)
        and isinstance(v.get("kind"), str)
        and _resources(v.get("resources"))
    )


def read_report(out: Path) -> dict:
    """OUT/report.json with every field `synth` reads checked."""
    path = out / REPORT_JSON
    data = read_json(path)
    _require(path, data, "model", lambda v: isinstance(v, str), "a string")
    _require(path, data, "board", lambda v: isinstance(v, str), "a board name")
    _require(
        path,
        data,
        "estimate",
        lambda v: isinstance(v, dict) and _resources(v.get("resources")),
        'an object with "resources": {lut, ff, bram18, uram, dsp}',
    )
    _require(
        path,
        data,
        "layers",
        lambda v: isinstance(v, list) and all(_layer(x) for x in v),
        'a list of {"name", "kind", "resources"}',
    )
    return data
