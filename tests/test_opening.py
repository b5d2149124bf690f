"""Queue openings (:mod:`bestshore.model.opening`): a queue opened at a site pays its
first agent.

The opening lines are checked against staffing recomputed here from the package's
public Erlang C calculator (whole agents, and planning agents interpolated on the
service level by hand) at loads all over ``(0, E]``, tiny ones included; a queue a
share cap forces to split is bounded by hand; and the bound stays under the plan.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import solve_dict
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hourly import WEEKS, erlang_hour

from bestshore.model import prepare_inputs
from bestshore.model.curve import corner_slack, limits_to
from bestshore.model.opening import first_agent, opening_line
from bestshore.model.plan import _bound, plan_sourcing
from bestshore.scenario import parse_scenario
from bestshore.staffing import agents_for_service_level, service_level


def _call_type(aht: float, target: float, answer: float, occupancy: float, traffic: float):
    data = erlang_hour()
    data["call_types"][0].update(
        aht_seconds=aht, service_level={"target": target, "answer_seconds": answer}
    )
    data["call_types"][0]["volume"] = traffic * 3600 / aht * WEEKS
    data["settings"] = {"occupancy": occupancy}
    return parse_scenario(data).call_types[0]


def _whole(load: float, aht: float, target: float, answer: float, occupancy: float) -> int:
    return agents_for_service_level(load * 3600 / aht, 60, aht, target, answer, occupancy)


def _planning(load: float, aht: float, target: float, answer: float, occupancy: float) -> float:
    """Planning agents by hand: the service level interpolated between the whole count
    and one fewer (0 agents answer nobody), never below the occupancy cap's."""
    whole = _whole(load, aht, target, answer, occupancy)
    met = service_level(load, whole, aht, answer)
    below = whole - 1
    missed = 0.0 if below <= load else service_level(load, below, aht, answer)
    fraction = (target - missed) / (met - missed)
    return max(below + min(max(fraction, 0.0), 1.0), load / occupancy)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    aht=st.sampled_from([60.0, 180.0, 420.0, 900.0]),
    target=st.sampled_from([0.7, 0.8, 0.9]),
    answer=st.sampled_from([10.0, 20.0, 60.0]),
    occupancy=st.sampled_from([0.8, 0.85, 1.0]),
    traffic=st.floats(0.005, 40.0),
    ratio=st.sampled_from([0.4, 0.8, 1.0, 1.3]),
    whole=st.booleans(),
)
def test_the_opening_line_stays_under_the_agents_at_every_load_above_zero(
    aht: float,
    target: float,
    answer: float,
    occupancy: float,
    traffic: float,
    ratio: float,
    whole: bool,
) -> None:
    call_type = _call_type(aht, target, answer, occupancy, traffic)
    end = ratio * traffic
    first = first_agent(call_type, whole)
    assert first == (1.0 if whole else target)
    dip = 0.0 if whole else corner_slack(call_type, occupancy)
    line = opening_line(limits_to(call_type, occupancy, end), end, first, dip)
    assert line is not None
    intercept, slope = line
    loads = np.concatenate([end * np.logspace(-6, -1, 12), np.linspace(end / 200, end, 200)])
    agents = _whole if whole else _planning
    needed = np.array([agents(float(a), aht, target, answer, occupancy) for a in loads])
    assert np.all(intercept + slope * loads <= needed + 1e-7)
    # the second line, the first agent alone: every load above 0 needs it
    assert np.all(needed >= first - 1e-12)


def _split_by_a_share_cap(model: str, opening: bool) -> dict:
    # 2 calls of 180 s in Monday 10:00 (0.1 Erlang): one agent answers 80 % in 20 s.
    # Rabat (15 EUR/h) may take at most 90 % of the work, so Paris (30 EUR/h) takes
    # the rest and, staffed exactly, needs an agent of its own for a tenth of the calls.
    data = erlang_hour()
    data["call_types"][0]["volume"] = 2 * WEEKS
    paris = dict(data["sites"][0], id="paris", country="FR", city="Paris", cost_per_hour=30.0)
    data["sites"].append(paris)
    data["policies"] = {"max_site_share": 0.9}
    data["settings"] = {"staffing_model": model, "queue_opening": opening}
    return data


def _relaxation_bound(data: dict) -> float:
    inputs = prepare_inputs(parse_scenario(copy.deepcopy(data)))
    planning = plan_sourcing(inputs)
    bound = _bound(planning.first_model, planning.first_solution)
    assert bound is not None
    return bound


def test_a_crumb_at_a_second_site_pays_its_first_agent_in_the_bound() -> None:
    # Whole agents: the best plan is one agent at each site, 15 + 30 EUR an hour. The
    # convex envelopes alone charge the split as one queue's agent shared, 0.9 x 15 +
    # 0.1 x 30 = 16.5 EUR; with openings each site opened pays its agent: 45 EUR.
    assert _whole(0.1, 180, 0.8, 20, 0.85) == 1
    convex = _relaxation_bound(_split_by_a_share_cap("whole", opening=False))
    assert convex == pytest.approx((0.9 * 15 + 0.1 * 30) * WEEKS, rel=1e-5)  # less a tie-break
    opened = _relaxation_bound(_split_by_a_share_cap("whole", opening=True))
    assert opened == pytest.approx(45 * WEEKS, rel=1e-5)
    result = solve_dict(_split_by_a_share_cap("whole", opening=True))
    assert result.total_cost == pytest.approx(45 * WEEKS, rel=1e-6)
    assert result.stamp["status"] == "optimal"


def test_planning_agents_of_a_crumb_pay_at_least_the_target() -> None:
    # Planning agents, the calls in French and English (each site's two languages one
    # pool): each site's crumb needs 0.8 / SL(1 agent) agents, at least the 80 %
    # target; the bound with openings charges each site opened at least 0.8 of an agent
    # an hour and stays under the plan's exact cost. (A row of one language outside any
    # pool has no year column, and no opening: its year is priced on its share.)
    data = _split_by_a_share_cap("planning", opening=True)
    data["call_types"][0]["languages"] = {"fr": 0.5, "en": 0.5}
    bound = _relaxation_bound(data)
    assert bound >= 0.8 * (30 + 15) * WEEKS * (1 - 1e-5)  # less a tie-break
    convex = copy.deepcopy(data)
    convex["settings"]["queue_opening"] = False
    assert _relaxation_bound(convex) < 0.6 * bound
    result = solve_dict(data)
    paris = _planning(0.01, 180, 0.8, 20, 0.85)
    rabat = _planning(0.09, 180, 0.8, 20, 0.85)
    assert result.total_cost == pytest.approx((30 * paris + 15 * rabat) * WEEKS, rel=1e-6)
    assert result.stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)
