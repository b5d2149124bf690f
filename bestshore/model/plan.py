"""Solve to a plan: a relaxation that bounds every plan, then plans staffed exactly.

Staffing is not linear (:mod:`bestshore.model.curve`): a queue taken whole by one site
is priced (almost) exactly by its envelope, a split queue under its true cost. The
solve:

1. :func:`solve_round` solves the *relaxation*: every Erlang-staffed row's agents at
   least its envelope, the year priced month by month, rostered sites paying at least
   their rosters (:mod:`bestshore.model.roster`). Its optimum is the **lower bound** no
   plan can beat (with on/off decisions it is a MILP, and its dual bound is taken).
2. :func:`price_exactly` staffs its plan exactly (Erlang C per queue, in whole agents
   under ``settings.staffing_model: whole``), rosters rostered sites in whole shifts,
   and costs it; a plan is *accepted* when that exact staffing fits every capacity and
   seat limit (:func:`overshoot` finds none).
3. **Fit**: until a plan is accepted, what its exact staffing overshoots is held back
   from those limits in the next round of the relaxation (:func:`grow_margins`; when
   that leaves no plan, back halfway). These rounds are restrictions: they move the
   plan, never the bound. A quick what-if (``quick=True``) grows a margin faster when
   a site stays over (:func:`_growth`) and takes a plan moving a millionth of the cost
   as the same plan (:func:`_same_plan`): fewer rounds, a plan within its proven gap.
4. **Improve** (sites staffed hour by hour, not in a quick what-if): *linearized rounds*
   (:mod:`bestshore.model.linearize`) charge each queue in use the line of its exact
   staffing at its load; each round's plan is staffed exactly and kept when it fits
   and costs less, until the saving falls under 0.05 % (a round over its limits that
   saves less ends them too) or after :data:`LINEARIZED_ROUNDS`.
5. **Close** (small scenarios, at most
   :data:`~bestshore.model.segments.EXACT_BINARIES` whole-agent steps in all): every
   queue step by step in a MILP (:mod:`bestshore.model.segments`), whose dual bound
   raises the bound and whose plan is kept when it fits and costs less.
6. **Re-plan the pooled hours** (with the Lagrangian bound's pooled hours' MILPs,
   :mod:`bestshore.model.pooled_hours`): each call type's hour with a language pool
   keeps only the sites its MILP on exact staffing uses at the LP's prices
   (:func:`_narrowed`), steps 1 to 4 run again on that narrower eligible set, and its
   plan, a plan of the full set too, is kept when its year costs less. The bound stays
   the full set's.

The cheapest accepted plan is returned, or none. Rounds are compared on the sizing
week (its exact cost times the annual factor). The accepted plan is then costed month
by month (:func:`price_year`, :mod:`bestshore.model.months`): each month staffed and
rostered at its own volume, the year the sum of its months. The proven gap is that
cost against the bound.
"""

from __future__ import annotations

import calendar
import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd

from bestshore.model.build import SHARE_NOISE, SourcingModel, build_model
from bestshore.model.constraints import Margins, Variables, extra_costs
from bestshore.model.contracts import tier_discount
from bestshore.model.curve import staffing_envelopes, whole_agent_rows
from bestshore.model.families import FAMILIES, Exact, without
from bestshore.model.inputs import WEEK, ModelInputs, rostered_sites
from bestshore.model.lagrange import LagrangianDual, multiplier_steps, prepare_dual
from bestshore.model.linearize import linearized
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
    staff_months,
    weekly_cost,
)
from bestshore.model.program import HighsSession, KeyedBasis, Solution
from bestshore.model.reprice import build_or_reprice
from bestshore.model.roster import whole_roster, whole_seats
from bestshore.model.segments import EXACT_BINARIES, EXACT_NODES, segmented, step_count
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import solve_model
from bestshore.model.staffing import (
    exact_staffing,
    language_pools,
    planning_agents_of,
    poolable,
    roster_agents_of,
)
from bestshore.scenario.profiles import WEEKS_PER_MONTH

if TYPE_CHECKING:  # PuLP is loaded when its path solves, not with the package
    import pulp

__all__ = [
    "LINEARIZED_ROUNDS",
    "MAX_ROUNDS",
    "Plan",
    "Planning",
    "costs_outside_staffing",
    "plan_sourcing",
    "price_exactly",
    "price_year",
    "solve_round",
]

