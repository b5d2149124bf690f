"""The bid workbook of a tender: the purchaser's lots (read-only) and the bidder's sheets.

:func:`template_workbook` builds it from a scenario (the tender's base): one lot per call
type and language, with the figures a bidder prices on, and empty bidder sheets with
drop-downs for every code. The layout is :mod:`bestshore.rfp.layout` (``docs/rfp.md``).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bestshore.rfp.layout import (
    BIDDER_SHEETS,
    INPUT_ROWS,
    LAYOUT_VERSION,
    LOT_COLUMNS,
    PRICE_MODELS,
    PRICE_UNITS,
    Column,
)
from bestshore.scenario.reference import countries
from bestshore.scenario.schema import PROFICIENCY_ORDER, HoursSpec, Scenario

__all__ = ["hours_text", "lot_id", "lot_rows", "template_workbook", "workbook_bytes"]

_EPOCH = (2000, 1, 1, 0, 0, 0)
_HEADER = Font(bold=True)
_PURCHASER = PatternFill("solid", fgColor="DDDDDD")
_BIDDER = PatternFill("solid", fgColor="FFF2CC")


def lot_id(call_type: str, language: str) -> str:
    """A lot's id: ``n1_billing.fr`` (call type id, a dot, language code)."""
    return f"{call_type}.{language}"


def hours_text(spec: HoursSpec) -> str:
    """An opening-hours spec as one cell: ``24/7`` or ``mon-fri 08:00-20:00; sat 09:00-13:00``."""
    if isinstance(spec, str):
        return spec
    parts = []
    for days, windows in spec.items():
        shown = windows if isinstance(windows, str) else ", ".join(windows)
        parts.append(f"{days} {shown}")
    return "; ".join(parts)


def lot_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per lot (call type x language), in the scenario's order, keyed by the
    ``Lots`` sheet's column ids."""
    rows = []
    zone = scenario.market.timezone or str(countries().at[scenario.market.country, "timezone"])
    for call_type in scenario.call_types:
        goal = call_type.service_level
        if goal is None:
            service = None
        elif goal.target is not None and goal.answer_seconds is not None:
            service = f"{goal.target:.0%} in {goal.answer_seconds:g} s"
        else:
            service = f"ASA {goal.asa_seconds:g} s"
        allowed = scenario.policies.data_jurisdictions.get(call_type.data_class, [])
        for language, share in call_type.languages.items():
            rows.append(
                {
                    "lot": lot_id(call_type.id, language),
                    "call_type": call_type.id,
                    "call_type_name": call_type.name or call_type.id,
                    "language": language,
                    "level": str(call_type.level),
                    "channel": str(call_type.channel),
                    "volume_contacts_per_yr": call_type.volume * share,
                    "language_share": share,
                    "aht_seconds": call_type.aht_seconds,
                    "hours": hours_text(call_type.hours),
                    "timezone": zone,
                    "service_level": service,
                    "response_hours": None if call_type.real_time else call_type.response_hours,
                    "min_proficiency": str(call_type.min_proficiency),
                    "data_class": call_type.data_class,
                    "data_jurisdictions": ", ".join(str(j) for j in allowed) or "any",
                }
            )
    return rows


def _codes(scenario: Scenario) -> dict[str, list[tuple[str, str]]]:
    """Each code list of the ``Codes`` sheet: (code, name) pairs."""
    import pycountry

    table = countries()
    languages = sorted(
        (str(lang.alpha_2), str(lang.name))
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    )
    return {
        "country": [(str(code), str(table.at[code, "name"])) for code in sorted(table.index)],
        "language": languages,
        "level": [(str(p), "CEFR level" if p != "native" else "native") for p in PROFICIENCY_ORDER],
        "lot": [(row["lot"], f"{row['call_type_name']}, {row['language']}") for row in lot_rows(scenario)],
        "call_type": [(c.id, c.name or c.id) for c in scenario.call_types],
        "price_model": [(m, PRICE_UNITS[m].replace("{currency}", scenario.market.currency)) for m in PRICE_MODELS],
        "currency": [(scenario.market.currency, "the tender's currency")],
    }  # fmt: skip


def _header(sheet: Worksheet, columns: tuple[Column, ...], fill: PatternFill) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.id)
        cell.font = _HEADER
        cell.fill = fill
        width = max(len(column.id) + 2, 12)
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 40)
    sheet.freeze_panes = "A2"


