"""The plan against today: today's allocation priced by the plan's own model.

A scenario's ``incumbent`` gives today's FTE per site and call type, not today's cost.
A saving can only be claimed against a cost computed the same way as the plan's, so
today is priced by solving the same scenario with each site's share of each call type's
work fixed to today's split (``policies.keep_todays_split``,
:mod:`bestshore.model.todays_split`), with three changes that make it *today* rather
than a plan:

- **the FTE are read as a split of the work**: a site with 60 of a call type's 150 FTE
  today takes 40 % of its contacts (handle hours); the model then staffs those shares
  (Erlang C, shrinkage, rosters), and prices them at the scenario's rates, premiums,
  fixed costs and contract terms, exactly as it does the plan. The FTE it staffs may
  differ from the FTE the scenario gives (both are reported): the model sizes today's
  work for the scenario's volumes and service levels;
- **no switching cost**: staying where one is costs no set-up, training or transition
  (the plan pays its own, spread over ``objective.amortization_years``, so the saving
  is net of them);
- **none of the plan's rules** (:func:`bestshore.analysis.active_rules`: shore rules,
  data jurisdictions, vendor caps and exclusions, floors, panel): they are what the new
  plan must respect, and today's allocation is what it is.

Within each site's share the model still picks the cheapest hours and languages, so
today is priced at its cheapest run of today's split: the saving is, if anything,
understated. Call types with no incumbent FTE are placed freely in both solves.

The saving ``S = OPT_today - OPT_plan`` [currency/yr] lies in ``[L_today - U_plan,
U_today - L_plan]`` from both solves' proven bounds (``L``) and plans (``U``)
(:func:`saving_interval`), as :func:`bestshore.analysis.price_interval` does for the
price of a rule; the point is ``U_today - U_plan``. The low end is also a proven floor under the saving of the plan
shown (which costs ``U_plan``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from bestshore import progress
from bestshore.analysis.policy_prices import active_rules
from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.scenario.schema import Scenario

__all__ = [
    "SAVINGS_KPIS",
    "Savings",
    "saving_interval",
    "savings_against_today",
    "todays_scenario",
]

#: The KPI rows a saving adds to the workbook's and CSV's ``kpis`` table.
SAVINGS_KPIS = ("today_cost", "saving", "saving_low", "saving_high")


@dataclass(frozen=True)
class Savings:
    """The plan's cost against today's, with what is proven of the difference.

    Attributes
    ----------
    status : str
        ``priced``; ``no incumbent`` (the scenario gives no allocation of today); or
        ``not priced: ...`` (today's split could not be staffed, and why).
    currency : str
    plan_cost, plan_bound : float, float or None
        ``U_plan`` and ``L_plan`` [currency/yr]: the plan's cost and proven lower bound.
    today_cost, today_bound : float or None
        ``U_today`` and ``L_today`` [currency/yr] (None when not priced, or no bound).
    today_status : str or None
        The status of today's solve (``optimal`` or ``feasible``).
    saving, saving_low, saving_high : float or None
        ``U_today - U_plan`` and the proven interval ``[L_today - U_plan, U_today -
        L_plan]`` [currency/yr], a missing bound counting as 0 (no cost is negative).
    fte_given : float
        Today's FTE as the scenario gives them (``incumbent``) [FTE].
    fte_staffed : float or None
        Today's split as the model staffs it [FTE]: it may differ from ``fte_given``.
    lifted_rules : list of str
        The plan's rules not applied to today, in words.
    free_call_types : list of str
        Call types with no incumbent FTE: placed freely in both solves.
    today : Result or None
        Today's plan (its tables, charts, ``verify``), when priced.
    """

    status: str
    currency: str
    plan_cost: float
    plan_bound: float | None
    today_cost: float | None = None
    today_bound: float | None = None
    today_status: str | None = None
    saving: float | None = None
    saving_low: float | None = None
    saving_high: float | None = None
    fte_given: float = 0.0
    fte_staffed: float | None = None
    lifted_rules: list[str] = field(default_factory=list)
    free_call_types: list[str] = field(default_factory=list)
    today: Result | None = field(default=None, repr=False, compare=False)

    @property
    def priced(self) -> bool:
        return self.status == "priced"

    @property
    def proven(self) -> str:
        """``saving`` (the interval is above 0), ``extra cost`` (below 0) or ``neither``."""
        if not self.priced or self.saving_low is None or self.saving_high is None:
            return "neither"
        scale = 1e-9 * max(1.0, abs(self.plan_cost))
        if self.saving_low > scale:
            return "saving"
        if self.saving_high < -scale:
            return "extra cost"
        return "neither"

    def kpis(self) -> dict[str, float | None]:
        """The rows of :data:`SAVINGS_KPIS`, by name [currency/yr]."""
        values = (self.today_cost, self.saving, self.saving_low, self.saving_high)
        return dict(zip(SAVINGS_KPIS, values, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (``savings`` of ``solve --json``): every figure, no Result."""

        def clean(value: Any) -> Any:
            return None if isinstance(value, float) and not math.isfinite(value) else value

        return {
            "status": self.status,
            "currency": self.currency,
            "proven": self.proven,
            "plan_cost": clean(self.plan_cost),
            "plan_bound": clean(self.plan_bound),
            "today_cost": clean(self.today_cost),
            "today_bound": clean(self.today_bound),
            "today_status": self.today_status,
            "saving": clean(self.saving),
            "saving_low": clean(self.saving_low),
            "saving_high": clean(self.saving_high),
            "fte_given": self.fte_given,
            "fte_staffed": clean(self.fte_staffed),
            "lifted_rules": list(self.lifted_rules),
            "free_call_types": list(self.free_call_types),
        }

    def table(self) -> pd.DataFrame:
        """The figures as rows ``figure``, ``value``, ``unit`` (the workbook's sheet)."""
        cur = self.currency
        rows = [
            ("status", self.status, ""),
            ("proven", self.proven, ""),
            ("today_cost", self.today_cost, f"{cur}/yr"),
            ("today_bound", self.today_bound, f"{cur}/yr"),
            ("plan_cost", self.plan_cost, f"{cur}/yr"),
            ("plan_bound", self.plan_bound, f"{cur}/yr"),
            ("saving", self.saving, f"{cur}/yr"),
            ("saving_low", self.saving_low, f"{cur}/yr"),
            ("saving_high", self.saving_high, f"{cur}/yr"),
            ("fte_given", self.fte_given, "FTE"),
            ("fte_staffed", self.fte_staffed, "FTE"),
            ("lifted_rules", "; ".join(self.lifted_rules), ""),
            ("free_call_types", ", ".join(self.free_call_types), ""),
        ]
        return pd.DataFrame(rows, columns=["figure", "value", "unit"])


def _bound(result: Result) -> float | None:
    bound = result.stamp.get("lower_bound")
    return None if bound is None else float(bound)


def saving_interval(
    today_cost: float,
    today_bound: float | None,
    plan_cost: float,
    plan_bound: float | None,
) -> tuple[float, float, float]:
    """The saving against today and the interval it is proven to lie in [currency/yr].

    The saving is ``S = OPT_today - OPT_plan``, the best costs of today's split and of
    the plan. Each solve proves ``L ≤ OPT ≤ U`` (its lower bound and the plan it found;
    no cost is negative, so a missing bound counts as 0). Hence

    ``L_today - U_plan ≤ S ≤ U_today - L_plan``

    and the point ``U_today - U_plan``, between them. Unlike a rule's price the saving
    may be negative: today keeps none of the plan's rules.

    Returns
    -------
    (point, low, high)

    >>> saving_interval(75_000.0, 75_000.0, 45_000.0, 45_000.0)
    (30000.0, 30000.0, 30000.0)
    >>> saving_interval(100.0, 90.0, 60.0, 50.0)
    (40.0, 30.0, 50.0)
    """
    point = today_cost - plan_cost
    low = (today_bound if today_bound is not None else 0.0) - plan_cost
    high = today_cost - (plan_bound if plan_bound is not None else 0.0)
    return point, min(low, point), max(high, point)


def todays_scenario(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` whose plan is today's allocation (see the module's notes).

    The plan's rules lifted, no set-up or transition cost, ``keep_todays_split`` set.
    The scenario itself is not changed.
    """
    today = scenario.model_copy(deep=True)
    for rule in active_rules(scenario):
        rule.lift(today)
    for site in today.sites:
        site.setup_cost_per_fte = 0.0
        site.transition_cost_per_fte = 0.0
    today.policies.keep_todays_split = True
    return today


def savings_against_today(scenario: Scenario, plan: Result) -> Savings:
    """Today's allocation priced like ``plan``, and the saving with its proven interval.

    Parameters
    ----------
    scenario : Scenario
        The scenario ``plan`` was solved from; its ``incumbent`` is today.
    plan : Result
        The recommended plan.

    Returns
    -------
    Savings
        ``status`` ``no incumbent`` without today's FTE (nothing solved); ``not priced:
        ...`` when today's split cannot be staffed (the diagnosis in words: a site not
        open in hours its share needs, a full site) or the solve found no plan.
    """
    plan_cost, plan_bound = plan.total_cost, _bound(plan)
    given = sum(fte for by_type in scenario.incumbent.values() for fte in by_type.values())
    base = Savings(
        status="no incumbent", currency=plan.currency, plan_cost=plan_cost, plan_bound=plan_bound
    )
    if given <= 0:
        return base
    today_types = {
        c for by_type in scenario.incumbent.values() for c, fte in by_type.items() if fte > 0
    }
    facts = replace(
        base,
        fte_given=given,
        lifted_rules=[rule.description for rule in active_rules(scenario)],
        free_call_types=sorted(c.id for c in scenario.call_types if c.id not in today_types),
    )
    try:
        with progress.step("pricing today's allocation (its split kept, the same model)"):
            today = solve(todays_scenario(scenario))
    except InfeasibleScenarioError as exc:
        why = f"not priced: today's split cannot be staffed: {exc.diagnosis}"
        return replace(facts, status=why)
    except SolveError as exc:
        return replace(facts, status=f"not priced: {exc}")
    cost, bound = today.total_cost, _bound(today)
    point, low, high = saving_interval(cost, bound, plan_cost, plan_bound)
    return replace(
        facts,
        status="priced",
        today_cost=cost,
        today_bound=bound,
        today_status=today.status,
        saving=point,
        saving_low=low,
        saving_high=high,
        fte_staffed=today.total_fte,
        today=today,
    )
