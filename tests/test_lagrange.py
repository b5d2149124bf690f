"""The Lagrangian bound with exact staffing (:mod:`bestshore.model.lagrange`).

Checked three ways: the min-plus cell program against brute-force enumeration of cell
choices; on hand-made scenarios where a queue must split, against the best split found
by brute force over a fine grid of shares with exact Erlang C staffing recomputed here
(whole agents: the plan is then proven optimal, bound = cost); and over random small
scenarios, never above the plan bestshore returns.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import solve_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_strategies import scenarios
from test_hourly import WEEKS, erlang_hour

from bestshore.model import prepare_inputs
from bestshore.model.lagrange import (
    _families,
    _two_sided,
    cell_choices,
    cell_program,
    lagrangian_bound,
    multiplier_steps,
    prepare_dual,
)
from bestshore.model.plan import _bound, _decisions, plan_sourcing
from bestshore.scenario import parse_scenario
from bestshore.staffing import agents_for_service_level, service_level


def _random_cells(sites: int, cells: int, blocks: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random cell costs of ``blocks`` blocks of ``sites`` items (a fifth of the cells not
    allowed: inf), each item's choices {0}, ``cells`` intervals and {1}, and their reach."""
    rng = np.random.default_rng(seed)
    costs = rng.normal(0.0, 10.0, size=(blocks, sites, cells + 2))
    costs[rng.random(costs.shape) < 0.2] = np.inf
    reach = np.concatenate([[0], np.arange(1, cells + 1), [cells]])
    return costs, reach


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    sites=st.integers(1, 4),
    cells=st.integers(1, 5),
    blocks=st.integers(1, 3),
    seed=st.integers(0, 10_000),
)
def test_the_cell_program_is_the_least_cost_of_every_choice_that_reaches(
    sites: int, cells: int, blocks: int, seed: int
) -> None:
    costs, reach = _random_cells(sites, cells, blocks, seed)
    choices = cells + 2
    found = cell_program(costs, reach, cells)
    for b in range(blocks):
        best = np.inf
        for pick in itertools.product(range(choices), repeat=sites):
            if sum(reach[k] for k in pick) >= cells:
                best = min(best, sum(costs[b, s, k] for s, k in enumerate(pick)))
        assert found[b] == pytest.approx(best, rel=1e-12, abs=1e-12) or found[b] == best


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    sites=st.integers(1, 4),
    cells=st.integers(1, 5),
    blocks=st.integers(1, 3),
    seed=st.integers(0, 10_000),
)
def test_the_cell_programs_choice_reaches_and_costs_its_minimum(
    sites: int, cells: int, blocks: int, seed: int
) -> None:
    # the choice read back from the program (the multiplier steps' minimizers) reaches
    # the cells and costs exactly the minimum
    costs, reach = _random_cells(sites, cells, blocks, seed)
    found, choice = cell_choices(costs, reach, cells)
    assert np.array_equal(found, cell_program(costs, reach, cells))
    for b in range(blocks):
        if not np.isfinite(found[b]):
            assert np.all(choice[b] == -1)
            continue
        assert reach[choice[b]].sum() >= cells
        assert costs[b, np.arange(sites), choice[b]].sum() == pytest.approx(found[b], abs=1e-9)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    cells=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_the_two_sided_program_is_the_least_of_every_choice_within_both_sides(
    sizes: list[int], cells: int, seed: int
) -> None:
    # costs of any sign (a unit's price taken off its rows' slopes): the lower ends
    # (in 1/K; {0} 0, the interval k k-1, {1} K) sum to at most K and, with one cell
    # more per row of the unit, reach K
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(len(sizes)) * 7 + 3, sizes)  # ids neither 0-based nor dense
    costs = rng.normal(0.0, 10.0, size=(len(unit), cells + 2))
    costs[rng.random(costs.shape) < 0.2] = np.inf
    low = np.concatenate([[0], np.arange(cells), [cells]])
    units, found = _two_sided(costs, unit, cells)
    assert np.array_equal(units, np.unique(unit))
    for u, least in zip(units, found, strict=True):
        rows = np.flatnonzero(unit == u)
        best = np.inf
        for pick in itertools.product(range(cells + 2), repeat=len(rows)):
            reached = sum(low[k] for k in pick)
            if cells - len(rows) <= reached <= cells:
                best = min(best, sum(costs[r, k] for r, k in zip(rows, pick, strict=True)))
        assert least == pytest.approx(best, rel=1e-12, abs=1e-12) or least == best


