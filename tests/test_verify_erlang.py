"""The checker's vectorized Erlang C walk agrees with its scalar scan.

:func:`bestshore.verify._erlang_c_staffing` staffs many queues at once; each of its
figures must be what :func:`bestshore.verify._planning_needed` (the checker's own scan on
the scalar :func:`bestshore.staffing.service_level` and
:func:`~bestshore.staffing.average_speed_of_answer`) and
:func:`~bestshore.verify._roster_needed` (:func:`~bestshore.staffing.agents_for_service_level`,
:func:`~bestshore.staffing.agents_for_asa`) give one queue at a time: the same planning
agents and whole agents, to the last bit (a queue within rounding of its goal is left to
the scalar scan, None). :func:`~bestshore.verify._erlang_c_figures` gives what
:func:`~bestshore.staffing.service_level` and
:func:`~bestshore.staffing.average_speed_of_answer` give, to the last bit.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bestshore.scenario.schema import CallType, ServiceLevel
from bestshore.staffing import average_speed_of_answer, service_level
from bestshore.verify import (
    _erlang_c_figures,
    _erlang_c_staffing,
    _planning_needed,
    _roster_needed,
)

loads = st.floats(min_value=1e-6, max_value=400.0, allow_nan=False, allow_infinity=False)
ahts = st.floats(min_value=1.0, max_value=3600.0)
occupancies = st.floats(min_value=0.3, max_value=1.0)
within_hours = st.none() | st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4).filter(
    lambda shares: sum(shares) > 0.1
)


@st.composite
def goals(draw: st.DrawFn) -> ServiceLevel:
    if draw(st.booleans()):
        return ServiceLevel(asa_seconds=draw(st.floats(1.0, 3600.0)))
    return ServiceLevel(
        target=draw(st.floats(0.01, 0.99)), answer_seconds=draw(st.floats(1.0, 3600.0))
    )


def _call_type(aht: float, goal: ServiceLevel, within: list[float] | None) -> CallType:
    if within is not None:
        total = sum(within)
        within = [share / total for share in within]
    return CallType(
        id="q", level="N1", volume=1000.0, aht_seconds=aht, languages={"fr": 1.0},
        service_level=goal, within_hour=within,
    )  # fmt: skip


def _vectorized(call_type: CallType, calls: list[float], occupancy: float) -> list:
    goal = call_type.service_level
    assert goal is not None
    size = len(calls)
    shares = call_type.within_hour
    busiest = 1.0 if shares is None or len(set(shares)) <= 1 else max(shares) * len(shares)
    planning, whole, sure = _erlang_c_staffing(
        np.array(calls) * busiest * call_type.aht_seconds / 3600,
        np.full(size, call_type.aht_seconds),
        np.full(size, goal.answer_seconds or 0.0),
        np.full(size, goal.target or 0.0),
        np.full(size, goal.asa_seconds or 1.0),
        np.full(size, goal.asa_seconds is not None),
        occupancy,
    )
    found = zip(planning.tolist(), whole.tolist(), sure.tolist(), strict=True)
    return [(p, w) if ok else None for p, w, ok in found]


def _agree(call_type: CallType, calls: list[float], occupancy: float) -> int:
    """Assert the walk's figures are the scalar scan's; return how many it left to it."""
    left = 0
    for c, found in zip(calls, _vectorized(call_type, calls, occupancy), strict=True):
        if found is None:
            left += 1
            continue
        planning, whole = found
        assert planning == _planning_needed(call_type, c, occupancy), (c, planning)
        assert whole == _roster_needed(call_type, c, occupancy), (c, whole)
    return left


@settings(max_examples=300, deadline=None)
@given(
    st.lists(loads, min_size=1, max_size=8), ahts, goals(), occupancies, within_hours
)  # fmt: skip
def test_the_walk_agrees_with_the_scalar_scan(
    traffic: list[float],
    aht: float,
    goal: ServiceLevel,
    occupancy: float,
    within: list[float] | None,
) -> None:
    call_type = _call_type(aht, goal, within)
    _agree(call_type, [a * 3600 / aht for a in traffic], occupancy)


def test_queues_of_every_size_together() -> None:
    # Light and heavy queues in one walk: each one stops where its own scan stops.
    call_type = _call_type(300.0, ServiceLevel(target=0.8, answer_seconds=20), None)
    calls = [0.01, 0.5, 3.0, 12.0, 12.0, 47.5, 130.0, 960.0, 4321.0, 20000.0]
    assert _agree(call_type, calls, 0.85) == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(loads, st.integers(0, 500)), min_size=1, max_size=8),
    ahts,
    st.floats(0.0, 3600.0),
)
def test_the_figures_are_the_scalar_ones(
    queues: list[tuple[float, int]], aht: float, answer: float
) -> None:
    traffic = np.array([a for a, _ in queues] + [0.0])  # and a queue without calls
    agents = np.array([n for _, n in queues] + [3], dtype=np.int64)
    found = _erlang_c_figures(traffic, agents, aht, answer)
    for a, n, (level, wait) in zip(traffic.tolist(), agents.tolist(), found, strict=True):
        assert level == service_level(a, n, aht, answer), (a, n)
        assert wait == average_speed_of_answer(a, n, aht), (a, n)


def test_queues_of_several_goals_in_one_walk() -> None:
    # An ASA goal and a service-level goal, queues of several sizes, walked together.
    by_level = _call_type(300.0, ServiceLevel(target=0.8, answer_seconds=20), None)
    by_asa = _call_type(240.0, ServiceLevel(asa_seconds=30), [0.4, 0.2, 0.2, 0.2])
    queues = [(by_level, c) for c in (2.0, 40.0, 700.0)] + [(by_asa, c) for c in (5.0, 90.0)]
    traffic, aht, answer, target, asa, asa_goal = (
        np.array(v)
        for v in zip(
            *[
                (
                    c * (1.6 if q is by_asa else 1.0) * q.aht_seconds / 3600,
                    q.aht_seconds,
                    q.service_level.answer_seconds or 0.0,
                    q.service_level.target or 0.0,
                    q.service_level.asa_seconds or 1.0,
                    q.service_level.asa_seconds is not None,
                )
                for q, c in queues
                if q.service_level is not None
            ],
            strict=True,
        )
    )
    planning, whole, sure = _erlang_c_staffing(traffic, aht, answer, target, asa, asa_goal, 0.9)
    assert sure.all()
    for (q, c), p, w in zip(queues, planning.tolist(), whole.tolist(), strict=True):
        assert p == _planning_needed(q, c, 0.9)
        assert w == _roster_needed(q, c, 0.9)
