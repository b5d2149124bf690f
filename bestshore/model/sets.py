"""The sparse set of eligible assignments (call type, language, site).

Four rule families decide whether a site may take a workload at all. They are applied
here, once, as sparsity: no variable exists for a forbidden triple (rather than a
variable bounded to zero), which keeps the LP small and lets every exclusion be
explained. Each family is one function returning, per candidate triple, whether it
passes and, when not, why.

=================  ==========================================================
family             a site s may take workload (c, l) only if ...
=================  ==========================================================
``language``       s speaks l at c's minimum proficiency or better
``hours``          every market hour c must be staffed is open at s (coarse v1)
``data_protection``  s's country satisfies one jurisdiction allowed for c's data class
``shore_rule``     s's shore is allowed by every shore rule that names c
=================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestshore.model.inputs import ModelInputs, jurisdiction_of
from bestshore.scenario.schema import PROFICIENCY_ORDER, Proficiency

__all__ = [
    "RULE_FAMILIES",
    "Eligibility",
    "data_protection_fit",
    "eligible_assignments",
    "hours_fit",
    "language_fit",
    "shore_rule_fit",
]

KEY = ["call_type", "language", "site"]
RULE_FAMILIES = ("language", "hours", "data_protection", "shore_rule")


@dataclass(frozen=True)
class Eligibility:
    """Which (call type, language, site) triples may carry work, and why others may not.

    Attributes
    ----------
    assignments : DataFrame
        One row per eligible triple (columns ``call_type``, ``language``, ``site``,
        ``vendor``, ``productive_hours`` [h/yr] of the whole workload, ``rate_per_hour``
        [currency/h]), in a stable order.
    exclusions : DataFrame
        One row per (triple, failed rule): ``call_type``, ``language``, ``site``,
        ``rule`` (a family name) and ``reason`` in plain words.
    """

    assignments: pd.DataFrame
    exclusions: pd.DataFrame


def _candidates(inputs: ModelInputs) -> pd.DataFrame:
    workloads = inputs.workloads.reset_index()
    sites = inputs.sites.reset_index()[["site", "vendor", "country", "shore"]]
    return workloads.merge(sites, how="cross")


def language_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site lacks the language at the required level, else ''."""
    spoken = {
        (site.id, language): PROFICIENCY_ORDER[level]
        for site in inputs.scenario.sites
        for language, level in site.languages.items()
    }
    have = np.array(
        [
            spoken.get(key, -1)
            for key in zip(candidates["site"], candidates["language"], strict=True)
        ]
    )
    need = candidates["min_proficiency"].map(lambda p: PROFICIENCY_ORDER[Proficiency(p)]).to_numpy()
    reasons = np.where(
        have < 0,
        "does not work in " + candidates["language"],
        "works in " + candidates["language"] + " below " + candidates["min_proficiency"],
    )
    return pd.Series(np.where(have >= need, "", reasons), index=candidates.index)


def hours_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where the site is closed in some hour the call type must be staffed."""
    required = inputs.required_hours.to_numpy(dtype=np.int64)
    closed = (~inputs.covered_hours.to_numpy(dtype=bool)).astype(np.int64)
    uncovered = pd.DataFrame(
        required @ closed.T, index=inputs.required_hours.index, columns=inputs.covered_hours.index
    )
    missing = uncovered.stack().rename("missing").reset_index()
    counts = candidates[["call_type", "site"]].merge(missing, on=["call_type", "site"], how="left")
    text = "closed " + counts["missing"].astype(str) + " of the required market hours per week"
    return pd.Series(np.where(counts["missing"].to_numpy() > 0, text, ""), index=candidates.index)


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
    return pd.Series(
        [text[k] for k in zip(candidates["data_class"], candidates["country"], strict=True)],
        index=candidates.index,
    )


def shore_rule_fit(inputs: ModelInputs, candidates: pd.DataFrame) -> pd.Series:
    """Reason text where a shore rule naming the call type forbids the site's shore."""
    reasons = pd.Series("", index=candidates.index)
    for i, rule in enumerate(inputs.scenario.policies.shore_rules):
        applies = candidates["level"].isin([str(level) for level in rule.levels]) | candidates[
            "call_type"
        ].isin(rule.call_types)
        broken = applies & ~candidates["shore"].isin(rule.shores)
        text = f"shore rule {i} keeps this work {'/'.join(rule.shores)}"
        reasons = reasons.where(~(broken & (reasons == "")), text)
    return reasons


def eligible_assignments(inputs: ModelInputs) -> Eligibility:
    """Apply every rule family to every candidate triple; keep those passing all."""
    candidates = _candidates(inputs)
    checks = {
        "language": language_fit(inputs, candidates),
        "hours": hours_fit(inputs, candidates),
        "data_protection": data_protection_fit(inputs, candidates),
        "shore_rule": shore_rule_fit(inputs, candidates),
    }
    exclusions = pd.concat(
        [
            candidates.loc[reason != "", KEY].assign(rule=family, reason=reason[reason != ""])
            for family, reason in checks.items()
        ],
        ignore_index=True,
    )
    ok = np.logical_and.reduce([reason.to_numpy() == "" for reason in checks.values()])
    kept = candidates.loc[ok, [*KEY, "vendor", "productive_hours"]].reset_index(drop=True)
    rates = inputs.rates.rename("rate_per_hour").reset_index()
    kept = kept.merge(rates, on=["call_type", "site"], how="left")
    return Eligibility(assignments=kept, exclusions=exclusions)
