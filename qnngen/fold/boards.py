"""Target boards: the programmable-logic resources and clock of each `boards/<name>.yaml`.

A board file gives the whole device (lut, ff, bram18, uram, dsp, as the vendor data sheet
counts them) and, for shell platforms (Alveo, AWS F1), a `shell` mapping with what the static
shell reserves; `Board.capacity()` is what is left for the user's logic. It also gives what the
vendor project of its flavour needs (qnngen.project): the tool version the project is written
for, the Vivado board part (Zynq flavours), or the Vitis platform and its memory banks (Alveo, F1).
"""

from __future__ import annotations

import re
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
#: project fields each flavour needs (qnngen.project); a field is refused on other flavours
_PROJECT_FIELDS = {
    "zynq7": ("board_part",),
    "zynqmp": ("board_part",),
    "alveo": ("platform", "memory_banks", "kernel_bank"),
    "aws-f1": ("platform", "memory_banks", "kernel_bank"),
}
_OPTIONAL = ("shell", "board_part", "platform", "memory_banks", "kernel_bank")
_TOOL_VERSION = re.compile(r"20\d\d\.[1-4]")  # Vivado / Vitis release, e.g. 2024.1
_BOARD_PART = re.compile(r"[\w.-]+:[\w.-]+:[\w.-]+:[\d.]+")  # vendor:board:component:version
_BANK = re.compile(r"(DDR|HBM|PLRAM)\[\d+\]")  # v++ sp= memory resource names
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
    #: Vivado (Zynq) or Vitis (Alveo, F1) release the board's project is written for
    tool_version: str = ""
    #: Vivado board part (Zynq flavours), e.g. tul.com.tw:pynq-z2:part0:1.0
    board_part: str | None = None
    #: Vitis platform (Alveo, F1), e.g. xilinx_u250_gen3x16_xdma_4_1_202210_1
    platform: str | None = None
    #: the platform's memory banks as v++ names them (Alveo, F1), e.g. ("DDR[0]", "DDR[1]")
    memory_banks: tuple[str, ...] = ()
    #: the bank the kernel's memory port m_axi_gmem0 is linked to (one of memory_banks)
    kernel_bank: str | None = None

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
    banks = _parse_project(path, data)
    clock = float(clock)
    return Board(**{**data, "default_clock_mhz": clock, "shell": shell, "memory_banks": banks})


def _parse_project(path: Path, data: dict) -> tuple[str, ...]:
    """Check the vendor-project fields: the tool version, and exactly the flavour's own fields
    (board part; or platform, memory banks and the kernel's bank); return the banks."""
    version = data["tool_version"]
    if not isinstance(version, str) or not _TOOL_VERSION.fullmatch(version):
        raise BoardError(
            f"{path}: tool_version must be a release like '2024.1' (quoted), got {version!r}"
        )
    own = _PROJECT_FIELDS[data["flavour"]]
    for key in _OPTIONAL[1:]:
        if key in own and key not in data:
            raise BoardError(f"{path}: flavour {data['flavour']!r} needs the field {key}")
        if key not in own and key in data:
            raise BoardError(f"{path}: {key} is not a field of flavour {data['flavour']!r} boards")
    for key in ("board_part", "platform", "kernel_bank"):
        if key in own and (not isinstance(data[key], str) or not data[key]):
            raise BoardError(f"{path}: {key} must be a non-empty string, got {data[key]!r}")
    if "board_part" in own and not _BOARD_PART.fullmatch(data["board_part"]):
        raise BoardError(
            f"{path}: board_part must be vendor:board:component:version, got {data['board_part']!r}"
        )
    if "memory_banks" not in own:
        return ()
    banks = data["memory_banks"]
    if not isinstance(banks, list) or not banks or not all(isinstance(b, str) for b in banks):
        raise BoardError(f"{path}: memory_banks must be a non-empty list of names, got {banks!r}")
    bad = [b for b in banks if not _BANK.fullmatch(b)]
    if bad or len(set(banks)) != len(banks):
        raise BoardError(
            f"{path}: memory_banks must be distinct DDR[n] / HBM[n] / PLRAM[n], got {banks!r}"
        )
    if data["kernel_bank"] not in banks:
        bank = data["kernel_bank"]
        raise BoardError(f"{path}: kernel_bank {bank!r} is not one of memory_banks {banks}")
    return tuple(banks)


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
