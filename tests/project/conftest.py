"""Real build folders for the project tests: tfc_w1a1 compiled once per session per board."""

from __future__ import annotations

from pathlib import Path

import pytest

from qnngen.fold import load_board
from qnngen.pipeline import Options, plan, write_build


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory):
    """compiled(board) -> OUT of `qnngen compile tfc_w1a1 --board board` (cached per board)."""
    cache: dict[str, Path] = {}

    def get(board: str) -> Path:
        if board not in cache:
            out = tmp_path_factory.mktemp("proj") / f"tfc_{board}"
            clock = load_board(board).default_clock_mhz
            write_build(plan("tfc_w1a1", Options(board=board, clock_mhz=clock)), out)
            cache[board] = out
        return cache[board]

    return get