def _whole(load: float) -> int:
    return agents_for_service_level(load * 3600 / 180, 60, 180, 0.8, 20, 0.85) if load > 0 else 0


def _planning(load: float) -> float:
    if load <= 0:
        return 0.0
    whole = agents_for_service_level(load * 3600 / 180, 60, 180, 0.8, 20)
    met = service_level(load, whole, 180, 20)
    below = whole - 1
    missed = 0.0 if below <= load else service_level(load, below, 180, 20)
    fraction = (0.8 - missed) / (met - missed)
    return max(below + min(max(fraction, 0.0), 1.0), load / 0.85)


def _two_small_sites(model: str) -> dict[str, Any]:
    # 10 Erlangs (200 calls of 180 s, 80/20) in one hour; Rabat (15 EUR/h) and
    # Casablanca (18 EUR/h) seat 8 agents each: the queue must split.
    data = erlang_hour(max_agents=8)
    data["sites"].append(dict(data["sites"][0], id="casa", city="Casablanca", cost_per_hour=18.0))
    data["settings"] = {"staffing_model": model}
    return data


def _best_split(agents: Any) -> float:
    """The cheapest split of the 10 Erlangs on a grid of shares, each part within 8
    agents [EUR/yr]; the optimum is at most this."""
    best = np.inf
    for x in np.linspace(0.0, 1.0, 20_001):
        rabat, casa = agents(10 * x), agents(10 * (1 - x))
        if rabat <= 8 + 1e-9 and casa <= 8 + 1e-9:
            best = min(best, (15 * rabat + 18 * casa) * WEEKS)
    return best


@pytest.mark.parametrize("model", ["whole", "planning"])
def test_a_forced_split_is_bounded_by_its_exact_staffing(model: str) -> None:
    data = _two_small_sites(model)
    inputs = prepare_inputs(parse_scenario(copy.deepcopy(data)))
    planning = plan_sourcing(inputs)
    relaxation = _bound(planning.first_model, planning.first_solution)
    found = lagrangian_bound(planning.first_model)
    assert relaxation is not None and found is not None
    best = _best_split(_whole if model == "whole" else _planning)
    assert found <= best * (1 + 1e-9)
    assert found > relaxation  # the split's lost economies of scale, which no envelope sees
    result = solve_dict(data)
    assert found <= result.total_cost * (1 + 1e-9)
    assert result.stamp["lower_bound"] == pytest.approx(found, rel=1e-12)
    assert result.stamp["lower_bound_source"] == "lagrangian"
    if model == "whole":
        # 8 agents at Rabat, 7 at Casablanca: proven optimal by the bound alone
        assert best == pytest.approx((8 * 15 + 7 * 18) * WEEKS, rel=1e-9)
        assert found == pytest.approx(best, rel=1e-9)
        assert result.stamp["status"] == "optimal"
    else:
        # within the cells' discretization: 0.20 % under the best split with the cells'
        # program alone, 0.15 % with the two-sided one (each unit's price taken off)
        assert found >= best * (1 - 0.0018)


def test_the_setting_turns_it_off() -> None:
    data = _two_small_sites("whole")
    data["settings"]["lagrangian_bound"] = False
    result = solve_dict(data)
    assert result.stamp["lower_bound_source"] != "lagrangian"


