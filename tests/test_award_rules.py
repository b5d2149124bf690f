"""Tender award rules in the model (bestshore.model.award_rules): winners per lot, a
vendor's share of a lot, limits on the work, spend and share of spend of a vendor or a
group, each worked out by hand on tiny scenarios, checked by the independent checker,
priced by re-solving, and refused in one located line when written wrong.

The tiny tender (conftest.tiny): 36,000 French N1 contacts a year at AHT 300 s = 3,000
handle hours = 3,000 agent hours (occupancy 1, shrinkage 0). Paris (in-house) costs
50 EUR/h, Rabat (vendor alpha) 15 EUR/h, Lisbon (vendor beta) 20 EUR/h, each with 10,000 h
of capacity. Without rules Rabat takes everything: 3,000 x 15 = 45,000 EUR/yr.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import tiny

import bestshore
from bestshore.analysis import price_of_policies
from bestshore.model.families import FAMILIES
from bestshore.scenario import ScenarioError, parse_scenario
from bestshore.verify import verify


def _site(site: str, vendor: str | None, country: str, city: str, rate: float, **more: Any) -> dict:
    found = {
        "id": site, "country": country, "city": city, "languages": {"fr": "native"},
        "capacity_hours": 10_000, "cost_per_hour": rate, **more,
    }  # fmt: skip
    if vendor is not None:
        found["vendor"] = vendor
    return found


def tender(policies: dict | None = None, **changes: Any) -> dict:
    data = tiny(name="award rules", vendors=[{"id": "alpha"}, {"id": "beta"}])
    data["sites"] = [
        _site("paris", None, "FR", "Paris", 50.0),
        _site("rabat", "alpha", "MA", "Rabat", 15.0),
        _site("lisbon", "beta", "PT", "Lisbon", 20.0),
    ]
    data["policies"] = policies or {}
    data.update(changes)
    return data


def solved(data: dict) -> tuple[Any, dict[str, float]]:
    result = bestshore.solve(parse_scenario(data, file=None))
    hours = result.allocation.groupby("site")["productive_hours"].sum().to_dict()
    return result, {site: float(hours.get(site, 0.0)) for site in ("paris", "rabat", "lisbon")}


HAND = [
    # (policies, total EUR/yr, Rabat h, Lisbon h, Paris h), each worked out by hand:
    # At least 2 winners each with 40 % of the lot: Rabat 60 % (1,800 h x 15 = 27,000),
    # Lisbon 40 % (1,200 h x 20 = 24,000): 51,000. Paris is in-house: not a winner.
    ({"lot_winners": {"min": 2, "min_share": 0.4}}, 51_000, 1_800, 1_200, 0),
    # No vendor above 60 % of the lot: the same split, 51,000.
    ({"max_lot_share": 0.6}, 51_000, 1_800, 1_200, 0),
    # Alpha billed at most 30,000: 2,000 h at Rabat, 1,000 h at Lisbon (20,000): 50,000.
    ({"vendor_limits": [{"vendor": "alpha", "max_spend": 30_000}]}, 50_000, 2_000, 1_000, 0),
    # Alpha at most half the bill: 15 a = 20 (3,000 - a), a = 60,000 / 35 = 1,714.29 h;
    # each is billed 25,714.29, in all 51,428.57.
    (
        {"vendor_limits": [{"vendor": "alpha", "max_spend_share": 0.5}]},
        60_000 / 35 * 30, 60_000 / 35, 3_000 - 60_000 / 35, 0,
    ),
    # New vendors (beta) at least 30 % of the work: 900 h x 20 + 2,100 h x 15 = 49,500.
    (
        {"vendor_groups": {"new": ["beta"]}, "vendor_limits": [{"group": "new", "min_share": 0.3}]},
        49_500, 2_100, 900, 0,
    ),
    # Beta billed at least 12,000: 600 h at Lisbon, 2,400 h x 15 = 36,000: 48,000.
    ({"vendor_limits": [{"vendor": "beta", "min_spend": 12_000}]}, 48_000, 2_400, 600, 0),
    # Two incumbents each kept at least a share: beta 30 %, alpha 20 % (free anyway):
    # 900 h x 20 + 2,100 h x 15 = 49,500.
    (
        {"vendor_limits": [{"vendor": "beta", "min_share": 0.3}, {"vendor": "alpha", "min_share": 0.2}]},
        49_500, 2_100, 900, 0,
    ),
    # The group of both bidders at most 80 % of the work: Paris takes 600 h x 50 = 30,000,
    # Rabat 2,400 x 15 = 36,000: 66,000.
    (
        {"vendor_groups": {"all": ["alpha", "beta"]}, "vendor_limits": [{"group": "all", "max_share": 0.8}]},
        66_000, 2_400, 0, 600,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("policies", "total", "rabat", "lisbon", "paris"), HAND)
def test_hand_worked_awards(
    policies: dict, total: float, rabat: float, lisbon: float, paris: float
) -> None:
    result, hours = solved(tender(policies))
    assert result.status == "optimal"
    assert result.total_cost == pytest.approx(total, rel=1e-6)
    assert hours["rabat"] == pytest.approx(rabat, rel=1e-6, abs=1e-6)
    assert hours["lisbon"] == pytest.approx(lisbon, rel=1e-6, abs=1e-6)
    assert hours["paris"] == pytest.approx(paris, rel=1e-6, abs=1e-6)


def test_at_most_one_winner_when_the_cheap_bidder_is_short() -> None:
    """Rabat can staff only 2,000 h. Free: Rabat 2,000 h (30,000) + Lisbon 1,000 h
    (20,000) = 50,000. One winner per lot: Lisbon alone, 3,000 h x 20 = 60,000 (Rabat
    alone would leave 1,000 h to Paris: 30,000 + 50,000 = 80,000). The rule costs 10,000."""
    data = tender({"lot_winners": {"max": 1}})
    data["sites"][1]["capacity_hours"] = 2_000
    result, hours = solved(data)
    assert result.total_cost == pytest.approx(60_000)
    assert hours == pytest.approx({"paris": 0, "rabat": 0, "lisbon": 3_000})
    prices = price_of_policies(parse_scenario(data, file=None), result).set_index("rule")
    assert prices.at["lot_winners[max]", "price"] == pytest.approx(10_000)
    assert prices.at["lot_winners[max]", "significant"]


def _two_lots(policies: dict) -> dict:
    """Two lots: n1 in French and in English, 1,500 h each. Rabat (alpha) works in French
    at 15, Dublin (gamma) in English at 18, Lisbon (beta) in both at 20."""
    data = tender(policies)
    data["vendors"].append({"id": "gamma"})
    data["call_types"][0]["languages"] = {"fr": 0.5, "en": 0.5}
    data["sites"][2]["languages"] = {"fr": "native", "en": "C2"}
    data["sites"].append(_site("dublin", "gamma", "IE", "Dublin", 18.0, languages={"en": "native"}))
    return data


def test_lot_share_is_per_lot_not_of_all_work() -> None:
    """Free: French to Rabat (1,500 x 15 = 22,500), English to Dublin (1,500 x 18 =
    27,000): 49,500; each vendor takes 50 % of all the work, 100 % of its lot. At most
    half of any lot: French 750 h Rabat + 750 h Lisbon (11,250 + 15,000), English 750 h
    Dublin + 750 h Lisbon (13,500 + 15,000): 54,750, the cap's price 5,250."""
    data = _two_lots({"max_lot_share": 0.5})
    scenario = parse_scenario(data, file=None)
    result = bestshore.solve(scenario)
    assert result.total_cost == pytest.approx(54_750)
    by_lot = result.allocation.groupby(["site", "language"])["productive_hours"].sum()
    assert by_lot.to_dict() == pytest.approx(
        {("dublin", "en"): 750, ("lisbon", "en"): 750, ("lisbon", "fr"): 750, ("rabat", "fr"): 750}
    )
    prices = price_of_policies(scenario, result).set_index("rule")
    assert prices.at["max_lot_share", "price"] == pytest.approx(5_250)