_ZERO = 1e-9
#: Rounds of the relaxation holding room back, at most.
MAX_ROUNDS = 20
#: Relative gap at which a relaxation with queue openings (a MILP,
#: :mod:`bestshore.model.opening`) stops: its dual bound is the bound kept, valid
#: wherever it stops, and the staffing gap its plans leave is several times larger; on
#: the demo 1e-4 took the first round 5 s, 1e-3 0.9 s and 5e-3 0.3 s, the plan within
#: 0.04 % and the bound within 0.03 % of 1e-3's.
OPENING_GAP = 5e-3
#: Linearized rounds improving the plan that fits, at most.
LINEARIZED_ROUNDS = 8
# A linearized round that saves less than this share of the cost ends the rounds.
_IMPROVED = 5e-4
#: Relative change of exact cost under which a quick what-if's fit round counts as the
#: same plan as the round before (:func:`_same_plan`).
QUICK_SAME = 1e-6
#: The least a quick what-if's fit round grows a seat-hour's margin by [agents]: seats
#: overshot by a few hundredths of an agent, one hour after another, were chased round
#: after round (30 draws of demo-study: 4.8 -> 4.1 rounds a draw at half an agent; one
#: agent, the rounds started from a quick solve's room: 3.83 -> 3.6, cost +0.01 % on
#: average, +0.07 % at most, each within its proven gap).
QUICK_SEAT_STEP = 1.0
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
        one queue at one site, a call type's languages one queue where sites pool them
        (the pooling ideal; see :func:`_pooled`) [agents].
    history : list of dict
        Per round with a plan: ``lp_objective`` and ``exact_cost`` [currency/yr],
        ``accepted``, and ``lp_bound`` (the best bound proven when the first round is
        recorded, the relaxation's or the Lagrangian's; NaN after). When the plan is
        the pooled hours' re-plan's (:func:`plan_sourcing`, step 6), its rounds follow
        the solve's, marked ``replanned``.
        Rounds are compared on the sizing week: a round's ``exact_cost`` is its sizing
        week's exact cost times the annual factor; only the accepted plan is costed
        month by month (:attr:`year`).
    margins : Margins
        The room held back from limits in it.
    bound : float or None
        The best proven bound [currency/yr]: the relaxation's (its LP optimum; with on/off
        decisions its MILP's dual bound), the Lagrangian bound with exact staffing
        (:mod:`bestshore.model.lagrange`) or the step MILP's dual bound, whichever is
        highest; None when no solve proved one.
    bound_source : str
        Which proved it: ``relaxation``, ``lagrangian`` or ``step_milp``.
    shifts, roster_hours : DataFrame
        The whole-agent roster of the rostered sites
        (:func:`bestshore.model.roster.whole_roster`); empty without one.
    year : Year or None
        The plan costed month by month (:func:`price_year`); ``staffing``'s
        ``annual_cost`` and ``annual_hours`` are then its sums over the months. None for
        a plan not yet costed so (``annual_cost`` is then the sizing week's times the
        annual factor).
    relaxation : SourcingModel or None
        The first round's model (the relaxation, no room held back), solved; a plan held
        fixed under the same inputs is priced on it when its families are those
        (:func:`bestshore.model.held.price_held`).
    """

    model: SourcingModel
    outcome: Solution
    staffing: pd.DataFrame
    pooled_agents: pd.Series
    history: list[dict[str, float | bool]]
    margins: Margins = field(default_factory=Margins)
    shifts: pd.DataFrame = field(default_factory=pd.DataFrame)
    roster_hours: pd.DataFrame = field(default_factory=pd.DataFrame)
    year: Year | None = None
    bound: float | None = None
    bound_source: str = "relaxation"
    relaxation: SourcingModel | None = None

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
        """The accepted round's cost as the solve compares rounds [currency/yr]:
        the sizing week's exact cost times the annual factor, as if staffing were
        proportional to volume through the year."""
        own = bool(self.history[-1].get("replanned", False)) if self.history else False
        accepted = [
            h for h in self.history if h["accepted"] and bool(h.get("replanned", False)) == own
        ]
        costs = [float(h["exact_cost"]) for h in accepted]
        return min(costs) if costs else self.exact_cost

    @property
    def lp_objective(self) -> float:
        return float(self.outcome.objective or 0.0)

    @property
    def lower_bound(self) -> float | None:
        """No plan can cost less [currency/yr]: the relaxation's proven optimum
        (:mod:`bestshore.model.curve`): every Erlang-staffed row at least its envelope,
        every split queue at least its pooled agents, the year month by month, rostered
        sites' idle hours at least those of the rosters (month by month: their average
        roster, :mod:`bestshore.model.roster`). None when its solve stopped (a limit)
        before proving a bound."""
        bound = self.bound
        if bound is None or not np.isfinite(float(bound)):
            return None
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

    ``extra_hours`` are the relaxation's agent hours beyond ``κ·T·x`` of each row (its
    envelope, :mod:`bestshore.model.curve`), part of its estimate ``agents_lp``. Rows at
    rostered sites (and every row under ``settings.staffing_model: whole``) are staffed
    in whole agents (:func:`~bestshore.model.curve.whole_agent_rows`).
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
    whole = whole_agent_rows(inputs, rows[hourly])
    pooling = {s.id for s in inputs.scenario.sites if inputs.scenario.pools_languages(s)}
    rows["pool"] = language_pools(rows, call_types, pooling)
    exact = exact_staffing(
        rows[hourly], call_types, settings.occupancy, whole, rows.loc[hourly, "pool"].to_numpy()
    )
    columns = ["agents", "roster_agents", "service_level", "asa_seconds", "abandon_rate"]
    columns.append("occupancy")
    at = hourly.to_numpy()
    for column in columns:  # whole columns written at once: far faster than .loc
        # deferred work: its agents linear, exact as they are; no queue figures
        values = estimate[used] if column in ("agents", "roster_agents") else np.nan
        values = np.array(np.broadcast_to(values, len(rows)), dtype=float)
        values[at] = exact[column].to_numpy(dtype=float)
        rows[column] = values
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
        sites = per_hour.index.get_level_values(0)
        limit = np.array(seats.reindex(sites), dtype=float)  # a copy, written below
        for site in rostered:
            if site in seats.index:
                limit[np.asarray(sites == site)] = whole_seats(inputs, site)
        excess_seats = per_hour - limit
        over.seats = {
            (str(s), int(h)): float(v)
            for (s, h), v in excess_seats[excess_seats > tolerance].items()
        }
    return over


def _same_plan(before: float, cost: float, quick: bool) -> bool:
    """Whether a fit round gave the same plan as the round before: the same exact cost,
    or for a quick what-if within a millionth (a margin creeping up by the overshoot
    alone moved a few euros of work: the room held back does not bind yet)."""
    if not quick:
        return before == cost
    return abs(before - cost) <= QUICK_SAME * abs(cost)


def _growth(rounds: int, quick: bool) -> float:
    """How many times its overshoot a margin grows by after ``rounds`` fit rounds: 1.5,
    and for a quick what-if doubling each round from the third (a site still over after
    two rounds is chased in a few more, not a dozen, at the price of room held back that
    its proven gap reports)."""
    return 1.5 * (2.0 ** max(rounds - 2, 0) if quick else 1.0)


def held_back(margins: Margins) -> bool:
    return bool(margins.capacity or margins.seats)


def halve_margins(margins: Margins) -> Margins:
    """Half the room held back; below a thousandth of an hour, none."""

    def half(held: dict) -> dict:
        return {key: value / 2 for key, value in held.items() if value / 2 > 1e-3}

    return Margins(half(margins.capacity), half(margins.seats))


def grow_margins(
    margins: Margins,
    over: Margins,
    factor: float = 1.5,
    least: dict[str, float] | None = None,
    least_seats: float = 0.0,
) -> Margins:
    """Add an overshoot (``factor`` times, plus a little) to the margins held back.

    ``least`` [h/week], per site: the least its capacity margin grows by. A rostered
    site's paid hours move by whole shifts: holding back a fraction of an hour it
    overshoots would leave its whole roster as it was, round after round, so it grows
    by its shortest shift at least (:func:`roster_steps`). ``least_seats`` [agents]:
    the least a seat-hour's margin grows by.
    """
    grown = Margins(dict(margins.capacity), dict(margins.seats))
    for name in ("capacity", "seats"):
        held, extra = getattr(grown, name), getattr(over, name)
        for key, value in extra.items():
            step = factor * value + 1e-6
            if name == "capacity" and least:
                step = max(step, least.get(str(key), 0.0))
            elif name == "seats":
                step = max(step, least_seats)
            held[key] = held.get(key, 0.0) + step
    return grown


def roster_steps(inputs: ModelInputs) -> dict[str, float]:
    """Each rostered site's shortest shift [h]: the least its paid hours move by."""
    return {site: float(min(r.shift_hours)) for site, r in rostered_sites(inputs).items()}


