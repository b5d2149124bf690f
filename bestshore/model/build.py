"""Assemble the LP: the share columns, then every family of the registry, in order."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestshore.model import constraints as c
from bestshore.model import families as registry
from bestshore.model.curve import StaffingEnvelopes, staffing_envelopes
from bestshore.model.families import Family
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram, Solution
from bestshore.model.sets import Eligibility, eligible_assignments

__all__ = ["SHARE_NOISE", "SourcingModel", "build_model", "without_crumbs"]

#: Shares under this are the solver's tolerance, not work. HiGHS meets rows and
#: integrality within 1e-7 and 1e-6, so a share an on/off decision holds at 0 (a call
#: type on one site, ``single_team``) may come back at a few billionths: a second site
#: "serving" a thousandth of a call a year, which the checker counts as a second team.
SHARE_NOISE = 1e-7


@dataclass
class SourcingModel:
    """A built sourcing LP, what it was built from, and (once solved) its solution.

    ``program`` holds the LP as arrays (:class:`~bestshore.model.program.LinearProgram`;
    ``program.to_pulp()`` gives it as a PuLP problem); every row and column keeps its
    family and key, which is how rows, duals, slacks and binaries are read back.
    ``families`` are the records the program was built from, in build order (its
    sections). ``solution`` is set by :func:`bestshore.model.solve_model`.
    """

    inputs: ModelInputs
    program: LinearProgram
    variables: c.Variables
    families: tuple[Family, ...] = ()
    solution: Solution | None = None

    def values(self) -> np.ndarray:
        """Solved value of every program column (column order)."""
        if self.solution is None or self.solution.values is None:
            raise RuntimeError("the model has no solution: solve it first")
        return self.solution.values

    def shares(self) -> np.ndarray:
        """Solved share of each eligible assignment, clipped to [0, 1], a share under
        :data:`SHARE_NOISE` at 0 (:func:`without_crumbs`; row order)."""
        return without_crumbs(np.clip(self.values()[self.variables.share], 0.0, 1.0))

    def value(self, column: int) -> float:
        """Solved value of one program column."""
        return float(self.values()[column])

    def rows(self, row_family: str) -> dict[tuple[Hashable, ...], int]:
        """The program row of each key of a row family (``capacity``, ``seats``, ...)."""
        return self.program.row_keys(row_family)

    def slack_values(self, row_family: str) -> pd.Series:
        """Solved slack of each key of a row family (elastic builds), indexed by key."""
        columns = self.program.column_keys(f"slack_{row_family}")
        values = self.values()[np.fromiter(columns.values(), dtype=np.int64, count=len(columns))]
        return pd.Series(values, index=pd.Index(list(columns), tupleize_cols=False), dtype=float)

    def duals(self, row_family: str) -> dict[tuple[Hashable, ...], float]:
        """Dual value of each row of a row family [objective units per unit of bound].

        Keys are tuples (``("lisbon",)`` for ``capacity[lisbon]``); the unit is the
        family's ``dual_unit`` (:mod:`bestshore.model.families`). Empty for a MILP
        (binaries have no duals).
        """
        if self.solution is None or self.solution.duals is None:
            return {}
        duals = self.solution.duals
        return {key: float(duals[row]) for key, row in self.rows(row_family).items()}

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
    families: tuple[Family, ...] | None = None,
    envelopes: StaffingEnvelopes | None = None,
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
        Staffing factor per assignment row without an envelope; default the pooled
        factors of the eligible set.
    margins : Margins, optional
        Hours held back from limits (room for the exact staffing of split queues).
    families : tuple of Family, optional
        The constraint families to write, in order; default the registry,
        :data:`bestshore.model.families.FAMILIES` (read at each call).
    envelopes : StaffingEnvelopes, optional
        The agents each Erlang-staffed row needs, bounded below
        (:func:`bestshore.model.curve.staffing_envelopes`, the default).

    Notes
    -----
    Each family runs in its own section of the program, so
    :func:`bestshore.model.reprice.reprice` can write again only those whose ``reads``
    meet what a what-if or a staffing round changed.
    """
    eligibility = eligibility or eligible_assignments(inputs)
    families = registry.FAMILIES if families is None else families
    program = LinearProgram("bestshore")
    envelopes = envelopes or staffing_envelopes(inputs, eligibility)
    with program.section("share"):
        variables = c.add_share_variables(
            program, eligibility, elastic, agents_per_erlang, margins, envelopes
        )
    for record in families:
        with program.section(record.name):
            record.add(program, inputs, variables)
    return SourcingModel(inputs=inputs, program=program, variables=variables, families=families)


def without_crumbs(shares: np.ndarray) -> np.ndarray:
    """``shares`` with each share in ``(0, SHARE_NOISE)`` set to 0. No load rises, so
    no queue needs more agents than the solve's plan: a crumb added to another share
    could lift a load the relaxation put exactly at a whole agent's limit over it. A
    unit then meets its demand within ``SHARE_NOISE``, as the solver met it."""
    return np.where((shares > 0) & (shares < SHARE_NOISE), 0.0, shares)
