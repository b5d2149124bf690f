"""The one-call Python API: ``load_scenario`` -> ``solve`` -> ``Result``; ``compare``.

Each step is also callable on its own (``prepare_inputs``, ``build_model``,
``solve_model``, ``extract_result``, ``verify``) for those who need the pieces.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from bestshore import progress
from bestshore.model import Diagnosis, diagnose_infeasibility, prepare_inputs
from bestshore.model.inputs import ModelInputs
from bestshore.model.plan import Plan, plan_sourcing
from bestshore.model.program import HighsSession, KeyedBasis
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.result import Result, extract_result
from bestshore.scenario import Scenario, load_scenario
from bestshore.verify import verify

__all__ = [
    "InfeasibleScenarioError",
    "SolveError",
    "VerificationError",
    "compare",
    "solve",
]


class SolveError(RuntimeError):
    """The solver returned no usable plan (status other than optimal or a limit with a plan)."""

    def __init__(self, status: str, message: str) -> None:
        self.status = status
        super().__init__(message)


class InfeasibleScenarioError(SolveError):
    """No plan satisfies every rule; ``diagnosis`` names the rules that must give."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        super().__init__("infeasible", f"no feasible plan: {diagnosis.summary}")


class VerificationError(SolveError):
    """The independent checker found the returned plan breaks a rule (a bug: report it)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "verification_failed", "plan failed verification: " + "; ".join(problems[:5])
        )


def solve(
    scenario: Scenario | str | Path,
    *,
    check: bool = True,
    timings: dict[str, float] | None = None,
) -> Result:
    """Solve a scenario (object or file path) and return its :class:`Result`.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario, possibly changed in code since loading, or a YAML path.
    check : bool
        Run the independent checker (:func:`bestshore.verify`) on the plan (default).
    timings : dict, optional
        Filled with the seconds spent per stage: ``inputs`` (demand, rates, eligible
        set), ``build``, ``handover``, ``solve``, ``staffing`` (summed over the staffing
        rounds, counted in ``rounds``), ``extract`` and ``verify``. For benchmarks.

    Raises
    ------
    ScenarioError
        The scenario is invalid.
    InfeasibleScenarioError
        No plan satisfies the rules; carries a :class:`Diagnosis`.
    SolveError
        The solver stopped without a plan (time limit, numerical trouble).
    VerificationError
        The plan breaks a rule: never shown as an answer.
    """
    # A scenario object may have been changed in code since it was loaded: validate again.
    scenario = scenario.revalidated() if isinstance(scenario, Scenario) else load_scenario(scenario)
    clock = timings if timings is not None else {}
    start = time.perf_counter()
    progress.report("preparing inputs (demand, rates, eligible set)")
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    clock["inputs"] = time.perf_counter() - start
    return solve_prepared(inputs, eligibility, check=check, timings=clock)[0]


def solve_prepared(
    inputs: ModelInputs,
    eligibility: Eligibility,
    *,
    check: bool = True,
    timings: dict[str, float] | None = None,
    session: HighsSession | None = None,
    previous: Plan | None = None,
    quick: bool = False,
    start: KeyedBasis | None = None,
    summary: bool = False,
) -> tuple[Result, Plan]:
    """:func:`solve` from prepared inputs and eligible set, with the accepted plan
    (``summary``: a summary result, :func:`~bestshore.result.extract.extract_result`).

    For :class:`bestshore.Workbench`, which keeps the inputs, a HiGHS ``session`` and
    its ``previous`` plan (whose model is re-priced, and whose margins a ``quick``
    re-solve starts from, its relaxation's simplex from ``start``, see
    :func:`~bestshore.model.plan.plan_sourcing`). A ``quick``
    re-solve that finds no plan is solved again afresh: only a fresh solve's verdict
    (infeasible, or no plan) is reported.
    """
    clock = timings if timings is not None else {}
    scenario = inputs.scenario
    progress.report("solving (the relaxation, then plans staffed exactly by Erlang C)")
    planning = plan_sourcing(
        inputs, eligibility, session=session, previous=previous, quick=quick, start=start
    )
    if quick and planning.plan is None:
        # A warm start proves nothing when it finds no plan (the room it held back from
        # the start may leave none): solve afresh; the fresh solve's outcome is the answer.
        warm = planning.timings
        planning = plan_sourcing(inputs, eligibility, session=session, previous=previous)
        planning.timings.update({k: v + planning.timings.get(k, 0.0) for k, v in warm.items()})
    clock.update(planning.timings)
    first, plan = planning.first_solution, planning.plan
    if first.status == "infeasible":
        progress.report("diagnosing the infeasibility")
        eligible = planning.first_model.eligibility
        raise InfeasibleScenarioError(diagnose_infeasibility(inputs, eligible))
    if not first.has_solution:
        raise SolveError(first.status, f"solver stopped without a plan: {first.status}")
    if plan is None:
        raise SolveError(
            "staffing_not_converged",
            "no plan whose exact Erlang C staffing fits every capacity and seat limit was "
            "found (split queues need more agents than the relaxation charged them); add "
            "capacity or relax a cap",
        )
    tick = time.perf_counter()
    progress.report("extracting the result")
    result = extract_result(plan, summary=summary)
    clock["extract"] = time.perf_counter() - tick
    if check:
        progress.report("verifying the plan")
        tick = time.perf_counter()
        problems = verify(scenario, result)
        clock["verify"] = time.perf_counter() - tick
        if problems:
            raise VerificationError(problems)
    return result, plan


def compare(results: Sequence[Result] | Mapping[str, Result]) -> dict[str, pd.DataFrame]:
    """Side-by-side KPIs and allocation differences of several results.

    Returns
    -------
    dict with
        ``kpis``: one column per result, one row per KPI.
        ``fte_by_site``: FTE per site, one column per result, plus ``change`` (last minus
        first) for sites whose staffing differs.
        ``fte_by_shore``: FTE per shore, one column per result.
    """
    named = dict(results) if isinstance(results, Mapping) else _names(results)
    kpis = pd.DataFrame({name: pd.Series(r.kpis, dtype=object) for name, r in named.items()})
    kpis.index.name = "kpi"
    sites = pd.DataFrame(
        {name: r.sites.set_index("site")["fte"] for name, r in named.items()}
    ).fillna(0.0)
    sites.index.name = "site"
    names = list(named)
    sites["change"] = sites[names[-1]] - sites[names[0]]
    changed = sites[sites[names].round(6).nunique(axis=1) > 1]
    shores = pd.DataFrame(
        {name: r.allocation.groupby("shore")["fte"].sum() for name, r in named.items()}
    ).fillna(0.0)
    shores.index.name = "shore"
    return {"kpis": kpis, "fte_by_site": changed, "fte_by_shore": shores}


def _names(results: Sequence[Result]) -> dict[str, Result]:
    named: dict[str, Result] = {}
    for i, result in enumerate(results):
        name = result.scenario_name
        named[name if name not in named else f"{name} ({i + 1})"] = result
    return named
