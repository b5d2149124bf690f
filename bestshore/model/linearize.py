r"""Each used queue's staffing linearized at its load: rounds that improve a plan exactly.

The relaxation (:mod:`bestshore.model.curve`) charges a queue split across sites less
than it costs; a plan made to fit by holding room back (:mod:`bestshore.model.plan`) is
then far from the best one. A *linearized round* restricts the model to the queues a
plan uses and charges each its agents on a line at its current load (the
difference-of-convex, or successive linearization, method for concave costs):

- a queue staffed in planning agents ``N_f`` (concave in the load but for tiny dips)
  gets its tangent at ``a``: agents ``≥ N_f(a) + N_f'(a) (T x - a)``, exact at ``a``
  and above ``N_f`` wherever it is concave;
- a queue staffed in whole agents at ``a`` in step ``n = N_w(a)`` gets two lines,
  agents ``≥ n`` and agents ``≥ (n + 1) + (T x - L(n)) / (L(n+1) - L(n))``: exact on the
  step, above the step function beyond it (``L`` convex);
- its year: whole agents month by month on their year column ``y``; planning agents
  through ``e``, priced at the sizing week's times the annual factor (an estimate:
  the round's plan is costed month by month like any other);
- a language pool (:mod:`bestshore.model.curve`) is linearized as one queue at its
  summed load ``Σ T_r x_r``, its lines bounding the sum of its rows' agents and, month
  by month, of their year columns ``y`` (which price a pool's year in both models);
- queues the plan does not use keep their envelope: a round may move work to them, at
  the relaxation's price; a plan whose exact staffing then overshoots a limit has the
  overshoot held back in the next round.

A round's plan is staffed and costed exactly like any other and kept only if it fits
every limit and costs less; the bound is the relaxation's, untouched.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from bestshore.model.build import SourcingModel
from bestshore.model.curve import StaffingEnvelopes, limits_to
from bestshore.model.program import row_tuples
from bestshore.model.staffing import agents_needed, planning_agents_of, roster_agents
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads
from bestshore.scenario.schema import CallType

__all__ = ["linearized"]

_ZERO = 1e-9


def _tangents(
    call_type: CallType, loads: np.ndarray, occupancy: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(N_f(a), N_f'(a))`` at each load, by central differences [agents, agents per
    Erlang]."""
    step = np.maximum(1e-4, 1e-3 * loads)
    low = np.maximum(loads - step, 1e-12)
    size = len(loads)
    agents = planning_agents_of(call_type, np.concatenate([loads + step, low, loads]), occupancy)
    rise = agents[:size] - agents[size : 2 * size]
    return agents[2 * size :], rise / (loads + step - low)


def _step_lines(call_type: CallType, load: float, occupancy: float) -> tuple[float, float, float]:
    """Whole agents at ``a``: ``n``, and the line above the next steps, ``(n + 1) +
    (T x - L(n)) / ΔL`` as ``(n, intercept, slope per Erlang)``."""
    limits = limits_to(call_type, occupancy, 2 * load + 1)
    whole = float(roster_agents(call_type, load, occupancy))
    n = int(whole)
    if n + 1 >= len(limits):
        return whole, 0.0, 1.0 / occupancy
    rise = 1.0 / max(limits[n + 1] - limits[n], 1e-12)
    return whole, (n + 1) - limits[n] * rise, rise


def _tangent(call_type: CallType, load: float, occupancy: float) -> tuple[float, float]:
    """:func:`_tangents` at one load (the scalar staffing: one load at a time is its
    case, an array of one costs a walk of numpy calls)."""
    step = max(1e-4, 1e-3 * load)
    low = max(load - step, 1e-12)
    rise = agents_needed(call_type, load + step, occupancy) - agents_needed(
        call_type, low, occupancy
    )
    return agents_needed(call_type, load, occupancy), rise / (load + step - low)