def _between(low: Margins, high: Margins) -> Margins:
    """Halfway from ``low`` to ``high`` (entry by entry)."""
    middle = Margins(dict(low.capacity), dict(low.seats))
    for name in ("capacity", "seats"):
        held, top = getattr(middle, name), getattr(high, name)
        for key, value in top.items():
            held[key] = (held.get(key, 0.0) + value) / 2
    return middle


def _pooled(inputs: ModelInputs) -> pd.Series:
    """Agents of each real-time demand unit as one queue at one site: planning agents, or
    whole agents for queues with a goal under ``settings.staffing_model: whole``.

    Where a site pools languages (``settings.pool_languages``, ``sites[].pool_languages``)
    a call type with an Erlang C goal is one queue per hour, all its languages together
    (the pooling ideal a plan is measured against, so its pooling loss is never below
    0, Erlang C being subadditive): the hour's agents are shared among its languages in
    proportion to their handle hours, as a pool's are among its rows."""
    scenario = inputs.scenario
    call_types = {c.id: c for c in scenario.call_types}
    settings = scenario.settings
    occupancy, whole = settings.occupancy, settings.staffing_model == "whole"
    hourly = inputs.demand[inputs.demand.index.get_level_values("hour") != WEEK]
    pooling = any(scenario.pools_languages(site) for site in scenario.sites)

    def agents(call_type: str, loads: np.ndarray) -> np.ndarray:
        kind = call_types[call_type]
        if whole and kind.service_level is not None:
            return roster_agents_of(kind, loads, occupancy)
        return planning_agents_of(kind, loads, occupancy)

    def agents_by_type(types: np.ndarray, loads: np.ndarray) -> np.ndarray:
        found = np.zeros(len(loads))
        for call_type in pd.unique(types):
            members = np.flatnonzero(types == call_type)
            found[members] = agents(str(call_type), loads[members])
        return found

    load = hourly["handle_hours"].astype(float)
    types = hourly.index.get_level_values("call_type")
    poolable_types = [c for c, kind in call_types.items() if pooling and poolable(kind)]
    pooled = np.isin(np.asarray(types), poolable_types)
    found = pd.Series(
        agents_by_type(np.asarray(types), load.to_numpy(dtype=float)),
        index=hourly.index,
        name="pooled_agents",
        dtype=float,
    )
    if pooled.any():
        part = load[pooled]
        keys = [part.index.get_level_values("call_type"), part.index.get_level_values("hour")]
        groups = part.groupby(keys)
        total = groups.transform("sum").to_numpy(dtype=float)
        summed = groups.sum()  # in the order of the groups' numbers
        summed_agents = agents_by_type(
            np.asarray(summed.index.get_level_values(0)), summed.to_numpy(dtype=float)
        )
        loads = part.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(total > 0, loads / total, 0.0)
        shared = summed_agents[groups.ngroup().to_numpy()] * ratio
        found[pooled] = shared
    return found


