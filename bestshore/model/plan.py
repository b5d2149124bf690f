"""Solve to a plan: build, solve and re-price staffing until the plan is stable.

See :mod:`bestshore.model.staffing` for why one LP solve is not enough when queues are
staffed by Erlang C, and how the loop works. A plan is accepted only if its *exact*
staffing (integer agents per queue and hour) fits every capacity, seat limit and vendor
cap; the error of the linear pricing is reported with it.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from bestshore.model.build import SourcingModel
from bestshore.model.compliance import recording_costs, scc_costs
from bestshore.model.constraints import Margins, Variables
from bestshore.model.contracts import commitment_costs, tier_discount
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.program import HighsSession
from bestshore.model.reprice import build_or_reprice
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import SolveOutcome, solve_model
from bestshore.model.staffing import FREE_ROUNDS, MAX_ROUNDS, agents_needed, exact_staffing
from bestshore.model.transition import transition_costs

__all__ = ["Plan", "plan_sourcing"]

_ZERO = 1e-9
_STABLE = 1e-3


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
        ``calls`` and ``handle_hours`` handled, repeat contacts included [per sizing
        week], ``agents_lp`` (the LP's
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
    factors: np.ndarray | None = None  # agents per Erlang of each row in the accepted round
    margins: Margins = field(default_factory=Margins)  # rounding room held back in it
    warm_started: bool = False  # the loop began from an earlier plan's factors

    @functools.cached_property
    def fixed_costs(self) -> pd.DataFrame:
        """Yearly costs outside the staffing rows: ``kind`` (vendor/site fixed costs,
        take-or-pay ``commitment`` shortfalls, ``scc`` country compliance, ``recording``
        storage per site, ``setup`` of new FTE and ``transition`` of moved work), ``id``,
        ``cost``."""
        return _fixed_costs(self.model, self.staffing)

    @property
    def exact_cost(self) -> float:
        return float(self.staffing["annual_cost"].sum() + self.fixed_costs["cost"].sum())

    @property
    def lp_objective(self) -> float:
        return float(self.outcome.objective or 0.0)

    @property
    def lower_bound(self) -> float | None:
        """No plan can cost less [currency/yr]: the first round's LP optimum.

        The first round prices every queue at its pooled factor ``N(A)/A``. For workload
        sizing and service-level goals, planning agents per Erlang never fall when a
        queue is split (``N(a)/a`` is nonincreasing in ``a``, checked in the tests), so
        that LP under-prices every plan and relaxes every capacity and seat limit: its
        optimum bounds the true optimum from below. With an ASA goal that monotonicity
        fails below about a dozen Erlangs, and no bound is claimed (None).
        """
        scenario = self.model.inputs.scenario
        if any(c.service_level and c.service_level.asa_seconds for c in scenario.call_types):
            return None
        if self.warm_started:  # the first round was not priced at pooled factors
            return None
        return float(self.history[0]["lp_objective"]) if self.history else self.lp_objective


def _fixed_costs(model: SourcingModel, staffing: pd.DataFrame) -> pd.DataFrame:
    parts = [
        _panel_costs(model),
        commitment_costs(model.inputs, staffing),
        scc_costs(model.inputs, staffing),
        recording_costs(model.inputs, staffing),
        transition_costs(model.inputs, staffing),
    ]
    parts = [p for p in parts if len(p)] or parts[:1]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _panel_costs(model: SourcingModel) -> pd.DataFrame:
    costs = dict(model.variables.fixed_costs)
    rows = [
        {"kind": key.split(":", 1)[0], "id": key.split(":", 1)[1], "cost": costs[column]}
        for key, column in model.variables.binaries.items()
        if column in costs and round(model.value(column)) == 1
    ]
    return pd.DataFrame(rows, columns=["kind", "id", "cost"])


def _unit_calls(inputs: ModelInputs, eligibility: Eligibility) -> np.ndarray:
    """Forecast contacts of each assignment's demand unit [per sizing week], row order."""
    keys = pd.MultiIndex.from_frame(eligibility.assignments[["call_type", "language", "hour"]])
    return inputs.demand["calls"].reindex(keys).to_numpy(dtype=float)


