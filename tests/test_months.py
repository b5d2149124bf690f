"""The year month by month: hand-checked months, the months table, the checker.

Units as in conftest.tiny: occupancy 1, shrinkage 0, 1,000 paid h per FTE; 36,000
contacts x 300 s = 3,000 handle hours a year, over Monday-Friday 09:00-17:00 (40 hours a
week; a flat arrival profile puts the same traffic in each). A month is 365.25 / 12 days,
WPM = 4.348 weeks.

With seasonality 1 for January-June and 2 for July-December (sum 18), a peak week
(July-December) carries 3,000 x 2/18 / WPM = 76.66 handle hours, 1.92 Erlangs an hour;
an off-peak week half that. The annual factor is 52.18 / (12 x 2/18) = 9 WPM: the old
costing paid 9 peak weeks' worth a month-pair, the months pay 6 peak and 6 off-peak.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import solve_dict, tiny

import bestshore
from bestshore.model import months as model_months
from bestshore.result.result import MONTH_COLUMNS, MONTH_SHIFT_COLUMNS
from bestshore.scenario import load_scenario, parse_scenario
from bestshore.scenario.profiles import WEEKS_PER_MONTH, WEEKS_PER_YEAR, annual_factor, month_loads
from bestshore.staffing import agents_for_service_level, service_level

ROOT = Path(__file__).resolve().parents[1]
WPM = 365.25 / 12 / 7
SEASONS = [1] * 6 + [2] * 6
HOURS = 40  # open market hours a week


def seasonal(**call_type: Any) -> dict[str, Any]:
    data = tiny()
    data["call_types"][0].update({"arrival_profile": "flat", "seasonality": SEASONS, **call_type})
    return data


def planning_agents(traffic: float, target: float = 0.8, answer: float = 20) -> float:
    """Fractional Erlang C agents, by hand from bestshore.staffing: the service level
    interpolated between the last agent count that misses the goal and the first that
    meets it (docs/formulation.md, "Staffing")."""
    whole = agents_for_service_level(traffic * 3600 / 300, 60, 300, target, answer)
    met = service_level(traffic, whole, 300, answer)
    missed = service_level(traffic, whole - 1, 300, answer) if whole - 1 > traffic else 0.0
    return max(whole - 1 + (target - missed) / (met - missed), traffic)


def test_month_loads_add_up_to_the_annual_factor() -> None:
    for sizing in ("peak", "average", 3, 9):
        loads = month_loads(SEASONS, sizing)
        assert WEEKS_PER_MONTH * loads.sum() == pytest.approx(annual_factor(SEASONS, sizing))
    assert list(month_loads(SEASONS, "peak")) == [0.5] * 6 + [1.0] * 6
    assert list(month_loads(None, "peak")) == [1.0] * 12
    assert pytest.approx(WEEKS_PER_YEAR) == 12 * WEEKS_PER_MONTH
    assert model_months.MONTH_COLUMNS == MONTH_COLUMNS
    assert model_months.MONTH_SHIFT_COLUMNS == MONTH_SHIFT_COLUMNS


def test_workload_sizing_is_linear_so_the_months_give_the_old_figure() -> None:
    # All 3,000 h in Rabat at 15 EUR/h: January-June 3,000/18 = 166.7 h a month
    # (2,500 EUR), July-December 333.3 h (5,000 EUR); 45,000 EUR, as before.
    result = solve_dict(seasonal())
    months = result.months.set_index("month")
    assert list(months.index) == list(range(1, 13))
    assert months["days"].iloc[0] == pytest.approx(30.4375)
    assert months["volume"].tolist() == pytest.approx([2000] * 6 + [4000] * 6)
    assert months["agent_hours"].tolist() == pytest.approx([3000 / 18] * 6 + [3000 / 9] * 6)
    assert months["cost"].tolist() == pytest.approx([2500] * 6 + [5000] * 6)
    assert months["paid_hours"].isna().all()  # no roster
    assert result.total_cost == pytest.approx(45_000)
    assert result.stamp["proportional_cost"] == pytest.approx(45_000)
    assert months["cost"].sum() == pytest.approx(result.total_cost, rel=1e-9)
    # The peak week's staffing as FTE; each month's FTE follows its volume.
    assert result.total_fte == pytest.approx(3000 * 2 / 18 / WPM / (1000 / WEEKS_PER_YEAR))
    assert months["fte"].iloc[0] == pytest.approx(result.total_fte / 2)
    assert not months["over_capacity"].any() and result.warnings == []


def test_erlang_makes_quiet_months_dearer_than_proportional() -> None:
    # 80 % in 20 s. A peak hour carries a = 1.92 Erlangs, an off-peak hour a/2; each is
    # staffed at its own load, N(a/2) > N(a)/2: quiet months are dearer per call.
    result = solve_dict(seasonal(service_level={"target": 0.8, "answer_seconds": 20}))
    assert set(result.allocation["site"]) == {"rabat"}
    peak = 3000 * 2 / 18 / WPM / HOURS
    per_month = [WPM * HOURS * 15 * planning_agents(peak / 2)] * 6
    per_month += [WPM * HOURS * 15 * planning_agents(peak)] * 6
    months = result.months
    assert months["staffing_cost"].tolist() == pytest.approx(per_month, rel=1e-9)
    assert result.total_cost == pytest.approx(sum(per_month), rel=1e-9)
    # The old figure, the peak week times the annual factor (9 WPM):
    proportional = 9 * WPM * HOURS * 15 * planning_agents(peak)
    assert result.stamp["proportional_cost"] == pytest.approx(proportional, rel=1e-9)
    assert result.total_cost > proportional * 1.05  # N(a/2)/(a/2) well above N(a)/a here
    assert months["cost"].sum() == pytest.approx(result.total_cost, rel=1e-9)
    # The peak months are the sizing week: the first round's LP still bounds the year.
    assert result.stamp["lower_bound"] <= result.total_cost + 1e-6


def test_whole_agents_on_whole_shifts_month_by_month() -> None:
    # Paris alone, 8 h shifts, January three times a month's volume (weights 3, 1 x 11):
    # January hours carry 3000 x 3/14 / WPM / 40 = 3.70 Erlangs -> 4 whole agents, 160
    # paid h a week; February-December 1.23 Erlangs -> 2 agents, 80 paid h (not a third
    # of January's: whole agents). Everything paid at 30 EUR/h, worked or idle.
    data = tiny()
    data["call_types"][0].update(arrival_profile="flat", seasonality=[3] + [1] * 11)
    data["settings"]["roster"] = {"shift_hours": [8]}
    data["sites"] = data["sites"][:1]
    result = solve_dict(data)
    months = result.months.set_index("month")
    assert months["paid_hours"].tolist() == pytest.approx([WPM * 160] + [WPM * 80] * 11)
    assert result.total_cost == pytest.approx(WPM * (160 + 11 * 80) * 30, rel=1e-9)
    proportional = annual_factor([3] + [1] * 11, "peak") * 160 * 30
    assert result.stamp["proportional_cost"] == pytest.approx(proportional, rel=1e-9)
    assert months["cost"].sum() == pytest.approx(result.total_cost, rel=1e-9)
    shifts = result.month_shifts
    assert shifts.groupby("month")["agents"].max().tolist() == [4] + [2] * 11
    # Rostered months of a seasonal year: the relaxation pays the year's average roster
    # (docs/formulation.md), whose fractional shifts cover the year's average work
    # exactly: the year's 3,000 handle hours at 30 EUR/h.
    assert result.stamp["lower_bound"] == pytest.approx(3000 * 30, rel=1e-9)
    gap = 1 - 3000 * 30 / result.total_cost
    assert result.stamp["gap"] == pytest.approx(gap, rel=1e-9)
    assert result.status == "feasible"  # a 30 % gap proves nothing near optimality


def test_flat_seasonality_keeps_every_figure() -> None:
    plain = solve_dict(tiny())
    assert plain.total_cost == 45_000
    assert plain.months["cost"].tolist() == pytest.approx([3750] * 12)
    erlang = {"target": 0.8, "answer_seconds": 20}
    data = seasonal(service_level=erlang, seasonality=[1] * 12)
    flat = solve_dict(data)
    assert flat.total_cost == pytest.approx(flat.stamp["proportional_cost"], rel=1e-12)
    del data["call_types"][0]["seasonality"]
    assert solve_dict(data).total_cost == flat.total_cost
    assert flat.months["cost"].sum() == pytest.approx(flat.total_cost, rel=1e-9)
    assert flat.stamp["lower_bound"] is not None


def test_a_month_above_the_average_week_is_reported_not_refused() -> None:
    # Sized on the average week (57.5 h), Rabat (100 h a week) takes all the work; in
    # January (2/13 of the year) it would need 3,000 x 2/13 / WPM = 106.1 h a week.
    data = tiny()
    data["call_types"][0]["seasonality"] = [2] + [1] * 11
    data["settings"]["sizing"] = "average"
    data["sites"][1]["capacity_hours"] = 100 * WEEKS_PER_YEAR
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(45_000)
    months = result.months.set_index("month")
    assert months["over_capacity"].tolist() == [True] + [False] * 11
    (warning,) = [w for w in result.warnings if w.startswith("Jan:")]
    excess = 3000 * 2 / 13 / WPM - 100
    assert f"over capacity at rabat +{excess:,.1f} h/week (productive hours)" in warning
    assert "sized on the average month's week" in warning
    # A month carries more than the sizing week: the relaxation prices each month at its
    # own load (the year column), so the bound still holds; workload sizing is linear,
    # so it is the cost itself.
    assert result.stamp["lower_bound"] == pytest.approx(45_000)
    # The checker insists that such a month is reported.
    hidden = dataclasses.replace(result, months=result.months.assign(over_capacity=False))
    problems = bestshore.verify(parse_scenario(data), hidden)
    assert any("month 1: rabat over capacity or seats, not reported" in p for p in problems)


@pytest.fixture(scope="module")
def erlang_year() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = parse_scenario(seasonal(service_level={"target": 0.8, "answer_seconds": 20}))
    return scenario, bestshore.solve(scenario)


def test_the_checker_catches_a_tampered_month(
    erlang_year: tuple[bestshore.Scenario, bestshore.Result],
) -> None:
    scenario, result = erlang_year
    assert bestshore.verify(scenario, result) == []
    months = result.months.copy()
    months.loc[2, ["staffing_cost", "cost"]] -= 100.0  # March, 100 EUR cheaper
    problems = bestshore.verify(scenario, dataclasses.replace(result, months=months))
    assert any(p.startswith("month 3: staffing_cost is") for p in problems), problems
    assert any("the months cost" in p for p in problems), problems
    # A row costed as the old proportional figure is caught too.
    rows = result.staffing.copy()
    rows.loc[0, "cost"] = rows.loc[0, "cost"] * 0.95
    problems = bestshore.verify(scenario, dataclasses.replace(result, staffing=rows))
    assert any("cost is" in p and "recomputed" in p for p in problems), problems
    # The months table may not be dropped from a result costed month by month.
    gone = dataclasses.replace(result, months=pd.DataFrame(columns=MONTH_COLUMNS))
    assert "the result has no months table" in bestshore.verify(scenario, gone)


def test_the_months_go_to_json_csv_and_excel(
    erlang_year: tuple[bestshore.Scenario, bestshore.Result], tmp_path: Path
) -> None:
    scenario, result = erlang_year
    again = bestshore.Result.from_dict(result.to_dict())
    assert list(again.months.columns) == MONTH_COLUMNS
    assert again.months["cost"].tolist() == pytest.approx(result.months["cost"].tolist())
    assert bestshore.verify(scenario, again) == []
    result.to_csv(tmp_path)
    written = pd.read_csv(tmp_path / "months.csv")
    assert written["cost"].sum() == pytest.approx(result.total_cost, rel=1e-9)
    workbook = result.to_excel(tmp_path / "result.xlsx")
    sheet = pd.read_excel(workbook, sheet_name="months")
    # The workbook shows each column with its unit (months are per month, not per year).
    assert [c.split(" [")[0] for c in sheet.columns] == MONTH_COLUMNS and len(sheet) == 12
    assert "cost [EUR/month]" in sheet.columns and "volume [contacts/month]" in sheet.columns
    assert sheet["cost [EUR/month]"].sum() == pytest.approx(result.total_cost, rel=1e-9)


def test_costs_outside_the_staffing_rows_go_to_their_months() -> None:
    # Recordings follow the month's contacts: 30 % of calls x 300 s x 6 months kept x
    # 0.50 EUR per recorded hour-month = 0.075 EUR a contact, 2,700 EUR a year (150 EUR in
    # a 2,000-contact month, 300 in a 4,000-contact one). Rabat's yearly fixed cost, 1,200
    # EUR, is a twelfth a month.
    data = seasonal(data_class="personal")
    data["policies"] = {"recording_storage_price": 0.5}
    data["sites"][1]["fixed_cost"] = 1_200.0
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(45_000 + 2_700 + 1_200)
    months = result.months
    assert months["other_cost"].tolist() == pytest.approx([250.0] * 6 + [400.0] * 6)
    assert months["cost"].tolist() == pytest.approx([2_750.0] * 6 + [5_400.0] * 6)
    assert months["cost"].sum() == pytest.approx(result.total_cost, rel=1e-9)


def test_months_staffed_together_are_each_month_staffed_alone() -> None:
    """staff_months walks the year's queues together; a language pool stays within its
    month, and every figure is the one its month staffed alone gives (the demo pools
    its multilingual desk, and its seasons move every call type)."""
    from bestshore.model.inputs import prepare_inputs
    from bestshore.model.plan import plan_sourcing

    inputs = prepare_inputs(load_scenario(ROOT / "scenarios" / "demo.yaml"))
    plan = plan_sourcing(inputs).plan
    assert plan is not None
    staffing = plan.staffing
    assert (staffing["pool"] != "").any()
    loads = [load for _, load in model_months.distinct_months(model_months.loads_by_month(inputs))]
    assert len(loads) > 2
    together = model_months.staff_months(inputs, staffing, loads)
    for load, rows in zip(loads, together, strict=True):
        alone = model_months.staff_months(inputs, staffing, [load])[0]
        pd.testing.assert_frame_equal(rows, alone)
