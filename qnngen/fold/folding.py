"""Folding files: JSON `{layer_name: {"pe": int, "simd": int}}` for the compute layers."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import FoldingError
from ..layers.base import Fold
from ..lower import HwGraph

_KEYS = ("pe", "simd")


def _read_json(path: Path) -> object:
    """Parse the file, turning a missing file or bad JSON into a one-line FoldingError."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise FoldingError(f"{path}: folding file not found") from None
    except OSError as e:
        raise FoldingError(f"{path}: cannot read the folding file: {e.strerror}") from e
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FoldingError(
            f"{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from e


def _parse_entry(path: Path, name: str, entry: object) -> Fold:
    """One layer's {"pe": int, "simd": int}, both present, positive integers, nothing else."""
    if not isinstance(entry, dict):
        raise FoldingError(f'{path}: {name}: expected {{"pe": int, "simd": int}}, got {entry!r}')
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise FoldingError(f"{path}: {name}: unknown key {unknown[0]!r} (allowed: pe, simd)")
    for key in _KEYS:
        if key not in entry:
            raise FoldingError(f"{path}: {name}: missing {key!r}")
        value = entry[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FoldingError(f"{path}: {name}: {key} must be a positive integer, got {value!r}")
    return Fold(pe=entry["pe"], simd=entry["simd"])


def load_folding(path: str | Path, hw: HwGraph) -> dict[str, Fold]:
    """Read a folding file for `hw`; layers it does not mention get Fold(1, 1).

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
    for name in data:
        if name not in layers:
            raise FoldingError(f"{path}: unknown layer {name!r}; layers: {', '.join(layers)}")
    folding = {name: Fold() for name in layers}
    for name, entry in data.items():
        folding[name] = _parse_entry(path, name, entry)
    for name, fold in folding.items():
        try:
            layers[name].check(fold)
        except FoldingError as e:
            raise FoldingError(f"{path}: {e}") from e
    return folding


def folding_to_json(folding: dict[str, Fold]) -> str:
    """Deterministic JSON text for a folding (sorted keys, indent 2, trailing newline)."""
    data = {name: {"pe": f.pe, "simd": f.simd} for name, f in folding.items()}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
