"""Hour-by-hour staffing of real-time queues, and the loop that prices pooling losses.

Splitting one queue across sites loses pooling economies: two sites each taking half
of a 10-Erlang queue need more agents together than one site taking all of it (Erlang C
is sub-additive). The LP is linear, so it prices each (call type, language, site, hour)
queue with a fixed *agents-per-Erlang* factor ``k``. The loop:

1. start from the pooled factor ``k = N(A) / A`` of the whole hourly queue ``A`` (what
   one site taking everything would need);
2. solve; for every queue a site takes, compute its exact Erlang C staffing
   ``N(a)`` at its load ``a`` and set ``k = N(a) / a``; keep ``k`` of unused queues;
3. re-solve, until the plan's exact cost stops improving (relative change < 1e-4) or
   ``MAX_ROUNDS`` rounds; the plan with the lowest *exact* cost is returned.

Every plan is then reported with its exact staffing (integer agents per queue and hour,
the service level and ASA they achieve). The error of the linear pricing is measured,
not assumed: the result carries the LP's estimate, the exact cost, and the *pooling
loss* (exact agents minus the agents of fully pooled queues).
"""

from __future__ import annotations

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

__all__ = ["MAX_ROUNDS", "agents_needed", "exact_staffing"]

MAX_ROUNDS = 6


def agents_needed(call_type: CallType, traffic: float, max_occupancy: float) -> float:
    """Agents a queue of ``traffic`` Erlangs needs for one hour [agents].

    Erlang C (integer agents) for call types with a service level; ``traffic /
    max_occupancy`` (fractional, workload sizing) for the others.
    """
    if traffic <= 0:
        return 0.0
    goal = call_type.service_level
    if goal is None:
        return traffic / max_occupancy
    calls = traffic * 3600.0 / call_type.aht_seconds
    if goal.asa_seconds is not None:
        return float(
            agents_for_asa(calls, 60, call_type.aht_seconds, goal.asa_seconds, max_occupancy)
        )
    assert goal.target is not None and goal.answer_seconds is not None
    return float(
        agents_for_service_level(
            calls, 60, call_type.aht_seconds, goal.target, goal.answer_seconds, max_occupancy
        )
    )


def exact_staffing(
    rows: pd.DataFrame, call_types: dict[str, CallType], max_occupancy: float
) -> pd.DataFrame:
    """Exact staffing of real-time queues at their loads.

    Parameters
    ----------
    rows : DataFrame
        Columns ``call_type``, ``handle_hours`` (traffic of the queue at the site
        [Erlang]).
    call_types : dict
        Call type by id.

    Returns
    -------
    DataFrame, same index: ``agents`` [agents], ``service_level`` (achieved share
    answered in time; NaN for workload sizing or ASA goals), ``asa_seconds`` [s],
    ``occupancy`` [fraction].
    """
    agents, levels, asas = [], [], []
    for call_type_id, traffic in zip(rows["call_type"], rows["handle_hours"], strict=True):
        call_type = call_types[call_type_id]
        n = agents_needed(call_type, float(traffic), max_occupancy)
        agents.append(n)
        goal = call_type.service_level
        if goal is None or traffic <= 0:
            levels.append(math.nan)
            asas.append(math.nan)
            continue
        whole = round(n)
        answer = goal.answer_seconds if goal.answer_seconds is not None else goal.asa_seconds
        assert answer is not None
        levels.append(service_level(float(traffic), whole, call_type.aht_seconds, answer))
        asas.append(average_speed_of_answer(float(traffic), whole, call_type.aht_seconds))
    agents_array = np.array(agents, dtype=float)
    traffic_array = rows["handle_hours"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents_array > 0, traffic_array / agents_array, 0.0)
    return pd.DataFrame(
        {"agents": agents_array, "service_level": levels, "asa_seconds": asas, "occupancy": busy},
        index=rows.index,
    )
