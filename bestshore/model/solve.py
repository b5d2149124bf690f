"""Hand a built model to HiGHS (through PuLP) and report exactly how the solve ended."""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import pulp

from bestshore.model.build import SourcingModel

__all__ = ["SolveOutcome", "solve_model"]

_STATUS = {
    pulp.LpSolveStatus.Optimal: "optimal",
    pulp.LpSolveStatus.Infeasible: "infeasible",
    pulp.LpSolveStatus.Unbounded: "unbounded",
    pulp.LpSolveStatus.TimeLimit: "time_limit",
    pulp.LpSolveStatus.GapLimit: "gap_limit",
    pulp.LpSolveStatus.IterationLimit: "iteration_limit",
    pulp.LpSolveStatus.NumericalError: "numerical_error",
}


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
    """

    status: str
    has_solution: bool
    objective: float | None
    gap: float | None
    wall_seconds: float
    solver: str
    variables: int
    constraints: int


def solver_name() -> str:
    version = getattr(highspy.Highs(), "version", lambda: None)()
    return f"HiGHS {version}" if version else "HiGHS"


def solve_model(
    model: SourcingModel, *, time_limit: float | None = None, solver: pulp.LpSolver | None = None
) -> SolveOutcome:
    """Solve with HiGHS (or ``solver``, e.g. CBC to cross-check); read ``status`` first."""
    name = solver_name() if solver is None else type(solver).__name__
    solver = solver or pulp.HiGHS(msg=False, timeLimit=time_limit, threads=1)
    start = time.perf_counter()
    stats = model.problem.solve(solver)
    wall = time.perf_counter() - start
    status = _STATUS.get(stats.status, "undefined")
    gap = stats.gap_rel
    if status == "optimal" and gap is None:
        gap = 0.0
    return SolveOutcome(
        status=status,
        has_solution=bool(stats.has_solution),
        # A solved model without terms (no work to place) reports no objective: it is 0.
        objective=float(stats.objective or 0.0) if stats.has_solution else None,
        gap=gap,
        wall_seconds=wall,
        solver=name,
        variables=model.problem.numVariables(),
        constraints=model.problem.numConstraints(),
    )