def test_winners_per_lot_only_on_the_named_call_types() -> None:
    """At least two winners per lot, each 40 %: French Rabat 900 h + Lisbon 600 h (13,500 +
    12,000), English Dublin 900 h + Lisbon 600 h (16,200 + 12,000): 53,700."""
    data = _two_lots({"lot_winners": {"min": 2, "min_share": 0.4}})
    assert solved(data)[0].total_cost == pytest.approx(53_700)
    data["call_types"].append(dict(data["call_types"][0], id="n1b", name="other", volume=36_000))
    data["policies"]["lot_winners"]["call_types"] = ["n1b"]
    # n1 free (49,500), n1b as n1 above (53,700)
    assert solved(data)[0].total_cost == pytest.approx(49_500 + 53_700)


def test_every_rule_and_bound_priced_separately() -> None:
    """Two winners (min 40 %) cost 6,000 alone against 45,000; with new vendors at least
    30 % of the work as well, the winners rule costs 1,500 (51,000 - 49,500) and the 30 %
    nothing (the winners rule gives beta 40 % anyway); a loose spend cap costs nothing."""
    data = tender(
        {
            "lot_winners": {"min": 2, "min_share": 0.4},
            "vendor_groups": {"new": ["beta"]},
            "vendor_limits": [{"group": "new", "min_share": 0.3, "max_spend": 1e6}],
        }
    )
    scenario = parse_scenario(data, file=None)
    result = bestshore.solve(scenario)
    assert result.total_cost == pytest.approx(51_000)
    prices = price_of_policies(scenario, result).set_index("rule")
    assert set(prices.index) == {
        "lot_winners[min]", "vendor_limit[new,min_share]", "vendor_limit[new,max_spend]",
    }  # fmt: skip
    assert prices.at["lot_winners[min]", "price"] == pytest.approx(1_500)
    assert prices.at["vendor_limit[new,min_share]", "price"] == pytest.approx(0, abs=1e-6)
    assert prices.at["vendor_limit[new,max_spend]", "price"] == pytest.approx(0, abs=1e-6)
    assert not prices.at["vendor_limit[new,max_spend]", "significant"]