@st.composite
def split_queues(draw: st.DrawFn) -> dict[str, Any]:
    """One or two Erlang C call types over a few hours, one or two languages, at two or
    three sites of random prices and seats (pooling, staffing model and openings drawn)."""
    data = erlang_hour()
    first = data["call_types"][0]
    first["volume"] = draw(st.integers(5, 400)) * WEEKS
    first["hours"] = {"mon": f"10:00-{10 + draw(st.integers(1, 3))}:00"}
    if draw(st.booleans()):
        first["languages"] = {"fr": 0.7, "en": 0.3}
    if draw(st.booleans()):
        second = dict(copy.deepcopy(first), id="tech", aht_seconds=420)
        second["service_level"] = {"target": 0.9, "answer_seconds": 60}
        second["volume"] = draw(st.integers(5, 200)) * WEEKS
        data["call_types"].append(second)
    base = data["sites"][0]
    sites = []
    for i in range(draw(st.integers(2, 3))):
        site = dict(copy.deepcopy(base), id=f"s{i}", city=f"City{i}")
        site["cost_per_hour"] = float(draw(st.integers(10, 40)))
        seats = draw(st.sampled_from([None, 4, 8, 16]))
        if seats is not None:
            site["max_agents"] = seats
        sites.append(site)
    data["sites"] = sites
    data["settings"] = {
        "staffing_model": draw(st.sampled_from(["planning", "whole"])),
        "pool_languages": draw(st.booleans()),
        "queue_opening": draw(st.booleans()),
    }
    if draw(st.booleans()):
        data["policies"] = {"max_site_share": draw(st.sampled_from([0.6, 0.8]))}
    return data


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(split_queues(), scenarios(max_sites=3, max_call_types=2)))
def test_random_scenarios_the_bound_stays_under_the_plan(data: dict[str, Any]) -> None:
    try:
        inputs = prepare_inputs(parse_scenario(copy.deepcopy(data)))
    except Exception:  # an invalid draw is not this test's subject
        return
    planning = plan_sourcing(inputs)
    if planning.plan is None:
        return
    cost = planning.plan.exact_cost
    relaxation = _bound(planning.first_model, planning.first_solution)
    found = lagrangian_bound(planning.first_model)
    if found is not None:
        assert found <= cost + 1e-7 * max(1.0, abs(cost))
        # steps toward the plan's cost: a bound all the same, at least the duals'
        stepped = lagrangian_bound(planning.first_model, steps=4, target=cost)
        assert stepped is not None and found <= stepped <= cost + 1e-7 * max(1.0, abs(cost))
    bound = planning.plan.lower_bound
    if relaxation is not None:
        assert bound is not None and bound >= relaxation - 1e-9 * abs(relaxation)
    if bound is not None:
        assert bound <= cost + 1e-7 * max(1.0, abs(cost))


def test_staffing_kept_past_its_limit_is_still_each_loads_own() -> None:
    # The staffing cache of a goal drops what it kept past 65,536 loads; loads kept
    # before and asked again with new ones were then read from the emptied table (the
    # last entry's figures), which the Lagrangian bound's tables met as staffing
    # falling with the load.
    from bestshore.model.staffing import _KnownQueues

    goal = (180.0, 0.8, 20.0, None)
    known = _KnownQueues(goal, 0.85)
    first = np.linspace(0.01, 30.0, 40_000)
    known.staffing(first)
    asked = np.concatenate([first[:1000], np.linspace(30.5, 60.0, 30_000)])
    kept = known.staffing(asked).planning
    fresh = _KnownQueues(goal, 0.85).staffing(asked).planning
    assert np.array_equal(kept, fresh)


@pytest.mark.parametrize("model", ["whole", "planning"])
def test_the_concave_minorant_lies_under_the_staffing(model: str) -> None:
    # ψ under the exact staffing of 80/20 at 180 s (recomputed by the helpers above
    # with the staffing package's Erlang C), concave, 0 at no load and a jump above it
    from bestshore.model.curve import corner_slack, limits_to
    from bestshore.model.lagrange import _Table, concave_minorant

    call_type = parse_scenario(erlang_hour()).call_types[0]
    whole = model == "whole"
    table = _Table(call_type, whole, 0.85, 21.0, 6000)
    dip = 0.0 if whole else corner_slack(call_type, 0.85)
    found = concave_minorant(table, limits_to(call_type, 0.85, 31.0), dip, 20.0)
    assert found is not None
    loads, agents = found
    assert loads[0] == 0.0 and loads[-1] >= 20.0
    slopes = np.diff(agents) / np.diff(loads)
    assert np.all(np.diff(slopes) <= 1e-12)  # concave above no load
    # the jump at 0+: as high as the first slope, at least the next one's, allows (the
    # whole agents' first step needs 1 agent at any load, planning agents 0.8 at least)
    assert agents[0] == pytest.approx(agents[1] - loads[1] * slopes[1], rel=1e-9)
    assert 0.6 < agents[0] < 1.0
    exact = _whole if whole else _planning
    for load in np.linspace(1e-4, 20.0, 4001):
        assert np.interp(load, loads, agents) <= exact(load) + 1e-9

    def psi(load: np.ndarray) -> np.ndarray:
        return np.where(load > 0, np.interp(load, loads, agents), 0.0)

    # concave on [0, 20] with ψ(0) = 0 and its jump: ψ(t a + (1 - t) b) ≥ t ψ(a) +
    # (1 - t) ψ(b), b = 0 among the points
    rng = np.random.default_rng(13)
    a, b, t = rng.uniform(0, 20, 20_000), rng.uniform(0, 20, 20_000), rng.uniform(0, 1, 20_000)
    b[::4] = 0.0
    assert np.all(psi(t * a + (1 - t) * b) >= t * psi(a) + (1 - t) * psi(b) - 1e-9)
    # close under it at the corners: within δ (whole agents: on them)
    assert agents[1:] == pytest.approx(np.arange(1, len(agents)) - dip, abs=1e-6)


