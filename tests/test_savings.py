"""The saving against today's allocation: today priced by the plan's own model.

Hand-worked on ``tiny`` (3,000 h of French N1 a year, 1,000 paid hours per FTE, Paris
30 EUR/h, Rabat 15 EUR/h): today 2 FTE in Paris and 1 in Rabat is 2,000 h at 30 EUR/h
and 1,000 h at 15 EUR/h, 75,000 EUR; the plan puts all 3,000 h in Rabat, 45,000 EUR.
Every file that carries the saving is read back by an independent reader.
"""

from __future__ import annotations

import doctest
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import tiny
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

import bestshore
from bestshore.analysis import savings as savings_module
from bestshore.analysis import savings_against_today, todays_scenario
from bestshore.analysis.savings import saving_interval
from bestshore.cli import app
from bestshore.model import prepare_inputs
from bestshore.model.build import build_model
from bestshore.model.todays_split import todays_shares
from bestshore.scenario import ScenarioError, load_scenario, parse_scenario
from bestshore.views.summary import summarise

TODAY = {"paris": {"n1": 2.0}, "rabat": {"n1": 1.0}}
WEEKS = 365.25 / 7


def _scenario(**overrides: Any) -> bestshore.Scenario:
    return parse_scenario(tiny(incumbent=TODAY, **overrides))


def _hours_at(result: bestshore.Result) -> dict[str, float]:
    """Productive hours a year per site (occupancy 1: the work itself)."""
    by_site = result.allocation.groupby("site")["productive_hours"].sum()
    return {str(site): float(hours) for site, hours in by_site.items() if hours > 1e-6}


@pytest.fixture(scope="module")
def tiny_case() -> tuple[bestshore.Scenario, bestshore.Result, savings_module.Savings]:
    scenario = _scenario()
    plan = bestshore.solve(scenario)
    return scenario, plan, savings_against_today(scenario, plan)


def test_today_is_priced_by_hand_and_the_saving_is_proven(
    tiny_case: tuple[bestshore.Scenario, bestshore.Result, savings_module.Savings],
) -> None:
    scenario, plan, saved = tiny_case
    assert plan.total_cost == pytest.approx(3000 * 15)  # all in Rabat
    assert saved.status == "priced" and saved.proven == "saving"
    assert saved.today_cost == pytest.approx(2000 * 30 + 1000 * 15)  # 75,000 EUR
    assert saved.saving == pytest.approx(30_000)
    # Two LPs solved to optimality: the interval closes on the point.
    assert saved.saving_low == pytest.approx(30_000, rel=1e-6)
    assert saved.saving_high == pytest.approx(30_000, rel=1e-6)
    assert saved.fte_given == 3.0 and saved.fte_staffed == pytest.approx(3.0)
    assert saved.lifted_rules == [] and saved.free_call_types == []
    # Today's plan is the split itself, checked by the independent checker.
    assert saved.today is not None
    assert _hours_at(saved.today) == pytest.approx({"paris": 2000.0, "rabat": 1000.0})
    assert bestshore.verify(todays_scenario(scenario), saved.today) == []
    assert not scenario.policies.keep_todays_split  # the scenario itself is unchanged


def test_the_split_rows_are_shares_of_the_work_with_a_dual_in_money(
    tiny_case: tuple[bestshore.Scenario, bestshore.Result, savings_module.Savings],
) -> None:
    scenario = tiny_case[0]
    assert todays_shares(scenario) == pytest.approx(
        {("n1", "paris"): 2 / 3, ("n1", "rabat"): 1 / 3}
    )
    today = todays_scenario(scenario)
    inputs = prepare_inputs(today)
    model = build_model(inputs)
    rows = model.rows("todays_split")
    assert set(rows) == {("n1", "paris"), ("n1", "rabat")}
    arrays = model.program.arrays()
    work = float(inputs.demand["handle_hours"].sum())  # handle hours of the sizing week
    for (_, site), row in rows.items():
        share = 2 / 3 if site == "paris" else 1 / 3
        assert arrays.row_lower[row] == pytest.approx(share * work)
        assert arrays.row_upper[row] == pytest.approx(share * work)
    # Without the policy the family writes nothing.
    assert build_model(prepare_inputs(scenario)).rows("todays_split") == {}
    # One more weekly handle hour in Rabat (one less in Paris) saves 15 EUR/h a year.
    dual = tiny_case[2].today.constraints  # type: ignore[union-attr]
    rabat = dual[(dual["family"] == "todays_split") & (dual["key"] == "n1,rabat")]
    assert float(rabat["dual"].iloc[0]) == pytest.approx(-(30 - 15) * WEEKS, rel=1e-6)


