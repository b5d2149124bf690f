"""Solve to a plan: build, solve and re-price staffing until the plan is stable.

See :mod:`bestshore.model.staffing` for why one LP solve is not enough when queues are
staffed by Erlang C, and how the loop works. A plan is accepted only if its *exact*
staffing (integer agents per queue and hour) fits every capacity, seat limit and vendor
cap; the error of the linear pricing is reported with it.

The loop, in the steps below (each a function of its own):

1. :func:`solve_round`: build the LP at the current staffing factors ``k`` and rounding
   margins (re-pricing the last round's model: only the families reading them are
   written again), and solve it;
2. :func:`price_exactly`: staff the plan's queues exactly (Erlang C, integer agents),
   roster rostered sites' whole agents in shifts (:func:`~bestshore.model.roster.whole_roster`)
   and cost it, costs outside the staffing rows included (each family's own);
3. accept the plan when its exact staffing fits every capacity and seat limit
   (:func:`overshoot` finds none), and keep the cheapest accepted;
4. stop when an accepted plan's exact cost moved less than 0.1 % from the last round's;
   otherwise hold the overshoot back from the limits (:func:`grow_margins`) and
   re-price the queues the plan uses at their own loads (:func:`reprice_factors`).

A round without a plan halves the margins (they made it infeasible) or, with none held
back, ends the loop: the scenario has no plan.

Rounds are compared on the sizing week (its exact cost times the annual factor, as the
LP prices it). The accepted plan is then costed month by month (:func:`price_year`,
:mod:`bestshore.model.months`): each month staffed and rostered at its own volume, the
year the sum of its months.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.constraints import Margins, Variables
from bestshore.model.contracts import tier_discount
from bestshore.model.curve import (
    StaffingCurve,
    curve_factors,
    staffing_curve,
    whole_agent_curve,
)
from bestshore.model.families import Exact
from bestshore.model.inputs import WEEK, ModelInputs, rostered_sites
from bestshore.model.months import (
    MONTH_SHIFT_COLUMNS,
    MONTHS,
    Year,
    bill_multiplier,
    distinct_months,
    idle_per_week,
    loads_by_month,
    month_frame,
    month_table,
    staff_month,
    weekly_cost,
)
from bestshore.model.program import HighsSession, Solution, solve_with_highs
from bestshore.model.reprice import build_or_reprice
from bestshore.model.roster import bound_holds, whole_roster, whole_seats
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import solve_model
from bestshore.model.staffing import (
    FREE_ROUNDS,
    MAX_ROUNDS,
    agents_needed,
    exact_staffing,
    roster_agents,
)
from bestshore.scenario.profiles import WEEKS_PER_MONTH

__all__ = [
    "Plan",
    "Planning",
    "costs_outside_staffing",
    "plan_sourcing",
    "price_exactly",
    "price_year",
    "reprice_factors",
    "roster_bound",
    "solve_round",
]

_ZERO = 1e-9
_STABLE = 1e-3
WHOLE_AGENT_ROUNDS = 8
_COST_COLUMNS = ["kind", "id", "cost"]


@dataclass(frozen=True)
class Plan:
    """A solved plan with its exact staffing.

    Attributes
    ----------
    model : SourcingModel
        The model of the accepted round (its variables hold the plan).
    outcome : Solution
        How that round's solve ended.
    staffing : DataFrame
        One row per assignment carrying work: the assignment's columns, ``share``,
        ``calls`` and ``handle_hours`` handled, repeat contacts included [per sizing
        week], ``agents_lp`` (the LP's
        linear estimate), ``agents`` (exact: Erlang C integer agents for queues with a
        service level, workload sizing otherwise; agent hours per week for deferred
        rows), ``service_level``, ``asa_seconds``, ``occupancy`` (all of the sizing
        week), ``annual_cost`` [currency/yr] and ``annual_hours`` [agent h/yr] (the
        sums of the months, :attr:`year`).
    pooled_agents : Series
        Index ``(call_type, language, hour)``: agents if each real-time demand unit were
        one queue at one site (the pooling ideal) [agents].
    history : list of dict
        Per round with a plan: ``lp_objective`` and ``exact_cost`` [currency/yr],
        ``accepted``. The loop compares rounds on the sizing week: a round's
        ``exact_cost`` is its sizing week's exact cost times the annual factor; only
        the accepted plan is costed month by month (:attr:`year`).
    factors : array
        Agents per Erlang of each assignment row in the accepted round.
    margins : Margins
        The rounding room held back in it.
    warm_started : bool
        The loop began from an earlier plan's factors: its first round is no bound, and
        :attr:`warm_bound` is.
    warm_bound : float or None
        For a warm-started plan, the optimum of the pooled first-round LP of a fresh
        solve, solved on its own [currency/yr] (the bound a fresh solve would claim).
    shifts, roster_hours : DataFrame
        The whole-agent roster of the rostered sites
        (:func:`bestshore.model.roster.whole_roster`); empty without one.
    roster_bound : float or None
        With rostered sites, the bound :func:`roster_bound` proved [currency/yr], or
        None (see :attr:`lower_bound`).
    year : Year or None
        The plan costed month by month (:func:`price_year`); ``staffing``'s
        ``annual_cost`` and ``annual_hours`` are then its sums over the months. None for
        a plan not yet costed so (``annual_cost`` is then the sizing week's times the
        annual factor).
    """

    model: SourcingModel
    outcome: Solution
    staffing: pd.DataFrame
    pooled_agents: pd.Series
    history: list[dict[str, float | bool]]
    factors: np.ndarray
    margins: Margins = field(default_factory=Margins)
    warm_started: bool = False
    shifts: pd.DataFrame = field(default_factory=pd.DataFrame)
    roster_hours: pd.DataFrame = field(default_factory=pd.DataFrame)
    year: Year | None = None
    roster_bound: float | None = None
    warm_bound: float | None = None

    @property
    def exact(self) -> Exact:
        return Exact(self.staffing, self.shifts, self.roster_hours)

    @functools.cached_property
    def fixed_costs(self) -> pd.DataFrame:
        """Yearly costs outside the staffing rows, each family's own
        (:func:`costs_outside_staffing`): ``kind`` (vendor/site fixed costs, take-or-pay
        ``commitment`` shortfalls, ``scc`` country compliance, ``recording`` storage per
        site, ``setup`` of new FTE and ``transition`` of moved work, ``idle`` paid
        hours of the roster: of the months' rosters when costed month by month),
        ``id``, ``cost``."""
        if self.year is not None:
            return self.year.outside
        return costs_outside_staffing(self.model, self.exact)

    @property
    def exact_cost(self) -> float:
        """The plan's annual cost [currency/yr]: the sum of its months when costed month
        by month (:attr:`year`), the staffing rows and the costs outside them."""
        return float(self.staffing["annual_cost"].sum() + self.fixed_costs["cost"].sum())

    @property
    def proportional_cost(self) -> float:
        """The accepted round's cost as the staffing loop compares rounds [currency/yr]:
        the sizing week's exact cost times the annual factor, as if staffing were
        proportional to volume through the year."""
        accepted = [h for h in self.history if h["accepted"]]
        costs = [float(h["exact_cost"]) for h in accepted]
        return min(costs) if costs else self.exact_cost

    @property
    def lp_objective(self) -> float:
        return float(self.outcome.objective or 0.0)

    @property
    def lower_bound(self) -> float | None:
        """No plan can cost less [currency/yr]: the first round's proven bound (its LP
        optimum; with on/off decisions, its MILP's dual bound).

        The first round prices every queue at its pooled factor ``N(A)/A``. For workload
        sizing and service-level goals, planning agents per Erlang never fall when a
        queue is split (``N(a)/a`` is nonincreasing in ``a``, checked in the tests), so
        that LP under-prices every plan and relaxes every capacity and seat limit: its
        optimum bounds the true optimum from below. With an ASA goal that monotonicity
        fails below about a dozen Erlangs, and no bound is claimed (None). With a
        roster, the bound holds when idle hours are priced no dearer than the work
        (:func:`bestshore.model.roster.bound_holds`) in a flat year; otherwise the
        weaker bound of :func:`roster_bound` is claimed where it is proven.

        The plan's cost is the sum of its months (:func:`price_year`). When no month
        carries more than the sizing week (peak sizing, or a flat year), a month's queue
        at load ``ρ a`` (``ρ ≤ 1``) needs ``N(ρ a) ≥ ρ a N(A)/A`` agents, and the months'
        weeks times their loads add up to the annual factor: the LP's staffing term
        ``F r π (N(A)/A) a`` is at most the months' sum, and the bound holds. It is not
        claimed (None) when a month carries more than the sizing week (``sizing:
        average`` or a month that is not the peak: ``N(a)/a`` falls with the load), nor
        for rostered sites in a seasonal year (the months' whole-shift rosters are
        not shown to cost at least the sizing week's fractional roster times ``F``):
        there :func:`roster_bound` is the bound.
        """
        scenario = self.model.inputs.scenario
        asa = any(c.service_level and c.service_level.asa_seconds for c in scenario.call_types)
        if asa and scenario.settings.staffing_model != "milp":
            return None  # the MILP's agents per Erlang are the exact lowest, ASA or not
        if self.warm_started and self.warm_bound is None:
            return None  # the first round was not priced at pooled factors
        rostered = bool(rostered_sites(self.model.inputs))
        if rostered and not (
            (self.year is None or self.year.bounded) and bound_holds(self.model.inputs)
        ):
            return self.roster_bound
        if self.year is not None and not self.year.bounded:
            return None

        first = self.history[0] if self.history else {"lp_bound": self.outcome.bound}
        bound = first["lp_bound"] if not self.warm_started else self.warm_bound
        if scenario.settings.staffing_model == "milp" and self.history:
            bound = self.history[-1]["lp_bound"]  # the best of the rounds' bounds
        if bound is None or not np.isfinite(float(bound)):
            return None  # the first round stopped (a limit) before proving a bound
        return float(bound)


@dataclass(frozen=True)
class Planning:
    """What :func:`plan_sourcing` found.

    ``first_model`` and ``first_solution`` are the first round's (its status says why
    there is no plan, and its eligible set feeds the diagnosis); ``plan`` is the accepted
    :class:`Plan`, None when no round found one. ``timings`` holds seconds summed over
    the rounds: ``build``, ``handover``, ``solve``, ``staffing`` (exact Erlang C), and
    the counts of ``rounds`` and ``model_builds`` (rounds built afresh, not re-priced).
    """

    first_model: SourcingModel
    first_solution: Solution
    plan: Plan | None
    timings: dict[str, float]


def costs_outside_staffing(model: SourcingModel, exact: Exact) -> pd.DataFrame:
    """What an exact plan pays outside its staffing rows: each family's ``exact_costs``
    (``kind``, ``id``, ``cost`` [currency/yr]), in build order."""
    parts = [r.exact_costs(model, exact) for r in model.families if r.exact_costs]
    parts = [p for p in parts if len(p)] or parts[:1]
    if not parts:
        return pd.DataFrame([], columns=_COST_COLUMNS)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def exact_staffing_of(
    inputs: ModelInputs,
    variables: Variables,
    shares: np.ndarray,
    extra_hours: np.ndarray | None = None,
) -> pd.DataFrame:
    """Exact staffing and cost of the assignments a plan uses (see :attr:`Plan.staffing`).

    ``extra_hours`` are the MILP's agent hours beyond ``k·A·x`` of each row (whole-agent
    staffing, :mod:`bestshore.model.curve`), part of its estimate ``agents_lp``.
    """
    used = shares > _ZERO
    rows = variables.assignments[used].copy()
    rows["share"] = shares[used]
    estimate = variables.agent_hours * shares
    if extra_hours is not None:
        estimate = estimate + extra_hours
    rows["agents_lp"] = estimate[used]
    handled = rows["share"].to_numpy() * rows["repeat_factor"].to_numpy()  # repeats included
    rows["calls"] = rows["unit_calls"].to_numpy() * handled
    rows["handle_hours"] = rows["handle_hours"] * handled
    call_types = {c.id: c for c in inputs.scenario.call_types}
    hourly = rows["hour"] != WEEK
    settings = inputs.scenario.settings
    whole = settings.staffing_model == "milp"
    exact = exact_staffing(rows[hourly], call_types, settings.occupancy, whole_agents=whole)
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


def overshoot(inputs: ModelInputs, exact: Exact) -> Margins:
    """How far the plan's staffing exceeds each capacity and seat limit (> 1e-6).

    A rostered site's limits hold its whole agents on shift (paid hours, agents per
    hour); a site staffed hour by hour, its agents. Vendor caps are on handle hours,
    which are linear and exact: they cannot overshoot.
    """
    tolerance = 1e-6
    over = Margins()
    staffing = exact.staffing
    rostered = set(rostered_sites(inputs))
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    hours = staffing.groupby("site")["agents"].sum()
    hours = hours[~hours.index.isin(list(rostered))]
    if not exact.shifts.empty:
        paid = exact.shifts.groupby("site")["paid_hours"].sum()
        hours = pd.concat([hours, paid])
    if not exact.roster_hours.empty:  # a site whose whole agents found no roster at all
        lost = exact.roster_hours[exact.roster_hours["on_shift"].isna()]["site"].unique()
        for site in lost:
            hours[site] = np.inf
    excess = hours - inputs.sites["capacity_hours"].reindex(hours.index) * (1 - headroom)
    over.capacity = {str(k): float(min(v, 1e6)) for k, v in excess[excess > tolerance].items()}
    seats = inputs.sites["max_agents"].dropna()
    hourly = staffing[(staffing["hour"] != WEEK) & staffing["site"].isin(seats.index)]
    hourly = hourly[~hourly["site"].isin(list(rostered))]
    per_hour = hourly.groupby(["site", "hour"])["agents"].sum()
    if not exact.roster_hours.empty:
        on_shift = exact.roster_hours.dropna(subset=["on_shift"])
        on_shift = on_shift[on_shift["site"].isin(seats.index)]
        per_hour = pd.concat([per_hour, on_shift.set_index(["site", "hour"])["on_shift"]])
    if len(per_hour):
        whole = {site: whole_seats(inputs, site) for site in rostered if site in seats.index}
        limit = np.array(
            [whole.get(site, seats[site]) for site in per_hour.index.get_level_values(0)]
        )
        excess_seats = per_hour - limit
        over.seats = {
            (str(s), int(h)): float(v)
            for (s, h), v in excess_seats[excess_seats > tolerance].items()
        }
    return over


def held_back(margins: Margins) -> bool:
    return bool(margins.capacity or margins.seats)


def halve_margins(margins: Margins) -> Margins:
    """Half the room held back; below a thousandth of an hour, none."""

    def half(held: dict) -> dict:
        return {key: value / 2 for key, value in held.items() if value / 2 > 1e-3}

    return Margins(half(margins.capacity), half(margins.seats))


def grow_margins(margins: Margins, over: Margins) -> Margins:
    """Add an overshoot (plus a little) to the margins held back."""
    grown = Margins(dict(margins.capacity), dict(margins.seats))
    for name in ("capacity", "seats"):
        held, extra = getattr(grown, name), getattr(over, name)
        for key, value in extra.items():
            held[key] = held.get(key, 0.0) + 3.0 * value + 1e-6
    return grown


def _pooled(inputs: ModelInputs) -> pd.Series:
    """Agents of each real-time demand unit as one queue at one site: planning agents, or
    whole agents for queues with a goal when the MILP staffs whole agents."""
    call_types = {c.id: c for c in inputs.scenario.call_types}
    settings = inputs.scenario.settings
    occupancy, whole = settings.occupancy, settings.staffing_model == "milp"
    hourly = inputs.demand[inputs.demand.index.get_level_values("hour") != WEEK]
    agents = [
        roster_agents(call_types[c], float(a), occupancy)
        if whole and call_types[c].service_level is not None
        else agents_needed(call_types[c], float(a), occupancy)
        for (c, _, _), a in zip(hourly.index, hourly["handle_hours"], strict=True)
    ]
    return pd.Series(agents, index=hourly.index, name="pooled_agents", dtype=float)


class _Clock:
    """Seconds per stage and counts, summed over the rounds."""

    STAGES = ("build", "handover", "solve", "staffing", "rounds", "model_builds")

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(self.STAGES, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        tick = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - tick

    def add(self, name: str, amount: float) -> None:
        self.seconds[name] += amount


def solve_round(
    inputs: ModelInputs,
    eligibility: Eligibility,
    factors: np.ndarray,
    margins: Margins,
    *,
    base: SourcingModel | None,
    solver: pulp.LpSolver | None,
    session: HighsSession | None,
    clock: _Clock,
) -> tuple[SourcingModel, Solution]:
    """One round: the model at these factors and margins (``base`` re-priced when it can
    be, :func:`~bestshore.model.reprice.build_or_reprice`), solved."""
    with clock.stage("build"):
        model, built = build_or_reprice(
            inputs, base=base, eligibility=eligibility, agents_per_erlang=factors, margins=margins
        )
    clock.add("model_builds", built)
    objective = inputs.scenario.objective
    solution = solve_model(
        model,
        time_limit=objective.time_limit_seconds,
        solver=solver,
        session=session,
        gap_tolerance=objective.gap_tolerance,
    )
    clock.add("handover", solution.handover_seconds)
    clock.add("solve", solution.solve_seconds)
    clock.add("rounds", 1)
    return model, solution


@dataclass(frozen=True)
class _Priced:
    """A round's plan staffed exactly (and rostered): its exact cost and overshoot."""

    exact: Exact
    cost: float
    over: Margins

    @property
    def accepted(self) -> bool:
        return not (self.over.capacity or self.over.seats)


