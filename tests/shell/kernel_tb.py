"""cocotb testbench of the whole qnngen_kernel: cocotbext-axi's AXI4-Lite master on the control
port and its AXI RAM on the memory port, with seeded random pauses on every channel.

The pytest side (test_kernel_axi.py) writes the stimulus file named by QNNGEN_TB_DATA: the
input frames' memory image and the expected output image (memlayout of the numpy reference),
and the offsets of qnngen/shell/regmap.py are used to drive the registers.
"""

from __future__ import annotations

import os
import random

import numpy as np
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam

from qnngen.shell import regmap

CTRL, GIE, IER, ISR = (r.offset for r in (regmap.CONTROL, regmap.GIE, regmap.IER, regmap.ISR))
AP_START, AP_DONE, AP_IDLE, AP_READY = (1 << regmap.CONTROL.bit(b).pos
                                        for b in ("ap_start", "ap_done", "ap_idle", "ap_ready"))
GUARD = 256  # bytes checked untouched before and after each output buffer
FILL = 0xA5
RAM_BYTES = 1 << 40  # sparse; every buffer of the test lies below 1 TiB


def _pauses(rng: random.Random, busy: float, longest: int):
    """Endless pause pattern: runs of 1..longest paused cycles, a run starting with prob. busy."""
    while True:
        if rng.random() < busy:
            for _ in range(rng.randint(1, longest)):
                yield True
        else:
            yield False


class Bench:
    """The kernel with its AXI models, a bus monitor and helpers for the register protocol."""

    def __init__(self, dut, seed: int) -> None:
        self.dut = dut
        self.data = np.load(os.environ["QNNGEN_TB_DATA"])
        self.word = int(self.data["mem_bytes"])
        self.host = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_control"), dut.ap_clk,
                                  dut.ap_rst_n, reset_active_level=False)
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi_gmem0"), dut.ap_clk, dut.ap_rst_n,
                          reset_active_level=False, size=RAM_BYTES)
        rng = random.Random(seed)
        ram_w, ram_r = self.ram.write_if, self.ram.read_if
        for ch, busy, longest in ((ram_r.ar_channel, 0.3, 4), (ram_r.r_channel, 0.2, 40),
                                  (ram_w.aw_channel, 0.3, 4), (ram_w.w_channel, 0.3, 6),
                                  (ram_w.b_channel, 0.3, 30),
                                  (self.host.write_if.aw_channel, 0.3, 3),
                                  (self.host.write_if.w_channel, 0.3, 3),
                                  (self.host.read_if.ar_channel, 0.3, 3),
                                  (self.host.read_if.r_channel, 0.3, 3)):
            ch.set_pause_generator(_pauses(random.Random(rng.random()), busy, longest))
        self.reads: list[tuple[int, int]] = []
        self.writes: list[tuple[int, int]] = []
        self.max_reads_in_flight = 0
        self.max_writes_in_flight = 0

    async def start(self) -> None:
        cocotb.start_soon(Clock(self.dut.ap_clk, 10, unit="ns").start())
        self.dut.ap_rst_n.value = 0
        await ClockCycles(self.dut.ap_clk, 10)
        self.dut.ap_rst_n.value = 1
        await ClockCycles(self.dut.ap_clk, 2)
        cocotb.start_soon(self._monitor())

    async def _monitor(self) -> None:
        """Record every burst address and the most bursts in flight on each side."""
        d, reads, writes = self.dut, 0, 0  # bursts in flight
        while True:
            await RisingEdge(d.ap_clk)
            if d.m_axi_gmem0_arvalid.value and d.m_axi_gmem0_arready.value:
                self.reads.append((int(d.m_axi_gmem0_araddr.value), int(d.m_axi_gmem0_arlen.value) + 1))
                reads += 1
            if d.m_axi_gmem0_rvalid.value and d.m_axi_gmem0_rready.value and d.m_axi_gmem0_rlast.value:
                reads -= 1
            if d.m_axi_gmem0_awvalid.value and d.m_axi_gmem0_awready.value:
                self.writes.append((int(d.m_axi_gmem0_awaddr.value), int(d.m_axi_gmem0_awlen.value) + 1))
                writes += 1
            if d.m_axi_gmem0_bvalid.value and d.m_axi_gmem0_bready.value:
                writes -= 1
            self.max_reads_in_flight = max(self.max_reads_in_flight, reads)
            self.max_writes_in_flight = max(self.max_writes_in_flight, writes)

    async def reg(self, offset: int) -> int:
        return await self.host.read_dword(offset)

    async def set_reg(self, offset: int, value: int) -> None:
        await self.host.write_dword(offset, value)

    async def set_args(self, in_addr: int, out_addr: int, frames: int) -> None:
        for reg, value in ((regmap.IN_ADDR, in_addr), (regmap.OUT_ADDR, out_addr),
                           (regmap.FRAMES, frames)):
            for k, offset in enumerate(reg.words):
                await self.set_reg(offset, (value >> (32 * k)) & 0xFFFFFFFF)

    async def cycles(self) -> int:
        lo, hi = regmap.CYCLES.words
        return await self.reg(lo) | (await self.reg(hi)) << 32

    def load(self, in_addr: int, out_addr: int, rows: np.ndarray) -> int:
        """Put the input frames `rows` at in_addr, fill the output buffer and its guards; return
        the output buffer's size in bytes."""
        image = self.data["in_image"][rows]
        self.ram.write(in_addr, image.tobytes())
        size = len(rows) * self.data["out_image"].shape[1]
        self.ram.write(out_addr - GUARD, bytes([FILL]) * (size + 2 * GUARD))
        return size

    def check(self, out_addr: int, rows: np.ndarray) -> None:
        expected = self.data["out_image"][rows]
        got = np.frombuffer(self.ram.read(out_addr, expected.size), dtype=np.uint8)
        bad = np.flatnonzero(np.any(got.reshape(expected.shape) != expected, axis=1))
        assert bad.size == 0, f"{bad.size} of {len(rows)} output frames differ, first: frame {bad[0]}"
        guard = self.ram.read(out_addr - GUARD, GUARD) + self.ram.read(out_addr + expected.size, GUARD)
        assert guard == bytes([FILL]) * (2 * GUARD), "the kernel wrote outside its output buffer"

    async def wait_done(self, timeout_us: float) -> int:
        """Poll CTRL until ap_done; return the CTRL value that showed it."""
        async def poll():
            while True:
                ctrl = await self.reg(CTRL)
                if ctrl & AP_DONE:
                    return ctrl
        return await with_timeout(poll(), int(timeout_us) + 1, "us")

    def check_bursts(self, bursts: list[tuple[int, int]], base: int, size: int) -> None:
        """The bursts cover [base, base + size) in order, each 1..256 beats within one 4 KB page."""
        addr = base
        for start, beats in bursts:
            assert start == addr, f"burst at {start:#x}, expected {addr:#x}"
            assert 1 <= beats <= 256
            end = start + beats * self.word
            assert (start >> 12) == ((end - 1) >> 12), f"burst {start:#x}+{beats} crosses 4 KB"
            addr = end
        assert addr == base + size, f"bursts end at {addr:#x}, expected {base + size:#x}"


