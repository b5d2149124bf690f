"""Micro-scenarios with optima worked out by hand; each rule family binding in turn.

See conftest.tiny for the units: 1 contact at AHT 3,600 s = 1 productive hour; 1 FTE =
1,000 productive hours. The base case has 3,000 productive hours of French N1 work,
Paris at 30 EUR/h and Rabat at 15 EUR/h, both with ample capacity.
"""

from __future__ import annotations

import pytest
from conftest import fte_at, solve_dict, tiny

import bestshore


def test_cheapest_site_takes_everything() -> None:
    # 3,000 h x 15 EUR/h = 45,000 EUR, all in Rabat.
    result = solve_dict(tiny())
    assert result.status == "optimal"
    assert result.total_cost == pytest.approx(45_000)
    assert fte_at(result, "rabat") == pytest.approx(3.0)
    assert result.kpis["nearshore_share"] == pytest.approx(1.0)


def test_capacity_binds_and_spills_to_next_cheapest() -> None:
    # Rabat holds 1,000 h: 1,000 x 15 + 2,000 x 30 = 75,000 EUR.
    data = tiny()
    data["sites"][1]["capacity_hours"] = 1000
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(75_000)
    assert fte_at(result, "rabat") == pytest.approx(1.0)
    assert fte_at(result, "paris") == pytest.approx(2.0)
    binding = result.binding
    assert list(binding["key"]) == ["rabat"]
    # One more productive hour per week in Rabat, every week of the year, saves
    # (30 - 15) EUR x 52.18 weeks: the capacity dual [EUR/yr per weekly hour].
    assert binding["dual"].iloc[0] == pytest.approx(-15.0 * 365.25 / 7)


def test_capacity_in_fte_uses_shrinkage_and_annual_hours() -> None:
    # 2 FTE x 1,000 h x (1 - 0.25) = 1,500 productive h in Rabat; rest 1,500 h in Paris.
    data = tiny()
    data["sites"][1].pop("capacity_hours")
    data["sites"][1]["capacity_fte"] = 2
    data["sites"][1]["shrinkage"] = 0.25
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(1500 * 15 + 1500 * 30)
    assert fte_at(result, "rabat") == pytest.approx(2.0)


def test_language_split_by_site() -> None:
    # 2/3 French, 1/3 German; Rabat has no German: 2,000 h x 15 + 1,000 h x 30 = 60,000.
    data = tiny()
    data["call_types"][0]["languages"] = {"fr": 2 / 3, "de": 1 / 3}
    data["sites"][0]["languages"] = {"fr": "native", "de": "C1"}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(60_000)
    de = result.allocation[result.allocation["language"] == "de"]
    assert list(de["site"]) == ["paris"]


def test_proficiency_below_requirement_excludes_site() -> None:
    # Rabat speaks French at B2 only; C1 is required: all 3,000 h to Paris = 90,000.
    data = tiny()
    data["sites"][1]["languages"] = {"fr": "B2"}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000)
    data["call_types"][0]["min_proficiency"] = "B2"
    assert solve_dict(data).total_cost == pytest.approx(45_000)


def test_opening_hours_split_the_day_between_sites() -> None:
    # Service 08:00-20:00 Paris with a flat arrival profile; Rabat (same clock as Paris
    # in January) is open 09:00-17:00, so it takes 8 of the 12 hours and Paris the
    # other 4: 2,000 h x 15 + 1,000 h x 30 = 60,000.
    data = tiny()
    data["call_types"][0]["hours"] = {"mon-fri": "08:00-20:00"}
    data["call_types"][0]["arrival_profile"] = "flat"
    data["sites"][0]["hours"] = {"mon-fri": "08:00-20:00"}
    data["sites"][1]["hours"] = {"mon-fri": "09:00-17:00"}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(60_000)
    rabat = result.staffing[result.staffing["site"] == "rabat"]
    assert sorted(set(rabat["hour"] % 24)) == list(range(9, 17))


def test_time_zone_shift_sends_night_work_to_the_site_whose_day_covers_it() -> None:
    # Night desk 22:00-06:00 Paris time (UTC+1 in January). Manila is UTC+8, seven
    # hours ahead: its 05:00-13:00 day shift is 22:00-06:00 in Paris. Paris itself
    # (open 08:00-20:00) and Rabat (UTC+1 too, same clock) cannot take it.
    data = tiny()
    data["call_types"][0]["hours"] = {"daily": "22:00-06:00"}
    data["sites"].append(
        {
            "id": "manila",
            "country": "PH",
            "city": "Manila",
            "languages": {"fr": "C1"},
            "capacity_hours": 10000,
            "cost_per_hour": 20.0,
            "hours": {"daily": "05:00-13:00"},
        }
    )
    data["sites"][0]["hours"] = {"daily": "08:00-20:00"}
    data["sites"][1]["hours"] = {"daily": "08:00-20:00"}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(3000 * 20)
    assert fte_at(result, "manila") == pytest.approx(3.0)
    # One hour less of Manila's day and the night is no longer covered.
    data["sites"][2]["hours"] = {"daily": "05:00-12:00"}
    with pytest.raises(
        bestshore.InfeasibleScenarioError, match="no eligible site is open then"
    ) as caught:
        solve_dict(data)
    # The uncovered hour is 05:00-06:00 Paris (12:00-13:00 Manila), every day.
    assert "in 7 hours a week (Mon 05:00-06:00, Tue 05:00-06:00" in str(caught.value)


