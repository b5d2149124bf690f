"""bestshore: where and by whom customer-contact work should be done.

Flow: scenario (validated data) -> model (LP) -> result (tables) -> views (charts,
report, CLI). The public API::

    import bestshore
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    result = bestshore.solve(scenario)
    result.allocation, result.kpis
"""

from bestshore.api import InfeasibleScenarioError, SolveError, VerificationError, compare, solve
from bestshore.result import Result
from bestshore.scenario import Scenario, ScenarioError, load_scenario
from bestshore.verify import verify
from bestshore.workbench import Workbench

__all__ = [
    "InfeasibleScenarioError",
    "Result",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "VerificationError",
    "Workbench",
    "compare",
    "load_scenario",
    "solve",
    "verify",
]