def test_binding_rows_say_what_binds() -> None:
    result, _ = solved(tender({"vendor_limits": [{"vendor": "alpha", "max_spend": 30_000}]}))
    rows = result.constraints[result.constraints["binding"]].set_index("family")
    assert rows.at["spend_limit", "message"] == (
        "vendor alpha takes just its most bill for the work (30,000 EUR/yr)"
    )
    assert rows.at["spend_limit", "used"] == pytest.approx(30_000)
    result, _ = solved(tender({"lot_winners": {"min": 2, "min_share": 0.4}}))
    messages = set(result.constraints.loc[result.constraints["binding"], "message"])
    assert "lot n1.fr has just its minimum of 2 vendors" in messages
    assert "vendor beta takes just the least share of lot n1.fr a winner takes (40%)" in messages


def test_rows_and_binaries_are_named_and_sparse() -> None:
    """One binary per (lot, vendor able to take it), none for the in-house site; the
    max row only where more vendors than the maximum may take the lot."""
    from bestshore.model import build_model, prepare_inputs

    inputs = prepare_inputs(parse_scenario(_two_lots({"lot_winners": {"max": 1}}), file=None))
    program = build_model(inputs).program
    assert sorted(program.column_keys("lot_won")) == [
        ("n1", "en", "beta"), ("n1", "en", "gamma"), ("n1", "fr", "alpha"), ("n1", "fr", "beta"),
    ]  # fmt: skip
    assert sorted(program.row_keys("lot_winners")) == [("n1", "en", "max"), ("n1", "fr", "max")]
    assert "lot_award_floor" not in {n.split("[")[0] for n in program.row_names()}
    loose = prepare_inputs(parse_scenario(_two_lots({"lot_winners": {"max": 2}}), file=None))
    assert not build_model(loose).program.column_keys("lot_won")  # cannot bind: no binaries


