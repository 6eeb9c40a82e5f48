# SPDX-License-Identifier: Apache-2.0
"""Render OUT/driver/: the self-contained host driver (qnngen_driver.py, from a jinja2 template
with the register map and verbatim copies of memlayout.py and host_ops.py) and its data file."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING


from .. import __version__, memlayout
from ..ir import host_ops
from ..resources import template_env
from ..shell import regmap
from ..shell.kernel import KERNEL_MODULE
from .data import data_json, driver_data

if TYPE_CHECKING:
    from ..pipeline import Plan

DRIVER_FILE = "qnngen_driver.py"
DATA_FILE = "qnngen_driver.json"
DEFAULT_BATCH = 64
_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: how each backend's constructor names the file it loads onto the target
_TARGET_FILE_ARG = {"pynq": "bitfile", "xrt": "xclbin"}


@dataclass(frozen=True)
class RegisterLine:
    """One register as the driver lists it: name, word offsets (Python tuple text), meaning."""

    name: str
    words: str
    doc: str


@dataclass(frozen=True)
class DriverParams:
    """Every value qnngen_driver.py.j2 may reference."""

    version: str
    model: str
    board: str
    default_backend: str
    target_file_arg: str
    input_shape: str
    data_file: str
    kernel: str
    default_batch: int
    registers: tuple[RegisterLine, ...]
    ctrl: str
    ctrl_bits: tuple[regmap.Bit, ...]
    args_text: str
    in_arg: str
    out_arg: str
    frames_arg: str
    cycles: str
    memlayout_source: str
    host_ops_source: str


def embeddable_source(module: object) -> str:
    """A module's source text, checked to fit a raw triple-single-quoted string unchanged."""
    text = inspect.getsource(module)
    if "'''" in text or text.endswith("\\"):
        raise ValueError(
            f"{module.__name__}: its source cannot be embedded verbatim (contains ''' )"
        )
    return text


def driver_params(data: dict) -> DriverParams:
    """The template's values for a driver whose data file holds `data`."""
    backend = data["default_backend"]
    return DriverParams(
        version=__version__,
        model=data["model"],
        board=data["board"],
        default_backend=backend,
        target_file_arg=_TARGET_FILE_ARG[backend],
        input_shape=", ".join(map(str, data["input_shape"])),
        data_file=DATA_FILE,
        kernel=KERNEL_MODULE,
        default_batch=DEFAULT_BATCH,
        registers=tuple(
            RegisterLine(r.name, " ".join(f"0x{w:02X}," for w in r.words), r.doc)
            for r in regmap.REGISTERS
        ),
        ctrl=regmap.CONTROL.name,
        ctrl_bits=regmap.CONTROL.fields,
        args_text="(" + " ".join(f'"{a.name}",' for a in regmap.ARGS) + ")",
        in_arg=regmap.IN_ADDR.name,
        out_arg=regmap.OUT_ADDR.name,
        frames_arg=regmap.FRAMES.name,
        cycles=regmap.CYCLES.name,
        memlayout_source=embeddable_source(memlayout),
        host_ops_source=embeddable_source(host_ops),
    )



def render_driver(data: dict) -> str:
    """The text of qnngen_driver.py for a build whose data file holds `data`."""
    return template_env(_TEMPLATES).get_template(f"{DRIVER_FILE}.j2").render(p=driver_params(data))


def write_driver(p: Plan, folder: Path) -> None:
    """Write the driver and its data file into `folder` (OUT/driver)."""
    data = driver_data(p)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DATA_FILE).write_text(data_json(data))
    (folder / DRIVER_FILE).write_text(render_driver(data))
