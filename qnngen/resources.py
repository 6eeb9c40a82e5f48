"""Locate the data that ships with qnngen: the RTL library, board files and templates."""

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` ("rtl", "boards", "hls_templates"): the repo's top level in a
    source checkout, or the copy bundled under qnngen/_data in an installed wheel."""
    for candidate in (_PKG.parent / name, _PKG / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qnngen data folder '{name}' is missing from the installation")