def price_exactly(model: SourcingModel) -> _Priced:
    """Staff a solved round's plan exactly and cost it (costs outside the staffing rows
    included); how far it overshoots capacities and seats decides its acceptance."""
    inputs = model.inputs
    variables = model.variables
    extra = None
    if len(variables.extra):
        has = variables.extra >= 0
        extra = np.zeros(len(variables.extra))
        extra[has] = np.clip(model.values()[variables.extra[has]], 0.0, None)
    staffing = exact_staffing_of(inputs, variables, model.shares(), extra)
    shifts, roster_hours = whole_roster(inputs, staffing)
    exact = Exact(staffing, shifts, roster_hours)
    cost = float(staffing["annual_cost"].sum() + costs_outside_staffing(model, exact)["cost"].sum())
    return _Priced(exact, cost, overshoot(inputs, exact))


def price_year(model: SourcingModel, exact: Exact) -> Year:
    """Cost a plan month by month (:mod:`bestshore.model.months`).

    Each distinct month's load staffs the plan's queues exactly
    (:func:`~bestshore.model.months.staff_month`), rosters its rostered sites again in
    whole shifts (:func:`~bestshore.model.roster.whole_roster`) and measures it against
    every capacity and seat limit (:func:`overshoot`); a month over a limit is
    reported (a warning), not refused: the plan was sized on the sizing week. A month
    whose every queue is no busier than in the sizing week, at sites staffed hour by
    hour, needs no measuring: staffing rises with the load, so it fits where the
    sizing week did. A flat year keeps the sizing week's figures (each month is that
    week).
    """
    inputs = model.inputs
    staffing = exact.staffing
    outside = costs_outside_staffing(model, exact)
    groups = distinct_months(loads_by_month(inputs))
    flat = len(groups) == 1 and bool(np.all(np.abs(groups[0][1].to_numpy() - 1.0) <= 1e-12))
    multiplier = bill_multiplier(inputs, staffing)
    per_fte = inputs.sites["weekly_hours_per_fte"].reindex(staffing["site"]).to_numpy(dtype=float)
    count = len(MONTHS)
    volume, hours, paid, fte, cost, idle_cost = (np.zeros(count) for _ in range(6))
    over = np.zeros(count, dtype=bool)
    row_costs = np.zeros(len(staffing))
    row_hours = np.zeros(len(staffing))
    idle_by_site: dict[str, float] = {}
    shifts: list[pd.DataFrame] = []
    warnings: list[str] = []
    rostered = bool(rostered_sites(inputs)) and not exact.roster_hours.empty
    busiest = 0.0  # the largest load of a call type the plan serves, over the sizing week
    for months, load in groups:
        rows = staff_month(inputs, staffing, load)
        if rows is staffing:  # the sizing week's load: its roster as it is
            month_shifts, month_hours = exact.shifts, exact.roster_hours
        else:
            month_shifts, month_hours = whole_roster(inputs, rows)
        weeks = WEEKS_PER_MONTH * len(months)
        week_costs = weekly_cost(rows, multiplier)
        row_costs += week_costs * weeks
        row_hours += rows["agents"].to_numpy(dtype=float) * weeks
        idle = idle_per_week(inputs, month_hours)
        for site, value in idle.items():
            idle_by_site[str(site)] = idle_by_site.get(str(site), 0.0) + float(value) * weeks
        at = [m - 1 for m in months]
        volume[at] = WEEKS_PER_MONTH * float(rows["calls"].sum())
        hours[at] = WEEKS_PER_MONTH * float(rows["agents"].sum())
        fte[at] = float((rows["agents"].to_numpy(dtype=float) / per_fte).sum())
        cost[at] = WEEKS_PER_MONTH * float(week_costs.sum())
        idle_cost[at] = WEEKS_PER_MONTH * float(idle.sum())
        paid[at] = WEEKS_PER_MONTH * float(month_shifts["paid_hours"].sum()) if rostered else np.nan
        shifts += [month_shifts.assign(month=m) for m in months if len(month_shifts)]
        served = load.reindex(staffing["call_type"].unique())
        quieter = bool((served <= 1.0 + 1e-12).all())
        busiest = max(busiest, float(served.max()) if len(served) else 0.0)
        if quieter and not rostered:
            continue  # no queue busier than in the sizing week: it fits where that week did
        limits = overshoot(inputs, Exact(rows, month_shifts, month_hours))
        if held_back(limits):
            over[at] = True
            warnings += _month_warnings(inputs, months, limits)
    if flat:  # every month is the sizing week: its figures, as the LP prices them
        row_costs = staffing["annual_cost"].to_numpy(dtype=float).copy()
        row_hours = (staffing["agents"] * staffing["annual_factor"]).to_numpy(dtype=float)
        cost[:] = row_costs.sum() / count
        idle_cost[:] = float(outside.loc[outside["kind"] == "idle", "cost"].sum()) / count
    else:  # the idle hours are the months' rosters'
        idle_rows = pd.DataFrame(
            [("idle", site, value) for site, value in sorted(idle_by_site.items())],
            columns=_COST_COLUMNS,
        )
        parts = [p for p in (outside[outside["kind"] != "idle"], idle_rows) if len(p)]
        outside = pd.concat(parts, ignore_index=True) if parts else idle_rows
    frame = month_frame(volume, hours, paid, fte, cost, idle_cost, over)
    table = month_table(inputs, frame, outside, staffing)
    month_roster = (
        pd.concat(shifts, ignore_index=True)[MONTH_SHIFT_COLUMNS]
        if shifts
        else pd.DataFrame(columns=MONTH_SHIFT_COLUMNS)
    )
    return Year(
        months=table,
        row_costs=row_costs,
        row_hours=row_hours,
        outside=outside,
        shifts=month_roster,
        warnings=warnings,
        flat=flat,
        bounded=flat or (busiest <= 1.0 + 1e-12 and not rostered),
        peak_sized=flat or busiest <= 1.0 + 1e-12,
    )


