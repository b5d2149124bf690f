"""A plan held fixed under other terms (bestshore.model.held, Workbench.variant): priced
exactly, checked by hand on a workload case, against the only plan of an Erlang case,
and against a solve whose share columns are fixed to the held shares."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import study_draw

import bestshore
from bestshore.api import solve_prepared
from bestshore.examples import lisbon, tiny
from bestshore.model.build import build_model
from bestshore.model.held import hold, price_held
from bestshore.model.inputs import prepare_inputs
from bestshore.model.plan import price_exactly, price_year
from bestshore.model.program import solve_with_highs
from bestshore.model.sets import eligible_assignments
from bestshore.scenario import parse_scenario
from bestshore.workbench import Workbench


def split(**rabat: Any) -> dict[str, Any]:
    """tiny() with Lisbon at 20 EUR/h and Rabat (15 EUR/h) held to 2.5 FTE: the best plan
    puts 2,500 h in Rabat (37,500 EUR) and 500 h in Lisbon (10,000 EUR), 47,500 EUR."""
    data = tiny()
    data["sites"][1].update(capacity_fte=2.5, capacity_hours=None, **rabat)
    data["sites"].append(lisbon("va", 10_000, 20.0))
    return data


def drawn(data: dict[str, Any], volume: float, aht: float) -> dict[str, Any]:
    data["call_types"][0]["volume"] *= volume
    data["call_types"][0]["aht_seconds"] *= aht
    return data


def test_held_plan_priced_by_hand_and_over_capacity_reported() -> None:
    """Volume x1.2, AHT x0.9 (3,240 h), Rabat at 16.5 EUR/h and 20 % shrinkage (2,000 h
    of capacity left). Held: Rabat keeps 5/6 of the work, 2,700 h x 16.5 = 44,550, and
    Lisbon 540 h x 20 = 10,800: 55,350 EUR, 700 h over Rabat's capacity. Re-optimized:
    Rabat 2,000 h (33,000) and Lisbon 1,240 h (24,800): 57,800 EUR."""
    bench = Workbench(parse_scenario(split()))
    assert bench.solve().total_cost == pytest.approx(47_500)
    variant = bench.variant(
        parse_scenario(drawn(split(cost_per_hour=16.5, shrinkage=0.2), 1.2, 0.9))
    )
    assert not variant.terms_only
    assert variant.held.total_cost == pytest.approx(55_350)
    assert variant.held.over_capacity and variant.held.over_sites == ["rabat"]
    held = variant.held.staffing.groupby("site")["handle_hours"].sum()
    assert held["rabat"] / held.sum() == pytest.approx(5 / 6)
    assert variant.result is not None
    assert variant.result.total_cost == pytest.approx(57_800)
    assert variant.regret == pytest.approx(55_350 - 57_800)
    low, high = variant.regret_interval  # type: ignore[misc]
    bound = variant.result.stamp["lower_bound"]
    assert (low, high) == pytest.approx((55_350 - 57_800, 55_350 - bound))
    assert bench.plan is not None and bench.plan.exact_cost == pytest.approx(47_500)  # kept


def erlang(**changes: float) -> dict[str, Any]:
    """Two voice queues at 80/20, each offered by one site only: the only plan is n1 in
    Rabat, n2 in Lisbon (whole Erlang C agents each hour)."""
    data = split()
    data["sites"][1].update(capacity_fte=None, capacity_hours=10_000, call_types=["n1"])
    data["sites"][2]["call_types"] = ["n2"]
    del data["sites"][0]  # no Paris: no other plan
    first = data["call_types"][0]
    first["service_level"] = {"target": 0.8, "answer_seconds": 20}
    second = {**first, "id": "n2", "volume": 20_000, "aht_seconds": 420}
    data["call_types"].append(second)
    for call_type in data["call_types"]:
        call_type["volume"] *= changes.get("volume", 1.0)
        call_type["aht_seconds"] *= changes.get("aht", 1.0)
    data["sites"][0]["cost_per_hour"] *= changes.get("rate", 1.0)
    data["sites"][0]["shrinkage"] = changes.get("shrinkage", 0.0)
    return data


def test_held_plan_is_the_only_plan_of_an_erlang_draw() -> None:
    """With one plan possible, holding it fixed must cost what solving the draw costs;
    and Erlang C's economies of scale make it cheaper than scaling the baseline's cost
    by volume x AHT x rate (the old first-order estimate)."""
    base = bestshore.solve(parse_scenario(erlang()))
    bench = Workbench(parse_scenario(erlang()))
    bench.solve()
    draw = parse_scenario(erlang(volume=1.3, aht=1.1, rate=1.2, shrinkage=0.1))
    variant = bench.variant(draw)
    fresh = bestshore.solve(draw)
    assert variant.held.total_cost == pytest.approx(fresh.total_cost, rel=1e-9)
    assert variant.result is not None
    assert variant.result.total_cost == pytest.approx(fresh.total_cost, rel=1e-9)
    assert not variant.held.over_capacity
    rabat = base.allocation[base.allocation["site"] == "rabat"]["cost"].sum()
    first_order = (
        base.total_cost
        + float(rabat) * (1.3 * 1.1 * 1.2 - 1)
        + (base.total_cost - float(rabat)) * (1.3 * 1.1 - 1)
    )
    assert variant.held.total_cost < first_order - 100  # fewer agents per Erlang


def test_held_plan_equals_a_solve_with_its_shares_fixed() -> None:
    """n1 at 80/20 split between Rabat (capacity-bound) and Lisbon, Lisbon with a fixed
    cost (an open-site binary): under a draw, the held plan costs what the draw's LP
    with every share column fixed to the held shares costs once staffed exactly."""
    data = split()
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    data["sites"][2]["fixed_cost"] = 2_000.0
    scenario = parse_scenario(data)
    inputs = prepare_inputs(scenario)
    _, plan = solve_prepared(inputs, eligible_assignments(inputs))
    held = hold(plan)
    assert held.decisions["open_site"][("lisbon",)] == 1.0
    shares = held.shares.groupby(level="site").size()
    assert set(shares.index) == {"rabat", "lisbon"}

    changed = drawn(split(cost_per_hour=13.0), 1.15, 1.05)
    changed["call_types"][0]["service_level"] = data["call_types"][0]["service_level"]
    changed["sites"][2]["fixed_cost"] = 2_000.0
    draw_inputs = prepare_inputs(parse_scenario(changed))
    eligibility = eligible_assignments(draw_inputs)
    priced = price_held(held, draw_inputs, eligibility)

    model = build_model(draw_inputs, eligibility=eligibility)
    arrays = model.program.arrays()
    keys = eligibility.assignments[["call_type", "language", "hour", "site"]]
    fixed = held.shares.reindex(list(keys.itertuples(index=False, name=None)), fill_value=0.0)
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    lower[model.variables.share] = upper[model.variables.share] = fixed.to_numpy()
    capacity = list(model.rows("capacity").values())
    row_upper = arrays.row_upper.copy()
    row_upper[capacity] = np.inf  # a held plan may exceed a capacity: measured, not refused
    solution, _ = solve_with_highs(
        dataclasses.replace(arrays, col_lower=lower, col_upper=upper, row_upper=row_upper)
    )
    assert solution.status == "optimal"
    model.solution = solution
    exact = price_exactly(model)
    year = price_year(model, exact.exact)
    expected = float(year.row_costs.sum() + year.outside["cost"].sum())
    assert priced.total_cost == pytest.approx(expected, rel=1e-9)
    assert ("open_site", "lisbon", 2_000.0) in {
        ("open_site", r.id, r.cost) for r in year.outside.itertuples() if r.kind == "site"
    }
    assert priced.over_sites == sorted(exact.over.capacity) == ["rabat"]


def test_held_plan_refuses_an_assignment_the_draw_makes_ineligible() -> None:
    scenario = parse_scenario(split())
    inputs = prepare_inputs(scenario)
    _, plan = solve_prepared(inputs, eligible_assignments(inputs))
    data = split()
    data["sites"][1]["call_types"] = ["other"]
    data["call_types"].append({**data["call_types"][0], "id": "other"})
    other = prepare_inputs(parse_scenario(data))
    with pytest.raises(ValueError, match="not eligible under these inputs"):
        price_held(hold(plan), other, eligible_assignments(other))


def test_variants_do_not_depend_on_the_variants_before() -> None:
    """Each variant starts from the kept plan: B after A is B alone, and the kept plan is
    priced held fixed under its own scenario at its own cost."""
    scenario = parse_scenario(split())
    volume = parse_scenario(drawn(split(), 1.1, 1.0))
    price = parse_scenario(split(cost_per_hour=17.0))
    alone = Workbench(scenario).variant(price)
    bench = Workbench(scenario)
    bench.variant(volume)
    after = bench.variant(price)
    assert after.terms_only and after.result is not None and alone.result is not None
    assert after.result.total_cost == alone.result.total_cost
    assert after.held.total_cost == pytest.approx(2_500 * 17 + 500 * 20)
    same = bench.variant(scenario)
    assert same.held.total_cost == pytest.approx(47_500)
    assert same.regret == pytest.approx(0.0, abs=1e-6)


def test_a_quick_variant_prices_the_held_plan_on_its_relaxation() -> None:
    """A quick what-if's relaxation (no queue openings, no room held back) is the model
    the held pricing builds: priced on it, the held plan's staffing, months and cost are
    those of a model built afresh, entry for entry; a fresh solve's (with openings) is
    not taken."""
    scenario = bestshore.load_scenario("scenarios/demo-study.yaml")
    draw = study_draw(scenario, 3)
    base = Workbench(scenario)
    base.solve()
    inputs = prepare_inputs(draw)
    eligible = eligible_assignments(inputs)
    _, quick = solve_prepared(inputs, eligible, check=False, previous=base._plan, quick=True)
    held = hold(base._plan)
    afresh = price_held(held, inputs, eligible)
    reused = price_held(held, inputs, eligible, relaxation=quick.relaxation)
    assert quick.relaxation is not None
    assert "queue_opening" not in [f.name for f in quick.relaxation.families]
    assert reused.total_cost == afresh.total_cost
    pd.testing.assert_frame_equal(reused.staffing, afresh.staffing)
    pd.testing.assert_frame_equal(reused.year.months, afresh.year.months)
    assert reused.over == afresh.over
    # priced on a copy: the plan's relaxation keeps its own solve, not the held pricing
    assert quick.relaxation.solution is not None
    assert quick.relaxation.solution.status != "held"
    _, full = solve_prepared(inputs, eligible, check=False)
    assert full.relaxation is not None
    assert "queue_opening" in [f.name for f in full.relaxation.families]
    again = price_held(held, inputs, eligible, relaxation=full.relaxation)
    assert again.total_cost == afresh.total_cost


@pytest.mark.slow
def test_a_warm_start_without_a_plan_falls_back_to_a_fresh_solve() -> None:
    """Draw 1 of demo-study's seed 2026: warm-started from the demo's plan, the first round
    held back the demo's margins and found no plan (it used to be reported infeasible);
    a fresh solve has one, so the quick variant must too. About 20 s."""
    scenario = bestshore.load_scenario("scenarios/demo-study.yaml")
    draw = study_draw(scenario, 1)
    bench = Workbench(scenario)
    quick = bench.variant(draw, quick=True)
    assert quick.error is None and quick.result is not None
    fresh = bestshore.solve(draw)
    # A quick what-if proves the convex relaxation's bound (no queue openings), the one
    # a fresh solve without openings proves, never above the fresh solve's.
    convex = draw.model_copy(deep=True)
    convex.settings.queue_opening = False
    convex.settings.lagrangian_bound = False  # the convex relaxation's bound alone
    convex_bound = bestshore.solve(convex).stamp["lower_bound"]
    assert quick.result.stamp["lower_bound"] == pytest.approx(convex_bound, rel=1e-9)
    assert quick.result.stamp["lower_bound"] <= fresh.stamp["lower_bound"] * (1 + 1e-9)
