r"""Erlang C staffing arithmetic: how many agents a queue of calls needs.

The model is the M/M/N queue: calls arrive at random (Poisson) at rate :math:`\lambda`,
handling times are exponential with mean :math:`h` (the AHT), ``N`` agents serve one
first-come-first-served queue, nobody abandons. Its offered load (traffic) is

.. math:: A = \lambda h = \frac{\text{calls} \cdot h}{60 \cdot \text{interval\_minutes}}
   \quad \text{[Erlang]}

Everything here is computed from the Erlang B recursion, never from factorials or powers,
so it stays finite and accurate at thousands of agents (``A`` of 5,000 Erlangs and more):

.. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)}

Large loads stay cheap. From :data:`WARM_START_ERLANGS` the recursion starts at
:math:`n_0 = A - 40\sqrt{A}` from the overload limit :math:`B(n_0) \approx 1 - n_0 / A`
instead of at 0: the recursion contracts an error by about :math:`1 - k/\sqrt{A}` per step
at :math:`n = A - k\sqrt{A}`, so by :math:`n = A` the start's error is multiplied by about
:math:`e^{-800}` (the results equal the full recursion's to the last bit in the tests),
in :math:`O(\sqrt{A})` steps instead of :math:`O(A)`. From :data:`ASYMPTOTIC_ERLANGS`
:math:`B` has a closed form, O(1): the Poisson probability of :math:`N` in log space over
the Poisson distribution function, :math:`B = p(N) / P(X \le N)`, the latter by the
Wilson-Hilferty approximation of :math:`P(\chi^2_{2(N+1)} > 2A)` (relative error about
:math:`5 \cdot 10^{-7}` at a million Erlangs, smaller beyond); staffing searches bisect
instead of walking. Loads above :data:`MAX_TRAFFIC_ERLANGS` are refused.

and the probability that a call waits (Erlang C) follows from ``B``:

.. math:: C(N, A) = \frac{N\,B(N)}{N - A\,(1 - B(N))} \qquad (N > A)

Conventions at the edges, used by every function below:

* ``A == 0`` (no calls): nothing waits, ``C = 0``, service level 1, ASA 0 s, occupancy 0.
* ``0 < A`` and ``N <= A``: the queue grows without bound; ``C = 1``, service level 0,
  ASA infinite. These are answers, not errors: a staffing search never returns them.

Units: time inputs carry their unit in the parameter name (``aht_seconds``,
``interval_minutes``, ``answer_seconds``); probabilities and occupancy are fractions in
[0, 1]; traffic is in Erlangs (hours of work per hour).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "QueuePerformance",
    "StaffingRequirement",
    "agents_for_asa",
    "agents_for_prob_wait",
    "agents_for_service_level",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "evaluate_agents",
    "occupancy",
    "scheduled_agents",
    "service_level",
    "staffing_requirement",
    "staffing_table",
    "traffic_intensity",
]

WARM_START_ERLANGS = 1e4
"""From this load [Erlang] the Erlang B recursion starts near the answer (O(sqrt A))."""
ASYMPTOTIC_ERLANGS = 1e6
"""From this load [Erlang] Erlang B is computed in closed form (O(1))."""
MAX_TRAFFIC_ERLANGS = 1e12
"""Highest offered load accepted [Erlang]: a trillion agents' work (past it, agents and
the load differ by less than a float's resolution)."""
_WARM_SIGMAS = 40  # the recursion starts this many sqrt(A) below A

# Relative slack for ratios that are whole numbers on paper but not in binary floating
# point: 14 / (1 - 0.3) is 20.000000000000004, 8.5 / 0.85 is 10.000000000000002.
_RATIO_TOLERANCE = 1e-9


def _ceil_ratio(ratio: float) -> int:
    """``ceil(ratio)``, a ratio within 1e-9 (relative) of a whole number counting as that
    number; the slack is at most a quarter, so a huge ratio is never rounded down past it."""
    if ratio * _RATIO_TOLERANCE <= 0.25:
        return math.ceil(ratio * (1 - _RATIO_TOLERANCE))
    return math.ceil(ratio - 0.25)


# --------------------------------------------------------------------------- validation


