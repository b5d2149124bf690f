"""From a validated scenario to the model's parameters: named pandas tables, units in names.

Conventions (see ``docs/formulation.md``):

- The plan is sized for one *sizing week* (the peak month's by default) and costed for
  the year: annual figures are that week's times the call type's ``annual_factor``
  [weeks/yr] (52.18 for a flat year).
- A *workload* is one (call type, language) pair. A *demand unit* is a workload in one
  market hour of the week for real-time work (voice, chat), or over the whole week
  (``hour = WEEK = -1``) for deferred work (e-mail, mail, social, back-office).
- *Handle hours* are ``contacts x AHT / 3600`` [h per sizing week]; for one hour of
  real-time work they are its traffic in Erlangs.
- *Agent hours* (logged-in, productive hours, what vendors bill) are handle hours times
  an *agents-per-Erlang* factor: ``1 / occupancy`` for real-time work sized by workload,
  ``N(a) / a`` from Erlang C for work with a service level (updated by the staffing
  loop), ``1 / async_utilisation`` for deferred work.
- A site's weekly productive hours per FTE are
  ``annual hours per FTE x (1 - shrinkage) / 52.18``; FTE = agent hours / that. Its
  annual hours per FTE are its own, else ``settings.annual_hours_per_fte``, else its
  country's bundled figure (:func:`bestshore.scenario.checks.annual_hours_per_fte`).
- The shore of a site country is derived by :func:`shore_of` unless overridden.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bestshore.scenario.checks import annual_hours_per_fte
from bestshore.scenario.hours import HOURS_PER_WEEK, covered_market_hours, local_clock, parse_hours
from bestshore.scenario.profiles import WEEKS_PER_YEAR, annual_factor, weekly_profile
from bestshore.scenario.reference import countries, country_zones, great_circle_km
from bestshore.scenario.schema import CallType, Jurisdiction, Roster, Scenario

__all__ = [
    "NEARSHORE_MAX_KM",
    "NEARSHORE_MAX_OFFSET_HOURS",
    "WEEK",
    "ModelInputs",
    "jurisdiction_of",
    "mean_fte",
    "pair_codes",
    "prepare_inputs",
    "rostered_sites",
    "row_quality",
    "shore_of",
]

NEARSHORE_MAX_KM = 2500.0
NEARSHORE_MAX_OFFSET_HOURS = 2.0
IN_HOUSE = "in-house"
WEEK = -1  # the hour of a deferred demand unit: handled any time within its response window
#: Contacts of a demand unit in the sizing week at or under which it is not planned: a
#: profile's "closed" hours carry placeholder weights (the bundled ``n1_voice`` 1e-8), so
#: a small call type open at night has units of 1e-10 contacts, each asking for a whole
#: agent and writing coefficients of 1e-12 into the LP, where HiGHS and CBC then
#: disagree (one contact in some 19,000 years: noise, not work).
NEGLIGIBLE_CALLS = 1e-6


def _utc_offset_hours(zone: str, when: dt.date) -> float:
    offset = dt.datetime.combine(when, dt.time(12), tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


def shore_of(
    market_country: str,
    site_country: str,
    reference_week: dt.date,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """Shore of a site country seen from the market.

    Rule: ``inshore`` when the site is in the market's country; ``nearshore`` when some
    time zone of the market's country and some time zone of the site's country have
    reference cities (tz database ``zone.tab``) at most ``NEARSHORE_MAX_KM`` (2,500 km)
    apart *and* UTC offsets differing by at most ``NEARSHORE_MAX_OFFSET_HOURS`` (2 h)
    in the reference week; ``offshore`` otherwise. ``overrides`` (country -> shore) win.
    A country with one zone is one point, so from France this gives Portugal, Spain,
    Romania, Bulgaria, Morocco, Tunisia and Algeria as nearshore, and Senegal,
    Madagascar, Mauritius, Egypt or Suriname as offshore, as the trade does; a country
    spanning several zones is near by its nearest part: from the United States, Mexico
    and Canada are nearshore (Tijuana and Los Angeles), the Philippines and India
    offshore.
    """
    if overrides and site_country in overrides:
        return overrides[site_country]
    if site_country == market_country:
        return "inshore"
    return "nearshore" if _near(market_country, site_country, reference_week) else "offshore"


@functools.lru_cache(maxsize=4096)
def _near(market_country: str, site_country: str, reference_week: dt.date) -> bool:
    """Some zone pair of the two countries within the distance and the clock offset."""
    here, there = country_zones(market_country), country_zones(site_country)
    offsets_here = [_utc_offset_hours(zone, reference_week) for zone in here["timezone"]]
    offsets_there = [_utc_offset_hours(zone, reference_week) for zone in there["timezone"]]
    for lat1, lon1, offset1 in zip(here["lat"], here["lon"], offsets_here, strict=True):
        for lat2, lon2, offset2 in zip(there["lat"], there["lon"], offsets_there, strict=True):
            if (
                abs(offset1 - offset2) <= NEARSHORE_MAX_OFFSET_HOURS
                and great_circle_km(lat1, lon1, lat2, lon2) <= NEARSHORE_MAX_KM
            ):
                return True
    return False


@functools.lru_cache(maxsize=1024)
def jurisdiction_of(market_country: str, site_country: str) -> frozenset[Jurisdiction]:
    """Every jurisdiction rule a site country satisfies for data of the market's customers.

    Cached: the solve's rounds ask for the same few pairs every round, and the reference
    table is read from a file that does not change while a process runs.
    """
    row = countries().loc[site_country]
    held = {Jurisdiction.ANY, Jurisdiction.SCC}
    if site_country == market_country:
        held.add(Jurisdiction.MARKET)
    if row.eu_eea:
        held.add(Jurisdiction.EU_EEA)
    if row.eu_adequacy:
        held.add(Jurisdiction.ADEQUACY)
    return frozenset(held)


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model reads, as named tables. Built once per scenario.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario (call types, sites and vendors in id order).
    market : dict
        ``country``, ``name``, ``timezone``, ``currency``, ``lat``, ``lon``.
    workloads : DataFrame
        Index ``(call_type, language)``; columns ``level``, ``channel``, ``data_class``,
        ``min_proficiency``, ``real_time`` and ``erlang`` (bool), ``annual_factor``
        [weeks/yr], ``weekly_volume`` [contacts per sizing week], ``volume``
        [contacts/yr], ``handle_hours`` [h per sizing week].
    demand : DataFrame
        Index ``(call_type, language, hour)`` (``hour`` = ``WEEK`` for deferred work);
        columns ``calls`` [contacts per sizing week in that hour], ``handle_hours``
        [h per sizing week; Erlangs for one hour], ``agents_per_erlang`` (pooled, one
        site taking it all).
    sites : DataFrame
        Index ``site``; columns ``name``, ``vendor`` (vendor id or ``"in-house"``),
        ``country``, ``city``, ``lat``, ``lon``, ``timezone``, ``shore``, ``shrinkage``,
        ``annual_hours_per_fte``, ``weekly_hours_per_fte`` [productive h/FTE/week],
        ``capacity_hours`` [productive h per week], ``capacity_fte``, ``max_agents``
        (seats given, or ``peak_factor`` x capacity / open hours), ``seats_given``,
        ``cost_per_hour`` [currency/h; an FTE-month price converted, 0 for a site paid
        per contact], ``cost_from_country`` (bool), ``pricing`` (``per_productive_hour``,
        ``per_fte_month`` or ``per_contact``), ``price_per_contact`` [currency/contact, 0
        unless so priced], ``incentive`` (bill multiplier of the vendor's bonus/malus),
        ``csat``, ``fcr``,
        ``nps``, ``night_premium``, ``weekend_premium``.
    rates : Series
        Index ``(call_type, site)``: price per productive hour [currency/h], rate card
        first, the site's ``cost_per_hour`` otherwise.
    vendors : DataFrame
        Index ``vendor``; columns ``name``, ``max_share`` (the tighter of the vendor's own
        cap and ``policies.max_vendor_share``; NaN when uncapped).
    open_hours : DataFrame
        Index ``site``, 168 bool columns: market hours the site is open for entirely.
    premium : DataFrame
        Index ``site``, 168 float columns: pay multiplier of each market hour at the site
        (1 + night and weekend premiums, judged in local time).
    quality : DataFrame
        Index ``(call_type, site)``; columns ``csat`` [0-100], ``fcr`` [fraction], ``nps``
        [-100..100]: the site's score for that call type where given
        (``quality_by_call_type``), else its site-level score; NaN where neither is.
    """

    scenario: Scenario
    market: dict[str, Any]
    workloads: pd.DataFrame
    demand: pd.DataFrame
    sites: pd.DataFrame
    rates: pd.Series
    vendors: pd.DataFrame
    open_hours: pd.DataFrame
    premium: pd.DataFrame
    quality: pd.DataFrame


