"""Cross-reference checks a typed schema cannot express on its own.

Each check raises one :class:`ScenarioError` naming the field path, the bad value, what
is valid and how to fix it. The loader adds the file and line.
"""

from __future__ import annotations

import difflib
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np

from bestshore.scenario.errors import ScenarioError
from bestshore.scenario.hours import HoursError, parse_hours
from bestshore.scenario.profiles import annual_factor, weekly_profile
from bestshore.scenario.reference import countries, country_annual_hours, is_language_code
from bestshore.scenario.schema import Scenario

__all__ = ["annual_hours_per_fte", "check_references"]


@functools.cache
def _zones() -> frozenset[str]:
    """The IANA zones of the system or tzdata (walked once: the walk takes ~25 ms, and an
    import checks the base with each bid)."""
    return frozenset(available_timezones())


def _known_timezone(zone: str) -> bool:
    if zone not in _zones():
        return False
    try:
        ZoneInfo(zone)
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but unreadable
        return False
    return True


def _check_country(code: str, path: tuple[str | int, ...], known: set[str]) -> None:
    if code not in known:
        raise ScenarioError(
            f"unknown country {code!r}: not an ISO 3166-1 alpha-2 code; use one such as "
            "'FR', 'US' or 'PH' (bestshore/data/countries.csv lists all 249)",
            path=path,
        )


def _check_price(scenario: Scenario, index: int, call_type_ids: set[str]) -> None:
    """A site must be priced: its own price, a full rate card, or an indicative cost in EUR."""
    site = scenario.sites[index]
    priced = (site.cost_per_hour, site.price_per_fte_month, site.price_per_contact)
    if any(p is not None for p in priced) or site.rates.keys() >= call_type_ids:
        return
    row = countries().loc[site.country]
    cost, currency = row["agent_cost_eur_per_hour"], scenario.market.currency
    if cost == cost and currency == "EUR":  # an indicative cost (not NaN) in the right currency
        return
    why = (
        "for which bestshore bundles no indicative cost (see bestshore/data/SOURCES.md)"
        if cost != cost
        else f"whose indicative cost is in EUR, not the market's {currency}"
    )
    missing = sorted(call_type_ids - site.rates.keys())
    raise ScenarioError(
        f"site {site.id!r} is in {row['name']} ({site.country}), {why}: give the site's "
        f"cost_per_hour [{currency}/h] (or price_per_fte_month, price_per_contact, or rates "
        f"for {', '.join(missing)})",
        path=("sites", index, "cost_per_hour"),
    )


def _check_call_type(
    call_type_id: str, path: tuple[str | int, ...], known: set[str], what: str = ""
) -> None:
    """``what`` names the entry, e.g. "rate for " (message: "rate for unknown call type ...")."""
    if call_type_id not in known:
        raise ScenarioError(
            f"{what}unknown call type {call_type_id!r} (call types: {', '.join(sorted(known))})",
            path=path,
        )


def _check_timezone(zone: str | None, path: tuple[str | int, ...]) -> None:
    if zone is not None and not _known_timezone(zone):
        raise ScenarioError(
            f"unknown time zone {zone!r}: use an IANA name like 'Europe/Paris'", path=path
        )


def _check_language(code: str, path: tuple[str | int, ...]) -> None:
    if not is_language_code(code):
        raise ScenarioError(
            f"unknown language {code!r}: use an ISO 639-1 code like 'fr', 'en', 'de'", path=path
        )


def _check_hours(spec: object, path: tuple[str | int, ...]) -> None:
    try:
        parse_hours(spec)  # type: ignore[arg-type]
    except HoursError as exc:
        raise ScenarioError(str(exc), path=path) from None


