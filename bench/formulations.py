"""Reference formulations of bestshore's LP, for the benchmark only.

Each builds, from the same prepared tables (``prepare_inputs(scenario)`` and
``eligible_assignments(inputs)``), the LP that ``bestshore/model/constraints.py``
documents for the families the benchmark scenarios use, and solves it with HiGHS
(one thread, no output). With ``E`` the eligible assignments and ``x[d,s] ∈ [0, 1]``:

- demand coverage: ``Σ_s x[d,s] = 1`` for every demand unit d = (c, l, h);
- site capacity: ``Σ_d (k·m·A · x[d,s] + e[d,s]) <= (1 - η)·H_s`` for every site with a
  row;
- seats: ``Σ_{(c,l)} (k·m·A · x + e) <= M_s`` for every site with seats and market hour h
  (real-time rows only);
- vendor share caps: ``Σ_{s ∈ S(v)} A · x <= α_v · Σ_d A_d`` for vendors with α_v < 1;
- objective: ``min Σ F·r·π·k·m·A · x`` [currency/yr] over the rows sized by workload.

**Erlang staffing** (call types with a ``service_level``, the floor only): the LP is
bestshore's *relaxation* (:mod:`bestshore.model.curve`). Every Erlang-staffed row r
(real-time, traffic ``T = m·A > 0``) takes ``k = κ_r`` and a column ``e[r] ≥ 0``
(``queue_agents``, its agents beyond ``κ T x``, counted wherever its agent hours are);
under ``settings.staffing_model: whole``, and in either staffing model for a row of a
language pool (below), also a column ``y[r] ≥ 0`` (``queue_year``, its agent-weeks a
year) and, after every other family, the rows of ``queue_staffing``:

- ``queue_hull``: ``e + (κ T - s_j) x >= b_j`` for each facet of its hull past the first;
- the language pools' rows (below);
- ``queue_year``: ``y - s'_j x >= b'_j`` for each facet of its year;
- ``pooled_staffing``: ``Σ_{r ∈ R(d)} (κ T x + e) >= N_d`` and ``pooled_year``:
  ``Σ_{r ∈ R(d)} y >= Y_d`` for each demand unit split over several such rows.

**Language pools** (``pool_languages``, on by default; ``Scenario.pools_languages(site)``):
at a site that pools, the languages it takes of a call type with a service goal are
one queue each hour, the pool p of rows ``R(p)`` with load share
``z_p = Σ_{R(p)} w_r x_r`` (``w_r = T_r / Σ_{R(p)} T``). Its rows share the pool's ``κ``
and ``κ_y`` and each has a ``y``; the rows, in the envelopes' order:

- ``queue_hull[c,L,h,s,j]``: ``Σ_{R(p)} (κ_p T x + e) - s_j z_p >= b_j`` for each facet
  of the pool's hull past the first;
- ``queue_year[c,L,h,s,j]``: ``Σ_{R(p)} y - s'_j z_p >= b'_j`` for each facet of its year;
- ``pool_cut_year[c,L,h,s,j]``: ``Σ_{R(p)} y - Σ_{R(p)} c_{j,r} x_r >= b_j`` for each cut
  on its year (:func:`bestshore.model.curve.pool_cuts`).

Their year is priced month by month: planning agents pay ``r·π·κ_y·T`` on ``x`` and
``F·r·π`` on ``e``; whole agents and pooled rows nothing on ``x``, a millionth of
``F·r·π`` on ``e`` and ``r·π`` on ``y``. The floor reads ``κ``, ``κ_y``, the facets, the
floors, the pools (rows, weights, facets, cuts) and which rows are whole from
:func:`bestshore.model.curve.staffing_envelopes`: it writes bestshore's LP from them, it
does not derive Erlang C again.

**Queue openings** (``settings.queue_opening``, on by default; family ``queue_opening``
of ``bestshore/model/opening.py``): each queue with a year column (a pool, or a row of
its own in whole agents) at a site not rostered, whose load needs a first agent
``m_0 > 0`` (not ASA goals in planning agents) and lies in the tabulated loads, gets a
binary ``o_q`` (the program is then a MILP, solved as bestshore solves it) and the rows
``open_share`` ``z_q - o_q <= 0``; ``open_week`` ``Σ_q (κ T x + e) - s_j T_q z_q - b_j
o_q >= 0`` and ``open_year`` ``Σ_q y - S_j T_q z_q - B_j o_q >= 0`` for the chord
(``j = 0``) and the first agent alone (``j = 1``). Their lines are read from bestshore
(:func:`bestshore.model.opening.opening_line` on the goal's load limits, as the
envelopes are), the rows written here.

With whole shifts (``settings.roster``, or a site's or vendor's; the ``roster`` family of
``bestshore/model/roster.py``) the floor also writes, for every rostered site s, shift
columns ``n[s,p] ≥ 0`` (every length of its roster, starting every
``start_every_hours`` from Monday 00:00, wholly inside its open market hours, weeks
wrapping round), blended and idle agent hours ``b[s,h], i[s,h] ≥ 0`` and agents on shift
``o[s,h] ≥ 0`` for each hour some shift covers, and the rows

- shift count: ``o[s,h] - o[s,h-1] - Σ_{p starts at h} n[s,p] + Σ_{p ends at h-1} n[s,p]
  = 0`` per covered hour (``o[s,h] - Σ_{p starts at h} n[s,p] = 0`` where the hour before
  is not covered; a site covered round the clock anchors its first covered hour with
  ``o[s,h] - Σ_{p ∋ h} n[s,p] = 0``): ``o[s,h] = Σ_{p ∋ h} n[s,p]``;
- shift cover: ``o[s,h] - Σ_{R(s,h)} (k·m·A · x + e) - b[s,h] - i[s,h] = 0`` for
  every hour some shift covers or some real-time assignment of s falls in;
- blend: ``Σ_h b[s,h] = Σ_{Q(s)} k·m·A · x`` (deferred work fills idle shift hours);
- shift capacity: ``Σ_p L_p n[s,p] <= (1 - η)·H_s`` (paid hours; no ``capacity`` row);
- shift seats: ``o[s,h] <= M_s`` per covered hour (no ``seats`` rows; ``M_s``
  in whole seats: rounded down when the scenario gives it, up when derived);
- part time: ``Σ_{p : L_p < L_max} n[s,p] <= β_s Σ_p n[s,p]`` when capped.

The roster is paid: a shift ``W r_s Σ_{h ∈ p} π[s,h]``, a blended hour ``-W r_s π[s,h]``
(its work is paid as deferred work), an idle hour nothing more; each real-time row's
agent-weeks of the year ``a_r`` (``F k m A x``; planning agents ``κ_y T x + F e``; whole
agents ``y``) are credited ``r_s π[s,h]`` (the roster pays that part of them). ``W`` is
the year's weeks of work (annual over sizing-week volume, all work), ``r_s`` the site's
hourly price (the mean of its rate card when the price came from its country's
indicative cost). In a seasonal year (some call type's months differ from the sizing
week) the sizing week's roster is not paid; the year's average roster is, in columns
``n̄[s,p]``, ``b̄[s,h]``, ``ō[s,h]`` with the rows

- year count: as shift count, on ``n̄`` and ``ō``;
- year cover: ``ō[s,h] - b̄[s,h] - Σ_{R(s,h)} a_r / Y >= 0`` per covered hour;
- year blend: ``Σ_h b̄[s,h] = Σ_{Q(s)} F k m A x / Y``;
- year part time: as part time, on ``n̄``;

paid ``Y r_s Σ_{h ∈ p} π[s,h]`` a shift and ``-Y r_s π[s,h]`` a blended hour, ``Y`` the
52.18 weeks of twelve months.

The floor's LP is bestshore's *relaxation*, the LP of the first round of its solve (no
margins held back): the later rounds (exact staffing, fit, linearized and step rounds)
are other LPs and MILPs, which one LP does not write; with a roster or Erlang service
levels (:func:`solve_floor`'s ``first_round``) the floor is compared with that LP (a
MILP where queues are opened by binaries, solved with bestshore's options: one thread,
seed 0, HiGHS's default relative gap 1e-4).

``k`` is ``agents_per_erlang`` (or ``κ``), ``m`` the ``repeat_factor``, ``A`` the
``handle_hours``, ``F`` the ``annual_factor``, ``r`` the ``rate_per_hour`` and ``π`` the
``premium`` of each assignment. Rows and columns are ordered as bestshore orders them
(shares, ``e``, ``y``, then each rostered site's columns, then the openings' binaries;
families in the registry's order), so HiGHS sees the same matrix. Scenarios using any
other family (spread, quality floors, panel, concentration limits, a CSAT value in the
objective) are refused: these references would not be the same LP.

Three formulations:

- :func:`solve_floor`: numpy/scipy CSR arrays passed to ``highspy`` in one call (the
  floor: nothing between the tables and the solver but array arithmetic; the only one
  that writes the roster, Erlang staffing, language pools and queue openings);
- :func:`solve_pulp_naive`: a dict of variables (``LpProblem.add_variable_dict``, PuLP 4's
  ``LpVariable.dicts``) and ``pulp.lpSum`` over dicts,
  solved with ``pulp.HiGHS``;
- :func:`solve_linopy`: a linopy model over the assignment dimension, constraints by
  ``groupby(...).sum()``, solved with HiGHS through linopy's direct interface.

Each returns a :class:`Run`: seconds per stage, the objective, and the result table
(one row per assignment carrying work, with its ``share``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from bestshore.model.curve import StaffingEnvelopes, staffing_envelopes
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.program import IPM_NONZEROS
from bestshore.model.sets import Eligibility
from bestshore.scenario.hours import HOURS_PER_WEEK
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads

__all__ = [
    "APPROACHES",
    "FloorLp",
    "Run",
    "check_families",
    "floor_lp",
    "rostered_sites",
    "solve_floor",
    "solve_linopy",
    "solve_pulp_naive",
]

_ZERO = 1e-9
# Weeks in the year of twelve months (the average roster's pay).
_YEAR_WEEKS = 12 * WEEKS_PER_MONTH
# Whole agents' queue_agents columns are priced this fraction of an hour's price (their
# year column pays): enough to keep e at its floor.
_WHOLE_EXTRA_PRICE = 1e-6


@dataclass
class Run:
    """One solve of a reference formulation.

    ``seconds`` per stage: ``build`` (tables to the formulation's own model),
    ``handover`` (the model to HiGHS), ``solve`` (HiGHS's ``run``), ``extract`` (solution
    back to a result table). ``objective`` [currency/yr]; ``table`` the assignments
    carrying work with their ``share``.
    """

    seconds: dict[str, float] = field(default_factory=dict)
    objective: float = float("nan")
    status: str = ""
    table: pd.DataFrame | None = None
    shape: dict[str, int] = field(default_factory=dict)


def check_families(inputs: ModelInputs, *, roster: bool = False, first_round: bool = False) -> None:
    """Refuse a scenario using a family these references do not formulate.

    ``roster``: the formulation writes the shifts of rostered sites (the floor does);
    ``first_round``: it is compared with the first round of bestshore's solve only (its
    relaxation), so Erlang service levels are allowed (the floor writes their envelopes;
    the later rounds, staffed exactly, are not one LP).
    """
    scenario = inputs.scenario
    policies = scenario.policies
    unsupported = {
        "min_sites_per_call_type": policies.min_sites_per_call_type is not None,
        "quality_floors": bool(policies.quality_floors),
        "max_site_share": policies.max_site_share is not None,
        "max_country_share": policies.max_country_share is not None,
        "max_shore_share": bool(policies.max_shore_share),
        "min_inshore_share": policies.min_inshore_share is not None,
        "preferred_vendor": policies.preferred_vendor is not None,
        "max_vendors/min_vendors": policies.max_vendors is not None
        or policies.min_vendors is not None,
        "fixed costs": any(v.fixed_cost > 0 for v in scenario.vendors)
        or any(s.fixed_cost > 0 for s in scenario.sites),
        "csat_point_value": scenario.objective.csat_point_value > 0,
        "service_level (Erlang staffing: envelopes, then rounds staffed exactly)": not first_round
        and any(c.service_level is not None for c in scenario.call_types),
        "roster (whole shifts)": not roster and bool(rostered_sites(inputs)),
    }
    # Other terms, read by name (so older bestshore versions still run): any set away
    # from its default is a cost or a row (compliance, recordings, contracts, NPS floors,
    # teams, platform channels, set-up and transition) these references do not write.
    for item, names in (
        (policies, _LATER_POLICIES),
        *((site, _LATER_SITE) for site in scenario.sites),
        *((vendor, _LATER_VENDOR) for vendor in scenario.vendors),
        *((call_type, _LATER_CALL_TYPE) for call_type in scenario.call_types),
    ):
        for name in names:
            if _changed(item, name):
                unsupported[f"{type(item).__name__.lower()}.{name}"] = True
    used = [name for name, on in unsupported.items() if on]
    if used:
        raise ValueError(f"the reference formulations do not cover: {', '.join(used)}")


_LATER_POLICIES = (
    "scc_compliance_cost",
    "scc_compliance_costs",
    "recording_caps",
    "recording_storage_price",
    "keep_todays_split",
    "nps_floors",
    "min_team_fte",
    "min_call_type_team_fte",
    "lot_winners",
    "max_lot_share",
    "vendor_limits",
)
_LATER_SITE = (
    "price_per_contact",
    "channels",
    "setup_cost_per_fte",
    "transition_cost_per_fte",
    "min_team_fte",
    "min_call_type_team_fte",
)
_LATER_VENDOR = ("quality_incentive", "commitment", "volume_discounts")
_LATER_CALL_TYPE = ("max_sites", "single_team")


def _changed(item: Any, name: str) -> bool:
    """Whether a field the object may or may not have differs from its default."""
    field_info = type(item).model_fields.get(name)
    if field_info is None:
        return False
    default = field_info.get_default(call_default_factory=True)
    return bool(getattr(item, name) != default)


@dataclass(frozen=True)
class _Rows:
    """One constraint family as triplets: each entry's column, its constraint number
    within the family and its coefficient; and the family's row bounds."""

    name: str
    member: np.ndarray  # columns (an assignment's share column is its position)
    row: np.ndarray  # constraint number within the family (0..count-1)
    coefficient: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass(frozen=True)
