"""The one-page summary (PDF and HTML) and "What limits the plan" ranked by money.

The PDF is re-read with pypdf (not the fpdf2 that wrote it): one A4 page whose text holds
the headline figures, recomputed here from the result's tables. The HTML is parsed with
:mod:`html.parser`. The limits are checked on a tiny scenario whose full cheap site and
its dual can be worked out by hand, and the seat-hour grouping on a made-up table.
"""

from __future__ import annotations

import dataclasses
import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import tiny
from pypdf import PdfReader

import bestshore
from bestshore.analysis import price_of_policies, savings_against_today
from bestshore.scenario import load_scenario, parse_scenario
from bestshore.views import outputs
from bestshore.views.charts import chart_site_map
from bestshore.views.export import chart_to_png_bytes
from bestshore.views.limits import day_ranges, limits_by_money
from bestshore.views.summary import MAP_WIDTHS, MAX_SITES, render_summary_pdf, summarise

A4 = (595.0, 842.0)  # [pt]
WEEKS_A_YEAR = 365.25 / 7


class _Text(HTMLParser):
    """All text of a page (script and style left out) and its start tags."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._skip = tag in ("style", "script", "svg")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "svg"):
            self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _pdf(data: bytes) -> tuple[int, tuple[float, float], str]:
    """Pages, the first page's size [pt] and all text, as pypdf reads them."""
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), (float(box.width), float(box.height)), " ".join(text.split())


def _one_a4_page(data: bytes) -> str:
    pages, size, text = _pdf(data)
    assert pages == 1
    assert size == pytest.approx(A4, abs=1.0)
    return text


def _headline(result: bestshore.Result) -> tuple[str, str]:
    """Annual cost and cost per contact as the page prints them, recomputed from the
    allocation (staffing cost and contacts) and the fixed costs."""
    allocation = result.allocation
    total = float(allocation["cost"].sum()) + float(result.kpis["fixed_cost"])
    per_contact = total / float(allocation["volume"].sum())
    assert total == pytest.approx(result.kpis["total_cost"], rel=1e-9)
    return f"{total:,.0f} {result.currency}", f"{per_contact:,.2f} {result.currency}"


def _top_site_names(result: bestshore.Result, count: int) -> list[str]:
    """The cities of the sites taking the most FTE (the tiny sites have no other name)."""
    fte = result.allocation.groupby("site")["fte"].sum().sort_values(ascending=False)
    cities = result.sites.set_index("site")["city"]
    return [str(cities[site]) for site in fte.index[:count]]


# -- a tiny plan with a priced rule -----------------------------------------------------


@pytest.fixture(scope="module")
def ruled() -> tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame]:
    """Tiny with at least 80 % of the work inshore: Rabat (15 EUR/h) takes 20 %, Paris
    (30 EUR/h) the rest."""
    scenario = parse_scenario(tiny(policies={"min_inshore_share": 0.8}))
    result = bestshore.solve(scenario)
    return scenario, result, price_of_policies(scenario, result)


