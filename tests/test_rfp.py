"""The tender workflow: template -> filled bids -> import -> award, through the CLI.

Bids are filled here with openpyxl, as a consultant's script would, and every file the
commands write is read back by an independent reader (openpyxl or pandas for workbooks,
yaml.safe_load for the tender, json.loads for award.json).

The tiny tender: 36,000 French N1 contacts a year at AHT 300 s = 3,000 productive hours
(occupancy 1, shrinkage 0, 1,000 h per FTE); the in-house Paris site costs 50 EUR/h;
bidder Alpha Contact offers Rabat at 15 EUR/h, Beta Relation offers Lisbon at 20 EUR/h,
each with 10 FTE = 10,000 h of capacity. Without rules Alpha takes everything:
3,000 h x 15 = 45,000 EUR/yr.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import tiny
from typer.testing import CliRunner

from bestshore.cli import app


def _base() -> dict[str, Any]:
    """The shared tiny scenario (3,000 productive hours of N1 in French) with one in-house
    site, Paris at 50 EUR/h, and no vendors: the bidders bring theirs."""
    data = tiny(name="tiny tender", vendors=[])
    data["call_types"][0]["name"] = "Level-1 calls"
    paris = {k: v for k, v in data["sites"][0].items() if k != "vendor"}
    data["sites"] = [dict(paris, name="Paris (in-house)", cost_per_hour=50.0)]
    return data


BASE: dict[str, Any] = _base()

SHEETS = ["Instructions", "Lots", "Bidder", "Sites", "Languages", "Prices", "VolumeTiers", "Quality", "Codes"]  # fmt: skip
SITES_HEADER = [
    "site_id", "site_name", "country", "city", "timezone", "capacity_fte", "seats", "hours",
    "annual_hours_per_fte", "setup_cost_per_fte", "site_fixed_cost_per_yr", "night_premium",
    "weekend_premium",
]  # fmt: skip


def run(*args: str) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def tender_dir(tmp_path: Path) -> Path:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(BASE, sort_keys=False))
    done = run("rfp", "template", tmp_path / "base.yaml", "--out", tmp_path / "template.xlsx")
    assert done.exit_code == 0, done.output
    lots = len(openpyxl.load_workbook(tmp_path / "template.xlsx")["Lots"]["A"]) - 1
    assert done.output.endswith(f"({lots} lot{'s' if lots != 1 else ''})\n"), done.output
    return tmp_path


def bid(vendor: str, name: str, site: str, country: str, city: str, price: float) -> dict:
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


def fill(folder: Path, name: str, records: dict, change: Any = None) -> Path:
    """A filled bid: the template with ``records`` typed under each sheet's header, then
    ``change(workbook)`` (a mutation) if given."""
    book = openpyxl.load_workbook(folder / "template.xlsx")
    for sheet, rows in records.items():
        header = [c.value for c in book[sheet][1]]
        for row, record in enumerate(rows, start=2):
            for key, value in record.items():
                book[sheet].cell(row=row, column=header.index(key) + 1, value=value)
    if change is not None:
        change(book)
    path = folder / name
    book.save(path)
    return path


def imported(folder: Path, *bids: Path) -> Path:
    out = folder / "tender.yaml"
    done = run("rfp", "import", *bids, "--scenario", folder / "base.yaml", "--out", out)
    assert done.exit_code == 0, done.output
    return out


# -- template ---------------------------------------------------------------------------


def test_template_sheets_headers_validations_and_protection(tender_dir: Path) -> None:
    path = tender_dir / "template.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS
    lots = book["Lots"]
    header = [c.value for c in lots[1]]
    assert header[:8] == ["lot", "call_type", "call_type_name", "language", "level", "channel", "volume_contacts_per_yr", "language_share"]  # fmt: skip
    row = dict(zip(header, [c.value for c in lots[2]], strict=True))
    assert row["lot"] == "n1.fr"
    assert row["volume_contacts_per_yr"] == 36000
    assert row["aht_seconds"] == 300
    assert row["hours"] == "mon-fri 09:00-17:00"
    assert lots.max_row == 2  # one lot
    assert lots.protection.sheet and lots["A2"].protection.locked
    sites = book["Sites"]
    assert [c.value for c in sites[1]] == SITES_HEADER
    assert sites.protection.sheet
    assert sites["A1"].protection.locked  # the header row
    assert not sites.column_dimensions["A"].protection.locked  # every row under it, by column
    assert book["Sites"].max_row == 1  # no empty styled cells: a bid reads fast
    assert not book["Bidder"]["A2"].protection.locked and book["Bidder"]["A3"].protection.locked
    lists = {
        (sheet, str(v.sqref)): v.formula1
        for sheet in ("Sites", "Languages", "Prices")
        for v in book[sheet].data_validations.dataValidation
        if v.type == "list"
    }
    assert lists[("Sites", "C2:C501")].startswith("=Codes!$A$2:$A$")  # countries
    assert lists[("Prices", "B2:B501")] == "=Codes!$G$2:$G$2"  # the one lot
    assert lists[("Prices", "C2:C501")] == "=Codes!$K$2:$K$4"  # three price models
    codes = pd.read_excel(path, sheet_name="Codes")
    assert {"MA", "PT", "FR"} <= set(codes["country"])
    assert list(codes["lot"].dropna()) == ["n1.fr"]
    assert list(codes["price_model"].dropna()) == ["per_productive_hour", "per_fte_month", "per_handled_contact"]  # fmt: skip
    again = tender_dir / "again.xlsx"
    assert run("rfp", "template", tender_dir / "base.yaml", "--out", again).exit_code == 0
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


# -- import and award -------------------------------------------------------------------


def test_import_writes_a_scenario_validate_and_solve_accept(tender_dir: Path) -> None:
    alpha, beta = fill(tender_dir, "alpha.xlsx", ALPHA), fill(tender_dir, "beta.xlsx", BETA)
    out = imported(tender_dir, beta, alpha)
    tender = yaml.safe_load(out.read_text())
    assert [v["id"] for v in tender["vendors"]] == ["alpha", "beta"]  # id order, not file order
    sites = {s["id"]: s for s in tender["sites"]}
    assert set(sites) == {"paris", "rabat", "lisbon"}
    assert sites["rabat"]["vendor"] == "alpha" and sites["rabat"]["cost_per_hour"] == 15
    assert sites["lisbon"]["languages"] == {"fr": {"spoken": "native", "written": "C2"}}
    assert sites["lisbon"]["hours"] == {"mon-fri": "07:00-20:00"}
    assert sites["lisbon"]["quality"] == {"csat": 80}
    assert run("validate", out).exit_code == 0
    solved = run("solve", out, "--json", "--quiet")
    assert solved.exit_code == 0
    assert json.loads(solved.output)["kpis"]["total_cost"] == pytest.approx(45_000)
    first = out.read_bytes()
    imported(tender_dir, alpha, beta)
    assert out.read_bytes() == first  # the same bids give the same tender bytes


def award_of(folder: Path, rules: dict | None) -> tuple[dict, Path]:
    tender = imported(folder, fill(folder, "alpha.xlsx", ALPHA), fill(folder, "beta.xlsx", BETA))
    args: list[Any] = ["rfp", "award", tender, "--out", folder / "award", "--quiet"]
    if rules is not None:
        (folder / "rules.yaml").write_text(yaml.safe_dump(rules))
        args += ["--rules", folder / "rules.yaml"]
    done = run(*args)
    assert done.exit_code == 0, done.output
    return json.loads((folder / "award" / "award.json").read_text()), folder / "award"


def spend(doc: dict, vendor: str) -> float:
    return next(r["spend_EUR_per_yr"] for r in doc["by_vendor"] if r["vendor"] == vendor)


def test_award_without_rules_gives_everything_to_the_cheaper_bid(tender_dir: Path) -> None:
    doc, folder = award_of(tender_dir, None)
    assert doc["total_cost"] == pytest.approx(45_000)  # 3,000 h x 15 EUR/h
    assert doc["currency"] == "EUR" and doc["total_cost_unit"] == "EUR/yr"
    assert spend(doc, "alpha") == pytest.approx(45_000)
    assert spend(doc, "beta") == pytest.approx(0)
    alpha = next(r for r in doc["by_vendor"] if r["vendor"] == "alpha")
    assert alpha["lots_won"] == "n1.fr" and alpha["volume_contacts_per_yr"] == pytest.approx(36_000)
    assert alpha["fte"] == pytest.approx(3.0) and alpha["spend_share"] == pytest.approx(1.0)
    assert doc["rule_prices"] == []
    table = pd.read_excel(folder / "award.xlsx", sheet_name="ByVendor")
    row = table[table["vendor"] == "alpha"].iloc[0]
    assert row["vendor_name"] == "Alpha Contact"
    assert row["spend [EUR/yr]"] == pytest.approx(45_000)
    assert openpyxl.load_workbook(folder / "award.xlsx").sheetnames == ["Summary", "ByVendor", "Lots", "ByLot", "Limits", "RulePrices", "Bids", "BidsByLot", "Offers"]  # fmt: skip


@pytest.mark.parametrize(
    ("rules", "total", "alpha_spend", "rule", "price"),
    [
        # Alpha capped at half the work: 1,500 h x 15 + 1,500 h x 20 = 52,500; the cap costs 7,500.
        ({"vendor_max_share": {"alpha": 0.5}}, 52_500, 22_500, "vendor_cap[alpha]", 7_500),
        # Alpha excluded: 3,000 h x 20 = 60,000; the exclusion costs 15,000.
        ({"excluded": ["alpha"]}, 60_000, 0, "excluded[alpha]", 15_000),
        # Beta given at least 12,000 contacts (1,000 h): 1,000 x 20 + 2,000 x 15 = 50,000.
        ({"min_contacts": {"beta": 12_000}}, 50_000, 30_000, "min_contacts[beta]", 5_000),
        # Two winners, each at least 40 %: 1,800 h x 15 + 1,200 h x 20 = 51,000.
        ({"min_winners": 2, "min_winner_share": 0.4}, 51_000, 27_000, "min_vendors", 6_000),
    ],
)
def test_award_rules_bind_and_are_priced_by_hand(
    tender_dir: Path, rules: dict, total: float, alpha_spend: float, rule: str, price: float
) -> None:
    doc, folder = award_of(tender_dir, rules)
    assert doc["total_cost"] == pytest.approx(total)
    assert spend(doc, "alpha") == pytest.approx(alpha_spend)
    assert spend(doc, "alpha") + spend(doc, "beta") + spend(doc, "in-house") == pytest.approx(total)
    priced = {r["rule"]: r for r in doc["rule_prices"]}
    assert priced[rule]["price"] == pytest.approx(price)
    assert priced[rule]["price_low"] == pytest.approx(price, abs=1)
    assert priced[rule]["price_high"] == pytest.approx(price, abs=1)
    assert priced[rule]["binding"] and priced[rule]["source"] != "tender"
    assert "alpha" not in priced[rule]["description"]  # names, not ids
    sheet = pd.read_excel(folder / "award.xlsx", sheet_name="RulePrices")
    assert sheet.loc[sheet["rule"] == rule, "price [EUR/yr]"].iloc[0] == pytest.approx(price)


def test_a_rules_file_with_an_unknown_key_is_one_line(tender_dir: Path) -> None:
    tender = imported(tender_dir, fill(tender_dir, "alpha.xlsx", ALPHA))
    (tender_dir / "rules.yaml").write_text("group_max_share: {new: 0.3}\n")
    done = run("rfp", "award", tender, "--rules", tender_dir / "rules.yaml")
    assert done.exit_code == 2
    assert "rules.yaml" in done.output and "group_max_share" in done.output
    assert len(done.output.strip().splitlines()) == 1


# -- errors -----------------------------------------------------------------------------


def _set(sheet: str, cell: str, value: Any) -> Any:
    def change(book: Any) -> None:
        book[sheet][cell] = value

    return change


def _rename_site(site: str) -> Any:
    def change(book: Any) -> None:
        for sheet in ("Sites", "Languages", "Prices", "Quality"):
            book[sheet]["A2"] = site

    return change


def _per_contact(price: float) -> Any:
    def change(book: Any) -> None:
        book["Prices"]["C2"], book["Prices"]["D2"] = "per_handled_contact", price

    return change


def _swap_headers(book: Any) -> None:
    sites = book["Sites"]
    sites["C1"], sites["D1"] = "city", "country"


ERRORS = [
    # (file, mutation, expected line start, what it says)
    ("alpha.xlsx", _set("Sites", "F2", "ten"), "alpha.xlsx, Sites, F2: text 'ten' in a number cell (capacity_fte); a number from 0 to 100000 [FTE]"),
    ("alpha.xlsx", _set("Prices", "D2", -3), "alpha.xlsx, Prices, D2: negative price -3; a number from 0 to 1e+07"),
    ("alpha.xlsx", _set("Prices", "B2", "n9.fr"), "alpha.xlsx, Prices, B2: unknown lot 'n9.fr' (did you mean 'n1.fr'?)"),
    ("alpha.xlsx", _set("Sites", "C2", "XX"), "alpha.xlsx, Sites, C2: unknown country 'XX'"),
    ("beta.xlsx", _rename_site("rabat"), "beta.xlsx, Sites, A2: site id 'rabat' is also bid by vendor 'alpha' (alpha.xlsx, Sites, A2)"),
    ("alpha.xlsx", lambda b: b.remove(b["Quality"]), "alpha.xlsx, Quality, -: sheet missing"),
    ("alpha.xlsx", _swap_headers, "alpha.xlsx, Sites, C1: header 'city' where 'country' belongs ('city' belongs in column D)"),
    ("alpha.xlsx", lambda b: b["Sites"].merge_cells("D2:E2"), "alpha.xlsx, Sites, D2:E2: merged cells"),
    ("alpha.xlsx", _set("Prices", "D2", "=10+5"), "alpha.xlsx, Prices, D2: formula '=10+5' in a bid cell (formulas are never evaluated)"),
    ("alpha.xlsx", _set("Quality", "A2", "casa"), "alpha.xlsx, Quality, A2: unknown site 'casa'; sites of the Sites sheet: rabat"),
    ("beta.xlsx", _set("Bidder", "A2", "alpha"), "beta.xlsx, Bidder, A2: vendor id 'alpha' is also the bidder of alpha.xlsx"),
    ("alpha.xlsx", _set("Sites", "H2", "mon-fri 8h-20h"), "alpha.xlsx, Sites, H2: opening hours 'mon-fri 8h-20h'"),
    # Found by the scenario's own checks (check_references), mapped back to the cell:
    ("alpha.xlsx", _set("Sites", "E2", "Mars/Olympus"), "alpha.xlsx, Sites, E2: unknown time zone 'Mars/Olympus'"),
    ("alpha.xlsx", _set("Sites", "B2", "x" * 201), "alpha.xlsx, Sites, B2: site_name is 201 characters long"),
    # Found by the scenario schema (pydantic: price_per_contact <= 1e6), mapped back to the cell:
    ("alpha.xlsx", _per_contact(2e6), "alpha.xlsx, Prices, D2: must be <= 1e+06, got 2000000 (valid: >= 0 and <= 1e+06)"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "change", "expected"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_each_bid_error_is_one_located_line_exit_2_nothing_written(
    tender_dir: Path, file: str, change: Any, expected: str
) -> None:
    alpha = fill(tender_dir, "alpha.xlsx", ALPHA, change if file == "alpha.xlsx" else None)
    beta = fill(tender_dir, "beta.xlsx", BETA, change if file == "beta.xlsx" else None)
    out = tender_dir / "tender.yaml"
    done = run("rfp", "import", alpha, beta, "--scenario", tender_dir / "base.yaml", "--out", out)
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert any(line.startswith(f"error: {expected}") for line in lines), lines
    assert lines[-1].startswith("error: 1 error(s) in 1 file(s); nothing written"), lines
    assert not out.exists()


def test_all_errors_of_all_files_reported_at_once(tender_dir: Path) -> None:
    def alpha_changes(book: Any) -> None:
        book["Sites"]["F2"] = "ten"
        book["Prices"]["D2"] = -3
        book["Languages"]["C2"] = "fluent"

    alpha = fill(tender_dir, "alpha.xlsx", ALPHA, alpha_changes)
    beta = fill(tender_dir, "beta.xlsx", BETA, lambda b: b.remove(b["Prices"]))
    out = tender_dir / "tender.yaml"
    out.write_text("previous tender\n")
    done = run("rfp", "import", alpha, beta, "--scenario", tender_dir / "base.yaml", "--out", out)
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "alpha.xlsx, Sites, F2",
        "alpha.xlsx, Languages, C2",
        "alpha.xlsx, Prices, D2",
        "beta.xlsx, Prices, -",
    ]
    assert lines[-1] == "error: 4 error(s) in 2 file(s); nothing written"
    assert out.read_text() == "previous tender\n"  # left as it was


def test_a_file_that_is_not_a_workbook(tender_dir: Path) -> None:
    fake = tender_dir / "fake.xlsx"
    fake.write_text("not a zip")
    done = run(
        "rfp",
        "import",
        fake,
        "--scenario",
        tender_dir / "base.yaml",
        "--out",
        tender_dir / "t.yaml",
    )
    assert done.exit_code == 2
    assert done.output.splitlines()[0] == "error: fake.xlsx, -, -: not an .xlsx workbook openpyxl can read (BadZipFile)"  # fmt: skip


# -- the contract in docs/rfp.md ----------------------------------------------------------


def test_docs_list_every_sheet_column_and_refused_rule() -> None:
    """docs/rfp.md's column tables are the layout, column for column, in order."""
    import re

    from bestshore.rfp.layout import BIDDER_SHEETS, LOT_COLUMNS
    from bestshore.rfp.rules import AwardRules

    text = (Path(__file__).parents[1] / "docs" / "rfp.md").read_text()
    sections = dict(re.findall(r"### (\w+)[^\n]*\n(.*?)(?=\n### |\n## )", text, re.S))
    expected = {"Lots": LOT_COLUMNS, **BIDDER_SHEETS}
    for sheet, columns in expected.items():
        documented = re.findall(r"^\| `(\w+)` \|", sections[sheet], re.M)
        assert documented == [c.id for c in columns], sheet
    for key in AwardRules.model_fields:
        assert f"`{key}`" in text, key


def test_the_module_entry_point_has_the_rfp_commands() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "rfp", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "template" in done.stdout and "import" in done.stdout and "award" in done.stdout
