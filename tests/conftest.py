# SPDX-License-Identifier: Apache-2.0
"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sim_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Verilator build folder of this test run, shared by the pytest-xdist workers.

    Sharing lets every design and the Verilator runtime compile once per run: build_model
    locks each design's folder, so workers needing the same design wait for one build.
    """
    base = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        base = base.parent  # the workers' folders sit side by side in the run's folder
    return base / "sim_builds"
