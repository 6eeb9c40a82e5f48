"""Vendor projects for a build folder: Vivado (Zynq boards) or Vitis (Alveo, AWS F1) in
OUT/project/, chosen by the board's flavour, and `qnngen bitstream`, which runs them."""

from .bitstream import PHASE, missing_tool, run_bitstream
from .flows import FLOWS, RECORD, ProjectRecord, read_project, write_project
from .sources import KERNEL_TOP, KernelSources, kernel_sources
from .vitis import KernelXmlParams, LinkParams, MakefileParams, PackageParams, kernel_xml_params
from .vivado import PsParams, VivadoParams, vivado_params

__all__ = [
    # projects
    "write_project",
    "read_project",
    "ProjectRecord",
    "FLOWS",
    "RECORD",
    # kernel files
    "KERNEL_TOP",
    "KernelSources",
    "kernel_sources",
    # template params
    "VivadoParams",
    "PsParams",
    "vivado_params",
    "KernelXmlParams",
    "PackageParams",
    "LinkParams",
    "MakefileParams",
    "kernel_xml_params",
    # bitstream
    "run_bitstream",
    "missing_tool",
    "PHASE",
]
