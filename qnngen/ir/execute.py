"""The reference executor: runs a Graph on numpy arrays, op by op, in topological order."""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .host_ops import run


def execute(g: Graph, feeds: dict[str, np.ndarray], keep_all: bool = False) -> dict[str, np.ndarray]:
    """Execute `g`; returns the graph outputs (every tensor when keep_all)."""
    env: dict[str, np.ndarray] = dict(g.constants)
    for name in g.inputs:
        if name not in feeds:
            raise KeyError(f"missing input '{name}'")
        env[name] = feeds[name]
    run([(n.op.execute, n.inputs, n.outputs, [g.dtype(t).is_integer() for t in n.outputs])
         for n in g.nodes], env)
    return env if keep_all else {t: env[t] for t in g.outputs}


def infer_shapes(g: Graph) -> Graph:
    """Record every tensor's shape (batch 1) by executing the graph on zeros."""
    feeds = {t: np.zeros(g.shapes[t], dtype=np.float32) for t in g.inputs}
    env = execute(g, feeds, keep_all=True)
    return g.with_(shapes={k: tuple(np.shape(v)) for k, v in env.items()})
