"""Deterministic mutations for the fuzz suite: broken models (graph, shapes, attributes,
quantizers, bytes), folding files, simulate inputs, build folders and command lines.

Each generator yields (case id, mutation); the mutations are plain functions of the inputs
they break, so every case is the same on every run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

Mutation = Callable[[onnx.ModelProto], onnx.ModelProto | bytes]


# ---------------------------------------------------------------- model helpers


def _nodes(m: onnx.ModelProto, op: str) -> list[onnx.NodeProto]:
    return [n for n in m.graph.node if n.op_type == op]


def _init(m: onnx.ModelProto, name: str) -> onnx.TensorProto:
    return next(i for i in m.graph.initializer if i.name == name)


def _set_init(m: onnx.ModelProto, name: str, value: np.ndarray) -> None:
    old = _init(m, name)
    old.CopyFrom(
        numpy_helper.from_array(np.asarray(value, dtype=numpy_helper.to_array(old).dtype), name)
    )


def _set_attr(node: onnx.NodeProto, key: str, value) -> None:
    for k, a in enumerate(node.attribute):
        if a.name == key:
            del node.attribute[k]
            break
    node.attribute.append(helper.make_attribute(key, value))


def _weight_quant(m: onnx.ModelProto) -> onnx.NodeProto:
    inits = {i.name for i in m.graph.initializer}
    return next(
        n for n in m.graph.node if n.op_type in ("Quant", "BipolarQuant") and n.input[0] in inits
    )


def _act_quant(m: onnx.ModelProto) -> onnx.NodeProto:
    inits = {i.name for i in m.graph.initializer}
    return next(
        n
        for n in m.graph.node
        if n.op_type in ("Quant", "BipolarQuant") and n.input[0] not in inits
    )


def _append_after_output(
    m: onnx.ModelProto, node: onnx.NodeProto, out_dims: list[int] | None = None
) -> onnx.ModelProto:
    """Put `node` (reading the graph output, writing 'extra') at the end as the new output."""
    m.graph.node.append(node)
    out = m.graph.output[0]
    out.name = "extra"
    if out_dims is not None:
        del out.type.tensor_type.shape.dim[:]
    return m


def _rename_output(node: onnx.NodeProto, m: onnx.ModelProto) -> None:
    node.output[0] = m.graph.output[0].name


def _mutator(fn: Callable[[onnx.ModelProto], object]) -> Mutation:
    """A mutation that edits the model in place (returns it)."""

    def run(m: onnx.ModelProto) -> onnx.ModelProto:
        fn(m)
        return m

    return run


# ---------------------------------------------------------------- graph structure


def graph_mutations(m: onnx.ModelProto) -> Iterator[tuple[str, Mutation]]:
    n = len(m.graph.node)
    for k in sorted({1, n // 3, n // 2, n - 2}):
        yield f"remove-node{k}", _mutator(lambda m, k=k: m.graph.node.remove(m.graph.node[k]))

    def cycle(m):
        a, b = m.graph.node[n // 2], m.graph.node[n - 1]
        a.input[0] = b.output[0]

    yield "cycle", _mutator(cycle)

    def self_loop(m):
        node = m.graph.node[n // 2]
        node.input[0] = node.output[0]

    yield "self-loop", _mutator(self_loop)

    def dup_name(m):
        m.graph.node[2].name = m.graph.node[1].name or "x"
        m.graph.node[1].name = m.graph.node[2].name

    yield "duplicate-node-name", _mutator(dup_name)

    def dup_tensor(m):
        m.graph.node[n // 2].output[0] = m.graph.node[n // 2 - 1].output[0]

    yield "duplicate-tensor", _mutator(dup_tensor)

    def out_is_init(m):
        m.graph.node[n // 2].output[0] = m.graph.initializer[0].name

    yield "output-named-like-initializer", _mutator(out_is_init)

    def extra_input(m):
        node = next(x for x in m.graph.node if x.op_type in ("MatMul", "Gemm", "Conv"))
        node.input.extend([node.input[0], node.input[0]])

    yield "too-many-inputs", _mutator(extra_input)

    def drop_input(m):
        node = next(x for x in m.graph.node if x.op_type in ("Quant", "BipolarQuant"))
        del node.input[-1]

    yield "too-few-inputs", _mutator(drop_input)

    def empty_input(m):
        node = next(x for x in m.graph.node if x.op_type in ("MatMul", "Gemm", "Conv"))
        node.input[0] = ""

    yield "empty-required-input", _mutator(empty_input)

    def extra_output(m):
        m.graph.node[n // 2].output.append("spare")

    yield "too-many-outputs", _mutator(extra_output)

    def empty_output(m):
        m.graph.node[n - 1].output[0] = ""

    yield "empty-output-name", _mutator(empty_output)

    def dims_grow(m):
        init = max(m.graph.initializer, key=lambda i: len(i.raw_data) or len(i.float_data))
        init.dims[0] += 1

    yield "initializer-dims-larger", _mutator(dims_grow)

    def dims_shrink(m):
        init = max(m.graph.initializer, key=lambda i: len(i.raw_data) or len(i.float_data))
        init.dims[-1] -= 1

    yield "initializer-dims-smaller", _mutator(dims_shrink)

    def dims_negative(m):
        init = next(i for i in m.graph.initializer if len(i.dims))
        init.dims[0] = -init.dims[0]

    yield "initializer-dims-negative", _mutator(dims_negative)

    def dup_init(m):
        m.graph.initializer.append(m.graph.initializer[0])

    yield "duplicate-initializer", _mutator(dup_init)

    yield "external-data-missing", _mutator(lambda m: _to_external(m, "weights_missing.bin"))
    yield "external-data-absolute-path", _mutator(lambda m: _to_external(m, "/etc/passwd"))

    def dangling_output(m):
        m.graph.output[0].name = "nowhere"

    yield "graph-output-not-produced", _mutator(dangling_output)

    def no_outputs(m):
        del m.graph.output[:]

    yield "no-graph-outputs", _mutator(no_outputs)

    def second_input(m):
        m.graph.input.append(helper.make_tensor_value_info("second_in", TensorProto.FLOAT, [1, 4]))

    yield "second-graph-input", _mutator(second_input)

    def unknown_op(m):
        m.graph.node[n // 2].op_type = "Softsign"

    yield "unknown-op", _mutator(unknown_op)


def _to_external(m: onnx.ModelProto, location: str) -> bytes:
    """Mark the largest initializer as stored in external file `location`; returns its bytes."""
    init = max(m.graph.initializer, key=lambda i: len(i.raw_data))
    data = init.raw_data
    init.ClearField("raw_data")
    init.data_location = TensorProto.EXTERNAL
    init.external_data.append(onnx.StringStringEntryProto(key="location", value=location))
    return data


def external_data_short(m: onnx.ModelProto, folder: Path) -> onnx.ModelProto:
    """The largest initializer moved to an external file that is 10 bytes short."""
    (folder / "weights.bin").write_bytes(_to_external(m, "weights.bin")[:-10])
    return m


# ---------------------------------------------------------------- input shapes


def shape_mutations(m: onnx.ModelProto) -> Iterator[tuple[str, Mutation]]:
    dims0 = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]

    def set_dims(dims):
        def run(m):
            vi = m.graph.input[0]
            del vi.type.tensor_type.shape.dim[:]
            for d in dims:
                vi.type.tensor_type.shape.dim.add().dim_value = d

        return _mutator(run)

    yield "more-channels", set_dims([dims0[0], dims0[1] + 1, *dims0[2:]])
    yield "fewer-channels", set_dims([dims0[0], max(1, dims0[1] // 2), *dims0[2:]])
    yield "rank-plus-one", set_dims(dims0 + [1])
    yield "rank-minus-one", set_dims(dims0[:-1] if len(dims0) > 2 else [dims0[1]])
    if len(dims0) == 4:
        yield "nhwc", set_dims([dims0[0], dims0[2], dims0[3], dims0[1]])
    yield "zero-dim", set_dims([1, 0, *dims0[2:]])
    yield "negative-dim", set_dims([1, -dims0[1], *dims0[2:]])
    yield "enormous-dim", set_dims([1, dims0[1], *[1 << 20] * max(1, len(dims0) - 2)])
    yield "batch-two", set_dims([2, *dims0[1:]])

    def symbolic(m):
        d = m.graph.input[0].type.tensor_type.shape.dim[1]
        d.dim_param = "C"

    yield "symbolic-dim", _mutator(symbolic)

    def no_shape(m):
        m.graph.input[0].type.tensor_type.ClearField("shape")

    yield "no-shape", _mutator(no_shape)

    def string_input(m):
        m.graph.input[0].type.tensor_type.elem_type = TensorProto.STRING

    yield "string-input", _mutator(string_input)


# ---------------------------------------------------------------- op attributes


def attribute_mutations(m: onnx.ModelProto) -> Iterator[tuple[str, Mutation]]:
    def on(op: str, key: str, value, k: int = 0):
        return _mutator(lambda m: _set_attr(_nodes(m, op)[k], key, value))

    if _nodes(m, "Conv"):
        yield "conv-stride-0", on("Conv", "strides", [0, 0])
        yield "conv-stride-wrong-length", on("Conv", "strides", [1])
        yield "conv-pads-wrong-length", on("Conv", "pads", [1, 1])
        yield "conv-pads-negative", on("Conv", "pads", [-1, -1, -1, -1])
        yield "conv-dilation-0", on("Conv", "dilations", [0, 0])
        yield "conv-dilation-2", on("Conv", "dilations", [2, 2])
        yield "conv-group-0", on("Conv", "group", 0)
        yield "conv-group-not-dividing", on("Conv", "group", 2)
        yield "conv-group-too-large", on("Conv", "group", 1000)
        yield "conv-kernel-mismatch", on("Conv", "kernel_shape", [5, 5])
        yield "conv-kernel-zero", on("Conv", "kernel_shape", [0, 3])
        yield (
            "conv-kernel-larger-than-input",
            _mutator(lambda m: [_set_attr(_nodes(m, "Conv")[-1], "kernel_shape", [64, 64])]),
        )
        yield "conv-auto-pad-same", on("Conv", "auto_pad", "SAME_UPPER")
        yield "conv-auto-pad-unknown", on("Conv", "auto_pad", "SOMETIMES")
        yield "conv-strides-float", on("Conv", "strides", [1.0, 1.0])
        yield "conv-3d-kernel", on("Conv", "kernel_shape", [3, 3, 3])
    if _nodes(m, "MaxPool"):
        yield "maxpool-stride-0", on("MaxPool", "strides", [0, 2])
        yield (
            "maxpool-kernel-larger-than-input",
            _mutator(lambda m: [_set_attr(_nodes(m, "MaxPool")[-1], "kernel_shape", [99, 99])]),
        )
        yield "maxpool-pads-beyond-kernel", on("MaxPool", "pads", [3, 3, 3, 3])
        yield "maxpool-ceil-mode-2", on("MaxPool", "ceil_mode", 2)
        yield "maxpool-storage-order", on("MaxPool", "storage_order", 1)
    if _nodes(m, "Gemm"):
        yield "gemm-transA", on("Gemm", "transA", 1)
        yield "gemm-transB-2", on("Gemm", "transB", 2)
        yield "gemm-alpha-nan", on("Gemm", "alpha", float("nan"))
    if _nodes(m, "BatchNormalization"):
        yield "batchnorm-epsilon-negative", on("BatchNormalization", "epsilon", -1.0)
        yield "batchnorm-epsilon-inf", on("BatchNormalization", "epsilon", float("inf"))
    if _nodes(m, "Reshape"):

        def reshape_to(shape):
            return _mutator(
                lambda m: _set_init(m, _nodes(m, "Reshape")[0].input[1], np.asarray(shape))
            )

        yield "reshape-wrong-size", reshape_to([1, 7])
        yield "reshape-two-minus-ones", reshape_to([-1, -1])
        yield "reshape-negative", reshape_to([1, -5])
    out = m.graph.output[0].name
    yield (
        "transpose-perm-out-of-range",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("Transpose", [out], ["extra"], perm=[0, 5])
            )
        ),
    )
    yield (
        "transpose-perm-repeated",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("Transpose", [out], ["extra"], perm=[0, 0])
            )
        ),
    )
    yield (
        "transpose-perm-too-long",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("Transpose", [out], ["extra"], perm=[0, 1, 2, 3, 4, 5])
            )
        ),
    )
    yield (
        "flatten-axis-out-of-range",
        _mutator(
            lambda m: _append_after_output(m, helper.make_node("Flatten", [out], ["extra"], axis=9))
        ),
    )
    yield (
        "argmax-axis-out-of-range",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("ArgMax", [out], ["extra"], axis=7, keepdims=1)
            )
        ),
    )
    yield (
        "argmax-keepdims-3",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("ArgMax", [out], ["extra"], axis=1, keepdims=3)
            )
        ),
    )
    for label, k in (("k-too-large", 100000), ("k-zero", 0)):

        def topk(m, k=k):
            m.graph.initializer.append(
                numpy_helper.from_array(np.array([k], dtype=np.int64), "topk_k")
            )
            m.graph.node.append(
                helper.make_node("TopK", [out, "topk_k"], ["extra", "extra_idx"], axis=1)
            )
            m.graph.output[0].name = "extra"

        yield f"topk-{label}", _mutator(topk)
    yield (
        "concat-no-axis",
        _mutator(
            lambda m: _append_after_output(m, helper.make_node("Concat", [out, out], ["extra"]))
        ),
    )
    yield (
        "concat-axis-out-of-range",
        _mutator(
            lambda m: _append_after_output(
                m, helper.make_node("Concat", [out, out], ["extra"], axis=4)
            )
        ),
    )

    def constant_sparse(m):
        m.graph.node.insert(0, helper.make_node("Constant", [], ["c_unused"], value_string="x"))

    yield "constant-value-string", _mutator(constant_sparse)

    def constant_two_values(m):
        m.graph.node.insert(
            0, helper.make_node("Constant", [], ["c_unused"], value_float=1.0, value_int=1)
        )

    yield "constant-two-values", _mutator(constant_two_values)


# ---------------------------------------------------------------- quantizers and weights


def quantizer_mutations(m: onnx.ModelProto) -> Iterator[tuple[str, Mutation]]:
    for role, pick in (("act", _act_quant), ("weight", _weight_quant)):
        q0 = pick(m)
        if q0.op_type == "Quant":

            def attr(key, value, pick=pick):
                return _mutator(lambda m: _set_attr(pick(m), key, value))

            def param(k, value, pick=pick):
                return _mutator(lambda m: _replace_param(m, pick(m), k, value))

            yield f"{role}-rounding-unknown", attr("rounding_mode", "BANKERS")
            yield f"{role}-rounding-empty", attr("rounding_mode", "")
            yield f"{role}-signed-2", attr("signed", 2)
            yield f"{role}-narrow-7", attr("narrow", 7)
            for label, bits in (
                ("nan", np.nan),
                ("inf", np.inf),
                ("0", 0.0),
                ("negative", -2.0),
                ("2.5", 2.5),
                ("33", 33.0),
                ("vector", [2.0, 2.0]),
                ("empty", np.zeros(0)),
            ):
                yield f"{role}-bitwidth-{label}", param(3, bits)
            yield (
                f"{role}-narrow-1bit",
                _mutator(
                    lambda m, pick=pick: (
                        _replace_param(m, pick(m), 3, 1.0),
                        _set_attr(pick(m), "narrow", 1),
                    )
                ),
            )
            for label, z in (
                ("half", 0.5),
                ("nan", np.nan),
                ("wrong-shape", np.zeros(7)),
                ("rank-5", np.zeros((1, 2, 3, 4, 5))),
            ):
                yield f"{role}-zeropoint-{label}", param(2, z)
        for label, s in (
            ("zero", 0.0),
            ("negative", -0.5),
            ("nan", np.nan),
            ("inf", np.inf),
            ("empty", np.zeros(0)),
            ("wrong-shape", np.full(7, 0.5)),
            ("rank-5", np.full((1, 2, 3, 4, 5), 0.5)),
            ("tiny", 1e-44),
        ):
            yield (
                f"{role}-{q0.op_type.lower()}-scale-{label}",
                _mutator(lambda m, s=s, pick=pick: _replace_param(m, pick(m), 1, s)),
            )

    for label, value in (("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
        yield f"weight-{label}", _mutator(lambda m, v=value: _poke(m, _weight_quant(m).input[0], v))
    if _weight_quant(m).op_type == "Quant":  # a bipolar quantizer only takes the sign: valid
        yield "weight-huge", _mutator(lambda m: _poke(m, _weight_quant(m).input[0], 3e38))
    bias = _bias_name(m)
    if bias is not None:
        for label, value in (("nan", np.nan), ("inf", np.inf)):
            yield f"bias-{label}", _mutator(lambda m, v=value: _poke(m, _bias_name(m), v))
    if _nodes(m, "BatchNormalization"):
        yield (
            "batchnorm-variance-negative",
            _mutator(lambda m: _poke(m, _nodes(m, "BatchNormalization")[0].input[4], -5.0)),
        )
        yield (
            "batchnorm-mean-nan",
            _mutator(lambda m: _poke(m, _nodes(m, "BatchNormalization")[0].input[3], np.nan)),
        )
        yield (
            "batchnorm-scale-wrong-shape",
            _mutator(
                lambda m: _set_init(m, _nodes(m, "BatchNormalization")[0].input[1], np.ones(3))
            ),
        )


def _bias_name(m: onnx.ModelProto) -> str | None:
    inits = {i.name for i in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Gemm" and len(n.input) > 2 and n.input[2] in inits:
            return n.input[2]
        if n.op_type == "Add" and n.input[1] in inits:
            return n.input[1]
    bn = _nodes(m, "BatchNormalization")
    return bn[0].input[2] if bn else None


def _replace_param(m: onnx.ModelProto, q: onnx.NodeProto, k: int, value) -> None:
    """Give input k of quantizer q a fresh initializer holding value."""
    name = f"{q.name}_fuzz{k}"
    m.graph.initializer.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
    q.input[k] = name


def _poke(m: onnx.ModelProto, name: str, value: float) -> None:
    """Set one element of initializer `name` (the middle one) to value."""
    arr = numpy_helper.to_array(_init(m, name)).astype(np.float32).copy()
    arr.reshape(-1)[arr.size // 2] = value
    _set_init(m, name, arr)


# ---------------------------------------------------------------- valid rewrites


def _valid_mutations() -> Iterator[tuple[str, Mutation]]:
    """Rewrites that keep the model valid and its outputs unchanged."""

    def value_float(m):
        q = _act_quant(m)
        value = float(numpy_helper.to_array(_init(m, q.input[1])))
        m.graph.node.insert(0, helper.make_node("Constant", [], ["fuzz_scale"], value_float=value))
        q.input[1] = "fuzz_scale"

    yield "constant-value-float", _mutator(value_float)

    def reversed_order(m):
        nodes = list(m.graph.node)[::-1]
        del m.graph.node[:]
        m.graph.node.extend(nodes)

    yield "nodes-not-topologically-sorted", _mutator(reversed_order)

    def unnamed(m):
        for n in m.graph.node:
            n.name = ""

    yield "unnamed-nodes", _mutator(unnamed)

    def symbolic_batch(m):
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"

    yield "symbolic-batch", _mutator(symbolic_batch)


VALID_MUTATIONS: dict[str, Mutation] = dict(_valid_mutations())


# ---------------------------------------------------------------- bytes of the file


def byte_mutations(
    data: bytes, raw: list[tuple[int, int]], count: int, seed: int
) -> Iterator[tuple[str, bytes]]:
    """Truncations at fixed fractions, and single-byte flips outside the weight data blocks."""
    n = len(data)
    for frac in (0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
        cut = int(n * frac)
        yield f"truncate-{cut}", data[:cut]
    yield "truncate-last-byte", data[:-1]
    in_raw = np.zeros(n, dtype=bool)
    for start, length in raw:
        in_raw[start : start + length] = True
    candidates = np.flatnonzero(~in_raw)
    rng = np.random.default_rng(seed)
    for pos in sorted(rng.choice(candidates, size=min(count, len(candidates)), replace=False)):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        yield f"flip-{pos}", bytes(flipped)


def raw_ranges(m: onnx.ModelProto, data: bytes) -> list[tuple[int, int]]:
    """Where each initializer's raw bytes sit in the serialized file."""
    out = []
    for init in m.graph.initializer:
        if init.raw_data:
            start = data.find(init.raw_data)
            if start >= 0:
                out.append((start, len(init.raw_data)))
    return out


