"""Test helpers: the models in ../shared/models (optional) and the bundled examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MODELS = REPO.parent / "shared" / "models"
EXAMPLES = REPO / "qnngen" / "examples"
SHARED_MLPS = ("tfc_w1a1", "tfc_w2a2", "mlp_w4a4_digits")
EXAMPLE_MLPS = ("tfc_w1a1", "mlp_w2a2")


def model_files(name: str, folder: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    """(onnx path, inputs, source-model outputs) of a model, skipping the test if absent."""
    path = folder / f"{name}.onnx"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path, np.load(folder / f"{name}.in.npy"), np.load(folder / f"{name}.out.npy")


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
