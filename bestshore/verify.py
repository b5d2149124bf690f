"""An independent checker: re-derive every rule from the scenario and test a returned plan.

Nothing here comes from ``bestshore.model``: workloads, FTE, eligibility, shores and
costs are recomputed from the validated scenario and the reference data with code of
its own (hours, for one, are checked from market time to site time, the opposite way
to the model). A violation is reported in plain words; an empty list means every rule
holds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from zoneinfo import ZoneInfo

import pandas as pd

from bestshore.result.result import Result
from bestshore.scenario.hours import parse_hours
from bestshore.scenario.reference import countries, great_circle_km
from bestshore.scenario.schema import PROFICIENCY_ORDER, Jurisdiction, Proficiency, Scenario

__all__ = ["verify"]

REL_TOL = 1e-6


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(scale), abs(a), abs(b))


def _productive_hours_per_contact(scenario: Scenario, call_type_id: str) -> float:
    call_type = scenario.call_type(call_type_id)
    settings = scenario.settings
    efficiency = settings.occupancy if call_type.real_time else settings.async_utilisation
    return call_type.aht_seconds / 3600.0 / efficiency


def _hours_per_fte(scenario: Scenario, site_id: str) -> float:
    site = scenario.site(site_id)
    shrinkage = scenario.settings.shrinkage if site.shrinkage is None else site.shrinkage
    annual = site.annual_hours_per_fte or scenario.settings.annual_hours_per_fte
    return annual * (1 - shrinkage)


def _shore(scenario: Scenario, site_id: str) -> str:
    site = scenario.site(site_id)
    market = scenario.market
    if site.shore:
        return site.shore
    if site.country in market.shore_overrides:
        return market.shore_overrides[site.country]
    if site.country == market.country:
        return "inshore"
    table = countries()
    home, there = table.loc[market.country], table.loc[site.country]
    noon = dt.datetime.combine(scenario.settings.reference_week, dt.time(12))
    gap = abs(
        noon.replace(tzinfo=ZoneInfo(home.timezone)).utcoffset()  # type: ignore[operator]
        - noon.replace(tzinfo=ZoneInfo(there.timezone)).utcoffset()
    )
    near = great_circle_km(
        home.lat, home.lon, there.lat, there.lon
    ) <= 2500 and gap <= dt.timedelta(hours=2)
    return "nearshore" if near else "offshore"


def _rate(scenario: Scenario, call_type_id: str, site_id: str) -> float:
    site = scenario.site(site_id)
    if call_type_id in site.rates:
        return site.rates[call_type_id]
    if site.cost_per_hour is not None:
        return site.cost_per_hour
    return float(countries().loc[site.country, "agent_cost_eur_per_hour"])


def _closed_hours(scenario: Scenario, call_type_id: str, site_id: str) -> int:
    """Required market hours in which the site is not open for the whole hour."""
    call_type, site = scenario.call_type(call_type_id), scenario.site(site_id)
    required = parse_hours(call_type.hours)  # market-time quarters
    site_open = parse_hours(site.hours)  # site-local quarters
    table = countries()
    market_zone = ZoneInfo(
        scenario.market.timezone or table.loc[scenario.market.country, "timezone"]
    )
    site_zone = ZoneInfo(site.timezone or table.loc[site.country, "timezone"])
    monday = dt.datetime.combine(scenario.settings.reference_week, dt.time(0))
    local_monday = monday.replace(tzinfo=site_zone)
    closed = 0
    for hour in range(168):
        if not required[hour * 4 : hour * 4 + 4].any():
            continue
        for quarter in range(4):
            instant = (monday + dt.timedelta(minutes=60 * hour + 15 * quarter)).replace(
                tzinfo=market_zone
            )
            local = instant.astimezone(site_zone)
            minutes = (
                local.replace(tzinfo=None) - local_monday.replace(tzinfo=None)
            ).total_seconds() / 60
            index = int(minutes // 15) % (168 * 4)
            if not site_open[index]:
                closed += 1
                break
    return closed


def _jurisdiction_ok(scenario: Scenario, data_class: str, country: str) -> bool:
    allowed = set(scenario.policies.data_jurisdictions[data_class])
    row = countries().loc[country]
    return (
        Jurisdiction.ANY in allowed
        or Jurisdiction.SCC in allowed
        or (Jurisdiction.MARKET in allowed and country == scenario.market.country)
        or (Jurisdiction.EU_EEA in allowed and bool(row.eu_eea))
        or (Jurisdiction.ADEQUACY in allowed and bool(row.eu_adequacy))
    )


def verify(scenario: Scenario, result: Result) -> list[str]:
    """Every rule the plan breaks, in plain words (empty when the plan is valid).

    Checks: demand covered in full and volumes right; site capacity; languages and
    proficiency; opening hours; data jurisdictions; shore rules; vendor share caps;
    FTE, productive hours and costs recomputed from the scenario's prices; KPIs and
    site totals adding up.
    """
    problems: list[str] = []
    rows = result.allocation
    site_ids = {s.id for s in scenario.sites}
    hours_cache: dict[tuple[str, str], int] = {}

    # Demand coverage, per (call type, language).
    served: dict[tuple[str, str], float] = defaultdict(float)
    for row in rows.itertuples(index=False):
        served[(row.call_type, row.language)] += row.share
    for call_type in scenario.call_types:
        for language in call_type.languages:
            got = served.pop((call_type.id, language), 0.0)
            if not _close(got, 1.0):
                problems.append(f"{call_type.id} in {language} is {got:.4%} served, not 100%")
    for key in served:
        problems.append(f"allocation has work for {key[0]} in {key[1]}, which the scenario lacks")

    per_site_hours: dict[str, float] = defaultdict(float)
    per_vendor_hours: dict[str, float] = defaultdict(float)
    total_cost = 0.0
    for row in rows.itertuples(index=False):
        if row.site not in site_ids:
            problems.append(f"allocation uses unknown site {row.site}")
            continue
        call_type, site = scenario.call_type(row.call_type), scenario.site(row.site)
        where = f"{row.call_type}/{row.language} at {row.site}"
        volume = call_type.volume * call_type.languages[row.language] * row.share
        hours = volume * _productive_hours_per_contact(scenario, row.call_type)
        fte = hours / _hours_per_fte(scenario, row.site)
        cost = hours * _rate(scenario, row.call_type, row.site)
        for name, expected, got in (
            ("volume", volume, row.volume),
            ("productive hours", hours, row.productive_hours),
            ("FTE", fte, row.fte),
            ("cost", cost, row.cost),
        ):
            if not _close(expected, got):
                problems.append(f"{where}: {name} is {got:,.4f}, recomputed {expected:,.4f}")
        per_site_hours[row.site] += hours
        per_vendor_hours[site.vendor or "in-house"] += hours
        total_cost += cost

        level = site.languages.get(row.language)
        need = call_type.min_proficiency
        if level is None:
            problems.append(f"{where}: site does not work in {row.language}")
        elif PROFICIENCY_ORDER[Proficiency(level)] < PROFICIENCY_ORDER[need]:
            problems.append(f"{where}: {row.language} at {level}, below the required {need}")

        key = (row.call_type, row.site)
        if key not in hours_cache:
            hours_cache[key] = _closed_hours(scenario, row.call_type, row.site)
        if hours_cache[key]:
            problems.append(f"{where}: site closed {hours_cache[key]} required market hours/week")

        if not _jurisdiction_ok(scenario, call_type.data_class, site.country):
            problems.append(
                f"{where}: {call_type.data_class} data may not be processed in {site.country}"
            )

        shore = _shore(scenario, row.site)
        for i, rule in enumerate(scenario.policies.shore_rules):
            applies = call_type.level in rule.levels or call_type.id in rule.call_types
            if applies and shore not in rule.shores:
                problems.append(f"{where}: shore rule {i} allows {rule.shores}, site is {shore}")

    for site in scenario.sites:
        used = per_site_hours.get(site.id, 0.0)
        capacity = site.capacity_hours
        if capacity is None:
            assert site.capacity_fte is not None
            capacity = site.capacity_fte * _hours_per_fte(scenario, site.id)
        if used > capacity * (1 + REL_TOL) + REL_TOL:
            problems.append(
                f"site {site.id} works {used:,.1f} productive h/yr over its capacity {capacity:,.1f}"
            )

    total_hours = sum(per_site_hours.values())
    for vendor in scenario.vendors:
        caps = [c for c in (vendor.max_share, scenario.policies.max_vendor_share) if c is not None]
        if caps and total_hours > 0:
            share = per_vendor_hours.get(vendor.id, 0.0) / total_hours
            if share > min(caps) + REL_TOL:
                problems.append(
                    f"vendor {vendor.id} takes {share:.4%} of hours, above its cap {min(caps):.2%}"
                )

    if not _close(total_cost, result.total_cost, total_cost):
        problems.append(
            f"total cost {result.total_cost:,.2f} does not add up: recomputed {total_cost:,.2f}"
        )
    reported = float(rows["cost"].sum())
    if not _close(reported, result.total_cost, total_cost):
        problems.append(
            f"allocation costs sum to {reported:,.2f} but the total says {result.total_cost:,.2f}"
        )
    site_costs = result.sites.set_index("site")["cost"] if not result.sites.empty else pd.Series()
    for site_id, cost in site_costs.items():
        expected = float(rows.loc[rows["site"] == site_id, "cost"].sum())
        if not _close(float(cost), expected, total_cost):
            problems.append(
                f"site {site_id} total cost {cost:,.2f} differs from its rows {expected:,.2f}"
            )
    if math.isnan(result.total_cost):
        problems.append("total cost is not a number")
    return problems
