"""Fold: boards, folding files and search, the folded design with its stream plumbing, and
throughput / resource estimates."""

from .boards import Board, list_boards, load_board
from .budget import Budget, parse_budget
from .design import FoldedDesign, Stage, assemble
from .estimate import Estimate, StageEstimate, check_fits, design_resources, estimate
from .folding import folding_to_json, load_folding, read_folding_file
from .report import print_boards, print_estimate, report_dict, report_json
from .search import fold_for_target_fps, max_parallel_folding, minimal_folding, resource_cost

__all__ = [
    # boards
    "Board", "load_board", "list_boards",
    # budget
    "Budget", "parse_budget",
    # folding files
    "load_folding", "read_folding_file", "folding_to_json",
    # search
    "fold_for_target_fps", "max_parallel_folding", "minimal_folding", "resource_cost",
    # design
    "assemble", "FoldedDesign", "Stage",
    # estimate
    "estimate", "Estimate", "StageEstimate", "check_fits", "design_resources",
    # reports
    "report_dict", "report_json", "print_estimate", "print_boards",
]