class _Clock:
    """Seconds per stage and counts, summed over the rounds."""

    STAGES = (
        "build", "handover", "solve", "staffing", "bound", "pooled_replan", "rounds",
        "model_builds",
    )  # fmt: skip

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

    def round(self, model: SourcingModel, solver: pulp.LpSolver | None, **options: Any) -> Solution:
        """One round's solve under the scenario's time limit and gap tolerance, its
        hand-over and solve seconds and the round counted."""
        objective = model.inputs.scenario.objective
        gap = objective.gap_tolerance
        families = model.program.column_families()
        if (
            options.get("fixed") is None
            and "queue_open" in families
            and "queue_step" not in families
        ):
            # the relaxation's dual bound is what is kept (OPENING_GAP); the step MILP,
            # which closes small scenarios, keeps the scenario's tolerance
            gap = max(gap, OPENING_GAP)
        solution = solve_model(
            model,
            time_limit=objective.time_limit_seconds,
            solver=solver,
            gap_tolerance=gap,
            **options,
        )
        self.add("handover", solution.handover_seconds)
        self.add("solve", solution.solve_seconds)
        self.add("rounds", 1)
        return solution


def solve_round(
    inputs: ModelInputs,
    eligibility: Eligibility,
    margins: Margins,
    *,
    base: SourcingModel | None,
    solver: pulp.LpSolver | None,
    session: HighsSession | None,
    clock: _Clock,
    fixed: np.ndarray | None = None,
    start: KeyedBasis | None = None,
) -> tuple[SourcingModel, Solution]:
    """One round: the relaxation with these margins (``base`` re-priced when it can be,
    :func:`~bestshore.model.reprice.build_or_reprice`), solved; ``fixed`` holds its
    on/off decisions (integer columns) where given; a solve afresh starts from
    ``start`` where given."""
    with clock.stage("build"):
        model, built = build_or_reprice(inputs, base=base, eligibility=eligibility, margins=margins)
        basis = start.for_program(model.program) if start is not None else None
    clock.add("model_builds", built)
    if fixed is not None and len(fixed) != model.program.num_col:
        fixed = None  # built afresh with other columns: nothing to hold
    return model, clock.round(model, solver, session=session, fixed=fixed, basis=basis)


