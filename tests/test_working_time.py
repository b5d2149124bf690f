"""Paid hours per FTE: the site's own, else the scenario's setting, else its country's.

The tiny scenario sends all its 3,000 productive hours to Rabat (15 EUR/h against Paris's
30) with shrinkage 0, so Rabat's FTE are 3,000 / its annual hours per FTE. Morocco's
bundled figure is 44 h x 52.18 - (18 leave days + 13 holidays) x 8.8 h = 2,023 h;
France's is the 1,607 h its law states.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import fte_at, solve_dict, tiny

import bestshore
from bestshore.scenario import ScenarioError, parse_scenario

MOROCCO = 2023.0
FRANCE = 1607.0


def _tiny_by_country(**site_hours: float) -> dict[str, Any]:
    """tiny() without settings.annual_hours_per_fte, with the given sites' own figures."""
    data = tiny()
    del data["settings"]["annual_hours_per_fte"]
    for site in data["sites"]:
        if site["id"] in site_hours:
            site["annual_hours_per_fte"] = site_hours[site["id"]]
    return data


def _hours(result: bestshore.Result, site: str) -> float:
    return float(result.sites.set_index("site").at[site, "annual_hours_per_fte"])


def test_country_figure_applies_when_nothing_is_set() -> None:
    result = solve_dict(_tiny_by_country())  # solve_dict also runs the checker
    assert result.total_cost == pytest.approx(45_000)  # hours and prices do not change
    assert fte_at(result, "rabat") == pytest.approx(3000 / MOROCCO)
    assert _hours(result, "rabat") == MOROCCO
    assert _hours(result, "paris") == FRANCE


def test_settings_beat_the_country_figure() -> None:
    result = solve_dict(tiny())  # settings.annual_hours_per_fte = 1000
    assert fte_at(result, "rabat") == pytest.approx(3.0)
    assert _hours(result, "rabat") == 1000 and _hours(result, "paris") == 1000


def test_site_beats_settings() -> None:
    data = tiny()
    data["sites"][1]["annual_hours_per_fte"] = 1500
    result = solve_dict(data)
    assert fte_at(result, "rabat") == pytest.approx(2.0)
    assert _hours(result, "rabat") == 1500 and _hours(result, "paris") == 1000


def test_site_beats_the_country_figure() -> None:
    result = solve_dict(_tiny_by_country(rabat=1500))
    assert fte_at(result, "rabat") == pytest.approx(2.0)
    assert _hours(result, "rabat") == 1500 and _hours(result, "paris") == FRANCE


def test_capacity_in_fte_and_price_per_fte_month_use_the_site_figure() -> None:
    data = _tiny_by_country()
    rabat = data["sites"][1]
    del rabat["capacity_hours"], rabat["cost_per_hour"]
    rabat["capacity_fte"] = 1  # 1 x 2,023 h x (1 - 0) = 2,023 productive h a year
    rabat["price_per_fte_month"] = MOROCCO  # 12 x 2,023 / 2,023 h = 12 EUR/h
    result = solve_dict(data)
    # Rabat fills at 12 EUR/h, Paris takes the other 977 h at 30 EUR/h.
    assert result.total_cost == pytest.approx(2023 * 12 + 977 * 30)
    assert fte_at(result, "rabat") == pytest.approx(1.0)
    assert fte_at(result, "paris") == pytest.approx(977 / FRANCE)


def test_no_figure_anywhere_is_a_one_line_error_naming_site_and_field() -> None:
    data = _tiny_by_country()
    data["sites"][1]["country"] = "MG"  # bestshore bundles no figure for Madagascar
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("<scenario> sites[1].annual_hours_per_fte: site 'rabat'")
    assert "Madagascar (MG)" in message and "settings.annual_hours_per_fte" in message
    data["sites"][1]["annual_hours_per_fte"] = 1800  # the fix the message asks for
    assert fte_at(solve_dict(data), "rabat") == pytest.approx(3000 / 1800)


def test_no_figure_error_points_to_the_file_and_site(tmp_path: Path) -> None:
    data = _tiny_by_country()
    data["sites"][1]["country"] = "SR"
    path = tmp_path / "suriname.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as caught:
        bestshore.load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    assert "sites[1].annual_hours_per_fte: site 'rabat' is in Suriname (SR)" in message


def test_checker_re_derives_the_figure() -> None:
    data = _tiny_by_country()
    result = solve_dict(data)
    # Judged under settings of 1,000 h per FTE, the same plan's FTE are wrong.
    other = dict(data, settings=dict(data["settings"], annual_hours_per_fte=1000))
    problems = bestshore.verify(parse_scenario(other), result)
    assert any("FTE is" in p for p in problems), problems


def test_checker_catches_fte_at_the_wrong_figure() -> None:
    scenario = parse_scenario(_tiny_by_country())
    result = bestshore.solve(scenario)
    assert bestshore.verify(scenario, result) == []
    staffing = result.staffing.copy()
    at_rabat = staffing["site"] == "rabat"
    staffing.loc[at_rabat, "fte"] *= MOROCCO / FRANCE  # as if Rabat worked French hours
    problems = bestshore.verify(scenario, dataclasses.replace(result, staffing=staffing))
    # The rows' FTE, and the allocation, sites and KPIs summing them, no longer add up.
    assert any(p.startswith("n1/fr at rabat") and "FTE is" in p for p in problems), problems
    assert not any("paris" in p for p in problems), problems
    sites = result.sites.copy()
    sites.loc[sites["site"] == "rabat", "annual_hours_per_fte"] = FRANCE
    problems = bestshore.verify(scenario, dataclasses.replace(result, sites=sites))
    assert "site rabat: 1,607.0 paid hours per FTE reported, 2,023.0 expected" in problems
    assert all("rabat" in p for p in problems), problems
