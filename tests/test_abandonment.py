"""Erlang A queues and sub-hour intervals in scenarios: staffing, cost, KPIs, checks.

One queue of 200 calls of 180 s in one hour a week (10 Erlangs, 80 % in 20 s) at one
site paid 15 EUR/h, occupancy uncapped (conftest.tiny's units): Erlang C needs 14 whole
agents; callers who hang up after 120 s on average need 12 (Erlang A).
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import pytest
from conftest import solve_dict
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hourly import WEEKS, erlang_hour
from typer.testing import CliRunner

import bestshore
from bestshore.cli import app
from bestshore.model.curve import corner_slack, load_limits, lower_hull
from bestshore.model.staffing import Goal, agents_needed, queue_goal, roster_agents
from bestshore.scenario import ScenarioError, parse_scenario
from bestshore.staffing import (
    agents_for_erlang_a,
    agents_for_service_level,
    erlang_a,
    service_level,
)

PATIENCE = 120.0
checker = importlib.import_module("bestshore.verify")


def impatient(**goal: Any) -> dict[str, Any]:
    data = erlang_hour()
    data["call_types"][0]["service_level"] = {
        "target": 0.8,
        "answer_seconds": 20,
        "patience_seconds": PATIENCE,
    } | goal
    return data


def limit(n: int, meets: Any) -> float:
    """Most load n agents carry within a goal, by bisection on the public erlang_a."""
    low, high = 0.0, 4.0 * n
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if meets(middle, n) else (low, middle)
    return low


def test_erlang_a_needs_fewer_agents_and_the_cost_shows_it() -> None:
    erlang_c = solve_dict(erlang_hour())
    result = solve_dict(impatient())
    row = result.staffing.iloc[0]
    assert erlang_c.staffing.iloc[0]["roster_agents"] == 14
    assert row["roster_agents"] == 12 == agents_for_erlang_a(200, 60, 180, PATIENCE, 0.8, 20)
    figures = erlang_a(10, 12, 180, PATIENCE, 20)
    assert row["service_level"] == pytest.approx(figures.service_level, rel=1e-12)
    assert row["abandon_rate"] == pytest.approx(figures.abandon_rate, rel=1e-12)
    assert row["asa_seconds"] == pytest.approx(figures.abandon_rate * PATIENCE, rel=1e-12)

    # planning agents: on the line between the corners (L(11), 11) and (L(12), 12)
    def meets(load: float, n: int) -> bool:
        return erlang_a(load, n, 180, PATIENCE, 20).service_level >= 0.8

    low, high = limit(11, meets), limit(12, meets)
    assert low < 10 < high
    planning = 11 + (10 - low) / (high - low)
    assert row["agents"] == pytest.approx(planning, rel=1e-7)
    assert result.total_cost == pytest.approx(planning * 15 * WEEKS, rel=1e-7)
    assert result.total_cost < erlang_c.total_cost
    # occupancy of the answered calls' load
    assert row["occupancy"] == pytest.approx(10 * (1 - figures.abandon_rate) / planning)
    assert result.kpis["abandon_rate"] == pytest.approx(figures.abandon_rate)
    assert result.kpis["abandon_rate_n1"] == pytest.approx(figures.abandon_rate)
    hour = result.requirements[result.requirements["traffic"] > 0]
    assert hour["abandon_rate"].tolist() == pytest.approx([figures.abandon_rate])
    # Erlang C plans carry no abandonment figure (not modelled), and no KPI for it
    assert math.isnan(erlang_c.staffing.iloc[0]["abandon_rate"])
    assert "abandon_rate" not in erlang_c.kpis


def test_an_abandonment_target_binds() -> None:
    free = solve_dict(impatient())
    bound = solve_dict(impatient(max_abandon_rate=0.02))
    row = bound.staffing.iloc[0]
    need = agents_for_erlang_a(200, 60, 180, PATIENCE, 0.8, 20, max_abandon_rate=0.02)
    assert row["roster_agents"] == need == 15
    assert erlang_a(10, need, 180, PATIENCE).abandon_rate <= 0.02
    assert erlang_a(10, need - 1, 180, PATIENCE).abandon_rate > 0.02  # the target binds

    def meets(load: float, n: int) -> bool:
        return erlang_a(load, n, 180, PATIENCE, 20).abandon_rate <= 0.02

    low, high = limit(14, meets), limit(15, meets)
    assert row["agents"] == pytest.approx(14 + (10 - low) / (high - low), rel=1e-7)
    assert row["abandon_rate"] <= 0.02
    assert bound.total_cost > free.total_cost
    assert bound.kpis["abandon_rate"] <= 0.02 < free.kpis["abandon_rate"]


def test_the_checker_rejects_a_plan_that_lets_too_many_abandon() -> None:
    loose = solve_dict(impatient())  # 12 agents: 6.2 % abandon
    strict = parse_scenario(impatient(max_abandon_rate=0.02))
    problems = bestshore.verify(strict, loose, identity=False)
    assert any("let 6.16% of calls abandon, above the target 2.00%" in p for p in problems)


def test_the_checker_recomputes_the_abandonment_figures() -> None:
    data = impatient()
    scenario = parse_scenario(data)
    result = solve_dict(data)
    doc = result.to_dict()
    doc["staffing"][0]["abandon_rate"] = 0.01
    tampered = bestshore.Result.from_dict(doc)
    problems = bestshore.verify(scenario, tampered)
    assert any("abandon_rate is 0.01, recomputed" in p for p in problems)


def test_sixty_and_fifteen_minute_intervals_agree_for_uniform_arrivals() -> None:
    hourly = solve_dict(impatient())
    data = impatient()
    data["settings"]["interval_minutes"] = 15
    quarter = solve_dict(data)
    assert quarter.total_cost == hourly.total_cost
    columns = ["agents", "roster_agents", "service_level", "abandon_rate"]
    assert quarter.staffing[columns].equals(hourly.staffing[columns])
    data["call_types"][0]["within_hour"] = [0.25, 0.25, 0.25, 0.25]
    assert solve_dict(data).total_cost == hourly.total_cost


def test_a_busy_quarter_sizes_the_hour() -> None:
    """40 % of the hour's calls in its first quarter: that quarter runs at 16 Erlangs,
    and the hour's agents must meet 80/20 there (Erlang C here)."""
    data = erlang_hour()
    data["settings"]["interval_minutes"] = 15
    data["call_types"][0]["within_hour"] = [0.4, 0.2, 0.2, 0.2]
    result = solve_dict(data)
    row = result.staffing.iloc[0]
    whole = agents_for_service_level(80, 15, 180, 0.8, 20)  # 80 calls in 15 min: 16 Erlangs
    assert row["roster_agents"] == whole == agents_for_service_level(320, 60, 180, 0.8, 20)
    # the hour's service level: each quarter at its own load, weighted by its calls
    levels = 0.4 * service_level(16, whole, 180, 20) + 0.6 * service_level(8, whole, 180, 20)
    assert row["service_level"] == pytest.approx(levels)
    assert result.total_cost > solve_dict(erlang_hour()).total_cost


