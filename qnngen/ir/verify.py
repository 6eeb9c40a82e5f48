"""Invariant checker run after passes in tests and under QNNGEN_CHECK=1."""

from __future__ import annotations

import numpy as np

from .graph import Graph


def verify(g: Graph) -> None:
    """Check names are defined once, inputs exist, and integer constants fit their dtypes."""
    defined = set(g.inputs) | set(g.constants)
    for n in g.nodes:
        for t in n.inputs:
            if t and t not in defined:
                raise AssertionError(f"{n.name}: input {t} is used before it is defined")
        for t in n.outputs:
            if t in defined:
                raise AssertionError(f"{n.name}: output {t} is defined twice")
            defined.add(t)
    for t in g.outputs:
        if t not in defined:
            raise AssertionError(f"graph output {t} is never produced")
    for t, v in g.constants.items():
        dt = g.dtype(t)
        if dt.is_integer() and not dt.allowed(np.asarray(v)):
            raise AssertionError(f"constant {t} does not fit {dt}")
