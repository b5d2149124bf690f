"""Issue 14's acceptance, on the bundled scenarios as a new user gets them.

- Each bundled scenario's workbook (``result.xlsx`` as ``solve --out`` writes it, the
  saving against today included where the scenario has an incumbent) opens in openpyxl,
  in pandas and in headless LibreOffice, each sheet holding the table it was written from.
- A scenario's description that states its volume states the volume it has.

(The summary PDF's one page with its headline figures: ``tests/test_summary.py``; the US
market served from the Philippines, Mexico and India: ``tests/test_world.py``.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from checkers import libreoffice_convert

import bestshore
from bestshore.analysis import savings_against_today
from bestshore.result.files import excel_bytes
from bestshore.scenario import load_scenario
from bestshore.views.outputs import output_tables

SCENARIOS = sorted(Path("scenarios").glob("*.yaml"))


# The demo and the transition demo (with its saving) run by default; the demo's other
# variants (same sheets, 15 s each) and the rostered one (a MILP) with make test-slow.
DEFAULT = ("demo", "demo-transition")


def _bundled() -> list[Any]:
    return [
        pytest.param(path, id=path.stem, marks=[] if path.stem in DEFAULT else [pytest.mark.slow])
        for path in SCENARIOS
    ]


def _rows(book: openpyxl.Workbook) -> dict[str, int]:
    """Data rows of each sheet (its header row left out)."""
    return {sheet.title: sheet.max_row - 1 for sheet in book.worksheets}


@pytest.mark.parametrize("path", _bundled())
def test_each_bundled_workbook_opens_in_three_readers(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    result = bestshore.solve(scenario)
    saved = savings_against_today(scenario, result) if scenario.incumbent else None
    tables = output_tables(result, None, saved)
    workbook = tmp_path / "result.xlsx"
    workbook.write_bytes(excel_bytes(tables))
    expected = {name: len(table) for name, table in tables.items()}

    book = openpyxl.load_workbook(workbook)  # 1. openpyxl
    assert book.sheetnames == list(tables)
    assert _rows(book) == expected
    sheets = pd.read_excel(workbook, sheet_name=None)  # 2. pandas
    assert {name: len(frame) for name, frame in sheets.items()} == expected
    kpis = sheets["kpis"].set_index("kpi")
    cost = kpis.loc["total_cost"].iloc[-1]
    assert cost == pytest.approx(result.total_cost, abs=0.05)  # the table's tenth
    if saved is not None:
        assert saved.priced, saved.status
        assert kpis.loc["saving"].iloc[-1] == pytest.approx(saved.saving, rel=1e-9)
        assert kpis.loc["today_cost"].iloc[-1] == pytest.approx(saved.today_cost, rel=1e-9)

    converted = libreoffice_convert(workbook, tmp_path / "lo")  # 3. LibreOffice
    again = openpyxl.load_workbook(converted, data_only=True)
    assert again.sheetnames == list(tables)
    assert _rows(again) == expected
    header = [cell.value for cell in again["kpis"][1]]
    values = {
        row[0].value: row[header.index("value")].value for row in again["kpis"].iter_rows(min_row=2)
    }
    assert values["total_cost"] == pytest.approx(result.total_cost, abs=0.05)


_VOLUME = re.compile(r"(\d+(?:\.\d+)?)\s*M contacts")


def test_descriptions_state_the_volumes_the_scenarios_have() -> None:
    stated = 0
    for path in SCENARIOS:
        scenario = load_scenario(path)
        volume = sum(c.volume for c in scenario.call_types)  # contacts a year
        for found in _VOLUME.findall(scenario.description or ""):
            stated += 1
            assert float(found) == round(volume / 1e6, 1), (path.name, found, volume)
    # The demo states its volume (3.43 M contacts: 1.8 + 0.5 + 0.45 + 0.16 + 0.3 + 0.22).
    assert stated >= 1
    assert "3.4 M contacts" in (load_scenario("scenarios/demo.yaml").description or "")
