"""The tender (RFP) workflow over the scenario and the solver; no model code.

- :func:`template_workbook`: the bid workbook of a tender (``bestshore rfp template``);
- :func:`import_bids`: filled bids into a tender scenario, every error located
  (``bestshore rfp import``);
- :func:`award`: the tender solved under business rules, each rule priced
  (``bestshore rfp award``).

The workbook layout is a stable contract: :mod:`bestshore.rfp.layout`, ``docs/rfp.md``.
"""

from bestshore.rfp.award import Award, AwardRules, award, load_rules
from bestshore.rfp.bids import BidErrors, BidIssue, Tender, import_bids
from bestshore.rfp.template import template_workbook, workbook_bytes

__all__ = [
    "Award",
    "AwardRules",
    "BidErrors",
    "BidIssue",
    "Tender",
    "award",
    "import_bids",
    "load_rules",
    "template_workbook",
    "workbook_bytes",
]
