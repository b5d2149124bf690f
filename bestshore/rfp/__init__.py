"""The tender (RFP) workflow over the scenario and the solver; no model code.

- :func:`template_workbook`: the bid workbook of a tender (``bestshore rfp template``);
- :func:`import_bids`: filled bids into a tender scenario, every error located
  (``bestshore rfp import``);
- :func:`award`: the tender solved under business rules, each rule priced, with its
  savings against today's cost per lot (``bestshore rfp award``);
- :func:`compare_bids`: every bid normalised to a cost per contact across price models;
- :func:`compare_variants`: named award variants side by side (``bestshore rfp compare``);
- :mod:`bestshore.rfp.example`: a worked tender (``bestshore rfp example``), and
  :func:`fill_bid`, how a script fills a bid workbook.

The workbook layout is a stable contract: :mod:`bestshore.rfp.layout`, ``docs/rfp.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bestshore.rfp.award import Award, award, lot_volumes, today_costs
from bestshore.rfp.bidcost import BidComparison, compare_bids
from bestshore.rfp.bids import BidErrors, BidIssue, Tender, import_bids
from bestshore.rfp.example import example_files, example_scenario, fill_bid
from bestshore.rfp.rules import AwardRules, describe_rule, load_rules, parse_rules
from bestshore.rfp.template import template_workbook, workbook_bytes
from bestshore.rfp.variants import (
    VariantComparison,
    compare_variants,
    comparison_files,
    load_variants,
)

if TYPE_CHECKING:
    from bestshore.rfp.outputs import award_charts, award_files


def __getattr__(name: str) -> Any:
    # The award's charts and files are imported when first asked for (PEP 562): with
    # them, Altair and its jsonschema, seconds of start-up that the command line's
    # ``bestshore.rfp.cli`` (``bestshore --help``, a bad input) does not need.
    if name in ("award_charts", "award_files"):
        from bestshore.rfp import outputs

        return getattr(outputs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Award",
    "AwardRules",
    "BidComparison",
    "BidErrors",
    "BidIssue",
    "Tender",
    "VariantComparison",
    "award",
    "award_charts",
    "award_files",
    "compare_bids",
    "compare_variants",
    "comparison_files",
    "describe_rule",
    "example_files",
    "example_scenario",
    "fill_bid",
    "import_bids",
    "load_rules",
    "load_variants",
    "lot_volumes",
    "parse_rules",
    "template_workbook",
    "today_costs",
    "workbook_bytes",
]