def _decisions(model: SourcingModel, solution: Solution) -> np.ndarray | None:
    """The on/off decisions of a solved MILP (its integer columns' values, rounded; NaN
    for the other columns), None for an LP or a solve without a plan."""
    integer = model.program.arrays().integer
    if not integer.any() or solution.values is None:
        return None
    fixed = np.full(len(integer), np.nan)
    fixed[integer] = np.round(solution.values[integer])
    return fixed


@dataclass(frozen=True)
class _Priced:
    """A round's plan staffed exactly (and rostered): its exact cost and overshoot, and
    its costs outside the staffing rows (:func:`costs_outside_staffing`)."""

    exact: Exact
    cost: float
    over: Margins
    outside: pd.DataFrame

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
    outside = costs_outside_staffing(model, exact)
    cost = float(staffing["annual_cost"].sum() + outside["cost"].sum())
    return _Priced(exact, cost, overshoot(inputs, exact), outside)


def _to_binding(
    inputs: ModelInputs, staffing: pd.DataFrame, held: Margins, over: Margins
) -> Margins:
    """An overshoot large enough that the room then held back binds (for a fit round
    that gave the same plan as the round before): where a site's (or a site-hour's)
    relaxation estimate ``agents_lp`` lies so far under the limit that the
    margin held back, grown by the overshoot alone, would not reach it for many rounds
    (a split queue, or a language pool taking part of its languages, needs more than its
    envelope says), the overshoot is raised to what brings the margin to the exact
    staffing's excess over the estimate (sites staffed hour by hour only)."""
    if not (over.capacity or over.seats):
        return over
    rostered = set(rostered_sites(inputs))
    gap = staffing["agents"] - staffing["agents_lp"]
    raised = Margins(dict(over.capacity), dict(over.seats))
    by_site = gap.groupby(staffing["site"]).sum()
    for site, value in over.capacity.items():
        if site not in rostered:
            needed = float(by_site.get(site, 0.0)) - held.capacity.get(site, 0.0)
            raised.capacity[site] = max(value, needed / 1.5)
    hourly = staffing["hour"] != WEEK
    by_hour = gap[hourly].groupby([staffing["site"][hourly], staffing["hour"][hourly]]).sum()
    for key, value in over.seats.items():
        if key[0] not in rostered:
            needed = float(by_hour.get(key, 0.0)) - held.seats.get(key, 0.0)
            raised.seats[key] = max(value, needed / 1.5)
    return raised


def price_year(model: SourcingModel, exact: Exact, outside: pd.DataFrame | None = None) -> Year:
    """Cost a plan month by month (:mod:`bestshore.model.months`); ``outside``, its costs
    outside the staffing rows when already found (:attr:`_Priced.outside`).

    Each distinct month's load staffs the plan's queues exactly
    (:func:`~bestshore.model.months.staff_months`), rosters its rostered sites again in
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
    if outside is None:
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
    staffed = staff_months(inputs, staffing, [load for _, load in groups])
    for (months, load), rows in zip(groups, staffed, strict=True):
        if rows is staffing:  # the sizing week's load: its roster as it is
            month_shifts, month_hours = exact.shifts, exact.roster_hours
        else:
            month_shifts, month_hours = whole_roster(inputs, rows, method="rounded")
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


def _accept(
    best: _Best | None, model: SourcingModel, solution: Solution, priced: _Priced, margins: Margins
) -> _Best | None:
    """The cheaper of ``best`` and this round's plan, if it fits every limit."""
    if priced.accepted and (best is None or priced.cost < best.priced.cost - _ZERO):
        return _Best(model, solution, priced, margins)
    return best


@dataclass(frozen=True)
class _Best:
    model: SourcingModel
    solution: Solution
    priced: _Priced
    margins: Margins


def _bound(model: SourcingModel, solution: Solution) -> float | None:
    """The bound a relaxation's solve proves on every plan's cost [currency/yr], less the
    most its whole-agent rows' tie-break (a millionth of their price on ``e``, which
    keeps ``e`` at its floor, :func:`~bestshore.model.constraints.extra_costs`) can add."""
    if not solution.has_solution or solution.bound is None:
        return None
    envelopes = model.variables.envelopes
    if envelopes is None or not envelopes.year_column.any():
        return float(solution.bound)
    kept = envelopes.year_column  # whole agents and language pools
    rows = envelopes.rows[kept]
    most = float((extra_costs(model.variables)[rows] * envelopes.needed[kept]).sum())
    return float(solution.bound) - most


