"""Writing output files: atomically (temp file + rename) so no reader sees half a file."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

__all__ = ["atomic_write", "excel_bytes", "write_all"]

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


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook, one sheet per table, with deterministic bytes.

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
