"""Skill pooling: a site's languages of one call type staffed as one queue.

Hand-computed case (conftest.tiny units; test_hourly.erlang_hour): 200 calls of 180 s
in one hour a week, 10 Erlangs, 80 % answered in 20 s, half French and half English,
one site (Rabat, 15 EUR/h) speaking both. Erlang C by hand (the formula below):

- each language alone, 5 Erlangs: 7 agents answer 74.0 % in 20 s, 8 answer 88.0 %:
  8 agents, 16 for the two queues;
- pooled, 10 Erlangs: 13 agents answer 79.6 %, 14 answer 88.8 %: 14 agents.

Pooling saves 2 agents in that hour: 2 x 15 EUR/h x 52.18 weeks = 1,565.36 EUR a year.
"""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest
from conftest import solve_dict
from test_hourly import WEEKS, erlang_hour

import bestshore
from bestshore.model import prepare_inputs
from bestshore.model.curve import corner_slack, limits_to, pool_cuts, staffing_envelopes
from bestshore.model.sets import eligible_assignments
from bestshore.model.staffing import agents_needed, roster_agents
from bestshore.scenario import parse_scenario
from bestshore.scenario.errors import ScenarioError
from bestshore.scenario.profiles import WEEKS_PER_MONTH
from bestshore.staffing import agents_for_service_level

AHT, ANSWER, TARGET = 180.0, 20.0, 0.8


def _service_level_by_hand(agents: int, erlangs: float) -> float:
    """Erlang C: P(wait) = (a^n/n! · n/(n-a)) / (Σ_{k<n} a^k/k! + a^n/n! · n/(n-a)),
    service level = 1 - P(wait) · exp(-(n - a) · t / AHT)."""
    top = erlangs**agents / math.factorial(agents) * agents / (agents - erlangs)
    below = sum(erlangs**k / math.factorial(k) for k in range(agents))
    waits = top / (below + top)
    return 1 - waits * math.exp(-(agents - erlangs) * ANSWER / AHT)


def _agents_by_hand(erlangs: float) -> int:
    n = math.floor(erlangs) + 1
    while _service_level_by_hand(n, erlangs) < TARGET or erlangs / n > 0.85:
        n += 1
    return n


def two_languages(model: str = "whole", **settings: object) -> dict:
    data = erlang_hour()
    data["call_types"][0]["languages"] = {"fr": 0.5, "en": 0.5}
    data["settings"] = {"staffing_model": model, **settings}
    return data


def rabat_and_tunis(rabat_hours: float) -> dict:
    """The two languages at Rabat (15 EUR/h, ``rabat_hours`` agent hours a week) and
    Tunis (16 EUR/h, room enough): each site's English and French one pool."""
    data = two_languages()
    data["sites"].append(copy.deepcopy(data["sites"][0]) | {"id": "tunis", "city": "Tunis"})
    data["sites"][1]["cost_per_hour"] = 16.0
    data["sites"][0]["capacity_hours"] = rabat_hours * WEEKS
    return data


def test_hand_computed_agents_match_the_package() -> None:
    assert _service_level_by_hand(7, 5) == pytest.approx(0.7404, abs=1e-4)
    assert _service_level_by_hand(8, 5) == pytest.approx(0.8801, abs=1e-4)
    assert _service_level_by_hand(13, 10) == pytest.approx(0.7956, abs=1e-4)
    assert _service_level_by_hand(14, 10) == pytest.approx(0.8884, abs=1e-4)
    assert (_agents_by_hand(5), _agents_by_hand(10)) == (8, 14)
    calls = 100.0  # an hour's calls of one language (5 Erlangs at 180 s)
    assert agents_for_service_level(calls, 60, AHT, TARGET, ANSWER, 0.85) == 8
    assert agents_for_service_level(2 * calls, 60, AHT, TARGET, ANSWER, 0.85) == 14


