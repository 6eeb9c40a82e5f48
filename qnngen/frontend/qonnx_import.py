"""Import a (Q)ONNX model file into qnngen's Graph, refusing what qnngen does not support."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import helper

from ..errors import ModelError, UnsupportedError
from ..ir import DataType, ops, parse_dtype, spatial_ops
from ..ir.graph import Graph, Node
from .validate import checked_shapes, validate_onnx

_Attrs = dict[str, object]


def _simple(cls: type) -> Callable[[_Attrs], ops.Op]:
    return lambda a: cls()


def _quant(a: _Attrs) -> ops.Op:
    mode = a.get("rounding_mode", "ROUND")
    return ops.Quant(bool(a.get("signed", 1)), bool(a.get("narrow", 0)), str(mode).upper())


def _multithreshold(a: _Attrs) -> ops.Op:
    if a.get("data_layout", "NCHW") not in ("NCHW", "NC"):
        raise UnsupportedError(f"MultiThreshold data_layout {a['data_layout']}")
    return ops.MultiThreshold(
        str(a.get("out_dtype", "FLOAT32")), float(a.get("out_scale", 1.0)), float(a.get("out_bias", 0.0))
    )


def _argmax(a: _Attrs) -> ops.Op:
    if a.get("select_last_index", 0):
        raise UnsupportedError("ArgMax with select_last_index=1")
    return ops.ArgMax(int(a.get("axis", 0)), bool(a.get("keepdims", 1)))


def _topk(a: _Attrs) -> ops.Op:
    if not a.get("largest", 1) or not a.get("sorted", 1):
        raise UnsupportedError("TopK with largest=0 or sorted=0")
    return ops.TopK(int(a.get("axis", -1)))


def _window(a: _Attrs, what: str) -> dict:
    """Kernel, strides and ONNX pads (top, left, bottom, right) of a 2-D Conv/pool."""
    k = tuple(a.get("kernel_shape", ()))
    if len(k) != 2:
        raise UnsupportedError(f"{what} with a {len(k)}-D kernel; only 2-D is supported")
    if any(d != 1 for d in a.get("dilations", (1, 1))):
        raise UnsupportedError(f"{what} with dilation {list(a['dilations'])}; only dilation 1 is supported")
    if a.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise UnsupportedError(f"{what} with auto_pad={a['auto_pad']}; export with explicit pads")
    if a.get("ceil_mode", 0):
        raise UnsupportedError(f"{what} with ceil_mode=1; only floor mode is supported")
    pads = tuple(a.get("pads", (0, 0, 0, 0)))
    return {"kernel_shape": k, "strides": tuple(a.get("strides", (1, 1))), "pads": (pads[0], pads[1], pads[2], pads[3])}


def _conv(a: _Attrs) -> ops.Op:
    return spatial_ops.Conv(group=int(a.get("group", 1)), **_window(a, "Conv"))


def _pad(a: _Attrs) -> ops.Op:
    if a.get("mode", "constant") != "constant":
        raise UnsupportedError(f"Pad mode {a['mode']}; only constant padding is supported")
    return spatial_ops.Pad(float(a.get("value", 0.0)))


def _avgpool(a: _Attrs) -> ops.Op:
    window = _window(a, "AveragePool")
    if any(window["pads"]) and not a.get("count_include_pad", 0):
        raise UnsupportedError("AveragePool with padding and count_include_pad=0 (a varying divisor at the borders)")
    return spatial_ops.AveragePool(**window)


def _maxpool(a: _Attrs) -> ops.Op:
    if a.get("storage_order", 0):
        raise UnsupportedError("MaxPool with storage_order=1")
    return spatial_ops.MaxPool(**_window(a, "MaxPool"))


_OPS: dict[str, Callable[[_Attrs], ops.Op]] = {
    "Conv": _conv,
    "MaxPool": _maxpool,
    "GlobalAveragePool": _simple(spatial_ops.GlobalAveragePool),
    "Pad": _pad,
    "AveragePool": _avgpool,
    "Concat": lambda a: ops.Concat(int(a.get("axis", 1))),
    "GlobalSumPool": _simple(spatial_ops.GlobalSumPool),
    "AddStreams": lambda a: ops.AddStreams(int(a.get("a_mul", 1)), int(a.get("b_mul", 1))),
    "MatMul": _simple(ops.MatMul),
    "Add": _simple(ops.Add),
    "Sub": _simple(ops.Sub),
    "Mul": _simple(ops.Mul),
    "Div": _simple(ops.Div),
    "Relu": _simple(ops.Relu),
    "Sign": _simple(ops.Sign),
    "Reshape": _simple(ops.Reshape),
    "BatchNormalization": lambda a: ops.BatchNormalization(float(a.get("epsilon", 1e-5))),
    "Flatten": lambda a: ops.Flatten(int(a.get("axis", 1))),
    "Transpose": lambda a: ops.Transpose(tuple(a.get("perm", ()))),
    "Quant": _quant,
    "BipolarQuant": _simple(ops.BipolarQuant),
    "MultiThreshold": _multithreshold,
    "Trunc": lambda a: ops.Trunc(tuple(sorted(a.items()))),
    "IntQuant": lambda a: ops.IntQuant(bool(a.get("signed", 1)), bool(a.get("narrow", 0)), str(a.get("rounding_mode", "ROUND"))),
    "ArgMax": _argmax,
    "TopK": _topk,
}


def load_model(path: str | Path) -> Graph:
    """Read an ONNX file and convert it; raises ModelError / UnsupportedError with one-line text."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file; give an .onnx path or an example name (qnngen examples)")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises several unrelated types for non-ONNX bytes
        raise ModelError(f"{path}: not a readable ONNX model ({type(exc).__name__}); export it with onnx/brevitas") from None
    if not model.graph.node:
        raise ModelError(f"{path}: the ONNX graph has no nodes")
    return from_onnx(model, path.stem, path.parent)


