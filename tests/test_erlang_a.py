"""Erlang A (M/M/N+M) against an independent method, exact special cases and limits.

The independent method: the birth-death chain of calls in the system truncated far in
its tail, its steady state solved with numpy's linear algebra, and the service level of
a tagged arrival from the matrix exponential of its absorbing chain (queue position ->
answered / hung up), none of which uses the closed forms or the incomplete gamma
function of :mod:`bestshore.staffing.abandonment`.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import scipy.sparse
import scipy.sparse.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import bestshore.staffing.abandonment as abandonment_module
from bestshore.staffing import (
    agents_for_service_level,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    service_level,
)
from bestshore.staffing.abandonment import (
    abandon_probability,
    agents_for_erlang_a,
    erlang_a,
    evaluate_agents_erlang_a,
)


def chain(traffic: float, agents: int, aht: float, patience: float, answer: float):
    """(P_W, P_Ab, SL, occupancy) of the truncated chain, by linear algebra only."""
    lam, mu, theta = traffic / aht, 1.0 / aht, 1.0 / patience
    size = agents + int(traffic * 3 + 60 * math.sqrt(traffic + 1) + 200)
    deaths = np.array([min(k, agents) * mu + max(k - agents, 0) * theta for k in range(size)])
    generator = np.zeros((size, size))
    for k in range(size - 1):
        generator[k, k + 1] = lam
        generator[k + 1, k] = deaths[k + 1]
    generator -= np.diag(generator.sum(axis=1))
    # pi Q = 0 with sum(pi) = 1: replace one balance equation by the normalisation
    system = generator.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    queued = np.maximum(np.arange(size) - agents, 0)
    wait = pi[agents:].sum()
    abandon = theta * (queued * pi).sum() / lam
    busy = (np.minimum(np.arange(size), agents) * pi).sum()
    # tagged arrival with j calls ahead: state j (0..J) moves to j-1 at N mu + j theta
    # (the head answered or one ahead hangs up), is answered from 0 at N mu, and hangs
    # up itself at theta from any state.
    ahead = size - agents
    sub = scipy.sparse.lil_matrix((ahead + 2, ahead + 2))  # last two: answered, hung up
    for j in range(ahead):
        if j > 0:
            sub[j, j - 1] = agents * mu + j * theta
        else:
            sub[j, ahead] = agents * mu
        sub[j, ahead + 1] = theta
        sub[j, j] = -(agents * mu + j * theta + theta)
    answered = np.zeros(ahead + 2)
    answered[ahead] = 1.0
    # P(answered by t | j ahead) = (exp(Q t) e_answered)_j
    reach = scipy.sparse.linalg.expm_multiply(sub.tocsc() * answer, answered)[:ahead]
    level = pi[:agents].sum() + (pi[agents:] * reach).sum()
    return wait, abandon, level, busy / agents


CASES = [
    # traffic, agents, aht, patience, answer
    (10.0, 12, 180.0, 120.0, 20.0),
    (10.0, 8, 180.0, 60.0, 20.0),
    (4.5, 5, 300.0, 900.0, 30.0),
    (0.4, 1, 240.0, 30.0, 10.0),
    (25.0, 22, 200.0, 400.0, 15.0),
    (60.0, 70, 180.0, 90.0, 20.0),
    (3.0, 2, 600.0, 20.0, 60.0),
]


@pytest.mark.parametrize(("traffic", "agents", "aht", "patience", "answer"), CASES)
def test_erlang_a_matches_the_truncated_chain(
    traffic: float, agents: int, aht: float, patience: float, answer: float
) -> None:
    found = erlang_a(traffic, agents, aht, patience, answer)
    wait, abandon, level, busy = chain(traffic, agents, aht, patience, answer)
    assert found.prob_wait == pytest.approx(wait, rel=1e-9, abs=1e-12)
    assert found.abandon_rate == pytest.approx(abandon, rel=1e-9, abs=1e-12)
    assert found.service_level == pytest.approx(level, rel=1e-8, abs=1e-11)
    assert found.occupancy == pytest.approx(busy, rel=1e-9)
    assert found.asa_seconds == pytest.approx(abandon * patience, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("agents", [1, 5, 10, 15, 30])
def test_patience_equal_to_aht_is_an_infinite_server_queue(agents: int) -> None:
    """theta = mu: every call in the system leaves at rate mu, so calls in the system are
    Poisson(A) whatever the agents (M/M/inf): P_W = P(X >= N), P_Ab = E[(X - N)+] / A."""
    traffic = 10.0
    k = np.arange(400)
    pmf = stats.poisson.pmf(k, traffic)
    found = erlang_a(traffic, agents, 180, 180)
    assert found.prob_wait == pytest.approx(stats.poisson.sf(agents - 1, traffic), rel=1e-12)
    expected = (np.maximum(k - agents, 0) * pmf).sum() / traffic
    assert found.abandon_rate == pytest.approx(expected, rel=1e-12)


def test_one_agent_by_hand() -> None:
    """M/M/1+M with A = 0.5 and patience = AHT / 2 (theta = 2 mu), by hand: pi_k are
    proportional to 1, 0.5, 0.5^2/3, 0.5^3/(3 * 5), ... (deaths mu, 3 mu, 5 mu, ...)."""
    terms = [1.0, 0.5]
    for k in range(2, 60):
        terms.append(terms[-1] * 0.5 / (1 + 2 * (k - 1)))
    pi = np.array(terms) / sum(terms)
    abandon = 2 * sum((k - 1) * p for k, p in enumerate(pi) if k > 1) / 0.5
    found = erlang_a(0.5, 1, 100, 50)
    assert found.prob_wait == pytest.approx(1 - pi[0], rel=1e-13)
    assert found.abandon_rate == pytest.approx(abandon, rel=1e-12)


@pytest.mark.parametrize(("traffic", "agents"), [(10.0, 14), (50.0, 58), (300.0, 320)])
def test_infinite_patience_is_erlang_c(traffic: float, agents: int) -> None:
    exact = erlang_a(traffic, agents, 180, math.inf, 20)
    assert exact.prob_wait == erlang_c(traffic, agents)
    assert exact.service_level == service_level(traffic, agents, 180, 20)
    assert exact.asa_seconds == average_speed_of_answer(traffic, agents, 180)
    assert exact.abandon_rate == 0.0
    # a long but finite patience differs by O(AHT / patience): 2e-6 here
    near = erlang_a(traffic, agents, 180, 1e8, 20)
    assert near.prob_wait == pytest.approx(exact.prob_wait, rel=2e-5)
    assert near.service_level == pytest.approx(exact.service_level, rel=2e-5)
    assert near.asa_seconds == pytest.approx(exact.asa_seconds, rel=2e-5)


@pytest.mark.parametrize(("traffic", "agents"), [(10.0, 8), (10.0, 14), (200.0, 190)])
def test_no_patience_is_erlang_b(traffic: float, agents: int) -> None:
    """Callers who hang up at once: nobody waits, the lost share is Erlang B."""
    found = erlang_a(traffic, agents, 180, 1e-7, 20)
    assert found.abandon_rate == pytest.approx(erlang_b(traffic, agents), rel=1e-6)
    assert found.service_level == pytest.approx(1 - erlang_b(traffic, agents), rel=1e-6)


def test_large_loads_stay_finite_and_consistent() -> None:
    for traffic, agents, patience in [
        (400.0, 380, 60.0),
        (800.0, 820, 300.0),
        (5000.0, 4900, 600.0),
    ]:
        found = erlang_a(traffic, agents, 300, patience, 20)
        values = [found.prob_wait, found.abandon_rate, found.service_level, found.occupancy]
        assert all(0 <= v <= 1 for v in values)
        # carried load: agents busy = A (1 - P_Ab) <= N
        assert traffic * (1 - found.abandon_rate) <= agents + 1e-9
    # a heavy overload: most calls abandon, the agents are all busy
    over = erlang_a(400, 200, 300, 60, 20)
    assert over.abandon_rate == pytest.approx(0.5, abs=0.01)
    assert over.occupancy == pytest.approx(1.0, abs=1e-3)
    # heavily overstaffed: nobody waits (the series branch, P(a, x) underflows)
    calm = erlang_a(50, 400, 300, 3000, 20)
    assert calm.prob_wait == 0.0 or calm.prob_wait < 1e-100
    assert calm.service_level == 1.0


@pytest.mark.parametrize(("traffic", "agents"), [(250.0, 240), (400.0, 420)])
def test_large_loads_match_the_chain(traffic: float, agents: int) -> None:
    found = erlang_a(traffic, agents, 240, 120, 20)
    wait, abandon, level, _ = chain(traffic, agents, 240, 120, 20)
    assert found.prob_wait == pytest.approx(wait, rel=1e-7)
    assert found.abandon_rate == pytest.approx(abandon, rel=1e-7, abs=1e-13)
    assert found.service_level == pytest.approx(level, rel=1e-7)


@settings(max_examples=60, deadline=None)
@given(
    traffic=st.floats(0.05, 200),
    agents=st.integers(1, 250),
    patience=st.floats(5, 3600),
    answer=st.floats(0, 120),
)
def test_measures_move_the_right_way(
    traffic: float, agents: int, patience: float, answer: float
) -> None:
    """One more agent never hurts; more load or less patience never helps the answer."""
    base = erlang_a(traffic, agents, 200, patience, answer)
    more = erlang_a(traffic, agents + 1, 200, patience, answer)
    heavier = erlang_a(traffic * 1.1, agents, 200, patience, answer)
    slack = 1e-9
    assert more.service_level >= base.service_level - slack
    assert more.abandon_rate <= base.abandon_rate + slack
    assert more.prob_wait <= base.prob_wait + slack
    assert heavier.service_level <= base.service_level + slack
    assert heavier.abandon_rate >= base.abandon_rate - slack
    assert base.service_level <= 1 - base.abandon_rate + slack  # abandoners are not answered


def test_agents_for_erlang_a_searches_the_goal() -> None:
    calls, aht, patience = 200.0, 180.0, 120.0  # 10 Erlangs in an hour
    n = agents_for_erlang_a(calls, 60, aht, patience, 0.8, 20)
    assert evaluate_agents_erlang_a(calls, 60, aht, n, patience, 20).service_level >= 0.8
    assert evaluate_agents_erlang_a(calls, 60, aht, n - 1, patience, 20).service_level < 0.8
    # abandonment keeps queues short: no more agents than Erlang C at the same goal
    assert n <= agents_for_service_level(calls, 60, aht, 0.8, 20)
    m = agents_for_erlang_a(calls, 60, aht, patience, max_abandon_rate=0.01)
    assert (
        abandon_probability(10, m, aht, patience)
        <= 0.01
        < abandon_probability(10, m - 1, aht, patience)
    )
    both = agents_for_erlang_a(calls, 60, aht, patience, 0.8, 20, max_abandon_rate=0.01)
    assert both == max(n, m)
    # infinite patience: Erlang C's answer
    assert agents_for_erlang_a(calls, 60, aht, math.inf, 0.8, 20) == agents_for_service_level(
        calls, 60, aht, 0.8, 20
    )
    assert agents_for_erlang_a(0, 60, aht, patience, 0.8, 20) == 0
    capped = agents_for_erlang_a(calls, 60, aht, patience, 0.5, 20, max_occupancy=0.7)
    assert 10 * (1 - abandon_probability(10, capped, aht, patience)) / capped <= 0.7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience_seconds": 0}, "patience_seconds must be a finite number > 0, got 0"),
        ({"patience_seconds": -5}, "patience_seconds must be a finite number > 0, got -5"),
        ({"max_abandon_rate": 1.5}, "max_abandon_rate must be a fraction"),
        ({"service_level_target": None}, "give at least one goal"),
    ],
)
def test_agents_for_erlang_a_names_bad_values(kwargs: dict, message: str) -> None:
    args = {"patience_seconds": 120.0, "service_level_target": 0.8} | kwargs
    with pytest.raises(ValueError, match=message):
        agents_for_erlang_a(100, 60, 180, **args)


def test_abandonment_module_doctests() -> None:
    assert doctest.testmod(abandonment_module).failed == 0
