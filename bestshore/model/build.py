"""Assemble the LP: a flat list of the constraint families, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from bestshore.model import constraints as c
from bestshore.model.inputs import ModelInputs
from bestshore.model.sets import Eligibility, eligible_assignments

__all__ = ["SourcingModel", "build_model"]


@dataclass
class SourcingModel:
    """A built (not yet solved) sourcing LP and what it was built from.

    ``constraints`` maps a family name (``demand``, ``capacity``, ``seats``, ``vendor_share``) to
    its constraints keyed by the family's index.
    """

    inputs: ModelInputs
    problem: pulp.LpProblem
    variables: c.Variables
    constraints: dict[str, dict[Any, pulp.LpConstraint]]

    @property
    def eligibility(self) -> Eligibility:
        return self.variables.eligibility

    @property
    def elastic(self) -> bool:
        return self.variables.elastic


def build_model(
    inputs: ModelInputs,
    *,
    elastic: bool = False,
    eligibility: Eligibility | None = None,
    agents_per_erlang: np.ndarray | None = None,
    margins: c.Margins | None = None,
) -> SourcingModel:
    """Build the sourcing LP for prepared inputs.

    Parameters
    ----------
    inputs : ModelInputs
        From :func:`bestshore.model.inputs.prepare_inputs`.
    elastic : bool
        Add slack to every family and minimize total relaxation instead of cost
        (used to diagnose infeasible scenarios).
    eligibility : Eligibility, optional
        Reuse an eligible set already computed for these inputs.
    agents_per_erlang : array, optional
        Staffing factor per assignment row (the staffing loop's update); default the
        pooled factors of the eligible set.
    margins : Margins, optional
        Hours held back from limits (the staffing loop's rounding room).
    """
    eligibility = eligibility or eligible_assignments(inputs)
    problem = pulp.LpProblem("bestshore", pulp.LpMinimize)
    variables = c.add_share_variables(problem, eligibility, elastic, agents_per_erlang, margins)
    families: dict[str, dict[Any, pulp.LpConstraint]] = {
        "demand": c.add_demand_coverage(problem, inputs, variables),
        "capacity": c.add_site_capacity(problem, inputs, variables),
        "seats": c.add_seat_limit(problem, inputs, variables),
        "vendor_share": c.add_vendor_share(problem, inputs, variables),
        **c.add_concentration_limits(problem, inputs, variables),
        "spread": c.add_call_type_spread(problem, inputs, variables),
        "quality_floor": c.add_quality_floor(problem, inputs, variables),
        "panel": c.add_panel(problem, inputs, variables),
    }
    if elastic:
        c.set_relaxation_objective(problem, inputs, variables)
    else:
        c.set_cost_objective(problem, inputs, variables)
    return SourcingModel(inputs=inputs, problem=problem, variables=variables, constraints=families)
