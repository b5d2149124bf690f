"""Why no plan exists: the smallest relaxation of the rules, named in plain words.

Method. Rebuild the model with ``elastic=True`` (every family gets slack) and minimize
the total relaxation in productive hours. The slacks that stay positive are the
rules that must give, and by how much. Workloads no site may take at all are explained
from the eligibility exclusions (which rule shut out how many sites).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bestshore.model.build import SourcingModel, build_model
from bestshore.model.inputs import ModelInputs
from bestshore.model.sets import Eligibility
from bestshore.model.solve import solve_model

__all__ = ["Diagnosis", "diagnose_infeasibility"]

_TOL = 1e-6
_RULE_WORDS = {
    "language": "lack the language at the required level",
    "hours": "are closed in hours the service must be staffed",
    "data_protection": "are in countries not allowed for its data class",
    "shore_rule": "are on a shore its shore rule forbids",
}


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


def _fte(hours: float, inputs: ModelInputs) -> float:
    return hours / float(inputs.sites["productive_hours_per_fte"].mean())


def _unservable(inputs: ModelInputs, eligibility: Eligibility) -> list[dict[str, object]]:
    served = set(
        zip(eligibility.assignments["call_type"], eligibility.assignments["language"], strict=True)
    )
    findings = []
    n_sites = len(inputs.sites)
    for (call_type, language), row in inputs.workloads.iterrows():
        if (call_type, language) in served:
            continue
        excluded = eligibility.exclusions[
            (eligibility.exclusions["call_type"] == call_type)
            & (eligibility.exclusions["language"] == language)
        ]
        counts = excluded.groupby("rule")["site"].nunique().sort_values(ascending=False)
        reasons = ", ".join(
            f"{n} of {n_sites} sites {_RULE_WORDS[rule]}" for rule, n in counts.items()
        )
        fte = _fte(float(row["productive_hours"]), inputs)
        findings.append(
            {
                "rule": counts.index[0] if len(counts) else "demand",
                "key": f"{call_type}/{language}",
                "amount": fte,
                "unit": "FTE",
                "message": f"{call_type} in {language} needs {fte:.1f} FTE but no site may take it: {reasons}",
            }
        )
    return findings


def _relaxations(model: SourcingModel) -> list[dict[str, object]]:
    inputs = model.inputs
    findings: list[dict[str, object]] = []
    total = inputs.total_productive_hours
    assignments = model.eligibility.assignments
    served = set(zip(assignments["call_type"], assignments["language"], strict=True))
    for family, slack in model.variables.slacks.items():
        for key, var in slack.items():
            value = float(var.varValue or 0.0)
            if value <= _TOL:
                continue
            if family == "demand":
                hours = value * float(inputs.workloads.loc[key, "productive_hours"])
                if key not in served:
                    continue  # explained by _unservable
                findings.append(
                    {
                        "rule": "demand",
                        "key": f"{key[0]}/{key[1]}",
                        "amount": _fte(hours, inputs),
                        "unit": "FTE",
                        "message": f"{key[0]} in {key[1]}: {value:.0%} of the work ({_fte(hours, inputs):.1f} FTE) "
                        "finds no eligible site with room",
                    }
                )
            elif family == "capacity":
                fte = value / float(inputs.sites.at[key, "productive_hours_per_fte"])
                findings.append(
                    {
                        "rule": "capacity",
                        "key": key,
                        "amount": fte,
                        "unit": "FTE",
                        "message": f"site {key} would need {fte:.1f} more FTE than its capacity "
                        f"of {inputs.sites.at[key, 'capacity_fte']:.1f}",
                    }
                )
            elif family == "vendor_share":
                cap = float(inputs.vendors.at[key, "max_share"])
                findings.append(
                    {
                        "rule": "vendor_share",
                        "key": key,
                        "amount": value / total,
                        "unit": "share",
                        "message": f"vendor {key} would need {cap + value / total:.1%} of the work, "
                        f"above its {cap:.0%} cap",
                    }
                )
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
            {
                "rule": "unknown",
                "key": "",
                "amount": float("nan"),
                "unit": "",
                "message": f"even the relaxed model failed ({outcome.status})",
            }
        )
    columns = ["rule", "key", "amount", "unit", "message"]
    return Diagnosis(findings=pd.DataFrame(findings, columns=columns))
