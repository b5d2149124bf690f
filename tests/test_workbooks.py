"""Every workbook the project writes, re-read by readers that share no code with the writer.

``Result.to_excel``, the ``result.xlsx`` of ``bestshore solve --out`` and the workbook of
``bestshore compare --excel`` are opened with openpyxl and with pandas, every XML part is
parsed, and each sheet must give back the table it was written from. LibreOffice, when it
is installed, opens and re-saves the workbook as a third reader.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import tiny
from typer.testing import CliRunner

import bestshore
from bestshore.analysis import price_of_policies
from bestshore.cli import app
from bestshore.scenario import parse_scenario
from bestshore.views import outputs

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
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


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- independent readers -----------------------------------------------------------------
def _plain(value: object) -> object:
    """A cell value with every kind of missing (None, NaN) as None."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


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


def assert_workbook_holds(
    path: Path, tables: dict[str, pd.DataFrame], *, data_only: bool = False
) -> None:
    """Both openpyxl and pandas read ``path`` back as ``tables``, sheet by sheet."""
    expected = {name[:31]: table for name, table in tables.items()}
    by_openpyxl = read_with_openpyxl(path, data_only=data_only)
    by_pandas = pd.read_excel(path, sheet_name=None)
    assert list(by_openpyxl) == list(expected)
    assert list(by_pandas) == list(expected)
    for name, table in expected.items():
        assert_same_table(by_openpyxl[name], table, f"{path.name}[{name}] via openpyxl")
        assert_same_table(by_pandas[name], table, f"{path.name}[{name}] via pandas")


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
    for suffix in outputs.CHART_FORMATS:  # charts are tested in test_outputs; skip rendering
        monkeypatch.setitem(outputs.FORMATS, suffix, lambda chart: "<svg></svg>")
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
    assert_workbook_holds(excel, {name: t.reset_index() for name, t in tables.items()})


def libreoffice_resave(path: Path, folder: Path) -> Path:
    """``path`` opened and saved again as .xlsx by headless LibreOffice, into ``folder``."""
    assert SOFFICE is not None
    profile = (folder / "profile").as_uri()  # a private profile: no clash with other runs
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(folder / "out"), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = folder / "out" / path.name
    assert converted.exists(), f"LibreOffice wrote no {converted}"
    return converted


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
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
