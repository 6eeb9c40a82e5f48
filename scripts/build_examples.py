#!/usr/bin/env python3
"""Train and export the example QNNs bundled in qnngen/examples/ (reproducibly).

Needs the optional extra:  pip install -e ".[examples]"
(torch, brevitas, scikit-learn; brevitas' ONNX export also needs onnxoptimizer)

Each model (MLPs tfc_w1a1, mlp_w2a2; FINN-CNV-style conv nets cnv_w1a1, cnv_w2a2) is trained
with Brevitas QAT on sklearn's load_digits (test split 20 %, random_state=0, stratified),
exported with brevitas.export.export_qonnx, cleaned up with qonnx's cleanup_model +
InferShapes, and its reference outputs are computed by qonnx's execute_onnx on the saved graph
one frame at a time. Usage:

    python scripts/build_examples.py [--out DIR] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore", message="fast_hadamard_transform")
try:
    import onnxoptimizer  # noqa: F401  (required by brevitas' ONNX export)
    import torch
    from brevitas.export import export_qonnx
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
    from brevitas.quant.binary import (
        SignedBinaryActPerTensorConst,
        SignedBinaryWeightPerTensorConst,
    )
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from torch import nn
except ImportError as exc:
    print(f"build_examples: missing package '{exc.name}'; needs the examples extra (torch, brevitas,"
          " scikit-learn, onnxoptimizer): pip install -e \".[examples]\"", file=sys.stderr)
    sys.exit(2)

from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.util.cleanup import cleanup_model

REPO = Path(__file__).resolve().parent.parent
N_SAMPLES = 64
SEED = 0


@dataclass(frozen=True)
class Spec:
    """Everything needed to build, train and describe one example model."""

    name: str
    description: str
    layers: str
    features: Callable[[np.ndarray], np.ndarray]
    build: Callable[[], nn.Module]
    epochs: int
    lr: float
    logit_scale: float
    n_samples: int = N_SAMPLES


class InputScale(nn.Module):
    """Map pixels in [0, 1] to [-1, 1] inside the graph (exports as Mul + Sub)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x * 2 - 1."""
        return x * 2.0 - 1.0


class Flatten(nn.Module):
    """Flatten NCHW to (N, C*H*W) with a view (exports as Reshape)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x viewed as (batch, -1)."""
        return x.view(x.shape[0], -1)


def tfc_features(images: np.ndarray) -> np.ndarray:
    """Upsample 8x8 digits x3 (nearest), zero-pad to 28x28 and flatten to 784."""
    up = np.stack([np.kron(img, np.ones((3, 3), dtype=img.dtype)) for img in images])
    return np.pad(up, ((0, 0), (2, 2), (2, 2))).reshape(len(images), 784)


def mlp_features(images: np.ndarray) -> np.ndarray:
    """Flatten raw 8x8 digits to 64 features."""
    return images.reshape(len(images), 64)


def cnv_features(images: np.ndarray) -> np.ndarray:
    """Upsample 8x8 digits x4 (nearest) to 32x32 and replicate to 3 channels (NCHW)."""
    up = np.stack([np.kron(img, np.ones((4, 4), dtype=img.dtype)) for img in images])
    return np.repeat(up[:, None], 3, axis=1)


def bipolar_act() -> QuantIdentity:
    """Return a sign activation (+-1, constant scale 1) that exports as BipolarQuant."""
    return QuantIdentity(act_quant=SignedBinaryActPerTensorConst)


def binary_linear(n_in: int, n_out: int) -> QuantLinear:
    """Return a bias-free QuantLinear with bipolar weights of constant scale 1."""
    return QuantLinear(n_in, n_out, bias=False, weight_quant=SignedBinaryWeightPerTensorConst,
                       weight_scaling_const=1.0)


def build_tfc_w1a1() -> nn.Module:
    """Build the FINN TFC-w1a1 style 784-64-64-64-10 binary MLP."""
    layers: list[nn.Module] = [InputScale(), bipolar_act()]
    for n_in, n_out in [(784, 64), (64, 64), (64, 64)]:
        layers += [binary_linear(n_in, n_out), nn.BatchNorm1d(n_out), bipolar_act()]
    layers.append(binary_linear(64, 10))
    return nn.Sequential(*layers)


def build_mlp_w2a2() -> nn.Module:
    """Build the 64-128-64-10 MLP with 2-bit weights, 2-bit ReLU acts and a float output bias."""
    layers: list[nn.Module] = [InputScale(), QuantIdentity(bit_width=8)]
    for n_in, n_out in [(64, 128), (128, 64)]:
        layers += [QuantLinear(n_in, n_out, bias=False, weight_bit_width=2),
                   nn.BatchNorm1d(n_out), QuantReLU(bit_width=2)]
    layers.append(QuantLinear(64, 10, bias=True, weight_bit_width=2))
    return nn.Sequential(*layers)


def binary_conv(n_in: int, n_out: int) -> QuantConv2d:
    """Return a bias-free 3x3 (stride 1, no padding) QuantConv2d with bipolar weights (scale 1)."""
    return QuantConv2d(n_in, n_out, 3, stride=1, padding=0, bias=False,
                       weight_quant=SignedBinaryWeightPerTensorConst, weight_scaling_const=1.0)


def w2_conv(n_in: int, n_out: int) -> QuantConv2d:
    """Return a bias-free 3x3 (stride 1, no padding) QuantConv2d with 2-bit narrow weights."""
    return QuantConv2d(n_in, n_out, 3, stride=1, padding=0, bias=False, weight_bit_width=2)


def w2_linear(n_in: int, n_out: int) -> QuantLinear:
    """Return a bias-free QuantLinear with 2-bit narrow weights (per-tensor float scale)."""
    return QuantLinear(n_in, n_out, bias=False, weight_bit_width=2)


def a2_signed_act() -> QuantIdentity:
    """Return a 2-bit signed activation (learned per-tensor scale), as in FINN's CNV-w2a2."""
    return QuantIdentity(bit_width=2)