# ---------------------------------------------------------------- folding files


def folding_texts(valid: dict) -> Iterator[tuple[str, bytes]]:
    """Broken folding files, given a valid folding {layer: {pe, simd}}."""
    first = next(iter(valid))
    text = json.dumps(valid).encode()
    yield "not-utf8", b"\xff\xfe{\x00" + text
    yield "latin1-key", json.dumps({first + "\u00e9": valid[first]}).encode("latin-1")
    yield "deep-nesting", b"[" * 100_000 + b"]" * 100_000
    yield "empty", b""
    yield "bom", b"\xef\xbb\xbf" + text
    for label, doc in (
        ("list", []),
        ("null", None),
        ("number", 1),
        ("string", "x"),
        ("nan", float("nan")),
    ):
        yield f"top-{label}", json.dumps(doc).encode()
    entries = {
        "unknown-layer": {"no_such_layer": {"pe": 1, "simd": 1}},
        "entry-list": {first: [1, 1]},
        "pe-zero": {first: {"pe": 0, "simd": 1}},
        "pe-negative": {first: {"pe": -2, "simd": 1}},
        "pe-float": {first: {"pe": 1.5, "simd": 1}},
        "pe-string": {first: {"pe": "2", "simd": 1}},
        "pe-bool": {first: {"pe": True, "simd": 1}},
        "pe-huge": {first: {"pe": 10**30, "simd": 1}},
        "pe-not-dividing": {first: {"pe": 7, "simd": 1}},
        "simd-missing": {first: {"pe": 1}},
        "extra-key": {first: {"pe": 1, "simd": 1, "speed": 2}},
        "fifo-depth-short": {first: {"pe": 1, "simd": 1, "fifo_depth": []}},
        "fifo-depth-one": {first: {"pe": 1, "simd": 1, "fifo_depth": [1]}},
        "fifo-depth-huge": {first: {"pe": 1, "simd": 1, "fifo_depth": [10**12]}},
        "fifo-depth-string": {first: {"pe": 1, "simd": 1, "fifo_depth": ["8"]}},
    }
    for label, doc in entries.items():
        yield label, json.dumps(doc).encode()
    yield "pe-infinity", text.replace(b'"pe": 1', b'"pe": Infinity', 1)
    yield "pe-1e400", text.replace(b'"pe": 1', b'"pe": 1e400', 1)
    for frac in (0.2, 0.5, 0.9):
        yield f"truncated-{frac}", text[: int(len(text) * frac)]


