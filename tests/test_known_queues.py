"""Queue staffing kept per goal gives the figures a new computation gives.

:func:`bestshore.model.staffing._staff` keeps each goal's computed loads
(``_KnownQueues``): a solve's rounds, its months and its held plan staff the same loads
again. That is only sound if a load's figures do not depend on the loads computed with
it; both are checked here, exactly, on random goals and batches with repeats.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bestshore.model.staffing import _KnownQueues
from bestshore.staffing.arrays import queue_staffing

FIELDS = ("planning", "whole", "service_level", "asa_seconds", "done")

goals = st.one_of(
    st.tuples(st.floats(60.0, 900.0), st.floats(0.5, 0.95), st.floats(5.0, 90.0), st.none()),
    st.tuples(st.floats(60.0, 900.0), st.none(), st.none(), st.floats(5.0, 120.0)),
)
loads = st.lists(
    st.one_of(st.floats(1e-6, 80.0), st.sampled_from([0.0, 0.5, 1.0, 2.25, 10.0, 2500.0])),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(goal=goals, cap=st.floats(0.7, 1.0), batches=st.lists(loads, min_size=1, max_size=4))
def test_kept_figures_are_those_computed_afresh(
    goal: tuple[float, float | None, float | None, float | None],
    cap: float,
    batches: list[list[float]],
) -> None:
    # Batch after batch (loads repeated within and across batches, zero loads, loads
    # left to the scalar path): the kept figures equal queue_staffing's on the batch.
    known = _KnownQueues(goal, cap)
    for batch in batches:
        traffic = np.array(batch)
        kept = known.staffing(traffic)
        fresh = queue_staffing(goal, traffic, cap)
        for name in FIELDS:
            assert np.array_equal(getattr(kept, name), getattr(fresh, name), equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(goal=goals, cap=st.floats(0.7, 1.0), batch=loads, cut=st.integers(0, 40))
def test_a_loads_figures_do_not_depend_on_its_batch(
    goal: tuple[float, float | None, float | None, float | None],
    cap: float,
    batch: list[float],
    cut: int,
) -> None:
    # The premise of keeping them: a batch split in two gives each load the same figures.
    traffic = np.array(batch)
    whole = queue_staffing(goal, traffic, cap)
    parts = [queue_staffing(goal, traffic[:cut], cap), queue_staffing(goal, traffic[cut:], cap)]
    for name in FIELDS:
        joined = np.concatenate([getattr(part, name) for part in parts])
        assert np.array_equal(getattr(whole, name), joined, equal_nan=True)
