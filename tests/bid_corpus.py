"""A corpus of broken bid workbooks, each with the one error line the import must give.

Every case starts from a valid bid of the tiny tender (``tests/test_rfp.py``'s: Alpha
Contact bids Rabat, Beta Relation bids Lisbon, lot ``n1.fr``), filled in the tender's own
template, then breaks it one way: a change to the records typed in, or to the workbook
itself (openpyxl). ``expected`` is the start of the error line after ``error: ``:
``file, sheet, cell: what is wrong``.

Run as a script to write the corpus as .xlsx files (``python tests/bid_corpus.py DIR``);
the tests generate it in a temporary folder.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bestshore.examples import tiny
from bestshore.rfp.example import fill_bid
from bestshore.rfp.template import template_workbook, workbook_bytes
from bestshore.scenario import parse_scenario

Records = dict[str, list[dict[str, Any]]]


def base() -> dict[str, Any]:
    """The tiny tender's base: 3,000 h of French N1 (lot n1.fr), in-house Paris."""
    data = tiny(name="tiny tender", vendors=[])
    paris = {k: v for k, v in data["sites"][0].items() if k != "vendor"}
    data["sites"] = [dict(paris, name="Paris (in-house)", cost_per_hour=50.0)]
    return data


def bid(vendor: str, name: str, site: str, country: str, city: str, price: float) -> Records:
    return {
        "Bidder": [{"vendor_id": vendor, "vendor_name": name, "currency": "EUR"}],
        "Sites": [
            {"site_id": site, "site_name": city, "country": country, "city": city,
             "capacity_fte": 10, "hours": "mon-fri 07:00-20:00"}
        ],
        "Languages": [{"site_id": site, "language": "fr", "spoken": "native", "written": "C2"}],
        "Prices": [{"site_id": site, "lot": "n1.fr", "price_model": "per_productive_hour", "price": price}],
        "Quality": [{"site_id": site, "csat": 80}],
    }  # fmt: skip


ALPHA = bid("alpha", "Alpha Contact", "rabat", "MA", "Rabat", 15)
BETA = bid("beta", "Beta Relation", "lisbon", "PT", "Lisbon", 20)


@dataclass(frozen=True)
class Case:
    """A broken bid: ``records`` change the typed records of alpha.xlsx (or beta.xlsx with
    ``file``), ``book`` changes the workbook; ``expected`` starts the error line."""

    name: str
    expected: str
    records: Callable[[Records], None] | None = None
    book: Callable[[Any], None] | None = None
    file: str = "alpha.xlsx"
    raw: bytes | None = None  # the file's bytes as they are (not a workbook)


def _set(sheet: str, column: str, value: Any, row: int = 0) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        records[sheet][row][column] = value

    return change


def _add(sheet: str, record: dict[str, Any]) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        records[sheet].append(record)

    return change


def _cell(sheet: str, cell: str, value: Any) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet][cell] = value

    return change


def _error_cell(book: Any) -> None:
    cell = book["Prices"]["D2"]
    cell.value, cell.data_type = "#DIV/0!", "e"


def _two_changes(*changes: Callable[[Records], None]) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        for one in changes:
            one(records)

    return change


def _rename_all(site: str) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        for sheet in ("Sites", "Languages", "Prices", "Quality"):
            for record in records[sheet]:
                record["site_id"] = site

    return change


