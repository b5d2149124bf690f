"""Scenario layer: schema, loading, validation and reference data. Imports no solver."""

from bestshore.scenario.errors import ScenarioError
from bestshore.scenario.loader import load_scenario, parse_scenario
from bestshore.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
