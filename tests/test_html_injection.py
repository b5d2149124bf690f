"""Free text in a scenario never runs as script in the chart pages or the report.

``tests/attacks/script_injection.yaml`` puts ``</script><script>...`` and
``<img src=x onerror=...>`` payloads in every free-text field (scenario, market, call
type, vendor and site names, cities, description). Each payload would mark the page's
body with a ``data-pwned`` attribute if it ran. The pages are checked statically (parsed
with :mod:`html.parser`, against the same scenario with the payloads replaced by plain
words) and, where Chromium is installed, in a headless browser.
"""

from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from checkers import visit

import bestshore
from bestshore.scenario import parse_scenario
from bestshore.scenario.loader import read_scenario_data
from bestshore.views import outputs
from bestshore.views.export import FORMATS

ATTACK = Path(__file__).parent / "attacks" / "script_injection.yaml"
CHART_PAGES = (
    "map",
    "cost_by_country",
    "fte_by_shore",
    "cost_by_site",
    "coverage",
    "required_vs_staffed",
)


class _Page(HTMLParser):
    """Start tags (with their attribute names), the text of each ``<script>`` and link."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.scripts: list[str] = []
        self.links: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[(tag, tuple(sorted(name for name, _ in attrs)))] += 1
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag in ("script", "a"):
            self._in = tag
            (self.scripts if tag == "script" else self.links).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            (self.scripts if self._in == "script" else self.links)[-1] += data


def _payload_free(data: Any) -> Any:
    """``data`` with every string that carries markup replaced by a plain word."""
    if isinstance(data, dict):
        return {key: _payload_free(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_payload_free(value) for value in data]
    if isinstance(data, str) and "<" in data:
        return "plain"
    return data


def _free_texts(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [text for value in data.values() for text in _free_texts(value)]
    if isinstance(data, list):
        return [text for value in data for text in _free_texts(value)]
    return [data] if isinstance(data, str) and "<" in data else []


@pytest.fixture(scope="module")
def attack_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every output of the attack scenario, written as ``solve --out`` writes them."""
    scenario = bestshore.load_scenario(ATTACK)
    result = bestshore.solve(scenario)
    out = tmp_path_factory.mktemp("attack") / "out"
    outputs.write_outputs(result, scenario, out)
    return out


@pytest.fixture(scope="module")
def clean_pages() -> dict[str, str]:
    """The chart pages of the same scenario with plain words for the payloads."""
    data, _ = read_scenario_data(ATTACK)
    result = bestshore.solve(parse_scenario(_payload_free(data)))
    charts = outputs.render_charts(result)
    pages = {stem: FORMATS["html"](chart) for stem, chart in charts.items()}  # type: ignore[arg-type]
    return {stem: page for stem, page in pages.items() if isinstance(page, str)}


def _spec_of(page: str) -> Any:
    script = _Page(page).scripts[-1]
    start = script.index("const spec = ") + len("const spec = ")
    spec, _ = json.JSONDecoder().raw_decode(script, start)
    return spec


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {text for item in value.values() for text in _strings(item)}
    if isinstance(value, list):
        return {text for item in value for text in _strings(item)}
    return {value} if isinstance(value, str) else set()


def _assert_no_markup_from_payloads(page: _Page, name: str) -> None:
    for tag, attribute, value in page.attributes:
        assert not attribute.startswith("on"), f"{name}: <{tag} {attribute}={value!r}>"
        assert not attribute.startswith("data-pwned"), f"{name}: <{tag} {attribute}>"
        assert tag not in ("img", "iframe", "object", "embed"), f"{name}: <{tag}>"


def test_attack_scenario_carries_both_payloads() -> None:
    data, _ = read_scenario_data(ATTACK)
    texts = _free_texts(data)
    assert any("</script><script>" in text for text in texts)
    assert any("<img src=x onerror=" in text for text in texts)
    assert {"name", "description"} <= {key for key, value in data.items() if value in texts}
    assert data["market"]["name"] in texts
    assert all(site["city"] in texts and site["name"] in texts for site in data["sites"])


