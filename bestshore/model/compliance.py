"""Data-protection costs that depend on where data goes: SCC compliance per country.

Countries outside the EU/EEA without an adequacy decision may receive restricted data
(a class whose rule does not allow "any" country) only under standard contractual
clauses; each such country used costs a yearly compliance effort (transfer impact
assessment, audits, legal), whatever the volume sent there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables
from bestshore.model.inputs import ModelInputs, jurisdiction_of
from bestshore.model.program import LinearProgram
from bestshore.scenario.schema import Jurisdiction

__all__ = ["add_scc_compliance", "scc_costs", "under_scc"]


def under_scc(inputs: ModelInputs, rows: pd.DataFrame) -> np.ndarray:
    """True for each assignment whose data reaches its site only under SCC."""
    policies = inputs.scenario.policies
    market = inputs.market["country"]
    classes = inputs.workloads["data_class"]
    data_class = classes.reindex(pd.MultiIndex.from_frame(rows[["call_type", "language"]]))
    country = inputs.sites["country"].reindex(rows["site"]).to_numpy()
    needs = {}
    for cls, where in {(c, k) for c, k in zip(data_class, country, strict=True)}:
        allowed = set(policies.data_jurisdictions[cls])
        held = jurisdiction_of(market, where) - {Jurisdiction.SCC}
        needs[(cls, where)] = Jurisdiction.SCC in allowed and not (allowed & held)
    return np.array([needs[(c, k)] for c, k in zip(data_class, country, strict=True)], dtype=bool)


def _cost(inputs: ModelInputs, country: str) -> float:
    policies = inputs.scenario.policies
    return float(policies.scc_compliance_costs.get(country, policies.scc_compliance_cost))


def add_scc_compliance(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[str, int]:
    r"""A yearly compliance cost for each country used under standard contractual clauses.

    With ``Q(g)`` the assignments whose data reaches country g only under SCC, a binary
    ``u[g]`` says g is used so, ``W`` the week's work:

    .. math:: \sum_{i \in Q(g)} A_i x_i \le W u_g

    and the objective pays ``C_g u_g`` (``policies.scc_compliance_cost``, or the
    country's override). Name ``scc[g]``. Binaries: MILP.
    """
    if variables.elastic:
        return {}
    rows = variables.assignments
    if rows.empty:
        return {}
    scc = under_scc(inputs, rows)
    if not scc.any():
        return {}
    country = inputs.sites["country"].reindex(rows["site"]).to_numpy()
    work = rows["handle_hours"].to_numpy()
    total = float(inputs.demand["handle_hours"].sum())
    countries = sorted({c for c, flag in zip(country, scc, strict=True) if flag})
    costs = np.array([_cost(inputs, g) for g in countries])
    countries = [g for g, c in zip(countries, costs, strict=True) if c > 0]
    if not countries:
        return {}
    used = lp.add_binaries("scc_country", countries)
    lp.add_cost(used, np.array([_cost(inputs, g) for g in countries]))
    members = [np.flatnonzero(scc & (country == g)) for g in countries]
    rows_added = lp.add_rows(
        "scc", countries, [variables.share[m] for m in members], [work[m] for m in members],
        upper=0.0,
    )  # fmt: skip
    lp.add_terms(rows_added, used, np.full(len(countries), -total))
    return dict(zip(countries, rows_added.tolist(), strict=True))


def scc_costs(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    """Compliance costs an exact plan pays: ``kind`` (scc), ``id`` (country), ``cost``."""
    columns = ["kind", "id", "cost"]
    if staffing.empty:
        return pd.DataFrame([], columns=columns)
    working = staffing[staffing["share"] > 1e-9]
    scc = under_scc(inputs, working)
    countries = sorted(set(inputs.sites["country"].reindex(working["site"]).to_numpy()[scc]))
    rows = [("scc", g, _cost(inputs, g)) for g in countries if _cost(inputs, g) > 0]
    return pd.DataFrame(rows, columns=columns)
