"""Hand a built model to HiGHS and report exactly how the solve ended.

The default path passes the program's arrays to HiGHS in one call
(:func:`bestshore.model.program.solve_with_highs`). Passing a PuLP ``solver`` (e.g.
``pulp.HiGHS()`` or ``pulp.COIN_CMD()``) takes the plain path instead: the same program
built as a PuLP problem and solved by that solver, which is how the tests check the fast
path and cross-check HiGHS against CBC.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING

import highspy
import numpy as np

from bestshore.model.build import SourcingModel
from bestshore.model.program import (
    HighsSession,
    Solution,
    new_highs,
    solve_with_highs,
    solve_with_pulp,
)

if TYPE_CHECKING:  # PuLP is loaded when its path solves, not with the package
    import pulp

__all__ = ["solve_model"]


def solve_model(
    model: SourcingModel,
    *,
    time_limit: float | None = None,
    solver: pulp.LpSolver | None = None,
    session: HighsSession | None = None,
    gap_tolerance: float | None = None,
    node_limit: int | None = None,
    fixed: np.ndarray | None = None,
    basis: highspy.HighsBasis | None = None,
) -> Solution:
    """Solve ``model`` (fast HiGHS path, or ``solver`` through PuLP); read ``status`` first.

    The solution is also kept on ``model.solution``. A ``session`` keeps one HiGHS
    instance across solves (see :class:`~bestshore.model.program.HighsSession`). A MILP
    stops at the relative ``gap_tolerance`` (HiGHS's default 1e-4 when None), or after
    ``node_limit`` branch-and-bound nodes (a deterministic limit: HiGHS on one thread;
    a PuLP solver other than HiGHS is not limited). ``fixed`` gives a value to each
    integer column (in column order, NaN elsewhere): they are held there and the rest
    solved as an LP. ``basis`` (an LP's) is where the simplex starts when it starts
    afresh (:func:`~bestshore.model.program.solve_with_highs`).
    """
    arrays = model.program.arrays()
    if fixed is not None:
        held = ~np.isnan(fixed)
        lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
        lower[held] = upper[held] = fixed[held]
        arrays = dataclasses.replace(
            arrays, col_lower=lower, col_upper=upper, integer=arrays.integer & ~held
        )
    if session is not None and solver is None and node_limit is None:
        solution = session.solve(
            arrays, time_limit=time_limit, gap_tolerance=gap_tolerance, basis=basis
        )
    elif solver is None:
        highs = new_highs()
        if node_limit is not None:
            highs.setOptionValue("mip_max_nodes", int(node_limit))
        solution, _ = solve_with_highs(
            arrays, time_limit=time_limit, gap_tolerance=gap_tolerance, highs=highs, basis=basis
        )
    else:
        import pulp  # a solver given: PuLP is loaded already

        if node_limit is not None and isinstance(solver, pulp.HiGHS):
            solver = copy.copy(solver)
            solver.optionsDict = {**solver.optionsDict, "mip_max_nodes": int(node_limit)}
        solution = solve_with_pulp(
            model.program, solver, time_limit=time_limit, gap_tolerance=gap_tolerance,
            fixed=fixed,
        )  # fmt: skip
    model.solution = solution
    return solution
