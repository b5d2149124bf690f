"""Bids in: filled bid workbooks read into one tender scenario, every error located.

:func:`import_bids` reads each workbook (openpyxl, formulas kept as written and never
evaluated), checks every cell against the layout (:mod:`bestshore.rfp.layout`), turns
each bid into one vendor and its sites, validates them with the scenario's own checks
(:func:`bestshore.scenario.parse_scenario`), and either returns the tender (the base
scenario plus one vendor per bidder) or raises one :class:`BidErrors` listing **every**
error found, each on one line: ``file, sheet, cell: what is wrong, what is valid``.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bestshore.rfp.layout import BIDDER_SHEETS, PRICE_UNITS, Column
from bestshore.rfp.template import lot_id
from bestshore.scenario.checks import check_references
from bestshore.scenario.errors import ScenarioError, one_line, show_value
from bestshore.scenario.hours import HoursError, parse_hours
from bestshore.scenario.loader import check_regular_file, parse_scenario, read_scenario_data
from bestshore.scenario.messages import describe
from bestshore.scenario.reference import countries, is_language_code
from bestshore.scenario.schema import PROFICIENCY_ORDER, Proficiency, Scenario

__all__ = ["MAX_BID_BYTES", "MAX_BID_ROWS", "BidErrors", "BidIssue", "Tender", "import_bids"]

MAX_BID_BYTES = 20 * 1024 * 1024
"""Largest bid workbook read [bytes] (20 MiB; a filled template takes under 100 kB)."""
MAX_BID_ROWS = 10_000
"""Most rows one bid sheet may use, header included."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PRICE_FIELD = {
    "per_productive_hour": "cost_per_hour",
    "per_fte_month": "price_per_fte_month",
    "per_handled_contact": "price_per_contact",
}


@dataclass(frozen=True, order=True)
class BidIssue:
    """One error in a bid: where (file, sheet, cell) and what is wrong and what is valid."""

    file: str
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.file}, {self.sheet}, {self.cell}: {self.message}")


class BidErrors(ScenarioError):
    """Bids that cannot make a tender; ``issues`` lists every error, one line each."""

    def __init__(self, issues: Sequence[BidIssue]) -> None:
        self.issues = list(issues)
        more = len(self.issues) - 1
        tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"{self.issues[0]}{tail}" if self.issues else "no error")

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Tender:
    """An imported tender: the scenario mapping to write, its validated scenario, and the
    bids it holds (``bids``: vendor id -> file name)."""

    data: dict[str, Any]
    scenario: Scenario
    bids: dict[str, str]
    digests: dict[str, str] = field(default_factory=dict)

    def yaml_text(self) -> str:
        """The tender as YAML: a comment naming the bid files (name and sha256), then the
        scenario. The same bids and base give the same text."""
        lines = ["# Tender scenario written by `bestshore rfp import` from these bids:"]
        for vendor, name in sorted(self.bids.items()):
            lines.append(f"#   {vendor}: {name} (sha256 {self.digests.get(name, '?')[:16]})")
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(lines) + "\n" + body


# -- reading cells ---------------------------------------------------------------------


@dataclass
class _Record:
    """One row of a bid sheet: its values by column id and the cell of each column."""

    row: int
    values: dict[str, Any]
    cells: dict[str, str]


@dataclass
class _Bid:
    file: str
    path: Path
    issues: list[BidIssue] = field(default_factory=list)
    sheets: dict[str, list[_Record]] = field(default_factory=dict)

    def issue(self, sheet: str, cell: str, message: str) -> None:
        self.issues.append(BidIssue(self.file, sheet, cell, message))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _codes(scenario: Scenario) -> dict[str, set[str]]:
    return {
        "country": set(countries().index),
        "level": {str(p) for p in Proficiency},
        "lot": {lot_id(c.id, lang) for c in scenario.call_types for lang in c.languages},
        "call_type": {c.id for c in scenario.call_types},
        "price_model": set(PRICE_UNITS),
        "currency": {scenario.market.currency},
    }


