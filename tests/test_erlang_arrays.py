"""Erlang C staffing of many loads at once (``bestshore.staffing.arrays``) against the
scalar functions, load by load, and against a published example.

The array path must give the scalar path's figures exactly (the same arithmetic,
operation for operation): the staffing envelopes, the rounds and the exact costing use
it, and a plan must not depend on which path computed its agents.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bestshore.model.staffing import (
    _queue,
    agents_needed,
    planning_agents_of,
    roster_agents,
    roster_agents_of,
)
from bestshore.scenario.loader import load_scenario
from bestshore.staffing import agents_for_service_level, service_level
from bestshore.staffing.arrays import MOST_ERLANGS, queue_staffing

ROOT = Path(__file__).resolve().parents[1]

GOALS = [
    (180.0, 0.8, 20.0, None),  # 80/20
    (240.0, 0.9, 10.0, None),
    (600.0, 0.8, 60.0, None),
    (300.0, None, None, 30.0),  # an ASA goal
    (420.0, None, None, None),  # workload sizing
]


def _scalar(goal: tuple, loads: np.ndarray, occupancy: float) -> list[np.ndarray]:
    found = [_queue(goal, float(a), occupancy) for a in loads]
    return [np.array(column, dtype=float) for column in zip(*found, strict=True)]


@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("occupancy", [0.7, 0.85, 1.0])
def test_the_array_path_gives_the_scalar_figures_exactly(goal: tuple, occupancy: float) -> None:
    rng = np.random.default_rng(7)
    loads = np.concatenate(
        [[0.0, 1e-9, 0.5, 1.0, 2.0, 10.0, 99.99], rng.uniform(0, 3, 200), rng.uniform(0, 400, 300)]
    )
    found = queue_staffing(goal, loads, occupancy)
    assert found.done.all()
    planning, whole, level, asa = _scalar(goal, loads, occupancy)
    np.testing.assert_array_equal(found.whole, whole)
    np.testing.assert_array_equal(found.planning, planning)
    np.testing.assert_array_equal(found.service_level, level)
    np.testing.assert_array_equal(found.asa_seconds, asa)


@settings(max_examples=150, deadline=None, database=None)
@given(
    loads=st.lists(st.floats(0.0, 300.0, allow_nan=False), min_size=1, max_size=20),
    aht=st.floats(30.0, 900.0),
    target=st.floats(0.5, 0.98),
    answer=st.floats(0.0, 120.0),
    occupancy=st.floats(0.5, 1.0),
)
def test_any_loads_agree_with_the_scalar_path(
    loads: list[float], aht: float, target: float, answer: float, occupancy: float
) -> None:
    goal = (aht, target, answer, None)
    array = np.array(loads)
    found = queue_staffing(goal, array, occupancy)
    planning, whole, level, _ = _scalar(goal, array, occupancy)
    np.testing.assert_array_equal(found.whole, whole)
    np.testing.assert_array_equal(found.planning, planning)
    np.testing.assert_array_equal(found.service_level, level)


def test_the_published_example_and_the_interpolation() -> None:
    # Call Centre Helper's worked example (test_erlang.py): 10 Erlangs at 80/20 with
    # AHT 180 s need 14 agents, who answer 88.835 % in time; 13 answer less than 80 %.
    found = queue_staffing((180.0, 0.8, 20.0, None), np.array([10.0]), 0.85)
    assert found.whole[0] == 14 == agents_for_service_level(100, 30, 180, 0.8, 20, 0.85)
    assert round(float(found.service_level[0]), 5) == 0.88835
    # Planning agents: 13 plus the share of the way from 13's level to 14's that 80 %
    # takes, worked out from the scalar levels.
    missed, met = service_level(10, 13, 180, 20), service_level(10, 14, 180, 20)
    assert missed < 0.8 < met
    assert found.planning[0] == pytest.approx(13 + (0.8 - missed) / (met - missed), rel=1e-15)


def test_heavy_loads_are_left_to_the_scalar_path() -> None:
    found = queue_staffing((180.0, 0.8, 20.0, None), np.array([5.0, MOST_ERLANGS + 1]), 0.85)
    assert found.done.tolist() == [True, False]


def test_a_call_types_many_loads_get_the_scalar_agents() -> None:
    """planning_agents_of and roster_agents_of (the plan's pooling ideal staffs every
    demand unit with them) give agents_needed and roster_agents load by load, for every
    call type of the demo (service-level goals, and workload sizing for deferred work)."""
    scenario = load_scenario(ROOT / "scenarios" / "demo.yaml")
    loads = np.array([0.0, 1e-6, 0.3, 4.2, 17.5, 60.0, 133.3])
    for call_type in scenario.call_types:
        for occupancy in (0.8, 1.0):
            planning = planning_agents_of(call_type, loads, occupancy)
            whole = roster_agents_of(call_type, loads, occupancy)
            assert planning.tolist() == [agents_needed(call_type, a, occupancy) for a in loads]
            assert whole.tolist() == [roster_agents(call_type, a, occupancy) for a in loads]


def test_the_search_runs_where_numba_may_not_cache() -> None:
    """A read-only install under a read-only home: Numba finds no folder to cache the
    compiled search in and refuses to cache it (simulated in a fresh process: no cache
    locator at all). The search is then compiled in memory, and gives the scalar
    path's figures."""
    loads = [10.0, 0.0, 3.3, 57.2]
    code = textwrap.dedent(
        f"""
        import json
        import numba.core.caching as caching
        caching.CacheImpl._locator_classes = []  # no folder Numba may write in
        import numpy as np
        from bestshore.staffing.arrays import queue_staffing
        found = queue_staffing((180.0, 0.8, 20.0, None), np.array({loads!r}), 0.85)
        print(json.dumps([found.whole.tolist(), found.planning.tolist()]))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.returncode == 0, run.stderr.strip().splitlines()[-1:]
    whole, planning = json.loads(run.stdout)
    expected_planning, expected_whole, _, _ = _scalar(
        (180.0, 0.8, 20.0, None), np.array(loads), 0.85
    )
    assert whole == expected_whole.tolist()
    assert planning == expected_planning.tolist()
