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
from typing import Any

import numpy as np
import pandas as pd

from bestshore.scenario.schema import CallType
from bestshore.staffing import (
    agents_for_asa,
    agents_for_service_level,
    average_speed_of_answer,
    service_level,
)
from bestshore.staffing.arrays import queue_staffing

__all__ = [
    "agents_needed",
    "exact_staffing",
    "goal_planning_agents",
    "planning_agents",
    "planning_agents_of",
    "queue_goal",
    "roster_agents",
]


def queue_goal(call_type: CallType) -> tuple[float, float | None, float | None, float | None]:
    goal = call_type.service_level
    if goal is None:
        return (call_type.aht_seconds, None, None, None)
    return (call_type.aht_seconds, goal.target, goal.answer_seconds, goal.asa_seconds)


@functools.lru_cache(maxsize=1 << 16)
def _queue(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: float,
    max_occupancy: float,
) -> tuple[float, int, float, float]:
    """Planning agents, roster agents, service level and ASA of one queue-hour.

    Cached: the solve's rounds meet the same queue loads round after round (most shares
    do not move), and a notebook re-solve meets them again. Pure, so caching is safe.
    """
    aht, target, answer, asa = goal
    planning = planning_agents(goal, traffic, max_occupancy)
    whole = _whole_agents(goal, traffic, max_occupancy)
    if (target is None and asa is None) or traffic <= 0:
        return planning, whole, math.nan, math.nan
    seconds = answer if answer is not None else asa
    assert seconds is not None
    return (
        planning,
        whole,
        service_level(traffic, whole, aht, seconds),
        average_speed_of_answer(traffic, whole, aht),
    )


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


def planning_agents(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: float,
    max_occupancy: float,
) -> float:
    """:func:`agents_needed` of a goal tuple (:func:`queue_goal`) [agents]."""
    if traffic <= 0:
        return 0.0
    aht, target, answer_seconds, asa_seconds = goal
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


def _whole_agents(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: float,
    max_occupancy: float,
) -> int:
    if traffic <= 0:
        return 0
    aht, target, answer_seconds, asa_seconds = goal
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
    goals: dict[Any, tuple[float, float | None, float | None, float | None]],
    max_occupancy: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Planning agents, whole agents, service level and ASA of queue-hours (their call
    types and loads): per goal at once (:func:`~bestshore.staffing.arrays.queue_staffing`,
    the scalar path's figures), the loads it leaves one by one."""
    planning = np.zeros(len(traffic))
    whole = np.zeros(len(traffic))
    levels = np.full(len(traffic), np.nan)
    asas = np.full(len(traffic), np.nan)
    for call_type_id in pd.unique(types):
        members = np.flatnonzero(types == call_type_id)
        goal = goals[call_type_id]
        found = queue_staffing(goal, traffic[members], max_occupancy)
        planning[members], whole[members] = found.planning, found.whole
        levels[members], asas[members] = found.service_level, found.asa_seconds
        for at in members[~found.done]:
            planning[at], whole[at], levels[at], asas[at] = _queue(
                goal, float(traffic[at]), max_occupancy
            )
    return planning, whole, levels, asas


def planning_agents_of(
    call_type: CallType, traffic: np.ndarray, max_occupancy: float
) -> np.ndarray:
    """:func:`agents_needed` of many loads of one call type at once [agents]."""
    return goal_planning_agents(queue_goal(call_type), traffic, max_occupancy)


def goal_planning_agents(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: np.ndarray,
    max_occupancy: float,
) -> np.ndarray:
    """:func:`planning_agents` of many loads at once [agents]."""
    traffic = np.asarray(traffic, dtype=float)
    types = np.zeros(len(traffic), dtype=np.int64)
    return _staff(types, traffic, {0: goal}, max_occupancy)[0]


def exact_staffing(
    rows: pd.DataFrame,
    call_types: dict[str, CallType],
    max_occupancy: float,
    whole_agents: bool | np.ndarray = False,
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

    Returns
    -------
    DataFrame, same index: ``agents`` (planning agents, :func:`agents_needed`; whole
    agents under ``whole_agents`` for queues with a goal),
    ``roster_agents`` (whole agents, :func:`roster_agents`), ``service_level`` and
    ``asa_seconds`` the roster achieves (NaN without a service level), ``occupancy``
    [fraction of planning agents busy].
    """
    goals = {key: queue_goal(call_type) for key, call_type in call_types.items()}
    traffic_array = rows["handle_hours"].to_numpy(dtype=float)
    agents_array, roster, levels, asas = _staff(
        rows["call_type"].to_numpy(), traffic_array, goals, max_occupancy
    )
    whole = np.broadcast_to(np.asarray(whole_agents, dtype=bool), (len(rows),))
    if whole.any():
        goal_set = np.array(
            [goals[c][1] is not None or goals[c][3] is not None for c in rows["call_type"]],
            dtype=bool,
        )
        agents_array = np.where(goal_set & whole, roster, agents_array)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents_array > 0, traffic_array / agents_array, 0.0)
    return pd.DataFrame(
        {
            "agents": agents_array,
            "roster_agents": roster,
            "service_level": levels,
            "asa_seconds": asas,
            "occupancy": busy,
        },
        index=rows.index,
    )