def _valid_code(column: Column, value: str, codes: dict[str, set[str]]) -> bool:
    if column.codes == "language":
        return len(value) == 2 and value.islower() and is_language_code(value)
    return value in codes[column.codes or ""]


def _read_value(
    bid: _Bid, sheet: str, cell: Any, column: Column, codes: dict[str, set[str]], currency: str
) -> Any:
    """The cell's value for ``column``, or None after recording why it is not valid."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    where = cell.coordinate
    value = cell.value
    valid = column.valid(currency)
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        text = value if isinstance(value, str) else getattr(value, "text", "") or "a formula"
        bid.issue(
            sheet,
            where,
            f"formula {show_value(text)} in a bid cell (formulas are never evaluated); "
            f"type the value itself: {valid}",
        )
        return None
    if cell.data_type == "e":
        bid.issue(sheet, where, f"error value {show_value(value)}; {valid}")
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        if column.required:
            bid.issue(sheet, where, f"{column.id} is missing; required: {valid}")
        return None
    if column.kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = f"a {type(value).__name__} ({show_value(str(value))})"
            if isinstance(value, str):
                shown = f"text {show_value(value)}"
            elif isinstance(value, bool):
                shown = f"the logical value {'TRUE' if value else 'FALSE'}"
            elif isinstance(value, dt.datetime) and value.time() == dt.time(0):
                shown = f"the date {value.date().isoformat()}"
            elif isinstance(value, dt.date | dt.time):
                shown = f"the date or time {value.isoformat()}"
            bid.issue(sheet, where, f"{shown} in a number cell ({column.id}); {valid}")
            return None
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            bid.issue(sheet, where, f"{column.id} is not a finite number; {valid}")
            return None
        too_low = column.low is not None and number < column.low
        too_high = column.high is not None and (
            number >= column.high if column.below else number > column.high
        )
        if too_low or too_high:
            what = "negative" if number < 0 and (column.low or 0) >= 0 else "out of range:"
            bid.issue(sheet, where, f"{what} {column.id} {number:g}; {valid}")
            return None
        if column.kind == "integer":
            if not number.is_integer():
                bid.issue(sheet, where, f"{column.id} {number:g} is not whole; {valid}")
                return None
            return int(number)
        return int(number) if isinstance(value, int) else number
    if isinstance(value, (bool, float)):
        bid.issue(sheet, where, f"{show_value(value)} where {column.id} text belongs; {valid}")
        return None
    if isinstance(value, int) and column.kind == "id":
        value = str(value)  # a numeric id typed as a number
    if not isinstance(value, str):
        bid.issue(sheet, where, f"{show_value(str(value))} where {column.id} text belongs; {valid}")
        return None
    if column.kind == "id" and (len(value) > 64 or not _ID.match(value)):
        bid.issue(sheet, where, f"{column.id} {show_value(value)} is not an id; {valid}")
        return None
    if column.kind == "text" and len(value) > 200:
        bid.issue(sheet, where, f"{column.id} is {len(value)} characters long; {valid}")
        return None
    if column.kind == "code" and not _valid_code(column, value, codes):
        known = sorted(codes.get(column.codes or "", set()))
        close = difflib.get_close_matches(value, known, n=1) if known else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        bid.issue(sheet, where, f"unknown {column.codes} {show_value(value)}{hint}; {valid}")
        return None
    return value


def _read_sheet(
    bid: _Bid, sheet: Any, columns: tuple[Column, ...], codes: dict[str, set[str]], currency: str
) -> list[_Record] | None:
    name = sheet.title
    for merged in sorted(str(r) for r in sheet.merged_cells.ranges):
        bid.issue(
            name, merged, "merged cells; unmerge them: one value per cell, one record per row"
        )
    if sheet.max_row > MAX_BID_ROWS:
        bid.issue(name, f"A{sheet.max_row}", f"{sheet.max_row:,} rows; at most {MAX_BID_ROWS:,}")
        return None
    expected = [c.id for c in columns]
    for index, wanted in enumerate(expected, start=1):
        found = sheet.cell(row=1, column=index).value
        if found != wanted:
            moved = ""
            if isinstance(found, str) and found in expected:
                moved = f" ({found!r} belongs in column {_letter(expected.index(found) + 1)})"
            bid.issue(
                name,
                f"{_letter(index)}1",
                f"header {show_value(found)} where {wanted!r} belongs{moved}; row 1 is fixed: "
                + ", ".join(expected),
            )
            return None
    width = max(sheet.max_column, len(columns))
    for index in range(len(columns) + 1, width + 1):
        extra = sheet.cell(row=1, column=index).value
        if extra not in (None, ""):
            bid.issue(
                name,
                f"{_letter(index)}1",
                f"unknown column {show_value(extra)}; the sheet's columns end at "
                f"{_letter(len(columns))} ({expected[-1]})",
            )
    records = []
    for row in range(2, sheet.max_row + 1):
        cells = [sheet.cell(row=row, column=i) for i in range(1, width + 1)]
        if all(c.value in (None, "") for c in cells):
            continue
        for cell in cells[len(columns) :]:
            if cell.value not in (None, ""):
                bid.issue(name, cell.coordinate, "a value outside the sheet's columns; delete it")
        values = {
            column.id: _read_value(bid, name, cell, column, codes, currency)
            for column, cell in zip(columns, cells, strict=False)
        }
        coordinates = {c.id: cell.coordinate for c, cell in zip(columns, cells, strict=False)}
        records.append(_Record(row, values, coordinates))
    return records


def _read_workbook(path: Path, codes: dict[str, set[str]], currency: str) -> _Bid:
    from openpyxl import load_workbook

    bid = _Bid(file=path.name, path=path)
    try:
        check_regular_file(path, MAX_BID_BYTES, expected="a bid workbook (.xlsx)")
    except ScenarioError as exc:
        bid.issue("-", "-", exc.message)
        return bid
    try:
        # data_only=False: formulas come back as written, never as a cached result.
        book = load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is not a bid
        bid.issue("-", "-", f"not an .xlsx workbook openpyxl can read ({type(exc).__name__})")
        return bid
    for name, columns in BIDDER_SHEETS.items():
        if name not in book.sheetnames:
            close = difflib.get_close_matches(name, book.sheetnames, n=1)
            hint = f" (found {close[0]!r}: rename it)" if close else ""
            bid.issue(
                name, "-", f"sheet missing{hint}; a bid has sheets {', '.join(BIDDER_SHEETS)}"
            )
            continue
        records = _read_sheet(bid, book[name], columns, codes, currency)
        if records is not None:
            bid.sheets[name] = records
    return bid


# -- one bid into a vendor and its sites -----------------------------------------------


@dataclass
class _Built:
    """A bid as scenario items, and the cell each scenario field came from."""

    vendor: dict[str, Any]
    sites: list[dict[str, Any]]
    vendor_cells: dict[str, str]  # vendor field -> "Sheet!A2"
    site_cells: list[dict[str, str]]  # per site: field path (dotted) -> "Sheet!A2"


def _hours_spec(bid: _Bid, record: _Record) -> Any:
    text = record.values.get("hours")
    if text is None:
        return None
    where = record.cells["hours"]
    if text.replace(" ", "") == "24/7":
        return "24/7"
    spec: dict[str, Any] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        days, _, windows = part.partition(" ")
        shown = [w.strip() for w in windows.split(",") if w.strip()]
        if not shown or days in spec:
            bid.issue(
                "Sites",
                where,
                f"opening hours {show_value(text)} cannot be read; write 24/7, or days and "
                "windows separated by ';', e.g. mon-fri 08:00-20:00; sat 09:00-13:00",
            )
            return None
        spec[days] = shown[0] if len(shown) == 1 else shown
    try:
        parse_hours(spec)
    except HoursError as exc:
        bid.issue("Sites", where, f"opening hours {show_value(text)}: {exc}")
        return None
    return spec


def _meets(level: str, needed: Proficiency) -> bool:
    return PROFICIENCY_ORDER[Proficiency(level)] >= PROFICIENCY_ORDER[needed]


def _build(bid: _Bid, scenario: Scenario) -> _Built | None:
    """The bid's vendor and sites (None when a sheet is missing or unreadable: the
    sheet's own issues say why)."""
    if any(name not in bid.sheets for name in BIDDER_SHEETS):
        return None
    currency = scenario.market.currency
    call_types = {c.id: c for c in scenario.call_types}
    bidder = bid.sheets["Bidder"]
    if not bidder:
        bid.issue("Bidder", "A2", "no bidder row; fill row 2 (vendor_id, vendor_name, currency)")
        return None
    for extra in bidder[1:]:
        bid.issue(
            "Bidder", f"A{extra.row}", "a second bidder row; one workbook is one bidder (row 2)"
        )
    head = bidder[0]
    if head.row != 2:
        bid.issue("Bidder", f"A{head.row}", "the bidder row must be row 2, right under the header")
    v, vc = head.values, head.cells
    vendor: dict[str, Any] = {"id": v["vendor_id"], "name": v["vendor_name"]}
    cells = {"id": vc["vendor_id"], "name": vc["vendor_name"]}
    if v["vendor_fixed_cost_per_yr"]:
        vendor["fixed_cost"] = v["vendor_fixed_cost_per_yr"]
        cells["fixed_cost"] = vc["vendor_fixed_cost_per_yr"]
    if v["min_commitment_contacts_per_yr"] is not None:
        commitment: dict[str, Any] = {"contacts": v["min_commitment_contacts_per_yr"]}
        if v["commitment_shortfall_price"] is not None:
            commitment["shortfall_price"] = v["commitment_shortfall_price"]
        vendor["commitment"] = commitment
        cells["commitment"] = vc["min_commitment_contacts_per_yr"]
        cells["commitment.shortfall_price"] = vc["commitment_shortfall_price"]
    elif v["commitment_shortfall_price"] is not None:
        bid.issue(
            "Bidder",
            vc["commitment_shortfall_price"],
            "a shortfall price without a commitment; give min_commitment_contacts_per_yr or "
            "leave it empty",
        )
    terms = ("bonus_per_csat_point", "malus_per_csat_point", "incentive_cap")
    if v["csat_target"] is not None:
        incentive: dict[str, Any] = {"csat_target": v["csat_target"]}
        for term, key in zip(terms, ("bonus_per_point", "malus_per_point", "cap"), strict=True):
            if v[term] is not None:
                incentive[key] = v[term]
                cells[f"quality_incentive.{key}"] = vc[term]
        vendor["quality_incentive"] = incentive
        cells["quality_incentive"] = vc["csat_target"]
    else:
        for term in terms:
            if v[term] is not None:
                bid.issue(
                    "Bidder",
                    vc[term],
                    f"{term} without a csat_target; give the incentive's csat_target (0-100)",
                )
    tiers = [r for r in bid.sheets["VolumeTiers"] if None not in r.values.values()]
    for lower, upper in itertools.pairwise(tiers):
        if (
            upper.values["from_contacts_per_yr"] <= lower.values["from_contacts_per_yr"]
            or upper.values["discount"] <= lower.values["discount"]
        ):
            bid.issue(
                "VolumeTiers",
                upper.cells["from_contacts_per_yr"],
                f"tier not above the one in row {lower.row}; thresholds and discounts must "
                "both rise from row to row",
            )
    if tiers:
        vendor["volume_discounts"] = [
            {"from_contacts": t.values["from_contacts_per_yr"], "discount": t.values["discount"]}
            for t in tiers
        ]
        cells["volume_discounts"] = tiers[0].cells["from_contacts_per_yr"]

    sites: list[dict[str, Any]] = []
    site_cells: list[dict[str, str]] = []
    index: dict[str, int] = {}
    field_of = {
        "site_name": "name", "country": "country", "city": "city", "timezone": "timezone",
        "capacity_fte": "capacity_fte", "seats": "max_agents",
        "annual_hours_per_fte": "annual_hours_per_fte", "setup_cost_per_fte": "setup_cost_per_fte",
        "site_fixed_cost_per_yr": "fixed_cost", "night_premium": "night_premium",
        "weekend_premium": "weekend_premium",
    }  # fmt: skip
    for record in bid.sheets["Sites"]:
        site_id = record.values["site_id"]
        if site_id is None:
            continue
        if site_id in index:
            first = site_cells[index[site_id]]["id"]
            bid.issue(
                "Sites",
                record.cells["site_id"],
                f"site id {site_id!r} given twice (first at {first}); one row per site",
            )
            continue
        site: dict[str, Any] = {"id": site_id, "vendor": vendor["id"]}
        where = {"id": f"Sites!{record.cells['site_id']}", "vendor": f"Bidder!{vc['vendor_id']}"}
        for column, key in field_of.items():
            if record.values[column] is not None:
                site[key] = record.values[column]
                where[key] = f"Sites!{record.cells[column]}"
        hours = _hours_spec(bid, record)
        if hours is not None:
            site["hours"] = hours
            where["hours"] = f"Sites!{record.cells['hours']}"
        site["languages"] = {}
        index[site_id] = len(sites)
        sites.append(site)
        site_cells.append(where)

    def site_of(sheet: str, record: _Record) -> int | None:
        site_id = record.values["site_id"]
        if site_id is None:
            return None
        if site_id not in index:
            known = ", ".join(sorted(index)) or "none"
            bid.issue(
                sheet,
                record.cells["site_id"],
                f"unknown site {site_id!r}; sites of the Sites sheet: {known}",
            )
            return None
        return index[site_id]

    rowed: set[tuple[str, int]] = set()  # (sheet, site) pairs with any row
    levels: dict[int, dict[str, tuple[str, str]]] = {}
    for record in bid.sheets["Languages"]:
        at = site_of("Languages", record)
        if at is not None:
            rowed.add(("Languages", at))
        language, spoken, written = (record.values[k] for k in ("language", "spoken", "written"))
        if at is None or None in (language, spoken, written):
            continue
        if language in sites[at]["languages"]:
            bid.issue(
                "Languages",
                record.cells["language"],
                f"language {language!r} given twice for site {sites[at]['id']!r}; one row per site and language",
            )
            continue
        sites[at]["languages"][language] = (
            spoken if spoken == written else {"spoken": spoken, "written": written}
        )
        site_cells[at][f"languages.{language}"] = f"Languages!{record.cells['language']}"
        levels.setdefault(at, {})[language] = (spoken, written)

    prices: dict[int, list[_Record]] = {}
    seen_lots: dict[tuple[int, str], str] = {}
    for record in bid.sheets["Prices"]:
        at = site_of("Prices", record)
        if at is not None:
            rowed.add(("Prices", at))  # an unreadable row is still a row (its error is told)
        if at is None or None in record.values.values():
            continue
        lot_key = (at, str(record.values["lot"]))
        if lot_key in seen_lots:
            bid.issue(
                "Prices",
                record.cells["lot"],
                f"lot {lot_key[1]!r} priced twice for site {sites[at]['id']!r} (first at {seen_lots[lot_key]}); one row per site and lot",
            )
            continue
        seen_lots[lot_key] = record.cells["lot"]
        prices.setdefault(at, []).append(record)
    for at, site in enumerate(sites):
        rows = prices.get(at, [])
        where = site_cells[at]
        if ("Languages", at) not in rowed:
            bid.issue(
                "Sites",
                where["id"].split("!")[1],
                f"site {site['id']!r} has no row in the Languages sheet; give the languages its agents work in",
            )
        if ("Prices", at) not in rowed:
            bid.issue(
                "Sites",
                where["id"].split("!")[1],
                f"site {site['id']!r} has no row in the Prices sheet; price the lots it bids, or delete the site",
            )
            continue
        if not rows:
            continue
        _site_prices(bid, site, where, rows, call_types, levels.get(at, {}), currency)

    for record in bid.sheets["Quality"]:
        at = site_of("Quality", record)
        if at is None:
            continue
        scores = {
            k: record.values[k] for k in ("csat", "fcr", "nps") if record.values[k] is not None
        }
        if not scores:
            bid.issue(
                "Quality",
                record.cells["csat"],
                "no score in the row; give csat, fcr or nps, or delete the row",
            )
            continue
        call_type = record.values["call_type"]
        site = sites[at]
        if call_type is None:
            if "quality" in site:
                bid.issue(
                    "Quality",
                    record.cells["site_id"],
                    f"site-level scores of {site['id']!r} given twice; one row per site and call type",
                )
                continue
            site["quality"] = scores
            prefix = "quality"
        else:
            by_type = site.setdefault("quality_by_call_type", {})
            if call_type in by_type:
                bid.issue(
                    "Quality",
                    record.cells["call_type"],
                    f"scores of {site['id']!r} for {call_type!r} given twice; one row per site and call type",
                )
                continue
            by_type[call_type] = scores
            prefix = f"quality_by_call_type.{call_type}"
        for key in scores:
            site_cells[at][f"{prefix}.{key}"] = f"Quality!{record.cells[key]}"
        site_cells[at][prefix] = f"Quality!{record.cells['site_id']}"
    return _Built(vendor, sites, {k: f"Bidder!{c}" for k, c in cells.items()}, site_cells)


