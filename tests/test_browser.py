"""Every HTML page the commands write, opened in headless Chromium as a person would.

``solve --out`` (report, summary and each chart page), ``compare --out``, ``frontier
--out``, ``sensitivity --out`` and ``risk --out`` write pages for people who open them
in a browser. Each is opened in Chromium (``tests/checkers.py``: a new empty profile, the
network closed): no console error or warning, no uncaught error, no request leaving the
machine, and every chart drawn. ``.ci/run`` installs Chromium; where it is absent the
tests skip (and fail under ``BESTSHORE_REQUIRE_CHECKERS=1``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from checkers import Visit, require_chromium, visit
from conftest import tiny
from typer.testing import CliRunner

from bestshore.cli import app

# The pages solve --out writes for the scenario below: every chart of a plan but the
# roster's (tests/test_html_injection.py opens that one), the report and the summary.
SOLVE_PAGES = {
    "map", "cost_by_country", "fte_by_shore", "cost_by_site", "coverage",
    "required_vs_staffed", "policy_prices", "report", "summary",
}  # fmt: skip


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(*args: str) -> None:
    done = CliRunner().invoke(app, [*args, "--quiet"])
    assert done.exit_code == 0, done.output


def _scenario(**changes: Any) -> dict[str, Any]:
    """Tiny with a service level (so the Erlang charts draw), CSAT per site, a rule and
    today's allocation (so the policy and savings sections appear)."""
    data = tiny(incumbent={"paris": {"n1": 2.0}, "rabat": {"n1": 1.0}}, **changes)
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    data["sites"][0]["quality"] = {"csat": 90}
    data["sites"][1]["quality"] = {"csat": 70}
    data.setdefault("policies", {"min_inshore_share": 0.25})
    return data


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_chromium()  # before any solve: skip (or fail) at once without it
    root = tmp_path_factory.mktemp("browser")
    scenario = _write(root / "s.yaml", _scenario())
    dearer = _scenario()
    dearer["name"] = "tiny-dearer"
    dearer["sites"][1]["cost_per_hour"] = 25.0
    other = _write(root / "t.yaml", dearer)
    risky = _scenario()
    risky["uncertainty"] = {
        "factors": [
            {"name": "volume", "parameter": "volume",
             "distribution": {"kind": "normal", "sd": 0.05}},
        ]
    }  # fmt: skip
    risky_path = _write(root / "r.yaml", risky)
    out = {name: root / name for name in ("solve", "compare", "frontier", "sensitivity", "risk")}
    _run("solve", str(scenario), "--out", str(out["solve"]))
    _run("compare", str(scenario), str(other), "--baseline", "tiny", "--out", str(out["compare"]))
    _run(
        "frontier",
        str(scenario),
        "--metric",
        "csat",
        "--points",
        "3",
        "--out",
        str(out["frontier"]),
    )
    _run(
        "sensitivity",
        str(scenario),
        "--range",
        "rate:MA=-10%,+10%",
        "--out",
        str(out["sensitivity"]),
    )
    _run("risk", str(risky_path), "--draws", "2", "--seed", "1", "--out", str(out["risk"]))
    return out


@pytest.fixture(scope="module")
def visits(folders: dict[str, Path]) -> dict[str, Visit]:
    root = next(iter(folders.values())).parent
    pages = sorted(p for folder in folders.values() for p in folder.rglob("*.html"))
    return {seen.page.relative_to(root).as_posix(): seen for seen in visit(pages)}


def test_solve_writes_the_pages_expected(folders: dict[str, Path]) -> None:
    assert {p.stem for p in folders["solve"].glob("*.html")} == SOLVE_PAGES
    for name in ("compare", "frontier", "sensitivity", "risk"):
        assert list(folders[name].rglob("*.html")), f"{name} --out wrote no page"


def test_no_page_logs_an_error_or_reaches_the_network(visits: dict[str, Visit]) -> None:
    assert len(visits) >= len(SOLVE_PAGES) + 4
    problems = {name: seen.problems for name, seen in visits.items() if seen.problems}
    assert problems == {}


def test_every_chart_draws(visits: dict[str, Visit]) -> None:
    for name, seen in visits.items():
        charts = seen.page.read_text(encoding="utf-8").count("vegaEmbed(")
        if seen.page.stem in ("report", "summary"):
            assert charts == 0, name  # the charts inline as SVG, no script
            assert "<svg" in seen.dom, name
        else:
            assert charts == 1 and seen.drawn == 1, f"{name}: {seen.drawn} of {charts} drawn"


def test_the_report_and_summary_show_their_figures_in_the_browser(
    visits: dict[str, Visit],
) -> None:
    report, summary = visits["solve/report.html"], visits["solve/summary.html"]
    assert "Against today" in report.dom and "Against today" in summary.dom
    assert "Price of each" in report.dom and "Price of each rule" in summary.dom
    assert "<script" not in summary.dom  # nothing runs in the summary


def test_a_comparison_where_nothing_moves_says_so(visits: dict[str, Visit]) -> None:
    # Rabat at 25 EUR/h is still the cheaper: the same allocation, no bar to draw.
    (shift,) = [seen for name, seen in visits.items() if "/fte_shift_" in name]
    assert "No FTE moves between sites: the same allocation" in shift.dom


def test_a_missing_checker_skips_or_fails_when_ci_requires_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import checkers

    monkeypatch.setattr(checkers, "chromium_path", lambda: None)
    monkeypatch.setattr(checkers, "soffice_path", lambda: None)
    monkeypatch.setattr(checkers, "REQUIRED", True)  # .ci/run installed them
    with pytest.raises(pytest.fail.Exception, match="Chromium is required here"):
        checkers.require_chromium()
    with pytest.raises(pytest.fail.Exception, match=r"LibreOffice \(soffice\) is required"):
        checkers.require_soffice()
    monkeypatch.setattr(checkers, "REQUIRED", False)  # a machine without apt: skipped
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        checkers.require_chromium()
