"""Why no plan exists: the smallest relaxation of the rules, named in plain words.

Method. Rebuild the model with ``elastic=True`` (every family gets slack) and minimize
the total relaxation in agent hours, unserved work weighing far more than stretched
capacities or caps. The slacks that stay positive are the rules that must give, and by
how much. Demand no site may take at all is explained from the eligibility exclusions
(which rule shut out how many sites) and from opening hours (which hours no eligible
site is open).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.inputs import WEEK, ModelInputs, mean_fte
from bestshore.model.sets import Eligibility
from bestshore.model.solve import solve_model
from bestshore.scenario.hours import hour_ranges

__all__ = ["Diagnosis", "diagnose_infeasibility"]

_TOL = 1e-6
# Why a site may not take a workload at all (rules applied as sparsity, no rows);
# ``{gate}`` is the call type's quality gate.
_RULE_WORDS = {
    "language": "lack the language at the required level",
    "offer": "do not offer it",
    "hours": "are closed in the hours it needs or answer too late",
    "data_protection": "are in countries not allowed for its data class",
    "shore_rule": "are on a shore its shore rule forbids",
    "excluded_vendor": "belong to excluded vendors",
    "quality_gate": "fall short of its quality gate (CSAT {gate:g})",
}
_COLUMNS = ["rule", "key", "amount", "unit", "message"]


@dataclass(frozen=True)
class Diagnosis:
    """The rules that make a scenario infeasible.

    ``findings`` columns: ``rule`` (a family name), ``key`` (what it is about),
    ``amount`` and ``unit`` (how much must give), ``message`` (plain words).
    """

    findings: pd.DataFrame

    @property
    def summary(self) -> str:
        return "; ".join(self.findings["message"]) if not self.findings.empty else ""

    def __str__(self) -> str:
        return self.summary


def _unservable(inputs: ModelInputs, eligibility: Eligibility) -> list[dict[str, object]]:
    """Demand units with no eligible assignment, grouped by workload."""
    demand = inputs.demand
    served = set(
        zip(*(eligibility.assignments[c] for c in ("call_type", "language", "hour")), strict=True)
    )
    missing = [key for key in demand.index if key not in served]
    findings: list[dict[str, object]] = []
    n_sites = len(inputs.sites)
    by_workload: dict[tuple[str, str], list[int]] = {}
    for call_type, language, hour in missing:
        by_workload.setdefault((call_type, language), []).append(hour)
    for (call_type, language), hours in by_workload.items():
        rows = demand.loc[(call_type, language)].loc[hours]
        fte = mean_fte(float((rows["agents_per_erlang"] * rows["handle_hours"]).sum()), inputs)
        excluded = eligibility.exclusions[
            (eligibility.exclusions["call_type"] == call_type)
            & (eligibility.exclusions["language"] == language)
        ]
        all_hours = len(demand.loc[(call_type, language)])
        if len(hours) == all_hours and excluded["site"].nunique() == n_sites:
            counts = excluded.groupby("rule")["site"].nunique().sort_values(ascending=False)
            gate = inputs.scenario.policies.quality_gates.get(call_type, float("nan"))
            reasons = ", ".join(
                f"{n} of {n_sites} sites {_RULE_WORDS[r].format(gate=gate)}"
                for r, n in counts.items()
            )
            rule = str(counts.index[0])
            message = (
                f"{call_type} in {language} needs {fte:.1f} FTE but no site may take it: {reasons}"
            )
        else:
            rule = "hours"
            when = (
                "" if hours == [WEEK] else f" in {len(hours)} hours a week ({hour_ranges(hours)})"
            )
            message = f"{call_type} in {language} needs {fte:.1f} FTE{when} but no eligible site is open then"
        findings.append(
            {
                "rule": rule,
                "key": f"{call_type}/{language}",
                "amount": fte,
                "unit": "FTE",
                "message": message,
            }
        )
    return findings


def _relaxations(model: SourcingModel) -> list[dict[str, object]]:
    """What each family's positive slacks say, in the registry's words, in build order."""
    findings: list[dict[str, object]] = []
    for record in model.families:
        if record.relaxed is None:
            continue
        for row_family in record.row_families:
            slacks = model.slack_values(row_family)
            positive = slacks[slacks > _TOL]
            if len(positive):
                findings += record.relaxed(model, row_family, positive)
    return findings


def diagnose_infeasibility(
    inputs: ModelInputs, eligibility: Eligibility | None = None
) -> Diagnosis:
    """Find the smallest relaxation of the rules that admits a plan, and say it."""
    elastic = build_model(inputs, elastic=True, eligibility=eligibility)
    outcome = solve_model(elastic)
    findings = _unservable(inputs, elastic.eligibility)
    if outcome.has_solution:
        findings += _relaxations(elastic)
    else:  # pragma: no cover - the elastic model is feasible by construction
        findings.append(
            {"rule": "unknown", "key": "", "amount": float("nan"), "unit": "",
             "message": f"even the relaxed model failed ({outcome.status})"}
        )  # fmt: skip
    return Diagnosis(findings=pd.DataFrame(findings, columns=_COLUMNS))
