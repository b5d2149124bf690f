"""The LP's constraint families, one function each (math, index set and names below).

Notation. ``D`` is the set of demand units d = (c, l, h): a call type, a language and a
market hour of the sizing week (``h = WEEK`` for deferred work); ``S`` the sites;
``E ⊆ D x S`` the eligible assignments (``bestshore.model.sets``). For (d, s) ∈ E:

- ``A[d]`` handle hours of d [h per sizing week] (its traffic in Erlangs for an hour);
- ``k[d,s]`` agents per Erlang (``1/occupancy``, ``1/utilisation``, or ``N(a)/a`` from
  Erlang C, see ``bestshore.model.staffing``) and ``m[c,s]`` the repeat factor (contacts
  handled per forecast contact, ``fcr_baseline / FCR_s``, 1 by default); ``k·m·A`` are
  the agent hours if s takes all of d (written ``k·A`` below, ``m`` folded into ``k``);
- ``r[c,s]`` price per productive hour [currency/h]; ``π[s,h]`` the hour's pay
  multiplier (night, weekend); ``F[c]`` the annual factor [weeks/yr];
- ``H[s]`` capacity [productive h per week]; ``M[s]`` seats [agents]; ``α[v]`` a
  vendor's share cap; ``S(v)`` the sites of vendor v.

Decision: ``x[d,s] ∈ [0, 1]`` for (d, s) ∈ E, the share of demand unit d handled at s.

With ``elastic=True`` each family adds non-negative slack variables that relax it; the
diagnosis (``bestshore.model.diagnose``) minimizes their total to find the smallest
relaxation that makes an infeasible scenario feasible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.inputs import WEEK, ModelInputs, row_quality
from bestshore.model.program import LinearProgram
from bestshore.model.sets import Eligibility

UNSERVED_WEIGHT = 1000.0

__all__ = [
    "UNSERVED_WEIGHT",
    "Margins",
    "Variables",
    "add_call_type_spread",
    "add_concentration_limits",
    "add_demand_coverage",
    "add_nps_floor",
    "add_panel",
    "add_quality_floor",
    "add_seat_limit",
    "add_share_variables",
    "add_site_capacity",
    "add_vendor_share",
    "set_cost_objective",
    "set_relaxation_objective",
]


@dataclass
class Margins:
    """Hours held back from capacities and seat limits [h/week or agents].

    The staffing loop sets them when a plan's exact (integer) Erlang staffing overshoots
    a limit the linear estimate respected, so the next round leaves room for rounding.
    """

    capacity: dict[str, float] = field(default_factory=dict)
    seats: dict[tuple[str, int], float] = field(default_factory=dict)


@dataclass
class Variables:
    """The decision variables, their coefficients, and the slacks of an elastic build.

    ``share`` holds the program's column of each eligible assignment, aligned with
    ``eligibility.assignments`` (same row order). ``agent_hours`` is ``k·A`` per row [h
    per sizing week]. ``slacks`` maps a family name to a Series of slack columns indexed
    by that family's key; ``binaries`` the column of each 0/1 decision
    (``vendor:<id>``, ``site:<id>``) and ``fixed_costs`` the yearly cost paid when it is 1.
    """

    eligibility: Eligibility
    share: np.ndarray
    agent_hours: np.ndarray
    elastic: bool = False
    margins: Margins = field(default_factory=Margins)
    slacks: dict[str, pd.Series] = field(default_factory=dict)
    fixed_costs: list[tuple[int, float]] = field(default_factory=list)  # (column, currency/yr)
    binaries: dict[str, int] = field(default_factory=dict)

    @property
    def assignments(self) -> pd.DataFrame:
        return self.eligibility.assignments


_NONE = np.array([], dtype=np.int64)


def add_share_variables(
    lp: LinearProgram,
    eligibility: Eligibility,
    elastic: bool,
    agents_per_erlang: np.ndarray | None = None,
    margins: Margins | None = None,
) -> Variables:
    """Create ``x[d,s] ∈ [0, 1]`` for every eligible assignment, named ``share[c,l,h,s]``.

    ``agents_per_erlang`` overrides the pooled factors of the assignments (staffing loop).
    """
    rows = eligibility.assignments
    share = lp.add_columns(
        "share", rows[["call_type", "language", "hour", "site"]], lower=0.0, upper=1.0
    )
    k = rows["agents_per_erlang"].to_numpy() if agents_per_erlang is None else agents_per_erlang
    agent_hours = k * rows["handle_hours"].to_numpy() * rows["repeat_factor"].to_numpy()
    return Variables(
        eligibility=eligibility,
        share=share,
        agent_hours=agent_hours,
        elastic=elastic,
        margins=margins or Margins(),
    )


def _add_slack(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    rows: np.ndarray,
    keys: list[Any],
    upper: float,
    sign: float,
) -> None:
    """Give each row its own slack column ``s ∈ [0, upper]`` with coefficient ``sign``."""
    columns = lp.add_columns(f"slack_{family}", keys, lower=0.0, upper=upper)
    lp.add_terms(rows, columns, np.full(len(rows), sign))
    variables.slacks[family] = pd.Series(
        columns, index=pd.Index(keys, tupleize_cols=False), dtype=np.int64
    )


def add_demand_coverage(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[tuple[str, str, int], int]:
    r"""Every demand unit is handled in full, hour by hour.

    .. math:: \sum_{s : (d,s) \in E} x_{d,s} = 1 \qquad \forall d = (c, l, h) \in D

    Name ``demand[c,l,h]``. Dual: the marginal annual cost of demand unit d
    [currency/yr]. Elastic slack ``u[d] ∈ [0, 1]``: the share left unserved.
    """
    groups = variables.eligibility.groups("call_type", "language", "hour")
    keys = list(inputs.demand.index)
    members = [variables.share[groups.get(key, _NONE)] for key in keys]
    rows = lp.add_rows(
        "demand", keys, members, [np.ones(len(m)) for m in members], lower=1.0, upper=1.0
    )
    if variables.elastic:
        _add_slack(lp, variables, "demand", rows, keys, 1.0, +1.0)
    return dict(zip(keys, rows.tolist(), strict=True))


def add_site_capacity(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[str, int]:
    r"""No site works beyond its capacity in the sizing week.

    .. math:: \sum_{d : (d,s) \in E} k_{d,s} A_d \, x_{d,s} \le (1 - \eta) H_s \qquad \forall s \in S

    with ``η`` the policy's ``capacity_headroom`` (0 by default).

    Name ``capacity[s]``. Dual (≤ 0 in a minimization): what one more productive hour
    per week at s would save a year [currency/(h/week)]. Elastic slack ``e[s] ≥ 0``
    [h/week]: the extra capacity needed.
    """
    groups = variables.eligibility.groups("site")
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    bounds = {
        site: float(inputs.sites.at[site, "capacity_hours"]) * (1 - headroom)
        - variables.margins.capacity.get(site, 0.0)
        for site in inputs.sites.index
    }
    return _group_limits(lp, variables, "capacity", groups, variables.agent_hours, bounds)


def add_seat_limit(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[tuple[str, int], int]:
    r"""No site seats more agents at once than it has seats (sites giving ``max_agents``).

    .. math:: \sum_{(c,l) : ((c,l,h),s) \in E} k A \, x \le M_s
              \qquad \forall s : M_s < \infty, \ \forall h

    Real-time work only (deferred work is scheduled around it). Name ``seats[s,h]``.
    Dual: what one more seat in that hour would save a year [currency/agent].
    """
    seated = inputs.sites["max_agents"].dropna()
    if seated.empty:
        return {}
    # The (site, hour) groups are cached on the eligible set: the staffing loop writes
    # this family again every round. Sorted, as a sorted groupby would give them.
    by_hour = variables.eligibility.groups("site", "hour")
    seats = seated.to_dict()  # a dict: one look-up per (site, hour), no Series indexing
    groups = {key: by_hour[key] for key in sorted(by_hour) if key[0] in seats and key[1] != WEEK}
    bounds = {key: float(seats[key[0]]) - variables.margins.seats.get(key, 0.0) for key in groups}
    return _group_limits(lp, variables, "seats", groups, variables.agent_hours, bounds)


def add_vendor_share(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[str, int]:
    r"""No vendor takes more than its share cap of the work (handle hours of the week).

    .. math:: \sum_{(d,s) \in E,\ s \in S(v)} A_d \, x_{d,s} \le \alpha_v \sum_{d \in D} A_d
              \qquad \forall v : \alpha_v < 1

    The share is of the *work* (handle hours, what contracts commit volume on), so the
    right side is a constant and the rule is exact whatever the staffing. Name
    ``vendor_share[v]``. Dual: what relaxing the cap by one handle hour a week would
    save a year. Elastic slack ``o[v] ≥ 0`` [h/week]: work above the cap.
    """
    caps = inputs.vendors["max_share"].dropna()
    caps = caps[caps < 1.0]
    if caps.empty:
        return {}
    groups = variables.eligibility.groups("vendor")
    total = float(inputs.demand["handle_hours"].sum())
    return _work_share_limit(lp, variables, "vendor_share", groups, caps.to_dict(), total)


def _group_limits(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    groups: dict[Any, np.ndarray],
    coefficients: np.ndarray,
    bounds: dict[Any, float],
    at_least: bool = False,
) -> dict[Any, int]:
    """``Σ_{rows in group} coef·x ≤ bound`` (``≥`` with ``at_least``), one per key of ``bounds``.

    The shared shape of every per-group limit: an elastic build gives each its slack
    (subtracted from a ≤, added to a ≥), and each is named ``family[key]``. A ≤ limit on
    a group with no eligible row is skipped (it cannot bind); a ≥ one is kept (it may
    make the scenario infeasible, which the diagnosis must see).
    """
    keys = [key for key in bounds if key in groups or at_least]
    if not keys:
        return {}
    positions = [groups.get(key, _NONE) for key in keys]
    limit = np.array([bounds[key] for key in keys], dtype=float)
    rows = lp.add_rows(
        family,
        keys,
        [variables.share[p] for p in positions],
        [coefficients[p] for p in positions],
        lower=limit if at_least else -np.inf,
        upper=np.inf if at_least else limit,
    )
    if variables.elastic:
        _add_slack(lp, variables, family, rows, keys, np.inf, 1.0 if at_least else -1.0)
    return dict(zip(keys, rows.tolist(), strict=True))


def _work_share_limit(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    groups: dict[Any, np.ndarray],
    limits: dict[Any, float],
    total: float,
    at_least: bool = False,
) -> dict[Any, int]:
    """``Σ_{rows in group} A x ≤ limit·total`` (``≥`` with ``at_least``): shares of the work."""
    work = variables.assignments["handle_hours"].to_numpy()
    bounds = {key: float(limit) * total for key, limit in limits.items()}
    return _group_limits(lp, variables, family, groups, work, bounds, at_least)


def add_concentration_limits(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[str, dict[Any, int]]:
    r"""Resilience and panel rules on shares of the work (handle hours of the week).

    With ``W = Σ_d A_d`` the week's work and ``G`` a group of sites:

    .. math:: \sum_{(d,s) \in E,\ s \in G} A_d x_{d,s} \le \beta_G W
              \quad\text{or}\quad \ge \beta_G W

    =====================  ==========================  ================================
    name                   group G                     policy
    =====================  ==========================  ================================
    ``site_share[s]``      one site                    ``max_site_share`` (≤)
    ``country_share[c]``   the sites of a country      ``max_country_share`` (≤)
    ``shore_share[sh]``    the sites of a shore        ``max_shore_share`` (≤)
    ``inshore_min[all]``   inshore sites               ``min_inshore_share`` (≥)
    ``preferred[v]``       the preferred vendor's      ``preferred_vendor.min_share`` (≥)
    =====================  ==========================  ================================

    Duals: what moving the limit by one handle hour a week is worth a year.
    """
    policies = inputs.scenario.policies
    rows = variables.assignments
    total = float(inputs.demand["handle_hours"].sum())
    site_info = inputs.sites.reindex(rows["site"])
    by = {
        "site": variables.eligibility.groups("site"),
        "country": pd.Series(site_info["country"].to_numpy())
        .groupby(site_info["country"].to_numpy())
        .indices,
        "shore": pd.Series(site_info["shore"].to_numpy())
        .groupby(site_info["shore"].to_numpy())
        .indices,
        "vendor": variables.eligibility.groups("vendor"),
    }
    families: dict[str, dict[Any, int]] = {}
    if policies.max_site_share is not None:
        limits = dict.fromkeys(inputs.sites.index, policies.max_site_share)
        families["site_share"] = _work_share_limit(
            lp, variables, "site_share", by["site"], limits, total
        )
    if policies.max_country_share is not None:
        limits = dict.fromkeys(inputs.sites["country"].unique(), policies.max_country_share)
        families["country_share"] = _work_share_limit(
            lp, variables, "country_share", by["country"], limits, total
        )
    if policies.max_shore_share:
        limits = dict(policies.max_shore_share)
        families["shore_share"] = _work_share_limit(
            lp, variables, "shore_share", by["shore"], limits, total
        )
    if policies.min_inshore_share is not None:
        groups = {"all": by["shore"].get("inshore", np.array([], dtype=int))}
        families["inshore_min"] = _work_share_limit(
            lp,
            variables,
            "inshore_min",
            groups,
            {"all": policies.min_inshore_share},
            total,
            at_least=True,
        )
    if policies.preferred_vendor is not None:
        preferred = policies.preferred_vendor
        families["preferred"] = _work_share_limit(
            lp,
            variables,
            "preferred",
            by["vendor"],
            {preferred.vendor: preferred.min_share},
            total,
            at_least=True,
        )
    return families


def add_call_type_spread(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[tuple[str, str], int]:
    r"""Each call type is spread over at least k sites (``min_sites_per_call_type``).

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} A_d x_{d,s} \le \frac{1}{k} \sum_{d \in D_c} A_d
              \qquad \forall c, s

    The linear form of "served by at least k sites": no site takes more than 1/k of the
    call type's work, so an outage of one site leaves the service running. Name
    ``spread[c,s]``.
    """
    k = inputs.scenario.policies.min_sites_per_call_type
    if k is None:
        return {}
    work_by_type = inputs.demand["handle_hours"].groupby(level="call_type").sum()
    groups = variables.eligibility.groups("call_type", "site")
    bounds = {key: float(work_by_type[key[0]]) / k for key in groups}
    work = variables.assignments["handle_hours"].to_numpy()
    return _group_limits(lp, variables, "spread", groups, work, bounds)


def add_quality_floor(
    lp: LinearProgram, inputs: ModelInputs, variables: Variables
) -> dict[str, int]:
    r"""Volume-weighted CSAT of a call type's sites at least its floor.

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} (q_{c,s} - \underline{q}_c)\, n_d \, x_{d,s} \ge 0

    with ``q_{c,s}`` the site's CSAT for the call type (its site-level CSAT unless
    ``quality_by_call_type`` gives one; a site reporting none counts as 0) and ``n_d``
    the contacts of demand unit d. Name ``quality_floor[c]``. Dual: what one CSAT point
    less on the floor would save a year, per contact-point.
    """
    return _score_floor(
        lp, inputs, variables, "quality_floor", inputs.scenario.policies.quality_floors, "csat", 0.0
    )


def add_nps_floor(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> dict[str, int]:
    r"""Volume-weighted NPS of a call type's sites at least its floor.

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} (p_{c,s} - \underline{p}_c)\, n_d \, x_{d,s} \ge 0

    with ``p_{c,s}`` the site's NPS for the call type (a site reporting none counts as
    -100, the worst score: an unmeasured site cannot lift a floor). Name
    ``nps_floor[c]``. Dual: what one NPS point less on the floor would save a year,
    per contact-point.
    """
    return _score_floor(
        lp, inputs, variables, "nps_floor", inputs.scenario.policies.nps_floors, "nps", -100.0
    )


def _score_floor(
    lp: LinearProgram,
    inputs: ModelInputs,
    variables: Variables,
    family: str,
    floors: dict[str, float],
    score: str,
    missing: float,
) -> dict[str, int]:
    if not floors:
        return {}
    rows = variables.assignments
    groups = variables.eligibility.groups("call_type")
    keys = [c for c in floors if c in groups]
    if not keys:
        return {}
    calls = (
        inputs.demand["calls"]
        .reindex(pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]]))
        .to_numpy()
    )
    scores = np.nan_to_num(row_quality(inputs, rows, score), nan=missing)
    rows_added = lp.add_rows(
        family,
        keys,
        [variables.share[groups[c]] for c in keys],
        [(scores[groups[c]] - float(floors[c])) * calls[groups[c]] for c in keys],
        lower=0.0,
    )
    if variables.elastic:
        _add_slack(lp, variables, family, rows_added, keys, np.inf, +1.0)
    return dict(zip(keys, rows_added.tolist(), strict=True))


def add_panel(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> dict[str, int]:
    r"""Vendor panel and fixed costs: binary decisions (the model becomes a MILP).

    A binary ``z[v]`` says vendor v is on the panel, ``y[s]`` that site s is open:

    .. math:: \sum_{(d,s) \in E,\ s \in S(v)} A_d x_{d,s} \le W z_v, \qquad
              \sum_{d} k A_d x_{d,s} \le H_s y_s,

    .. math:: \underline{n} \le \sum_v z_v \le \overline{n}, \qquad
              \sum_{(d,s),\ s \in S(v)} A_d x_{d,s} \ge \mu W z_v \ \text{(with a minimum)}

    and the objective pays ``fixed_cost`` for each ``z`` and ``y`` set. Created only for
    the vendors and sites that have a fixed cost, and for all vendors when the panel
    size is bounded. Names ``panel[v]``, ``open[s]``, ``panel_size[max]``,
    ``panel_size[min]``, ``panel_floor[v]``. Binaries have no duals.
    """
    policies = inputs.scenario.policies
    vendors = {v.id: v for v in inputs.scenario.vendors}
    bounded = policies.max_vendors is not None or policies.min_vendors is not None
    panel = [v for v in vendors if bounded or vendors[v].fixed_cost > 0]
    sites = [s.id for s in inputs.scenario.sites if s.fixed_cost > 0]
    if not panel and not sites:
        return {}
    rows = variables.assignments
    work = rows["handle_hours"].to_numpy()
    total = float(inputs.demand["handle_hours"].sum())
    by_vendor = variables.eligibility.groups("vendor")
    by_site = variables.eligibility.groups("site")
    constraints: dict[str, int] = {}
    chosen = dict(zip(panel, lp.add_binaries("on_panel", panel).tolist(), strict=True))
    # panel[v]: work at v's sites <= W z_v (a vendor off the panel gets nothing)
    members = [by_vendor.get(v, _NONE) for v in panel]
    if panel:
        rows_added = lp.add_rows(
            "panel", panel, [variables.share[m] for m in members], [work[m] for m in members],
            upper=0.0,
        )  # fmt: skip
        lp.add_terms(rows_added, np.array(list(chosen.values())), np.full(len(panel), -total))
        constraints.update(
            {f"panel[{v}]": r for v, r in zip(panel, rows_added.tolist(), strict=True)}
        )
        if policies.min_vendors is not None:
            floor = policies.panel_min_share * total
            rows_added = lp.add_rows(
                "panel_floor", panel, [variables.share[m] for m in members],
                [work[m] for m in members], lower=0.0,
            )  # fmt: skip
            lp.add_terms(rows_added, np.array(list(chosen.values())), np.full(len(panel), -floor))
            constraints.update(
                {f"panel_floor[{v}]": r for v, r in zip(panel, rows_added.tolist(), strict=True)}
            )
    binaries = np.array(list(chosen.values()), dtype=np.int64)
    ones = np.ones(len(binaries))
    if policies.max_vendors is not None:
        (row,) = lp.add_rows("panel_size", ["max"], [binaries], [ones], upper=policies.max_vendors)
        constraints["panel_size[max]"] = int(row)
    if policies.min_vendors is not None:
        (row,) = lp.add_rows("panel_size", ["min"], [binaries], [ones], lower=policies.min_vendors)
        constraints["panel_size[min]"] = int(row)
    opened = dict(zip(sites, lp.add_binaries("open_site", sites).tolist(), strict=True))
    # open[s]: agent hours at s <= H_s y_s (a closed site does nothing)
    if sites:
        members = [by_site.get(s, _NONE) for s in sites]
        capacity = inputs.sites["capacity_hours"].reindex(sites).to_numpy(dtype=float)
        rows_added = lp.add_rows(
            "open", sites, [variables.share[m] for m in members],
            [variables.agent_hours[m] for m in members], upper=0.0,
        )  # fmt: skip
        lp.add_terms(rows_added, np.array(list(opened.values())), -capacity)
        constraints.update(
            {f"open[{s}]": r for s, r in zip(sites, rows_added.tolist(), strict=True)}
        )
    variables.fixed_costs = [
        (z, vendors[v].fixed_cost) for v, z in chosen.items() if vendors[v].fixed_cost > 0
    ]
    site_costs = {s.id: s.fixed_cost for s in inputs.scenario.sites}
    variables.fixed_costs += [(y, site_costs[s]) for s, y in opened.items()]
    variables.binaries = {
        **{f"vendor:{v}": z for v, z in chosen.items()},
        **{f"site:{s}": y for s, y in opened.items()},
    }
    return constraints


def annual_cost_coefficients(inputs: ModelInputs, variables: Variables) -> np.ndarray:
    """Annual cost of each assignment at share 1 [currency/yr]: ``β (F·r·π·k·A + F·p·m·n)``.

    ``β`` is the site's bonus/malus multiplier (1 + bonus or 1 - malus, by its CSAT).

    ``p`` is the price per handled contact of a site paid per contact (its ``r`` is 0),
    ``m·n`` the contacts it handles, repeats included.
    """
    rows = variables.assignments
    factor = (rows["annual_factor"] * rows["rate_per_hour"] * rows["premium"]).to_numpy()
    cost = factor * variables.agent_hours
    price = rows["contact_price"].to_numpy()
    if price.any():
        keys = pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]])
        contacts = (
            inputs.demand["calls"].reindex(keys).to_numpy() * rows["repeat_factor"].to_numpy()
        )
        cost = cost + rows["annual_factor"].to_numpy() * price * contacts
    return cost * rows["incentive"].to_numpy()  # bonus/malus on the bill


def set_cost_objective(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Minimize the annual cost of the plan, less the money value of its quality.

    .. math:: \min \sum_{(d,s) \in E} \left( F_c \, r_{c,s} \, \pi_{s,h} \, k_{d,s} A_d
              + F_c \, p_s \, m_{c,s} n_d - v \, q_s \, F_c n_d \right) x_{d,s}

    [currency/yr]. Rates come from the site's rate card for the call type, else its
    price per productive hour (an FTE-month price converted; 0 for a site paid per
    contact, whose price per handled contact is ``p_s``, 0 otherwise: ``m n`` contacts
    handled, repeats included); ``π`` adds the site's night and weekend premiums; ``v`` is
    ``objective.csat_point_value`` (0 by default: cost only), ``q_s`` the site's CSAT
    (for the call type, as in :func:`add_quality_floor`).
    """
    cost = annual_cost_coefficients(inputs, variables)
    value = inputs.scenario.objective.csat_point_value
    if value > 0:  # quality is worth money: credit each contact's CSAT points
        rows = variables.assignments
        keys = pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]])
        calls = inputs.demand["calls"].reindex(keys).to_numpy() * rows["annual_factor"].to_numpy()
        csat = np.nan_to_num(row_quality(inputs, rows, "csat"), nan=0.0)
        cost = cost - value * csat * calls
    lp.add_cost(variables.share, cost)
    if variables.fixed_costs:
        columns, costs = zip(*variables.fixed_costs, strict=True)
        lp.add_cost(np.array(columns), np.array(costs, dtype=float))


def set_relaxation_objective(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Minimize the total relaxation, in agent hours (elastic builds only).

    .. math:: \min \sum_{d} K k_d A_d u_d + \sum_s e_s + \sum_{s,h} m_{s,h} + \sum_v o_v

    Leaving work unserved weighs ``K = UNSERVED_WEIGHT`` times more than stretching a
    capacity or a cap, so the diagnosis names the rule to relax whenever one would do.
    """
    for family, slack in variables.slacks.items():
        if family == "demand":
            demand = inputs.demand.loc[list(slack.index)]
            weights = (
                UNSERVED_WEIGHT * (demand["agents_per_erlang"] * demand["handle_hours"]).to_numpy()
            )
        else:
            weights = np.ones(len(slack))
        lp.add_cost(slack.to_numpy(), weights)
