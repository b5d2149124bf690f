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


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook, one sheet per table, with deterministic bytes.

    Every text cell, column headers included, is stored as text, so text such as
    ``=HYPERLINK(...)`` reads back as written and is never a formula.

    openpyxl stamps the save time into the document properties (``docProps/core.xml``)
    and into every zip entry. The workbook is re-packed with fixed zip entry times and
    with the document properties serialised again by openpyxl itself, created and
    modified set to 2000-01-01, so the same tables always give the same bytes.
    """
    from openpyxl.xml.functions import tostring

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            _text_as_text(sheet)
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
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
