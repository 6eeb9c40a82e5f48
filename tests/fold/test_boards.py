"""Board files: data-sheet figures, shells, lookup errors and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qnngen.errors import BoardError
from qnngen.fold import Board, list_boards, load_board
from qnngen.fold import boards as boards_mod
from qnngen.layers.base import Resources

# The whole device, as the vendor data sheet counts it (BRAM18 = 2 x BRAM36).
# name: (part, family, flavour, SLRs, LUT, FF, BRAM18, URAM, DSP, MHz, data sheet)
DATASHEET = {
    # DS190 Zynq-7000 overview, column Z-7020
    "pynq-z1": ("xc7z020clg400-1", "xc7", "zynq7", 1, 53200, 106400, 280, 0, 220, 100, "DS190"),
    "pynq-z2": ("xc7z020clg400-1", "xc7", "zynq7", 1, 53200, 106400, 280, 0, 220, 100, "DS190"),
    # DS891 Zynq UltraScale+ MPSoC overview, EG table, column ZU3EG
    "ultra96-v2": (
        "xczu3eg-sbva484-1-i",
        "xcup",
        "zynqmp",
        1,
        70560,
        141120,
        432,
        0,
        360,
        200,
        "DS891",
    ),
    # DS987 Kria K26 SOM (ZU5EV fabric)
    "kv260": (
        "xck26-sfvc784-2LV-c",
        "xcup",
        "zynqmp",
        1,
        117120,
        234240,
        288,
        64,
        1248,
        200,
        "DS987",
    ),
    # DS891, EG table, column ZU9EG
    "zcu102": (
        "xczu9eg-ffvb1156-2-e",
        "xcup",
        "zynqmp",
        1,
        274080,
        548160,
        1824,
        0,
        2520,
        200,
        "DS891",
    ),
    # DS891, EV table, column ZU7EV
    "zcu104": (
        "xczu7ev-ffvc1156-2-e",
        "xcup",
        "zynqmp",
        1,
        230400,
        460800,
        624,
        96,
        1728,
        200,
        "DS891",
    ),
    # DS890 UltraScale architecture overview, Virtex UltraScale+ table, column VU9P
    "aws-f1": (
        "xcvu9p-flgb2104-2-i",
        "xcup",
        "aws-f1",
        3,
        1182240,
        2364480,
        4320,
        960,
        6840,
        250,
        "DS890",
    ),
    # DS962 Alveo U200/U250 data sheet, column U250
    "alveo-u250": (
        "xcu250-figd2104-2L-e",
        "xcup",
        "alveo",
        4,
        1728000,
        3456000,
        5376,
        1280,
        12288,
        300,
        "DS962",
    ),
    # DS963 Alveo U280 data sheet
    "alveo-u280": (
        "xcu280-fsvh2892-2L-e",
        "xcup",
        "alveo",
        3,
        1303680,
        2607360,
        4032,
        960,
        9024,
        300,
        "DS963",
    ),
}

# What the platform shell reserves (LUT, FF, BRAM18, URAM, DSP), and the document giving it.
SHELLS = {
    # aws-fpga FAQs.md: the Shell takes about 20 % of the FPGA resources
    "aws-f1": (Resources(236448, 472896, 864, 192, 1368), "FAQs.md"),
    # UG1120: 4 SLRs x (345K LUT, 690K FF, 500 BRAM36, 320 URAM, 2,877 DSP) left to the user
    "alveo-u250": (Resources(348000, 696000, 1376, 0, 780), "UG1120"),
    # UG1120, xilinx_u280_xdma_201920_3: 1,069K LUT, 2,150K FF, 1,487 BRAM36, 960 URAM,
    # 8,490 DSP left to the user
    "alveo-u280": (Resources(234680, 457360, 1058, 0, 534), "UG1120"),
}


@pytest.mark.parametrize("name", sorted(DATASHEET))
def test_board_matches_datasheet(name: str) -> None:
    part, family, flavour, slrs, lut, ff, bram18, uram, dsp, mhz, sheet = DATASHEET[name]
    b = load_board(name)
    assert (b.name, b.part, b.family, b.flavour, b.slrs) == (name, part, family, flavour, slrs)
    assert b.device() == Resources(lut, ff, bram18, uram, dsp)
    assert bram18 % 2 == 0  # data sheets count BRAM36 blocks
    assert b.default_clock_mhz == mhz
    assert sheet in b.source


@pytest.mark.parametrize("name", sorted(DATASHEET))
def test_capacity_is_device_minus_shell(name: str) -> None:
    b = load_board(name)
    dev, cap = b.device().as_dict(), b.capacity().as_dict()
    if name in SHELLS:
        shell, doc = SHELLS[name]
        assert b.shell == shell and doc in b.source
        assert cap == {k: dev[k] - v for k, v in shell.as_dict().items()}
        assert all(0 < cap[k] < dev[k] for k in ("lut", "ff", "bram18", "dsp"))
    else:
        assert b.shell is None and cap == dev


def test_shells_are_the_documented_reservations() -> None:
    f1 = load_board("aws-f1")
    assert f1.shell == Resources(*(v // 5 for v in f1.device().as_dict().values()))  # 20 %
    u250 = load_board("alveo-u250").capacity()
    assert u250 == Resources(4 * 345000, 4 * 690000, 4 * 2 * 500, 4 * 320, 4 * 2877)
    u280 = load_board("alveo-u280").capacity()
    slr = [
        (369000, 746000, 507, 320, 2733),
        (333000, 675000, 468, 320, 2877),
        (367000, 729000, 512, 320, 2880),
    ]
    lut, ff, bram36, uram, dsp = (sum(col) for col in zip(*slr))
    assert u280 == Resources(lut, ff, 2 * bram36, uram, dsp)


def test_list_boards_sorted() -> None:
    assert [b.name for b in list_boards()] == sorted(DATASHEET)


def test_unknown_board() -> None:
    with pytest.raises(BoardError) as err:
        load_board("x")
    assert str(err.value) == (
        "unknown board 'x'; available: alveo-u250, alveo-u280, aws-f1, kv260, pynq-z1, pynq-z2, "
        "ultra96-v2, zcu102, zcu104 (see qnngen boards)"
    )


def test_path_like_name_is_unknown() -> None:
    with pytest.raises(BoardError, match="unknown board"):
        load_board("../boards/pynq-z2")


def test_fits_and_first_overflow() -> None:
    b = load_board("pynq-z2")
    assert b.fits(b.capacity())
    assert b.first_overflow(Resources(lut=1, uram=1, dsp=221)) == "uram"
    assert not b.fits(Resources(ff=106401))


def test_fits_uses_capacity_after_shell() -> None:
    f1 = load_board("aws-f1")
    assert f1.fits(f1.capacity())
    assert not f1.fits(f1.device())
    assert f1.first_overflow(Resources(lut=f1.capacity().lut + 1)) == "lut"


def test_board_built_directly_defaults_to_one_slr_without_shell() -> None:
    tiny = Board("tiny", "xc7z007s", "xc7", "zynq7", 50, 50, 1, 0, 1, 100.0, "test")
    assert tiny.slrs == 1 and tiny.shell is None and tiny.capacity() == tiny.device()


def _write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    (tmp_path / f"{name}.yaml").write_text(text)
    monkeypatch.setattr(boards_mod, "_boards_dir", lambda: tmp_path)


def _fields(board: str, **changes: object) -> dict:
    """The bundled board file's fields as plain data, with `changes` (None drops a field)."""
    data = yaml.safe_load((boards_mod._boards_dir() / f"{board}.yaml").read_text())
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _one_line_error(name: str) -> str:
    with pytest.raises(BoardError) as err:
        load_board(name)
    msg = str(err.value)
    assert f"{name}.yaml" in msg and "\n" not in msg
    return msg


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
    _write(tmp_path, monkeypatch, "bad", text)
    assert problem in _one_line_error("bad")