def test_within_hour_shares_must_match_the_intervals() -> None:
    data = erlang_hour()
    data["call_types"][0]["within_hour"] = [0.5, 0.5]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert str(info.value) == (
        "<scenario> call_types[0].within_hour: 2 within-hour shares for 60-minute "
        "intervals: give 1 (one per interval of the hour), or set interval_minutes: 30"
    )
    data["call_types"][0]["within_hour"] = [0.5, 0.4]
    with pytest.raises(ScenarioError, match=r"call_types\[0\]\.within_hour.*sum to 1, got 0\.9"):
        parse_scenario(data)


@pytest.mark.parametrize(
    ("goal", "message"),
    [
        (
            {"target": 0.8, "answer_seconds": 20, "max_abandon_rate": 0.05},
            "max_abandon_rate 0.05 needs patience_seconds",
        ),
        (
            {"asa_seconds": 60, "patience_seconds": 45},
            "asa_seconds 60 is met by any staffing when callers hang up after 45 s",
        ),
        (
            {"target": 0.8, "answer_seconds": 20, "patience_seconds": 0},
            "patience_seconds",
        ),
    ],
)
def test_bad_abandonment_goals_are_located(goal: dict[str, Any], message: str) -> None:
    data = erlang_hour()
    data["call_types"][0]["service_level"] = goal
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    text = str(info.value)
    assert text.startswith("<scenario> call_types[0].service_level")
    assert message in text
    assert "\n" not in text


