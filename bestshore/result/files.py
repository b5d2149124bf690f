"""Writing output files: every file complete, every output folder all or nothing.

Single files (:func:`atomic_write`) go through a temp file in the same folder and
``os.replace``, so no reader sees half a file.

Output folders (:func:`write_folder`: ``solve --out``, :func:`bestshore.views.outputs.
write_outputs`, :meth:`Result.to_csv <bestshore.result.Result.to_csv>`) are replaced as a
whole. For a target ``out`` in ``parent``:

1. The whole set is written into ``parent/.out.bestshore-new-<random>`` (same file
   system), each file fsynced, then ``.bestshore-manifest.json`` last: every file of the
   run with its size [bytes] and sha256. A folder holding its manifest is complete. The
   run holds an ``flock`` on its temp folder until it is done.
2. Under an ``flock`` on ``parent`` (one swap at a time in a folder): leftovers of
   earlier runs are dealt with (below), the target is checked again, then
   ``rename(out, .out.bestshore-old-<random>)``, ``rename(new, out)``, fsync of
   ``parent``, and the old folder is removed.

A crash (SIGKILL, power loss) at any moment leaves ``out`` as the old complete folder or
the new complete one, with one window: between the two renames (a few microseconds,
nothing written in it) ``out`` does not exist, and the old complete folder sits at
``.out.bestshore-old-*``. A reader that opens ``out/...`` in that window gets "not
found"; a reader reading file after file by path across a swap may read some files of
each run (open a file, or the folder by descriptor, to keep one set: a replaced file
stays readable through its open descriptor). The next write of ``out`` (or its check,
:func:`check_folder`) makes leftovers harmless: temp and old folders whose run is gone
(its ``flock`` released, as the kernel does when a process dies) are removed, and if
``out`` is missing its old folder is renamed back first (the run that crashed had not
finished, so the previous result comes back). The locks are POSIX ``flock``; where there
is none (Windows), swaps into one folder are not serialised between processes.

Files bestshore did not write are never removed: a folder is replaced only if it is
empty or holds a manifest listing every file in it. A non-empty folder without a
manifest (a user's folder, or outputs of a bestshore from before manifests), or a
manifest folder holding other files (``notes.txt`` put there since), is refused with one
:class:`OutputError` line naming the folder and the first foreign files: move them or
choose another folder. A run that no longer writes an optional file
(``policy_prices.*`` after ``--no-policy-prices``) leaves none of the previous run's.

Every table file goes through :func:`csv_bytes` or :func:`excel_bytes`, which keep text
from becoming a spreadsheet formula (formula or CSV injection, OWASP): a site named
``=HYPERLINK(...)`` must read as that text, never run. Workbook cells holding text are
typed as text; CSV text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return get a leading ``'``, and cells holding a line break are quoted. Numbers, negative
ones included, are written as they are.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_START",
    "MANIFEST",
    "OutputError",
    "atomic_write",
    "check_file_target",
    "check_folder",
    "csv_bytes",
    "escape_formula",
    "excel_bytes",
    "manifest_bytes",
    "style_sheet",
    "table_currency",
    "write_folder",
]

# First characters that make a spreadsheet read a text cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Fixed timestamp inside workbooks (zip entries and document properties) so the same
# result gives the same bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"  # the document properties part (creator, created, modified)


MANIFEST = ".bestshore-manifest.json"
"""The file in every output folder listing the run's files: size [bytes] and sha256."""

_NEW, _OLD = ".bestshore-new-", ".bestshore-old-"  # temp and old folders: .<name><tag><random>
_MANIFEST_LIMIT = 16 * 2**20  # largest manifest read [bytes]; ours are a few kB


