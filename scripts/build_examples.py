#!/usr/bin/env python3
"""Train and export the example QNNs bundled in qnngen/examples/ (reproducibly).

Needs the optional extra:  pip install -e ".[examples]"
(torch, brevitas, scikit-learn; brevitas' ONNX export also needs onnxoptimizer)

Each model (MLPs tfc_w1a1, mlp_w2a2; FINN-CNV-style conv nets cnv_w1a1, cnv_w2a2; the residual
net resnet_w4a4; definitions in example_models.py) is trained
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
    from example_models import (
        build_cnv_w1a1,
        build_cnv_w2a2,
        build_mlp_w2a2,
        build_resnet_w4a4,
        build_tfc_w1a1,
        cnv_features,
        mlp_features,
        tfc_features,
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
    Spec("resnet_w4a4",
         "Small residual net on 8x8 digits upsampled x4 to 3x32x32, 4-bit weights and acts, two"
         " basic blocks whose Add sums two quantizer outputs of the same scale",
         "in 3x32x32 | x*2-1 | QuantIdentity 8b signed | QuantConv3x3 16 (w4 narrow, no bias, s1"
         " p1) | BN2d | QuantReLU 4b | MaxPool2 | 2x residual block 16ch [y = BN2d(QuantConv3x3"
         " (w4, p1)(QuantReLU 4b(BN2d(QuantConv3x3 (w4, p1)(x))))); QuantReLU 4b(Q(y) + Q(x)),"
         " Q = one shared QuantIdentity 4b signed] | MaxPool2 | QuantConv1x1 16->32 (w4) | BN2d |"
         " QuantReLU 4b | GlobalAveragePool | QuantIdentity 4b unsigned | flatten(Reshape) 32 |"
         " QuantLinear 32->10 (w4, float bias)",
         cnv_features, build_resnet_w4a4, epochs=15, lr=0.01, logit_scale=1.0,
         n_samples=32),
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
