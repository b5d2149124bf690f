"""The price of each policy: the annual cost of keeping a rule, by re-solving without it.

"What does keeping N2 in France cost us?" For every active rule of a scenario, solve
the scenario with that one rule lifted and compare: ``price = cost with the rule - cost
without it`` [currency/yr]. Re-solving is exact for any rule, whereas LP duals only
price a marginal change and say nothing about rules applied as eligibility (shores,
data protection, quality gates). Rules are lifted one at a time, so prices do not add up
when rules overlap (lifting two may save more, or less, than the sum). Facts about the
sites (the languages they work in, the call types they offer) are not rules: they are
never lifted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bestshore import progress
from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.scenario.schema import Jurisdiction, Scenario

__all__ = ["PolicyRule", "active_rules", "price_of_policies"]


@dataclass(frozen=True)
class PolicyRule:
    """One active rule and how to lift it."""

    key: str
    description: str
    lift: Callable[[Scenario], None]  # changes a copy of the scenario in place


def _call(change: Callable[[Scenario, Any], object], argument: Any) -> Callable[[Scenario], None]:
    """Bind ``argument`` now (not at call time, as a bare lambda in a loop would)."""

    def lift(scenario: Scenario) -> None:
        change(scenario, argument)

    return lift


def setattr_policy(scenario: Scenario, field: str) -> None:
    """Lift a policy held in one field by setting it to None."""
    setattr(scenario.policies, field, None)


def _open_data_class(scenario: Scenario, data_class: str) -> None:
    scenario.policies.data_jurisdictions[data_class] = [Jurisdiction.ANY]


def _uncap_vendor(scenario: Scenario, vendor_id: str) -> None:
    next(v for v in scenario.vendors if v.id == vendor_id).max_share = None


def _lifted(scenario: Scenario, rule: PolicyRule) -> Scenario:
    copy = scenario.model_copy(deep=True)
    rule.lift(copy)
    return copy


def active_rules(scenario: Scenario) -> list[PolicyRule]:
    """Every rule of the scenario that restricts the plan, in a stable order."""
    policies = scenario.policies
    rules: list[PolicyRule] = []
    for i, shore_rule in enumerate(policies.shore_rules):
        targets = ", ".join([*map(str, shore_rule.levels), *shore_rule.call_types])
        rules.append(
            PolicyRule(
                f"shore_rule[{i}]",
                f"{targets} kept {'/'.join(shore_rule.shores)}",
                _call(lambda s, i: s.policies.shore_rules.pop(i), i),
            )
        )
    used_classes = {c.data_class for c in scenario.call_types}
    for data_class in sorted(used_classes):
        allowed = policies.data_jurisdictions[data_class]
        if Jurisdiction.ANY in allowed or Jurisdiction.SCC in allowed:
            continue
        names = "/".join(str(j) for j in allowed)
        rules.append(
            PolicyRule(
                f"data[{data_class}]",
                f"{data_class} data processed in {names} only",
                _call(_open_data_class, data_class),
            )
        )
    if policies.max_vendor_share is not None:
        rules.append(
            PolicyRule(
                "max_vendor_share",
                f"no vendor above {policies.max_vendor_share:.0%} of the work",
                _call(setattr_policy, "max_vendor_share"),
            )
        )
    for vendor in scenario.vendors:
        if vendor.max_share is not None:
            rules.append(
                PolicyRule(
                    f"vendor_cap[{vendor.id}]",
                    f"{vendor.id} capped at {vendor.max_share:.0%}",
                    _call(_uncap_vendor, vendor.id),
                )
            )
    for vendor_id in policies.excluded_vendors:
        rules.append(
            PolicyRule(
                f"excluded[{vendor_id}]",
                f"{vendor_id} excluded",
                _call(lambda s, v: s.policies.excluded_vendors.remove(v), vendor_id),
            )
        )
    simple = [
        ("preferred_vendor", "preferred partner's minimum share"),
        ("max_vendors", "panel size cap"),
        ("min_vendors", "minimum panel size"),
        ("max_site_share", "site share cap"),
        ("max_country_share", "country share cap"),
        ("min_inshore_share", "minimum inshore share"),
        ("min_sites_per_call_type", "each call type on several sites"),
        ("capacity_headroom", "spare capacity kept at every site"),
    ]
    for field, words in simple:
        if getattr(policies, field) is not None:
            rules.append(PolicyRule(field, words, _call(setattr_policy, field)))
    for shore in sorted(policies.max_shore_share):
        rules.append(
            PolicyRule(
                f"max_shore_share[{shore}]",
                f"{shore} at most {policies.max_shore_share[shore]:.0%}",
                _call(lambda s, sh: s.policies.max_shore_share.pop(sh), shore),
            )
        )
    for family, field, score in (
        ("quality_floor", "quality_floors", "CSAT"),
        ("nps_floor", "nps_floors", "NPS"),
    ):
        floors = getattr(policies, field)
        for call_type_id in sorted(floors):
            rules.append(
                PolicyRule(
                    f"{family}[{call_type_id}]",
                    f"{call_type_id} {score} at least {floors[call_type_id]:g}",
                    _call(
                        lambda s, key: getattr(s.policies, key[0]).pop(key[1]),
                        (field, call_type_id),
                    ),
                )
            )
    # Quality gates are the client's rule; what a site offers and the languages it
    # works in are facts about the site, not rules to lift.
    gates = policies.quality_gates
    for call_type_id in sorted(gates):
        rules.append(
            PolicyRule(
                f"quality_gate[{call_type_id}]",
                f"{call_type_id} only at sites with CSAT {gates[call_type_id]:g} or more",
                _call(lambda s, key: s.policies.quality_gates.pop(key), call_type_id),
            )
        )
    return rules


def _gap(result: Result) -> float:
    """The plan's staffing gap (0 for exact LPs; unknown gaps count as 0)."""
    gap = result.stamp.get("staffing_gap")
    return float(gap) if gap is not None else 0.0


def price_of_policies(scenario: Scenario, baseline: Result | None = None) -> pd.DataFrame:
    """Annual cost of keeping each active rule.

    Returns
    -------
    DataFrame sorted by price, one row per rule: ``rule`` (key), ``description``,
    ``cost_with`` and ``cost_without`` [currency/yr], ``price`` (their difference),
    ``significant`` (False when the price is within the staffing loop's own gap, so its
    sign cannot be trusted), ``status`` (``ok``, or why the solve without the rule gave
    no plan).
    """
    baseline = baseline or solve(scenario)
    rows = []
    rules = active_rules(scenario)
    for number, rule in enumerate(rules, start=1):
        try:
            with progress.step(f"pricing policy {number}/{len(rules)} ({rule.key})"):
                lifted = solve(_lifted(scenario, rule))
            without, status = lifted.total_cost, "ok"
            noise = max(_gap(baseline) * baseline.total_cost, _gap(lifted) * without)
        except (InfeasibleScenarioError, SolveError) as exc:
            without, status, noise = float("nan"), f"no plan without it: {exc.status}", 0.0
        price = baseline.total_cost - without
        rows.append(
            {
                "rule": rule.key,
                "description": rule.description,
                "cost_with": baseline.total_cost,
                "cost_without": without,
                "price": price,
                "significant": bool(abs(price) > noise + 1e-6 * baseline.total_cost),
                "status": status,
            }
        )
    columns = ["rule", "description", "cost_with", "cost_without", "price", "significant", "status"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("price", ascending=False, kind="stable").reset_index(drop=True)
