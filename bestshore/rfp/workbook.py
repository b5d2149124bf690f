"""``award.xlsx``: the award for people (names beside ids, money with its currency).

Sheets: ``Summary`` (tender, status, cost, proven gap, binding rules in words),
``ByVendor``, ``ByLot``, ``RulePrices``. Every text cell is stored as text, so a bidder's
name such as ``=HYPERLINK(...)`` reads back as written and never runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bestshore.rfp.template import workbook_bytes

if TYPE_CHECKING:
    from bestshore.rfp.award import Award

__all__ = ["award_workbook"]

_MONEY = "#,##0"
_SHARE = "0.0%"
_FTE = "#,##0.0"


def _format(column: str) -> str | None:
    if "spend" in column or column.startswith(("cost_", "price")):
        return _MONEY if "share" not in column else _SHARE
    if column.endswith("share"):
        return _SHARE
    if column == "fte":
        return _FTE
    if column.startswith("volume"):
        return _MONEY
    return None


def _cell_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _table(book: Workbook, name: str, table: pd.DataFrame, headers: dict[str, str]) -> None:
    sheet = book.create_sheet(name)
    columns = list(table.columns)
    sheet.append([headers.get(c, c) for c in columns])
    for row in table.itertuples(index=False):
        sheet.append([_cell_value(v) for v in row])
    for index, column in enumerate(columns, start=1):
        code = _format(column)
        letter = get_column_letter(index)
        width = len(headers.get(column, column)) + 2
        for cell in sheet[letter][1:]:
            if code is not None and isinstance(cell.value, int | float):
                cell.number_format = code
            width = max(width, min(len(str(cell.value or "")) + 2, 60))
        sheet.column_dimensions[letter].width = width
    _finish(sheet)


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


def award_workbook(award: Award) -> bytes:
    """The award as an .xlsx workbook (the same award gives the same bytes)."""
    cur = award.currency
    result = award.result
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    gap = result.stamp.get("gap")
    rows: list[tuple[str, Any, str]] = [
        ("tender", result.scenario_name, ""),
        ("rules", award.rules.name or "(no name)", ""),
        ("status", result.status, ""),
        ("total annual cost", result.total_cost, f"{cur}/yr"),
        ("proven gap", gap, "fraction: the cost is within this of the best award"),
        ("cost outside any bidder (SCC compliance...)", award.other_spend, f"{cur}/yr"),
    ]
    for text in award.binding_rules():
        rows.append(("binding rule", text, ""))
    summary.append(["item", "value", "unit"])
    for item in rows:
        summary.append(list(item))
    for cell in summary["B"][1:]:
        if isinstance(cell.value, float):
            cell.number_format = _MONEY if cell.row != 6 else "0.00%"
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 90
    summary.column_dimensions["C"].width = 50
    _finish(summary)
    money = {
        c: c.replace(f"_{cur}_per_yr", f" [{cur}/yr]")
        for c in [*award.by_vendor.columns, *award.by_lot.columns]
        if c.endswith(f"_{cur}_per_yr")
    }
    units = {
        "volume_contacts_per_yr": "volume [contacts/yr]",
        "fte": "fte [FTE]",
        "volume_share": "volume_share [fraction]",
        "spend_share": "spend_share [fraction]",
    }
    _table(book, "ByVendor", award.by_vendor, {**money, **units})
    _table(book, "ByLot", award.by_lot, {**money, **units})
    price_units = {
        c: f"{c} [{cur}/yr]"
        for c in ("cost_with", "cost_without", "price", "price_low", "price_high")
    }
    _table(book, "RulePrices", award.rule_prices, price_units)
    return workbook_bytes(book)
