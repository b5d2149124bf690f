"""Analyses over many solves: what each policy costs, the saving against today."""

from bestshore.analysis.policy_prices import (
    PolicyRule,
    active_rules,
    price_interval,
    price_of_policies,
)
from bestshore.analysis.savings import Savings, savings_against_today, todays_scenario

__all__ = [
    "PolicyRule",
    "Savings",
    "active_rules",
    "price_interval",
    "price_of_policies",
    "savings_against_today",
    "todays_scenario",
]
