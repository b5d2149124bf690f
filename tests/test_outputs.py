"""The files a solve writes: complete, offline, deterministic, and all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import tiny
from png import read_png

import bestshore
from bestshore.scenario import parse_scenario
from bestshore.views import outputs


@pytest.fixture(scope="module")
def solved() -> tuple[bestshore.Scenario, bestshore.Result]:
    data = tiny()
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    scenario = parse_scenario(data)
    return scenario, bestshore.solve(scenario)


def test_every_output_is_written(
    solved: tuple[bestshore.Scenario, bestshore.Result], tmp_path: Path
) -> None:
    scenario, result = solved
    written = outputs.write_outputs(result, scenario, tmp_path / "out")
    names = {p.relative_to(tmp_path / "out").as_posix() for p in written}
    for stem in ("map", "fte_by_shore", "cost_by_site", "coverage", "required_vs_staffed"):
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.html"} <= names
    assert {
        "result.json",
        "result.xlsx",
        "report.html",
        "tables/allocation.csv",
        "tables/staffing.csv",
    } <= names
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert doc["total_cost"] == pytest.approx(result.total_cost, rel=1e-8)
    report = (tmp_path / "out" / "report.html").read_text()
    assert "<script" not in report and "http://" not in report.replace("http://www.w3.org", "")
    assert "Hour by hour" in report and f"{result.total_cost / 1e6:,.2f} MEUR" in report
    for stem in ("map", "coverage"):
        image = read_png((tmp_path / "out" / f"{stem}.png").read_bytes())
        assert image.width > 300 and image.height > 150
        n = image.channels
        colours = {row[i : i + n] for row in image.rows for i in range(0, len(row), n * 7)}
        assert len(colours) > 20  # not blank
    assert not list((tmp_path / "out").glob("**/.*.tmp"))


def test_nothing_is_written_when_a_chart_fails(
    solved: tuple[bestshore.Scenario, bestshore.Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, result = solved

    def broken(chart: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setitem(outputs.FORMATS, "svg", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        outputs.write_outputs(result, scenario, tmp_path / "out")
    assert not (tmp_path / "out").exists()
