# SPDX-License-Identifier: Apache-2.0
"""Fakes of the pynq and pyxrt APIs the generated driver uses. They record every call in a list
(JSON-able entries), and move the data through a verilated kernel (KernelSim): register
accesses are its AXI4-Lite transactions, buffers live in its memory model."""

from __future__ import annotations

import enum
import types

import numpy as np

#: bit 1 of the control register (ap_done), as XRT's own wait polls it
_AP_DONE = 0x2


class _Allocator:
    """Hands out 4 KiB-aligned buffers in the simulated memory from `base` on."""

    def __init__(self, sim, base: int) -> None:
        self.sim, self.next = sim, base

    def __call__(self, nbytes: int) -> int:
        addr = self.next
        self.sim.alloc(addr, nbytes)
        self.next = -(-(addr + nbytes) // 4096) * 4096
        return addr


def fake_pynq(sim, log: list, base: int = 0x0800_0000) -> types.ModuleType:
    """A `pynq` module: Overlay (ip_dict), MMIO and allocate."""
    mod = types.ModuleType("pynq")
    place = _Allocator(sim, base)

    class Buffer(np.ndarray):
        def flush(self) -> None:
            log.append(["flush", self.device_address])
            sim.mem_write(self.device_address, np.asarray(self))

        def invalidate(self) -> None:
            log.append(["invalidate", self.device_address])
            self[...] = (
                sim.mem_read(self.device_address, self.nbytes).view(self.dtype).reshape(self.shape)
            )

        def freebuffer(self) -> None:
            log.append(["freebuffer", self.device_address])

    def allocate(shape, dtype="u4", **options):
        buf = np.zeros(shape, dtype=dtype).view(Buffer)
        buf.device_address = place(buf.nbytes)
        log.append(
            [
                "allocate",
                [int(s) for s in np.atleast_1d(shape)],
                np.dtype(dtype).str,
                buf.device_address,
            ]
        )
        return buf

    class Overlay:
        def __init__(self, bitfile: str, download: bool = True) -> None:
            log.append(["Overlay", bitfile])
            self.ip_dict = {
                "processing_system7_0": {
                    "phys_addr": 0xF800_0000,
                    "addr_range": 0x1000,
                    "type": "xilinx.com:ip:processing_system7:5.5",
                },
                "qnngen_kernel_0": {
                    "phys_addr": 0x4000_0000,
                    "addr_range": 0x1000,
                    "type": "xilinx.com:module_ref:qnngen_kernel:1.0",
                },
            }

    class MMIO:
        def __init__(self, base_addr: int, length: int) -> None:
            log.append(["MMIO", base_addr, length])

        def write(self, offset: int, value: int) -> None:
            log.append(["write", offset, int(value)])
            sim.write_reg(offset, int(value))

        def read(self, offset: int) -> int:
            value = sim.read_reg(offset)
            log.append(["read", offset, value])
            return value

    mod.Overlay, mod.MMIO, mod.allocate = Overlay, MMIO, allocate
    return mod


def fake_pyxrt(
    sim, log: list, offsets: dict[str, tuple[int, ...]], base: int = 0x40_0000_0000
) -> types.ModuleType:
    """A `pyxrt` module: device, xclbin, kernel (a call writes the arguments at `offsets` and
    sets ap_start, as XRT does; run.wait polls ap_done), bo, and the enums the driver uses."""
    mod = types.ModuleType("pyxrt")
    place = _Allocator(sim, base)
    mod.xclBOSyncDirection = enum.Enum(
        "xclBOSyncDirection", "XCL_BO_SYNC_BO_TO_DEVICE XCL_BO_SYNC_BO_FROM_DEVICE"
    )
    mod.ert_cmd_state = enum.Enum(
        "ert_cmd_state", "ERT_CMD_STATE_NEW ERT_CMD_STATE_COMPLETED ERT_CMD_STATE_TIMEOUT"
    )

    class device:  # noqa: N801 - pyxrt's names
        def __init__(self, index: int) -> None:
            log.append(["device", index])

        def load_xclbin(self, xclbin) -> str:
            log.append(["load_xclbin", xclbin.path])
            return "uuid"

    class xclbin:  # noqa: N801
        def __init__(self, path: str) -> None:
            log.append(["xclbin", path])
            self.path = path

    class bo:  # noqa: N801
        normal = "normal"

        def __init__(self, dev, size: int, flags: str, group: int) -> None:
            self.addr = place(size)
            self.mem = bytearray(size)
            log.append(["bo", size, flags, group, self.addr])

        def address(self) -> int:
            return self.addr

        def map(self) -> memoryview:
            return memoryview(self.mem)

        def sync(self, direction, size: int, offset: int) -> None:
            log.append(["sync", direction.name, self.addr, size, offset])
            if direction == mod.xclBOSyncDirection.XCL_BO_SYNC_BO_TO_DEVICE:
                sim.mem_write(self.addr + offset, bytes(self.mem[offset : offset + size]))
            else:
                self.mem[offset : offset + size] = sim.mem_read(self.addr + offset, size).tobytes()

    class run:  # noqa: N801
        def wait(self, timeout_ms: int = 0):
            log.append(["wait", timeout_ms])
            while not sim.read_reg(0x00) & _AP_DONE:
                sim.step(256)
            return mod.ert_cmd_state.ERT_CMD_STATE_COMPLETED

    class kernel:  # noqa: N801
        shared = "shared"

        def __init__(self, dev, uuid: str, name: str, mode: str) -> None:
            log.append(["kernel", uuid, name, mode])

        def group_id(self, index: int) -> int:
            log.append(["group_id", index])
            return 10 + index

        def __call__(self, *args) -> run:
            values = [a.address() if isinstance(a, bo) else int(a) for a in args]
            log.append(["call", *values])
            for value, words in zip(values, offsets.values()):
                for i, offset in enumerate(words):
                    sim.write_reg(offset, (value >> (32 * i)) & 0xFFFFFFFF)
            sim.write_reg(0x00, 1)
            return run()

    mod.device, mod.xclbin, mod.bo, mod.kernel = device, xclbin, bo, kernel
    return mod
