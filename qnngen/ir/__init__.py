"""qnngen's own IR: datatypes, ops, graphs and the reference executor."""

from .datatypes import BIPOLAR, FLOAT32, INT, UINT, BipolarType, DataType, FloatType, IntType
from .datatypes import parse_dtype, smallest_int_type
from .execute import execute, infer_shapes
from .graph import Graph, Node
from . import ops

__all__ = [
    # datatypes
    "DataType", "IntType", "BipolarType", "FloatType", "BIPOLAR", "FLOAT32", "INT", "UINT",
    "parse_dtype", "smallest_int_type",
    # graph
    "Graph", "Node", "ops",
    # execution
    "execute", "infer_shapes",
]
