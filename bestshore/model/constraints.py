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

With ``elastic=True`` each family adds non-negative slack variables that relax it, and
their weight in the objective; the diagnosis (``bestshore.model.diagnose``) minimizes
their total to find the smallest relaxation that makes an infeasible scenario feasible.

Every family writes its own columns, rows and objective terms and returns nothing: its
rows are read back by their labels ``family[key]`` (``LinearProgram.row_keys``), keys
being tuples of the family's index values. The registry of families, what each reads and
what its rows mean, is :mod:`bestshore.model.families`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.curve import StaffingEnvelopes
from bestshore.model.inputs import WEEK, ModelInputs, rostered_sites, row_quality
from bestshore.model.program import LinearProgram, row_tuples
from bestshore.model.sets import Eligibility

UNSERVED_WEIGHT = 1000.0

__all__ = [
    "UNSERVED_WEIGHT",
    "AddFamily",
    "Margins",
    "Variables",
    "add_call_type_spread",
    "add_country_share",
    "add_demand_coverage",
    "add_inshore_minimum",
    "add_nps_floor",
    "add_open_sites",
    "add_panel",
    "add_preferred_partner",
    "add_quality_floor",
    "add_queue_staffing",
    "add_seat_limit",
    "add_share_variables",
    "add_shore_share",
    "add_site_capacity",
    "add_site_share",
    "add_vendor_share",
    "agent_terms",
    "annual_cost_coefficients",
    "bill_terms",
    "extra_costs",
    "most_bill",
    "set_cost_objective",
    "year_costs",
]


