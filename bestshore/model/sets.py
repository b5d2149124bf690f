"""The sparse set of eligible assignments (call type, language, site, hour).

A demand unit (call type c, language l, hour h) may go to site s only if every rule
family allows it. They are applied here, once, as sparsity: no variable exists for a
forbidden assignment (rather than a variable bounded to zero), which keeps the LP small
and lets every exclusion be explained. Each family is one function returning, per
candidate (c, l, s), why it fails ('' when it passes).

===================  ================================================================
family               site s may take demand unit (c, l, h) only if ...
===================  ================================================================
``language``         s works in l at c's minimum proficiency or better: spoken for
                     voice and chat, written for e-mail, mail and social
``offer``            s offers c (its ``call_types``, all by default)
``hours``            real-time work: s is open for all of market hour h;
                     deferred work: from every hour work arrives, s opens within
                     c's ``response_hours``
``data_protection``  s's country satisfies one jurisdiction allowed for c's data class
``shore_rule``       s's shore is allowed by every shore rule that names c
``excluded_vendor``  s's vendor is not excluded by the policies
``quality_gate``     s's CSAT for c is at least c's quality gate, if c has one
===================  ================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.inputs import WEEK, ModelInputs, jurisdiction_of, row_quality
from bestshore.scenario.hours import HOURS_PER_WEEK
from bestshore.scenario.profiles import weekly_profile
from bestshore.scenario.schema import PROFICIENCY_ORDER, Proficiency

__all__ = [
    "RULE_FAMILIES",
    "Eligibility",
    "data_protection_fit",
    "eligible_assignments",
    "hours_fit",
    "language_fit",
    "offer_fit",
    "quality_gate_fit",
    "repeat_factors",
    "shore_rule_fit",
    "vendor_fit",
]

KEY = ["call_type", "language", "site"]
RULE_FAMILIES = (
    "language",
    "offer",
    "hours",
    "data_protection",
    "shore_rule",
    "excluded_vendor",
    "quality_gate",
)


@dataclass(frozen=True)
class Eligibility:
    """Which assignments may carry work, and why others may not.

    Attributes
    ----------
    assignments : DataFrame
        One row per eligible (call_type, language, site, hour), in a stable order
        (``hour`` = ``WEEK`` for deferred work). Columns also: ``vendor``,
        ``handle_hours`` and ``unit_calls`` (forecast contacts) of the demand unit [h,
        contacts per sizing week], ``agents_per_erlang``
        (pooled starting factor), ``rate_per_hour`` [currency/h], ``premium`` (pay
        multiplier of the hour), ``annual_factor`` [weeks/yr], ``real_time``,
        ``repeat_factor`` (contacts handled per forecast contact, :func:`repeat_factors`),
        ``contact_price`` [currency/contact; 0 unless the site is paid per contact],
        ``incentive`` (the bill multiplier of the vendor's bonus/malus, 1 without one).
    exclusions : DataFrame
        One row per (call_type, language, site, failed rule): ``rule`` (a family name)
        and ``reason`` in plain words.
    """

    assignments: pd.DataFrame
    exclusions: pd.DataFrame
    _groups: dict[tuple[str, ...], dict[Any, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def groups(self, *columns: str) -> dict[Any, np.ndarray]:
        """Row positions of the assignments by the values of ``columns`` (cached).

        A solve's rounds rebuild the model several times on the same eligible set;
        grouping hundreds of thousands of rows by text columns is the slow part of a
        build, so it is done once.
        """
        if columns not in self._groups:
            by: str | list[str] = columns[0] if len(columns) == 1 else list(columns)
            self._groups[columns] = self.assignments.groupby(by, sort=False).indices
        return self._groups[columns]

    def repriced(self, inputs: ModelInputs) -> Eligibility:
        """The same assignments at the rates of ``inputs`` (a what-if changed a price).

        Rows and their order are unchanged, so the grouping cache carries over, and
        the prices are spread over the cached groups (a sweep re-prices many times).
        """
        rows = self.assignments
        rates = _spread(self.groups("call_type", "site"), inputs.rates, len(rows))
        by_site = self.groups("site")
        contact_price = _spread(by_site, inputs.sites["price_per_contact"], len(rows))
        incentive = _spread(by_site, inputs.sites["incentive"], len(rows))
        repriced = Eligibility(
            rows.assign(rate_per_hour=rates, contact_price=contact_price, incentive=incentive),
            self.exclusions,
        )
        repriced._groups.update(self._groups)
        cached = getattr(self, "_envelopes", None)
        if cached is not None:  # the envelopes read demand, not prices (curve.py)
            object.__setattr__(repriced, "_envelopes", cached)
        return repriced

    def subset(self, keep: np.ndarray) -> Eligibility:
        """The assignments where ``keep`` (one flag per row) is true, in their order;
        the exclusions unchanged (a narrower set a solve chose, not a rule)."""
        return Eligibility(self.assignments[keep].reset_index(drop=True), self.exclusions)

    def with_demand(self, inputs: ModelInputs) -> Eligibility | None:
        """The same assignments at the demand and prices of ``inputs``: a what-if that
        changed volumes, handle times, shrinkage or prices, nothing the rules read,
        and kept every demand unit (None when a row's unit has no demand there).

        Every column that reads demand or prices is derived again as
        :func:`eligible_assignments` derives it; rows, their order and the grouping
        cache carry over (the tests compare the two, column by column)."""
        rows = self.assignments
        units = pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]])
        demand = inputs.demand.reindex(units)
        if demand["calls"].isna().any():
            return None
        kinds = pd.MultiIndex.from_frame(rows[["call_type", "language"]])
        premium = inputs.premium.to_numpy(dtype=float)
        site_pos = inputs.premium.index.get_indexer(rows["site"])
        hours = rows["hour"].to_numpy()
        found = rows.assign(
            handle_hours=demand["handle_hours"].to_numpy(),
            unit_calls=demand["calls"].to_numpy(dtype=float),
            agents_per_erlang=demand["agents_per_erlang"].to_numpy(),
            annual_factor=inputs.workloads["annual_factor"].reindex(kinds).to_numpy(),
            premium=np.where(hours == WEEK, 1.0, premium[site_pos, np.maximum(hours, 0)]),
        )
        found["repeat_factor"] = repeat_factors(inputs, found)
        fresh = Eligibility(found, self.exclusions)  # no envelopes: they read demand
        fresh._groups.update(self._groups)
        return fresh.repriced(inputs)


def _candidates(inputs: ModelInputs) -> pd.DataFrame:
    workloads = inputs.workloads.reset_index()
    sites = inputs.sites.reset_index()[["site", "vendor", "country", "shore"]]
    return workloads.merge(sites, how="cross")


def language_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site lacks the language at the required level, else ''.

    Real-time work (voice, chat) reads the site's spoken level, deferred work (e-mail,
    mail, social) its written level; a site giving one level has it for both.
    """
    rank = {
        (site.id, language, written): PROFICIENCY_ORDER[level]
        for site in inputs.scenario.sites
        for language in site.languages
        for written in (False, True)
        if (level := site.proficiency(language, written=written)) is not None
    }
    written = ~candidates["real_time"].to_numpy(dtype=bool)
    keys = zip(candidates["site"], candidates["language"], written, strict=True)
    have = np.array([rank.get(key, -1) for key in keys], dtype=int)
    need = candidates["min_proficiency"].map(lambda p: PROFICIENCY_ORDER[Proficiency(p)]).to_numpy()
    verb = np.where(written, "writes ", "speaks ")
    reasons = np.where(
        have < 0,
        "does not work in " + candidates["language"],
        verb + candidates["language"] + " below " + candidates["min_proficiency"],
    )
    return pd.Series(np.where(have >= need, "", reasons), index=candidates.index)


def offer_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site does not offer the call type (``sites[].call_types``)."""
    offers = {s.id: set(s.call_types) for s in inputs.scenario.sites if s.call_types is not None}
    pairs = zip(candidates["site"], candidates["call_type"], strict=True)
    refused = np.array([site in offers and c not in offers[site] for site, c in pairs], dtype=bool)
    return pd.Series(
        np.where(refused, "does not offer " + candidates["call_type"], ""), index=candidates.index
    )


def quality_gate_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site's CSAT for the call type is below its quality gate.

    The score is the site's for the call type (``quality_by_call_type``), else its
    site-level CSAT (:func:`~bestshore.model.inputs.row_quality`); a site reporting none
    fails every gate.
    """
    gates = pd.Series(inputs.scenario.policies.quality_gates, dtype=float)
    reasons = pd.Series("", index=candidates.index)
    if gates.empty:
        return reasons
    gate = candidates["call_type"].map(gates).to_numpy(dtype=float)
    csat = row_quality(inputs, candidates, "csat")
    gated = np.isfinite(gate)
    fails = gated & ~(csat >= gate)  # NaN (no CSAT) fails
    for i in np.flatnonzero(fails):
        if np.isfinite(csat[i]):
            reasons.iat[i] = f"CSAT {csat[i]:g} below the gate of {gate[i]:g}"
        else:
            reasons.iat[i] = f"no CSAT reported for the gate of {gate[i]:g}"
    return reasons


def _hours_until_open(open_hours: np.ndarray) -> np.ndarray:
    """For each hour of the week, hours to wait until the site is open (0 if open then).

    The week wraps around; a site never open waits forever.
    """
    opened = np.flatnonzero(open_hours)
    if not len(opened):
        return np.full(HOURS_PER_WEEK, np.iinfo(np.int64).max)
    waits = (opened[None, :] - np.arange(HOURS_PER_WEEK)[:, None]) % HOURS_PER_WEEK
    return waits.min(axis=1)


def _answers_in_time(waits: np.ndarray, arrivals: np.ndarray, response_hours: float) -> float:
    """Share of arrival hours from which the site opens within the response time.

    ``waits`` from :func:`_hours_until_open`: work arriving in hour h is answered in
    time when the site opens within the first ``max(1, ⌊response⌋)`` hours from h.
    """
    window = max(1, math.floor(response_hours))
    reach = waits < window
    return float(reach[arrivals].mean()) if arrivals.any() else 1.0


def hours_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site can take none of the work's hours, or answers too late.

    Real-time work: a site open in some but not all of the hours with demand still
    qualifies, for those hours (the hourly rows are built in
    :func:`eligible_assignments`). Deferred work: the site must open within the
    response time after every hour work arrives.
    """
    open_hours = {site: row.to_numpy(dtype=bool) for site, row in inputs.open_hours.iterrows()}
    demand_hours = {
        key: frame.index.get_level_values("hour").to_numpy()
        for key, frame in inputs.demand.groupby(level=["call_type", "language"])
    }
    call_types = {c.id: c for c in inputs.scenario.call_types}
    arrivals = {c.id: weekly_profile(c) > 0 for c in inputs.scenario.call_types}
    waits: dict[str, np.ndarray] = {}
    reasons = []
    for call_type, language, site, real_time in zip(
        candidates["call_type"], candidates["language"], candidates["site"], candidates["real_time"],
        strict=True,
    ):  # fmt: skip
        hours = demand_hours.get((call_type, language))
        if hours is None:  # no volume at all: nothing to place
            reasons.append("")
        elif real_time:
            open_count = int(open_hours[site][hours].sum())
            reasons.append("" if open_count else f"closed in all {len(hours)} hours with demand")
        else:
            response = call_types[call_type].response_hours
            if site not in waits:
                waits[site] = _hours_until_open(open_hours[site])
            share = _answers_in_time(waits[site], arrivals[call_type], response)
            reasons.append(
                ""
                if share >= 1.0
                else f"cannot answer within {response:g} h for {1 - share:.0%} of arrivals"
            )
    return pd.Series(reasons, index=candidates.index)


def data_protection_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site's country is not allowed for the data class."""
    rules = inputs.scenario.policies.data_jurisdictions
    market = inputs.market["country"]
    held = {
        country: jurisdiction_of(market, country) for country in inputs.sites["country"].unique()
    }

    def reason(data_class: str, country: str) -> str:
        allowed = set(rules[data_class])
        if allowed & held[country]:
            return ""
        names = ", ".join(sorted(str(j) for j in allowed))
        return f"{country} is not allowed for {data_class} data (allowed: {names})"

    pairs = candidates[["data_class", "country"]].drop_duplicates()
    text = {
        (d, c): reason(d, c) for d, c in zip(pairs["data_class"], pairs["country"], strict=True)
    }
    keys = zip(candidates["data_class"], candidates["country"], strict=True)
    return pd.Series([text[k] for k in keys], index=candidates.index)


def shore_rule_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where a shore rule naming the call type forbids the site's shore."""
    reasons = pd.Series("", index=candidates.index)
    for i, rule in enumerate(inputs.scenario.policies.shore_rules):
        levels = [str(level) for level in rule.levels]
        applies = candidates["level"].isin(levels) | candidates["call_type"].isin(rule.call_types)
        broken = applies & ~candidates["shore"].isin(rule.shores)
        text = f"shore rule {i} keeps this work {'/'.join(rule.shores)}"
        reasons = reasons.where(~(broken & (reasons == "")), text)
    return reasons


def vendor_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site belongs to an excluded vendor."""
    excluded = candidates["vendor"].isin(inputs.scenario.policies.excluded_vendors)
    return pd.Series(
        np.where(excluded, "vendor " + candidates["vendor"] + " is excluded", ""),
        index=candidates.index,
    )


def _spread(groups: dict[Any, np.ndarray], values: pd.Series, n: int) -> np.ndarray:
    """``values[key]`` on the rows of each group ``key`` (NaN for a key ``values`` lacks)."""
    keys = list(groups)
    index = pd.MultiIndex.from_tuples(keys) if keys and isinstance(keys[0], tuple) else keys
    looked = values.reindex(index).to_numpy(dtype=float)
    spread = np.full(n, np.nan)
    if keys:
        positions = list(groups.values())
        spread[np.concatenate(positions)] = np.repeat(looked, [len(p) for p in positions])
    return spread


def _lookup(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """``values[key]`` for each key, via the few distinct keys (fast on long columns)."""
    codes, uniques = pd.factorize(keys)
    return values.reindex(uniques).to_numpy(dtype=float)[codes]


def repeat_factors(inputs: ModelInputs, rows: pd.DataFrame) -> np.ndarray:
    """Contacts a site handles per forecast contact: ``fcr_baseline / site FCR``.

    The site's FCR for the call type where given (``quality_by_call_type``), else its
    site-level FCR.

    The repeat-contact rule: a contact not resolved first time comes back, at the same
    site, until it is; a site resolving a share f first time handles 1/f contacts per
    issue. The forecast assumes the call type's ``fcr_baseline``, so a site with FCR f
    handles ``baseline / f`` times the forecast. 1 where either figure is missing.
    """
    baseline = {c.id: c.fcr_baseline or np.nan for c in inputs.scenario.call_types}
    expected = _lookup(rows["call_type"], pd.Series(baseline, dtype=float))
    achieved = row_quality(inputs, rows, "fcr")
    known = np.isfinite(expected) & np.isfinite(achieved) & (achieved > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(known, expected / achieved, 1.0)


def _hourly_rows(inputs: ModelInputs, allowed: pd.DataFrame) -> pd.DataFrame:
    """Expand allowed (c, l, s) to (c, l, s, h) rows: every demand hour the site is open."""
    demand = inputs.demand.reset_index()
    rows = allowed.merge(demand, on=["call_type", "language"], how="inner")
    is_week = rows["hour"].to_numpy() == WEEK
    open_matrix = inputs.open_hours.to_numpy(dtype=bool)
    site_pos = inputs.open_hours.index.get_indexer(rows["site"])
    hour = np.where(is_week, 0, rows["hour"].to_numpy())
    open_now = open_matrix[site_pos, hour]
    return rows[is_week | open_now].reset_index(drop=True)


def eligible_assignments(inputs: ModelInputs) -> Eligibility:
    """Apply every rule family to every candidate; keep the assignments passing all."""
    candidates = _candidates(inputs)
    checks = {
        "language": language_fit(inputs, candidates),
        "offer": offer_fit(inputs, candidates),
        "hours": hours_fit(inputs, candidates),
        "data_protection": data_protection_fit(inputs, candidates),
        "shore_rule": shore_rule_fit(inputs, candidates),
        "excluded_vendor": vendor_fit(inputs, candidates),
        "quality_gate": quality_gate_fit(inputs, candidates),
    }
    assert tuple(checks) == RULE_FAMILIES
    exclusions = pd.concat(
        [
            candidates.loc[reason != "", KEY].assign(rule=family, reason=reason[reason != ""])
            for family, reason in checks.items()
        ],
        ignore_index=True,
    )
    ok = np.logical_and.reduce([reason.to_numpy() == "" for reason in checks.values()])
    allowed = candidates.loc[ok, [*KEY, "vendor", "real_time", "annual_factor"]]
    rows = _hourly_rows(inputs, allowed)
    rates = inputs.rates.rename("rate_per_hour").reset_index()
    rows = rows.merge(rates, on=["call_type", "site"], how="left")
    premium = inputs.premium.to_numpy(dtype=float)
    site_pos = inputs.premium.index.get_indexer(rows["site"])
    hours = rows["hour"].to_numpy()
    rows["premium"] = np.where(hours == WEEK, 1.0, premium[site_pos, np.maximum(hours, 0)])
    rows["repeat_factor"] = repeat_factors(inputs, rows)
    rows["contact_price"] = _lookup(rows["site"], inputs.sites["price_per_contact"])
    rows["incentive"] = _lookup(rows["site"], inputs.sites["incentive"])
    # Looked up once here: the families, the solve's rounds and the exact costs all read it.
    units = pd.MultiIndex.from_frame(rows[["call_type", "language", "hour"]])
    rows["unit_calls"] = inputs.demand["calls"].reindex(units).to_numpy(dtype=float)
    columns = [
        "call_type", "language", "site", "hour", "vendor", "real_time", "handle_hours",
        "unit_calls", "agents_per_erlang", "rate_per_hour", "premium", "annual_factor",
        "repeat_factor", "contact_price", "incentive",
    ]  # fmt: skip
    rows = rows[columns].sort_values(["call_type", "language", "hour", "site"], kind="stable")
    return Eligibility(assignments=rows.reset_index(drop=True), exclusions=exclusions)
