"""The Python API and CLI end to end: solve, change, re-solve, compare, JSON, determinism."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bestshore
from bestshore.cli import app
from bestshore.examples import tiny


@pytest.fixture(scope="module")
def demo_result() -> bestshore.Result:
    return bestshore.solve("scenarios/demo.yaml")


@pytest.fixture(scope="module")
def demo_json() -> str:
    """``bestshore solve scenarios/demo.yaml --json``'s stdout (one solve, read twice)."""
    result = CliRunner().invoke(app, ["solve", "scenarios/demo.yaml", "--json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_demo_result_tables(demo_result: bestshore.Result) -> None:
    r = demo_result
    # Erlang C staffing by the loop: a plan with its proven gap, not a proven optimum.
    assert r.status == "feasible" and r.currency == "EUR"
    assert 0 < r.stamp["gap"] < 0.08
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


def test_cli_json_document(demo_json: str) -> None:
    doc = json.loads(demo_json)
    assert doc["status"] == "feasible" and doc["currency"] == "EUR"
    assert doc["stamp"]["gap"] == pytest.approx(1 - doc["stamp"]["lower_bound"] / doc["total_cost"])
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


def test_same_scenario_gives_identical_files(demo_result: bestshore.Result, tmp_path: Path) -> None:
    first = demo_result  # solved earlier in this process, the same scenario again below
    second = bestshore.solve("scenarios/demo.yaml")
    assert first.to_json(with_timing=False) == second.to_json(with_timing=False)
    first.to_excel(tmp_path / "a.xlsx")
    second.to_excel(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    written = first.to_csv(tmp_path / "csv")
    assert {p.name for p in written} >= {"allocation.csv", "kpis.csv", "sites.csv"}
    assert not list(tmp_path.glob("**/*.tmp"))


def test_cli_verify_saved_result(demo_json: str, tmp_path: Path) -> None:
    runner = CliRunner()
    saved = tmp_path / "result.json"
    saved.write_text(demo_json)
    ok = runner.invoke(app, ["verify", "scenarios/demo.yaml", str(saved)])
    assert ok.exit_code == 0, ok.output
    assert "every rule holds" in ok.stdout
    # The same plan checked against a scenario without the offshore sites is not its
    # result: one line, exit 4 (issue 14), not the flood of broken rules (exit 3).
    bad = runner.invoke(app, ["verify", "scenarios/demo-no-offshore.yaml", str(saved)])
    assert bad.exit_code == 4
    assert bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    assert "is not a result of scenarios/demo-no-offshore.yaml" in bad.stderr
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
    assert json.loads(done.stdout)["status"] == "feasible"


def test_transition_variant_prices_switching_costs_in_the_report() -> None:
    from bestshore.views.report import render_report

    result = bestshore.solve("scenarios/demo-transition.yaml")
    lines = result.breakdown[result.breakdown["dimension"] == "fixed_cost"].set_index("key")
    one_off = lines[lines.index.str.startswith(("setup:", "transition:"))]["cost"]
    assert len(one_off) > 0 and (one_off > 0).all()
    # Poitiers (in-house) pays 30,000 EUR over 3 years per FTE of today's work moved,
    # call type by call type.
    today = bestshore.load_scenario("scenarios/demo-transition.yaml").incumbent["poitiers"]
    assert today == {"n1_billing": 86, "n2_escalation": 39, "bo_claims": 16}
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


# Issue 15, point 9: invalid changes made in code to a loaded scenario come back as one-line
# ScenarioError, whether caught as they are made (assignment) or on the next solve (a list
# or mapping changed in place); never as pydantic's multi-line ValidationError.
def _assign(path: str, value: object) -> Any:
    def change(s: bestshore.Scenario) -> None:
        *parents, name = path.split(".")
        node: Any = s
        for part in parents:
            node = node[int(part)] if part.isdigit() else getattr(node, part)
        setattr(node, name, value)

    return change


IN_PLACE_CHANGES: dict[str, Any] = {
    "vendor cap above 1": _assign("policies.max_vendor_share", 2),
    "negative volume": _assign("call_types.0.volume", -5),
    "denormal AHT": _assign("call_types.0.aht_seconds", 5e-324),
    "huge volume": _assign("call_types.0.volume", 1e300),
    "NaN price": _assign("sites.0.cost_per_hour", float("nan")),
    "lowercase country": _assign("sites.0.country", "france"),
    "unknown level": _assign("call_types.0.level", "N9"),
    "bad proficiency": _assign("sites.0.languages", {"fr": "C9"}),
    "not a Monday": _assign("settings.reference_week", dt.date(2026, 1, 13)),
    "two capacities": _assign("sites.0.capacity_fte", 5.0),
    "name not text": _assign("name", 12),
    "bad currency": _assign("market.currency", "euro"),
    "bad service level": _assign("call_types.0.service_level", {"target": 2}),
    "unknown field": _assign("sites.0.cost_per_hr", 3.0),
    "junk call type appended": lambda s: s.call_types.append("junk"),
    "duplicate site appended": lambda s: s.sites.append(s.sites[0]),
    "language share set to 7": lambda s: s.call_types[0].languages.__setitem__("fr", 7),
    "rate for an unknown call type": lambda s: s.sites[0].rates.__setitem__("n9", 10.0),
    "unknown vendor excluded": lambda s: s.policies.excluded_vendors.append("nobody"),
    "bad language code": lambda s: s.sites[0].languages.__setitem__("FRA", "native"),
    "all sites removed": lambda s: s.sites.clear(),
    "negative incumbent": lambda s: s.incumbent.__setitem__("paris", {"n1": -1.0}),
    "10,000 sites": lambda s: s.sites.extend([s.sites[0]] * 10_000),
}


@pytest.mark.parametrize("change", IN_PLACE_CHANGES.values(), ids=list(IN_PLACE_CHANGES))
def test_invalid_changes_in_code_give_one_line_scenario_errors(change: Any) -> None:
    from pydantic import ValidationError

    scenario = bestshore.scenario.parse_scenario(tiny())
    with pytest.raises(bestshore.ScenarioError) as caught:
        change(scenario)
        scenario.revalidated()  # what solve() and Workbench() do first
    assert not isinstance(caught.value, ValidationError)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 500, message


def test_workbench_changes_give_one_line_scenario_errors() -> None:
    bench = bestshore.Workbench(bestshore.scenario.parse_scenario(tiny()), check=False)
    changes = [
        (lambda: bench.set_rate("paris", -1.0), "site paris: cost_per_hour: must be >= 0"),
        (lambda: bench.set_capacity("paris", 1e308), "must be <= 3e+08, got 1e+308"),
        (lambda: bench.set_vendor_cap("va", 2.0), "vendor va: max_share: must be <= 1"),
        (lambda: bench.set_rate("paris", float("nan")), "must be a finite number"),
    ]
    for change, fragment in changes:
        with pytest.raises(bestshore.ScenarioError) as caught:
            change()
        assert "\n" not in str(caught.value) and fragment in str(caught.value)


def test_unknown_call_type_or_site_is_a_clear_error() -> None:
    # Issue 14: was a bare StopIteration.
    scenario = bestshore.scenario.parse_scenario(tiny())
    with pytest.raises(
        bestshore.ScenarioError,
        match=r"unknown call type 'n11' \(did you mean 'n1'\? call types: n1\)",
    ):
        scenario.call_type("n11")
    with pytest.raises(bestshore.ScenarioError, match=r"unknown site 'x' \(sites: paris, rabat\)"):
        scenario.site("x")
    assert scenario.call_type("n1").id == "n1"


def test_indicative_cost_warning_only_when_the_fallback_is_used() -> None:
    # Issue 14: "using GB's indicative nan EUR/h" for a site whose rate card covers all.
    data = tiny()
    london = {**data["sites"][0], "id": "london", "country": "GB", "city": "London"}
    london.pop("cost_per_hour")
    london["rates"] = {"n1": 10.0}  # the cheapest: it takes the work, at its card's rate
    data["sites"].append(london)
    result = bestshore.solve(bestshore.scenario.parse_scenario(data))
    assert result.sites.set_index("site").loc["london", "fte"] > 0
    assert not any("indicative" in w or "nan" in w for w in result.warnings), result.warnings
    # A French site without price or card does use the country's figure: warned, in figures.
    data = tiny()
    data["sites"][1].pop("cost_per_hour")
    data["sites"][1]["country"] = "FR"
    data["sites"][0]["cost_per_hour"] = 1000.0  # so that Rabat takes the work
    result = bestshore.solve(bestshore.scenario.parse_scenario(data))
    (warning,) = [w for w in result.warnings if "indicative" in w]
    assert "site rabat: no cost_per_hour given; using FR's indicative" in warning
    assert "nan" not in warning and warning.endswith("for n1")