def test_interval_minutes_accepts_15_30_60_only() -> None:
    data = erlang_hour()
    data["settings"]["interval_minutes"] = 20
    with pytest.raises(ScenarioError, match=r"settings\.interval_minutes"):
        parse_scenario(data)


# ---------------------------------------------------------------- envelope facts


GOALS = [
    Goal(180.0, 0.8, 20.0, None, 120.0, None),
    Goal(300.0, 0.8, 20.0, None, 30.0, None),
    Goal(300.0, 0.9, 10.0, None, 30.0, 0.05),
    Goal(180.0, None, None, 30.0, 300.0, 0.03),
]


def _call_type(goal: Goal) -> Any:
    data = erlang_hour()
    level: dict[str, Any] = {"patience_seconds": goal.patience}
    if goal.target is not None:
        level |= {"target": goal.target, "answer_seconds": goal.answer}
    else:
        level["asa_seconds"] = goal.asa
    if goal.max_abandon is not None:
        level["max_abandon_rate"] = goal.max_abandon
    data["call_types"][0].update(aht_seconds=goal.aht, service_level=level)
    call_type = parse_scenario(data).call_types[0]
    assert queue_goal(call_type) == goal
    return call_type


@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("occupancy", [0.85, 1.0])
def test_corners_and_hull_hold_for_erlang_a(goal: Goal, occupancy: float) -> None:
    """Facts 1 and 2 of bestshore.model.curve: L rises, whole agents are n at (L(n), n)
    and n + 1 just past it, planning agents are the corners' line (no dip), and the
    lower hull of the corners stays under both."""
    call_type = _call_type(goal)
    limits = load_limits(call_type, occupancy, 60)
    assert np.all(np.diff(limits) > 0)
    assert corner_slack(call_type, occupancy) == 0.0
    for n in range(1, 60):
        assert roster_agents(call_type, float(limits[n]), occupancy) == n
        assert roster_agents(call_type, float(limits[n]) * (1 + 1e-6), occupancy) == n + 1
        assert agents_needed(call_type, float(limits[n]), occupancy) == pytest.approx(n)
    x, y = lower_hull(limits, np.arange(len(limits), dtype=float))
    loads = np.linspace(0.01, float(limits[-1]), 500)
    hull = np.interp(loads, x, y)
    whole = [roster_agents(call_type, float(a), occupancy) for a in loads]
    planning = [agents_needed(call_type, float(a), occupancy) for a in loads]
    assert np.all(hull <= np.array(planning) + 1e-9)
    assert np.all(np.array(planning) <= np.array(whole) + 1e-9)


def test_pooling_fails_for_erlang_a_under_an_occupancy_cap() -> None:
    """Fact 3 (two groups meeting the goal alone meet it together) is false for Erlang A
    with an occupancy cap: a split queue abandons more and carries less. 15 agents meet
    80/20 and 85 % occupancy at 15 Erlangs (patience 30 s, AHT 300 s), but 30 agents
    miss them at 30 Erlangs; so the model writes no pooling floor for Erlang A queues."""
    half = erlang_a(15, 15, 300, 30, 20)
    assert half.service_level >= 0.8 and half.occupancy <= 0.85
    whole = erlang_a(30, 30, 300, 30, 20)
    assert whole.occupancy > 0.85
    call_type = _call_type(GOALS[1])
    assert roster_agents(call_type, 15.0, 0.85) == 15
    assert roster_agents(call_type, 30.0, 0.85) == 34 > 2 * 15


def test_a_split_erlang_a_queue_is_bounded_and_checked() -> None:
    """Two sites seating 7 agents each: the queue must split. The plan passes the
    checker, and the proven lower bound stays under its cost."""
    for model in ("planning", "whole"):
        data = impatient()
        data["settings"]["staffing_model"] = model
        data["sites"][0]["max_agents"] = 7
        data["sites"].append(
            dict(data["sites"][0], id="casa", city="Casablanca", cost_per_hour=16.0)
        )
        result = solve_dict(data)
        rows = result.staffing
        assert len(rows) == 2 and (rows["agents"] <= 7 + 1e-6).all()
        assert result.stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)
        assert (rows["abandon_rate"] > 0).all()


