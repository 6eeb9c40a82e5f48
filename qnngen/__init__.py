"""qnngen: compile quantized neural networks (QONNX) into streaming FPGA dataflow accelerators."""

__version__ = "0.1.0"