def _pooling_and_cheaper(model: str) -> dict[str, Any]:
    # 10 Erlangs in one hour, half French and half English. Rabat (16 EUR/h) speaks
    # both and pools them; Tunis (14 EUR/h) speaks French only: English is Rabat's,
    # French goes either way, or splits.
    data = erlang_hour()
    data["call_types"][0]["languages"] = {"fr": 0.5, "en": 0.5}
    data["sites"][0]["cost_per_hour"] = 16.0
    tunis = dict(copy.deepcopy(data["sites"][0]), id="tunis", city="Tunis")
    tunis.update(cost_per_hour=14.0, languages={"fr": "native"})
    data["sites"].append(tunis)
    data["settings"] = {"staffing_model": model}
    return data


@pytest.mark.parametrize("model", ["whole", "planning"])
def test_a_pool_and_a_cheaper_site_are_bounded_as_one_block(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The best plan, by brute force over French's share t at Tunis with Erlang C
    # recomputed here: 14 N(5t) + 16 N(5 + 5(1 - t)) EUR an hour. The pools bounded one
    # by one do not see that Rabat's pool loses the French Tunis takes; the block of the
    # hour, its demand rows kept and its staffing under the concave ψ, does.
    import bestshore.model.lagrange as lagrange

    data = _pooling_and_cheaper(model)
    data["settings"]["pooled_hours_milp"] = False  # the vertices' bound alone
    inputs = prepare_inputs(parse_scenario(copy.deepcopy(data)))
    planning = plan_sourcing(inputs)
    exact = _whole if model == "whole" else _planning
    best = min(
        (14 * exact(5 * t) + 16 * exact(5 + 5 * (1 - t))) * WEEKS
        for t in np.linspace(0.0, 1.0, 20_001)
    )
    found = lagrangian_bound(planning.first_model)
    monkeypatch.setattr(lagrange, "VERTICES", 0)  # the pools one by one only
    alone = lagrangian_bound(planning.first_model)
    assert found is not None and alone is not None
    assert found <= best * (1 + 1e-9)
    assert found >= alone
    if model == "planning":
        # planning agents lie within δ (and the corners' line's rise) above ψ: the
        # block's bound 99.8 % of the best plan, the pools' one by one 99.4 %
        assert found > alone + 0.003 * best
        assert found >= best * (1 - 0.003)
    # (whole agents: ψ, the corners' line, lies up to an agent under the steps)


def _capacity_and_dearer() -> dict[str, Any]:
    # 10 Erlangs in one hour (planning agents, 80/20); Rabat (15 EUR/h) has 9 productive
    # hours a week, Casablanca (18 EUR/h) plenty: the queue splits at Rabat's capacity.
    data = erlang_hour(max_agents=100)
    data["sites"][0]["capacity_hours"] = 9 * WEEKS
    casa = dict(copy.deepcopy(data["sites"][0]), id="casa", city="Casablanca")
    casa.update(cost_per_hour=18.0, capacity_hours=100_000)
    data["sites"].append(casa)
    data["settings"] = {"staffing_model": "planning"}
    return data


def test_steps_price_a_capacity_the_multipliers_left_free() -> None:
    # Rabat's capacity multiplier set to 0: each block then takes the whole queue at
    # Rabat, over its capacity, and L falls to 15 N(10) a year. The steps raise that
    # multiplier again (the subgradient: the capacity less Rabat's hours in z*) and
    # the bound with it, never above the best split found by brute force.
    data = _capacity_and_dearer()
    inputs = prepare_inputs(parse_scenario(copy.deepcopy(data)))
    planning = plan_sourcing(inputs)
    assert planning.plan is not None
    cost = planning.plan.exact_cost
    hours = float(inputs.sites.at["rabat", "capacity_hours"])
    assert hours == pytest.approx(9.0)
    best = min(
        (15 * _planning(10 * x) + 18 * _planning(10 * (1 - x))) * WEEKS
        for x in np.linspace(0.0, 1.0, 20_001)
        if _planning(10 * x) <= hours
    )
    model = planning.first_model
    dual = prepare_dual(model, fixed=_decisions(model, planning.first_solution))
    assert dual is not None
    family = _families(model.program._row_blocks, dual.arrays.num_row)
    capacity = family == "capacity"
    assert dual.start[capacity].min() < 0  # the LP prices Rabat's capacity
    free = np.where(capacity, 0.0, dual.start)
    at_lp, at_free = dual.evaluate(dual.start), dual.evaluate(free)
    assert at_lp is not None and at_free is not None
    assert at_free.value == pytest.approx(15 * _planning(10.0) * WEEKS, rel=1e-3)
    stepped = multiplier_steps(dual, 20, target=cost, start=free)
    assert stepped.value is not None and stepped.multipliers is not None
    assert stepped.multipliers[capacity].min() < 0
    # most of the way back to the LP's price, and a bound all the same
    assert stepped.value >= at_free.value + 0.9 * (at_lp.value - at_free.value)
    assert stepped.value <= best * (1 + 1e-9)
    assert stepped.value <= cost


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            path.stem, marks=[] if path.stem == "demo-n2-nearshore" else [pytest.mark.slow]
        )
        for path in sorted(SCENARIOS.glob("*.yaml"))
    ],
)
def test_steps_stay_under_the_plan_on_the_bundled_scenarios(name: str) -> None:
    # Ten steps from the LP's duals toward the accepted plan's cost, in the solve
    # (settings.lagrangian_steps): the bound never above the plan's cost. On
    # demo-n2-nearshore, where the duals are not the best multipliers, the steps bound
    # about 28,000 EUR more than the duals (7,152,361 EUR).
    from bestshore.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    settings = scenario.settings.model_copy(update={"lagrangian_steps": 10})
    inputs = prepare_inputs(scenario.model_copy(update={"settings": settings}))
    planning = plan_sourcing(inputs)
    assert planning.plan is not None and planning.plan.lower_bound is not None
    cost = planning.plan.exact_cost
    assert planning.plan.lower_bound <= cost
    if name == "demo-n2-nearshore":
        assert planning.plan.bound_source == "lagrangian"
        fixed = _decisions(planning.first_model, planning.first_solution)
        at_duals = lagrangian_bound(planning.first_model, fixed=fixed)
        assert at_duals is not None
        assert planning.plan.lower_bound > at_duals + 10_000