# FINN CNV topology: 3x3 convs (no padding), "M" = MaxPool2d(2); 32->30->28->14->12->10->5->3->1.
CNV_CONVS: list[tuple[int, int] | str] = [(3, 16), (16, 16), "M", (16, 32), (32, 32), "M",
                                          (32, 64), (64, 64)]
CNV_LINEARS = [(64, 128), (128, 128)]


def build_cnv(conv: Callable[[int, int], nn.Module], linear: Callable[[int, int], nn.Module],
              act: Callable[[], nn.Module]) -> nn.Module:
    """Build the CNV net: 8-bit input quant, conv/BN/act (MaxPool after act), FC/BN/act, FC."""
    layers: list[nn.Module] = [InputScale(), QuantIdentity(bit_width=8)]
    for item in CNV_CONVS:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [conv(*item), nn.BatchNorm2d(item[1]), act()]
    layers.append(Flatten())
    for n_in, n_out in CNV_LINEARS:
        layers += [linear(n_in, n_out), nn.BatchNorm1d(n_out), act()]
    layers.append(linear(128, 10))
    return nn.Sequential(*layers)


def build_cnv_w1a1() -> nn.Module:
    """Build the FINN CNV-w1a1 style net (bipolar weights and activations)."""
    return build_cnv(binary_conv, binary_linear, bipolar_act)


def build_cnv_w2a2() -> nn.Module:
    """Build the CNV net with 2-bit narrow weights and 2-bit signed activations."""
    return build_cnv(w2_conv, w2_linear, a2_signed_act)


SPECS = {s.name: s for s in [
    Spec("tfc_w1a1",
         "FINN TFC-w1a1 style binary MLP on 8x8 digits upsampled x3 and padded to 28x28",
         "in 784 | x*2-1 | BipolarQuant | 3x [QuantLinear (w1, no bias) | BN1d | BipolarQuant]"
         " 784->64->64->64 | QuantLinear 64->10 (w1)",
         tfc_features, build_tfc_w1a1, epochs=30, lr=0.01, logit_scale=0.125),
    Spec("mlp_w2a2",
         "MLP on raw 8x8 digits, 2-bit weights, 2-bit ReLU activations, float output bias",
         "in 64 | x*2-1 | QuantIdentity 8b signed | 2x [QuantLinear (w2 narrow, no bias) | BN1d"
         " | QuantReLU 2b] 64->128->64 | QuantLinear 64->10 (w2, float bias)",
         mlp_features, build_mlp_w2a2, epochs=30, lr=0.01, logit_scale=1.0),
    Spec("cnv_w1a1",
         "FINN CNV-w1a1 style binary conv net on 8x8 digits upsampled x4 to 3x32x32",
         "in 3x32x32 | x*2-1 | QuantIdentity 8b signed | 6x [QuantConv3x3 (w1, no bias, s1 p0)"
         " | BN2d | BipolarQuant] 16,16,M,32,32,M,64,64 (M = MaxPool2 after the act) |"
         " flatten(Reshape) 64 | 2x [QuantLinear (w1, no bias) | BN1d | BipolarQuant]"
         " 64->128->128 | QuantLinear 128->10 (w1)",
         cnv_features, build_cnv_w1a1, epochs=20, lr=0.01, logit_scale=0.125, n_samples=32),
    Spec("cnv_w2a2",
         "CNV conv net on 8x8 digits upsampled x4 to 3x32x32, 2-bit weights, 2-bit signed acts",
         "in 3x32x32 | x*2-1 | QuantIdentity 8b signed | 6x [QuantConv3x3 (w2 narrow, no bias,"
         " s1 p0) | BN2d | QuantIdentity 2b signed] 16,16,M,32,32,M,64,64 (M = MaxPool2 after the"
         " act) | flatten(Reshape) 64 | 2x [QuantLinear (w2 narrow, no bias) | BN1d |"
         " QuantIdentity 2b signed] 64->128->128 | QuantLinear 128->10 (w2)",
         cnv_features, build_cnv_w2a2, epochs=20, lr=0.01, logit_scale=1.0, n_samples=32),
]}


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (x_train, x_test, y_train, y_test): digits as float32 8x8 images in [0, 1]."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    return train_test_split(images, labels, test_size=0.2, random_state=0, stratify=labels)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Return the torch test accuracy of model in eval mode."""
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def train(spec: Spec, x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray,
          y_te: np.ndarray) -> nn.Module:
    """Build and train spec's model with Adam + cosine LR, printing per-epoch accuracy."""
    torch.manual_seed(SEED)
    model = spec.build()
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    xv, yv = torch.from_numpy(x_te), torch.from_numpy(y_te)
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec.epochs)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(1, spec.epochs + 1):
        model.train()
        total = 0.0
        for idx in torch.randperm(len(xt), generator=gen).split(64):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]) * spec.logit_scale, yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        print(f"  [{spec.name}] epoch {epoch:2d}/{spec.epochs}  loss {total / len(xt):.4f}"
              f"  test acc {accuracy(model, xv, yv):.4f}", flush=True)
    return model.eval()


