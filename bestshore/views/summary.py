"""The executives' one-page summary: the same figures as an A4 PDF and as HTML.

:func:`summarise` gathers every figure and sentence from a result (and the scenario's
today's allocation, the price of each rule); :func:`render_summary_html` and
:func:`render_summary_pdf` lay the same :class:`Summary` out. Each list is bounded (the
longest ones end "and N more") so the page stays one page whatever the scenario's size.
The PDF is drawn with fpdf2 in its core Helvetica font (Windows-1252 text: a character
outside it is written without its accent, else as "?"); its dates are fixed, so one
result always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from fpdf import FPDF

from bestshore.result import Result
from bestshore.scenario import Scenario
from bestshore.views.limits import display_names, limits_by_money

if TYPE_CHECKING:
    from bestshore.analysis.savings import Savings

__all__ = [
    "MAP_WIDTHS",
    "MAX_LIMITS",
    "MAX_RULES",
    "MAX_SITES",
    "Summary",
    "render_summary_html",
    "render_summary_pdf",
    "savings_sentence",
    "summarise",
]

MAX_SITES = 6  # sites listed by name; the rest as "and N more"
MAX_RULES = 4
MAX_LIMITS = 4
_NAME_CHARS = 34  # a display name longer than this is cut with "..."
_LINE_CHARS = 190  # a sentence of a list longer than this is cut

SHORES = ("inshore", "nearshore", "offshore")

# The PDF's creation and modification date: fixed, so the bytes depend on the result only.
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Summary:
    """Everything on the page, as figures and finished sentences.

    Attributes
    ----------
    title, subtitle : str
    currency : str
    tiles : list of (label, value)
        Headline figures: annual cost, cost per contact, staffing, contacts a year.
    total_cost : float
        [currency/yr], fixed costs included (``kpis["total_cost"]``).
    cost_per_contact : float
        [currency per contact handled] (``kpis["cost_per_contact"]``).
    today : str
        Today's allocation (the scenario's ``incumbent``) against the plan, or that the
        scenario has none.
    shores : list of (shore, share of contacts, FTE, cost [currency/yr])
    sites : list of (site name, country name, shore, FTE, cost [currency/yr])
        The sites taking the most FTE, largest first, at most :data:`MAX_SITES`.
    more_sites : int
        Sites with work not listed.
    rules : list of str
        The price of each rule in words, dearest first (at most :data:`MAX_RULES`).
    more_rules : int
    limits : list of str
        What limits the plan, largest saving first (:func:`limits_by_money`).
    more_limits : int
    recommendation : list of str
        Sentences written from the figures above.
    foot : str
    """

    title: str
    subtitle: str
    currency: str
    tiles: list[tuple[str, str]]
    total_cost: float
    cost_per_contact: float
    today: str
    shores: list[tuple[str, float, float, float]]
    sites: list[tuple[str, str, str, float, float]]
    more_sites: int
    rules: list[str]
    more_rules: int
    limits: list[str]
    more_limits: int
    recommendation: list[str]
    foot: str


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _money(value: float, currency: str) -> str:
    """'8.35 M EUR', '612 k EUR' or '950 EUR'."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:,.2f} M {currency}"
    if size >= 1e4:
        return f"{value / 1e3:,.0f} k {currency}"
    return f"{value:,.0f} {currency}"


