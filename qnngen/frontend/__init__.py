"""Frontend: (Q)ONNX files into qnngen's Graph."""

from .qonnx_import import from_onnx, load_model

__all__ = ["load_model", "from_onnx"]