def _show(value: object) -> str:
    """The value as a person typed it: ``-3``, ``nan``, ``'abc'``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def _real(name: str, value: object, valid: str) -> float:
    """``value`` as a finite float, else ValueError naming ``name`` and ``valid``."""
    plain = type(value) is float or type(value) is int  # skips the ABC checks
    if not plain and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise ValueError(f"{name} must be {valid}, got {_show(value)}")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{name} must be {valid}, got {_show(value)}")
    return number


def _non_negative(name: str, value: object) -> float:
    number = _real(name, value, "a finite number >= 0")
    if number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {_show(value)}")
    return number


def _positive(name: str, value: object) -> float:
    number = _real(name, value, "a finite number > 0")
    if number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {_show(value)}")
    return number


def _open_fraction(name: str, value: object) -> float:
    """A fraction strictly between 0 and 1 (a service-level target)."""
    valid = "a fraction with 0 < value < 1 (e.g. 0.8 for 80%)"
    number = _real(name, value, valid)
    if not 0 < number < 1:
        raise ValueError(f"{name} must be {valid}, got {_show(value)}")
    return number


def _max_occupancy(value: object) -> float:
    valid = "a fraction with 0 < value <= 1 (e.g. 0.85; 1.0 means no cap)"
    number = _real("max_occupancy", value, valid)
    if not 0 < number <= 1:
        raise ValueError(f"max_occupancy must be {valid}, got {_show(value)}")
    return number


def _shrinkage(value: object) -> float:
    valid = "a fraction with 0 <= value < 1 (e.g. 0.3 for 30% of paid time off the phones)"
    number = _real("shrinkage", value, valid)
    if not 0 <= number < 1:
        raise ValueError(f"shrinkage must be {valid}, got {_show(value)}")
    return number


def _agents(value: object) -> int:
    """A head count: a whole number >= 0 (int or numpy integer, not bool or float)."""
    if type(value) is int and value >= 0:  # the common case skips the ABC checks
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise ValueError(f"agents must be a whole number >= 0, got {_show(value)}")
    return int(value)


def _traffic(value: object) -> float:
    return _at_most_max_traffic(_non_negative("traffic_erlangs", value))


def _at_most_max_traffic(traffic: float) -> float:
    if traffic > MAX_TRAFFIC_ERLANGS:
        raise ValueError(
            f"traffic_erlangs (calls x aht_seconds / (60 x interval_minutes)) must be at most "
            f"{MAX_TRAFFIC_ERLANGS:g} Erlang, got {traffic:g}"
        )
    return traffic


# ----------------------------------------------------------------------- core formulas


def _recursion_start(traffic: float, start: int) -> tuple[int, float]:
    """``(n0, B(n0))`` the recursion towards ``start`` begins from: ``(0, 1)``, or near
    ``A`` for a large load (see the module's notes)."""
    if traffic < WARM_START_ERLANGS:
        return 0, 1.0
    n0 = math.floor(traffic - _WARM_SIGMAS * math.sqrt(traffic))
    if n0 <= 0 or start < n0:
        return 0, 1.0
    return n0, 1.0 - n0 / traffic


def _erlang_b_sequence(traffic: float, start: int) -> Iterator[tuple[int, float]]:
    """Yield ``(n, B(n, A))`` for ``n = start, start + 1, ...``; O(min(start, sqrt A)) to
    begin, O(1) per step after."""
    n, blocking = _recursion_start(traffic, start)
    while n < start:
        if blocking == 0.0:  # underflowed: it stays 0 (many agents for a light load)
            n = start
            break
        n += 1
        blocking = traffic * blocking / (n + traffic * blocking)
    while True:
        yield n, blocking
        n += 1
        blocking = traffic * blocking / (n + traffic * blocking)


def _erlang_b_closed_form(traffic: float, agents: int) -> float:
    """B(N, A) for a large load, O(1): p(N) / P(X <= N), X Poisson with mean A."""
    if agents == 0:
        return 1.0
    deficit = traffic - agents
    if deficit > _WARM_SIGMAS * math.sqrt(traffic):
        return deficit / traffic  # deep overload: 1 - N/A to within (A - N)^-2
    log_pmf = agents * math.log(traffic) - traffic - math.lgamma(agents + 1)
    nu = 2.0 * (agents + 1)  # P(X <= N) = P(chi-square with nu degrees > 2A)
    spread = math.sqrt(2.0 / (9.0 * nu))
    z = ((2.0 * traffic / nu) ** (1.0 / 3.0) - (1.0 - 2.0 / (9.0 * nu))) / spread
    below = 0.5 * math.erfc(z / math.sqrt(2.0))
    if below <= 0.0:
        return deficit / traffic if deficit > 0 else 0.0
    return min(1.0, math.exp(log_pmf) / below)


def _erlang_b(traffic: float, agents: int) -> float:
    if traffic >= ASYMPTOTIC_ERLANGS:
        return _erlang_b_closed_form(traffic, agents)
    return next(_erlang_b_sequence(traffic, agents))[1]


def _first_agents(traffic: float, start: int, meets: Callable[[int, float], bool]) -> int:
    """Smallest ``N >= start`` with ``meets(N, B(N))``, ``meets`` monotone in ``N``: a walk
    up from ``start`` (O(1) per agent), or from :data:`ASYMPTOTIC_ERLANGS` a bisection on
    the closed form (O(log A))."""
    if traffic < ASYMPTOTIC_ERLANGS:
        for agents, blocking in _erlang_b_sequence(traffic, start):
            if meets(agents, blocking):
                return agents
        raise AssertionError("unreachable: a queue's goals are met with enough agents")
    step = max(1, math.ceil(math.sqrt(traffic)))
    low, high = start - 1, start  # meets(low) is false (or low is below the search)
    while not meets(high, _erlang_b_closed_form(traffic, high)):
        low, high = high, high + step
        step *= 2
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle, _erlang_b_closed_form(traffic, middle)):
            high = middle
        else:
            low = middle
    return high