def _share_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def savings_sentence(savings: Savings | None, currency: str) -> str:
    """The saving against today's cost in words, with what is proven of it ('' if none)."""
    if savings is None or savings.status == "no incumbent":
        return ""
    if not savings.priced:
        reason = savings.status.removeprefix("not priced: ")
        return f"Today's cost is not stated, so no saving is claimed: {_clip(reason, 400)}."
    assert savings.today_cost is not None and savings.saving is not None
    low, high = savings.saving_low or 0.0, savings.saving_high or 0.0
    interval = f"proven between {_money(low, currency)} and {_money(high, currency)}"
    if savings.proven == "saving":
        verdict = f"it saves {_money(savings.saving, currency)} a year ({interval})"
    elif savings.proven == "extra cost":
        verdict = (
            f"it costs {_money(-savings.saving, currency)} a year more than today ({interval})"
        )
    else:
        verdict = (
            f"the difference, {_money(savings.saving, currency)} a year, is not proven either "
            f"way ({interval})"
        )
    staffed = savings.fte_staffed or 0.0
    return (
        f"Today's allocation, priced like the plan, costs {_money(savings.today_cost, currency)} "
        f"a year; the plan, switching costs included, costs {_money(savings.plan_cost, currency)}: "
        f"{verdict}. Today is the scenario's {savings.fte_given:,.0f} FTE read as each site's "
        "share of each call type's work, staffed and costed as the plan is (at its cheapest "
        f"within those shares: {staffed:,.0f} FTE), without the plan's rules or any switching "
        "cost."
    )


def _today(
    result: Result,
    scenario: Scenario | None,
    names: Mapping[tuple[str, str], str],
    savings: Savings | None = None,
) -> str:
    """Today's allocation against the plan: the saving, then the FTE kept and moved."""
    incumbent = scenario.incumbent if scenario is not None else {}
    if not incumbent:
        return (
            "The scenario gives no allocation of today (no incumbent), so no saving "
            "against today is stated."
        )
    fte = result.allocation.groupby(["site", "call_type"])["fte"].sum()
    today = sum(sum(by_type.values()) for by_type in incumbent.values())
    kept = sum(
        min(before, float(fte.get((site, call_type), 0.0)))
        for site, by_type in incumbent.items()
        for call_type, before in by_type.items()
    )
    sites = _share_list(sorted(names.get(("site", s), s) for s in incumbent))
    fixed = result.breakdown[result.breakdown["dimension"] == "fixed_cost"]
    kinds = fixed["key"].str.split(":", n=1).str[0]
    one_off = float(fixed.loc[kinds.isin(["setup", "transition"]), "cost"].sum())
    years = float(result.stamp.get("amortization_years") or 1.0)
    cur = result.currency
    priced = savings_sentence(savings, cur) or (
        "Today's cost was not priced (solve with --savings), so no saving against today is stated."
    )
    return (
        f"{priced} Today {today:,.0f} FTE work at {_clip(sites, 120)}. The plan keeps "
        f"{kept:,.0f} FTE of that work where it is and moves {today - kept:,.0f} FTE; set-up, "
        f"training and transition cost {_money(one_off * years, cur)} once "
        f"({_money(one_off, cur)} a year over {years:g} years, in the annual cost)."
    )


def _named(text: str, names: Mapping[tuple[str, str], str]) -> str:
    """A rule's description with display names for the call type, site and vendor ids in
    it, and the other ids' underscores as spaces ("eu_eea" as "EU/EEA")."""
    words = []
    for word in re.split(r"(\W+)", text):
        name = next(
            (
                names[(kind, word)]
                for kind in ("call_type", "site", "vendor")
                if (kind, word) in names
            ),
            None,
        )
        words.append(name if name is not None else word)
    return "".join(words).replace("eu_eea", "EU/EEA").replace("_", " ")


def _rules(
    prices: pd.DataFrame | None, currency: str, names: Mapping[tuple[str, str], str]
) -> list[str]:
    if prices is None or prices.empty:
        return []
    ranked = prices.assign(_p=prices["price"].fillna(float("-inf"))).sort_values(
        ["_p", "description"], ascending=[False, True], kind="stable"
    )
    lines = []
    for row in ranked.itertuples(index=False):
        rule = _clip(_named(str(row.description), names), 80)
        if row.status != "ok" or row.price != row.price:
            lines.append(f"{rule}: not priced ({row.status}).")
        elif row.price > 0:
            proven = (
                f"proven between {_money(row.price_low, currency)} and "
                f"{_money(row.price_high, currency)}"
            )
            if not row.significant:
                proven = f"proven at most {_money(row.price_high, currency)}: it may cost nothing"
            lines.append(f"Keeping “{rule}” costs {_money(row.price, currency)} a year ({proven}).")
        elif row.price_high > 0:
            lines.append(
                f"“{rule}” costs nothing in the plans found, proven at most "
                f"{_money(row.price_high, currency)} a year."
            )
        else:
            lines.append(f"“{rule}” costs nothing: lifting it saves no money.")
    return lines