def _month_warnings(inputs: ModelInputs, months: list[int], limits: Margins) -> list[str]:
    """What a group of months exceeds, in words (one warning): capacity and seats per site."""
    names = ", ".join(calendar.month_abbr[m] for m in months)
    sizing = inputs.scenario.settings.sizing
    if sizing in ("peak", "average"):
        sized = f"the {sizing} month's"
    else:
        sized = f"{calendar.month_name[int(sizing)]}'s"
    capacity = [
        # overshoot marks a site whose work no whole shift covers with 1e6 hours
        f"{site} (no whole-shift roster)" if excess >= 1e6 else f"{site} +{excess:,.1f} h/week"
        for site, excess in sorted(limits.capacity.items())
    ]
    hours: dict[str, list[int]] = {}
    for site, hour in sorted(limits.seats):
        hours.setdefault(site, []).append(hour)
    seats = [
        f"{site} up to +{max(limits.seats[(site, h)] for h in found):,.1f} agents "
        f"({len(found)} hours a week)"
        for site, found in hours.items()
    ]
    said = []
    if capacity:
        said.append(f"over capacity at {', '.join(capacity)} (productive hours)")
    if seats:
        said.append(f"over seats at {', '.join(seats)}")
    return [
        f"{names}: {'; '.join(said)}: the plan is sized on {sized} week (settings.sizing) "
        "and this month's volume is higher"
    ]


