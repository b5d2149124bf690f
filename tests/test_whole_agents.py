"""Staffing envelopes and the exact steps (``settings.staffing_model: whole`` and the
planning agents' lines).

The relaxation bounds each queue's agents below by an envelope
(:mod:`bestshore.model.curve`), small scenarios are solved step by step
(:mod:`bestshore.model.segments`): tests against hand enumeration, the Erlang C
functions of the package's public calculator, and the envelopes' validity at every
load, month and split.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest
from conftest import solve_dict
from hypothesis import assume, example, given, reject, settings
from hypothesis import strategies as st
from scenario_strategies import scenarios
from test_hourly import WEEKS, erlang_hour

import bestshore
import bestshore.model.staffing
from bestshore.model import prepare_inputs
from bestshore.model.curve import load_limits, staffing_envelopes
from bestshore.model.sets import eligible_assignments
from bestshore.model.staffing import agents_needed
from bestshore.scenario import parse_scenario
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads
from bestshore.staffing import agents_for_asa, agents_for_service_level, service_level

SL_GOAL = {"target": 0.8, "answer_seconds": 20}


def _milp(data: dict) -> dict:
    data = copy.deepcopy(data)
    data.setdefault("settings", {})["staffing_model"] = "whole"
    return data


def _whole(calls: float, aht: float = 180, target: float = 0.8, answer: float = 20) -> int:
    return agents_for_service_level(calls, 60, aht, target, answer, 0.85)


def _most_load(agents: int, aht: float = 180) -> float:
    """The most Erlangs ``agents`` whole agents answer at 80/20 (bisection on the
    package's service_level, occupancy at most 0.85): independent of the curve module."""
    low, high = 0.0, agents * 0.85
    if service_level(high, agents, aht, 20) >= 0.8:
        return high
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (
            (middle, high) if service_level(middle, agents, aht, 20) >= 0.8 else (low, middle)
        )
    return low


def test_a_queue_split_between_a_cheap_full_site_and_a_dear_one() -> None:
    # 10 Erlangs at 80/20 (AHT 180 s): 14 agents at one site. Rabat (15 EUR/h) seats 8,
    # Paris (30 EUR/h) seats any number. Rabat's n agents carry at most L(n) Erlangs and
    # Paris the rest; splitting costs agents (Erlang C), so the best split is found by
    # enumerating n = 0..8 by hand: 15 n + 30 N(10 - L(n)) an hour.
    data = erlang_hour(max_agents=8)
    paris = dict(data["sites"][0], id="paris", country="FR", city="Paris", cost_per_hour=30.0)
    paris.pop("max_agents")
    data["sites"].append(paris)
    options = {}
    for n in range(9):
        rest = 10 - _most_load(n) if n else 10.0
        options[n] = 15 * n + 30 * (_whole(rest * 20) if rest > 1e-9 else 0)
    best = min(options.values())
    assert best < 14 * 30  # a split beats Paris alone
    result = solve_dict(_milp(data))
    assert result.total_cost == pytest.approx(best * WEEKS, rel=1e-6)
    rows = result.staffing.set_index("site")
    assert rows.loc["rabat", "agents"] <= 8 and float(rows["agents"].sum()) > 14  # the split's cost
    # The bound proves it: the plan is optimal within the tolerance.
    assert result.status == "optimal" and result.stamp["gap"] <= 1e-4
    assert result.stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)


def test_one_site_takes_the_whole_queue_in_whole_agents() -> None:
    # One site: the 14 whole agents of the worked example at 15 EUR/h, proven optimal.
    result = solve_dict(_milp(erlang_hour()))
    assert result.staffing["agents"].tolist() == [14.0]
    assert result.total_cost == pytest.approx(14 * 15 * WEEKS)
    assert result.status == "optimal"


def test_two_identical_sites_do_not_split_a_queue_they_can_each_take() -> None:
    # Splitting costs agents: with room enough at either site, the MILP keeps the queue
    # whole (14 agents), where a linear price per Erlang is indifferent.
    data = erlang_hour()
    data["sites"].append(dict(data["sites"][0], id="casa", city="Casablanca"))
    result = solve_dict(_milp(data))
    assert len(result.staffing) == 1 and result.staffing["agents"].sum() == 14


