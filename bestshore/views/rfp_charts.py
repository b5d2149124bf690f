"""Charts of a tender: the award, its savings, the bids compared, award variants.

Pure functions ``chart_<name>(table) -> alt.Chart`` like :mod:`bestshore.views.charts`:
they read the tables of :mod:`bestshore.rfp` (never change them), embed their data
inline, display nothing, name bidders by their names and are themed by
:mod:`bestshore.views.theme`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from bestshore.views.charts import _require_columns
from bestshore.views.theme import COLOURS, SIZES, apply_theme, category_scale

__all__ = [
    "chart_award_spend",
    "chart_bid_ranking",
    "chart_lot_award",
    "chart_savings",
    "chart_variant_costs",
    "chart_variant_shares",
]

_SAVED, _DEARER = "#2a9d8f", "#c0392b"


def _unit(currency: str | None, per: str = "yr") -> str:
    return f"{currency}/{per}" if currency else f"per {per}"


def chart_award_spend(by_vendor: pd.DataFrame, *, currency: str) -> alt.Chart:
    """Annual spend per bidder in the award (work and fixed costs stacked), largest first.

    Parameters
    ----------
    by_vendor : pandas.DataFrame
        :attr:`bestshore.rfp.Award.by_vendor`: ``vendor_name``,
        ``staffing_spend_<cur>_per_yr``, ``fixed_spend_<cur>_per_yr``,
        ``spend_<cur>_per_yr`` [currency/yr], ``spend_share`` [fraction].
    currency : str
        The tender's currency (column names and axis title).
    """
    work, fixed = f"staffing_spend_{currency}_per_yr", f"fixed_spend_{currency}_per_yr"
    total = f"spend_{currency}_per_yr"
    _require_columns(by_vendor, ("vendor_name", work, fixed, total, "spend_share"), "by_vendor")
    rows = []
    for row in by_vendor.itertuples(index=False):
        for part, column in (("work", work), ("fixed and one-off", fixed)):
            rows.append(
                {
                    "bidder": row.vendor_name,
                    "part": part,
                    "spend": float(getattr(row, column)),
                    "total": float(getattr(row, total)),
                    "share": float(row.spend_share),
                }
            )
    table = pd.DataFrame(rows, columns=["bidder", "part", "spend", "total", "share"])
    order = list(
        by_vendor.sort_values(total, ascending=False, kind="stable")["vendor_name"].astype(str)
    )
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Award: annual spend per bidder",
                subtitle="The bill for the work, and the fixed, set-up and take-or-pay costs",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "spend:Q",
                stack="zero",
                title=f"Annual spend [{_unit(currency)}]",
                axis=alt.Axis(format="~s"),
            ),
            y=alt.Y("bidder:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(
                    domain=["work", "fixed and one-off"],
                    range=[COLOURS["staffed"], COLOURS["muted"]],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("bidder:N", title="Bidder"),
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("spend:Q", title="Spend a year", format=",.0f"),
                alt.Tooltip("total:Q", title="Bidder's total", format=",.0f"),
                alt.Tooltip("share:Q", title="Share of the award", format=".1%"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_lot_award(by_lot: pd.DataFrame, lots: pd.DataFrame) -> alt.Chart:
    """Who takes each lot: each bidder's share of the lot's forecast contacts, stacked.

    Parameters
    ----------
    by_lot : pandas.DataFrame
        :attr:`bestshore.rfp.Award.by_lot`: ``vendor_name``, ``lot``,
        ``forecast_contacts_per_yr`` [contacts/yr].
    lots : pandas.DataFrame
        :attr:`bestshore.rfp.Award.lots`: ``lot``, ``call_type_name``, ``language``,
        ``forecast_contacts_per_yr``.
    """
    _require_columns(by_lot, ("vendor_name", "lot", "forecast_contacts_per_yr"), "by_lot")
    _require_columns(
        lots, ("lot", "call_type_name", "language", "forecast_contacts_per_yr"), "lots"
    )
    names = {r.lot: f"{r.call_type_name} ({r.language})" for r in lots.itertuples(index=False)}
    volume = lots.set_index("lot")["forecast_contacts_per_yr"]
    part = (
        by_lot.groupby(["lot", "vendor_name"], sort=True)["forecast_contacts_per_yr"]
        .sum()
        .reset_index()
    )
    part = part[part["forecast_contacts_per_yr"] > 1e-6]
    table = pd.DataFrame(
        {
            "lot": [names.get(lot, lot) for lot in part["lot"]],
            "bidder": part["vendor_name"].astype(str),
            "contacts": part["forecast_contacts_per_yr"].astype(float),
            "share": [
                float(c) / float(volume[lot]) if float(volume[lot]) else 0.0
                for lot, c in zip(part["lot"], part["forecast_contacts_per_yr"], strict=True)
            ],
        }
    )
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Award: who takes each lot", subtitle="Share of each lot's forecast contacts"
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                stack="zero",
                title="Share of the lot",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y(
                "lot:N",
                title=None,
                sort=[names[k] for k in lots["lot"] if k in names],
                axis=alt.Axis(labelLimit=0),
            ),
            color=alt.Color(
                "bidder:N",
                title="Bidder",
                scale=category_scale(),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("lot:N", title="Lot"),
                alt.Tooltip("bidder:N", title="Bidder"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
                alt.Tooltip("contacts:Q", title="Forecast contacts a year", format=",.0f"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_savings(lots: pd.DataFrame, *, currency: str) -> alt.Chart:
    """Today's cost and the award's per lot (lots with history), and the saving.

    Parameters
    ----------
    lots : pandas.DataFrame
        :attr:`bestshore.rfp.Award.lots`: ``call_type_name``, ``language``,
        ``today_cost_<cur>_per_yr``, ``spend_<cur>_per_yr``, ``saving_<cur>_per_yr``
        [currency/yr]; lots without history (no today's cost) are left out.
    """
    today, spend = f"today_cost_{currency}_per_yr", f"spend_{currency}_per_yr"
    saving = f"saving_{currency}_per_yr"
    _require_columns(lots, ("call_type_name", "language", today, spend, saving), "lots")
    known = lots[lots[today].notna()]
    rows = []
    for row in known.itertuples(index=False):
        name = f"{row.call_type_name} ({row.language})"
        before, after = float(getattr(row, today)), float(getattr(row, spend))
        rows.append({"lot": name, "when": "today", "cost": before, "saving": before - after})
        rows.append({"lot": name, "when": "award", "cost": after, "saving": before - after})
    table = pd.DataFrame(rows, columns=["lot", "when", "cost", "saving"])
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Savings per lot",
                subtitle="Today's cost (history) against the award's bill for the lot's work "
                "(fixed costs not split by lot)",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X("cost:Q", title=f"Annual cost [{_unit(currency)}]", axis=alt.Axis(format="~s")),
            y=alt.Y("when:N", title=None, sort=["today", "award"]),
            row=alt.Row(
                "lot:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=0),
            ),
            color=alt.Color(
                "when:N",
                title=None,
                scale=alt.Scale(
                    domain=["today", "award"], range=[COLOURS["muted"], COLOURS["staffed"]]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("lot:N", title="Lot"),
                alt.Tooltip("when:N", title="Cost"),
                alt.Tooltip("cost:Q", title="A year", format=",.0f"),
                alt.Tooltip("saving:Q", title="Saving", format="+,.0f"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_bid_ranking(by_lot: pd.DataFrame, *, currency: str) -> alt.Chart:
    """Bids ranked per lot by their normalised cost per forecast contact.

    Parameters
    ----------
    by_lot : pandas.DataFrame
        :attr:`bestshore.rfp.bidcost.BidComparison.by_lot`: ``vendor_name``,
        ``lot_name``, ``cost_per_contact_<cur>`` [currency per forecast contact],
        ``coverage`` [fraction], ``repeat_contacts_per_yr``, ``fte``, ``price_models``.

    Returns
    -------
    altair.Chart
        One panel per lot, cheapest bid on top; a bid that can take only part of the
        lot (its hours, a rule) drawn pale.
    """
    column = f"cost_per_contact_{currency}"
    _require_columns(
        by_lot,
        ("vendor_name", "lot_name", column, "coverage", "repeat_contacts_per_yr", "fte", "price_models"),
        "by_lot",
    )  # fmt: skip
    table = by_lot[by_lot[column].notna()].copy()
    table = pd.DataFrame(
        {
            "lot": table["lot_name"].astype(str),
            "bidder": table["vendor_name"].astype(str),
            "cost": table[column].astype(float),
            "coverage": table["coverage"].astype(float),
            "whole": np.where(table["coverage"] >= 1 - 1e-9, "the whole lot", "part of the lot"),
            "repeats": table["repeat_contacts_per_yr"].astype(float),
            "fte": table["fte"].astype(float),
            "model": table["price_models"].astype(str),
        }
    )
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Bids compared per lot: annual cost per forecast contact",
                subtitle="Each bid priced as the model prices it: the staffing its hours need, "
                "the repeat contacts its FCR causes, premiums, bonus/malus",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X("cost:Q", title=f"Cost per forecast contact [{_unit(currency, 'contact')}]"),
            y=alt.Y(
                "bidder:N",
                title=None,
                sort=alt.EncodingSortField("cost", order="ascending"),
                axis=alt.Axis(labelLimit=0),
            ),
            row=alt.Row(
                "lot:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=0),
            ),
            color=alt.Color(
                "whole:N",
                title=None,
                scale=alt.Scale(
                    domain=["the whole lot", "part of the lot"],
                    range=[COLOURS["staffed"], COLOURS["grid"]],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("lot:N", title="Lot"),
                alt.Tooltip("bidder:N", title="Bidder"),
                alt.Tooltip("cost:Q", title="Per forecast contact", format=",.2f"),
                alt.Tooltip("coverage:Q", title="Can take", format=".0%"),
                alt.Tooltip("repeats:Q", title="Repeat contacts a year", format=",.0f"),
                alt.Tooltip("fte:Q", title="FTE", format=",.1f"),
                alt.Tooltip("model:N", title="Price model"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)


def chart_variant_costs(variants: pd.DataFrame, *, currency: str) -> alt.LayerChart:
    """Annual cost of each award variant, with the interval its solve proves.

    Parameters
    ----------
    variants : pandas.DataFrame
        ``variant``, ``status``, ``total_cost_<cur>_per_yr``, ``lower_bound_<cur>_per_yr``
        [currency/yr]; a variant without a plan (no cost) is left out.
    """
    cost, bound = f"total_cost_{currency}_per_yr", f"lower_bound_{currency}_per_yr"
    _require_columns(variants, ("variant", "status", cost, bound), "variants")
    solved = variants[variants[cost].notna()]
    table = pd.DataFrame(
        {
            "variant": solved["variant"].astype(str),
            "status": solved["status"].astype(str),
            "cost": solved[cost].astype(float),
            "low": solved[bound].fillna(0.0).astype(float),
        }
    )
    order = list(variants["variant"].astype(str))
    base = alt.Chart(
        table,
        title=alt.Title(
            "Award variants: annual cost",
            subtitle="Each variant's rules solved; the line spans the costs its solve proves possible",
        ),
    )
    y = alt.Y("variant:N", title=None, sort=order, axis=alt.Axis(labelLimit=0))
    tooltip = [
        alt.Tooltip("variant:N", title="Variant"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("cost:Q", title="Annual cost", format=",.0f"),
        alt.Tooltip("low:Q", title="Proven at least", format=",.0f"),
    ]
    bars = base.mark_bar(color=COLOURS["staffed"]).encode(
        x=alt.X("cost:Q", title=f"Annual cost [{_unit(currency)}]", axis=alt.Axis(format="~s")),
        y=y,
        tooltip=tooltip,
    )
    lines = base.mark_rule(color=COLOURS["text"], strokeWidth=1.5).encode(
        x="low:Q", x2="cost:Q", y=y, tooltip=tooltip
    )
    chart = alt.LayerChart(layer=[bars, lines]).properties(
        width=SIZES["bar_width"], height={"step": SIZES["bar_step"]}
    )
    return apply_theme(chart)


def chart_variant_shares(shares: pd.DataFrame) -> alt.Chart:
    """Each bidder's share of the spend in each award variant, stacked.

    Parameters
    ----------
    shares : pandas.DataFrame
        ``variant``, ``vendor_name``, ``spend_share`` [fraction].
    """
    _require_columns(shares, ("variant", "vendor_name", "spend_share"), "shares")
    table = pd.DataFrame(
        {
            "variant": shares["variant"].astype(str),
            "bidder": shares["vendor_name"].astype(str),
            "share": shares["spend_share"].astype(float),
        }
    )
    table = table[table["share"] > 1e-9]
    order = list(dict.fromkeys(shares["variant"].astype(str)))
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Award variants: who is paid", subtitle="Share of each variant's spend"
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                stack="zero",
                title="Share of the spend",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("variant:N", title=None, sort=order, axis=alt.Axis(labelLimit=0)),
            color=alt.Color(
                "bidder:N",
                title="Bidder",
                scale=category_scale(),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("variant:N", title="Variant"),
                alt.Tooltip("bidder:N", title="Bidder"),
                alt.Tooltip("share:Q", title="Share of the spend", format=".1%"),
            ],
        )
        .properties(width=SIZES["bar_width"], height={"step": SIZES["bar_step"]})
    )
    return apply_theme(chart)
