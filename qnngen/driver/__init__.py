# SPDX-License-Identifier: Apache-2.0
"""The host driver written into OUT/driver/: one self-contained Python file (numpy, plus pynq or
pyxrt on the target) and its data file, generated from the compiled plan."""

from .data import DEFAULT_BACKEND, driver_data, host_program
from .render import DATA_FILE, DRIVER_FILE, render_driver, write_driver

__all__ = [
    "DATA_FILE",
    "DRIVER_FILE",
    "DEFAULT_BACKEND",
    "driver_data",
    "host_program",
    "render_driver",
    "write_driver",
]