def summarise(
    result: Result,
    scenario: Scenario | None = None,
    prices: pd.DataFrame | None = None,
    savings: Savings | None = None,
) -> Summary:
    """The summary's figures and sentences, from the result alone (and today's FTE).

    Parameters
    ----------
    result : Result
    scenario : Scenario, optional
        For its description and today's allocation (``incumbent``).
    prices : DataFrame, optional
        The price of each rule (:func:`bestshore.analysis.price_of_policies`).
    savings : Savings, optional
        The plan against today's cost (:func:`bestshore.analysis.savings_against_today`):
        a headline tile, a sentence of the recommendation and "Against today".
    """
    k, cur = result.kpis, result.currency
    names = display_names(result)
    total, per_contact = float(k["total_cost"]), float(k["cost_per_contact"])
    tiles = [
        ("Annual cost", f"{total:,.0f} {cur}"),
        ("Cost per contact", f"{per_contact:,.2f} {cur}"),
        ("Staffing at the peak", f"{float(k['total_fte']):,.0f} FTE"),
        ("Contacts a year", f"{float(k['total_volume']):,.0f}"),
    ]
    if savings is not None and savings.priced and savings.saving is not None:
        label, shown = {
            "saving": ("Saving against today", abs(savings.saving)),
            "extra cost": ("Extra cost against today", abs(savings.saving)),
        }.get(savings.proven, ("Against today (not proven)", savings.saving))
        tiles.append((label, f"{shown:,.0f} {cur}"))
    by_shore = result.breakdown[result.breakdown["dimension"] == "shore"].set_index("key")
    shores = [
        (
            shore,
            float(k.get(f"{shore}_share") or 0.0),
            float(by_shore.at[shore, "fte"]) if shore in by_shore.index else 0.0,
            float(by_shore.at[shore, "cost"]) if shore in by_shore.index else 0.0,
        )
        for shore in SHORES
    ]
    used = result.sites[result.sites["fte"] > 1e-9].sort_values(
        ["fte", "site"], ascending=[False, True], kind="stable"
    )
    sites = [
        (
            _clip(names.get(("site", str(row.site)), str(row.site)), _NAME_CHARS),
            _clip(names.get(("country", str(row.country)), str(row.country)), 20),
            str(row.shore),
            float(row.fte),
            float(row.cost),
        )
        for row in used.head(MAX_SITES).itertuples(index=False)
    ]
    rules = _rules(prices, cur, names)
    limits = limits_by_money(result)
    limit_lines = [_clip(str(m), _LINE_CHARS) for m in limits["message"].head(MAX_LIMITS)]

    main = max(shores, key=lambda s: s[1])
    lead = [s[0] for s in sites[:3]]
    lead_fte = sum(s[3] for s in sites[:3]) / max(float(k["total_fte"]), 1e-9)
    recommendation = [
        f"Place most of the work {main[0]} ({main[1]:.0%} of contacts), led by "
        f"{_share_list(lead)}, which take {lead_fte:.0%} of the FTE, for "
        f"{_money(total, cur)} a year ({per_contact:,.2f} {cur} per contact)."
    ]
    against = savings_sentence(savings, cur)
    if against and savings is not None and savings.priced:
        recommendation.append(against.split(". Today is", 1)[0] + ".")
    priced = (
        pd.DataFrame(columns=["price", "description"])
        if prices is None
        else prices[(prices["status"] == "ok") & (prices["price"] > 0)]
    )
    if len(priced):
        dearest = priced.sort_values(["price", "description"], ascending=[False, True]).iloc[0]
        recommendation.append(
            f"The dearest rule, “{_clip(_named(str(dearest['description']), names), 80)}”, costs "
            f"{_money(float(dearest['price']), cur)} a year ({float(dearest['price']) / total:.1%} "
            "of the cost): keep it only if it is worth that."
        )
    elif prices is None:
        recommendation.append("The rules were not priced (solve with --policy-prices).")
    else:
        recommendation.append("No rule costs money: lifting any one saves nothing.")
    priced_limits = limits[limits["saving"] > 0]
    if len(priced_limits):
        top = priced_limits.iloc[0]
        what = (
            "more capacity at"
            if top["family"] == "capacity"
            else "more seats at"
            if top["family"] == "seats"
            else "relaxing the rule on"
        )
        recommendation.append(
            f"What limits the plan most is {top['subject']}: {what} {top['subject']} is the "
            f"first lever ({_money(float(top['saving']), cur)} a year per {top['unit']})."
        )
    elif len(limits):
        recommendation.append("Limits bind, but none is priced (a plan in whole agents).")
    else:
        recommendation.append("No capacity, seat or rule binds: prices alone shape the plan.")
    if result.warnings:
        recommendation.append(f"{len(result.warnings)} warning(s) in the full report.")

    market = str(result.market.get("name", ""))
    stamp = result.stamp
    return Summary(
        title=f"Sourcing plan: {_clip(result.scenario_name, 60)}",
        subtitle=(
            f"Customers in {market} · all money in {cur} a year unless said · plan "
            f"{result.status}: {result.solve_note}"
        ),
        currency=cur,
        tiles=tiles,
        total_cost=total,
        cost_per_contact=per_contact,
        today=_today(result, scenario, names, savings),
        shores=shores,
        sites=sites,
        more_sites=max(0, len(used) - MAX_SITES),
        rules=rules[:MAX_RULES],
        more_rules=max(0, len(rules) - MAX_RULES),
        limits=limit_lines,
        more_limits=max(0, len(limits) - MAX_LIMITS),
        recommendation=recommendation,
        foot=(
            f"bestshore {stamp.get('bestshore_version')} · {stamp.get('solver')} · scenario "
            f"{str(stamp.get('scenario_hash', ''))[:12]} · the full report is report.html"
        ),
    )


