"""Derive accumulator datatypes from the weights and the input ranges."""

from __future__ import annotations

import numpy as np

from ..ir import ops, smallest_int_type
from ..ir.graph import Graph
from ..ir.passes import graph_pass
from .linear import linear_nodes, weight_columns
from .thresholds import accumulator_range


@graph_pass("streamline.infer_accumulator_types")
def infer_accumulator_types(g: Graph) -> Graph:
    """Give each integer MatMul/Conv output the narrowest type holding every reachable dot product
    and, when thresholds consume it, every threshold value too.

    Before: MatMul(q:INTa, W:INTb) -> acc:FLOAT32      After: acc:INTn (n from the data)
    Fires when an integer MatMul output's dtype is not yet the derived one.
    """
    dtypes = dict(g.dtypes)
    for mm in linear_nodes(g):
        if not (g.dtype(mm.inputs[0]).is_integer() and g.dtype(mm.inputs[1]).is_integer()):
            continue
        lo, hi = accumulator_range(weight_columns(mm, g.constants[mm.inputs[1]]), g.dtype(mm.inputs[0]))
        lo_all, hi_all = int(lo.min()), int(hi.max())
        for c in g.consumers(mm.outputs[0]):
            if isinstance(c.op, ops.MultiThreshold) and c.inputs[1] in g.constants:
                t = np.asarray(g.constants[c.inputs[1]])
                lo_all, hi_all = min(lo_all, int(t.min())), max(hi_all, int(t.max()))
        dt = smallest_int_type(min(lo_all, -1), hi_all)
        if dtypes.get(mm.outputs[0]) != dt:
            dtypes[mm.outputs[0]] = dt
    if dtypes == dict(g.dtypes):
        return g
    return g.with_(dtypes=dtypes)