@cocotb.test()
async def kernel_runs(dut):
    """Registers, one frame with the interrupt, then batches back to back, bit-exact."""
    tb = Bench(dut, int(os.environ.get("QNNGEN_TB_SEED", "1")))
    await tb.start()
    n = len(tb.data["in_image"])
    w = tb.word
    timeout_us = float(tb.data["timeout_us"])

    assert await tb.reg(CTRL) == AP_IDLE
    # arguments read back; byte strobes honoured; cycles is read only
    await tb.set_args(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9_8765_4321, 7)
    await tb.host.write(regmap.FRAMES.offset + 1, b"\x02")
    assert await tb.reg(regmap.FRAMES.offset) == 0x207
    assert await tb.reg(regmap.IN_ADDR.words[1]) == 0x1234_5678
    assert await tb.reg(regmap.OUT_ADDR.words[0]) == 0x8765_4321
    await tb.set_reg(regmap.CYCLES.offset, 0xFFFF)
    assert await tb.cycles() == 0
    assert not dut.interrupt.value

    # batch of one: input across a 4 KB boundary above 4 GiB, output across the 4 GiB boundary
    rows = np.array([0])
    in_addr, out_addr = (1 << 32) + 0x1000 - 3 * w, (3 << 32) - 2 * w
    size = tb.load(in_addr, out_addr, rows)
    await tb.set_reg(GIE, 1)
    await tb.set_reg(IER, 1)
    await tb.set_args(in_addr, out_addr, 1)
    await tb.set_reg(CTRL, AP_START)
    ctrl = await tb.reg(CTRL)
    assert ctrl & AP_START and not ctrl & AP_IDLE, f"CTRL={ctrl:#x} while running"
    await with_timeout(RisingEdge(dut.interrupt), int(timeout_us) + 1, "us")
    assert await tb.reg(ISR) == 1  # ap_ready is not enabled in IER
    assert await tb.reg(CTRL) == AP_DONE | AP_IDLE | AP_READY
    assert await tb.reg(CTRL) == AP_IDLE  # done and ready cleared on read
    assert dut.interrupt.value  # until ISR is cleared
    await tb.set_reg(ISR, 1)  # toggle on write
    assert await tb.reg(ISR) == 0
    await ClockCycles(dut.ap_clk, 2)
    assert not dut.interrupt.value
    tb.check(out_addr, rows)
    tb.check_bursts(tb.reads, in_addr, len(rows) * tb.data["in_image"].shape[1])
    tb.check_bursts(tb.writes, out_addr, size)
    one_frame = await tb.cycles()
    assert one_frame > 0

    # many frames, twice back to back (second in reverse order), interrupt off globally
    await tb.set_reg(GIE, 0)
    await tb.set_reg(IER, 3)
    most_reads = 0
    for k, rows in enumerate((np.arange(n), np.arange(n)[::-1])):
        in_addr, out_addr = (5 << 32) + 0x3000 + k * 0x10_0000 - w, (6 << 32) + 0x7000 + k * w
        tb.reads.clear()
        tb.writes.clear()
        size = tb.load(in_addr, out_addr, rows)
        await tb.set_args(in_addr, out_addr, len(rows))
        await tb.set_reg(CTRL, AP_START)
        ctrl = await tb.wait_done(timeout_us * len(rows))
        assert ctrl & AP_IDLE and ctrl & AP_READY and not ctrl & AP_START
        assert not dut.interrupt.value
        tb.check(out_addr, rows)
        tb.check_bursts(tb.reads, in_addr, len(rows) * tb.data["in_image"].shape[1])
        tb.check_bursts(tb.writes, out_addr, size)
        most_reads = max(most_reads, len(tb.reads))
        assert await tb.cycles() > one_frame
    assert await tb.reg(ISR) == 3  # done and ready both happened
    await tb.set_reg(ISR, 2)
    assert await tb.reg(ISR) == 1
    if most_reads >= 3:  # the reader issues the next address without waiting for the data
        assert tb.max_reads_in_flight >= 2, "never more than one read burst in flight"
    dut._log.info(f"bursts in flight: reads {tb.max_reads_in_flight}, writes {tb.max_writes_in_flight}")
