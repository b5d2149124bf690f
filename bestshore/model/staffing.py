"""Hour-by-hour staffing of real-time queues at their loads (Erlang C).

A queue (call type, language, site, market hour) at load ``a`` [Erlang] is staffed in
*planning agents* (:func:`agents_needed`: Erlang C with fractional agents, the whole
staffing interpolated on the goal between the last count that misses it and the first
that meets it, never below ``a / occupancy``; a fraction is part of an hour), or in
whole agents (:func:`roster_agents`) under ``settings.staffing_model: whole``. Every
plan is also reported with its roster: the whole agents each queue needs each hour and
the service level and ASA they achieve (:func:`exact_staffing`).

Splitting one queue across sites loses pooling economies (two sites each taking half of
a 10-Erlang queue need more agents together than one site taking all of it), which a
linear program cannot price: the optimization bounds each queue's agents below by an
envelope (:mod:`bestshore.model.curve`) and the plan is staffed here, exactly, at the
loads it chose (:mod:`bestshore.model.plan`).
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bestshore.scenario.schema import CallType
from bestshore.staffing import (
    agents_for_asa,
    agents_for_service_level,
    average_speed_of_answer,
    service_level,
)
from bestshore.staffing.abandonment import erlang_a_arrays
from bestshore.staffing.arrays import QueueStaffing, queue_staffing
from bestshore.staffing.erlang import _erlang_b

__all__ = [
    "Goal",
    "abandon_limits",
    "agents_needed",
    "exact_staffing",
    "goal_planning_agents",
    "language_pools",
    "least_agents_per_erlang",
    "planning_agents",
    "planning_agents_of",
    "poolable",
    "queue_goal",
    "roster_agents",
    "roster_agents_of",
]


class Goal(NamedTuple):
    """What a queue's agents must achieve, in each interval of the hour.

    ``aht`` [s]; ``target`` [fraction] and ``answer`` [s], or ``asa`` [s]; with
    ``patience`` [s] (Erlang A) ``max_abandon`` [fraction] may add an abandonment goal;
    ``shares`` [fraction] are the hour's calls in each of its intervals (``(1.0,)``: one
    interval, or a uniform profile, which needs the same agents).
    """

    aht: float
    target: float | None
    answer: float | None
    asa: float | None
    patience: float | None = None
    max_abandon: float | None = None
    shares: tuple[float, ...] = (1.0,)

    @property
    def peak(self) -> float:
        """Load of the busiest interval over the hour's [-]: the hour's agents meet the
        goal in each interval, so they are those of the busiest interval's load."""
        return max(self.shares) * len(self.shares)

    @property
    def base(self) -> Goal:
        """The same goal over a whole hour of uniform arrivals."""
        return self._replace(shares=(1.0,))


def queue_goal(call_type: CallType) -> Goal:
    goal = call_type.service_level
    if goal is None:
        return Goal(call_type.aht_seconds, None, None, None)
    shares: tuple[float, ...] = (1.0,)
    if call_type.within_hour is not None and len(set(call_type.within_hour)) > 1:
        shares = tuple(float(v) for v in call_type.within_hour)
    return Goal(
        call_type.aht_seconds,
        goal.target,
        goal.answer_seconds,
        goal.asa_seconds,
        goal.patience_seconds,
        goal.max_abandon_rate,
        shares,
    )


def least_agents_per_erlang(goal: Goal, max_occupancy: float) -> float:
    """Agents per Erlang no staffing meeting ``goal`` goes below, at any load [agents/Erlang].

    The agents carry the answered load, at most ``max_occupancy`` busy: ``N occ >= A (1 -
    P_Ab)`` with ``P_Ab`` at most the abandonment the goals allow (``1 - target``,
    ``asa / patience``, ``max_abandon``; none under Erlang C), in the busiest interval.
    """
    allowed = 0.0
    if goal.patience is not None:
        caps = [1.0]
        if goal.target is not None:
            caps.append(1.0 - goal.target)
        if goal.asa is not None:
            caps.append(goal.asa / goal.patience)
        if goal.max_abandon is not None:
            caps.append(goal.max_abandon)
        allowed = min(caps)
    return goal.peak * (1.0 - allowed) / max_occupancy


