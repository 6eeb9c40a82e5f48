"""Validation of a (Q)ONNX model before qnngen converts it: every problem is one ModelError that
names the node, tensor or attribute, says what was found and what is allowed.

Two stages: `validate_onnx` checks the ONNX graph as written (structure, initializers, graph
input shapes, attributes, quantizer parameters, finite weights) and returns its nodes in
topological order; `checked_shapes` walks the converted Graph node by node, checks what depends
on shapes (kernel vs input, channel counts, broadcasting, axes, k) and records every shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import numpy_helper

from ..errors import ModelError, QnnGenError, UnsupportedError
from ..ir import ops, parse_dtype, spatial_ops
from ..ir.graph import Graph, Node

#: most elements any one tensor may hold (64 MiB of float32): larger is not a plausible model
MAX_ELEMENTS = 1 << 24
#: quantizer bit widths qnngen compiles
MAX_QUANT_BITS = 32
ROUNDING_MODES = ("ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN")
_FLAGS = {
    "Quant": ("signed", "narrow"),
    "IntQuant": ("signed", "narrow"),
    "Trunc": ("signed", "narrow"),
    "Gemm": ("transA", "transB"),
    "ArgMax": ("keepdims", "select_last_index"),
    "TopK": ("largest", "sorted"),
    "MaxPool": ("ceil_mode", "storage_order"),
    "AveragePool": ("ceil_mode", "count_include_pad"),
}


@dataclass(frozen=True)
class Arity:
    """How many inputs (optional ones may be empty names) and outputs an op takes."""

    min_in: int
    max_in: int
    outs: int = 1


ARITY = {
    "Conv": Arity(2, 3),
    "MatMul": Arity(2, 2),
    "Gemm": Arity(2, 3),
    "Add": Arity(2, 2),
    "Sub": Arity(2, 2),
    "Mul": Arity(2, 2),
    "Div": Arity(2, 2),
    "Relu": Arity(1, 1),
    "Sign": Arity(1, 1),
    "BatchNormalization": Arity(5, 5),
    "Reshape": Arity(2, 2),
    "Flatten": Arity(1, 1),
    "Transpose": Arity(1, 1),
    "Quant": Arity(4, 4),
    "BipolarQuant": Arity(2, 2),
    "MultiThreshold": Arity(2, 2),
    "Trunc": Arity(5, 5),
    "IntQuant": Arity(4, 4),
    "ArgMax": Arity(1, 1),
    "TopK": Arity(2, 2, 2),
    "Concat": Arity(1, 1 << 16),
    "AddStreams": Arity(2, 2),
    "MaxPool": Arity(1, 1),
    "AveragePool": Arity(1, 1),
    "GlobalAveragePool": Arity(1, 1),
    "GlobalSumPool": Arity(1, 1),
    "Pad": Arity(1, 4),
    "Identity": Arity(1, 1),
    "Dropout": Arity(1, 3),
    "Constant": Arity(0, 0),
}


@dataclass(frozen=True)
class CheckedModel:
    """What validate_onnx found valid: the nodes in topological order, each with the name qnngen
    gives it, and the constant tensors (initializers and Constant nodes) as arrays."""

    nodes: tuple[tuple[str, onnx.NodeProto], ...]
    constants: dict[str, np.ndarray]


def _node_error(name: str, op: str, what: str) -> ModelError:
    return ModelError(f"node {name} ({op}): {what}")


def validate_onnx(model: onnx.ModelProto, base_dir: Path | None = None) -> CheckedModel:
    """Check an ONNX model as written; ModelError (one line) for the first problem found."""
    og = model.graph
    _check_text(og)
    names = [on.name or f"{on.op_type}_{k}" for k, on in enumerate(og.node)]
    constants = _initializers(og, base_dir)
    _check_names(og, names, constants)
    for name, on in zip(names, og.node):
        _check_arity(name, on)
        _check_attributes(name, on)
        if on.op_type == "Constant":
            constants[on.output[0]] = constant_value(name, on)
    order = _topological(og, names, constants)
    _check_graph_io(og, constants)
    _check_finite(og, names, constants)
    return CheckedModel(tuple(order), constants)


def _check_text(og: onnx.GraphProto) -> None:
    """Every name and annotation is text (protobuf hands undecodable UTF-8 over as bytes)."""
    texts = [(f"node {k}", on.name) for k, on in enumerate(og.node)]
    texts += [
        (f"node {k}", t)
        for k, on in enumerate(og.node)
        for t in (on.op_type, on.domain, *on.input, *on.output, *(a.name for a in on.attribute))
    ]
    texts += [("an initializer", i.name) for i in og.initializer]
    texts += [("a graph input or output", v.name) for v in (*og.input, *og.output, *og.value_info)]
    texts += [
        ("a quantization annotation", t)
        for ann in og.quantization_annotation
        for t in (
            ann.tensor_name,
            *(kv.key for kv in ann.quant_parameter_tensor_names),
            *(kv.value for kv in ann.quant_parameter_tensor_names),
        )
    ]
    for where, text in texts:
        if not isinstance(text, str):
            raise ModelError(
                f"{where}: a name is not valid UTF-8 text ({bytes(text)[:20]!r}); "
                "the file is corrupt"
            )


def _initializers(og: onnx.GraphProto, base_dir: Path | None) -> dict[str, np.ndarray]:
    """Every initializer as an array: unique names, declared dims matching the data."""
    out: dict[str, np.ndarray] = {}
    for init in og.initializer:
        if init.name in out:
            raise ModelError(
                f"initializer {init.name} is defined twice; tensor names must be unique"
            )
        if any(d < 0 for d in init.dims):
            raise ModelError(
                f"initializer {init.name}: negative dimension in dims {list(init.dims)}"
            )
        if init.data_location == onnx.TensorProto.EXTERNAL:
            _load_external(init, base_dir)
        try:
            arr = numpy_helper.to_array(init)
        except Exception as exc:  # onnx raises ValueError, TypeError or KeyError for bad tensors
            raise ModelError(
                f"initializer {init.name}: declared dims {list(init.dims)} do not match its data "
                f"({type(exc).__name__}); re-export the model"
            ) from None
        if arr.dtype.kind not in "biuf":
            raise UnsupportedError(
                f"initializer {init.name}: element type {arr.dtype} is not numeric"
            )
        out[init.name] = arr
    return out


def _load_external(init: onnx.TensorProto, base_dir: Path | None) -> None:
    """Read a tensor's external data in place, checking that its file holds enough bytes."""
    info = {e.key: e.value for e in init.external_data}
    where = info.get("location", "")
    path = (base_dir or Path(".")) / where
    if not where or Path(where).is_absolute() or ".." in Path(where).parts or not path.is_file():
        raise ModelError(
            f"initializer {init.name}: external data file {where!r} not found next to "
            "the model; keep the data file beside the .onnx"
        )
    try:
        offset, length = int(info.get("offset", 0)), int(info.get("length", -1))
    except ValueError:
        raise ModelError(
            f"initializer {init.name}: external data offset/length are not integers"
        ) from None
    size = path.stat().st_size
    need = onnx.helper.tensor_dtype_to_np_dtype(init.data_type).itemsize * math.prod(init.dims)
    length = need if length < 0 else length
    if offset < 0 or length != need or offset + length > size:
        raise ModelError(
            f"initializer {init.name}: external data {where} holds {max(0, size - offset)} "
            f"bytes from offset {offset} but dims {list(init.dims)} need {need}"
        )
    with open(path, "rb") as f:
        f.seek(offset)
        init.raw_data = f.read(length)
    init.data_location = onnx.TensorProto.DEFAULT
    del init.external_data[:]


