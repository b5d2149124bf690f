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

import importlib
from typing import TYPE_CHECKING, Any

# Eager: the function ``award`` must stand for the name before the module of that name
# is imported (which would bind the module to it); the module is light.
from bestshore.rfp.award import Award, award, lot_volumes, today_costs

if TYPE_CHECKING:
    from bestshore.rfp.bidcost import BidComparison, compare_bids
    from bestshore.rfp.bids import BidErrors, BidIssue, Tender, import_bids
    from bestshore.rfp.example import example_files, example_scenario, fill_bid
    from bestshore.rfp.outputs import award_charts, award_files
    from bestshore.rfp.rules import AwardRules, describe_rule, load_rules, parse_rules
    from bestshore.rfp.template import template_workbook, workbook_bytes
    from bestshore.rfp.variants import (
        VariantComparison,
        compare_variants,
        comparison_files,
        load_variants,
    )

#: Where each public name lives: imported when first asked for (PEP 562). The command
#: line's ``bestshore.rfp.cli`` loads this package for every command (``bestshore
#: --help``, a bad input): eager, it loaded openpyxl (0.16 s) and, through the award's
#: charts, Altair and its jsonschema (seconds) that those do not need.
_HOMES = {
    "bidcost": ("BidComparison", "compare_bids"),
    "bids": ("BidErrors", "BidIssue", "Tender", "import_bids"),
    "example": ("example_files", "example_scenario", "fill_bid"),
    "outputs": ("award_charts", "award_files"),
    "rules": ("AwardRules", "describe_rule", "load_rules", "parse_rules"),
    "template": ("template_workbook", "workbook_bytes"),
    "variants": ("VariantComparison", "compare_variants", "comparison_files", "load_variants"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"bestshore.rfp.{_HOME[name]}"), name)
        globals()[name] = value  # asked once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


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