def _exact(
    inputs: ModelInputs,
    variables: Variables,
    shares: np.ndarray,
    unit_calls: np.ndarray | None = None,
) -> pd.DataFrame:
    """Exact staffing and cost of the assignments a plan uses (``unit_calls``: the
    forecast contacts of every assignment, :func:`_unit_calls`, kept across rounds)."""
    if unit_calls is None:
        unit_calls = _unit_calls(inputs, variables.eligibility)
    used = shares > _ZERO
    rows = variables.assignments[used].copy()
    rows["share"] = shares[used]
    rows["agents_lp"] = variables.agent_hours[used] * shares[used]
    handled = rows["share"].to_numpy() * rows["repeat_factor"].to_numpy()  # repeats included
    rows["calls"] = unit_calls[used] * handled
    rows["handle_hours"] = rows["handle_hours"] * handled
    call_types = {c.id: c for c in inputs.scenario.call_types}
    hourly = rows["hour"] != WEEK
    exact = exact_staffing(rows[hourly], call_types, inputs.scenario.settings.occupancy)
    rows["agents"] = rows["agents_lp"]  # deferred work: linear, exact as is
    rows["roster_agents"] = rows["agents_lp"]
    for column in ("service_level", "asa_seconds", "occupancy"):
        rows[column] = np.nan
    columns = ["agents", "roster_agents", "service_level", "asa_seconds", "occupancy"]
    rows.loc[hourly, columns] = exact[columns].to_numpy()
    rate = rows["annual_factor"] * rows["rate_per_hour"] * rows["premium"]
    # Per-contact offers: the vendor is paid for contacts handled (repeats included).
    paid_contacts = rows["annual_factor"] * rows["contact_price"] * rows["calls"]
    rows["annual_cost"] = (rate * rows["agents"] + paid_contacts) * rows["incentive"]
    # Volume tiers: the contract's rule on the exact bill (the highest tier reached).
    tiers = {v.id: v.volume_discounts for v in inputs.scenario.vendors if v.volume_discounts}
    if tiers:
        yearly = (rows["calls"] * rows["annual_factor"]).groupby(rows["vendor"]).sum()
        earned = {v: tier_discount(t, float(yearly.get(v, 0.0))) for v, t in tiers.items()}
        rows["annual_cost"] *= 1.0 - rows["vendor"].map(earned).fillna(0.0).astype(float)
    return rows.reset_index(drop=True)


def _overshoot(inputs: ModelInputs, staffing: pd.DataFrame) -> Margins:
    """How far the plan's staffing exceeds each capacity and seat limit (> 1e-6).

    Vendor caps are on handle hours, which are linear and exact: they cannot overshoot.
    """
    tolerance = 1e-6
    over = Margins()
    hours = staffing.groupby("site")["agents"].sum()
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    excess = hours - inputs.sites["capacity_hours"].reindex(hours.index) * (1 - headroom)
    over.capacity = {str(k): float(v) for k, v in excess[excess > tolerance].items()}
    seats = inputs.sites["max_agents"].dropna()
    hourly = staffing[(staffing["hour"] != WEEK) & staffing["site"].isin(seats.index)]
    if not hourly.empty:
        per_hour = hourly.groupby(["site", "hour"])["agents"].sum()
        limit = seats.reindex(per_hour.index.get_level_values("site")).to_numpy()
        excess_seats = per_hour - limit
        over.seats = {
            (str(s), int(h)): float(v)
            for (s, h), v in excess_seats[excess_seats > tolerance].items()
        }
    return over


def _held_back(margins: Margins) -> bool:
    return bool(margins.capacity or margins.seats)


def _halve(margins: Margins) -> Margins:
    """Half the room held back; below a thousandth of an hour, none."""

    def half(held: dict) -> dict:
        return {key: value / 2 for key, value in held.items() if value / 2 > 1e-3}

    return Margins(half(margins.capacity), half(margins.seats))


