"""Writing output files: atomically (temp file + rename) so no reader sees half a file.

Every table file goes through :func:`csv_bytes` or :func:`excel_bytes`, which keep text
from becoming a spreadsheet formula (formula or CSV injection, OWASP): a site named
``=HYPERLINK(...)`` must read as that text, never run. Workbook cells holding text are
typed as text; CSV text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return get a leading ``'``, and cells holding a line break are quoted. Numbers, negative
ones included, are written as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_START",
    "atomic_write",
    "csv_bytes",
    "escape_formula",
    "excel_bytes",
    "style_sheet",
    "table_currency",
    "write_all",
]

# First characters that make a spreadsheet read a text cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Fixed timestamp inside workbooks (zip entries and document properties) so the same
# result gives the same bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"  # the document properties part (creator, created, modified)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)  # mkstemp's 0o600 would hide the file from others
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write every prepared file atomically; contents are all computed before the first write."""
    for path, data in files.items():
        atomic_write(path, data)
    return list(files)


def escape_formula(value: object) -> object:
    """``value`` with a ``'`` in front if it is text starting with a formula character.

    Only text is escaped (``"-2+3"`` becomes ``"'-2+3"``); numbers such as ``-3.5`` and
    missing values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as UTF-8 CSV without its index, safe to open in a spreadsheet.

    Text cells and column names starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return get a leading ``'`` (:func:`escape_formula`, as OWASP advises against CSV
    injection), so no spreadsheet runs them as formulas; numeric, boolean and date
    columns are written unchanged. Rows end in CRLF (RFC 4180), so any cell holding a
    carriage return or line feed is quoted: with ``\n`` row ends, Python 3.12's csv
    writer leaves a bare carriage return unquoted, and spreadsheets would start a new
    row there, whose first cell would escape the escaping.
    """
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype.kind not in "biufcmM":  # text or mixed (object) columns
            safe[column] = safe[column].astype(object).map(escape_formula)
    safe.columns = pd.Index([escape_formula(c) for c in safe.columns])
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _text_as_text(sheet: Any) -> None:
    """Type every text cell of an openpyxl ``sheet`` as text (``"s"``).

    openpyxl makes a string starting with ``=`` a formula and one like ``#N/A`` an error
    value; typed as text, the cell shows the string as written and never runs.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def excel_bytes(
    tables: dict[str, pd.DataFrame],
    *,
    currency: str | None = None,
    labels: pd.DataFrame | None = None,
) -> bytes:
    """An .xlsx workbook for analysts, one sheet per table, with deterministic bytes.

    Each table is shown as :func:`bestshore.result.workbook.sheet_of` presents it: units
    in the headers, money with thousands separators and the currency, shares as
    percentages, FTE with one decimal, display names beside ids, hours as weekday and
    time; the header row is bold and frozen, every sheet has an autofilter and columns
    sized to their contents (:func:`style_sheet`). The ``inputs`` table, if any, gives
    the currency (unless ``currency`` is given) and ``labels`` the display names
    (unless ``labels`` is given).

    Every text cell, column headers included, is stored as text, so text such as
    ``=HYPERLINK(...)`` reads back as written and is never a formula.

    openpyxl stamps the save time into the document properties (``docProps/core.xml``)
    and into every zip entry. The workbook is re-packed with fixed zip entry times and
    with the document properties serialised again by openpyxl itself, created and
    modified set to 2000-01-01, so the same tables always give the same bytes.
    """
    from openpyxl.xml.functions import tostring

    from bestshore.result.workbook import sheet_of

    currency = currency if currency is not None else table_currency(tables)
    labels = labels if labels is not None else tables.get("labels")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            shown = sheet_of(name, table, currency=currency, labels=labels)
            shown.table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            _text_as_text(sheet)
            style_sheet(sheet, shown.formats, shown.row_formats)
        properties = writer.book.properties
    fixed = dt.datetime(*_EPOCH)
    properties.creator = "bestshore"
    properties.created = fixed
    properties.modified = fixed  # after the save, which set it to the current time
    core = tostring(properties.to_tree())
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = core if info.filename == _CORE else source.read(info.filename)
            target.writestr(entry, data)
    return out.getvalue()


def table_currency(tables: dict[str, pd.DataFrame]) -> str:
    """The currency named in the ``inputs`` table (item ``currency``), else ``""``."""
    inputs = tables.get("inputs")
    if inputs is None or not {"item", "value"} <= set(inputs.columns):
        return ""
    found = inputs.loc[inputs["item"] == "currency", "value"]
    return str(found.iloc[0]) if len(found) else ""


def _shown_width(value: object, number_format: str | None) -> int:
    """About how many characters a cell shows (formatted numbers included)."""
    if value is None or (isinstance(value, float) and value != value):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return max((len(line) for line in str(value).splitlines()), default=0)
    if number_format and "%" in number_format:
        return len(f"{value * 100:.1f}%")
    if number_format and '"' in number_format:  # money: digits, separators, the code
        return len(f"{value:,.2f}") + len(number_format.split('"')[1]) + 1
    if number_format and "#,##0" in number_format:
        return len(f"{value:,.2f}")
    return len(f"{value:g}")


def style_sheet(
    sheet: Any,
    formats: dict[int, str | None],
    row_formats: dict[tuple[int, int], str] | None = None,
) -> None:
    """Bold frozen header row, autofilter, number formats and column widths.

    ``formats`` holds the number format of each column (by position from 0), applied to
    every data cell; ``row_formats`` the format of single data cells, by (row, column)
    positions from 0 (first data row 0).
    """
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths: dict[int, int] = {}
    for index, column in enumerate(sheet.iter_cols(min_row=1)):
        code = formats.get(index)
        width = len(str(column[0].value or ""))
        for row, cell in enumerate(column[1:]):
            cell_code = code if row_formats is None else row_formats.get((row, index), code)
            if cell_code is not None:
                cell.number_format = cell_code
            if row < 200:
                width = max(width, _shown_width(cell.value, cell_code))
        widths[index] = width
    for index, width in widths.items():
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