def _language_mix(call_type: CallType) -> pd.DataFrame:
    """Share of each language in each market hour (168 rows), night windows applied."""
    languages = sorted(
        set(call_type.languages)
        | {code for w in call_type.hourly_languages for code in w.languages}
    )
    mix = pd.DataFrame(0.0, index=range(HOURS_PER_WEEK), columns=languages)
    for code, share in call_type.languages.items():
        mix[code] = share
    for window in call_type.hourly_languages:
        hours = parse_hours(window.hours).reshape(HOURS_PER_WEEK, 4).any(axis=1)
        mix.loc[hours, :] = 0.0
        for code, share in window.languages.items():
            mix.loc[hours, code] = share
    return mix


def _pooled_agents_per_erlang(
    call_type: CallType, traffic: np.ndarray, occupancy: float
) -> np.ndarray:
    """Agents per Erlang if one site took the whole queue of each hour."""
    if call_type.service_level is None:
        return np.full(len(traffic), 1.0 / occupancy)
    from bestshore.model.staffing import planning_agents_of

    agents = planning_agents_of(call_type, np.asarray(traffic, dtype=float), occupancy)
    return np.where(traffic > 0, agents / np.where(traffic > 0, traffic, 1.0), 1.0 / occupancy)


def _workloads_and_demand(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = scenario.settings
    workloads, demand = [], []
    for call_type in scenario.call_types:
        factor = annual_factor(call_type.seasonality, settings.sizing)
        weekly_calls = call_type.volume / factor * weekly_profile(call_type)  # per market hour
        mix = _language_mix(call_type)
        by_language = [weekly_calls * mix[language].to_numpy() for language in mix.columns]
        handles = [calls * call_type.aht_seconds / 3600.0 for calls in by_language]
        if call_type.real_time:  # the languages' queues staffed together (each its own)
            busy = [np.flatnonzero(calls > NEGLIGIBLE_CALLS) for calls in by_language]
            loads = [handle[hours] for handle, hours in zip(handles, busy, strict=True)]
            every = _pooled_agents_per_erlang(
                call_type, np.concatenate(loads) if loads else np.zeros(0), settings.occupancy
            )
            ends = np.cumsum([len(load) for load in loads])
            per_language = np.split(every, ends[:-1]) if len(loads) else []
        for k, language in enumerate(mix.columns):
            calls, handle = by_language[k], handles[k]
            if call_type.real_time:
                hours = busy[k]
                rows = {"hour": hours, "calls": calls[hours], "handle_hours": handle[hours]}
                rows["agents_per_erlang"] = per_language[k]
            else:
                rows = {
                    "hour": [WEEK],
                    "calls": [calls.sum()],
                    "handle_hours": [handle.sum()],
                    "agents_per_erlang": [1.0 / settings.async_utilisation],
                }
            part = pd.DataFrame(rows)
            part.insert(0, "language", language)
            part.insert(0, "call_type", call_type.id)
            demand.append(part)
            workloads.append(
                {
                    "call_type": call_type.id,
                    "language": language,
                    "level": str(call_type.level),
                    "channel": str(call_type.channel),
                    "data_class": call_type.data_class,
                    "min_proficiency": str(call_type.min_proficiency),
                    "real_time": call_type.real_time,
                    "erlang": call_type.service_level is not None,
                    "annual_factor": factor,
                    "weekly_volume": calls.sum(),
                    "volume": calls.sum() * factor,
                    "handle_hours": handle.sum(),
                }
            )
    demand_table = pd.concat(demand, ignore_index=True)
    demand_table = demand_table[demand_table["calls"] > NEGLIGIBLE_CALLS].set_index(
        ["call_type", "language", "hour"]
    )
    return pd.DataFrame(workloads).set_index(["call_type", "language"]), demand_table


def _sites(scenario: Scenario) -> pd.DataFrame:
    table = countries()
    settings, market = scenario.settings, scenario.market
    rows = []
    for i, site in enumerate(scenario.sites):
        country = table.loc[site.country]
        shrinkage = settings.shrinkage if site.shrinkage is None else site.shrinkage
        annual = annual_hours_per_fte(scenario, i)  # site > settings > country figure
        per_fte = annual * (1.0 - shrinkage) / WEEKS_PER_YEAR  # productive h per FTE per week
        if site.capacity_hours is not None:
            capacity_hours = site.capacity_hours / WEEKS_PER_YEAR
        else:
            assert site.capacity_fte is not None
            capacity_hours = site.capacity_fte * per_fte
        cost = site.cost_per_hour
        if site.price_per_fte_month is not None:  # per FTE-month -> per productive hour
            cost = 12.0 * site.price_per_fte_month / (annual * (1.0 - shrinkage))
        elif site.price_per_contact is not None:  # paid by the contact, not the hour
            cost = 0.0
        from_country = cost is None
        if cost is None:
            cost = float(country.agent_cost_eur_per_hour)
        rows.append(
            {
                "site": site.id,
                "name": site.name or site.id,
                "vendor": site.vendor or IN_HOUSE,
                "country": site.country,
                "city": site.city,
                "lat": float(country.lat if site.lat is None else site.lat),
                "lon": float(country.lon if site.lon is None else site.lon),
                "timezone": site.timezone or country.timezone,
                "shore": site.shore
                or shore_of(
                    market.country, site.country, settings.reference_week, market.shore_overrides
                ),
                "shrinkage": shrinkage,
                "annual_hours_per_fte": annual,
                "weekly_hours_per_fte": per_fte,
                "capacity_hours": float(capacity_hours),
                "capacity_fte": float(capacity_hours / per_fte),
                "max_agents": np.nan if site.max_agents is None else float(site.max_agents),
                "night_premium": site.night_premium,
                "weekend_premium": site.weekend_premium,
                "cost_per_hour": cost,
                "cost_from_country": from_country,
                "pricing": "per_contact"
                if site.price_per_contact is not None
                else "per_fte_month"
                if site.price_per_fte_month is not None
                else "per_productive_hour",
                "price_per_contact": site.price_per_contact or 0.0,
                "incentive": _incentive(scenario, site),
                "csat": site.quality.csat,
                "fcr": site.quality.fcr,
                "nps": site.quality.nps,
            }
        )
    return pd.DataFrame(rows).set_index("site").astype({"csat": float, "fcr": float, "nps": float})


def _incentive(scenario: Scenario, site: Any) -> float:
    """Bill multiplier of a site under its vendor's bonus/malus (1 without one)."""
    vendor = next((v for v in scenario.vendors if v.id == site.vendor), None)
    terms = vendor.quality_incentive if vendor is not None else None
    csat = site.quality.csat
    if terms is None or csat is None:
        return 1.0
    gap = csat - terms.csat_target
    change = gap * terms.bonus_per_point if gap > 0 else gap * terms.malus_per_point
    return 1.0 + min(max(change, -terms.cap), terms.cap)


def _fill_seats(scenario: Scenario, sites: pd.DataFrame, open_hours: pd.DataFrame) -> None:
    """Sites giving no seat count staff at most peak_factor x their average per open hour.

    Shifts follow demand, but a site cannot pour a week's capacity into a few hours.
    """
    open_count = open_hours.sum(axis=1).clip(lower=1)
    average = sites["capacity_hours"] / open_count
    sites["seats_given"] = sites["max_agents"].notna()
    sites["max_agents"] = sites["max_agents"].fillna(scenario.settings.peak_factor * average)


def with_new_terms(inputs: ModelInputs, scenario: Scenario) -> ModelInputs:
    """The inputs of ``scenario``, which differs from ``inputs.scenario`` in terms only.

    Terms are what a what-if changes: prices, rate cards, capacities, seat counts and
    vendor caps. Demand, opening hours and pay premiums are reused as they are (they
    do not depend on terms), so this costs a fraction of :func:`prepare_inputs`.
    """
    scenario = _canonical(scenario)
    sites = _sites(scenario)
    _fill_seats(scenario, sites, inputs.open_hours)
    return dataclasses.replace(
        inputs,
        scenario=scenario,
        sites=sites,
        rates=_rates(scenario, sites),
        vendors=_vendors(scenario, sites),
        quality=_quality(scenario),
    )


def _quality(scenario: Scenario) -> pd.DataFrame:
    """Scores per (call type, site): the call type's own where given, else the site's."""
    rows = []
    for site in scenario.sites:
        for call_type in scenario.call_types:
            own = site.quality_by_call_type.get(call_type.id)
            rows.append(
                {
                    "call_type": call_type.id,
                    "site": site.id,
                    **{
                        score: _score(own, score, getattr(site.quality, score))
                        for score in ("csat", "fcr", "nps")
                    },
                }
            )
    return pd.DataFrame(rows).set_index(["call_type", "site"]).astype(float)


def rostered_sites(inputs: ModelInputs) -> dict[str, Roster]:
    """The roster of each site that has one (:meth:`Scenario.roster_of`)."""
    scenario = inputs.scenario
    found = {site.id: scenario.roster_of(site) for site in scenario.sites}
    return {site: roster for site, roster in found.items() if roster is not None}


def mean_fte(agent_hours: float, inputs: ModelInputs) -> float:
    """Agent hours a week as FTE at the sites' mean productive hours per FTE [FTE]."""
    return agent_hours / float(inputs.sites["weekly_hours_per_fte"].mean())


def pair_codes(first: Any, second: Any) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
    """Codes of the (first, second) pairs of two long columns, and the distinct pairs.

    Each column is factorized on its own (fast on long text columns, unlike a
    MultiIndex of them) and the two codes combined; ``pairs[codes[i]]`` is row i's pair.
    """
    a_codes, a_values = pd.factorize(np.asarray(first))
    b_codes, b_values = pd.factorize(np.asarray(second))
    combined = a_codes.astype(np.int64) * max(len(b_values), 1) + b_codes
    codes, distinct = pd.factorize(combined)
    width = max(len(b_values), 1)
    pairs = [(a_values[c // width], b_values[c % width]) for c in distinct]
    return codes, pairs


def row_quality(inputs: ModelInputs, rows: pd.DataFrame, score: str) -> np.ndarray:
    """``score`` (csat, fcr or nps) of each row's (call_type, site); NaN where none."""
    codes, pairs = pair_codes(rows["call_type"], rows["site"])  # few pairs, many rows
    values = inputs.quality[score].reindex(pd.MultiIndex.from_tuples(pairs)) if pairs else None
    if values is None:
        return np.zeros(0)
    return values.to_numpy(dtype=float)[codes]


def _score(own: Any, score: str, site_level: float | None) -> float:
    value = getattr(own, score) if own is not None else None
    value = site_level if value is None else value
    return np.nan if value is None else float(value)


def _rates(scenario: Scenario, sites: pd.DataFrame) -> pd.Series:
    rates = {
        (call_type.id, site.id): site.rates.get(call_type.id, sites.at[site.id, "cost_per_hour"])
        for call_type in scenario.call_types
        for site in scenario.sites
    }
    index = pd.MultiIndex.from_tuples(list(rates), names=["call_type", "site"])
    return pd.Series(list(rates.values()), index=index, name="rate_per_hour", dtype=float)


def _vendors(scenario: Scenario, sites: pd.DataFrame) -> pd.DataFrame:
    cap_all = scenario.policies.max_vendor_share
    rows = []
    for vendor in scenario.vendors:
        caps = [c for c in (vendor.max_share, cap_all) if c is not None]
        rows.append(
            {
                "vendor": vendor.id,
                "name": vendor.name or vendor.id,
                "max_share": min(caps, default=np.nan),
            }
        )
    table = pd.DataFrame(rows, columns=["vendor", "name", "max_share"]).set_index("vendor")
    return table.astype({"max_share": float})


def _canonical(scenario: Scenario) -> Scenario:
    """The same scenario with call types, sites and vendors in id order.

    The model is then built identically whatever the order of the file, so permuting
    sites cannot change the answer, even between alternative optima.
    """
    return scenario.model_copy(  # a copy keeps the scenario's source
        update={
            "call_types": sorted(scenario.call_types, key=attrgetter("id")),
            "sites": sorted(scenario.sites, key=attrgetter("id")),
            "vendors": sorted(scenario.vendors, key=attrgetter("id")),
        }
    )


def _premium(
    site_zone: str, market_zone: str, week: dt.date, night: float, weekend: float
) -> np.ndarray:
    days, hours = local_clock(site_zone, market_zone, week)
    is_night = (hours >= 22) | (hours < 6)
    is_weekend = days >= 5
    return 1.0 + night * is_night + weekend * is_weekend


def prepare_inputs(scenario: Scenario) -> ModelInputs:
    """Turn a validated scenario into the model's tables (no solver involved)."""
    scenario = _canonical(scenario)
    market = scenario.market
    country = countries().loc[market.country]
    market_zone = market.timezone or country.timezone
    week = scenario.settings.reference_week
    sites = _sites(scenario)
    site_index = pd.Index(sites.index, name="site")
    open_hours = pd.DataFrame(
        [
            covered_market_hours(
                parse_hours(s.hours), sites.at[s.id, "timezone"], market_zone, week
            )
            for s in scenario.sites
        ],
        index=site_index,
    )
    premium = pd.DataFrame(
        [
            _premium(
                sites.at[s.id, "timezone"], market_zone, week, s.night_premium, s.weekend_premium
            )
            for s in scenario.sites
        ],
        index=site_index,
    )
    workloads, demand = _workloads_and_demand(scenario)
    _fill_seats(scenario, sites, open_hours)
    return ModelInputs(
        scenario=scenario,
        market={
            "country": market.country,
            "name": market.name or str(country["name"]),
            "timezone": market_zone,
            "currency": market.currency,
            "lat": float(country.lat),
            "lon": float(country.lon),
        },
        workloads=workloads,
        demand=demand,
        sites=sites,
        rates=_rates(scenario, sites),
        vendors=_vendors(scenario, sites),
        open_hours=open_hours,
        premium=premium,
        quality=_quality(scenario),
    )