def test_the_plan_pays_its_switching_costs_and_today_none() -> None:
    # Rabat sets up each FTE it adds for 3,000 EUR, Paris pays 6,000 EUR per FTE of
    # today's work moved away; both over 3 years. The plan still moves everything:
    # 2 new FTE in Rabat (2,000 EUR/yr) and 2 moved from Paris (4,000 EUR/yr).
    data = tiny(incumbent=TODAY, objective={"amortization_years": 3})
    data["sites"][0]["transition_cost_per_fte"] = 6000
    data["sites"][1]["setup_cost_per_fte"] = 3000
    scenario = parse_scenario(data)
    plan = bestshore.solve(scenario)
    assert plan.total_cost == pytest.approx(45_000 + 2 * 3000 / 3 + 2 * 6000 / 3)
    saved = savings_against_today(scenario, plan)
    assert saved.today_cost == pytest.approx(75_000)  # staying pays no switching cost
    assert saved.saving == pytest.approx(75_000 - 51_000)


def test_call_types_without_today_are_placed_freely_in_both() -> None:
    data = tiny(incumbent=TODAY)
    second = dict(data["call_types"][0], id="n1b", volume=12_000)  # 1,000 h
    data["call_types"].append(second)
    scenario = parse_scenario(data)
    plan = bestshore.solve(scenario)
    saved = savings_against_today(scenario, plan)
    assert saved.free_call_types == ["n1b"]
    assert saved.today is not None
    n1b = saved.today.allocation[saved.today.allocation["call_type"] == "n1b"]
    assert set(n1b.loc[n1b["fte"] > 1e-6, "site"]) == {"rabat"}  # the cheaper, freely
    assert saved.today_cost == pytest.approx(75_000 + 1000 * 15)
    assert saved.saving == pytest.approx(90_000 - 4000 * 15)


def test_today_keeps_none_of_the_plans_rules_so_a_plan_can_cost_more() -> None:
    # Rabat's vendor is excluded from the new plan: all 3,000 h go to Paris, 90,000
    # EUR; today keeps Rabat's third, 75,000 EUR. Moving costs 15,000 EUR a year more.
    scenario = _scenario(policies={"excluded_vendors": ["vb"]})
    plan = bestshore.solve(scenario)
    assert plan.total_cost == pytest.approx(90_000)
    saved = savings_against_today(scenario, plan)
    assert saved.lifted_rules == ["vb excluded"]
    assert saved.saving == pytest.approx(-15_000)
    assert saved.proven == "extra cost"
    summary = summarise(plan, scenario, None, saved)
    assert ("Extra cost against today", "15,000 EUR") in summary.tiles
    assert "it costs 15 k EUR a year more than today" in summary.today


def test_a_split_a_site_cannot_work_is_not_priced_and_says_why() -> None:
    # Rabat opens on Saturdays only: it may take none of n1 (weekdays), yet today it has
    # a third of it. No saving is claimed; the diagnosis names the site and the share.
    data = tiny(incumbent=TODAY)
    data["sites"][1]["hours"] = {"sat": "09:00-17:00"}
    scenario = parse_scenario(data)
    saved = savings_against_today(scenario, bestshore.solve(scenario))
    assert saved.status.startswith("not priced: today's split cannot be staffed")
    assert "site rabat cannot keep today's 33% of n1" in saved.status
    assert saved.saving is None and saved.today_cost is None and saved.proven == "neither"
    assert saved.kpis() == dict.fromkeys(savings_module.SAVINGS_KPIS)
    today = summarise(bestshore.solve(scenario), scenario, None, saved).today
    assert today.startswith("Today's cost is not stated, so no saving is claimed: today's split")


