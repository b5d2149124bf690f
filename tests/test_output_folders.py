"""Output folders are all or nothing (issue 15, point 6).

Every folder checked here is re-read by readers that share no code with the writer:
``hashlib`` against the manifest, ``json.loads`` for JSON, ``pandas.read_csv`` for CSV,
``openpyxl`` for workbooks, an XML parser for SVG, the test PNG reader, and the manifest
itself with ``json.loads``. "Untouched" means the same bytes, file for file, as before.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import tiny
from png import read_png
from pypdf import PdfReader
from typer.testing import CliRunner

import bestshore
from bestshore import cli
from bestshore.cli import app
from bestshore.result import files
from bestshore.result.files import MANIFEST, OutputError, check_folder, write_folder
from bestshore.scenario import parse_scenario
from bestshore.views import outputs

ROOT = Path(__file__).resolve().parent.parent


def _data() -> dict[str, Any]:
    """tiny() with a vendor cap that binds (Rabat is cheaper): the policy has a price."""
    data = tiny()
    data["policies"] = {"max_vendor_share": 0.6}
    return data


@pytest.fixture(scope="module")
def solved() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = parse_scenario(_data())
    return scenario, bestshore.solve(scenario)


@pytest.fixture(scope="module")
def prices(solved: tuple[bestshore.Scenario, bestshore.Result]) -> pd.DataFrame:
    from bestshore.analysis import price_of_policies

    return price_of_policies(*solved)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(_data(), sort_keys=False), encoding="utf-8")
    return path


def _png() -> bytes:
    """A 1 x 1 white 8-bit RGB PNG (ISO/IEC 15948 chunks)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


CHEAP = {
    "png": _png(),
    "svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "html": "<!doctype html><html><body></body></html>",
}


def no_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap charts, one valid file per format (rendering is tested in test_outputs;
    here only the files and the folder matter)."""
    monkeypatch.setattr(
        outputs, "render_formats", lambda chart, formats: {s: CHEAP[s] for s in formats}
    )


# --- independent readers -----------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) by relative path: its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_back(name: str, data: bytes) -> None:
    """Parse one output file with a reader of its own format (raises if it is not whole)."""
    suffix = name.rsplit(".", 1)[-1]
    if suffix == "json":
        json.loads(data)
    elif suffix == "csv":
        if data.strip():  # an empty table is written as an empty file
            pd.read_csv(BytesIO(data))
    elif suffix == "xlsx":
        book = openpyxl.load_workbook(BytesIO(data), read_only=True)
        assert book.sheetnames
        book.close()
    elif suffix == "svg":
        ElementTree.fromstring(data)
    elif suffix == "png":
        read_png(data)
    elif suffix == "html":
        assert data.rstrip().endswith(b"</html>"), name
    elif suffix == "pdf":
        assert len(PdfReader(BytesIO(data)).pages) == 1, name  # the one-page summary
    else:
        raise AssertionError(f"unexpected output file {name}")


def complete(folder: Path) -> dict[str, Any]:
    """Assert ``folder`` is a complete output folder; return its manifest's files.

    Complete: the manifest is there, lists exactly the other files of the folder, and
    each listed file has the listed size and sha256 and parses with its own reader.
    """
    manifest = json.loads((folder / MANIFEST).read_bytes())
    listed: dict[str, Any] = manifest["files"]
    found = snapshot(folder)
    assert set(found) == set(listed) | {MANIFEST}, set(found) ^ (set(listed) | {MANIFEST})
    for name, entry in listed.items():
        data = found[name]
        assert len(data) == entry["bytes"], name
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        read_back(name, data)
    return listed


def leftovers(folder: Path) -> list[str]:
    """Temp or old folders of ``folder``'s swaps still beside it."""
    return sorted(p.name for p in folder.parent.glob(f".{folder.name}.bestshore-*"))


def solve_out(*args: str) -> Any:
    return CliRunner().invoke(app, ["solve", *args])


def one_line_error(run: Any) -> str:
    message = run.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, run.output
    assert "Traceback" not in run.output
    return str(message)


