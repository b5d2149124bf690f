"""The checker cannot be fooled: every field of a result it checks, tampered, is caught.

The fields are enumerated from the result itself (``Result.to_dict``: every scalar,
every KPI, market and stamp entry, every column of every table), not from a hand list,
so a field added later is tampered too; only those :data:`bestshore.verify.UNCHECKED`
names (with its reason) are left out. Each tamper goes through the JSON form, as a
faked ``result.json`` would: a result is caught when :meth:`Result.from_dict` refuses it
or :func:`bestshore.verify` names a problem.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bestshore
from bestshore.cli import EXIT_OTHER_SCENARIO, app
from bestshore.result import Result
from bestshore.verify import UNCHECKED, identity_problems, scenario_hash

TABLES = ("allocation", "sites", "breakdown", "constraints", "staffing", "shifts", "months",
          "month_shifts", "labels", "inputs")  # fmt: skip
SECTIONS = ("kpis", "market", "stamp")
SCALARS = ("scenario", "status", "currency", "total_cost")

Solved = tuple[bestshore.Scenario, dict[str, Any]]


@pytest.fixture(scope="session")
def demo() -> Solved:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    return scenario, json.loads(bestshore.solve(scenario).to_json())


@pytest.fixture(scope="session")
def roster() -> Solved:  # about 20 s: solved once per session
    scenario = bestshore.load_scenario("scenarios/demo-roster.yaml")
    return scenario, json.loads(bestshore.solve(scenario).to_json())


def fields(doc: dict[str, Any]) -> list[str]:
    """Every field of a result document: ``scenario``, ``kpis.total_fte``,
    ``staffing.share``, ``warnings``..., tables only where they have rows."""
    found = [name for name in SCALARS if name in doc]
    found += [f"{section}.{key}" for section in SECTIONS for key in doc.get(section, {})]
    for table in TABLES:
        rows = doc.get(table) or []
        found += [f"{table}.{column}" for column in dict.fromkeys(c for r in rows for c in r)]
    found += ["warnings"]
    unknown = set(doc) - set(SCALARS) - set(SECTIONS) - set(TABLES) - {"warnings"}
    assert not unknown, f"the result has parts this test does not enumerate: {unknown}"
    return found


def _changed(value: Any, others: list[Any]) -> Any:
    """One tampered value: numbers x10 (or 1 for a zero or missing number), booleans
    flipped, text replaced by another value of the same column (or marked)."""
    if isinstance(value, bool):
        return not value
    if value is None or isinstance(value, (int, float)):
        return 1.0 if not value else value * 10
    if isinstance(value, str):
        other = next((o for o in others if isinstance(o, str) and o != value), None)
        return other if other is not None else value + "-tampered"
    return "tampered"


def tampered(doc: dict[str, Any], field: str, rows: str | None = None) -> dict[str, Any]:
    """``doc`` with ``field`` changed once. In a table, the row changed is the one with
    the largest number in the column (a change that matters), else the first; with
    ``rows`` (a site id), among the rows at that site where there are some."""
    out = copy.deepcopy(doc)
    part, _, name = field.partition(".")
    if part in SCALARS:
        out[part] = _changed(out[part], [])
    elif part in SECTIONS:
        out[part][name] = _changed(out[part][name], [])
    elif part == "warnings":
        out["warnings"] = [*out["warnings"], "tampered"]
    else:
        table = out[part]
        here = [r for r in table if rows is None or r.get("site") == rows] or table
        numbers = [r for r in here if isinstance(r.get(name), (int, float)) and r.get(name)]
        if numbers and not isinstance(numbers[0][name], bool):
            row = max(numbers, key=lambda r: abs(r[name]))
        else:
            row = next((r for r in here if name in r), here[0])
        row[name] = _changed(row.get(name), [r.get(name) for r in table])
    return out


def caught(scenario: bestshore.Scenario, doc: dict[str, Any]) -> list[str]:
    try:
        result = Result.from_dict(doc)
    except (ValueError, KeyError, TypeError) as exc:
        return [f"refused: {exc}"]
    try:
        return bestshore.verify(scenario, result)
    except Exception:  # a checker that crashes on a fake is not catching it
        return []


def _checked(doc: dict[str, Any]) -> Iterator[str]:
    return (f for f in fields(doc) if f not in UNCHECKED and f.partition(".")[0] not in UNCHECKED)


def test_the_untampered_results_pass(demo: Solved, roster: Solved) -> None:
    for scenario, doc in (demo, roster):
        assert caught(scenario, doc) == []
        assert doc["stamp"]["scenario_hash"] == scenario_hash(scenario)  # model's == checker's


def test_every_unchecked_name_is_a_field(roster: Solved) -> None:
    # A field (``stamp.gap``) or a whole part (``inputs``: every column of it).
    named = set(fields(roster[1]))
    named |= {f.partition(".")[0] for f in named}
    assert set(UNCHECKED) <= named, set(UNCHECKED) - named


@pytest.mark.slow  # 106 verifies of the demo, over a minute: `make test-slow`
def test_every_field_of_the_demo_is_checked(demo: Solved) -> None:
    scenario, doc = demo
    tried = list(_checked(doc))
    missed = [f for f in tried if not caught(scenario, tampered(doc, f))]
    print(f"demo: {len(tried)} fields tampered, {len(tried) - len(missed)} caught")
    assert len(tried) > 100 and missed == [], missed


ROSTERED_TABLES = ("shifts", "month_shifts", "months", "breakdown", "constraints", "kpis")


@pytest.mark.slow  # 61 verifies of demo-roster, about 2 minutes: `make test-slow`
def test_every_roster_field_is_checked(roster: Solved) -> None:
    # The tables a roster changes, every field; a rostered site's rows (Lille) elsewhere.
    scenario, doc = roster
    assert doc["shifts"] and doc["month_shifts"]
    site = doc["shifts"][0]["site"]
    tried = [f for f in _checked(doc) if f.partition(".")[0] in ROSTERED_TABLES]
    tried += ["staffing.share", "staffing.agents", "staffing.roster_agents", "allocation.fte"]
    missed = [f for f in tried if not caught(scenario, tampered(doc, f, rows=site))]
    print(f"demo-roster: {len(tried)} fields tampered, {len(tried) - len(missed)} caught")
    assert missed == [], missed


@pytest.mark.slow
def test_every_field_of_the_roster_is_checked(roster: Solved) -> None:
    scenario, doc = roster
    site = doc["shifts"][0]["site"]
    tried = list(_checked(doc))
    missed = [f for f in tried if not caught(scenario, tampered(doc, f, rows=site))]
    assert missed == [], missed


# --- the faked plans of issue 15, point 5 ------------------------------------------------


def _scale_rows(doc: dict[str, Any], site: str, factor: float) -> None:
    """Scale a site's staffing and allocation (shares, work, agents, costs) by
    ``factor``, and every total after them, so the sums still add up."""
    columns = ("share", "calls", "handle_hours", "agents_lp", "agents", "roster_agents",
               "fte", "annual_hours", "cost")  # fmt: skip
    for row in doc["staffing"]:
        if row["site"] == site:
            for column in columns:
                row[column] *= factor
    for row in doc["allocation"]:
        if row["site"] == site:
            for column in ("share", "volume", "productive_hours", "fte", "cost"):
                row[column] *= factor
    total = sum(r["cost"] for r in doc["allocation"]) + doc["kpis"]["fixed_cost"]
    doc["kpis"]["total_cost"] = doc["total_cost"] = doc["stamp"]["exact_cost"] = total


def _negative_marrakech(doc: dict[str, Any]) -> None:
    _scale_rows(
        doc,
        "marrakech",
        -0.147 / max(r["share"] for r in doc["staffing"] if r["site"] == "marrakech"),
    )


def _set(path: str, value: Any) -> Any:
    def apply(doc: dict[str, Any]) -> None:
        section, _, key = path.partition(".")
        if key:
            doc[section][key] = value(doc[section][key]) if callable(value) else value
        else:
            doc[section] = value(doc[section]) if callable(value) else value

    return apply


def _both(*changes: Any) -> Any:
    def apply(doc: dict[str, Any]) -> None:
        for change in changes:
            change(doc)

    return apply


def _tables(table: str, column: str, change: Any) -> Any:
    def apply(doc: dict[str, Any]) -> None:
        for row in doc[table]:
            row[column] = change(row[column], row)

    return apply


FAKES = {
    "Marrakech share -0.147": _negative_marrakech,
    "kpis.total_fte x10": _set("kpis.total_fte", lambda v: v * 10),
    "CSAT 99": _set("kpis.csat", 99.0),
    "offshore share 0": _set("kpis.offshore_share", 0.0),
    "cost per contact /10": _set("kpis.cost_per_contact", lambda v: v / 10),
    "sites_used 1": _set("kpis.sites_used", 1),
    "status infeasible": _set("status", "infeasible"),
    "another currency": _set("currency", "USD"),
    "another scenario name": _set("scenario", "demo-no-offshore"),
    "allocation volume x10": _tables("allocation", "volume", lambda v, r: v * 10),
    "allocation FTE x10": _tables("allocation", "fte", lambda v, r: v * 10),
    "a swapped allocation site": _tables(
        "allocation", "site", lambda v, r: "lille" if v == "bucharest" else v
    ),
    "a relabelled shore": _tables(
        "allocation", "shore", lambda v, r: "inshore" if v == "offshore" else v
    ),
    "an emptied constraints table": _set("constraints", []),
    "another scenario's hash": _set("stamp.scenario_hash", "0" * 64),
    # What is proven (issue 13): a heuristic plan claimed optimal, its gap hidden, a bound
    # above its own cost.
    "claimed optimal with its 4.8 % gap": _both(
        _set("status", "optimal"), _set("stamp.status", "optimal")
    ),
    "its gap hidden": _set("stamp.gap", 0.0),
    "no gap although bounded": _set("stamp.gap", None),
    "a bound above its cost": _set("stamp.lower_bound", lambda v: v * 1.2),
    "a looser tolerance than the scenario's": _set("stamp.gap_tolerance", 0.5),
    "another amortization term": _set("stamp.amortization_years", 5.0),
}


@pytest.mark.parametrize("fake", list(FAKES))
def test_the_faked_plans_of_the_issue_are_caught(demo: Solved, fake: str) -> None:
    scenario, doc = demo
    faked = copy.deepcopy(doc)
    FAKES[fake](faked)
    assert caught(scenario, faked), fake


def test_a_result_of_another_scenario_is_an_identity_problem(demo: Solved) -> None:
    scenario, doc = demo
    other = bestshore.load_scenario("scenarios/demo-no-offshore.yaml")
    problems = identity_problems(other, Result.from_dict(doc))
    assert problems and problems[0].startswith("the result is of scenario b"[:24])
    assert identity_problems(scenario, Result.from_dict(doc)) == []


def test_verify_of_another_scenarios_result_says_so_in_one_line(
    demo: Solved, tmp_path: Path
) -> None:
    _, doc = demo
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    runner = CliRunner()
    own = runner.invoke(app, ["verify", "scenarios/demo.yaml", str(path)])
    assert own.exit_code == 0, own.output
    other = runner.invoke(app, ["verify", "scenarios/demo-no-offshore.yaml", str(path)])
    assert other.exit_code == EXIT_OTHER_SCENARIO == 4, other.output
    lines = other.output.strip().splitlines()
    assert len(lines) == 1 and "is not a result of scenarios/demo-no-offshore.yaml" in lines[0]
    faked = copy.deepcopy(doc)
    faked["kpis"]["csat"] = 99.0
    path.write_text(json.dumps(faked), encoding="utf-8")
    broken = runner.invoke(app, ["verify", "scenarios/demo.yaml", str(path)])
    assert broken.exit_code == 3 and "KPI csat is 99.0" in broken.output


def test_a_roster_row_dropped_or_read_off_the_lp_is_caught(roster: Solved) -> None:
    # The rostered demo's limits table: an hour whose shifts fill the seats left out,
    # and a site said to roster every paid hour of its capacity (the LP's fractional
    # roster's figure) while its shifts pay far fewer.
    scenario, doc = roster
    seated = [i for i, r in enumerate(doc["constraints"]) if r["family"] == "shift_seats"]
    assert seated
    dropped = copy.deepcopy(doc)
    del dropped["constraints"][seated[0]]
    assert any("not listed" in p for p in caught(scenario, dropped))
    claimed = copy.deepcopy(doc)
    row = dict(claimed["constraints"][seated[0]])
    site = row["key"].split(",")[0]
    paid = sum(s["paid_hours"] for s in doc["shifts"] if s["site"] == site)
    row.update(family="shift_capacity", key=site, used=paid * 3, limit=paid * 3, binding=True)
    claimed["constraints"].append(row)
    assert any(f"shift_capacity/{site}" in p for p in caught(scenario, claimed))