def _year_lines(
    call_type: CallType, load: float, ratios: np.ndarray, occupancy: float
) -> tuple[float, float, float]:
    """:func:`_step_lines` summed over the year's months (``ratios`` of the sizing
    week's load, :data:`WEEKS_PER_MONTH` each): whole agents, the line's intercept and
    its slope per unit of the sizing week's load."""
    flat = line = slope = 0.0
    for ratio in ratios:
        if ratio <= 0:
            continue
        m, b, r = _step_lines(call_type, ratio * load, occupancy)
        flat += WEEKS_PER_MONTH * m
        line += WEEKS_PER_MONTH * b
        slope += WEEKS_PER_MONTH * r * ratio
    return flat, line, slope


def _planning_tangents(
    envelopes: StaffingEnvelopes,
    shares: np.ndarray,
    traffic: np.ndarray,
    types: np.ndarray,
    call_types: dict[str, CallType],
    occupancy: float,
) -> dict[int, tuple[float, float]]:
    """:func:`_tangents` of the rows in planning agents in use, per call type at once, by
    position in ``envelopes.rows``."""
    rows = envelopes.rows
    used = np.flatnonzero((shares[rows] > _ZERO) & ~envelopes.whole)
    found: dict[int, tuple[float, float]] = {}
    kinds = types[rows[used]]
    for call_type_id in pd.unique(kinds):
        positions = used[kinds == call_type_id]
        loads = traffic[rows[positions]] * shares[rows[positions]]
        agents, rise = _tangents(call_types[str(call_type_id)], loads, occupancy)
        found.update(
            zip(positions.tolist(), zip(agents.tolist(), rise.tolist(), strict=True), strict=True)
        )
    return found


def _pool_tangents(
    envelopes: StaffingEnvelopes,
    shares: np.ndarray,
    traffic: np.ndarray,
    call_types: dict[str, CallType],
    months: dict[str, np.ndarray],
    occupancy: float,
) -> dict[tuple[str, float], tuple[float, float]]:
    """:func:`_tangents` of the loads the language pools in planning agents in use ask
    for (each pool's load, and its months' loads), per call type at once: the scalar
    :func:`_tangent`'s figures, bit for bit (the tests compare them), by ``(call type,
    load)``."""
    wanted: dict[str, list[float]] = {}
    for key, pool in zip(envelopes.pool_keys, envelopes.pools, strict=True):
        at = envelopes.rows[pool]
        load = float(traffic[at] @ shares[at])
        if load <= _ZERO or envelopes.whole[pool].all():
            continue
        loads = wanted.setdefault(key[0], [])
        loads.append(load)
        loads += [ratio * load for ratio in months[key[0]] if ratio > 0]
    found: dict[tuple[str, float], tuple[float, float]] = {}
    for call_type_id, loads in wanted.items():
        distinct = np.unique(np.array(loads, dtype=float))
        agents, rise = _tangents(call_types[call_type_id], distinct, occupancy)
        found.update(
            zip(
                [(call_type_id, load) for load in distinct.tolist()],
                zip(agents.tolist(), rise.tolist(), strict=True),
                strict=True,
            )
        )
    return found


