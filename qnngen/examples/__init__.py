"""Bundled example models (built by scripts/build_examples.py) with sample inputs and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

EXAMPLES_DIR = Path(__file__).resolve().parent


def list_examples() -> dict[str, dict]:
    """Name -> description record of every bundled example."""
    return json.loads((EXAMPLES_DIR / "examples.json").read_text())


def example_path(name: str) -> Path | None:
    """The .onnx file of example `name`, or None when there is no such example."""
    path = EXAMPLES_DIR / f"{name}.onnx"
    return path if name in list_examples() and path.is_file() else None


def sample_inputs(name: str) -> np.ndarray:
    """The example's sample inputs, float32 (N, *input shape without batch)."""
    return np.load(EXAMPLES_DIR / f"{name}.in.npy")


def sample_outputs(name: str) -> np.ndarray:
    """What the source model (run by qonnx) outputs for the sample inputs."""
    return np.load(EXAMPLES_DIR / f"{name}.out.npy")
