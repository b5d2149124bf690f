"""The price of each policy: re-solving without each rule, priced by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import tiny
from hypothesis import given
from hypothesis import strategies as st

import bestshore
from bestshore.analysis import active_rules, policy_prices, price_interval, price_of_policies
from bestshore.scenario import parse_scenario


def test_each_active_rule_is_priced() -> None:
    # N2 kept inshore forces Paris (90,000 instead of 45,000): 45,000 a year.
    # Sensitive data kept in the EU also forces Paris: 45,000 on its own too.
    # Rabat's vendor capped at 60 % is slack once the others bind, but alone costs
    # 1,200 h x (30 - 15) = 18,000.
    data = tiny()
    data["call_types"][0].update(level="N2", data_class="sensitive_financial")
    data["vendors"][1]["max_share"] = 0.6
    data["policies"] = {"shore_rules": [{"levels": ["N2"], "shores": ["inshore"]}]}
    scenario = parse_scenario(data)
    assert [r.key for r in active_rules(scenario)] == [
        "shore_rule[0]",
        "data[sensitive_financial]",
        "vendor_cap[vb]",
    ]
    prices = price_of_policies(scenario).set_index("rule")
    assert prices.loc["shore_rule[0]", "price"] == pytest.approx(0.0)  # the data rule still binds
    assert prices.loc["data[sensitive_financial]", "price"] == pytest.approx(0.0)
    assert prices.loc["vendor_cap[vb]", "price"] == pytest.approx(0.0)
    assert prices["cost_with"].tolist() == pytest.approx([90_000] * 3)
    # With the data rule relaxed by the scenario itself, lifting the shore rule lets
    # Rabat take its 60 % cap: 90,000 - (1,800 x 15 + 1,200 x 30) = 27,000 a year.
    data["policies"]["data_jurisdictions"] = {"sensitive_financial": ["any"]}
    prices = price_of_policies(parse_scenario(data)).set_index("rule")
    assert prices.loc["shore_rule[0]", "price"] == pytest.approx(27_000)
    assert bool(prices.loc["shore_rule[0]", "significant"])
    # And with no shore rule either, only the vendor cap is left: 18,000.
    data["policies"]["shore_rules"] = []
    prices = price_of_policies(parse_scenario(data))
    assert list(prices["rule"]) == ["vendor_cap[vb]"]
    assert prices["price"].iloc[0] == pytest.approx(1200 * 15)


def test_minimum_inshore_share_price() -> None:
    # At least 50 % inshore keeps 1,500 h in Paris; lifted, they go to Rabat, saving
    # 1,500 h x (30 - 15) = 22,500 a year.
    data = tiny()
    data["policies"] = {"min_inshore_share": 0.5}
    prices = price_of_policies(parse_scenario(data))
    assert list(prices["status"]) == ["ok"]
    assert prices["price"].iloc[0] == pytest.approx(1500 * 15)
    assert prices["description"].iloc[0] == "minimum inshore share"


def test_nps_floor_price() -> None:
    # Paris NPS 40, Rabat 0, N1 floor 30: Rabat takes at most a quarter (78,750) against
    # 45,000 without the floor: the floor costs 33,750 a year.
    data = tiny(policies={"nps_floors": {"n1": 30}})
    data["sites"][0]["quality"] = {"nps": 40}
    data["sites"][1]["quality"] = {"nps": 0}
    prices = price_of_policies(parse_scenario(data)).set_index("rule")
    assert prices.loc["nps_floor[n1]", "price"] == pytest.approx(33_750)


def test_an_exact_lp_prices_each_rule_at_a_point() -> None:
    # Workload sizing is an exact LP: both solves prove their optimum, so the interval
    # closes on the price: the 22,500 of the minimum inshore share above.
    data = tiny()
    data["policies"] = {"min_inshore_share": 0.5}
    (row,) = price_of_policies(parse_scenario(data)).to_dict(orient="records")
    assert row["price_low"] == pytest.approx(22_500) == row["price_high"]
    assert row["significant"] and row["plan_without"] == "re-solved"


@given(st.floats(0, 1e7), st.floats(0, 1), st.floats(0, 1e7), st.floats(0, 1), st.booleans())
def test_the_interval_holds_every_price_the_bounds_allow(
    cost_with: float, gap_with: float, cost_without: float, gap_without: float, bounded: bool
) -> None:
    # Any optima the two solves' proofs allow (L <= OPT <= U on each side, and
    # OPT_without <= OPT_with since the plan kept is one without the rule) give a price
    # inside the interval; the point is inside it too, and never negative.
    cost_without = min(cost_without, cost_with)
    bound_with = cost_with * (1 - gap_with) if bounded else None
    bound_without = min(cost_without * (1 - gap_without), cost_without) if bounded else None
    point, low, high = price_interval(cost_with, bound_with, cost_without, bound_without)
    assert 0 <= low <= point <= high
    assert point == pytest.approx(cost_with - cost_without)
    floor_with = bound_with if bound_with is not None else 0.0
    floor_without = bound_without if bound_without is not None else 0.0
    for opt_with in np.linspace(floor_with, cost_with, 5):
        if floor_without > opt_with:
            continue  # OPT_without >= its bound > OPT_with: not a possible pair
        for opt_without in np.linspace(floor_without, min(cost_without, opt_with), 5):
            price = opt_with - opt_without
            assert low - 1e-6 * max(cost_with, 1) <= price <= high + 1e-6 * max(cost_with, 1)


def test_a_dearer_re_solve_keeps_the_baseline_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    # A heuristic re-solve may return a plan dearer than the baseline's, which is itself
    # a plan without the rule: the price is then 0, never negative (the demo's vendor
    # cap was once priced at -36,171 EUR this way), and the interval reaches 0.
    data = tiny()
    data["policies"] = {"min_inshore_share": 0.5}
    scenario = parse_scenario(data)
    baseline = bestshore.solve(scenario)
    dearer = dataclasses.replace(
        baseline,
        kpis={**baseline.kpis, "total_cost": baseline.total_cost + 5_000},
        stamp={**baseline.stamp, "lower_bound": baseline.total_cost - 30_000},
    )
    monkeypatch.setattr(policy_prices, "solve", lambda _: dearer)
    (row,) = price_of_policies(scenario, baseline).to_dict(orient="records")
    assert row["plan_without"] == "baseline"
    assert row["cost_without"] == pytest.approx(baseline.total_cost)
    assert row["price"] == 0.0 == row["price_low"] and not row["significant"]
    # The high end: the baseline's cost less the re-solve's bound (30,000 below it).
    assert row["price_high"] == pytest.approx(30_000)