def test_data_protection_keeps_sensitive_data_in_the_eu() -> None:
    # Morocco has no EU adequacy decision: sensitive data must stay in Paris = 90,000.
    data = tiny()
    data["call_types"][0]["data_class"] = "sensitive_financial"
    assert solve_dict(data).total_cost == pytest.approx(90_000)
    data["policies"] = {"data_jurisdictions": {"sensitive_financial": ["eu_eea", "scc"]}}
    assert solve_dict(data).total_cost == pytest.approx(45_000)


def test_vendor_share_cap_binds() -> None:
    # Vendor vb (Rabat) capped at 40 % of hours: 1,200 h x 15 + 1,800 h x 30 = 72,000.
    data = tiny()
    data["vendors"][1]["max_share"] = 0.4
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(72_000)
    assert fte_at(result, "rabat") == pytest.approx(1.2)
    assert list(result.binding["key"]) == ["vb"]


def test_global_vendor_cap_and_in_house_site() -> None:
    # Cap of 50 % for every vendor; an in-house Lyon site at 32 EUR/h has no cap:
    # Rabat 1,500 h x 15 + Paris 1,500 h x 30 = 67,500 (Paris beats Lyon).
    data = tiny()
    data["policies"] = {"max_vendor_share": 0.5}
    data["sites"].append(
        {
            "id": "lyon",
            "country": "FR",
            "city": "Lyon",
            "languages": {"fr": "native"},
            "capacity_hours": 10000,
            "cost_per_hour": 32.0,
        }
    )
    assert solve_dict(data).total_cost == pytest.approx(67_500)


def test_shore_rule_keeps_n2_inshore() -> None:
    # Same work as N2 with the rule "N2 inshore": Paris only = 90,000.
    data = tiny()
    data["call_types"][0]["level"] = "N2"
    data["policies"] = {"shore_rules": [{"levels": ["N2"], "shores": ["inshore"]}]}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000)
    assert result.kpis["inshore_share"] == pytest.approx(1.0)


def test_rate_card_overrides_the_hourly_price() -> None:
    # Rabat quotes 35 EUR/h for this call type: Paris (30) wins = 90,000.
    data = tiny()
    data["sites"][1]["rates"] = {"n1": 35.0}
    assert solve_dict(data).total_cost == pytest.approx(90_000)


def test_occupancy_and_async_utilisation_scale_productive_hours() -> None:
    # Voice at occupancy 0.8: 3,000 / 0.8 = 3,750 h x 15 = 56,250. As e-mail with
    # utilisation 0.75: 3,000 / 0.75 = 4,000 h x 15 = 60,000.
    data = tiny()
    data["settings"]["occupancy"] = 0.8
    data["settings"]["async_utilisation"] = 0.75
    assert solve_dict(data).total_cost == pytest.approx(56_250)
    data["call_types"][0]["channel"] = "email"
    assert solve_dict(data).total_cost == pytest.approx(60_000)


def test_infeasible_capacity_is_diagnosed_with_the_amount() -> None:
    # 3,000 h of work, 1,000 + 1,500 h of capacity: 500 h (0.5 FTE) short.
    data = tiny()
    data["sites"][0]["capacity_hours"] = 1000
    data["sites"][1]["capacity_hours"] = 1500
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    findings = caught.value.diagnosis.findings
    assert set(findings["rule"]) == {"capacity"}
    assert findings["amount"].sum() == pytest.approx(0.5)


def test_infeasible_language_is_diagnosed_by_rule() -> None:
    # Nobody speaks Dutch.
    data = tiny()
    data["call_types"][0]["languages"] = {"fr": 0.5, "nl": 0.5}
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    findings = caught.value.diagnosis.findings
    assert list(findings["rule"]) == ["language"]
    assert "n1 in nl" in findings["message"].iloc[0]
    assert "2 of 2 sites lack the language" in findings["message"].iloc[0]


def test_infeasible_vendor_cap_is_diagnosed() -> None:
    # Both sites belong to capped vendors: 30 % + 30 % < 100 %.
    data = tiny()
    data["policies"] = {"max_vendor_share": 0.3}
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    findings = caught.value.diagnosis.findings
    assert set(findings["rule"]) == {"vendor_share"}
    # 40 % of the work must go somewhere above the caps.
    assert findings["amount"].sum() == pytest.approx(0.4)
