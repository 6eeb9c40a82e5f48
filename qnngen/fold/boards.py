"""Target boards: the programmable-logic resources and clock of each `boards/<name>.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from ..errors import BoardError
from ..layers.base import Resources
from ..resources import data_dir

_INT_FIELDS = ("lut", "ff", "bram18", "uram", "dsp")
_STR_FIELDS = ("name", "part", "family", "flavour", "source")


@dataclass(frozen=True)
class Board:
    """One FPGA board: its part, project flavour, resource capacity and default clock."""

    name: str
    part: str
    family: str
    flavour: str
    lut: int
    ff: int
    bram18: int
    uram: int
    dsp: int
    default_clock_mhz: float
    source: str

    def capacity(self) -> Resources:
        """The resources the user's logic may use."""
        return Resources(self.lut, self.ff, self.bram18, self.uram, self.dsp)

    def first_overflow(self, need: Resources) -> str | None:
        """The first resource key (in Resources.KEYS order) that `need` exceeds, else None."""
        have, used = self.capacity().as_dict(), need.as_dict()
        return next((k for k in Resources.KEYS if used[k] > have[k]), None)

    def fits(self, need: Resources) -> bool:
        """Whether `need` fits within every resource of the board."""
        return self.first_overflow(need) is None


def _boards_dir() -> Path:
    return data_dir("boards")


def _parse(path: Path) -> Board:
    """Read and validate one board file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise BoardError(f"{path}: invalid YAML: {' '.join(str(e).split())}") from e
    if not isinstance(data, dict):
        raise BoardError(f"{path}: expected a mapping of board fields")
    names = [f.name for f in fields(Board)]
    missing = [n for n in names if n not in data]
    unknown = sorted(set(data) - set(names))
    if missing or unknown:
        raise BoardError(f"{path}: missing fields {missing}, unknown fields {unknown}")
    for key in _INT_FIELDS:
        if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 0:
            raise BoardError(f"{path}: {key} must be a non-negative integer, got {data[key]!r}")
    for key in _STR_FIELDS:
        if not isinstance(data[key], str):
            raise BoardError(f"{path}: {key} must be a string, got {data[key]!r}")
    clock = data["default_clock_mhz"]
    if not isinstance(clock, (int, float)) or isinstance(clock, bool) or clock <= 0:
        raise BoardError(f"{path}: default_clock_mhz must be a positive number, got {clock!r}")
    if data["name"] != path.stem:
        raise BoardError(f"{path}: name {data['name']!r} differs from the file name {path.stem!r}")
    return Board(**{**data, "default_clock_mhz": float(clock)})


def list_boards() -> list[Board]:
    """Every bundled board, sorted by name."""
    return sorted((_parse(p) for p in _boards_dir().glob("*.yaml")), key=lambda b: b.name)


def load_board(name: str) -> Board:
    """The board called `name`; BoardError listing the available ones if there is none."""
    paths = {p.stem: p for p in _boards_dir().glob("*.yaml")}
    if name not in paths:
        available = ", ".join(sorted(paths))
        raise BoardError(f"unknown board '{name}'; available: {available} (see qnngen boards)")
    return _parse(paths[name])
