# SPDX-License-Identifier: Apache-2.0
"""The kernel harness's memory model and AXI4-Lite host against a tiny hand-written AXI master
(probe_kernel.sv): a correct burst moves the right bytes; each broken rule is an error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qnngen.shell import CONTROL, GIE, IER, IN_ADDR, ISR, OUT_ADDR
from qnngen.sim import KERNEL_HARNESS_SOURCE, KernelSim, Ports, ProtocolError, build_model

PROBE = Path(__file__).with_name("probe_kernel.sv")
IN, OUT = 0x1_2345_6000, 0x8000  # the input buffer above 4 GiB
SUM = 0x30  # the probe's XOR of the read beats


LENGTHS = {"wlen": 0x40, "wlast_at": 0x44, "rlen": 0x48}  # the probe's burst registers


def _probe(sim_build_dir: Path, mem_bits: int = 64) -> Path:
    return build_model(
        [PROBE],
        Ports("qnngen_kernel", mem_bits, mem_bits),
        sim_build_dir,
        params={"MEM_BITS": mem_bits},
        harness=KERNEL_HARNESS_SOURCE,
    )


def _start(k: KernelSim, in_addr: int, out_addr: int, **lengths: int) -> None:
    for name, value in lengths.items():
        k.write_reg(LENGTHS[name], value)
    for reg, value in ((IN_ADDR, in_addr), (OUT_ADDR, out_addr)):
        k.write_reg(reg.offset, value & 0xFFFFFFFF)
        k.write_reg(reg.offset + 4, value >> 32)
    k.write_reg(GIE.offset, 1)
    k.write_reg(IER.offset, 1)
    k.write_reg(CONTROL.offset, 1)


@pytest.mark.parametrize("mem_bits", [64, 512])
@pytest.mark.parametrize("stalls", [0.0, 0.4])
def test_probe_burst_round_trip(sim_build_dir: Path, mem_bits: int, stalls: float) -> None:
    beats, word = 5, mem_bits // 8
    lib = _probe(sim_build_dir, mem_bits)
    data = np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8)
    with KernelSim(lib, seed=3, stalls=stalls, max_read_latency=20) as k:
        assert k.mem_bits == mem_bits
        k.alloc(IN, 4096)
        k.alloc(OUT, 4096)
        k.mem_write(IN, data)
        _start(k, IN, OUT + word, wlen=beats, wlast_at=beats, rlen=beats)
        assert k.wait(10_000) and k.interrupt
        ctrl = k.read_reg(CONTROL.offset)
        assert ctrl & 0b110 == 0b110  # ap_done and ap_idle
        assert k.read_reg(CONTROL.offset) & 0b010 == 0  # ap_done clears on read
        expected_sum = np.bitwise_xor.reduce(
            data[: beats * word].reshape(beats, word)[:, :4].copy().view("<u4").ravel()
        )
        assert k.read_reg(SUM) == int(expected_sum)
        k.write_reg(ISR.offset, 1)  # toggle-on-write clears the status and the interrupt
        k.step(2)
        assert not k.interrupt
        got = k.mem_read(OUT, (beats + 2) * word).reshape(beats + 2, word)
        assert not got[0].any() and not got[-1].any()  # nothing written around the burst
        expected = (0xA5000000 + np.arange(beats, dtype=np.uint32)).astype("<u4").view(np.uint8)
        assert np.array_equal(got[1:-1], np.tile(expected.reshape(beats, 4), word // 4))
        cycles = k.write_cycles(OUT, (beats + 2) * word)
        assert cycles[0] == cycles[-1] == -1 and np.all(np.diff(cycles[1:-1]) > 0)
        assert k.stats() == {
            "read_bursts": 1,
            "write_bursts": 1,
            "max_reads_in_flight": 1,
            "read_beats": beats,
            "write_beats": beats,
        }


@pytest.mark.parametrize(
    "case,lengths,in_addr,out_addr,message",
    [
        ("read crosses 4 KB", {"rlen": 4}, IN + 4096 - 16, OUT, "crosses a 4 KB boundary"),
        (
            "write crosses 4 KB",
            {"wlen": 3, "wlast_at": 3},
            IN,
            OUT + 4096 - 16,
            "crosses a 4 KB boundary",
        ),
        ("wlast early", {"wlen": 4, "wlast_at": 3}, IN, OUT, "wlast=1 on beat 3 of a 4-beat burst"),
        (
            "wlast missing",
            {"wlen": 4, "wlast_at": 5},
            IN,
            OUT,
            "wlast=0 on beat 4 of a 4-beat burst",
        ),
        ("read outside", {"rlen": 2}, IN + 8192, OUT, "outside every buffer"),
        ("write outside", {"wlen": 1, "wlast_at": 1}, IN, OUT - 8, "outside every buffer"),
        ("read past a buffer's end", {"rlen": 4}, IN + 8192 - 48, OUT, "outside every buffer"),
        ("unaligned", {"rlen": 1}, IN + 4, OUT, "not aligned"),
    ],
)
def test_protocol_checker_fires(
    sim_build_dir: Path, case, lengths, in_addr, out_addr, message
) -> None:
    with KernelSim(_probe(sim_build_dir), seed=1, stalls=0.2) as k:
        k.alloc(IN, 8192 - 32)
        k.alloc(OUT, 4096)
        with pytest.raises(ProtocolError, match=message):
            _start(k, in_addr, out_addr, **lengths)
            k.wait(10_000)


def test_host_buffers_are_checked(sim_build_dir: Path) -> None:
    with KernelSim(_probe(sim_build_dir)) as k:
        k.alloc(0xFFFF_FFFF_0000_0000, 4096)
        with pytest.raises(ValueError, match="overlaps"):
            k.alloc(0xFFFF_FFFF_0000_0800, 4096)
        with pytest.raises(ValueError, match="not inside"):
            k.mem_write(0xFFFF_FFFF_0000_0FFF, b"ab")
        k.mem_write(0xFFFF_FFFF_0000_0FFE, b"ab")
        assert bytes(k.mem_read(0xFFFF_FFFF_0000_0FFD, 3)) == b"\0ab"


def test_silent_register_port_is_an_error(sim_build_dir: Path) -> None:
    """A response that takes longer than reg_timeout cycles counts as none."""
    with KernelSim(_probe(sim_build_dir), stalls=0.5, reg_timeout=1) as k:
        with pytest.raises(ProtocolError, match="no AXI4-Lite write response"):
            k.write_reg(CONTROL.offset, 0)