def _repriced_rows(inputs: ModelInputs, eligibility: Eligibility) -> np.ndarray:
    """True for each assignment row the loop re-prices: real-time work staffed by Erlang
    C, and all real-time work at rostered sites (whole agents per hour)."""
    rows = eligibility.assignments
    erlang = rows.join(inputs.workloads["erlang"], on=["call_type", "language"])["erlang"]
    hourly = rows["hour"].to_numpy() != WEEK
    rostered = rows["site"].isin(list(rostered_sites(inputs))).to_numpy()
    return (erlang.to_numpy(dtype=bool) | rostered) & hourly


def reprice_factors(
    inputs: ModelInputs,
    eligibility: Eligibility,
    erlang_rows: np.ndarray,
    factors: np.ndarray,
    shares: np.ndarray,
    round_: int,
) -> np.ndarray:
    """New agents-per-Erlang factors: the queues a plan uses priced at their own loads
    (``erlang_rows``, :func:`_repriced_rows`), in whole agents at rostered sites.

    After ``FREE_ROUNDS`` rounds a factor may only rise, so the loop settles (each round
    prices the queues at least as dearly), at a little optimality cost.
    """
    rows = eligibility.assignments
    call_types = {c.id: c for c in inputs.scenario.call_types}
    occupancy = inputs.scenario.settings.occupancy
    used = np.flatnonzero(erlang_rows & (shares > _ZERO))
    load = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy()[used] * shares[used]
    types = rows["call_type"].to_numpy()[used]
    # A rostered site staffs whole agents: its queues are priced at their whole agents.
    rostered = rows["site"].isin(list(rostered_sites(inputs))).to_numpy()[used]
    agents = np.array(
        [
            roster_agents(call_types[c], a, occupancy)
            if whole
            else agents_needed(call_types[c], a, occupancy)
            for c, a, whole in zip(types, load, rostered, strict=True)
        ],
        dtype=float,
    )
    repriced = agents / load
    new = factors.copy()
    new[used] = repriced if round_ < FREE_ROUNDS else np.maximum(factors[used], repriced)
    return new


