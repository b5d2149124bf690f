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
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.sets import Eligibility
from bestshore.model.solve import solve_model
from bestshore.scenario.hours import DAYS

__all__ = ["Diagnosis", "diagnose_infeasibility", "hour_label"]

_TOL = 1e-6
_RULE_WORDS = {
    "language": "lack the language at the required level",
    "hours": "are closed in the hours it needs or answer too late",
    "data_protection": "are in countries not allowed for its data class",
    "shore_rule": "are on a shore its shore rule forbids",
    "excluded_vendor": "belong to excluded vendors",
}
_SHARE_WORDS = {
    "site_share": "the site share cap",
    "country_share": "the country share cap",
    "shore_share": "the shore share cap",
    "inshore_min": "the minimum inshore share",
    "preferred": "the preferred partner's minimum share",
    "spread": "the spread over k sites",
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


def _key_text(key: object) -> str:
    return ",".join(map(str, key)) if isinstance(key, tuple) else str(key)


def hour_label(hour: int) -> str:
    """Market hour of the week -> 'Mon 02:00'."""
    day, clock = divmod(int(hour), 24)
    return f"{DAYS[day].capitalize()} {clock:02d}:00"


def _hour_ranges(hours: list[int], limit: int = 3) -> str:
    ranges: list[tuple[int, int]] = []
    for hour in sorted(hours):
        if ranges and hour == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], hour)
        else:
            ranges.append((hour, hour))
    text = ", ".join(f"{hour_label(a)}-{(b + 1) % 24:02d}:00" for a, b in ranges[:limit])
    return text + (f" and {len(ranges) - limit} more" if len(ranges) > limit else "")


def _weekly_fte(agent_hours: float, inputs: ModelInputs) -> float:
    return agent_hours / float(inputs.sites["weekly_hours_per_fte"].mean())


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
        fte = _weekly_fte(float((rows["agents_per_erlang"] * rows["handle_hours"]).sum()), inputs)
        excluded = eligibility.exclusions[
            (eligibility.exclusions["call_type"] == call_type)
            & (eligibility.exclusions["language"] == language)
        ]
        all_hours = len(demand.loc[(call_type, language)])
        if len(hours) == all_hours and excluded["site"].nunique() == n_sites:
            counts = excluded.groupby("rule")["site"].nunique().sort_values(ascending=False)
            reasons = ", ".join(
                f"{n} of {n_sites} sites {_RULE_WORDS[r]}" for r, n in counts.items()
            )
            rule = str(counts.index[0])
            message = (
                f"{call_type} in {language} needs {fte:.1f} FTE but no site may take it: {reasons}"
            )
        else:
            rule = "hours"
            when = (
                "" if hours == [WEEK] else f" in {len(hours)} hours a week ({_hour_ranges(hours)})"
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
    inputs = model.inputs
    findings: list[dict[str, object]] = []
    total = float(inputs.demand["handle_hours"].sum())
    assignments = model.eligibility.assignments
    served = set(zip(*(assignments[c] for c in ("call_type", "language", "hour")), strict=True))
    unserved: dict[tuple[str, str], float] = {}
    seats_short: dict[str, tuple[list[int], float]] = {}
    for family in model.variables.slacks:
        for key, value in model.slack_values(family).items():
            if value <= _TOL:
                continue
            if family == "demand":
                if key in served:
                    row = inputs.demand.loc[key]
                    hours = value * float(row["agents_per_erlang"] * row["handle_hours"])
                    unserved[key[:2]] = unserved.get(key[:2], 0.0) + hours
            elif family == "capacity":
                fte = value / float(inputs.sites.at[key, "weekly_hours_per_fte"])
                findings.append(
                    {
                        "rule": "capacity", "key": key, "amount": fte, "unit": "FTE",
                        "message": f"site {key} would need {fte:.1f} more FTE than its capacity "
                        f"of {inputs.sites.at[key, 'capacity_fte']:.1f}",
                    }
                )  # fmt: skip
            elif family == "seats":
                site, hour = key
                short_hours, most = seats_short.get(site, ([], 0.0))
                seats_short[site] = ([*short_hours, hour], max(most, value))
            elif family in _SHARE_WORDS:
                extra = value / total if total > 0 else 0.0
                findings.append(
                    {
                        "rule": family, "key": _key_text(key), "amount": extra, "unit": "share",
                        "message": f"{_SHARE_WORDS[family]} ({_key_text(key)}) must give {extra:.1%} of the work",
                    }
                )  # fmt: skip
            elif family in ("quality_floor", "nps_floor"):
                score = "CSAT" if family == "quality_floor" else "NPS"
                findings.append(
                    {
                        "rule": family, "key": key, "amount": value, "unit": "contact-points",
                        "message": f"call type {key} cannot reach its {score} floor with the eligible sites",
                    }
                )  # fmt: skip
            elif family == "commitment":
                findings.append(
                    {
                        "rule": "commitment", "key": key, "amount": value, "unit": "contacts/yr",
                        "message": f"vendor {key} can take {value:,.0f} contacts a year fewer than committed",
                    }
                )  # fmt: skip
            elif family == "vendor_share":
                cap = float(inputs.vendors.at[key, "max_share"])
                extra = value / total if total > 0 else 0.0
                findings.append(
                    {
                        "rule": "vendor_share", "key": key, "amount": extra, "unit": "share",
                        "message": f"vendor {key} would need {cap + extra:.1%} of the work, above its {cap:.0%} cap",
                    }
                )  # fmt: skip
    for site, (hours_short, most) in seats_short.items():
        findings.append(
            {
                "rule": "seats", "key": site, "amount": most, "unit": "agents",
                "message": f"site {site} would need up to {most:.1f} more seats, in {len(hours_short)} "
                f"hours a week ({_hour_ranges(hours_short)})",
            }
        )  # fmt: skip
    for (call_type, language), hours in unserved.items():
        fte = _weekly_fte(hours, inputs)
        findings.append(
            {
                "rule": "demand", "key": f"{call_type}/{language}", "amount": fte, "unit": "FTE",
                "message": f"{call_type} in {language}: {fte:.1f} FTE of work finds no eligible site with room",
            }
        )  # fmt: skip
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