def annual_hours_per_fte(scenario: Scenario, index: int) -> float:
    """Paid hours per FTE a year at ``scenario.sites[index]`` [h/FTE/yr].

    Precedence: the site's own ``annual_hours_per_fte``, then
    ``settings.annual_hours_per_fte`` when the scenario sets it, then the bundled figure
    of the site's country (:func:`~bestshore.scenario.reference.country_annual_hours`).

    Raises
    ------
    ScenarioError
        When none of the three exists, naming the site and the field to give.
    """
    site = scenario.sites[index]
    if site.annual_hours_per_fte is not None:
        return site.annual_hours_per_fte
    if scenario.settings.annual_hours_per_fte is not None:
        return scenario.settings.annual_hours_per_fte
    bundled = country_annual_hours(site.country)
    if bundled is None:
        name = countries().at[site.country, "name"]
        raise ScenarioError(
            f"site {site.id!r} is in {name} ({site.country}), for which bestshore bundles "
            "no annual hours per FTE (see bestshore/data/SOURCES.md): give the site's "
            "annual_hours_per_fte or settings.annual_hours_per_fte [h/FTE/yr]",
            path=("sites", index, "annual_hours_per_fte"),
        )
    return bundled


def check_references(scenario: Scenario) -> None:
    """Check ids, codes and cross-references across the scenario.

    Raises
    ------
    ScenarioError
        On the first problem found, in file order.
    """
    known = set(countries().index)
    _check_country(scenario.market.country, ("market", "country"), known)
    _check_timezone(scenario.market.timezone, ("market", "timezone"))
    for code in scenario.market.shore_overrides:
        _check_country(code, ("market", "shore_overrides", code), known)

    call_type_ids = {c.id for c in scenario.call_types}
    data_classes = set(scenario.policies.data_jurisdictions)
    for i, call_type in enumerate(scenario.call_types):
        for code in call_type.languages:
            _check_language(code, ("call_types", i, "languages", code))
        if call_type.data_class not in data_classes:
            raise ScenarioError(
                f"data class {call_type.data_class!r} has no rule in "
                f"policies.data_jurisdictions (known: {', '.join(sorted(data_classes))})",
                path=("call_types", i, "data_class"),
            )
        _check_hours(call_type.hours, ("call_types", i, "hours"))
        for j, window in enumerate(call_type.hourly_languages):
            _check_hours(window.hours, ("call_types", i, "hourly_languages", j, "hours"))
            for code in window.languages:
                _check_language(code, ("call_types", i, "hourly_languages", j, "languages", code))
        _check_within_hour(scenario, i)
        try:
            weekly_profile(call_type)
            annual_factor(call_type.seasonality, scenario.settings.sizing)
        except ValueError as exc:
            field = (
                "arrival_profile" if "profile" in str(exc) or "168" in str(exc) else "seasonality"
            )
            raise ScenarioError(str(exc), path=("call_types", i, field)) from None

    vendor_ids = {v.id for v in scenario.vendors}
    for i, site in enumerate(scenario.sites):
        _check_country(site.country, ("sites", i, "country"), known)
        _check_timezone(site.timezone, ("sites", i, "timezone"))
        if site.vendor is not None and site.vendor not in vendor_ids:
            listed = ", ".join(sorted(vendor_ids)) or "none"
            raise ScenarioError(
                f"unknown vendor {site.vendor!r} (vendors listed: {listed}); add it under "
                "vendors or omit the field for an in-house site",
                path=("sites", i, "vendor"),
            )
        for code in site.languages:
            _check_language(code, ("sites", i, "languages", code))
        for j, call_type_id in enumerate(site.call_types or []):
            _check_call_type(call_type_id, ("sites", i, "call_types", j), call_type_ids, "offers ")
        for call_type_id in site.rates:
            path = ("sites", i, "rates", call_type_id)
            _check_call_type(call_type_id, path, call_type_ids, "rate for ")
        for call_type_id in site.quality_by_call_type:
            path = ("sites", i, "quality_by_call_type", call_type_id)
            _check_call_type(call_type_id, path, call_type_ids, "quality for ")
        _check_hours(site.hours, ("sites", i, "hours"))
        _check_price(scenario, i, call_type_ids)
        annual_hours_per_fte(scenario, i)

    policies = scenario.policies
    for j, vendor_id in enumerate(policies.excluded_vendors):
        if vendor_id not in vendor_ids:
            raise ScenarioError(
                f"unknown vendor {vendor_id!r} (vendors: {', '.join(sorted(vendor_ids)) or 'none'})",
                path=("policies", "excluded_vendors", j),
            )
    if policies.preferred_vendor is not None:
        preferred = policies.preferred_vendor.vendor
        if preferred not in vendor_ids:
            raise ScenarioError(
                f"unknown vendor {preferred!r} (vendors: {', '.join(sorted(vendor_ids)) or 'none'})",
                path=("policies", "preferred_vendor", "vendor"),
            )
        if preferred in policies.excluded_vendors:
            raise ScenarioError(
                f"vendor {preferred!r} is both preferred and excluded",
                path=("policies", "preferred_vendor", "vendor"),
            )
    for floors in ("quality_floors", "quality_gates", "nps_floors"):
        for call_type_id in getattr(policies, floors):
            _check_call_type(call_type_id, ("policies", floors, call_type_id), call_type_ids)
    site_ids = {s.id for s in scenario.sites}
    for site_id, allocation in scenario.incumbent.items():
        if site_id not in site_ids:
            raise ScenarioError(
                f"unknown site {site_id!r} (sites: {', '.join(sorted(site_ids))}); list "
                "today's sites under sites, with capacity_fte at least their incumbent FTE",
                path=("incumbent", site_id),
            )
        for call_type_id in allocation:
            _check_call_type(call_type_id, ("incumbent", site_id, call_type_id), call_type_ids)
    if policies.keep_todays_split and not any(
        fte > 0 for allocation in scenario.incumbent.values() for fte in allocation.values()
    ):
        raise ScenarioError(
            "keep_todays_split needs today's allocation: give incumbent FTE per site and "
            "call type, e.g. incumbent: {paris: {n1: 40}}, or remove keep_todays_split",
            path=("policies", "keep_todays_split"),
        )
    for i, rule in enumerate(scenario.policies.shore_rules):
        for j, call_type_id in enumerate(rule.call_types):
            where = ("policies", "shore_rules", i, "call_types", j)
            _check_call_type(call_type_id, where, call_type_ids)
    _check_rosters(scenario)
    _check_teams(scenario)
    _check_award_rules(scenario)
    _check_history(scenario)


