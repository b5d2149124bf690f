"""Staffing arithmetic: agents a queue of calls needs (Erlang C). Imports no solver."""

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
    "QueuePerformance",
    "StaffingRequirement",
    "agents_for_asa",
    "agents_for_prob_wait",
    "agents_for_service_level",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "evaluate_agents",
    "occupancy",
    "scheduled_agents",
    "service_level",
    "staffing_requirement",
    "staffing_table",
    "traffic_intensity",
]
