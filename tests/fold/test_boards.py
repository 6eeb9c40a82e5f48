"""Board files: data-sheet figures, lookup errors and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from qnngen.errors import BoardError
from qnngen.fold import Board, list_boards, load_board
from qnngen.fold import boards as boards_mod
from qnngen.layers.base import Resources

# name: (part, family, flavour, LUT, FF, BRAM18, URAM, DSP, MHz, data sheet)
DATASHEET = {
    "pynq-z2": ("xc7z020clg400-1", "xc7", "zynq7", 53200, 106400, 280, 0, 220, 100, "DS190"),
    "zcu104": (
        "xczu7ev-ffvc1156-2-e",
        "xcup",
        "zynqmp",
        230400,
        460800,
        624,
        96,
        1728,
        200,
        "DS891",
    ),
}


@pytest.mark.parametrize("name", sorted(DATASHEET))
def test_board_matches_datasheet(name: str) -> None:
    part, family, flavour, lut, ff, bram18, uram, dsp, mhz, sheet = DATASHEET[name]
    b = load_board(name)
    assert (b.name, b.part, b.family, b.flavour) == (name, part, family, flavour)
    assert b.capacity() == Resources(lut, ff, bram18, uram, dsp)
    assert b.default_clock_mhz == mhz
    assert sheet in b.source


def test_list_boards_sorted() -> None:
    assert [b.name for b in list_boards()] == sorted(DATASHEET)


def test_unknown_board() -> None:
    with pytest.raises(BoardError) as err:
        load_board("x")
    assert str(err.value) == "unknown board 'x'; available: pynq-z2, zcu104 (see qnngen boards)"


def test_path_like_name_is_unknown() -> None:
    with pytest.raises(BoardError, match="unknown board"):
        load_board("../boards/pynq-z2")


def test_fits_and_first_overflow() -> None:
    b = load_board("pynq-z2")
    assert b.fits(b.capacity())
    assert b.first_overflow(Resources(lut=1, uram=1, dsp=221)) == "uram"
    assert not b.fits(Resources(ff=106401))


@pytest.mark.parametrize(
    "text, problem",
    [
        ("name: bad\n: :\n  - [", "invalid YAML"),
        ("- 1\n", "expected a mapping"),
        ("name: bad\n", "missing fields"),
    ],
)
def test_malformed_board_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, problem: str
) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    monkeypatch.setattr(boards_mod, "_boards_dir", lambda: tmp_path)
    with pytest.raises(BoardError) as err:
        load_board("bad")
    msg = str(err.value)
    assert problem in msg and "bad.yaml" in msg and "\n" not in msg


def test_board_field_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = load_board("pynq-z2")
    fields = {**good.__dict__, "name": "odd", "dsp": -1}
    (tmp_path / "odd.yaml").write_text("\n".join(f"{k}: {v!r}" for k, v in fields.items()))
    monkeypatch.setattr(boards_mod, "_boards_dir", lambda: tmp_path)
    with pytest.raises(BoardError, match="dsp must be a non-negative integer"):
        load_board("odd")


def test_board_is_frozen() -> None:
    b = load_board("zcu104")
    assert isinstance(b, Board)
    with pytest.raises(AttributeError):
        b.lut = 0  # type: ignore[misc]