@pytest.fixture(scope="module")
def written(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The folder ``bestshore solve --out`` would write for ``ruled``."""
    scenario, result, prices = ruled
    folder = tmp_path_factory.mktemp("summary") / "out"
    outputs.write_outputs(result, scenario, folder, prices)
    return folder


def test_summary_pdf_is_one_a4_page_with_the_headline_figures(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame], written: Path
) -> None:
    _, result, prices = ruled
    text = _one_a4_page((written / "summary.pdf").read_bytes())
    cost, per_contact = _headline(result)
    assert cost in text and per_contact in text
    for name in _top_site_names(result, 2):
        assert name in text
    # The rule's price in words: without it, all 3,000 h go to Rabat at 15 EUR/h.
    price = float(prices.set_index("rule").at["min_inshore_share", "price"])
    by_hand = 0.8 * 3000 * (30 - 15)  # the 80 % inshore paid 15 EUR/h more
    assert price == pytest.approx(by_hand, rel=1e-6)
    assert f"costs {by_hand / 1e3:,.0f} k EUR a year" in text
    assert "no saving against today is stated" in text  # tiny has no incumbent
    assert "paris" not in text and "rabat" not in text  # names, never ids


def test_summary_html_carries_the_same_figures(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame], written: Path
) -> None:
    result = ruled[1]
    page = _Text((written / "summary.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "svg" in page.tags  # the map inline, no script
    cost, per_contact = _headline(result)
    assert cost in page.text and per_contact in page.text
    for name in _top_site_names(result, 2):
        assert name in page.text
    pdf_text = _one_a4_page((written / "summary.pdf").read_bytes())
    for heading in ("Shore split", "Price of each rule", "What limits the plan"):
        assert heading in page.text and heading in pdf_text


def test_summary_pdf_bytes_are_deterministic(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame],
) -> None:
    scenario, result, prices = ruled
    summary = summarise(result, scenario, prices)
    png = chart_to_png_bytes(chart_site_map(result.sites, result.market, currency="EUR"))
    first, second = render_summary_pdf(summary, png), render_summary_pdf(summary, png)
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata.creation_date.year == 2000  # fixed date


# -- what limits the plan --------------------------------------------------------------


@pytest.fixture(scope="module")
def rabat_full() -> bestshore.Result:
    """Tiny with Rabat (15 EUR/h, the cheap site) limited to 1,000 h a year: full."""
    data = tiny()
    data["sites"][1]["capacity_hours"] = 1000
    return bestshore.solve(parse_scenario(data))


def test_a_full_cheap_site_is_listed_first_with_its_dual(rabat_full: bestshore.Result) -> None:
    limits = limits_by_money(rabat_full)
    first = limits.iloc[0]
    assert first["family"] == "capacity" and first["subject"] == "Rabat"
    # One more productive hour a week at Rabat moves one from Paris: 15 EUR/h saved,
    # every week of the year.
    per_weekly_hour = (30 - 15) * WEEKS_A_YEAR
    row = rabat_full.constraints.set_index(["family", "key"]).loc[("capacity", "rabat")]
    assert -row["dual"] == pytest.approx(per_weekly_hour, rel=1e-6)
    hours_per_fte = row["limit"] / rabat_full.sites.set_index("site").at["rabat", "capacity_fte"]
    assert first["saving"] == pytest.approx(per_weekly_hour * hours_per_fte, rel=1e-6)
    assert (
        f"one more weekly hour of capacity there would save {per_weekly_hour:,.0f} EUR a year"
        in (first["message"])
    )
    assert (limits["saving"].diff().dropna() <= 1e-9).all()  # largest saving first
    assert "Paris" not in set(limits["subject"])  # spare: not a limit


def test_the_report_and_summary_list_the_full_site_first(
    rabat_full: bestshore.Result, tmp_path: Path
) -> None:
    scenario = parse_scenario(tiny())  # only its description and incumbent are read
    outputs.write_outputs(rabat_full, scenario, tmp_path / "out")
    report = _Text((tmp_path / "out" / "report.html").read_text(encoding="utf-8")).text
    limits = report.split("What limits the plan", 1)[1]
    assert limits.split("prices none).", 1)[1].strip().startswith("Rabat is full")
    text = _one_a4_page((tmp_path / "out" / "summary.pdf").read_bytes())
    assert "Rabat is full" in text.split("What limits the plan", 1)[1]
    assert "more capacity at Rabat is the first lever" in text


def test_day_ranges_group_hours_within_a_day() -> None:
    assert [label for label, _ in day_ranges([10, 11, 12, 13])] == ["Mon 10:00-14:00"]
    assert [label for label, _ in day_ranges([35, 34, 10])] == [
        "Mon 10:00-11:00",
        "Tue 10:00-12:00",
    ]
    # A run never crosses midnight; the week's last hour ends at 24:00.
    assert [label for label, _ in day_ranges([23, 24, 167])] == [
        "Mon 23:00-24:00",
        "Tue 00:00-01:00",
        "Sun 23:00-24:00",
    ]


def test_seat_hours_are_grouped_by_day_and_time(rabat_full: bestshore.Result) -> None:
    """A made-up constraints table: Rabat's seats full Mon 10-13 and Tue 09; Paris's
    capacity full at a small dual. Each run is one line, priced at its duals' sum."""
    rows = [("seats", f"rabat@{h}", 5.0, 5.0, True, -d, "site rabat has every seat taken")
            for h, d in ((10, 100.0), (11, 200.0), (12, 300.0), (13, 400.0), (33, 50.0))]  # fmt: skip
    rows.append(("capacity", "paris", 100.0, 99.0, False, -1.0, "capacity paris: 1% spare"))
    table = pd.DataFrame(rows, columns=list(rabat_full.constraints.columns))
    limits = limits_by_money(dataclasses.replace(rabat_full, constraints=table))
    seats = limits[limits["family"] == "seats"]
    assert list(seats["when"]) == ["Mon 10:00-14:00", "Tue 09:00-10:00"]
    assert list(seats["saving"]) == pytest.approx([1000.0, 50.0])
    assert seats.iloc[0]["message"] == (
        "Rabat has every seat taken Mon 10:00-14:00: one more seat would save 1,000 EUR a year"
    )
    paris_per_fte = 100.0 / float(rabat_full.sites.set_index("site").at["paris", "capacity_fte"])
    assert limits.iloc[0]["family"] == "seats"  # 1,000 EUR beats Paris's 1 EUR x its h/FTE
    assert limits.set_index("family").at["capacity", "saving"] == pytest.approx(paris_per_fte)


# -- one page whatever the scenario ----------------------------------------------------


def _large(sites: int = 36, call_types: int = 8) -> dict[str, Any]:
    """Many sites in many countries, long and non-Latin names, several call types."""
    data = tiny()
    countries = ["FR", "MA", "PT", "RO", "TN", "SN", "MG", "BG", "ES", "MU"]
    data["call_types"] = [
        {
            "id": f"ct{i}",
            "name": f"Call type {i} with a rather long descriptive name for the page",
            "level": "N1" if i % 2 else "N2",
            "volume": 20_000 + 5_000 * i,
            "aht_seconds": 300,
            "languages": {"fr": 1.0},
            "hours": {"mon-fri": "09:00-17:00"},
        }
        for i in range(call_types)
    ]
    data["vendors"] = [{"id": f"v{i}", "name": f"Vendor n° {i} — Société Générale de Relation"}
                       for i in range(6)]  # fmt: skip
    data["sites"] = [
        {
            "id": f"s{i}",
            "name": f"Centre de relation client Bucureşti–Ţară {i} 東京 very long",
            "vendor": f"v{i % 6}",
            "country": countries[i % len(countries)],
            "city": f"City {i}",
            "languages": {"fr": "native"},
            "capacity_hours": 900 + 10 * i,
            "cost_per_hour": 12.0 + i,
        }
        for i in range(sites)
    ]
    return data


@pytest.fixture(scope="module")
def large() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = parse_scenario(_large())
    return scenario, bestshore.solve(scenario)


def test_a_large_scenario_still_fits_one_page(
    large: tuple[bestshore.Scenario, bestshore.Result],
) -> None:
    scenario, result = large
    used = int((result.sites["fte"] > 1e-9).sum())
    assert used > MAX_SITES + 10
    png = chart_to_png_bytes(chart_site_map(result.sites, result.market, currency="EUR"), 2)
    data = render_summary_pdf(summarise(result, scenario), png)
    text = _one_a4_page(data)
    assert f"and {used - MAX_SITES} more" in text
    cost, per_contact = _headline(result)
    assert cost in text and per_contact in text
    assert "Bucuresti" in text  # an accent outside Windows-1252 dropped, the name kept


#: The bundled scenarios the default run puts on one page: the demo and the one with
#: today's allocation (the longest text); the demo's other variants (6-8 s each) and the
#: rostered one (a MILP, 30 s) run with make test-slow.
_DEFAULT_RUN = ("demo", "demo-transition")


def _bundled() -> list[Any]:
    return [
        pytest.param(
            path, id=path.stem, marks=[] if path.stem in _DEFAULT_RUN else [pytest.mark.slow]
        )
        for path in sorted(Path("scenarios").glob("*.yaml"))
    ]


@pytest.mark.parametrize("path", _bundled())
def test_each_bundled_scenario_fits_one_page(path: Path) -> None:
    scenario = load_scenario(path)
    result = bestshore.solve(scenario)
    # Today priced where the scenario has one: the longest "Against today" there is.
    saved = savings_against_today(scenario, result) if scenario.incumbent else None
    png = chart_to_png_bytes(chart_site_map(result.sites, result.market, currency="EUR"), 2)
    data = render_summary_pdf(summarise(result, scenario, None, saved), png)
    text = _one_a4_page(data)
    _body_clears_the_footer(data)
    cost, per_contact = _headline(result)
    assert cost in text and per_contact in text
    names = dict(zip(result.labels["id"], result.labels["name"], strict=False))
    top = result.allocation.groupby("site")["fte"].sum().idxmax()
    city = str(result.sites.set_index("site").at[top, "city"])
    assert (names[top] if names[top] != top else city) in text
    if scenario.incumbent:
        assert saved is not None and saved.priced, saved
        against = text.split("Against today", 1)[1]
        assert "Today" in against and "FTE" in against
        saving = float(saved.saving or 0.0)
        assert f"Saving against today {saving:,.0f} EUR" in text  # the headline tile
        assert f"it saves {saving / 1e6:,.2f} M EUR a year" in text


def _baselines(data: bytes) -> list[tuple[float, str]]:
    """Every line of text on the page and its baseline [pt from the bottom], as pypdf reads
    them (text matrix times the current transformation)."""
    found: list[tuple[float, str]] = []

    def collect(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            found.append((tm[5] * cm[3] + cm[5], text.strip()))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=collect)
    return sorted(found)


def _body_clears_the_footer(data: bytes) -> None:
    """The page's body ends above its footer (the footer's baseline plus a line): a body
    too long would run over it or off the page, and still be one page to a PDF reader."""
    lines = _baselines(data)
    footer = [y for y, text in lines if text.startswith("bestshore ")]
    assert len(footer) == 1, lines[:3]
    body = [(y, text) for y, text in lines if not text.startswith("bestshore ")]
    lowest = min(body)
    assert lowest[0] > footer[0] + 10, f"the body reaches the footer: {lowest}"
    assert max(y for y, _ in lines) < A4[1], "text above the page"


def test_the_footer_check_catches_a_body_too_long(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame],
) -> None:
    scenario, result, prices = ruled
    summary = summarise(result, scenario, prices)
    _body_clears_the_footer(render_summary_pdf(summary))
    # Eighty lines of "Against today" cannot fit, even with the smallest map: the check
    # that passes above must fail here.
    crowded = dataclasses.replace(summary, today=" ".join(["A long sentence about today."] * 400))
    with pytest.raises(AssertionError, match="the body reaches the footer"):
        _body_clears_the_footer(render_summary_pdf(crowded))


def test_a_longer_summary_draws_a_smaller_map_and_still_fits(
    ruled: tuple[bestshore.Scenario, bestshore.Result, pd.DataFrame],
) -> None:
    scenario, result, prices = ruled
    summary = summarise(result, scenario, prices)
    png = chart_to_png_bytes(chart_site_map(result.sites, result.market, currency="EUR"), 2)
    mm, drawn = 72 / 25.4, pytest.approx  # [pt/mm]; the PDF writes 2 decimals
    assert _image_width(render_summary_pdf(summary, png)) == drawn(MAP_WIDTHS[0] * mm, abs=0.01)
    # 180 sentences about today do not fit beside the widest map, do beside the next.
    longer = dataclasses.replace(summary, today=" ".join(["A sentence about today."] * 180))
    data = render_summary_pdf(longer, png)
    _body_clears_the_footer(data)
    assert _image_width(data) == drawn(MAP_WIDTHS[1] * mm, abs=0.01)


def _image_width(data: bytes) -> float:
    """The drawn width of the page's one image (the map) [pt]."""
    widths: list[float] = []

    def visit(operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator == b"Do":
            widths.append(float(cm[0]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_operand_before=visit)
    assert len(widths) == 1, widths
    return widths[0]