class _Staffing:
    """Each assignment's agent hours and the columns its Erlang staffing adds.

    ``agent_hours`` is ``k·m·A`` [h per sizing week at share 1], ``k`` the envelope's
    ``κ`` for an Erlang-staffed row, else its ``agents_per_erlang``. ``extra`` and
    ``year`` hold each assignment's column ``e`` (``queue_agents``) and ``y``
    (``queue_year``), -1 where it has none; ``columns`` counts the shares and these,
    the program's columns before the roster's.
    """

    agent_hours: np.ndarray
    extra: np.ndarray
    year: np.ndarray
    columns: int
    envelopes: StaffingEnvelopes | None = None


def _staffing(
    inputs: ModelInputs, eligibility: Eligibility, *, envelopes: bool = True
) -> _Staffing:
    """The assignments' staffing: pooled factors and, with ``envelopes``, the envelopes
    of Erlang-staffed rows (:func:`bestshore.model.curve.staffing_envelopes`, asked only
    when some call type has a service goal: without one no row has an envelope).

    Columns: the shares (the assignments' order), then ``e`` of every row with an
    envelope, then ``y`` of those staffed in whole agents, both in the envelopes' order.
    """
    rows = eligibility.assignments
    n = len(rows)
    k = rows["agents_per_erlang"].to_numpy(dtype=float)
    found = None
    if envelopes and bool(inputs.workloads["erlang"].any()):
        found = staffing_envelopes(inputs, eligibility)
        k = np.where(np.isnan(found.factor), k, found.factor)
    agent_hours = (
        k * rows["handle_hours"].to_numpy(dtype=float) * rows["repeat_factor"].to_numpy(dtype=float)
    )
    extra = np.full(n, -1, dtype=np.int64)
    year = np.full(n, -1, dtype=np.int64)
    columns = n
    if found is not None and len(found.rows):
        extra[found.rows] = columns + np.arange(len(found.rows))
        columns += len(found.rows)
        priced = found.rows[_year_priced(found)]
        year[priced] = columns + np.arange(len(priced))
        columns += len(priced)
    return _Staffing(agent_hours, extra, year, columns, found)


