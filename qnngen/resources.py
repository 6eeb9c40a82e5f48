"""Locate the data that ships with qnngen (the RTL library, board files and templates) and load
its jinja2 templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` ("rtl", "boards", "hls_templates"): the repo's top level in a
    source checkout, or the copy bundled under qnngen/_data in an installed wheel."""
    for candidate in (_PKG.parent / name, _PKG / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qnngen data folder '{name}' is missing from the installation")


@cache
def template_env(folder: Path, autoescape: bool = False) -> jinja2.Environment:
    """The jinja2 environment of every qnngen template folder: StrictUndefined (a value the
    params dataclass lacks is an error), block tags trimmed, trailing newline kept."""
    import jinja2  # loads only where a file is rendered (estimate stays light)

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