def from_onnx(model: onnx.ModelProto, name: str, base_dir: Path | None = None) -> Graph:
    """Validate an in-memory ONNX model (batch size 1; external data found in base_dir) and
    convert it into a Graph with shapes inferred."""
    og = model.graph
    checked = validate_onnx(model, base_dir)
    constants = dict(checked.constants)
    rename: dict[str, str] = {}
    nodes: list[Node] = []
    for nname, on in checked.nodes:
        attrs = {a.name: _attr_value(a) for a in on.attribute}
        inputs = list(rename.get(t, t) for t in on.input)
        while inputs and not inputs[-1]:
            inputs.pop()  # omitted optional inputs
        inputs = tuple(inputs)
        if on.op_type == "Constant":
            continue
        elif on.op_type in ("Identity", "Dropout"):
            rename[on.output[0]] = inputs[0]
        elif on.op_type == "Gemm":
            nodes.extend(_gemm(nname, inputs, on.output[0], attrs, constants))
        elif on.op_type == "Conv" and len(inputs) > 2 and inputs[2]:
            nodes.extend(_conv_with_bias(nname, inputs, on.output[0], attrs, constants))
        elif on.op_type == "Pad" and "pads" in attrs:
            constants[nname + "_pads"] = np.asarray(attrs.pop("pads"), dtype=np.int64)
            nodes.append(Node(nname, _pad(attrs), (inputs[0], nname + "_pads"), tuple(on.output)))
        elif on.op_type in _OPS:
            try:
                op = _OPS[on.op_type](attrs)
            except UnsupportedError as exc:
                raise UnsupportedError(f"node {nname}: {exc}; qnngen cannot compile it") from None
            nodes.append(Node(nname, op, inputs, tuple(on.output)))
        else:
            raise UnsupportedError(
                f"node {nname}: op {on.op_type} is not supported by qnngen; "
                f"supported ops: {', '.join(sorted(_OPS) + ['Gemm', 'Constant', 'Identity'])}"
            )
    inputs = tuple(i.name for i in og.input if i.name not in constants)
    shapes = {i.name: _input_shape(i) for i in og.input if i.name not in constants}
    outputs = tuple(o.name for o in og.output)
    nodes = _keep_output_names(nodes, {rename[o]: o for o in outputs if o in rename}, set(constants) | set(inputs))
    dtypes = _annotated_dtypes(og)
    for t, dt in dtypes.items():
        if t in constants and dt.is_integer():
            constants[t] = np.asarray(constants[t]).astype(np.int64)
    g = Graph(name, (), inputs, outputs, {}, shapes, dtypes)
    g = g.substitute([], nodes, constants)
    return checked_shapes(g)


