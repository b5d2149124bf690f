"""Solve to a plan: build, solve and re-price staffing until the plan is stable.

See :mod:`bestshore.model.staffing` for why one LP solve is not enough when queues are
staffed by Erlang C, and how the loop works. A plan is accepted only if its *exact*
staffing (integer agents per queue and hour) fits every capacity, seat limit and vendor
cap; the error of the linear pricing is reported with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.constraints import Variables
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import SolveOutcome, solve_model
from bestshore.model.staffing import MAX_ROUNDS, agents_needed, exact_staffing

__all__ = ["Plan", "plan_sourcing"]

_ZERO = 1e-9
_STABLE = 1e-4


@dataclass
class Plan:
    """A solved plan with its exact staffing.

    Attributes
    ----------
    model : SourcingModel
        The model of the accepted round (its variables hold the plan).
    outcome : SolveOutcome
        How that round's solve ended.
    staffing : DataFrame
        One row per assignment carrying work: the assignment's columns, ``share``,
        ``calls`` and ``handle_hours`` taken [per sizing week], ``agents_lp`` (the LP's
        linear estimate), ``agents`` (exact: Erlang C integer agents for queues with a
        service level, workload sizing otherwise; agent hours per week for deferred
        rows), ``service_level``, ``asa_seconds``, ``occupancy``, ``annual_cost``.
    pooled_agents : Series
        Index ``(call_type, language, hour)``: agents if each real-time demand unit were
        one queue at one site (the pooling ideal) [agents].
    history : list of dict
        Per round: ``lp_objective`` and ``exact_cost`` [currency/yr], ``accepted``.
    """

    model: SourcingModel
    outcome: SolveOutcome
    staffing: pd.DataFrame
    pooled_agents: pd.Series
    history: list[dict[str, float | bool]] = field(default_factory=list)

    @property
    def exact_cost(self) -> float:
        return float(self.staffing["annual_cost"].sum())

    @property
    def lp_objective(self) -> float:
        return float(self.outcome.objective or 0.0)


def _shares(variables: Variables) -> np.ndarray:
    return np.clip(np.array([v.varValue or 0.0 for v in variables.share], dtype=float), 0.0, 1.0)


def _exact(inputs: ModelInputs, variables: Variables, shares: np.ndarray) -> pd.DataFrame:
    rows = variables.assignments.assign(share=shares, agents_lp=variables.agent_hours * shares)
    rows = rows[rows["share"] > _ZERO].copy()
    demand = inputs.demand["calls"]
    keys = pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]])
    rows["calls"] = demand.reindex(keys).to_numpy() * rows["share"].to_numpy()
    rows["handle_hours"] = rows["handle_hours"] * rows["share"]
    call_types = {c.id: c for c in inputs.scenario.call_types}
    hourly = rows["hour"] != WEEK
    exact = exact_staffing(rows[hourly], call_types, inputs.scenario.settings.occupancy)
    rows["agents"] = rows["agents_lp"]  # deferred work: linear, exact as is
    for column in ("service_level", "asa_seconds", "occupancy"):
        rows[column] = np.nan
    rows.loc[hourly, ["agents", "service_level", "asa_seconds", "occupancy"]] = exact
    rate = rows["annual_factor"] * rows["rate_per_hour"] * rows["premium"]
    rows["annual_cost"] = rate * rows["agents"]
    return rows.reset_index(drop=True)


def _fits(inputs: ModelInputs, staffing: pd.DataFrame, model: SourcingModel) -> bool:
    """Exact staffing within every capacity, seat limit and vendor cap (1e-6 relative)."""
    tolerance = 1e-6
    hours = staffing.groupby("site")["agents"].sum()
    capacity = inputs.sites["capacity_hours"].reindex(hours.index)
    if (hours > capacity * (1 + tolerance) + tolerance).any():
        return False
    seats = inputs.sites["max_agents"].dropna()
    hourly = staffing[(staffing["hour"] != WEEK) & staffing["site"].isin(seats.index)]
    if not hourly.empty:
        per_hour = hourly.groupby(["site", "hour"])["agents"].sum()
        limit = seats.reindex(per_hour.index.get_level_values("site")).to_numpy()
        if (per_hour.to_numpy() > limit * (1 + tolerance) + tolerance).any():
            return False
    total = float(staffing["agents"].sum())
    caps = inputs.vendors["max_share"].dropna()
    by_vendor = staffing.groupby("vendor")["agents"].sum()
    for vendor, cap in caps.items():
        if float(by_vendor.get(vendor, 0.0)) > cap * total * (1 + tolerance) + tolerance:
            return False
    return True


def _pooled(inputs: ModelInputs) -> pd.Series:
    call_types = {c.id: c for c in inputs.scenario.call_types}
    occupancy = inputs.scenario.settings.occupancy
    hourly = inputs.demand[inputs.demand.index.get_level_values("hour") != WEEK]
    agents = [
        agents_needed(call_types[c], float(a), occupancy)
        for (c, _, _), a in zip(hourly.index, hourly["handle_hours"], strict=True)
    ]
    return pd.Series(agents, index=hourly.index, name="pooled_agents", dtype=float)


def plan_sourcing(
    inputs: ModelInputs, *, eligibility: Eligibility | None = None, time_limit: float | None = None
) -> tuple[SourcingModel, SolveOutcome, Plan | None]:
    """Solve, re-pricing Erlang staffing until stable; the best accepted plan, if any.

    Returns the first round's model and outcome (for status and diagnosis when no plan
    exists) and the accepted :class:`Plan`, or None when the first solve found none.
    """
    eligibility = eligibility or eligible_assignments(inputs)
    rows = eligibility.assignments
    erlang_rows = rows.join(inputs.workloads["erlang"], on=["call_type", "language"])[
        "erlang"
    ].to_numpy(dtype=bool) & (rows["hour"].to_numpy() != WEEK)
    k = rows["agents_per_erlang"].to_numpy(dtype=float).copy()
    first: tuple[SourcingModel, SolveOutcome] | None = None
    best: Plan | None = None
    history: list[dict[str, float | bool]] = []
    previous = np.inf
    for _ in range(MAX_ROUNDS if erlang_rows.any() else 1):
        model = build_model(inputs, eligibility=eligibility, agents_per_erlang=k)
        outcome = solve_model(model, time_limit=time_limit)
        first = first or (model, outcome)
        if not outcome.has_solution:
            break
        shares = _shares(model.variables)
        staffing = _exact(inputs, model.variables, shares)
        cost = float(staffing["annual_cost"].sum())
        accepted = _fits(inputs, staffing, model)
        history.append(
            {
                "lp_objective": float(outcome.objective or 0.0),
                "exact_cost": cost,
                "accepted": accepted,
            }
        )
        if accepted and (best is None or cost < best.exact_cost - _ZERO):
            best = Plan(
                model=model,
                outcome=outcome,
                staffing=staffing,
                pooled_agents=pd.Series(dtype=float),
            )
        if abs(previous - cost) <= _STABLE * max(cost, 1.0) and best is not None:
            break
        previous = cost
        # Re-price the queues this plan uses at their own loads.
        used = erlang_rows & (shares > _ZERO)
        load = rows["handle_hours"].to_numpy() * shares
        positions = np.flatnonzero(used)
        agents = staffing.set_index(["call_type", "language", "hour", "site"])["agents"]
        keys = pd.MultiIndex.from_frame(
            rows.loc[positions, ["call_type", "language", "hour", "site"]]
        )
        k[positions] = agents.reindex(keys).to_numpy() / load[positions]
    assert first is not None
    if best is not None:
        best.pooled_agents = _pooled(inputs)
        best.history = history
    return first[0], first[1], best
