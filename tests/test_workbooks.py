"""Every workbook and CSV the project writes, re-read by readers that share no code with the writer.

``Result.to_excel``, the ``result.xlsx`` of ``bestshore solve --out`` and the workbook of
``bestshore compare --excel`` are opened with openpyxl and with pandas, every XML part is
parsed, and each sheet must give back the table it was written from. LibreOffice (installed
by ``.ci/run``, see ``tests/checkers.py``) opens and re-saves the workbook as a third reader.

The scenarios in ``tests/attacks/`` carry text that spreadsheets would run as formulas
(formula or CSV injection): in workbooks it must stay text, in CSV files it must carry a
leading ``'``, and numbers must be left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from checkers import libreoffice_convert
from conftest import tiny
from typer.testing import CliRunner

import bestshore
from bestshore.analysis import price_of_policies
from bestshore.cli import app
from bestshore.scenario import load_scenario, parse_scenario
from bestshore.views import outputs

ATTACKS = Path(__file__).parent / "attacks"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# First characters that make a spreadsheet run a cell as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIXED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


def scenario_data(**policies: Any) -> dict[str, Any]:
    """The tiny scenario with an hourly service level and one policy with a price."""
    data = tiny(policies={"max_site_share": 0.8, **policies})
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    return data


@pytest.fixture(scope="module")
def solved() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = parse_scenario(scenario_data())
    return scenario, bestshore.solve(scenario)


def no_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip chart rendering in ``solve --out`` (charts are tested in test_outputs)."""
    monkeypatch.setattr(
        outputs, "render_formats", lambda chart, formats: dict.fromkeys(formats, "<svg></svg>")
    )


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- independent readers -----------------------------------------------------------------
def _plain(value: object) -> object:
    """A cell value with every kind of missing (None, NaN, and "": a spreadsheet cell
    holds no empty text) as None."""
    missing = value is None or value == "" or (isinstance(value, float) and np.isnan(value))
    return None if missing else value


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, where: str) -> None:
    """``got`` (read back) holds the columns and values of ``want`` (written)."""
    assert [str(c) for c in got.columns] == [str(c) for c in want.columns], where
    assert len(got) == len(want), where
    for column in want.columns:
        expected = want[column].infer_objects()
        actual = got[str(column)]
        if pd.api.types.is_bool_dtype(expected) or pd.api.types.is_numeric_dtype(expected):
            np.testing.assert_allclose(
                actual.astype(float).to_numpy(),
                expected.astype(float).to_numpy(),
                rtol=1e-9,
                atol=1e-9,
                equal_nan=True,
                err_msg=f"{where}, column {column}",
            )
        else:
            assert [_plain(v) for v in actual] == [_plain(v) for v in expected], (where, column)


def assert_xml_parts_parse(path: Path) -> None:
    """Every XML part of the package is well-formed; the document properties are sane."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(package.read(name))  # raises ParseError if malformed
        core = ET.fromstring(package.read("docProps/core.xml"))
    assert core.tag == f"{{{NS['cp']}}}coreProperties"
    assert core.findtext("dc:creator", namespaces=NS) == "bestshore"
    for stamp in ("created", "modified"):
        text = core.findtext(f"dcterms:{stamp}", namespaces=NS)
        assert text is not None, stamp
        assert dt.datetime.fromisoformat(text) == FIXED, (stamp, text)


def read_with_openpyxl(path: Path, *, data_only: bool = False) -> dict[str, pd.DataFrame]:
    """Each sheet as a table: first row the header, later rows the data."""
    book = openpyxl.load_workbook(path, data_only=data_only)
    tables = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        tables[sheet.title] = pd.DataFrame(rows[1:], columns=list(rows[0]))
    return tables


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = {"hour": "hour [market time]", "start_hour": "starts_market"}  # shown as text
# Numeric columns the workbook leaves out (the same start is shown as text beside them).
LEFT_OUT = {"shifts": {"start_hour", "local_weekday", "local_start"}}


def weekday_time(hour: object) -> object:
    """What the workbook shows for a market hour of the week, worked out here."""
    if hour is None or pd.isna(hour):
        return None
    if int(hour) == -1:
        return "over the week"
    return f"{DAYS[int(hour) // 24]} {int(hour) % 24:02d}:00"


def base_name(header: object) -> str:
    """The table's column behind a header: ``cost [EUR/yr]`` -> ``cost``."""
    return str(header).split(" [", 1)[0]


