"""Hand a built model to HiGHS and report exactly how the solve ended.

The default path passes the program's arrays to HiGHS in one call
(:func:`bestshore.model.program.solve_with_highs`). Passing a PuLP ``solver`` (e.g.
``pulp.HiGHS()`` or ``pulp.COIN_CMD()``) takes the plain path instead: the same program
built as a PuLP problem and solved by that solver, which is how the tests check the fast
path and cross-check HiGHS against CBC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulp

from bestshore.model.build import SourcingModel
from bestshore.model.program import HighsSession, highs_version, solve_with_highs, solve_with_pulp

__all__ = ["SolveOutcome", "solve_model", "solver_name"]


@dataclass(frozen=True)
class SolveOutcome:
    """How a solve ended.

    Attributes
    ----------
    status : str
        ``optimal``, ``infeasible``, ``unbounded``, ``time_limit``, ``gap_limit``,
        ``iteration_limit``, ``numerical_error`` or ``undefined``.
    has_solution : bool
        Whether the solver returned a feasible plan (true for ``optimal``, and for a
        limit reached after a plan was found).
    objective : float or None
        Objective value of the returned plan [currency/yr].
    gap : float or None
        Relative optimality gap proven (0 for an optimal LP; None when unknown).
    wall_seconds : float
        Time spent in the solver call, hand-over included [s].
    solver : str
        Solver name and version, e.g. ``HiGHS 1.15.1``.
    handover_seconds, solve_seconds : float
        The hand-over of the model to the solver, and the solver's own run [s].
    """

    status: str
    has_solution: bool
    objective: float | None
    gap: float | None
    wall_seconds: float
    solver: str
    variables: int
    constraints: int
    handover_seconds: float = 0.0
    solve_seconds: float = 0.0


def solver_name() -> str:
    return highs_version()


def solve_model(
    model: SourcingModel,
    *,
    time_limit: float | None = None,
    solver: pulp.LpSolver | None = None,
    warm_start: Any = None,
    session: HighsSession | None = None,
) -> SolveOutcome:
    """Solve ``model`` (fast HiGHS path, or ``solver`` through PuLP); read ``status`` first.

    The solution is kept on ``model.solution``. ``warm_start`` is a HiGHS basis from an
    earlier solve of a same-shaped LP (fast path only); the optimum is the same. A
    ``session`` keeps one HiGHS instance across solves (see :class:`HighsSession`).
    """
    if session is not None and solver is None:
        solution = session.solve(model.program.arrays(), time_limit=time_limit)
        model.highs = session.highs
    elif solver is None:
        solution, highs = solve_with_highs(
            model.program.arrays(), time_limit=time_limit, basis=warm_start
        )
        model.highs = highs
    else:
        solution = solve_with_pulp(model.program, solver, time_limit=time_limit)
    model.solution = solution
    return SolveOutcome(
        status=solution.status,
        has_solution=solution.has_solution,
        objective=solution.objective,
        gap=solution.gap,
        wall_seconds=solution.handover_seconds + solution.solve_seconds,
        solver=solution.solver,
        variables=model.program.num_col,
        constraints=model.program.num_row,
        handover_seconds=solution.handover_seconds,
        solve_seconds=solution.solve_seconds,
    )
