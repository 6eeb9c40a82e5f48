"""Exact multiple-choice selection under resource limits, as a small integer program (HiGHS).

One option per group (a layer's folds); every option has resources (one column per kind) and
an interval. The program has a binary x per option, sum x = 1 per group, sum res x <= limit per
resource kind, and either minimizes the total cost or the largest chosen interval. For the
latter, with t_0 < t_1 < ... the distinct intervals, a y_j in [0, 1] per level j >= 1 is at
least the sum of the x of any one group's options at level j or above, and y_j >= y_(j+1); the
program minimizes sum (t_j - t_(j-1)) y_j, which for integral x is the largest interval minus t_0
(the sum of the steps up to each group's level: tighter than T >= each group's interval).

A link adds resources that depend on the choices of several groups together (the stream plumbing
between two layers). Each member group's options fall into classes; a variable z in [0, 1] per
combination of one class per member, with, for every member and class, the sum of the z of the
combinations having that class = the sum of the x of that class's options. With the x integral,
exactly the z of the chosen classes is 1, so the link's resources and cost are exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from highspy import HighsLp, HighsModelStatus, HighsVarType, MatrixFormat, kSolutionStatusFeasible

# the core class: highspy.Highs logs its banner on stdout when constructed, before output_flag
# can be cleared (ERGO-Code/HiGHS#2749); the core class logs nothing and needs no callbacks
from highspy._core import _Highs

#: seconds before the solver returns its best solution so far
TIME_LIMIT_S = 20.0


@dataclass(frozen=True)
class Link:
    """Resources used by a combination of options of several groups: `members[j][c]` are the
    options (indices into Groups) of class c of the j-th group linked; combination i, of class
    combos[i, j] for every j, uses resources[i] and costs cost[i]. Every combination is listed."""

    members: tuple[tuple[np.ndarray, ...], ...]
    combos: np.ndarray  # (m, len(members)) class ids
    resources: np.ndarray  # (m, kinds)
    cost: np.ndarray  # (m,)


@dataclass(frozen=True)
class Groups:
    """The options of every group: resources (n, kinds), interval (n,), cost (n,), group (n,)."""

    resources: np.ndarray
    interval: np.ndarray
    cost: np.ndarray
    group: np.ndarray
    links: tuple[Link, ...] = ()

    @property
    def n_groups(self) -> int:
        return int(self.group.max()) + 1

    @property
    def n_columns(self) -> int:
        """x per option, then z per combination of every link."""
        return len(self.cost) + sum(len(link.cost) for link in self.links)

    def column_resources(self) -> np.ndarray:
        """(n_columns, kinds): the resources of every x, then of every z."""
        return np.concatenate([self.resources] + [link.resources for link in self.links])


_Row = list[tuple[int, float]]


def _link_rows(g: Groups) -> list[_Row]:
    """Per link, member and class: sum of its combinations' z - sum of its options' x (= 0)."""
    rows, col = [], len(g.cost)
    for link in g.links:
        for j, classes in enumerate(link.members):
            for c, options in enumerate(classes):
                z = np.flatnonzero(link.combos[:, j] == c) + col
                rows.append([(int(i), 1.0) for i in z] + [(int(i), -1.0) for i in options])
        col += len(link.cost)
    return rows


def _level_rows(g: Groups) -> list[_Row]:
    """y_j - y_(j+1), and per group and each level j >= 1 of its own options: y_j - the sum of
    the x of its options at level j or above (both >= 0; the levels between a group's own follow
    through y_j >= y_(j+1)); y_j is column n_columns + j - 1."""
    levels, col = np.unique(g.interval), g.n_columns - 1
    rows = [[(col + j, 1.0), (col + j + 1, -1.0)] for j in range(1, len(levels) - 1)]
    level = np.searchsorted(levels, g.interval)
    for k in range(g.n_groups):
        options = np.flatnonzero(g.group == k)
        for j in np.unique(level[options]):
            if j > 0:
                at_or_above = options[level[options] >= j]
                rows.append([(col + int(j), 1.0)] + [(int(i), -1.0) for i in at_or_above])
    return rows


def _rows(
    g: Groups, limits: np.ndarray, by_interval: bool, exclude: list[np.ndarray]
) -> tuple[list[_Row], list[float], list[float]]:
    """Constraint rows as (column, coefficient) lists with their lower and upper bounds."""
    inf = np.inf
    rows, lower, upper = [], [], []
    for k in range(g.n_groups):
        rows.append([(int(i), 1.0) for i in np.flatnonzero(g.group == k)])
        lower.append(1.0)
        upper.append(1.0)
    links = _link_rows(g)
    rows += links
    lower += [0.0] * len(links)
    upper += [0.0] * len(links)
    res = g.column_resources()
    for r in range(res.shape[1]):
        worst = np.zeros(g.n_groups)
        np.maximum.at(worst, g.group, g.resources[:, r])
        worst_links = sum(float(link.resources[:, r].max(initial=0.0)) for link in g.links)
        # a kind within its limit even at each group's and link's largest use binds nothing
        if worst.sum() + worst_links > limits[r]:
            rows.append([(int(i), float(res[i, r])) for i in np.flatnonzero(res[:, r] > 0)])
            lower.append(-inf)
            upper.append(float(limits[r]))
    if by_interval:
        levels = _level_rows(g)
        rows += levels
        lower += [0.0] * len(levels)
        upper += [inf] * len(levels)
    for cut in exclude:
        rows.append([(int(i), 1.0) for i in cut])
        lower.append(-inf)
        upper.append(len(cut) - 1.0)
    return rows, lower, upper


def choose(
    g: Groups, limits: np.ndarray, minimize_interval: bool, exclude: list[np.ndarray] = []
) -> np.ndarray | None:
    """The chosen option of each group (indices into g), or None if no choice is within `limits`
    (options' and links' resources together) other than the choices in `exclude` (each an
    option per group).

    Minimizes the largest chosen interval if `minimize_interval`, else the total cost of the
    options and links; both exactly (an absolute gap below 1 on the interval, whose values are
    integers; 1e-7 relative on the cost).
    """
    n, cols = len(g.cost), g.n_columns
    rows, lower, upper = _rows(g, limits, minimize_interval, exclude)
    cost = np.concatenate([g.cost] + [link.cost for link in g.links]).astype(float)
    lp = HighsLp()
    steps = np.diff(np.unique(g.interval)).astype(float) if minimize_interval else np.zeros(0)
    lp.num_col_, lp.num_row_ = cols + len(steps), len(rows)
    lp.col_cost_ = np.r_[np.zeros(cols), steps] if minimize_interval else cost
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.ones(lp.num_col_)
    lp.integrality_ = [HighsVarType.kInteger] * n + [HighsVarType.kContinuous] * (lp.num_col_ - n)
    lp.row_lower_, lp.row_upper_ = np.array(lower), np.array(upper)
    lp.a_matrix_.format_ = MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.cumsum([0] + [len(r) for r in rows])
    lp.a_matrix_.index_ = np.array([c for r in rows for c, _ in r], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for r in rows for _, v in r])
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", TIME_LIMIT_S)
    h.setOptionValue("mip_rel_gap", 0.0 if minimize_interval else 1e-7)
    h.setOptionValue("mip_abs_gap", 0.5 if minimize_interval else 0.0)
    h.passModel(lp)
    h.run()
    solved = h.getModelStatus() in (HighsModelStatus.kOptimal, HighsModelStatus.kTimeLimit)
    if not solved or h.getInfo().primal_solution_status != kSolutionStatusFeasible:
        return None
    x = np.asarray(h.getSolution().col_value[:n])
    picked = np.flatnonzero(x > 0.5)
    return picked[np.argsort(g.group[picked])]