def test_board_field_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = load_board("pynq-z2")
    fields = {**good.__dict__, "name": "odd", "dsp": -1}
    del fields["shell"]
    (tmp_path / "odd.yaml").write_text("\n".join(f"{k}: {v!r}" for k, v in fields.items()))
    monkeypatch.setattr(boards_mod, "_boards_dir", lambda: tmp_path)
    with pytest.raises(BoardError, match="dsp must be a non-negative integer"):
        load_board("odd")


@pytest.mark.parametrize(
    "board, changes, problem",
    [
        ("pynq-z2", {"slrs": None}, "missing fields ['slrs']"),
        ("pynq-z2", {"uram_kb": 0}, "unknown fields ['uram_kb']"),
        ("pynq-z2", {"slrs": 0}, "slrs must be a positive integer, got 0"),
        ("pynq-z2", {"family": "xcu"}, "family must be one of ['xc7', 'xcup'], got 'xcu'"),
        ("pynq-z2", {"flavour": "pynq"}, "flavour must be one of"),
        ("pynq-z2", {"shell": {"lut": 1}}, "shell is only for flavours ['alveo', 'aws-f1']"),
        ("aws-f1", {"shell": None}, "flavour 'aws-f1' needs a shell mapping"),
        ("aws-f1", {"shell": 5}, "shell must be a mapping"),
        (
            "aws-f1",
            {"shell": {"lut": 1, "ff": 1, "bram18": 1, "uram": 1}},
            "shell: missing fields ['dsp'], unknown fields []",
        ),
        (
            "aws-f1",
            {"shell": {"lut": 1, "ff": 1, "bram18": 1, "uram": 1, "dsp": 1, "io": 3}},
            "shell: missing fields [], unknown fields ['io']",
        ),
        (
            "aws-f1",
            {"shell": {"lut": 1, "ff": 1.5, "bram18": 1, "uram": 1, "dsp": 1}},
            "shell.ff must be a non-negative integer, got 1.5",
        ),
        (
            "alveo-u280",
            {"shell": {"lut": 1, "ff": 1, "bram18": 1, "uram": 961, "dsp": 1}},
            "shell.uram 961 exceeds the device's 960",
        ),
    ],
)
def test_schema_errors_name_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, board: str, changes: dict, problem: str
) -> None:
    data = _fields(board, **changes)
    _write(tmp_path, monkeypatch, board, yaml.safe_dump(data))
    assert problem in _one_line_error(board)


def test_board_is_frozen() -> None:
    b = load_board("zcu104")
    assert isinstance(b, Board)
    with pytest.raises(AttributeError):
        b.lut = 0  # type: ignore[misc]
