"""Shared test helpers; the tiny scenarios themselves are ``bestshore.examples``'s."""

from __future__ import annotations

from typing import Any

import pytest

import bestshore
from bestshore.examples import contracts_scenario, lisbon, tiny

__all__ = ["contracts_scenario", "fte_at", "lisbon", "solve_dict", "tiny"]


def solve_dict(data: dict[str, Any]) -> bestshore.Result:
    scenario = bestshore.scenario.parse_scenario(data)
    result = bestshore.solve(scenario)
    assert bestshore.verify(scenario, result) == []
    return result


def fte_at(result: bestshore.Result, site: str, call_type: str | None = None) -> float:
    rows = result.allocation[result.allocation["site"] == site]
    if call_type is not None:
        rows = rows[rows["call_type"] == call_type]
    return float(rows["fte"].sum())


@pytest.fixture
def demo_path() -> str:
    return "scenarios/demo.yaml"
