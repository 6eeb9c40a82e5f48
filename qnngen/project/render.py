"""Render the project templates (jinja2, StrictUndefined) from their params dataclasses."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

_TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, params: object) -> str:
    """Render `template` (a file in qnngen/project/templates) with `p` = its params dataclass."""
    return _env().get_template(template).render(p=params)
