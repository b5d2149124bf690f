"""Hour-by-hour staffing of real-time queues, and the loop that prices pooling losses.

Splitting one queue across sites loses pooling economies: two sites each taking half
of a 10-Erlang queue need more agents together than one site taking all of it (Erlang C
is sub-additive). The LP is linear, so it prices each (call type, language, site, hour)
queue with a fixed *agents-per-Erlang* factor ``k``. The loop:

1. start from the pooled factor ``k = N(A) / A`` of the whole hourly queue ``A`` (what
   one site taking everything would need);
2. solve; for every queue a site takes, compute its exact Erlang C staffing
   ``N(a)`` at its load ``a`` and set ``k = N(a) / a``; keep ``k`` of unused queues
   (after ``FREE_ROUNDS`` rounds a factor may only rise, which makes the loop settle);
3. when the exact (integer) staffing of a plan overshoots a capacity, seat limit or
   vendor cap that its linear estimate respected, hold that overshoot back from the
   limit in the next round, three times over (a rounding margin); when the margins
   themselves leave no feasible plan, halve them;
4. re-solve, until a plan fits every limit and its exact cost stops changing (relative
   change < 1e-3), or ``MAX_ROUNDS`` rounds; the fitting plan with the lowest *exact*
   cost is returned.

Staffing is planned in *fractional agents* (Erlang C interpolated between whole
agent counts, :func:`agents_needed`): continuous in the load, so the loop settles, and
consistent with fractional FTE. Every plan is also reported with its roster: the whole
agents each queue needs each hour and the service level and ASA they achieve.

The error is bounded, not assumed. The first round prices every queue at its pooled
factor, which no split can beat (planning agents per Erlang never fall as a queue is
split), so its LP optimum is a lower bound on any plan's cost; the returned plan's cost
is an upper bound. The result's stamp carries both (``lower_bound``, ``exact_cost``) and
their relative difference (``staffing_gap``); the requirements table carries the
*pooling loss* (agents beyond those of fully pooled queues) hour by hour.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from bestshore.scenario.schema import CallType
from bestshore.staffing import (
    agents_for_asa,
    agents_for_service_level,
    average_speed_of_answer,
    service_level,
)

__all__ = [
    "FREE_ROUNDS",
    "MAX_ROUNDS",
    "agents_needed",
    "exact_staffing",
    "queue_goal",
    "roster_agents",
]

MAX_ROUNDS = 25
FREE_ROUNDS = 3


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

    Cached: the staffing loop meets the same queue loads round after round (most shares
    do not move), and a notebook re-solve meets them again. Pure, so caching is safe.
    """
    aht, target, answer, asa = goal
    planning = _planning_agents(goal, traffic, max_occupancy)
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
    exactly meets the goal, and lies within one agent below it. Planning in fractional
    agents is what keeps the staffing loop stable; :func:`exact_staffing` also reports
    the integer roster each hour needs and the service level it achieves.
    """
    return _queue(queue_goal(call_type), float(traffic), max_occupancy)[0]


def _planning_agents(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: float,
    max_occupancy: float,
) -> float:
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


def exact_staffing(
    rows: pd.DataFrame,
    call_types: dict[str, CallType],
    max_occupancy: float,
    whole_agents: bool = False,
) -> pd.DataFrame:
    """Staffing of real-time queues at their loads.

    Parameters
    ----------
    rows : DataFrame
        Columns ``call_type``, ``handle_hours`` (traffic of the queue at the site
        [Erlang]).
    call_types : dict
        Call type by id.

    whole_agents : bool
        Staff queues with a service goal in whole agents (``settings.staffing_model:
        milp``): their ``agents`` are then their ``roster_agents``.

    Returns
    -------
    DataFrame, same index: ``agents`` (planning agents, :func:`agents_needed`; whole
    agents under ``whole_agents`` for queues with a goal),
    ``roster_agents`` (whole agents, :func:`roster_agents`), ``service_level`` and
    ``asa_seconds`` the roster achieves (NaN without a service level), ``occupancy``
    [fraction of planning agents busy].
    """
    goals = {key: queue_goal(call_type) for key, call_type in call_types.items()}
    queues = [
        _queue(goals[call_type_id], float(traffic), max_occupancy)
        for call_type_id, traffic in zip(rows["call_type"], rows["handle_hours"], strict=True)
    ]
    agents, roster, levels, asas = (
        (list(column) for column in zip(*queues, strict=True)) if queues else ([], [], [], [])
    )
    agents_array = np.array(agents, dtype=float)
    if whole_agents:
        goal_set = np.array(
            [goals[c][1] is not None or goals[c][3] is not None for c in rows["call_type"]],
            dtype=bool,
        )
        agents_array = np.where(goal_set, np.array(roster, dtype=float), agents_array)
    traffic_array = rows["handle_hours"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents_array > 0, traffic_array / agents_array, 0.0)
    return pd.DataFrame(
        {
            "agents": agents_array,
            "roster_agents": np.array(roster, dtype=float),
            "service_level": levels,
            "asa_seconds": asas,
            "occupancy": busy,
        },
        index=rows.index,
    )
