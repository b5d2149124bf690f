"""From a validated scenario to the model's parameters: named pandas tables, units in names.

Conventions (see ``docs/formulation.md``):

- A *workload* is one (call type, language) pair. Its *handle hours* are
  ``volume x language share x AHT / 3600`` [h/yr]; its *productive hours* divide those
  by the occupancy (voice, chat) or the utilisation (deferred channels) of
  ``settings``: the logged-in time vendors bill [h/yr].
- A site's *FTE* is ``productive hours / (annual hours per FTE x (1 - shrinkage))``, so
  a capacity in FTE becomes productive hours by the same factor.
- The shore of a site country is derived by :func:`shore_of` unless overridden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bestshore.scenario.hours import covered_market_hours, parse_hours
from bestshore.scenario.reference import countries, great_circle_km
from bestshore.scenario.schema import Jurisdiction, Scenario

__all__ = [
    "NEARSHORE_MAX_KM",
    "NEARSHORE_MAX_OFFSET_HOURS",
    "ModelInputs",
    "jurisdiction_of",
    "prepare_inputs",
    "shore_of",
]

NEARSHORE_MAX_KM = 2500.0
NEARSHORE_MAX_OFFSET_HOURS = 2.0
IN_HOUSE = "in-house"


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

    Rule: ``inshore`` when the site is in the market's country; ``nearshore`` when the
    reference cities of the two countries are at most ``NEARSHORE_MAX_KM`` (2,500 km)
    apart *and* their UTC offsets differ by at most ``NEARSHORE_MAX_OFFSET_HOURS`` (2 h)
    in the reference week; ``offshore`` otherwise. ``overrides`` (country -> shore) win.
    From France this gives Portugal, Spain, Romania, Bulgaria, Morocco, Tunisia and
    Algeria as nearshore, and Senegal, Madagascar, Mauritius, Egypt or Suriname as
    offshore, as the trade does.
    """
    if overrides and site_country in overrides:
        return overrides[site_country]
    if site_country == market_country:
        return "inshore"
    table = countries()
    a, b = table.loc[market_country], table.loc[site_country]
    distance = great_circle_km(a.lat, a.lon, b.lat, b.lon)
    offset = abs(
        _utc_offset_hours(a.timezone, reference_week)
        - _utc_offset_hours(b.timezone, reference_week)
    )
    near = distance <= NEARSHORE_MAX_KM and offset <= NEARSHORE_MAX_OFFSET_HOURS
    return "nearshore" if near else "offshore"