def test_a_full_site_is_named_as_full_not_as_the_split() -> None:
    # Rabat holds 500 h a year but today has a third of 3,000 h: its capacity must give.
    data = tiny(incumbent=TODAY)
    data["sites"][1]["capacity_hours"] = 500
    scenario = parse_scenario(data)
    saved = savings_against_today(scenario, bestshore.solve(scenario))
    assert saved.status.startswith("not priced")
    assert "site rabat would need 0.5 more FTE than its capacity" in saved.status
    assert "cannot keep today's" not in saved.status


def test_no_incumbent_no_solve() -> None:
    scenario = parse_scenario(tiny())
    saved = savings_against_today(scenario, bestshore.solve(scenario))
    assert saved.status == "no incumbent" and saved.today is None and saved.saving is None


def test_keep_todays_split_without_incumbent_is_one_clear_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(tiny(policies={"keep_todays_split": True}))
    message = str(caught.value)
    assert "\n" not in message
    assert "policies.keep_todays_split" in message and "incumbent" in message


def test_the_checker_refuses_a_plan_that_breaks_todays_split(
    tiny_case: tuple[bestshore.Scenario, bestshore.Result, savings_module.Savings],
) -> None:
    scenario, plan, _ = tiny_case
    problems = bestshore.verify(todays_scenario(scenario), plan)  # the free plan
    assert "site paris takes 0.0000% of n1; today's split gives it 66.6667%" in problems
    assert "site rabat takes 100.0000% of n1; today's split gives it 33.3333%" in problems


def test_keeping_todays_split_is_priced_as_a_rule() -> None:
    from bestshore.analysis import price_of_policies

    scenario = _scenario(policies={"keep_todays_split": True})
    result = bestshore.solve(scenario)
    assert result.total_cost == pytest.approx(75_000)
    prices = price_of_policies(scenario, result).set_index("rule")
    assert prices.at["keep_todays_split", "price"] == pytest.approx(30_000)


@given(
    opt_today=st.floats(0, 1e8),
    opt_plan=st.floats(0, 1e8),
    slack=st.tuples(*[st.floats(0, 1e6)] * 4),
    bounds=st.tuples(st.booleans(), st.booleans()),
)
def test_the_interval_holds_the_true_saving(
    opt_today: float,
    opt_plan: float,
    slack: tuple[float, float, float, float],
    bounds: tuple[bool, bool],
) -> None:
    """Whatever the optima within the solves' proofs, the interval contains their gap."""
    u_today, u_plan = opt_today + slack[0], opt_plan + slack[1]
    l_today = max(0.0, opt_today - slack[2]) if bounds[0] else None
    l_plan = max(0.0, opt_plan - slack[3]) if bounds[1] else None
    point, low, high = saving_interval(u_today, l_today, u_plan, l_plan)
    truth = opt_today - opt_plan
    tol = 1e-6 * max(1.0, u_today, u_plan)
    assert low - tol <= truth <= high + tol
    assert low <= point <= high
    assert point == u_today - u_plan


def test_the_savings_module_doctests() -> None:
    assert doctest.testmod(savings_module).failed == 0