NUMBER = "a number"
CASES: list[Case] = [
    Case("text in a number cell", "alpha.xlsx, Sites, F2: text 'ten' in a number cell (capacity_fte); a number from 0 to 100000 [FTE]", _set("Sites", "capacity_fte", "ten")),
    Case("negative price", "alpha.xlsx, Prices, D2: negative price -3; a number from 0 to 1e+07 [EUR per unit of the price model]", _set("Prices", "price", -3)),
    Case("capacity out of range", "alpha.xlsx, Sites, F2: out of range: capacity_fte 200000; a number from 0 to 100000 [FTE]", _set("Sites", "capacity_fte", 200_000)),
    Case("fcr above 1", "alpha.xlsx, Quality, D2: out of range: fcr 1.5; a number from 0 to 1 [fraction]", _set("Quality", "fcr", 1.5)),
    Case("a date in a number cell", "alpha.xlsx, Prices, D2: the date 2025-01-15 in a number cell (price); a number from 0 to 1e+07", _set("Prices", "price", dt.date(2025, 1, 15))),
    Case("a boolean in a number cell", "alpha.xlsx, Prices, D2: the logical value TRUE in a number cell (price); a number from 0 to 1e+07", _set("Prices", "price", True)),
    Case("unknown lot", "alpha.xlsx, Prices, B2: unknown lot 'n9.fr' (did you mean 'n1.fr'?)", _set("Prices", "lot", "n9.fr")),
    Case("unknown country", "alpha.xlsx, Sites, C2: unknown country 'XX'", _set("Sites", "country", "XX")),
    Case("unknown currency", "alpha.xlsx, Bidder, C2: unknown currency 'USD'", _set("Bidder", "currency", "USD")),
    Case("not a language code", "alpha.xlsx, Languages, B2: unknown language 'french'", _set("Languages", "language", "french")),
    Case("unknown level", "alpha.xlsx, Languages, C2: unknown level 'fluent'", _set("Languages", "spoken", "fluent")),
    Case("unknown price model", "alpha.xlsx, Prices, C2: unknown price_model 'per_call'", _set("Prices", "price_model", "per_call")),
    Case("required value missing", "alpha.xlsx, Bidder, B2: vendor_name is missing; required: text (at most 200 characters)", _set("Bidder", "vendor_name", None)),
    Case("not an id", "alpha.xlsx, Bidder, A2: vendor_id 'alpha contact' is not an id; an id: letters, digits", _set("Bidder", "vendor_id", "alpha contact")),
    Case("name too long", "alpha.xlsx, Sites, B2: site_name is 201 characters long", _set("Sites", "site_name", "x" * 201)),
    Case("formula", "alpha.xlsx, Prices, D2: formula '=10+5' in a bid cell (formulas are never evaluated)", book=_cell("Prices", "D2", "=10+5")),
    Case("error value", "alpha.xlsx, Prices, D2: error value '#DIV/0!'", book=_error_cell),
    Case("merged cells", "alpha.xlsx, Sites, D2:E2: merged cells", book=lambda b: b["Sites"].merge_cells("D2:E2")),
    Case("sheet missing", "alpha.xlsx, Quality, -: sheet missing", book=lambda b: b.remove(b["Quality"])),
    Case("sheet renamed", "alpha.xlsx, Quality, -: sheet missing (found 'Qualité': rename it)", book=lambda b: setattr(b["Quality"], "title", "Qualité")),
    Case("header moved", "alpha.xlsx, Sites, C1: header 'city' where 'country' belongs ('city' belongs in column D)", book=lambda b: (_cell("Sites", "C1", "city")(b), _cell("Sites", "D1", "country")(b))),
    Case("unknown column", "alpha.xlsx, Prices, E1: unknown column 'currency'", book=_cell("Prices", "E1", "currency")),
    Case("a value right of the columns", "alpha.xlsx, Prices, F2: a value outside the sheet's columns", book=_cell("Prices", "F2", "EUR")),
    Case("two bidder rows", "alpha.xlsx, Bidder, A3: a second bidder row", _add("Bidder", {"vendor_id": "alpha2", "vendor_name": "Alpha Two", "currency": "EUR"})),
    Case("shortfall price without commitment", "alpha.xlsx, Bidder, F2: a shortfall price without a commitment", _set("Bidder", "commitment_shortfall_price", 2.0)),
    Case("bonus without target", "alpha.xlsx, Bidder, H2: bonus_per_csat_point without a csat_target", _set("Bidder", "bonus_per_csat_point", 0.01)),
    Case("volume tiers not rising", "alpha.xlsx, VolumeTiers, A3: tier not above the one in row 2", _two_changes(
        _add("VolumeTiers", {"from_contacts_per_yr": 20_000, "discount": 0.05}),
        _add("VolumeTiers", {"from_contacts_per_yr": 10_000, "discount": 0.03}))),
    Case("a whole-bill discount", "alpha.xlsx, VolumeTiers, B2: out of range: discount 1; a number from 0 to below 1 [fraction]", _add("VolumeTiers", {"from_contacts_per_yr": 1000, "discount": 1.0})),
    Case("site given twice", "alpha.xlsx, Sites, A3: site id 'rabat' given twice (first at Sites!A2)", _add("Sites", {"site_id": "rabat", "country": "MA", "city": "Rabat", "capacity_fte": 5, "hours": "24/7"})),
    Case("language given twice", "alpha.xlsx, Languages, B3: language 'fr' given twice for site 'rabat'", _add("Languages", {"site_id": "rabat", "language": "fr", "spoken": "C1", "written": "C1"})),
    Case("lot priced twice", "alpha.xlsx, Prices, B3: lot 'n1.fr' priced twice for site 'rabat'", _add("Prices", {"site_id": "rabat", "lot": "n1.fr", "price_model": "per_productive_hour", "price": 16})),
    Case("unknown site", "alpha.xlsx, Quality, A2: unknown site 'casa'; sites of the Sites sheet: rabat", _set("Quality", "site_id", "casa")),
    Case("site without languages", "alpha.xlsx, Sites, A2: site 'rabat' has no row in the Languages sheet", lambda r: r.__setitem__("Languages", [])),
    Case("site without prices", "alpha.xlsx, Sites, A2: site 'rabat' has no row in the Prices sheet", lambda r: r.__setitem__("Prices", [])),
    Case("quality row without a score", "alpha.xlsx, Quality, C2: no score in the row", _set("Quality", "csat", None)),
    Case("level below the lot's", "alpha.xlsx, Prices, B2: site 'rabat' bids lot 'n1.fr' but works in fr at B2 (spoken), below the lot's C1", _set("Languages", "spoken", "B2")),
    Case("bad opening hours", "alpha.xlsx, Sites, H2: opening hours 'mon-fri 8h-20h'", _set("Sites", "hours", "mon-fri 8h-20h")),
    Case("unknown time zone", "alpha.xlsx, Sites, E2: unknown time zone 'Mars/Olympus'", _set("Sites", "timezone", "Mars/Olympus")),
    Case("unknown call type", "alpha.xlsx, Quality, B2: unknown call_type 'n9'; one of the call_type codes of the Codes sheet", _set("Quality", "call_type", "n9")),
    Case("a contact price above the schema's", "alpha.xlsx, Prices, D2: must be <= 1e+06, got 2000000 (valid: >= 0 and <= 1e+06)", _two_changes(_set("Prices", "price_model", "per_handled_contact"), _set("Prices", "price", 2e6))),
    Case("a base site's id", "alpha.xlsx, Sites, A2: site id 'paris' is a site of the base scenario base.yaml", _rename_all("paris")),
    Case("site bid by two vendors", "beta.xlsx, Sites, A2: site id 'rabat' is also bid by vendor 'alpha' (alpha.xlsx, Sites, A2)", _rename_all("rabat"), file="beta.xlsx"),
    Case("vendor id of another bid", "beta.xlsx, Bidder, A2: vendor id 'alpha' is also the bidder of alpha.xlsx", _set("Bidder", "vendor_id", "alpha"), file="beta.xlsx"),
    Case("not a workbook", "alpha.xlsx, -, -: not an .xlsx workbook openpyxl can read (BadZipFile)", raw=b"not a zip"),
]  # fmt: skip
"""At least 30 broken bids (the issue's acceptance), one error line each."""