# ---------------------------------------------------------------- simulate inputs


def input_files(shape: tuple[int, ...], folder: Path) -> Iterator[tuple[str, Path]]:
    """Broken --input files for a model taking (N, *shape)."""
    good = np.zeros((2, *shape), dtype=np.float32)

    def npy(label: str, arr) -> tuple[str, Path]:
        path = folder / f"{label}.npy"
        np.save(path, arr, allow_pickle=True)
        return label, path

    def raw(label: str, data: bytes, suffix: str = ".npy") -> tuple[str, Path]:
        path = folder / f"{label}{suffix}"
        path.write_bytes(data)
        return label, path

    yield raw("empty", b"")
    yield raw("garbage", b"\x93NUMPY garbage" * 7)
    np.save(folder / "ok.npy", good)
    whole = (folder / "ok.npy").read_bytes()
    yield raw("truncated", whole[: len(whole) // 2])
    yield raw("header-only", whole[:128])
    npz = folder / "arrays.npz"
    np.savez(npz, x=good)
    yield "npz", npz
    yield npy("zero-d", np.float32(1.0))
    yield npy("one-frame-no-batch", np.zeros(shape, dtype=np.float32))
    yield npy("wrong-shape", np.zeros((2, *shape[:-1], shape[-1] + 1), dtype=np.float32))
    yield npy("extra-axis", np.zeros((2, *shape, 1), dtype=np.float32))
    yield npy("no-frames", np.zeros((0, *shape), dtype=np.float32))
    yield npy("int64", np.zeros((2, *shape), dtype=np.int64))
    yield npy("bool", np.zeros((2, *shape), dtype=bool))
    yield npy("complex", np.zeros((2, *shape), dtype=np.complex64))
    yield npy("strings", np.full((2, *shape), "a"))
    yield npy("object", np.array([object(), object()], dtype=object))
    yield npy("structured", np.zeros(2, dtype=[("a", np.float32), ("b", np.int8)]))
    all_nan = np.full((2, *shape), np.nan, dtype=np.float32)
    yield npy("all-nan", all_nan)
    one_inf = good.copy()
    one_inf.reshape(-1)[3] = np.inf
    yield npy("one-inf", one_inf)
    yield npy("beyond-float32", np.full((2, *shape), 1e300, dtype=np.float64))
    (folder / "a_folder.npy").mkdir()
    yield "folder", folder / "a_folder.npy"
    yield "missing", folder / "missing.npy"


# ---------------------------------------------------------------- build folders


def build_breakages() -> Iterator[tuple[str, Callable[[Path], None]]]:
    """Ways to break a copied build folder OUT (functions editing it in place)."""

    def remove(name):
        def run(out: Path):
            p = out / name
            shutil.rmtree(p) if p.is_dir() else p.unlink()

        return run

    def write(name, data: bytes):
        return lambda out: (out / name).write_bytes(data)

    def edit(name, fn):
        def run(out: Path):
            d = json.loads((out / name).read_text())
            fn(d)
            (out / name).write_text(json.dumps(d))

        return run

    def set_key(name, keys, value):
        def fn(d):
            for k in keys[:-1]:
                d = d[k]
            d[keys[-1]] = value

        return edit(name, fn)

    def del_key(name, key):
        return edit(name, lambda d: d.pop(key))

    yield "no-design-json", remove("design.json")
    yield "no-streamlined-onnx", remove("streamlined.onnx")
    yield "no-rtl", remove("rtl")
    yield "no-top-sv", remove("rtl/qnngen_top.sv")
    yield (
        "design-json-truncated",
        lambda out: (out / "design.json").write_text((out / "design.json").read_text()[:40]),
    )
    yield "design-json-list", write("design.json", b"[]")
    yield "design-json-empty-object", write("design.json", b"{}")
    yield "design-json-not-utf8", write("design.json", b"\xff\xfe\x00{")
    yield "design-json-deep", write("design.json", b"[" * 100_000 + b"]" * 100_000)
    for key in (
        "top",
        "input_shape",
        "stream_in",
        "stream_out",
        "estimate_interval_cycles",
        "example",
    ):
        yield f"design-json-no-{key}", del_key("design.json", key)
    for label, keys, value in (
        ("top-number", ["top"], 5),
        ("top-path", ["top"], "../x"),
        ("input-shape-empty", ["input_shape"], []),
        ("input-shape-negative", ["input_shape"], [1, -3]),
        ("input-shape-string", ["input_shape"], "1,64"),
        ("input-shape-mismatch", ["input_shape"], [1, 65]),
        ("stream-in-null", ["stream_in"], None),
        ("width-zero", ["stream_in", "width"], 0),
        ("beats-float", ["stream_out", "beats"], 1.5),
        ("dtype-unknown", ["stream_out", "dtype"], "FOO7"),
        ("dtype-int0", ["stream_in", "dtype"], "INT0"),
        ("estimate-negative", ["estimate_latency_cycles"], -1),
        ("example-unknown", ["example"], "no_such_example"),
    ):
        yield f"design-json-{label}", set_key("design.json", keys, value)
    yield (
        "streamlined-truncated",
        lambda out: (out / "streamlined.onnx").write_bytes(
            (out / "streamlined.onnx").read_bytes()[:100]
        ),
    )
    yield "streamlined-garbage", write("streamlined.onnx", b"\x00garbage" * 50)


def report_breakages() -> Iterator[tuple[str, Callable[[Path], None]]]:
    """Ways to break report.json (what `qnngen synth` reads) in a copied build folder."""

    def write(data: bytes):
        return lambda out: (out / "report.json").write_bytes(data)

    def edit(fn):
        def run(out: Path):
            d = json.loads((out / "report.json").read_text())
            fn(d)
            (out / "report.json").write_text(json.dumps(d))

        return run

    yield "no-report", lambda out: (out / "report.json").unlink()
    yield (
        "report-truncated",
        lambda out: (out / "report.json").write_text((out / "report.json").read_text()[:50]),
    )
    yield "report-list", write(b"[1, 2]")
    yield "report-not-utf8", write(b"\xff\xff")
    yield "report-no-board", edit(lambda d: d.pop("board"))
    yield "report-unknown-board", edit(lambda d: d.update(board="no-such-board"))
    yield "report-board-number", edit(lambda d: d.update(board=7))
    yield "report-no-layers", edit(lambda d: d.pop("layers"))
    yield "report-layer-without-resources", edit(lambda d: d["layers"][0].pop("resources"))
    yield "report-resources-missing-lut", edit(lambda d: d["estimate"]["resources"].pop("lut"))
    yield "report-resources-string", edit(lambda d: d["estimate"]["resources"].update(ff="many"))
    yield "synth-no-design-json", lambda out: (out / "design.json").unlink()
    yield "synth-design-json-broken", lambda out: (out / "design.json").write_text("{")
    yield "synth-no-rtl", lambda out: shutil.rmtree(out / "rtl")