def _check_names(og: onnx.GraphProto, names: list[str], constants: dict) -> None:
    """Unique node names; every tensor produced once (by a node, an initializer or an input)."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ModelError(f"node name {name} is used twice; node names must be unique")
        seen.add(name)
    produced = {i.name: "the graph input" for i in og.input if i.name not in constants}
    produced.update({t: "an initializer" for t in constants})
    for name, on in zip(names, og.node):
        for t in on.output:
            if not t:
                raise _node_error(name, on.op_type, "has an output with an empty name")
            if t in produced:
                raise _node_error(
                    name,
                    on.op_type,
                    f"output {t} is also produced by {produced[t]}; "
                    "every tensor must be produced once",
                )
            produced[t] = f"node {name}"


def _check_arity(name: str, on: onnx.NodeProto) -> None:
    ar = ARITY.get(on.op_type)
    if ar is None:
        return  # an unsupported op: the converter names it and lists the supported ones
    n_in = len(on.input)
    while n_in and not on.input[n_in - 1]:
        n_in -= 1  # trailing empty names are omitted optional inputs
    if not ar.min_in <= n_in <= ar.max_in:
        allowed = f"{ar.min_in}" if ar.min_in == ar.max_in else f"{ar.min_in} to {ar.max_in}"
        raise _node_error(name, on.op_type, f"has {n_in} input(s); {on.op_type} takes {allowed}")
    if any(not t for t in on.input[: ar.min_in]):
        raise _node_error(name, on.op_type, "a required input has an empty name")
    outs = 2 if on.op_type == "Dropout" and len(on.output) == 2 else ar.outs
    if len(on.output) != outs:
        raise _node_error(
            name, on.op_type, f"has {len(on.output)} output(s); qnngen expects {outs}"
        )


def _topological(
    og: onnx.GraphProto, names: list[str], constants: dict
) -> list[tuple[str, onnx.NodeProto]]:
    """Nodes in dependency order (stable); ModelError for a dangling input or a cycle."""
    available = {i.name for i in og.input} | set(constants)
    produced = {t for on in og.node for t in on.output}
    for name, on in zip(names, og.node):
        for t in on.input:
            if t and t not in available and t not in produced:
                raise _node_error(
                    name,
                    on.op_type,
                    f"input {t} is produced by no node, initializer or "
                    "graph input (a removed node?); the graph is broken",
                )
    pending, order = list(zip(names, og.node)), []
    while pending:
        ready = [
            k for k, (_, on) in enumerate(pending) if all(not t or t in available for t in on.input)
        ]
        if not ready:
            raise ModelError(
                f"the graph has a cycle: {' -> '.join(_cycle(pending, available))}; "
                "a dataflow graph must be acyclic"
            )
        for k in reversed(ready):
            available.update(pending[k][1].output)
        order.extend(pending[k] for k in ready)
        pending = [p for k, p in enumerate(pending) if k not in set(ready)]
    return order


def _cycle(pending: list[tuple[str, onnx.NodeProto]], available: set[str]) -> list[str]:
    """Node names around one cycle among nodes none of which can run."""
    producer = {t: k for k, (_, on) in enumerate(pending) for t in on.output}
    path, k = [], 0
    while k not in path:
        path.append(k)
        k = next(producer[t] for t in pending[k][1].input if t and t not in available)
    loop = path[path.index(k) :] + [k]
    return [pending[j][0] for j in reversed(loop)]


def _check_graph_io(og: onnx.GraphProto, constants: dict) -> None:
    """One graph input with a static, positive, plausible shape; outputs produced, named once."""
    inputs = [i for i in og.input if i.name not in constants]
    if len({i.name for i in og.input}) != len(og.input):
        raise ModelError("a graph input name is used twice; input names must be unique")
    if len(inputs) != 1:
        raise UnsupportedError(
            f"the model has {len(inputs)} graph inputs "
            f"({', '.join(i.name for i in inputs) or 'none'}); qnngen compiles one"
        )
    vi = inputs[0]
    tt = vi.type.tensor_type
    elem = onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type) if tt.elem_type else None
    if elem is None or np.dtype(elem).kind not in "biuf":
        kind = (
            onnx.TensorProto.DataType.Name(tt.elem_type)
            if tt.elem_type in onnx.TensorProto.DataType.values()
            else tt.elem_type
        )
        raise ModelError(
            f"graph input {vi.name}: element type {kind} is not numeric; export a float input"
        )
    dims = tt.shape.dim
    if not dims:
        raise ModelError(
            f"graph input {vi.name} has no shape; export the model with a fixed input shape"
        )
    shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    for k, d in enumerate(shape):
        if k > 0 and d is None:
            raise ModelError(
                f"graph input {vi.name}: dimension {k} is symbolic ({dims[k].dim_param!r}); "
                "export the model with a fixed input shape"
            )
        if d is not None and d <= 0:
            raise ModelError(
                f"graph input {vi.name}: dimension {k} is {d}; every dimension must be positive"
            )
    if math.prod(d or 1 for d in shape) > MAX_ELEMENTS:
        raise ModelError(
            f"graph input {vi.name}: shape {shape} holds more than {MAX_ELEMENTS} elements, "
            "the most qnngen accepts for one tensor"
        )
    outs = [o.name for o in og.output]
    if not outs:
        raise ModelError("the graph has no outputs")
    if len(set(outs)) != len(outs):
        raise ModelError("a graph output name is used twice; output names must be unique")
    produced = {t for on in og.node for t in on.output}
    for t in outs:
        if t not in produced:
            raise ModelError(f"graph output {t} is produced by no node; the graph is broken")


def _check_finite(og: onnx.GraphProto, names: list[str], constants: dict) -> None:
    """Weights, biases and every other float constant finite (thresholds: no NaN)."""
    users: dict[str, str] = {}
    thresholds = {
        on.input[1] for on in og.node if on.op_type == "MultiThreshold" and len(on.input) > 1
    }
    for name, on in zip(names, og.node):
        for t in on.input:
            users.setdefault(t, name)
    for t, v in constants.items():
        if v.dtype.kind != "f" or t not in users:
            continue
        user = users[t]
        bad = np.isnan(v) if t in thresholds else ~np.isfinite(v)
        if np.any(bad):
            raise ModelError(
                f"tensor {t} (input of node {user}) holds {int(np.count_nonzero(bad))} "
                "NaN or infinite value(s); weights, biases and parameters must be finite"
            )


def constant_value(name: str, on: onnx.NodeProto) -> np.ndarray:
    """The tensor of an ONNX Constant node, from whichever value attribute it has."""
    attrs = {a.name: a for a in on.attribute}
    if len(attrs) != 1:
        raise _node_error(
            name,
            "Constant",
            f"has attributes {sorted(attrs) or 'none'}; "
            "a Constant takes exactly one value attribute",
        )
    ((key, a),) = attrs.items()
    v = onnx.helper.get_attribute_value(a)
    if key == "value":
        try:
            return numpy_helper.to_array(v)
        except Exception as exc:  # malformed tensor attribute
            raise _node_error(
                name, "Constant", f"value tensor is malformed ({type(exc).__name__})"
            ) from None
    if key in ("value_float", "value_floats"):
        return np.asarray(v, dtype=np.float32)
    if key in ("value_int", "value_ints"):
        return np.asarray(v, dtype=np.int64)
    raise UnsupportedError(
        f"node {name}: Constant with {key} is not supported; use value, value_float(s) "
        "or value_int(s)"
    )


# ---------------------------------------------------------------- attributes (no shapes needed)


def _attr(on: onnx.NodeProto, key: str) -> onnx.AttributeProto | None:
    return next((a for a in on.attribute if a.name == key), None)


def _shown(a: onnx.AttributeProto) -> str:
    """An attribute's value as the user wrote it (strings decoded)."""
    v = onnx.helper.get_attribute_value(a)
    if isinstance(v, bytes):
        v = v.decode(errors="replace")
    return repr(v)[:60]


