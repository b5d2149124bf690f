"""The checker's vectorized Erlang C walk agrees with its scalar scan.

:func:`bestshore.verify._erlang_c_staffing` staffs many queues at once; each of its
figures must be what :func:`bestshore.verify._planning_needed` (the checker's own scan on
the scalar :func:`bestshore.staffing.service_level` and
:func:`~bestshore.staffing.average_speed_of_answer`) and
:func:`~bestshore.verify._roster_needed` (:func:`~bestshore.staffing.agents_for_service_level`,
:func:`~bestshore.staffing.agents_for_asa`) give one queue at a time: planning agents
within 1e-12 (relative), whole agents exactly.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bestshore.scenario.schema import CallType, ServiceLevel
from bestshore.verify import _erlang_c_staffing, _planning_needed, _roster_needed

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


def _vectorized(call_type: CallType, calls: list[float], occupancy: float) -> tuple:
    goal = call_type.service_level
    assert goal is not None
    size = len(calls)
    shares = call_type.within_hour
    busiest = 1.0 if shares is None or len(set(shares)) <= 1 else max(shares) * len(shares)
    return _erlang_c_staffing(
        np.array(calls) * busiest * call_type.aht_seconds / 3600,
        np.full(size, call_type.aht_seconds),
        np.full(size, goal.answer_seconds or 0.0),
        np.full(size, goal.target or 0.0),
        np.full(size, goal.asa_seconds or 1.0),
        np.full(size, goal.asa_seconds is not None),
        occupancy,
    )


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
    calls = [a * 3600 / aht for a in traffic]
    planning, whole = _vectorized(call_type, calls, occupancy)
    for c, p, w in zip(calls, planning.tolist(), whole.tolist(), strict=True):
        expected = _planning_needed(call_type, c, occupancy)
        assert math.isclose(p, expected, rel_tol=1e-12, abs_tol=1e-12), (c, p, expected)
        assert w == _roster_needed(call_type, c, occupancy), (c, w)


def test_queues_of_every_size_together() -> None:
    # Light and heavy queues in one walk: each one stops where its own scan stops.
    call_type = _call_type(300.0, ServiceLevel(target=0.8, answer_seconds=20), None)
    calls = [0.01, 0.5, 3.0, 12.0, 12.0, 47.5, 130.0, 960.0, 4321.0, 20000.0]
    planning, whole = _vectorized(call_type, calls, 0.85)
    for c, p, w in zip(calls, planning.tolist(), whole.tolist(), strict=True):
        assert math.isclose(p, _planning_needed(call_type, c, 0.85), rel_tol=1e-12)
        assert w == _roster_needed(call_type, c, 0.85)
