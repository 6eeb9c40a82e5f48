"""build.tcl of the Zynq boards runs to its end under the vendor-command stub, in the order a
Vivado project needs, with the board's part, PS, ports and the kernel's files."""

from __future__ import annotations

from pathlib import Path

import pytest
from vendor_stub import FAKE_RTL, ZYNQ_BOARDS, fake_build, run_tcl

from qnngen.fold import load_board

#: per PS type (UG585 / UG1085 port names; PS address windows of the GP master)
PS = {
    "zynq7": dict(
        ip="processing_system7",
        hp="S_AXI_HP0",
        gp="M_AXI_GP0",
        base="0x40000000",
        clock="CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ",
    ),
    "zynqmp": dict(
        ip="zynq_ultra_ps_e",
        hp="S_AXI_HP0_FPD",
        gp="M_AXI_HPM0_FPD",
        base="0xA0000000",
        clock="CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
    ),
}


def _config(call: list[str]) -> dict[str, str]:
    """The CONFIG.* key/value pairs of a `set_property -dict [list ...]` call."""
    words = " ".join(call[2:-1]).replace("{", " ").replace("}", " ").replace("\\", " ").split()
    return dict(zip(words[::2], words[1::2]))


@pytest.mark.parametrize("board", ZYNQ_BOARDS)
def test_build_tcl_sequence(tmp_path: Path, board: str) -> None:
    b = load_board(board)
    out = fake_build(tmp_path, board, clock_mhz=142.5)
    script = out / "project" / "vivado" / "build.tcl"
    run = run_tcl(script, tmp_path, version=b.tool_version, mhz="142.5")
    assert run.returncode == 0, run.stderr
    ps = PS[b.flavour]
    order = [
        run.index("create_project", b.part),
        run.index("set_property", "board_part", b.board_part),
        run.index("add_files", "-norecurse"),
        run.index("create_bd_design", "qnngen_bd"),
        run.index("create_bd_cell", "-vlnv", f"xilinx.com:ip:{ps['ip']}:9.9", "zynq_ps"),
        run.index("apply_bd_automation", "-rule", f"xilinx.com:bd_rule:{ps['ip']}"),
        run.index("create_bd_cell", "-type", "module", "-reference", "qnngen_kernel"),
        run.index("connect_bd_intf_net", f"zynq_ps/{ps['hp']}"),
        run.index("connect_bd_intf_net", f"zynq_ps/{ps['gp']}"),
        run.index("assign_bd_address", "-offset", ps["base"], "-range", "4K"),
        run.index("validate_bd_design"),
        run.index("make_wrapper", "-top"),
        run.index("launch_runs", "synth_1"),
        run.index("launch_runs", "impl_1", "-to_step", "write_bitstream"),
    ]
    assert order == sorted(order)
    # the PS clock is the compiled one; the newest IP versions are taken (no pinned version)
    ps_config = next(
        _config(c) for c in run.named("set_property") if "zynq_ps" in c[-1] and "-dict" in c
    )
    assert ps_config[ps["clock"]] == "142.5"
    assert not [c for c in run.named("create_bd_cell") if any(w.endswith(":1.0") for w in c)]
    assert "qnngen_kernel_0/interrupt" in " ".join(" ".join(c) for c in run.named("connect_bd_net"))
    # every file the script adds exists, and they are exactly the kernel's files
    added = [Path(w) for c in run.named("add_files") for w in c[1:] if not w.startswith("-")]
    added = [Path(p) for w in added for p in str(w).split()]
    assert all(p.is_file() for p in added), added
    assert sorted(p.name for p in added) == sorted(FAKE_RTL)
    mems = next(c for c in run.named("set_property") if "file_type" in c)
    assert "Memory File" in mems
    # .bit and .hwh copied into OUT under one base name, as PYNQ wants them
    assert (out / "qnngen.bit").is_file() and (out / "qnngen.hwh").is_file()
    phases = [line for line in run.stdout.splitlines() if line.startswith("qnngen-phase: ")]
    assert len(phases) == 9 and phases[-1] == "qnngen-phase: 9/9 outputs"
    assert "WARNING" not in run.stdout


def test_build_tcl_on_a_real_build(tmp_path: Path, compiled) -> None:
    out = compiled("pynq-z2")
    run = run_tcl(out / "project" / "vivado" / "build.tcl", tmp_path, version="2024.1")
    assert run.returncode == 0, run.stderr
    added = [
        p for c in run.named("add_files") for w in c[1:] if not w.startswith("-") for p in w.split()
    ]
    names = sorted(Path(p).name for p in added)
    assert names == sorted(p.name for p in (out / "rtl").iterdir())
    assert "qnngen_kernel" in {Path(n).stem for n in names}, (
        "the kernel shell is missing from OUT/rtl"
    )
    as_verilog = [c for c in run.named("set_property") if c[1:3] == ["file_type", "Verilog"]]
    assert [Path(c[-1]).name for c in as_verilog] == ["qnngen_kernel.sv"]


def test_other_vivado_version_warns(tmp_path: Path) -> None:
    out = fake_build(tmp_path, "zcu104")
    run = run_tcl(out / "project" / "vivado" / "build.tcl", tmp_path, version="2023.2")
    assert run.returncode == 0, run.stderr
    assert (
        "WARNING: qnngen: build.tcl was written for Vivado 2024.1; this is Vivado 2023.2"
        in run.stdout
    )
    assert run.index("version", "-short") < run.index("create_project")


def test_board_repo_and_board_part_fallback(tmp_path: Path) -> None:
    out = fake_build(tmp_path, "pynq-z2")
    script = out / "project" / "vivado" / "build.tcl"
    run = run_tcl(
        script,
        tmp_path,
        version="2024.1",
        board_parts="newest",
        argv=("-board_repo", "/opt/boards", "-jobs", "2"),
    )
    assert run.returncode == 0, run.stderr
    assert run.index("set_param", "board.repoPaths", "/opt/boards") < run.index("create_project")
    assert run.index("set_property", "board_part", "tul.com.tw:pynq-z2:part0:9.9") > 0
    assert "WARNING: qnngen: board part tul.com.tw:pynq-z2:part0:1.0 not found" in run.stdout
    assert run.index("launch_runs", "synth_1", "-jobs", "2") > 0


def test_missing_board_part_stops_with_the_remedy(tmp_path: Path) -> None:
    out = fake_build(tmp_path, "pynq-z2")
    run = run_tcl(
        out / "project" / "vivado" / "build.tcl", tmp_path, version="2024.1", board_parts="none"
    )
    assert run.returncode != 0
    assert "board part tul.com.tw:pynq-z2:part0:1.0 is not installed" in run.stderr
    assert "-board_repo" in run.stderr and not run.named("create_bd_design")


def test_python_tcl_records_what_tclsh_records(tmp_path: Path) -> None:
    """Python's Tcl (the fallback where tclsh is missing) runs the scripts as tclsh does."""
    import shutil

    try:
        import tkinter  # noqa: F401
    except ImportError:
        if not shutil.which("tclsh"):
            raise
        pytest.skip("Python has no tkinter here; tclsh runs the scripts")
    out = fake_build(tmp_path, "kv260")
    script = out / "project" / "vivado" / "build.tcl"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = run_tcl(script, tmp_path / "a", version="2024.1")
    second = run_tcl(script, tmp_path / "b", version="2024.1", python_tcl=True)
    assert first.returncode == second.returncode == 0, second.stderr
    assert first.calls == second.calls and len(first.calls) > 50
