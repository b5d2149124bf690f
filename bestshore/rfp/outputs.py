"""The files of the tender commands, as bytes by name, for
:func:`bestshore.result.files.write_folder` (all or nothing, with a manifest).

``award`` writes ``award.xlsx``, ``award.json``, ``bids.csv`` (the bid comparison, when
made) and its charts under ``charts/`` (PNG, SVG and offline HTML): ``award_spend``,
``lot_award``, ``rule_prices`` (when rules are priced), ``savings`` (when the tender has
history) and ``bid_ranking``.
"""

from __future__ import annotations

from typing import Any

from bestshore.rfp.award import Award
from bestshore.rfp.bidcost import BidComparison
from bestshore.views.analytics_outputs import chart_files, table_files

__all__ = ["award_charts", "award_files"]


def award_charts(award: Award, bids: BidComparison | None = None) -> dict[str, Any]:
    """The award's charts by file stem (pure Altair objects, nothing rendered)."""
    from bestshore.views.charts import chart_policy_prices
    from bestshore.views.rfp_charts import (
        chart_award_spend,
        chart_bid_ranking,
        chart_lot_award,
        chart_savings,
    )

    cur = award.currency
    charts: dict[str, Any] = {
        "award_spend": chart_award_spend(award.by_vendor, currency=cur),
        "lot_award": chart_lot_award(award.by_lot, award.lots),
    }
    if not award.rule_prices.empty:
        charts["rule_prices"] = chart_policy_prices(award.rule_prices, currency=cur)
    if award.lots[f"today_cost_{cur}_per_yr"].notna().any():
        charts["savings"] = chart_savings(award.lots, currency=cur)
    if bids is not None and len(bids.by_lot):
        charts["bid_ranking"] = chart_bid_ranking(bids.by_lot, currency=cur)
    return charts


def award_files(
    award: Award,
    bids: BidComparison | None = None,
    *,
    formats: tuple[str, ...] = ("png", "svg", "html"),
) -> dict[str, bytes]:
    """``award.xlsx``, ``award.json``, the bid comparison's CSVs and the charts."""
    files = {"award.xlsx": award.workbook_bytes(bids), "award.json": award.json_bytes()}
    if bids is not None:
        files.update(
            table_files({"bids": bids.bids, "bids_by_lot": bids.by_lot, "offers": bids.offers})
        )
    files.update(chart_files(award_charts(award, bids), formats))
    return files