def template(data: dict[str, Any] | None = None) -> bytes:
    return workbook_bytes(template_workbook(parse_scenario(data or base(), file=None)))


def broken_bids(case: Case, folder: Path, blank: bytes) -> list[Path]:
    """Write alpha.xlsx and beta.xlsx into ``folder``, one of them broken by ``case``."""
    paths = []
    for file, records in (("alpha.xlsx", ALPHA), ("beta.xlsx", BETA)):
        path = folder / file
        if file != case.file:
            path.write_bytes(fill_bid(blank, records))
        elif case.raw is not None:
            path.write_bytes(case.raw)
        else:
            mine = copy.deepcopy(records)
            mine.setdefault("VolumeTiers", [])
            if case.records is not None:
                case.records(mine)
            data = fill_bid(blank, mine)
            if case.book is not None:
                book = load_workbook(io.BytesIO(data))
                case.book(book)
                buffer = io.BytesIO()
                book.save(buffer)
                data = buffer.getvalue()
            path.write_bytes(data)
        paths.append(path)
    return paths


def main(folder: str) -> None:
    """Write every case's broken workbook as ``DIR/<number>-<name>.xlsx``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    blank = template()
    for number, case in enumerate(CASES, start=1):
        scratch = out / f".case{number}"
        scratch.mkdir(exist_ok=True)
        broken = next(p for p in broken_bids(case, scratch, blank) if p.name == case.file)
        broken.replace(out / f"{number:02d}-{case.name.replace(' ', '-')}.xlsx")
        for leftover in scratch.iterdir():
            leftover.unlink()
        scratch.rmdir()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bid-corpus")
