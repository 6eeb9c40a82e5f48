"""The Vitis project of Alveo and F1: package_kernel.tcl runs to its end under the vendor stub,
kernel.xml carries the register map's offsets and agrees with the RTL's decoder, link.cfg maps
the kernel's port onto a bank of the platform, and the Makefile's commands are complete."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from vendor_stub import FAKE_RTL, VITIS_BOARDS, fake_build, run_tcl

from qnngen.resources import data_dir

#: the control registers as issue 12 specifies them (ap_ctrl_hs below 0x10, then the arguments)
REGISTERS = {
    "CTRL": "0x00",
    "GIE": "0x04",
    "IER": "0x08",
    "ISR": "0x0C",
    "in_addr": "0x10",
    "out_addr": "0x1C",
    "frames": "0x28",
    "cycles": "0x30",
}
#: the kernel's arguments: (offset, bytes, addressQualifier: 1 global pointer, 0 scalar)
ARGS = {"in_addr": (0x10, 8, 1), "out_addr": (0x1C, 8, 1), "frames": (0x28, 4, 0)}


def _board_yaml(board: str) -> dict:
    return yaml.safe_load((data_dir("boards") / f"{board}.yaml").read_text())


def _kernel_xml(out: Path) -> ET.Element:
    return ET.parse(out / "project" / "vitis" / "kernel.xml").getroot().find("kernel")


@pytest.mark.parametrize("board", VITIS_BOARDS)
def test_package_kernel_sequence(tmp_path: Path, board: str) -> None:
    data = _board_yaml(board)
    out = fake_build(tmp_path, board)
    run = run_tcl(
        out / "project" / "vitis" / "package_kernel.tcl", tmp_path, version=data["tool_version"]
    )
    assert run.returncode == 0, run.stderr
    order = [
        run.index("create_project", data["part"]),
        run.index("add_files", "-norecurse"),
        run.index("ipx::package_project", "-vendor", "qnngen", "-library", "kernel"),
        run.index("ipx::associate_bus_interfaces", "-busif", "m_axi_gmem0", "-clock", "ap_clk"),
        run.index("ipx::associate_bus_interfaces", "-busif", "s_axi_control", "-clock", "ap_clk"),
        run.index("set_property", "sdx_kernel", "true"),
        run.index("set_property", "sdx_kernel_type", "rtl"),
        run.index("ipx::check_integrity", "-kernel"),
        run.index("package_xo", "-kernel_name", "qnngen_kernel"),
    ]
    assert order == sorted(order)
    # the register map of the IP: each register's offset, pointers tied to the memory port
    offsets, busif, current = {}, {}, None
    for c in run.calls:
        if c[0] == "ipx::add_register":
            current = c[2]
        elif c[:2] == ["set_property", "address_offset"]:
            offsets[current] = c[2]
        elif c[0] == "ipx::add_register_parameter":
            busif[current] = True
    assert offsets == REGISTERS
    assert sorted(busif) == ["in_addr", "out_addr"]
    # every file it reads exists: the kernel's files and kernel.xml
    added = [
        Path(p)
        for c in run.named("add_files")
        for w in c[1:]
        if not w.startswith("-")
        for p in w.split()
    ]
    assert sorted(p.name for p in added) == sorted(FAKE_RTL) and all(p.is_file() for p in added)
    xo = run.named("package_xo")[0]
    assert Path(xo[xo.index("-kernel_xml") + 1]).is_file()
    assert Path(xo[xo.index("-xo_path") + 1]).parent == out / "project" / "vitis"


@pytest.mark.parametrize("board", VITIS_BOARDS)
def test_kernel_xml(tmp_path: Path, board: str) -> None:
    out = fake_build(tmp_path, board)
    kernel = _kernel_xml(out)
    assert kernel.get("name") == "qnngen_kernel" and kernel.get("hwControlProtocol") == "ap_ctrl_hs"
    assert (
        kernel.get("vlnv") == "qnngen:kernel:qnngen_kernel:1.0"
    )  # what package_kernel.tcl packages
    ports = {p.get("name"): p for p in kernel.iter("port")}
    assert (
        ports["s_axi_control"].get("mode") == "slave"
        and ports["s_axi_control"].get("range") == "0x1000"
    )
    assert ports["m_axi_gmem0"].get("mode") == "master"
    assert int(ports["m_axi_gmem0"].get("dataWidth")) == _board_yaml(board)["mem_width"]
    args = {a.get("name"): a for a in kernel.iter("arg")}
    assert list(args) == list(ARGS)
    for i, (name, (offset, size, qualifier)) in enumerate(ARGS.items()):
        a = args[name]
        assert (
            int(a.get("offset"), 16),
            int(a.get("size"), 16),
            int(a.get("addressQualifier")),
        ) == (offset, size, qualifier)
        assert a.get("id") == str(i)
        assert a.get("port") == ("m_axi_gmem0" if qualifier == 1 else "s_axi_control")


def _rtl_decoder(top: str) -> dict[str, tuple[int, int]]:
    """Register name -> (offset, bytes) from the RTL: the ADDR_* offsets the generated
    qnngen_kernel passes to the shell's AXI4-Lite decoder (ADDR_X_LO/_HI for a 64-bit one)."""
    words: dict[str, list[int]] = {}
    for name, value in re.findall(r"\.ADDR_(\w+?)(?:_LO|_HI)?\(\d+'h([0-9A-Fa-f]+)\)", top):
        words.setdefault(name.lower(), []).append(int(value, 16))
    return {name: (min(w), 4 * len(w)) for name, w in words.items()}