# --- a write that fails leaves the folder as it was --------------------------------------
@pytest.mark.parametrize("where", ["last file", "manifest"])
def test_a_write_failing_at_the_last_file_leaves_the_folder_as_it_was(
    solved: tuple[bestshore.Scenario, bestshore.Result],
    prices: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    scenario, result = solved
    no_charts(monkeypatch)
    out = tmp_path / "out"
    written = outputs.write_outputs(result, scenario, out)
    before = snapshot(out)
    assert len(complete(out)) == len(written) and len(written) > 20
    real = files._write_file
    calls: list[str] = []

    last = MANIFEST if where == "manifest" else "summary.pdf"  # the last file of the set

    def failing(path: Path, data: bytes) -> None:
        calls.append(path.name)
        if path.name == last:
            raise OSError(errno.EIO, "Input/output error")
        real(path, data)

    monkeypatch.setattr(files, "_write_file", failing)
    # Another set (with policy prices): its files would differ from the folder's.
    with pytest.raises(OutputError, match=f"out: cannot write {last} .*Input/output error"):
        outputs.write_outputs(result, scenario, out, prices)
    assert len(calls) == len(written) + 4 + (where == "manifest")  # policy_prices.*: 4
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_full_disk_leaves_the_old_folder_and_one_line_with_exit_2(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_charts(monkeypatch)
    out = tmp_path / "out"
    assert solve_out(str(scenario_file), "--out", str(out)).exit_code == 0
    before = snapshot(out)
    count = len(complete(out))
    real = files._write_file
    for nth in (1, 11, 22, count - 4, 0):  # the last content file, then (0) the manifest
        calls = 0

        def full(path: Path, data: bytes, nth: int = nth) -> None:
            nonlocal calls
            calls += 1
            if calls == nth or (
                nth == 0 and path.name == MANIFEST
            ):  # half the file goes to disk, then the disk is full
                real(path, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real(path, data)

        monkeypatch.setattr(files, "_write_file", full)
        run = solve_out(str(scenario_file), "--out", str(out), "--no-policy-prices")
        assert run.exit_code == 2, run.output
        message = one_line_error(run)
        assert str(out) in message and "No space left on device" in message, message
        assert "left as it was" in message
        assert snapshot(out) == before, nth
        assert leftovers(out) == []


# --- files a run no longer writes --------------------------------------------------------
def test_no_policy_prices_removes_the_previous_runs_policy_prices(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_charts(monkeypatch)
    out = tmp_path / "out"
    assert solve_out(str(scenario_file), "--out", str(out)).exit_code == 0
    first = complete(out)
    priced = {name for name in first if "policy_prices" in name}
    assert priced == {
        "tables/policy_prices.csv",
        "policy_prices.png",
        "policy_prices.svg",
        "policy_prices.html",
    }
    assert pd.read_csv(out / "tables" / "policy_prices.csv")["price"].gt(0).all()
    run = solve_out(str(scenario_file), "--out", str(out), "--no-policy-prices")
    assert run.exit_code == 0, run.output
    second = complete(out)
    assert not [p for p in out.rglob("*policy_prices*")]
    assert set(second) == set(first) - priced
    assert leftovers(out) == []
    assert "policy_prices" not in openpyxl.load_workbook(out / "result.xlsx").sheetnames


def test_the_same_result_gives_the_same_folder_and_manifest(
    solved: tuple[bestshore.Scenario, bestshore.Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, result = solved
    no_charts(monkeypatch)
    outputs.write_outputs(result, scenario, tmp_path / "a")
    outputs.write_outputs(result, scenario, tmp_path / "b")
    outputs.write_outputs(result, scenario, tmp_path / "b")  # replacing its own folder
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert oct((tmp_path / "b").stat().st_mode & 0o777) == "0o755"


# --- files bestshore did not write -------------------------------------------------------
def test_a_folder_with_files_bestshore_did_not_write_is_refused_before_solving(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_charts(monkeypatch)
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes")
    (mine / "sub" / "data.csv").write_text("a\n1\n")
    out = tmp_path / "out"
    assert solve_out(str(scenario_file), "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("added after the run")
    before = {folder: snapshot(folder) for folder in (mine, out)}

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved although --out cannot be written")

    monkeypatch.setattr(cli, "solve", no_solve)
    for folder, why in (
        (mine, f"not empty and not an output folder of bestshore (no readable {MANIFEST}"),
        (out, "holds 1 file(s) bestshore did not write (notes.txt)"),
    ):
        run = solve_out(str(scenario_file), "--out", str(folder))
        assert run.exit_code == 2, run.output
        message = one_line_error(run)
        assert message.startswith(f"error: {folder}: ") and why in message, message
        assert snapshot(folder) == before[folder]
    # The Python API refuses the same folders.
    scenario = parse_scenario(_data())
    with pytest.raises(OutputError, match=r"notes\.txt"):
        bestshore.solve(scenario).to_csv(mine)
    assert snapshot(mine) == before[mine]


def test_an_empty_folder_is_replaced_and_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    written = write_folder(tmp_path / "empty", {"a.json": b"{}", "t/b.csv": b"x\r\n1\r\n"})
    assert written == [tmp_path / "empty" / "a.json", tmp_path / "empty" / "t" / "b.csv"]
    assert set(complete(tmp_path / "empty")) == {"a.json", "t/b.csv"}
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="file: is a file, not a folder"):
        write_folder(tmp_path / "file", {"a.json": b"{}"})
    with pytest.raises(ValueError, match="not a relative file name"):
        write_folder(tmp_path / "x", {"../escape.json": b"{}"})
    assert (tmp_path / "file").read_text() == "x" and not (tmp_path / "x").exists()


# --- an --out that cannot be written fails before solving --------------------------------
@pytest.mark.parametrize("case", ["parent is a file", "out is a file", "beside a file"])
def test_an_unwritable_out_fails_before_solving(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    out, why = {
        "parent is a file": (blocker / "out", f"cannot be created, {blocker} is a file"),
        "out is a file": (blocker, "is a file, not a folder"),
        "beside a file": (blocker / "a" / "b" / "out", f"{blocker} is a file, not a folder"),
    }[case]

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved although --out cannot be written")

    monkeypatch.setattr(cli, "solve", no_solve)
    run = solve_out(str(scenario_file), "--out", str(out))  # no_solve: refused before solving
    assert run.exit_code == 2, run.output
    message = one_line_error(run)
    assert message.startswith(f"error: {out}: ") and why in message, message
    assert blocker.read_text() == "not a folder"


def test_check_folder_leaves_no_trace_and_compare_excel_is_checked_first(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_folder(tmp_path / "new" / "deeper" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved although --excel cannot be written")

    monkeypatch.setattr(cli, "solve", no_solve)
    for excel, why in ((blocker / "c.xlsx", "is a file, not a folder"), (tmp_path, "is a folder")):
        run = CliRunner().invoke(
            app, ["compare", str(scenario_file), str(scenario_file), "--excel", str(excel)]
        )
        assert run.exit_code == 2, run.output
        assert why in one_line_error(run)


# --- leftovers of a crash ----------------------------------------------------------------
def test_leftovers_of_a_crash_are_harmless_and_cleaned_on_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, {"result.json": b'{"run": 1}'})
    before = snapshot(out)
    # A crash between the two renames: out is missing, the old folder aside, the new one
    # complete or not; and a run still writing (its flock held) beside them.
    out.rename(tmp_path / ".out.bestshore-old-dead01")
    (tmp_path / ".out.bestshore-new-dead02").mkdir()
    (tmp_path / ".out.bestshore-new-dead02" / "result.json").write_text('{"ru')
    live = tmp_path / ".out.bestshore-new-alive3"
    live.mkdir()
    fd = files._lock(live, wait=True)
    try:
        check_folder(out)  # the next run's check puts the old folder back
        assert snapshot(out) == before
        assert leftovers(out) == [live.name]
        write_folder(out, {"result.json": b'{"run": 2}'})
        assert json.loads((out / "result.json").read_text()) == {"run": 2}
        assert leftovers(out) == [live.name]  # a live run's folder is not touched
    finally:
        assert fd is not None
        os.close(fd)
    write_folder(out, {"result.json": b'{"run": 3}'})
    assert leftovers(out) == [] and set(complete(out)) == {"result.json"}


# --- killed while writing ----------------------------------------------------------------
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bestshore.result.files import MANIFEST, write_folder

    out, *sources = map(Path, sys.argv[1:])
    sets = [
        {p.relative_to(s).as_posix(): p.read_bytes() for p in s.rglob("*")
         if p.is_file() and p.name != MANIFEST}
        for s in sources
    ]
    print("ready", flush=True)
    while True:
        for files in sets:
            write_folder(out, files)
    """
)


def test_a_writer_killed_at_random_moments_leaves_a_complete_folder(
    solved: tuple[bestshore.Scenario, bestshore.Result],
    prices: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGKILL a process replacing the folder in a loop (two different sets, one with
    policy prices), 10 times at random moments: the folder is each time one of the two
    sets, complete."""
    scenario, result = solved
    no_charts(monkeypatch)
    outputs.write_outputs(result, scenario, tmp_path / "a", prices)
    outputs.write_outputs(result, scenario, tmp_path / "b")
    sets = [complete(tmp_path / "a"), complete(tmp_path / "b")]
    out = tmp_path / "work" / "out"
    write_folder(out, {k: v for k, v in snapshot(tmp_path / "a").items() if k != MANIFEST})
    rng = random.Random(15)
    mid_write = 0  # kills that left a temp folder: the process was writing
    for _ in range(10):
        with subprocess.Popen(
            [sys.executable, "-c", WRITER, str(out), str(tmp_path / "a"), str(tmp_path / "b")],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        ) as process:
            assert process.stdout is not None and process.stdout.readline() == b"ready\n"
            time.sleep(rng.uniform(0.0, 0.3))
            process.send_signal(signal.SIGKILL)
        mid_write += bool(leftovers(out))
        if not out.exists():  # killed between the two renames: the next run restores
            check_folder(out)
        assert complete(out) in sets
    check_folder(out)
    assert leftovers(out) == []
    assert mid_write >= 5  # most kills land while files are being written
    print(f"10 kills, {mid_write} while writing, each time a complete folder")


def _first_moment(parent: Path, stem: str, process: subprocess.Popen[bytes]) -> bool:
    """Wait until ``process`` creates its temp folder beside ``parent/stem`` (True) or ends."""
    while process.poll() is None:
        if any(name.startswith(f".{stem}.bestshore-new-") for name in os.listdir(parent)):
            return True
        time.sleep(0.001)
    return False


@pytest.mark.slow
def test_solve_out_killed_during_its_write_phase_leaves_the_folder_untouched_or_complete(
    scenario_file: Path, tmp_path: Path
) -> None:
    """``bestshore solve --out`` (real charts) SIGKILLed 12 times at random moments of its
    write phase, into a used folder and a fresh one by turns. About 28 s a run on two
    busy cores (6 min in all; measured: write phase 1.7 s, 5 kills left the folder
    untouched, 7 complete): make test-slow."""
    command = [sys.executable, "-m", "bestshore.cli", "solve", str(scenario_file), "-q"]
    used = tmp_path / "used" / "out"
    started = time.perf_counter()
    subprocess.run([*command, "--out", str(used)], check=True, capture_output=True)
    first = snapshot(used)
    complete(used)
    # How long the write phase lasts: from the temp folder's creation to the exit.
    probe = tmp_path / "probe" / "out"
    probe.parent.mkdir()
    with subprocess.Popen([*command, "--out", str(probe)], stdout=subprocess.DEVNULL) as process:
        assert _first_moment(probe.parent, probe.name, process)
        began = time.perf_counter()
        assert process.wait(timeout=600) == 0
        phase = time.perf_counter() - began
    complete(probe)
    rng = random.Random(6)
    outcomes = {"untouched": 0, "complete": 0}
    for kill in range(12):
        out = used if kill % 2 == 0 else tmp_path / f"fresh{kill}" / "out"
        out.parent.mkdir(exist_ok=True)
        before = snapshot(out) if out.exists() else None
        with subprocess.Popen(
            [*command, "--no-policy-prices", "--out", str(out)], stdout=subprocess.DEVNULL
        ) as process:
            if _first_moment(out.parent, out.name, process):
                time.sleep(rng.uniform(0, phase * 1.2))
            process.send_signal(signal.SIGKILL)
        if not out.exists() and before is not None:  # between the renames
            check_folder(out)
        if (before is None and not out.exists()) or (out.exists() and snapshot(out) == before):
            outcomes["untouched"] += 1
        else:
            complete(out)
            outcomes["complete"] += 1
    assert sum(outcomes.values()) == 12, outcomes
    print(f"write phase {phase:.3f} s, {outcomes}, {time.perf_counter() - started:.0f} s in all")
    assert first  # the used folder began complete
