r"""Erlang C staffing of many queue-hours at once (numpy).

The same figures as the scalar functions of :mod:`bestshore.staffing.erlang`, for an
array of loads sharing one goal: the Erlang B recursion

.. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)}

is run for every load at once, one agent count per step, and each load's search stops at
its first count that meets the goal, as :func:`~bestshore.staffing.agents_for_service_level`
walks up from :math:`\max(\lfloor A \rfloor + 1, \lceil A / \rho_{max} \rceil)`. The
arithmetic is the scalar one, operation for operation (the recursion from 0, which the
scalar path also takes below :data:`~bestshore.staffing.erlang.WARM_START_ERLANGS`), so
the counts agree and the values agree to the last bits of ``exp``. Loads of
:data:`MOST_ERLANGS` or more are left to the scalar path (their walk is long and they are
rare in an hourly queue).

A goal is ``(aht_seconds, target, answer_seconds, asa_seconds)``: a service level
``target`` within ``answer_seconds``, or an ASA of at most ``asa_seconds``, or neither
(workload sizing: ``A / ρ_max`` agents).
"""

from __future__ import annotations

import math
from collections.abc import Callable
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


def _prob_wait(traffic: np.ndarray, agents: np.ndarray, blocking: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        waits = agents * blocking / (agents - traffic * (1.0 - blocking))
    return np.where(traffic == 0, 0.0, np.where(agents <= traffic, 1.0, waits))


_MATH_EXP = np.frompyfunc(math.exp, 1, 1)


def _exact_exp(values: np.ndarray) -> np.ndarray:
    """``math.exp`` element by element: numpy's vectorized ``exp`` may differ from the C
    library's in the last bit, and the figures returned are the scalar path's."""
    return np.asarray(_MATH_EXP(values), dtype=float)


def _level(
    traffic: np.ndarray,
    agents: np.ndarray,
    blocking: np.ndarray,
    aht: float,
    answer: float,
    exp: Callable[[np.ndarray], np.ndarray] = np.exp,
) -> np.ndarray:
    waits = _prob_wait(traffic, agents, blocking)
    with np.errstate(over="ignore"):
        level = 1.0 - waits * exp(np.minimum(-(agents - traffic) * answer / aht, 700.0))
    return np.where(traffic == 0, 1.0, np.where(agents <= traffic, 0.0, level))


def _asa(traffic: np.ndarray, agents: np.ndarray, blocking: np.ndarray, aht: float) -> np.ndarray:
    waits = _prob_wait(traffic, agents, blocking)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = waits * aht / (agents - traffic)
    return np.where(traffic == 0, 0.0, np.where(agents <= traffic, np.inf, asa))


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
    stable = np.floor(searched) + 1
    starts = (stable, np.maximum(stable, _ceil_ratio(searched / max_occupancy)))
    # The capped search ends at or after the free one (its start is not lower, and the
    # goal is monotone in the agents): a row is done when the capped search is.
    found = [np.zeros(len(load), dtype=np.int64) for _ in starts]
    at_found = [np.zeros(len(load)) for _ in starts]  # B(N, A) at each search's answer
    before = np.zeros(len(load))  # B(N - 1, A) under the first search's answer
    # The walk runs on the loads still searching (``rows``, positions in ``load``),
    # dropped as both their searches end: a light load stops early. The goal is
    # measured only on loads past their first start (below it a step is the recursion
    # alone), where n > A: the figures :func:`_level` and :func:`_asa` give there, the
    # same operations element by element, so the same bits.
    rows = np.arange(len(load))
    walked, walked_load = searched, load
    low, high = starts
    lowest = float(np.min(low))
    searching = np.ones(len(load), dtype=bool)  # the free search not ended yet
    blocking_searched = np.ones(len(load))
    blocking = np.ones(len(load))
    limit = 4 * int(np.max(high)) + 1000
    n = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while len(rows):
            previous = blocking
            n += 1
            carried = walked * blocking_searched
            blocking_searched = carried / (n + carried)
            carried = walked_load * blocking
            blocking = carried / (n + carried)
            if n > limit:  # pragma: no cover - a goal is met with enough agents
                raise AssertionError("unreachable: a queue's goals are met with enough agents")
            if n < lowest:
                continue
            ending = np.flatnonzero(low <= n)
            traffic_now, blocked = walked[ending], blocking_searched[ending]
            agents = float(n)
            waits = agents * blocked / (agents - traffic_now * (1.0 - blocked))
            if target is not None:
                assert answer is not None
                exponent = np.minimum(-(agents - traffic_now) * answer / aht, 700.0)
                meets = 1.0 - waits * np.exp(exponent) >= target
            else:
                assert asa is not None
                meets = waits * aht / (agents - traffic_now) <= asa
            hit = ending[meets]
            if not len(hit):
                continue
            new = hit[searching[hit]]
            if len(new):
                chosen = rows[new]
                found[0][chosen] = n
                at_found[0][chosen] = blocking[new]
                before[chosen] = previous[new]
                searching[new] = False
            new = hit[high[hit] <= n]
            if len(new):
                chosen = rows[new]
                found[1][chosen] = n
                at_found[1][chosen] = blocking[new]
                going = np.ones(len(rows), dtype=bool)
                going[new] = False
                rows, low, high = rows[going], low[going], high[going]
                walked, walked_load = walked[going], walked_load[going]
                blocking_searched, blocking = blocking_searched[going], blocking[going]
                searching = searching[going]
                lowest = float(np.min(low)) if len(rows) else 0.0
    free, capped = found
    free_agents = free.astype(float)
    below = free_agents - 1
    if target is not None:
        assert answer is not None
        met = _level(load, free_agents, at_found[0], aht, answer, _exact_exp)
        missed = np.where(below <= load, 0.0, _level(load, below, before, aht, answer, _exact_exp))
        fraction = (target - missed) / (met - missed)
    else:
        assert asa is not None
        fast_enough = 1.0 / _asa(load, free_agents, at_found[0], aht)
        with np.errstate(divide="ignore"):
            too_slow = np.where(below <= load, 0.0, 1.0 / _asa(load, below, before, aht))
        fraction = (1.0 / asa - too_slow) / (fast_enough - too_slow)
    planning[live] = np.maximum(below + np.clip(fraction, 0.0, 1.0), load / max_occupancy)
    whole[live] = capped
    seconds = answer if answer is not None else asa
    assert seconds is not None
    staffed = capped.astype(float)
    level[live] = _level(load, staffed, at_found[1], aht, seconds, _exact_exp)
    speed[live] = _asa(load, staffed, at_found[1], aht)
    return QueueStaffing(planning, whole, level, speed, done)
