"""Turn quantized float weights into integer weight tensors followed by their scale."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..ir import BIPOLAR, ops, smallest_int_type
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass
from .linear import LINEAR, channel_shape, output_channels


def _weight_source(g: Graph, mm: Node) -> tuple[list[Node], Node] | None:
    """The [Transpose] <- Quant/BipolarQuant nodes feeding a MatMul weight from constants."""
    chain: list[Node] = []
    p = g.producer(mm.inputs[1])
    if p is not None and isinstance(p.op, ops.Transpose):
        chain.append(p)
        p = g.producer(p.inputs[0])
    if p is None or not isinstance(p.op, (ops.Quant, ops.BipolarQuant)):
        return None
    if not all(g.is_constant(t) for t in p.inputs):
        return None
    return chain, p


def _integer_weights(g: Graph, q: Node) -> tuple[np.ndarray, np.ndarray, bool]:
    """(integer weights, scale broadcast to their shape, bipolar?) of a weight quantizer."""
    w = np.asarray(g.constants[q.inputs[0]], dtype=np.float32)
    scale = np.asarray(g.constants[q.inputs[1]], dtype=np.float32)
    if isinstance(q.op, ops.BipolarQuant):
        wq = np.where(w >= 0, 1, -1).astype(np.int64)
        return wq, np.broadcast_to(scale, w.shape), True
    zp = np.asarray(g.constants[q.inputs[2]], dtype=np.float32)
    bits = g.constants[q.inputs[3]]
    (wq,) = ops.IntQuant(q.op.signed, q.op.narrow, q.op.rounding_mode).execute(w, scale, zp, bits)
    wint = wq - np.broadcast_to(zp, w.shape)
    if not np.all(wint == np.round(wint)):
        raise UnsupportedError(f"node {q.name}: weight zero-point is not an integer")
    bipolar = int(np.asarray(bits).item()) == 1 and q.op.signed
    return wint.astype(np.int64), np.broadcast_to(scale, w.shape), bipolar


def _column_scale(node: Node, scale: np.ndarray) -> np.ndarray | None:
    """The per-output-channel scale vector, or None if the scale varies along an input axis."""
    per_out = scale if isinstance(node.op, ops.MatMul) else scale.reshape(scale.shape[0], -1).T
    if per_out.ndim != 2 or not np.all(per_out == per_out[:1]):
        return None
    return np.ascontiguousarray(per_out[0], dtype=np.float32)


@graph_pass("streamline.quantize_weights")
def quantize_weights(g: Graph) -> Graph:
    """Replace a quantized float weight by integer weights and a per-output-channel scale.

    Before: x -> MatMul|Conv(x, [Transpose](Quant(W, s, z, b)))
    After:  x -> MatMul|Conv(x, Wint) -> Mul(s per output channel)   (Wint: INTn or BIPOLAR)
    Fires when the weight comes from a quantizer of constants; the scale must be constant
    along the input (reduction) axes, else UnsupportedError.
    """
    for mm in [n for n in g.nodes if isinstance(n.op, LINEAR)]:
        src = _weight_source(g, mm)
        if src is None:
            continue
        chain, q = src
        wint, scale, bipolar = _integer_weights(g, q)
        if chain:
            wint, scale = wint.T, scale.T
        col = _column_scale(mm, scale)
        if col is None:
            raise UnsupportedError(
                f"node {mm.name}: weight scale varies along the input axis; "
                "only per-tensor or per-output-channel weight scales are supported"
            )
        wname, sname, mmout = g.fresh_name(mm.name + "_Wint"), g.fresh_name(mm.name + "_wscale"), g.fresh_name(mm.outputs[0] + "_int")
        new_mm = Node(mm.name, mm.op, (mm.inputs[0], wname), (mmout,))
        mul = Node(mm.name + "_wscale", ops.Mul(), (mmout, sname), mm.outputs)
        removed = [mm] + [n for n in chain + [q] if len(g.consumers(n.outputs[0])) == 1]
        g = g.substitute(removed, [new_mm, mul], {wname: np.ascontiguousarray(wint), sname: col.reshape(channel_shape(mm, output_channels(mm, wint)))})
        wtype = BIPOLAR if bipolar else smallest_int_type(min(0, wint.min()), max(0, wint.max()))
        if not bipolar and isinstance(q.op, ops.Quant):
            wtype = smallest_int_type(min(-1, wint.min()) if q.op.signed else 0, max(0, wint.max()))
        g = g.with_(dtypes={**g.dtypes, wname: wtype})
    return g