def assert_sheet_shows(got: pd.DataFrame, want: pd.DataFrame, name: str, where: str) -> None:
    """Sheet ``got`` (read back) shows every column of table ``want`` (written): numbers
    as they are under a header with its unit, hours as weekday and time."""
    assert len(got) == len(want), where
    by_base = {base_name(h): h for h in got.columns}
    for column in want.columns:
        column = str(column)
        if column in LEFT_OUT.get(name, set()) or (
            name == "month_shifts" and column in {"local_weekday", "local_start"}
        ):
            continue
        if name == "inputs" and column == "unit":  # fractions are shown as percentages
            shown_units = [_plain(v) for v in got["unit"]]
            assert shown_units == [_plain("%" if u == "fraction" else u) for u in want["unit"]]
            continue
        if column in HOURS:
            shown = got[HOURS[column]]
            assert [_plain(v) for v in shown] == [weekday_time(h) for h in want[column]], where
            continue
        assert column in by_base, (where, column, list(got.columns))
        assert_same_table(got[[by_base[column]]].set_axis([column], axis=1), want[[column]], where)


def assert_workbook_holds(
    path: Path, tables: dict[str, pd.DataFrame], *, data_only: bool = False
) -> None:
    """Both openpyxl and pandas read ``path`` back as showing ``tables``, sheet by sheet."""
    expected = {name[:31]: table for name, table in tables.items()}
    by_openpyxl = read_with_openpyxl(path, data_only=data_only)
    by_pandas = pd.read_excel(path, sheet_name=None)
    assert list(by_openpyxl) == list(expected)
    assert list(by_pandas) == list(expected)
    for name, table in expected.items():
        assert_sheet_shows(by_openpyxl[name], table, name, f"{path.name}[{name}] via openpyxl")
        assert_sheet_shows(by_pandas[name], table, name, f"{path.name}[{name}] via pandas")


# --- every writer ----------------------------------------------------------------------
def test_result_to_excel_reads_back(
    solved: tuple[bestshore.Scenario, bestshore.Result], tmp_path: Path
) -> None:
    _, result = solved
    path = result.to_excel(tmp_path / "result.xlsx")
    assert_xml_parts_parse(path)
    assert_workbook_holds(path, result.tables())


