"""The price of each policy: the annual cost of keeping a rule, by re-solving without it.

"What does keeping N2 in France cost us?" For every active rule of a scenario, solve
the scenario with that one rule lifted and compare: ``price = cost with the rule - cost
without it`` [currency/yr], with the interval both solves' proven bounds put it in
(:func:`price_interval`). Re-solving is exact for any rule, whereas LP duals only
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

__all__ = ["PRICE_COLUMNS", "PolicyRule", "active_rules", "price_interval", "price_of_policies"]


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


def _keep_no_split(scenario: Scenario) -> None:
    scenario.policies.keep_todays_split = False


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
    if policies.keep_todays_split:
        rules.append(
            PolicyRule("keep_todays_split", "today's split of the work kept", _keep_no_split)
        )
    rules.extend(_award_rules(scenario))
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


def _lift_lot_winners(scenario: Scenario, bound: str) -> None:
    rule = scenario.policies.lot_winners
    assert rule is not None
    other = "min" if bound == "max" else "max"
    if getattr(rule, other) is None:
        scenario.policies.lot_winners = None
    else:
        setattr(rule, bound, None)


def _lift_limit(scenario: Scenario, key: tuple[str, str]) -> None:
    """Lift one bound of a vendor limit; the entry goes with its last bound."""
    target, bound = key
    limits = scenario.policies.vendor_limits
    at = next(i for i, limit in enumerate(limits) if limit.target == target)
    data = limits[at].model_dump(exclude_none=True)
    data.pop(bound)
    if set(data) <= {"vendor", "group"}:
        limits.pop(at)
    else:
        limits[at] = type(limits[at]).model_validate(data)


def _award_rules(scenario: Scenario) -> list[PolicyRule]:
    """The tender award rules (bestshore.model.award_rules), one per bound."""
    policies = scenario.policies
    currency = scenario.market.currency
    rules = []
    lots = policies.lot_winners
    if lots is not None:
        which = f" ({', '.join(lots.call_types)})" if lots.call_types else ""
        if lots.max is not None:
            rules.append(
                PolicyRule(
                    "lot_winners[max]",
                    f"at most {lots.max} vendor(s) per lot{which}",
                    _call(_lift_lot_winners, "max"),
                )
            )
        if lots.min is not None:
            rules.append(
                PolicyRule(
                    "lot_winners[min]",
                    f"at least {lots.min} vendors per lot{which}, each {lots.min_share:.0%} or more",
                    _call(_lift_lot_winners, "min"),
                )
            )
    if policies.max_lot_share is not None:
        rules.append(
            PolicyRule(
                "max_lot_share",
                f"no vendor above {policies.max_lot_share:.0%} of any lot",
                _call(setattr_policy, "max_lot_share"),
            )
        )
    words = {
        "min_share": ("at least", "of the work"),
        "max_share": ("at most", "of the work"),
        "min_spend": ("billed at least", f"{currency}/yr"),
        "max_spend": ("billed at most", f"{currency}/yr"),
        "min_spend_share": ("at least", "of the spend"),
        "max_spend_share": ("at most", "of the spend"),
    }
    for limit in policies.vendor_limits:
        for bound, (side, unit) in words.items():
            value = getattr(limit, bound)
            if value is None:
                continue
            shown = (
                f"{value:,.0f} {unit}"
                if "spend" in bound and "share" not in bound
                else f"{value:.0%} {unit}"
            )
            rules.append(
                PolicyRule(
                    f"vendor_limit[{limit.target},{bound}]",
                    f"{limit.target} {side} {shown}",
                    _call(_lift_limit, (limit.target, bound)),
                )
            )
    return rules


def _bound(result: Result) -> float | None:
    """The proven lower bound of a plan's scenario (None: none proven)."""
    bound = result.stamp.get("lower_bound")
    return None if bound is None else float(bound)


def price_interval(
    cost_with: float,
    bound_with: float | None,
    cost_without: float,
    bound_without: float | None,
) -> tuple[float, float, float]:
    """A rule's price and the interval it is proven to lie in [currency/yr].

    The price of a rule is ``P = OPT_with - OPT_without``, the best plans' costs with
    and without it. Each solve proves ``L ≤ OPT ≤ U`` (its lower bound and the plan it
    found); the plan kept with the rule is also a plan without it (lifting a rule only
    widens the choice), so ``OPT_without ≤ OPT_with`` and ``P ≥ 0``. Hence

    ``max(0, L_with - U_without) ≤ P ≤ U_with - L_without``

    and the point ``U_with - U_without``, between them. Without a proven bound the low end
    is 0 (from ``P ≥ 0``) and the high end ``U_with`` (no plan costs less than nothing).

    Returns
    -------
    (point, low, high)
    """
    point = max(cost_with - cost_without, 0.0)
    low = 0.0 if bound_with is None else max(bound_with - cost_without, 0.0)
    high = cost_with - (bound_without if bound_without is not None else 0.0)
    return point, min(low, point), max(high, point)


PRICE_COLUMNS = [
    "rule",
    "description",
    "cost_with",
    "cost_without",
    "price",
    "price_low",
    "price_high",
    "significant",
    "plan_without",
    "status",
]


def price_of_policies(scenario: Scenario, baseline: Result | None = None) -> pd.DataFrame:
    """Annual cost of keeping each active rule, with the interval it is proven to lie in.

    Each rule is lifted alone and the scenario solved again. The plan kept with the rule
    stays a plan without it, so the cost without the rule is the cheaper of the two
    plans and no price is negative; each solve's proven lower bound gives the interval
    (:func:`price_interval`).

    Returns
    -------
    DataFrame sorted by price, one row per rule: ``rule`` (key), ``description``,
    ``cost_with`` and ``cost_without`` [currency/yr] (the plans kept), ``price`` (their
    difference) and ``price_low``, ``price_high`` (the proven interval) [currency/yr],
    ``significant`` (the interval excludes 0: keeping the rule is proven to cost
    something), ``plan_without`` (``re-solved``, or ``baseline`` when the plan kept with
    the rule was the cheaper one without it too), ``status`` (``ok``, or why the
    re-solve found no plan: the baseline plan is then the plan without the rule).
    """
    baseline = baseline or solve(scenario)
    cost_with, bound_with = baseline.total_cost, _bound(baseline)
    rows = []
    rules = active_rules(scenario)
    for number, rule in enumerate(rules, start=1):
        bound_without: float | None = None
        try:
            with progress.step(f"pricing policy {number}/{len(rules)} ({rule.key})"):
                lifted = solve(_lifted(scenario, rule))
            without, status = lifted.total_cost, "ok"
            bound_without = _bound(lifted)
        except (InfeasibleScenarioError, SolveError) as exc:
            # Lifting a rule never removes a plan: the baseline's is one; the re-solve's
            # failure (its rounds, a time limit) proves nothing about the bound.
            without, status = cost_with, f"no plan from the re-solve: {exc.status}"
        kept = "re-solved" if without < cost_with else "baseline"
        without = min(without, cost_with)
        if bound_without is not None:
            bound_without = min(bound_without, without)
        point, low, high = price_interval(cost_with, bound_with, without, bound_without)
        rows.append(
            {
                "rule": rule.key,
                "description": rule.description,
                "cost_with": cost_with,
                "cost_without": without,
                "price": point,
                "price_low": low,
                "price_high": high,
                "significant": bool(low > 1e-9 * max(1.0, abs(cost_with))),
                "plan_without": kept,
                "status": status,
            }
        )
    table = pd.DataFrame(rows, columns=PRICE_COLUMNS)
    return table.sort_values("price", ascending=False, kind="stable").reset_index(drop=True)
