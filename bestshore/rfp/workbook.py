"""Workbooks of the tender workflow for people (names beside ids, money with its currency):
``award.xlsx`` (:func:`award_workbook`) and ``compare.xlsx`` (:func:`tables_workbook`).

``award.xlsx`` sheets: ``Summary`` (tender, status, cost, proven gap, savings, quality,
binding rules in words), ``ByVendor``, ``Lots``, ``ByLot``, ``Limits``, ``RulePrices``,
and with a bid comparison ``Bids``, ``BidsByLot``, ``Offers``. Every text cell is stored
as text, so a bidder's name such as ``=HYPERLINK(...)`` reads back as written and never
runs. Column headers carry their unit in brackets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bestshore.rfp.template import workbook_bytes

if TYPE_CHECKING:
    from bestshore.rfp.award import Award
    from bestshore.rfp.bidcost import BidComparison

__all__ = ["award_workbook", "header_of", "tables_workbook"]

_MONEY = "#,##0"
_PRICE = "#,##0.00"
_SHARE = "0.0%"
_FTE = "#,##0.0"
_SHARES = ("share", "coverage", "saving_share", "plan_within")


def header_of(column: str) -> str:
    """A column id with its unit: ``spend_EUR_per_yr`` -> ``spend [EUR/yr]``,
    ``cost_per_contact_EUR`` -> ``cost_per_contact [EUR/contact]``."""
    found = re.fullmatch(r"(.*)_([A-Z]{3})_per_yr", column)
    if found:
        return f"{found.group(1)} [{found.group(2)}/yr]"
    found = re.fullmatch(r"(cost_per_contact)_([A-Z]{3})", column)
    if found:
        return f"{found.group(1)} [{found.group(2)}/contact]"
    units = {
        "volume_contacts_per_yr": "volume [contacts/yr]",
        "forecast_contacts_per_yr": "forecast_contacts [contacts/yr]",
        "handled_contacts_per_yr": "handled_contacts [contacts/yr]",
        "repeat_contacts_per_yr": "repeat_contacts [contacts/yr]",
        "fte": "fte [FTE]",
        "capacity_fte": "capacity [FTE]",
    }
    if column in units:
        return units[column]
    if column.endswith("share") or column == "coverage":
        return f"{column} [fraction]"
    return column


def _format(column: str) -> str | None:
    if "cost_per_contact" in column or column == "price":
        return _PRICE
    if column.endswith(_SHARES) and column != "plan_within":
        return _SHARE
    if column in ("fte", "capacity_fte"):
        return _FTE
    if "_per_yr" in column or column.startswith(("cost_", "price", "limit", "plan", "model")):
        return _MONEY
    return None


def _cell_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _finish(sheet: Any) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: no formula from a bidder's name
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def _table(book: Workbook, name: str, table: pd.DataFrame) -> None:
    sheet = book.create_sheet(name)
    columns = list(table.columns)
    sheet.append([header_of(c) for c in columns])
    for row in table.itertuples(index=False):
        sheet.append([_cell_value(v) for v in row])
    for index, column in enumerate(columns, start=1):
        code = _format(column)
        if table[column].dtype == bool:
            code = None
        letter = get_column_letter(index)
        width = len(header_of(column)) + 2
        for cell in sheet[letter][1:]:
            if (
                code is not None
                and isinstance(cell.value, int | float)
                and not isinstance(cell.value, bool)
            ):
                cell.number_format = code
            width = max(width, min(len(str(cell.value or "")) + 2, 60))
        sheet.column_dimensions[letter].width = width
    _finish(sheet)


def _summary(book: Workbook, rows: list[tuple[str, Any, str]]) -> None:
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(["item", "value", "unit"])
    for item, value, unit in rows:
        summary.append([item, _cell_value(value), unit])
        cell = summary.cell(row=summary.max_row, column=2)
        if isinstance(cell.value, float):
            cell.number_format = "0.00%" if unit.startswith("fraction") else _MONEY
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 90
    summary.column_dimensions["C"].width = 50
    _finish(summary)


def award_workbook(award: Award, bids: BidComparison | None = None) -> bytes:
    """The award as an .xlsx workbook (the same award gives the same bytes)."""
    cur = award.currency
    result = award.result
    savings = award.savings
    kpis = result.kpis
    rows: list[tuple[str, Any, str]] = [
        ("tender", result.scenario_name, ""),
        ("rules", award.rules.name or "(no name)", ""),
        ("status", result.status, ""),
        ("total annual cost", result.total_cost, f"{cur}/yr"),
        ("proven lower bound", result.stamp.get("lower_bound"), f"{cur}/yr"),
        ("proven gap", result.stamp.get("gap"), "fraction: the cost is within this of the best award"),
        ("cost outside any bidder (SCC compliance...)", award.other_spend, f"{cur}/yr"),
        ("today's cost", savings.get("today_cost"), f"{cur}/yr ({savings.get('basis', 'no history')})"),
        ("the award's cost on the same basis", savings.get("award_cost"), f"{cur}/yr"),
        ("saving", savings.get("saving"), f"{cur}/yr"),
        ("saving share", savings.get("saving_share"), "fraction of today's cost"),
        ("lots with today's cost", f"{savings.get('lots_with_history', 0)} of {savings.get('lots', 0)}", ""),
    ]  # fmt: skip
    for score, unit in (
        ("csat", "points, volume-weighted"),
        ("fcr", "fraction"),
        ("nps", "points"),
    ):
        rows.append((score.upper(), kpis.get(score), unit))
    for text in award.binding_rules():
        rows.append(("binding rule", text, ""))
    book = Workbook()
    _summary(book, rows)
    _table(book, "ByVendor", award.by_vendor)
    _table(book, "Lots", award.lots)
    _table(book, "ByLot", award.by_lot)
    _table(book, "Limits", award.limits)
    price_units = {
        c: f"{c}_{cur}_per_yr"
        for c in ("cost_with", "cost_without", "price", "price_low", "price_high")
    }
    _table(book, "RulePrices", award.rule_prices.rename(columns=price_units))
    if bids is not None:
        _table(book, "Bids", bids.bids)
        _table(book, "BidsByLot", bids.by_lot)
        _table(book, "Offers", bids.offers)
    return workbook_bytes(book)


def tables_workbook(
    summary: list[tuple[str, Any, str]], tables: Mapping[str, pd.DataFrame]
) -> bytes:
    """A Summary sheet and one sheet per table, formatted as ``award.xlsx``."""
    book = Workbook()
    _summary(book, summary)
    for name, table in tables.items():
        _table(book, name, table)
    return workbook_bytes(book)
