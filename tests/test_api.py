"""The Python API and CLI end to end: solve, change, re-solve, compare, JSON, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bestshore
from bestshore.cli import app


@pytest.fixture(scope="module")
def demo_result() -> bestshore.Result:
    return bestshore.solve("scenarios/demo.yaml")


def test_demo_result_tables(demo_result: bestshore.Result) -> None:
    r = demo_result
    assert r.status == "optimal" and r.currency == "EUR"
    assert {
        "call_type",
        "language",
        "site",
        "vendor",
        "country",
        "shore",
        "volume",
        "fte",
        "cost",
    } <= set(r.allocation.columns)
    assert r.allocation["volume"].sum() == pytest.approx(r.kpis["total_volume"])
    assert r.kpis["total_volume"] == pytest.approx(3_430_000)
    assert r.sites["cost"].sum() == pytest.approx(r.total_cost)
    by_shore = r.breakdown[r.breakdown["dimension"] == "shore"]
    assert by_shore["cost"].sum() == pytest.approx(r.total_cost)
    assert by_shore["cost_share"].sum() == pytest.approx(1.0)
    assert sum(r.kpis[f"{s}_share"] for s in ("inshore", "nearshore", "offshore")) == pytest.approx(
        1.0
    )
    # N2 stays in France (the demo's shore rule); sensitive back-office stays in the EU.
    n2 = r.allocation[r.allocation["level"] == "N2"]
    assert set(n2["shore"]) == {"inshore"}
    claims = r.allocation[r.allocation["call_type"] == "bo_claims"]
    assert set(claims["country"]) <= {"FR", "PT", "RO", "BG"}
    assert "<table" in r._repr_html_()


def test_change_a_policy_in_code_and_resolve(demo_result: bestshore.Result) -> None:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    scenario.policies.shore_rules = []  # let N2 go anywhere its language and data allow
    relaxed = bestshore.solve(scenario)
    scenario.policies.max_vendor_share = 0.30  # tighter panel rule
    tighter = bestshore.solve(scenario)
    # Erlang staffing makes each plan a heuristic answer within its staffing gap, so
    # plan costs need not be monotone; the pooled-queue LP bounds are, and every plan
    # costs at least the bound of any looser scenario.
    bounds = [r.stamp["lower_bound"] for r in (demo_result, relaxed, tighter)]
    assert bounds[1] <= bounds[0] + 1e-6 and bounds[2] >= bounds[1] - 1e-6
    assert relaxed.total_cost >= bounds[1] - 1e-6 and tighter.total_cost >= bounds[1] - 1e-6
    assert demo_result.total_cost >= bounds[1] - 1e-6
    table = bestshore.compare({"baseline": demo_result, "cap 30%": tighter})
    assert list(table["kpis"].columns) == ["baseline", "cap 30%"]
    assert table["kpis"].loc["total_cost", "cap 30%"] == pytest.approx(tighter.total_cost)
    assert not table["fte_by_site"].empty
    assert table["fte_by_shore"]["baseline"].sum() == pytest.approx(demo_result.total_fte)


def test_cli_json_document() -> None:
    result = CliRunner().invoke(app, ["solve", "scenarios/demo.yaml", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "optimal" and doc["currency"] == "EUR"
    assert {"call_type", "language", "site", "volume", "fte", "cost"} <= set(doc["allocation"][0])
    assert doc["total_cost"] == pytest.approx(
        sum(row["cost"] for row in doc["allocation"]), rel=1e-6
    )
    assert doc["kpis"]["total_fte"] > 0


def test_cli_infeasible_exit_3(tmp_path: Path) -> None:
    text = (
        Path("scenarios/demo.yaml")
        .read_text()
        .replace("max_vendor_share: 0.45", "max_vendor_share: 0.1")
    )
    path = tmp_path / "tight.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no feasible plan: ")
    assert "more FTE than its capacity" in result.stderr or "cap" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_compare() -> None:
    result = CliRunner().invoke(
        app, ["compare", "scenarios/demo.yaml", "scenarios/demo-no-offshore.yaml"]
    )
    assert result.exit_code == 0, result.output
    assert "demo-no-offshore" in result.stdout and "total_cost" in result.stdout


def test_cli_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "s.json").read_text())
    assert "call_types" in schema["properties"] and "CallType" in schema["$defs"]


def test_same_scenario_gives_identical_files(tmp_path: Path) -> None:
    first = bestshore.solve("scenarios/demo.yaml")
    second = bestshore.solve("scenarios/demo.yaml")
    assert first.to_json(with_timing=False) == second.to_json(with_timing=False)
    first.to_excel(tmp_path / "a.xlsx")
    second.to_excel(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    written = first.to_csv(tmp_path / "csv")
    assert {p.name for p in written} >= {"allocation.csv", "kpis.csv", "sites.csv"}
    assert not list(tmp_path.glob("**/*.tmp"))


def test_cli_verify_saved_result(tmp_path: Path) -> None:
    runner = CliRunner()
    solved = runner.invoke(app, ["solve", "scenarios/demo.yaml", "--json"])
    saved = tmp_path / "result.json"
    saved.write_text(solved.stdout)
    ok = runner.invoke(app, ["verify", "scenarios/demo.yaml", str(saved)])
    assert ok.exit_code == 0, ok.output
    assert "every rule holds" in ok.stdout
    # The same plan checked against a scenario without the offshore sites breaks rules.
    bad = runner.invoke(app, ["verify", "scenarios/demo-no-offshore.yaml", str(saved)])
    assert bad.exit_code == 3
    assert "violation: allocation uses unknown site" in bad.stdout
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    unreadable = runner.invoke(app, ["verify", "scenarios/demo.yaml", str(junk)])
    assert unreadable.exit_code == 2
    assert "not a readable bestshore result" in unreadable.stderr


def test_cli_json_is_the_whole_of_stdout_in_a_fresh_process() -> None:
    # HiGHS prints a banner on file descriptor 1 when a process first creates it; a
    # fresh process shows whether anything but the JSON document reaches stdout.
    done = subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "solve", "scenarios/demo.yaml", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)["status"] == "optimal"


def test_transition_variant_prices_switching_costs_in_the_report() -> None:
    from bestshore.views.report import render_report

    result = bestshore.solve("scenarios/demo-transition.yaml")
    lines = result.breakdown[result.breakdown["dimension"] == "fixed_cost"].set_index("key")
    one_off = lines[lines.index.str.startswith(("setup:", "transition:"))]["cost"]
    assert len(one_off) > 0 and (one_off > 0).all()
    # Poitiers (in-house) pays 30,000 EUR over 3 years per FTE of today's work moved,
    # call type by call type.
    today = {"n1_billing": 60, "n2_escalation": 40, "bo_claims": 15}
    poitiers = result.allocation[result.allocation["site"] == "poitiers"]
    kept = poitiers.groupby("call_type")["fte"].sum()
    moved = sum(max(0.0, fte - float(kept.get(c, 0.0))) for c, fte in today.items())
    assert lines.at["transition:poitiers", "cost"] == pytest.approx(moved * 10_000)
    html = render_report(result, {})
    assert "Costs outside the hourly bill" in html
    assert f"{one_off[one_off.index.str.startswith('transition:')].sum() * 3:,.0f}" in html
    assert result.kpis["nps"] is not None and "CSAT / NPS" in html


def test_a_result_read_back_from_json_says_what_it_cannot_restore() -> None:
    from conftest import tiny

    from bestshore.result.result import UNRESTORED

    result = bestshore.solve(bestshore.scenario.parse_scenario(tiny()))
    back = bestshore.Result.from_dict(json.loads(result.to_json()))
    assert back.total_cost == result.total_cost
    assert back.allocation["fte"].tolist() == pytest.approx(result.allocation["fte"].tolist())
    for name, columns in UNRESTORED.items():
        assert list(getattr(result, name).columns) == columns, name  # what a solve gives
        table = getattr(back, name)
        assert table.empty and list(table.columns) == columns, name
    assert "not restored" in (bestshore.Result.from_dict.__doc__ or "").lower()


def test_a_scenario_changed_in_code_is_validated_again_in_one_line() -> None:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    scenario.policies.max_site_share = 0.5
    again = scenario.revalidated()
    assert again.source == scenario.source == Path("scenarios/demo.yaml")
    assert again.policies.max_site_share == 0.5
    scenario.policies.quality_floors["n9"] = 70.0  # a dict changed in place: caught on solve
    with pytest.raises(bestshore.ScenarioError) as caught:
        bestshore.solve(scenario)
    message = str(caught.value)
    assert "\n" not in message and "quality_floors" in message and "n9" in message
    assert message.startswith("scenarios/demo.yaml")


def test_the_examples_solve_to_the_figures_their_docs_give() -> None:
    from bestshore import examples

    # examples.tiny: all 3,000 h at Rabat, 15 EUR/h (its module docstring says 45000.0).
    assert "45000.0" in (examples.__doc__ or "")
    assert bestshore.solve(bestshore.scenario.parse_scenario(examples.tiny())).total_cost == 45_000
    assert examples.contracts_scenario().sites[-1].id == "lisbon"
