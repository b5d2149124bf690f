"""A plan held fixed under other terms: its allocation re-staffed and re-costed exactly.

A plan's *decisions* are the share ``x[d,s]`` of each demand unit ``d = (c, l, h)`` it
gives each site ``s``, and its on/off decisions (sites open, vendors on the panel).
Holding the plan fixed under other volumes, handle times, prices, FX or shrinkage
keeps those decisions and redoes everything that follows from them, as the staffing
loop costs its accepted plan (:mod:`bestshore.model.plan`):

1. the model of the new inputs is built on their eligible set, and each of its share
   columns takes the held share of the same ``(call_type, language, hour, site)`` (0
   where the plan gave none), each binary column the held value of the same key;
2. the plan is staffed exactly at the new loads (:func:`~bestshore.model.plan.price_exactly`:
   Erlang C in whole agents per queue and hour at the new AHT and volume, workload
   sizing elsewhere, whole shifts at rostered sites) and costed month by month
   (:func:`~bestshore.model.plan.price_year`) at the new rates, with the costs outside
   the staffing rows each family charges;
3. its staffing is measured against each site's capacity and seats (which shrinkage
   moves): a fixed plan has no room to move work, so a limit it exceeds is reported
   (``over``), not refused.

Nothing is solved: the cost is the plan's exact cost under the new terms, not an
estimate. Rules on shares of the work (vendor caps, quality floors, share limits) are
not measured again: they read shares of handle hours, which move only when volumes or
AHT move unevenly across call types.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.constraints import Margins
from bestshore.model.families import without
from bestshore.model.inputs import ModelInputs
from bestshore.model.months import Year
from bestshore.model.plan import Plan, price_exactly, price_year
from bestshore.model.program import Solution
from bestshore.model.sets import Eligibility

__all__ = ["KEY_COLUMNS", "HeldPlan", "HeldPricing", "hold", "price_held"]

KEY_COLUMNS = ["call_type", "language", "hour", "site"]
"""The columns that name an assignment (its share column's key)."""

_ZERO = 1e-12


@dataclass(frozen=True)
class HeldPlan:
    """A plan's decisions, to price under other terms (:func:`hold`).

    Attributes
    ----------
    shares : Series
        Index ``(call_type, language, hour, site)``: the share of each demand unit the
        plan gives each site [fraction], positive shares only.
    decisions : dict
        Column family (``open_site``, ``on_panel``, ...) to ``{key: value}``: the plan's
        on/off decisions (every integer column of its model) [0 or 1].
    """

    shares: pd.Series
    decisions: dict[str, dict[tuple[Hashable, ...], float]] = field(default_factory=dict)


@dataclass(frozen=True)
class HeldPricing:
    """A held plan priced under other terms (:func:`price_held`).

    Attributes
    ----------
    total_cost : float
        Its exact annual cost [currency/yr]: the months' staffing costs and the costs
        outside the staffing rows.
    staffing : DataFrame
        One row per assignment carrying work, as :attr:`bestshore.model.plan.Plan.staffing`
        (``agents``, ``annual_cost`` [currency/yr] summed over the months, ...).
    year : Year
        The plan costed month by month.
    over : Margins
        How far its sizing week's staffing exceeds each site's capacity [productive
        h/week] and seats [agents, by site and hour]; empty when it fits.
    over_months : list of int
        Months (1-12) whose staffing exceeds a limit.
    """

    total_cost: float
    staffing: pd.DataFrame
    year: Year
    over: Margins
    over_months: list[int]

    @property
    def over_capacity(self) -> bool:
        """Whether the plan exceeds a capacity or seat limit in the sizing week or a month."""
        return bool(self.over.capacity or self.over.seats or self.over_months)

    @property
    def over_sites(self) -> list[str]:
        """Ids of the sites whose capacity or seats the plan exceeds (sizing week), sorted."""
        return sorted(set(self.over.capacity) | {site for site, _ in self.over.seats})


def hold(plan: Plan) -> HeldPlan:
    """The decisions of ``plan`` (its shares and on/off columns), to hold fixed."""
    model = plan.model
    shares = model.shares()
    keys = model.eligibility.assignments[KEY_COLUMNS]
    index = pd.MultiIndex.from_frame(keys)
    series = pd.Series(shares, index=index, name="share", dtype=float)
    values = model.values()
    arrays = model.program.arrays()
    decisions: dict[str, dict[tuple[Hashable, ...], float]] = {}
    for family in model.program.column_families():
        columns = model.program.column_keys(family)
        positions = np.fromiter(columns.values(), dtype=np.int64, count=len(columns))
        if len(positions) and arrays.integer[positions].any():
            decisions[family] = {
                key: float(round(values[column])) for key, column in columns.items()
            }
    return HeldPlan(series[series > _ZERO], decisions)


def price_held(
    held: HeldPlan,
    inputs: ModelInputs,
    eligibility: Eligibility,
    *,
    relaxation: SourcingModel | None = None,
) -> HeldPricing:
    """Price ``held`` exactly under ``inputs`` (module docstring).

    ``relaxation``, the first round's model of a plan solved on the same ``inputs`` and
    ``eligibility`` (:attr:`Plan.relaxation`, a quick what-if's), is the model step 1
    builds when its families are the same (no queue openings): it is then priced on a
    copy instead of built again.

    Raises
    ------
    ValueError
        A held assignment is not eligible under ``inputs`` (its work would be lost):
        the plan cannot be held under these inputs.
    """
    # the queue openings only bound a relaxation: a held plan is priced exactly
    families = without("queue_opening")
    if relaxation is not None and _same_build(relaxation, inputs, eligibility, families):
        model = replace(relaxation, solution=None)  # its program read, never written
    else:
        model = build_model(inputs, eligibility=eligibility, families=families)
    index = pd.MultiIndex.from_frame(eligibility.assignments[KEY_COLUMNS])
    lost = held.shares.index.difference(index)
    if len(lost):
        raise ValueError(
            f"the held plan gives work to {len(lost)} assignment(s) not eligible under these "
            f"inputs, e.g. {', '.join(map(str, lost[0]))}"
        )
    arrays = model.program.arrays()
    values = np.zeros(arrays.num_col)
    values[model.variables.share] = held.shares.reindex(index, fill_value=0.0).to_numpy()
    for family, decided in held.decisions.items():
        for key, column in model.program.column_keys(family).items():
            values[column] = decided.get(key, 0.0)
    model.solution = Solution(
        status="held",
        has_solution=True,
        objective=float(arrays.cost @ values + arrays.offset),
        gap=None,
        values=values,
        duals=None,
        handover_seconds=0.0,
        solve_seconds=0.0,
        solver="held fixed",
        num_col=arrays.num_col,
        num_row=arrays.num_row,
    )
    priced = price_exactly(model)
    year = price_year(model, priced.exact, priced.outside)
    staffing = priced.exact.staffing.copy()
    staffing["annual_cost"] = year.row_costs
    staffing["annual_hours"] = year.row_hours
    total = float(year.row_costs.sum() + year.outside["cost"].sum())
    months = year.months
    over_months = [int(m) for m in months.loc[months["over_capacity"].astype(bool), "month"]]
    return HeldPricing(total, staffing, year, priced.over, over_months)


def _same_build(
    model: SourcingModel, inputs: ModelInputs, eligibility: Eligibility, families: tuple
) -> bool:
    """Whether ``model``, a first round's (built with no room held back), is what
    ``build_model(inputs, eligibility=eligibility, families=families)`` gives: built
    from these very inputs and eligible set, with the same families, not elastic."""
    return (
        model.inputs is inputs
        and model.eligibility is eligibility
        and not model.elastic
        and [f.name for f in model.families] == [f.name for f in families]
    )
