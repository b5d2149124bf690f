"""Team rules worked out by hand (bestshore.model.teams), on bestshore.examples.tiny:
3,000 h of French N1 a year, Paris 30 EUR/h, Rabat 15 EUR/h, 1,000 paid h per FTE."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import solve_dict, tiny

import bestshore
from bestshore.scenario import parse_scenario


def test_a_team_below_its_minimum_is_not_opened() -> None:
    # Flat demand, 40 hours a week: each hour of the week carries 75 h a year. Rabat
    # (15 EUR/h) opens Monday 09:00-10:00 only: 75 h there (0.075 FTE), 2,925 h in Paris.
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "flat"
    data["sites"][1]["hours"] = {"mon": "09:00-10:00"}
    assert solve_dict(data).total_cost == pytest.approx(75 * 15 + 2925 * 30)
    # Teams of at least 0.05 FTE: Rabat's 0.075 FTE team still opens.
    data["policies"] = {"min_team_fte": 0.05}
    assert solve_dict(data).total_cost == pytest.approx(75 * 15 + 2925 * 30)
    # Rabat's own minimum of half an FTE: its team would be too small, so it is not
    # opened and Paris takes everything.
    data["sites"][1]["min_team_fte"] = 0.5
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(3000 * 30)
    assert set(result.allocation["site"]) == {"paris"}
    # A minimum above the site's capacity could never be met: refused when loaded.
    data["sites"][1]["capacity_hours"] = 400  # 0.4 FTE < 0.5
    with pytest.raises(bestshore.ScenarioError, match=r"minimum team of 0\.5 FTE"):
        parse_scenario(data)


def test_a_call_type_team_below_its_minimum_is_not_opened() -> None:
    # A second call type, e-mail, 200 h a year: Rabat would take it (15 EUR/h), but its
    # call-type teams must be at least 0.5 FTE: 0.2 FTE of e-mail is not a team, Paris
    # takes it; N1 (3 FTE) stays in Rabat.
    data = tiny()
    data["call_types"].append(
        {"id": "mail", "level": "N1", "channel": "email", "volume": 2400,
         "aht_seconds": 300, "languages": {"fr": 1.0}}
    )  # fmt: skip
    assert solve_dict(data).total_cost == pytest.approx(3200 * 15)
    data["sites"][1]["min_call_type_team_fte"] = 0.5
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(3000 * 15 + 200 * 30)
    mail = result.allocation[result.allocation["call_type"] == "mail"]
    assert list(mail["site"]) == ["paris"]


def test_single_team_gives_the_whole_window_to_the_site_that_covers_it() -> None:
    # N1 runs Monday-Friday 08:00-22:00. Rabat (15 EUR/h) closes at 19:00; Paris (30 EUR/h)
    # covers 08:00-22:00. Unconstrained, Rabat takes 08:00-19:00 and Paris the evenings;
    # with single_team the whole window goes to Paris: 3,000 h x 30.
    data = tiny()
    data["call_types"][0]["hours"] = {"mon-fri": "08:00-22:00"}
    data["call_types"][0]["arrival_profile"] = "flat"
    data["sites"][0]["hours"] = {"mon-fri": "08:00-22:00"}
    data["sites"][1]["hours"] = {"mon-fri": "08:00-19:00"}
    split = solve_dict(data)
    assert set(split.allocation["site"]) == {"paris", "rabat"}
    assert split.total_cost == pytest.approx(3000 * (11 * 15 + 3 * 30) / 14)
    data["call_types"][0]["single_team"] = True
    result = solve_dict(data)
    assert list(result.allocation["site"]) == ["paris"]
    assert result.total_cost == pytest.approx(3000 * 30)
    assert "n1 is served by a single team, as its rule asks" in list(result.binding["message"])


def test_max_sites_limits_the_sites_of_a_call_type() -> None:
    # Three sites at 15, 20 and 30 EUR/h, each 1,200 h: unconstrained 1,200 x 15 +
    # 1,200 x 20 + 600 x 30; on at most 2 sites the cheapest two can't hold 3,000 h
    # (2,400): infeasible, and the diagnosis names the rule.
    from conftest import lisbon

    data = tiny()
    for site in data["sites"]:
        site["capacity_hours"] = 1200
    data["sites"].append(lisbon("va", 1200, 20.0))
    assert solve_dict(data).total_cost == pytest.approx(1200 * 15 + 1200 * 20 + 600 * 30)
    data["call_types"][0]["max_sites"] = 2
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(parse_scenario(data))
    rules = set(caught.value.diagnosis.findings["rule"])
    assert rules == {"call_type_sites"}, rules  # one site more is the least relaxation


# Found by the long fuzz (BESTSHORE_LONG_FUZZ=1): one call type on one team, two sites
# that may take it (Manila's rate the dearer). HiGHS returned a share of 2.9e-9 at Manila
# in one hour, within its tolerances, where the on/off decision held it at 0: the plan
# then "served" the call type from two sites (1e-12 calls), which the checker refused.
_SINGLE_TEAM = {
    "name": "one team, two eligible sites",
    "market": {"country": "FR"},
    "settings": {
        "shrinkage": 0.25, "occupancy": 0.8, "annual_hours_per_fte": 1650.0,
        "roster": {"shift_hours": [8]},
    },
    "call_types": [{
        "id": "c0", "level": "N2", "channel": "voice", "volume": 61599, "aht_seconds": 60,
        "languages": {"en": 1.0}, "min_proficiency": "B2", "data_class": "public",
        "hours": "24/7", "single_team": True,
        "seasonality": [0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 3, 1],
    }],
    "vendors": [{"id": "v0", "volume_discounts": [
        {"from_contacts": 1000, "discount": 0.05}, {"from_contacts": 2000000, "discount": 0.1},
    ]}],
    "sites": [
        {
            "id": "manila", "country": "PH", "city": "Manila", "hours": "24/7",
            "languages": {"fr": "B2", "en": "B2"}, "cost_per_hour": 5.0, "night_premium": 0.0,
            "weekend_premium": 0.0, "quality": {"csat": 60, "nps": 0}, "call_types": ["c0"],
            "annual_hours_per_fte": 1500.0, "capacity_fte": 243, "rates": {"c0": 22.0},
        },
        {
            "id": "paramaribo", "country": "SR", "city": "Paramaribo", "hours": "24/7",
            "languages": {"fr": "B2", "en": "B2"}, "cost_per_hour": 5.0, "night_premium": 0.0,
            "weekend_premium": 0.0, "quality": {"csat": 60, "nps": 0}, "call_types": ["c0"],
            "annual_hours_per_fte": 1500.0, "setup_cost_per_fte": 2000.0,
            "transition_cost_per_fte": 0.0, "capacity_hours": 35476, "rates": {},
        },
    ],
    "policies": {
        "scc_compliance_cost": 1000, "recording_storage_price": 0.5,
        "recording_caps": {"FR": 0.1}, "quality_gates": {"c0": 60.0}, "nps_floors": {"c0": 0.0},
    },
    "incumbent": {},
}  # fmt: skip


def test_a_single_team_is_not_given_a_second_site_by_solver_tolerance() -> None:
    result = solve_dict(_SINGLE_TEAM)  # checked: a second site would be refused
    assert set(result.allocation["site"]) == {"paramaribo"}
    assert result.allocation["volume"].sum() == pytest.approx(61599, rel=1e-9)
    assert (result.staffing.loc[result.staffing["site"] == "manila", "share"] == 0).all()


def test_shares_within_the_solver_tolerance_are_zero_and_no_share_rises() -> None:
    from bestshore.model.build import SHARE_NOISE, without_crumbs

    shares = np.array([0.0, 2.9e-9, 1e-7, 0.4, 0.6 - 2.9e-9, 9.99e-8, 1.0])
    kept = without_crumbs(shares)
    assert kept.tolist() == [0.0, 0.0, 1e-7, 0.4, 0.6 - 2.9e-9, 0.0, 1.0]
    assert (kept <= shares).all() and SHARE_NOISE == 1e-7
    assert without_crumbs(shares[[0, 2, 3]]).tolist() == [0.0, 1e-7, 0.4]  # none: as given
