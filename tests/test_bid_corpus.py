"""The corpus of broken bids (tests/bid_corpus.py): each gives its one located error line,
exit 2, and no tender written; at least 30 cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bid_corpus import CASES, Case, base, broken_bids, template
from typer.testing import CliRunner

from bestshore.cli import app

BLANK = template()


def test_the_corpus_has_at_least_30_distinct_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.expected for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_bid_one_located_line(tmp_path: Path, case: Case) -> None:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base(), sort_keys=False))
    bids = broken_bids(case, tmp_path, BLANK)
    out = tmp_path / "tender.yaml"
    done = CliRunner().invoke(
        app,
        [
            "rfp",
            "import",
            *map(str, bids),
            "--scenario",
            str(tmp_path / "base.yaml"),
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert "Traceback" not in done.output
    assert lines[0].startswith(f"error: {case.expected}"), lines
    assert lines[-1] == "error: 1 error(s) in 1 file(s); nothing written", lines
    file, sheet, cell = lines[0].removeprefix("error: ").split(": ", 1)[0].split(", ")
    assert file == case.file and sheet and cell  # file, sheet, cell named
    assert not out.exists()


def test_the_corpus_script_writes_every_case(tmp_path: Path) -> None:
    from bid_corpus import main

    main(str(tmp_path))
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == len(CASES)
    assert all(name.endswith(".xlsx") for name in written)
