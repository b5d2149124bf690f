r"""Erlang A: the queue of calls whose callers hang up when they wait too long (M/M/N+M).

Calls arrive at random (Poisson) at rate :math:`\lambda`, handling times are exponential
with mean :math:`h` (the AHT, :math:`\mu = 1/h`), ``N`` agents serve one first-come-first-
served queue, and each waiting caller hangs up after an exponential *patience* of mean
:math:`p` (:math:`\theta = 1/p`) unless answered first. Unlike Erlang C the queue is
stable at any load: callers leave when it grows. Offered load :math:`A = \lambda h`
[Erlang] as in :mod:`bestshore.staffing.erlang`.

Method (closed forms, not a truncated state space)
--------------------------------------------------
The number of calls in the system is a birth-death process: births :math:`\lambda`,
deaths :math:`k\mu` for :math:`k \le N` and :math:`N\mu + (k - N)\theta` beyond. With

.. math:: x = \lambda / \theta = A\,p/h, \qquad a = N\mu/\theta = N\,p/h, \qquad
   S(a, z) = \sum_{j \ge 0} \frac{z^j}{(a+1)(a+2)\cdots(a+j)}
   = \Gamma(a+1)\,e^{z} z^{-a} P(a, z)

(:math:`P` the regularized lower incomplete gamma function; :math:`S = {}_1F_1(1; a+1;
z)`), the stationary probabilities give, with :math:`B = B(N, A)` Erlang B:

.. math::
   P_W = \frac{S(a, x)}{1/B - 1 + S(a, x)}, \qquad
   \pi_N = \frac{P_W}{S(a, x)}, \qquad
   P_{Ab} = P_W \left(1 - \frac{N}{A}\right) + \pi_N \frac{N}{A}

(:math:`P_W` the probability that a call waits, :math:`P_{Ab}` that it abandons: the
abandonment flow :math:`\theta\,E[Q]` over :math:`\lambda`). A waiting call is answered
after a wait in :math:`[v, v + dv]` with density
:math:`\pi_N N\mu\,e^{-(a+1)\theta v + x(1 - e^{-\theta v})}` (the waits of calls finding
``j`` calls queued, summed over ``j``), which integrates in closed form:

.. math::
   SL(t) = 1 - P_W + P_W \frac{N}{A} \left[ \left(1 - \frac{1}{S(a, x)}\right)
   - e^{x(1 - e^{-\theta t}) - N\mu t}\,\frac{S(a, y) - 1}{S(a, x)} \right],
   \qquad y = x\,e^{-\theta t}.

:math:`S` is computed in log space from ``scipy.special.gammainc`` and ``gammaln``
(:math:`\log S = \log\Gamma(a+1) + z - a \log z + \log P(a, z)`), and by its series
(terms falling by :math:`z/(a+j)`, so it converges quickly there) where :math:`P(a, z)`
would underflow (:math:`z` far below :math:`a`: many agents for the load);
:math:`S(a, y) - 1 = \frac{y}{a+1} S(a+1, y)` avoids cancellation. Erlang B comes from
the stable recursion of :mod:`bestshore.staffing.erlang`. The measures stay finite and
accurate from a fraction of an Erlang to tens of thousands of Erlangs; the tests check
them against a truncated birth-death chain solved by linear algebra and a matrix
exponential (an independent method), and the limits below.

Definitions used (state them when quoting figures)
--------------------------------------------------
* **service level** ``SL(t)``: share of *offered* calls answered within ``t`` seconds.
  A caller who hangs up, early or late, counts as not answered in time; so does one
  answered after ``t``.
* **abandonment rate** :math:`P_{Ab}`: share of offered calls that hang up while waiting.
* **ASA**: mean wait of *all* offered calls, abandoners' waits up to their hang-up
  included: :math:`E[W] = E[Q]/\lambda = P_{Ab}\,p` (Little's law). With infinite
  patience it is Erlang C's ASA.
* **occupancy**: busy share of the agents, the *carried* load (abandoners removed)
  over the agents: :math:`A\,(1 - P_{Ab}) / N`.

Limits: as :math:`p \to \infty` every measure tends to Erlang C's (for :math:`N > A`); as
:math:`p \to 0` nobody waits, :math:`P_{Ab} \to B(N, A)` (Erlang B: the loss system).
``patience_seconds = math.inf`` is accepted and gives Erlang C's figures exactly.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from bestshore.staffing.erlang import (
    _agents,
    _erlang_b,
    _erlang_b_sequence,
    _non_negative,
    _open_fraction,
    _positive,
    _real,
    _show,
    _traffic,
    average_speed_of_answer,
    erlang_c,
    service_level,
    traffic_intensity,
)

__all__ = [
    "ErlangAPerformance",
    "abandon_probability",
    "agents_for_erlang_a",
    "erlang_a",
    "erlang_a_arrays",
    "evaluate_agents_erlang_a",
]

FloatArray = npt.NDArray[np.float64]

# Below this P(a, z) the log-gamma route loses accuracy (and underflows further down);
# the series is used there, where it converges in O(sqrt(a)) terms.
_TINY_GAMMAINC = 1e-200
_SERIES_TERMS = 200_000


def _log_kummer(a: FloatArray, z: FloatArray) -> FloatArray:
    r"""``log S(a, z)``, :math:`S = \sum_j z^j / ((a+1)\cdots(a+j))`, for ``a, z >= 0``."""
    from scipy import special  # imported when used: Erlang C users do not pay for it

    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    out = np.zeros(a.shape)
    positive = z > 0
    no_agents = positive & (a == 0)
    out[no_agents] = z[no_agents]  # S(0, z) = e^z
    rest = positive & (a > 0)
    if rest.any():
        ar, zr = a[rest], z[rest]
        with np.errstate(divide="ignore", under="ignore"):
            lower = special.gammainc(ar, zr)
            logs = special.gammaln(ar + 1) + zr - ar * np.log(zr) + np.log(lower)
        small = lower < _TINY_GAMMAINC
        if small.any():
            logs[small] = _log_series(ar[small], zr[small])
        out[rest] = logs
    return out


def _log_series(a: FloatArray, z: FloatArray) -> FloatArray:
    """``log S(a, z)`` by its series, for ``z < a`` (terms fall geometrically)."""
    term = np.ones(a.shape)
    total = np.ones(a.shape)
    for j in range(1, _SERIES_TERMS):
        term = term * z / (a + j)
        total = total + term
        if np.all(term <= 1e-17 * total):
            break
    return np.log(total)


def erlang_a_arrays(
    traffic: npt.ArrayLike,
    agents: npt.ArrayLike,
    blocking: npt.ArrayLike,
    aht_seconds: float,
    patience_seconds: float,
    answer_seconds: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""``(P_W, P_Ab, SL(t))`` for arrays of loads and agent counts (the module's closed
    forms), given Erlang B ``blocking = B(N, A)`` of each pair.

    Vectorized for the staffing tables; :func:`erlang_a` is the checked, scalar entry.
    Loads of 0 give ``(0, 0, 1)``. ``patience_seconds`` may be ``inf`` (Erlang C).
    """
    load, n, b = (
        np.asarray(v, dtype=float) for v in np.broadcast_arrays(traffic, agents, blocking)
    )
    load, n, b = np.atleast_1d(load), np.atleast_1d(n), np.atleast_1d(b)
    if math.isinf(patience_seconds):
        return _erlang_c_arrays(load, n, b, aht_seconds, answer_seconds)
    ratio = patience_seconds / aht_seconds  # mu / theta
    calls = load > 0
    safe = np.where(calls, load, 1.0)
    x = safe * ratio
    a = n * ratio
    log_s = _log_kummer(a, x)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        log_ratio = np.log1p(-b) - np.log(b) - log_s  # log((1/B - 1) / S)
        wait = 1.0 / (1.0 + np.exp(log_ratio))
        inv_s = np.exp(-log_s)
        share = n / safe  # N / A
        abandon = wait * (1.0 - share) + wait * inv_s * share
        decay = answer_seconds / patience_seconds  # theta t
        y = x * math.exp(-decay)
        log_rest = (
            x * -math.expm1(-decay)
            - n * answer_seconds / aht_seconds
            + np.log(y)
            - np.log(a + 1)
            + _log_kummer(a + 1, y)
            - log_s
        )
        late = np.exp(log_rest)
        within = 1.0 - wait + wait * share * (-np.expm1(-log_s) - late)
    wait = np.where(calls, wait, 0.0)
    abandon = np.where(calls, np.clip(abandon, 0.0, 1.0), 0.0)
    within = np.where(calls, np.clip(within, 0.0, 1.0), 1.0)
    return wait, abandon, within


