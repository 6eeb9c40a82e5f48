"""Split activation quantizers into an integer quantizer and a float dequantization."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..ir import BIPOLAR, INT, UINT, ops
from ..ir.graph import Graph, Node
from ..ir.passes import graph_pass


def _dequant(g: Graph, name: str, q_out: str, out: str, zp: np.ndarray | None, scale: np.ndarray) -> tuple[list[Node], dict]:
    """Nodes computing out = (q_out - zp) * scale, skipping the identity steps."""
    nodes, consts, cur = [], {}, q_out
    if zp is not None and np.any(zp != 0):
        consts[name + "_nzp"] = (-zp).astype(np.float32)
        nodes.append(Node(name + "_zp", ops.Add(), (cur, name + "_nzp"), (cur + "_z",)))
        cur += "_z"
    if np.any(scale != 1) or not nodes:
        consts[name + "_scale"] = scale.astype(np.float32)
        nodes.append(Node(name + "_scale", ops.Mul(), (cur, name + "_scale"), (cur + "_s",)))
    last = nodes[-1]
    nodes[-1] = Node(last.name, last.op, last.inputs, (out,))
    return nodes, consts


@graph_pass("streamline.split_activation_quantizers")
def split_activation_quantizers(g: Graph) -> Graph:
    """Give every activation quantizer an explicit integer output.

    Before: x -> Quant(s, z, b) -> y            (or BipolarQuant(s))
    After:  x -> IntQuant(s, z, b) -> q:INTb -> Add(-z) -> Mul(s) -> y
    Fires on quantizers of non-constant tensors; scale, zero-point and bit width must be constant.
    """
    for q in g.nodes:
        if not isinstance(q.op, (ops.Quant, ops.BipolarQuant)) or g.is_constant(q.inputs[0]):
            continue
        if not all(g.is_constant(t) for t in q.inputs[1:]):
            raise UnsupportedError(f"node {q.name}: quantizer parameters must be constants")
        scale = np.asarray(g.constants[q.inputs[1]], dtype=np.float32)
        qout = g.fresh_name(q.outputs[0] + "_q")
        consts: dict = {}
        if isinstance(q.op, ops.BipolarQuant):
            one = g.fresh_name(q.name + "_one")
            consts.update({one: np.float32(1.0), one + "_z": np.float32(0.0), one + "_b": np.float32(1.0)})
            iq = Node(q.name, ops.IntQuant(True, False, "ROUND"), (q.inputs[0], one, one + "_z", one + "_b"), (qout,))
            dtype, zp = BIPOLAR, None
        else:
            bits = int(np.asarray(g.constants[q.inputs[3]]).item())
            if bits != np.asarray(g.constants[q.inputs[3]]).item() or not 1 <= bits <= 32:
                raise UnsupportedError(f"node {q.name}: bit width must be an integer in 1..32")
            iq = Node(q.name, ops.IntQuant(q.op.signed, q.op.narrow, q.op.rounding_mode), q.inputs, (qout,))
            zp = np.asarray(g.constants[q.inputs[2]], dtype=np.float32)
            if np.any(zp != np.round(zp)):
                raise UnsupportedError(f"node {q.name}: zero-point must be an integer")
            dtype = BIPOLAR if bits == 1 and q.op.signed else (INT(bits) if q.op.signed else UINT(bits))
        deq, dconsts = _dequant(g, q.name, qout, q.outputs[0], zp, scale)
        g = g.substitute([q], [iq] + deq, {**consts, **dconsts})
        g = g.with_(dtypes={**g.dtypes, qout: dtype})
    return g
