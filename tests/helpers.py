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
