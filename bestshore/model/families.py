"""The registry of constraint families: one record per family, read by every layer.

A family is what one ``add_<family>`` function writes into the program: its columns,
rows and objective terms. Everything else the package knows about it is here, once:

- the **build** (:func:`bestshore.model.build.build_model`) runs :data:`FAMILIES` in
  order, each in its own section of the program;
- **re-pricing** (:mod:`bestshore.model.reprice`) writes again the families whose
  ``reads`` meet what a what-if or a staffing round changed;
- the **diagnosis** (:mod:`bestshore.model.diagnose`) asks each family with slacks what
  its positive slacks mean (``relaxed``);
- the **result** (:mod:`bestshore.result.extract`) says what each binding row means
  (``binding``) and adds the costs a family puts outside the staffing rows
  (``exact_costs``);
- the **docs** (``docs/formulation.md``) have a table row per family and its dual's unit,
  checked by ``tests/test_docs.py``.

Adding a family is writing its ``add_*`` function (the math in its docstring) and one
:class:`Family` record here.

Conventions. A family's rows are named ``row_family[key]``, ``key`` a tuple of the
family's index values (``capacity[lisbon]`` has key ``("lisbon",)``); most families
write rows of their own name only, some several (:attr:`Family.rows`). Slack columns
of an elastic build are ``slack_<row family>[key]``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bestshore.model import (
    award_rules,
    compliance,
    contracts,
    opening,
    platform,
    roster,
    teams,
    todays_split,
    transition,
)
from bestshore.model import constraints as c
from bestshore.model.inputs import WEEK, ModelInputs, mean_fte
from bestshore.model.program import key_text
from bestshore.scenario.hours import hour_label, hour_ranges

if TYPE_CHECKING:
    from bestshore.model.build import SourcingModel

__all__ = ["FAMILIES", "READ_TAGS", "Exact", "Family", "family", "without"]

Key = tuple[Hashable, ...]
Finding = dict[str, object]

# What a family may read that a change of terms or a staffing round alters (``reads``):
READ_TAGS = {
    "staffing": "agent hours k·m·A of the assignments (their agents per Erlang)",
    "margins": "the room the solve's rounds hold back from limits for exact staffing",
    "prices": "rates, contact prices and bonus/malus multipliers",
    "capacity": "the sites' capacities",
    "seats": "the sites' seats",
    "vendor_caps": "the vendors' share caps",
}


@dataclass(frozen=True)
class Exact:
    """A plan staffed exactly: what the families' ``exact_costs`` read.

    ``staffing`` has one row per assignment carrying work (exact agents and cost, see
    :class:`bestshore.model.plan.Plan`); ``shifts`` and ``roster_hours`` are its
    whole-agent roster (:func:`bestshore.model.roster.whole_roster`), empty when no
    site is rostered.
    """

    staffing: pd.DataFrame
    shifts: pd.DataFrame
    roster_hours: pd.DataFrame


@dataclass(frozen=True)
class Family:
    """One constraint family and what every layer needs to know of it.

    Attributes
    ----------
    name : str
        The family's name: its section of the program, and its rows' name unless
        ``rows`` says otherwise.
    add : callable
        ``add_<family>(program, inputs, variables)``: writes its columns, rows and
        objective terms (the math in its docstring), returns nothing.
    reads : frozenset of str or None
        The :data:`READ_TAGS` it reads; an empty set when it reads none of them (kept as
        built when terms change); None when not said (written again on every change:
        correct, only slower).
    rows : tuple of str or None
        The row families it writes; None (the default) for just ``(name,)``, empty for
        a family that only adds objective terms.
    dual_unit : str or None
        Unit of its rows' duals (``currency`` is the scenario's); None when its rows
        have no dual worth reading (binaries, objective terms).
    binding : callable or None
        ``binding(inputs, row_family, key) -> str | None``: what one of its rows says
        when it binds, in the client's words; None for a row that only ties work to a
        binary. Families without it are not reported among the binding rules.
    measure : callable or None
        ``measure(inputs, exact, row_family, keys) -> (limit, used)`` for rows that are
        limits whose use is measured on the plan's exact staffing or whole roster
        (:class:`Exact`: site capacity, seats, vendor caps, a rostered site's paid hours
        and seats on shift), not read off the LP row: arrays aligned with ``keys``.
    measured_rows : tuple of str or None
        The row families ``measure`` covers; None for all of them. The others are read
        off the LP.
    report_slack : bool
        Whether its rows that do not bind are reported too (with their spare room);
        false for families with a row per hour (seats, shifts): only binding ones.
    relaxed : callable or None
        ``relaxed(model, row_family, slacks) -> findings``: what its positive slacks (a
        Series by key, in the row's units) mean in a diagnosis.
    exact_costs : callable or None
        ``exact_costs(model, exact) -> DataFrame`` of ``kind``, ``id``, ``cost``
        [currency/yr]: what an exact plan (:class:`Exact`) pays for it outside the
        staffing rows.
    """

    name: str
    add: c.AddFamily
    reads: frozenset[str] | None = None
    rows: tuple[str, ...] | None = None
    dual_unit: str | None = None
    binding: Callable[[ModelInputs, str, Key], str | None] | None = None
    measure: (
        Callable[[ModelInputs, Exact, str, list[Key]], tuple[np.ndarray, np.ndarray]] | None
    ) = None
    measured_rows: tuple[str, ...] | None = None
    report_slack: bool = True
    relaxed: Callable[[SourcingModel, str, pd.Series], list[Finding]] | None = None
    exact_costs: Callable[[SourcingModel, Exact], pd.DataFrame] | None = None

    @property
    def measured(self) -> tuple[str, ...]:
        """The row families measured on the plan (none without ``measure``)."""
        if self.measure is None:
            return ()
        return self.row_families if self.measured_rows is None else self.measured_rows

    @property
    def row_families(self) -> tuple[str, ...]:
        return (self.name,) if self.rows is None else self.rows


# -- words -----------------------------------------------------------------------------


def _share(share: float | None) -> str:
    return "" if share is None else f" ({share:.0%} of the work)"


def _work(inputs: ModelInputs) -> float:
    return float(inputs.demand["handle_hours"].sum())


def _finding(rule: str, key: object, amount: float, unit: str, message: str) -> Finding:
    return {"rule": rule, "key": key, "amount": amount, "unit": unit, "message": message}


# -- demand ----------------------------------------------------------------------------


def _unserved(model: SourcingModel, _: str, slacks: pd.Series) -> list[Finding]:
    """Work left unserved though eligible sites exist (they have no room), per workload."""
    inputs = model.inputs
    rows = model.eligibility.assignments
    served = set(zip(*(rows[k] for k in ("call_type", "language", "hour")), strict=True))
    unserved: dict[tuple[Any, Any], float] = {}
    for key, value in slacks.items():
        if key in served:  # demand no site may take is explained from eligibility
            row = inputs.demand.loc[key]
            hours = value * float(row["agents_per_erlang"] * row["handle_hours"])
            unserved[key[:2]] = unserved.get(key[:2], 0.0) + hours
    findings = []
    for (call_type, language), hours in unserved.items():
        fte = mean_fte(hours, inputs)
        findings.append(
            _finding(
                "demand",
                f"{call_type}/{language}",
                fte,
                "FTE",
                f"{call_type} in {language}: {fte:.1f} FTE of work finds no eligible site with room",
            )
        )
    return findings


# -- limits measured on the plan -------------------------------------------------------


def _capacity_measure(
    inputs: ModelInputs, exact: Exact, _: str, keys: list[Key]
) -> tuple[np.ndarray, np.ndarray]:
    """Agent hours a week per site against its capacity."""
    sites = [key[0] for key in keys]
    used = exact.staffing.groupby("site")["agents"].sum().reindex(sites).fillna(0.0)
    limit = inputs.sites["capacity_hours"].reindex(sites)
    return limit.to_numpy(dtype=float), used.to_numpy(dtype=float)


def _seats_measure(
    inputs: ModelInputs, exact: Exact, _: str, keys: list[Key]
) -> tuple[np.ndarray, np.ndarray]:
    """Agents per site and hour against its seats."""
    staffing = exact.staffing
    hourly = staffing[staffing["hour"] != WEEK].groupby(["site", "hour"])["agents"].sum()
    index = pd.MultiIndex.from_tuples(keys) if keys else pd.MultiIndex.from_tuples([("", 0)])[:0]
    used = hourly.reindex(index).fillna(0.0)
    limit = inputs.sites["max_agents"].reindex([key[0] for key in keys])
    return limit.to_numpy(dtype=float), used.to_numpy(dtype=float)


def _vendor_cap_measure(
    inputs: ModelInputs, exact: Exact, _: str, keys: list[Key]
) -> tuple[np.ndarray, np.ndarray]:
    """Handle hours a week per vendor against its share of the work."""
    vendors = [key[0] for key in keys]
    total = float(inputs.demand["handle_hours"].sum())
    used = exact.staffing.groupby("vendor")["handle_hours"].sum().reindex(vendors).fillna(0.0)
    limit = inputs.vendors["max_share"].reindex(vendors) * total
    return limit.to_numpy(dtype=float), used.to_numpy(dtype=float)


def _capacity_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    return f"site {key[0]} is full"


def _capacity_relaxed(model: SourcingModel, _: str, slacks: pd.Series) -> list[Finding]:
    sites = model.inputs.sites
    findings = []
    for (site,), value in slacks.items():
        fte = value / float(sites.at[site, "weekly_hours_per_fte"])
        findings.append(
            _finding(
                "capacity",
                site,
                fte,
                "FTE",
                f"site {site} would need {fte:.1f} more FTE than its capacity "
                f"of {sites.at[site, 'capacity_fte']:.1f}",
            )
        )
    return findings


def _seats_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    site, hour = key
    given = bool(inputs.sites.at[site, "seats_given"])
    return f"site {site} has {'every seat taken' if given else 'its peak staffing'} in hour {hour}"


def _seats_relaxed(model: SourcingModel, _: str, slacks: pd.Series) -> list[Finding]:
    short: dict[Any, tuple[list[int], float]] = {}
    for (site, hour), value in slacks.items():
        hours, most = short.get(site, ([], 0.0))
        short[site] = ([*hours, int(hour)], max(most, float(value)))
    return [
        _finding(
            "seats",
            site,
            most,
            "agents",
            f"site {site} would need up to {most:.1f} more seats, in {len(hours)} "
            f"hours a week ({hour_ranges(hours)})",
        )
        for site, (hours, most) in short.items()
    ]


def _vendor_cap_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    cap = float(inputs.vendors.at[key[0], "max_share"])
    return f"vendor share cap {cap:.0%} binds for {key[0]}"


def _vendor_cap_relaxed(model: SourcingModel, _: str, slacks: pd.Series) -> list[Finding]:
    inputs, total = model.inputs, _work(model.inputs)
    findings = []
    for (vendor,), value in slacks.items():
        cap = float(inputs.vendors.at[vendor, "max_share"])
        extra = value / total if total > 0 else 0.0
        findings.append(
            _finding(
                "vendor_share",
                vendor,
                extra,
                "share",
                f"vendor {vendor} would need {cap + extra:.1%} of the work, above its {cap:.0%} cap",
            )
        )
    return findings


# -- shares of the work ----------------------------------------------------------------


def _share_relaxed(words: str) -> Callable[[SourcingModel, str, pd.Series], list[Finding]]:
    """Findings of a rule on shares of the work: the share it must give."""

    def relaxed(model: SourcingModel, family: str, slacks: pd.Series) -> list[Finding]:
        total = _work(model.inputs)
        findings = []
        for key, value in slacks.items():
            extra, name = (value / total if total > 0 else 0.0), key_text(key)
            findings.append(
                _finding(
                    family,
                    name,
                    extra,
                    "share",
                    f"{words} ({name}) must give {extra:.1%} of the work",
                )
            )
        return findings

    return relaxed


def _site_share_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    share = _share(inputs.scenario.policies.max_site_share)
    return f"site {key[0]} takes the most the site cap allows{share}"


def _country_share_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    share = _share(inputs.scenario.policies.max_country_share)
    return f"country {key[0]} takes the most the country cap allows{share}"


def _shore_share_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    caps = {str(shore): cap for shore, cap in inputs.scenario.policies.max_shore_share.items()}
    share = _share(caps.get(str(key[0])))
    return f"{key[0]} takes the most its cap allows{share}"


def _inshore_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    return f"the minimum inshore share binds{_share(inputs.scenario.policies.min_inshore_share)}"


def _preferred_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    preferred = inputs.scenario.policies.preferred_vendor
    share = _share(preferred.min_share if preferred else None)
    return f"preferred partner {key[0]} gets just its minimum share{share}"


def _spread_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    k = inputs.scenario.policies.min_sites_per_call_type
    return f"site {key[1]} takes 1/{k} of {key[0]}, the most the at-least-{k}-sites rule allows"


# -- quality ---------------------------------------------------------------------------


def _quality_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    floor = inputs.scenario.policies.quality_floors[str(key[0])]
    return f"{key[0]} meets its CSAT floor of {floor:g} exactly: cheaper sites score lower"


def _nps_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    return f"{key[0]} meets its NPS floor of {inputs.scenario.policies.nps_floors[str(key[0])]:g} exactly"


def _floor_relaxed(score: str) -> Callable[[SourcingModel, str, pd.Series], list[Finding]]:
    def relaxed(model: SourcingModel, family: str, slacks: pd.Series) -> list[Finding]:
        return [
            _finding(
                family,
                key[0],
                value,
                "contact-points",
                f"call type {key[0]} cannot reach its {score} floor with the eligible sites",
            )
            for key, value in slacks.items()
        ]

    return relaxed


# -- contracts -------------------------------------------------------------------------


def _panel_binds(inputs: ModelInputs, row_family: str, key: Key) -> str | None:
    policies = inputs.scenario.policies
    if row_family == "panel_size":
        bound = policies.max_vendors if key == ("max",) else policies.min_vendors
        return (
            f"the panel is at its {'maximum' if key == ('max',) else 'minimum'} of {bound} vendors"
        )
    if row_family == "panel_floor":
        return (
            f"vendor {key[0]} gets just the panel's minimum share ({policies.panel_min_share:.0%})"
        )
    return None  # panel[v]: work tied to a binary, no rule of the client's


def _binary_costs(column_family: str, kind: str) -> Callable[[SourcingModel, Exact], pd.DataFrame]:
    """Yearly fixed costs of the 0/1 decisions set in the plan (vendors, sites)."""

    def costs(model: SourcingModel, exact: Exact) -> pd.DataFrame:
        scenario = model.inputs.scenario
        fixed = {v.id: v.fixed_cost for v in scenario.vendors}
        fixed.update({s.id: s.fixed_cost for s in scenario.sites})
        values = model.values()
        rows = [
            {"kind": kind, "id": key[0], "cost": fixed[str(key[0])]}
            for key, column in model.program.column_keys(column_family).items()
            if fixed[str(key[0])] > 0 and round(values[column]) == 1
        ]
        return pd.DataFrame(rows, columns=["kind", "id", "cost"])

    return costs


def _commitment_binds(inputs: ModelInputs, _: str, key: Key) -> str:
    vendor = next(v for v in inputs.scenario.vendors if v.id == key[0])
    committed = (
        "volume" if vendor.commitment is None else f"{vendor.commitment.contacts:,.0f} contacts"
    )
    return f"vendor {key[0]}'s volume commitment binds ({committed} a year)"


def _commitment_relaxed(model: SourcingModel, _: str, slacks: pd.Series) -> list[Finding]:
    return [
        _finding(
            "commitment",
            key[0],
            value,
            "contacts/yr",
            f"vendor {key[0]} can take {value:,.0f} contacts a year fewer than committed",
        )
        for key, value in slacks.items()
    ]


def _on_plan(
    cost: Callable[[ModelInputs, pd.DataFrame], pd.DataFrame],
) -> Callable[..., pd.DataFrame]:
    """An exact-cost function of (inputs, staffing) as a registry hook."""
    return lambda model, exact: cost(model.inputs, exact.staffing)


# -- roster ----------------------------------------------------------------------------


def _roster_binds(inputs: ModelInputs, row_family: str, key: Key) -> str | None:
    if row_family == "shift_capacity":
        return f"site {key[0]} rosters every paid hour of its capacity"
    if row_family == "shift_seats":
        return (
            f"site {key[0]} has every seat on shift at {hour_label(int(str(key[1])))} (market time)"
        )
    if row_family == "part_time":
        return f"site {key[0]} is at its cap on part-time shifts"
    return None  # shift_cover, blend: the roster's own bookkeeping


def _roster_measure(
    inputs: ModelInputs, exact: Exact, row_family: str, keys: list[Key]
) -> tuple[np.ndarray, np.ndarray]:
    """A rostered site's paid hours a week against its capacity less the headroom
    (``shift_capacity``), or its agents on shift in an hour against its whole seats
    (``shift_seats``): on the plan's whole roster (``exact.roster_hours``), not the LP's
    (in a seasonal year the sizing week's shifts carry no cost, and their idle hours
    may fill the row)."""
    on_shift = exact.roster_hours.set_index(["site", "hour"])["on_shift"]
    sites = [str(key[0]) for key in keys]
    if row_family == "shift_capacity":
        headroom = inputs.scenario.policies.capacity_headroom or 0.0
        limit = inputs.sites["capacity_hours"].reindex(sites).to_numpy(dtype=float)
        paid = on_shift.groupby(level="site").sum()
        return limit * (1 - headroom), np.array([float(paid.get(s, 0.0)) for s in sites])
    limit = np.array([roster.whole_seats(inputs, site) for site in sites], dtype=float)
    used = [float(on_shift.get((str(key[0]), int(str(key[1]))), 0.0)) for key in keys]
    return limit, np.array(used, dtype=float)


def _roster_relaxed(model: SourcingModel, family: str, slacks: pd.Series) -> list[Finding]:
    if family == "shift_capacity":
        return _capacity_relaxed(model, family, slacks)
    by_site: dict[Any, list[int]] = {}
    for (site, hour), _ in slacks.items():
        by_site.setdefault(site, []).append(int(hour))
    return [
        _finding(
            "shift_cover",
            site,
            float(slacks[[k for k in slacks.index if k[0] == site]].sum()),
            "agent hours",
            f"site {site} cannot cover its work with whole shifts in {len(hours)} hours "
            f"a week ({hour_ranges(hours)}): its opening windows are shorter than its "
            "shortest shift",
        )
        for site, hours in by_site.items()
    ]


def _idle_costs(model: SourcingModel, exact: Exact) -> pd.DataFrame:
    """Idle paid hours of the whole-agent roster, priced as the LP prices them."""
    hours = exact.roster_hours
    columns = ["kind", "id", "cost"]
    if hours.empty:
        return pd.DataFrame([], columns=columns)
    inputs = model.inputs
    weeks = roster.weeks_of_work(inputs)
    rows = []
    for site, table in hours.groupby("site", sort=True):
        pay = inputs.premium.loc[site].to_numpy()[table["hour"].to_numpy(dtype=int)]
        idle = np.nan_to_num(table["idle"].to_numpy(dtype=float))
        cost = float(weeks * roster.idle_rate(inputs, str(site)) * (pay * idle).sum())
        if cost > 0:
            rows.append(("idle", str(site), cost))
    return pd.DataFrame(rows, columns=columns)


# -- teams -----------------------------------------------------------------------------


def _team_binds(inputs: ModelInputs, row_family: str, key: Key) -> str | None:
    site_min, type_min = teams.minimum_teams(inputs)
    if row_family == "team_min":
        return f"site {key[0]} works with just its minimum team ({site_min[str(key[0])]:g} FTE)"
    if row_family == "call_type_team_min":
        minimum = type_min[str(key[0])]
        return f"site {key[0]} has just its minimum team of {minimum:g} FTE on {key[1]}"
    return None  # team_max: work tied to a binary


def _team_relaxed(model: SourcingModel, family: str, slacks: pd.Series) -> list[Finding]:
    what = "team" if family == "team_min" else "call-type team"
    return [
        _finding(
            family,
            key_text(key),
            float(value),
            "FTE",
            f"site {key[0]}'s {what}{' on ' + str(key[1]) if len(key) > 1 else ''} would be "
            f"{value:.1f} FTE short of its minimum",
        )
        for key, value in slacks.items()
    ]


def _sites_limit(inputs: ModelInputs, call_type: str) -> int:
    found = inputs.scenario.call_type(call_type)
    return 1 if found.single_team else int(found.max_sites or 0)


def _sites_binds(inputs: ModelInputs, row_family: str, key: Key) -> str | None:
    if row_family != "call_type_sites":
        return None  # serves[c,s]: work tied to a binary
    limit = _sites_limit(inputs, str(key[0]))
    if limit == 1:
        return f"{key[0]} is served by a single team, as its rule asks"
    return f"{key[0]} is served by the most sites its rule allows ({limit})"


def _sites_relaxed(model: SourcingModel, family: str, slacks: pd.Series) -> list[Finding]:
    return [
        _finding(
            "call_type_sites",
            key[0],
            float(value),
            "sites",
            f"call type {key[0]} needs {value:.0f} more site(s) than its limit of "
            f"{_sites_limit(model.inputs, str(key[0]))}",
        )
        for key, value in slacks.items()
    ]


# -- the registry ----------------------------------------------------------------------

_WORK = "currency/yr per handle h/week"


def _work_share(
    name: str, add: c.AddFamily, binding: Callable[[ModelInputs, str, Key], str], words: str
) -> Family:
    """A rule on shares of the work (handle hours): kept when terms change."""
    return Family(
        name, add, reads=frozenset(), dual_unit=_WORK, binding=binding,
        relaxed=_share_relaxed(words),
    )  # fmt: skip


#: Every family, in build order (the program's sections follow it).
FAMILIES: tuple[Family, ...] = (
    Family("demand", c.add_demand_coverage, reads=frozenset(),
           dual_unit="currency/yr per demand unit", relaxed=_unserved),
    Family("capacity", c.add_site_capacity, reads=frozenset({"staffing", "margins", "capacity"}),
           dual_unit="currency/yr per productive h/week", binding=_capacity_binds, measure=_capacity_measure,
           relaxed=_capacity_relaxed),
    Family("seats", c.add_seat_limit, reads=frozenset({"staffing", "margins", "seats"}),
           dual_unit="currency/yr per agent", binding=_seats_binds, measure=_seats_measure,
           report_slack=False,
           relaxed=_seats_relaxed),
    # whole shifts at rostered sites: cover, blending, paid capacity and seats, part time
    Family("roster", roster.add_roster,
           reads=frozenset({"staffing", "margins", "prices", "capacity", "seats"}),
           rows=("shift_cover", "blend", "shift_capacity", "shift_seats", "part_time"),
           dual_unit="currency/yr per agent hour/week", binding=_roster_binds, report_slack=False,
           measure=_roster_measure, measured_rows=("shift_capacity", "shift_seats"),
           relaxed=_roster_relaxed, exact_costs=_idle_costs),
    Family("vendor_share", c.add_vendor_share, reads=frozenset({"vendor_caps"}), dual_unit=_WORK,
           binding=_vendor_cap_binds, measure=_vendor_cap_measure, relaxed=_vendor_cap_relaxed),
    _work_share("site_share", c.add_site_share, _site_share_binds, "the site share cap"),
    _work_share("country_share", c.add_country_share, _country_share_binds, "the country share cap"),
    _work_share("shore_share", c.add_shore_share, _shore_share_binds, "the shore share cap"),
    _work_share("inshore_min", c.add_inshore_minimum, _inshore_binds, "the minimum inshore share"),
    _work_share("preferred", c.add_preferred_partner, _preferred_binds, "the preferred partner's minimum share"),
    _work_share("spread", c.add_call_type_spread, _spread_binds, "the spread over k sites"),
    # policies.keep_todays_split: the split of today's incumbent FTE, to price today
    Family("todays_split", todays_split.add_todays_split, reads=frozenset(), dual_unit=_WORK,
           binding=todays_split.todays_split_binds, relaxed=todays_split.todays_split_relaxed),
    Family("quality_floor", c.add_quality_floor, reads=frozenset(),
           dual_unit="currency/yr per contact-point", binding=_quality_binds,
           relaxed=_floor_relaxed("CSAT")),
    Family("nps_floor", c.add_nps_floor, reads=frozenset(),
           dual_unit="currency/yr per contact-point", binding=_nps_binds,
           relaxed=_floor_relaxed("NPS")),
    Family("panel", c.add_panel, reads=frozenset(), rows=("panel", "panel_floor", "panel_size"),
           binding=_panel_binds, exact_costs=_binary_costs("on_panel", "vendor")),
    # tender award rules (bestshore.model.award_rules): winners per lot, lot shares, limits
    Family("lot_winners", award_rules.add_lot_winners, reads=frozenset(),
           rows=("lot_award", "lot_award_floor", "lot_winners"), binding=award_rules.lot_binds,
           relaxed=award_rules.award_relaxed),
    Family("lot_share", award_rules.add_lot_share, reads=frozenset(), dual_unit=_WORK,
           binding=award_rules.lot_binds, relaxed=award_rules.award_relaxed),
    Family("work_limit", award_rules.add_work_limits, reads=frozenset(), dual_unit=_WORK,
           binding=award_rules.limit_binds, relaxed=award_rules.award_relaxed),
    Family("spend_limit", award_rules.add_spend_limits, reads=frozenset({"staffing", "prices"}),
           dual_unit="currency/yr per currency/yr", binding=award_rules.limit_binds,
           relaxed=award_rules.award_relaxed),
    # open[s]: agent hours <= H_s y_s
    Family("open", c.add_open_sites, reads=frozenset({"staffing", "capacity"}),
           exact_costs=_binary_costs("open_site", "site")),
    # teams below their minimum size not opened; call types on at most K sites
    Family("teams", teams.add_minimum_teams, reads=frozenset({"capacity"}),
           rows=("team_min", "team_max", "call_type_team_min", "call_type_team_max"),
           binding=_team_binds, relaxed=_team_relaxed),
    Family("call_type_sites", teams.add_call_type_sites, reads=frozenset(),
           rows=("serves", "call_type_sites"), binding=_sites_binds, relaxed=_sites_relaxed),
    # the bill B_v and its bound U_v
    Family("tier", contracts.add_volume_discounts, reads=frozenset({"staffing", "prices"}),
           rows=("tier_choice", "tier_volume", "tier_discount", "tier_none")),
    Family("commitment", contracts.add_commitments, reads=frozenset(),
           dual_unit="currency per contact", binding=_commitment_binds,
           relaxed=_commitment_relaxed, exact_costs=_on_plan(contracts.commitment_costs)),
    Family("scc", compliance.add_scc_compliance, reads=frozenset(),
           exact_costs=_on_plan(compliance.scc_costs)),
    Family("recording", compliance.add_recording_storage, reads=frozenset(), rows=(),
           exact_costs=_on_plan(compliance.recording_costs)),
    # set-up and transition costs per site, reported once for both families
    Family("new_fte", transition.add_new_fte_setup, reads=frozenset({"staffing"}),
           dual_unit="currency/yr per FTE", exact_costs=_on_plan(transition.transition_costs)),
    Family("transition", transition.add_transition, reads=frozenset({"staffing"}),
           dual_unit="currency/yr per FTE"),
    Family("channels", platform.add_platform_channels, reads=frozenset(),
           dual_unit="currency/yr per channel-Erlang", binding=platform.channels_binds,
           report_slack=False, relaxed=platform.channels_relaxed),
    # each Erlang-staffed row's agents at least its envelope; split queues their pooled agents
    Family("queue_staffing", c.add_queue_staffing, reads=frozenset({"staffing"}),
           rows=("queue_hull", "queue_year", "pooled_staffing", "pooled_year"),
           dual_unit="currency/yr per agent"),
    # a queue opened at a site pays its first agent (binaries): bounds crumbs of queues
    Family("queue_opening", opening.add_queue_opening, reads=frozenset({"staffing"}),
           rows=("open_share", "open_week", "open_year")),
    Family("objective", c.set_cost_objective, reads=frozenset({"staffing", "prices"}), rows=()),
)  # fmt: skip


def family(name: str, families: tuple[Family, ...] = FAMILIES) -> Family:
    """The record of a family, by name."""
    for record in families:
        if record.name == name:
            return record
    raise KeyError(f"no constraint family {name!r}")


def without(name: str, families: tuple[Family, ...] = FAMILIES) -> tuple[Family, ...]:
    """The families but one (by name), in build order: e.g. a relaxation without the
    queue openings' binaries, for what only prices or searches plans."""
    return tuple(record for record in families if record.name != name)