def test_pooling_two_languages_saves_two_agents_and_their_cost() -> None:
    pooled = solve_dict(two_languages())
    apart = solve_dict(two_languages(pool_languages=False))
    assert apart.staffing["agents"].tolist() == [8.0, 8.0]
    assert set(apart.staffing["pool"]) == {""}
    assert pooled.staffing["agents"].sum() == pytest.approx(14.0)
    assert pooled.staffing["agents"].tolist() == pytest.approx([7.0, 7.0])  # by load
    assert set(pooled.staffing["pool"]) == {"en+fr"}
    # the pool's service level (14 agents on 10 Erlangs), on each of its rows
    assert pooled.staffing["service_level"].tolist() == pytest.approx([0.88835] * 2, abs=1e-5)
    assert pooled.total_cost == pytest.approx(14 * 15 * WEEKS)
    assert apart.total_cost == pytest.approx(16 * 15 * WEEKS)
    assert apart.total_cost - pooled.total_cost == pytest.approx(2 * 15 * WEEKS)  # 1,565.36
    for result in (pooled, apart):
        assert result.status == "optimal"
        assert result.stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)
    # the requirements' ideal is the hour's queue with its languages pooled where sites
    # pool them (14 agents), one queue per language where none does (8 + 8): no loss
    hour = pooled.requirements.set_index("hour").loc[10]
    assert (hour["required_pooled"], hour["staffed"], hour["pooling_loss"]) == pytest.approx(
        (14.0, 14.0, 0.0)
    )
    hour = apart.requirements.set_index("hour").loc[10]
    assert (hour["required_pooled"], hour["pooling_loss"]) == pytest.approx((16.0, 0.0))


def test_a_split_pool_is_measured_against_the_pooled_hour_in_the_requirements() -> None:
    # The pooled hour (10 Erlangs in English and French) needs 14 agents as one queue.
    # Rabat (15 EUR/h, 4 agent hours a week) takes a sliver and Tunis (16 EUR/h) the
    # rest: the requirements measure the two sites' agents against those 14, the loss
    # their excess (Erlang C is subadditive: never below 0).
    result = solve_dict(rabat_and_tunis(4))
    hour = result.requirements.set_index("hour").loc[10]
    assert hour["required_pooled"] == pytest.approx(14.0)
    assert hour["staffed"] == pytest.approx(result.staffing["agents"].sum())
    assert hour["pooling_loss"] == pytest.approx(result.staffing["agents"].sum() - 14.0)
    assert (result.requirements["pooling_loss"] >= -1e-9).all()


def test_pooling_in_planning_agents() -> None:
    # Planning agents: the pool needs N_f(10 Erlangs), the languages apart 2 N_f(5).
    call_type = parse_scenario(two_languages("planning")).call_types[0]
    pooled = solve_dict(two_languages("planning"))
    apart = solve_dict(two_languages("planning", pool_languages=False))
    assert pooled.staffing["agents"].sum() == pytest.approx(agents_needed(call_type, 10, 0.85))
    assert apart.staffing["agents"].sum() == pytest.approx(2 * agents_needed(call_type, 5, 0.85))
    saved = 2 * agents_needed(call_type, 5, 0.85) - agents_needed(call_type, 10, 0.85)
    assert 1.5 < saved < 2.5
    assert apart.total_cost - pooled.total_cost == pytest.approx(saved * 15 * WEEKS)


def test_a_site_setting_overrides_the_settings() -> None:
    off_here = two_languages()
    off_here["sites"][0]["pool_languages"] = False
    assert solve_dict(off_here).staffing["agents"].sum() == 16
    on_here = two_languages(pool_languages=False)
    on_here["sites"][0]["pool_languages"] = True
    assert solve_dict(on_here).staffing["agents"].sum() == 14


