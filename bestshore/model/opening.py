r"""A queue opened at a site pays its first agent: one binary per queue and site.

The envelopes (:mod:`bestshore.model.curve`) are convex in a row's share, so they
charge a crumb of a queue (1 % of a language at a second site) about 1 % of the
queue's agents, where a plan staffed exactly pays most of an agent for it: the agents
a queue needs jump at the first call. No convex function sees that jump; a binary does.

For each Erlang-staffed queue q at a site (a language pool, or a row of its own that has
a year column), ``T`` its load at share 1 and ``z`` its share (``z = Σ_r w_r x_r`` for a
pool), a binary ``o_q`` says it is *opened*:

.. math:: z \le o_q, \qquad
          \sum_{r \in q} (\kappa_r T_r x_r + e_r) \ge b\, o_q + s\, T z, \qquad
          \sum_{r \in q} y_r \ge B\, o_q + S\, T z

Why the lines hold. ``N`` (planning or whole agents) is at least ``P - δ`` (the line
through the whole-agent corners, :mod:`bestshore.model.curve`, fact 2) and, at any load
above 0, at least ``m_0``: one agent in whole agents; the service level target in
planning agents under a service-level goal (with one agent needed, planning agents
are ``g / SL(1)``, the target ``g`` over one agent's service level, at least ``g``;
with two or more, at least one). So on ``(0, E]``, ``N ≥ G = max(P - δ, m_0)``, a
piecewise-linear function whose vertices are the corners, the points where ``P - δ``
crosses ``m_0``, ``E`` and the limit ``(0^+, m_0)``. The line takes the slope of
the chord from ``(0^+, m_0)`` to ``(E, G(E))`` (the best single line where ``G`` is
concave) and the intercept ``min_v G(v) - s v`` over those vertices: it lies under
``G`` on each linear piece, so under ``N``, and at ``z = 0`` the binary may be 0.
Month ``m`` (load ``ρ_m`` times the sizing week's, ``W_m`` weeks) has its own line
for ``a ↦ G(ρ_m a)``; the year's is ``B = Σ_m W_m b_m``, ``S = Σ_m W_m s_m``. A second
row per queue holds the first agent alone, ``b = m_0``, ``s = 0`` (the year's
``m_0 Σ_{ρ_m > 0} W_m``): where the occupancy cap makes ``N`` straight, the chord's
intercept falls towards 0 and this one keeps the crumb's agent.

Every plan staffed exactly satisfies these rows with ``o_q = 1`` where it staffs the
queue, so the model stays a relaxation and its (MILP) dual bound a lower bound.
Queues with no jump (ASA goals and Erlang A in planning agents: ``m_0 = 0``) or past
the tabulated loads get none, nor do queues at rostered sites (valid there too, through
the shifts' cover, but the rostered demo's relaxation then took 10 s instead of 2 s),
nor rows of one language in planning agents (they have no year column: their year is
priced on their share). Names
``queue_open[c,L,h,s]`` (binaries), rows ``open_share[c,L,h,s]``,
``open_week[c,L,h,s,j]`` and ``open_year[c,L,h,s,j]`` (``j = 0`` the chord, 1 flat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables
from bestshore.model.curve import StaffingEnvelopes, corner_slack, limits_to, month_weights
from bestshore.model.inputs import ModelInputs, rostered_sites
from bestshore.model.program import LinearProgram
from bestshore.model.staffing import queue_goal
from bestshore.scenario.schema import CallType

__all__ = ["OpenedQueue", "add_queue_opening", "first_agent", "opening_line", "opening_queues"]


def first_agent(call_type: CallType, whole: bool) -> float:
    """``m_0``: the fewest agents any load above 0 needs [agents] (0: no jump)."""
    if whole:
        return 1.0
    goal = queue_goal(call_type)
    if goal.patience is not None or goal.target is None:
        return 0.0
    return float(goal.target)


def opening_line(
    limits: np.ndarray, end: float, first: float, dip: float
) -> tuple[float, float] | None:
    """``(b, s)`` with ``b + s a ≤ N(a)`` for every load ``a`` in ``(0, end]`` (module
    docstring): ``limits`` the corners' loads ``L(0..)``, ``first`` ``m_0``, ``dip``
    ``δ``. None past the table (``end > L(top)``)."""
    top = int(np.searchsorted(limits, end, side="left"))
    if top >= len(limits):
        return None
    counts = np.arange(len(limits), dtype=float)
    inside = (limits > 0) & (limits < end)
    loads = np.concatenate([[0.0], limits[inside], [end]])
    line = np.concatenate([[-dip], counts[inside] - dip, [0.0]])
    if top == 0:
        line[-1] = -dip
    else:
        step = (end - limits[top - 1]) / (limits[top] - limits[top - 1])
        line[-1] = top - 1 + step - dip
    # where P - δ crosses m_0, a vertex of max(P - δ, m_0)
    below, above = line[:-1] - first, line[1:] - first
    crossing = np.flatnonzero(below * above < 0)
    fraction = below[crossing] / (below[crossing] - above[crossing])
    cross = loads[crossing] + fraction * (loads[crossing + 1] - loads[crossing])
    vertices = np.concatenate([loads, cross])
    values = np.concatenate([np.maximum(line, first), np.full(len(cross), first)])
    values[0] = first  # the limit at 0+
    slope = (values[len(loads) - 1] - first) / end
    return float(np.min(values - slope * vertices)), float(slope)


@dataclass(frozen=True)
class OpenedQueue:
    """A queue that gets a binary (:func:`opening_queues`): its key ``(call_type,
    languages, hour, site)``, its assignment rows ``at`` and their weights in its share
    ``z = Σ w_r x_r``, its load ``T`` at share 1 and its lines ``(b, s)``: ``week`` and
    ``year`` each the chord, then the first agent alone."""

    key: tuple[str, str, int, str]
    at: np.ndarray
    weights: np.ndarray
    load: float
    week: tuple[tuple[float, float], tuple[float, float]]
    year: tuple[tuple[float, float], tuple[float, float]]


def opening_queues(
    inputs: ModelInputs, rows: pd.DataFrame, envelopes: StaffingEnvelopes
) -> list[OpenedQueue]:
    """The queues opened by a binary and their lines, in the envelopes' order (each row
    with a year column outside a pool, then each language pool): those at sites staffed
    hour by hour that need a first agent (``m_0 > 0``) and whose loads are tabulated."""
    settings = inputs.scenario.settings
    traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
    call_types = {c.id: c for c in inputs.scenario.call_types}
    occupancy = settings.occupancy
    months = month_weights(inputs)
    rostered = set(rostered_sites(inputs))
    pooled = envelopes.pooled()
    year_column = envelopes.year_column
    queues = [
        (np.array([position]), np.ones(1))
        for position in range(len(envelopes.rows))
        if year_column[position] and not pooled[position]
    ]
    queues += list(zip(envelopes.pools, envelopes.pool_weights, strict=True))
    sites = rows["site"].to_numpy()
    types = rows["call_type"].to_numpy()
    languages_of = rows["language"].to_numpy()
    hours = rows["hour"].to_numpy()
    found_queues: list[OpenedQueue] = []
    for positions, weights in queues:
        at = envelopes.rows[positions]
        if str(sites[at[0]]) in rostered:
            continue
        call_type = call_types[str(types[at[0]])]
        whole = bool(envelopes.whole[positions].all())
        first = first_agent(call_type, whole)
        if first <= 0.0:
            continue
        total = float(traffic[at].sum())
        ratios, month_weeks = months[call_type.id]
        limits = limits_to(call_type, occupancy, total * max(1.0, float(ratios.max())))
        dip = 0.0 if whole else corner_slack(call_type, occupancy)
        week = opening_line(limits, total, first, dip)
        busy = ratios > 0
        found = [opening_line(limits, float(ratio) * total, first, dip) for ratio in ratios[busy]]
        lines = [line for line in found if line is not None]
        if week is None or len(lines) < len(found):
            continue  # past the table: the envelope stands
        used = month_weeks[busy]
        # a month's line is in its own load ρ a: per sizing-week load its slope is ρ s
        year_b = float(sum(w * b for w, (b, _) in zip(used, lines, strict=True)))
        year_s = float(
            sum(w * ratio * s for w, ratio, (_, s) in zip(used, ratios[busy], lines, strict=True))
        )
        languages = "+".join(str(language) for language in languages_of[at])
        found_queues.append(
            OpenedQueue(
                key=(str(call_type.id), languages, int(hours[at[0]]), str(sites[at[0]])),
                at=at,
                weights=np.asarray(weights, dtype=float),
                load=total,
                week=(week, (first, 0.0)),
                year=((year_b, year_s), (float(used.sum()) * first, 0.0)),
            )
        )
    return found_queues


def add_queue_opening(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Each queue q at a site staffed hour by hour (a language pool, or a row with a
    year column; ``T`` its load at share 1, ``z = Σ_r w_r x_r`` its share) is opened by
    a binary ``o_q`` that carries its lines (the chord ``j = 0`` and the first agent
    alone ``j = 1``, from :func:`opening_line`; why they hold: the module's docstring):

    .. math:: z \le o_q, \qquad
              \sum_{r \in q} (\kappa_r T_r x_r + e_r) \ge b_j o_q + s_j T z, \qquad
              \sum_{r \in q} y_r \ge B_j o_q + S_j T z

    Only when ``settings.queue_opening``; none for queues without the jump or past
    the table."""
    envelopes = variables.envelopes
    settings = inputs.scenario.settings
    if not settings.queue_opening or envelopes is None or not len(envelopes.rows):
        return
    if not len(variables.year):
        return
    found = opening_queues(inputs, variables.assignments, envelopes)
    keys = [queue.key for queue in found]
    members = [queue.at for queue in found]
    weights_of = [queue.weights for queue in found]
    weeks = [queue.week for queue in found]
    years = [queue.year for queue in found]
    loads = [queue.load for queue in found]
    if not keys:
        return
    opened = lp.add_binaries("queue_open", keys)
    share, extra, year = variables.share, variables.extra, variables.year
    linear = variables.agent_hours
    lp.add_rows(
        "open_share", keys,
        [np.concatenate([share[at], [o]]) for at, o in zip(members, opened, strict=True)],
        [np.concatenate([w, [-1.0]]) for w in weights_of],
        upper=0.0,
    )  # fmt: skip
    for family, column, lines_of, on_share in (
        ("open_week", extra, weeks, True),
        ("open_year", year, years, False),
    ):
        for j in (0, 1):  # the chord, then the first agent alone (flat)
            lp.add_rows(
                family, [(*key, j) for key in keys],
                [
                    np.concatenate([column[at], share[at], [o]])
                    for at, o in zip(members, opened, strict=True)
                ],
                [
                    np.concatenate([
                        np.ones(len(at)),
                        (linear[at] if on_share else 0.0) - lines[j][1] * total * w,
                        [-lines[j][0]],
                    ])
                    for at, w, lines, total in zip(members, weights_of, lines_of, loads, strict=True)
                ],
                lower=0.0,
            )  # fmt: skip
