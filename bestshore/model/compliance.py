"""Data-protection costs that depend on where data goes: SCC compliance, recordings.

Countries outside the EU/EEA without an adequacy decision may receive restricted data
(a class whose rule does not allow "any" country) only under standard contractual
clauses; each such country used costs a yearly compliance effort (transfer impact
assessment, audits, legal), whatever the volume sent there.

Calls are recorded (quality, disputes, evidence) at a rate per call type that a site
country's rule may cap, and kept for the data class's retention: storage costs money
per contact handled, more where more is recorded or kept longer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables
from bestshore.model.inputs import ModelInputs, jurisdiction_of, pair_codes
from bestshore.model.program import LinearProgram
from bestshore.scenario.schema import DEFAULT_RETENTION_MONTHS, Channel, Jurisdiction

__all__ = [
    "add_recording_storage",
    "add_scc_compliance",
    "recording_costs",
    "recording_storage_per_contact",
    "scc_costs",
    "under_scc",
]


def under_scc(inputs: ModelInputs, rows: pd.DataFrame) -> np.ndarray:
    """True for each assignment whose data reaches its site only under SCC."""
    policies = inputs.scenario.policies
    market = inputs.market["country"]
    data_class = {c.id: c.data_class for c in inputs.scenario.call_types}
    country = inputs.sites["country"].to_dict()
    # A few distinct (call type, site) pairs over many rows: decide each pair once.
    codes, pairs = pair_codes(rows["call_type"], rows["site"])
    needs = np.zeros(len(pairs), dtype=bool)
    for i, (call_type, site) in enumerate(pairs):
        cls, where = data_class[call_type], country[site]
        allowed = set(policies.data_jurisdictions[cls])
        held = jurisdiction_of(market, where) - {Jurisdiction.SCC}
        needs[i] = Jurisdiction.SCC in allowed and not (allowed & held)
    return needs[codes] if len(codes) else np.zeros(0, dtype=bool)


def _cost(inputs: ModelInputs, country: str) -> float:
    policies = inputs.scenario.policies
    return float(policies.scc_compliance_costs.get(country, policies.scc_compliance_cost))


def add_scc_compliance(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A yearly compliance cost for each country used under standard contractual clauses.

    With ``Q(g)`` the assignments whose data reaches country g only under SCC, a binary
    ``u[g]`` says g is used so, ``W`` the week's work:

    .. math:: \sum_{i \in Q(g)} A_i x_i \le W u_g

    and the objective pays ``C_g u_g`` (``policies.scc_compliance_cost``, or the
    country's override). Name ``scc[g]``. Binaries: MILP.
    """
    if variables.elastic:
        return
    rows = variables.assignments
    if rows.empty:
        return
    scc = under_scc(inputs, rows)
    if not scc.any():
        return
    country = inputs.sites["country"].reindex(rows["site"]).to_numpy()
    work = rows["handle_hours"].to_numpy()
    total = float(inputs.demand["handle_hours"].sum())
    countries = sorted({c for c, flag in zip(country, scc, strict=True) if flag})
    costs = np.array([_cost(inputs, g) for g in countries])
    countries = [g for g, c in zip(countries, costs, strict=True) if c > 0]
    if not countries:
        return
    used = lp.add_binaries("scc_country", countries)
    lp.add_cost(used, np.array([_cost(inputs, g) for g in countries]))
    members = [np.flatnonzero(scc & (country == g)) for g in countries]
    rows_added = lp.add_rows(
        "scc", countries, [variables.share[m] for m in members], [work[m] for m in members],
        upper=0.0,
    )  # fmt: skip
    lp.add_terms(rows_added, used, np.full(len(countries), -total))


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


def recording_storage_per_contact(inputs: ModelInputs, rows: pd.DataFrame) -> np.ndarray:
    """Storage cost of the recordings of one contact handled [currency/contact], per row.

    ``rows`` needs ``call_type`` and ``site``. A voice contact is recorded with
    probability ``min(recording_rate, cap of the site's country)``, its AHT kept for
    the retention months of its data class, at ``recording_storage_price`` per recorded
    hour and month: ``min(ρ_c, κ_g) x AHT_c / 3600 x R_c x P``. Other channels: 0.
    """
    policies = inputs.scenario.policies
    price = policies.recording_storage_price
    if price <= 0 or rows.empty:
        return np.zeros(len(rows))
    # Recorded hours kept, per contact recorded: AHT x retention months, by call type.
    rate, kept = {}, {}
    for c in inputs.scenario.call_types:
        rate[c.id] = c.recording_rate if c.channel == Channel.VOICE else 0.0
        months = policies.recording_retention_months.get(c.data_class, DEFAULT_RETENTION_MONTHS)
        kept[c.id] = c.aht_seconds / 3600.0 * months
    country = inputs.sites["country"].reindex(rows["site"]).to_numpy()
    cap = np.array([policies.recording_caps.get(g, 1.0) for g in country], dtype=float)
    types = rows["call_type"].to_numpy()
    recorded = np.minimum(np.array([rate[c] for c in types], dtype=float), cap)
    return recorded * np.array([kept[c] for c in types], dtype=float) * price


def add_recording_storage(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Storage of call recordings, a cost per contact handled (no rows of its own).

    With ``σ_{c,s}`` from :func:`recording_storage_per_contact`, the objective pays

    .. math:: \sum_{(d,s) \in E} F_c \, \sigma_{c,s} \, m_{c,s} n_d \, x_{d,s}

    [currency/yr]: every contact handled (repeats included) is recorded at the capped
    rate. Paid to storage, outside any vendor's bill: no volume tier, bonus or malus
    applies to it. Family name ``recording`` (an objective term: no constraint, no dual).
    """
    rows = variables.assignments
    if variables.elastic or rows.empty:
        return
    storage = recording_storage_per_contact(inputs, rows)
    if not storage.any():
        return
    contacts = rows["unit_calls"].to_numpy() * rows["repeat_factor"].to_numpy()
    lp.add_cost(variables.share, rows["annual_factor"].to_numpy() * storage * contacts)


def recording_costs(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    """Recording storage an exact plan pays: ``kind`` (recording), ``id`` (site), ``cost``.

    ``staffing`` rows carry ``calls`` handled in the sizing week (repeats included) and
    the ``annual_factor`` that makes them a year's.
    """
    columns = ["kind", "id", "cost"]
    storage = recording_storage_per_contact(inputs, staffing)
    if not storage.any():
        return pd.DataFrame([], columns=columns)
    yearly = staffing["calls"].to_numpy() * staffing["annual_factor"].to_numpy() * storage
    by_site = pd.Series(yearly).groupby(staffing["site"].to_numpy()).sum()
    rows = [("recording", str(site), float(cost)) for site, cost in by_site.items() if cost > 0]
    return pd.DataFrame(rows, columns=columns)
