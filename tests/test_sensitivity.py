"""Sensitivity and break-evens on the tiny scenario, worked out by hand.

``tiny()``: 3,000 productive hours of French N1, Paris at 30 EUR/h, Rabat at 15 EUR/h,
both with room for all of it, staffed by workload (no Erlang): the plan puts all 3,000 h
on the cheaper site, so the annual cost is ``3,000 x min(rate)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import bestshore
from bestshore.analysis.errors import AnalysisError
from bestshore.analysis.sensitivity import (
    Condition,
    Range,
    break_even,
    changed_scenario,
    default_ranges,
    parse_range,
    sensitivity,
    swing_interval,
)
from bestshore.cli import app
from bestshore.scenario import parse_scenario
from bestshore.views.analytics_charts import chart_tornado
from bestshore.views.export import FORMATS
from tests.conftest import tiny
from tests.png import read_png

HOURS = 3000.0


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def capped_rabat() -> dict[str, Any]:
    """tiny() with Rabat capped at 2,000 h: Paris takes the other 1,000 h (a third)
    while Rabat is the cheaper, all 3,000 h once Rabat costs 30 EUR/h or more."""
    data = tiny()
    data["sites"][1]["capacity_hours"] = 2000
    return data


# --- parsing ------------------------------------------------------------------------------------


def test_parse_range_forms() -> None:
    assert parse_range("rate:MA=-20%,+20%") == Range("rate", "MA", -0.2, 0.2)
    assert parse_range("volume=-10%,+5%") == Range("volume", None, -0.1, 0.05)
    assert parse_range("shrinkage:rabat=-5pt,+5pt") == Range("shrinkage", "rabat", -0.05, 0.05)
    fx = parse_range("fx:MAD@MA+TN=-10%,+10%")
    assert fx.countries == ("MA", "TN") and fx.key == "fx:MAD@MA+TN"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("wage:MA=-10%,+10%", "unknown parameter 'wage'"),
        ("rate:MA=-10,+10", "write it with its unit"),
        ("rate:MA=+10%,-10%", "LOW must be below HIGH"),
        ("rate:MA=-10%", "give two changes"),
        ("rate:MA", "KIND[:TARGET]=LOW,HIGH"),
        ("rate:MA=-100%,+10%", "above -100%"),
        ("shrinkage=-5%,+5%", "-5pt"),
        ("fx:MAD=-10%,+10%", "fx:CURRENCY@COUNTRY"),
    ],
)
def test_parse_range_errors(text: str, words: str) -> None:
    with pytest.raises(AnalysisError) as caught:
        parse_range(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_unknown_target_is_refused() -> None:
    scenario = parse_scenario(tiny())
    with pytest.raises(AnalysisError, match="neither a site country"):
        sensitivity(scenario, [parse_range("rate:PT=-10%,+10%")])
    with pytest.raises(AnalysisError, match="not one of the call types"):
        sensitivity(scenario, [parse_range("volume:n9=-10%,+10%")])


def test_defaults_and_changed_scenario() -> None:
    scenario = parse_scenario(tiny())
    assert [r.key for r in default_ranges(scenario)] == [
        "rate:FR", "rate:MA", "volume", "aht", "shrinkage",
    ]  # fmt: skip
    changed = changed_scenario(scenario, parse_range("shrinkage=-5pt,+5pt"), 0.05)
    assert changed.site("rabat").shrinkage == pytest.approx(0.05)
    moved = changed_scenario(scenario, parse_range("fx:MAD@MA=-10%,+10%"), -0.1)
    assert moved.site("rabat").cost_per_hour == pytest.approx(13.5)
    assert moved.site("paris").cost_per_hour == pytest.approx(30.0)


# --- sensitivity by hand ------------------------------------------------------------------------


def test_costs_at_both_ends_by_hand() -> None:
    scenario = parse_scenario(tiny())
    study = sensitivity(
        scenario,
        [
            parse_range("rate:MA=-10%,+10%"),
            parse_range("rate:FR=-10%,+10%"),
            parse_range("volume=-10%,+20%"),
            parse_range("fx:MAD@MA=-10%,+10%"),
        ],
    )
    table = study.table.set_index("parameter")
    assert study.solves == 1 + 2 * 4
    # Rabat takes all 3,000 h: 3,000 x 13.5, x 15, x 16.5.
    ma = table.loc["rate:MA"]
    assert (ma.cost_low, ma.cost_base, ma.cost_high) == pytest.approx((40_500, 45_000, 49_500))
    assert ma.swing == pytest.approx(9_000) and ma.significant
    assert table.loc["fx:MAD@MA"].cost_low == pytest.approx(40_500)
    # Volume +20 %: 3,600 h x 15; -10 %: 2,700 h x 15.
    volume = table.loc["volume"]
    assert (volume.cost_low, volume.cost_high) == pytest.approx((40_500, 54_000))
    # Paris at 27 or 33 EUR/h is still dearer than Rabat: no swing, not significant.
    fr = table.loc["rate:FR"]
    assert (fr.cost_low, fr.cost_high) == pytest.approx((45_000, 45_000))
    assert not fr.significant
    assert set(table[["status_low", "status_base", "status_high"]].to_numpy().ravel()) == {
        "optimal"
    }
    # Widest swing first; names from the labels, not ids.
    assert study.table["parameter"].iloc[0] == "volume"
    assert table.loc["rate:MA", "name"] == "Wages, Morocco"
    assert table.loc["fx:MAD@MA", "name"] == "FX MAD (Morocco)"


def test_swing_within_the_gaps_is_not_significant() -> None:
    # Each end proven within [L, U]: a swing of 100 with 500 of slack is not proven.
    low, high = swing_interval(10_000, 9_500, 10_100, 9_600)
    assert low < 0 < high
    assert swing_interval(10_000, 10_000, 11_000, 11_000) == (1_000, 1_000)


# --- break-evens -----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [tiny(), capped_rabat()], ids=["free", "rabat-capped"])
def test_break_even_rate_by_hand(data: dict[str, Any]) -> None:
    """Paris takes at least half of N1 once Rabat costs as much as Paris: 30 EUR/h,
    Rabat's 15 EUR/h + 100 %."""
    scenario = parse_scenario(data)
    tolerance = 0.001
    found = break_even(
        scenario,
        "rate:MA",
        Condition(site="paris", call_type="n1", share=0.5),
        low=0.0,
        high=2.0,
        tolerance=tolerance,
    )
    assert found.low <= 1.0 <= found.high
    assert found.width <= tolerance
    assert not found.holds_at_low
    low_rate, high_rate = found.values(found.low)["rabat"], found.values(found.high)["rabat"]
    assert low_rate <= 30.0 <= high_rate and high_rate - low_rate <= 15 * tolerance
    # 2 ends + bisections down to the tolerance: ceil(log2(2 / 0.001)) = 11.
    assert found.solves == 2 + 11 == len(found.steps)
    # Checked against solves on both sides of it.
    for rate, paris_hours in ((29.9, 3000 - min(3000, data["sites"][1]["capacity_hours"])),
                              (30.1, 3000)):  # fmt: skip
        changed = parse_scenario(data)
        changed.site("rabat").cost_per_hour = rate
        result = bestshore.solve(changed)
        rows = result.allocation[result.allocation["site"] == "paris"]
        assert float(rows["productive_hours"].sum()) == pytest.approx(paris_hours)


