"""The optimization model: inputs -> eligible set -> LP (one function per family) -> solve.

Imports no YAML, no charts. See ``docs/formulation.md`` for the math table.
"""

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.diagnose import Diagnosis, diagnose_infeasibility
from bestshore.model.families import FAMILIES, Family
from bestshore.model.inputs import ModelInputs, prepare_inputs
from bestshore.model.program import Solution
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import solve_model

__all__ = [
    "FAMILIES",
    "Diagnosis",
    "Eligibility",
    "Family",
    "ModelInputs",
    "Solution",
    "SourcingModel",
    "build_model",
    "diagnose_infeasibility",
    "eligible_assignments",
    "prepare_inputs",
    "solve_model",
]
