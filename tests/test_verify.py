"""The independent checker passes real plans and catches every kind of broken plan."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import tiny

import bestshore
from bestshore.scenario import parse_scenario


@pytest.fixture(scope="module")
def demo() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    return scenario, bestshore.solve(scenario)


def _with_rows(result: bestshore.Result, rows: pd.DataFrame) -> bestshore.Result:
    kpis = dict(result.kpis, total_cost=float(rows["cost"].sum()))
    sites = result.sites.drop(columns="cost").merge(
        rows.groupby("site")["cost"].sum().rename("cost"), on="site", how="left"
    )
    sites["cost"] = sites["cost"].fillna(0.0)
    return dataclasses.replace(result, allocation=rows, kpis=kpis, sites=sites)


def _move(
    result: bestshore.Result, scenario: bestshore.Scenario, row: int, site: str
) -> bestshore.Result:
    """Send allocation row ``row`` to ``site``, recomputing its cost from ``site``'s rates."""
    rows = result.allocation.copy()
    call_type = rows.at[row, "call_type"]
    target = scenario.site(site)
    rate = target.rates.get(call_type, target.cost_per_hour)
    rows.loc[row, ["site", "rate_per_hour"]] = [site, rate]
    rows.loc[row, "cost"] = rows.at[row, "productive_hours"] * rate
    per_fte = scenario.settings.annual_hours_per_fte * (1 - scenario.settings.shrinkage)
    rows.loc[row, "fte"] = rows.at[row, "productive_hours"] / per_fte
    return _with_rows(result, rows)


def test_demo_plan_passes(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    assert bestshore.verify(scenario, result) == []


def _row(result: bestshore.Result, call_type: str, language: str = "fr") -> int:
    rows = result.allocation
    return int(rows.index[(rows["call_type"] == call_type) & (rows["language"] == language)][0])


def test_catches_language(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _row(result, "ml_desk", "de"), "port-louis")
    assert any("does not work in de" in p for p in bestshore.verify(scenario, bad))


def test_catches_hours(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _row(result, "ml_desk", "fr"), "casablanca")  # not 24/7
    assert any(
        "closed" in p and "required market hours" in p for p in bestshore.verify(scenario, bad)
    )


def test_catches_data_protection(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _row(result, "bo_claims"), "tunis")
    assert any(
        "sensitive_financial data may not be processed in TN" in p
        for p in bestshore.verify(scenario, bad)
    )


def test_catches_shore_rule(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    scenario, result = demo
    bad = _move(result, scenario, _row(result, "n2_escalation"), "lisbon")
    problems = bestshore.verify(scenario, bad)
    assert any("shore rule 0" in p for p in problems)


def test_catches_capacity_and_vendor_cap() -> None:
    data = tiny()
    data["sites"][1]["capacity_hours"] = 1000
    data["vendors"][0]["max_share"] = 0.7
    scenario = parse_scenario(data)
    result = bestshore.solve(scenario)
    rows = result.allocation.copy()
    # Put everything in Paris (vendor va, capped at 70 %), then everything in Rabat (1,000 h).
    for site, expected in (("paris", "vendor va takes"), ("rabat", "over its capacity")):
        moved = rows.copy()
        moved["site"] = site
        moved["vendor"] = "va" if site == "paris" else "vb"
        merged = moved.groupby(["call_type", "language", "site", "vendor"], as_index=False).agg(
            {"share": "sum", "volume": "sum", "productive_hours": "sum", "fte": "sum"}
        )
        rate = 30.0 if site == "paris" else 15.0
        merged["rate_per_hour"] = rate
        merged["cost"] = merged["productive_hours"] * rate
        problems = bestshore.verify(scenario, _with_rows(result, merged))
        assert any(expected in p for p in problems), problems


def test_catches_uncovered_demand_and_wrong_cost(
    demo: tuple[bestshore.Scenario, bestshore.Result],
) -> None:
    scenario, result = demo
    rows = result.allocation.drop(index=_row(result, "n1_email")).reset_index(drop=True)
    assert any(
        "n1_email in fr is 0.0000% served" in p
        for p in bestshore.verify(scenario, _with_rows(result, rows))
    )
    cheap = result.allocation.copy()
    cheap.loc[0, "cost"] *= 0.9
    problems = bestshore.verify(scenario, dataclasses.replace(result, allocation=cheap))
    assert any("cost is" in p for p in problems)
    assert any("allocation costs sum to" in p for p in problems)