def _erlang_c_arrays(
    load: FloatArray, n: FloatArray, b: FloatArray, aht: float, answer: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Erlang C's ``(C, 0, SL)``: the infinite-patience limit."""
    spare = n - load
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(spare > 0, n * b / (n - load * (1 - b)), 1.0)
        level = np.where(spare > 0, 1 - wait * np.exp(-spare * answer / aht), 0.0)
    wait = np.where(load > 0, wait, 0.0)
    level = np.where(load > 0, level, 1.0)
    return wait, np.zeros_like(wait), level


def _patience(value: object) -> float:
    number = (
        float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else None
    )
    if number is not None and number == math.inf:
        return number
    return _positive("patience_seconds", value)


@dataclass(frozen=True)
class ErlangAPerformance:
    """What ``agents`` agents achieve on one interval's calls when callers abandon.

    Attributes
    ----------
    traffic_erlangs : float
        Offered load [Erlang].
    agents : int
        Agents on the phones [agents].
    aht_seconds : float
        Average handling time [s].
    patience_seconds : float
        Mean patience of a waiting caller (exponential) [s]; ``inf``: Erlang C.
    answer_seconds : float
        Answer-time threshold of ``service_level`` [s].
    prob_wait : float
        Share of calls that wait (find every agent busy) [fraction].
    abandon_rate : float
        Share of offered calls that hang up before an answer [fraction].
    service_level : float
        Share of offered calls answered within ``answer_seconds`` [fraction].
    asa_seconds : float
        Mean wait of all offered calls, abandoners' included, ``abandon_rate *
        patience_seconds`` [s] (Erlang C's ASA at infinite patience).
    occupancy : float
        Busy share of the agents: carried load ``A (1 - abandon_rate)`` over ``agents``
        [fraction]; 0 without calls, 1 without agents but calls.
    """

    traffic_erlangs: float
    agents: int
    aht_seconds: float
    patience_seconds: float
    answer_seconds: float
    prob_wait: float
    abandon_rate: float
    service_level: float
    asa_seconds: float
    occupancy: float

    def to_dict(self) -> dict[str, float | int]:
        """The fields as a plain ``{name: value}`` dict, in declaration order."""
        return asdict(self)


def _performance(
    traffic: float, agents: int, aht: float, patience: float, answer: float, blocking: float
) -> ErlangAPerformance:
    if math.isinf(patience):
        return _erlang_c_performance(traffic, agents, aht, answer)
    wait, abandon, within = (
        float(v[0]) for v in erlang_a_arrays(traffic, agents, blocking, aht, patience, answer)
    )
    carried = traffic * (1.0 - abandon)
    busy = 0.0 if traffic == 0 else (1.0 if agents == 0 else min(1.0, carried / agents))
    return ErlangAPerformance(
        traffic_erlangs=traffic,
        agents=agents,
        aht_seconds=aht,
        patience_seconds=patience,
        answer_seconds=answer,
        prob_wait=wait,
        abandon_rate=abandon,
        service_level=within,
        asa_seconds=abandon * patience,
        occupancy=busy,
    )


def _erlang_c_performance(
    traffic: float, agents: int, aht: float, answer: float
) -> ErlangAPerformance:
    busy = 0.0 if traffic == 0 else (1.0 if agents == 0 else min(1.0, traffic / agents))
    return ErlangAPerformance(
        traffic_erlangs=traffic,
        agents=agents,
        aht_seconds=aht,
        patience_seconds=math.inf,
        answer_seconds=answer,
        prob_wait=erlang_c(traffic, agents),
        abandon_rate=0.0,
        service_level=service_level(traffic, agents, aht, answer),
        asa_seconds=average_speed_of_answer(traffic, agents, aht),
        occupancy=busy,
    )


def erlang_a(
    traffic_erlangs: float,
    agents: int,
    aht_seconds: float,
    patience_seconds: float,
    answer_seconds: float = 20,
) -> ErlangAPerformance:
    r"""Erlang A measures of ``agents`` agents serving ``traffic_erlangs`` of impatient calls.

    Parameters
    ----------
    traffic_erlangs : float
        Offered load :math:`A` [Erlang], >= 0.
    agents : int
        Agents :math:`N` [agents], a whole number >= 0 (any count is stable).
    aht_seconds : float
        Average handling time :math:`h` [s], > 0.
    patience_seconds : float
        Mean patience :math:`p` of a waiting caller [s], > 0 (``math.inf``: Erlang C).
    answer_seconds : float, default 20
        Answer-time threshold :math:`t` of the service level [s], >= 0.

    Returns
    -------
    ErlangAPerformance
        Probability of waiting, abandonment rate, service level (answered within ``t``
        among offered), ASA (mean wait of all offered calls) and occupancy (carried
        load over agents); see the module's notes for the formulas.

    Examples
    --------
    >>> p = erlang_a(10, 10, 180, 180)  # patience = AHT: calls in system are Poisson(A)
    >>> round(p.abandon_rate, 6), round(p.prob_wait, 6)
    (0.12511, 0.54207)
    """
    traffic = _traffic(traffic_erlangs)
    count = _agents(agents)
    aht = _positive("aht_seconds", aht_seconds)
    patience = _patience(patience_seconds)
    answer = _non_negative("answer_seconds", answer_seconds)
    return _performance(traffic, count, aht, patience, answer, _erlang_b(traffic, count))


def abandon_probability(
    traffic_erlangs: float, agents: int, aht_seconds: float, patience_seconds: float
) -> float:
    r"""Share of offered calls that hang up before an answer, :math:`P_{Ab}` [fraction].

    Examples
    --------
    >>> round(abandon_probability(10, 12, 180, 120), 4)
    0.0616
    """
    return erlang_a(traffic_erlangs, agents, aht_seconds, patience_seconds, 0).abandon_rate


def evaluate_agents_erlang_a(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float,
    answer_seconds: float = 20,
) -> ErlangAPerformance:
    """:func:`erlang_a` of ``calls`` offered in an interval of ``interval_minutes``."""
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    return erlang_a(traffic, agents, aht_seconds, patience_seconds, answer_seconds)


def agents_for_erlang_a(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    patience_seconds: float,
    service_level_target: float | None = None,
    answer_seconds: float = 20,
    *,
    asa_target_seconds: float | None = None,
    max_abandon_rate: float | None = None,
    max_occupancy: float = 1.0,
) -> int:
    r"""Fewest agents meeting every goal given when callers abandon (Erlang A).

    Each measure improves as agents are added (service level up, abandonment, ASA and
    occupancy down), so the search walks up from a count that cannot meet the goals
    (:math:`N < A\,(1 - r)`, ``r`` the most abandonment the goals allow: a group of
    ``N`` agents carries less than ``N`` Erlangs) to the first that meets them all.

    Parameters
    ----------
    calls : float
        Calls offered in the interval [calls], >= 0.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float
        Average handling time [s], > 0.
    patience_seconds : float
        Mean patience [s], > 0 (``inf``: Erlang C).
    service_level_target : float, optional
        Share of offered calls answered within ``answer_seconds``, 0 < target < 1.
    answer_seconds : float, default 20
        Answer-time threshold [s], >= 0.
    asa_target_seconds : float, optional
        Highest mean wait of all offered calls [s], > 0.
    max_abandon_rate : float, optional
        Highest share of offered calls abandoning, 0 < rate < 1.
    max_occupancy : float, default 1.0
        Highest busy share of the agents (carried load over agents), 0 < cap <= 1.

    Returns
    -------
    int
        Agents [agents]; 0 without calls.

    Raises
    ------
    ValueError
        For a bad value (naming the parameter and the value) or when no goal is given.

    Examples
    --------
    >>> agents_for_erlang_a(100, 30, 180, 120, 0.8, 20)  # Erlang C: 14
    12
    """
    traffic = traffic_intensity(calls, interval_minutes, aht_seconds)
    aht = float(aht_seconds)
    patience = _patience(patience_seconds)
    answer = _non_negative("answer_seconds", answer_seconds)
    target = (
        None
        if service_level_target is None
        else _open_fraction("service_level_target", service_level_target)
    )
    asa = (
        None if asa_target_seconds is None else _positive("asa_target_seconds", asa_target_seconds)
    )
    rate = (
        None if max_abandon_rate is None else _open_fraction("max_abandon_rate", max_abandon_rate)
    )
    cap = _real("max_occupancy", max_occupancy, "a fraction with 0 < value <= 1")
    if not 0 < cap <= 1:
        raise ValueError(
            f"max_occupancy must be a fraction with 0 < value <= 1, got {_show(max_occupancy)}"
        )
    if target is None and asa is None and rate is None:
        raise ValueError(
            "give at least one goal: service_level_target, asa_target_seconds or max_abandon_rate"
        )
    if traffic == 0:
        return 0
    allowed = [1.0]
    if target is not None:
        allowed.append(1.0 - target)
    if asa is not None and not math.isinf(patience):
        allowed.append(asa / patience)
    if rate is not None:
        allowed.append(rate)
    start = max(0, math.floor(traffic * (1.0 - min(allowed))))

    def meets(n: int, blocking: float) -> bool:
        p = _performance(traffic, n, aht, patience, answer, blocking)
        if math.isinf(patience) and n <= traffic:
            return False
        return (
            (target is None or p.service_level >= target)
            and (asa is None or p.asa_seconds <= asa)
            and (rate is None or p.abandon_rate <= rate)
            and (n > 0 and traffic * (1.0 - p.abandon_rate) / n <= cap * (1 + 1e-12))
        )

    for n, blocking in _erlang_b_sequence(traffic, start):
        if meets(n, blocking):
            return n
    raise AssertionError("unreachable: enough agents meet any goal")  # pragma: no cover
