"""The command line as its users meet it: one JSON layout for ``solve`` and ``compare``,
``--version``, progress on stderr (silent when piped or with ``--quiet``), help text
that keeps its units, boolean flags without a value placeholder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import tiny
from typer.testing import CliRunner

from bestshore.cli import app


def scenario_data(name: str = "tiny", cap: float = 0.8) -> dict[str, Any]:
    """The tiny scenario with one priced policy (a site share cap)."""
    data = tiny(name=name, policies={"max_site_share": cap})
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, (done.stdout, done.stderr)
    return done


# --- one JSON layout -------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    return (
        write(folder / "a.yaml", scenario_data()),
        write(folder / "b.yaml", scenario_data("tiny-capped", 0.6)),
    )


def test_solve_json_carries_policy_prices_when_computed(two_files: tuple[Path, Path]) -> None:
    plain = json.loads(run("solve", str(two_files[0]), "--json").stdout)
    assert plain["policy_prices"] is None  # not asked for, not computed
    priced = json.loads(run("solve", str(two_files[0]), "--json", "--policy-prices").stdout)
    assert set(priced) == set(plain)
    (row,) = priced["policy_prices"]
    assert row["rule"] == "max_site_share"
    assert row["price"] == pytest.approx(row["cost_with"] - row["cost_without"])
    assert row["cost_with"] == pytest.approx(priced["total_cost"])


def test_compare_json_gives_each_result_in_the_solve_layout(
    two_files: tuple[Path, Path],
) -> None:
    first, second = two_files
    doc = json.loads(run("compare", str(first), str(second), "--json", "--policy-prices").stdout)
    assert list(doc) == ["results", "kpis", "fte_by_site", "fte_by_shore"]
    assert list(doc["results"]) == ["tiny", "tiny-capped"]
    for path, name in ((first, "tiny"), (second, "tiny-capped")):
        alone = json.loads(run("solve", str(path), "--json", "--policy-prices").stdout)
        got = doc["results"][name]
        assert list(got) == list(alone)  # the same keys in the same order
        for key in ("scenario", "status", "currency", "total_cost", "allocation", "sites"):
            assert got[key] == alone[key], (name, key)
        assert got["policy_prices"] == alone["policy_prices"]
        assert got["stamp"]["scenario_hash"] == alone["stamp"]["scenario_hash"]
    kpis = {row["kpi"]: row for row in doc["kpis"]}  # records, the index as first field
    assert kpis["total_cost"]["tiny"] == pytest.approx(doc["results"]["tiny"]["total_cost"])
    assert all(set(row) == {"shore", "tiny", "tiny-capped"} for row in doc["fte_by_shore"])
    plain = json.loads(run("compare", str(first), str(second), "--json").stdout)
    assert all(r["policy_prices"] is None for r in plain["results"].values())
