"""Render the project templates (jinja2, StrictUndefined) from their params dataclasses."""

from __future__ import annotations

from pathlib import Path

from ..resources import template_env

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(template: str, params: object) -> str:
    """Render `template` (a file in qnngen/project/templates) with `p` = its params dataclass."""
    return template_env(_TEMPLATES).get_template(template).render(p=params)