def _ints(name: str, on: onnx.NodeProto, key: str, length: int | None, low: int, rule: str) -> None:
    a = _attr(on, key)
    if a is None:
        return
    v = list(a.ints) if a.type == onnx.AttributeProto.INTS else None
    if v is None or (length is not None and len(v) != length) or any(x < low for x in v):
        raise _node_error(name, on.op_type, f"attribute {key}={_shown(a)}: {rule}")


def _int_attr(
    name: str, on: onnx.NodeProto, key: str, allowed: Callable[[int], bool], rule: str
) -> None:
    a = _attr(on, key)
    if a is None:
        return
    if a.type != onnx.AttributeProto.INT or not allowed(a.i):
        raise _node_error(name, on.op_type, f"attribute {key}={_shown(a)}: {rule}")


def _float_attr(name: str, on: onnx.NodeProto, key: str) -> None:
    a = _attr(on, key)
    if a is None:
        return
    if a.type not in (onnx.AttributeProto.FLOAT, onnx.AttributeProto.INT) or not math.isfinite(
        onnx.helper.get_attribute_value(a)
    ):
        raise _node_error(name, on.op_type, f"attribute {key}={_shown(a)}: must be a finite number")


def _string_attr(name: str, on: onnx.NodeProto, key: str, allowed: tuple[str, ...]) -> None:
    a = _attr(on, key)
    if a is None:
        return
    v = a.s.decode(errors="replace") if a.type == onnx.AttributeProto.STRING else None
    if v is None or v.upper() not in allowed:
        raise _node_error(
            name, on.op_type, f"attribute {key}={_shown(a)}: must be one of {', '.join(allowed)}"
        )