def test_chart_pages_have_the_structure_of_a_clean_run(
    attack_out: Path, clean_pages: dict[str, str]
) -> None:
    assert set(clean_pages) == set(CHART_PAGES)
    for stem, clean in clean_pages.items():
        page = (attack_out / f"{stem}.html").read_text(encoding="utf-8")
        parsed, expected = _Page(page), _Page(clean)
        assert parsed.tags == expected.tags, stem  # same elements: nothing injected
        assert len(parsed.scripts) == 2, stem  # the Vega bundle, then the chart
        assert page.lower().count("<script") == clean.lower().count("<script"), stem
        assert page.lower().count("</script") == clean.lower().count("</script"), stem
        for markup in ("<img", "<!--"):
            assert page.count(markup) == clean.count(markup), (stem, markup)
        _assert_no_markup_from_payloads(parsed, stem)


def test_chart_data_keep_the_payloads_as_text(attack_out: Path) -> None:
    # The escapes are JSON: the chart shows exactly what the scenario says.
    data, _ = read_scenario_data(ATTACK)
    market = _strings(_spec_of((attack_out / "map.html").read_text(encoding="utf-8")))
    assert data["market"]["name"] in market
    assert {site["city"] for site in data["sites"]} <= market
    rabat = next(site["city"] for site in data["sites"] if site["id"] == "rabat")
    assert "\u2028" in rabat and "&amp;" in rabat and "<!--" in rabat
    cost = _strings(_spec_of((attack_out / "cost_by_site.html").read_text(encoding="utf-8")))
    assert rabat in cost


def test_chart_pages_turn_off_the_actions_that_write_the_spec_as_html(
    attack_out: Path,
) -> None:
    # vega-embed's "View Source" and "View Compiled Vega" document.write the spec, raw,
    # into a new window of the page's origin: one click would run the payload.
    for stem in CHART_PAGES:
        script = _Page((attack_out / f"{stem}.html").read_text(encoding="utf-8")).scripts[-1]
        start = script.index("const opts = ") + len("const opts = ")
        options, _ = json.JSONDecoder().raw_decode(script, start)
        assert options["renderer"] == "svg"
        assert options["actions"]["source"] is False and options["actions"]["compiled"] is False
        # "Open in Vega Editor" posts the spec, data included, to vega.github.io: a
        # client's sites and costs would leave the machine on one click.
        assert options["actions"]["editor"] is False
        assert options["actions"]["export"] is True  # PNG/SVG download stays


def test_report_and_svgs_hold_no_markup_from_the_payloads(attack_out: Path) -> None:
    for path in [attack_out / "report.html", *sorted(attack_out.glob("*.svg"))]:
        text = path.read_text(encoding="utf-8")
        page = _Page(text)
        assert "<script" not in text.lower() and not page.scripts, path.name
        assert "</script" not in text.lower(), path.name
        _assert_no_markup_from_payloads(page, path.name)
    report = (attack_out / "report.html").read_text(encoding="utf-8")
    assert "Injection&lt;/script&gt;&lt;script&gt;document.body" in report


def test_notebook_view_escapes_the_payloads(attack_out: Path) -> None:
    result = bestshore.Result.read_json(attack_out / "result.json")
    page = _Page(result._repr_html_())
    assert not page.scripts
    _assert_no_markup_from_payloads(page, "_repr_html_")


def test_page_equals_vl_converts_but_for_the_escapes_and_actions(
    clean_pages: dict[str, str],
) -> None:
    # The page is vl-convert's own (same bundle, same markup), so it renders the same.
    import vl_convert

    from bestshore.views.export import _spec, _vl_version

    data, _ = read_scenario_data(ATTACK)
    chart = outputs.render_charts(bestshore.solve(parse_scenario(_payload_free(data))))["map"]
    ours = clean_pages["map"]
    theirs = vl_convert.vegalite_to_html(_spec(chart), vl_version=_vl_version(), bundle=True)  # type: ignore[arg-type]
    assert _Page(ours).tags == _Page(theirs).tags
    assert _Page(ours).scripts[0] == _Page(theirs).scripts[0]  # the Vega bundle
    assert _spec_of(ours) == _spec_of(theirs)


# --- a roster: site names on the roster chart and in the report ---------------------------


