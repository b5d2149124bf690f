"""Charts of analyses over many solves: comparisons, frontiers, Monte Carlo risk.

Pure functions ``chart_<name>(table) -> alt.Chart`` like :mod:`bestshore.views.charts`:
they read the tables of :mod:`bestshore.analysis` (never change them), embed their data
inline, display nothing and are themed by :mod:`bestshore.views.theme`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from bestshore.views.charts import _require_columns, chart_site_map
from bestshore.views.theme import COLOURS, SIZES, apply_theme, category_scale

__all__ = [
    "chart_alternatives",
    "chart_cost_distribution",
    "chart_frontier",
    "chart_fte_shift",
    "chart_kpi_changes",
    "chart_maps_side_by_side",
    "chart_site_usage",
    "chart_tornado",
]

_GAIN, _LOSS = "#2a9d8f", "#c0392b"
HEADLINE_KPIS = (
    "total_cost", "total_fte", "cost_per_contact", "csat", "fcr", "nps",
    "inshore_share", "nearshore_share", "offshore_share", "sites_used", "vendors_used",
)  # fmt: skip


def chart_kpi_changes(kpis: pd.DataFrame, baseline: str) -> alt.Chart:
    """Bars of each headline KPI's relative change against the baseline, per scenario.

    Parameters
    ----------
    kpis : pandas.DataFrame
        :attr:`bestshore.analysis.Comparison.kpis`: ``kpi``, ``scenario``, ``value``,
        ``baseline``, ``change``, ``change_pct`` [fraction], ``unit``.
    baseline : str
        The baseline's name (left out: its changes are 0).

    Returns
    -------
    altair.Chart
        Themed; one row of bars per KPI, one colour per scenario; KPIs the baseline does
        not report (NaN) are left out.
    """
    _require_columns(kpis, ("kpi", "scenario", "change", "change_pct", "unit"), "kpis")
    table = kpis[(kpis["scenario"] != baseline) & kpis["kpi"].isin(HEADLINE_KPIS)]
    table = table.dropna(subset=["change_pct"])
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "KPIs against the baseline",
                subtitle=f"Relative change from {baseline} (scenario minus baseline)",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "change_pct:Q", title="Change from the baseline [%]", axis=alt.Axis(format="%")
            ),
            y=alt.Y("kpi:N", title=None, sort=list(HEADLINE_KPIS)),
            yOffset="scenario:N",
            color=alt.Color("scenario:N", title="Scenario", scale=category_scale()),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("kpi:N", title="KPI"),
                alt.Tooltip("value:Q", title="Value", format=",.4g"),
                alt.Tooltip("change:Q", title="Change", format=",.4g"),
                alt.Tooltip("unit:N", title="Unit"),
                alt.Tooltip("change_pct:Q", title="Change [%]", format="+.1%"),
            ],
        )
        .properties(width=SIZES["bar_width"])
    )
    return apply_theme(chart)


def chart_fte_shift(changes: pd.DataFrame, scenario: str, *, dimension: str = "site") -> alt.Chart:
    """Diverging bars of the FTE a scenario moves to (right) or from (left) each site.

    Parameters
    ----------
    changes : pandas.DataFrame
        :attr:`bestshore.analysis.Comparison.allocation`: ``dimension``, ``key``,
        ``name``, ``scenario``, ``fte``, ``fte_baseline``, ``fte_change`` [FTE].
    scenario : str
        The scenario to show against the baseline.
    dimension : str
        ``site`` (default), ``vendor``, ``country`` or ``shore``.

    Returns
    -------
    altair.Chart
        Themed; gains in teal, losses in red, biggest moves first; unchanged rows left out
        (a line of text when nothing moves).
    """
    _require_columns(changes, ("dimension", "key", "name", "scenario", "fte_change"), "changes")
    table = changes[(changes["dimension"] == dimension) & (changes["scenario"] == scenario)]
    table = table[table["fte_change"].abs() > 1e-6].copy()
    table["direction"] = np.where(table["fte_change"] > 0, "gains", "loses")
    title = alt.Title(
        f"Who gains and who loses: FTE by {dimension}",
        subtitle=f"{scenario} minus the baseline [FTE]",
    )
    if table.empty:  # bars over no data would have no extent: say so instead
        note = pd.DataFrame({"text": [f"No FTE moves between {dimension}s: the same allocation"]})
        empty = alt.Chart(note, title=title).mark_text(size=SIZES["axis_title"])
        return apply_theme(empty.encode(text="text:N").properties(width=SIZES["bar_width"]))
    chart = (
        alt.Chart(table, title=title)
        .mark_bar()
        .encode(
            x=alt.X("fte_change:Q", title="FTE gained (+) or lost (-) [FTE]"),
            y=alt.Y(
                "name:N",
                title=None,
                sort=alt.EncodingSortField("fte_change", op="sum", order="descending"),
            ),
            color=alt.Color(
                "direction:N",
                title=None,
                scale=alt.Scale(domain=["gains", "loses"], range=[_GAIN, _LOSS]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=dimension.capitalize()),
                alt.Tooltip("fte_baseline:Q", title="Baseline FTE", format=",.1f"),
                alt.Tooltip("fte:Q", title="Scenario FTE", format=",.1f"),
                alt.Tooltip("fte_change:Q", title="Change [FTE]", format="+,.1f"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_maps_side_by_side(
    maps: Mapping[str, tuple[pd.DataFrame, Mapping[str, Any]]], *, currency: str | None = None
) -> alt.HConcatChart:
    """The site map of each scenario (:func:`bestshore.views.charts.chart_site_map`),
    side by side, each titled with its scenario's name.

    Parameters
    ----------
    maps : mapping
        Scenario name -> (its result's ``sites`` table, its ``market``).
    currency : str, optional
        For the tooltips' cost title.
    """
    panels = []
    for name, (sites, market) in maps.items():
        panel = chart_site_map(sites, market, currency=currency).copy(deep=True)
        panel.config = alt.Undefined  # a concatenation carries the one config
        panel.title = alt.Title(name)
        panels.append(panel)
    return apply_theme(alt.hconcat(*panels))


def chart_frontier(
    frontier: pd.DataFrame, *, metric: str, currency: str | None = None
) -> alt.LayerChart:
    """Annual cost against the quality achieved, one point per floor, the knee marked.

    Parameters
    ----------
    frontier : pandas.DataFrame
        :func:`bestshore.analysis.frontier.cost_quality_frontier`'s table: ``floor``,
        ``achieved``, ``total_cost`` [currency/yr], ``status``, ``gap``, ``knee`` [bool].
    metric : str
        ``csat``, ``fcr`` or ``nps`` (axis title).

    Returns
    -------
    altair.LayerChart
        Themed; the frontier line over the solved points, points proven optimal filled,
        merely feasible ones hollow, the knee ringed and labelled; infeasible floors left out.
    """
    _require_columns(frontier, ("floor", "achieved", "total_cost", "status", "knee"), "frontier")
    table = frontier[frontier["total_cost"].notna()].copy()
    table["proven"] = np.where(table["status"] == "optimal", "optimal", "feasible (gap)")
    unit = f"{currency}/yr" if currency else "per yr"
    base = alt.Chart(
        table,
        title=alt.Title(
            f"Cost-quality frontier ({metric.upper()})",
            subtitle="Least annual cost for each quality floor; the knee is where "
            "quality starts to cost most per point",
        ),
    )
    x = alt.X(
        "achieved:Q",
        title=f"{metric.upper()} achieved (volume-weighted)",
        scale=alt.Scale(zero=False),
    )
    y = alt.Y("total_cost:Q", title=f"Annual cost [{unit}]", scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("floor:Q", title="Floor", format=",.2f"),
        alt.Tooltip("achieved:Q", title="Achieved", format=",.2f"),
        alt.Tooltip("total_cost:Q", title="Annual cost", format=",.0f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("gap:Q", title="Proven gap", format=".2%"),
    ]
    line = base.mark_line(color=COLOURS["staffed"]).encode(x=x, y=y, order="floor:Q")
    points = base.mark_point(size=70, filled=True).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "proven:N",
            title=None,
            scale=alt.Scale(domain=["optimal", "feasible (gap)"], range=["circle", "diamond"]),
            legend=alt.Legend(orient="bottom"),
        ),
        color=alt.value(COLOURS["staffed"]),
        tooltip=tooltip,
    )
    knee = table[table["knee"]]
    ring = (
        alt.Chart(knee)
        .mark_point(size=400, color=COLOURS["text"], strokeWidth=2)
        .encode(x="achieved:Q", y="total_cost:Q", tooltip=tooltip)
    )
    label = (
        alt.Chart(knee)
        .mark_text(align="left", dx=14, dy=-10, fontWeight="bold")
        .encode(x="achieved:Q", y="total_cost:Q", text=alt.value("knee"))
    )
    chart = alt.LayerChart(layer=[line, points, ring, label]).properties(
        width=SIZES["bar_width"], height=320
    )
    return apply_theme(chart)


def chart_cost_distribution(
    draws: pd.DataFrame, *, currency: str | None = None, baseline_cost: float | None = None
) -> alt.LayerChart:
    """Histogram of the re-optimized annual cost over the draws, P5/P50/P95 marked.

    Parameters
    ----------
    draws : pandas.DataFrame
        :func:`bestshore.analysis.risk.run_risk`'s draws: ``total_cost`` [currency/yr]
        (NaN for an infeasible draw, left out) and ``fixed_plan_cost``.
    baseline_cost : float, optional
        The unperturbed scenario's cost, drawn as a dashed rule.
    """
    _require_columns(draws, ("draw", "total_cost"), "draws")
    table = draws[draws["total_cost"].notna()][["draw", "total_cost"]]
    unit = f"{currency}/yr" if currency else "per yr"
    cuts = np.percentile(table["total_cost"], [5, 50, 95]) if len(table) else []
    marks = pd.DataFrame({"cost": list(cuts), "label": ["P5", "P50", "P95"][: len(cuts)]})
    bars = (
        alt.Chart(
            table,
            title=alt.Title(
                "Annual cost over the draws",
                subtitle=f"Re-optimized for each of {len(table)} feasible draws; P5, P50, P95 marked",
            ),
        )
        .mark_bar(color=COLOURS["staffed"])
        .encode(
            x=alt.X("total_cost:Q", bin=alt.Bin(maxbins=30), title=f"Annual cost [{unit}]"),
            y=alt.Y("count():Q", title="Draws"),
        )
    )
    rules = alt.Chart(marks).mark_rule(color=COLOURS["text"], strokeWidth=1.5).encode(x="cost:Q")
    labels = (
        alt.Chart(marks)
        .mark_text(align="left", dx=3, dy=-4, baseline="top")
        .encode(x="cost:Q", y=alt.value(0), text="label:N")
    )
    layers: list[Any] = [bars, rules, labels]
    if baseline_cost is not None and np.isfinite(baseline_cost):
        base = pd.DataFrame({"cost": [baseline_cost]})
        layers.append(
            alt.Chart(base)
            .mark_rule(strokeDash=[4, 3], color=_LOSS)
            .encode(x="cost:Q", tooltip=alt.Tooltip("cost:Q", title="Baseline", format=",.0f"))
        )
    return apply_theme(
        alt.LayerChart(layer=layers).properties(width=SIZES["bar_width"], height=280)
    )


def chart_site_usage(usage: pd.DataFrame) -> alt.Chart:
    """Bars of how often each site is used over the feasible draws.

    Parameters
    ----------
    usage : pandas.DataFrame
        :func:`bestshore.analysis.risk.usage_table` rows of ``kind == "site"``:
        ``name``, ``used_share`` [fraction of feasible draws], ``mean_fte`` [FTE].
    """
    _require_columns(usage, ("name", "used_share", "mean_fte"), "usage")
    chart = (
        alt.Chart(
            usage,
            title=alt.Title(
                "How often each site is used",
                subtitle="Share of feasible draws giving the site work",
            ),
        )
        .mark_bar(color=COLOURS["staffed"])
        .encode(
            x=alt.X(
                "used_share:Q",
                title="Draws using the site [%]",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y(
                "name:N", title=None, sort=alt.EncodingSortField("used_share", order="descending")
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Site"),
                alt.Tooltip("used_share:Q", title="Used in", format=".0%"),
                alt.Tooltip("mean_fte:Q", title="Mean FTE", format=",.1f"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_tornado(table: pd.DataFrame, *, currency: str | None = None) -> alt.LayerChart:
    """Tornado of annual cost: for each parameter, a bar from its low end's cost to its
    high end's, around the base cost (a rule), widest swing on top.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`bestshore.analysis.sensitivity.sensitivity`'s table: ``name`` (display
        name), ``low``, ``high`` [change, fraction], ``unit`` (``%`` or ``pt``),
        ``cost_low``, ``cost_base``, ``cost_high`` [currency/yr], ``status_low``,
        ``status_high``, ``swing`` [currency/yr], ``significant`` [bool].

    Returns
    -------
    altair.LayerChart
        Themed; the low end's half in teal, the high end's in red, each labelled with
        its change; a swing the solves' gaps do not prove (not significant) drawn pale;
        an end without a plan left out.
    """
    _require_columns(
        table,
        ("name", "low", "high", "unit", "cost_low", "cost_base", "cost_high", "swing",
         "significant"),
        "table",
    )  # fmt: skip
    order = list(table.assign(size=table["swing"].abs()).sort_values(
        "size", ascending=False, kind="stable")["name"])  # fmt: skip
    rows = []
    for row in table.itertuples(index=False):
        for end, change, cost in (
            ("low", row.low, row.cost_low),
            ("high", row.high, row.cost_high),
        ):
            if cost is None or not np.isfinite(cost):
                continue
            rows.append(
                {
                    "name": row.name,
                    "end": f"{end} end",
                    "change": f"{change * 100:+g}{row.unit}",
                    "cost": float(cost),
                    "base": float(row.cost_base),
                    "delta": float(cost) - float(row.cost_base),
                    "proven": "significant" if row.significant else "within the solver gaps",
                }
            )
    bars_table = pd.DataFrame(
        rows, columns=["name", "end", "change", "cost", "base", "delta", "proven"]
    )
    unit = f"{currency}/yr" if currency else "per yr"
    base_cost = float(table["cost_base"].iloc[0]) if len(table) else 0.0
    y = alt.Y("name:N", title=None, sort=order, axis=alt.Axis(labelLimit=0))
    tooltip = [
        alt.Tooltip("name:N", title="Parameter"),
        alt.Tooltip("change:N", title="Change"),
        alt.Tooltip("cost:Q", title="Annual cost", format=",.0f"),
        alt.Tooltip("delta:Q", title="Against the base", format="+,.0f"),
        alt.Tooltip("proven:N", title="Swing"),
    ]
    bars = (
        alt.Chart(
            bars_table,
            title=alt.Title(
                "What moves the annual cost",
                subtitle="Each parameter moved alone to its low and high end and re-solved; "
                "the line is the base plan's cost",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X("base:Q", title=f"Annual cost [{unit}]", scale=alt.Scale(zero=False)),
            x2="cost:Q",
            y=y,
            color=alt.Color(
                "end:N",
                title=None,
                scale=alt.Scale(domain=["low end", "high end"], range=[_GAIN, _LOSS]),
                legend=alt.Legend(orient="bottom"),
            ),
            opacity=alt.Opacity(
                "proven:O",  # ordered by its domain (a nominal opacity warns in Vega-Lite)
                title=None,
                scale=alt.Scale(
                    domain=["significant", "within the solver gaps"], range=[1.0, 0.35]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    # Each end's change written outside its bar: left of a cost below the base, right above.
    outside = bars_table.assign(left=bars_table["delta"] < 0)
    labels = [
        alt.Chart(outside[outside["left"] == left])
        .mark_text(baseline="middle", dx=-4 if left else 4, align="right" if left else "left")
        .encode(x=alt.X("cost:Q"), y=y, text="change:N")
        for left in (True, False)
    ]
    rule = (
        alt.Chart(pd.DataFrame({"cost": [base_cost]}))
        .mark_rule(color=COLOURS["text"], strokeWidth=1.5)
        .encode(x="cost:Q", tooltip=alt.Tooltip("cost:Q", title="Base cost", format=",.0f"))
    )
    chart = alt.LayerChart(layer=[bars, *labels, rule]).properties(
        width=SIZES["bar_width"], height={"step": SIZES["bar_step"]}
    )
    return apply_theme(chart)


def chart_alternatives(
    table: pd.DataFrame,
    changes: pd.DataFrame,
    *,
    dimension: str = "site",
    currency: str | None = None,
) -> alt.LayerChart:
    """A grid of the FTE each plan puts at each site (or vendor, country, shore): one row
    per plan, the best first, each cell shaded by its change from the best plan.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`bestshore.analysis.alternatives.Alternatives.table`: ``name``,
        ``total_cost`` [currency/yr], ``cost_over_best`` [fraction], ``work_moved``
        [fraction].
    changes : pandas.DataFrame
        :attr:`bestshore.analysis.alternatives.Alternatives.changes`: ``dimension``,
        ``key``, ``name``, ``scenario`` (the plan's name), ``fte``, ``fte_change`` [FTE].
    dimension : str
        ``site`` (default), ``vendor``, ``country`` or ``shore``.

    Returns
    -------
    altair.LayerChart
        Themed; cells teal where the plan has more FTE than the best plan, red where it
        has fewer, white where the same; each cell labelled with its FTE, each row with
        its plan, annual cost and cost over the best plan.
    """
    _require_columns(table, ("name", "total_cost", "cost_over_best", "work_moved"), "table")
    _require_columns(
        changes, ("dimension", "key", "name", "scenario", "fte", "fte_change"), "changes"
    )
    unit = f" {currency}" if currency else ""
    rows = table.assign(
        row=[
            f"{r.name}: {r.total_cost:,.0f}{unit}/yr"
            + ("" if i == 0 else f" (+{r.cost_over_best:.2%}, {r.work_moved:.0%} moved)")
            for i, r in enumerate(table.itertuples(index=False))
        ]
    )
    order = list(rows["row"])
    cells = changes[changes["dimension"] == dimension].rename(columns={"name": "group"})
    cells = cells.merge(rows[["name", "row"]], left_on="scenario", right_on="name")
    cells = cells[(cells["fte"].abs() > 1e-6) | (cells["fte_change"].abs() > 1e-6)].copy()
    cells["label"] = [f"{v:,.1f}" for v in cells["fte"]]
    spread = float(cells["fte_change"].abs().max()) if len(cells) else 0.0
    spread = spread if spread > 1e-9 else 1.0
    groups = (
        cells[cells["scenario"] == table["name"].iloc[0]]
        .sort_values("fte", ascending=False)["group"]
        .tolist()
    )
    groups += sorted(set(cells["group"]) - set(groups))
    base = alt.Chart(
        cells,
        title=alt.Title(
            f"Near-optimal alternatives: FTE by {dimension}",
            subtitle="Each row a plan within the budget; cells shaded by the change "
            "from the best plan (teal more, red fewer) [FTE]",
        ),
    )
    x = alt.X("group:N", title=None, sort=groups, axis=alt.Axis(labelAngle=-40, labelLimit=0))
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=0))
    rect = base.mark_rect(stroke=COLOURS["grid"]).encode(
        x=x,
        y=y,
        color=alt.Color(
            "fte_change:Q",
            title="FTE vs the best plan",
            scale=alt.Scale(
                domain=[-spread, 0, spread], range=[_LOSS, "#f7f7f7", _GAIN], interpolate="rgb"
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("scenario:N", title="Plan"),
            alt.Tooltip("group:N", title=dimension.capitalize()),
            alt.Tooltip("fte:Q", title="FTE", format=",.1f"),
            alt.Tooltip("fte_change:Q", title="Change [FTE]", format="+,.1f"),
        ],
    )
    text = base.mark_text(fontSize=SIZES["annotation"], color=COLOURS["text"]).encode(
        x=x, y=y, text="label:N"
    )
    width = max(SIZES["bar_width"], 48 * len(groups))
    chart = alt.LayerChart(layer=[rect, text]).properties(
        width=width, height={"step": 2 * SIZES["bar_step"]}
    )
    return apply_theme(chart)
