"""Loading scenarios: inheritance, located errors, hours, shores, reference data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import tiny

import bestshore
from bestshore.model.inputs import shore_of
from bestshore.scenario import ScenarioError, parse_scenario
from bestshore.scenario.hours import HoursError, covered_market_hours, parse_hours
from bestshore.scenario.reference import countries

WINTER = dt.date(2026, 1, 12)
SUMMER = dt.date(2026, 7, 13)


def test_demo_loads_with_realistic_content() -> None:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    levels = {str(c.level) for c in scenario.call_types}
    assert levels == {"N1", "N2", "back_office", "multilingual"}
    assert len(scenario.sites) >= 10 and len(scenario.vendors) >= 3
    shores = {shore_of("FR", s.country, WINTER) for s in scenario.sites}
    assert shores == {"inshore", "nearshore", "offshore"}


def test_inheritance_merges_by_id_and_drops(tmp_path: Path) -> None:
    variant = bestshore.load_scenario("scenarios/demo-no-offshore.yaml")
    base = bestshore.load_scenario("scenarios/demo.yaml")
    assert {s.id for s in base.sites} - {s.id for s in variant.sites} == {
        "dakar",
        "antananarivo",
        "port-louis",
        "paramaribo",
    }
    assert variant.site("lisbon").capacity_fte == 90
    assert variant.site("lisbon").cost_per_hour == base.site("lisbon").cost_per_hour
    assert variant.call_types == base.call_types
    n2 = bestshore.load_scenario("scenarios/demo-n2-nearshore.yaml").call_type("n2_escalation")
    assert str(n2.min_proficiency) == "C2" and n2.volume == base.call_type("n2_escalation").volume


def test_error_in_child_points_to_child_line(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(Path("scenarios/demo.yaml").read_text())
    (tmp_path / "child.yaml").write_text(
        "base: base.yaml\nname: child\nsites:\n  - id: lisbon\n    capacity_fte: -3\n"
    )
    with pytest.raises(ScenarioError) as caught:
        bestshore.load_scenario(tmp_path / "child.yaml")
    assert str(caught.value) == (
        f"{tmp_path / 'child.yaml'}:5 sites[3].capacity_fte: must be >= 0, got -3 "
        "(valid: >= 0 and <= 100000)"
    )


def test_error_inherited_from_base_points_to_base_line(tmp_path: Path) -> None:
    text = Path("scenarios/demo.yaml").read_text().replace("volume: 500000", "volume: -1")
    (tmp_path / "base.yaml").write_text(text)
    (tmp_path / "child.yaml").write_text("base: base.yaml\nname: child\n")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "volume: -1" in t)
    with pytest.raises(ScenarioError, match=rf"base.yaml:{line} call_types\[1\].volume"):
        bestshore.load_scenario(tmp_path / "child.yaml")


def test_errors_in_code_changes_name_the_field() -> None:
    scenario = parse_scenario(tiny())
    with pytest.raises(ScenarioError) as caught:  # one line, not pydantic's several
        scenario.call_types[0].volume = -1
    assert str(caught.value) == (
        "<scenario>: CallType.volume: must be >= 0, got -1 (valid: >= 0 and <= 1e+09)"
    )
    scenario.sites[0].vendor = "nobody"
    with pytest.raises(ScenarioError, match=r"sites\[0\].vendor: unknown vendor 'nobody'"):
        bestshore.solve(scenario)


def test_hours_notation() -> None:
    week = parse_hours({"mon-fri": "08:00-20:00", "sat": ["09:00-12:00", "14:00-18:00"]})
    assert week.sum() == (5 * 12 + 3 + 4) * 4
    night = parse_hours({"sun": "22:00-06:00"})  # Sunday night wraps to Monday morning
    assert night[: 6 * 4].all() and night[-2 * 4 :].all() and night.sum() == 8 * 4
    assert parse_hours("24/7").all()
    with pytest.raises(HoursError, match="empty"):
        parse_hours({"mon": "08:00-08:00"})
    with pytest.raises(HoursError, match="minutes 00, 15, 30 or 45"):
        parse_hours({"mon": "08:10-09:00"})


def test_time_zone_conversion_follows_dst() -> None:
    # Casablanca office 09:00-18:00 local. In January 2026 Morocco is UTC+1 like Paris;
    # in July Paris is UTC+2 and Morocco UTC+1, so the office covers 10:00-19:00 Paris.
    local = parse_hours({"mon": "09:00-18:00"})
    winter = covered_market_hours(local, "Africa/Casablanca", "Europe/Paris", WINTER)
    summer = covered_market_hours(local, "Africa/Casablanca", "Europe/Paris", SUMMER)
    assert np.flatnonzero(winter).tolist() == list(range(9, 18))
    assert np.flatnonzero(summer).tolist() == list(range(10, 19))
    # India (+05:30, 4h30 ahead of Paris in winter): 09:00-18:00 IST = 04:30-13:30 Paris,
    # so only the whole Paris hours 05:00-13:00 are covered.
    india = covered_market_hours(local, "Asia/Kolkata", "Europe/Paris", WINTER)
    assert np.flatnonzero(india).tolist() == list(range(5, 13))


def test_shore_rule_from_france() -> None:
    near = {"PT", "ES", "RO", "BG", "MA", "TN", "DZ"}
    far = {"SN", "CI", "MG", "MU", "ZA", "EG", "PH", "IN", "SR", "CO"}
    for code in near:
        assert shore_of("FR", code, WINTER) == "nearshore", code
    for code in far:
        assert shore_of("FR", code, WINTER) == "offshore", code
    assert shore_of("FR", "FR", WINTER) == "inshore"
    assert shore_of("FR", "EG", WINTER, {"EG": "nearshore"}) == "nearshore"


def test_reference_data_has_sources_for_every_figure() -> None:
    table = countries()
    assert len(table) >= 20
    required = {
        "FR",
        "PT",
        "ES",
        "RO",
        "BG",
        "PL",
        "MA",
        "TN",
        "SN",
        "CI",
        "MG",
        "MU",
        "ZA",
        "EG",
        "SR",
        "PH",
        "IN",
    }
    assert required <= set(table.index)
    costed = table.dropna(subset=["agent_cost_eur_per_hour"])
    assert costed["cost_source"].notna().all() and costed["cost_year"].notna().all()
    assert costed["cost_basis"].notna().all()
    assert table["legal_source"].notna().all() and table["legal_year"].notna().all()
    # The EC adequacy list holds none of the offshore hubs of the sourced rows
    # (tests/test_world.py checks the whole list).
    hubs = table.dropna(subset=["languages_source"])
    assert set(hubs.index[hubs["eu_adequacy"]]) == {"GB", "CA"}
    sources = Path("bestshore/data/SOURCES.md").read_text()
    keys = set(table["cost_source"].dropna()) | {
        k for v in table["languages_source"].dropna() for k in v.split(";")
    }
    for key in keys | set(table["legal_source"]):
        assert f"| {key} |" in sources, key


def test_bundled_working_time_carries_its_source_and_follows_the_formula() -> None:
    table = countries()
    sources = Path("bestshore/data/SOURCES.md").read_text()
    hours = table.dropna(subset=["annual_hours_per_fte"])
    assert {"FR", "PT", "ES", "RO", "BG", "PL", "MA"} <= set(hours.index)
    for column in ("hours_basis", "hours_source", "hours_year"):
        assert hours[column].notna().all(), column
    assert hours["hours_year"].str.fullmatch(r"20\d\d").all()
    for key in set(hours["hours_source"]):
        assert f"| {key} |" in sources, key
    # A row without a figure carries no source for one, and SOURCES.md names it as unsourced.
    empty = table[table["annual_hours_per_fte"].isna()]
    assert empty[["hours_basis", "hours_source", "hours_year"]].isna().all().all()
    # Rows with sourced figures (tools/countries_sourced.csv) are named one by one; the
    # others, taken from packages only, are covered by SOURCES.md's general statement.
    unsourced = sources.split("No bundled `annual_hours_per_fte`")[1]
    for name in empty.dropna(subset=["languages_source"])["name"]:
        assert name in unsourced, name
    assert "every other country" in unsourced
    assert hours.at["FR", "annual_hours_per_fte"] == 1607  # Code du travail, art. L3121-41
    # weekly h x 52.18 - (leave days + public holidays) x weekly h / 5, rounded to the hour
    derived = hours.drop(index="FR")
    for code, row in derived.iterrows():
        parts = re.fullmatch(
            r"([\d.]+) h/wk; ([\d.]+) leave days \+ (\d+) public holidays", row["hours_basis"]
        )
        assert parts is not None, (code, row["hours_basis"])
        weekly, leave, holidays = (float(p) for p in parts.groups())
        expected = weekly * 52.18 - (leave + holidays) * weekly / 5
        assert row["annual_hours_per_fte"] == round(expected), code
    assert hours.at["MA", "annual_hours_per_fte"] == 2023  # 44 x 52.18 - 31 x 8.8