def test_the_staffing_calculator_takes_patience() -> None:
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["staffing", "--calls", "200", "--aht", "180", "--interval-minutes", "60",
         "--patience", "120"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "agents             12\n" in out.output
    assert "abandoned          6.16% of offered calls" in out.output
    bad = runner.invoke(
        app, ["staffing", "--calls", "200", "--aht", "180", "--max-abandon", "0.05"]
    )
    assert bad.exit_code != 0
    assert "--max-abandon needs --patience" in bad.output


def test_abandonment_reaches_json_tables_workbook_and_report(tmp_path: Any) -> None:
    from openpyxl import load_workbook

    from bestshore.views.report import render_report

    result = solve_dict(impatient())
    rate = erlang_a(10, 12, 180, PATIENCE).abandon_rate
    doc = result.to_dict()
    assert doc["kpis"]["abandon_rate"] == pytest.approx(rate)
    assert doc["staffing"][0]["abandon_rate"] == pytest.approx(rate)
    again = bestshore.Result.from_dict(doc)
    assert again.kpis["abandon_rate"] == pytest.approx(rate)
    tables = result.tables()
    assert "abandon_rate" in tables["staffing"].columns
    kpis = tables["kpis"].set_index("kpi")["value"]
    assert kpis["abandon_rate"] == pytest.approx(rate)
    book = load_workbook(result.to_excel(tmp_path / "plan.xlsx"))
    sheet = book["kpis"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["abandon_rate"][1:] == ("% of offered calls", pytest.approx(rate, rel=1e-8))
    html = render_report(result, {"coverage": "<svg></svg>"})
    assert f"{rate:.1%} of the calls offered in the sizing week abandon" in html


@settings(max_examples=25, deadline=None)
@given(
    load=st.floats(0.05, 120),
    aht=st.sampled_from([120.0, 180.0, 300.0, 600.0]),
    patience=st.floats(10, 1800),
    target=st.sampled_from([0.7, 0.8, 0.9]),
    cap=st.sampled_from([None, 0.02, 0.05]),
    occupancy=st.sampled_from([0.85, 1.0]),
)
def test_model_and_checker_staff_erlang_a_alike(
    load: float, aht: float, patience: float, target: float, cap: float | None, occupancy: float
) -> None:
    """Whole agents from the model's table (closed forms, bisection) equal the checker's
    count (state sums, counted up from 0), and planning agents agree."""
    data = erlang_hour()
    level: dict[str, Any] = {"target": target, "answer_seconds": 20, "patience_seconds": patience}
    if cap is not None:
        level["max_abandon_rate"] = cap
    data["call_types"][0].update(aht_seconds=aht, service_level=level)
    call_type = parse_scenario(data).call_types[0]
    calls = load * 3600 / aht
    whole = roster_agents(call_type, load, occupancy)
    assert whole == checker._roster_needed(call_type, calls, occupancy)
    assert agents_needed(call_type, load, occupancy) == pytest.approx(
        checker._planning_needed(call_type, calls, occupancy), rel=1e-6
    )
    assert whole == agents_for_erlang_a(
        calls, 60, aht, patience, target, 20, max_abandon_rate=cap, max_occupancy=occupancy
    )


@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("whole", [False, True])
def test_the_seat_slope_holds_for_erlang_a(goal: Goal, whole: bool) -> None:
    """At a site of M seats a row's load is at most L(M), and there its agents per
    Erlang never fall below κ_M (:func:`bestshore.model.curve.seat_slope`), which for
    Erlang A may be below 1/occupancy: the agents carry the answered load only."""
    from bestshore.model.curve import seat_slope

    call_type = _call_type(goal)
    occupancy = 0.85
    for seats in (1, 3, 12, 40):
        slope = seat_slope(call_type, occupancy, seats, whole)
        limits = load_limits(call_type, occupancy, seats)
        loads = np.concatenate(
            [np.linspace(1e-6, float(limits[-1]), 400), limits[1:], limits[1:] * 0.999]
        )
        for load in loads:
            needed = (
                roster_agents(call_type, float(load), occupancy)
                if whole
                else agents_needed(call_type, float(load), occupancy)
            )
            assert needed >= slope * load * (1 - 1e-9), (seats, load, needed, slope)
