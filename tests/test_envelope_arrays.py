"""The staffing envelopes computed on arrays agree bit for bit with the scalar reference.

:mod:`bestshore.model.curve` builds its envelopes for many rows at once
(``_row_envelopes``, ``_lower_hulls``, ``_padded_facets``) and bisects the limits
``L(n)`` of several goals side by side (``_compute_tables``). Each is the same arithmetic
as the scalar function it replaces, element by element, so the plans and bounds do not
move: here they are compared exactly (``==``, not approximately) on random inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hourly import WEEKS, erlang_hour

from bestshore.model import curve
from bestshore.model.staffing import Goal
from bestshore.scenario import parse_scenario
from bestshore.scenario.schema import CallType


def _call_type(aht: float, goal: dict[str, float]) -> CallType:
    data = erlang_hour()
    data["call_types"][0].update(aht_seconds=aht, service_level=goal)
    return parse_scenario(data).call_types[0]


goals = st.one_of(
    st.builds(
        lambda target, answer: {"target": target, "answer_seconds": answer},
        st.floats(0.5, 0.95),
        st.floats(5.0, 90.0),
    ),
    st.builds(lambda asa: {"asa_seconds": asa}, st.floats(5.0, 120.0)),
    st.builds(
        lambda target, answer, patience: {
            "target": target,
            "answer_seconds": answer,
            "patience_seconds": patience,
        },
        st.floats(0.6, 0.9),
        st.floats(10.0, 40.0),
        st.floats(30.0, 300.0),
    ),
)


@st.composite
def month_weights(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """One month at the sizing week's load, or a seasonal year (loads under, at and over
    the sizing week's, sometimes a month without calls)."""
    if draw(st.booleans()):
        return np.array([1.0]), np.array([12 * 365.25 / 12 / 7])
    loads = draw(st.lists(st.sampled_from([0.0, 0.55, 0.7, 0.85, 1.0, 1.1]), min_size=2))
    distinct = np.unique(np.array(loads))
    return distinct, np.full(len(distinct), WEEKS / 12)


@settings(max_examples=60, deadline=None)
@given(
    aht=st.floats(60.0, 900.0),
    goal=goals,
    whole=st.booleans(),
    occupancy=st.floats(0.7, 0.95),
    months=month_weights(),
    rows=st.lists(
        st.tuples(st.floats(0.01, 60.0), st.booleans(), st.booleans()), min_size=1, max_size=25
    ),
)
def test_row_envelopes_are_the_scalar_envelopes(
    aht: float,
    goal: dict[str, float],
    whole: bool,
    occupancy: float,
    months: tuple[np.ndarray, np.ndarray],
    rows: list[tuple[float, bool, bool]],
) -> None:
    # Rows of one call type (loads from a hundredth of an Erlang to sixty, some taken
    # whole, some past the table), in whole or planning agents, over one month or a
    # seasonal year: every field of every envelope equals the scalar function's.
    call_type = _call_type(aht, goal)
    traffic = np.array([load for load, _, _ in rows])
    alone = np.array([whole_unit for _, whole_unit, _ in rows])
    limits = curve.limits_to(call_type, occupancy, float(traffic.max()) * months[0].max())
    if any(past for _, _, past in rows):  # a table ending before the busiest loads
        limits = limits[: max(2, int(np.searchsorted(limits, 0.5 * float(traffic.max()))))]
    planning = curve._Planning(call_type, occupancy)
    planning.asking()
    assert (
        curve._row_envelopes(call_type, traffic, whole, occupancy, limits, months, alone, planning)
        == []
    )
    planning.answer()
    found = curve._row_envelopes(
        call_type, traffic, whole, occupancy, limits, months, alone, planning
    )
    for row, envelope in enumerate(found):
        reference = curve._row_envelope(
            call_type, float(traffic[row]), whole, occupancy, limits, months,
            bool(alone[row]), planning,
        )  # fmt: skip
        assert envelope == reference


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(st.lists(st.floats(-5.0, 5.0), min_size=1, max_size=12), min_size=1, max_size=8)
)
def test_lower_hulls_of_rows_are_each_rows_lower_hull(points: list[list[float]]) -> None:
    # Rows of 2 to 14 points (x strictly increasing, random heights, ties of slopes
    # included by repeated heights), padded with NaN: each row's vertices are
    # lower_hull's, and so are the facets kept (the year's tolerance loop included).
    size = len(points)
    width = 2 + max(len(heights) for heights in points)
    x = np.full((size, width), np.nan)
    y = np.full((size, width), np.nan)
    count = np.zeros(size, dtype=np.int64)
    for row, heights in enumerate(points):
        inner = np.round(np.array(heights), 1)  # repeated heights: tied slopes
        n = len(inner) + 2
        x[row, :n] = np.linspace(0.0, 1.0, n)
        y[row, :n] = np.concatenate([[0.0], inner, [inner[-1] + 1.0]])
        count[row] = n
    vx, vy, number = curve._lower_hulls(x, y, count)
    for tolerance in (0.0, 0.3):
        intercept, slope, kept = curve._padded_facets(vx, vy, number, tolerance)
        for row in range(size):
            hx, hy = curve.lower_hull(x[row, : count[row]], y[row, : count[row]])
            assert number[row] == len(hx)
            assert np.array_equal(vx[row, : len(hx)], hx)
            assert np.array_equal(vy[row, : len(hy)], hy)
            b, s = curve._facets(hx, hy, tolerance)
            assert kept[row] == len(s)
            assert np.array_equal(intercept[row, : kept[row]], b)
            assert np.array_equal(slope[row, : kept[row]], s)


