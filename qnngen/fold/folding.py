"""Folding files: JSON `{layer_name: {"pe": int, "simd": int, "fifo_depth": [int, ...]}}`.

pe and simd are given for every foldable layer; fifo_depth (optional, one depth per input
stream of the layer) sets the FIFOs in front of any layer, foldable or not.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import FoldingError
from ..layers.base import Fold
from ..lower import HwGraph

_KEYS = ("pe", "simd")
#: the deepest FIFO a folding file may ask for
MAX_FIFO_DEPTH = 1 << 20


def _read_json(path: Path) -> object:
    """Parse the file, turning a missing file or bad JSON into a one-line FoldingError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FoldingError(f"{path}: folding file not found") from None
    except IsADirectoryError:
        raise FoldingError(f"{path}: is a folder; give a folding JSON file") from None
    except OSError as e:
        raise FoldingError(f"{path}: cannot read the folding file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise FoldingError(f"{path}: not UTF-8 text; a folding file is JSON") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FoldingError(
            f"{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from None
    except RecursionError:
        raise FoldingError(
            f"{path}: JSON nested too deeply; a folding file is {{layer: {{pe, simd}}}}"
        ) from None


def _parse_entry(path: Path, name: str, entry: object) -> Fold:
    """One layer's {"pe": int, "simd": int}, both present, positive integers, nothing else."""
    if not isinstance(entry, dict):
        raise FoldingError(
            f'{path}: {name}: expected {{"pe": int, "simd": int}}, got {entry!r:.60}'
        )
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise FoldingError(f"{path}: {name}: unknown key {unknown[0]!r} (allowed: pe, simd)")
    for key in _KEYS:
        if key not in entry:
            raise FoldingError(f"{path}: {name}: missing {key!r}")
        value = entry[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FoldingError(
                f"{path}: {name}: {key} must be a positive integer, got {value!r:.60}"
            )
    return Fold(pe=entry["pe"], simd=entry["simd"])


def _fifo_depths(path: Path, name: str, entry: dict, inputs: int) -> tuple[int, ...] | None:
    """The optional fifo_depth list of an entry: one integer in 2..MAX_FIFO_DEPTH per input."""
    if "fifo_depth" not in entry:
        return None
    depths = entry["fifo_depth"]
    ok = isinstance(depths, list) and len(depths) == inputs and all(
        isinstance(d, int) and not isinstance(d, bool) and 2 <= d <= MAX_FIFO_DEPTH for d in depths)
    if not ok:
        raise FoldingError(f"{path}: {name}: fifo_depth must be a list of {inputs} integer(s) in "
                           f"2..{MAX_FIFO_DEPTH}, got {depths!r:.60}")
    return tuple(depths)


def read_folding_file(path: str | Path, hw: HwGraph) -> tuple[dict[str, Fold], dict[str, tuple[int, ...]]]:
    """Read a folding file for `hw`: the folds (layers it does not mention get Fold(1, 1)) and
    the FIFO depths it sets, per layer (one per input stream).

    Raises FoldingError (one line naming the file) for an unreadable or malformed file, an
    unknown layer, a bad entry, or a fold the layer rejects.
    """
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict):
        raise FoldingError(
            f'{path}: expected a JSON object {{layer: {{"pe": int, "simd": int}}}}, '
            f"got {type(data).__name__}"
        )
    layers = {layer.name: layer for layer in hw.layers if layer.foldable}
    others = {layer.name for layer in hw.layers if not layer.foldable}
    for name in data:
        if name not in layers and name not in others:
            raise FoldingError(f"{path}: unknown layer {name[:60]!r}; layers: {', '.join(layers)}")
    inputs = {n.layer.name: len(n.ins) for n in hw.nodes}
    depths = {}
    for name, entry in data.items():
        found = _fifo_depths(path, name, entry, inputs[name]) if isinstance(entry, dict) else None
        if found is not None:
            depths[name] = found
    folding = {name: Fold() for name in layers}
    for name, entry in data.items():
        if name in others:
            if not isinstance(entry, dict) or set(entry) - {"fifo_depth"}:
                raise FoldingError(f"{path}: {name}: has no PE/SIMD of its own; only fifo_depth may be set")
            continue
        folding[name] = _parse_entry(path, name, {k: v for k, v in entry.items() if k != "fifo_depth"}
                                     if isinstance(entry, dict) else entry)
    for name, fold in folding.items():
        try:
            layers[name].check(fold)
        except FoldingError as e:
            raise FoldingError(f"{path}: {e}") from e
    return folding, depths


def load_folding(path: str | Path, hw: HwGraph) -> dict[str, Fold]:
    """The folds of a folding file (see read_folding_file)."""
    return read_folding_file(path, hw)[0]


def folding_to_json(folding: dict[str, Fold], fifo_depths: dict[str, tuple[int, ...]] | None = None) -> str:
    """Deterministic JSON text for a folding and its FIFO depths (sorted keys, indent 2)."""
    data: dict[str, dict] = {name: {"pe": f.pe, "simd": f.simd} for name, f in folding.items()}
    for name, depths in (fifo_depths or {}).items():
        data.setdefault(name, {})["fifo_depth"] = list(depths)
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
