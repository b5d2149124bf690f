"""The independent checker passes real plans and catches every kind of broken plan.

Each test breaks one rule in a solved plan's hourly staffing table (keeping costs
consistent where the rule is not about money) and expects the checker to name it.
"""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest
from conftest import fte_at, tiny

import bestshore
from bestshore.scenario import parse_scenario


@pytest.fixture(scope="module")
def demo() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    return scenario, bestshore.solve(scenario)


def _with_rows(result: bestshore.Result, rows: pd.DataFrame) -> bestshore.Result:
    """The result with a changed staffing table and totals that add up again."""
    total = float(rows["cost"].sum())
    allocation = rows.groupby(["call_type", "language", "site"], as_index=False)[
        ["cost", "fte"]
    ].sum()
    sites = result.sites.drop(columns="cost").merge(
        rows.groupby("site")["cost"].sum().rename("cost"), on="site", how="left"
    )
    sites["cost"] = sites["cost"].fillna(0.0)
    return dataclasses.replace(
        result,
        staffing=rows,
        allocation=allocation,
        sites=sites,
        kpis=dict(result.kpis, total_cost=total),
    )


def _move(
    result: bestshore.Result, scenario: bestshore.Scenario, mask: pd.Series, site: str
) -> bestshore.Result:
    """Send the staffing rows in ``mask`` to ``site``, re-pricing them at its rate."""
    rows = result.staffing.copy()
    target = scenario.site(site)
    rate = rows.loc[mask, "call_type"].map(lambda c: target.rates.get(c, target.cost_per_hour))
    rows.loc[mask, "site"] = site
    rows.loc[mask, "rate_per_hour"] = rate
    rows.loc[mask, "premium"] = 1.0
    rows.loc[mask, "cost"] = rows.loc[mask, "agents"] * rate * rows.loc[mask, "annual_factor"]
    annual = float(result.sites.set_index("site").at[site, "annual_hours_per_fte"])
    per_fte = annual * (1 - scenario.settings.shrinkage) / (365.25 / 7)
    rows.loc[mask, "fte"] = rows.loc[mask, "agents"] / per_fte
    merged = rows.groupby(["call_type", "language", "site", "hour"], as_index=False).agg(
        {
            c: "sum"
            if c in ("share", "calls", "handle_hours", "agents", "agents_lp", "fte", "cost")
            else "first"
            for c in rows.columns
            if c not in ("call_type", "language", "site", "hour")
        }
    )
    return _with_rows(result, merged[rows.columns])


def _rows(result: bestshore.Result, call_type: str, language: str = "fr") -> pd.Series:
    staffing = result.staffing
    return (staffing["call_type"] == call_type) & (staffing["language"] == language)