# -- the files that carry it -------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``bestshore solve tiny.yaml --out out --no-policy-prices``: the saving is priced by
    default with --out (the scenario has an incumbent). The folder and stdout."""
    root = tmp_path_factory.mktemp("savings")
    path = root / "tiny.yaml"
    path.write_text(json.dumps(tiny(incumbent=TODAY)), encoding="utf-8")
    done = _solve_cli("--out", str(root / "out"), "--no-policy-prices", path=path)
    assert done.exit_code == 0, done.output
    return root / "out", done.stdout


@pytest.fixture(scope="module")
def written(cli_run: tuple[Path, str]) -> Path:
    return cli_run[0]


def test_the_summary_pdf_states_the_saving_with_its_interval(written: Path) -> None:
    reader = PdfReader(io.BytesIO((written / "summary.pdf").read_bytes()))
    assert len(reader.pages) == 1
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Saving against today 30,000 EUR" in text  # the tile
    assert "costs 75 k EUR a year" in text and "costs 45 k EUR" in text
    assert "it saves 30 k EUR a year (proven between 30 k EUR and 30 k EUR)" in text
    assert "Today is the scenario's 3 FTE read as each site's share" in text


def test_the_report_has_today_the_plan_and_the_interval(written: Path) -> None:
    page = (written / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Against today</h2>") : page.index("<h2>Where the work goes")]
    for figure in ("75,000 EUR", "45,000 EUR", "30,000 EUR", "3.0 / 3.0 FTE"):
        assert figure in section, figure
    assert "proven between 30,000 EUR and 30,000 EUR" in section


def test_the_workbook_and_csv_carry_the_kpis(written: Path) -> None:
    book = openpyxl.load_workbook(written / "result.xlsx")
    rows = {r[0].value: r for r in book["kpis"].iter_rows(min_row=2)}
    for kpi, value in (("today_cost", 75_000), ("saving", 30_000), ("saving_low", 30_000)):
        cell = rows[kpi][2]
        assert cell.value == pytest.approx(value, rel=1e-6)
        assert cell.number_format == '#,##0 "EUR"' and rows[kpi][1].value == "EUR/yr"
    sheet = pd.read_excel(written / "result.xlsx", sheet_name="savings").set_index("figure")
    assert sheet.at["status", "value"] == "priced" and sheet.at["proven", "value"] == "saving"
    assert float(sheet.at["fte_given", "value"]) == 3.0
    kpis = pd.read_csv(written / "tables" / "kpis.csv").set_index("kpi")["value"]
    assert float(kpis["saving_high"]) == pytest.approx(30_000, rel=1e-6)


def _solve_cli(*args: str, path: Path) -> Any:
    return CliRunner().invoke(app, ["solve", str(path), *args])


def test_solve_json_carries_the_savings_record(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(tiny(incumbent=TODAY)), encoding="utf-8")
    done = _solve_cli("--json", "--savings", path=path)
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)["savings"]
    assert record["status"] == "priced" and record["proven"] == "saving"
    assert record["saving"] == pytest.approx(30_000) and record["today_cost"] == pytest.approx(
        75_000
    )
    assert record["fte_given"] == 3.0
    plain = _solve_cli("--json", path=path)  # off without --out: null, the key kept
    assert json.loads(plain.stdout)["savings"] is None


def test_solve_out_prices_today_by_default_and_not_with_no_savings(
    cli_run: tuple[Path, str], tmp_path: Path
) -> None:
    folder, stdout = cli_run
    assert "against today: Today's allocation, priced like the plan, costs 75 k EUR" in stdout
    assert (folder / "tables" / "savings.csv").exists()
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(tiny(incumbent=TODAY)), encoding="utf-8")
    off = _solve_cli("--out", str(tmp_path / "out"), "--no-savings", path=path)
    assert off.exit_code == 0, off.output
    assert "against today" not in off.stdout
    assert not (tmp_path / "out" / "tables" / "savings.csv").exists()
    summary = html.unescape((tmp_path / "out" / "summary.html").read_text(encoding="utf-8"))
    assert "Today's cost was not priced (solve with --savings)" in summary


# -- the bundled transition scenario ------------------------------------------------------


def test_the_transition_demo_saves_against_today_with_a_proven_interval() -> None:
    scenario = load_scenario("scenarios/demo-transition.yaml")
    plan = bestshore.solve(scenario)
    saved = savings_against_today(scenario, plan)
    assert saved.status == "priced", saved.status
    assert saved.fte_given == sum(sum(v.values()) for v in scenario.incumbent.values())
    assert saved.saving_low is not None and saved.saving_high is not None
    assert saved.saving_low <= saved.saving <= saved.saving_high  # type: ignore[operator]
    assert saved.proven == "saving"
    today = saved.today
    assert today is not None
    # Each call type's contacts split between today's sites as today's FTE are.
    volume = today.allocation.groupby(["call_type", "site"])["volume"].sum()
    for call_type in {c for v in scenario.incumbent.values() for c in v}:
        fte = {s: v[call_type] for s, v in scenario.incumbent.items() if call_type in v}
        part = volume[call_type]
        for site, share in ((s, f / sum(fte.values())) for s, f in fte.items()):
            assert float(part.get(site, 0.0)) / float(part.sum()) == pytest.approx(share, abs=1e-6)
        assert math.isclose(float(part[list(fte)].sum()), float(part.sum()), rel_tol=1e-9)
    assert bestshore.verify(todays_scenario(scenario), today) == []