def _year_priced(envelopes: StaffingEnvelopes) -> np.ndarray:
    """Per row of ``envelopes.rows``: whether its year is a column ``y`` (rows staffed
    in whole agents, and every row of a language pool, in both staffing models)."""
    found = envelopes.whole.copy()
    for members in envelopes.pools:
        found[members] = True
    return found


def _agent_terms(
    staffing: _Staffing, positions: np.ndarray, rows: np.ndarray, sign: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns, constraint numbers and coefficients of ``sign·(k·m·A·x + e)`` of the
    assignments at ``positions`` in the constraints ``rows``: their shares and, where
    they have one, their ``e``."""
    extra = staffing.extra[positions]
    has = extra >= 0
    return (
        np.concatenate([positions, extra[has]]),
        np.concatenate([rows, rows[has]]),
        sign * np.concatenate([staffing.agent_hours[positions], np.ones(int(has.sum()))]),
    )


def _codes(values: pd.Series | pd.Index, labels: pd.Index) -> np.ndarray:
    """Position of each value in ``labels`` (-1 if absent), via the few distinct values."""
    codes, uniques = pd.factorize(values)
    return labels.get_indexer(uniques)[codes]


def _families(inputs: ModelInputs, rows: pd.DataFrame, staffing: _Staffing) -> list[_Rows]:
    """The constraint families as (member, row, coefficient) triplets, vectorised.

    Keys are turned into integers first (a few hundred distinct labels), so grouping
    hundreds of thousands of rows is integer arithmetic. Rostered sites get no
    ``capacity`` or ``seats`` rows (their shifts' rows hold them, :func:`_roster`).
    """
    n = len(rows)
    everyone = np.arange(n)
    handle = rows["handle_hours"].to_numpy(dtype=float)
    hour = rows["hour"].to_numpy(dtype=np.int64)
    families = []
    # demand[c,l,h] = 1, one per demand unit, in the demand table's order
    demand = inputs.demand.index
    call_types = demand.get_level_values("call_type").unique()
    languages = demand.get_level_values("language").unique()
    slots = HOURS_PER_WEEK + 1  # hour WEEK = -1 and 0..167

    def unit_key(c: np.ndarray, lang: np.ndarray, h: np.ndarray) -> np.ndarray:
        return (c * len(languages) + lang) * slots + (h + 1)

    demand_keys = unit_key(
        _codes(demand.get_level_values("call_type"), call_types),
        _codes(demand.get_level_values("language"), languages),
        demand.get_level_values("hour").to_numpy(dtype=np.int64),
    )
    order = np.argsort(demand_keys)
    row_keys = unit_key(
        _codes(rows["call_type"], call_types), _codes(rows["language"], languages), hour
    )
    unit = order[np.searchsorted(demand_keys, row_keys, sorter=order)]
    count = len(demand)
    families.append(_Rows("demand", everyone, unit, np.ones(n), np.ones(count), np.ones(count)))
    # capacity[s] <= (1 - headroom) H_s, sites in the sites table's order, those with rows
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    site = _codes(rows["site"], inputs.sites.index)
    rostered = inputs.sites.index.isin(list(rostered_sites(inputs)))
    used = (np.bincount(site, minlength=len(inputs.sites)) > 0) & ~rostered
    present = np.flatnonzero(used)
    site_rows = np.flatnonzero(used[site])
    families.append(
        _Rows(
            "capacity",
            *_agent_terms(staffing, site_rows, (np.cumsum(used) - 1)[site[site_rows]]),
            np.full(len(present), -np.inf),
            inputs.sites["capacity_hours"].to_numpy(dtype=float)[present] * (1 - headroom),
        )
    )
    # seats[s,h] <= M_s over real-time rows of sites with seats, sorted by (site id, hour)
    seats = inputs.sites["max_agents"].to_numpy(dtype=float)
    seated = np.flatnonzero((hour != WEEK) & np.isfinite(seats[site]) & ~rostered[site])
    if len(seated):
        rank = np.argsort(np.argsort(inputs.sites.index.to_numpy().astype(str)))
        keys = rank[site[seated]] * HOURS_PER_WEEK + hour[seated]
        uniques, codes = np.unique(keys, return_inverse=True)
        by_rank = np.argsort(rank)  # site position of each rank
        families.append(
            _Rows(
                "seats",
                *_agent_terms(staffing, seated, codes),
                np.full(len(uniques), -np.inf),
                seats[by_rank[uniques // HOURS_PER_WEEK]],
            )
        )
    # vendor_share[v] <= alpha_v W, vendors with a cap below 1 and some rows
    caps = inputs.vendors["max_share"].dropna()
    caps = caps[caps < 1.0]
    position = _codes(rows["vendor"], caps.index)
    capped = np.flatnonzero(position >= 0)
    has_rows = np.bincount(position[capped], minlength=len(caps)) > 0
    if has_rows.any():  # caps of vendors with no eligible row are left out, as bestshore does
        caps = caps[has_rows]
        position = (np.cumsum(has_rows) - 1)[position]
        total = float(inputs.demand["handle_hours"].sum())
        families.append(
            _Rows(
                "vendor_share",
                capped,
                position[capped],
                handle[capped],
                np.full(len(caps), -np.inf),
                caps.to_numpy(dtype=float) * total,
            )
        )
    return families


def _queue_staffing(staffing: _Staffing) -> list[_Rows]:
    """The envelopes' rows (family ``queue_staffing``, after every other family):
    ``queue_hull`` (each hull facet past the first, ``e + (κT - s) x >= b``), the
    language pools' rows (:func:`_pool_staffing`), ``queue_year`` (each year facet,
    ``y - s x >= b``), then per demand unit split over whole-agent rows
    ``pooled_staffing`` (``Σ κT x + e >= N``) and ``pooled_year`` (``Σ y >= Y``); facets
    in the envelopes' order."""
    envelopes = staffing.envelopes
    if envelopes is None or not len(envelopes.rows):
        return []
    linear = staffing.agent_hours[envelopes.rows]  # κ T of each row with an envelope
    share = envelopes.rows
    extra = staffing.extra[envelopes.rows]
    year = staffing.year[envelopes.rows]
    families = []
    at = envelopes.hull_row
    if len(at):
        number = np.arange(len(at))
        families.append(
            _Rows(
                "queue_hull",
                np.concatenate([extra[at], share[at]]),
                np.concatenate([number, number]),
                np.concatenate([np.ones(len(at)), linear[at] - envelopes.hull_slope]),
                envelopes.hull_intercept,
                np.full(len(at), np.inf),
            )
        )
    families += _pool_staffing(envelopes, linear, share, extra, year)
    at = envelopes.year_row
    if not len(at):
        return families  # planning agents only: the line κ is their envelope
    number = np.arange(len(at))
    families.append(
        _Rows(
            "queue_year",
            np.concatenate([year[at], share[at]]),
            np.concatenate([number, number]),
            np.concatenate([np.ones(len(at)), -envelopes.year_slope]),
            envelopes.year_intercept,
            np.full(len(at), np.inf),
        )
    )
    if envelopes.units:
        members = np.concatenate(envelopes.units)
        unit = np.repeat(np.arange(len(envelopes.units)), [len(u) for u in envelopes.units])
        floors = envelopes.unit_floor
        families.append(
            _Rows(
                "pooled_staffing",
                np.concatenate([share[members], extra[members]]),
                np.concatenate([unit, unit]),
                np.concatenate([linear[members], np.ones(len(members))]),
                floors,
                np.full(len(floors), np.inf),
            )
        )
        families.append(
            _Rows(
                "pooled_year",
                year[members],
                unit,
                np.ones(len(members)),
                envelopes.unit_year_floor,
                np.full(len(floors), np.inf),
            )
        )
    return families


@dataclass(frozen=True)
class _Pools:
    """The language pools' rows, flat: pool ``p``'s rows (positions in the envelopes'
    ``rows``) are ``members[start[p]:start[p] + size[p]]``, their load weights ``w_r``
    alike."""

    members: np.ndarray
    weights: np.ndarray
    start: np.ndarray
    size: np.ndarray

    @classmethod
    def of(cls, envelopes: StaffingEnvelopes) -> _Pools:
        size = np.array([len(m) for m in envelopes.pools], dtype=np.int64)
        return cls(
            np.concatenate(envelopes.pools).astype(np.int64),
            np.concatenate(envelopes.pool_weights).astype(float),
            np.cumsum(size) - size,
            size,
        )

    def expand(self, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For constraints on the pools ``pool`` (one each): each term's constraint
        number and the position of its row in :attr:`members` (pools' rows in order)."""
        counts = self.size[pool]
        number = np.repeat(np.arange(len(pool)), counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return number, self.start[pool][number] + within


def _pool_staffing(
    envelopes: StaffingEnvelopes,
    linear: np.ndarray,
    share: np.ndarray,
    extra: np.ndarray,
    year: np.ndarray,
) -> list[_Rows]:
    """The language pools' facets (a pool p: a site's languages of one call type in one
    hour staffed as one queue, rows ``R(p)``, load share ``z = Σ w_r x_r``), as bestshore
    writes them in ``queue_staffing``: its hull's facets past the first
    ``Σ_{R(p)} (κ_p T x + e) >= b + s z`` (``queue_hull``), its year's facets
    ``Σ_{R(p)} y >= b + s z`` (``queue_year``), then the cuts on its year
    ``Σ_{R(p)} y >= b + Σ_r c_r x_r`` (``pool_cut_year``); each in the envelopes' order.
    Read from the envelopes: the pools, their weights, the facets and the cuts."""
    if not envelopes.pools:
        return []
    pools = _Pools.of(envelopes)
    families = []
    for name, facets, column, on_share in (
        ("queue_hull", envelopes.pool_hull, extra, linear),
        ("queue_year", envelopes.pool_year, year, np.zeros(len(linear))),
    ):
        if not len(facets):
            continue
        pool = facets[:, 0].astype(np.int64)
        number, at = pools.expand(pool)
        rows = pools.members[at]
        slope = facets[number, 2]
        families.append(
            _Rows(
                f"pool_{name}",
                np.concatenate([column[rows], share[rows]]),
                np.concatenate([number, number]),
                np.concatenate([np.ones(len(rows)), on_share[rows] - slope * pools.weights[at]]),
                facets[:, 1].astype(float),
                np.full(len(facets), np.inf),
            )
        )
    cuts = envelopes.pool_year_cuts
    if cuts:
        pool = np.array([p for p, _, _ in cuts], dtype=np.int64)
        number, at = pools.expand(pool)
        rows = pools.members[at]
        families.append(
            _Rows(
                "pool_cut_year",
                np.concatenate([year[rows], share[rows]]),
                np.concatenate([number, number]),
                np.concatenate([np.ones(len(rows)), -np.concatenate([c for _, _, c in cuts])]),
                np.array([b for _, b, _ in cuts], dtype=float),
                np.full(len(cuts), np.inf),
            )
        )
    return families


def _queue_opening(
    inputs: ModelInputs, rows: pd.DataFrame, staffing: _Staffing, start: int
) -> tuple[_Rows, int] | None:
    """The queue openings (``settings.queue_opening``, family ``queue_opening``, after
    ``queue_staffing``): a binary ``o`` per queue at a site not rostered (each row with a
    year column outside a pool, in the envelopes' order, then each language pool) that
    needs a first agent at any load (``m_0 > 0``) and whose loads are tabulated, the
    columns after every other; rows ``open_share`` (``z - o <= 0``, ``z = Σ w_r x_r``),
    ``open_week`` (``Σ (κT x + e) - s_j T z - b_j o >= 0``, the chord ``j = 0`` of every
    queue, then the first agent alone ``j = 1``) and ``open_year`` (``Σ y - S_j T z -
    B_j o >= 0`` likewise, the months' lines weighted by their weeks).

    The queues and their lines ``(b, s)`` are read from bestshore, as the envelopes are
    (:func:`~bestshore.model.opening.opening_queues`); the rows are written here. The
    binaries are the columns numbered from ``start``; returned with their count. None
    without a queue to open."""
    from bestshore.model.opening import opening_queues

    envelopes = staffing.envelopes
    settings = inputs.scenario.settings
    if not getattr(settings, "queue_opening", False) or envelopes is None:
        return None
    if not (staffing.year[envelopes.rows] >= 0).any():
        return None
    # per queue kept: its rows (assignment positions), weights, load, and its lines (the
    # week's chord and first agent, the year's chord and first agent)
    kept = [
        (queue.at, queue.weights, queue.load, [*queue.week, *queue.year])
        for queue in opening_queues(inputs, rows, envelopes)
    ]
    if not kept:
        return None
    count = len(kept)
    opened = start + np.arange(count)
    members = np.concatenate([at for at, _, _, _ in kept])
    queue = np.repeat(np.arange(count), [len(at) for at, _, _, _ in kept])
    weight = np.concatenate([w for _, w, _, _ in kept])
    total = np.array([t for _, _, t, _ in kept])[queue]  # each member's queue load
    table = np.array([lines for _, _, _, lines in kept])  # (queue, 4 lines, (b, s))
    # open_share: z - o <= 0
    parts = [(queue, members, weight), (np.arange(count), opened, -np.ones(count))]
    lower = [np.full(count, -np.inf)]
    upper = [np.zeros(count)]
    # open_week (j = 0, 1): Σ e + Σ (κT - s T w) x - b o >= 0 (every such row has e);
    # open_year (j = 2, 3): Σ y - Σ S T w x - B o >= 0
    for j in range(4):
        base = count * (1 + j)
        in_week = j < 2
        column = staffing.extra[members] if in_week else staffing.year[members]
        on_share = staffing.agent_hours[members] if in_week else np.zeros(len(members))
        intercept, slope = table[:, j, 0], table[:, j, 1]
        parts += [
            (base + queue, column, np.ones(len(members))),
            (base + queue, members, on_share - slope[queue] * total * weight),
            (base + np.arange(count), opened, -intercept),
        ]
        lower.append(np.zeros(count))
        upper.append(np.full(count, np.inf))
    return _Rows(
        "queue_opening",
        np.concatenate([p[1] for p in parts]).astype(np.int64),
        np.concatenate([p[0] for p in parts]).astype(np.int64),
        np.concatenate([p[2] for p in parts]).astype(float),
        np.concatenate(lower),
        np.concatenate(upper),
    ), count


def rostered_sites(inputs: ModelInputs) -> dict[str, Any]:
    """The roster of each rostered site: its own, else its vendor's, else the settings'.

    Sites paid per contact have none. Read by name, so a bestshore without rosters
    gives none.
    """
    scenario = inputs.scenario
    vendors = {v.id: getattr(v, "roster", None) for v in scenario.vendors}
    default = getattr(scenario.settings, "roster", None)
    found: dict[str, Any] = {}
    for site in scenario.sites:
        roster = getattr(site, "roster", None) or vendors.get(site.vendor or "") or default
        if roster is not None and getattr(site, "price_per_contact", None) is None:
            found[site.id] = roster
    return found


def _shift_cover(open_hours: np.ndarray, roster: Any) -> tuple[np.ndarray, np.ndarray]:
    """Shift lengths and the (patterns, 168) 0/1 matrix of the market hours each covers.

    Patterns: every length (shortest first), then every start on the hour every
    ``start_every_hours`` from Monday 00:00 whose hours are all open (the week wraps).
    """
    starts = np.arange(0, HOURS_PER_WEEK, roster.start_every_hours)
    lengths, covers = [], []
    for length in sorted(roster.shift_hours):
        window = (starts[:, None] + np.arange(length)) % HOURS_PER_WEEK
        inside = open_hours[window].all(axis=1)
        cover = np.zeros((int(inside.sum()), HOURS_PER_WEEK), dtype=bool)
        cover[np.arange(len(cover))[:, None], window[inside]] = True
        lengths.append(np.full(len(cover), length, dtype=float))
        covers.append(cover)
    return np.concatenate(lengths), np.concatenate(covers)


def _count_terms(
    cover: np.ndarray, found: np.ndarray, shifts: np.ndarray, on: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shift count rows' terms (row offset, column, coefficient) of one site:
    ``o[h] - o[h-1] - Σ_{p starts at h} n_p + Σ_{p ends at h-1} n_p`` per covered hour
    ``found[i]`` (row ``i``); without ``o[h-1]`` (and no shift ending then) where the hour
    before is not covered; a site covered round the clock anchors its first covered hour
    with ``o[h] - Σ_{p ∋ h} n_p`` instead."""
    count = len(found)
    position = np.full(HOURS_PER_WEEK, -1, dtype=np.int64)
    position[found] = np.arange(count)
    before = position[(found - 1) % HOURS_PER_WEEK]
    starts = cover & ~np.roll(cover, 1, axis=1)  # p starts at hour h
    ends = cover & ~np.roll(cover, -1, axis=1)  # p's last hour is h
    anchored = bool(count) and bool(np.all(before >= 0))
    if anchored:
        before[0] = -1
    p, h = np.nonzero(starts)
    start_row = position[h]
    keep = start_row != 0 if anchored else np.ones(len(p), dtype=bool)
    q, e = np.nonzero(ends)
    end_row = position[(e + 1) % HOURS_PER_WEEK]
    closing = (end_row >= 0) & ((end_row != 0) if anchored else True)
    linked = np.flatnonzero(before >= 0)
    parts = [
        (np.arange(count), on, np.ones(count)),
        (linked, on[before[linked]], -np.ones(len(linked))),
        (start_row[keep], shifts[p[keep]], -np.ones(int(keep.sum()))),
        (end_row[closing], shifts[q[closing]], np.ones(int(closing.sum()))),
    ]
    if anchored:
        (first,) = np.nonzero(cover[:, found[0]])
        parts.append((np.zeros(len(first), dtype=np.int64), shifts[first], -np.ones(len(first))))
    return (
        np.concatenate([part[0] for part in parts]).astype(np.int64),
        np.concatenate([part[1] for part in parts]).astype(np.int64),
        np.concatenate([part[2] for part in parts]),
    )


@dataclass(frozen=True)
class _Roster:
    """The roster's rows as triplets over the whole program's columns, its own columns'
    costs, what it prices on the columns before them (the work done in shifts), and the
    shape of what it wrote per site."""

    rows: _Rows
    cost: np.ndarray  # one per roster column, after the staffing's columns
    work_cost: np.ndarray  # one per column before the roster's
    sites: list[dict[str, int]]


def _idle_rate(inputs: ModelInputs, site: str) -> float:
    """Price of a paid shift hour [currency/h]: the site's hourly price, or the mean of
    its rate card when that price is its country's indicative cost."""
    row = inputs.sites.loc[site]
    card = next(s for s in inputs.scenario.sites if s.id == site).rates
    if bool(row["cost_from_country"]) and card:
        return float(np.mean(list(card.values())))
    return float(row["cost_per_hour"])


def _whole_seats(inputs: ModelInputs, s: int) -> float:
    """Most agents on shift at site ``s`` (position) in an hour: seats the scenario gives
    rounded down, seats derived from capacity rounded up."""
    seats = float(inputs.sites["max_agents"].iat[s])
    if not np.isfinite(seats):
        return seats
    if bool(inputs.sites["seats_given"].iat[s]):
        return float(np.floor(seats + 1e-9))
    return float(np.ceil(seats - 1e-9))


def _seasonal(inputs: ModelInputs) -> bool:
    """Whether some call type's months differ from the sizing week."""
    sizing = inputs.scenario.settings.sizing
    return any(
        bool(np.any(np.abs(month_loads(c.seasonality, sizing) - 1.0) > 1e-12))
        for c in inputs.scenario.call_types
    )


def _year_agents(
    rows: pd.DataFrame, staffing: _Staffing, annual: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every real-time assignment's agent-weeks of the year as (assignment, column,
    coefficient) terms: its ``y`` (whole agents); else ``F k m A x`` (``κ_y T x`` for an
    Erlang-staffed row) and ``F e`` where it has ``e``."""
    real = np.flatnonzero(rows["hour"].to_numpy() != WEEK)
    whole = real[staffing.year[real] >= 0]
    rest = real[staffing.year[real] < 0]
    per_share = staffing.agent_hours[rest] * annual[rest]
    envelopes = staffing.envelopes
    if envelopes is not None:
        traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)[rest]
        lines = ~np.isnan(envelopes.year_factor[rest])
        per_share = np.where(lines, envelopes.year_factor[rest] * traffic, per_share)
    extra = staffing.extra[rest]
    has = extra >= 0
    return (
        np.concatenate([whole, rest, rest[has]]),
        np.concatenate([staffing.year[whole], rest, extra[has]]),
        np.concatenate([np.ones(len(whole)), per_share, annual[rest][has]]),
    )


def _roster(inputs: ModelInputs, rows: pd.DataFrame, staffing: _Staffing) -> _Roster | None:
    """Shift columns, rows and pay of every rostered site (site ids sorted), as
    bestshore's ``roster`` family writes them: per site its ``shifts``, ``blended``,
    ``idle`` and ``on_shift`` columns, in a seasonal year then ``year_shifts``,
    ``year_blended`` and ``year_on_shift``; ``shift_count`` rows (covered hours in
    order), ``shift_cover`` (hours in order), ``blend``, ``shift_capacity``,
    ``shift_seats`` (covered hours), ``part_time``, in a seasonal year then
    ``year_shift_count`` and ``year_cover`` (covered hours), ``year_blend`` and
    ``year_part_time``. None without a rostered site."""
    rosters = rostered_sites(inputs)
    if not rosters:
        return None
    sites = inputs.sites
    site = _codes(rows["site"], sites.index)
    hour = rows["hour"].to_numpy(dtype=np.int64)
    real = hour != WEEK
    has_work = np.zeros((len(sites), HOURS_PER_WEEK), dtype=bool)
    has_work[site[real], hour[real]] = True
    open_hours = inputs.open_hours.to_numpy(dtype=bool)
    premium = inputs.premium.to_numpy(dtype=float)
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    workloads = inputs.workloads
    weekly = float(workloads["weekly_volume"].sum())
    weeks = float(workloads["volume"].sum()) / weekly if weekly > 0 else 0.0
    seasonal = _seasonal(inputs)
    annual = rows["annual_factor"].to_numpy(dtype=float)
    cover_row = np.full((len(sites), HOURS_PER_WEEK), -1, dtype=np.int64)
    blend_row = np.full(len(sites), -1, dtype=np.int64)
    year_row = np.full((len(sites), HOURS_PER_WEEK), -1, dtype=np.int64)
    year_blend_row = np.full(len(sites), -1, dtype=np.int64)
    paid_rate = np.full(len(sites), np.nan)  # the shift hour's price of sites paying a roster
    deferred = np.bincount(site[~real], minlength=len(sites))
    r_parts: list[np.ndarray] = []
    c_parts: list[np.ndarray] = []
    v_parts: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    shapes: list[dict[str, int]] = []
    column, row = staffing.columns, 0

    def add(rows_: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        r_parts.append(rows_)
        c_parts.append(cols)
        v_parts.append(values)

    def bounds(count: int, low: float, high: float | np.ndarray) -> None:
        lower.append(np.full(count, low))
        upper.append(np.broadcast_to(np.asarray(high, dtype=float), (count,)).astype(float))

    for site_id in sorted(rosters):
        s = sites.index.get_loc(site_id)
        roster = rosters[site_id]
        lengths, cover = _shift_cover(open_hours[s], roster)
        covered = cover.any(axis=0)
        hours = np.flatnonzero(covered | has_work[s])
        if not len(hours):
            continue
        found = np.flatnonzero(covered)
        p_count, c_count = len(lengths), len(found)
        shifts = column + np.arange(p_count)
        blended = column + p_count + np.arange(c_count)
        idle = column + p_count + c_count + np.arange(c_count)
        on = column + p_count + 2 * c_count + np.arange(c_count)
        column += p_count + 3 * c_count
        # shift_count[s,h] = 0: the agents on shift, counted from the hour before
        rows_, cols_, values_ = _count_terms(cover, found, shifts, on)
        add(row + rows_, cols_, values_)
        bounds(c_count, 0.0, 0.0)
        row += c_count
        written = {"shift_count": c_count}
        # shift_cover[s,h] = 0: on shift, less the real-time work, blended and idle hours
        cover_row[s, hours] = row + np.arange(len(hours))
        add(cover_row[s, found], on, np.ones(c_count))
        add(cover_row[s, found], blended, -np.ones(c_count))
        add(cover_row[s, found], idle, -np.ones(c_count))
        bounds(len(hours), 0.0, 0.0)
        row += len(hours)
        written["shift_cover"] = len(hours)
        # blend[s] = 0: the blended hours are the deferred work
        if deferred[s] or c_count:
            blend_row[s] = row
            add(np.full(c_count, row), blended, np.ones(c_count))
            bounds(1, 0.0, 0.0)
            row += 1
            written["blend"] = 1
        # shift_capacity[s]: paid shift hours within capacity
        add(np.full(p_count, row), shifts, lengths)
        bounds(1, -np.inf, float(sites["capacity_hours"].iat[s]) * (1 - headroom))
        row += 1
        written["shift_capacity"] = 1
        # shift_seats[s,h]: agents on shift within the (whole) seats, every covered hour
        seats = _whole_seats(inputs, s)
        if np.isfinite(seats) and c_count:
            add(row + np.arange(c_count), on, np.ones(c_count))
            bounds(c_count, -np.inf, seats)
            row += c_count
            written["shift_seats"] = c_count
        # part_time[s]: part-time shifts at most beta of all shifts
        beta = roster.max_part_time_share
        part = np.where(lengths < max(roster.shift_hours), 1.0, 0.0)
        if beta is not None and p_count:
            add(np.full(p_count, row), shifts, part - beta)
            bounds(1, -np.inf, 0.0)
            row += 1
            written["part_time"] = 1
        shape = {"site": s, "patterns": p_count, "covered": c_count}
        if not c_count:  # no shift to pay: the site's work stays unpaid by a roster
            costs.append(np.zeros(p_count))
            shapes.append({**shape, "rows": sum(written.values())})
            continue
        # The roster's pay: each shift's hours at the site's price and premiums, a blended
        # hour less that (the work done in shifts is credited it, below).
        rate = _idle_rate(inputs, site_id)
        paid_rate[s] = rate
        pay = premium[s, found]
        shift_pay = rate * (cover[:, found].astype(float) @ pay)
        if not seasonal:
            costs += [weeks * shift_pay, -weeks * rate * pay, np.zeros(2 * c_count)]
            shapes.append({**shape, "rows": sum(written.values())})
            continue
        # A seasonal year: the year's average roster is paid, the sizing week's only fits.
        costs.append(np.zeros(p_count + 3 * c_count))
        year_shifts = column + np.arange(p_count)
        year_blended = column + p_count + np.arange(c_count)
        year_on = column + p_count + c_count + np.arange(c_count)
        column += p_count + 2 * c_count
        costs += [_YEAR_WEEKS * shift_pay, -_YEAR_WEEKS * rate * pay, np.zeros(c_count)]
        # year_shift_count[s,h] = 0: the average roster's agents on shift
        rows_, cols_, values_ = _count_terms(cover, found, year_shifts, year_on)
        add(row + rows_, cols_, values_)
        bounds(c_count, 0.0, 0.0)
        row += c_count
        written["year_shift_count"] = c_count
        # year_cover[s,h] >= 0: average on shift, less the average blended hours and work
        year_row[s, found] = row + np.arange(c_count)
        add(year_row[s, found], year_on, np.ones(c_count))
        add(year_row[s, found], year_blended, -np.ones(c_count))
        bounds(c_count, 0.0, np.inf)
        row += c_count
        written["year_cover"] = c_count
        # year_blend[s] = 0: the average blended hours are the year's deferred work
        year_blend_row[s] = row
        add(np.full(c_count, row), year_blended, np.ones(c_count))
        bounds(1, 0.0, 0.0)
        row += 1
        written["year_blend"] = 1
        if beta is not None:
            add(np.full(p_count, row), year_shifts, part - beta)
            bounds(1, -np.inf, 0.0)
            row += 1
            written["year_part_time"] = 1
        shapes.append({**shape, "rows": sum(written.values())})
    # the work: real-time assignments (and their e) in their hour's cover row, deferred
    # work in the blend row
    on_shift = np.flatnonzero(real & (cover_row[site, np.where(real, hour, 0)] >= 0))
    columns, numbers, values = _agent_terms(
        staffing, on_shift, cover_row[site[on_shift], hour[on_shift]], -1.0
    )
    add(numbers, columns, values)
    blending = np.flatnonzero(~real & (blend_row[site] >= 0))
    add(blend_row[site[blending]], blending, -staffing.agent_hours[blending])
    # The year's agent-weeks of the real-time work: at a site paying a roster, credited
    # the shift hour's price (the roster pays it); in a seasonal year, over the year's
    # weeks, in the average roster's cover rows. Deferred work in its year blend row.
    owner, columns, values = _year_agents(rows, staffing, annual)
    at, when = site[owner], hour[owner]
    credited = np.isfinite(paid_rate[at])
    work_cost = np.zeros(staffing.columns)
    work_cost[columns[credited]] = (
        -paid_rate[at[credited]] * premium[at[credited], when[credited]]
    ) * values[credited]
    averaged = year_row[at, when] >= 0
    add(year_row[at[averaged], when[averaged]], columns[averaged], -values[averaged] / _YEAR_WEEKS)
    averaging = np.flatnonzero(~real & (year_blend_row[site] >= 0))
    add(
        year_blend_row[site[averaging]],
        averaging,
        -staffing.agent_hours[averaging] * annual[averaging] / _YEAR_WEEKS,
    )
    if not lower:  # no rostered site has an hour to cover
        return None
    family = _Rows(
        "roster",
        np.concatenate(c_parts),
        np.concatenate(r_parts),
        np.concatenate(v_parts),
        np.concatenate(lower),
        np.concatenate(upper),
    )
    return _Roster(family, np.concatenate(costs) if costs else np.zeros(0), work_cost, shapes)


def _objective(rows: pd.DataFrame, staffing: _Staffing) -> np.ndarray:
    """Annual cost of each column before the roster's [currency/yr per unit]: a share
    ``β F·r·π·k·m·A`` (an Erlang-staffed row's year month by month: ``β r·π·κ_y·T`` in
    planning agents, nothing in whole agents or a language pool, whose ``y`` pays); an
    ``e`` ``β F·r·π`` (a millionth of it where ``y`` pays); a ``y`` ``β r·π`` an
    agent-week. ``β`` is the
    bill multiplier (``incentive``, 1 here: quality incentives are refused)."""
    hour_price = (rows["annual_factor"] * rows["rate_per_hour"] * rows["premium"]).to_numpy(
        dtype=float
    )
    incentive = rows["incentive"].to_numpy(dtype=float)
    share = hour_price * staffing.agent_hours
    envelopes = staffing.envelopes
    if envelopes is not None and len(envelopes.rows):
        priced = staffing.year[envelopes.rows] >= 0  # their y pays the year
        planning = envelopes.rows[~priced]
        weekly = (rows["rate_per_hour"] * rows["premium"]).to_numpy(dtype=float)
        traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
        share[planning] = (weekly * envelopes.year_factor * traffic)[planning]
        share[envelopes.rows[priced]] = 0.0
    cost = np.zeros(staffing.columns)
    cost[: len(rows)] = share * incentive
    extra_price = hour_price * incentive
    extra_price = np.where(staffing.year >= 0, _WHOLE_EXTRA_PRICE * extra_price, extra_price)
    has = staffing.extra >= 0
    cost[staffing.extra[has]] = extra_price[has]
    whole = staffing.year >= 0
    year_price = (rows["rate_per_hour"] * rows["premium"] * rows["incentive"]).to_numpy(dtype=float)
    cost[staffing.year[whole]] = year_price[whole]
    return cost


def _table(rows: pd.DataFrame, shares: np.ndarray) -> pd.DataFrame:
    """The result table: assignments carrying work, with their share."""
    keep = shares > _ZERO
    return rows.loc[keep, ["call_type", "language", "hour", "site", "vendor"]].assign(
        share=shares[keep]
    )


def _new_highs() -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    return highs


_STATUS = {highspy.HighsModelStatus.kOptimal: "optimal"}


# -- the floor: arrays straight to HiGHS -------------------------------------------------


@dataclass(frozen=True)
class FloorLp:
    """The floor's LP: a CSR matrix, costs and bounds, how many of its columns are the
    roster's (after the staffing's), the roster's shape per site, and which columns are
    binary (the queue openings', the last: with them the program is a MILP)."""

    matrix: sp.csr_matrix
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    roster_sites: list[dict[str, int]]
    roster_columns: int = 0
    integer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def floor_lp(inputs: ModelInputs, eligibility: Eligibility) -> FloorLp:
    """The LP as arrays, rows and columns in bestshore's order (columns: shares, ``e``,
    ``y``, the roster's; rows: demand, capacity, seats, the roster's, vendor caps, the
    envelopes'), duplicate entries summed and exact zeros dropped."""
    rows = eligibility.assignments
    n = len(rows)
    staffing = _staffing(inputs, eligibility)
    families = _families(inputs, rows, staffing)
    roster = _roster(inputs, rows, staffing)
    # costs summed in bestshore's order: the roster's credit to the work, then the bill
    cost = np.zeros(staffing.columns)
    extra = np.zeros(0)
    if roster is not None:
        at = next((i for i, f in enumerate(families) if f.name == "vendor_share"), len(families))
        families.insert(at, roster.rows)
        cost = cost + roster.work_cost
        extra = roster.cost
    families += _queue_staffing(staffing)
    opening = _queue_opening(inputs, rows, staffing, staffing.columns + len(extra))
    binaries = 0
    if opening is not None:
        families.append(opening[0])
        binaries = opening[1]
    cost = cost + _objective(rows, staffing)
    offset, r_parts, c_parts, v_parts, lower, upper = 0, [], [], [], [], []
    for family in families:
        r_parts.append(family.row + offset)
        c_parts.append(family.member)
        v_parts.append(family.coefficient)
        lower.append(family.lower)
        upper.append(family.upper)
        offset += len(family.lower)
    columns = staffing.columns + len(extra) + binaries
    matrix = sp.csr_matrix(
        (np.concatenate(v_parts), (np.concatenate(r_parts), np.concatenate(c_parts))),
        shape=(offset, columns),
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return FloorLp(
        matrix=matrix,
        cost=np.concatenate([cost, extra, np.zeros(binaries)]),
        col_lower=np.zeros(columns),
        col_upper=np.concatenate(
            [np.ones(n), np.full(columns - n - binaries, np.inf), np.ones(binaries)]
        ),
        row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper),
        roster_sites=[] if roster is None else roster.sites,
        roster_columns=len(extra),
        integer=np.arange(columns) >= columns - binaries,
    )


def solve_floor(inputs: ModelInputs, eligibility: Eligibility, *, first_round: bool = False) -> Run:
    """Arrays built with numpy/scipy, handed to HiGHS in one ``passModel`` call.

    Writes the roster of rostered sites; ``first_round`` allows Erlang service levels
    (the LP is then bestshore's relaxation, the first round of its solve: the rows'
    envelopes from :func:`bestshore.model.curve.staffing_envelopes`, language pools
    and queue openings included). Solved as bestshore solves it: an LP by the simplex,
    or past ``IPM_NONZEROS`` nonzeros by the interior point method with crossover; with
    the openings' binaries a MILP by branch and bound (one thread, seed 0, HiGHS's
    default gap).
    """
    check_families(inputs, roster=True, first_round=first_round)
    run = Run()
    start = time.perf_counter()
    rows = eligibility.assignments
    n = len(rows)
    built_lp = floor_lp(inputs, eligibility)
    matrix = built_lp.matrix
    num_row, num_col = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_ = num_col
    lp.num_row_ = num_row
    lp.col_cost_ = built_lp.cost
    lp.col_lower_ = built_lp.col_lower
    lp.col_upper_ = built_lp.col_upper
    lp.row_lower_ = built_lp.row_lower
    lp.row_upper_ = built_lp.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_ = num_col
    lp.a_matrix_.num_row_ = num_row
    mip = bool(built_lp.integer.any())
    if mip:  # the queue openings' binaries
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
            for on in built_lp.integer.tolist()
        ]
    built = time.perf_counter()
    highs = _new_highs()
    if not mip and matrix.nnz > IPM_NONZEROS:  # as bestshore: large LPs by IPM, crossover
        highs.setOptionValue("solver", "ipm")
    highs.passModel(lp)
    handed = time.perf_counter()
    highs.run()
    solved = time.perf_counter()
    run.status = _STATUS.get(highs.getModelStatus(), str(highs.getModelStatus()))
    run.objective = float(highs.getInfo().objective_function_value)
    shares = np.asarray(highs.getSolution().col_value, dtype=float)[:n]
    run.table = _table(rows, shares)
    done = time.perf_counter()
    run.seconds = {
        "build": built - start,
        "handover": handed - built,
        "solve": solved - handed,
        "extract": done - solved,
    }
    run.shape = {"columns": num_col, "rows": num_row, "nonzeros": int(matrix.nnz)}
    if mip:
        run.shape["binaries"] = int(built_lp.integer.sum())
    if built_lp.roster_sites:
        run.shape["shift_columns"] = built_lp.roster_columns
        run.shape["roster_rows"] = sum(site["rows"] for site in built_lp.roster_sites)
    return run


# -- naive PuLP: dicts of variables and lpSum over them ----------------------------------


def solve_pulp_naive(inputs: ModelInputs, eligibility: Eligibility) -> Run:
    """A dict of variables keyed by (call type, language, hour, site), ``lpSum`` per row."""
    import pulp

    check_families(inputs)
    run = Run()
    start = time.perf_counter()
    rows = eligibility.assignments
    keys = list(zip(rows["call_type"], rows["language"], rows["hour"], rows["site"], strict=True))
    handle = dict(zip(keys, rows["handle_hours"], strict=True))
    agent_hours = {
        key: k * a * m
        for key, k, a, m in zip(
            keys, rows["agents_per_erlang"], rows["handle_hours"], rows["repeat_factor"],
            strict=True,
        )
    }  # fmt: skip
    cost = dict(
        zip(keys, _objective(rows, _staffing(inputs, eligibility, envelopes=False)), strict=True)
    )
    vendor_of = dict(zip(keys, rows["vendor"], strict=True))
    prob = pulp.LpProblem("bench_naive", pulp.LpMinimize)
    x = prob.add_variable_dict("share_%s_%s_%s_%s", keys, lowBound=0, upBound=1)
    prob += pulp.lpSum(cost[key] * x[key] for key in keys)
    by_unit: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
    by_site: dict[str, list[Any]] = defaultdict(list)
    by_seat: dict[tuple[str, int], list[Any]] = defaultdict(list)
    by_vendor: dict[str, list[Any]] = defaultdict(list)
    seats = inputs.sites["max_agents"].to_dict()
    for key in keys:
        call_type, language, hour, site = key
        by_unit[(call_type, language, hour)].append(key)
        by_site[site].append(key)
        if hour != WEEK and np.isfinite(seats[site]):
            by_seat[(site, hour)].append(key)
        by_vendor[vendor_of[key]].append(key)
    for i, unit in enumerate(inputs.demand.index):
        prob += pulp.lpSum(x[key] for key in by_unit[unit]) == 1, f"demand_{i}"
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    for site in inputs.sites.index:
        if by_site[site]:
            limit = inputs.sites.at[site, "capacity_hours"] * (1 - headroom)
            prob += (
                pulp.lpSum(agent_hours[k] * x[k] for k in by_site[site]) <= limit,
                (f"capacity_{site}"),
            )
    for i, seat in enumerate(sorted(by_seat)):
        prob += (
            pulp.lpSum(agent_hours[k] * x[k] for k in by_seat[seat]) <= seats[seat[0]],
            (f"seats_{i}"),
        )
    total = float(inputs.demand["handle_hours"].sum())
    for vendor, cap in inputs.vendors["max_share"].dropna().items():
        if cap < 1.0 and by_vendor[vendor]:
            prob += (
                pulp.lpSum(handle[k] * x[k] for k in by_vendor[vendor]) <= cap * total,
                (f"vendor_share_{vendor}"),
            )
    built = time.perf_counter()
    solver = _TimedPulpHighs(msg=False, threads=1)
    stats = prob.solve(solver)
    solved = time.perf_counter()
    run.status = "optimal" if stats.status == pulp.LpSolveStatus.Optimal else str(stats.status)
    run.objective = float(stats.objective) if stats.objective is not None else float("nan")
    shares = np.array([x[key].varValue or 0.0 for key in keys], dtype=float)
    run.table = _table(rows, shares)
    done = time.perf_counter()
    # PuLP's solve is its hand-over (model to highspy, solution back) plus HiGHS's run
    run.seconds = {
        "build": built - start,
        "handover": solved - built - solver.run_seconds,
        "solve": solver.run_seconds,
        "extract": done - solved,
    }
    run.shape = {"columns": prob.numVariables(), "rows": prob.numConstraints()}
    return run


def _timed_pulp_highs() -> type:
    import pulp

    class TimedHiGHS(pulp.HiGHS):
        """PuLP's HiGHS interface, timing HiGHS's own run apart from PuLP's hand-over."""

        run_seconds = 0.0

        def callSolver(self, lp: Any) -> None:  # PuLP names it so
            lp.solverModel.setOptionValue("output_flag", False)
            lp.solverModel.setOptionValue("random_seed", 0)
            start = time.perf_counter()
            super().callSolver(lp)
            self.run_seconds = time.perf_counter() - start

    return TimedHiGHS


class _LazyClass:
    """Build the PuLP subclass on first use, so importing this module needs no PuLP."""

    def __init__(self, factory: Callable[[], type]) -> None:
        self._factory = factory
        self._made: type | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._made is None:
            self._made = self._factory()
        return self._made(*args, **kwargs)


_TimedPulpHighs = _LazyClass(_timed_pulp_highs)


# -- linopy ------------------------------------------------------------------------------


@contextmanager
def _time_highs_run() -> Iterator[list[float]]:
    """Time every ``highspy.Highs.run`` call made inside the block."""
    spent: list[float] = []
    original = highspy.Highs.run

    def timed(self: highspy.Highs, *args: Any, **kwargs: Any) -> Any:
        self.setOptionValue("random_seed", 0)
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    highspy.Highs.run = timed  # type: ignore[method-assign, assignment]
    try:
        yield spent
    finally:
        highspy.Highs.run = original  # type: ignore[method-assign]


def solve_linopy(inputs: ModelInputs, eligibility: Eligibility) -> Run:
    """A linopy model over the assignment dimension; constraints as grouped sums."""
    import linopy
    import xarray as xr

    check_families(inputs)
    run = Run()
    start = time.perf_counter()
    rows = eligibility.assignments
    n = len(rows)
    staffing = _staffing(inputs, eligibility, envelopes=False)  # shares only
    families = _families(inputs, rows, staffing)
    model = linopy.Model()
    assignment = pd.RangeIndex(n, name="assignment")
    x = model.add_variables(lower=0.0, upper=1.0, coords=[assignment], name="share")
    for family in families:
        subset = x if len(family.member) == n else x.isel(assignment=family.member)
        coefficient = xr.DataArray(
            family.coefficient, coords=[subset.indexes["assignment"]], dims=["assignment"]
        )
        group = xr.DataArray(
            family.row,
            coords=[subset.indexes["assignment"]],
            dims=["assignment"],
            name=family.name,
        )
        expression = (coefficient * subset).groupby(group).sum()
        count = len(family.lower)
        index = pd.RangeIndex(count, name=family.name)
        if np.array_equal(family.lower, family.upper):
            rhs = xr.DataArray(family.upper, coords=[index])
            model.add_constraints(expression == rhs, name=family.name)
        else:
            rhs = xr.DataArray(family.upper, coords=[index])
            model.add_constraints(expression <= rhs, name=family.name)
    cost = xr.DataArray(_objective(rows, staffing), coords=[assignment])
    model.add_objective((cost * x).sum())
    built = time.perf_counter()
    with _time_highs_run() as spent:
        _, condition = model.solve(
            solver_name="highs", io_api="direct", output_flag=False, threads=1
        )
    solved = time.perf_counter()
    run.status = str(condition)
    run.objective = float(model.objective.value)
    shares = x.solution.to_numpy()
    run.table = _table(rows, np.nan_to_num(shares))
    done = time.perf_counter()
    run.seconds = {
        "build": built - start,
        "handover": solved - built - sum(spent),
        "solve": sum(spent),
        "extract": done - solved,
    }
    run.shape = {"columns": n, "rows": int(model.constraints.ncons)}
    return run


APPROACHES: dict[str, Callable[[ModelInputs, Eligibility], Run]] = {
    "floor": solve_floor,
    "pulp": solve_pulp_naive,
    "linopy": solve_linopy,
}