def test_solve_out_workbook_reads_back(
    solved: tuple[bestshore.Scenario, bestshore.Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, result = solved
    no_charts(monkeypatch)
    source = write_yaml(tmp_path / "tiny.yaml", scenario_data())
    done = CliRunner().invoke(app, ["solve", str(source), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    path = tmp_path / "out" / "result.xlsx"
    assert_xml_parts_parse(path)
    prices = price_of_policies(scenario, result)
    assert len(prices) == 1  # the site share cap: the sheet has a row to check
    assert_workbook_holds(path, {**result.tables(), "policy_prices": prices})


def test_compare_excel_workbook_reads_back(tmp_path: Path) -> None:
    capped = scenario_data(max_site_share=0.6)
    capped["name"] = "tiny-capped"
    paths = [
        write_yaml(tmp_path / "a.yaml", scenario_data()),
        write_yaml(tmp_path / "b.yaml", capped),
    ]
    excel = tmp_path / "compare.xlsx"
    done = CliRunner().invoke(app, ["compare", *map(str, paths), "--excel", str(excel)])
    assert done.exit_code == 0, done.output
    assert_xml_parts_parse(excel)
    results = {r.scenario_name: r for r in map(bestshore.solve, map(str, paths))}
    tables = bestshore.compare(results)
    assert list(tables["kpis"].columns) == ["tiny", "tiny-capped"]
    assert not tables["fte_by_site"].empty  # the tighter cap moves work between sites
    sheets = {name: t.reset_index() for name, t in tables.items()}
    inputs = [r.input_table().assign(scenario=name) for name, r in results.items()]
    sheets["inputs"] = pd.concat(inputs, ignore_index=True)
    assert_workbook_holds(excel, sheets)


def libreoffice_resave(path: Path, folder: Path) -> Path:
    """``path`` opened and saved again as .xlsx by headless LibreOffice, into ``folder``
    (skipped where LibreOffice is absent, failed when CI requires it)."""
    return libreoffice_convert(path, folder, "xlsx")


def test_libreoffice_opens_the_workbook(
    solved: tuple[bestshore.Scenario, bestshore.Result], tmp_path: Path
) -> None:
    _, result = solved
    path = result.to_excel(tmp_path / "result.xlsx")
    converted = libreoffice_resave(path, tmp_path / "lo")
    with zipfile.ZipFile(converted) as package:
        core = ET.fromstring(package.read("docProps/core.xml"))
    # LibreOffice keeps the document properties it could read: the fixed creation date.
    assert core.findtext("dcterms:created", namespaces=NS) == "2000-01-01T00:00:00Z"
    # LibreOffice writes booleans as =TRUE() formulas: read their cached values.
    assert_workbook_holds(converted, result.tables(), data_only=True)


# --- formula injection -------------------------------------------------------------------
@pytest.fixture(scope="module")
def attacked() -> tuple[Path, bestshore.Result]:
    path = ATTACKS / "formula_injection.yaml"
    result = bestshore.solve(load_scenario(path))
    # The attack text that reaches the files: every site name and city, the scenario name.
    texts = [*result.sites["name"], *result.sites["city"], result.scenario_name]
    assert all(text.startswith(FORMULA_START) for text in texts), texts
    return path, result


def as_xml_reads(text: str) -> str:
    """``text`` as any XML parser returns it: a bare carriage return becomes a line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_no_formula(path: Path) -> None:
    """No cell of the workbook is a formula: none typed ``f``, no ``<f>`` in any sheet."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as package:
        parts = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert parts
        for name in parts:
            formulas = list(ET.fromstring(package.read(name)).iter(f"{MAIN}f"))
            assert not formulas, (path.name, name, [f.text for f in formulas])


def assert_sites_sheet_holds_the_text(path: Path, result: bestshore.Result) -> None:
    """The sites sheet reads back the attack text literally, as text cells."""
    sheet = openpyxl.load_workbook(path)["sites"]
    header = [cell.value for cell in sheet[1]]
    for column in ("name", "city"):
        cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
        assert [c.data_type for c in cells] == ["s"] * len(result.sites)
        assert [c.value for c in cells] == [as_xml_reads(v) for v in result.sites[column]]
    read = pd.read_excel(path, sheet_name="sites")
    assert list(read["name"]) == [as_xml_reads(v) for v in result.sites["name"]]
    degrees = read[["lat [°]", "lon [°]"]].set_axis(["lat", "lon"], axis=1)
    assert_same_table(degrees, result.sites[["lat", "lon"]], "sites via pandas")


def test_attack_text_stays_text_in_every_workbook(
    attacked: tuple[Path, bestshore.Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, result = attacked
    direct = result.to_excel(tmp_path / "direct.xlsx")
    no_charts(monkeypatch)
    done = CliRunner().invoke(app, ["solve", str(source), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    for path in (direct, tmp_path / "out" / "result.xlsx"):
        assert_no_formula(path)
        assert_sites_sheet_holds_the_text(path, result)
    # compare --excel: the attack scenario's name is a column header of every sheet.
    plain = write_yaml(tmp_path / "tiny.yaml", scenario_data())
    excel = tmp_path / "compare.xlsx"
    done = CliRunner().invoke(app, ["compare", str(plain), str(source), "--excel", str(excel)])
    assert done.exit_code == 0, done.output
    assert_no_formula(excel)
    header = list(openpyxl.load_workbook(excel)["kpis"][1])
    assert [c.value for c in header] == ["kpi", "unit", "tiny", result.scenario_name]
    assert all(c.data_type == "s" for c in header)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_attack_cells_are_escaped_in_every_csv(
    attacked: tuple[Path, bestshore.Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, result = attacked
    no_charts(monkeypatch)
    done = CliRunner().invoke(app, ["solve", str(source), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    folders = [tmp_path / "out" / "tables", result.to_csv(tmp_path / "direct")[0].parent]
    for folder in folders:
        files = sorted(folder.glob("*.csv"))
        assert {p.stem for p in files} >= set(result.tables())
        for path in files:  # only numbers may start with a formula character
            with path.open(newline="", encoding="utf-8") as fh:
                for line, row in enumerate(csv.reader(fh), start=1):
                    for cell in row:
                        assert not cell.startswith(FORMULA_START) or is_number(cell), (
                            path.name, line, cell,
                        )  # fmt: skip
        rows = read_csv_rows(folder / "sites.csv")
        for column in ("name", "city"):
            assert [row[column] for row in rows] == ["'" + v for v in result.sites[column]]
        # Negative numbers stay numbers: Rabat and Lisbon lie west of Greenwich.
        assert [row["lon"] for row in rows] == [repr(v) for v in result.sites["lon"]]
        assert any(row["lon"].startswith("-") for row in rows)
        read = pd.read_csv(folder / "sites.csv")
        numeric = [c for c in result.sites if pd.api.types.is_numeric_dtype(result.sites[c])]
        assert {"lat", "lon", "fte", "cost"} <= set(numeric)
        assert all(pd.api.types.is_float_dtype(read[c]) for c in numeric)
        assert_same_table(read[numeric], result.sites[numeric], f"{folder.name}/sites.csv")
        assert list(read["site"]) == list(result.sites["site"])  # ids untouched


def test_libreoffice_reads_attack_text_as_text(
    attacked: tuple[Path, bestshore.Result], tmp_path: Path
) -> None:
    _, result = attacked
    workbook = result.to_excel(tmp_path / "result.xlsx")
    sites_csv = next(p for p in result.to_csv(tmp_path / "tables") if p.stem == "sites")
    # LibreOffice runs "=..." cells of a CSV as formulas when it imports one; the sites
    # table has no booleans, so no formula at all may appear in what it saves.
    from_xlsx = libreoffice_resave(workbook, tmp_path / "lo-xlsx")
    from_csv = libreoffice_resave(sites_csv, tmp_path / "lo-csv")
    sheets = {
        "": openpyxl.load_workbook(from_xlsx)["sites"],  # the text as written
        "'": openpyxl.load_workbook(from_csv).worksheets[0],  # the CSV's escaped text
    }
    for prefix, sheet in sheets.items():
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row), [c.value for c in row]
        for column in ("name", "city"):
            cells = [row[header.index(column)].value for row in sheet.iter_rows(min_row=2)]
            assert cells == [prefix + as_xml_reads(v) for v in result.sites[column]]


# --- the analysts' workbook: formats, units, names, hours, inputs -----------------------
def named_data() -> dict[str, Any]:
    """The tiny scenario with display names on the call type, one site and one vendor."""
    data = scenario_data()
    data["call_types"][0]["name"] = "Billing (phone)"
    data["sites"][0]["name"] = "Paris Opéra"
    data["vendors"][0]["name"] = "Vendor A"
    return data


@pytest.fixture(scope="module")
def analyst_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[bestshore.Result, Path]:
    result = bestshore.solve(parse_scenario(named_data()))
    return result, result.to_excel(tmp_path_factory.mktemp("book") / "result.xlsx")


def column_cells(sheet: Any, header: str) -> list[Any]:
    """The data cells under ``header`` in an openpyxl sheet."""
    headers = [cell.value for cell in sheet[1]]
    assert header in headers, (sheet.title, header, headers)
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_every_sheet_has_a_bold_frozen_filtered_header(
    analyst_book: tuple[bestshore.Result, Path],
) -> None:
    _, path = analyst_book
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        for cell in sheet[1]:  # every column at least as wide as its header
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= min(len(str(cell.value)), 58), (sheet.title, cell.value, width)


def test_money_shares_and_fte_carry_their_formats_and_units(
    analyst_book: tuple[bestshore.Result, Path],
) -> None:
    result, path = analyst_book
    book = openpyxl.load_workbook(path)
    allocation = book["allocation"]
    assert [cell.value for cell in allocation[1]] == [
        "call_type", "call_type name", "language", "language name", "site", "site name",
        "vendor", "vendor name", "country", "country name", "shore", "level", "channel",
        "share [%]", "volume [contacts/yr]", "productive_hours [h/yr]", "fte [FTE]",
        "rate_per_hour [EUR/h]", "cost [EUR/yr]",
    ]  # fmt: skip
    formats = {
        "cost [EUR/yr]": '#,##0 "EUR"',
        "rate_per_hour [EUR/h]": '#,##0.00 "EUR"',
        "share [%]": "0.0%",
        "fte [FTE]": "#,##0.0",
        "volume [contacts/yr]": "#,##0",
    }
    for header, code in formats.items():
        cells = column_cells(allocation, header)
        assert cells and all(c.number_format == code for c in cells), header
        assert all(isinstance(c.value, int | float) for c in cells), header  # still numbers
    # An empty table shows the same header as a full one (tiny has no roster).
    assert result.shifts.empty
    assert [c.value for c in book["shifts"][1]] == [
        "site", "site_name", "starts_market", "starts_local", "length_hours [h]",
        "agents [agents]", "paid_hours [agent h/week]",
    ]  # fmt: skip
    costs = [c.value for c in column_cells(allocation, "cost [EUR/yr]")]
    assert costs == pytest.approx(result.allocation["cost"].tolist())
    sites = book["sites"]
    assert {c.number_format for c in column_cells(sites, "utilisation [% of capacity]")} == {"0.0%"}
    kpis = {row[0].value: row for row in book["kpis"].iter_rows(min_row=2)}
    assert kpis["total_cost"][1].value == "EUR/yr"
    assert kpis["total_cost"][2].number_format == '#,##0 "EUR"'
    assert kpis["total_cost"][2].value == pytest.approx(result.total_cost)
    assert kpis["offshore_share"][2].number_format == "0.0%"
    assert kpis["total_fte"][2].number_format == "#,##0.0"
    assert kpis["cost_per_contact"][2].number_format == '#,##0.00 "EUR"'


def test_names_stand_beside_ids_and_hours_read_as_weekday_and_time(
    analyst_book: tuple[bestshore.Result, Path],
) -> None:
    result, path = analyst_book
    allocation = pd.read_excel(path, sheet_name="allocation")
    names = dict(zip(allocation["site"], allocation["site name"], strict=True))
    assert names == {"paris": "Paris Opéra", "rabat": "rabat"}  # the id where none is given
    assert set(allocation["call_type name"]) == {"Billing (phone)"}
    assert set(allocation["language name"]) == {"French"}
    assert dict(zip(allocation["vendor"], allocation["vendor name"], strict=True)) == {
        "va": "Vendor A",
        "vb": "vb",
    }
    assert set(allocation["country name"]) == {"France", "Morocco"}
    staffing = pd.read_excel(path, sheet_name="staffing")
    shown = staffing["hour [market time]"].tolist()
    assert "hour" not in staffing.columns
    assert shown == [weekday_time(h) for h in result.staffing["hour"]]
    assert "Mon 09:00" in shown and "Fri 16:00" in shown  # Mon-Fri 09:00-17:00 in Paris
    coverage = pd.read_excel(path, sheet_name="coverage")
    assert coverage["hour [market time]"].tolist() == [
        weekday_time(h) for h in result.coverage["hour"]
    ]


def test_deferred_work_reads_over_the_week(tmp_path: Path) -> None:
    data = tiny()
    data["call_types"][0].update(channel="email", response_hours=24)
    result = bestshore.solve(parse_scenario(data))
    assert set(result.staffing["hour"]) == {-1}
    staffing = pd.read_excel(result.to_excel(tmp_path / "r.xlsx"), sheet_name="staffing")
    assert set(staffing["hour [market time]"]) == {"over the week"}


def test_the_inputs_sheet_holds_the_key_figures_and_the_stamp(
    analyst_book: tuple[bestshore.Result, Path],
) -> None:
    result, path = analyst_book
    for inputs in (
        pd.read_excel(path, sheet_name="inputs"),
        read_with_openpyxl(path)["inputs"],
    ):
        assert list(inputs.columns) == ["section", "item", "value", "unit"]
        figures = {(s, i): v for s, i, v in zip(inputs["section"], inputs["item"], inputs["value"], strict=True)}  # fmt: skip
        assert figures["scenario", "name"] == "tiny"
        assert figures["scenario", "currency"] == "EUR"
        assert figures["scenario", "market country"] == "FR"
        assert figures["scenario", "annual volume"] == 36000
        assert figures["scenario", "candidate sites"] == 2
        assert figures["call type n1", "name"] == "Billing (phone)"
        assert figures["call type n1", "average handle time"] == 300
        assert figures["call type n1", "service level target"] == pytest.approx(0.8)
        assert figures["call type n1", "answered within"] == 20
        assert figures["policies", "max_site_share"] == pytest.approx(0.8)
        assert figures["stamp", "scenario_hash"] == result.stamp["scenario_hash"]
        assert figures["stamp", "bestshore_version"] == result.stamp["bestshore_version"]
        assert figures["stamp", "status"] == result.status == result.stamp["status"]
        assert ("stamp", "wall_seconds") not in figures  # the same result, the same bytes
    sheet = openpyxl.load_workbook(path)["inputs"]
    rows = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=2)}
    assert rows["call type n1", "service level target"][2].number_format == "0.0%"
    assert rows["call type n1", "service level target"][3].value == "%"
    assert rows["stamp", "exact_cost"][2].number_format == '#,##0 "EUR"'


def test_compare_workbook_shows_units_and_site_names(tmp_path: Path) -> None:
    capped = named_data()
    capped["name"] = "tiny-capped"
    capped["policies"]["max_site_share"] = 0.6
    paths = [write_yaml(tmp_path / "a.yaml", named_data()), write_yaml(tmp_path / "b.yaml", capped)]
    excel = tmp_path / "compare.xlsx"
    done = CliRunner().invoke(app, ["compare", *map(str, paths), "--excel", str(excel)])
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(excel)
    assert book.sheetnames == ["kpis", "fte_by_site", "fte_by_shore", "inputs"]
    by_site = book["fte_by_site"]
    assert [c.value for c in by_site[1]] == [
        "site", "site name", "tiny [FTE]", "tiny-capped [FTE]", "change [FTE]",
    ]  # fmt: skip
    assert "Paris Opéra" in [c.value for c in column_cells(by_site, "site name")]
    assert {c.number_format for c in column_cells(by_site, "tiny [FTE]")} == {"#,##0.0"}
    kpis = {row[0].value: row for row in book["kpis"].iter_rows(min_row=2)}
    assert [c.number_format for c in kpis["total_cost"][2:]] == ['#,##0 "EUR"'] * 2
    inputs = pd.read_excel(excel, sheet_name="inputs")
    assert set(inputs["scenario"]) == {"tiny", "tiny-capped"}
    assert book["kpis"].freeze_panes == "A2"


def test_libreoffice_keeps_the_formats(
    analyst_book: tuple[bestshore.Result, Path], tmp_path: Path
) -> None:
    _, path = analyst_book
    converted = libreoffice_resave(path, tmp_path / "lo")
    sheet = openpyxl.load_workbook(converted)["allocation"]
    assert {c.number_format for c in column_cells(sheet, "share [%]")} == {"0.0%"}
    assert all("EUR" in c.number_format for c in column_cells(sheet, "cost [EUR/yr]"))
    # It keeps the autofilter over the whole table and the bold header. A headless
    # conversion has no view, so it writes no view settings at all (the frozen header
    # row among them): that one is checked on the file bestshore writes.
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    )
    assert all(cell.font.b for cell in sheet[1])