def export(model: nn.Module, input_shape: tuple[int, ...], path: Path) -> ModelWrapper:
    """Export model to QONNX at path (batch 1), clean it up, infer shapes and save it."""
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = Path(tmp) / "raw.onnx"
        export_qonnx(model, input_t=torch.zeros(1, *input_shape), export_path=str(raw),
                     dynamo=False)
        wrapped = cleanup_model(ModelWrapper(str(raw))).transform(InferShapes())
    wrapped.save(str(path))
    return ModelWrapper(str(path))


def run_qonnx(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """Execute model with qonnx one frame at a time and return float32 outputs."""
    iname, oname = model.graph.input[0].name, model.graph.output[0].name
    rows = [execute_onnx(model, {iname: x[i:i + 1]})[oname] for i in range(len(x))]
    return np.concatenate(rows).astype(np.float32)


def op_counts(model: ModelWrapper) -> dict[str, int]:
    """Return op_type -> count for the graph's nodes."""
    counts: dict[str, int] = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return dict(sorted(counts.items()))


def build(spec: Spec, out: Path, split: tuple[np.ndarray, ...]) -> dict:
    """Train, export and write NAME.{onnx,in.npy,out.npy,labels.npy}; return its json entry."""
    x_tr, x_te, y_tr, y_te = split
    f_tr, f_te = spec.features(x_tr), spec.features(x_te)
    model = train(spec, f_tr, y_tr, f_te, y_te)
    onnx_model = export(model, f_te.shape[1:], out / f"{spec.name}.onnx")
    x, labels = f_te[:spec.n_samples], y_te[:spec.n_samples]
    y = run_qonnx(onnx_model, x)
    with torch.no_grad():
        torch_y = model(torch.from_numpy(x)).numpy()
    acc = float((y.argmax(1) == labels).mean())
    print(f"  [{spec.name}] qonnx acc on {spec.n_samples} samples {acc:.4f}; torch vs qonnx max abs"
          f" diff {np.abs(torch_y - y).max():.3g}; ops {op_counts(onnx_model)}", flush=True)
    np.save(out / f"{spec.name}.in.npy", x)
    np.save(out / f"{spec.name}.out.npy", y)
    np.save(out / f"{spec.name}.labels.npy", labels)
    return {"description": spec.description, "input_shape": [1, *f_te.shape[1:]],
            "test_accuracy": round(acc, 4), "layers": spec.layers}


def write_index(path: Path, entries: dict[str, dict], merge: bool) -> None:
    """Write entries to examples.json at path (sorted keys, indent 1), merged if asked."""
    index = json.loads(path.read_text()) if merge and path.exists() else {}
    index.update(entries)
    path.write_text(json.dumps(index, sort_keys=True, indent=1) + "\n")


def main() -> int:
    """Parse arguments, build the requested examples and write examples.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "qnngen" / "examples",
                        help="output directory (default: qnngen/examples)")
    parser.add_argument("--only", choices=sorted(SPECS), help="build only this example")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    split = load_split()
    start = time.time()
    entries = {}
    for name in [args.only] if args.only else list(SPECS):
        print(f"building {name}", flush=True)
        t0 = time.time()
        entries[name] = build(SPECS[name], args.out, split)
        print(f"  [{name}] built in {time.time() - t0:.1f} s", flush=True)
    write_index(args.out / "examples.json", entries, merge=args.only is not None)
    print(f"done in {time.time() - start:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