def _linearized_round(
    model: SourcingModel,
    shares: np.ndarray,
    solver: pulp.LpSolver | None,
    clock: _Clock,
    fixed: np.ndarray | None = None,
    basis: highspy.HighsBasis | None = None,
) -> tuple[SourcingModel, Solution]:
    """One linearized round (:mod:`bestshore.model.linearize`) from ``model`` (the
    relaxation with its margins) at ``shares``, solved (``fixed``: on/off decisions
    held, as :func:`solve_round`; ``basis``: the simplex started from the relaxation's,
    the lines' rows basic)."""
    with clock.stage("build"):
        linear = linearized(model, shares)
    if fixed is not None and len(fixed) != linear.program.num_col:
        fixed = None
    return linear, clock.round(linear, solver, fixed=fixed, basis=basis)


def plan_sourcing(
    inputs: ModelInputs,
    eligibility: Eligibility | None = None,
    *,
    solver: pulp.LpSolver | None = None,
    session: HighsSession | None = None,
    previous: Plan | None = None,
    quick: bool = False,
    start: KeyedBasis | None = None,
    lagrangian: bool = True,
) -> Planning:
    """Solve the relaxation, then plans staffed exactly; the best accepted plan, if any.

    The rounds are described in this module's docstring. ``solver`` takes the plain
    PuLP path and ``session`` keeps one HiGHS instance across the relaxation's solves
    (see :func:`~bestshore.model.solve.solve_model`) for scenarios staffed by workload
    (the relaxation is their plan) and ``quick`` what-ifs; Erlang-staffed ones are solved
    afresh, round by round, so the plan depends on the terms alone, not on what was
    solved before. A ``quick`` what-if given no ``session`` (a Workbench variant) gets
    one of its own: its rounds after the first restart from the round before, and its
    linearized rounds start from the accepted round's basis (nothing carried from
    earlier solves, so its answer is still its terms' alone).
    ``previous``, an earlier plan of the same eligible set (a Workbench's last), gives
    the model the first round re-prices instead of building afresh (its relaxation's).
    With ``quick``, the rounds after the relaxation start from ``previous``'s margins: a
    what-if then settles in fewer rounds, the plan may differ from a fresh solve's
    within the proven gap, and the bound is the relaxation's, proven as always (the
    convex one: a quick what-if leaves the queue openings out); ``start`` (a quick
    what-if's) is the basis its relaxation's simplex starts from
    (:class:`~bestshore.model.program.KeyedBasis`: the kept plan's relaxation's, so the
    answer is still its terms' and that plan's alone). The time limit is the scenario's
    (``objective.time_limit_seconds``).
    ``lagrangian`` (``settings.lagrangian_bound`` too) computes the Lagrangian bound and
    re-plans the pooled hours where its MILPs put their languages (:func:`_narrowed`);
    that re-plan's own solve leaves both out.
    """
    clock = _Clock()
    eligibility = eligibility or eligible_assignments(inputs)
    objective = inputs.scenario.objective
    # the earlier plan's relaxation: its columns are the full eligible set's, where its
    # accepted round's may be a narrower set's (the pooled hours' re-plan, step 6)
    base = None
    if previous is not None:
        base = previous.relaxation if previous.relaxation is not None else previous.model
    if quick:
        # A what-if in a hurry solves the convex relaxation alone: the queue openings'
        # MILP (:mod:`bestshore.model.opening`), its binaries then held, left the
        # rounds from the previous margins chasing one seat overshoot after another
        # (the demo's draws: 13 rounds, 3.5 s, against 6 rounds, 1.2 s without it).
        # The bound is the convex one, proven as always, its gap wider.
        kept = without("queue_opening", base.families if base else FAMILIES)
        if base is None or len(kept) < len(base.families):
            with clock.stage("build"):
                base = build_model(inputs, eligibility=eligibility, families=kept)
            clock.add("model_builds", 1)
    if not quick and len(staffing_envelopes(inputs, eligibility).rows):
        # A restarted simplex may end on another of several optimal vertices, and the
        # rounds after it would differ: a HiGHS instance of this solve's own, its first
        # round solved from scratch and each later one restarted from the round before,
        # keeps the answer the terms' alone (nothing carried from earlier solves).
        session = HighsSession() if solver is None else None
    elif quick and session is None and solver is None:
        # A quick what-if with no instance of its own (a Workbench variant): one for this
        # solve, so its rounds after the first restart from the round before.
        session = HighsSession()
    margins = Margins()
    first = solve_round(
        inputs, eligibility, margins, base=base, solver=solver, session=session, clock=clock,
        start=start if quick and solver is None else None,
    )  # fmt: skip
    model, solution = first
    bound = _bound(model, solution)
    source = "relaxation"
    # The rounds after the relaxation keep its on/off decisions (teams, panel, sites
    # open): LPs, not MILPs; where they leave no plan, the decisions are freed again.
    fixed = _decisions(model, solution)
    envelopes = model.variables.envelopes
    dual: LagrangianDual | None = None
    pooled_shares: np.ndarray | None = None  # where the pooled hours' MILPs put them
    if (
        not quick
        and lagrangian
        and inputs.scenario.settings.lagrangian_bound
        and solution.has_solution
        and envelopes is not None
        and len(envelopes.rows)
    ):
        # each demand unit staffed exactly, at the LP's duals with those decisions held
        with clock.stage("bound"):
            try:
                dual = prepare_dual(model, time_limit=objective.time_limit_seconds, fixed=fixed)
                at = dual.evaluate(dual.start) if dual is not None else None
            except ValueError:  # staffing not monotone where tabulated: no proof
                dual, at = None, None
        if at is not None and (bound is None or at.value > bound):
            bound, source = at.value, "lagrangian"
        if at is not None:
            pooled_shares = at.pooled_shares
        if not inputs.scenario.settings.lagrangian_steps:
            dual = None  # no steps: its tables need not be kept through the rounds
    if quick and previous is not None and held_back(previous.margins):
        margins = previous.margins
        model, solution = solve_round(
            inputs, eligibility, margins, base=model, solver=solver, session=session, clock=clock
        )
    best: _Best | None = None
    history: list[dict[str, float | bool]] = []

    def record(solution: Solution, priced: _Priced) -> None:
        history.append(
            {
                "lp_objective": float(solution.objective or 0.0),
                "lp_bound": bound if not history and bound is not None else np.nan,
                "exact_cost": priced.cost,
                "accepted": priced.accepted,
            }
        )

    def proven(best: _Best | None) -> bool:
        cost = best.priced.cost if best is not None else np.inf
        return bound is not None and cost - bound <= objective.gap_tolerance * abs(cost)

    # 1. Fit: the relaxation, holding back what exact staffing overshoots.
    feasible = Margins()  # the most room held back that still left a plan
    steps = roster_steps(inputs)
    for _ in range(MAX_ROUNDS):
        if not solution.has_solution:
            if fixed is not None:
                fixed = None  # the held decisions left no plan: decide them again
            elif not held_back(margins):
                break
            else:
                # the room held back left no plan: back halfway to the last that did
                margins = (
                    _between(feasible, margins) if held_back(feasible) else halve_margins(margins)
                )
        else:
            feasible = margins
            with clock.stage("staffing"):
                priced = price_exactly(model)
            record(solution, priced)
            best = _accept(best, model, solution, priced, margins)
            if best is not None:
                break
            over = priced.over
            if len(history) > 1 and _same_plan(history[-2]["exact_cost"], priced.cost, quick):
                # the same plan again: the room held back does not bind yet
                over = _to_binding(inputs, priced.exact.staffing, margins, over)
            margins = grow_margins(
                margins, over, factor=_growth(len(history), quick), least=steps,
                least_seats=QUICK_SEAT_STEP if quick else 0.0,
            )  # fmt: skip
        model, solution = solve_round(
            inputs, eligibility, margins,
            base=model, solver=solver, session=session, clock=clock, fixed=fixed,
        )  # fmt: skip
    # 2. Improve: linearized rounds from the plan that fits (not with rostered sites,
    # whose whole shifts the lines do not see).
    rostered = bool(rostered_sites(inputs))
    # A quick what-if keeps the plan that fits: on 30 draws of the demo's study the
    # linearized rounds (1.4 a draw) never found a cheaper plan that fit.
    if best is not None and not rostered and not quick and not proven(best):
        # From the relaxation without room held back: the plan that fits is a solution
        # of its linearization at the plan's loads (each line exact there).
        relaxed, margins, shares = first[0], Margins(), best.model.shares()
        held = _decisions(best.model, best.solution)
        # A quick what-if starts each round's simplex from the accepted round's basis
        # (the session's last LP: the relaxation with room held back, the lines' rows
        # then basic) rather than from nothing; a fresh solve keeps its cold rounds.
        basis = session.basis() if quick and session is not None else None
        for _ in range(LINEARIZED_ROUNDS):
            model, solution = _linearized_round(relaxed, shares, solver, clock, held, basis)
            if not solution.has_solution:
                if not held_back(margins):
                    break
                margins = halve_margins(margins)
                with clock.stage("build"):
                    relaxed, _ = build_or_reprice(
                        inputs, base=relaxed, eligibility=eligibility, margins=margins
                    )
                continue
            with clock.stage("staffing"):
                priced = price_exactly(model)
            record(solution, priced)
            before = best.priced.cost
            best = _accept(best, model, solution, priced, margins)
            assert best is not None
            shares = model.shares()
            if not priced.accepted:
                if priced.cost >= before - _IMPROVED * abs(before):
                    # Over its limits and still no cheaper: holding its overshoot back
                    # only restricts the next round further, so the lines have no
                    # saving left to find.
                    break
                # cheaper over its limits: hold back its overshoot and linearize there
                margins = grow_margins(margins, priced.over)
                with clock.stage("build"):
                    relaxed, _ = build_or_reprice(
                        inputs, base=relaxed, eligibility=eligibility, margins=margins
                    )
            elif before - best.priced.cost <= _IMPROVED * abs(before) or proven(best):
                break
    # The Lagrangian bound's multipliers stepped toward the accepted plan's cost, which
    # bounds the best of them (every bound lies under every plan's cost).
    moves = inputs.scenario.settings.lagrangian_steps
    if dual is not None and moves > 0 and best is not None and not proven(best):
        with clock.stage("bound"):
            try:
                raised = multiplier_steps(dual, moves, target=best.priced.cost).value
            except ValueError:  # staffing not monotone where tabulated: no proof
                raised = None
        if raised is not None and (bound is None or raised > bound):
            bound, source = raised, "lagrangian"
    # 3. Close the gap where the scenario is small: every queue step by step, a MILP
    # whose dual bound is a bound too (:mod:`bestshore.model.segments`).
    if not proven(best) and first[1].has_solution and step_count(first[0]) <= EXACT_BINARIES:
        with clock.stage("build"):
            stepped = segmented(first[0])
        solution = clock.round(stepped, solver, node_limit=EXACT_NODES)
        stepped_bound = _bound(stepped, solution)
        if stepped_bound is not None and (bound is None or stepped_bound > bound):
            bound, source = stepped_bound, "step_milp"
        if solution.has_solution:
            with clock.stage("staffing"):
                priced = price_exactly(stepped)
            record(solution, priced)
            best = _accept(best, stepped, solution, priced, Margins())
    plan = None
    if best is not None:
        with clock.stage("staffing"):
            year = price_year(best.model, best.priced.exact, best.priced.outside)
        staffing = best.priced.exact.staffing.copy()
        staffing["annual_cost"] = year.row_costs
        staffing["annual_hours"] = year.row_hours
        plan = Plan(
            model=best.model,
            outcome=best.solution,
            staffing=staffing,
            pooled_agents=_pooled(inputs),
            history=history,
            margins=best.margins,
            shifts=best.priced.exact.shifts,
            roster_hours=best.priced.exact.roster_hours,
            year=year,
            bound=bound,
            bound_source=source,
            relaxation=first[0],
        )
    # 4. Re-plan the pooled hours: each call type's hour with a language pool kept to
    # the sites its MILP on exact staffing uses at the LP's prices (the rounds' pooling
    # comes from convex envelopes, blind to what planning agents cost inside a step).
    # A plan of fewer choices is a plan of all of them: kept when it costs less.
    narrowed = None
    if plan is not None and pooled_shares is not None and not proven(best):
        narrowed = _narrowed(first[0].eligibility, pooled_shares)
    if plan is not None and narrowed is not None:
        with clock.stage("pooled_replan"):
            again = plan_sourcing(inputs, narrowed, solver=solver, lagrangian=False)
        # its rounds counted; its model, of other columns, is not a round the kept
        # model could have taken (``model_builds`` counts those)
        clock.add("rounds", again.timings["rounds"])
        if again.plan is not None and again.plan.exact_cost < plan.exact_cost - _ZERO:
            replanned = [{**h, "lp_bound": np.nan, "replanned": True} for h in again.plan.history]
            plan = replace(
                again.plan,
                history=history + replanned,
                bound=bound,
                bound_source=source,
                relaxation=first[0],
            )
    return Planning(first[0], first[1], plan, clock.seconds)


def _narrowed(eligibility: Eligibility, shares: np.ndarray) -> Eligibility | None:
    """``eligibility`` less its assignments whose ``shares`` (one per row, the model's
    share columns) are at most :data:`~bestshore.model.build.SHARE_NOISE` (NaN: not
    decided, kept); None when none is dropped."""
    dropped = ~np.isnan(shares) & (shares <= SHARE_NOISE)
    return eligibility.subset(~dropped) if dropped.any() else None
