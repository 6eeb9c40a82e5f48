"""Hardware graphs of the bundled examples and, when present, of the shared model zoo."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

import qnngen
from qnngen.frontend import load_model
from qnngen.lower import HwGraph, to_hw
from qnngen.streamline import streamline

EXAMPLES = Path(qnngen.__file__).resolve().parent / "examples"
SHARED_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "models"


@cache
def _hw(path: Path) -> HwGraph:
    return to_hw(streamline(load_model(str(path))))


def _load(name: str) -> HwGraph:
    """A bundled example, else a shared model; skips the test when neither is present."""
    for folder in (EXAMPLES, SHARED_MODELS):
        path = folder / f"{name}.onnx"
        if path.is_file():
            return _hw(path.resolve())
    pytest.skip(f"model {name} is neither bundled nor in {SHARED_MODELS}")


@pytest.fixture(scope="session")
def load_hw() -> Callable[[str], HwGraph]:
    """Load a model's HwGraph by name (cached)."""
    return _load


@pytest.fixture(scope="session")
def tfc_w1a1() -> HwGraph:
    return _load("tfc_w1a1")


@pytest.fixture(scope="session")
def tfc_w2a2() -> HwGraph:
    return _load("tfc_w2a2")