def _roster_bound(
    inputs: ModelInputs, eligibility: Eligibility, year: Year, clock: _Clock
) -> float | None:
    """:func:`roster_bound` where the plain bound fails at rostered sites (one more LP,
    built afresh: a warm-started loop's plan is bounded by it too)."""
    if not rostered_sites(inputs):
        return None
    if year.bounded and bound_holds(inputs):
        return None  # the first round's LP is the bound
    with clock.stage("solve"):
        return roster_bound(inputs, eligibility, year)


def roster_bound(inputs: ModelInputs, eligibility: Eligibility, year: Year) -> float | None:
    """A lower bound on a rostered plan's annual cost [currency/yr], or None.

    The first round's LP (pooled factors, no margins) with two changes is a relaxation
    of every rostered plan costed month by month: idle hours cost nothing, and each
    rostered site's ``shift_capacity`` and ``shift_seats`` limits are multiplied by
    ``W / F_min`` (``W`` the weeks of the year, ``F_min`` the smallest annual factor of
    any call type). Proof: with ``w_m`` the weeks of month m and ``n_m`` its roster,
    ``n' = Σ_m w_m n_m / F_min`` covers the pooled requirement of every hour, since each
    month's whole agents are at least ``ρ_m`` times it (``N(ρa) ≥ ρ a N(A)/A`` for
    ``ρ ≤ 1``, the peak-sizing condition) and ``Σ_m w_m ρ_m = F ≥ F_min``; it is a
    positive combination of rosters, so it keeps the part-time rows; its paid hours
    and hours on shift are at most ``W / F_min`` times a month's, which fit capacity
    and seats when no month is over them. The plan's shares are unchanged, so every
    other row holds as in the plan's own round. Its LP cost is the pooled staffing
    term, which the months' staffing costs at least (:attr:`Plan.lower_bound`), plus
    idle hours at zero. Claimed only when no month carries more than the sizing week
    and no month is over a limit; None otherwise, or when the LP has no optimum.

    The bound drops the cost of idle hours: the gap it proves includes them.
    """
    if not year.peak_sized or bool(year.months["over_capacity"].any()):
        return None
    model = build_model(inputs, eligibility=eligibility)
    arrays = model.program.arrays()
    weeks = float(year.months["weeks"].sum())
    fewest = float(inputs.workloads["annual_factor"].min())
    # A call type with no work in the year (F = 0) leaves the limits unbounded: still valid.
    stretch = weeks / fewest if fewest > 0 else np.inf
    cost, upper = arrays.cost.copy(), arrays.row_upper.copy()
    idle = list(model.program.column_keys("idle").values())
    cost[idle] = 0.0
    for family in ("shift_capacity", "shift_seats"):
        rows = list(model.rows(family).values())
        limits = upper[rows]  # a zero limit stays zero (inf x 0 would be nan)
        upper[rows] = np.where(limits > 0, limits * max(stretch, 1.0), limits)
    relaxed = dataclasses.replace(arrays, cost=cost, row_upper=upper)
    solution, _ = solve_with_highs(relaxed, gap_tolerance=inputs.scenario.objective.gap_tolerance)
    return solution.bound


