"""The files a solve writes: complete, offline, deterministic, and all or nothing."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from conftest import tiny
from png import read_png
from typer.testing import CliRunner

import bestshore
from bestshore.cli import app
from bestshore.scenario import parse_scenario
from bestshore.views import export, outputs

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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
    # Staffed hour by hour: no roster chart, no roster section.
    assert result.shifts.empty
    assert not [name for name in names if name.startswith("roster.")]
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
    assert "Teams and shifts" not in report and "agent-shifts" not in report
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

    def broken(spec: object) -> str:
        raise RuntimeError("renderer crashed")

    # the SVG renderer of every chart's spec (bestshore.views.export.render_formats)
    monkeypatch.setitem(export._RENDERERS, "svg", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        outputs.write_outputs(result, scenario, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- a roster in whole shifts -------------------------------------------------------------


def _rostered(two_sites: bool) -> dict[str, Any]:
    """tiny() with flat arrivals, in shifts of 4, 6 or 8 h (all work at Rabat, 8 h shifts).

    ``two_sites``: the day runs 08:00-19:00 and Rabat takes at most 1,500 h a year, so
    Paris works too and the 11-hour day needs short shifts; the sites carry names.
    """
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "flat"
    data["settings"]["roster"] = {"shift_hours": [4, 6, 8]}
    if two_sites:
        data["call_types"][0]["hours"] = {"mon-fri": "08:00-19:00"}
        data["sites"][0]["name"] = "Paris Bercy"
        data["sites"][1]["name"] = "Rabat Agdal"
        data["sites"][1]["capacity_hours"] = 1500
    return data


class _Report(HTMLParser):
    """The report's tiles (label -> value) in each ``<h2>`` section, and its text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, dict[str, str]] = {"": {}}
        self.section = ""
        self.text = ""
        self._tag: str | None = None
        self._label = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._tag == "h2":
            self.section = data
            self.sections[data] = {}
        elif self._tag == "span":
            self._label = data
        elif self._tag == "b" and self._label:
            self.sections[self.section][self._label] = data
            self._label = ""

    def handle_endtag(self, tag: str) -> None:
        self._tag = None


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("two_sites", [False, True], ids=["one-site", "two-sites"])
def test_solve_out_writes_the_roster_and_its_figures(tmp_path: Path, two_sites: bool) -> None:
    path = tmp_path / "rostered.yaml"
    path.write_text(yaml.safe_dump(_rostered(two_sites)), encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["solve", str(path), "--out", str(out)])
    assert run.exit_code == 0, run.output
    for suffix in ("png", "svg", "html"):
        assert (out / f"roster.{suffix}").stat().st_size > 1000
    svg = (out / "roster.svg").read_text(encoding="utf-8")
    svg_texts = ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    texts = [" ".join(t.strip() for t in e.itertext() if t.strip()) for e in svg_texts]
    image = read_png((out / "roster.png").read_bytes())
    n = image.channels
    colours = {row[i : i + n] for row in image.rows for i in range(0, len(row), n * 3)}
    assert image.width > 600 and len(colours) > 20  # not blank
    page = (out / "roster.html").read_text(encoding="utf-8")
    assert "vegaEmbed" in page and "starts_local" in page

    # The figures, from the CSV tables with the csv module.
    shifts = [row for row in _csv(out / "tables" / "shifts.csv") if int(row["agents"]) > 0]
    sites = {row["site"] for row in shifts}
    coverage = [row for row in _csv(out / "tables" / "coverage.csv") if row["site"] in sites]
    allocation = _csv(out / "tables" / "allocation.csv")
    breakdown = _csv(out / "tables" / "breakdown.csv")
    teams = {(r["site"], r["call_type"]) for r in allocation if r["site"] in sites}
    agents = sum(int(row["agents"]) for row in shifts)
    lengths = sorted(
        length for row in shifts for length in [int(row["length_hours"])] * int(row["agents"])
    )
    paid = sum(float(row["paid_hours"]) for row in shifts)
    idle = sum(float(row["idle"]) for row in coverage if row["idle"])
    part_time = sum(int(row["agents"]) for row in shifts if int(row["length_hours"]) < 8)
    on_shift: dict[int, float] = {}
    for row in coverage:
        on_shift[int(row["hour"])] = on_shift.get(int(row["hour"]), 0.0) + float(row["on_shift"])
    peak = max(on_shift.values())
    peak_hour = min(h for h, v in on_shift.items() if v == peak)
    idle_cost = sum(float(r["cost"]) for r in breakdown if r["key"].startswith("idle:"))

    report_text = (out / "report.html").read_text(encoding="utf-8")
    report = _Report(report_text)
    tiles = report.sections["Teams and shifts"]
    assert tiles == {
        "Rostered sites / teams": f"{len(sites)} / {len(teams)}",
        "Shifts / agent-shifts a week": f"{len(shifts)} / {agents}",
        "Shortest / median shift": f"{lengths[0]} h / {lengths[(len(lengths) - 1) // 2]} h",
        "Idle share of paid hours": f"{idle / paid:.0%}",
        "Part-time agent-shifts": f"{part_time / agents:.0%}",
        "Most agents on shift": f"{peak:,.0f} · {DAYS[peak_hour // 24]} {peak_hour % 24:02d}:00",
    }
    assert (
        f"Of {paid:,.0f} paid shift hours a week, {idle:,.0f} are idle, at a cost of "
        f"{idle_cost:,.0f} EUR a year." in report.text
    )
    assert "Times are market time (Europe/Paris)." in report.text
    assert svg in report_text  # the chart itself, inline
    assert "<script" not in report_text
    if two_sites:  # hand-checked: both sites, short shifts, display names on the chart
        assert len(sites) == 2 and 0 < part_time < agents and lengths[0] == 4
        for name in ("Paris Bercy", "Rabat Agdal"):
            assert any(t.startswith(f"{name} ") and "agent-shifts" in t for t in texts)
        assert not any(t.startswith(("paris", "rabat")) for t in texts), "ids, not names"
    else:  # all at Rabat: 2 agents on one 8 h shift each weekday, 80 paid hours a week
        assert tiles["Shifts / agent-shifts a week"] == "5 / 10"
        assert tiles["Shortest / median shift"] == "8 h / 8 h"
        assert tiles["Part-time agent-shifts"] == "0%" and paid == 80
