"""Fold explicit zero padding into the convolution that reads it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass
from ..ir.spatial_ops import Conv, Pad


def _spatial_zero_pads(g: Graph, pad: Node) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of a Pad that adds zeros on H and W only, else None."""
    if pad.op.value != 0 or not g.is_constant(pad.inputs[1]):
        return None
    if len(pad.inputs) > 2 and pad.inputs[2] and (not g.is_constant(pad.inputs[2]) or np.any(g.constants[pad.inputs[2]])):
        return None
    p = [int(v) for v in np.asarray(g.constants[pad.inputs[1]]).reshape(-1)]
    if len(p) != 8 or p[0] or p[1] or p[4] or p[5] or min(p) < 0:
        return None
    return p[2], p[3], p[6], p[7]


@graph_pass("streamline.fold_pad_into_conv")
def fold_pad_into_conv(g: Graph) -> Graph:
    """Before: x -> Pad(zeros on H, W) -> Conv(pads)      After: x -> Conv(pads + padding)
    Fires when the Pad feeds only the Conv and pads with zeros on the spatial axes only.
    """
    for conv in g.nodes_of(Conv):
        pad = g.producer(conv.inputs[0])
        if pad is None or not isinstance(pad.op, Pad) or g.sole_consumer(pad) is not conv:
            continue
        extra = _spatial_zero_pads(g, pad)
        if extra is None:
            continue
        pads = tuple(a + b for a, b in zip(conv.op.pads, (extra[0], extra[1], extra[2], extra[3])))
        new = Node(conv.name, replace(conv.op, pads=pads), (pad.inputs[0], *conv.inputs[1:]), conv.outputs)
        return g.substitute([pad, conv], [new])
    return g