def test_the_checker_rejects_a_plan_that_understaffs_a_pool() -> None:
    scenario = parse_scenario(two_languages())
    result = bestshore.solve(scenario)
    staffing = result.staffing.copy()
    staffing[["agents", "roster_agents"]] = 6.5  # 13 agents for the pool: 79.6 % in 20 s
    tampered = dataclasses.replace(result, staffing=staffing)
    problems = bestshore.verify(scenario, tampered)
    assert any("roster of 6.5 agents, 7 needed" in p for p in problems)
    assert any("answer 79.6% in time, below 80%" in p for p in problems)
    # The plan of a pooling site judged by a site that does not pool: one queue per
    # language needs 8 agents each.
    apart = parse_scenario(two_languages(pool_languages=False))
    problems = bestshore.verify(apart, result, identity=False)
    assert any("7.0000 agents staffed, 8.0000 needed" in p for p in problems)
    assert any("pool is 'en+fr', recomputed ''" in p for p in problems)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("settings", "maybe", "settings.pool_languages: must be true or false, got 'maybe'"),
        ("site", 3, "sites[0].pool_languages: must be true or false, got 3"),
    ],
)
def test_bad_pooling_settings_are_located(where: str, value: object, message: str) -> None:
    data = two_languages()
    if where == "settings":
        data["settings"]["pool_languages"] = value
    else:
        data["sites"][0]["pool_languages"] = value
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("goal", [None, {"asa_seconds": 30}])
@pytest.mark.parametrize("model", ["whole", "planning"])
def test_pool_cuts_stay_under_the_pools_staffing(model: str, goal: dict | None) -> None:
    # Every cut lies under the pool's agents at every share of its rows, in the sizing
    # week and over a seasonal year (months at 0.6 to 1 of the sizing week's load); at
    # 80/20 and under an ASA goal (planning agents convex at tiny loads).
    data = two_languages(model)
    if goal is not None:
        data["call_types"][0]["service_level"] = goal
    call_type = parse_scenario(data).call_types[0]
    occupancy = 0.85
    dip = 0.0 if model == "whole" else corner_slack(call_type, occupancy)
    staffed = roster_agents if model == "whole" else agents_needed
    rng = np.random.default_rng(13)
    loads, weeks = np.array([0.6, 0.8, 1.0]), np.array([4.0, 4.0, 4.0]) * WEEKS_PER_MONTH
    for traffic in ([5.0, 5.0], [0.3, 2.0, 7.5], [1.0, 0.5, 3.0, 12.0, 2.2]):
        traffic = np.array(traffic)
        limits = limits_to(call_type, occupancy, float(traffic.sum()))
        week, _ = pool_cuts(limits, traffic, dip, (np.array([1.0]), np.array([1.0])))
        _, seasonal = pool_cuts(limits, traffic, dip, (loads, weeks))
        if not week:  # L not convex there (ASA goals at small loads): no cuts
            assert goal is not None and not seasonal
            continue
        assert seasonal
        shares = np.vstack([rng.random((300, len(traffic))), np.eye(len(traffic))])
        for x in shares:
            load = float(traffic @ x)
            agents = staffed(call_type, load, occupancy) if load > 0 else 0.0
            months = sum(
                w * (staffed(call_type, rho * load, occupancy) if load > 0 else 0.0)
                for rho, w in zip(loads, weeks, strict=True)
            )
            assert max(b + c @ x for b, c in week) <= agents + 1e-9
            assert max(b + c @ x for b, c in seasonal) <= months + 1e-6
        # where the pool takes one language in full: the line through the whole-agent
        # corners there, less the dip (exact at a corner's load)
        corners = np.arange(len(limits), dtype=float)
        for r in range(len(traffic)):
            best = max(b + c[r] for b, c in week)
            line = float(np.interp(traffic[r], limits, corners))
            assert best == pytest.approx(line - dip, abs=1e-5)
            assert line <= staffed(call_type, traffic[r], occupancy) + dip + 1e-9


def test_a_pool_split_between_two_sites_is_solved_exactly() -> None:
    # Rabat (15 EUR/h) has 12 agent hours a week, less than the 14 agents of the pooled
    # hour; Tunis costs 16 EUR/h. Rabat's one agent takes a sliver of the load (the most
    # one agent answers at 80/20), Tunis's 13 agents the rest: 15 + 13 x 16 = 223 EUR
    # an hour, below Tunis alone (14 x 16 = 224) or Rabat's 2 agents (30 + 13 x 16).
    data = rabat_and_tunis(12)
    scenario = parse_scenario(data)
    inputs = prepare_inputs(scenario)
    envelopes = staffing_envelopes(inputs, eligible_assignments(inputs))
    assert sorted(envelopes.pool_keys) == [
        ("n1", "en+fr", 10, "rabat"),
        ("n1", "en+fr", 10, "tunis"),
    ]
    result = solve_dict(data)
    assert result.staffing.groupby("site")["agents"].sum().to_dict() == pytest.approx(
        {"rabat": 1.0, "tunis": 13.0}
    )
    assert result.total_cost == pytest.approx(223 * WEEKS)
    assert result.status == "optimal"  # the step MILP takes each pool as one queue
    assert result.stamp["lower_bound"] <= result.total_cost * (1 + 1e-9)