# -- HTML ------------------------------------------------------------------------------

_CSS = """
@page{size:A4;margin:12mm}
body{font-family:Helvetica,Arial,sans-serif;color:#1d2733;margin:0 auto;max-width:186mm;font-size:12px}
h1{font-size:20px;margin:0 0 2px} h2{font-size:13px;margin:12px 0 4px;color:#33475b}
.sub{color:#5b6b7b;margin:0 0 8px;font-size:11px}
.tiles{display:grid;grid-auto-flow:column;grid-auto-columns:1fr;gap:6px}
.tile{background:#f3f6f9;border-radius:4px;padding:6px 8px}
.tile b{display:block;font-size:16px} .tile span{font-size:10px;color:#5b6b7b}
.cols{display:grid;grid-template-columns:3fr 2fr;gap:10px;align-items:start}
.cols svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:11px}
th,td{padding:2px 4px;border-bottom:1px solid #e3e8ee;text-align:left} .n{text-align:right}
ul{margin:2px 0;padding-left:16px} li{margin:1px 0}
.foot{color:#8795a1;font-size:9px;margin-top:8px}
"""


def _items(lines: list[str], more: int, empty: str) -> str:
    items = [f"<li>{html.escape(line)}</li>" for line in lines] or [
        f"<li>{html.escape(empty)}</li>"
    ]
    if more:
        items.append(f"<li>and {more} more</li>")
    return f"<ul>{''.join(items)}</ul>"


