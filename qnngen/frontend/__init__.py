"""Frontend: (Q)ONNX files into qnngen's Graph."""

from .qonnx_import import from_onnx, load_model
from .validate import MAX_ELEMENTS, MAX_QUANT_BITS, checked_shapes, validate_onnx

__all__ = ["load_model", "from_onnx", "validate_onnx", "checked_shapes", "MAX_ELEMENTS", "MAX_QUANT_BITS"]