def _grow(margins: Margins, over: Margins) -> Margins:
    """Add an overshoot (plus a little) to the margins held back."""
    grown = Margins(dict(margins.capacity), dict(margins.seats))
    for name in ("capacity", "seats"):
        held, extra = getattr(grown, name), getattr(over, name)
        for key, value in extra.items():
            held[key] = held.get(key, 0.0) + 3.0 * value + 1e-6
    return grown


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
    inputs: ModelInputs,
    *,
    eligibility: Eligibility | None = None,
    time_limit: float | None = None,
    solver: pulp.LpSolver | None = None,
    timings: dict[str, float] | None = None,
    session: HighsSession | None = None,
    start: Plan | None = None,
    base: SourcingModel | None = None,
) -> tuple[SourcingModel, SolveOutcome, Plan | None]:
    """Solve, re-pricing Erlang staffing until stable; the best accepted plan, if any.

    Returns the first round's model and outcome (for status and diagnosis when no plan
    exists) and the accepted :class:`Plan`, or None when the first solve found none.
    ``solver`` takes the plain PuLP path and ``session`` keeps one HiGHS instance across
    solves (see :func:`solve_model`). ``start``, an earlier plan of the same eligible
    set, makes the loop begin from its factors and margins instead of the pooled ones:
    a what-if then settles in a round or two, but the first round is no longer a lower
    bound (none is claimed) and the plan may differ from a fresh solve's within the
    staffing gap. ``base``, a model built earlier for the same eligible set (a
    Workbench's last), is re-priced for the first round instead of building afresh;
    each later round re-prices the round before (:func:`bestshore.model.reprice`: the
    same program, only the families that read the changed factors written again).
    ``timings``, if
    given, is filled with seconds summed over rounds: ``build``, ``handover``,
    ``solve``, ``staffing`` (exact Erlang C), and the number of ``rounds`` and of
    ``model_builds`` (rounds whose model was built afresh, not re-priced).
    """
    clock = timings if timings is not None else {}
    for stage in ("build", "handover", "solve", "staffing", "rounds", "model_builds"):
        clock.setdefault(stage, 0.0)
    eligibility = eligibility or eligible_assignments(inputs)
    rows = eligibility.assignments
    erlang_rows = rows.join(inputs.workloads["erlang"], on=["call_type", "language"])[
        "erlang"
    ].to_numpy(dtype=bool) & (rows["hour"].to_numpy() != WEEK)
    k = rows["agents_per_erlang"].to_numpy(dtype=float).copy()
    if start is not None and start.factors is not None and len(start.factors) == len(k):
        k = start.factors.copy()
    else:
        start = None
    call_types = {c.id: c for c in inputs.scenario.call_types}
    occupancy = inputs.scenario.settings.occupancy
    first: tuple[SourcingModel, SolveOutcome] | None = None
    best: Plan | None = None
    history: list[dict[str, float | bool]] = []
    previous = np.inf
    unit_calls = _unit_calls(inputs, eligibility)
    margins = start.margins if start is not None else Margins()
    for round_ in range(MAX_ROUNDS if erlang_rows.any() else 1):
        tick = time.perf_counter()
        model, built = build_or_reprice(
            inputs, base=base, eligibility=eligibility, agents_per_erlang=k, margins=margins
        )
        base = model  # the next round changes factors and margins only: re-price this one
        clock["build"] += time.perf_counter() - tick
        clock["model_builds"] += built
        outcome = solve_model(model, time_limit=time_limit, solver=solver, session=session)
        clock["handover"] += outcome.handover_seconds
        clock["solve"] += outcome.solve_seconds
        clock["rounds"] += 1
        first = first or (model, outcome)
        tick = time.perf_counter()
        if not outcome.has_solution:
            if not _held_back(margins):
                break
            margins = _halve(margins)  # the rounding room itself made it infeasible
            continue
        shares = model.shares()
        staffing = _exact(inputs, model.variables, shares, unit_calls)
        cost = float(staffing["annual_cost"].sum() + _fixed_costs(model, staffing)["cost"].sum())
        over = _overshoot(inputs, staffing)
        accepted = not (over.capacity or over.seats)
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
                factors=k.copy(),
                margins=margins,
                warm_started=start is not None,
            )
        if accepted and abs(previous - cost) <= _STABLE * max(cost, 1.0):
            clock["staffing"] += time.perf_counter() - tick
            break
        previous = cost
        margins = _grow(margins, over)
        # Re-price the queues this plan uses at their own loads. After a few free
        # rounds factors only rise, so the loop settles (each round prices the queues
        # at least as dearly), at a little optimality cost.
        used = np.flatnonzero(erlang_rows & (shares > _ZERO))
        load = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy()[used] * shares[used]
        types = rows["call_type"].to_numpy()[used]
        agents = np.array(
            [agents_needed(call_types[c], a, occupancy) for c, a in zip(types, load, strict=True)]
        )
        repriced = agents / load
        k[used] = repriced if round_ < FREE_ROUNDS else np.maximum(k[used], repriced)
        clock["staffing"] += time.perf_counter() - tick
    assert first is not None
    if best is not None:
        best.pooled_agents = _pooled(inputs)
        best.history = history
    return first[0], first[1], best
