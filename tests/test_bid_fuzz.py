"""Fuzzing the import: cells of a valid bid mutated at random (hypothesis), never a crash,
never a partial tender.

Each example takes the tiny tender's two valid bids (tests/bid_corpus.py), writes one to
four values into Alpha's workbook (any bidder sheet, the header row or a record row, one
column past the layout too): text, formula payloads, numbers from tiny to huge, dates,
logical values, valid codes of other columns, long strings, nothing. Then
``bestshore rfp import`` over a tender file that already holds a previous tender:

- it accepts the bids (exit 0) and the file is a complete tender: a scenario that
  parses and holds both bidders; or
- it refuses them (exit 2): every stderr line is ``error: <file>, <sheet>, <cell>: ...``
  about alpha.xlsx or the base, the last one counts them, and the file is the previous
  tender, byte for byte.

An internal error (exit 1), a traceback or a line naming no cell fails. Derandomized: the
same examples every run; ``BESTSHORE_LONG_FUZZ=1`` (``make test-slow``) runs 20 times as
many.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from bid_corpus import ALPHA, BETA, base, template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from bestshore.cli import app
from bestshore.rfp.example import fill_bid
from bestshore.rfp.layout import BIDDER_SHEETS
from bestshore.scenario import parse_scenario

LONG = os.environ.get("BESTSHORE_LONG_FUZZ") == "1"
EXAMPLES = 500 if LONG else 25
BLANK = template()
ALPHA_BYTES = fill_bid(BLANK, ALPHA)
BETA_BYTES = fill_bid(BLANK, BETA)
PREVIOUS = "# previous tender, to be kept when the import fails\nname: previous\n"
SHEETS = list(BIDDER_SHEETS)
LINE = re.compile(
    r"^error: (alpha\.xlsx|beta\.xlsx|base\.yaml), ([A-Za-z]+|-), ([A-Z]+[0-9]+(:[A-Z]+[0-9]+)?|-|[\w.\[\]]+): .+"
)

values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://x","y")',
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "24/7",
            "mon-fri 08:00-20:00",
            "mon-fri 25:00-26:00",
            "n1.fr",
            "MA",
            "PT",
            "FR",
            "fr",
            "en",
            "native",
            "C1",
            "B2",
            "per_productive_hour",
            "per_fte_month",
            "per_handled_contact",
            "EUR",
            "USD",
            "rabat",
            "lisbon",
            "paris",
            "alpha",
            "beta",
            "Europe/Lisbon",
            "Mars/Olympus",
            "x" * 300,
            "\x07\n\r",
            " ",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0, 1, -1, 0.5, 1e-300, 1e300, 2e6, 100_001, 1_000_000_000]),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)
mutation = st.tuples(
    st.sampled_from(SHEETS),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=14),
    values,
)


def mutated(changes: list[tuple[str, int, int, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(ALPHA_BYTES))
    for sheet, row, column, value in changes:
        width = len(BIDDER_SHEETS[sheet]) + 1
        book[sheet].cell(row=row, column=min(column, width), value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(changes=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bids_never_crash_nor_write_half_a_tender(changes: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "base.yaml").write_text(yaml.safe_dump(base(), sort_keys=False))
        try:
            data = mutated(changes)
        except (ValueError, TypeError, IllegalCharacterError):
            return  # openpyxl refuses to store the value: no workbook to import
        (folder / "alpha.xlsx").write_bytes(data)
        (folder / "beta.xlsx").write_bytes(BETA_BYTES)
        out = folder / "tender.yaml"
        out.write_text(PREVIOUS)
        done = CliRunner().invoke(
            app,
            ["rfp", "import", str(folder / "alpha.xlsx"), str(folder / "beta.xlsx"),
             "--scenario", str(folder / "base.yaml"), "--out", str(out)],
        )  # fmt: skip
        assert "Traceback" not in done.output
        if done.exit_code == 0:
            tender = yaml.safe_load(out.read_text())
            scenario = parse_scenario(tender, file=None)  # a whole scenario
            ids = {v.id for v in scenario.vendors}  # alpha's id may itself be mutated
            assert len(ids) == 2 and "beta" in ids
            assert len(scenario.sites) == 3  # Paris and each bid's site
            return
        assert done.exit_code == 2, done.output
        lines = done.output.strip().splitlines()
        assert re.fullmatch(
            r"error: \d+ error\(s\) in \d+ file\(s\); nothing written", lines[-1]
        ), lines
        for line in lines[:-1]:
            assert LINE.match(line), line
        assert out.read_text() == PREVIOUS  # nothing written, not even half
