"""One-off costs of changing today's allocation: new FTE set up, incumbent work moved.

A sourcing decision starts from somewhere. The scenario's ``incumbent`` gives today's
FTE per site and call type; a plan that grows a site pays to recruit and train the
FTE it adds (``setup_cost_per_fte``: initial training runs 5 days to 3 weeks, autonomy
takes weeks to months), and a plan that takes work away from a site pays for the
transition (``transition_cost_per_fte``: knowledge transfer, parallel running, exit or
redundancy). Both are one-off; the annual objective spreads them over
``objective.amortization_years`` (the contract term), so a cheaper site must save more
a year than its switching cost divided by the term to win the work.

Notation as in :mod:`bestshore.model.constraints`; ``w_s`` is the site's productive
hours per FTE and week, so ``k A x / w_s`` is the FTE an assignment takes (FTE of the
sizing week, as the result tables report them). ``I_s`` and ``I_{s,c}`` are the
incumbent FTE of site s (in all, and for call type c), ``Y`` the amortization years.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables, agent_terms
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram

__all__ = ["add_new_fte_setup", "add_transition", "transition_costs"]


def _fte_terms(
    inputs: ModelInputs, variables: Variables, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of the FTE the rows at ``members`` take: ``(k A x + e) / w_s``."""
    per_fte = inputs.sites["weekly_hours_per_fte"].reindex(variables.assignments["site"])
    weights = 1.0 / per_fte.to_numpy(dtype=float)[members]
    return agent_terms(variables, members, weights)


def _incumbent_fte(inputs: ModelInputs, site: str) -> float:
    return float(sum(inputs.scenario.incumbent.get(site, {}).values()))


def add_new_fte_setup(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Set-up and training of the FTE a plan adds at a site beyond its incumbent FTE.

    For each site s with a ``setup_cost_per_fte`` ``σ_s > 0``, a column ``N_s ≥ 0`` holds
    the new FTE:

    .. math:: \sum_{(d,s) \in E} \frac{k_{d,s} A_d}{w_s} x_{d,s} - N_s \le I_s

    and the objective pays ``σ_s N_s / Y`` [currency/yr]. Minimizing cost makes ``N_s``
    the FTE added (``max(0, FTE_s - I_s)``); a site with no incumbent pays for all its
    FTE. Name ``new_fte[s]``. Dual: the yearly cost of one more incumbent FTE there
    would save, up to ``σ_s / Y``.
    """
    if variables.elastic:
        return
    costs = {s.id: s.setup_cost_per_fte for s in inputs.scenario.sites if s.setup_cost_per_fte}
    by_site = variables.eligibility.groups("site")
    sites = [s for s in sorted(costs) if s in by_site]
    if not sites:
        return
    terms = [_fte_terms(inputs, variables, by_site[s]) for s in sites]
    rows_added = lp.add_rows(
        "new_fte", sites, [t[0] for t in terms], [t[1] for t in terms],
        upper=np.array([_incumbent_fte(inputs, s) for s in sites]),
    )  # fmt: skip
    added = lp.add_columns("new_fte", sites, lower=0.0)
    lp.add_terms(rows_added, added, np.full(len(sites), -1.0))
    years = inputs.scenario.objective.amortization_years
    lp.add_cost(added, np.array([costs[s] for s in sites]) / years)


def add_transition(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Transition of incumbent work the plan moves away from a site, per call type.

    For each incumbent pair (s, c) with ``I_{s,c} > 0`` at a site with a
    ``transition_cost_per_fte`` ``τ_s > 0``, a column ``T_{s,c} ≥ 0`` holds the FTE
    moved away:

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} \frac{k_{d,s} A_d}{w_s} x_{d,s} + T_{s,c}
              \ge I_{s,c}

    and the objective pays ``τ_s T_{s,c} / Y`` [currency/yr]. A pair the site can no
    longer serve at all (not eligible) moves in full. Name ``transition[s,c]``. Dual:
    the yearly cost of moving one more incumbent FTE, up to ``τ_s / Y``.
    """
    if variables.elastic:
        return
    cost = {s.id: s.transition_cost_per_fte for s in inputs.scenario.sites}
    pairs = [
        (site, call_type)
        for site, allocation in sorted(inputs.scenario.incumbent.items())
        for call_type, fte in sorted(allocation.items())
        if fte > 0 and cost.get(site, 0.0) > 0
    ]
    if not pairs:
        return
    groups = variables.eligibility.groups("site", "call_type")
    none = np.array([], dtype=np.int64)
    members = [groups.get(pair, none) for pair in pairs]
    terms = [_fte_terms(inputs, variables, m) for m in members]
    incumbent = inputs.scenario.incumbent
    rows_added = lp.add_rows(
        "transition", pairs, [t[0] for t in terms], [t[1] for t in terms],
        lower=np.array([incumbent[s][c] for s, c in pairs], dtype=float),
    )  # fmt: skip
    moved = lp.add_columns("moved_fte", pairs, lower=0.0)
    lp.add_terms(rows_added, moved, np.ones(len(pairs)))
    years = inputs.scenario.objective.amortization_years
    lp.add_cost(moved, np.array([cost[s] for s, _ in pairs]) / years)


def transition_costs(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    """One-off costs of an exact plan, per year of the term: ``kind``, ``id``, ``cost``.

    ``setup`` (per site: new FTE beyond the incumbent x setup cost) and ``transition``
    (per site: incumbent FTE of each call type no longer there x transition cost), each
    divided by the amortization years. ``staffing`` rows carry ``site``, ``call_type``
    and ``agents`` [productive h per sizing week].
    """
    columns = ["kind", "id", "cost"]
    scenario = inputs.scenario
    if not any(s.setup_cost_per_fte or s.transition_cost_per_fte for s in scenario.sites):
        return pd.DataFrame([], columns=columns)
    years = scenario.objective.amortization_years
    per_fte = inputs.sites["weekly_hours_per_fte"].reindex(staffing["site"]).to_numpy(dtype=float)
    fte = (staffing["agents"] / per_fte).groupby([staffing["site"], staffing["call_type"]]).sum()
    planned: dict[str, dict[str, float]] = defaultdict(dict)  # site -> call type -> FTE
    for (site_id, call_type), value in fte.items():
        planned[site_id][call_type] = float(value)
    rows: list[tuple[str, str, float]] = []
    for site in scenario.sites:
        here = planned[site.id]
        total = sum(here.values())
        incumbent = scenario.incumbent.get(site.id, {})
        if site.setup_cost_per_fte > 0:
            added = max(0.0, total - sum(incumbent.values()))
            if added > 0:
                rows.append(("setup", site.id, added * site.setup_cost_per_fte / years))
        if site.transition_cost_per_fte > 0:
            moved = sum(
                max(0.0, fte_before - here.get(c, 0.0)) for c, fte_before in incumbent.items()
            )
            if moved > 0:
                rows.append(("transition", site.id, moved * site.transition_cost_per_fte / years))
    return pd.DataFrame(rows, columns=columns)
