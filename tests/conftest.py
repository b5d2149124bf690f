"""Shared test helpers; the tiny scenarios themselves are ``bestshore.examples``'s."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import settings

import bestshore
from bestshore.examples import contracts_scenario, lisbon, tiny

__all__ = ["contracts_scenario", "fte_at", "lisbon", "solve_dict", "tiny"]

# The default run (CI) draws the same examples every time, so a red run is a defect of
# the change, not the luck of a draw; ``BESTSHORE_LONG_FUZZ=1`` (``make test-slow``)
# explores fresh examples. A test's own @settings still override these.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("BESTSHORE_LONG_FUZZ") == "1" else "repeatable")


def solve_dict(data: dict[str, Any]) -> bestshore.Result:
    """The plan of a scenario given as data, checked: ``solve(check=True)`` runs the
    independent checker on it and raises :class:`bestshore.VerificationError` on any
    finding (running it again here doubled its cost, a percent of the test run)."""
    scenario = bestshore.scenario.parse_scenario(data)
    return bestshore.solve(scenario, check=True)


def study_draw(scenario: bestshore.Scenario, index: int, seed: int = 2026) -> bestshore.Scenario:
    """Draw ``index`` of ``seed`` of a scenario's uncertainty, as a Monte Carlo run makes
    it (its ``index``-th child seed, :func:`bestshore.analysis.risk.run_batch`)."""
    import numpy as np

    from bestshore.analysis.uncertainty import (
        apply_factors,
        draw_factors,
        parse_uncertainty,
        variates,
    )

    found = variates(scenario, parse_uncertainty(scenario))
    child = np.random.SeedSequence(seed).spawn(index + 1)[index]
    return apply_factors(scenario, found, draw_factors(found, child))


def fte_at(result: bestshore.Result, site: str, call_type: str | None = None) -> float:
    rows = result.allocation[result.allocation["site"] == site]
    if call_type is not None:
        rows = rows[rows["call_type"] == call_type]
    return float(rows["fte"].sum())


@pytest.fixture
def demo_path() -> str:
    return "scenarios/demo.yaml"