def test_break_even_on_cost_by_hand() -> None:
    # 3,000 h x 15 x (1 + x) = 48,000  =>  x = 1/15.
    found = break_even(
        parse_scenario(tiny()),
        "rate:MA",
        Condition(cost=48_000),
        low=0.0,
        high=0.5,
        tolerance=1e-4,
    )
    assert found.low <= 1 / 15 <= found.high and found.width <= 1e-4
    assert found.to_dict()["values_high"]["rabat"] == pytest.approx(16.0, abs=0.01)


def test_break_even_without_a_flip_says_widen() -> None:
    with pytest.raises(AnalysisError, match=r"at both ends.*widen") as caught:
        break_even(
            parse_scenario(tiny()),
            "rate:MA",
            Condition(site="paris", share=0.5),
            low=0.0,
            high=0.5,
        )
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Condition(site="lyon", share=0.5), "--site 'lyon'"),
        (Condition(site="paris", country="FR", share=0.5), "give one of"),
        (Condition(site="paris", share=1.5), "--share 1.5"),
        (Condition(shore="moon", share=0.5), "--shore 'moon'"),
        (Condition(site="paris", share=0.5, call_type="n9"), "--call-type 'n9'"),
    ],
)
def test_bad_conditions(condition: Condition, words: str) -> None:
    with pytest.raises(AnalysisError, match="break-even") as caught:
        break_even(parse_scenario(tiny()), "rate:MA", condition, low=0.0, high=2.0)
    assert words in str(caught.value)


