"""The optimization model: inputs -> eligible set -> LP (one function per family) -> solve.

Imports no YAML, no charts. See ``docs/formulation.md`` for the math table.
"""

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.diagnose import Diagnosis, diagnose_infeasibility
from bestshore.model.inputs import ModelInputs, prepare_inputs
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.model.solve import SolveOutcome, solve_model

__all__ = [
    "Diagnosis",
    "Eligibility",
    "ModelInputs",
    "SolveOutcome",
    "SourcingModel",
    "build_model",
    "diagnose_infeasibility",
    "eligible_assignments",
    "prepare_inputs",
    "solve_model",
]
