"""Results: tidy tables read back from a solved model, and their files."""

from bestshore.result.extract import extract_result
from bestshore.result.result import Result

__all__ = ["Result", "extract_result"]