def _whole_agent_rounds(
    inputs: ModelInputs,
    eligibility: Eligibility,
    curve: StaffingCurve,
    solver: pulp.LpSolver | None,
    clock: _Clock,
) -> tuple[
    tuple[SourcingModel, Solution] | None,
    tuple[SourcingModel, Solution, _Priced, np.ndarray, Margins] | None,
    list[dict[str, float | bool]],
]:
    """Whole agents inside the MILP (``settings.staffing_model: milp``), refined.

    Each round solves the MILP of :mod:`bestshore.model.curve`, a relaxation of every
    whole-agent plan (its dual bound is a lower bound), and staffs its plan exactly (the
    upper bound, when it fits every limit). Where the plan's whole agents exceed the
    MILP's estimate, the rows it uses get breakpoints at their agents ``N - 1`` and
    ``N``: the segment their load is in becomes one step, exact, and the next round sees
    what they cost. The rounds stop when the best plan is within the gap tolerance of
    the best bound, when no row is left to refine, or after :data:`WHOLE_AGENT_ROUNDS`.
    No margins are held back: every round stays a relaxation.
    """
    objective = inputs.scenario.objective
    occupancy = inputs.scenario.settings.occupancy
    call_types = {c.id: c for c in inputs.scenario.call_types}
    refined: dict[int, set[int]] = {}
    first: tuple[SourcingModel, Solution] | None = None
    best: tuple[SourcingModel, Solution, _Priced, np.ndarray, Margins] | None = None
    history: list[dict[str, float | bool]] = []
    bound = -np.inf
    for _ in range(WHOLE_AGENT_ROUNDS):
        factors = curve_factors(eligibility, curve)
        with clock.stage("build"):
            model = build_model(
                inputs, eligibility=eligibility, agents_per_erlang=factors, curve=curve
            )
        clock.add("model_builds", 1)
        solution = solve_model(
            model,
            time_limit=objective.time_limit_seconds,
            solver=solver,
            gap_tolerance=objective.gap_tolerance,
        )
        clock.add("handover", solution.handover_seconds)
        clock.add("solve", solution.solve_seconds)
        clock.add("rounds", 1)
        first = first or (model, solution)
        if not solution.has_solution:
            break
        with clock.stage("staffing"):
            priced = price_exactly(model)
        if solution.bound is not None:
            bound = max(bound, solution.bound)
        history.append(
            {
                "lp_objective": float(solution.objective or 0.0),
                "lp_bound": bound if np.isfinite(bound) else np.nan,
                "exact_cost": priced.cost,
                "accepted": priced.accepted,
            }
        )
        if priced.accepted and (best is None or priced.cost < best[2].cost - _ZERO):
            best = (model, solution, priced, factors, Margins())
        if best is not None and best[2].cost - bound <= objective.gap_tolerance * abs(best[2].cost):
            break
        used = np.flatnonzero(model.shares() > _ZERO)
        staffing = priced.exact.staffing
        short = (staffing["agents"] > staffing["agents_lp"] + 1e-6).to_numpy()
        segmented = set(curve.rows.tolist())
        added = False
        for position, row in zip(used[short], staffing[short].itertuples(), strict=True):
            if int(position) not in segmented:
                continue
            agents = roster_agents(call_types[row.call_type], float(row.handle_hours), occupancy)
            points = refined.setdefault(int(position), set())
            before = len(points)
            points |= {agents - 1, agents}
            added = added or len(points) > before
        if not added:
            break
        with clock.stage("build"):
            curve = staffing_curve(inputs, eligibility, refined=refined)
    return first, best, history


