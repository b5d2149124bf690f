"""Team rules: a team too small is not opened; a call type served by few sites.

Notation as in :mod:`bestshore.model.constraints`; ``w_s`` is the site's productive
hours per FTE and week, so ``m A x / w_s`` is the FTE of work an assignment hands a site
(its handle hours, repeats included, in FTE). A team is measured on that work, not on
the agents staffing it: handle hours are linear and exact, so the rule holds for the
plan's exact staffing whatever the Erlang C rounding (agents are more: the work over the
occupancy, plus idle shift hours at rostered sites). ``W_c`` is the call type's work
``Σ_{d ∈ D_c} A_d`` [handle h/week].
"""

from __future__ import annotations

import numpy as np

from bestshore.model.constraints import Variables
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram

__all__ = ["add_call_type_sites", "add_minimum_teams", "minimum_teams"]

_NONE = np.array([], dtype=np.int64)


def minimum_teams(inputs: ModelInputs) -> tuple[dict[str, float], dict[str, float]]:
    """Minimum team FTE per site (whole site) and per site's call-type teams, where set."""
    site_min, type_min = {}, {}
    for site in inputs.scenario.sites:
        whole, per_type = inputs.scenario.minimum_teams(site)
        if whole is not None:
            site_min[site.id] = float(whole)
        if per_type is not None:
            type_min[site.id] = float(per_type)
    return site_min, type_min


def add_minimum_teams(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A team below its minimum size is not opened (binaries: the model becomes a MILP).

    For a site s with a minimum ``m_s`` [FTE], a binary ``t[s]`` opens its team:

    .. math:: m_s t_s \le \sum_{(d,s) \in E} \frac{m_{c,s} A_d}{w_s} x_{d,s} \le C_s t_s

    with ``C_s`` its capacity [FTE]: the site works for this client with at least
    ``m_s`` FTE of work, or not at all. For a site's call-type teams (minimum ``m'_s``), a binary
    ``t[s,c]`` per call type it may take, with the same rows over ``d ∈ D_c``. Columns
    ``team_open[s]``, ``call_type_team_open[s,c]``; rows ``team_min[s]``, ``team_max[s]``,
    ``call_type_team_min[s,c]``, ``call_type_team_max[s,c]``. Binaries have no duals.
    Elastic slack on the minimum rows: the FTE a team lacks.
    """
    site_min, type_min = minimum_teams(inputs)
    if not site_min and not type_min:
        return
    rows = variables.assignments
    per_fte = inputs.sites["weekly_hours_per_fte"].reindex(rows["site"]).to_numpy(dtype=float)
    handled = rows["handle_hours"].to_numpy() * rows["repeat_factor"].to_numpy()
    fte = handled / per_fte  # FTE of work, exact and linear
    capacity = inputs.sites["capacity_fte"]
    by_site = variables.eligibility.groups("site")
    by_type = variables.eligibility.groups("site", "call_type")
    sites = [s for s in sorted(site_min) if s in by_site]
    if sites:
        _teams(
            lp, variables, "team", sites, [by_site[s] for s in sites], fte,
            np.array([site_min[s] for s in sites]), capacity.reindex(sites).to_numpy(dtype=float),
        )  # fmt: skip
    pairs = [key for key in sorted(by_type) if key[0] in type_min]
    if pairs:
        _teams(
            lp, variables, "call_type_team", pairs, [by_type[p] for p in pairs], fte,
            np.array([type_min[s] for s, _ in pairs]),
            capacity.reindex([s for s, _ in pairs]).to_numpy(dtype=float),
        )  # fmt: skip


def _teams(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    keys: list,
    members: list[np.ndarray],
    fte: np.ndarray,
    minimum: np.ndarray,
    capacity: np.ndarray,
) -> None:
    """``m t <= Σ fte·x <= C t`` for each key, with a binary ``t`` (``<family>_open``)."""
    opened = lp.add_binaries(f"{family}_open", keys)
    shares = [variables.share[m] for m in members]
    coefficients = [fte[m] for m in members]
    low = lp.add_rows(f"{family}_min", keys, shares, coefficients, lower=0.0)
    lp.add_terms(low, opened, -minimum)
    high = lp.add_rows(f"{family}_max", keys, shares, coefficients, upper=0.0)
    lp.add_terms(high, opened, -np.maximum(capacity, minimum))
    if variables.elastic:  # the FTE a team lacks to reach its minimum
        slack = lp.add_columns(f"slack_{family}_min", keys)
        lp.add_terms(low, slack, np.ones(len(keys)))
        lp.add_cost(slack, 1.0)


def add_call_type_sites(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A call type is served by at most ``K_c`` sites (``max_sites``; 1 for ``single_team``).

    A binary ``u[c,s]`` says site s serves call type c:

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} A_d x_{d,s} \le W_c u_{c,s}, \qquad
              \sum_s u_{c,s} \le K_c

    so with ``single_team`` one site takes the call type's whole opening window (a site
    that closes at 19:00 cannot take the day and leave the evenings to another).
    Columns ``serving[c,s]``; rows ``serves[c,s]``, ``call_type_sites[c]``. Binaries have no
    duals. Elastic slack on ``call_type_sites``: the sites beyond the limit.
    """
    limits: dict[str, int] = {}
    for kind in inputs.scenario.call_types:
        if kind.single_team:
            limits[kind.id] = 1
        elif kind.max_sites is not None:
            limits[kind.id] = kind.max_sites
    if not limits:
        return
    by_type_site = variables.eligibility.groups("call_type", "site")
    work = variables.assignments["handle_hours"].to_numpy()
    total = inputs.demand["handle_hours"].groupby(level="call_type").sum()
    for call_type in sorted(limits):
        pairs = [key for key in sorted(by_type_site) if key[0] == call_type]
        if not pairs:
            continue
        serves = lp.add_binaries("serving", pairs)
        members = [by_type_site[p] for p in pairs]
        rows = lp.add_rows(
            "serves", pairs, [variables.share[m] for m in members], [work[m] for m in members],
            upper=0.0,
        )  # fmt: skip
        lp.add_terms(rows, serves, np.full(len(pairs), -float(total[call_type])))
        (count,) = lp.add_rows(
            "call_type_sites", [call_type], [serves], [np.ones(len(pairs))],
            upper=float(limits[call_type]),
        )  # fmt: skip
        if variables.elastic:
            (slack,) = lp.add_columns("slack_call_type_sites", [call_type])
            lp.add_terms(np.array([count]), np.array([slack]), np.array([-1.0]))
            lp.add_cost(np.array([slack]), 1.0)