def render_summary_html(summary: Summary, map_svg: str | None = None) -> str:
    """The summary as one self-contained HTML page (the map inline as SVG, no script)."""
    s, cur, esc = summary, summary.currency, html.escape
    tiles = "".join(
        f'<div class="tile"><span>{esc(label)}</span><b>{esc(value)}</b></div>'
        for label, value in s.tiles
    )
    shores = "".join(
        f"<tr><td>{esc(shore.capitalize())}</td><td class='n'>{share:.0%}</td>"
        f"<td class='n'>{fte:,.0f}</td><td class='n'>{esc(_money(cost, cur))}</td></tr>"
        for shore, share, fte, cost in s.shores
    )
    sites = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(country)}</td><td class='n'>{fte:,.0f}</td>"
        f"<td class='n'>{esc(_money(cost, cur))}</td></tr>"
        for name, country, _, fte, cost in s.sites
    )
    if s.more_sites:
        sites += f"<tr><td colspan='4'>and {s.more_sites} more</td></tr>"
    figure = f"<div>{map_svg}</div>" if map_svg else "<div></div>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(s.title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{esc(s.title)}</h1>
<p class="sub">{esc(s.subtitle)}</p>
<div class="tiles">{tiles}</div>
<h2>Recommendation</h2>
<ul>{"".join(f"<li>{esc(line)}</li>" for line in s.recommendation)}</ul>
<div class="cols">{figure}<div>
<h2>Shore split</h2>
<table><thead><tr><th>Shore</th><th class="n">Contacts</th><th class="n">FTE</th>
<th class="n">Cost a year</th></tr></thead><tbody>{shores}</tbody></table>
<h2>Sites taking the most work</h2>
<table><thead><tr><th>Site</th><th>Country</th><th class="n">FTE</th>
<th class="n">Cost a year</th></tr></thead><tbody>{sites}</tbody></table>
</div></div>
<h2>Price of each rule</h2>
{_items(s.rules, s.more_rules, "No rule was priced.")}
<h2>What limits the plan</h2>
{_items(s.limits, s.more_limits, "No capacity, seat or rule binds.")}
<h2>Against today</h2>
<p>{esc(s.today)}</p>
<p class="foot">{esc(s.foot)}</p>
</body></html>
"""


# -- PDF -------------------------------------------------------------------------------


def _latin(text: str) -> str:
    """``text`` in Windows-1252 (the core fonts' encoding): accents dropped where needed."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    return "".join(out)


class _Page(FPDF):
    def text_line(self, text: str, size: float, *, bold: bool = False, colour: int = 29) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_text_color(colour)
        self.multi_cell(0, size * 0.45, _latin(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.ln(1.5)
        self.text_line(text, 10, bold=True, colour=51)
        self.ln(0.5)

    def bullets(self, lines: list[str], more: int, empty: str) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(29)
        for line in [*(lines or [empty]), *([f"and {more} more"] if more else [])]:
            self.set_x(self.l_margin)
            self.cell(4, 3.6, _latin("•"))
            self.multi_cell(0, 3.6, _latin(line), new_x="LMARGIN", new_y="NEXT")


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# Widths tried for the map [mm], largest first: the first whose page fits is kept.
MAP_WIDTHS = (104.0, 90.0, 76.0, 62.0)
# The footer's top [mm from the page's bottom]: the body ends above it.
_FOOT = 10.0


def render_summary_pdf(summary: Summary, map_png: bytes | None = None) -> bytes:
    """The summary as a one-page A4 PDF (the map as a PNG image); same input, same bytes.

    The body must end above the footer: the map is drawn at the largest of
    :data:`MAP_WIDTHS` that lets it (the lists are bounded, so the smallest always has).
    """
    for width in MAP_WIDTHS:
        pdf, bottom = _draw_pdf(summary, map_png, width)
        if bottom <= pdf.h - _FOOT - 1:
            break
    return bytes(pdf.output())


def _draw_pdf(summary: Summary, map_png: bytes | None, map_width: float) -> tuple[FPDF, float]:
    """The page with the map ``map_width`` [mm] wide, and where its body ends [mm]."""
    s, cur = summary, summary.currency
    pdf = _Page(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(_latin(s.title))
    pdf.set_creator("bestshore")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    pdf.add_page()
    pdf.text_line(s.title, 16, bold=True)
    pdf.text_line(s.subtitle, 8, colour=91)
    pdf.ln(2)
    count = max(len(s.tiles), 1)
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 3 * (count - 1)) / count
    top = pdf.get_y()
    for i, (label, value) in enumerate(s.tiles):
        x = pdf.l_margin + i * (width + 3)
        pdf.set_fill_color(243, 246, 249)
        pdf.rect(x, top, width, 13, style="F")
        pdf.set_xy(x + 2, top + 1.5)
        pdf.set_font("Helvetica", "", 7)
        pdf.set_text_color(91)
        pdf.cell(width - 4, 3, _latin(label))
        pdf.set_xy(x + 2, top + 5.5)
        size = 12.0
        pdf.set_font("Helvetica", "B", size)
        while size > 7 and pdf.get_string_width(_latin(value)) > width - 4:
            size -= 0.5
            pdf.set_font("Helvetica", "B", size)
        pdf.set_text_color(29)
        pdf.cell(width - 4, 6, _latin(value))
    pdf.set_y(top + 15)
    pdf.heading("Recommendation")
    pdf.bullets(s.recommendation, 0, "")

    # The map on the left, shores and sites on the right.
    top = pdf.get_y() + 2
    map_bottom = top
    if map_png and map_png.startswith(_PNG_SIGNATURE):  # not a stand-in (tests stub charts)
        image = pdf.image(io.BytesIO(map_png), x=pdf.l_margin, y=top, w=map_width)
        map_bottom = top + float(image.rendered_height)
    x = pdf.l_margin + map_width + 4
    right = pdf.w - pdf.r_margin - x
    pdf.set_xy(x, top)
    pdf.set_left_margin(x)
    pdf.text_line("Shore split", 10, bold=True, colour=51)
    _table(
        pdf,
        ["Shore", "Contacts", "FTE", "Cost a year"],
        [
            [shore.capitalize(), f"{share:.0%}", f"{fte:,.0f}", _money(cost, cur)]
            for shore, share, fte, cost in s.shores
        ],
        [0.34, 0.2, 0.18, 0.28],
        right,
    )
    pdf.ln(2)
    pdf.text_line("Sites taking the most work", 10, bold=True, colour=51)
    rows = [
        [name, country, f"{fte:,.0f}", _money(cost, cur)] for name, country, _, fte, cost in s.sites
    ]
    if s.more_sites:
        rows.append([f"and {s.more_sites} more", "", "", ""])
    _table(pdf, ["Site", "Country", "FTE", "Cost a year"], rows, [0.4, 0.26, 0.12, 0.22], right)
    pdf.set_left_margin(12)
    pdf.set_xy(12, max(pdf.get_y(), map_bottom) + 1)

    pdf.heading("Price of each rule (re-solved without it)")
    pdf.bullets(s.rules, s.more_rules, "No rule was priced.")
    pdf.heading("What limits the plan (largest saving first)")
    pdf.bullets(s.limits, s.more_limits, "No capacity, seat or rule binds.")
    pdf.heading("Against today")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 3.6, _latin(s.today), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_y(pdf.h - _FOOT)
    pdf.text_line(s.foot, 6.5, colour=135)
    return pdf, bottom


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with "..." to ``width`` [mm] in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _table(
    pdf: FPDF, head: list[str], rows: list[list[str]], shares: list[float], width: float
) -> None:
    """A small table at the current x: first column left, the others right-aligned."""
    x = pdf.get_x()
    for i, cells in enumerate([head, *rows]):
        pdf.set_x(x)
        pdf.set_font("Helvetica", "B" if i == 0 else "", 7.5)
        pdf.set_text_color(51 if i == 0 else 29)
        for j, (cell, share) in enumerate(zip(cells, shares, strict=True)):
            align = "L" if j < 2 else "R"
            pdf.cell(
                width * share,
                4,
                _fit(pdf, _latin(cell), width * share - 1),
                border="B",
                align=align,
            )
        pdf.ln(4)
