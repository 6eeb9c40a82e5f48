"""Board files carry what the vendor projects need, checked per flavour; errors name the file
and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qnngen.errors import BoardError
from qnngen.fold import boards as boards_mod
from qnngen.fold import list_boards, load_board


def test_every_board_has_its_project_fields() -> None:
    for b in list_boards():
        assert b.tool_version.startswith("20")
        if b.flavour in ("zynq7", "zynqmp"):
            assert b.board_part and b.board_part.count(":") == 3 and b.platform is None
        else:
            assert b.platform and b.kernel_bank in b.memory_banks and b.board_part is None


@pytest.mark.parametrize("board, changes, problem", [
    ("pynq-z2", {"board_part": None}, "flavour 'zynq7' needs the field board_part"),
    ("pynq-z2", {"platform": "xilinx_u250_gen3x16_xdma_4_1_202210_1"},
     "platform is not a field of flavour 'zynq7' boards"),
    ("zcu104", {"board_part": "zcu104"}, "board_part must be vendor:board:component:version"),
    ("zcu104", {"tool_version": 2024.1}, "tool_version must be a release like '2024.1'"),
    ("alveo-u250", {"kernel_bank": "DDR[7]"}, "kernel_bank 'DDR[7]' is not one of memory_banks"),
    ("alveo-u250", {"memory_banks": ["DDR0"]}, "memory_banks must be distinct DDR[n] / HBM[n]"),
    ("aws-f1", {"memory_banks": []}, "memory_banks must be a non-empty list"),
    ("aws-f1", {"board_part": "a:b:c:1.0"}, "board_part is not a field of flavour 'aws-f1' boards"),
    ("aws-f1", {"platform": None}, "flavour 'aws-f1' needs the field platform"),
])  # fmt: skip
def test_project_field_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, board: str, changes: dict, problem: str
) -> None:
    data = yaml.safe_load((boards_mod._boards_dir() / f"{board}.yaml").read_text())
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    (tmp_path / f"{board}.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setattr(boards_mod, "_boards_dir", lambda: tmp_path)
    with pytest.raises(BoardError) as err:
        load_board(board)
    assert f"{board}.yaml" in str(err.value) and problem in str(err.value)