class OutputError(OSError):
    """An output file or folder that cannot be written, in one line naming it and why.

    Raised before anything is changed or after everything written was undone: the target
    is as it was. The CLI exits 2 on it, as on an input file it cannot read.
    """


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path`` and fsync it (readable by all, 0o644)."""
    with open(path, "xb") as fh:  # "x": a new file, never one planted there
        os.fchmod(fh.fileno(), 0o644)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make the names in ``folder`` durable (best effort: some file systems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``.

    Raises :class:`OutputError` (``path`` left as it was) if it cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot write the file ({_reason(exc)})") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)  # mkstemp's 0o600 would hide the file from others
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"{path}: cannot write the file ({_reason(exc)}); left as it was"
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def manifest_bytes(files: Mapping[str, bytes]) -> bytes:
    """The manifest of ``files`` (relative path -> contents): each file's size [bytes] and
    sha256, sorted by path, so the same files give the same bytes."""
    listed = {
        name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in sorted(files.items())
    }
    doc = {"written_by": "bestshore", "manifest_version": 1, "files": listed}
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


def _listed(folder: Path) -> set[str] | None:
    """The paths ``folder``'s manifest lists, or None without a readable manifest."""
    path = folder / MANIFEST
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.stat().st_size > _MANIFEST_LIMIT:
            return None
        doc = json.loads(path.read_bytes())
        files = doc["files"]
        if doc.get("written_by") != "bestshore" or not isinstance(files, dict):
            return None
        return {str(name) for name in files}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _entries(folder: Path, prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(relative path, is a folder) of everything under ``folder``, symlinks not followed."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: entry.name)
    for entry in entries:
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield name, True
            yield from _entries(Path(entry.path), name + "/")
        else:
            yield name, False


def _refuse_foreign(given: Path, target: Path) -> None:
    """Raise :class:`OutputError` unless the folder ``target`` may be replaced: it is empty
    or its manifest lists every file in it (and the folders holding them)."""
    listed = _listed(target)
    try:
        entries = [(name, is_dir) for name, is_dir in _entries(target) if name != MANIFEST]
    except OSError as exc:
        raise OutputError(f"{given}: cannot read the folder ({_reason(exc)})") from exc
    if not entries:
        return
    if listed is None:
        shown = ", ".join(name for name, _ in entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise OutputError(
            f"{given}: not empty and not an output folder of bestshore (no readable {MANIFEST}; "
            f"holds {shown}); bestshore replaces only its own folders: empty it or choose "
            "another --out"
        )
    folders = {parent.as_posix() for name in listed for parent in Path(name).parents}
    foreign = [
        name for name, is_dir in entries if (name not in folders if is_dir else name not in listed)
    ]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputError(
            f"{given}: holds {len(foreign)} file(s) bestshore did not write ({shown}); "
            "move them out or choose another --out"
        )


def _lock(folder: Path, *, wait: bool) -> int | None:
    """A descriptor of ``folder`` holding an exclusive ``flock`` on it.

    None if another process holds it and ``wait`` is false. Where the file system has no
    ``flock``, the descriptor comes back unlocked.
    """
    if os.name != "posix":  # no flock (Windows): runs are not told apart, swaps not serialised
        return os.open(os.devnull, os.O_RDONLY)
    import fcntl

    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            os.close(fd)
            raise
    return fd


@contextlib.contextmanager
def _holding(folder: Path) -> Iterator[None]:
    """Hold the ``flock`` of ``folder`` (waiting for it) while the block runs."""
    fd = _lock(folder, wait=True)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _leftovers(target: Path) -> None:
    """Make the temp and old folders of earlier runs of ``target`` harmless.

    Only folders no live run holds (their ``flock`` is free: the run died) are touched.
    If ``target`` is missing (a crash between the two renames of a swap), the newest old
    folder holding a manifest is renamed back to ``target``; the others are removed.
    Called with the ``flock`` of ``target``'s parent held.
    """
    stems = (f".{target.name}{_NEW}", f".{target.name}{_OLD}")
    try:
        with os.scandir(target.parent) as found:
            names = sorted(
                e.name
                for e in found
                if e.name.startswith(stems) and e.is_dir(follow_symlinks=False)
            )
    except OSError:
        return
    gone: dict[Path, int] = {}
    try:
        for name in names:
            path = target.parent / name
            try:
                fd = _lock(path, wait=False)
            except OSError:
                continue  # removed meanwhile, or not ours to open
            if fd is not None:
                gone[path] = fd
        if not os.path.lexists(target):
            olds = [p for p in gone if p.name.startswith(stems[1]) and _listed(p) is not None]
            if olds:
                newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
                os.rename(newest, target)
                os.close(gone.pop(newest))
                _fsync_dir(target.parent)
        for path in gone:
            shutil.rmtree(path, ignore_errors=True)
    finally:
        for fd in gone.values():
            os.close(fd)


def _target(given: Path) -> Path:
    """The real folder ``given`` names (symlinks followed), refused if it cannot be swapped."""
    try:
        target = Path(os.path.realpath(given))
        here = Path.cwd().resolve()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{given}: not a usable folder path ({_reason(exc)})") from exc
    if target == here or target in here.parents:
        raise OutputError(
            f"{given}: is the current folder or holds it; choose a folder inside it as --out"
        )
    if os.path.lexists(target) and not target.is_dir():
        raise OutputError(f"{given}: is a file, not a folder")
    return target


def _probe_beside(given: Path, target: Path, *, folder: bool) -> None:
    """Create (then remove) a temp folder or file beside ``target``, its missing parent
    folders too: raise :class:`OutputError` naming ``given`` and the cause if it fails."""
    parent = target.parent
    missing = [p for p in (parent, *parent.parents) if not os.path.lexists(p)]
    blocker = next((p for p in (parent, *parent.parents) if os.path.lexists(p)), None)
    if blocker is not None and not blocker.is_dir():
        raise OutputError(f"{given}: cannot be created, {blocker} is a file, not a folder")
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
        if folder:
            os.rmdir(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}{_NEW}"))
        else:
            fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{given}: cannot write beside it in {parent} ({_reason(exc)})") from exc
    finally:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()


def check_folder(folder: str | Path) -> None:
    """Check, before a long solve, that :func:`write_folder` can replace ``folder``.

    A temp folder can be created beside it (its missing parents are created for the test
    and removed again), it is not a file, and it is absent, empty or an output folder of
    bestshore holding nothing else. Leftovers of a crashed earlier run are dealt with
    (:func:`_leftovers`). Raises :class:`OutputError`: one line naming ``folder``.
    """
    given = Path(folder)
    target = _target(given)
    _probe_beside(given, target, folder=True)
    if target.parent.is_dir():
        try:
            with _holding(target.parent):
                _leftovers(target)
        except OSError as exc:
            raise OutputError(f"{given}: cannot lock {target.parent} ({_reason(exc)})") from exc
    if target.is_dir():
        _refuse_foreign(given, target)


def check_file_target(path: str | Path) -> None:
    """Check, before a long computation, that :func:`atomic_write` can write ``path``:
    not a folder, and a temp file can be created beside it. Raises :class:`OutputError`."""
    given = Path(path)
    try:
        target = Path(os.path.realpath(given))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{given}: not a usable file path ({_reason(exc)})") from exc
    if target.is_dir():
        raise OutputError(f"{given}: is a folder, expected a file")
    _probe_beside(given, target, folder=False)


def _checked_names(files: Mapping[str, bytes]) -> None:
    for name in files:
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or ".." in parts or name == MANIFEST:
            raise ValueError(f"{name!r} is not a relative file name inside the output folder")


def write_folder(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Replace the folder ``folder`` with exactly ``files`` (relative path -> contents),
    all or nothing, plus its manifest :data:`MANIFEST`.

    The set is written into a temp folder beside ``folder`` then swapped in (the module
    docstring gives the sequence and what a crash leaves). Files of an earlier run that
    this one does not write are gone with the old folder; a folder holding files
    bestshore did not write is refused (:func:`check_folder`'s rules).

    Returns the paths written (under ``folder`` as given; the manifest not included).
    Raises :class:`OutputError` (one line, the folder left as it was) if the folder
    cannot be replaced or a file cannot be written (a full disk among them).
    """
    _checked_names(files)
    given = Path(folder)
    target = _target(given)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}{_NEW}"))
    except OSError as exc:
        _probe_beside(given, target, folder=True)  # names a blocking file, if that is why
        raise OutputError(f"{given}: cannot write beside it in {parent} ({_reason(exc)})") from exc
    hold = _lock(new, wait=True)  # a fresh folder: tells later runs this one is alive
    step = "cannot create the new folder"
    try:
        try:
            os.chmod(new, stat.S_IMODE(target.stat().st_mode) if target.is_dir() else 0o755)
            for name, data in files.items():
                step = f"cannot write {name}"
                (new / name).parent.mkdir(parents=True, exist_ok=True)
                _write_file(new / name, data)
            step = f"cannot write {MANIFEST}"
            _write_file(new / MANIFEST, manifest_bytes(files))
            for sub in sorted({(new / n).parent for n in files}, reverse=True):
                _fsync_dir(sub)
            step = "cannot swap in the new folder"
            with _holding(parent):
                _leftovers(target)
                _swap(given, target, new)
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(
                f"{given}: {step} ({_reason(exc)}); the folder is left as it was"
            ) from exc
    finally:
        shutil.rmtree(new, ignore_errors=True)  # gone already once swapped in
        if hold is not None:
            os.close(hold)
    return [given / n for n in files]


def _swap(given: Path, target: Path, new: Path) -> None:
    """Rename ``target`` aside, ``new`` into its place, remove the old folder.

    Called with the ``flock`` of the parent held. If the second rename fails the old
    folder is renamed back.
    """
    if not os.path.lexists(target):
        os.rename(new, target)
        _fsync_dir(target.parent)
        return
    _refuse_foreign(given, target)  # again: files may have come since the check
    old = target.parent / f".{target.name}{_OLD}{os.urandom(6).hex()}"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


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
