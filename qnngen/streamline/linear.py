"""What the passes need to know about the linear ops (MatMul, Conv) they move things through."""

from __future__ import annotations

import numpy as np

from ..ir import ops
from ..ir.graph import Graph, Node
from ..ir.spatial_ops import Conv

LINEAR = (ops.MatMul, Conv)


def linear_nodes(g: Graph) -> list[Node]:
    """MatMul and Conv nodes with a constant weight, in graph order."""
    return [n for n in g.nodes if isinstance(n.op, LINEAR) and g.is_constant(n.inputs[1])]


def weight_columns(node: Node, w: np.ndarray) -> np.ndarray:
    """The weights as (inputs per output, outputs): one column per output channel."""
    w = np.asarray(w)
    return w if isinstance(node.op, ops.MatMul) else w.reshape(w.shape[0], -1).T


def channel_shape(node: Node, channels: int) -> tuple[int, ...]:
    """Shape of a per-output-channel constant that broadcasts over the op's output."""
    return (1, channels) if isinstance(node.op, ops.MatMul) else (1, channels, 1, 1)


def scale_columns(node: Node, w: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Multiply each output channel's weights by col[channel]."""
    if isinstance(node.op, ops.MatMul):
        return w * col[None, :]
    return w * col.reshape(-1, *([1] * (w.ndim - 1)))


def output_channels(node: Node, w: np.ndarray) -> int:
    return int(w.shape[1] if isinstance(node.op, ops.MatMul) else w.shape[0])


def input_channel_sum(node: Node, w: np.ndarray, c: np.ndarray) -> np.ndarray | None:
    """The constant that Add(c) before the op becomes after it (None when it cannot move:
    a Conv with padding sees c only inside the image)."""
    c = np.asarray(c, dtype=np.float32)
    if isinstance(node.op, ops.MatMul):
        if c.size not in (1, w.shape[0]):
            return None
        return (np.broadcast_to(c.reshape(1, -1), (1, w.shape[0])) @ np.asarray(w, np.float32)).astype(np.float32)
    if any(node.op.pads) or node.op.group != 1 or c.size not in (1, w.shape[1]):
        return None
    per_in = np.broadcast_to(c.reshape(-1), (w.shape[1],))
    out = np.einsum("oikl,i->o", np.asarray(w, np.float32), per_in).astype(np.float32)
    return out.reshape(1, -1, 1, 1)
