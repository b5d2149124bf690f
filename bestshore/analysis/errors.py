"""The error of a bad analysis request (a count, a metric, a scheduler address)."""

from __future__ import annotations

from bestshore.scenario import ScenarioError
from bestshore.scenario.errors import one_line

__all__ = ["AnalysisError"]


class AnalysisError(ScenarioError):
    """A bad request to an analysis, on one line without a file prefix: the CLI exits 2
    as for any bad input (it is a :class:`~bestshore.ScenarioError`)."""

    def __str__(self) -> str:
        return one_line(self.message)
