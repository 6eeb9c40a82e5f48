"""Target boards: the programmable-logic resources and clock of each `boards/<name>.yaml`.

A board file gives the whole device (lut, ff, bram18, uram, dsp, as the vendor data sheet
counts them) and, for shell platforms (Alveo, AWS F1), a `shell` mapping with what the static
shell reserves; `Board.capacity()` is what is left for the user's logic.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from ..errors import BoardError
from ..layers.base import Resources
from ..resources import data_dir

_INT_FIELDS = Resources.KEYS  # lut, ff, bram18, uram, dsp
_STR_FIELDS = ("name", "part", "family", "flavour", "source")
_FAMILIES = ("xc7", "xcup")  # Yosys synth_xilinx -family
_FLAVOURS = ("zynq7", "zynqmp", "alveo", "aws-f1")
_SHELL_FLAVOURS = ("alveo", "aws-f1")  # platforms whose static shell takes part of the device
_OPTIONAL = ("shell",)
_MEM_WIDTHS = (32, 64, 128, 256, 512)  # the kernel shell's memory port (qnngen.memlayout)


@dataclass(frozen=True)
class Board:
    """One FPGA board: its part, project flavour, device resources, shell and default clock."""

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
    slrs: int = 1
    #: bits of the kernel shell's AXI4 memory port (required in board files)
    mem_width: int = 64
    shell: Resources | None = None

    def device(self) -> Resources:
        """The whole device, as its data sheet counts it."""
        return Resources(self.lut, self.ff, self.bram18, self.uram, self.dsp)

    def capacity(self) -> Resources:
        """The resources the user's logic may use: the device minus the shell, if any."""
        dev = self.device()
        if self.shell is None:
            return dev
        return Resources(*(getattr(dev, k) - getattr(self.shell, k) for k in Resources.KEYS))

    def first_overflow(self, need: Resources) -> str | None:
        """The first resource key (in Resources.KEYS order) that `need` exceeds, else None."""
        have, used = self.capacity().as_dict(), need.as_dict()
        return next((k for k in Resources.KEYS if used[k] > have[k]), None)

    def fits(self, need: Resources) -> bool:
        """Whether `need` fits within every resource the board leaves to the user's logic."""
        return self.first_overflow(need) is None


def _boards_dir() -> Path:
    return data_dir("boards")


def _count(path: Path, key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BoardError(f"{path}: {key} must be a non-negative integer, got {value!r}")
    return value


def _parse_shell(path: Path, data: dict) -> Resources | None:
    """The `shell` mapping: present exactly for shell flavours, every resource key, each at most
    the device's count."""
    shell_board = data["flavour"] in _SHELL_FLAVOURS
    if "shell" not in data:
        if shell_board:
            raise BoardError(f"{path}: flavour {data['flavour']!r} needs a shell mapping")
        return None
    if not shell_board:
        raise BoardError(f"{path}: shell is only for flavours {list(_SHELL_FLAVOURS)}")
    shell = data["shell"]
    if not isinstance(shell, dict):
        raise BoardError(f"{path}: shell must be a mapping of {list(_INT_FIELDS)}, got {shell!r}")
    missing = [k for k in _INT_FIELDS if k not in shell]
    unknown = sorted(str(k) for k in set(shell) - set(_INT_FIELDS))
    if missing or unknown:
        raise BoardError(f"{path}: shell: missing fields {missing}, unknown fields {unknown}")
    for key in _INT_FIELDS:
        if _count(path, f"shell.{key}", shell[key]) > data[key]:
            raise BoardError(f"{path}: shell.{key} {shell[key]} exceeds the device's {data[key]}")
    return Resources(*(shell[k] for k in _INT_FIELDS))


def _parse(path: Path) -> Board:
    """Read and validate one board file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise BoardError(f"{path}: invalid YAML: {' '.join(str(e).split())}") from e
    if not isinstance(data, dict):
        raise BoardError(f"{path}: expected a mapping of board fields")
    names = [f.name for f in fields(Board)]
    missing = [n for n in names if n not in data and n not in _OPTIONAL]
    unknown = sorted(str(k) for k in set(data) - set(names))
    if missing or unknown:
        raise BoardError(f"{path}: missing fields {missing}, unknown fields {unknown}")
    for key in _INT_FIELDS:
        _count(path, key, data[key])
    for key in _STR_FIELDS:
        if not isinstance(data[key], str):
            raise BoardError(f"{path}: {key} must be a string, got {data[key]!r}")
    slrs = data["slrs"]
    if not isinstance(slrs, int) or isinstance(slrs, bool) or slrs < 1:
        raise BoardError(f"{path}: slrs must be a positive integer, got {slrs!r}")
    if data["family"] not in _FAMILIES:
        raise BoardError(f"{path}: family must be one of {list(_FAMILIES)}, got {data['family']!r}")
    if data["flavour"] not in _FLAVOURS:
        raise BoardError(
            f"{path}: flavour must be one of {list(_FLAVOURS)}, got {data['flavour']!r}"
        )
    width = data["mem_width"]
    if not isinstance(width, int) or isinstance(width, bool) or width not in _MEM_WIDTHS:
        raise BoardError(f"{path}: mem_width must be one of {list(_MEM_WIDTHS)} bits, got {width!r}")
    clock = data["default_clock_mhz"]
    if not isinstance(clock, (int, float)) or isinstance(clock, bool) or clock <= 0:
        raise BoardError(f"{path}: default_clock_mhz must be a positive number, got {clock!r}")
    if data["name"] != path.stem:
        raise BoardError(f"{path}: name {data['name']!r} differs from the file name {path.stem!r}")
    shell = _parse_shell(path, data)
    return Board(**{**data, "default_clock_mhz": float(clock), "shell": shell})


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
