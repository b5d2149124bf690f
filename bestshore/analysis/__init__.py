"""Analyses over many solves: what each policy costs, the saving against today,
comparisons against a baseline, cost-quality frontiers, sensitivity and break-evens,
Monte Carlo risk on Dask and near-optimal alternatives. Each module documents its
method; the main calls are here."""

from bestshore.analysis.alternatives import Alternatives, near_optimal_alternatives
from bestshore.analysis.comparison import Comparison, compare_to_baseline
from bestshore.analysis.frontier import Frontier, cost_quality_frontier
from bestshore.analysis.policy_prices import (
    PolicyRule,
    active_rules,
    price_interval,
    price_of_policies,
)
from bestshore.analysis.risk import Risk, run_risk
from bestshore.analysis.savings import Savings, savings_against_today, todays_scenario
from bestshore.analysis.sensitivity import Sensitivity, break_even, sensitivity

__all__ = [
    "Alternatives",
    "Comparison",
    "Frontier",
    "PolicyRule",
    "Risk",
    "Savings",
    "Sensitivity",
    "active_rules",
    "break_even",
    "compare_to_baseline",
    "cost_quality_frontier",
    "near_optimal_alternatives",
    "price_interval",
    "price_of_policies",
    "run_risk",
    "savings_against_today",
    "sensitivity",
    "todays_scenario",
]