def _fresh_bound(inputs: ModelInputs, eligibility: Eligibility, clock: _Clock) -> float | None:
    """The bound a fresh solve's first round proves: the pooled LP (no margins), solved
    on its own, for a plan whose loop was warm-started (one more LP)."""
    with clock.stage("build"):
        model = build_model(inputs, eligibility=eligibility)
    with clock.stage("solve"):
        solution, _ = solve_with_highs(
            model.program.arrays(), gap_tolerance=inputs.scenario.objective.gap_tolerance
        )
    return solution.bound


def plan_sourcing(
    inputs: ModelInputs,
    eligibility: Eligibility | None = None,
    *,
    solver: pulp.LpSolver | None = None,
    session: HighsSession | None = None,
    previous: Plan | None = None,
    quick: bool = False,
) -> Planning:
    """Solve, re-pricing Erlang staffing until stable; the best accepted plan, if any.

    The loop is described in this module's docstring. ``solver`` takes the plain PuLP
    path and ``session`` keeps one HiGHS instance across solves (see
    :func:`~bestshore.model.solve.solve_model`). ``previous``, an earlier plan of the
    same eligible set (a Workbench's last), gives the model the first round re-prices
    instead of building afresh; each later round re-prices the round before. With
    ``quick``, the loop also begins from its factors and margins instead of the pooled
    ones: a what-if then settles in a round or two, but the first round is no longer a
    lower bound (the pooled LP is solved on its own for it, :attr:`Plan.warm_bound`) and
    the plan may differ from a fresh solve's within the proven gap. The time limit is the scenario's (``objective.time_limit_seconds``).
    """
    clock = _Clock()
    eligibility = eligibility or eligible_assignments(inputs)
    erlang_rows = _repriced_rows(inputs, eligibility)
    factors = eligibility.assignments["agents_per_erlang"].to_numpy(dtype=float).copy()
    whole = whole_agent_curve(inputs, eligibility)
    margins = Margins()
    start = previous if quick and whole is None else None  # the MILP has no loop to warm
    if start is not None and len(start.factors) == len(factors):
        factors, margins = start.factors.copy(), start.margins
    else:
        start = None
    base = previous.model if previous is not None else None
    first: tuple[SourcingModel, Solution] | None = None
    best: tuple[SourcingModel, Solution, _Priced, np.ndarray, Margins] | None = None
    history: list[dict[str, float | bool]] = []
    last_cost = np.inf
    if whole is not None:
        first, best, history = _whole_agent_rounds(inputs, eligibility, whole, solver, clock)
    rounds = MAX_ROUNDS if erlang_rows.any() else 1
    for round_ in range(0 if whole is not None else rounds):
        model, solution = solve_round(
            inputs, eligibility, factors, margins,
            base=base, solver=solver, session=session, clock=clock,
        )  # fmt: skip
        base = model  # the next round changes factors and margins only: re-price this one
        first = first or (model, solution)
        if not solution.has_solution:
            if not held_back(margins):
                break
            margins = halve_margins(margins)  # the rounding room itself made it infeasible
            continue
        with clock.stage("staffing"):
            priced = price_exactly(model)
            history.append(
                {
                    "lp_objective": float(solution.objective or 0.0),
                    "lp_bound": np.nan if solution.bound is None else solution.bound,
                    "exact_cost": priced.cost,
                    "accepted": priced.accepted,
                }
            )
            if priced.accepted and (best is None or priced.cost < best[2].cost - _ZERO):
                best = (model, solution, priced, factors.copy(), margins)
            if priced.accepted and abs(last_cost - priced.cost) <= _STABLE * max(priced.cost, 1.0):
                break
            last_cost = priced.cost
            margins = grow_margins(margins, priced.over)
            factors = reprice_factors(
                inputs, eligibility, erlang_rows, factors, model.shares(), round_
            )
    assert first is not None
    plan = None
    if best is not None:
        model, solution, priced, accepted_factors, accepted_margins = best
        with clock.stage("staffing"):
            year = price_year(model, priced.exact)
        staffing = priced.exact.staffing.copy()
        staffing["annual_cost"] = year.row_costs
        staffing["annual_hours"] = year.row_hours
        plan = Plan(
            model=model,
            outcome=solution,
            staffing=staffing,
            pooled_agents=_pooled(inputs),
            history=history,
            factors=accepted_factors,
            margins=accepted_margins,
            warm_started=start is not None,
            shifts=priced.exact.shifts,
            roster_hours=priced.exact.roster_hours,
            year=year,
            roster_bound=_roster_bound(inputs, eligibility, year, clock),
            warm_bound=_fresh_bound(inputs, eligibility, clock) if start is not None else None,
        )
    return Planning(first[0], first[1], plan, clock.seconds)
