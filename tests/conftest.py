# SPDX-License-Identifier: Apache-2.0
"""Fixtures shared by the whole test suite, and its skip policy: under CI (the CI environment
variable set) a skipped test fails the run; elsewhere the summary lists loudly what was not run."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest


def under_ci() -> bool:
    """Whether the run is a CI run: the CI environment variable set (and not "0" or "false")."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI, a skipped test (a missing tool or input) is a failed one."""
    outcome = yield
    report = outcome.get_result()
    if under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {_reason(report)}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Name, by reason, the tests that did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    title = f"{len(skipped)} TEST{'S' * (len(skipped) != 1)} NOT RUN (skipped)"
    terminalreporter.write_sep("!", title, red=True, bold=True)
    for reason, n in sorted(Counter(_reason(r) for r in skipped).items()):
        terminalreporter.write_line(f"{n:5d} not run: {reason}", red=True)
    terminalreporter.write_line("under CI (CI=true) each of these fails the run", red=True)


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
