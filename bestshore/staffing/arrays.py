r"""Erlang C staffing of many queue-hours at once.

The same figures as the scalar functions of :mod:`bestshore.staffing.erlang`, for an
array of loads sharing one goal: for each load the Erlang B recursion

.. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)}

is run one agent count a step, and the search stops at its first count that meets the
goal, as :func:`~bestshore.staffing.agents_for_service_level` walks up from
:math:`\max(\lfloor A \rfloor + 1, \lceil A / \rho_{max} \rceil)`. The arithmetic is
the scalar one, operation for operation (the recursion from 0, which the scalar path
also takes below :data:`~bestshore.staffing.erlang.WARM_START_ERLANGS`, and the C
library's ``exp``), so the counts and values agree to the bit; the walk is compiled
(:mod:`bestshore.staffing.walk`). Loads of :data:`MOST_ERLANGS` or more are left to the
scalar path (their walk is long and they are rare in an hourly queue).

A goal is ``(aht_seconds, target, answer_seconds, asa_seconds)``: a service level
``target`` within ``answer_seconds``, or an ASA of at most ``asa_seconds``, or neither
(workload sizing: ``A / ρ_max`` agents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["MOST_ERLANGS", "QueueStaffing", "queue_staffing"]

#: Loads from which the scalar path is taken [Erlang].
MOST_ERLANGS = 2000.0

_RATIO_TOLERANCE = 1e-9  # as the scalar `_ceil_ratio`

Goal = tuple[float, float | None, float | None, float | None]


@dataclass(frozen=True)
class QueueStaffing:
    """Per load: ``planning`` agents (fractional, interpolated on the goal between the
    whole counts, never below ``A / ρ_max``), ``whole`` agents (the first count meeting
    the goal and the occupancy cap), the ``service_level`` and ``asa_seconds`` the whole
    agents achieve (NaN without a goal or a load); ``done`` marks the loads computed
    here (the others are for the scalar path)."""

    planning: np.ndarray
    whole: np.ndarray
    service_level: np.ndarray
    asa_seconds: np.ndarray
    done: np.ndarray


def _ceil_ratio(ratio: np.ndarray) -> np.ndarray:
    small = ratio * _RATIO_TOLERANCE <= 0.25
    return np.where(small, np.ceil(ratio * (1 - _RATIO_TOLERANCE)), np.ceil(ratio - 0.25))


def queue_staffing(goal: Goal, traffic: np.ndarray, max_occupancy: float) -> QueueStaffing:
    """Staffing of loads ``traffic`` [Erlang] under one goal (see the module docstring)."""
    aht, target, answer, asa = goal
    traffic = np.asarray(traffic, dtype=float)
    size = len(traffic)
    planning = np.zeros(size)
    whole = np.zeros(size, dtype=np.int64)
    level = np.full(size, np.nan)
    speed = np.full(size, np.nan)
    positive = traffic > 0
    if target is None and asa is None:
        planning = np.where(positive, traffic / max_occupancy, 0.0)
        whole = np.where(positive, np.ceil(traffic / max_occupancy - 1e-9), 0).astype(np.int64)
        return QueueStaffing(planning, whole, level, speed, np.ones(size, dtype=bool))
    done = ~positive | (traffic < MOST_ERLANGS)
    live = np.flatnonzero(positive & done)
    if len(live) == 0:
        return QueueStaffing(planning, whole, level, speed, done)
    load = traffic[live]
    # The scalar search runs on the load rebuilt from the calls: A h 3600 / h / 3600.
    searched = load * 3600.0 / aht * aht / (60.0 * 60.0)
    # the free search starts past the load; the capped one at the occupancy cap's count
    low = np.floor(searched) + 1
    high = np.maximum(low, _ceil_ratio(searched / max_occupancy))
    # Each load's walk is compiled (:mod:`.walk`); imported here, so that a process that
    # staffs no queue never loads the compiler.
    from bestshore.staffing.walk import erlang_staffing

    found = erlang_staffing(
        searched,
        load,
        low,
        high,
        float(aht),
        math.nan if target is None else float(target),
        math.nan if answer is None else float(answer),
        math.nan if asa is None else float(asa),
        float(max_occupancy),
        4 * int(np.max(high)) + 1000,
    )
    planning[live], whole[live], level[live], speed[live] = found
    return QueueStaffing(planning, whole, level, speed, done)
