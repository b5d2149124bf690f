"""Whole-agent staffing inside the optimization: each queue's agents bounded below by a
valid line with an opening charge (``settings.staffing_model: milp``).

A queue (call type, language, hour) a site takes at load ``a`` [Erlang] needs ``N(a)``
whole agents: the step function ``N(a) = min {n : L(n) ≥ a}``, ``L(n)`` the largest
load ``n`` agents carry within the goal (service level or ASA, and the occupancy cap).
The loop of :mod:`bestshore.model.staffing` prices it linearly; here the MILP holds two
lower estimates of it for each row (queue at a site) with traffic ``A`` at share 1:

- ``N(a) ≥ κ a`` with ``κ = min(min_{m : L(m) < A} m / L(m), N(A) / A)``, the lowest
  agents per Erlang of any load up to ``A`` (the step function is lowest, relative to
  its load, at the right end of each step), so the bound holds for every split of the
  queue, exactly;
- ``N(a) ≥ β + α a`` for ``a > 0``: the line through ``(A, N(A))`` with the largest
  intercept ``β ≤ 1`` that stays under every step corner ``(L(m), m)``,
  ``β = min(1, min_m (m A - N(A) L(m)) / (A - L(m)))``, ``α = (N(A) - β) / A``.

With a binary ``y`` (the queue is staffed at the site: ``x ≤ y``) and the row's agent
hours written ``κ A x + e``, the family :func:`add_staffing_curve` adds

.. math:: e \\ge \\beta y - (\\kappa - \\alpha) A x, \\qquad e \\ge 0, \\qquad x \\le y

so the MILP's agents are ``max(κ a, β y + α a)`` and every staffed queue pays for the
opening of its first agent: splitting a queue across sites costs agents, as it does in
Erlang C. Both estimates lie under ``N``, so the MILP is a relaxation of every plan
costed in whole agents, and its dual bound is a lower bound on the best plan; its plan,
staffed exactly, is the upper bound. Rows whose intercept is negligible (``β <``
:data:`MIN_OPENING` agents) or whose queues need more than :data:`MAX_AGENTS` agents (the
opening of one agent is then noise) keep the linear estimate alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.sets import Eligibility
from bestshore.model.staffing import queue_goal
from bestshore.scenario.schema import CallType

__all__ = [
    "GROWTH",
    "MAX_AGENTS",
    "StaffingCurve",
    "curve_factors",
    "load_limits",
    "staffing_curve",
    "whole_agent_curve",
]

MAX_AGENTS = 400
GROWTH = 1e9  # segment ends: the first agent, then the queue's whole load
_BISECTIONS = 60
# Limits taken a hair (relative 1e-9) inside the bisection's: a plan the MILP puts at a
# limit then meets its goal when staffed exactly. The estimates are under N up to that
# hair (a load within 1e-9 of a step is charged the step above).
_SAFETY = 1e-9


@dataclass(frozen=True)
class StaffingCurve:
    """The lower estimates of whole-agent staffing, by row and load segment.

    ``factor`` [agents per Erlang] is ``κ`` of every Erlang-staffed assignment row (NaN
    for the others, which keep their pooled factor). ``rows`` are the positions (in the
    eligible set's row order) of the rows that get segments; each segment j of a row
    (``segment_row`` its position in ``rows``) covers shares ``(low, high]`` and bounds
    the agents below by ``intercept + slope · x`` there [agents; agents per unit share].
    """

    factor: np.ndarray
    rows: np.ndarray
    segment_row: np.ndarray
    low: np.ndarray
    high: np.ndarray
    intercept: np.ndarray
    slope: np.ndarray

    @property
    def segments(self) -> int:
        return len(self.segment_row)


def _meets(
    goal: tuple[float, float | None, float | None, float | None],
    traffic: np.ndarray,
    agents: np.ndarray,
) -> np.ndarray:
    """Whether ``agents[i]`` whole agents meet the goal at load ``traffic[i]`` (Erlang C,
    the Erlang B recursion run for all rows at once)."""
    aht, target, answer, asa = goal
    top = int(agents.max())
    blocking = np.ones_like(traffic)
    at_agents = np.ones_like(traffic)
    for n in range(1, top + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
        at_agents = np.where(agents == n, blocking, at_agents)
    spare = agents - traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        waits = np.where(spare > 0, agents * at_agents / (agents - traffic * (1 - at_agents)), 1.0)
        if asa is not None:
            speed = np.where(spare > 0, waits * aht / spare, np.inf)
            met = speed <= asa
        else:
            assert target is not None and answer is not None
            level = np.where(spare > 0, 1 - waits * np.exp(-spare * answer / aht), 0.0)
            met = level >= target
    return met & (spare > 0)


@functools.lru_cache(maxsize=256)
def _limits(
    goal: tuple[float, float | None, float | None, float | None], occupancy: float, top: int
) -> np.ndarray:
    agents = np.arange(1, top + 1, dtype=float)
    low = np.zeros(top)
    high = agents * min(occupancy, 1.0)  # the occupancy cap, and n > a for a stable queue
    fits = _meets(goal, high, agents) & (high / agents <= occupancy)
    low = np.where(fits, high, low)
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        ok = _meets(goal, middle, agents)
        low = np.where(ok, middle, low)
        high = np.where(ok, high, middle)
    limits = np.concatenate([[0.0], low * (1 - _SAFETY)])
    limits.setflags(write=False)
    return limits


def load_limits(call_type: CallType, occupancy: float, top: int) -> np.ndarray:
    """``L(n)`` for ``n = 0..top``: the largest load [Erlang] ``n`` whole agents carry
    within the call type's goal and the occupancy cap (``L(0) = 0``; a relative 1e-9
    inside the exact limit, so that a load the MILP puts at a limit meets the goal)."""
    return _limits(queue_goal(call_type), float(occupancy), int(top))


def _breakpoints(needed: int, growth: float, more: Iterable[int] = ()) -> list[int]:
    """Agent counts that end the segments of a queue needing ``needed`` agents at share 1:
    1, then each about ``growth`` times the last, then ``needed``; and ``more`` (the
    refinement's, below ``needed``)."""
    points, n = {needed}, 1
    while n < needed:
        points.add(n)
        n = max(n + 1, int(np.ceil(min(n * growth, 1e9))))
    points |= {int(p) for p in more if 1 <= p < needed}
    return sorted(points)


def _segments(
    limits: np.ndarray, traffic: float, needed: int, growth: float, more: Iterable[int] = ()
) -> list[tuple[float, float, float, float]]:
    """``(low load, high load, intercept, slope)`` of each segment of one row: on loads
    ``(low, high]`` the line ``intercept + slope · a`` lies under the step function.

    The line passes through the segment's right corner ``(L(n_j), n_j)`` with the
    smallest slope that keeps it under every step corner ``(L(m), m)`` inside, ``α =
    max_m (n_j - m) / (L(n_j) - L(m))``: an increasing line under every corner is under
    the step function on the whole segment (on each step, it is highest at the step's
    right corner). A segment of one step is flat at its agents (exact).
    """
    found = []
    start = 0
    for end in _breakpoints(needed, growth, more):
        # The line's right point is the step corner (L(n_j), n_j), for the last segment
        # too (its loads end at the traffic A ≤ L(N)): through (A, N) itself the line would
        # have to clear the corner (L(N-1), N-1) just left of A, and be nearly vertical.
        right = float(limits[end])
        low = float(limits[start])
        corners = np.arange(start + 1, end)  # steps m with L(m) inside (low, right)
        if len(corners):
            with np.errstate(divide="ignore"):
                slopes = (end - corners) / np.maximum(right - limits[corners], 1e-300)
            slope = float(slopes.max())
        else:
            slope = 0.0
        high = traffic if end == needed else right
        found.append((low, high, end - slope * right, slope))
        start = end
    return found


def staffing_curve(
    inputs: ModelInputs,
    eligibility: Eligibility,
    growth: float = GROWTH,
    refined: Mapping[int, Iterable[int]] | None = None,
) -> StaffingCurve:
    """The lower estimates ``κ`` and the segments of every Erlang-staffed assignment row.

    Segments end at whole agent counts growing by ``growth`` (1, 2, 4, 8, ... agents;
    the default, :data:`GROWTH`, gives two: the first agent, and the rest), and at the
    agent counts ``refined`` gives for a row (its position): more segments, tighter
    estimates and more binaries.
    """
    refined = refined or {}
    rows = eligibility.assignments
    occupancy = inputs.scenario.settings.occupancy
    erlang = rows.join(inputs.workloads["erlang"], on=["call_type", "language"])["erlang"]
    hourly = rows["hour"].to_numpy() != WEEK
    candidates = np.flatnonzero(erlang.to_numpy(dtype=bool) & hourly)
    factor = np.full(len(rows), np.nan)
    traffic_all = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
    types = rows["call_type"].to_numpy()
    by_type = pd.Series(candidates).groupby(types[candidates]).indices if len(candidates) else {}
    call_types = {c.id: c for c in inputs.scenario.call_types}
    chosen: list[int] = []
    parts: list[tuple[int, float, float, float, float]] = []
    for call_type_id, where in sorted(by_type.items()):
        at = candidates[where]
        at = at[traffic_all[at] > 0]
        if not len(at):
            continue
        traffic = traffic_all[at]
        limits = load_limits(call_types[str(call_type_id)], occupancy, MAX_AGENTS)
        needed = np.searchsorted(limits, traffic, side="left")  # N(A): first L(n) >= A
        small = needed <= MAX_AGENTS
        # κ: the lowest m / L(m) below the load, or N(A) / A (NaN beyond the table).
        running = np.minimum.accumulate(np.arange(1, MAX_AGENTS + 1) / limits[1:])
        below = needed - 1  # steps m < N(A) have L(m) < A
        best_below = np.where(below >= 1, running[np.clip(below - 1, 0, MAX_AGENTS - 1)], np.inf)
        with np.errstate(invalid="ignore"):
            factor[at] = np.where(small, np.minimum(best_below, needed / traffic), np.nan)
        for i in np.flatnonzero(small):
            position = len(chosen)
            chosen.append(int(at[i]))
            load = float(traffic[i])
            more = refined.get(int(at[i]), ())
            for low, high, intercept, slope in _segments(
                limits, load, int(needed[i]), growth, more
            ):
                parts.append((position, low / load, high / load, intercept, slope * load))
    table = np.array(parts, dtype=float).reshape(-1, 5)
    return StaffingCurve(
        factor=factor,
        rows=np.array(chosen, dtype=np.int64),
        segment_row=table[:, 0].astype(np.int64),
        low=table[:, 1],
        high=np.minimum(table[:, 2], 1.0),
        intercept=table[:, 3],
        slope=table[:, 4],
    )


def whole_agent_curve(inputs: ModelInputs, eligibility: Eligibility) -> StaffingCurve | None:
    """The curve of ``settings.staffing_model: milp`` (cached on the eligible set, which
    the staffing rounds and a Workbench keep), None under the default loop."""
    if inputs.scenario.settings.staffing_model != "milp":
        return None
    cached = getattr(eligibility, "_whole_agent_curve", None)
    if cached is not None and cached[0] is inputs.workloads:
        return cached[1]
    curve = staffing_curve(inputs, eligibility)
    object.__setattr__(eligibility, "_whole_agent_curve", (inputs.workloads, curve))
    return curve


def curve_factors(eligibility: Eligibility, curve: StaffingCurve) -> np.ndarray:
    """Agents per Erlang of every assignment row: ``κ`` where the curve has one, the
    pooled factor elsewhere."""
    pooled = eligibility.assignments["agents_per_erlang"].to_numpy(dtype=float)
    return np.where(np.isnan(curve.factor), pooled, curve.factor)
