r"""Every queue's staffing step by step: an exact MILP, for scenarios small enough.

A language pool (:mod:`bestshore.model.curve`) is one queue here: its load share
``z = Σ_r w_r x_r`` in place of ``x``, its rows' agents (and year columns) summed.

The relaxation (:mod:`bestshore.model.curve`) bounds a split queue's agents below by a
convex envelope; a plan may cost more than it says, and the proven gap is what is left.
Where the scenario is small, that gap is closed by branching instead: each
Erlang-staffed row r (traffic ``T`` at share 1) gets one binary ``z[r,n]`` per whole
agent count ``n = 1..N(T)`` and a piece ``x[r,n]`` of its share, the load's step:

.. math:: x_r = \sum_n x_{r,n}, \qquad \sum_n z_{r,n} \le 1, \qquad
          L(n-1)\, z_{r,n} \le T x_{r,n} \le L(n)\, z_{r,n}

and its agents ``κ T x + e`` at least, on the step chosen,

- ``n`` (whole agents: exact), or
- the line from ``(L(n-1), n-1-δ)`` to ``(L(n), n-δ)`` (planning agents, which lie
  above it but for the measured dip ``δ``, :func:`~bestshore.model.curve.corner_slack`);

its year column ``y`` (whole agents) at least the sum over the months of the same,
each month's load ``ρ_m`` times the sizing week's inside the step's range (the lowest
agents a month of the step can need: those at its lower end). Every line lies under
what the plan staffed exactly needs, so the MILP is a relaxation too: its dual bound
is a lower bound; for whole agents in a flat year its plan is exact and its gap the
proven one. Names ``queue_step[c,l,h,s,n]`` (binaries), ``queue_piece[c,l,h,s,n]``;
rows ``step_share``, ``step_one``, ``step_low``, ``step_high``, ``step_agents`` and
``step_year``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bestshore.model.build import SourcingModel
from bestshore.model.curve import corner_slack, limits_to
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads

__all__ = ["EXACT_BINARIES", "EXACT_NODES", "segmented", "step_count"]

#: Scenarios needing at most this many step binaries are solved step by step.
EXACT_BINARIES = 100
#: Branch-and-bound nodes the step MILP may explore: a deterministic limit (its bound
#: stays proven wherever it stops).
EXACT_NODES = 150


def step_count(model: SourcingModel) -> int:
    """Binaries :func:`segmented` would add: the whole agents every Erlang-staffed row
    needs at share 1."""
    envelopes = model.variables.envelopes
    if envelopes is None:
        return 0
    return int(np.ceil(envelopes.needed).sum())


def segmented(model: SourcingModel) -> SourcingModel:
    """The model with every Erlang-staffed row's load on one whole-agent step (this
    module's docstring): a copy of its program, no solution."""
    variables = model.variables
    envelopes = variables.envelopes
    program = model.program.copy()
    if envelopes is None or not len(envelopes.rows):
        return dataclasses.replace(model, program=program, solution=None)
    inputs = model.inputs
    occupancy = inputs.scenario.settings.occupancy
    sizing = inputs.scenario.settings.sizing
    rows = variables.assignments
    traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
    call_types = {c.id: c for c in inputs.scenario.call_types}
    names = rows[["call_type", "language", "hour", "site"]]
    # the queues: each row on its own, and each language pool (its rows' load share z)
    pooled = envelopes.pooled()
    queues = [
        (tuple(names.iloc[row]), np.array([position]), np.ones(1))
        for position, row in enumerate(envelopes.rows)
        if not pooled[position]
    ]
    queues += list(zip(envelopes.pool_keys, envelopes.pools, envelopes.pool_weights, strict=True))
    with program.section("segments"):
        for named, members, weights in queues:
            at = envelopes.rows[members]
            call_type = call_types[str(rows.at[at[0], "call_type"])]
            total = float(traffic[at].sum())
            whole = bool(envelopes.whole[members].all())
            limits = limits_to(call_type, occupancy, total)
            top = int(np.searchsorted(limits, total, side="left"))
            if top >= len(limits):
                continue  # past the table: its envelope stands
            steps = np.arange(1, top + 1)
            keys = [(*named, int(n)) for n in steps]
            chosen = program.add_binaries("queue_step", keys)
            pieces = program.add_columns("queue_piece", keys, lower=0.0, upper=1.0)
            x, e = variables.share[at], variables.extra[at]
            low = limits[steps - 1] / total
            high = np.minimum(limits[steps] / total, 1.0)
            program.add_rows(
                "step_share", [named], [np.concatenate([x, pieces])],
                [np.concatenate([weights, -np.ones(top)])], lower=0.0, upper=0.0,
            )  # fmt: skip
            program.add_rows("step_one", [named], [chosen], [np.ones(top)], upper=1.0)
            pairs = [np.array([p, z]) for p, z in zip(pieces, chosen, strict=True)]
            program.add_rows("step_low", keys, pairs, [np.array([1.0, -v]) for v in low], lower=0.0)
            program.add_rows(
                "step_high", keys, pairs, [np.array([1.0, -v]) for v in high], upper=0.0
            )
            if whole:  # exact: n agents on step n
                floor, rise = steps.astype(float), np.zeros(top)
            else:  # the corner line, less the dip
                dip = corner_slack(call_type, occupancy)
                floor = steps - 1 - dip
                rise = total / np.diff(limits)[:top]  # agents per unit of the piece's share
            # Σ (κ T x + e) ≥ Σ_n (floor_n z_n + rise_n (x_n - low_n z_n))
            program.add_rows(
                "step_agents", [named],
                [np.concatenate([e, x, chosen, pieces])],
                [np.concatenate([np.ones(len(at)), variables.agent_hours[at],
                                 -(floor - rise * low), -rise])],
                lower=0.0,
            )  # fmt: skip
            if whole:
                loads = month_loads(call_type.seasonality, sizing)
                # each month at the step's lower end: the fewest agents it may need
                least = np.array(
                    [
                        sum(
                            WEEKS_PER_MONTH
                            * float(np.searchsorted(limits, r * limits[n - 1], side="right"))
                            for r in loads
                            if r > 0
                        )
                        for n in steps
                    ]
                )
                program.add_rows(
                    "step_year", [named],
                    [np.concatenate([variables.year[at], chosen])],
                    [np.concatenate([np.ones(len(at)), -least])],
                    lower=0.0,
                )  # fmt: skip
    return dataclasses.replace(model, program=program, solution=None)
