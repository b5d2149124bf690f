"""Assemble the LP: a flat list of the constraint families, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model import compliance, contracts, transition
from bestshore.model import constraints as c
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram, Solution
from bestshore.model.sets import Eligibility, eligible_assignments

__all__ = ["Family", "SourcingModel", "build_model"]

# A constraint family: writes its columns, rows and costs, returns the row of each key.
Family = Callable[[LinearProgram, ModelInputs, c.Variables], Any]


@dataclass
class SourcingModel:
    """A built sourcing LP, what it was built from, and (once solved) its solution.

    ``program`` holds the LP as arrays (:class:`~bestshore.model.program.LinearProgram`;
    ``program.to_pulp()`` gives it as a PuLP problem). ``constraints`` maps a family name
    (``demand``, ``capacity``, ``seats``, ``vendor_share``, ...) to the program row of
    each of its keys. ``solution`` is set by :func:`bestshore.model.solve_model`.
    """

    inputs: ModelInputs
    program: LinearProgram
    variables: c.Variables
    constraints: dict[str, dict[Any, int]]
    solution: Solution | None = None
    highs: Any = None  # the HiGHS instance of the last fast solve (its basis warm-starts the next)
    # The family function that wrote each section of the program (bestshore.model.reprice
    # writes the sections that read a changed term or staffing factor again).
    writers: dict[str, Family] = field(default_factory=dict)

    def values(self) -> np.ndarray:
        """Solved value of every program column (column order)."""
        if self.solution is None or self.solution.values is None:
            raise RuntimeError("the model has no solution: solve it first")
        return self.solution.values

    def shares(self) -> np.ndarray:
        """Solved share of each eligible assignment, clipped to [0, 1] (row order)."""
        return np.clip(self.values()[self.variables.share], 0.0, 1.0)

    def value(self, column: int) -> float:
        """Solved value of one program column."""
        return float(self.values()[column])

    def slack_values(self, family: str) -> pd.Series:
        """Solved slack of each key of a family (elastic builds)."""
        slack = self.variables.slacks[family]
        return pd.Series(self.values()[slack.to_numpy()], index=slack.index, dtype=float)

    def duals(self, family: str) -> dict[Any, float]:
        """Dual value of each constraint of a family [objective units per unit of bound].

        Empty for a MILP (binaries have no duals).
        """
        if self.solution is None or self.solution.duals is None:
            return {}
        duals = self.solution.duals
        return {key: float(duals[row]) for key, row in self.constraints.get(family, {}).items()}

    @property
    def eligibility(self) -> Eligibility:
        return self.variables.eligibility

    @property
    def elastic(self) -> bool:
        return self.variables.elastic


def build_model(
    inputs: ModelInputs,
    *,
    elastic: bool = False,
    eligibility: Eligibility | None = None,
    agents_per_erlang: np.ndarray | None = None,
    margins: c.Margins | None = None,
) -> SourcingModel:
    """Build the sourcing LP for prepared inputs.

    Parameters
    ----------
    inputs : ModelInputs
        From :func:`bestshore.model.inputs.prepare_inputs`.
    elastic : bool
        Add slack to every family and minimize total relaxation instead of cost
        (used to diagnose infeasible scenarios).
    eligibility : Eligibility, optional
        Reuse an eligible set already computed for these inputs.
    agents_per_erlang : array, optional
        Staffing factor per assignment row (the staffing loop's update); default the
        pooled factors of the eligible set.
    margins : Margins, optional
        Hours held back from limits (the staffing loop's rounding room).

    Notes
    -----
    Each family runs in its own section of the program, so
    :func:`bestshore.model.reprice.reprice` can write again only those that read what a
    what-if or a staffing round changed. A family reading agent hours, prices,
    capacities, seats or vendor caps must say so in ``reprice.READS``; one listed
    nowhere is written again on every change (correct, only slower).
    """
    eligibility = eligibility or eligible_assignments(inputs)
    program = LinearProgram("bestshore")
    with program.section("share"):
        variables = c.add_share_variables(program, eligibility, elastic, agents_per_erlang, margins)
    writers: dict[str, Family] = {}

    def family(name: str, add: Family) -> Any:
        """Run one family in its own section (re-pricing writes sections again)."""
        writers[name] = add
        with program.section(name):
            return add(program, inputs, variables)

    families: dict[str, dict[Any, int]] = {
        "demand": family("demand", c.add_demand_coverage),
        "capacity": family("capacity", c.add_site_capacity),
        "seats": family("seats", c.add_seat_limit),
        "vendor_share": family("vendor_share", c.add_vendor_share),
        **family("concentration", c.add_concentration_limits),
        "spread": family("spread", c.add_call_type_spread),
        "quality_floor": family("quality_floor", c.add_quality_floor),
        "nps_floor": family("nps_floor", c.add_nps_floor),
        "panel": family("panel", c.add_panel),
        "tier": family("tier", contracts.add_volume_discounts),
        "commitment": family("commitment", contracts.add_commitments),
        "scc": family("scc", compliance.add_scc_compliance),
        "recording": family("recording", compliance.add_recording_storage),
        "new_fte": family("new_fte", transition.add_new_fte_setup),
        "transition": family("transition", transition.add_transition),
    }
    family("objective", c.set_relaxation_objective if elastic else c.set_cost_objective)
    return SourcingModel(
        inputs=inputs,
        program=program,
        variables=variables,
        constraints=families,
        writers=writers,
    )