def test_demo_plan_passes(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    assert bestshore.verify(scenario, result) == []


def test_catches_language(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _rows(result, "ml_desk", "de"), "port-louis")
    assert any("does not work in de" in p for p in bestshore.verify(scenario, bad))


def test_catches_closed_hours(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    night = _rows(result, "ml_desk", "en") & (result.staffing["hour"] % 24 == 3)
    assert night.any()
    bad = _move(result, scenario, night, "lille")  # Lille is shut at 03:00
    assert any("site closed in that market hour" in p for p in bestshore.verify(scenario, bad))


def test_catches_late_answers_for_deferred_work(
    demo: tuple[bestshore.Scenario, bestshore.Result],
) -> None:
    scenario, result = demo
    scenario = scenario.model_copy(deep=True)
    scenario.call_type("bo_claims").response_hours = 2
    scenario.call_type("bo_claims").hours = "24/7"  # mail at 3 a.m. waits for Bucharest to open
    problems = bestshore.verify(scenario, result)
    assert any("cannot answer within 2 h" in p for p in problems)


def test_catches_data_protection(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _rows(result, "bo_claims"), "tunis")
    assert any(
        "sensitive_financial data may not be processed in TN" in p
        for p in bestshore.verify(scenario, bad)
    )


def test_catches_shore_rule(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _rows(result, "n2_escalation"), "lisbon")
    assert any("shore rule 0" in p for p in bestshore.verify(scenario, bad))


def test_catches_understaffing(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    rows = result.staffing.copy()
    first = rows.index[rows["hour"] >= 0][0]
    rows.loc[first, "agents"] *= 0.5
    rows.loc[first, "cost"] *= 0.5
    rows.loc[first, "fte"] *= 0.5
    assert any("needed" in p for p in bestshore.verify(scenario, _with_rows(result, rows)))


def test_catches_capacity_and_vendor_cap() -> None:
    data = tiny()
    data["sites"][1]["capacity_hours"] = 1000
    data["vendors"][0]["max_share"] = 0.7
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    everything = pd.Series(True, index=result.staffing.index)
    to_paris = bestshore.verify(scenario, _move(result, scenario, everything, "paris"))
    assert any("vendor va takes" in p for p in to_paris), to_paris
    to_rabat = bestshore.verify(scenario, _move(result, scenario, everything, "rabat"))
    assert any("over its usable capacity" in p for p in to_rabat), to_rabat


def test_catches_uncovered_demand_and_wrong_cost(
    demo: tuple[bestshore.Scenario, bestshore.Result],
) -> None:
    scenario, result = demo
    rows = result.staffing[~_rows(result, "n1_email")].reset_index(drop=True)
    problems = bestshore.verify(scenario, _with_rows(result, rows))
    assert any("n1_email in fr is 0.0000% served" in p for p in problems)
    cheap = result.staffing.copy()
    cheap.loc[0, "cost"] *= 0.9
    problems = bestshore.verify(scenario, dataclasses.replace(result, staffing=cheap))
    assert any("cost is" in p for p in problems)
    assert any("staffing costs sum to" in p for p in problems)


def test_catches_unpaid_switching_costs_and_nps_floor() -> None:
    # A plan that moved Paris's incumbent FTE to Rabat, checked against terms it did not
    # pay (a transition cost at Paris) or meet (an NPS floor Rabat cannot reach).
    data = tiny(incumbent={"paris": {"n1": 3.0}})
    data["sites"][0]["quality"] = {"nps": 40}
    data["sites"][1]["quality"] = {"nps": 0}
    result = bestshore.solve(parse_scenario(data))
    assert fte_at(result, "rabat") == pytest.approx(3.0)
    dearer = tiny(incumbent={"paris": {"n1": 3.0}})
    dearer["sites"][0]["transition_cost_per_fte"] = 9_000.0  # 3 x 9,000 / 3 years a year
    problems = bestshore.verify(parse_scenario(dearer), result)
    assert any(
        "staffing costs sum to 54,000.00 but the total says 45,000.00" in p for p in problems
    )
    floored = copy.deepcopy(data)
    floored["policies"] = {"nps_floors": {"n1": 30}}
    problems = bestshore.verify(parse_scenario(floored), result)
    assert any("n1 NPS 0.00 below its floor 30" in p for p in problems), problems


def test_catches_forecast_fcr_per_call_type() -> None:
    # Rabat resolves N1 at 0.5 against a 0.8 forecast: 1.6 contacts handled per forecast
    # contact. A plan staffed for the site-level FCR (0.8) is short of agents.
    data = tiny()
    data["call_types"][0]["fcr_baseline"] = 0.8
    data["sites"][1]["quality"] = {"fcr": 0.8}
    result = bestshore.solve(parse_scenario(data))
    data["sites"][1]["quality_by_call_type"] = {"n1": {"fcr": 0.5}}
    problems = bestshore.verify(parse_scenario(data), result)
    assert any("needed" in p for p in problems) and any("calls is" in p for p in problems)


def test_catches_written_and_spoken_levels() -> None:
    # Rabat speaks French at C2 and writes it at B1: the plan gives it the voice work and
    # Paris the e-mails. Moving the e-mails to Rabat breaks the written level; the same
    # plan against a Rabat that speaks B1 breaks the spoken level.
    data = tiny()
    data["call_types"].append(
        {"id": "n1_email", "level": "N1", "channel": "email", "volume": 12_000,
         "aht_seconds": 300, "languages": {"fr": 1.0}}
    )  # fmt: skip
    data["sites"][1]["languages"] = {"fr": {"spoken": "C2", "written": "B1"}}
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    assert bestshore.verify(scenario, result) == []
    bad = _move(result, scenario, _rows(result, "n1_email"), "rabat")
    problems = bestshore.verify(scenario, bad)
    assert "n1_email/fr at rabat: writes fr at B1, below the required C1" in problems, problems
    data["sites"][1]["languages"] = {"fr": {"spoken": "B1", "written": "C2"}}
    problems = bestshore.verify(parse_scenario(data), result)
    assert any("n1/fr at rabat hour" in p and "speaks fr at B1, below" in p for p in problems)


def test_catches_a_call_type_the_site_does_not_offer() -> None:
    data = tiny()
    data["call_types"].append(
        {"id": "n2", "level": "N2", "volume": 12_000, "aht_seconds": 300,
         "languages": {"fr": 1.0}}
    )  # fmt: skip
    result = bestshore.solve(parse_scenario(data))
    assert fte_at(result, "rabat", "n2") == pytest.approx(1.0)
    data["sites"][1]["call_types"] = ["n1"]
    problems = bestshore.verify(parse_scenario(data), result)
    assert any("n2/fr at rabat hour" in p and "site does not offer n2" in p for p in problems)
    assert not any("does not offer n1" in p for p in problems)


def test_catches_a_site_below_the_quality_gate() -> None:
    # Rabat (CSAT 74) takes all the work; checked against a gate of 80 on N1, and again
    # with Rabat reporting no CSAT at all.
    data = tiny()
    data["sites"][1]["quality"] = {"csat": 74}
    result = bestshore.solve(parse_scenario(data))
    assert fte_at(result, "rabat") == pytest.approx(3.0)
    data["policies"] = {"quality_gates": {"n1": 80}}
    problems = bestshore.verify(parse_scenario(data), result)
    assert any("CSAT 74 below the quality gate of 80" in p for p in problems), problems
    data["sites"][1].pop("quality")
    problems = bestshore.verify(parse_scenario(data), result)
    assert any("site reports no CSAT, the quality gate is 80" in p for p in problems)
    data["policies"] = {"quality_gates": {"n1": 70}}  # Rabat's 74 passes a gate of 70
    data["sites"][1]["quality"] = {"csat": 74}
    # The plan meets the other scenario's rules (its identity is another's, by design).
    assert bestshore.verify(parse_scenario(data), result, identity=False) == []


def test_catches_broken_team_rules() -> None:
    # N1 on a single team (all in Rabat, the cheaper): moving its mornings to Paris splits it.
    data = tiny()
    data["call_types"][0]["single_team"] = True
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    assert set(result.allocation["site"]) == {"rabat"}
    mornings = (result.staffing["hour"] % 24) < 12
    problems = bestshore.verify(scenario, _move(result, scenario, mornings, "paris"))
    assert any("served by 2 sites, above its limit of 1" in p for p in problems), problems
    # Rabat's team at least 2 FTE (it holds 2.5): leaving it one hour of work is too small.
    data = tiny()
    data["sites"][1]["min_team_fte"] = 2.0
    data["sites"][1]["capacity_hours"] = 2_500
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    assert fte_at(result, "rabat") == pytest.approx(2.5)
    rabat = result.staffing.index[result.staffing["site"] == "rabat"]
    problems = bestshore.verify(
        scenario, _move(result, scenario, result.staffing.index.isin(rabat[1:]), "paris")
    )
    assert any("below its minimum 2" in p for p in problems), problems


def test_catches_broken_shifts() -> None:
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "flat"
    data["settings"]["roster"] = {"shift_hours": [8]}
    data["sites"] = data["sites"][:1]
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    shifts = result.shifts
    assert bestshore.verify(scenario, result) == []

    def tampered(changed: pd.DataFrame) -> list[str]:
        return bestshore.verify(scenario, dataclasses.replace(result, shifts=changed))

    one_short = shifts.copy()
    one_short.loc[0, "agents"] = 1  # Monday 09:00-17:00 one agent short of two
    assert any("below the 2 whole agents" in p for p in tampered(one_short))
    late = shifts.copy()
    late.loc[0, "start_hour"] += 4  # Monday 13:00-21:00: past closing time
    assert any("outside opening hours" in p for p in tampered(late))
    odd = shifts.copy()
    odd.loc[0, "length_hours"] = 5
    assert any("5 h shift" in p for p in tampered(odd))
    half = shifts.copy()
    half["agents"] = half["agents"] - 0.5
    assert any("not whole" in p for p in tampered(half))
    # The year is paid month by month: an agent more on every month's shifts is idle
    # time the total does not pay.
    months = result.month_shifts.copy()
    assert len(months)
    months["agents"] = months["agents"] + 1
    unpaid = bestshore.verify(scenario, dataclasses.replace(result, month_shifts=months))
    assert any(p.startswith("month 1: idle_cost is") for p in unpaid), unpaid


def test_a_checked_solve_raises_on_any_finding_of_the_checker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # solve(check=True) is how the tests' solve_dict checks every plan it returns: a
    # finding must stop it, not pass silently
    import bestshore.api

    finding = "site paris: 3.0 FTE over its capacity"
    scenario = parse_scenario(tiny())
    seen: list[bestshore.Result] = []

    def checker(given: bestshore.Scenario, result: bestshore.Result) -> list[str]:
        seen.append(result)
        return [finding]

    monkeypatch.setattr(bestshore.api, "verify", checker)
    with pytest.raises(bestshore.VerificationError, match="over its capacity"):
        bestshore.solve(scenario, check=True)
    assert len(seen) == 1
    assert bestshore.solve(scenario, check=False).total_cost == pytest.approx(
        seen[0].total_cost, rel=1e-12
    )