def _site_prices(
    bid: _Bid,
    site: dict[str, Any],
    where: dict[str, str],
    rows: list[_Record],
    call_types: dict[str, Any],
    levels: dict[str, tuple[str, str]],
    currency: str,
) -> None:
    """The site's price model, prices, offered call types, and the checks that the
    scenario can hold what the rows say (one model per site, one price per call type)."""
    first = rows[0]
    model = first.values["price_model"]
    by_type: dict[str, tuple[float, _Record]] = {}
    priced: dict[str, set[str]] = {}
    for record in rows:
        lot, price = record.values["lot"], record.values["price"]
        call_type, _, language = lot.rpartition(".")
        if record.values["price_model"] != model:
            bid.issue(
                "Prices",
                record.cells["price_model"],
                f"price model {record.values['price_model']!r} for site {site['id']!r}, which row {first.row} prices {model!r}; one price model per site",
            )
            continue
        if call_type in by_type and by_type[call_type][0] != price:
            other = by_type[call_type][1]
            bid.issue(
                "Prices",
                record.cells["price"],
                f"{price:g} for lot {lot!r}, but {other.values['price']:g} for {other.values['lot']!r} at {other.cells['price']}; one price per site and call type, whatever the language",
            )
            continue
        if model != "per_productive_hour" and price != first.values["price"]:
            bid.issue(
                "Prices",
                record.cells["price"],
                f"{price:g} {PRICE_UNITS[model].format(currency=currency)}, but {first.values['price']:g} at {first.cells['price']}; a site priced {model} has one price for all its lots",
            )
            continue
        by_type.setdefault(call_type, (price, record))
        priced.setdefault(call_type, set()).add(language)
        kind = call_types[call_type]
        spoken_written = levels.get(language)
        if spoken_written is not None:
            level = spoken_written[0] if kind.real_time else spoken_written[1]
            if not _meets(level, kind.min_proficiency):
                bid.issue(
                    "Prices",
                    record.cells["lot"],
                    f"site {site['id']!r} bids lot {lot!r} but works in {language} at {level} ({'spoken' if kind.real_time else 'written'}), below the lot's {kind.min_proficiency}; raise the level in Languages or drop the row",
                )
        elif levels:
            bid.issue(
                "Prices",
                record.cells["lot"],
                f"site {site['id']!r} bids lot {lot!r} but has no {language!r} row in the Languages sheet; add it or drop the row",
            )
    for call_type, languages in priced.items():
        kind = call_types[call_type]
        for language in kind.languages:
            pair = levels.get(language)
            if language in languages or pair is None:
                continue
            level = pair[0] if kind.real_time else pair[1]
            if _meets(level, kind.min_proficiency):
                record = by_type[call_type][1]
                bid.issue(
                    "Prices",
                    record.cells["lot"],
                    f"site {site['id']!r} works in {language} at {level}, enough for lot {lot_id(call_type, language)!r}, which it does not price; a site bids a call type in every language it works at the lot's level: add that lot at the same price",
                )
    if not by_type:
        return
    cell = f"Prices!{first.cells['price']}"
    site["call_types"] = [c for c in call_types if c in by_type]
    where["call_types"] = f"Prices!{first.cells['lot']}"
    field = _PRICE_FIELD[model]
    base_price, _ = by_type[site["call_types"][0]]
    site[field] = base_price
    where[field] = cell
    if model == "per_productive_hour":
        rates = {c: p for c, (p, _) in by_type.items() if p != base_price}
        if rates:
            site["rates"] = {c: rates[c] for c in site["call_types"] if c in rates}
            for c in rates:
                where[f"rates.{c}"] = f"Prices!{by_type[c][1].cells['price']}"


