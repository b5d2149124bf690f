"""The price of each policy: re-solving without each rule, priced by hand."""

from __future__ import annotations

import pytest
from conftest import tiny

from bestshore.analysis import active_rules, price_of_policies
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