# --- chart ----------------------------------------------------------------------------------


def test_tornado_chart_has_names_and_renders() -> None:
    study = sensitivity(
        parse_scenario(tiny()),
        [parse_range("rate:MA=-10%,+10%"), parse_range("rate:FR=-10%,+10%")],
    )
    before = study.table.copy()
    chart = chart_tornado(study.table, currency="EUR")
    pd.testing.assert_frame_equal(study.table, before)  # pure
    spec = json.dumps(chart.to_dict())
    assert "Wages, Morocco" in spec and "Wages, France" in spec
    assert "rate:MA" not in spec
    image = read_png(FORMATS["png"](chart))
    assert image.width > 100 and image.height > 100
    assert len({bytes(row) for row in image.rows}) > 10


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_sensitivity_files_read_back(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny())
    out = tmp_path / "out"
    outcome = run(
        "sensitivity", str(scenario), "--out", str(out), "--quiet",
        "--range", "rate:MA=-10%,+10%", "--range", "rate:FR=-10%,+10%",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "Wages, Morocco" in outcome.output and "not significant" in outcome.output
    table = pd.read_csv(out / "sensitivity.csv").set_index("parameter")
    assert table.loc["rate:MA", "cost_high"] == pytest.approx(49_500)
    document = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert document["currency"] == "EUR" and document["solves"] == 5
    assert document["base"]["total_cost"] == pytest.approx(45_000)
    assert {p["parameter"] for p in document["parameters"]} == {"rate:MA", "rate:FR"}
    base = json.loads((out / "base.json").read_text(encoding="utf-8"))
    assert base["total_cost"] == pytest.approx(45_000)
    image = read_png((out / "charts" / "tornado.png").read_bytes())
    assert len({bytes(row) for row in image.rows}) > 10
    assert "Wages, Morocco" in (out / "charts" / "tornado.svg").read_text(encoding="utf-8")
    assert "Wages, Morocco" in (out / "charts" / "tornado.html").read_text(encoding="utf-8")


def test_cli_break_even_json(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", capped_rabat())
    outcome = run(
        "break-even", str(scenario), "--param", "rate:MA", "--site", "paris",
        "--call-type", "n1", "--share", "0.5", "--low", "0%", "--high", "+200%",
        "--tolerance", "0.1%", "--json", "--quiet",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    answer = json.loads(outcome.output)
    assert answer["low"] <= 1.0 <= answer["high"] and answer["width"] <= 0.001
    assert answer["values_low"]["rabat"] <= 30 <= answer["values_high"]["rabat"]
    assert answer["solves"] == len(answer["steps"])
    text = run(
        "break-even", str(scenario), "--param", "rate:MA", "--site", "paris",
        "--call-type", "n1", "--share", "0.5", "--low", "0%", "--tolerance", "10%", "--quiet",
    )  # fmt: skip
    assert text.exit_code == 0 and "break-even in [" in text.output and "EUR" in text.output


@pytest.mark.parametrize(
    "args",
    [
        ["break-even", "--param", "wage:MA", "--site", "paris", "--share", "0.5"],
        ["break-even", "--param", "rate:PT", "--site", "paris", "--share", "0.5"],
        ["break-even", "--param", "rate:MA", "--site", "paris", "--share", "0.5", "--low", "x"],
        ["sensitivity", "--range", "rate:MA=-10%"],
        ["sensitivity", "--range", "aht=+10%,-10%"],
    ],
)
def test_cli_bad_param_or_range_exit_2(tmp_path: Path, args: list[str]) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny())
    command, *rest = args
    extra = ["--out", str(tmp_path / "out")] if command == "sensitivity" else []
    outcome = run(command, str(scenario), *extra, *rest, "--quiet")
    assert outcome.exit_code == 2, outcome.output
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert not (tmp_path / "out").exists()


# --- the scenario's sensitivity section ---------------------------------------------------------


def with_section(*ranges: str) -> dict[str, Any]:
    data = tiny()
    data["sensitivity"] = {"ranges": list(ranges)}
    return data


def test_a_study_runs_from_the_scenario_file(tmp_path: Path) -> None:
    """The file's ranges, no --range: Rabat's rates +-10 % (40,500 / 45,000 / 49,500 EUR)
    and every volume +-20 % (36,000 / 45,000 / 54,000 EUR); --range replaces them."""
    path = write_yaml(tmp_path / "s.yaml", with_section("rate:MA=-10%,+10%", "volume=-20%,+20%"))
    out = tmp_path / "sens"
    done = run("sensitivity", str(path), "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "ranges: from the scenario's sensitivity section" in done.stdout
    table = pd.read_csv(out / "sensitivity.csv").set_index("parameter")
    assert sorted(table.index) == ["rate:MA", "volume"]
    costs = ["cost_low", "cost_base", "cost_high"]
    assert table.loc["rate:MA", costs].tolist() == pytest.approx([40_500, 45_000, 49_500])
    assert table.loc["volume", costs].tolist() == pytest.approx([36_000, 45_000, 54_000])
    doc = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert doc["ranges_from"] == "scenario"
    again = tmp_path / "again"
    done = run("sensitivity", str(path), "--out", str(again), "--range", "rate:FR=-10%,+10%")
    assert done.exit_code == 0, done.output
    assert list(pd.read_csv(again / "sensitivity.csv")["parameter"]) == ["rate:FR"]
    assert (
        json.loads((again / "sensitivity.json").read_text(encoding="utf-8"))["ranges_from"]
        == "given"
    )
    study = sensitivity(parse_scenario(tiny()), [Range("aht", None, -0.1, 0.1)])
    assert study.origin == "given"
    assert sensitivity(parse_scenario(tiny())).origin == "default"


@pytest.mark.parametrize(
    ("ranges", "words"),
    [
        (["rate:MA=-10%,+10%", "wage:MA=-10%,+10%"],
         "sensitivity.ranges[1]: 'wage:MA=-10%,+10%' is not a range"),
        (["rate:XX=-10%,+10%"],
         "sensitivity.ranges[0]: range 'rate:XX=-10%,+10%': 'XX' is neither a site country"),
        (["rate:MA=+10%,-10%"], "sensitivity.ranges[0]: range 'rate:MA=+10%,-10%': LOW must be"),
        (["volume=-5pt,+5pt"], "'-5pt' is not a change of volume"),
        (["volume=-5%,+5%", "volume=-9%,+9%"], "sensitivity.ranges[1]: volume is given twice"),
    ],
)  # fmt: skip
def test_a_bad_section_is_one_located_line_exit_2(
    tmp_path: Path, ranges: list[str], words: str
) -> None:
    path = write_yaml(tmp_path / "bad.yaml", with_section(*ranges))
    out = tmp_path / "sens"
    done = run("sensitivity", str(path), "--out", str(out))
    assert done.exit_code == 2, done.output
    assert done.stderr.count("\n") == 1
    assert words in done.stderr and str(path) in done.stderr
    assert not out.exists()
