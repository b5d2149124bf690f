"""Every output file of a solve, computed in memory first, then the folder swapped in.

Nothing is written unless every file could be produced: a failure while rendering
leaves the output folder as it was. The files then replace the folder as a whole
(:func:`bestshore.result.files.write_folder`): a failure or a crash while writing leaves
the old folder or the new one, complete, never a mix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from bestshore.result import Result
from bestshore.result.files import csv_bytes, excel_bytes, write_folder
from bestshore.scenario import Scenario
from bestshore.views.charts import (
    chart_cost_by_site,
    chart_coverage_heatmap,
    chart_fte_by_shore,
    chart_policy_prices,
    chart_required_vs_staffed,
    chart_roster,
    chart_site_map,
)
from bestshore.views.export import render_formats
from bestshore.views.limits import display_names
from bestshore.views.report import render_report
from bestshore.views.summary import render_summary_html, render_summary_pdf, summarise

if TYPE_CHECKING:
    from bestshore.analysis.savings import Savings

__all__ = [
    "CHART_FORMATS",
    "full_time_hours",
    "output_tables",
    "render_charts",
    "write_outputs",
]

CHART_FORMATS = ("png", "svg", "html")


def render_charts(result: Result, prices: pd.DataFrame | None = None) -> dict[str, object]:
    """The result's charts by file stem (Altair objects, not yet rendered).

    Every chart names its call types, sites, vendors and countries by their display names
    (:func:`bestshore.views.limits.display_names`: the scenario's names, a site without
    one by its city). ``cost_by_country`` is the map with each country shaded by the
    annual cost of its sites.
    """
    names = display_names(result)
    labels = pd.DataFrame(
        [(kind, id_, name) for (kind, id_), name in sorted(names.items())],
        columns=["kind", "id", "name"],
    )
    currency = result.currency
    charts: dict[str, object] = {
        "map": chart_site_map(result.sites, result.market, currency=currency, labels=labels),
        "cost_by_country": chart_site_map(
            result.sites, result.market, currency=currency, labels=labels, shade="cost"
        ),
        "fte_by_shore": chart_fte_by_shore(result.allocation, labels=labels),
        "cost_by_site": chart_cost_by_site(result.sites, currency=currency, labels=labels),
    }
    if not result.coverage.empty:
        charts["coverage"] = chart_coverage_heatmap(result.coverage, labels=labels)
    if not result.requirements.empty:
        charts["required_vs_staffed"] = chart_required_vs_staffed(
            result.requirements, labels=labels
        )
    if not result.shifts.empty and (result.shifts["agents"] > 0).any():
        charts["roster"] = chart_roster(
            result.shifts, result.coverage, timezone=result.market.get("timezone")
        )
    if prices is not None and prices["price"].notna().any():
        charts["policy_prices"] = chart_policy_prices(prices, currency=currency, labels=labels)
    return charts


def full_time_hours(scenario: Scenario) -> dict[str, int]:
    """Full-time shift length [h] of each rostered site: the longest of its roster.

    A site's roster is its own, else its vendor's, else ``settings.roster``; sites paid
    per contact have none (the precedence of :func:`bestshore.model.inputs.rostered_sites`).
    """
    vendors = {vendor.id: vendor.roster for vendor in scenario.vendors}
    found = {}
    for site in scenario.sites:
        roster = site.roster or vendors.get(site.vendor or "") or scenario.settings.roster
        if roster is not None and site.price_per_contact is None:
            found[site.id] = max(roster.shift_hours)
    return found


def output_tables(
    result: Result, prices: pd.DataFrame | None = None, savings: Savings | None = None
) -> dict[str, pd.DataFrame]:
    """The tables of ``result.xlsx`` and ``tables/*.csv``: the result's own, then
    ``policy_prices`` (with ``prices``), and with ``savings`` the ``kpis`` table's rows
    ``today_cost``, ``saving``, ``saving_low``, ``saving_high`` [currency/yr] (empty when
    today was not priced) and a ``savings`` table (``figure``, ``value``, ``unit``)."""
    tables = dict(result.tables())
    if prices is not None:
        tables["policy_prices"] = prices
    if savings is not None:
        rows = pd.DataFrame({"kpi": list(savings.kpis()), "value": list(savings.kpis().values())})
        kpis = tables["kpis"]
        tables["kpis"] = pd.concat([kpis, rows.astype(kpis.dtypes.to_dict())], ignore_index=True)
        tables["savings"] = savings.table()
    return tables


def write_outputs(
    result: Result,
    scenario: Scenario,
    folder: str | Path,
    prices: pd.DataFrame | None = None,
    savings: Savings | None = None,
) -> list[Path]:
    """Write the result (JSON, Excel, CSV), the charts, ``report.html`` and the one-page
    summary (``summary.pdf``, A4, and ``summary.html``) to ``folder``.

    ``prices`` (from :func:`bestshore.analysis.price_of_policies`) adds the price of each
    policy to the tables, the charts and the report; ``savings`` (from
    :func:`bestshore.analysis.savings_against_today`) the plan against today's cost to
    the KPIs, the tables, the report and the summary (:func:`output_tables`).

    Returns the paths written. All contents are rendered before the first file is
    written; then ``folder`` is replaced as a whole, with its manifest
    (``.bestshore-manifest.json``, not among the paths returned): files an earlier run
    wrote and this one does not (``policy_prices.*``) are gone. A folder holding files
    bestshore did not write is refused.

    Raises
    ------
    bestshore.result.files.OutputError
        If ``folder`` cannot be replaced (one line naming it and why); it is left as it
        was.
    """
    files: dict[str, bytes] = {"result.json": result.to_json().encode("utf-8")}
    tables = output_tables(result, prices, savings)
    files["result.xlsx"] = excel_bytes(tables)
    for name, table in tables.items():
        files[f"tables/{name}.csv"] = csv_bytes(table)
    charts = render_charts(result, prices)
    svgs: dict[str, str] = {}
    for stem, chart in charts.items():
        for suffix, content in render_formats(chart, CHART_FORMATS).items():  # type: ignore[arg-type]
            if suffix == "svg":
                assert isinstance(content, str)
                svgs[stem] = content
            data = content.encode("utf-8") if isinstance(content, str) else content
            files[f"{stem}.{suffix}"] = data
    report = render_report(
        result,
        svgs,
        prices,
        description=scenario.description,
        full_time_hours=full_time_hours(scenario),
        savings=savings,
    )
    files["report.html"] = report.encode("utf-8")
    summary = summarise(result, scenario, prices, savings)
    files["summary.html"] = render_summary_html(summary, svgs.get("map")).encode("utf-8")
    files["summary.pdf"] = render_summary_pdf(summary, files.get("map.png"))
    return write_folder(folder, files)