def _check_within_hour(scenario: Scenario, index: int) -> None:
    """A call type's within-hour shares: one per interval of its length."""
    call_type = scenario.call_types[index]
    minutes = call_type.interval_minutes or scenario.settings.interval_minutes
    shares = call_type.within_hour
    if shares is None:
        return
    lengths = {1: 60, 2: 30, 4: 15}
    if len(shares) != 60 // minutes:
        raise ScenarioError(
            f"{len(shares)} within-hour shares for {minutes}-minute intervals: give "
            f"{60 // minutes} (one per interval of the hour)"
            + (
                f", or set interval_minutes: {lengths[len(shares)]}"
                if len(shares) in lengths
                else ""
            ),
            path=("call_types", index, "within_hour"),
        )
    if not call_type.real_time or call_type.service_level is None:
        raise ScenarioError(
            "within_hour shapes the calls of a queue with a service_level goal (voice or "
            "chat); remove it, or give the call type a service_level",
            path=("call_types", index, "within_hour"),
        )


def _longest_window_hours(open_quarters: object) -> float:
    """Longest run of open quarter-hours in the week, wrapping round [h]."""
    quarters = np.asarray(open_quarters, dtype=bool)
    if quarters.all():
        return len(quarters) / 4
    doubled = np.concatenate([quarters, quarters])
    longest = run = 0
    for is_open in doubled:
        run = run + 1 if is_open else 0
        longest = max(longest, run)
    return min(longest, len(quarters)) / 4


def _check_rosters(scenario: Scenario) -> None:
    """A rostered site must have an opening window at least as long as its shortest shift."""
    vendors = {v.id: v.roster for v in scenario.vendors}
    for i, site in enumerate(scenario.sites):
        roster = scenario.roster_of(site)
        if roster is None:
            continue
        window = _longest_window_hours(parse_hours(site.hours))
        shortest = min(roster.shift_hours)
        if window < shortest:
            where = (
                "sites"
                if site.roster
                else "vendors"
                if vendors.get(site.vendor or "")
                else "settings"
            )
            raise ScenarioError(
                f"site {site.id}'s longest opening window is {window:g} h, shorter than its "
                f"shortest shift ({shortest} h, from {where}.roster): allow shorter shifts "
                "or open longer",
                path=("sites", i, "roster") if site.roster else ("sites", i, "hours"),
            )