def test_the_checker_catches_a_plan_that_breaks_the_rules() -> None:
    """The free plan (all to alpha) checked against each rule: the checker recomputes
    the work per lot and vendor on its own."""
    free = bestshore.solve(parse_scenario(tender(), file=None))
    cases = {
        "lot n1.fr: 1 vendors take 40% or more, below its 2": {"lot_winners": {"min": 2, "min_share": 0.4}},
        "vendor alpha takes 100.0000% of lot n1.fr, above 60.00%": {"max_lot_share": 0.6},
        "beta takes 0.0000% of the work, below its 30.00%": {"vendor_limits": [{"vendor": "beta", "min_share": 0.3}]},
        "all takes 100.0000% of the work, above its 80.00%": {
            "vendor_groups": {"all": ["alpha", "beta"]},
            "vendor_limits": [{"group": "all", "max_share": 0.8}],
        },
    }  # fmt: skip
    for expected, policies in cases.items():
        problems = verify(parse_scenario(tender(policies), file=None), free)
        assert expected in problems, problems


def test_no_plan_is_diagnosed_in_the_rules_words() -> None:
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(
            parse_scenario(tender({"lot_winners": {"min": 3, "min_share": 0.3}}), file=None)
        )
    assert "lot n1.fr needs 3 vendors each taking 30% of it, and 2 may take it" in str(caught.value)
    rules = {"vendor_limits": [{"vendor": "alpha", "min_spend": 100_000}]}
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(parse_scenario(tender(rules), file=None))
    # Rabat's 10,000 h cap a bill of 150,000; the 3,000 h of work bill at most 45,000
    assert "vendor alpha would fall 55,000 EUR/yr short of its min spend (100,000 EUR/yr)" in str(
        caught.value
    )


BAD = [
    ({"vendor_limits": [{"max_share": 0.3}]}, "policies.vendor_limits[0]: give vendor or group (one of them)"),
    ({"vendor_limits": [{"vendor": "alpha"}]}, "policies.vendor_limits[0]: give at least one of min_share, max_share, min_spend, max_spend, min_spend_share, max_spend_share"),
    ({"vendor_limits": [{"vendor": "alpha", "min_share": 0.5, "max_share": 0.3}]}, "policies.vendor_limits[0]: min_share (0.5) is above max_share (0.3)"),
    ({"vendor_limits": [{"vendor": "zz", "max_share": 0.3}]}, "policies.vendor_limits[0].vendor: unknown vendor 'zz' (vendors: alpha, beta)"),
    ({"vendor_limits": [{"group": "new", "max_share": 0.3}]}, "policies.vendor_limits[0].group: unknown group 'new' (policies.vendor_groups: none)"),
    ({"vendor_limits": [{"vendor": "alpha", "max_spend": -1}]}, "policies.vendor_limits[0].max_spend: must be >= 0, got -1 (valid: >= 0 and <= 1e+12)"),
    ({"vendor_limits": [{"vendor": "alpha", "max_share": 0.3}, {"vendor": "alpha", "max_spend": 3}]}, "policies.vendor_limits[1]: a second limit on 'alpha' (the first is vendor_limits[0]); give one entry per vendor or group, with all its bounds"),
    ({"vendor_groups": {"new": ["alpha", "zz"]}}, "policies.vendor_groups.new[1]: unknown vendor 'zz' (vendors: alpha, beta)"),
    ({"vendor_groups": {"alpha": ["beta"]}}, "policies.vendor_groups.alpha: group 'alpha' has a vendor's id; name groups apart from vendors"),
    ({"vendor_groups": {"new": ["beta", "beta"]}}, "policies.vendor_groups.new[1]: vendor 'beta' listed twice in the group"),
    ({"vendor_groups": {"new": []}}, "policies.vendor_groups.new: must not be empty"),
    ({"lot_winners": {}}, "policies.lot_winners: give max, min or both"),
    ({"lot_winners": {"min": 3, "max": 2}}, "policies.lot_winners: min (3) is above max (2)"),
    ({"lot_winners": {"min": 3, "min_share": 0.4}}, "policies.lot_winners: min 3 vendors each taking min_share 0.4 of a lot need more than the whole lot; lower min or min_share"),
    ({"lot_winners": {"max": 1, "call_types": ["n9"]}}, "policies.lot_winners.call_types[0]: unknown call type 'n9' (call types: n1)"),
    ({"max_lot_share": 1.5}, "policies.max_lot_share: must be <= 1, got 1.5 (valid: >= 0 and <= 1)"),
]  # fmt: skip