def _erlang_c(traffic: float, agents: int, blocking: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def _service_level(
    traffic: float, agents: int, prob_wait: float, aht_seconds: float, answer_seconds: float
) -> float:
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - prob_wait * math.exp(-(agents - traffic) * answer_seconds / aht_seconds)


def _asa(traffic: float, agents: int, prob_wait: float, aht_seconds: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return prob_wait * aht_seconds / (agents - traffic)


def _occupancy(traffic: float, agents: int) -> float:
    if traffic == 0:
        return 0.0
    if agents == 0:
        return math.inf
    return traffic / agents


def _first_stable_agents(traffic: float, max_occupancy: float) -> int:
    """Smallest N with N > A and A / N <= max_occupancy (the search's starting point)."""
    stable = math.floor(traffic) + 1
    capped = _ceil_ratio(traffic / max_occupancy)
    return max(stable, capped)


def traffic_intensity(calls: float, interval_minutes: float, aht_seconds: float) -> float:
    r"""Offered load of ``calls`` handled in ``aht_seconds`` each, over one interval.

    .. math:: A = \frac{\text{calls} \cdot h}{60 \cdot T}

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls]. May be fractional (a forecast mean).
    interval_minutes : float
        Length of the interval, :math:`T` [min].
    aht_seconds : float
        Average handling time, :math:`h` [s].

    Returns
    -------
    float
        Traffic :math:`A` [Erlang]: the number of agents kept busy on average.

    Examples
    --------
    >>> traffic_intensity(100, 30, 180)
    10.0
    """
    calls = _non_negative("calls", calls)
    interval_minutes = _positive("interval_minutes", interval_minutes)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    traffic = calls * aht_seconds / (60.0 * interval_minutes)
    if not math.isfinite(traffic):  # e.g. 1e300 calls of 1e300 s
        traffic = math.inf
    return _at_most_max_traffic(traffic)


def erlang_b(traffic_erlangs: float, agents: int) -> float:
    r"""Probability that a call is blocked when ``agents`` serve ``traffic_erlangs`` with
    no queue (Erlang B, loss system M/M/N/N).

    Computed with the recursion, exact in theory and stable in floating point:

    .. math:: B(0) = 1, \qquad B(n) = \frac{A\,B(n-1)}{n + A\,B(n-1)}

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Number of servers :math:`N` [agents], >= 0.

    Returns
    -------
    float
        Blocking probability :math:`B(N, A)` [fraction, 0..1]. O(N) time at most;
        O(sqrt A) from :data:`WARM_START_ERLANGS`, O(1) from :data:`ASYMPTOTIC_ERLANGS`.

    Examples
    --------
    >>> round(erlang_b(10, 14), 6)
    0.056819
    """
    return _erlang_b(_traffic(traffic_erlangs), _agents(agents))


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    r"""Probability that a call has to wait (Erlang C, M/M/N queue).

    .. math:: C(N, A) = \frac{N\,B(N, A)}{N - A\,(1 - B(N, A))}

    for :math:`N > A`; 1 when :math:`N \le A` (an unstable queue: every call waits) and
    0 when :math:`A = 0`.

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Agents answering :math:`N` [agents], >= 0.

    Returns
    -------
    float
        Probability of waiting :math:`C(N, A)` [fraction, 0..1].

    Examples
    --------
    >>> round(erlang_c(10, 14), 4)
    0.1741
    """
    traffic = _traffic(traffic_erlangs)
    agents = _agents(agents)
    return _erlang_c(traffic, agents, _erlang_b(traffic, agents))


def service_level(
    traffic_erlangs: float, agents: int, aht_seconds: float, answer_seconds: float
) -> float:
    r"""Fraction of calls answered within ``answer_seconds`` (the "80" in 80/20).

    .. math:: SL(t) = 1 - C(N, A)\, e^{-(N - A)\, t / h}

    0 when :math:`N \le A` (unstable queue) and 1 when :math:`A = 0`.

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Agents answering :math:`N` [agents], >= 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    answer_seconds : float
        Answer-time threshold :math:`t` [s], >= 0 (the "20" in 80/20). With 0 this is
        the probability of immediate answer, :math:`1 - C`.

    Returns
    -------
    float
        Service level [fraction, 0..1].

    Examples
    --------
    >>> round(service_level(10, 14, 180, 20), 4)
    0.8884
    """
    traffic = _traffic(traffic_erlangs)
    agents = _agents(agents)
    aht = _positive("aht_seconds", aht_seconds)
    answer = _non_negative("answer_seconds", answer_seconds)
    prob_wait = _erlang_c(traffic, agents, _erlang_b(traffic, agents))
    return _service_level(traffic, agents, prob_wait, aht, answer)


def average_speed_of_answer(traffic_erlangs: float, agents: int, aht_seconds: float) -> float:
    r"""Mean wait before answer over all calls, waiting or not (ASA).

    .. math:: \mathrm{ASA} = \frac{C(N, A)\, h}{N - A}

    Infinite when :math:`N \le A` (unstable queue), 0 when :math:`A = 0`.

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Agents answering :math:`N` [agents], >= 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.

    Returns
    -------
    float
        Average speed of answer [s].

    Examples
    --------
    >>> round(average_speed_of_answer(10, 14, 180), 2)
    7.84
    """
    traffic = _traffic(traffic_erlangs)
    agents = _agents(agents)
    aht = _positive("aht_seconds", aht_seconds)
    prob_wait = _erlang_c(traffic, agents, _erlang_b(traffic, agents))
    return _asa(traffic, agents, prob_wait, aht)


def occupancy(traffic_erlangs: float, agents: int) -> float:
    r"""Share of the agents' logged-in time spent handling calls.

    .. math:: \rho = A / N

    Meaningful as a utilisation only when :math:`N > A`; returned as is otherwise
    (>= 1; infinite for :math:`N = 0 < A`; 0 when :math:`A = 0`).

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Agents answering :math:`N` [agents], >= 0.

    Returns
    -------
    float
        Occupancy :math:`\rho` [fraction].

    Examples
    --------
    >>> round(occupancy(10, 14), 4)
    0.7143
    """
    return _occupancy(_traffic(traffic_erlangs), _agents(agents))


# -------------------------------------------------------------------------- staffing


def agents_for_service_level(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    service_level_target: float,
    answer_seconds: float,
    max_occupancy: float = 1.0,
) -> int:
    r"""Fewest agents that answer ``service_level_target`` of calls within
    ``answer_seconds`` and keep occupancy at or below ``max_occupancy``.

    .. math:: N^* = \min \{ N \in \mathbb{N} : N > A,\ SL_N(t) \ge s,\ A / N \le \rho_{max} \}

    The search starts at :math:`\max(\lfloor A \rfloor + 1, \lceil A / \rho_{max} \rceil)`
    and walks up one agent at a time, updating :math:`B(N)` in O(1) per step. Since the
    answer lies a few :math:`\sqrt{A}` above :math:`A`, the cost is O(A) for the first
    :math:`B` plus O(:math:`\sqrt{A}`) steps: about a millisecond at 5,000 Erlangs.

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0. 0 calls need 0 agents.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    service_level_target : float
        Target fraction :math:`s` answered within ``answer_seconds``, 0 < s < 1.
    answer_seconds : float
        Answer-time threshold :math:`t` [s], >= 0.
    max_occupancy : float, default 1.0
        Cap :math:`\rho_{max}` on occupancy, 0 < cap <= 1; 1.0 means no cap.

    Returns
    -------
    int
        Agents on the phones [agents], before shrinkage.

    Examples
    --------
    >>> agents_for_service_level(100, 30, 180, 0.8, 20)
    14
    """
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    aht = float(aht_seconds)
    target = _open_fraction("service_level_target", service_level_target)
    answer = _non_negative("answer_seconds", answer_seconds)
    cap = _max_occupancy(max_occupancy)
    if traffic == 0:
        return 0

    def meets(agents: int, blocking: float) -> bool:
        prob_wait = _erlang_c(traffic, agents, blocking)
        return _service_level(traffic, agents, prob_wait, aht, answer) >= target

    return _first_agents(traffic, _first_stable_agents(traffic, cap), meets)


def agents_for_asa(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    asa_target_seconds: float,
    max_occupancy: float = 1.0,
) -> int:
    r"""Fewest agents whose average speed of answer is at most ``asa_target_seconds``
    and whose occupancy is at most ``max_occupancy``.

    .. math:: N^* = \min \{ N \in \mathbb{N} : N > A,\ \mathrm{ASA}_N \le w,\
       A / N \le \rho_{max} \}

    Same search as :func:`agents_for_service_level`.

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0. 0 calls need 0 agents.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    asa_target_seconds : float
        Highest acceptable ASA :math:`w` [s], > 0.
    max_occupancy : float, default 1.0
        Cap :math:`\rho_{max}` on occupancy, 0 < cap <= 1; 1.0 means no cap.

    Returns
    -------
    int
        Agents on the phones [agents], before shrinkage.

    Examples
    --------
    >>> agents_for_asa(100, 30, 180, 20)
    13
    """
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    aht = float(aht_seconds)
    target = _positive("asa_target_seconds", asa_target_seconds)
    cap = _max_occupancy(max_occupancy)
    if traffic == 0:
        return 0

    def meets(agents: int, blocking: float) -> bool:
        return _asa(traffic, agents, _erlang_c(traffic, agents, blocking), aht) <= target

    return _first_agents(traffic, _first_stable_agents(traffic, cap), meets)


def agents_for_prob_wait(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    prob_wait_target: float,
    max_occupancy: float = 1.0,
) -> int:
    r"""Fewest agents with which at most ``prob_wait_target`` of calls wait at all (Erlang
    C) and occupancy is at most ``max_occupancy``.

    .. math:: N^* = \min \{ N \in \mathbb{N} : N > A,\ C(N, A) \le p,\
       A / N \le \rho_{max} \}

    Same search as :func:`agents_for_service_level` (:math:`C` falls as agents grow).

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0. 0 calls need 0 agents.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    prob_wait_target : float
        Highest acceptable probability :math:`p` that a call waits [fraction], 0 < p < 1.
    max_occupancy : float, default 1.0
        Cap :math:`\rho_{max}` on occupancy, 0 < cap <= 1; 1.0 means no cap.

    Returns
    -------
    int
        Agents on the phones [agents], before shrinkage.

    Examples
    --------
    >>> agents_for_prob_wait(100, 30, 180, 0.3)
    13
    """
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    target = _open_fraction("prob_wait_target", prob_wait_target)
    cap = _max_occupancy(max_occupancy)
    if traffic == 0:
        return 0

    def meets(agents: int, blocking: float) -> bool:
        return _erlang_c(traffic, agents, blocking) <= target

    return _first_agents(traffic, _first_stable_agents(traffic, cap), meets)


def scheduled_agents(agents: int, shrinkage: float) -> int:
    r"""Agents to schedule so that ``agents`` are on the phones after shrinkage.

    .. math:: N_{sched} = \lceil N / (1 - \sigma) \rceil

    (a ratio within 1e-9 of a whole number counts as that number, so 14 agents at 30%
    shrinkage give 20, not 21).

    Parameters
    ----------
    agents : int
        Agents needed on the phones :math:`N` [agents], >= 0.
    shrinkage : float
        Share :math:`\sigma` of paid time not available for calls (breaks, training,
        absence) [fraction], 0 <= shrinkage < 1.

    Returns
    -------
    int
        Agents to schedule [agents].
    """
    agents = _agents(agents)
    sigma = _shrinkage(shrinkage)
    return _ceil_ratio(agents / (1.0 - sigma))


@dataclass(frozen=True)
class StaffingRequirement:
    """Agents one interval needs under Erlang C, with the performance they achieve.

    Inputs are echoed so a row can be read on its own; outputs are what the chosen
    ``agents`` deliver, not the targets.

    Attributes
    ----------
    calls : float
        Calls offered in the interval [calls].
    interval_minutes : float
        Interval length [min].
    aht_seconds : float
        Average handling time [s].
    traffic_erlangs : float
        Offered load ``calls * aht_seconds / (60 * interval_minutes)`` [Erlang].
    service_level_target : float or None
        Target fraction answered within ``answer_seconds`` [fraction]; None: no
        service-level goal.
    answer_seconds : float
        Answer-time threshold of the service level [s] (also of the ``service_level``
        reported when the goal is another).
    asa_target_seconds : float or None
        Highest acceptable average speed of answer [s]; None: no ASA goal.
    prob_wait_target : float or None
        Highest acceptable probability that a call waits [fraction]; None: no such goal.
    max_occupancy : float
        Occupancy cap the staffing respects [fraction].
    shrinkage : float
        Share of paid time unavailable for calls [fraction].
    agents : int
        Output: agents needed on the phones, before shrinkage [agents].
    scheduled_agents : int
        Output: agents to schedule, ``ceil(agents / (1 - shrinkage))`` [agents].
    service_level : float
        Output: fraction answered within ``answer_seconds`` with ``agents`` [fraction].
    asa_seconds : float
        Output: average speed of answer with ``agents`` [s].
    occupancy : float
        Output: ``traffic_erlangs / agents`` [fraction]; 0 when there are no calls.
    prob_wait : float
        Output: Erlang C probability that a call waits with ``agents`` [fraction].
    """

    calls: float
    interval_minutes: float
    aht_seconds: float
    traffic_erlangs: float
    service_level_target: float | None
    answer_seconds: float
    asa_target_seconds: float | None
    prob_wait_target: float | None
    max_occupancy: float
    shrinkage: float
    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    prob_wait: float

    def to_dict(self) -> dict[str, float | int | None]:
        """The fields as a plain ``{name: value}`` dict, in declaration order."""
        return asdict(self)


def staffing_requirement(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    service_level_target: float | None = 0.8,
    answer_seconds: float = 20,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    *,
    asa_target_seconds: float | None = None,
    prob_wait_target: float | None = None,
) -> StaffingRequirement:
    r"""Agents needed for one interval to meet every goal given, and what they achieve.

    Each goal alone needs its fewest agents (:func:`agents_for_service_level`,
    :func:`agents_for_asa`, :func:`agents_for_prob_wait`); since the service level rises
    and the ASA and the probability of waiting fall as agents are added, the largest of
    these meets them all and is the fewest that does. Scheduled agents
    :math:`\lceil N / (1 - \sigma) \rceil`; service level, ASA, occupancy and
    probability of waiting evaluated at those agents.

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time [s], > 0.
    service_level_target : float or None, default 0.8
        Target fraction answered within ``answer_seconds``, 0 < target < 1; None for no
        service-level goal.
    answer_seconds : float, default 20
        Answer-time threshold [s], >= 0.
    shrinkage : float, default 0.0
        Share of paid time unavailable for calls [fraction], 0 <= shrinkage < 1.
    max_occupancy : float, default 1.0
        Occupancy cap [fraction], 0 < cap <= 1.
    asa_target_seconds : float, optional
        Highest acceptable average speed of answer [s], > 0.
    prob_wait_target : float, optional
        Highest acceptable probability that a call waits [fraction], 0 < p < 1.

    Returns
    -------
    StaffingRequirement

    Raises
    ------
    ValueError
        For a bad value (naming the parameter and the value), or when no goal is given.

    Examples
    --------
    >>> req = staffing_requirement(100, 30, 180, 0.8, 20, shrinkage=0.3)
    >>> req.agents, req.scheduled_agents, round(req.service_level, 4)
    (14, 20, 0.8884)
    """
    sigma = _shrinkage(shrinkage)
    answer = _non_negative("answer_seconds", answer_seconds)
    goals = []
    if service_level_target is not None:
        goals.append(
            agents_for_service_level(
                calls, interval_minutes, aht_seconds, service_level_target, answer, max_occupancy
            )
        )
    if asa_target_seconds is not None:
        goals.append(
            agents_for_asa(calls, interval_minutes, aht_seconds, asa_target_seconds, max_occupancy)
        )
    if prob_wait_target is not None:
        goals.append(
            agents_for_prob_wait(
                calls, interval_minutes, aht_seconds, prob_wait_target, max_occupancy
            )
        )
    if not goals:
        raise ValueError(
            "give at least one goal: service_level_target, asa_target_seconds or "
            "prob_wait_target (or evaluate a given staffing with evaluate_agents)"
        )
    agents = max(goals)
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    aht = float(aht_seconds)
    prob_wait = _erlang_c(traffic, agents, _erlang_b(traffic, agents))
    return StaffingRequirement(
        calls=float(calls),
        interval_minutes=float(interval_minutes),
        aht_seconds=aht,
        traffic_erlangs=traffic,
        service_level_target=_optional(service_level_target),
        answer_seconds=answer,
        asa_target_seconds=_optional(asa_target_seconds),
        prob_wait_target=_optional(prob_wait_target),
        max_occupancy=float(max_occupancy),
        shrinkage=sigma,
        agents=agents,
        scheduled_agents=scheduled_agents(agents, sigma),
        service_level=_service_level(traffic, agents, prob_wait, aht, answer),
        asa_seconds=_asa(traffic, agents, prob_wait, aht),
        occupancy=_occupancy(traffic, agents),
        prob_wait=prob_wait,
    )


def _optional(value: float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class QueuePerformance:
    """What a given number of agents achieves on one interval's calls (Erlang C).

    Attributes
    ----------
    calls : float
        Calls offered in the interval [calls].
    interval_minutes : float
        Interval length [min].
    aht_seconds : float
        Average handling time [s].
    traffic_erlangs : float
        Offered load [Erlang].
    agents : int
        Agents on the phones [agents] (the input).
    answer_seconds : float
        Answer-time threshold of ``service_level`` [s].
    stable : bool
        The agents can carry the load (more agents than Erlangs, or no calls); if not,
        the queue grows without bound: service level 0, every call waits, ASA infinite.
    service_level : float
        Fraction answered within ``answer_seconds`` [fraction].
    asa_seconds : float
        Average speed of answer [s]; ``math.inf`` when not ``stable``.
    prob_wait : float
        Probability that a call waits (Erlang C) [fraction].
    occupancy : float
        Busy share of the agents' logged-in time [fraction]: ``traffic / agents``,
        at most 1 (an unstable queue keeps every agent busy); 0 without calls.
    """

    calls: float
    interval_minutes: float
    aht_seconds: float
    traffic_erlangs: float
    agents: int
    answer_seconds: float
    stable: bool
    service_level: float
    asa_seconds: float
    prob_wait: float
    occupancy: float

    def to_dict(self) -> dict[str, float | int | bool]:
        """The fields as a plain ``{name: value}`` dict, in declaration order."""
        return asdict(self)


def evaluate_agents(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    agents: int,
    answer_seconds: float = 20,
) -> QueuePerformance:
    r"""Service level, ASA, probability of waiting and occupancy of ``agents`` agents.

    .. math:: SL = 1 - C(N, A)\,e^{-(N - A)\,t / h}, \qquad
       \mathrm{ASA} = \frac{C(N, A)\,h}{N - A}, \qquad \rho = A / N

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    agents : int
        Agents on the phones :math:`N` [agents], a whole number >= 0.
    answer_seconds : float, default 20
        Answer-time threshold :math:`t` of the service level [s], >= 0.

    Returns
    -------
    QueuePerformance

    Examples
    --------
    >>> p = evaluate_agents(100, 30, 180, 13)
    >>> round(p.service_level, 4), round(p.asa_seconds, 1), round(p.prob_wait, 4)
    (0.7956, 17.1, 0.2853)
    """
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    count = _agents(agents)
    answer = _non_negative("answer_seconds", answer_seconds)
    aht = float(aht_seconds)
    prob_wait = _erlang_c(traffic, count, _erlang_b(traffic, count))
    stable = traffic == 0 or count > traffic
    return QueuePerformance(
        calls=float(calls),
        interval_minutes=float(interval_minutes),
        aht_seconds=aht,
        traffic_erlangs=traffic,
        agents=count,
        answer_seconds=answer,
        stable=stable,
        service_level=_service_level(traffic, count, prob_wait, aht, answer),
        asa_seconds=_asa(traffic, count, prob_wait, aht),
        prob_wait=prob_wait,
        occupancy=min(1.0, _occupancy(traffic, count)),
    )


_TABLE_UNITS = {
    "calls": "calls per interval",
    "interval_minutes": "min",
    "aht_seconds": "s",
    "traffic_erlangs": "Erlang",
    "service_level_target": "fraction",
    "answer_seconds": "s",
    "asa_target_seconds": "s",
    "prob_wait_target": "fraction",
    "max_occupancy": "fraction",
    "shrinkage": "fraction",
    "agents": "agents",
    "scheduled_agents": "agents",
    "service_level": "fraction",
    "asa_seconds": "s",
    "occupancy": "fraction",
    "prob_wait": "fraction",
}

type ArrayLike = pd.Series | npt.NDArray[np.floating] | npt.NDArray[np.integer] | Sequence[float]


def staffing_table(
    calls: ArrayLike,
    interval_minutes: float,
    aht_seconds: float | ArrayLike,
    service_level_target: float = 0.8,
    answer_seconds: float = 20,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> pd.DataFrame:
    """:func:`staffing_requirement` for every interval of a profile (e.g. 168 hours).

    Parameters
    ----------
    calls : pandas.Series, numpy.ndarray or sequence of float
        Calls offered per interval [calls]. A Series keeps its index (e.g. the hour of
        the week) as the table's index; other inputs get a RangeIndex named ``interval``.
    interval_minutes : float
        Length of every interval [min], > 0 (60 for an hourly profile).
    aht_seconds : float or array-like
        Average handling time [s], one value for all intervals or one per interval
        (same length as ``calls``; a Series is aligned by position, not label).
    service_level_target, answer_seconds, shrinkage, max_occupancy
        As in :func:`staffing_requirement`, the same for every interval.

    Returns
    -------
    pandas.DataFrame
        One row per interval, one column per :class:`StaffingRequirement` field. Units
        are in ``table.attrs["units"]``.

    Raises
    ------
    ValueError
        For a bad value, naming the parameter, the value and the interval label.
    """
    if isinstance(calls, pd.Series):
        index = calls.index
        call_values = calls.to_numpy()
    else:
        call_values = np.asarray(calls)
        if call_values.ndim != 1:
            raise ValueError(
                f"calls must be one-dimensional (one value per interval), "
                f"got shape {call_values.shape}"
            )
        index = pd.RangeIndex(len(call_values), name="interval")
    aht_values: list[Any]
    if isinstance(aht_seconds, numbers.Real):
        aht_values = [aht_seconds] * len(call_values)
    else:
        aht_values = list(np.asarray(aht_seconds).tolist())
        if len(aht_values) != len(call_values):
            raise ValueError(
                f"aht_seconds must be one number or one value per interval "
                f"({len(call_values)}), got {len(aht_values)} values"
            )
    rows = []
    for label, n_calls, aht in zip(index, call_values.tolist(), aht_values, strict=True):
        try:
            requirement = staffing_requirement(
                n_calls,
                interval_minutes,
                aht,
                service_level_target,
                answer_seconds,
                shrinkage,
                max_occupancy,
            )
        except ValueError as exc:
            raise ValueError(f"{exc} (interval {_show(label)})") from None
        rows.append(requirement.to_dict())
    columns = list(StaffingRequirement.__dataclass_fields__)
    table = pd.DataFrame(rows, index=index, columns=columns)
    table = table.astype({"agents": "int64", "scheduled_agents": "int64"})
    table.attrs["units"] = dict(_TABLE_UNITS)
    return table