def _keep_output_names(nodes: list[Node], back: dict[str, str], fixed: set[str]) -> list[Node]:
    """Rename the tensors an Identity forwarded to a graph output back to the output's name."""
    back = {t: o for t, o in back.items() if t not in fixed}
    return [Node(n.name, n.op, tuple(back.get(t, t) for t in n.inputs), tuple(back.get(t, t) for t in n.outputs)) for n in nodes]


def _annotated_dtypes(og: onnx.GraphProto) -> dict[str, DataType]:
    """QONNX `finn_datatype` annotations (integer tensors of a streamlined graph)."""
    out = {}
    for ann in og.quantization_annotation:
        for kv in ann.quant_parameter_tensor_names:
            if kv.key != "finn_datatype":
                continue
            try:
                dt = parse_dtype(kv.value)
            except ValueError:
                raise ModelError(
                    f"tensor {ann.tensor_name}: finn_datatype {kv.value!r} is not a datatype "
                    "(INT4, UINT2, BIPOLAR, FLOAT32, ...)"
                ) from None
            if dt.is_integer():
                out[ann.tensor_name] = dt
    return out


def _attr_value(a: onnx.AttributeProto) -> object:
    v = helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, list):
        return tuple(x.decode(errors="replace") if isinstance(x, bytes) else x for x in v)
    return v


def _input_shape(vi: onnx.ValueInfoProto) -> tuple[int, ...]:
    dims = [d.dim_value if d.HasField("dim_value") else 1 for d in vi.type.tensor_type.shape.dim]
    if dims[0] != 1:
        raise UnsupportedError(f"graph input {vi.name} has batch size {dims[0]}; export with batch size 1")
    return tuple(dims)


def _conv_with_bias(name: str, ins: tuple[str, ...], out: str, a: _Attrs, constants: dict) -> list[Node]:
    """Conv(x, w, b) as Conv(x, w) followed by Add(b) over the channel axis."""
    try:
        conv = _conv(a)
    except UnsupportedError as exc:
        raise UnsupportedError(f"node {name}: {exc}; qnngen cannot compile it") from None
    if ins[2] not in constants:
        raise UnsupportedError(f"node {name}: Conv bias must be a constant")
    constants[name + "_bias"] = np.asarray(constants[ins[2]], dtype=np.float32).reshape(1, -1, 1, 1)
    return [Node(name, conv, ins[:2], (out + "_nobias",)),
            Node(name + "_bias", ops.Add(), (out + "_nobias", name + "_bias"), (out,))]


def _gemm(name: str, ins: tuple[str, ...], out: str, a: _Attrs, constants: dict) -> list[Node]:
    """Gemm as MatMul (+ Mul by alpha) (+ Add of beta * C); B transposed in its constants."""
    if a.get("transA", 0):
        raise UnsupportedError(f"node {name}: Gemm with transA=1 is not supported")
    b, nodes = ins[1], []
    if a.get("transB", 0) and b in constants:
        constants[b + "_T"] = np.ascontiguousarray(constants[b].T)
        b = b + "_T"
    elif a.get("transB", 0):
        nodes.append(Node(name + "_wT", ops.Transpose((1, 0)), (b,), (b + "_T",)))
        b = b + "_T"
    cur = out + "_mm"
    nodes.append(Node(name, ops.MatMul(), (ins[0], b), (cur,)))
    alpha, beta = float(a.get("alpha", 1.0)), float(a.get("beta", 1.0))
    if alpha != 1.0:
        constants[name + "_alpha"] = np.float32(alpha)
        nodes.append(Node(name + "_alpha", ops.Mul(), (cur, name + "_alpha"), (cur + "_a",)))
        cur += "_a"
    if len(ins) > 2 and ins[2]:
        c = ins[2]
        if beta != 1.0:
            if c not in constants:
                raise UnsupportedError(f"node {name}: Gemm with beta != 1 needs a constant C")
            constants[name + "_beta"] = (constants[c] * np.float32(beta)).astype(np.float32)
            c = name + "_beta"
        nodes.append(Node(name + "_bias", ops.Add(), (cur, c), (cur + "_b",)))
        cur += "_b"
    last = nodes[-1]
    nodes[-1] = Node(last.name, last.op, last.inputs, (out,))
    return nodes

