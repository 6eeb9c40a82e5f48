"""The pass contract, written once.

A pass is a plain function `Graph -> Graph` registered with `@graph_pass("stage.name")`.
- It returns the *same object* when it did not fire, so `run_to_fixpoint` can stop.
- It keeps the graph executable by `ir.execute`, with the same outputs on every valid input up
  to float32 rounding of float tensors (integer tensors and quantizer outputs stay exact except
  at float ties, which the pass's test measures).
- Its docstring states Before / After / fires-when.
"""

from __future__ import annotations

import os
from typing import Callable

from .graph import Graph

GraphPass = Callable[[Graph], Graph]
REGISTRY: dict[str, GraphPass] = {}


def graph_pass(name: str) -> Callable[[GraphPass], GraphPass]:
    """Register a pass under `name`; under QNNGEN_CHECK=1 the graph is verified after it."""

    def wrap(fn: GraphPass) -> GraphPass:
        def run(g: Graph) -> Graph:
            out = fn(g)
            if os.environ.get("QNNGEN_CHECK") == "1" and out is not g:
                from .verify import verify

                verify(out)
            return out

        run.__name__, run.__doc__, run.__wrapped__ = fn.__name__, fn.__doc__, fn  # type: ignore[attr-defined]
        run.pass_name = name  # type: ignore[attr-defined]
        REGISTRY[name] = run
        return run

    return wrap


def run_to_fixpoint(g: Graph, passes: tuple[GraphPass, ...], limit: int = 100) -> Graph:
    """Apply the passes in order, repeatedly, until none fires."""
    for _ in range(limit):
        start = g
        for p in passes:
            g = p(g)
        if g is start:
            return g
    raise RuntimeError("passes did not reach a fixed point")