def _rostered_attack(data: dict[str, Any]) -> dict[str, Any]:
    """The attack scenario in 4 or 8 h shifts, Rabat capped so that both sites work."""
    data = json.loads(json.dumps(data))
    data["settings"]["roster"] = {"shift_hours": [4, 8]}
    data["sites"][1]["capacity_hours"] = 1500
    return data


@pytest.fixture(scope="module")
def roster_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every output of the rostered attack scenario, roster chart and section included."""
    data, _ = read_scenario_data(ATTACK)
    scenario = parse_scenario(_rostered_attack(data))
    result = bestshore.solve(scenario)
    assert set(result.shifts["site"]) == {"paris", "rabat"}
    out = tmp_path_factory.mktemp("attack-roster") / "out"
    outputs.write_outputs(result, scenario, out)
    return out


def test_roster_page_svg_and_report_hold_the_site_names_as_text(roster_out: Path) -> None:
    data, _ = read_scenario_data(ATTACK)
    clean_data = _rostered_attack(_payload_free(data))
    chart = outputs.render_charts(bestshore.solve(parse_scenario(clean_data)))["roster"]
    clean = FORMATS["html"](chart)  # type: ignore[arg-type]
    assert isinstance(clean, str)
    page = (roster_out / "roster.html").read_text(encoding="utf-8")
    parsed, expected = _Page(page), _Page(clean)
    assert parsed.tags == expected.tags and len(parsed.scripts) == 2
    assert page.lower().count("</script") == clean.lower().count("</script")
    _assert_no_markup_from_payloads(parsed, "roster.html")
    names = {site["name"] for site in data["sites"]}
    assert names <= _strings(_spec_of(page))  # shown as the scenario writes them
    for path in (roster_out / "roster.svg", roster_out / "report.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "</script" not in text.lower(), path.name
        _assert_no_markup_from_payloads(_Page(text), path.name)
    assert "Teams and shifts" in (roster_out / "report.html").read_text(encoding="utf-8")


# --- headless Chromium --------------------------------------------------------------------


def test_no_payload_runs_in_chromium_and_the_charts_draw(attack_out: Path) -> None:
    pages = [attack_out / f"{stem}.html" for stem in CHART_PAGES] + [attack_out / "report.html"]
    data, _ = read_scenario_data(ATTACK)
    visits = visit(pages)
    for seen in visits:
        name = seen.page.name
        assert seen.problems == [], f"{name}: {seen.problems}"
        parsed = _Page(seen.dom)
        pwned = [(tag, attr) for tag, attr, _ in parsed.attributes if "pwned" in attr]
        assert pwned == [], f"{name}: a payload ran: {pwned}"
        assert not any(tag == "img" for tag, _, _ in parsed.attributes), name
        if seen.page.stem in CHART_PAGES:
            assert seen.drawn == 1, f"{name}: the chart did not draw"
            # Export stays; "Open in Vega Editor" (posting the data online) is gone.
            assert parsed.links == ["Save as SVG", "Save as PNG"], name
        else:
            assert "<svg" in seen.dom, name
    # The map's title shows the market name as text, payload and all.
    assert "France&lt;/script&gt;&lt;script&gt;document.body.setAttribute(" in visits[0].dom
    assert data["market"]["name"].startswith("France</script>")


def test_the_roster_page_draws_in_chromium_and_runs_no_payload(roster_out: Path) -> None:
    for seen in visit([roster_out / "roster.html", roster_out / "report.html"]):
        name = seen.page.name
        assert seen.problems == [], f"{name}: {seen.problems}"
        parsed = _Page(seen.dom)
        pwned = [(tag, attr) for tag, attr, _ in parsed.attributes if "pwned" in attr]
        assert pwned == [], f"{name}: a payload ran: {pwned}"
        assert not any(tag == "img" for tag, _, _ in parsed.attributes), name
        if name == "roster.html":
            assert seen.drawn == 1, "the roster chart did not draw"
            assert "Who is on shift when" in seen.dom
            # The site names are on the chart as text, payload and all.
            assert "&lt;/script&gt;&lt;script&gt;document.body.setAttribute(" in seen.dom
