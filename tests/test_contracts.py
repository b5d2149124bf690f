"""Contract terms binding in crafted scenarios, each optimum worked out by hand.

Base (conftest.tiny): 36,000 French N1 contacts a year of 300 s = 3,000 productive h
(occupancy 1, shrinkage 0, 1,000 paid h per FTE); Paris (vendor va) at 30 EUR/h,
Rabat (vendor vb) at 15 EUR/h, both with ample capacity.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import fte_at, lisbon, solve_dict, tiny

import bestshore
from bestshore.scenario import parse_scenario


def _rabat(data: dict[str, Any], **terms: Any) -> dict[str, Any]:
    rabat = data["sites"][1]
    del rabat["cost_per_hour"]
    rabat.update(terms)
    return data


@pytest.mark.parametrize(
    ("price", "expected", "at_rabat"),
    [
        (1.40, 36_000 * 1.40, True),  # 50,400 beats Paris's 3,000 h x 30 = 90,000
        (2.60, 3_000 * 30, False),  # 93,600 loses to Paris's 90,000
    ],
)
def test_price_per_contact_competes_with_hourly_prices(
    price: float, expected: float, at_rabat: bool
) -> None:
    result = solve_dict(_rabat(tiny(), price_per_contact=price))
    assert result.total_cost == pytest.approx(expected)
    assert (fte_at(result, "rabat") > 0) == at_rabat


def test_price_per_contact_ignores_staffing_but_pays_repeat_contacts() -> None:
    data = _rabat(tiny(), price_per_contact=1.40)
    # Occupancy 0.5 doubles the agents Paris would bill (180,000) but not the contacts.
    data["settings"]["occupancy"] = 0.5
    assert solve_dict(data).total_cost == pytest.approx(50_400)
    # Rabat resolves 64 % first time against a forecast at 80 %: 1.25 contacts handled
    # per forecast contact, 45,000 paid contacts = 63,000 (Paris, at baseline: 180,000).
    data["call_types"][0]["fcr_baseline"] = 0.8
    data["sites"][0]["quality"] = {"fcr": 0.8}
    data["sites"][1]["quality"] = {"fcr": 0.64}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(45_000 * 1.40)
    staffing = result.staffing
    assert (staffing["calls"] * staffing["annual_factor"]).sum() == pytest.approx(45_000)


@pytest.mark.parametrize(
    ("price", "shrinkage", "expected"),
    [
        # 2,000 EUR a month buys 1,000 productive h a year: 24 EUR/h, 3,000 h = 72,000.
        (2_000, None, 3_000 * 24),
        # 2,600 a month is 31.20 EUR/h: Paris's 30 EUR/h wins, 90,000.
        (2_600, None, 3_000 * 30),
        # 1,800 a month with 20 % shrinkage at Rabat: 21,600 / 800 h = 27 EUR/h.
        (1_800, 0.2, 3_000 * 27),
    ],
)
def test_price_per_fte_month_is_priced_through_paid_hours_and_shrinkage(
    price: float, shrinkage: float | None, expected: float
) -> None:
    terms: dict[str, Any] = {"price_per_fte_month": price}
    if shrinkage is not None:
        terms["shrinkage"] = shrinkage
    assert solve_dict(_rabat(tiny(), **terms)).total_cost == pytest.approx(expected)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"price_per_contact": 1.0, "price_per_fte_month": 2000}, "give one pricing model"),
        ({"price_per_contact": 1.0, "rates": {"n1": 12.0}}, "a site priced per contact has none"),
        ({"price_per_contact": -1.0}, "price_per_contact"),
    ],
)
def test_pricing_models_are_validated(terms: dict[str, Any], message: str) -> None:
    data = _rabat(tiny(), **terms)
    with pytest.raises(bestshore.ScenarioError, match=message):
        parse_scenario(data)


def _with_lisbon(volume: int, tiers: list[dict[str, float]]) -> dict[str, Any]:
    """Paris 30 EUR/h (va), Rabat 20 EUR/h (vb), Lisbon 22 EUR/h (vc) with volume tiers."""
    data = tiny()
    data["call_types"][0]["volume"] = volume  # 12 contacts = 1 productive hour
    data["sites"][1]["cost_per_hour"] = 20.0
    data["vendors"].append({"id": "vc", "volume_discounts": tiers})
    data["sites"].append(lisbon("vc", 10_000, 22.0))
    return data


@pytest.mark.parametrize(
    ("volume", "tiers", "expected", "winner"),
    [
        # 36,000 contacts: below Lisbon's 40,000 tier, Rabat's 3,000 h x 20 = 60,000.
        (36_000, [{"from_contacts": 40_000, "discount": 0.2}], 3_000 * 20, "rabat"),
        # 48,000 contacts cross it: Lisbon 4,000 h x 22 x 0.8 = 70,400 < Rabat's 80,000.
        (48_000, [{"from_contacts": 40_000, "discount": 0.2}], 4_000 * 22 * 0.8, "lisbon"),
        # Two tiers, 42,000 contacts reach only the first: Lisbon 3,500 h x 22 x 0.95 =
        # 73,150 loses to Rabat's 70,000; at 48,000 the second tier wins it (70,400).
        (
            42_000,
            [
                {"from_contacts": 30_000, "discount": 0.05},
                {"from_contacts": 45_000, "discount": 0.2},
            ],
            3_500 * 20,
            "rabat",
        ),
        (
            48_000,
            [
                {"from_contacts": 30_000, "discount": 0.05},
                {"from_contacts": 45_000, "discount": 0.2},
            ],
            4_000 * 22 * 0.8,
            "lisbon",
        ),
    ],
)
def test_crossing_a_volume_tier_changes_the_best_vendor(
    volume: int, tiers: list[dict[str, float]], expected: float, winner: str
) -> None:
    result = solve_dict(_with_lisbon(volume, tiers))
    assert result.total_cost == pytest.approx(expected)
    assert fte_at(result, winner) == pytest.approx(volume / 12 / 1_000)
    assert result.stamp["gap"] == pytest.approx(0.0, abs=1e-6)


def test_volume_tiers_must_rise() -> None:
    tiers = [{"from_contacts": 45_000, "discount": 0.1}, {"from_contacts": 30_000, "discount": 0.2}]
    with pytest.raises(bestshore.ScenarioError, match="thresholds and discounts must both rise"):
        parse_scenario(_with_lisbon(36_000, tiers))


@pytest.mark.parametrize(
    ("commitment", "expected", "paris_contacts"),
    [
        # Hard: Paris (va) must get 12,000 contacts = 1,000 h x 30 + 2,000 h x 15 = 60,000.
        ({"contacts": 12_000}, 1_000 * 30 + 2_000 * 15, 12_000),
        # Take-or-pay at 1.00 per contact: a contact at Paris costs 2.50 against 1.25 at
        # Rabat, 1.25 more to save 1.00: pay the shortfall, 45,000 + 12,000 = 57,000.
        ({"contacts": 12_000, "shortfall_price": 1.0}, 45_000 + 12_000, 0),
        # At 1.50 per contact giving the work is cheaper: 60,000, as the hard case.
        ({"contacts": 12_000, "shortfall_price": 1.5}, 1_000 * 30 + 2_000 * 15, 12_000),
    ],
)
def test_volume_commitment_binds_hard_or_take_or_pay(
    commitment: dict[str, float], expected: float, paris_contacts: float
) -> None:
    data = tiny()
    data["vendors"][0]["commitment"] = commitment
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    paris = result.staffing[result.staffing["site"] == "paris"]
    assert (paris["calls"] * paris["annual_factor"]).sum() == pytest.approx(paris_contacts)
    shortfall = result.breakdown[result.breakdown["key"] == "commitment:va"]["cost"].sum()
    assert shortfall == pytest.approx(12_000.0 if paris_contacts == 0 else 0.0)
    words = "vendor va's volume commitment binds (12,000 contacts a year)"
    assert words in list(result.binding["message"])


def test_an_impossible_commitment_is_diagnosed() -> None:
    data = tiny()
    data["vendors"][0]["commitment"] = {"contacts": 50_000}  # the whole demand is 36,000
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(parse_scenario(data))
    findings = caught.value.diagnosis.findings
    row = findings[findings["rule"] == "commitment"].iloc[0]
    assert row["key"] == "va"
    assert row["amount"] == pytest.approx(14_000)


@pytest.mark.parametrize(
    ("rabat_rate", "vendor", "incentive", "expected", "winner"),
    [
        # Rabat (CSAT 60) at 32 EUR/h, malus 1 %/point under 75, capped at 10 %: billed
        # 32 x 0.9 = 28.80 < Paris's 30: 3,000 h x 28.80 = 86,400.
        (32.0, 1, {"csat_target": 75, "malus_per_point": 0.01, "cap": 0.1}, 86_400, "rabat"),
        # Paris (CSAT 90) earns 1 %/point over 80: 30 x 1.1 = 33 > Rabat's 31: 93,000.
        (31.0, 0, {"csat_target": 80, "bonus_per_point": 0.01}, 93_000, "rabat"),
        # The same bonus capped at 2 %: Paris at 30.60 still beats 31: 91,800.
        (31.0, 0, {"csat_target": 80, "bonus_per_point": 0.01, "cap": 0.02}, 91_800, "paris"),
    ],
)
def test_bonus_malus_on_csat_is_priced_in_the_bill(
    rabat_rate: float, vendor: int, incentive: dict[str, float], expected: float, winner: str
) -> None:
    data = tiny()
    data["sites"][0]["quality"] = {"csat": 90}
    data["sites"][1]["quality"] = {"csat": 60}
    data["sites"][1]["cost_per_hour"] = rabat_rate
    data["vendors"][vendor]["quality_incentive"] = incentive
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    assert fte_at(result, winner) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("data_class", "policies", "expected", "winner"),
    [
        # Personal data to Morocco (no adequacy decision) goes under SCC: Rabat costs
        # 45,000 + 50,000 of compliance > Paris's 90,000.
        ("personal", {"scc_compliance_cost": 50_000}, 90_000, "paris"),
        # At 30,000 a year Rabat still wins: 75,000.
        ("personal", {"scc_compliance_cost": 30_000}, 75_000, "rabat"),
        # A per-country figure overrides the default: 45,000 + 10,000.
        (
            "personal",
            {"scc_compliance_cost": 50_000, "scc_compliance_costs": {"MA": 10_000}},
            55_000,
            "rabat",
        ),
        # Public data needs no clauses: 45,000.
        ("public", {"scc_compliance_cost": 50_000}, 45_000, "rabat"),
    ],
)
def test_scc_compliance_cost_is_paid_per_country_used(
    data_class: str, policies: dict[str, Any], expected: float, winner: str
) -> None:
    data = tiny(policies=policies)
    data["call_types"][0]["data_class"] = data_class
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    assert fte_at(result, winner) == pytest.approx(3.0)
    scc = result.breakdown[result.breakdown["key"].str.startswith("scc:")]["cost"].sum()
    assert scc == pytest.approx(expected - (45_000 if winner == "rabat" else 90_000))


@pytest.mark.parametrize(
    ("policies", "data_class", "channel", "expected", "winner"),
    [
        # 30 % of calls recorded, 300 s each, kept 6 months at 2 EUR per hour-month:
        # 0.3 x 1/12 h x 6 x 2 = 0.30 EUR a contact, 36,000 x 0.30 = 10,800 + 45,000.
        ({}, "personal", "voice", 45_000 + 10_800, "rabat"),
        # Morocco caps recording at 10 %: 0.10 EUR a contact, 3,600 + 45,000.
        ({"recording_caps": {"MA": 0.1}}, "personal", "voice", 45_000 + 3_600, "rabat"),
        # Kept 5 years (60 months): 3.00 a contact at Rabat, 108,000 + 45,000 = 153,000;
        # France forbids recording (cap 0): Paris at 90,000 wins.
        (
            {"recording_retention_months": {"personal": 60}, "recording_caps": {"FR": 0.0}},
            "personal", "voice", 90_000, "paris",
        ),
        # Banking evidence keeps 5 years by default, and may not leave the EU: Paris,
        # 90,000 + 36,000 x 0.3 x 1/12 x 60 x 2 = 90,000 + 108,000.
        ({}, "sensitive_financial", "voice", 90_000 + 108_000, "paris"),
        # E-mail is not recorded: 45,000.
        ({}, "personal", "email", 45_000, "rabat"),
    ],
)  # fmt: skip
def test_call_recording_storage_is_priced(
    policies: dict[str, Any], data_class: str, channel: str, expected: float, winner: str
) -> None:
    data = tiny(policies={"recording_storage_price": 2.0, **policies})
    data["call_types"][0]["data_class"] = data_class
    data["call_types"][0]["channel"] = channel
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    assert fte_at(result, winner) == pytest.approx(3.0, rel=0.01)
    # Storage is its own line, outside the vendor's bill: the site costs its hours only.
    storage = result.breakdown[result.breakdown["key"] == f"recording:{winner}"]["cost"].sum()
    assert storage == pytest.approx(expected - (45_000 if winner == "rabat" else 90_000))
    assert fte_at(result, winner) * 1_000 * (15 if winner == "rabat" else 30) == pytest.approx(
        result.sites.set_index("site").at[winner, "cost"]
    )


@pytest.mark.parametrize(
    ("setup", "transition", "years", "expected", "winner"),
    [
        # No switching costs: Rabat's 45,000 beats the incumbent Paris's 90,000.
        (0, 0, 3, 45_000, "rabat"),
        # Training 3 new FTE at Rabat, 20,000 each over 2 years: 45,000 + 30,000 = 75,000.
        (20_000, 0, 2, 75_000, "rabat"),
        # ...and moving Paris's 3 FTE away, 15,000 each: + 22,500 = 97,500 > 90,000, so
        # the incumbent keeps the work.
        (20_000, 15_000, 2, 90_000, "paris"),
        # Over a 6-year term the same one-off costs are 17,500 a year: 62,500 < 90,000.
        (20_000, 15_000, 6, 45_000 + (60_000 + 45_000) / 6, "rabat"),
    ],
)
def test_switching_costs_of_new_fte_and_moved_work(
    setup: float, transition: float, years: float, expected: float, winner: str
) -> None:
    data = tiny(incumbent={"paris": {"n1": 3.0}}, objective={"amortization_years": years})
    data["sites"][1]["setup_cost_per_fte"] = setup
    data["sites"][0]["transition_cost_per_fte"] = transition
    data["sites"][0]["setup_cost_per_fte"] = 1e6  # Paris has its 3 FTE: nothing new to set up
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    assert fte_at(result, winner) == pytest.approx(3.0)
    lines = result.breakdown.set_index("key")["cost"]
    if winner == "rabat" and setup:
        assert lines["setup:rabat"] == pytest.approx(3 * setup / years)
    if winner == "rabat" and transition:
        assert lines["transition:paris"] == pytest.approx(3 * transition / years)
    assert not any(k.startswith(("setup:paris", "transition:rabat")) for k in lines.index)


def test_capacity_splits_work_and_only_the_added_fte_pay_setup() -> None:
    # Rabat can take 2 FTE (2,000 h); it had 1 FTE today: 1 new FTE at 30,000 over 3
    # years = 10,000. Paris keeps 1 FTE (30,000) and loses 2 of its 3: 2 x 6,000 / 3.
    # Total 2,000 h x 15 + 1,000 h x 30 + 10,000 + 4,000 = 74,000.
    data = tiny(incumbent={"paris": {"n1": 3.0}, "rabat": {"n1": 1.0}})
    data["sites"][1].update(capacity_hours=2_000, setup_cost_per_fte=30_000)
    data["sites"][0]["transition_cost_per_fte"] = 6_000
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(74_000)
    assert fte_at(result, "rabat") == pytest.approx(2.0)
    lines = result.breakdown.set_index("key")["cost"]
    assert lines["setup:rabat"] == pytest.approx(10_000)
    assert lines["transition:paris"] == pytest.approx(4_000)


def test_incumbent_must_name_known_sites_and_call_types() -> None:
    with pytest.raises(bestshore.ScenarioError, match=r"incumbent\.lyon.*unknown site 'lyon'"):
        parse_scenario(tiny(incumbent={"lyon": {"n1": 3.0}}))
    with pytest.raises(bestshore.ScenarioError, match=r"incumbent\.paris\.n9.*unknown call type"):
        parse_scenario(tiny(incumbent={"paris": {"n9": 3.0}}))