def test_the_jump_at_no_load_raises_the_demos_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # The multilingual desk's small languages (German, Dutch, Spanish, and every
    # language at night) need m_0 agents at any load: ψ's jump at 0+ charges each queue
    # a vertex opens at least it, where ψ from the origin charged a crumb. The bound
    # of the solve is the one with the jump, above the one without, under the plan.
    import bestshore.model.lagrange as lagrange
    from bestshore.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "demo.yaml")
    settings = scenario.settings.model_copy(update={"pooled_hours_milp": False})
    inputs = prepare_inputs(scenario.model_copy(update={"settings": settings}))
    planning = plan_sourcing(inputs)  # the vertices' bound alone, not the pooled MILPs
    assert planning.plan is not None and planning.plan.bound_source == "lagrangian"
    fixed = _decisions(planning.first_model, planning.first_solution)
    jumped = lagrangian_bound(planning.first_model, fixed=fixed)
    minorant = lagrange.concave_minorant

    def from_the_origin(*args: Any) -> tuple[np.ndarray, np.ndarray] | None:
        found = minorant(*args)
        if found is None:
            return None
        loads, agents = found
        return loads, np.concatenate([[0.0], agents[1:]])

    monkeypatch.setattr(lagrange, "concave_minorant", from_the_origin)
    flat = lagrangian_bound(planning.first_model, fixed=fixed)
    assert jumped is not None and flat is not None
    assert jumped == pytest.approx(planning.plan.lower_bound, rel=1e-12)
    assert flat + 15_000 < jumped <= planning.plan.exact_cost