def _check_attributes(name: str, on: onnx.NodeProto) -> None:
    """Attribute types and ranges that do not depend on shapes."""
    op = on.op_type
    for key in _FLAGS.get(op, ()):
        _int_attr(name, on, key, lambda v: v in (0, 1), "must be 0 or 1")
    if op in ("Conv", "MaxPool", "AveragePool"):
        _ints(name, on, "kernel_shape", None, 1, "every kernel size must be a positive integer")
        _ints(name, on, "strides", None, 1, "every stride must be a positive integer")
        _ints(name, on, "dilations", None, 1, "every dilation must be a positive integer")
        _ints(name, on, "pads", None, 0, "pads must be non-negative integers")
        a = _attr(on, "kernel_shape")
        rank = len(a.ints) if a is not None else None
        for key, per in (("strides", 1), ("dilations", 1), ("pads", 2)):
            if rank is not None:
                _ints(
                    name,
                    on,
                    key,
                    per * rank,
                    0,
                    f"needs {per * rank} values for a {rank}-D kernel"
                    + (" (begin..., end...)" if per == 2 else ""),
                )
        _string_attr(name, on, "auto_pad", ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"))
    if op == "Conv":
        _int_attr(name, on, "group", lambda v: v >= 1, "must be a positive integer")
    elif op in ("Quant", "IntQuant", "Trunc"):
        _string_attr(name, on, "rounding_mode", ROUNDING_MODES)
    elif op == "Transpose":
        a = _attr(on, "perm")
        if a is not None and (
            a.type != onnx.AttributeProto.INTS or sorted(a.ints) != list(range(len(a.ints)))
        ):
            raise _node_error(
                name, op, f"attribute perm={_shown(a)}: must be a permutation of 0..rank-1"
            )
    elif op in ("Flatten", "Concat", "ArgMax", "TopK"):
        _int_attr(name, on, "axis", lambda v: True, "must be an integer")
        if op == "Concat" and _attr(on, "axis") is None:
            raise _node_error(name, op, "has no axis attribute; Concat needs one")
    elif op == "Gemm":
        _float_attr(name, on, "alpha")
        _float_attr(name, on, "beta")
    elif op == "BatchNormalization":
        _float_attr(name, on, "epsilon")
        eps = _attr(on, "epsilon")
        if eps is not None and eps.f < 0:
            raise _node_error(name, op, f"attribute epsilon={eps.f}: must be >= 0")
    elif op == "MultiThreshold":
        _float_attr(name, on, "out_scale")
        _float_attr(name, on, "out_bias")
        a = _attr(on, "out_dtype")
        if a is not None:
            try:
                parse_dtype(a.s.decode(errors="replace"))
            except ValueError:
                raise _node_error(
                    name,
                    op,
                    f"attribute out_dtype={_shown(a)}: must be a datatype such as "
                    "INT4, UINT2, BIPOLAR or FLOAT32",
                ) from None
    elif op == "AddStreams":
        _int_attr(name, on, "a_mul", lambda v: True, "must be an integer")
        _int_attr(name, on, "b_mul", lambda v: True, "must be an integer")
    elif op == "Pad":
        _ints(name, on, "pads", None, 0, "pads must be non-negative integers (negative pads crop)")


# ---------------------------------------------------------------- shapes (converted graph)


ShapeCheck = Callable[[Graph, Node, list[np.ndarray]], None]


def checked_shapes(g: Graph) -> Graph:
    """Check every node against its input shapes and record all shapes (batch 1); ModelError
    naming the node for a problem, including any failure of the op on inputs of those shapes."""
    env: dict[str, np.ndarray] = dict(g.constants)
    for t in g.inputs:
        env[t] = np.zeros(g.shapes[t], dtype=np.float32)
    for n in g.nodes:
        args = [env[t] for t in n.inputs]
        check = _SHAPE_CHECKS.get(type(n.op))
        if check is not None:
            check(g, n, args)
        results = _run(n, args)
        if len(results) < len(n.outputs):
            raise _node_error(
                n.name, n.op_type, f"has {len(n.outputs)} outputs; the op gives {len(results)}"
            )
        for t, v in zip(n.outputs, results):
            v = np.asarray(v)
            if v.size > MAX_ELEMENTS or 0 in v.shape:
                raise _node_error(
                    n.name,
                    n.op_type,
                    f"output {t} would have shape {list(v.shape)}; every "
                    f"dimension must be positive and a tensor at most {MAX_ELEMENTS} elements",
                )
            env[t] = v.astype(np.int64) if g.dtype(t).is_integer() else v
    return g.with_(shapes={k: tuple(np.shape(v)) for k, v in env.items()})


def _run(n: Node, args: list[np.ndarray]) -> tuple:
    try:
        with np.errstate(all="raise", under="ignore"):
            return n.op.execute(*args)
    except QnnGenError:
        raise
    except Exception as exc:  # the op's numpy code refusing these shapes or values
        shapes = ", ".join(str(list(np.shape(a))) for a in args)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _node_error(
            n.name,
            n.op_type,
            f"cannot be computed on inputs of shape {shapes} ({first}); "
            "check its attributes and the input shape",
        ) from None


def _shape(a: np.ndarray) -> list[int]:
    return list(np.shape(a))


def _need_const(g: Graph, n: Node, k: int, what: str) -> np.ndarray:
    if not g.is_constant(n.inputs[k]):
        raise UnsupportedError(f"node {n.name}: {what} ({n.inputs[k]}) must be a constant")
    return np.asarray(g.constants[n.inputs[k]])


def _axis(n: Node, axis: int, rank: int, extra: int = 0) -> None:
    if not -rank - extra <= axis < rank + extra:
        raise _node_error(n.name, n.op_type, f"axis {axis} is out of range for a {rank}-D input")


def _rank(n: Node, x: np.ndarray, rank: int, what: str = "input") -> None:
    if np.ndim(x) != rank:
        raise _node_error(
            n.name,
            n.op_type,
            f"{what} has shape {_shape(x)}; {n.op_type} takes a {rank}-D "
            f"{'NCHW ' if rank == 4 else ''}tensor",
        )


def _window(n: Node, x: np.ndarray, op) -> None:
    """Kernel no larger than the padded input; pads of a pool smaller than its kernel."""
    _rank(n, x, 4)
    h, w = x.shape[2:]
    top, left, bottom, right = op.pads
    kh, kw = op.kernel_shape
    if h + top + bottom < kh or w + left + right < kw:
        raise _node_error(
            n.name,
            n.op_type,
            f"kernel {kh}x{kw} is larger than the padded input "
            f"{h + top + bottom}x{w + left + right}",
        )
    if not isinstance(op, spatial_ops.Conv) and (max(top, bottom) >= kh or max(left, right) >= kw):
        raise _node_error(
            n.name, n.op_type, f"pads {list(op.pads)} must be smaller than the kernel {kh}x{kw}"
        )


def _check_conv(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x, w = args[0], args[1]
    _window(n, x, n.op)
    _rank(n, w, 4, "the weight")
    group, (oc, icg, kh, kw) = n.op.group, w.shape
    if (kh, kw) != tuple(n.op.kernel_shape):
        raise _node_error(
            n.name,
            n.op_type,
            f"weight shape {_shape(w)} does not match kernel_shape {list(n.op.kernel_shape)}",
        )
    if oc % group or x.shape[1] != icg * group:
        raise _node_error(
            n.name,
            n.op_type,
            f"group={group} with a {x.shape[1]}-channel input and weight "
            f"{_shape(w)}: needs input channels = {icg} x group and output channels "
            f"divisible by group (is the input NHWC? qnngen takes NCHW)",
        )
    oh = (x.shape[2] + n.op.pads[0] + n.op.pads[2] - kh) // n.op.strides[0] + 1
    ow = (x.shape[3] + n.op.pads[1] + n.op.pads[3] - kw) // n.op.strides[1] + 1
    if oh * ow * kh * kw * x.shape[1] > 4 * MAX_ELEMENTS:
        raise _node_error(
            n.name,
            n.op_type,
            f"its {oh}x{ow} windows of {kh}x{kw}x{x.shape[1]} values exceed "
            f"{4 * MAX_ELEMENTS} elements",
        )


def _check_pool(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    _window(n, args[0], n.op)


def _check_global_pool(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    _rank(n, args[0], 4)


def _check_matmul(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    a, b = args
    if np.ndim(a) < 1 or np.ndim(b) != 2 or a.shape[-1] != b.shape[0]:
        raise _node_error(
            n.name,
            n.op_type,
            f"input shape {_shape(a)} does not fit weight shape {_shape(b)}"
            f"; the last input dimension must equal the weight's rows (is the graph input "
            "shape right?)",
        )


def _broadcast(n: Node, x: np.ndarray, c: np.ndarray, what: str) -> None:
    """A constant operand broadcasts to x's shape without enlarging it."""
    try:
        out = np.broadcast_shapes(np.shape(x), np.shape(c))
    except ValueError:
        out = None
    if out != np.shape(x):
        raise _node_error(
            n.name,
            n.op_type,
            f"{what} shape {_shape(c)} does not broadcast to the input shape {_shape(x)}",
        )


def _check_elementwise(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    a, b = args
    try:
        np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        raise _node_error(
            n.name, n.op_type, f"input shapes {_shape(a)} and {_shape(b)} do not broadcast"
        ) from None
    if isinstance(n.op, ops.Div) and g.is_constant(n.inputs[1]) and np.any(np.asarray(b) == 0):
        raise _node_error(n.name, n.op_type, f"divides by zero (constant {n.inputs[1]} holds 0)")


def _check_batchnorm(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x = args[0]
    if np.ndim(x) < 2:
        raise _node_error(
            n.name, n.op_type, f"input has shape {_shape(x)}; it needs a channel axis 1"
        )
    for k, what in enumerate(("scale", "bias", "mean", "var"), start=1):
        if np.shape(args[k]) != (x.shape[1],):
            raise _node_error(
                n.name,
                n.op_type,
                f"{what} has shape {_shape(args[k])}; the input has "
                f"{x.shape[1]} channels, so it must be [{x.shape[1]}]",
            )
    var = _need_const(g, n, 4, "the variance").astype(np.float64)
    if np.any(var + n.op.epsilon <= 0):
        raise _node_error(n.name, n.op_type, "variance + epsilon must be positive in every channel")


def _check_reshape(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x, shape = args[0], _need_const(g, n, 1, "the target shape")
    if shape.dtype.kind not in "iu" or shape.ndim != 1:
        raise _node_error(
            n.name, n.op_type, f"target shape {shape.tolist()} must be a 1-D integer tensor"
        )
    target = [x.shape[k] if d == 0 and k < np.ndim(x) else int(d) for k, d in enumerate(shape)]
    if sum(d == -1 for d in target) > 1 or any(d < -1 for d in target):
        raise _node_error(
            n.name, n.op_type, f"target shape {shape.tolist()}: at most one -1, no other negatives"
        )
    known = math.prod(d for d in target if d != -1)
    size = int(np.size(x))
    if (-1 in target and (known == 0 or size % known)) or (-1 not in target and known != size):
        raise _node_error(
            n.name, n.op_type, f"cannot reshape {_shape(x)} ({size} elements) to {shape.tolist()}"
        )


def _check_flatten(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    _axis(n, n.op.axis, np.ndim(args[0]), 1)


def _check_transpose(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    if n.op.perm and len(n.op.perm) != np.ndim(args[0]):
        raise _node_error(
            n.name,
            n.op_type,
            f"perm {list(n.op.perm)} does not fit the {np.ndim(args[0])}-D input {_shape(args[0])}",
        )


def _bit_width(g: Graph, n: Node, k: int, low: int = 1) -> int:
    bits = _need_const(g, n, k, "the bit width")
    v = float(bits.reshape(-1)[0]) if bits.size == 1 else None
    if v is None or not math.isfinite(v) or v != round(v) or not low <= v <= MAX_QUANT_BITS:
        shown = bits.tolist() if bits.size <= 4 else f"an array of shape {list(bits.shape)}"
        raise _node_error(
            n.name, n.op_type, f"bit width {shown}: must be one integer in {low}..{MAX_QUANT_BITS}"
        )
    return int(v)


def _scale(g: Graph, n: Node, x: np.ndarray, k: int) -> None:
    s = _need_const(g, n, k, "the scale").astype(np.float64)
    tiny = float(np.finfo(np.float32).tiny)
    ok = np.isfinite(s) & (s >= tiny)
    if s.size == 0 or not np.all(ok):
        bad = s[~ok].reshape(-1)[:1].tolist()
        raise _node_error(
            n.name,
            n.op_type,
            f"scale {n.inputs[k]} holds {bad[0] if bad else 'no values'}; "
            f"every scale must be finite and at least {tiny:.3g} (a normal float32 > 0)",
        )
    _broadcast(n, x, s, f"scale {n.inputs[k]}")
    with np.errstate(all="ignore"):
        if np.any(np.abs(x.astype(np.float64)) / s > np.finfo(np.float32).max):
            raise _node_error(
                n.name,
                n.op_type,
                f"input / scale overflows float32; scale {n.inputs[k]} is too small for the input",
            )


def _zero_point(g: Graph, n: Node, x: np.ndarray, k: int) -> None:
    z = _need_const(g, n, k, "the zero-point").astype(np.float64)
    if not np.all(np.isfinite(z)) or np.any(z != np.round(z)):
        raise _node_error(n.name, n.op_type, f"zero-point {n.inputs[k]} must hold finite integers")
    _broadcast(n, x, z, f"zero-point {n.inputs[k]}")


def _check_quant(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x = args[0]
    _scale(g, n, x, 1)
    _zero_point(g, n, x, 2)
    bits = _bit_width(g, n, 3)
    if bits == 1 and n.op.narrow:
        raise _node_error(
            n.name, n.op_type, "narrow=1 with a 1-bit quantizer leaves one value; use narrow=0"
        )


def _check_bipolar(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    _scale(g, n, args[0], 1)


def _check_trunc(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x = args[0]
    _scale(g, n, x, 1)
    _zero_point(g, n, x, 2)
    if _bit_width(g, n, 4) > _bit_width(g, n, 3, 2):
        raise _node_error(n.name, n.op_type, "output bit width exceeds the input bit width")


def _check_multithreshold(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x, t = args
    if np.ndim(x) < 2 or np.ndim(t) != 2 or t.shape[0] not in (1, x.shape[1]):
        raise _node_error(
            n.name,
            n.op_type,
            f"thresholds of shape {_shape(t)} do not fit the input "
            f"{_shape(x)}; they must be [channels or 1, steps]",
        )


def _check_concat(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    rank = np.ndim(args[0])
    _axis(n, n.op.axis, rank)
    ax = n.op.axis % rank if rank else 0
    for a in args[1:]:
        if np.ndim(a) != rank or any(
            d != e for k, (d, e) in enumerate(zip(a.shape, args[0].shape)) if k != ax
        ):
            raise _node_error(
                n.name,
                n.op_type,
                f"input shapes {', '.join(str(_shape(b)) for b in args)} "
                f"differ outside axis {n.op.axis}",
            )


def _check_addstreams(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    if np.shape(args[0]) != np.shape(args[1]):
        raise _node_error(
            n.name, n.op_type, f"input shapes {_shape(args[0])} and {_shape(args[1])} differ"
        )


def _check_argmax(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    _axis(n, n.op.axis, np.ndim(args[0]))


def _check_topk(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x = args[0]
    _axis(n, n.op.axis, np.ndim(x))
    k = _need_const(g, n, 1, "k")
    dim = x.shape[n.op.axis]
    if k.size != 1 or k.dtype.kind not in "iu" or not 1 <= int(k.reshape(-1)[0]) <= dim:
        raise _node_error(
            n.name,
            n.op_type,
            f"k={k.tolist()}: must be one integer in 1..{dim} (the size of axis {n.op.axis})",
        )


def _check_pad(g: Graph, n: Node, args: list[np.ndarray]) -> None:
    x, pads = args[0], _need_const(g, n, 1, "the pads")
    if pads.dtype.kind not in "iu" or pads.shape != (2 * np.ndim(x),):
        raise _node_error(
            n.name,
            n.op_type,
            f"pads {pads.tolist()}: need {2 * np.ndim(x)} integers "
            f"(begin..., end...) for the {np.ndim(x)}-D input",
        )
    if np.any(pads < 0):
        raise UnsupportedError(
            f"node {n.name}: Pad with negative pads {pads.tolist()} (cropping) is not supported"
        )
    if (
        math.prod(
            d + int(b) + int(e) for d, b, e in zip(x.shape, pads[: np.ndim(x)], pads[np.ndim(x) :])
        )
        > MAX_ELEMENTS
    ):
        raise _node_error(
            n.name,
            n.op_type,
            f"pads {pads.tolist()} make the tensor larger than {MAX_ELEMENTS} elements",
        )


_SHAPE_CHECKS: dict[type, ShapeCheck] = {
    spatial_ops.Conv: _check_conv,
    spatial_ops.MaxPool: _check_pool,
    spatial_ops.AveragePool: _check_pool,
    spatial_ops.GlobalAveragePool: _check_global_pool,
    spatial_ops.GlobalSumPool: _check_global_pool,
    spatial_ops.Pad: _check_pad,
    ops.MatMul: _check_matmul,
    ops.Add: _check_elementwise,
    ops.Sub: _check_elementwise,
    ops.Mul: _check_elementwise,
    ops.Div: _check_elementwise,
    ops.BatchNormalization: _check_batchnorm,
    ops.Reshape: _check_reshape,
    ops.Flatten: _check_flatten,
    ops.Transpose: _check_transpose,
    ops.Quant: _check_quant,
    ops.IntQuant: _check_quant,
    ops.BipolarQuant: _check_bipolar,
    ops.Trunc: _check_trunc,
    ops.MultiThreshold: _check_multithreshold,
    ops.Concat: _check_concat,
    ops.AddStreams: _check_addstreams,
    ops.ArgMax: _check_argmax,
    ops.TopK: _check_topk,
}