def _abandon_meets(
    goal: Goal, traffic: np.ndarray, agents: np.ndarray, max_occupancy: float
) -> np.ndarray:
    """Whether ``agents[i]`` meet an Erlang A goal at ``traffic[i]`` (and the occupancy
    cap on the carried load), the Erlang B recursion run for all rows at once."""
    assert goal.patience is not None
    top = int(agents.max()) if len(agents) else 0
    blocking = np.ones_like(traffic)
    at_agents = np.ones_like(traffic)
    for n in range(1, top + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
        at_agents = np.where(agents == n, blocking, at_agents)
    answer = goal.answer if goal.answer is not None else 0.0
    _, abandon, within = erlang_a_arrays(
        traffic, agents, at_agents, goal.aht, goal.patience, answer
    )
    met = traffic * (1.0 - abandon) <= max_occupancy * agents * (1 + 1e-12)
    if goal.target is not None:
        met &= within >= goal.target
    if goal.asa is not None:
        met &= abandon * goal.patience <= goal.asa
    if goal.max_abandon is not None:
        met &= abandon <= goal.max_abandon
    return met & ((agents > 0) | (traffic <= 0))


_BISECTIONS = 60
_SAFETY = 1e-9
_ABANDON_TABLES: dict[tuple[Goal, float], np.ndarray] = {}


def abandon_limits(goal: Goal, max_occupancy: float, top: int) -> np.ndarray:
    """``L(0..top)``: the most load [Erlang] ``n`` whole agents carry within an Erlang A
    goal (over an hour of uniform arrivals: divide by :attr:`Goal.peak` for the hour's),
    a relative 1e-9 inside the exact limit; computed by bisection on the load for all
    counts at once, cached per goal and grown by 50 agents at a time."""
    key = (goal.base, float(max_occupancy))
    table = _ABANDON_TABLES.get(key)
    if table is None or len(table) <= top:
        size = max(50, -(-top // 50) * 50)
        table = _compute_abandon_limits(goal.base, float(max_occupancy), size)
        table.setflags(write=False)
        _ABANDON_TABLES[key] = table
    return table[: top + 1]


def _compute_abandon_limits(goal: Goal, max_occupancy: float, top: int) -> np.ndarray:
    agents = np.arange(1, top + 1, dtype=float)
    # n agents carry less than n Erlangs; meeting the goals keeps abandonment at most
    # 1 - least * occ, so a load of n / (least * occ) is out of reach
    ceiling = 1.0 / (least_agents_per_erlang(goal, max_occupancy) * max_occupancy)
    low = np.zeros(top)
    high = agents * ceiling * (1 + 1e-9)
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        ok = _abandon_meets(goal, middle, agents, max_occupancy)
        low = np.where(ok, middle, low)
        high = np.where(ok, high, middle)
    return np.concatenate([[0.0], low * (1 - _SAFETY)])


def _abandon_staffing(goal: Goal, traffic: float, max_occupancy: float) -> tuple[float, int]:
    """Planning and whole agents of an Erlang A queue-hour: whole ``min {n : L(n) >= a}``
    (``a`` the busiest interval's load), planning agents interpolated on the load between
    the whole-agent corners ``(L(n), n)`` (so exactly the corners' piecewise-linear
    function: equal to ``n`` at each ``L(n)``, continuous and increasing)."""
    load = traffic * goal.peak
    top = max(50, int(load * least_agents_per_erlang(goal.base, max_occupancy) * 1.5) + 50)
    limits = abandon_limits(goal, max_occupancy, top)
    while limits[-1] < load:
        top *= 2
        limits = abandon_limits(goal, max_occupancy, top)
    step = int(np.searchsorted(limits, load, side="left"))
    if step == 0:
        return 0.0, 0
    low, high = float(limits[step - 1]), float(limits[step])
    planning = step - 1 + (load - low) / (high - low)
    # the limits are a hair inside the exact ones: a load in between (an LP's share put
    # at a corner, give or take a rounding) is checked exactly with one agent fewer
    fewer = np.array([step - 1], dtype=float)
    whole = (
        step - 1 if _abandon_meets(goal.base, np.array([load]), fewer, max_occupancy)[0] else step
    )
    return planning, whole


def hour_performance(goal: Goal, traffic: float, agents: int) -> tuple[float, float, float]:
    """``(service level, ASA [s], abandonment rate)`` of ``agents`` whole agents over an
    hour of ``traffic`` Erlangs: each interval's figures at its own load, weighted by its
    calls (the hour's share of calls answered in time, their mean wait, the share that
    abandon). NaN service level and ASA without a goal; NaN abandonment under Erlang C
    (which assumes nobody abandons)."""
    lost = math.nan if goal.patience is None else 0.0  # Erlang C: not modelled
    if (goal.target is None and goal.asa is None) or traffic <= 0:
        return math.nan, math.nan, lost
    seconds = goal.answer if goal.answer is not None else goal.asa
    assert seconds is not None
    level = speed = 0.0
    lost = 0.0 if goal.patience is not None else math.nan
    count = len(goal.shares)
    for share in goal.shares:
        if share <= 0:
            continue
        load = traffic * share * count
        if goal.patience is None:
            interval = (
                service_level(load, agents, goal.aht, seconds),
                average_speed_of_answer(load, agents, goal.aht),
                0.0,
            )
        else:
            _, abandon, within = erlang_a_arrays(
                load, agents, _erlang_b(load, agents), goal.aht, goal.patience, seconds
            )
            interval = (float(within[0]), float(abandon[0]) * goal.patience, float(abandon[0]))
        level += share * interval[0]
        speed += share * interval[1]
        if goal.patience is not None:
            lost += share * interval[2]
    return level, speed, lost


@functools.lru_cache(maxsize=1 << 16)
def _queue_figures(
    goal: tuple[Any, ...], traffic: float, max_occupancy: float
) -> tuple[float, int, float, float, float]:
    """Planning agents, roster agents, service level, ASA and abandonment of one
    queue-hour (a plain ``(aht, target, answer, asa)`` tuple reads as an Erlang C goal).

    Cached: the solve's rounds meet the same queue loads round after round (most shares
    do not move), and a notebook re-solve meets them again. Pure, so caching is safe.
    """
    found = Goal(*goal)
    planning = planning_agents(found, traffic, max_occupancy)
    whole = _whole_agents(found, traffic, max_occupancy)
    level, speed, lost = hour_performance(found, traffic, whole)
    return planning, whole, level, speed, lost


def _queue(
    goal: tuple[Any, ...], traffic: float, max_occupancy: float
) -> tuple[float, int, float, float]:
    """Planning agents, roster agents, service level and ASA of one queue-hour."""
    return _queue_figures(goal, traffic, max_occupancy)[:4]


def agents_needed(call_type: CallType, traffic: float, max_occupancy: float) -> float:
    """Planning agents a queue of ``traffic`` Erlangs needs for one hour [agents].

    Workload sizing (no service level): ``traffic / max_occupancy``. With a service
    level: Erlang C with *fractional agents*, the integer staffing interpolated on the
    service level (or on 1/ASA) between the last agent count that misses the goal and
    the first that meets it, and never below ``traffic / max_occupancy``. It is
    continuous and increasing in the traffic, equals the integer answer wherever that
    exactly meets the goal, and lies within one agent below it; :func:`exact_staffing`
    also reports the integer roster each hour needs and the service level it achieves.
    """
    return _queue(queue_goal(call_type), float(traffic), max_occupancy)[0]


def planning_agents(goal: Goal, traffic: float, max_occupancy: float) -> float:
    """:func:`agents_needed` of a goal (:func:`queue_goal`) [agents]."""
    if traffic <= 0:
        return 0.0
    if goal.patience is not None:
        return _abandon_staffing(goal, traffic, max_occupancy)[0]
    if goal.peak != 1.0:
        return planning_agents(goal.base, traffic * goal.peak, max_occupancy)
    aht, target, answer_seconds, asa_seconds = goal[:4]
    floor = traffic / max_occupancy
    if target is None and asa_seconds is None:
        return floor
    calls = traffic * 3600.0 / aht
    if asa_seconds is not None:
        whole = agents_for_asa(calls, 60, aht, asa_seconds)
        below = whole - 1
        speed = 1.0 / asa_seconds
        fast_enough = 1.0 / average_speed_of_answer(traffic, whole, aht)
        too_slow = 0.0 if below <= traffic else 1.0 / average_speed_of_answer(traffic, below, aht)
        fraction = (speed - too_slow) / (fast_enough - too_slow)
    else:
        assert target is not None and answer_seconds is not None
        whole = agents_for_service_level(calls, 60, aht, target, answer_seconds)
        below = whole - 1
        met = service_level(traffic, whole, aht, answer_seconds)
        missed = 0.0 if below <= traffic else service_level(traffic, below, aht, answer_seconds)
        fraction = (target - missed) / (met - missed)
    return max(below + min(max(fraction, 0.0), 1.0), floor)


def roster_agents(call_type: CallType, traffic: float, max_occupancy: float) -> int:
    """Whole agents the hour needs: Erlang C integer staffing (or the workload, rounded up)."""
    return _queue(queue_goal(call_type), float(traffic), max_occupancy)[1]


def _whole_agents(goal: Goal, traffic: float, max_occupancy: float) -> int:
    if traffic <= 0:
        return 0
    if goal.patience is not None:
        return _abandon_staffing(goal, traffic, max_occupancy)[1]
    if goal.peak != 1.0:
        return _whole_agents(goal.base, traffic * goal.peak, max_occupancy)
    aht, target, answer_seconds, asa_seconds = goal[:4]
    if target is None and asa_seconds is None:
        return math.ceil(traffic / max_occupancy - 1e-9)
    calls = traffic * 3600.0 / aht
    if asa_seconds is not None:
        return agents_for_asa(calls, 60, aht, asa_seconds, max_occupancy)
    assert target is not None and answer_seconds is not None
    return agents_for_service_level(calls, 60, aht, target, answer_seconds, max_occupancy)


def _staff(
    types: np.ndarray,
    traffic: np.ndarray,
    goals: dict[Any, Goal],
    max_occupancy: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Planning agents, whole agents, service level, ASA and abandonment of queue-hours
    (their call types and loads): Erlang C goals over whole hours per goal at once
    (:func:`~bestshore.staffing.arrays.queue_staffing`, the scalar path's figures), the
    loads it leaves, Erlang A goals and within-hour peaks one by one."""
    planning = np.zeros(len(traffic))
    whole = np.zeros(len(traffic))
    levels = np.full(len(traffic), np.nan)
    asas = np.full(len(traffic), np.nan)
    lost = np.full(len(traffic), np.nan)
    for call_type_id in pd.unique(types):
        members = np.flatnonzero(types == call_type_id)
        goal = goals[call_type_id]
        if goal.patience is None and goal.peak == 1.0:
            found = _known_queues(goal[:4], max_occupancy).staffing(traffic[members])
            planning[members], whole[members] = found.planning, found.whole
            levels[members], asas[members] = found.service_level, found.asa_seconds
            scalar = members[~found.done]
        else:
            scalar = members
        for at in scalar:
            planning[at], whole[at], levels[at], asas[at], lost[at] = _queue_figures(
                goal, float(traffic[at]), max_occupancy
            )
    return planning, whole, levels, asas, lost


class _KnownQueues:
    """:func:`~bestshore.staffing.arrays.queue_staffing` of one goal and occupancy cap,
    each load computed once: a solve's rounds, its months and its held plan staff the
    same queue loads again and again (most shares do not move). Each load's figures are
    its own, whatever loads it is computed with (the tests check it), so those kept are
    those a new computation gives."""

    _FIELDS = ("planning", "whole", "service_level", "asa_seconds", "done")
    _MOST = 1 << 16  # loads kept per goal; beyond, the kept ones are dropped

    def __init__(self, goal: tuple[float, float | None, float | None, float | None], cap: float):
        self.goal, self.cap = goal, cap
        self.loads = np.zeros(0)
        self.figures = [np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)]
        self.figures.append(np.zeros(0, dtype=bool))

    def _find(self, loads: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self.loads, loads)
        inside = at < len(self.loads)
        inside[inside] = self.loads[at[inside]] == loads[inside]
        return np.where(inside, at, -1)

    def staffing(self, loads: np.ndarray) -> QueueStaffing:
        loads = np.asarray(loads, dtype=float)
        if np.isnan(loads).any():
            return queue_staffing(self.goal, loads, self.cap)
        at = self._find(loads)
        if (at < 0).any():
            missing = np.unique(loads[at < 0])
            if len(self.loads) + len(missing) > self._MOST:
                # the kept loads are dropped: every load asked is computed again (those
                # kept before would otherwise be looked up in the emptied table)
                self.loads = self.loads[:0]
                self.figures = [figure[:0] for figure in self.figures]
                missing = np.unique(loads)
            found = queue_staffing(self.goal, missing, self.cap)
            known = np.concatenate([self.loads, missing])
            order = np.argsort(known, kind="stable")
            self.loads = known[order]
            self.figures = [
                np.concatenate([kept, getattr(found, name)])[order]
                for kept, name in zip(self.figures, self._FIELDS, strict=True)
            ]
            at = self._find(loads)
        return QueueStaffing(*(figure[at] for figure in self.figures))


_KNOWN_QUEUES: dict[tuple[Any, float], _KnownQueues] = {}


def _known_queues(
    goal: tuple[float, float | None, float | None, float | None], cap: float
) -> _KnownQueues:
    """The kept staffing of a goal (the last 8 goals used, at most 2.6 MB each: a Monte
    Carlo draw's handle times make goals of their own)."""
    key = (goal, cap)
    known = _KNOWN_QUEUES.pop(key, None) or _KnownQueues(goal, cap)
    _KNOWN_QUEUES[key] = known  # the most recent last
    while len(_KNOWN_QUEUES) > 8:
        _KNOWN_QUEUES.pop(next(iter(_KNOWN_QUEUES)))
    return known


def planning_agents_of(
    call_type: CallType, traffic: np.ndarray, max_occupancy: float
) -> np.ndarray:
    """:func:`agents_needed` of many loads of one call type at once [agents]."""
    return goal_planning_agents(queue_goal(call_type), traffic, max_occupancy)


def roster_agents_of(call_type: CallType, traffic: np.ndarray, max_occupancy: float) -> np.ndarray:
    """:func:`roster_agents` of many loads of one call type at once [agents]."""
    return _staff_goal(queue_goal(call_type), traffic, max_occupancy)[1]


def goal_planning_agents(
    goal: Goal,
    traffic: np.ndarray,
    max_occupancy: float,
) -> np.ndarray:
    """:func:`planning_agents` of many loads at once [agents]."""
    return _staff_goal(goal, traffic, max_occupancy)[0]


def _staff_goal(
    goal: Goal, traffic: np.ndarray, max_occupancy: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_staff` of many loads of one goal."""
    traffic = np.asarray(traffic, dtype=float)
    return _staff(np.zeros(len(traffic), dtype=np.int64), traffic, {0: goal}, max_occupancy)


def _erlang_c_goal(call_type: CallType) -> bool:
    goal = call_type.service_level
    return goal is not None and not goal.erlang_a


def poolable(call_type: CallType) -> bool:
    """Whether a call type's languages may be staffed as one queue at a pooling site:
    real-time work with an Erlang C goal (Erlang A queues are not subadditive)."""
    return call_type.real_time and _erlang_c_goal(call_type)


def language_pools(
    rows: pd.DataFrame, call_types: dict[str, CallType], pooling: set[str]
) -> np.ndarray:
    """The language pool of each real-time row: the languages (sorted, joined by ``+``)
    of the rows of its call type, site and market hour staffed as one queue, or ``""``.

    A site in ``pooling`` (``Scenario.pools_languages``) staffs the languages of a
    call type with a service goal as one group each hour, sized on their summed load
    (one Erlang C queue: first come first served, every agent taking every pooled
    language); a group of one language is no pool. Rows need ``call_type``,
    ``language``, ``site`` and ``hour`` (-1, deferred work, never pools).
    """
    labels = np.full(len(rows), "", dtype=object)
    if not len(rows) or not pooling:
        return labels
    kinds, kind_ids = pd.factorize(rows["call_type"])
    goal = np.array(
        [
            poolable(call_types[c])  # pools: Erlang C
            for c in kind_ids
        ],
        dtype=bool,
    )[kinds]
    hours = rows["hour"].to_numpy()
    sites = rows["site"].to_numpy()
    able = goal & (hours >= 0) & np.isin(sites, list(pooling))
    if not able.any():
        return labels
    at = np.flatnonzero(able)
    # the rows are not copied (this runs on every plan priced); a group's number
    # does not matter
    group = pd.factorize(_one_key(sites[at], kinds[at], hours[at]))[0]
    codes, languages = pd.factorize(rows["language"].to_numpy()[at])
    if len(languages) > 62:  # pragma: no cover - more languages than a mask's bits
        part = rows[able]
        joined = part.groupby(["site", "call_type", "hour"], sort=False)["language"].transform(
            lambda found: "+".join(sorted(set(found))) if found.nunique() > 1 else ""
        )
        labels[np.flatnonzero(able)] = joined.to_numpy(dtype=object)
        return labels
    # Each group's languages as bits of a mask: a label per distinct mask, not per group.
    masks = np.zeros(int(group.max()) + 1, dtype=np.int64)
    np.bitwise_or.at(masks, group, np.left_shift(1, codes.astype(np.int64)))
    distinct, which = np.unique(masks, return_inverse=True)
    names = [
        [str(languages[j]) for j in range(len(languages)) if int(mask) >> j & 1]
        for mask in distinct
    ]
    text = np.array(["+".join(sorted(n)) if len(n) > 1 else "" for n in names], dtype=object)
    labels[at] = text[which][group]
    return labels


def _one_key(*columns: np.ndarray) -> np.ndarray:
    """Each row's values in ``columns`` as one integer, equal where every value is equal
    (each column's codes, in mixed radix): grouping by it is grouping by the columns,
    faster than pandas grouping by several."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        codes, uniques = pd.factorize(values)
        key = key * len(uniques) + codes
    return key


def exact_staffing(
    rows: pd.DataFrame,
    call_types: dict[str, CallType],
    max_occupancy: float,
    whole_agents: bool | np.ndarray = False,
    pools: np.ndarray | None = None,
) -> pd.DataFrame:
    """Staffing of real-time queues at their loads.

    Parameters
    ----------
    rows : DataFrame
        Columns ``call_type``, ``handle_hours`` (traffic of the queue at the site
        [Erlang]).
    call_types : dict
        Call type by id.

    whole_agents : bool or array of bool
        Staff queues with a service goal in whole agents (all rows, or those marked:
        rostered sites, ``settings.staffing_model: whole``): their ``agents`` are then
        their ``roster_agents``.

    pools : array of str, optional
        Per row, its language pool (:func:`language_pools`, ``""`` for none): the rows
        of one site, call type and hour sharing a label are staffed as one queue on
        their summed load, and each row carries the pool's agents in proportion to its
        load (its service level and ASA are the pool's).

    Returns
    -------
    DataFrame, same index: ``agents`` (planning agents, :func:`agents_needed`; whole
    agents under ``whole_agents`` for queues with a goal),
    ``roster_agents`` (whole agents, :func:`roster_agents`), ``service_level`` and
    ``asa_seconds`` the roster achieves (NaN without a service level; under Erlang A the
    share of offered calls answered in time and the mean wait of all offered calls),
    ``abandon_rate`` the roster lets abandon [fraction of offered calls] (Erlang A
    queues; NaN elsewhere: Erlang C assumes nobody abandons), ``occupancy`` [fraction of
    planning agents busy with the carried load, abandoners removed].
    """
    if pools is not None and len(rows) and (np.asarray(pools) != "").any():
        return _pooled_staffing(rows, call_types, max_occupancy, whole_agents, np.asarray(pools))
    goals = {key: queue_goal(call_type) for key, call_type in call_types.items()}
    traffic_array = rows["handle_hours"].to_numpy(dtype=float)
    agents_array, roster, levels, asas, abandon = _staff(
        rows["call_type"].to_numpy(), traffic_array, goals, max_occupancy
    )
    whole = np.broadcast_to(np.asarray(whole_agents, dtype=bool), (len(rows),))
    if whole.any():
        goal_set = np.array(
            [goals[c][1] is not None or goals[c][3] is not None for c in rows["call_type"]],
            dtype=bool,
        )
        agents_array = np.where(goal_set & whole, roster, agents_array)
    carried = traffic_array * (1.0 - np.nan_to_num(abandon))
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents_array > 0, carried / agents_array, 0.0)
    return pd.DataFrame(
        {
            "agents": agents_array,
            "roster_agents": roster,
            "service_level": levels,
            "asa_seconds": asas,
            "abandon_rate": abandon,
            "occupancy": busy,
        },
        index=rows.index,
    )


def _pooled_staffing(
    rows: pd.DataFrame,
    call_types: dict[str, CallType],
    max_occupancy: float,
    whole_agents: bool | np.ndarray,
    pools: np.ndarray,
) -> pd.DataFrame:
    """:func:`exact_staffing` of rows some of which pool: each pool staffed once on its
    summed load, its agents shared in proportion to its rows' loads."""
    whole = np.broadcast_to(np.asarray(whole_agents, dtype=bool), (len(rows),))
    pooled = pools != ""
    types = rows["call_type"].to_numpy()
    load = rows["handle_hours"].to_numpy(dtype=float)
    keys = [rows[column].to_numpy()[pooled] for column in ("site", "call_type", "hour")]
    # by one key rather than four columns: the same pools in the same order (first seen)
    # with the same rows, so the same sums
    groups = pd.Series(load[pooled]).groupby(_one_key(*keys, pools[pooled]), sort=False)
    summed = groups.sum()  # the pools' loads, in the order of their numbers
    member = groups.ngroup().to_numpy()
    first = np.zeros(len(summed), dtype=np.int64)  # a row of each pool (one call type)
    first[member] = np.flatnonzero(pooled)
    pool_whole = np.zeros(len(summed), dtype=bool)
    np.logical_or.at(pool_whole, member, whole[pooled])
    queue_rows = pd.DataFrame(
        {
            "call_type": np.concatenate([types[~pooled], types[first]]),
            "handle_hours": np.concatenate([load[~pooled], summed.to_numpy(dtype=float)]),
        }
    )
    queue_whole = np.concatenate([whole[~pooled], pool_whole])
    staffed = exact_staffing(queue_rows, call_types, max_occupancy, queue_whole)
    # each row: its queue (its own, or its pool's) and its part of the queue's load
    single = int((~pooled).sum())
    which = np.empty(len(rows), dtype=np.int64)
    which[~pooled] = np.arange(single)
    which[pooled] = single + member
    total = queue_rows["handle_hours"].to_numpy(dtype=float)[which]
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(total > 0, load / total, 0.0)
    part[~pooled] = 1.0
    found = staffed.iloc[which].reset_index(drop=True)
    for column in ("agents", "roster_agents"):
        found[column] = found[column].to_numpy(dtype=float) * part
    found.index = rows.index
    return found
