"""Staffing arithmetic: agents a queue of calls needs (Erlang C; Erlang A when callers
abandon). Imports no solver."""

from bestshore.staffing.abandonment import (
    ErlangAPerformance,
    abandon_probability,
    agents_for_erlang_a,
    erlang_a,
    evaluate_agents_erlang_a,
)
from bestshore.staffing.erlang import (
    QueuePerformance,
    StaffingRequirement,
    agents_for_asa,
    agents_for_prob_wait,
    agents_for_service_level,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    evaluate_agents,
    occupancy,
    scheduled_agents,
    service_level,
    staffing_requirement,
    staffing_table,
    traffic_intensity,
)

__all__ = [
    "ErlangAPerformance",
    "QueuePerformance",
    "StaffingRequirement",
    "abandon_probability",
    "agents_for_asa",
    "agents_for_erlang_a",
    "agents_for_prob_wait",
    "agents_for_service_level",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate_agents",
    "evaluate_agents_erlang_a",
    "occupancy",
    "scheduled_agents",
    "service_level",
    "staffing_requirement",
    "staffing_table",
    "traffic_intensity",
]
