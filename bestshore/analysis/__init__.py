"""Analyses over many solves: what each policy costs (more to come: sweeps, Pareto)."""

from bestshore.analysis.policy_prices import (
    PolicyRule,
    active_rules,
    price_interval,
    price_of_policies,
)

__all__ = ["PolicyRule", "active_rules", "price_interval", "price_of_policies"]
