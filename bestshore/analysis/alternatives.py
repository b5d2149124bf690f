"""Near-optimal alternatives: plans within x % of the best plan's cost that differ most
from it and from each other (modelling to generate alternatives, MGA).

A procurement team rarely wants *the* optimum alone: a plan that costs 1 % more but
keeps a second vendor, or leaves Morocco, may be the one to sign. This module finds
such plans and says what they change.

**The budget.** The scenario is solved (:func:`bestshore.solve`): its plan costs ``U*``
and the best possible plan is proven to cost at least ``L*`` (its lower bound). An
alternative must cost at most ``B = (1 + slack) U*``, exactly: its exact cost (staffed
in whole agents, costed month by month, every cost outside the staffing rows included)
is what is compared, never an estimate. Against the true optimum ``OPT`` (in
``[L*, U*]``) an alternative costing ``U`` is ``U/U* - 1`` above the best plan found and
at most ``U/L* - 1`` above the optimum: both are reported.

**The directions** (:func:`directions`). Each is an objective on the work the plan
gives the groups of ``by`` (sites by default; vendors, countries or shores), minimized
under the budget (:func:`bestshore.model.alternatives.capped_program`), as PyPSA's MGA
does with its ``weights`` and ``sense``:

- *away from the best plan* (Hop-Skip-Jump): each group weighs its share of the best
  plan's work, so the plan sheds the groups the best plan leans on most;
- *least work at g*, for each group the best plan uses;
- *most work at g*, for each group.

**The rounds.** A direction's program is the relaxation (:mod:`bestshore.model.plan`),
so its plan is priced like any plan: it is staffed exactly
(:func:`~bestshore.model.plan.price_exactly`); a plan over a capacity or seat limit
holds the overshoot back and solves again (as the solve's rounds that fit a plan); a
plan over the budget once costed exactly (splitting queues needs more agents than the
relaxation charges) lowers the LP's budget by the excess and solves again. The first
plan that fits every limit and the budget is the direction's; a direction that finds
none within :data:`MAX_ROUNDS` rounds gives none (reported).

**The choice** (:func:`farthest_first`). The distance between two plans is the share of
the work they place differently, ``½ Σ_g |w_g/W - w'_g/W'|`` over the groups of ``by``
(``w_g`` the handle hours group g handles, ``W`` the plan's total) [fraction, 0 to 1].
Among the directions' plans, the one farthest from the best plan is taken first, then
repeatedly the one whose distance to the nearest plan already taken is largest, until
``count`` are taken or none differs from those taken by more than ``min_distance``.

**Each alternative is a real plan**: extracted as a :class:`~bestshore.Result` and
checked by :func:`bestshore.verify` like any other; its ``status`` and proven ``gap``
are against ``L*`` (how far it may be above the optimum: an alternative is ``feasible``,
not ``optimal``, unless it is within the gap tolerance of the bound).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.analysis.comparison import DIMENSIONS, allocation_changes
from bestshore.analysis.errors import AnalysisError
from bestshore.api import VerificationError, solve_prepared
from bestshore.model.alternatives import capped_program, handled_hours
from bestshore.model.build import SourcingModel, build_model
from bestshore.model.constraints import Margins
from bestshore.model.families import without
from bestshore.model.inputs import ModelInputs, prepare_inputs
from bestshore.model.plan import (
    Plan,
    grow_margins,
    halve_margins,
    held_back,
    price_exactly,
    price_year,
)
from bestshore.model.program import Solution, solve_with_highs
from bestshore.model.reprice import build_or_reprice
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.result import Result, extract_result
from bestshore.scenario import Scenario
from bestshore.verify import verify

__all__ = [
    "ALTERNATIVE_COLUMNS",
    "DIRECTION_COLUMNS",
    "MAX_ROUNDS",
    "Alternatives",
    "Direction",
    "directions",
    "farthest_first",
    "near_optimal_alternatives",
    "plan_distance",
]

MAX_ROUNDS = 12
"""Most staffing rounds a direction takes to find a plan within limits and budget."""

MIN_DISTANCE = 0.001
"""Plans closer than this share of the work to one already taken are not different."""

_TIE_BREAK = 1e-4  # the whole best plan's cost weighs this much in a direction's objective

ALTERNATIVE_COLUMNS = [
    "plan", "name", "direction", "total_cost", "lower_bound", "status", "gap",
    "cost_over_best", "cost_over_optimum_max", "budget", "work_moved", "nearest",
    "sites_used", "vendors_used", "total_fte", "csat",
]  # fmt: skip
DIRECTION_COLUMNS = [
    "direction", "group", "sense", "outcome", "rounds", "total_cost", "work_moved",
]  # fmt: skip


@dataclass(frozen=True)
class Direction:
    """One search direction: ``sense`` ``away`` (from the best plan's groups), ``least``
    or ``most`` work at ``group`` (an id of the ``by`` dimension), and its words."""

    sense: str
    group: str | None
    words: str


@dataclass(frozen=True)
class Alternatives:
    """Near-optimal alternatives of a scenario (module docstring).

    Attributes
    ----------
    table : DataFrame
        One row per plan, the best first (``plan`` 0): ``name`` (``best plan``,
        ``alternative 1``, ...), ``direction`` (in words), ``total_cost`` and
        ``lower_bound`` [currency/yr; the bound is the best plan's, ``L*``],
        ``status`` and ``gap`` (proven against ``L*``, fraction), ``cost_over_best``
        (``U/U* - 1``) and ``cost_over_optimum_max`` (``U/L* - 1``: the most it may be
        above the optimum) [fraction], ``budget`` [currency/yr], ``work_moved`` (share
        of the work placed differently from the best plan, by ``by``) and ``nearest``
        (the least such share to any other plan listed) [fraction], ``sites_used``,
        ``vendors_used``, ``total_fte`` [FTE], ``csat`` [points].
    changes : DataFrame
        FTE and volume per site, vendor, country and shore of each alternative against
        the best plan (:attr:`bestshore.analysis.comparison.Comparison.allocation`'s
        layout; ``scenario`` is the plan's ``name``).
    results : dict
        Each plan's :class:`~bestshore.Result` by ``name``, the best plan's first.
    directions : DataFrame
        Every direction tried: ``direction`` (words), ``group``, ``sense``, ``outcome``
        (``chosen: alternative k``, ``same as the best plan``, ``same as alternative
        k``, ``not chosen``, ``no plan within budget``), ``rounds``, ``total_cost``
        [currency/yr; a plan cheaper than the best one shows the best plan is not proven
        optimal: it is within its gap], ``work_moved`` [fraction].
    slack, budget : float
        The slack [fraction] and the budget ``(1 + slack) U*`` [currency/yr].
    by : str
        The dimension of the directions and distances (site, vendor, country, shore).
    """

    table: pd.DataFrame
    changes: pd.DataFrame
    results: dict[str, Result]
    directions: pd.DataFrame
    slack: float
    budget: float
    by: str
    currency: str
    labels: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Found:
    """A direction's plan: the round's model (solved), its exact pricing, factors,
    margins and rounds."""

    plan: Plan
    work: pd.Series  # handle hours per group [h per sizing week]
    rounds: int


# --- distances ------------------------------------------------------------------------------


def plan_distance(a: pd.Series, b: pd.Series) -> float:
    """Share of the work two plans place differently: ``½ Σ_g |a_g/Σa - b_g/Σb|``
    [fraction, 0 to 1]; ``a`` and ``b`` are work per group (missing groups are 0)."""
    keys = a.index.union(b.index)
    x = a.reindex(keys, fill_value=0.0).to_numpy(float)
    y = b.reindex(keys, fill_value=0.0).to_numpy(float)
    sx, sy = x.sum(), y.sum()
    if sx <= 0 or sy <= 0:
        return 0.0 if sx == sy else 1.0
    return float(0.5 * np.abs(x / sx - y / sy).sum())


def farthest_first(
    reference: pd.Series, candidates: list[pd.Series], count: int, min_distance: float
) -> list[int]:
    """Indices of up to ``count`` candidates chosen farthest first: each the one whose
    distance (:func:`plan_distance`) to the nearest of the reference and those already
    chosen is largest, while it exceeds ``min_distance``; ties go to the first listed."""
    chosen: list[int] = []
    nearest = [plan_distance(reference, c) for c in candidates]
    while len(chosen) < count:
        left = [i for i in range(len(candidates)) if i not in chosen]
        if not left:
            break
        best = max(left, key=lambda i: (nearest[i], -i))
        if nearest[best] <= min_distance:
            break
        chosen.append(best)
        for i in left:
            nearest[i] = min(nearest[i], plan_distance(candidates[best], candidates[i]))
    return chosen


# --- directions -----------------------------------------------------------------------------


def _groups(inputs: ModelInputs, eligibility: Eligibility, by: str) -> np.ndarray:
    """The ``by`` group of each eligible assignment (its site, vendor, country or shore)."""
    sites = eligibility.assignments["site"]
    if by == "site":
        return sites.to_numpy(dtype=object)
    if by == "vendor":
        return eligibility.assignments["vendor"].astype(str).to_numpy(dtype=object)
    return sites.map(inputs.sites[by]).astype(str).to_numpy(dtype=object)


def _work(model: SourcingModel, groups: np.ndarray) -> pd.Series:
    """Handle hours per group the model's solved plan handles [h per sizing week]."""
    hours = handled_hours(model.eligibility) * model.shares()
    return pd.Series(hours).groupby(groups).sum().loc[lambda s: s > 1e-9]


def directions(best_work: pd.Series, groups: np.ndarray, names: dict[str, str]) -> list[Direction]:
    """The directions searched (module docstring): away from the best plan, then least
    work at each group the best plan uses, then most work at each group, groups by id."""
    found = [Direction("away", None, "away from the best plan's choices")]
    for group in sorted(best_work.index):
        found.append(Direction("least", str(group), f"least work at {names.get(group, group)}"))
    for group in sorted(set(groups)):
        found.append(Direction("most", str(group), f"most work at {names.get(group, group)}"))
    return found


def _direction_weights(
    direction: Direction, groups: np.ndarray, best_work: pd.Series, hours: np.ndarray
) -> np.ndarray:
    """Coefficient of each share column: ``w_g h / W`` (``W`` the best plan's work)."""
    total = float(best_work.sum()) or 1.0
    if direction.sense == "away":
        shares = best_work / total
        weight = pd.Series(groups).map(shares).fillna(0.0).to_numpy(dtype=float)
    else:
        sign = 1.0 if direction.sense == "least" else -1.0
        weight = np.where(groups == direction.group, sign, 0.0)
    return weight * hours / total


# --- one direction: staffing rounds under the budget --------------------------------------


def _search(
    best: Plan,
    inputs: ModelInputs,
    eligibility: Eligibility,
    direction: np.ndarray,
    budget: float,
    groups: np.ndarray,
) -> _Found | None:
    """The direction's plan within every limit and the budget (module docstring)."""
    objective = inputs.scenario.objective
    margins = best.margins
    # The relaxation without the queue openings' binaries: they only tighten the bound,
    # a direction's plan is costed exactly anyway, and as binaries (or relaxed) they
    # made the directions take minutes on the demo instead of seconds.
    base: SourcingModel = build_model(
        inputs, eligibility=eligibility, families=without("queue_opening")
    )
    # The LP prices the best plan at lp_objective, exactly it costs exact_cost: the LP's
    # budget starts as far from its objective as the exact budget is from the exact cost.
    lp_budget = budget + (best.lp_objective - best.exact_cost)
    tie = _TIE_BREAK / max(abs(best.exact_cost), 1.0)
    for round_ in range(MAX_ROUNDS):
        model, _ = build_or_reprice(inputs, base=base, eligibility=eligibility, margins=margins)
        base = model
        arrays = model.program.arrays()
        solution, _ = solve_with_highs(
            capped_program(model, lp_budget, direction, tie),
            time_limit=objective.time_limit_seconds,
            gap_tolerance=objective.gap_tolerance,
        )
        if not solution.has_solution or solution.values is None:
            if held_back(margins):
                margins = halve_margins(margins)
                continue
            return None
        values = solution.values[: arrays.num_col]
        model.solution = Solution(
            status=solution.status,
            has_solution=True,
            objective=float(arrays.cost @ values + arrays.offset),
            gap=solution.gap,
            values=values,
            duals=None,  # the duals of a direction are not prices of the plan's rules
            handover_seconds=solution.handover_seconds,
            solve_seconds=solution.solve_seconds,
            solver=solution.solver,
            num_col=arrays.num_col,
            num_row=arrays.num_row,
        )
        priced = price_exactly(model)
        if priced.accepted:
            year = price_year(model, priced.exact, priced.outside)
            cost = float(year.row_costs.sum() + year.outside["cost"].sum())
            if cost <= budget * (1 + 1e-9):
                return _Found(
                    _plan(best, model, priced, year, margins), _work(model, groups), round_ + 1
                )
            lp_budget -= cost - budget + 1e-6 * budget  # the LP under-priced this plan
        else:
            margins = grow_margins(margins, priced.over)
    return None


def _plan(best: Plan, model: SourcingModel, priced: Any, year: Any, margins: Margins) -> Plan:
    """An accepted alternative as a :class:`Plan`: its own staffing and year, the best
    plan's bound (a bound on every plan's cost)."""
    staffing = priced.exact.staffing.copy()
    staffing["annual_cost"] = year.row_costs
    staffing["annual_hours"] = year.row_hours
    bound = best.lower_bound
    assert model.solution is not None
    return Plan(
        model=model,
        outcome=model.solution,
        staffing=staffing,
        pooled_agents=best.pooled_agents,
        history=[
            {
                "lp_objective": float(model.solution.objective or 0.0),
                "lp_bound": np.nan if bound is None else bound,
                "exact_cost": priced.cost,
                "accepted": True,
            }
        ],
        margins=margins,
        shifts=priced.exact.shifts,
        roster_hours=priced.exact.roster_hours,
        year=year,
        bound=bound,
    )


# --- the search -----------------------------------------------------------------------------


def near_optimal_alternatives(
    scenario: Scenario,
    *,
    slack: float = 0.02,
    count: int = 3,
    by: str = "site",
    check: bool = True,
    min_distance: float = MIN_DISTANCE,
    on_progress: Callable[[int, int], None] | None = None,
) -> Alternatives:
    """Plans within ``slack`` of the best plan's cost that differ most from it and from
    each other (module docstring).

    Parameters
    ----------
    scenario : Scenario
    slack : float
        The budget above the best plan's cost [fraction], above 0 to 1 (0.02: 2 %).
    count : int
        Alternatives wanted, 1 to 50 (fewer are returned when fewer differ).
    by : str
        ``site``, ``vendor``, ``country`` or ``shore``: what the directions move work
        between and what the distances count.
    check : bool
        Check each plan with :func:`bestshore.verify` (default).
    on_progress : callable, optional
        ``on_progress(done, total)`` after each direction.

    Raises
    ------
    AnalysisError
        A bad slack, count or dimension (one line).
    InfeasibleScenarioError, SolveError
        The scenario itself has no plan (as :func:`bestshore.solve`).
    VerificationError
        An alternative breaks a rule (a bug: never shown as an answer).
    """
    if not 0 < slack <= 1:
        raise AnalysisError(  # shown in percent, as the command line takes it
            f"--slack {slack * 100:.4g}%: give a slack above 0 % and at most 100 %"
        )
    if not 1 <= count <= 50:
        raise AnalysisError(f"--count {count}: give 1 to 50 alternatives")
    if by not in DIMENSIONS:
        raise AnalysisError(f"--by {by!r}: choose one of {', '.join(DIMENSIONS)}")
    start = time.perf_counter()
    scenario = scenario.revalidated()
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    best_result, best = solve_prepared(inputs, eligibility, check=check)
    budget = (1 + slack) * best.exact_cost
    groups = _groups(inputs, eligibility, by)
    # the best plan's model may be of a narrower eligible set (the pooled hours'
    # re-plan): its work grouped by its own assignments, the directions by all of them
    best_work = _work(best.model, _groups(inputs, best.model.eligibility, by))
    names = {str(r.id): str(r.name) for r in best_result.labels.itertuples() if str(r.kind) == by}
    hours = handled_hours(eligibility)
    tried = directions(best_work, groups, names)
    found: list[tuple[Direction, _Found | None]] = []
    for number, direction in enumerate(tried, start=1):
        weights = _direction_weights(direction, groups, best_work, hours)
        found.append((direction, _search(best, inputs, eligibility, weights, budget, groups)))
        if on_progress is not None:
            on_progress(number, len(tried))
    plans = [(d, f) for d, f in found if f is not None]
    picked = farthest_first(best_work, [f.work for _, f in plans], count, min_distance)
    chosen = [plans[i] for i in picked]
    results: dict[str, Result] = {"best plan": best_result}
    for number, (_, alternative) in enumerate(chosen, start=1):
        result = extract_result(alternative.plan)
        if check:
            problems = verify(scenario, result)
            if problems:
                raise VerificationError(problems)
        results[f"alternative {number}"] = result
    works = [best_work, *(f.work for _, f in chosen)]
    table = _table(results, works, [None, *(d for d, _ in chosen)], best, budget)
    changes = allocation_changes(results, "best plan")
    taken = {id(f): name for (_, f), name in zip(chosen, list(results)[1:], strict=True)}
    tried_table = _directions_table(found, best_work, taken, min_distance)
    return Alternatives(
        table=table,
        changes=changes,
        results=results,
        directions=tried_table,
        slack=slack,
        budget=budget,
        by=by,
        currency=best_result.currency,
        labels=best_result.labels,
        seconds=time.perf_counter() - start,
    )


def _table(
    results: dict[str, Result],
    works: list[pd.Series],
    chosen: list[Direction | None],
    best: Plan,
    budget: float,
) -> pd.DataFrame:
    best_cost = best.exact_cost
    bound = best.lower_bound
    rows = []
    for number, ((name, result), work, direction) in enumerate(
        zip(results.items(), works, chosen, strict=True)
    ):
        others = [plan_distance(work, w) for j, w in enumerate(works) if j != number]
        cost = result.total_cost
        rows.append(
            {
                "plan": number,
                "name": name,
                "direction": "least cost" if direction is None else direction.words,
                "total_cost": cost,
                "lower_bound": np.nan if bound is None else bound,
                "status": str(result.stamp.get("status", result.status)),
                "gap": result.stamp.get("gap"),
                "cost_over_best": 0.0 if number == 0 else cost / best_cost - 1,
                "cost_over_optimum_max": cost / bound - 1 if bound else np.nan,
                "budget": budget,
                "work_moved": plan_distance(works[0], work),
                "nearest": min(others) if others else np.nan,
                "sites_used": result.kpis.get("sites_used"),
                "vendors_used": result.kpis.get("vendors_used"),
                "total_fte": result.total_fte,
                "csat": result.kpis.get("csat"),
            }
        )
    return pd.DataFrame(rows, columns=ALTERNATIVE_COLUMNS)


def _directions_table(
    found: list[tuple[Direction, _Found | None]],
    best_work: pd.Series,
    taken: dict[int, str],
    min_distance: float,
) -> pd.DataFrame:
    """Every direction and what came of it: ``chosen`` (as which alternative), the same
    plan as the best or as a chosen one (within ``min_distance``), ``not chosen`` (nearer
    to a chosen plan than those chosen), or ``no plan within budget``."""
    works = {taken[id(f)]: f.work for _, f in found if f is not None and id(f) in taken}
    rows = []
    for direction, plan in found:
        if plan is None:
            outcome, rounds, cost, moved = "no plan within budget", np.nan, np.nan, np.nan
        else:
            moved = plan_distance(best_work, plan.work)
            cost = plan.plan.exact_cost
            rounds = plan.rounds
            same = [n for n, w in works.items() if plan_distance(w, plan.work) <= min_distance]
            if id(plan) in taken:
                outcome = f"chosen: {taken[id(plan)]}"
            elif moved <= min_distance:
                outcome = "same as the best plan"
            elif same:
                outcome = f"same as {same[0]}"
            else:
                outcome = "not chosen"
        rows.append(
            {
                "direction": direction.words,
                "group": direction.group,
                "sense": direction.sense,
                "outcome": outcome,
                "rounds": rounds,
                "total_cost": cost,
                "work_moved": moved,
            }
        )
    return pd.DataFrame(rows, columns=DIRECTION_COLUMNS)
