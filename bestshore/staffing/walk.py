r"""The Erlang C search of :func:`~bestshore.staffing.arrays.queue_staffing`, compiled.

Each load walks the Erlang B recursion up from no agents, one agent a step,

.. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)},

and its search ends at the first count that meets the goal, as the scalar
:func:`~bestshore.staffing.agents_for_service_level` walks. The planning agents
interpolate between that count and the one before (on :math:`B(n)` and :math:`B(n-1)`,
kept as the walk passes them), and the whole agents' service level and ASA are taken
where the capped search ends. The operations are the scalar path's, in its order and
with the C library's ``exp``, so the counts and values are its own to the bit.

Compiled by Numba: the walk is a loop of a few floating-point steps per agent, for
hundreds of loads a call. As numpy steps on arrays it took a tenth of a Monte Carlo
draw; compiled, each load stops at its own answer and nothing is allocated per step.
The compiled code is cached beside this module (or in the user's cache when the
package folder is read-only), so a process compiles it once; where Numba finds no folder
to write in, each process compiles it (1.4 s here).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numba import njit

__all__ = ["erlang_staffing"]


def _compiled[Function: Callable[..., Any]](function: Function) -> Function:
    """``function`` compiled in nopython mode, IEEE arithmetic (a division by zero gives
    an infinity, not an exception), cached where Numba may write; it refuses to cache
    where neither the package's folder nor the user's cache is writable (a read-only
    install under a read-only home), and the function is then compiled in memory."""
    try:
        compiled = njit(function, cache=True, error_model="numpy", nogil=True)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        compiled = njit(function, error_model="numpy", nogil=True)
    return cast("Function", compiled)


@_compiled
def _wait_probability(traffic: float, agents: float, blocking: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


@_compiled
def _service_level(
    traffic: float, agents: float, blocking: float, aht: float, seconds: float
) -> float:
    if agents <= traffic:
        return 0.0
    waits = _wait_probability(traffic, agents, blocking)
    return 1.0 - waits * math.exp(min(-(agents - traffic) * seconds / aht, 700.0))


@_compiled
def _asa(traffic: float, agents: float, blocking: float, aht: float) -> float:
    if agents <= traffic:
        return math.inf
    return _wait_probability(traffic, agents, blocking) * aht / (agents - traffic)


@_compiled
def _nan_max(a: float, b: float) -> float:
    """numpy's maximum: NaN if either is."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a >= b else b


@_compiled
def erlang_staffing(
    searched: np.ndarray,
    load: np.ndarray,
    free_start: np.ndarray,
    capped_start: np.ndarray,
    aht: float,
    target: float,
    answer: float,
    asa: float,
    max_occupancy: float,
    limit: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per load (all positive): planning agents, whole agents, and the service level
    and ASA [s] the whole agents achieve.

    - the **free search** walks from ``free_start`` to the first count ``n`` meeting
      the goal; planning agents are ``n - 1`` plus the fraction of the way from
      ``n - 1``'s figure to ``n``'s that the goal takes (the service level, or the
      inverse of the ASA), never below ``A / ρ_max``;
    - the **capped search** walks on from ``capped_start`` (at least ``free_start``,
      the occupancy cap's count) to the first count meeting the goal: whole agents.

    The goal is tested on ``searched`` (the load as the scalar search rebuilds it from
    the calls) and the figures are taken on ``load``, each with its own recursion. A
    service level ``target`` within ``answer`` seconds when ``target`` is not NaN, else
    an ASA of at most ``asa`` seconds; the level reported is within ``answer``, or
    within ``asa`` seconds when there is no ``answer``. Raises when a search passes
    ``limit`` agents (a goal is always met with enough agents)."""
    size = len(load)
    planning = np.zeros(size)
    whole = np.zeros(size, dtype=np.int64)
    level = np.zeros(size)
    speed = np.zeros(size)
    service = not math.isnan(target)
    seconds = asa if math.isnan(answer) else answer
    for row in range(size):
        walked, traffic = searched[row], load[row]
        blocking_searched, blocking = 1.0, 1.0
        searching = True
        n = 0
        while True:
            previous = blocking
            n += 1
            carried = walked * blocking_searched
            blocking_searched = carried / (n + carried)
            carried = traffic * blocking
            blocking = carried / (n + carried)
            if n > limit:
                raise AssertionError("unreachable: a queue's goals are met with enough agents")
            if n < free_start[row]:
                continue
            agents = float(n)  # past the start, so more than the load
            if service:
                meets = _service_level(walked, agents, blocking_searched, aht, answer) >= target
            else:
                meets = _asa(walked, agents, blocking_searched, aht) <= asa
            if not meets:
                continue
            if searching:
                searching = False
                below = agents - 1.0
                if service:
                    met = _service_level(traffic, agents, blocking, aht, answer)
                    missed = 0.0
                    if below > traffic:
                        missed = _service_level(traffic, below, previous, aht, answer)
                    fraction = (target - missed) / (met - missed)
                else:
                    fast_enough = 1.0 / _asa(traffic, agents, blocking, aht)
                    too_slow = 0.0
                    if below > traffic:
                        too_slow = 1.0 / _asa(traffic, below, previous, aht)
                    fraction = (1.0 / asa - too_slow) / (fast_enough - too_slow)
                if not math.isnan(fraction):  # clipped to [0, 1] as numpy clips
                    fraction = min(max(fraction, 0.0), 1.0)
                planning[row] = _nan_max(below + fraction, traffic / max_occupancy)
            if capped_start[row] <= n:
                whole[row] = n
                level[row] = _service_level(traffic, agents, blocking, aht, seconds)
                speed[row] = _asa(traffic, agents, blocking, aht)
                break
    return planning, whole, level, speed