@pytest.mark.parametrize(("policies", "message"), BAD, ids=[b[1][:50] for b in BAD])
def test_bad_rules_are_one_located_line(tmp_path: Path, policies: dict, message: str) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(yaml.safe_dump(tender(policies), sort_keys=False))
    with pytest.raises(ScenarioError) as caught:
        bestshore.load_scenario(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{path}:")
    assert text.split(" ", 1)[1] == message


HISTORY_BAD = [
    ({"n1.de": {"price_per_contact": 2}}, "history.n1.de: unknown lot 'n1.de' (did you mean 'n1.fr'? lots are call type id.language: n1.fr)"),
    ({"n1.fr": {}}, "history.n1.fr: give price_per_contact or annual_cost (one of them)"),
    ({"n1.fr": {"price_per_contact": 2, "annual_cost": 3}}, "history.n1.fr: give price_per_contact or annual_cost (one of them)"),
    ({"n1.fr": {"price_per_contact": -2}}, "history.n1.fr.price_per_contact: must be >= 0, got -2 (valid: >= 0 and <= 1e+06)"),
]  # fmt: skip


@pytest.mark.parametrize(("history", "message"), HISTORY_BAD)
def test_bad_history_is_one_located_line(tmp_path: Path, history: dict, message: str) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(yaml.safe_dump(tender(history=history), sort_keys=False))
    with pytest.raises(ScenarioError) as caught:
        bestshore.load_scenario(path)
    assert str(caught.value).split(" ", 1)[1] == message


def test_history_is_ignored_by_the_solve() -> None:
    data = tender(history={"n1.fr": {"price_per_contact": 2.0, "source": "2024 invoices"}})
    assert solved(data)[0].total_cost == pytest.approx(45_000)


def test_spend_limit_follows_the_staffing_rounds() -> None:
    """The spend rows read the staffing (``k`` changes each Erlang round): registered
    so, and the work rows read nothing a round changes."""
    reads = {f.name: f.reads for f in FAMILIES}
    assert reads["spend_limit"] == frozenset({"staffing", "prices"})
    assert reads["work_limit"] == reads["lot_share"] == reads["lot_winners"] == frozenset()


def test_a_spend_limit_on_an_erlang_staffed_lot_holds_on_the_models_bill() -> None:
    """With a service level, agents are Erlang C's; the limit holds on the bill the model
    prices, and the plan's exact spend is reported within the staffing rounding."""
    data = tender({"vendor_limits": [{"vendor": "alpha", "max_spend": 40_000}]})
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    free = copy.deepcopy(data)
    free["policies"] = {}
    unlimited, _ = solved(free)
    alpha_free = unlimited.allocation.query("site == 'rabat'")["cost"].sum()
    assert alpha_free > 40_000  # the limit binds
    result, _ = solved(data)
    alpha = result.allocation.query("site == 'rabat'")["cost"].sum()
    assert alpha == pytest.approx(40_000, rel=0.05)
    assert result.total_cost > unlimited.total_cost