def linearized(model: SourcingModel, shares: np.ndarray) -> SourcingModel:
    """The model with the Erlang-staffed rows in use at ``shares`` linearized at their
    loads (this module's docstring): a copy of its program with the rows
    ``linear_staffing[c,l,h,s,j]`` added in a section of their own, no solution."""
    inputs = model.inputs
    variables = model.variables
    envelopes = variables.envelopes
    program = model.program.copy()
    if envelopes is None or not len(envelopes.rows):
        return dataclasses.replace(model, program=program, solution=None)
    occupancy = inputs.scenario.settings.occupancy
    sizing = inputs.scenario.settings.sizing
    rows = variables.assignments
    traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
    types = rows["call_type"].to_numpy()
    call_types = {c.id: c for c in inputs.scenario.call_types}
    months = {
        c.id: np.round(month_loads(c.seasonality, sizing), 12) for c in inputs.scenario.call_types
    }
    names = row_tuples(rows[["call_type", "language", "hour", "site"]])
    keys: list[tuple[object, ...]] = []
    members: list[np.ndarray] = []
    values: list[np.ndarray] = []
    lower: list[float] = []
    tangents = _planning_tangents(envelopes, shares, traffic, types, call_types, occupancy)
    pooled = envelopes.pooled()
    known = _pool_tangents(envelopes, shares, traffic, call_types, months, occupancy)

    def tangent(call_type: CallType, load: float) -> tuple[float, float]:
        """:func:`_tangent` of a pool's load (computed beforehand, all at once)."""
        key = (call_type.id, load)
        if key not in known:
            known[key] = _tangent(call_type, load, occupancy)
        return known[key]

    for position, row in enumerate(envelopes.rows):
        share = float(shares[row])
        if share <= _ZERO or pooled[position]:
            continue
        call_type = call_types[str(types[row])]
        total = traffic[row]
        load = total * share
        linear = variables.agent_hours[row]  # κ T
        x, e = variables.share[row], variables.extra[row]
        named = names[row]
        if envelopes.whole[position]:
            y = variables.year[row]
            n, intercept, rise = _step_lines(call_type, load, occupancy)
            flat, line, slope = _year_lines(call_type, load, months[call_type.id], occupancy)
            slope *= total
            keys += [(*named, j) for j in range(4)]
            members += [np.array([e, x]), np.array([e, x]), np.array([y]), np.array([y, x])]
            values += [
                np.array([1.0, linear]), np.array([1.0, linear - rise * total]),
                np.array([1.0]), np.array([1.0, -slope]),
            ]  # fmt: skip
            lower += [n, intercept, flat, line]
        else:  # the year follows the sizing week's e (priced as its weeks)
            agents, rise = tangents[position]
            keys.append((*named, 0))
            members.append(np.array([e, x]))
            values.append(np.array([1.0, linear - rise * total]))
            lower.append(agents - rise * load)
    for key, pool in zip(envelopes.pool_keys, envelopes.pools, strict=True):
        at = envelopes.rows[pool]
        load = float(traffic[at] @ shares[at])
        if load <= _ZERO:
            continue
        call_type = call_types[key[0]]
        x, e = variables.share[at], variables.extra[at]
        linear = variables.agent_hours[at]  # κ_p T_r
        ones = np.ones(len(at))
        if envelopes.whole[pool].all():
            y = variables.year[at]
            n, intercept, rise = _step_lines(call_type, load, occupancy)
            flat, line, slope = _year_lines(call_type, load, months[call_type.id], occupancy)
            keys += [(*key, j) for j in range(4)]
            members += [np.concatenate([e, x]), np.concatenate([e, x]), y, np.concatenate([y, x])]
            values += [
                np.concatenate([ones, linear]), np.concatenate([ones, linear - rise * traffic[at]]),
                ones, np.concatenate([ones, -slope * traffic[at]]),
            ]  # fmt: skip
            lower += [n, intercept, flat, line]
        else:  # tangents, the sizing week's on e and the months' on the year column y
            y = variables.year[at]
            agents, rise = tangent(call_type, load)
            line = slope = 0.0
            for ratio in months[call_type.id]:
                if ratio <= 0:
                    continue
                month, month_rise = tangent(call_type, ratio * load)
                line += WEEKS_PER_MONTH * (month - month_rise * ratio * load)
                slope += WEEKS_PER_MONTH * month_rise * ratio
            keys += [(*key, 0), (*key, 1)]
            members += [np.concatenate([e, x]), np.concatenate([y, x])]
            values += [
                np.concatenate([ones, linear - rise * traffic[at]]),
                np.concatenate([ones, -slope * traffic[at]]),
            ]
            lower += [agents - rise * load, line]
    with program.section("linearized"):
        program.add_rows("linear_staffing", keys, members, values, lower=np.array(lower))
    return dataclasses.replace(model, program=program, solution=None)
