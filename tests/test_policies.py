"""Each policy family binding in a crafted scenario, with the optimum worked out by hand.

Base (conftest.tiny): 3,000 h of French N1 work a year; Paris (vendor va) at 30 EUR/h,
Rabat (vendor vb) at 15 EUR/h, both with ample capacity: 45,000 EUR unconstrained.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import fte_at, solve_dict, tiny

import bestshore


def with_policies(**policies: Any) -> dict[str, Any]:
    data = tiny()
    data["policies"] = policies
    return data


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        # Rabat's vendor barred: all 3,000 h in Paris.
        ({"excluded_vendors": ["vb"]}, 3000 * 30),
        # Paris's vendor must get 25 %: 750 h x 30 + 2,250 h x 15.
        ({"preferred_vendor": {"vendor": "va", "min_share": 0.25}}, 750 * 30 + 2250 * 15),
        # No site above 60 %: Rabat 1,800 h, Paris 1,200 h.
        ({"max_site_share": 0.6}, 1800 * 15 + 1200 * 30),
        # No country above 70 %: Morocco 2,100 h.
        ({"max_country_share": 0.7}, 2100 * 15 + 900 * 30),
        # Nearshore at most half.
        ({"max_shore_share": {"nearshore": 0.5}}, 1500 * 15 + 1500 * 30),
        # At least 40 % inshore.
        ({"min_inshore_share": 0.4}, 1200 * 30 + 1800 * 15),
        # Served by at least two sites: no site above 1/2 of the call type.
        ({"min_sites_per_call_type": 2}, 1500 * 15 + 1500 * 30),
    ],
    ids=[
        "excluded",
        "preferred",
        "site_cap",
        "country_cap",
        "shore_cap",
        "inshore_min",
        "two_sites",
    ],
)
def test_policy_binds_at_the_hand_computed_optimum(
    policies: dict[str, Any], expected: float
) -> None:
    result = solve_dict(with_policies(**policies))
    assert result.total_cost == pytest.approx(expected)
    # The binding rule is named in plain words (exclusion is eligibility: no row).
    words = {
        "max_site_share": "site rabat takes the most the site cap allows (60% of the work)",
        "max_country_share": "country MA takes the most the country cap allows (70% of the work)",
        "max_shore_share": "nearshore takes the most its cap allows (50% of the work)",
        "min_inshore_share": "the minimum inshore share binds (40% of the work)",
        "preferred_vendor": "preferred partner va gets just its minimum share (25% of the work)",
        "min_sites_per_call_type": "site rabat takes 1/2 of n1, the most the at-least-2-sites",
    }
    for rule, message in words.items():
        if rule in policies:
            assert any(m.startswith(message) for m in result.binding["message"]), list(
                result.binding["message"]
            )


def test_capacity_headroom() -> None:
    # Rabat offers 2,000 h a year; keeping half spare leaves 1,000 h: 1,000 x 15 + 2,000 x 30.
    data = with_policies(capacity_headroom=0.5)
    data["sites"][1]["capacity_hours"] = 2000
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(1000 * 15 + 2000 * 30)
    assert fte_at(result, "rabat") == pytest.approx(1.0)


def _quality(data: dict[str, Any]) -> dict[str, Any]:
    data["sites"][0]["quality"] = {"csat": 90}
    data["sites"][1]["quality"] = {"csat": 70}
    return data


def test_quality_floor() -> None:
    # CSAT 70 in Rabat, 90 in Paris. A floor of 76 allows Rabat r with 70r + 90(1-r) >= 76,
    # r <= 0.7: 2,100 h x 15 + 900 h x 30 = 58,500.
    result = solve_dict(_quality(with_policies(quality_floors={"n1": 76})))
    assert result.total_cost == pytest.approx(2100 * 15 + 900 * 30)
    assert result.kpis["csat"] == pytest.approx(76)
    assert "n1 meets its CSAT floor of 76 exactly: cheaper sites score lower" in list(
        result.binding["message"]
    )
    with pytest.raises(bestshore.InfeasibleScenarioError, match="cannot reach its CSAT floor"):
        solve_dict(_quality(with_policies(quality_floors={"n1": 95})))


def test_money_value_of_quality_moves_the_plan() -> None:
    # Per contact (300 s): Rabat costs 1.25 EUR, Paris 2.50 EUR, and Paris scores 20 CSAT
    # points more. Worth more than 1.25 / 20 = 0.0625 EUR a point, Paris wins.
    cheap = _quality(tiny())
    cheap["objective"] = {"csat_point_value": 0.05}
    assert solve_dict(cheap).total_cost == pytest.approx(45_000)
    dear = _quality(tiny())
    dear["objective"] = {"csat_point_value": 0.10}
    result = solve_dict(dear)
    assert result.total_cost == pytest.approx(90_000)  # the reported cost stays the money spent
    assert result.kpis["csat"] == pytest.approx(90)


def test_conflicting_panel_rules_are_diagnosed() -> None:
    data = with_policies(preferred_vendor={"vendor": "va", "min_share": 0.5})
    data["vendors"][0]["max_share"] = 0.4
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    findings = caught.value.diagnosis.findings
    assert set(findings["rule"]) <= {"preferred", "vendor_share"} and len(findings) == 1
    assert findings["amount"].iloc[0] == pytest.approx(0.1)


def test_policy_references_are_checked() -> None:
    with pytest.raises(
        bestshore.ScenarioError, match=r"policies.excluded_vendors\[0\]: unknown vendor 'zz'"
    ):
        solve_dict(with_policies(excluded_vendors=["zz"]))
    with pytest.raises(bestshore.ScenarioError, match="both preferred and excluded"):
        solve_dict(
            with_policies(
                excluded_vendors=["va"], preferred_vendor={"vendor": "va", "min_share": 0.1}
            )
        )


@pytest.mark.parametrize(
    ("rabat_fcr", "expected"),
    [
        # The forecast assumes 90 % first-contact resolution. Rabat resolving 60 % handles
        # 0.9 / 0.6 = 1.5 contacts per forecast contact: 4,500 h x 15 = 67,500 < 90,000.
        (0.6, 3000 * 1.5 * 15),
        # At 40 %: 2.25 contacts each, 33.75 EUR per forecast hour: Paris (30) wins.
        (0.4, 3000 * 30),
    ],
)
def test_poor_first_contact_resolution_costs_more_than_its_rate(
    rabat_fcr: float, expected: float
) -> None:
    data = tiny()
    data["call_types"][0]["fcr_baseline"] = 0.9
    data["sites"][0]["quality"] = {"fcr": 0.9}
    data["sites"][1]["quality"] = {"fcr": rabat_fcr}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)


def test_panel_size_binds() -> None:
    # Rabat holds 1,000 h. Two vendors: 1,000 x 15 + 2,000 x 30 = 75,000. With a panel of
    # one vendor, only Paris can hold everything: 90,000.
    data = tiny()
    data["sites"][1]["capacity_hours"] = 1000
    assert solve_dict(data).total_cost == pytest.approx(75_000)
    data["policies"] = {"max_vendors": 1}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000)
    assert result.kpis["vendors_used"] == 1


def test_minimum_panel_gives_each_vendor_its_floor() -> None:
    # Two vendors at least 10 % each: Paris 300 h x 30 + Rabat 2,700 h x 15 = 49,500.
    result = solve_dict(with_policies(min_vendors=2, panel_min_share=0.1))
    assert result.total_cost == pytest.approx(300 * 30 + 2700 * 15)


@pytest.mark.parametrize(
    ("where", "fixed", "expected", "fixed_paid"),
    [
        ("vendor", 50_000, 90_000, 0),  # Rabat's vendor costs 45,000 + 50,000 > 90,000
        ("site", 40_000, 85_000, 40_000),  # Rabat open: 45,000 + 40,000 < 90,000
    ],
)
def test_fixed_costs_are_binary_decisions(
    where: str, fixed: float, expected: float, fixed_paid: float
) -> None:
    data = tiny()
    if where == "vendor":
        data["vendors"][1]["fixed_cost"] = fixed
    else:
        data["sites"][1]["fixed_cost"] = fixed
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected)
    assert result.kpis["fixed_cost"] == pytest.approx(fixed_paid)


def test_three_vendor_panel_found_among_six() -> None:
    # Six vendors, one site each, with different prices and capacities; the best panel of
    # three is checked against brute force over all 20 panels (each an LP without
    # binaries, the other vendors excluded).
    import itertools

    rates = [15, 18, 21, 24, 27, 33]
    capacity = [900, 1000, 700, 2000, 1200, 3000]  # h/yr; the work is 3,000 h
    data = tiny()
    data["vendors"] = [{"id": f"v{i}"} for i in range(6)]
    data["sites"] = [
        {
            "id": f"s{i}", "vendor": f"v{i}", "country": "FR", "city": f"C{i}",
            "languages": {"fr": "native"}, "capacity_hours": capacity[i], "cost_per_hour": float(rates[i]),
        }
        for i in range(6)
    ]  # fmt: skip
    data["policies"] = {"max_vendors": 3}
    best = solve_dict(data).total_cost
    panels = []
    for panel in itertools.combinations(range(6), 3):
        trial = tiny(sites=data["sites"], vendors=data["vendors"])
        trial["policies"] = {"excluded_vendors": [f"v{i}" for i in range(6) if i not in panel]}
        try:
            panels.append(solve_dict(trial).total_cost)
        except bestshore.InfeasibleScenarioError:
            continue
    assert best == pytest.approx(min(panels))
    # By hand: unconstrained, 900 h at 15, 1,000 at 18, 700 at 21 and 400 at 24 = 55,800
    # (four vendors); the best three are v0, v1, v3: 900 x 15 + 1,000 x 18 + 1,100 x 24.
    assert best == pytest.approx(900 * 15 + 1000 * 18 + 1100 * 24)
    binding = list(solve_dict(data).binding["message"])
    assert "the panel is at its maximum of 3 vendors" in binding
    unconstrained = solve_dict(tiny(sites=data["sites"], vendors=data["vendors"])).total_cost
    assert unconstrained == pytest.approx(55_800)


@pytest.mark.parametrize(
    ("rabat_nps", "expected_cost", "expected_nps"),
    [
        # Paris NPS 40, Rabat 0, floor 30: 40 (1 - x) >= 30, x <= 1/4 at Rabat:
        # 750 h x 15 + 2,250 h x 30 = 78,750; plan NPS exactly 30.
        (0, 750 * 15 + 2250 * 30, 30.0),
        # Rabat reports no NPS, so counts as -100: 40 - 140 x >= 30, x <= 1/14.
        (None, 3000 / 14 * 15 + 3000 * 13 / 14 * 30, 40.0),
    ],
)
def test_nps_floor_binds(
    rabat_nps: float | None, expected_cost: float, expected_nps: float
) -> None:
    data = with_policies(nps_floors={"n1": 30})
    data["sites"][0]["quality"] = {"nps": 40}
    if rabat_nps is not None:
        data["sites"][1]["quality"] = {"nps": rabat_nps}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(expected_cost)
    # The KPI weighs the sites that report an NPS: with Rabat unmeasured, Paris's 40.
    assert result.kpis["nps"] == pytest.approx(expected_nps)


def test_unreachable_nps_floor_is_diagnosed() -> None:
    data = with_policies(nps_floors={"n1": 50})
    data["sites"][0]["quality"] = {"nps": 40}
    with pytest.raises(bestshore.InfeasibleScenarioError, match="cannot reach its NPS floor"):
        solve_dict(data)


def test_quality_per_call_type_replaces_the_site_level_score() -> None:
    # Rabat's site-level CSAT is 90, but 60 on N1; Paris 85; N1 floor 80:
    # 60 x + 85 (1 - x) >= 80, x <= 0.2: 600 h x 15 + 2,400 h x 30 = 81,000.
    data = with_policies(quality_floors={"n1": 80})
    data["sites"][0]["quality"] = {"csat": 85}
    data["sites"][1]["quality"] = {"csat": 90}
    assert solve_dict(data).total_cost == pytest.approx(45_000)  # site-level 90 passes
    data["sites"][1]["quality_by_call_type"] = {"n1": {"csat": 60}}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(600 * 15 + 2400 * 30)
    assert result.kpis["csat"] == pytest.approx(80.0)


def test_first_contact_resolution_per_call_type_sets_repeat_contacts() -> None:
    # Forecast at FCR 0.8; Rabat resolves 80 % overall but 32 % of N1 first time: 2.5
    # contacts handled per forecast contact, 7,500 h x 15 = 112,500 > Paris's 90,000.
    data = tiny()
    data["call_types"][0]["fcr_baseline"] = 0.8
    data["sites"][0]["quality"] = {"fcr": 0.8}
    data["sites"][1]["quality"] = {"fcr": 0.8}
    assert solve_dict(data).total_cost == pytest.approx(45_000)
    data["sites"][1]["quality_by_call_type"] = {"n1": {"fcr": 0.32}}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000)
    assert fte_at(result, "paris") == pytest.approx(3.0)


def test_quality_references_are_checked() -> None:
    data = with_policies(nps_floors={"n9": 10})
    with pytest.raises(
        bestshore.ScenarioError, match=r"policies\.nps_floors\.n9.*unknown call type"
    ):
        bestshore.scenario.parse_scenario(data)
    data = tiny()
    data["sites"][1]["quality_by_call_type"] = {"n9": {"csat": 60}}
    with pytest.raises(
        bestshore.ScenarioError,
        match=r"sites\[1\]\.quality_by_call_type\.n9: quality for unknown call type",
    ):
        bestshore.scenario.parse_scenario(data)


def _forty_vendor_panel(time_limit: float) -> dict[str, Any]:
    data = tiny()
    data["vendors"] = [{"id": f"v{i}"} for i in range(40)]
    data["sites"] = [
        {
            "id": f"s{i}", "vendor": f"v{i}", "country": "FR", "city": f"C{i}",
            "languages": {"fr": "native"}, "capacity_hours": 200 + 37 * (i % 7),
            "cost_per_hour": 15.0 + (i * 7919 % 23), "fixed_cost": 1000 + 130 * (i % 5),
        }
        for i in range(40)
    ]  # fmt: skip
    data["policies"] = {"max_vendors": 12, "min_vendors": 10}
    data["objective"] = {"time_limit_seconds": time_limit}
    return data


def test_milp_reports_its_gap_and_respects_the_time_limit() -> None:
    result = solve_dict(_forty_vendor_panel(60))
    stamp = result.stamp
    assert result.status == "optimal" and stamp["milp"] is True
    # Workload sizing: the plan is the MILP's own, its gap the solver's proof (1e-4).
    assert stamp["gap"] == pytest.approx(0.0, abs=1e-4) and stamp["gap_tolerance"] == 1e-4
    assert stamp["lower_bound"] <= result.total_cost
    assert stamp["gap"] == pytest.approx(1 - stamp["lower_bound"] / result.total_cost)
    assert "within 0.00% of the best possible plan (tolerance 0.01%)" in result.summary()
    # A microsecond is too short to prove anything: never "optimal".
    scenario = bestshore.scenario.parse_scenario(_forty_vendor_panel(1e-6))
    try:
        stopped = bestshore.solve(scenario)
    except bestshore.SolveError as exc:
        assert exc.status == "time_limit"
    else:
        assert stopped.stamp["solver_status"] == "time_limit"
        assert "stopped at its 1e-06 s time limit" in stopped.solve_note
        gap = stopped.stamp["gap"]
        assert stopped.status == ("optimal" if gap is not None and gap <= 1e-4 else "feasible")
