"""Write a Graph back to ONNX (QONNX dialect + domain `qnngen`) for Netron and for reloading."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .graph import Graph
from .ops import AddStreams, BipolarQuant, IntQuant, MultiThreshold, Op, Quant, Trunc
from .spatial_ops import GlobalSumPool

QONNX_DOMAIN = "qonnx.custom_op.general"
QNNGEN_DOMAIN = "qnngen"
_DOMAINS = {IntQuant: QNNGEN_DOMAIN, AddStreams: QNNGEN_DOMAIN, GlobalSumPool: QNNGEN_DOMAIN, MultiThreshold: QONNX_DOMAIN, Quant: QONNX_DOMAIN,
            BipolarQuant: QONNX_DOMAIN, Trunc: QONNX_DOMAIN}
_FLOAT_EXACT = 1 << 24


def _attrs(op: Op) -> dict[str, object]:
    if isinstance(op, Trunc):
        return dict(op.onnx_attrs)
    out: dict[str, object] = {}
    for f in fields(op):
        v = getattr(op, f.name)
        out[f.name] = int(v) if isinstance(v, bool) else (list(v) if isinstance(v, tuple) else v)
    if "perm" in out and not out["perm"]:
        del out["perm"]
    return out


def _initializer(name: str, value: np.ndarray, integer: bool) -> onnx.TensorProto:
    """float32 (FINN convention for integers too) unless an integer is too large for it."""
    v = np.asarray(value)
    if (integer or np.issubdtype(v.dtype, np.integer)) and v.size and np.abs(v).max() >= _FLOAT_EXACT:
        return numpy_helper.from_array(np.ascontiguousarray(v.astype(np.int64)), name)
    return numpy_helper.from_array(np.ascontiguousarray(v.astype(np.float32)), name)


def to_onnx(g: Graph) -> onnx.ModelProto:
    """ONNX model of g; integer datatypes go into QONNX `finn_datatype` annotations."""
    nodes = [
        helper.make_node(n.op_type, list(n.inputs), list(n.outputs), name=n.name,
                         domain=_DOMAINS.get(type(n.op), ""), **_attrs(n.op))
        for n in g.nodes
    ]
    index_inputs = {n.inputs[1] for n in g.nodes if n.op_type in ("Reshape", "TopK")}
    inits = [
        numpy_helper.from_array(np.asarray(v, dtype=np.int64), k) if k in index_inputs
        else _initializer(k, v, g.dtype(k).is_integer())
        for k, v in sorted(g.constants.items())
    ]
    ins = [helper.make_tensor_value_info(t, TensorProto.FLOAT, list(g.shapes.get(t, ()))) for t in g.inputs]
    outs = [helper.make_tensor_value_info(t, TensorProto.FLOAT, list(g.shapes.get(t, ()))) for t in g.outputs]
    graph = helper.make_graph(nodes, g.name, ins, outs, inits)
    for t, dt in sorted(g.dtypes.items(), key=lambda kv: kv[0]):
        if dt.is_integer():
            ann = onnx.TensorAnnotation(tensor_name=t)
            ann.quant_parameter_tensor_names.add(key="finn_datatype", value=dt.name)
            graph.quantization_annotation.append(ann)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(QONNX_DOMAIN, 1), helper.make_opsetid(QNNGEN_DOMAIN, 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="qnngen")
