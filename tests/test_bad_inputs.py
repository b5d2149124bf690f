"""Every malformed scenario in tests/bad_inputs gives its one-line message and exit code 2.

Each file starts with ``# expect: <text>``: the text the error line must contain.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bestshore.cli import app

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p for p in CORPUS.glob("*.yaml"))


def _expected(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ").strip()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_input_gives_one_line_and_exit_2(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS.parent)  # so messages name the file as a user would type it
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["solve", str(path.relative_to(CORPUS.parent)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message, message
    assert "Traceback" not in result.output
    assert message.startswith("error: "), message
    assert _expected(path) in message
    assert str(path.relative_to(CORPUS.parent)) in message  # names the file
    assert not out.exists(), "nothing may be written for bad input"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_very_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    # Built here rather than committed: 25 MB of YAML comments after a valid head.
    head = (CORPUS / "negative_volume.yaml").read_text()
    big = tmp_path / "big.yaml"
    big.write_text(head + ("# " + "x" * 98 + "\n") * 260_000)
    result = CliRunner().invoke(app, ["validate", str(big)])
    assert result.exit_code == 2
    assert "larger than the 20 MiB limit" in result.stderr


def test_missing_file() -> None:
    result = CliRunner().invoke(app, ["validate", "no/such/file.yaml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no/such/file.yaml: file not found"


def test_real_process_exit_code_and_no_traceback(tmp_path: Path) -> None:
    # The installed console entry, in a real process: exit status and stderr as a user sees them.
    bad = CORPUS / "negative_volume.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "call_types[0].volume: must be >= 0, got -5" in proc.stderr


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    result = CliRunner().invoke(app, ["validate", str(evil)])
    assert result.exit_code == 2
    assert not marker.exists()