def _instructions(book: Workbook, scenario: Scenario) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Instructions"
    currency = scenario.market.currency
    lines: list[tuple[Any, ...]] = [
        ("bestshore bid workbook", ""),
        ("layout version", LAYOUT_VERSION),
        ("tender", scenario.name),
        ("market", f"{scenario.market.name or scenario.market.country} ({scenario.market.country})"),
        ("currency", f"every price in {currency}, excluding VAT"),
        ("", ""),
        ("how to fill", "Fill the yellow sheets, one record per row under the header; never move, rename or insert header cells."),
        ("", "Bidder: one row about your company. Sites: one row per site you offer. Languages: one row per site and language."),
        ("", "Prices: one row per site and lot you bid; one price model per site; per FTE-month and per contact, one price per site."),
        ("", "A site bidding a call type bids it in every language of the call type it speaks at the lot's min_proficiency (same price)."),
        ("", "VolumeTiers: discounts on your whole bill past a yearly volume, rising. Quality: committed scores per site (and call type)."),
        ("", "Type values, not formulas (formulas are refused, never evaluated); do not merge cells; leave unused cells empty."),
        ("", "Codes (countries, languages, levels, lots, price models) come from the drop-downs; the Codes sheet lists them."),
        ("", ""),
        ("sheet", "column", "required", "valid values", "meaning"),
    ]  # fmt: skip
    for name, columns in BIDDER_SHEETS.items():
        for column in columns:
            lines.append(
                (
                    name,
                    column.id,
                    "yes" if column.required else "no",
                    column.valid(currency),
                    column.description,
                )
            )
    for row in lines:
        sheet.append(list(row))
    for cell in sheet[15]:
        cell.font = _HEADER
    sheet["A1"].font = Font(bold=True, size=14)
    for letter, width in zip("ABCDE", (16, 32, 10, 60, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(vertical="top")
    sheet.protection.sheet = True


def _lots(book: Workbook, scenario: Scenario) -> None:
    sheet = book.create_sheet("Lots")
    _header(sheet, LOT_COLUMNS, _PURCHASER)
    for row in lot_rows(scenario):
        sheet.append([row[c.id] for c in LOT_COLUMNS])
    for cell in sheet["G"][1:]:
        cell.number_format = "#,##0"
    for cell in sheet["H"][1:]:
        cell.number_format = "0.0%"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.protection.sheet = True  # every cell locked (openpyxl's default), no password
    sheet.protection.autoFilter = False  # bidders may still filter and sort to read it
    sheet.protection.sort = False


def _code_sheet(book: Workbook, codes: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """The ``Codes`` sheet, two columns per list (code, name); returns each list's range."""
    sheet = book.create_sheet("Codes")
    ranges = {}
    for number, (name, pairs) in enumerate(codes.items()):
        code_col, name_col = 2 * number + 1, 2 * number + 2
        sheet.cell(row=1, column=code_col, value=name).font = _HEADER
        sheet.cell(row=1, column=name_col, value=f"{name}_name").font = _HEADER
        for row, (code, label) in enumerate(pairs, start=2):
            sheet.cell(row=row, column=code_col, value=code)
            sheet.cell(row=row, column=name_col, value=label)
        letter = get_column_letter(code_col)
        ranges[name] = f"Codes!${letter}$2:${letter}${max(len(pairs), 1) + 1}"
        sheet.column_dimensions[letter].width = 22
        sheet.column_dimensions[get_column_letter(name_col)].width = 30
    sheet.protection.sheet = True
    return ranges


def _bidder_sheet(
    book: Workbook, name: str, columns: tuple[Column, ...], ranges: dict[str, str], currency: str
) -> None:
    sheet = book.create_sheet(name)
    _header(sheet, columns, _BIDDER)
    last = INPUT_ROWS + 1 if name != "Bidder" else 2
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        area = f"{letter}2:{letter}{last}"
        if column.kind == "code" and column.codes is not None:
            check = DataValidation(type="list", formula1=f"={ranges[column.codes]}")
            check.error = f"{column.id}: {column.valid(currency)}"
        elif column.kind in ("number", "integer"):
            low = column.low if column.low is not None else -1e15
            high = column.high if column.high is not None else 1e15
            kind = "whole" if column.kind == "integer" else "decimal"
            check = DataValidation(
                type=kind, operator="between", formula1=f"{low:g}", formula2=f"{high:g}"
            )
            check.error = f"{column.id}: {column.valid(currency)}"
        else:
            check = None
        if check is not None:
            check.errorTitle = "bestshore bid"
            check.showErrorMessage = True
            check.allow_blank = True
            check.prompt = column.description
            check.showInputMessage = True
            sheet.add_data_validation(check)
            check.add(area)
        if name == "Bidder":  # one record: row 2 alone is open
            sheet.cell(row=2, column=index).protection = Protection(locked=False)
        else:  # every row under the header open, by the column's style: no empty cells
            sheet.column_dimensions[letter].protection = Protection(locked=False)
    sheet.protection.sheet = True  # the header row stays locked; input rows are not
    sheet.protection.autoFilter = False
    sheet.protection.sort = False


def template_workbook(scenario: Scenario) -> Workbook:
    """The bid workbook of ``scenario``'s tender (an openpyxl workbook, unsaved)."""
    book = Workbook()
    _instructions(book, scenario)
    _lots(book, scenario)
    ranges = _code_sheet(book, _codes(scenario))
    for name, columns in BIDDER_SHEETS.items():
        _bidder_sheet(book, name, columns, ranges, scenario.market.currency)
    book.move_sheet("Codes", offset=len(book.sheetnames) - 1 - book.sheetnames.index("Codes"))
    return book


def workbook_bytes(book: Workbook) -> bytes:
    """``book`` as .xlsx bytes that are the same for the same content (fixed document
    times and zip entry times, as :func:`bestshore.result.files.excel_bytes` does)."""
    from openpyxl.xml.functions import tostring

    fixed = dt.datetime(*_EPOCH)
    book.properties.creator = "bestshore"
    book.properties.created = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.modified = fixed  # the save set it to the current time
    core = tostring(book.properties.to_tree())
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = core if info.filename == "docProps/core.xml" else source.read(info.filename)
            target.writestr(entry, data)
    return out.getvalue()