def jurisdiction_of(market_country: str, site_country: str) -> set[Jurisdiction]:
    """Every jurisdiction rule a site country satisfies for data of the market's customers."""
    row = countries().loc[site_country]
    held = {Jurisdiction.ANY, Jurisdiction.SCC}
    if site_country == market_country:
        held.add(Jurisdiction.MARKET)
    if row.eu_eea:
        held.add(Jurisdiction.EU_EEA)
    if row.eu_adequacy:
        held.add(Jurisdiction.ADEQUACY)
    return held


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model reads, as named tables. Built once per scenario.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario these tables come from (never modified).
    market : dict
        ``country``, ``name``, ``timezone``, ``currency``, ``lat``, ``lon``.
    workloads : DataFrame
        Index ``(call_type, language)``; columns ``level``, ``channel``, ``data_class``,
        ``volume`` [contacts/yr], ``handle_hours`` [h/yr], ``productive_hours`` [h/yr],
        ``min_proficiency``.
    sites : DataFrame
        Index ``site``; columns ``name``, ``vendor`` (vendor id or ``"in-house"``),
        ``country``, ``city``, ``lat``, ``lon``, ``timezone``, ``shore``, ``shrinkage``,
        ``annual_hours_per_fte``, ``productive_hours_per_fte`` [h/FTE/yr],
        ``capacity_hours`` [productive h/yr], ``capacity_fte``, ``cost_per_hour``
        [currency/h], ``cost_from_country`` (bool), ``csat``, ``fcr``, ``nps``.
    rates : Series
        Index ``(call_type, site)``: price per productive hour [currency/h], rate card
        first, the site's ``cost_per_hour`` otherwise.
    vendors : DataFrame
        Index ``vendor``; columns ``name``, ``max_share`` (the tighter of the vendor's own
        cap and ``policies.max_vendor_share``; NaN when uncapped).
    required_hours : DataFrame
        Index ``call_type``, 168 bool columns: market hours the service must be staffed.
    covered_hours : DataFrame
        Index ``site``, 168 bool columns: market hours the site is open for entirely.
    """

    scenario: Scenario
    market: dict[str, Any]
    workloads: pd.DataFrame
    sites: pd.DataFrame
    rates: pd.Series
    vendors: pd.DataFrame
    required_hours: pd.DataFrame
    covered_hours: pd.DataFrame

    @property
    def total_productive_hours(self) -> float:
        return float(self.workloads["productive_hours"].sum())


def _workloads(scenario: Scenario) -> pd.DataFrame:
    settings = scenario.settings
    rows = []
    for call_type in scenario.call_types:
        efficiency = settings.occupancy if call_type.real_time else settings.async_utilisation
        for language, share in sorted(call_type.languages.items()):
            volume = call_type.volume * share
            handle_hours = volume * call_type.aht_seconds / 3600.0
            rows.append(
                {
                    "call_type": call_type.id,
                    "language": language,
                    "level": str(call_type.level),
                    "channel": str(call_type.channel),
                    "data_class": call_type.data_class,
                    "min_proficiency": str(call_type.min_proficiency),
                    "volume": volume,
                    "handle_hours": handle_hours,
                    "productive_hours": handle_hours / efficiency,
                }
            )
    return pd.DataFrame(rows).set_index(["call_type", "language"])


def _sites(scenario: Scenario) -> pd.DataFrame:
    table = countries()
    settings, market = scenario.settings, scenario.market
    rows = []
    for site in scenario.sites:
        country = table.loc[site.country]
        shrinkage = settings.shrinkage if site.shrinkage is None else site.shrinkage
        annual = settings.annual_hours_per_fte
        if site.annual_hours_per_fte is not None:
            annual = site.annual_hours_per_fte
        per_fte = annual * (1.0 - shrinkage)
        if site.capacity_hours is not None:
            capacity_hours = site.capacity_hours
        else:
            assert site.capacity_fte is not None
            capacity_hours = site.capacity_fte * per_fte
        cost = site.cost_per_hour
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
                "productive_hours_per_fte": per_fte,
                "capacity_hours": float(capacity_hours),
                "capacity_fte": float(capacity_hours / per_fte),
                "cost_per_hour": cost,
                "cost_from_country": from_country,
                "csat": site.quality.csat,
                "fcr": site.quality.fcr,
                "nps": site.quality.nps,
            }
        )
    return pd.DataFrame(rows).set_index("site").astype({"csat": float, "fcr": float, "nps": float})


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
    canonical = scenario.model_copy(
        update={
            "call_types": sorted(scenario.call_types, key=attrgetter("id")),
            "sites": sorted(scenario.sites, key=attrgetter("id")),
            "vendors": sorted(scenario.vendors, key=attrgetter("id")),
        }
    )
    canonical._source = scenario.source
    return canonical


def prepare_inputs(scenario: Scenario) -> ModelInputs:
    """Turn a validated scenario into the model's tables (no solver involved)."""
    scenario = _canonical(scenario)
    market = scenario.market
    country = countries().loc[market.country]
    market_zone = market.timezone or country.timezone
    week = scenario.settings.reference_week
    sites = _sites(scenario)
    required = pd.DataFrame(
        [parse_hours(c.hours).reshape(168, 4).any(axis=1) for c in scenario.call_types],
        index=pd.Index([c.id for c in scenario.call_types], name="call_type"),
    )
    covered = pd.DataFrame(
        [
            covered_market_hours(
                parse_hours(s.hours), sites.at[s.id, "timezone"], market_zone, week
            )
            for s in scenario.sites
        ],
        index=pd.Index([s.id for s in scenario.sites], name="site"),
    )
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
        workloads=_workloads(scenario),
        sites=sites,
        rates=_rates(scenario, sites),
        vendors=_vendors(scenario, sites),
        required_hours=required,
        covered_hours=covered,
    )
