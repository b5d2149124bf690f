"""The LP's constraint families, one function each (math, index set and names below).

Notation. ``W`` is the set of workloads (c, l) = (call type, language); ``S`` the sites;
``E ⊆ W x S`` the eligible triples (``bestshore.model.sets``); ``P[c,l]`` the
productive hours of workload (c, l) [h/yr]; ``r[c,s]`` the price per productive hour
[currency/h]; ``H[s]`` a site's capacity [productive h/yr]; ``V`` the vendors and
``S(v)`` the sites of vendor v; ``α[v]`` a vendor's share cap.

Decision: ``x[c,l,s] ∈ [0, 1]`` for (c,l,s) ∈ E, the share of workload (c, l) handled
at site s. The productive hours sent there are ``P[c,l] · x[c,l,s]``.

With ``elastic=True`` each family adds non-negative slack variables that relax it; the
diagnosis (``bestshore.model.diagnose``) minimizes their total to find the smallest
relaxation that makes an infeasible scenario feasible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pulp

from bestshore.model.inputs import ModelInputs
from bestshore.model.sets import Eligibility

UNSERVED_WEIGHT = 1000.0

__all__ = [
    "Variables",
    "add_demand_coverage",
    "add_share_variables",
    "add_site_capacity",
    "add_vendor_share",
    "set_cost_objective",
    "set_relaxation_objective",
]


@dataclass
class Variables:
    """The decision variables and the slacks of an elastic build.

    ``share`` is aligned with ``eligibility.assignments`` (same row order): one
    :class:`pulp.LpVariable` per eligible triple. ``slacks`` maps a family name to a
    Series of slack variables indexed by that family's key.
    """

    eligibility: Eligibility
    share: pd.Series
    elastic: bool = False
    slacks: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def assignments(self) -> pd.DataFrame:
        return self.eligibility.assignments


def _expression(variables: list[Any], coefficients: np.ndarray) -> pulp.LpAffineExpression:
    return pulp.lpSum_vars_coefs(list(zip(variables, coefficients.tolist(), strict=True)))


def add_share_variables(
    problem: pulp.LpProblem, eligibility: Eligibility, elastic: bool
) -> Variables:
    """Create ``x[c,l,s] ∈ [0, 1]`` for every eligible triple, named ``share[c,l,s]``."""
    assignments = eligibility.assignments
    names = (
        "share["
        + assignments["call_type"]
        + ","
        + assignments["language"]
        + ","
        + assignments["site"]
        + "]"
    )
    share = pd.Series(
        [problem.add_variable(name, lowBound=0.0, upBound=1.0) for name in names],
        index=pd.MultiIndex.from_frame(assignments[["call_type", "language", "site"]]),
        dtype=object,
    )
    return Variables(eligibility=eligibility, share=share, elastic=elastic)


def _add_slack(
    problem: pulp.LpProblem, variables: Variables, family: str, keys: list[Any], upper: float | None
) -> dict[Any, pulp.LpVariable]:
    slack = {
        key: problem.add_variable(
            f"slack_{family}[{','.join(map(str, key)) if isinstance(key, tuple) else key}]",
            lowBound=0.0,
            upBound=upper,
        )
        for key in keys
    }
    variables.slacks[family] = pd.Series(slack, dtype=object)
    return slack


def add_demand_coverage(
    problem: pulp.LpProblem, inputs: ModelInputs, variables: Variables
) -> dict[tuple[str, str], pulp.LpConstraint]:
    r"""Every workload is handled in full.

    .. math:: \sum_{s : (c,l,s) \in E} x_{c,l,s} = 1 \qquad \forall (c, l) \in W

    Name ``demand[c,l]``. Dual: the marginal cost of one more whole workload (c, l)
    [currency/yr]; divided by ``P[c,l]``, the marginal price of its productive hour.
    Elastic slack ``u[c,l] ∈ [0, 1]``: the share left unserved.
    """
    groups = variables.assignments.groupby(["call_type", "language"], sort=False).indices
    keys = list(inputs.workloads.index)
    slack = _add_slack(problem, variables, "demand", keys, 1.0) if variables.elastic else {}
    share = variables.share.to_numpy()
    constraints = {}
    for key in keys:
        rows = groups.get(key, np.array([], dtype=int))
        expression = _expression(list(share[rows]), np.ones(len(rows)))
        if key in slack:
            expression += slack[key]
        constraints[key] = problem.addConstraint(
            expression == 1.0, name=f"demand[{key[0]},{key[1]}]"
        )
    return constraints


def add_site_capacity(
    problem: pulp.LpProblem, inputs: ModelInputs, variables: Variables
) -> dict[str, pulp.LpConstraint]:
    r"""No site works beyond its capacity.

    .. math:: \sum_{(c,l) : (c,l,s) \in E} P_{c,l} \, x_{c,l,s} \le H_s \qquad \forall s \in S

    Name ``capacity[s]``. Dual (≤ 0 in a minimization): what one more productive hour
    of capacity at s would save [currency/h]. Elastic slack ``e[s] ≥ 0`` [h/yr]: the
    extra capacity needed.
    """
    assignments = variables.assignments
    groups = assignments.groupby("site", sort=False).indices
    hours = assignments["productive_hours"].to_numpy()
    share = variables.share.to_numpy()
    keys = [site for site in inputs.sites.index if site in groups]
    slack = _add_slack(problem, variables, "capacity", keys, None) if variables.elastic else {}
    constraints = {}
    for site in keys:
        rows = groups[site]
        expression = _expression(list(share[rows]), hours[rows])
        if site in slack:
            expression -= slack[site]
        capacity = float(inputs.sites.at[site, "capacity_hours"])
        constraints[site] = problem.addConstraint(expression <= capacity, name=f"capacity[{site}]")
    return constraints


def add_vendor_share(
    problem: pulp.LpProblem, inputs: ModelInputs, variables: Variables
) -> dict[str, pulp.LpConstraint]:
    r"""No vendor takes more than its share cap of all productive hours.

    .. math:: \sum_{(c,l,s) \in E,\ s \in S(v)} P_{c,l} \, x_{c,l,s}
              \le \alpha_v \sum_{(c,l) \in W} P_{c,l} \qquad \forall v \in V : \alpha_v < 1

    The right side is a constant because demand is covered in full. Name
    ``vendor_share[v]``. Dual: what relaxing the cap by one productive hour would save
    [currency/h]. Elastic slack ``o[v] ≥ 0`` [h/yr]: hours above the cap.
    """
    caps = inputs.vendors["max_share"].dropna()
    caps = caps[caps < 1.0]
    if caps.empty:
        return {}
    assignments = variables.assignments
    groups = assignments.groupby("vendor", sort=False).indices
    hours = assignments["productive_hours"].to_numpy()
    share = variables.share.to_numpy()
    total = inputs.total_productive_hours
    keys = [vendor for vendor in caps.index if vendor in groups]
    slack = _add_slack(problem, variables, "vendor_share", keys, None) if variables.elastic else {}
    constraints = {}
    for vendor in keys:
        rows = groups[vendor]
        expression = _expression(list(share[rows]), hours[rows])
        if vendor in slack:
            expression -= slack[vendor]
        constraints[vendor] = problem.addConstraint(
            expression <= float(caps[vendor]) * total, name=f"vendor_share[{vendor}]"
        )
    return constraints


def set_cost_objective(problem: pulp.LpProblem, inputs: ModelInputs, variables: Variables) -> None:
    r"""Minimize the annual cost of the plan.

    .. math:: \min \sum_{(c,l,s) \in E} r_{c,s} \, P_{c,l} \, x_{c,l,s}

    [currency/yr]. Rates come from the site's rate card for the call type, else its
    price per productive hour.
    """
    assignments = variables.assignments
    cost = (assignments["rate_per_hour"] * assignments["productive_hours"]).to_numpy()
    problem.setObjective(_expression(list(variables.share), cost))


def set_relaxation_objective(
    problem: pulp.LpProblem, inputs: ModelInputs, variables: Variables
) -> None:
    r"""Minimize the total relaxation, in productive hours (elastic builds only).

    .. math:: \min \sum_{(c,l)} K P_{c,l} u_{c,l} + \sum_s e_s + \sum_v o_v

    Leaving work unserved weighs ``K = UNSERVED_WEIGHT`` times more than stretching a
    capacity or a cap, so the diagnosis names the rule to relax whenever one would do.
    """
    terms: list[tuple[Any, float]] = []
    for family, slack in variables.slacks.items():
        if family == "demand":
            hours = inputs.workloads.loc[list(slack.index), "productive_hours"].to_numpy()
            weights = UNSERVED_WEIGHT * hours
        else:
            weights = np.ones(len(slack))
        terms.extend(zip(slack.tolist(), weights.tolist(), strict=True))
    problem.setObjective(pulp.lpSum_vars_coefs(terms))