def _check_teams(scenario: Scenario) -> None:
    """A site's minimum team must fit its capacity, or the site could never open."""
    for i, site in enumerate(scenario.sites):
        if site.capacity_fte is not None:
            capacity = site.capacity_fte
        else:
            assert site.capacity_hours is not None
            capacity = site.capacity_hours / annual_hours_per_fte(scenario, i)
        for field, minimum in zip(
            ("min_team_fte", "min_call_type_team_fte"), scenario.minimum_teams(site), strict=True
        ):
            own = getattr(site, field)
            if minimum is not None and minimum > capacity * (1 + 1e-9):
                source = f"sites[{i}].{field}" if own is not None else f"policies.{field}"
                raise ScenarioError(
                    f"site {site.id}'s minimum team of {minimum:g} FTE ({source}) is above its "
                    f"capacity of {capacity:.1f} FTE: it could never open; lower the minimum "
                    "or raise the capacity",
                    path=("sites", i, field) if own is not None else ("policies", field),
                )


def _check_award_rules(scenario: Scenario) -> None:
    """Vendor groups and limits name known vendors and groups, one limit per target;
    lot_winners names known call types."""
    policies = scenario.policies
    vendor_ids = {v.id for v in scenario.vendors}
    known = ", ".join(sorted(vendor_ids)) or "none"
    for group, members in policies.vendor_groups.items():
        if group in vendor_ids:
            raise ScenarioError(
                f"group {group!r} has a vendor's id; name groups apart from vendors",
                path=("policies", "vendor_groups", group),
            )
        for j, vendor_id in enumerate(members):
            if vendor_id not in vendor_ids:
                raise ScenarioError(
                    f"unknown vendor {vendor_id!r} (vendors: {known})",
                    path=("policies", "vendor_groups", group, j),
                )
            if vendor_id in members[:j]:
                raise ScenarioError(
                    f"vendor {vendor_id!r} listed twice in the group",
                    path=("policies", "vendor_groups", group, j),
                )
    seen: dict[str, int] = {}
    for i, limit in enumerate(policies.vendor_limits):
        if limit.vendor is not None and limit.vendor not in vendor_ids:
            raise ScenarioError(
                f"unknown vendor {limit.vendor!r} (vendors: {known})",
                path=("policies", "vendor_limits", i, "vendor"),
            )
        if limit.group is not None and limit.group not in policies.vendor_groups:
            groups = ", ".join(sorted(policies.vendor_groups)) or "none"
            raise ScenarioError(
                f"unknown group {limit.group!r} (policies.vendor_groups: {groups})",
                path=("policies", "vendor_limits", i, "group"),
            )
        if limit.target in seen:
            raise ScenarioError(
                f"a second limit on {limit.target!r} (the first is vendor_limits[{seen[limit.target]}]); "
                "give one entry per vendor or group, with all its bounds",
                path=("policies", "vendor_limits", i),
            )
        seen[limit.target] = i
    if policies.lot_winners is not None:
        call_type_ids = {c.id for c in scenario.call_types}
        for j, call_type_id in enumerate(policies.lot_winners.call_types):
            where = ("policies", "lot_winners", "call_types", j)
            _check_call_type(call_type_id, where, call_type_ids)


def _check_history(scenario: Scenario) -> None:
    """Each lot of ``history`` is a call type id and one of its languages."""
    lots = [f"{c.id}.{language}" for c in scenario.call_types for language in c.languages]
    for lot in scenario.history:
        if lot not in lots:
            close = difflib.get_close_matches(lot, lots, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            shown = ", ".join(lots[:20]) + (", ..." if len(lots) > 20 else "")
            raise ScenarioError(
                f"unknown lot {lot!r} ({hint}lots are call type id.language: {shown})",
                path=("history", lot),
            )
