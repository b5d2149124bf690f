r"""Near-optimal alternatives: a built model's program with its cost capped and another
objective (modelling to generate alternatives, MGA).

The cost-minimizing program of a round (:func:`bestshore.model.build.build_model`) is
kept as it is, every family's rows included; two things change:

- **a budget row** caps its whole objective, every family's costs included (staffing,
  contact prices, fixed costs of open sites and vendors, shortfalls, compliance,
  set-up and transition):

  .. math:: \sum_j c_j z_j + c_0 \le B

  (``c`` the program's cost vector over all its columns ``z``, ``c_0`` its offset, ``B``
  the budget [currency/yr]);
- **the objective** becomes a *direction*: a weighted sum of the work each assignment
  carries, ``\min \sum_{(d,s)} w_{d,s} h_{d,s} x_{d,s} + \epsilon \sum_j c_j z_j``, with
  ``h`` the handle hours an assignment handles at share 1 [h per sizing week, repeats
  included] (:func:`handled_hours`). A positive weight on the sites of a group pushes
  work away from them, a negative one pulls work to them; ``\epsilon`` breaks ties
  toward the cheaper plan.

The program is handed over as arrays (:class:`~bestshore.model.program.ProgramArrays`):
the model's own program is not changed, so the staffing loop can re-price it as any
other round. :mod:`bestshore.analysis.alternatives` chooses the directions, runs the
rounds and costs each plan exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bestshore.model.build import SourcingModel
from bestshore.model.program import ProgramArrays
from bestshore.model.sets import Eligibility

__all__ = ["capped_program", "handled_hours"]


def handled_hours(eligibility: Eligibility) -> np.ndarray:
    """Handle hours each assignment handles at share 1, repeats included [h per sizing
    week], in the order of the eligible assignments (a model's share columns, the model
    built on ``eligibility``)."""
    rows = eligibility.assignments
    return (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)


def capped_program(
    model: SourcingModel, budget: float, direction: np.ndarray, tie_break: float = 0.0
) -> ProgramArrays:
    """The model's program with the budget row and the direction as objective.

    Parameters
    ----------
    model : SourcingModel
        A built (or re-priced) model; its program is read, not changed.
    budget : float
        ``B``, the most the program's objective may be [currency/yr].
    direction : array
        The direction's coefficient of each share column (eligible-assignment order).
    tie_break : float
        ``epsilon``: weight of the program's cost in the new objective [per currency/yr].

    Returns
    -------
    ProgramArrays
        Its last row is the budget row (``budget[all]``); ``offset`` is 0.
    """
    arrays = model.program.arrays()
    cost = arrays.cost
    used = np.flatnonzero(cost != 0.0)
    start = arrays.a_start
    objective = tie_break * cost
    objective[model.variables.share] += np.asarray(direction, dtype=float)
    return dataclasses.replace(
        arrays,
        cost=objective,
        offset=0.0,
        row_lower=np.append(arrays.row_lower, -np.inf),
        row_upper=np.append(arrays.row_upper, budget - arrays.offset),
        a_start=np.append(start, start[-1] + len(used)).astype(start.dtype),
        a_index=np.concatenate([arrays.a_index, used.astype(arrays.a_index.dtype)]),
        a_value=np.concatenate([arrays.a_value, cost[used]]),
    )