# -- mapping the scenario's own errors back to cells ------------------------------------


def _clean(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    return tuple(p for p in loc if isinstance(p, int) or not any(c in p for c in "[],"))


def _cell_of(
    path: tuple[str | int, ...], built: _Built, first_site: int, vendor_at: int
) -> str | None:
    """``Sheet!A2`` of the bid cell a scenario path came from (None: not from the bid)."""
    if len(path) >= 2 and path[0] == "vendors" and path[1] == vendor_at:
        keys = [".".join(str(p) for p in path[2:end]) for end in range(len(path), 1, -1)]
        return next(
            (built.vendor_cells[k] for k in keys if k in built.vendor_cells),
            built.vendor_cells["id"],
        )
    if len(path) >= 2 and path[0] == "sites" and isinstance(path[1], int) and path[1] >= first_site:
        cells = built.site_cells[path[1] - first_site]
        keys = [".".join(str(p) for p in path[2:end]) for end in range(len(path), 1, -1)]
        return next((cells[k] for k in keys if k in cells), cells["id"])
    return None


def _scenario_issues(
    bid: _Bid, built: _Built, base: dict[str, Any], base_file: str
) -> list[BidIssue]:
    """The scenario's own validation of the base with this bid alone: every schema error,
    then the first cross-reference error, each mapped to the bid's cell."""
    data = copy.deepcopy(base)
    first_site = len(data.get("sites", []))
    vendor_at = len(data.get("vendors", []))
    data["vendors"] = [*data.get("vendors", []), built.vendor]
    data["sites"] = [*data.get("sites", []), *built.sites]
    issues = []

    def located(path: tuple[str | int, ...], message: str) -> BidIssue:
        at = _cell_of(path, built, first_site, vendor_at)
        if at is None:
            shown = ".".join(str(p) for p in path)
            return BidIssue(base_file, "-", shown or "-", f"{message} (in the base scenario)")
        sheet, _, cell = at.partition("!")
        return BidIssue(bid.file, sheet, cell, message)

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = _clean(err["loc"])
            issues.append(located(loc, describe(err, Scenario, loc)))
        return issues
    try:
        check_references(scenario)
    except ScenarioError as exc:
        issues.append(located(exc.path, exc.message))
    return issues


# -- the import ------------------------------------------------------------------------


def import_bids(bids: Sequence[str | Path], base: str | Path) -> Tender:
    """Read bid workbooks into a tender over the ``base`` scenario.

    Parameters
    ----------
    bids : paths of filled bid workbooks (``bestshore rfp template``), one bidder each.
    base : the tender's base scenario (YAML): market, call types (the lots), in-house
        sites, policies.

    Returns
    -------
    Tender
        The base plus one vendor per bid (vendors in id order, each followed by its
        sites in row order); ``tender.scenario`` is the validated scenario.

    Raises
    ------
    BidErrors
        Every error of every workbook, each ``file, sheet, cell: what, what is valid``.
    ScenarioError
        The base scenario itself is invalid (one line, as ``bestshore validate``).
    """
    base_data, _ = read_scenario_data(base)
    base_scenario = parse_scenario(base_data, file=base)
    codes = _codes(base_scenario)
    currency = base_scenario.market.currency
    paths = [Path(p) for p in bids]
    issues: list[BidIssue] = []
    names = [p.name for p in paths]
    for name in sorted({n for n in names if names.count(n) > 1}):
        issues.append(
            BidIssue(
                name, "-", "-", "two bid files share this name; give each bid its own file name"
            )
        )
    read = [_read_workbook(p, codes, currency) for p in paths]
    built: dict[str, _Built] = {}
    owners: dict[str, tuple[str, str]] = {}  # vendor id -> (file, cell)
    site_owner: dict[str, tuple[str, str, str]] = {}  # site id -> (vendor, file, cell)
    base_vendors = {v.id for v in base_scenario.vendors}
    base_sites = {s.id for s in base_scenario.sites}
    files: dict[str, str] = {}
    for bid in read:
        made = _build(bid, base_scenario)  # with what could be read: more errors at once
        if made is not None and made.vendor["id"] is not None:
            _cross_checks(bid, made, Path(base).name, base_vendors, base_sites, owners, site_owner)
            if not bid.issues:
                bid.issues.extend(_scenario_issues(bid, made, base_data, str(base)))
            if not bid.issues:
                built[made.vendor["id"]] = made
                files[made.vendor["id"]] = bid.file
        issues.extend(bid.issues)
    if issues:
        raise BidErrors(sorted(set(issues), key=_issue_order(names)))
    data = copy.deepcopy(base_data)
    data.pop("base", None)
    data["vendors"] = [*data.get("vendors", []), *(built[v].vendor for v in sorted(built))]
    data["sites"] = [*data.get("sites", []), *(s for v in sorted(built) for s in built[v].sites)]
    try:
        scenario = parse_scenario(data, file=None)
    except ScenarioError as exc:  # a rule over several bids together
        raise BidErrors(
            [
                BidIssue(
                    Path(base).name,
                    "-",
                    "-",
                    f"the tender with every bid: {exc.message} (at {'.'.join(map(str, exc.path))})",
                )
            ]
        ) from None
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    return Tender(data=data, scenario=scenario, bids=files, digests=digests)


def _cross_checks(
    bid: _Bid,
    made: _Built,
    base_name: str,
    base_vendors: set[str],
    base_sites: set[str],
    owners: dict[str, tuple[str, str]],
    site_owner: dict[str, tuple[str, str, str]],
) -> None:
    """Ids unique across the tender: a bid's vendor and site ids are neither the base's
    nor another bid's."""
    vendor_id = made.vendor["id"]
    cell = made.vendor_cells["id"].split("!")[1]
    if vendor_id in base_vendors:
        bid.issue(
            "Bidder",
            cell,
            f"vendor id {vendor_id!r} is a vendor of the base scenario {base_name}; choose another id",
        )
    elif vendor_id in owners:
        other = owners[vendor_id]
        bid.issue(
            "Bidder",
            cell,
            f"vendor id {vendor_id!r} is also the bidder of {other[0]} (Bidder, {other[1]}); one id per bidder",
        )
    else:
        owners[vendor_id] = (bid.file, cell)
    for site, where in zip(made.sites, made.site_cells, strict=True):
        sheet_cell = where["id"].split("!")[1]
        if site["id"] in base_sites:
            bid.issue(
                "Sites",
                sheet_cell,
                f"site id {site['id']!r} is a site of the base scenario {base_name}; site ids are unique across the tender",
            )
        elif site["id"] in site_owner:
            vendor, file, first = site_owner[site["id"]]
            bid.issue(
                "Sites",
                sheet_cell,
                f"site id {site['id']!r} is also bid by vendor {vendor!r} ({file}, Sites, {first}); site ids are unique across the tender",
            )
        else:
            site_owner[site["id"]] = (vendor_id, bid.file, sheet_cell)


def _issue_order(names: list[str]) -> Any:
    """Issues by file (as given), sheet (layout order), then cell (row, column)."""
    sheets = ["-", *BIDDER_SHEETS]

    def key(issue: BidIssue) -> tuple[Any, ...]:
        match = re.match(r"^([A-Z]+)(\d+)", issue.cell)
        cell = (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, "")
        file = names.index(issue.file) if issue.file in names else len(names)
        sheet = sheets.index(issue.sheet) if issue.sheet in sheets else len(sheets)
        return (file, sheet, cell, issue.message)

    return key