@settings(max_examples=40, deadline=None)
@given(
    aht=st.sampled_from([120.0, 180.0, 300.0, 420.0]),
    goal=st.sampled_from(
        [
            {"target": 0.8, "answer_seconds": 20},
            {"target": 0.9, "answer_seconds": 15},
            {"asa_seconds": 30.0},
        ]
    ),
    occupancy=st.sampled_from([0.85, 1.0]),
    traffic=st.floats(0.05, 60.0),
)
def test_the_load_limits_and_every_segment_stay_under_the_whole_agents(
    aht: float, goal: dict, occupancy: float, traffic: float
) -> None:
    data = erlang_hour()
    data["call_types"][0].update(aht_seconds=aht, service_level=goal)
    data["call_types"][0]["volume"] = traffic * 3600 / aht * WEEKS
    data["settings"] = {"occupancy": occupancy, "staffing_model": "milp"}
    scenario = parse_scenario(data)
    call_type = scenario.call_types[0]

    def whole(load: float) -> int:  # the package's public calculator
        calls = load * 3600 / aht
        if "asa_seconds" in goal:
            return agents_for_asa(calls, 60, aht, goal["asa_seconds"], occupancy)
        return agents_for_service_level(
            calls, 60, aht, goal["target"], goal["answer_seconds"], occupancy
        )

    limits = load_limits(call_type, occupancy, 200)
    # A traffic on a limit, within the hair the limits are taken inside by (1e-9), is
    # staffed one agent up by the package and not by the calculator (53.55 Erlangs =
    # 63 agents at 85 %, found by this test): no figure to compare there.
    assume(np.abs(limits - traffic).min() > 1e-8 * traffic)
    loads = np.linspace(traffic / 50, traffic, 50)
    for load in loads:  # N(a) = the first n whose limit reaches a
        if np.abs(limits - load).min() <= 1e-8 * load:
            continue  # within the hair the limits are taken inside by (1e-9)
        assert int(np.searchsorted(limits, load, side="left")) == whole(float(load))
    # The envelope of a row at this traffic (two sites may take it, so any share may be
    # taken): κ and every facet under N at every share, in whole and planning agents.
    data["sites"].append(dict(data["sites"][0], id="casa", city="Casablanca"))
    share = np.linspace(1e-4, 1.0, 400)
    for model in ("whole", "planning"):
        data["settings"]["staffing_model"] = model
        scenario = parse_scenario(data)
        inputs = prepare_inputs(scenario)
        envelopes = staffing_envelopes(inputs, eligible_assignments(inputs))
        row = envelopes.rows[0]
        if model == "whole":
            needed = np.array([whole(float(x * traffic)) for x in share], dtype=float)
        else:
            needed = np.array(
                [agents_needed(call_type, float(x * traffic), occupancy) for x in share]
            )
        assert np.all(envelopes.factor[row] * share * traffic <= needed + 1e-7)
        mine = envelopes.hull_row == 0
        for b, s in zip(envelopes.hull_intercept[mine], envelopes.hull_slope[mine], strict=True):
            assert np.all(b + s * share <= needed + 1e-7)
        # exact at share 1
        assert envelopes.needed[0] == pytest.approx(needed[-1], rel=1e-9)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(scenarios(max_sites=3, max_call_types=2))
