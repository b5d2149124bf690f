"""A summary result (a Monte Carlo draw's): the same plan and figures as the full result,
the tables of ``SUMMARY_OMITS`` empty, and the checker still catching what it shows."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

import bestshore
from bestshore.examples import lisbon, tiny
from bestshore.result.result import SUMMARY_OMITS, Result
from bestshore.scenario import parse_scenario
from bestshore.workbench import Workbench


def _erlang_case() -> dict[str, Any]:
    """tiny() answered 80 % in 20 s, Rabat held to 2.5 FTE, Lisbon beside it: a plan
    split over two sites, so it has a breakdown, limits rows and coverage to leave out."""
    data = tiny()
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    data["sites"][1].update(capacity_fte=2.5, capacity_hours=None)
    data["sites"].append(lisbon("va", 10_000, 20.0))
    return data


@pytest.fixture(scope="module")
def draws() -> tuple[bestshore.Scenario, Result, Result]:
    data = _erlang_case()
    bench = Workbench(parse_scenario(data))
    bench.solve()
    changed = copy.deepcopy(data)
    changed["call_types"][0]["volume"] *= 1.1
    draw = parse_scenario(changed)
    full = bench.variant(draw, quick=True).result
    summary = bench.variant(draw, quick=True, summary=True).result
    assert full is not None and summary is not None
    return draw, full, summary


def test_a_summary_result_is_the_full_plan_without_its_omitted_tables(
    draws: tuple[bestshore.Scenario, Result, Result],
) -> None:
    draw, full, summary = draws
    assert full.stamp["tables"] == "full" and summary.stamp["tables"] == "summary"
    for name in SUMMARY_OMITS:
        assert not getattr(full, name).empty, name  # the case shows each of them
        table = getattr(summary, name)
        assert table.empty and list(table.columns) == list(getattr(full, name).columns), name
    for name in ("allocation", "sites", "staffing", "requirements", "months", "shifts"):
        pd.testing.assert_frame_equal(getattr(summary, name), getattr(full, name), obj=name)
    assert summary.kpis == full.kpis
    assert summary.total_cost == full.total_cost
    same = {k: v for k, v in full.stamp.items() if k not in ("tables", "wall_seconds")}
    assert {k: summary.stamp[k] for k in same} == same
    assert bestshore.verify(draw, summary) == []
    assert bestshore.verify(draw, full) == []


def _with(result: Result, **changes: Any) -> Result:
    doc = result.to_dict()
    for path, value in changes.items():
        part, _, field = path.partition("__")
        if field:
            doc[part][field] = value
        else:
            doc[part] = value
    return Result.from_dict(doc)


def test_a_table_a_summary_result_carries_is_checked(
    draws: tuple[bestshore.Scenario, Result, Result],
) -> None:
    draw, full, _ = draws
    # a full result relabelled summary keeps its tables: they are checked as before
    relabelled = _with(full, stamp__tables="summary")
    assert bestshore.verify(draw, relabelled) == []
    breakdown = [dict(row) for row in full.to_dict()["breakdown"]]
    breakdown[0]["cost"] = breakdown[0]["cost"] * 0.9
    wrong = _with(full, stamp__tables="summary", breakdown=breakdown)
    assert any("breakdown" in p for p in bestshore.verify(draw, wrong))
    constraints = [dict(row) for row in full.to_dict()["constraints"]]
    constraints[0]["used"] = constraints[0]["used"] * 0.5
    wrong = _with(full, stamp__tables="summary", constraints=constraints)
    assert bestshore.verify(draw, wrong) != []


def test_a_full_result_with_its_tables_emptied_is_caught(
    draws: tuple[bestshore.Scenario, Result, Result],
) -> None:
    draw, _, summary = draws
    emptied = _with(summary, stamp__tables="full")
    problems = bestshore.verify(draw, emptied)
    assert any("breakdown" in p for p in problems), problems
    assert any("constraints" in p or "limits" in p for p in problems), problems
