"""Integer datatypes flow unchanged through ops that only select or move elements."""

from __future__ import annotations

from ..ir import ops
from ..ir.graph import Graph
from ..ir.passes import graph_pass
from ..ir.spatial_ops import MaxPool

_KEEPS_TYPE = (MaxPool, ops.Reshape, ops.Flatten, ops.Transpose)


@graph_pass("streamline.propagate_integer_types")
def propagate_integer_types(g: Graph) -> Graph:
    """Before: q:INTn -> MaxPool/Reshape/Flatten/Transpose -> y:FLOAT32      After: y:INTn
    Fires when such an op's data input is integer and its output not yet typed.
    """
    dtypes = dict(g.dtypes)
    for n in g.nodes:
        if isinstance(n.op, _KEEPS_TYPE) and dtypes.get(n.inputs[0], None) is not None:
            if dtypes[n.inputs[0]].is_integer() and dtypes.get(n.outputs[0]) != dtypes[n.inputs[0]]:
                dtypes[n.outputs[0]] = dtypes[n.inputs[0]]
    return g if dtypes == dict(g.dtypes) else g.with_(dtypes=dtypes)