def test_random_scenarios_in_whole_agents_verify_and_respect_their_bound(data: dict) -> None:
    # The independent checker runs inside solve (whole agents re-derived by Erlang C);
    # the bound is never above the plan, and "optimal" is claimed exactly when proven.
    data = _milp(data)
    data.setdefault("objective", {})["time_limit_seconds"] = 20
    try:
        result = bestshore.solve(parse_scenario(data))
    except (bestshore.InfeasibleScenarioError, bestshore.SolveError):
        reject()
    stamp = result.stamp
    if stamp["lower_bound"] is not None:
        assert stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)
    proven = stamp["gap"] is not None and stamp["gap"] <= stamp["gap_tolerance"]
    assert (result.status == "optimal") == proven


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    goal=st.sampled_from(
        [
            {"target": 0.8, "answer_seconds": 20},
            {"target": 0.9, "answer_seconds": 10},
            {"asa_seconds": 20.0},
        ]
    ),
    model=st.sampled_from(["whole", "planning"]),
    traffic=st.floats(0.05, 80.0),
    seasonality=st.lists(st.floats(0.2, 2.0), min_size=12, max_size=12),
)
def test_the_years_envelope_stays_under_every_months_staffing(
    goal: dict, model: str, traffic: float, seasonality: list[float]
) -> None:
    # The year column's facets lie under the sum over the months of each month's exact
    # agents at its load, whatever the share taken: the LP prices the year from below.
    data = erlang_hour()
    data["call_types"][0].update(service_level=goal, seasonality=seasonality)
    data["call_types"][0]["volume"] = traffic * 3600 / 180 * WEEKS
    data["settings"] = {"staffing_model": model}
    data["sites"].append(dict(data["sites"][0], id="casa", city="Casablanca"))
    scenario = parse_scenario(data)
    call_type = scenario.call_types[0]
    inputs = prepare_inputs(scenario)
    envelopes = staffing_envelopes(inputs, eligible_assignments(inputs))
    row = envelopes.rows[0]
    sized = float((inputs.demand["handle_hours"]).max())
    loads = month_loads(seasonality, scenario.settings.sizing)

    def agents(load: float) -> float:
        if load <= 0:
            return 0.0
        if model == "whole":
            return float(bestshore.model.staffing.roster_agents(call_type, load, 0.85))
        return agents_needed(call_type, load, 0.85)

    for share in np.linspace(0.01, 1.0, 25):
        year = sum(WEEKS_PER_MONTH * agents(r * sized * share) for r in loads)
        line = envelopes.year_factor[row] * sized * share
        assert line <= year * (1 + 1e-9) + 1e-7
        mine = envelopes.year_row == 0
        for b, s in zip(envelopes.year_intercept[mine], envelopes.year_slope[mine], strict=True):
            assert b + s * share <= year * (1 + 1e-9) + 1e-7


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    goal=st.sampled_from(
        [
            {"target": 0.8, "answer_seconds": 20},
            {"target": 0.95, "answer_seconds": 10},
            {"asa_seconds": 15.0},
        ]
    ),
    a=st.floats(0.001, 60.0),
    b=st.floats(0.001, 60.0),
)
def test_whole_agents_pool_splitting_never_saves_agents(goal: dict, a: float, b: float) -> None:
    # The pooling floors rest on N(a) + N(b) >= N(a + b): two groups meeting the goal on
    # their own meet it together (and the occupancy cap is linear).
    data = erlang_hour()
    data["call_types"][0]["service_level"] = goal
    call_type = parse_scenario(data).call_types[0]
    whole = bestshore.model.staffing.roster_agents
    assert whole(call_type, a, 0.85) + whole(call_type, b, 0.85) >= whole(call_type, a + b, 0.85)


@settings(max_examples=60, deadline=None)
@given(
    aht=st.sampled_from([60.0, 180.0, 300.0, 600.0]),
    goal=st.sampled_from(
        [
            {"target": 0.8, "answer_seconds": 20},
            {"target": 0.95, "answer_seconds": 10},
            {"target": 0.5, "answer_seconds": 60},
            {"asa_seconds": 30.0},
            {"asa_seconds": 5.0},
        ]
    ),
    occupancy=st.sampled_from([0.7, 0.85, 1.0]),
    seats=st.integers(1, 60),
    whole=st.booleans(),
)
# One agent's interpolation at a lax goal dips under the corner line near its step's
# end (0.0006 agent here): the corner slack once missed it, between its samples.
@example(aht=600.0, goal={"target": 0.5, "answer_seconds": 60}, occupancy=1.0, seats=1, whole=False)
def test_a_seat_limited_site_never_needs_fewer_agents_per_erlang_than_its_seat_slope(
    aht: float, goal: dict, occupancy: float, seats: int, whole: bool
) -> None:
    # κ_M (curve.seat_slope): at a site of M seats a row's load is at most L(M), and
    # there its agents per Erlang never fall below κ_M. Checked with the package's
    # scalar staffing at loads all over (0, L(M)]: densely in every step near its ends
    # and at random inside.
    from bestshore.model.curve import seat_slope
    from bestshore.model.staffing import roster_agents

    data = erlang_hour()
    data["call_types"][0].update(aht_seconds=aht, service_level=goal)
    call_type = parse_scenario(data).call_types[0]
    slope = seat_slope(call_type, occupancy, seats, whole)
    assert slope >= 1 / occupancy * (1 - 1e-6)
    limits = load_limits(call_type, occupancy, seats)
    rng = np.random.default_rng(seats)
    inside = [
        low + fraction * (high - low)
        for low, high in itertools.pairwise(limits)
        for fraction in (1e-9, 1e-4, 0.01, *rng.uniform(0, 1, 6), *np.linspace(0.9, 1.0, 41))
    ]
    for load in inside:
        if load <= 0:
            continue
        needed = (
            roster_agents(call_type, load, occupancy)
            if whole
            else agents_needed(call_type, load, occupancy)
        )
        assert needed >= slope * load * (1 - 1e-9), (load, needed, slope)
    # And it is no idle bound: at 80/20 it is within a few per cent of M / L(M).
    if goal == {"target": 0.8, "answer_seconds": 20} and seats >= 3:
        assert slope >= 0.9 * seats / limits[seats]