def _rtl_port_bits(top: str, port: str, params: dict[str, int]) -> int:
    m = re.search(rf"\[([^\]]+):0\]\s*{port}\b", top)
    if m is None:
        return 1
    return eval(m.group(1), {"__builtins__": {}}, params) + 1  # a width expression, e.g. W/8-1


@pytest.mark.parametrize("board", ("alveo-u250", "aws-f1"))
def test_kernel_xml_matches_the_rtl_decoder(board: str, compiled) -> None:
    out = compiled(board)
    top = (out / "rtl" / "qnngen_kernel.sv").read_text()
    decoder = _rtl_decoder(top)
    for a in _kernel_xml(out).iter("arg"):
        assert decoder[a.get("name").lower()] == (int(a.get("offset"), 16), int(a.get("size"), 16))
    params = {k: int(v) for k, v in re.findall(r"parameter\s+(?:int\s+)?(\w+)\s*=\s*(\d+)", top)}
    ports = {p.get("name"): p for p in _kernel_xml(out).iter("port")}
    assert _rtl_port_bits(top, "m_axi_gmem0_wdata", params) == int(
        ports["m_axi_gmem0"].get("dataWidth")
    )
    assert _rtl_port_bits(top, "s_axi_control_wdata", params) == int(
        ports["s_axi_control"].get("dataWidth")
    )
    assert 1 << _rtl_port_bits(top, "s_axi_control_awaddr", params) == int(
        ports["s_axi_control"].get("range"), 16
    )


@pytest.mark.parametrize("board", VITIS_BOARDS)
def test_link_cfg(tmp_path: Path, board: str) -> None:
    data = _board_yaml(board)
    out = fake_build(tmp_path, board)
    lines = [ln.strip() for ln in (out / "project" / "vitis" / "link.cfg").read_text().splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    assert f"kernel_frequency=0:{round(data['default_clock_mhz'])}" in lines
    kernel = _kernel_xml(out)
    masters = {p.get("name") for p in kernel.iter("port") if p.get("mode") == "master"}
    nk = [ln[3:].split(":") for ln in lines if ln.startswith("nk=")]
    assert len(nk) == 1 and nk[0][0] == kernel.get("name") and nk[0][1] == "1"
    instances = set(nk[0][2].split(","))
    sps = [ln[3:] for ln in lines if ln.startswith("sp=")]
    assert len(sps) == len(masters) >= 1
    for sp in sps:
        target, bank = sp.split(":")
        instance, port = target.split(".")
        assert instance in instances and port in masters
        assert bank in data["memory_banks"]


def _make_n(out: Path, *args: str) -> str:
    make = shutil.which("make")
    assert make, "GNU make is needed to check the generated Makefile"
    proc = subprocess.run(
        [make, "-n", *args], cwd=out / "project" / "vitis", capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("board", VITIS_BOARDS)
def test_makefile_commands(tmp_path: Path, board: str) -> None:
    data = _board_yaml(board)
    out = fake_build(tmp_path, board)
    text = _make_n(out, "xclbin")  # fails if a prerequisite file is missing
    assert "vivado -mode batch -notrace -source package_kernel.tcl" in text
    assert (
        f"v++ --link --target hw --platform {data['platform']} --config link.cfg" in text
        and "-o qnngen.xclbin qnngen_kernel.xo" in text
        and "cp qnngen.xclbin ../../qnngen.xclbin" in text
    )
    makefile = (out / "project" / "vitis" / "Makefile").read_text()
    assert ("afi:" in makefile) == (board == "aws-f1")


def test_f1_afi_command(tmp_path: Path) -> None:
    out = fake_build(tmp_path, "aws-f1")
    (out / "qnngen.xclbin").write_text("")
    text = _make_n(
        out, "afi", "AWS_FPGA_REPO_DIR=/aws", "S3_BUCKET=b", "S3_DCP_KEY=d", "S3_LOGS_KEY=l"
    )
    assert (
        "/aws/Vitis/tools/create_vitis_afi.sh -xclbin=../../qnngen.xclbin -o=../../qnngen "
        "-s3_bucket=b -s3_dcp_key=d -s3_logs_key=l"
    ) in text
    assert "LEGACY" in (out / "project" / "vitis" / "Makefile").read_text()


def test_package_kernel_on_a_real_build(tmp_path: Path, compiled) -> None:
    out = compiled("alveo-u250")
    vitis = out / "project" / "vitis"
    run = run_tcl(vitis / "package_kernel.tcl", tmp_path, version="2022.2")
    assert run.returncode == 0, run.stderr
    added = [
        p for c in run.named("add_files") for w in c[1:] if not w.startswith("-") for p in w.split()
    ]
    assert sorted(Path(p).name for p in added) == sorted(p.name for p in (out / "rtl").iterdir())
    as_verilog = [c for c in run.named("set_property") if c[1:3] == ["file_type", "Verilog"]]
    assert [Path(c[-1]).name for c in as_verilog] == ["qnngen_kernel.sv"]
    # the port link.cfg maps onto a bank is an AXI4 master port of the RTL kernel
    top = (out / "rtl" / "qnngen_kernel.sv").read_text()
    for line in (vitis / "link.cfg").read_text().splitlines():
        if line.startswith("sp="):
            port = line[3:].split(":")[0].split(".")[1]
            for signal in ("araddr", "arvalid", "rdata", "awaddr", "wdata", "bvalid"):
                assert re.search(rf"\b{port}_{signal}\b", top), (
                    f"{port}_{signal} not in qnngen_kernel"
                )