@dataclass
class Margins:
    """Hours held back from capacities and seat limits [h/week or agents].

    The rounds that fit a plan set them when its exact Erlang staffing overshoots
    a limit the linear estimate respected, so the next round leaves room for rounding.
    """

    capacity: dict[str, float] = field(default_factory=dict)
    seats: dict[tuple[str, int], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Variables:
    """The work-share columns every family reads, and their coefficients.

    ``share`` holds the program's column of each eligible assignment, aligned with
    ``eligibility.assignments`` (same row order). ``agent_hours`` is ``k·A`` per row [h
    per sizing week]. ``elastic`` marks a diagnosis build (families add slacks), and
    ``margins`` the hours the rounds hold back from limits. Families own every
    other column they write (binaries, slacks, shortfalls), read back by family name.

    ``extra`` holds, per row, the column ``e`` of the agent hours beyond ``κ·T·x`` that
    the row's envelope adds (``queue_agents[c,l,h,s]``, :mod:`bestshore.model.curve`), -1
    where there is none: every family that counts a row's agent hours counts it too
    (:func:`agent_terms`). ``year`` holds the column ``y`` of its agent-weeks a year
    (``queue_year[c,l,h,s]``), which the objective and the bills price; -1 where none.
    """

    eligibility: Eligibility
    share: np.ndarray
    agent_hours: np.ndarray
    elastic: bool = False
    margins: Margins = field(default_factory=Margins)
    extra: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    year: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    envelopes: StaffingEnvelopes | None = None

    @property
    def assignments(self) -> pd.DataFrame:
        return self.eligibility.assignments


def agent_terms(
    variables: Variables, positions: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The columns and coefficients of ``Σ_{r in positions} w_r (k_r A_r x_r + e_r)``: the
    agent hours of the rows at ``positions`` (weighted), the ``e`` of Erlang-staffed rows
    (their agents beyond ``κ T x``, :mod:`bestshore.model.curve`) included."""
    weight = np.ones(len(positions)) if weights is None else np.asarray(weights, dtype=float)
    columns = variables.share[positions]
    values = variables.agent_hours[positions] * weight
    if not len(variables.extra):
        return columns, values
    extra = variables.extra[positions]
    has = extra >= 0
    return np.concatenate([columns, extra[has]]), np.concatenate([values, weight[has]])


# A constraint family: writes its columns, rows and objective terms into the program.
AddFamily = Callable[[LinearProgram, ModelInputs, Variables], None]


_NONE = np.array([], dtype=np.int64)
_NO_VALUES = np.array([], dtype=float)


def add_share_variables(
    lp: LinearProgram,
    eligibility: Eligibility,
    elastic: bool,
    agents_per_erlang: np.ndarray | None = None,
    margins: Margins | None = None,
    envelopes: StaffingEnvelopes | None = None,
) -> Variables:
    """Create ``x[d,s] ∈ [0, 1]`` for every eligible assignment, named ``share[c,l,h,s]``.

    ``agents_per_erlang`` overrides the pooled factors of the assignments. The rows of
    ``envelopes`` (:mod:`bestshore.model.curve`) take its factor ``κ`` and get
    ``queue_agents[c,l,h,s] ≥ 0``, agent hours beyond ``κ·T·x``; those staffed in whole
    agents also ``queue_year[c,l,h,s] ≥ 0``, their agent-weeks a year.
    """
    rows = eligibility.assignments
    keys = rows[["call_type", "language", "hour", "site"]]
    share = lp.add_columns("share", keys, lower=0.0, upper=1.0)
    k = rows["agents_per_erlang"].to_numpy() if agents_per_erlang is None else agents_per_erlang
    if envelopes is not None:
        k = np.where(np.isnan(envelopes.factor), k, envelopes.factor)
    agent_hours = k * rows["handle_hours"].to_numpy() * rows["repeat_factor"].to_numpy()
    extra = year = np.array([], dtype=np.int64)
    if envelopes is not None and len(envelopes.rows):
        extra = np.full(len(rows), -1, dtype=np.int64)
        extra[envelopes.rows] = lp.add_columns("queue_agents", keys.iloc[envelopes.rows], lower=0.0)
        whole = envelopes.rows[envelopes.year_column]  # whole agents, language pools
        if len(whole):
            year = np.full(len(rows), -1, dtype=np.int64)
            year[whole] = lp.add_columns("queue_year", keys.iloc[whole], lower=0.0)
    return Variables(
        eligibility=eligibility,
        share=share,
        agent_hours=agent_hours,
        elastic=elastic,
        margins=margins or Margins(),
        extra=extra,
        year=year,
        envelopes=envelopes,
    )


def _add_slack(
    lp: LinearProgram,
    family: str,
    rows: np.ndarray,
    keys: list[Any],
    upper: float,
    sign: float,
    weight: float | np.ndarray = 1.0,
) -> None:
    """Give each row its own slack column ``s ∈ [0, upper]`` with coefficient ``sign``,
    named ``slack_<family>[key]``, weighing ``weight`` in the relaxation objective (one
    agent hour, or handle hour, relaxed counts 1)."""
    columns = lp.add_columns(f"slack_{family}", keys, lower=0.0, upper=upper)
    lp.add_terms(rows, columns, np.full(len(rows), sign))
    lp.add_cost(columns, weight)


def add_demand_coverage(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Every demand unit is handled in full, hour by hour.

    .. math:: \sum_{s : (d,s) \in E} x_{d,s} = 1 \qquad \forall d = (c, l, h) \in D

    Name ``demand[c,l,h]``. Dual: the marginal annual cost of demand unit d
    [currency/yr]. Elastic slack ``u[d] ∈ [0, 1]``: the share left unserved, weighing
    ``K k_d A_d`` (``K = UNSERVED_WEIGHT``: leaving work unserved weighs far more than
    stretching a capacity or a cap, so the diagnosis names the rule to relax whenever
    one would do).
    """
    groups = variables.eligibility.groups("call_type", "language", "hour")
    keys = list(inputs.demand.index)
    members = [variables.share[groups.get(key, _NONE)] for key in keys]
    rows = lp.add_rows(
        "demand", keys, members, [np.ones(len(m)) for m in members], lower=1.0, upper=1.0
    )
    if variables.elastic:
        demand = inputs.demand
        weight = UNSERVED_WEIGHT * (demand["agents_per_erlang"] * demand["handle_hours"]).to_numpy()
        _add_slack(lp, "demand", rows, keys, 1.0, +1.0, weight)


def add_site_capacity(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No site works beyond its capacity in the sizing week.

    .. math:: \sum_{d : (d,s) \in E} (k_{d,s} A_d \, x_{d,s} + e_{d,s}) \le (1 - \eta) H_s
              \qquad \forall s \in S

    with ``η`` the policy's ``capacity_headroom`` (0 by default). A rostered site's
    capacity is on its paid shift hours instead (``bestshore.model.roster``).

    Name ``capacity[s]``. Dual (≤ 0 in a minimization): what one more productive hour
    per week at s would save a year [currency/(h/week)]. Elastic slack ``e[s] ≥ 0``
    [h/week]: the extra capacity needed.
    """
    groups = variables.eligibility.groups("site")
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    rostered = rostered_sites(inputs)  # their capacity is on paid shift hours (roster)
    bounds = {
        site: float(inputs.sites.at[site, "capacity_hours"]) * (1 - headroom)
        - variables.margins.capacity.get(site, 0.0)
        for site in inputs.sites.index
        if site not in rostered
    }
    _group_limits(lp, variables, "capacity", groups, None, bounds)


def add_seat_limit(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No site seats more agents at once than it has seats (sites giving ``max_agents``).

    .. math:: \sum_{(c,l) : ((c,l,h),s) \in E} (k A \, x + e) \le M_s
              \qquad \forall s : M_s < \infty, \ \forall h

    Real-time work only (deferred work is scheduled around it); a rostered site's
    seats hold its agents on shift instead. Name ``seats[s,h]``.
    Dual: what one more seat in that hour would save a year [currency/agent].
    """
    seated = inputs.sites["max_agents"].dropna()
    seated = seated[~seated.index.isin(list(rostered_sites(inputs)))]  # on shift (roster)
    if seated.empty:
        return
    # The (site, hour) groups are cached on the eligible set: the solve's rounds write
    # this family again every round. Sorted, as a sorted groupby would give them.
    by_hour = variables.eligibility.groups("site", "hour")
    seats = seated.to_dict()  # a dict: one look-up per (site, hour), no Series indexing
    groups = {key: by_hour[key] for key in sorted(by_hour) if key[0] in seats and key[1] != WEEK}
    bounds = {key: float(seats[key[0]]) - variables.margins.seats.get(key, 0.0) for key in groups}
    _group_limits(lp, variables, "seats", groups, None, bounds)


def add_vendor_share(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
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
        return
    groups = variables.eligibility.groups("vendor")
    total = float(inputs.demand["handle_hours"].sum())
    _work_share_limit(lp, variables, "vendor_share", groups, caps.to_dict(), total)


def _group_limits(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    groups: dict[Any, np.ndarray],
    coefficients: np.ndarray | None,
    bounds: dict[Any, float],
    at_least: bool = False,
) -> None:
    """``Σ_{rows in group} coef·x ≤ bound`` (``≥`` with ``at_least``), one per key of ``bounds``.

    The shared shape of every per-group limit: an elastic build gives each its slack
    (subtracted from a ≤, added to a ≥), and each is named ``family[key]``. A ≤ limit on
    a group with no eligible row is skipped (it cannot bind); a ≥ one is kept (it may
    make the scenario infeasible, which the diagnosis must see). ``coefficients`` None
    counts the rows' agent hours (:func:`agent_terms`).
    """
    keys = [key for key in bounds if key in groups or at_least]
    if not keys:
        return
    positions = [groups.get(key, _NONE) for key in keys]
    limit = np.array([bounds[key] for key in keys], dtype=float)
    flat = np.concatenate(positions)
    entry_rows = np.repeat(np.arange(len(keys)), [len(p) for p in positions])
    columns = variables.share[flat]
    if coefficients is not None:
        values = coefficients[flat]
    else:  # agent hours, κ T x + e (agent_terms, for every group at once)
        values = variables.agent_hours[flat]
        if len(variables.extra):
            extra = variables.extra[flat]
            has = extra >= 0
            columns = np.concatenate([columns, extra[has]])
            values = np.concatenate([values, np.ones(int(has.sum()))])
            entry_rows = np.concatenate([entry_rows, entry_rows[has]])
    rows = lp.add_rows_of_terms(
        family,
        keys,
        entry_rows,
        columns,
        values,
        lower=limit if at_least else -np.inf,
        upper=np.inf if at_least else limit,
    )
    if variables.elastic:
        _add_slack(lp, family, rows, keys, np.inf, 1.0 if at_least else -1.0)


def _work_share_limit(
    lp: LinearProgram,
    variables: Variables,
    family: str,
    groups: dict[Any, np.ndarray],
    limits: dict[Any, float],
    total: float,
    at_least: bool = False,
) -> None:
    """``Σ_{rows in group} A x ≤ limit·total`` (``≥`` with ``at_least``): shares of the work."""
    work = variables.assignments["handle_hours"].to_numpy()
    bounds = {key: float(limit) * total for key, limit in limits.items()}
    _group_limits(lp, variables, family, groups, work, bounds, at_least)


def _by_site_column(
    inputs: ModelInputs, variables: Variables, column: str
) -> dict[Any, np.ndarray]:
    """Row positions of the assignments by a column of their site (country, shore)."""
    values = inputs.sites[column].reindex(variables.assignments["site"]).to_numpy()
    return pd.Series(values).groupby(values).indices


def _work(inputs: ModelInputs) -> float:
    """The week's work ``W = Σ_d A_d`` [handle h per sizing week]."""
    return float(inputs.demand["handle_hours"].sum())


def add_site_share(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No site takes more than ``max_site_share`` of the work (resilience).

    .. math:: \sum_{(d,s) \in E} A_d x_{d,s} \le \beta W \qquad \forall s \in S

    with ``W = Σ_d A_d`` the week's work. Name ``site_share[s]``. Dual: what letting the
    site take one more handle hour a week would save a year. Elastic slack [h/week].
    """
    cap = inputs.scenario.policies.max_site_share
    if cap is None:
        return
    limits = dict.fromkeys(inputs.sites.index, cap)
    groups = variables.eligibility.groups("site")
    _work_share_limit(lp, variables, "site_share", groups, limits, _work(inputs))


def add_country_share(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No country takes more than ``max_country_share`` of the work.

    .. math:: \sum_{(d,s) \in E,\ s \in S(g)} A_d x_{d,s} \le \beta W \qquad \forall g

    Name ``country_share[g]``. Dual: what one more handle hour a week in g would save.
    """
    cap = inputs.scenario.policies.max_country_share
    if cap is None:
        return
    limits = dict.fromkeys(inputs.sites["country"].unique(), cap)
    groups = _by_site_column(inputs, variables, "country")
    _work_share_limit(lp, variables, "country_share", groups, limits, _work(inputs))


def add_shore_share(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No shore takes more than its ``max_shore_share`` of the work.

    .. math:: \sum_{(d,s) \in E,\ s \in S(sh)} A_d x_{d,s} \le \beta_{sh} W

    Name ``shore_share[sh]``. Dual: what one more handle hour a week there would save.
    """
    caps = inputs.scenario.policies.max_shore_share
    if not caps:
        return
    groups = _by_site_column(inputs, variables, "shore")
    _work_share_limit(lp, variables, "shore_share", groups, dict(caps), _work(inputs))


def add_inshore_minimum(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""At least ``min_inshore_share`` of the work stays inshore.

    .. math:: \sum_{(d,s) \in E,\ s\ \text{inshore}} A_d x_{d,s} \ge \beta W

    Name ``inshore_min[all]``. Dual (≥ 0): what one handle hour a week less kept inshore
    would save a year. Kept when no inshore site is eligible (the diagnosis must see it).
    """
    floor = inputs.scenario.policies.min_inshore_share
    if floor is None:
        return
    inshore = _by_site_column(inputs, variables, "shore").get("inshore", _NONE)
    _work_share_limit(
        lp, variables, "inshore_min", {"all": inshore}, {"all": floor}, _work(inputs), at_least=True
    )


def add_preferred_partner(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""The preferred partner gets at least its minimum share of the work.

    .. math:: \sum_{(d,s) \in E,\ s \in S(v)} A_d x_{d,s} \ge \mu_v W

    Name ``preferred[v]``. Dual: what one handle hour a week less for it would save.
    """
    preferred = inputs.scenario.policies.preferred_vendor
    if preferred is None:
        return
    groups = variables.eligibility.groups("vendor")
    limits = {preferred.vendor: preferred.min_share}
    _work_share_limit(lp, variables, "preferred", groups, limits, _work(inputs), at_least=True)


def add_call_type_spread(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Each call type is spread over at least k sites (``min_sites_per_call_type``).

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} A_d x_{d,s} \le \frac{1}{k} \sum_{d \in D_c} A_d
              \qquad \forall c, s

    The linear form of "served by at least k sites": no site takes more than 1/k of the
    call type's work, so an outage of one site leaves the service running. Name
    ``spread[c,s]``.
    """
    k = inputs.scenario.policies.min_sites_per_call_type
    if k is None:
        return
    work_by_type = inputs.demand["handle_hours"].groupby(level="call_type").sum()
    groups = variables.eligibility.groups("call_type", "site")
    bounds = {key: float(work_by_type[key[0]]) / k for key in groups}
    work = variables.assignments["handle_hours"].to_numpy()
    _group_limits(lp, variables, "spread", groups, work, bounds)


def add_quality_floor(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Volume-weighted CSAT of a call type's sites at least its floor.

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} (q_{c,s} - \underline{q}_c)\, n_d \, x_{d,s} \ge 0

    with ``q_{c,s}`` the site's CSAT for the call type (its site-level CSAT unless
    ``quality_by_call_type`` gives one; a site reporting none counts as 0) and ``n_d``
    the contacts of demand unit d. Name ``quality_floor[c]``. Dual: what one CSAT point
    less on the floor would save a year, per contact-point.
    """
    _score_floor(
        lp, inputs, variables, "quality_floor", inputs.scenario.policies.quality_floors, "csat", 0.0
    )


def add_nps_floor(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Volume-weighted NPS of a call type's sites at least its floor.

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} (p_{c,s} - \underline{p}_c)\, n_d \, x_{d,s} \ge 0

    with ``p_{c,s}`` the site's NPS for the call type (a site reporting none counts as
    -100, the worst score: an unmeasured site cannot lift a floor). Name
    ``nps_floor[c]``. Dual: what one NPS point less on the floor would save a year,
    per contact-point.
    """
    _score_floor(
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
) -> None:
    if not floors:
        return
    rows = variables.assignments
    groups = variables.eligibility.groups("call_type")
    keys = [c for c in floors if c in groups]
    if not keys:
        return
    calls = rows["unit_calls"].to_numpy()
    scores = np.nan_to_num(row_quality(inputs, rows, score), nan=missing)
    rows_added = lp.add_rows(
        family,
        keys,
        [variables.share[groups[c]] for c in keys],
        [(scores[groups[c]] - float(floors[c])) * calls[groups[c]] for c in keys],
        lower=0.0,
    )
    if variables.elastic:
        _add_slack(lp, family, rows_added, keys, np.inf, +1.0)


def add_panel(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Vendor panel and vendors' fixed costs: binary decisions (the model becomes a MILP).

    A binary ``z[v]`` says vendor v is on the panel:

    .. math:: \sum_{(d,s) \in E,\ s \in S(v)} A_d x_{d,s} \le W z_v, \qquad
              \underline{n} \le \sum_v z_v \le \overline{n}, \qquad
              \sum_{(d,s),\ s \in S(v)} A_d x_{d,s} \ge \mu W z_v \ \text{(with a minimum)}

    and the objective pays each vendor's yearly ``fixed_cost`` when ``z`` is set.
    Created for the vendors that have a fixed cost, and for all vendors when the panel
    size is bounded. Columns ``on_panel[v]``; rows ``panel[v]``, ``panel_floor[v]``,
    ``panel_size[max]``, ``panel_size[min]``. Binaries have no duals.
    """
    policies = inputs.scenario.policies
    vendors = {v.id: v for v in inputs.scenario.vendors}
    bounded = policies.max_vendors is not None or policies.min_vendors is not None
    panel = [v for v in vendors if bounded or vendors[v].fixed_cost > 0]
    if not panel:
        return
    work = variables.assignments["handle_hours"].to_numpy()
    total = _work(inputs)
    by_vendor = variables.eligibility.groups("vendor")
    chosen = lp.add_binaries("on_panel", panel)
    # panel[v]: work at v's sites <= W z_v (a vendor off the panel gets nothing)
    members = [by_vendor.get(v, _NONE) for v in panel]
    rows = lp.add_rows(
        "panel", panel, [variables.share[m] for m in members], [work[m] for m in members],
        upper=0.0,
    )  # fmt: skip
    lp.add_terms(rows, chosen, np.full(len(panel), -total))
    if policies.min_vendors is not None:
        floor = policies.panel_min_share * total
        rows = lp.add_rows(
            "panel_floor", panel, [variables.share[m] for m in members],
            [work[m] for m in members], lower=0.0,
        )  # fmt: skip
        lp.add_terms(rows, chosen, np.full(len(panel), -floor))
    ones = np.ones(len(chosen))
    if policies.max_vendors is not None:
        lp.add_rows("panel_size", ["max"], [chosen], [ones], upper=policies.max_vendors)
    if policies.min_vendors is not None:
        lp.add_rows("panel_size", ["min"], [chosen], [ones], lower=policies.min_vendors)
    costs = np.array([vendors[v].fixed_cost for v in panel], dtype=float)
    paid = costs > 0
    if paid.any() and not variables.elastic:  # a diagnosis minimizes relaxation only
        lp.add_cost(chosen[paid], costs[paid])


def add_open_sites(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Sites' fixed costs: a binary ``y[s]`` says site s is open (the model becomes a MILP).

    .. math:: \sum_{d} (k_{d,s} A_d x_{d,s} + e_{d,s}) \le H_s y_s

    and the objective pays the site's yearly ``fixed_cost`` when ``y`` is set: a closed
    site does nothing. Created for the sites that have a fixed cost. Columns
    ``open_site[s]``, rows ``open[s]``. Binaries have no duals.
    """
    sites = [s for s in inputs.scenario.sites if s.fixed_cost > 0]
    if not sites:
        return
    ids = [s.id for s in sites]
    opened = lp.add_binaries("open_site", ids)
    by_site = variables.eligibility.groups("site")
    members = [by_site.get(s, _NONE) for s in ids]
    capacity = inputs.sites["capacity_hours"].reindex(ids).to_numpy(dtype=float)
    terms = [agent_terms(variables, m) for m in members]
    rows = lp.add_rows(
        "open", ids, [t[0] for t in terms], [t[1] for t in terms], upper=0.0,
    )  # fmt: skip
    lp.add_terms(rows, opened, -capacity)
    if not variables.elastic:  # a diagnosis minimizes relaxation only
        lp.add_cost(opened, np.array([s.fixed_cost for s in sites], dtype=float))


def add_queue_staffing(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Each Erlang-staffed queue's agents bounded below by its envelope, in the sizing
    week and over the year, and each split queue by its agents pooled
    (:mod:`bestshore.model.curve`, where the math is proven).

    For each row r of :attr:`StaffingEnvelopes.rows` (traffic ``T_r`` at share 1,
    ``κ_r`` its first facet's slope) and the facets ``(b_j, s_j)`` of its hull and of
    its year:

    .. math:: e_r \ge b_j + (s_j - \kappa_r T_r)\, x_r, \qquad
              y_r \ge b'_j + s'_j\, x_r

    and for each demand unit d with rows ``R(d)``:

    .. math:: \sum_{r \in R(d)} (\kappa_r T_r x_r + e_r) \ge N_d, \qquad
              \sum_{r \in R(d)} y_r \ge Y_d

    Names ``queue_hull[c,l,h,s,j]``, ``queue_year[c,l,h,s,j]``, ``pooled_staffing[c,l,h]``
    and ``pooled_year[c,l,h]``. Duals: what one more agent (agent-week a year) of the
    row's floor would cost a year [currency/yr per agent]. Kept as built when terms
    change (the envelopes read demand and the staffing model only).
    """
    envelopes = variables.envelopes
    if envelopes is None or not len(envelopes.rows):
        return
    keys = variables.assignments[["call_type", "language", "hour", "site"]].iloc[envelopes.rows]
    names = row_tuples(keys)
    rows = envelopes.rows
    linear = variables.agent_hours[rows]  # κ T of each row
    share, extra = variables.share[rows], variables.extra[rows]
    year = variables.year[rows] if len(variables.year) else np.full(len(rows), -1)
    at = envelopes.hull_row
    order = np.arange(len(at)) - np.searchsorted(at, at)
    if len(at):
        lp.add_rows(
            "queue_hull",
            [(*names[r], int(j)) for r, j in zip(at, order, strict=True)],
            [np.array([e, x]) for e, x in zip(extra[at], share[at], strict=True)],
            [np.array([1.0, k - s]) for k, s in zip(linear[at], envelopes.hull_slope, strict=True)],
            lower=envelopes.hull_intercept,
        )
    _add_pool_staffing(lp, variables, envelopes, linear, share, extra, year)
    at = envelopes.year_row
    order = np.arange(len(at)) - np.searchsorted(at, at)
    if not len(at):
        return  # planning agents only: their line κ is the envelope
    lp.add_rows(
        "queue_year",
        [(*names[r], int(j)) for r, j in zip(at, order, strict=True)],
        [np.array([y, x]) for y, x in zip(year[at], share[at], strict=True)],
        [np.array([1.0, -s]) for s in envelopes.year_slope],
        lower=envelopes.year_intercept,
    )
    if envelopes.units:
        units = envelopes.units
        lp.add_rows(
            "pooled_staffing",
            envelopes.unit_keys,
            [np.concatenate([share[u], extra[u]]) for u in units],
            [np.concatenate([linear[u], np.ones(len(u))]) for u in units],
            lower=envelopes.unit_floor,
        )
        lp.add_rows(
            "pooled_year",
            envelopes.unit_keys,
            [year[u] for u in units],
            [np.ones(len(u)) for u in units],
            lower=envelopes.unit_year_floor,
        )


def _add_pool_staffing(
    lp: LinearProgram,
    variables: Variables,
    envelopes: StaffingEnvelopes,
    linear: np.ndarray,
    share: np.ndarray,
    extra: np.ndarray,
    year: np.ndarray,
) -> None:
    r"""The facets of each language pool p (rows ``R(p)``, load share ``z = Σ w_r x_r``):

    .. math:: \sum_{r \in R(p)} (\kappa_p T_r x_r + e_r) \ge b_j + s_j z, \qquad
              \sum_{r \in R(p)} y_r \ge b'_j + s'_j z

    named ``queue_hull[c,L,h,s,j]`` and ``queue_year[c,L,h,s,j]``, ``L`` the pooled
    languages joined by ``+``; and the year's cuts through the whole-agent corners'
    line at every corner of the pool's box of shares (:func:`~bestshore.model.curve.pool_cuts`), ``pool_cut_year[c,L,h,s,j]``:

    .. math:: \sum_{r \in R(p)} y_r \ge b_j + \sum_{r \in R(p)} c_{j,r} x_r

    In both staffing models a pool's year is priced on its rows' ``y``."""
    pools = envelopes.pools
    if not pools:
        return
    for facets, family, column in (
        (envelopes.pool_hull, "queue_hull", extra),
        (envelopes.pool_year, "queue_year", year),
    ):
        if not len(facets):
            continue
        at = facets[:, 0].astype(np.int64)
        order = np.arange(len(at)) - np.searchsorted(at, at)
        names = [(*envelopes.pool_keys[p], int(j)) for p, j in zip(at, order, strict=True)]
        # the pool's agents (κ_p T x + e summed) or year (y summed), less the facet
        sizes = np.array([len(pools[p]) for p in at], dtype=np.int64)
        weights = np.concatenate([envelopes.pool_weights[p] for p in at])
        _add_pool_rows(
            lp, family, names, pools, at, column, share, linear if column is extra else None,
            np.repeat(facets[:, 2], sizes) * weights, lower=facets[:, 1],
        )  # fmt: skip
    cuts = envelopes.pool_year_cuts
    if cuts:
        at = np.array([p for p, _, _ in cuts], dtype=np.int64)
        order = np.arange(len(at)) - np.searchsorted(at, at)
        _add_pool_rows(
            lp, "pool_cut_year",
            [(*envelopes.pool_keys[p], int(j)) for p, j in zip(at, order, strict=True)],
            pools, at, year, share, None, np.concatenate([c for _, _, c in cuts]),
            lower=np.array([b for _, b, _ in cuts]),
        )  # fmt: skip


def _add_pool_rows(
    lp: LinearProgram,
    family: str,
    names: list[tuple[Any, ...]],
    pools: list[np.ndarray],
    at: np.ndarray,
    column: np.ndarray,
    share: np.ndarray,
    linear: np.ndarray | None,
    less: np.ndarray,
    *,
    lower: np.ndarray,
) -> None:
    """Rows over language pools, built flat (thousands of small rows): row i is pool
    ``at[i]``'s ``column`` (coefficient 1) then its ``share`` columns at ``linear`` (0
    where None) less ``less`` (flat: row after row, in the pool's row order)."""
    members = np.concatenate([pools[p] for p in at])
    sizes = np.array([len(pools[p]) for p in at], dtype=np.int64)
    firsts = np.cumsum(sizes) - sizes
    on_share = linear[members] if linear is not None else np.zeros(len(members))
    place = np.repeat(2 * firsts, sizes) + np.arange(len(members)) - np.repeat(firsts, sizes)
    columns = np.empty(2 * len(members), dtype=np.int64)
    values = np.empty(2 * len(members))
    columns[place], values[place] = column[members], 1.0
    on = place + np.repeat(sizes, sizes)
    columns[on] = share[members]
    values[on] = on_share - less
    rows = lp.add_rows(family, names, [_NONE] * len(at), [_NO_VALUES] * len(at), lower=lower)
    lp.add_terms(np.repeat(rows, 2 * sizes), columns, values)


def annual_cost_coefficients(inputs: ModelInputs, variables: Variables) -> np.ndarray:
    """Annual cost of each assignment's share column at share 1 [currency/yr]:
    ``β (F·r·π·k·A + F·p·m·n)``; for Erlang-staffed rows the agents' part is the year's,
    ``r·π·κ_y·T`` (planning agents), or nothing on the share (whole agents: their year
    column ``y``, :func:`year_costs`).

    ``β`` is the site's bonus/malus multiplier (1 + bonus or 1 - malus, by its CSAT).
    ``p`` is the price per handled contact of a site paid per contact (its ``r`` is 0),
    ``m·n`` the contacts it handles, repeats included.
    """
    rows = variables.assignments
    cost = _hour_price(rows) * variables.agent_hours
    envelopes = variables.envelopes
    if envelopes is not None and len(envelopes.rows):
        # the year month by month: κ_y T x agent-weeks (planning agents), or the year
        # column y (whole agents: nothing on the share)
        planning = envelopes.rows[~envelopes.year_column]
        weekly = (rows["rate_per_hour"] * rows["premium"]).to_numpy(dtype=float)
        traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
        cost[planning] = (weekly * envelopes.year_factor * traffic)[planning]
        cost[envelopes.rows[envelopes.year_column]] = 0.0
    price = rows["contact_price"].to_numpy()
    if price.any():
        contacts = rows["unit_calls"].to_numpy() * rows["repeat_factor"].to_numpy()
        cost = cost + rows["annual_factor"].to_numpy() * price * contacts
    return cost * rows["incentive"].to_numpy()  # bonus/malus on the bill


def _hour_price(rows: pd.DataFrame) -> np.ndarray:
    """``F·r·π`` of each assignment: a year of one weekly agent hour [currency/yr]."""
    return (rows["annual_factor"] * rows["rate_per_hour"] * rows["premium"]).to_numpy(dtype=float)


def extra_costs(variables: Variables) -> np.ndarray:
    """Annual price of one agent hour a week of each row's ``e`` [currency/yr]: ``β F r
    π`` for planning agents (the sizing week's, as the year); a millionth of it for
    whole agents, whose year column pays (enough to keep ``e`` at its floor); 0 for rows
    without ``e``."""
    rows = variables.assignments
    if not len(variables.extra):
        return np.zeros(len(rows))
    price = _hour_price(rows) * rows["incentive"].to_numpy(dtype=float)
    if len(variables.year):
        price = np.where(variables.year >= 0, 1e-6 * price, price)
    return np.where(variables.extra >= 0, price, 0.0)


def year_costs(variables: Variables) -> np.ndarray:
    """Price of one agent-week of each row's year column ``y`` [currency per agent-week]:
    ``β r π``, the row's price of a productive hour (0 where the row has no ``y``)."""
    rows = variables.assignments
    if not len(variables.year):
        return np.zeros(len(rows))
    price = (rows["rate_per_hour"] * rows["premium"] * rows["incentive"]).to_numpy(dtype=float)
    return np.where(variables.year >= 0, price, 0.0)


def most_bill(variables: Variables, members: np.ndarray, bill: np.ndarray) -> float:
    """The bill of the rows at ``members`` were each taken in full [currency/yr]: a bound
    on any plan's bill there (``bill`` as in :func:`bill_terms`)."""
    total = float(np.clip(bill[members], 0, None).sum())
    envelopes = variables.envelopes
    if envelopes is None or not len(envelopes.rows):
        return total
    where = np.full(len(variables.assignments), -1, dtype=np.int64)
    where[envelopes.rows] = np.arange(len(envelopes.rows))
    inside = where[members]
    inside = inside[inside >= 0]
    rows = envelopes.rows[inside]
    # whole agents: their year at share 1; planning agents: e at most N(T) - κ T
    beyond = np.clip(envelopes.needed[inside] - variables.agent_hours[rows], 0, None)
    extra = (
        extra_costs(variables)[rows] * beyond
        + year_costs(variables)[rows] * envelopes.year_at_one[inside]
    )
    return total + float(np.clip(extra, 0, None).sum())


def bill_terms(
    variables: Variables, members: np.ndarray, bill: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of the annual bill of the rows at ``members``: ``bill``
    (:func:`annual_cost_coefficients`) on their shares, and their ``e`` and ``y``
    columns (:func:`extra_costs`, :func:`year_costs`)."""
    columns, cost = [variables.share[members]], [bill[members]]
    for kept, price in ((variables.extra, extra_costs), (variables.year, year_costs)):
        if len(kept):
            has = (kept[members] >= 0) & (price(variables)[members] != 0)
            columns.append(kept[members][has])
            cost.append(price(variables)[members][has])
    return np.concatenate(columns), np.concatenate(cost)


def set_cost_objective(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Minimize the annual cost of the work, less the money value of its quality.

    .. math:: \min \sum_{(d,s) \in E} \left( F_c \, r_{c,s} \, \pi_{s,h} \, k_{d,s} A_d
              + F_c \, p_s \, m_{c,s} n_d - v \, q_s \, F_c n_d \right) x_{d,s}
              + \sum_{(d,s)} \beta_s F_c r_{c,s} \pi_{s,h} e_{d,s}
              + \sum_{(d,s)} \beta_s r_{c,s} \pi_{s,h} y_{d,s}

    [currency/yr]. An Erlang-staffed row's agents are priced on the year month by month
    (:mod:`bestshore.model.curve`): planning agents ``r π κ_y T x`` on the share (``κ_y``
    its year factor, instead of ``F k``) and ``β F r π`` on its ``e``; whole agents on
    their year column ``y`` (``e`` only a millionth, a tie-break). Rates come from the site's rate card for the call type, else its
    price per productive hour (an FTE-month price converted; 0 for a site paid per
    contact, whose price per handled contact is ``p_s``, 0 otherwise: ``m n`` contacts
    handled, repeats included); ``π`` adds the site's night and weekend premiums; ``v`` is
    ``objective.csat_point_value`` (0 by default: cost only), ``q_s`` the site's CSAT
    (for the call type, as in :func:`add_quality_floor`). Every other cost (fixed
    costs, shortfalls, compliance, recordings, set-up, transition, discounts) is added
    by the family that owns it. An elastic build minimizes only the relaxation (each
    slack's weight, added by its family): no cost.
    """
    if variables.elastic:
        return
    cost = annual_cost_coefficients(inputs, variables)
    value = inputs.scenario.objective.csat_point_value
    if value > 0:  # quality is worth money: credit each contact's CSAT points
        rows = variables.assignments
        calls = rows["unit_calls"].to_numpy() * rows["annual_factor"].to_numpy()
        csat = np.nan_to_num(row_quality(inputs, rows, "csat"), nan=0.0)
        cost = cost - value * csat * calls
    lp.add_cost(variables.share, cost)
    for kept, price in ((variables.extra, extra_costs), (variables.year, year_costs)):
        has = kept >= 0
        if has.any():  # Erlang-staffed rows' agents beyond κ T x, and whole agents' year
            lp.add_cost(kept[has], price(variables)[has])
