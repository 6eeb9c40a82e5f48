"""Streamline: turn an imported quantized graph into an integer-only graph.

After `streamline`, every MatMul has integer inputs and integer weights, each activation
quantizer is a MultiThreshold on an integer accumulator, and float ops remain only before the
first quantizer (host pre-processing) and after the last integer op (host post-processing).
"""

from __future__ import annotations

from ..ir.execute import infer_shapes
from ..ir.graph import Graph
from ..ir.passes import run_to_fixpoint
from .accumulators import infer_accumulator_types
from .quantizers import split_activation_quantizers
from .joins import (
    average_pool_as_depthwise_sum, duplicate_shared_dequant, integer_concat, integer_global_pool,
    integer_residual_add,
)
from .layout_types import propagate_integer_types
from .padding import fold_pad_into_conv
from .reorder import (
    move_add_past_linear, move_affine_past_pool, move_mul_past_linear,
    move_scalar_affine_past_reshape, remove_noop_reshapes,
)
from .thresholds import absorb_into_thresholds, accumulator_range, find_thresholds
from .weights import quantize_weights

PASSES = (
    remove_noop_reshapes,
    fold_pad_into_conv,
    quantize_weights,
    split_activation_quantizers,
    move_mul_past_linear,
    move_add_past_linear,
    move_affine_past_pool,
    move_scalar_affine_past_reshape,
    duplicate_shared_dequant,
    integer_residual_add,
    integer_concat,
    integer_global_pool,
    average_pool_as_depthwise_sum,
    propagate_integer_types,
    absorb_into_thresholds,
    infer_accumulator_types,
)


def streamline(g: Graph) -> Graph:
    """Run the streamlining passes to a fixed point and re-infer shapes."""
    return infer_shapes(run_to_fixpoint(g, PASSES))


__all__ = [
    "streamline", "PASSES", "fold_pad_into_conv",
    # passes
    "remove_noop_reshapes", "quantize_weights", "split_activation_quantizers",
    "move_mul_past_linear", "move_add_past_linear", "move_affine_past_pool",
    "move_scalar_affine_past_reshape", "propagate_integer_types",
    "duplicate_shared_dequant", "integer_residual_add", "integer_concat", "integer_global_pool",
    "average_pool_as_depthwise_sum",
    "absorb_into_thresholds",
    "infer_accumulator_types",
    # arithmetic
    "accumulator_range", "find_thresholds",
]