def _meets_reference(goal: Goal, traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """The scalar path: one goal, the Erlang B recursion over every row to the top."""
    aht, target, answer, asa = goal[:4]
    blocking = np.ones_like(traffic)
    at_agents = np.ones_like(traffic)
    for n in range(1, int(agents.max()) + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
        at_agents = np.where(agents == n, blocking, at_agents)
    spare = agents - traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        waits = np.where(spare > 0, agents * at_agents / (agents - traffic * (1 - at_agents)), 1.0)
        if asa is not None:
            met = np.where(spare > 0, waits * aht / spare, np.inf) <= asa
        else:
            level = np.where(spare > 0, 1 - waits * np.exp(-spare * answer / aht), 0.0)
            met = level >= target
    return met & (spare > 0)


def _limits_reference(goal: Goal, occupancy: float, top: int) -> np.ndarray:
    agents = np.arange(1, top + 1, dtype=float)
    low = np.zeros(top)
    high = agents * min(occupancy, 1.0)
    fits = _meets_reference(goal, high, agents)  # the cap is within the cap
    low = np.where(fits, high, low)
    for _ in range(60):
        middle = 0.5 * (low + high)
        ok = _meets_reference(goal, middle, agents)
        low = np.where(ok, middle, low)
        high = np.where(ok, high, middle)
    return np.concatenate([[0.0], low * (1 - 1e-9)])


erlang_c_goals = st.one_of(
    st.builds(
        lambda aht, target, answer: Goal(aht, target, answer, None),
        st.floats(60.0, 900.0),
        st.floats(0.5, 0.95),
        st.floats(5.0, 90.0),
    ),
    st.builds(
        lambda aht, asa: Goal(aht, None, None, asa), st.floats(60.0, 900.0), st.floats(5.0, 120.0)
    ),
)


@settings(max_examples=25, deadline=None)
@given(
    requests=st.lists(
        st.tuples(erlang_c_goals, st.floats(0.6, 1.0), st.integers(1, 120)),
        min_size=1,
        max_size=4,
    )
)
def test_limits_bisected_side_by_side_are_each_goals_own(
    requests: list[tuple[Goal, float, int]],
) -> None:
    # Several goals' limits bisected together (rows sorted by agents, each dropped from
    # the recursion at its count) equal each goal's bisected alone, to the last bit.
    tables = curve._compute_tables(requests)
    for (goal, occupancy, top), table in zip(requests, tables, strict=True):
        assert np.array_equal(table, _limits_reference(goal, occupancy, top))


CLASSIC = {"target": 0.8, "answer_seconds": 20.0}


@settings(max_examples=40, deadline=None)
@given(
    goal=st.one_of(st.just(CLASSIC), goals),
    whole=st.booleans(),
    size=st.integers(2, 6),
    loads=st.lists(st.floats(0.01, 3.5), min_size=12, max_size=48),
    quiet=st.booleans(),
)
def test_pool_year_cuts_together_are_each_pools_own(
    goal: dict[str, float], whole: bool, size: int, loads: list[float], quiet: bool
) -> None:
    # Pools of 2 to 6 rows (every order up to three rows, the falling and rising ones
    # beyond, ties of loads included), their cuts made together, equal pool_cuts' year
    # cuts pool by pool: the same cuts in the same order, to the last bit; so do pools
    # whose table ends before their load or whose L is not convex there (no cuts).
    call_type = _call_type(180.0, goal)
    occupancy = 0.85
    dip = 0.0 if whole else curve.corner_slack(call_type, occupancy)
    traffic = np.round(np.array(loads[: len(loads) // size * size]), 1).reshape(-1, size)
    year = np.array([0.0, 1.0]) if quiet else np.array([1.0])  # months without calls
    months = (year, np.full(len(year), 26.0))
    limits = curve.limits_to(call_type, occupancy, 60.0)[:60]
    found = curve._year_cuts_together(limits, traffic, dip, months)
    assert any(found) or goal != CLASSIC  # L convex at 80/20: cuts to compare
    for row, cuts in enumerate(found):
        _, expected = curve.pool_cuts(limits, traffic[row], dip, months)
        assert len(cuts) == len(expected)
        for (b, c), (b_ref, c_ref) in zip(cuts, expected, strict=True):
            assert b == b_ref
            assert np.array_equal(c, c_ref)


def test_row_tuples_are_itertuples() -> None:
    # Rows read column by column are the tuples itertuples gives, value for value and
    # type for type (text, whole numbers, floats with NaN, booleans; no columns at all).
    from bestshore.model.program import row_tuples

    frame = pd.DataFrame(
        {
            "call_type": pd.array(["a", "b", None], dtype="str"),
            "hour": [3, -1, 167],
            "share": [0.5, np.nan, 1.0],
            "open": [True, False, True],
        }
    )
    for part in (frame, frame.iloc[[2, 0]], frame[[]], frame.iloc[:0]):
        expected = list(part.itertuples(index=False, name=None))
        found = row_tuples(part)
        assert [tuple(map(type, row)) for row in found] == [
            tuple(map(type, row)) for row in expected
        ]
        assert repr(found) == repr(expected)


@settings(max_examples=30, deadline=None)
@given(
    aht=st.floats(60.0, 900.0),
    goal=goals,
    occupancy=st.floats(0.7, 0.95),
    loads=st.lists(st.floats(1e-4, 150.0), min_size=1, max_size=30),
)
def test_tangents_on_arrays_are_the_scalar_tangents(
    aht: float, goal: dict[str, float], occupancy: float, loads: list[float]
) -> None:
    # The linearized rounds take the language pools' tangents on arrays
    # (linearize._pool_tangents): each equals the scalar tangent, to the last bit.
    from bestshore.model.linearize import _tangent, _tangents

    call_type = _call_type(aht, goal)
    agents, rise = _tangents(call_type, np.array(loads), occupancy)
    for load, found in zip(loads, zip(agents.tolist(), rise.tolist(), strict=True), strict=True):
        assert found == _tangent(call_type, load, occupancy)
