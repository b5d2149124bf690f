r"""The agents a queue needs, bounded below inside the optimization (staffing envelopes).

A queue (call type c, language l, market hour h) that a site takes at load ``a``
[Erlang] needs ``N(a)`` agents, a function the LP cannot hold: Erlang C with an
occupancy cap is *concave-like* (splitting a queue costs agents) and, in whole agents,
a step function. Two exact functions are used (:mod:`bestshore.model.staffing`):

- ``N_f(a)``, planning agents (Erlang C interpolated on the service level between the
  whole counts, never below ``a / occupancy``): a fraction is part of an hour; a
  rostered site's whole agents on shift cover the sum of its queues' planning agents;
- ``N_w(a) = min {n : L(n) ≥ a}``, whole agents per queue and hour, under
  ``settings.staffing_model: whole``;

``L(n)`` being the most load ``n`` whole agents carry within the goal and the
occupancy cap (:func:`load_limits`). What the envelopes rest on:

1. at each *corner* ``(L(n), n)`` both functions are ``n``;
2. with ``P`` the piecewise-linear function through the corners (concave where ``L`` is
   convex, ``P(0) = 0``): ``N_w ≥ P`` and ``N_f ≥ P - δ``, ``δ`` a per-goal constant
   measured on a grid of every step (:func:`corner_slack`, about 0.01 agent; 0 for
   ``N_w``); both are at least ``a / occupancy``;
3. Erlang C pools: ``N(a) + N(b) ≥ N(a + b)`` (two groups of agents meeting the goal
   on their own meet it together, and the occupancy cap is linear); for planning
   agents, whose interpolation is not covered by that argument, it is checked on
   random pairs of loads in the tests. It is false under Erlang A (callers abandon)
   with an occupancy cap (a split queue abandons more and carries less): Erlang A
   queues get no pooling floor. Facts 1 and 2 hold for them (their planning agents are
   the corners' line, ``δ = 0``); a within-hour peak ``g`` scales the load, ``N(g a)``,
   and keeps all three.

For each Erlang-staffed assignment row r (traffic ``T`` at share 1, ``x`` its share):

- **hull** (family ``queue_staffing``, rows ``queue_hull``): its agents in the sizing
  week are at least ``H(x)``, the lower convex hull of ``(0, 0)``, the corners
  ``(L(m)/T, m - δ)`` with ``L(m) < T``, and ``(1, N(T))``: the largest convex function
  under ``N`` on ``[0, 1]`` that these facts allow, exact at ``x ∈ {0, 1}``. Written as
  ``κ T x + e`` (``κ`` the first facet's slope, the lowest agents per Erlang of any
  load) with ``e ≥ b_j + (s_j - κ T) x`` for the other facets ``(b_j, s_j)``;
- **year** (rows ``queue_year``): a column ``y`` of agent-weeks a year is at least
  ``Σ_m w_m H_m(x)``, ``H_m`` the hull of month m's function ``x ↦ N(ρ_m T x)`` (its
  load ``ρ_m`` times the sizing week's, ``w_m`` its weeks), itself convex: the objective
  pays ``y`` at the row's price, so the LP prices the year month by month, as the plan
  is costed (:mod:`bestshore.model.months`), never above what any plan pays;
- **pooling** (rows ``pooled_staffing`` and ``pooled_year``, per demand unit split over
  ``k`` eligible rows): ``Σ_r (κ T x + e) ≥ N(T_min)`` and ``Σ_r y ≥ Σ_m w_m N(ρ_m
  T_min)``: any split of a queue needs at least the agents of the whole queue at its
  lightest site (fact 3; ``T_min`` the least of its rows' traffic, repeats differing by
  site).

- **seats** (:func:`seat_slope`): at a site of ``M`` seats a row carries at most ``L(M)``
  and its agents per Erlang never fall below ``κ_M`` there, so its slope is
  ``max(κ, κ_M)`` and its year's ``max(κ_y, κ_M Σ_{ρ_m ≤ 1} w_m ρ_m)``: the economies of
  scale a small site cannot reach, which the hull of the whole queue does not see.

Every estimate lies under what any plan staffed exactly needs, so the LP is a
relaxation: its optimum is a lower bound on every plan's cost. It is exact for a queue
taken whole by one site; a split queue is priced under its true cost, which is what the
plan's exact costing (:func:`bestshore.model.plan.price_exactly`) then charges.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.sets import Eligibility
from bestshore.model.staffing import (
    Goal,
    abandon_limits,
    goal_planning_agents,
    language_pools,
    least_agents_per_erlang,
    planning_agents_of,
    queue_goal,
    roster_agents,
)
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads
from bestshore.scenario.schema import CallType

__all__ = [
    "MAX_AGENTS",
    "StaffingEnvelopes",
    "corner_slack",
    "limits_to",
    "load_limits",
    "lower_hull",
    "month_weights",
    "pool_cuts",
    "seat_slope",
    "staffing_envelopes",
    "whole_agent_rows",
]

#: Agent counts tabulated per goal; a queue needing more is bounded by ``a / occupancy``.
MAX_AGENTS = 400
_BISECTIONS = 60
# Agent counts tabulated first when measuring the corner slack (doubled until capped).
_SLACK_TOP = 100
# Limits taken a hair (relative 1e-9) inside the bisection's: a plan the LP puts at a
# limit then meets its goal when staffed exactly.
_SAFETY = 1e-9
# Samples per whole-agent step when measuring how far planning agents dip under P: even,
# and packed towards the step's end, where one agent's interpolation dips most.
_SAMPLES = 12
_STEP_SAMPLES = np.concatenate(
    [np.arange(1, _SAMPLES) / _SAMPLES, [0.95, 0.97, 0.98, 0.99, 0.995, 0.999]]
)
# Year facets within a thousandth of an agent all year of their neighbours are dropped.
_YEAR_TOLERANCE = 1e-3 * WEEKS_PER_MONTH * 12
# Where the line from the last corner to the end point is checked (fractions of it).
_END_SAMPLES = np.array([1e-6, 1e-3, 0.01, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95])
# Pooling floors are taken a relative 1e-9 low, for rounding in Erlang C's arithmetic.
_POOLED_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StaffingEnvelopes:
    """The lower envelopes of the agents each Erlang-staffed assignment row needs.

    Attributes
    ----------
    rows : array of int
        Positions (in the eligible set's order) of the rows with envelopes: real-time
        work with a service goal and traffic. Each gets the columns ``e`` and ``y``.
    factor : array
        ``κ`` of every eligible row [agents per Erlang]; NaN for rows without envelopes
        (their pooled factor stands).
    year_factor : array
        ``κ_y`` of every eligible row, the year's first facet over the traffic
        [agent-weeks a year per Erlang]; NaN for rows without envelopes.
    whole : array of bool
        Per row of ``rows``: staffed in whole agents (``N_w``), else planning agents.
        Only whole rows carry facets beyond the first, a year column and pooling
        floors: planning agents are nearly concave, their envelope is the line ``κ``.
    needed : array
        Per row of ``rows``: its exact agents at share 1, ``N(T)`` [agents].
    year_at_one : array
        Per row of ``rows``: its agent-weeks a year at share 1, ``Σ_m w_m N(ρ_m T)``.
    hull_row, hull_intercept, hull_slope : array
        Facets beyond the first: position in ``rows``, ``b_j`` [agents], ``s_j``
        [agents per unit share].
    year_row, year_intercept, year_slope : array
        Facets of the year: position in ``rows``, [agent-weeks/yr], [agent-weeks/yr
        per unit share].
    units : list of array
        Per demand unit with two rows or more: their positions in ``rows``.
    unit_keys : list of tuple
        ``(call_type, language, hour)`` of each unit.
    unit_floor, unit_year_floor : array
        The pooling floors of each unit [agents; agent-weeks/yr].
    pools : list of array
        Per language pool (a site's languages of one call type in one hour staffed as
        one queue, :func:`~bestshore.model.staffing.language_pools`): its rows'
        positions in ``rows``. Its rows share the pool's ``κ`` and year factor; the
        pool's facets bound the sum of their ``e`` (and ``y``) on its load, linear in
        their shares: ``z = Σ_r w_r x_r`` with ``w_r = T_r / T_p``.
    pool_keys : list of tuple
        ``(call_type, languages joined by +, hour, site)`` of each pool.
    pool_weights : list of array
        ``w_r`` of each pool's rows.
    pool_hull, pool_year : array
        Facets of the pools beyond the first, and every facet of their year: rows of
        ``(pool, intercept, slope per unit z)``, in both staffing models.
    pool_year_cuts : list of (pool, intercept, coefficients)
        Cuts on each pool's year through ``P - δ`` at every corner of its box of shares:
        ``Σ_r y_r ≥ b + Σ_r c_r x_r`` (coefficients aligned with the pool's rows), from
        :func:`pool_cuts`; none for a pool whose corners' loads are not convex.
    """

    rows: np.ndarray
    factor: np.ndarray
    year_factor: np.ndarray
    whole: np.ndarray
    needed: np.ndarray
    year_at_one: np.ndarray
    hull_row: np.ndarray
    hull_intercept: np.ndarray
    hull_slope: np.ndarray
    year_row: np.ndarray
    year_intercept: np.ndarray
    year_slope: np.ndarray
    units: list[np.ndarray] = field(default_factory=list)
    unit_keys: list[tuple[str, str, int]] = field(default_factory=list)
    unit_floor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unit_year_floor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pools: list[np.ndarray] = field(default_factory=list)
    pool_keys: list[tuple[str, str, int, str]] = field(default_factory=list)
    pool_weights: list[np.ndarray] = field(default_factory=list)
    pool_hull: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    pool_year: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    pool_year_cuts: list[tuple[int, float, np.ndarray]] = field(default_factory=list)

    @property
    def year_column(self) -> np.ndarray:
        """Per position in ``rows``: whether the row has a year column ``y`` (whole
        agents, and every row of a language pool), which then prices its year."""
        return self.whole | self.pooled()

    def pooled(self) -> np.ndarray:
        """Per position in ``rows``: whether the row is in a language pool."""
        found = np.zeros(len(self.rows), dtype=bool)
        for members in self.pools:
            found[members] = True
        return found


def _meets(goals: _RowGoals, traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    r"""Whether ``agents[i]`` whole agents meet row i's goal at load ``traffic[i]`` (Erlang
    C), ``agents`` sorted: the Erlang B recursion

    .. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)}

    run for all rows at once, each row dropped once it reaches its count ``n``."""
    blocking = np.ones_like(traffic)
    at_agents = np.ones_like(traffic)
    ends = np.searchsorted(agents, np.arange(1, int(agents[-1]) + 1), side="right")
    first = 0
    for n, end in enumerate(ends.tolist(), start=1):
        carried = traffic[first:] * blocking[first:]
        blocking[first:] = carried / (n + carried)
        at_agents[first:end] = blocking[first:end]
        first = end
    spare = agents - traffic
    met = np.zeros(len(traffic), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        waits = np.where(spare > 0, agents * at_agents / (agents - traffic * (1 - at_agents)), 1.0)
        by_asa = goals.by_asa  # an ASA goal rules when both are given
        aht, room = goals.aht[by_asa], spare[by_asa]
        speed = np.where(room > 0, waits[by_asa] * aht / room, np.inf)
        met[by_asa] = speed <= goals.asa[by_asa]
        level_goal = ~by_asa
        aht, room = goals.aht[level_goal], spare[level_goal]
        answer = goals.answer[level_goal]
        level = np.where(room > 0, 1 - waits[level_goal] * np.exp(-room * answer / aht), 0.0)
        met[level_goal] = level >= goals.target[level_goal]
    return met & (spare > 0)


@dataclass(frozen=True)
class _RowGoals:
    """The Erlang C goal of each row of a batch of limits (:func:`_compute_tables`):
    ``aht`` [s], ``target`` [fraction] within ``answer`` [s], or ``asa`` [s] where
    ``by_asa``; NaN where a goal has no such figure."""

    aht: np.ndarray
    target: np.ndarray
    answer: np.ndarray
    asa: np.ndarray
    by_asa: np.ndarray

    def take(self, at: np.ndarray) -> _RowGoals:
        """The goals of rows ``at``."""
        return _RowGoals(
            self.aht[at], self.target[at], self.answer[at], self.asa[at], self.by_asa[at]
        )

    @classmethod
    def of(cls, goals: list[Goal], which: np.ndarray) -> _RowGoals:
        def figure(value: float | None) -> float:
            return np.nan if value is None else float(value)

        table = np.array([[figure(v) for v in goal[:4]] for goal in goals]).reshape(-1, 4)
        aht, target, answer, asa = table[which].T
        by_asa = np.array([goal.asa is not None for goal in goals], dtype=bool)[which]
        return cls(aht, target, answer, asa, by_asa)


_TABLES: dict[tuple[Goal, float], np.ndarray] = {}


def _limits(goal: Goal, occupancy: float, top: int) -> np.ndarray:
    """``L(0..top)``; each count's limit is found on its own, so a table is computed once
    per goal to the largest size asked (rounded up to 50 agents) and sliced.

    Erlang A goals (callers abandon) take their limits from
    :func:`bestshore.model.staffing.abandon_limits`; a within-hour profile divides the
    limits by its peak (the hour's agents meet the goal at the busiest interval's load)."""
    if goal.patience is not None:
        return abandon_limits(goal, occupancy, top) / goal.peak
    if goal.peak != 1.0:
        return _limits(goal.base, occupancy, top) / goal.peak
    key = (goal, occupancy)
    table = _TABLES.get(key)
    if table is None or len(table) <= top:
        size = min(max(50, -(-top // 50) * 50), max(top, MAX_AGENTS))
        table = _compute_limits(goal, occupancy, size)
        _TABLES[key] = table
    return table[: top + 1]


def _compute_limits(goal: Goal, occupancy: float, top: int) -> np.ndarray:
    return _compute_tables([(goal, occupancy, top)])[0]


def _compute_tables(requests: list[tuple[Goal, float, int]]) -> list[np.ndarray]:
    """``L(0..top)`` of each ``(goal, occupancy, top)`` (Erlang C goals): each count's
    limit the occupancy cap ``n min(ρ, 1)`` where its goal is met there, else bisected on
    its own (60 halvings of ``(0, n min(ρ, 1)]``), the counts of every request side by
    side, so that one Erlang B recursion per halving serves them all."""
    if not requests:
        return []
    tops = [top for _, _, top in requests]
    which = np.repeat(np.arange(len(requests)), tops)
    counts = np.concatenate([np.arange(1, top + 1, dtype=float) for top in tops])
    order = np.argsort(counts, kind="stable")
    agents, which = counts[order], which[order]
    goals = _RowGoals.of([goal for goal, _, _ in requests], which)
    occupancy = np.array([occupancy for _, occupancy, _ in requests], dtype=float)[which]
    high = agents * np.minimum(occupancy, 1.0)  # the occupancy cap, and n > a for stability
    # A count meeting its goal at the cap is done (its limit the cap): the bisection runs
    # on the others alone, the Erlang B recursion then only as far as their counts.
    fits = _meets(goals, high, agents)
    low = np.where(fits, high, 0.0)
    going = np.flatnonzero(~fits)
    if len(going):
        some_goals, some_agents = goals.take(going), agents[going]
        below, above = low[going], high[going]
        for _ in range(_BISECTIONS):
            middle = 0.5 * (below + above)
            ok = _meets(some_goals, middle, some_agents)
            below = np.where(ok, middle, below)
            above = np.where(ok, above, middle)
        low[going] = below
    found = np.empty(len(low))
    found[order] = low
    tables = []
    for part in np.split(found, np.cumsum(tops)[:-1]):
        limits = np.concatenate([[0.0], part * (1 - _SAFETY)])
        limits.setflags(write=False)
        tables.append(limits)
    return tables


def _prefetch_limits(requests: list[tuple[Goal, float, int]]) -> None:
    """Compute together the tables :func:`_limits` will be asked for (``(goal,
    occupancy, top)``), those it has not kept already: the same tables, sooner."""
    wanted: dict[tuple[Goal, float], int] = {}
    for goal, occupancy, top in requests:
        if goal.patience is not None:
            continue
        key = (goal.base, occupancy)
        table = _TABLES.get(key)
        if table is None or len(table) <= top:
            size = min(max(50, -(-top // 50) * 50), max(top, MAX_AGENTS))
            wanted[key] = max(size, wanted.get(key, 0))
    found = _compute_tables([(goal, occupancy, size) for (goal, occupancy), size in wanted.items()])
    _TABLES.update(zip(wanted, found, strict=True))


def load_limits(call_type: CallType, occupancy: float, top: int) -> np.ndarray:
    """``L(n)`` for ``n = 0..top``: the largest load [Erlang] ``n`` whole agents carry
    within the call type's goal and the occupancy cap (``L(0) = 0``; a relative 1e-9
    inside the exact limit, so that a load put at a limit meets the goal)."""
    return _limits(queue_goal(call_type), float(occupancy), int(top))


def limits_to(call_type: CallType, occupancy: float, load: float) -> np.ndarray:
    """``L(0..n)`` far enough that ``L(n) ≥ load`` (at most :data:`MAX_AGENTS` agents)."""
    top = _first_top(occupancy, load)
    limits = load_limits(call_type, occupancy, top)
    while limits[-1] < load and top < MAX_AGENTS:
        top = min(MAX_AGENTS, 2 * top)
        limits = load_limits(call_type, occupancy, top)
    return limits


def _first_top(occupancy: float, load: float) -> int:
    """The agents :func:`limits_to` tabulates first for ``load`` (doubled if short)."""
    return min(MAX_AGENTS, int(load / min(occupancy, 1.0) + 4 * np.sqrt(load) + 20))


@functools.lru_cache(maxsize=256)
def _slack(goal: Goal, occupancy: float) -> float:
    if goal.patience is not None:
        return 0.0  # Erlang A planning agents are the corners' line itself
    if goal.peak != 1.0:
        return _slack(goal.base, occupancy)  # the same function, the load scaled
    top = _SLACK_TOP
    limits = _limits(goal, occupancy, top)
    capped = np.isclose(limits[1:], occupancy * np.arange(1, top + 1), rtol=1e-7)
    while not capped[-1] and top < MAX_AGENTS:
        top = min(MAX_AGENTS, 2 * top)
        limits = _limits(goal, occupancy, top)
        capped = np.isclose(limits[1:], occupancy * np.arange(1, top + 1), rtol=1e-7)
    fractions = _STEP_SAMPLES[None, :]
    loads = limits[:-1, None] + fractions * np.diff(limits)[:, None]
    below = np.arange(top)[:, None] + fractions  # P at those loads
    # From the first step with both ends on the occupancy cap, both are a / occupancy.
    stops = np.flatnonzero(capped & np.concatenate([[True], capped[:-1]]))
    steps = np.arange(stops[0] if len(stops) else top)
    if not len(steps):
        return 0.0
    found = goal_planning_agents(goal, loads[steps].ravel(), occupancy)
    worst = max(0.0, float(np.max(below[steps].ravel() - found)))
    return 1.5 * worst + 1e-6 if worst > 0 else 0.0


def corner_slack(call_type: CallType, occupancy: float) -> float:
    """``δ``: how far planning agents may dip under the line between whole-agent
    corners [agents], measured at 17 loads inside every step below the occupancy cap
    (11 even ones and 6 towards its end, where one agent's interpolation dips most),
    with half as much again for safety (about 0.01 agent at 80/20)."""
    return _slack(queue_goal(call_type), float(occupancy))


def lower_hull(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the lower convex hull of points sorted by ``x`` (strictly increasing):
    from the first point, each next vertex is the point seen at the least slope (the
    farthest of ties), a numpy pass per vertex."""
    keep = [0]
    while keep[-1] < len(x) - 1:
        last = keep[-1]
        slopes = (y[last + 1 :] - y[last]) / (x[last + 1 :] - x[last])
        low = slopes.min()
        ties = np.flatnonzero(slopes <= low + 1e-12 * (1 + abs(low)))
        keep.append(last + 1 + int(ties[-1]))
    return x[keep], y[keep]


def _hull(
    limits: np.ndarray,
    traffic: float,
    exact: float,
    dip: float,
    agents: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ``(share, agents)`` of ``H``: the lower hull of the origin, the corners
    ``(L(m)/T, m - δ)`` with ``L(m) < T`` and ``(1, N(T))``.

    With ``agents`` (planning agents, not a step function), the end point is lowered
    where the line to it from the last corner would rise above the agents at loads
    sampled in between (planning agents need not be concave there: ASA goals at
    loads under one agent's are convex).
    """
    below = int(np.searchsorted(limits, traffic, side="left"))  # corners m < N(T)
    corners = np.arange(1, min(below, len(limits)))
    if agents is not None:
        start = float(limits[corners[-1]]) if len(corners) else 0.0
        level = float(corners[-1] - dip) if len(corners) else 0.0
        loads = start + _END_SAMPLES * (traffic - start)
        reach = level + (agents(loads) - level) / _END_SAMPLES  # the end each sample allows
        exact = min(exact, float(reach.min()))
    # Only corners under the chord to the end can be vertices: skip the rest cheaply.
    x = limits[corners] / traffic
    y = corners - dip
    under = y < exact * x
    x = np.concatenate([[0.0], x[under], [1.0]])
    y = np.concatenate([[0.0], y[under], [exact]])
    if len(x) == 2:
        return x, y
    return lower_hull(x, y)


def whole_agent_rows(inputs: ModelInputs, rows: pd.DataFrame) -> np.ndarray:
    """Rows staffed in whole agents per queue and hour: every row under
    ``settings.staffing_model: whole``, none otherwise (planning agents; a rostered site
    then rounds up the sum of its queues' agents, hour by hour, in whole shifts)."""
    whole = inputs.scenario.settings.staffing_model == "whole"
    return np.full(len(rows), whole, dtype=bool)


def _exact(
    call_type: CallType,
    loads: np.ndarray,
    occupancy: float,
    whole: bool,
    limits: np.ndarray,
    planning: _Planning | None = None,
) -> np.ndarray:
    if whole:
        found = np.searchsorted(limits, loads, side="left").astype(float)
        beyond = found >= len(limits)
        if beyond.any():
            found[beyond] = [roster_agents(call_type, float(a), occupancy) for a in loads[beyond]]
        return np.where(loads > 0, found, 0.0)
    if planning is None:
        planning = _Planning(call_type, occupancy)
    return planning(loads)


class _Planning:
    """Planning agents of one call type at loads asked for in arrays, remembered.

    An envelope asks for a few loads at a time (its end samples, its months), too few
    for :func:`planning_agents_of` to pay off; :meth:`asking` runs the envelopes once
    only to hear every load they will ask for (their loads do not depend on the agents
    answered, so zeros do), then all are computed at once and the real run finds them
    here."""

    def __init__(self, call_type: CallType, occupancy: float) -> None:
        self.call_type, self.occupancy = call_type, occupancy
        # the loads answered, sorted, and their planning agents
        self.loads, self.agents = np.zeros(0), np.zeros(0)
        self.asked: list[np.ndarray] | None = None

    def asking(self) -> None:
        self.asked = []

    def answer(self) -> None:
        """Compute every load heard since :meth:`asking` (and answer from now on)."""
        asked, self.asked = self.asked, None
        if asked:
            self(np.concatenate(asked))

    def __call__(self, loads: np.ndarray) -> np.ndarray:
        loads = np.asarray(loads, dtype=float)
        if self.asked is not None:
            self.asked.append(loads)
            return np.zeros(len(loads))
        at = self._find(loads)
        missing = np.unique(loads[at < 0])
        if len(missing):
            found = planning_agents_of(self.call_type, missing, self.occupancy)
            known = np.concatenate([self.loads, missing])
            order = np.argsort(known, kind="stable")
            self.loads = known[order]
            self.agents = np.concatenate([self.agents, found])[order]
            at = self._find(loads)
        return self.agents[at]

    def _find(self, loads: np.ndarray) -> np.ndarray:
        """Position of each load among those known (sorted), -1 where unknown."""
        at = np.searchsorted(self.loads, loads)
        inside = at < len(self.loads)
        inside[inside] = self.loads[at[inside]] == loads[inside]
        return np.where(inside, at, -1)


def _busiest_month(months: tuple[np.ndarray, np.ndarray]) -> float:
    return max(1.0, float(months[0].max()))


def month_weights(inputs: ModelInputs) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per call type: distinct month loads ``ρ`` and their weeks ``w`` in the year."""
    sizing = inputs.scenario.settings.sizing
    found = {}
    for call_type in inputs.scenario.call_types:
        loads = np.round(month_loads(call_type.seasonality, sizing), 12)
        distinct, counts = np.unique(loads, return_counts=True)
        found[call_type.id] = (distinct, counts * WEEKS_PER_MONTH)
    return found


def _convex_sum(
    parts: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``Σ w_i f_i`` for convex piecewise-linear ``f_i`` given by vertices on
    ``[0, 1]``."""
    grid = np.unique(np.concatenate([x for x, _ in parts]))
    total = np.zeros(len(grid))
    for (x, y), weight in zip(parts, weights, strict=True):
        total += weight * np.interp(grid, x, y)
    return grid, total


def _facets(x: np.ndarray, y: np.ndarray, tolerance: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Intercepts and slopes of the segments between consecutive vertices of a convex
    piecewise-linear function: its facets. A facet whose line is within ``tolerance`` of
    its neighbours' over its segment is dropped: the function is then the maximum of
    the others, lower there by at most ``tolerance`` (still a lower bound), and the LP
    has a row fewer."""
    slope = np.diff(y) / np.diff(x)
    intercept = y[:-1] - slope * x[:-1]
    keep = np.ones(len(slope), dtype=bool)
    keep[1:] = np.abs(np.diff(slope)) > 1e-9 * (1 + np.abs(slope[1:]))
    if tolerance > 0 and len(slope) > 2:
        for j in range(1, len(slope) - 1):
            if not keep[j - 1]:
                continue  # neighbours are kept: each loss is its own, within tolerance
            # the most its line rises over the max of its neighbours', at its ends
            ends = x[j : j + 2]
            line = intercept[j] + slope[j] * ends
            others = np.maximum(
                intercept[j - 1] + slope[j - 1] * ends, intercept[j + 1] + slope[j + 1] * ends
            )
            if np.max(line - others) <= tolerance:
                keep[j] = False
    return intercept[keep], slope[keep]


def staffing_envelopes(inputs: ModelInputs, eligibility: Eligibility) -> StaffingEnvelopes:
    """The envelopes of every Erlang-staffed assignment row, their first facets raised
    at seat-limited sites (:func:`seat_slopes`).

    Cached on the eligible set for these inputs' demand (the rounds of a solve and a
    Workbench's what-ifs reuse them); the seats' part for these seats (a what-if may
    change them)."""
    scenario = inputs.scenario
    pooling = frozenset(s.id for s in scenario.sites if scenario.pools_languages(s))
    key = (id(inputs.workloads), scenario.settings.staffing_model, pooling)
    cached = getattr(eligibility, "_envelopes", None)
    if cached is not None and cached[0] == key and cached[1] is inputs.workloads:
        found = cached[2]
    else:
        found = _envelopes(inputs, eligibility)
        object.__setattr__(eligibility, "_envelopes", (key, inputs.workloads, found))
    seats = _row_seats(inputs, eligibility)
    tightened = getattr(eligibility, "_seated", None)
    if (
        tightened is not None
        and tightened[0] is found
        and np.array_equal(tightened[1], seats, equal_nan=True)
    ):
        return tightened[2]
    seated = _seated(inputs, eligibility, found, seats)
    object.__setattr__(eligibility, "_seated", (found, seats, seated))
    return seated


def _row_seats(inputs: ModelInputs, eligibility: Eligibility) -> np.ndarray:
    """The most agents the site of each eligible row may have in an hour (its seats,
    given or derived from capacity, :func:`bestshore.model.inputs.prepare_inputs`)
    [agents]; NaN where unlimited."""
    seats = inputs.sites["max_agents"].to_numpy(dtype=float)
    # positions, not Series.map: asked once per round of every solve
    at = inputs.sites.index.get_indexer(eligibility.assignments["site"].to_numpy())
    return np.where(at >= 0, seats[at], np.nan)


def seat_slope(call_type: CallType, occupancy: float, seats: int, whole: bool) -> float:
    r"""``κ_M``: the fewest agents per Erlang any load a row may take at a site of ``M``
    seats needs [agents per Erlang].

    A row at such a site has at most ``M`` agents in any hour, so its load is at most
    ``L(M)``; on ``(0, L(M)]`` the agents per Erlang never fall below

    .. math:: \kappa_M = \min_{1 \le n \le M} \lambda_n

    ``λ_n`` bounding ``N(a)/a`` on the step ``(L(n-1), L(n)]``: in whole agents
    ``N_w = n`` there, so ``λ_n = n / L(n)``; in planning agents (module facts: within
    ``δ`` of the corner line, never below ``a / ρ``, and at least ``n - 1`` past
    ``L(n-1)`` since ``n - 1`` whole agents miss the goal or the occupancy cap there)
    ``λ_n = max(1/ρ, (n-1)/L(n), min((n-1-δ)/L(n-1), (n-δ)/L(n)))`` and, on the first
    step, ``max(1/ρ, s / (min(s + δ, 1) L(1)))`` for a service level ``s`` (one agent's
    interpolation is at least ``s``, and within ``δ`` of the line ``a / L(1)``) or ``max(1/ρ, min(h/w, 1/L(1)))`` for an ASA goal ``w`` (one agent's
    ASA is ``a h / (1 - a)``). Taken a relative 1e-6 low, for the limits' hair.
    """
    return _seat_slope(queue_goal(call_type), float(occupancy), int(seats), bool(whole))


@functools.lru_cache(maxsize=4096)
def _seat_slope(goal: Goal, occupancy: float, seats: int, whole: bool) -> float:
    limits = _limits(goal, occupancy, seats)
    n = np.arange(1, seats + 1, dtype=float)
    top = limits[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        if whole or goal.patience is not None:
            # Erlang A planning agents are the corners' line (δ = 0, through the origin
            # on the first step): on step n their agents per Erlang lie between
            # (n-1)/L(n-1) and n/L(n), as whole agents' do; 1/ρ is no floor there (the
            # agents carry the answered load only)
            steps = np.where(top > 0, n / top, np.inf)
        elif len(goal.shares) > 1:
            # an hour staffed for its busiest interval: no step facts are derived for
            # its planning agents here; the occupancy floor holds (the busiest interval
            # carries at least the hour's average load)
            steps = np.full(seats, 1.0 / occupancy)
        else:
            dip = _slack(goal, occupancy)
            start = np.concatenate([[np.nan], (n[1:] - 1 - dip) / limits[1:-1]])
            line = np.fmin(start, (n - dip) / top)
            steps = np.fmax(1.0 / occupancy, np.fmax((n - 1) / top, line))
            aht, target, _, asa = goal[:4]  # an ASA goal rules when both are given
            if asa is not None:
                first = min(aht / asa, 1.0 / top[0]) if top[0] > 0 else aht / asa
            else:  # at least s, and within δ of the line a / L(1): min over a of the max
                assert target is not None
                first = target / (min(target + dip, 1.0) * top[0]) if top[0] > 0 else np.inf
            steps[0] = max(1.0 / occupancy, first)
    return float(np.min(steps)) * (1 - 1e-6)


def _seated(
    inputs: ModelInputs,
    eligibility: Eligibility,
    found: StaffingEnvelopes,
    seats: np.ndarray,
) -> StaffingEnvelopes:
    """``found`` with ``κ`` raised to ``κ_M`` (:func:`seat_slope`) at seat-limited
    sites, and the year's ``κ_y`` of planning rows to ``κ_M Σ_m w_m ρ_m`` over the
    months no busier than the sizing week (each of their loads is under ``L(M)`` too).
    Both are lower bounds of the row's agents at every share a plan may take: the
    larger is one."""
    rows = found.rows
    if not len(rows):
        return found
    occupancy = inputs.scenario.settings.occupancy
    call_types = {c.id: c for c in inputs.scenario.call_types}
    months = month_weights(inputs)
    limited = np.ceil(seats[rows] - 1e-9)  # a fractional seat limit: the next agent
    usable = np.isfinite(limited) & (limited >= 1) & (limited <= MAX_AGENTS)
    if not usable.any():
        return found
    types = eligibility.assignments["call_type"].to_numpy()[rows]
    traffic = (
        eligibility.assignments["handle_hours"] * eligibility.assignments["repeat_factor"]
    ).to_numpy(dtype=float)[rows]
    factor, year_factor = found.factor.copy(), found.year_factor.copy()
    at = np.flatnonzero(usable)
    kinds, seats_at, whole = types[at].astype(str), limited[at].astype(np.int64), found.whole[at]
    # one κ_M per call type, seat count and staffing model; Σ_m w_m ρ_m per call type
    # over the months no busier than the sizing week
    keys = pd.MultiIndex.from_arrays([kinds, seats_at, whole])
    which, distinct = pd.factorize(keys)
    slopes = np.array(
        [
            seat_slope(call_types[str(kind)], occupancy, int(count), bool(model))
            for kind, count, model in distinct
        ]
    )[which]
    calm_weeks = {}
    for kind in np.unique(kinds):
        loads, weeks = months[str(kind)]
        calm = loads <= 1.0
        calm_weeks[str(kind)] = float(weeks[calm] @ loads[calm])
    row = rows[at]  # each raised where its κ_M is larger (as max() keeps the first)
    factor[row] = np.where(slopes > factor[row], slopes, factor[row])
    planning = ~whole & (traffic[at] > 0)
    year_row = row[planning]
    year_slope = slopes[planning] * np.array([calm_weeks[k] for k in kinds[planning]])
    year_factor[year_row] = np.where(
        year_slope > year_factor[year_row], year_slope, year_factor[year_row]
    )
    return dataclasses.replace(found, factor=factor, year_factor=year_factor)


def _envelopes(inputs: ModelInputs, eligibility: Eligibility) -> StaffingEnvelopes:
    rows = eligibility.assignments
    occupancy = inputs.scenario.settings.occupancy
    call_types = {c.id: c for c in inputs.scenario.call_types}
    erlang = rows.join(inputs.workloads["erlang"], on=["call_type", "language"])["erlang"]
    traffic_all = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
    hourly = rows["hour"].to_numpy() != WEEK
    chosen = np.flatnonzero(erlang.to_numpy(dtype=bool) & hourly & (traffic_all > 0))
    whole_all = whole_agent_rows(inputs, rows)
    months = month_weights(inputs)
    factor = np.full(len(rows), np.nan)
    year_factor = np.full(len(rows), np.nan)
    needed = np.zeros(len(chosen))
    at_one = np.zeros(len(chosen))
    hulls: list[tuple[int, float, float]] = []
    years: list[tuple[int, float, float]] = []
    types = rows["call_type"].to_numpy()
    pools = _language_pools(inputs, rows, chosen, traffic_all)
    busiest = {
        str(c): float(load)
        for c, load in pd.Series(traffic_all[chosen]).groupby(types[chosen]).max().items()
    }
    for members in pools.values():  # a pool's table reaches its summed load
        kind = str(types[chosen[members[0]]])
        busiest[kind] = max(busiest[kind], float(traffic_all[chosen[members]].sum()))
    # the tables of every call type (and of their corner slack) computed together
    slack = {str(types[row]) for row in chosen[~whole_all[chosen]]}
    _prefetch_limits(
        [
            (
                queue_goal(call_types[str(c)]), float(occupancy),
                max(
                    _first_top(occupancy, float(load) * _busiest_month(months[str(c)])),
                    _SLACK_TOP if str(c) in slack else 0,
                ),
            )
            for c, load in busiest.items()
        ]
    )  # fmt: skip
    tables = {
        str(c): limits_to(
            call_types[str(c)], occupancy, float(load) * _busiest_month(months[str(c)])
        )
        for c, load in busiest.items()
    }
    # A demand unit only one site may take is taken whole: its row's share is 1 in every
    # plan, and its envelope need only be exact there (the line to its exact staffing).
    sizes = np.zeros(len(rows), dtype=np.int64)
    for members in eligibility.groups("call_type", "language", "hour").values():
        sizes[members] = len(members)
    # Each distinct envelope (rows of a unit at like sites share one) is computed once,
    # the planning agents of all asked for at once: a dry run hears the loads, then the
    # real run finds them computed.
    row_keys = [
        (str(types[row]), float(traffic_all[row]), bool(whole_all[row]), bool(sizes[row] == 1))
        for row in chosen
    ]
    planning = {c.id: _Planning(c, occupancy) for c in call_types.values()}
    wanted = dict.fromkeys(row_keys)
    pool_keys = []
    for members in pools.values():  # a pool: its summed load
        at = chosen[members]
        pool_key = (
            str(types[at[0]]), float(traffic_all[at].sum()), bool(whole_all[at].all()),
            bool((sizes[at] == 1).all()),
        )  # fmt: skip
        pool_keys.append(pool_key)
        wanted[pool_key] = None
    # the envelopes of one call type and staffing model are computed together
    groups: dict[tuple[str, bool], list[tuple[str, float, bool, bool]]] = {}
    for key in wanted:
        groups.setdefault((key[0], key[2]), []).append(key)
    seen: dict[tuple[str, float, bool, bool], _RowEnvelope] = {}
    for dry in (True, False):
        for provider in planning.values():
            if dry:
                provider.asking()
            else:
                provider.answer()
        for (call_type_id, whole), group in groups.items():
            envelopes = _row_envelopes(
                call_types[call_type_id], np.array([key[1] for key in group]), whole, occupancy,
                tables[call_type_id], months[call_type_id], np.array([key[3] for key in group]),
                planning[call_type_id],
            )  # fmt: skip
            if not dry:
                seen.update(zip(group, envelopes, strict=True))
    pooled = {number: seen[key] for number, key in enumerate(pool_keys)}
    for position, (row, key) in enumerate(zip(chosen, row_keys, strict=True)):
        found = seen[key]
        needed[position], at_one[position] = found.exact, found.year_at_one
        factor[row], year_factor[row] = found.factor, found.year_factor
        hulls += [(position, b, s) for b, s in found.hull]
        years += [(position, b, s) for b, s in found.year]
    pool_hull: list[tuple[int, float, float]] = []
    pool_year: list[tuple[int, float, float]] = []
    year_cuts: list[tuple[int, float, np.ndarray]] = []
    weights = []
    # the sizing week's cuts are left out: on the demo they slowed the LP fourfold and
    # gave no better plan (its capacity rows see the pool's hull)
    cuts = _pools_year_cuts(pools, chosen, types, traffic_all, whole_all, inputs, tables, months)
    for number, members in enumerate(pools.values()):
        at = chosen[members]
        total = float(traffic_all[at].sum())
        found = pooled[number]
        part = traffic_all[at] / total
        weights.append(part)
        factor[at], year_factor[at] = found.factor, found.year_factor
        needed[members], at_one[members] = found.exact * part, found.year_at_one * part
        pool_hull += [(number, b, s) for b, s in found.all_hull[1:]]
        pool_year += [(number, b, s) for b, s in found.all_year]
        year_cuts += [(number, b, c) for b, c in cuts[number]]
    in_pool = np.zeros(len(rows), dtype=bool)
    for members in pools.values():
        in_pool[chosen[members]] = True
    keep = ~np.isin(
        np.array([h[0] for h in hulls], dtype=np.int64), np.flatnonzero(in_pool[chosen])
    )
    hulls = [h for h, k in zip(hulls, keep, strict=True) if k]
    keep = ~np.isin(
        np.array([y[0] for y in years], dtype=np.int64), np.flatnonzero(in_pool[chosen])
    )
    years = [y for y, k in zip(years, keep, strict=True) if k]
    units, keys, floors, year_floors = _pooling(
        inputs, eligibility, chosen, traffic_all, whole_all & ~in_pool, months
    )
    hull = np.array(hulls, dtype=float).reshape(-1, 3)
    year = np.array(years, dtype=float).reshape(-1, 3)
    return StaffingEnvelopes(
        rows=chosen.astype(np.int64),
        factor=factor,
        year_factor=year_factor,
        whole=whole_all[chosen],
        needed=needed,
        year_at_one=at_one,
        hull_row=hull[:, 0].astype(np.int64),
        hull_intercept=hull[:, 1],
        hull_slope=hull[:, 2],
        year_row=year[:, 0].astype(np.int64),
        year_intercept=year[:, 1],
        year_slope=year[:, 2],
        units=units,
        unit_keys=keys,
        unit_floor=floors,
        unit_year_floor=year_floors,
        pools=list(pools.values()),
        pool_keys=list(pools),
        pool_weights=weights,
        pool_hull=np.array(pool_hull, dtype=float).reshape(-1, 3),
        pool_year=np.array(pool_year, dtype=float).reshape(-1, 3),
        pool_year_cuts=year_cuts,
    )


def _pools_year_cuts(
    pools: dict[tuple[str, str, int, str], np.ndarray],
    chosen: np.ndarray,
    types: np.ndarray,
    traffic_all: np.ndarray,
    whole_all: np.ndarray,
    inputs: ModelInputs,
    tables: dict[str, np.ndarray],
    months: dict[str, tuple[np.ndarray, np.ndarray]],
) -> list[list[tuple[float, np.ndarray]]]:
    """:func:`pool_cuts`' year cuts of each language pool (by its number): pools in a
    year of one load (every month the same) together, per call type, corner slack and
    size (:func:`_year_cuts_together`); the others one by one."""
    occupancy = inputs.scenario.settings.occupancy
    call_types = {c.id: c for c in inputs.scenario.call_types}
    found: list[list[tuple[float, np.ndarray]]] = [[] for _ in pools]
    together: dict[tuple[str, float, int], list[int]] = {}
    slacks: dict[str, float] = {}  # each call type's corner slack, found once
    for number, members in enumerate(pools.values()):
        at = chosen[members]
        call_type = call_types[str(types[at[0]])]
        if whole_all[at].all():
            dip = 0.0
        else:
            if call_type.id not in slacks:
                slacks[call_type.id] = corner_slack(call_type, occupancy)
            dip = slacks[call_type.id]
        loads = months[call_type.id][0]
        if int((loads > 0).sum()) == 1:
            together.setdefault((call_type.id, dip, len(at)), []).append(number)
        else:
            found[number] = pool_cuts(
                tables[call_type.id], traffic_all[at], dip, months[call_type.id]
            )[1]
    positions = list(pools.values())
    for (call_type_id, dip, _), numbers in together.items():
        traffic = np.array([traffic_all[chosen[positions[number]]] for number in numbers])
        cuts = _year_cuts_together(tables[call_type_id], traffic, dip, months[call_type_id])
        for number, cut in zip(numbers, cuts, strict=True):
            found[number] = cut
    return found


def _year_cuts_together(
    limits: np.ndarray,
    traffic: np.ndarray,
    dip: float,
    months: tuple[np.ndarray, np.ndarray],
) -> list[list[tuple[float, np.ndarray]]]:
    """:func:`pool_cuts`' year cuts of many pools of one size at once, each a row of
    ``traffic`` (their rows' loads, in the orders of :func:`_orders`), over a year whose
    months with calls share one load: the same arithmetic, element by element."""
    loads, weeks = months
    active = loads > 0
    assert int(active.sum()) == 1
    count, size = traffic.shape
    if size <= 3:
        orders = np.broadcast_to(
            np.array(list(itertools.permutations(range(size))), dtype=np.int64),
            (count, math.factorial(size), size),
        )
    else:  # each row first with the others by falling load, and all by rising load
        falling = np.argsort(-traffic, axis=1, kind="stable")
        firsts = [
            np.column_stack([np.full(count, r), falling[falling != r].reshape(count, size - 1)])
            for r in range(size)
        ]
        orders = np.stack([*firsts, falling[:, ::-1]], axis=1)
    busiest = traffic.sum(axis=1) * max(1.0, float(loads.max()))
    top = np.searchsorted(limits, busiest, side="left")
    steps = np.diff(limits)
    # L not convex up to a pool's busiest load (a relative 1e-9 of noise allowed): no cuts
    bent = np.concatenate([[False], np.logical_or.accumulate(np.diff(steps) < -1e-9 * steps[1:])])
    usable = top < len(limits)
    usable[usable] = ~bent[np.minimum(top[usable], len(bent) - 1)]
    corners = np.arange(len(limits), dtype=float)
    slack = dip + 1e-6  # for the noise allowed in L's convexity
    intercept = -slack * float(weeks[active].sum())
    load, weight = loads[active][0], weeks[active][0]
    cuts: list[list[tuple[float, np.ndarray]]] = [[] for _ in range(count)]
    for j in range(orders.shape[1]):
        order = orders[:, j, :]
        prefix = np.zeros((count, size + 1))
        prefix[:, 1:] = np.cumsum(np.take_along_axis(traffic, order, axis=1), axis=1)
        rise = np.diff(np.interp(load * prefix, limits, corners), axis=1)
        yearly = np.zeros((count, size))
        np.put_along_axis(yearly, order, weight * rise, axis=1)
        for row in np.flatnonzero(usable):
            cuts[row].append((intercept, yearly[row]))
    return cuts


def _orders(traffic: np.ndarray) -> list[tuple[int, ...]]:
    """The orders of a pool's rows its cuts are made from: all of them up to three rows;
    beyond, each row first with the others by falling load, and all by rising load."""
    k = len(traffic)
    if k <= 3:
        return list(itertools.permutations(range(k)))
    falling = [int(i) for i in np.argsort(-traffic, kind="stable")]
    found = [(r, *[i for i in falling if i != r]) for r in range(k)]
    return [*found, tuple(reversed(falling))]


def pool_cuts(
    limits: np.ndarray,
    traffic: np.ndarray,
    dip: float,
    months: tuple[np.ndarray, np.ndarray],
) -> tuple[list[tuple[float, np.ndarray]], list[tuple[float, np.ndarray]]]:
    r"""Cuts on a language pool's agents through ``P - δ`` at every corner of its box of
    shares (exact where a corner's load is a whole-agent corner ``L(n)``).

        ``P``, the line through the whole-agent corners ``(L(n), n)``, is concave wherever
        ``L`` is convex, and planning agents lie above ``P - δ``, whole agents above ``P``
        (:mod:`bestshore.model.curve`, facts 1-2). With ``P`` concave up to the pool's
        busiest load, ``g(x) = P(Σ_r T_r x_r) - δ`` is concave on the box ``[0, 1]^k``:
        it lies above the convex function that interpolates its corners, whose facets are,
        for each order ``π`` of the rows (``S_i`` the first i rows, ``T_S`` their load),

        .. math:: N \ge -\delta + \sum_i x_{\pi(i)} \left(P(T_{S_i}) - P(T_{S_{i-1}})
    ight)

        (the set function ``S ↦ P(T_S)`` is submodular; these are the facets of its Lovász
        extension). The year's the same with ``Σ_m w_m P(ρ_m T_S)``. Returns the week's and
        the year's cuts as ``(intercept, coefficients per row)``; none where ``L`` is not
        convex over the loads met (a relative 1e-9 of noise allowed, taken off the
        intercept) or they pass the table.
    """
    loads, weeks = months
    busiest = float(traffic.sum()) * max(1.0, float(loads.max()))
    top = int(np.searchsorted(limits, busiest, side="left"))
    if top >= len(limits):
        return [], []
    steps = np.diff(limits[: top + 2])
    if np.any(np.diff(steps) < -1e-9 * steps[1:]):
        return [], []
    corners = np.arange(len(limits), dtype=float)

    def line(load: np.ndarray) -> np.ndarray:
        return np.interp(load, limits, corners)

    slack = dip + 1e-6  # for the noise allowed in L's convexity
    active = loads > 0
    week: list[tuple[float, np.ndarray]] = []
    year: list[tuple[float, np.ndarray]] = []
    for order in _orders(traffic):
        prefix = np.concatenate([[0.0], np.cumsum(traffic[list(order)])])
        rise = np.diff(line(prefix))
        coefficients = np.zeros(len(traffic))
        coefficients[list(order)] = rise
        week.append((-slack, coefficients))
        months_rise = np.diff(line(np.outer(loads[active], prefix)), axis=1)
        yearly = np.zeros(len(traffic))
        yearly[list(order)] = weeks[active] @ months_rise
        year.append((-slack * float(weeks[active].sum()), yearly))
    return week, year


def _language_pools(
    inputs: ModelInputs, rows: pd.DataFrame, chosen: np.ndarray, traffic: np.ndarray
) -> dict[tuple[str, str, int, str], np.ndarray]:
    """The language pools among the Erlang-staffed rows ``chosen``: per pool
    ``(call_type, languages, hour, site)``, its rows' positions in ``chosen``
    (:func:`~bestshore.model.staffing.language_pools`)."""
    scenario = inputs.scenario
    pooling = {s.id for s in scenario.sites if scenario.pools_languages(s)}
    if not pooling or not len(chosen):
        return {}
    call_types = {c.id: c for c in scenario.call_types}
    part = rows.iloc[chosen]
    labels = language_pools(part, call_types, pooling)
    found: dict[tuple[str, str, int, str], list[int]] = {}
    for position, (label, c, h, site) in enumerate(
        zip(labels, part["call_type"].tolist(), part["hour"], part["site"].tolist(), strict=True)
    ):
        if label:
            found.setdefault((str(c), str(label), int(h), str(site)), []).append(position)
    return {key: np.array(members, dtype=np.int64) for key, members in found.items()}


@dataclass(frozen=True)
class _RowEnvelope:
    exact: float
    year_at_one: float
    factor: float
    year_factor: float
    hull: list[tuple[float, float]]
    year: list[tuple[float, float]]
    # every facet, the first included, whatever the staffing model (pools use them)
    all_hull: list[tuple[float, float]] = field(default_factory=list)
    all_year: list[tuple[float, float]] = field(default_factory=list)


def _row_envelope(
    call_type: CallType,
    traffic: float,
    whole: bool,
    occupancy: float,
    limits: np.ndarray,
    months: tuple[np.ndarray, np.ndarray],
    alone: bool = False,
    planning: _Planning | None = None,
) -> _RowEnvelope:
    """One row's envelope: its exact agents at share 1, ``κ``, the hull's other facets
    and the year's facets (module docstring); ``alone`` (its unit's only row, share 1 in
    every plan): the line to its exact staffing."""
    dip = 0.0 if whole else corner_slack(call_type, occupancy)
    if planning is None:
        planning = _Planning(call_type, occupancy)
    (exact,) = _exact(call_type, np.array([traffic]), occupancy, whole, limits, planning)
    check = None if whole else planning
    if alone:
        x, y = np.array([0.0, 1.0]), np.array([0.0, float(exact)])
    elif traffic > limits[-1]:  # past the table: the occupancy cap is the envelope
        x, y = np.array([0.0, 1.0]), np.array([0.0, _past_table(call_type, traffic, occupancy)])
    else:
        x, y = _hull(limits, traffic, float(exact), dip, check)
    intercept, slope = _facets(x, y)
    hull = list(zip(intercept[1:].tolist(), slope[1:].tolist(), strict=True))
    loads, weeks = months
    parts = []
    for load in loads:
        if load <= 0:
            parts.append((np.array([0.0, 1.0]), np.zeros(2)))
        elif load == 1.0:
            parts.append((x, y))
        elif alone:
            (month,) = _exact(
                call_type, np.array([traffic * load]), occupancy, whole, limits, planning
            )
            parts.append((np.array([0.0, 1.0]), np.array([0.0, float(month)])))
        elif traffic * load > limits[-1]:
            floor = _past_table(call_type, traffic * load, occupancy)
            parts.append((np.array([0.0, 1.0]), np.array([0.0, floor])))
        else:
            (month,) = _exact(
                call_type, np.array([traffic * load]), occupancy, whole, limits, planning
            )
            parts.append(_hull(limits, traffic * load, float(month), dip, check))
    if len(parts) == 1:
        gx, gy = parts[0][0], parts[0][1] * weeks[0]
    else:
        gx, gy = lower_hull(*_convex_sum(parts, weeks))
    year_intercept, year_slope = _few(*_facets(gx, gy, _YEAR_TOLERANCE), gx)
    return _RowEnvelope(
        exact=float(exact),
        year_at_one=float(gy[-1]),
        factor=float(slope[0] / traffic),
        year_factor=float(year_slope[0] / traffic),
        hull=hull if whole else [],
        year=list(zip(year_intercept.tolist(), year_slope.tolist(), strict=True)) if whole else [],
        all_hull=list(zip(intercept.tolist(), slope.tolist(), strict=True)),
        all_year=list(zip(year_intercept.tolist(), year_slope.tolist(), strict=True)),
    )


def _row_envelopes(
    call_type: CallType,
    traffic: np.ndarray,
    whole: bool,
    occupancy: float,
    limits: np.ndarray,
    months: tuple[np.ndarray, np.ndarray],
    alone: np.ndarray,
    planning: _Planning,
) -> list[_RowEnvelope]:
    """:func:`_row_envelope` of many rows of one call type and staffing model at once.

    The same arithmetic, element by element, on arrays of rows: each row's points are
    a line of a padded matrix (:func:`_lower_hulls`, :func:`_padded_facets`), so the
    envelopes are bit for bit the scalar function's (the tests compare them). Months
    other than the sizing week's are summed row by row (:func:`_convex_sum`). While
    ``planning`` is :meth:`~_Planning.asking`, only the loads are asked and nothing is
    returned."""
    traffic = np.asarray(traffic, dtype=float)
    alone = np.asarray(alone, dtype=bool)
    dip = 0.0 if whole else corner_slack(call_type, occupancy)
    check = None if whole else planning
    dry = planning.asked is not None
    exact = _exact(call_type, traffic, occupancy, whole, limits, planning)
    week = _parts(call_type, traffic, exact, alone, occupancy, limits, dip, check, dry)
    loads, weeks = months
    parts: list[_Points | None] = []
    for load in loads:
        if load <= 0 or load == 1.0:
            parts.append(None)  # filled below: no loads to ask
            continue
        at = traffic * load
        month = np.full(len(at), np.nan)  # none asked past the table (the floor)
        asked = alone | (at <= limits[-1])
        month[asked] = _exact(call_type, at[asked], occupancy, whole, limits, planning)
        parts.append(_parts(call_type, at, month, alone, occupancy, limits, dip, check, dry))
    if dry:
        return []
    assert week is not None
    x, y, count = week
    intercept, slope, kept = _padded_facets(x, y, count)
    if len(loads) == 1 and loads[0] == 1.0:
        gx, gy, gcount = x, y * weeks[0], count
        year = _padded_facets(gx, gy, gcount, _YEAR_TOLERANCE)
    else:
        gx, gy, gcount, year = _year_of_months(loads, weeks, week, parts)
    year_intercept, year_slope, year_kept = year
    found = []
    hull_b, hull_s = intercept.tolist(), slope.tolist()
    year_b, year_s = year_intercept.tolist(), year_slope.tolist()
    x_rows, gy_last = gx.tolist(), gy[np.arange(len(traffic)), gcount - 1].tolist()
    for row in range(len(traffic)):
        facets = list(zip(hull_b[row][: kept[row]], hull_s[row][: kept[row]], strict=True))
        b, s = year_b[row][: year_kept[row]], year_s[row][: year_kept[row]]
        if len(s) > 3:  # the year's few facets (rare: the scalar function's arrays)
            b_few, s_few = _few(np.array(b), np.array(s), np.array(x_rows[row][: gcount[row]]))
            b, s = b_few.tolist(), s_few.tolist()
        years = list(zip(b, s, strict=True))
        found.append(
            _RowEnvelope(
                exact=float(exact[row]),
                year_at_one=gy_last[row],
                factor=float(slope[row, 0] / traffic[row]),
                year_factor=float(s[0] / traffic[row]),
                hull=facets[1:] if whole else [],
                year=years if whole else [],
                all_hull=facets,
                all_year=years,
            )
        )
    return found


_Points = tuple[np.ndarray, np.ndarray, np.ndarray]


def _parts(
    call_type: CallType,
    traffic: np.ndarray,
    exact: np.ndarray,
    alone: np.ndarray,
    occupancy: float,
    limits: np.ndarray,
    dip: float,
    agents: _Planning | None,
    dry: bool,
) -> _Points | None:
    """Each row's function of its share at loads ``traffic``, as :func:`_row_envelope`
    takes it: the line to ``exact`` for a row taken whole (``alone``), the occupancy
    floor past the table, else the hull (:func:`_hulls`); vertices padded per row
    (``x``, ``y``, their ``count``). None while only asking (``dry``)."""
    past = ~alone & (traffic > limits[-1])
    hulled = np.flatnonzero(~alone & ~past)
    found = _hulls(limits, traffic[hulled], exact[hulled], dip, agents, dry)
    if found is None:
        return None
    end = exact.copy()
    for row in np.flatnonzero(past):  # rare: the scalar floor
        end[row] = _past_table(call_type, float(traffic[row]), occupancy)
    hx, hy, hcount = found
    width = max(2, hx.shape[1])
    x = np.full((len(traffic), width), np.nan)
    y = np.full((len(traffic), width), np.nan)
    x[:, :2], y[:, 0], y[:, 1] = [0.0, 1.0], 0.0, end
    count = np.full(len(traffic), 2, dtype=np.int64)
    x[hulled, : hx.shape[1]], y[hulled, : hx.shape[1]], count[hulled] = hx, hy, hcount
    return x, y, count


def _hulls(
    limits: np.ndarray,
    traffic: np.ndarray,
    exact: np.ndarray,
    dip: float,
    agents: _Planning | None,
    dry: bool = False,
) -> _Points | None:
    """:func:`_hull` of many loads at once: vertices ``x``, ``y`` (padded with NaN) and
    their ``count`` per load. With ``dry``, only the planning agents are asked for."""
    size = len(limits)
    below = np.minimum(np.searchsorted(limits, traffic, side="left"), size)
    last = np.maximum(below - 1, 0)  # the last corner m < N(T) (0: none)
    if agents is not None:
        start = np.where(last > 0, limits[last], 0.0)
        level = np.where(last > 0, last - dip, 0.0)
        loads = start[:, None] + _END_SAMPLES[None, :] * (traffic - start)[:, None]
        found = agents(loads.ravel()).reshape(loads.shape)
        if dry:
            return None
        reach = level[:, None] + (found - level[:, None]) / _END_SAMPLES[None, :]
        exact = np.minimum(exact, reach.min(axis=1, initial=np.inf))
    elif dry:
        return None
    corner = np.arange(1, max(int(last.max(initial=0)), 0) + 1)
    valid = corner[None, :] <= last[:, None]
    with np.errstate(invalid="ignore"):
        x = limits[np.minimum(corner, size - 1)][None, :] / traffic[:, None]
    y = np.broadcast_to(corner - dip, x.shape)
    under = valid & (y < exact[:, None] * x)
    inside = under.sum(axis=1)
    # the points under the chord, in order, then (1, N(T)); NaN beyond
    order = np.argsort(~under, axis=1, kind="stable")
    width = 2 + int(inside.max(initial=0))
    px = np.full((len(traffic), width), np.nan)
    py = np.full((len(traffic), width), np.nan)
    px[:, 0], py[:, 0] = 0.0, 0.0
    px[:, 1 : width - 1] = np.take_along_axis(x, order, axis=1)[:, : width - 2]
    py[:, 1 : width - 1] = np.take_along_axis(y, order, axis=1)[:, : width - 2]
    px[np.arange(width)[None, :] > inside[:, None]] = np.nan
    py[np.arange(width)[None, :] > inside[:, None]] = np.nan
    rows = np.arange(len(traffic))
    px[rows, inside + 1], py[rows, inside + 1] = 1.0, exact
    return _lower_hulls(px, py, inside + 2)


def _lower_hulls(x: np.ndarray, y: np.ndarray, count: np.ndarray) -> _Points:
    """:func:`lower_hull` of each row's first ``count`` points (rows padded on the
    right), one numpy pass per vertex for all rows: the vertices, padded with NaN, and
    their number per row."""
    columns = np.arange(x.shape[1])
    last = np.zeros(len(x), dtype=np.int64)
    steps = [last]
    while True:
        live = np.flatnonzero(last < count - 1)
        if not len(live):
            break
        at = last[live]
        later = (columns[None, :] > at[:, None]) & (columns[None, :] < count[live, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            slopes = (y[live] - y[live, at][:, None]) / (x[live] - x[live, at][:, None])
        slopes = np.where(later, slopes, np.inf)
        low = slopes.min(axis=1)
        ties = later & (slopes <= (low + 1e-12 * (1 + np.abs(low)))[:, None])
        last = last.copy()
        last[live] = np.where(ties, columns[None, :], -1).max(axis=1)
        steps.append(last)
    chosen = np.stack(steps, axis=1)
    number = 1 + (np.diff(chosen, axis=1) > 0).sum(axis=1)
    vx = np.take_along_axis(x, chosen, axis=1)
    vy = np.take_along_axis(y, chosen, axis=1)
    beyond = columns[None, : chosen.shape[1]] >= number[:, None]
    vx[beyond], vy[beyond] = np.nan, np.nan
    return vx, vy, number


def _padded_facets(
    x: np.ndarray, y: np.ndarray, count: np.ndarray, tolerance: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_facets` of each row's first ``count`` vertices (rows padded on the right):
    the kept facets' intercepts and slopes first in each row (NaN beyond), and how many
    each row keeps."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.diff(y, axis=1) / np.diff(x, axis=1)
        intercept = y[:, :-1] - slope * x[:, :-1]
        keep = np.ones(slope.shape, dtype=bool)
        keep[:, 1:] = np.abs(np.diff(slope, axis=1)) > 1e-9 * (1 + np.abs(slope[:, 1:]))
    facets = count - 1
    keep &= np.arange(slope.shape[1])[None, :] < facets[:, None]
    if tolerance > 0:
        for j in range(1, slope.shape[1] - 1):
            loose = (facets > 2) & (j < facets - 1) & keep[:, j - 1] & keep[:, j]
            if not loose.any():
                continue
            with np.errstate(invalid="ignore"):
                rises = []
                for end in (x[:, j], x[:, j + 1]):
                    line = intercept[:, j] + slope[:, j] * end
                    others = np.maximum(
                        intercept[:, j - 1] + slope[:, j - 1] * end,
                        intercept[:, j + 1] + slope[:, j + 1] * end,
                    )
                    rises.append(line - others)
                within = np.maximum(rises[0], rises[1]) <= tolerance
            keep[loose & within, j] = False
    order = np.argsort(~keep, axis=1, kind="stable")
    kept = keep.sum(axis=1)
    intercept = np.take_along_axis(intercept, order, axis=1)
    slope = np.take_along_axis(slope, order, axis=1)
    beyond = np.arange(slope.shape[1])[None, :] >= kept[:, None]
    intercept[beyond], slope[beyond] = np.nan, np.nan
    return intercept, slope, kept


def _year_of_months(
    loads: np.ndarray,
    weeks: np.ndarray,
    week: _Points,
    parts: list[_Points | None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The year's function of each row, ``Σ_m w_m H_m``, summed row by row as
    :func:`_row_envelope` does (:func:`_convex_sum`, :func:`lower_hull`), its
    vertices padded; and its facets (:func:`_padded_facets`)."""
    size = len(week[2])
    zero = (np.array([0.0, 1.0]), np.zeros(2))
    vertices = []
    for row in range(size):
        pieces = []
        for load, part in zip(loads, parts, strict=True):
            if load <= 0:
                pieces.append(zero)
                continue
            px, py, pcount = week if part is None else part
            pieces.append((px[row, : pcount[row]], py[row, : pcount[row]]))
        if len(pieces) == 1:
            vertices.append((pieces[0][0], pieces[0][1] * weeks[0]))
        else:
            vertices.append(lower_hull(*_convex_sum(pieces, weeks)))
    count = np.array([len(vx) for vx, _ in vertices], dtype=np.int64)
    gx = np.full((size, int(count.max(initial=2))), np.nan)
    gy = np.full_like(gx, np.nan)
    for row, (vx, vy) in enumerate(vertices):
        gx[row, : len(vx)], gy[row, : len(vy)] = vx, vy
    return gx, gy, count, _padded_facets(gx, gy, count, _YEAR_TOLERANCE)


def _past_table(call_type: CallType, traffic: float, occupancy: float) -> float:
    """The agents no staffing of ``traffic`` goes below, past the table: ``a / occupancy``
    under Erlang C; under Erlang A (or a within-hour peak) the carried load the goals
    allow at the busiest interval, over the cap (:func:`least_agents_per_erlang`)."""
    goal = queue_goal(call_type)
    if goal.patience is None and goal.peak == 1.0:
        return traffic / occupancy
    return traffic * least_agents_per_erlang(goal, occupancy)


def _few(
    intercept: np.ndarray, slope: np.ndarray, x: np.ndarray, most: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``most`` facets of a convex function: the first (through the origin) and
    the last (exact at share 1) always, then those whose line rises most above the
    others kept, at the vertices. Dropping a facet only lowers the function: it stays
    a lower bound, a little looser, and the LP has fewer rows."""
    if len(slope) <= most:
        return intercept, slope
    keep = [0, len(slope) - 1]
    while len(keep) < most:
        kept = np.array(keep)
        ends = np.unique(x)
        current = np.max(intercept[kept][:, None] + slope[kept][:, None] * ends[None, :], axis=0)
        gains = [
            -np.inf if j in keep else float(np.max(intercept[j] + slope[j] * ends - current))
            for j in range(len(slope))
        ]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        keep.append(best)
    order = np.sort(np.array(keep))
    return intercept[order], slope[order]


def _pooling(
    inputs: ModelInputs,
    eligibility: Eligibility,
    chosen: np.ndarray,
    traffic_all: np.ndarray,
    whole_all: np.ndarray,
    months: dict[str, tuple[np.ndarray, np.ndarray]],
) -> tuple[list[np.ndarray], list[tuple[str, str, int]], np.ndarray, np.ndarray]:
    """The pooling floors: per demand unit taken by two eligible rows or more, the
    agents of the whole unit at its lightest site, ``N(T_min)`` (the sizing week) and
    ``Σ_m w_m N(ρ_m T_min)`` (the year), in planning agents unless every row is staffed
    in whole agents (whole agents are at least planning agents: either is a floor)."""
    occupancy = inputs.scenario.settings.occupancy
    call_types = {c.id: c for c in inputs.scenario.call_types}
    position = np.full(len(traffic_all), -1, dtype=np.int64)
    position[chosen] = np.arange(len(chosen))
    units, keys, floors, year_floors = [], [], [], []
    for key, members in eligibility.groups("call_type", "language", "hour").items():
        inside = members[position[members] >= 0]
        if len(inside) < 2 or not whole_all[inside].all():
            continue  # planning agents are nearly concave: their lines need no floor
        call_type = call_types[str(key[0])]
        if queue_goal(call_type).patience is not None:
            continue  # Erlang A: pooling (fact 3) is not proven, so no floor is written
        loads, weeks = months[call_type.id]
        lightest = float(traffic_all[inside].min())
        limits = limits_to(call_type, occupancy, lightest * _busiest_month(months[call_type.id]))
        whole = True
        staffed = _exact(call_type, np.append(loads * lightest, lightest), occupancy, whole, limits)
        units.append(position[inside])
        keys.append((str(key[0]), str(key[1]), int(key[2])))
        floors.append(float(staffed[-1]) * (1 - _POOLED_TOLERANCE))
        year_floors.append(float(weeks @ staffed[:-1]) * (1 - _POOLED_TOLERANCE))
    return units, keys, np.array(floors), np.array(year_floors)
