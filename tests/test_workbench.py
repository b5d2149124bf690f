"""The Workbench: what-ifs re-solved from kept inputs give the answers a fresh solve gives."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from conftest import contracts_scenario, lisbon, study_draw, tiny

import bestshore
from bestshore.scenario import parse_scenario


def _same(result: bestshore.Result, fresh: bestshore.Result) -> None:
    assert result.total_cost == pytest.approx(fresh.total_cost, rel=1e-9)
    columns = ["call_type", "language", "site", "volume"]
    mine = result.allocation[columns].sort_values(columns[:3]).reset_index(drop=True)
    theirs = fresh.allocation[columns].sort_values(columns[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs, rtol=1e-6, atol=1e-6)


def test_tiny_what_ifs_match_hand_optima_and_fresh_solves() -> None:
    bench = bestshore.Workbench(parse_scenario(tiny()))
    # Rabat takes the 3,000 h at 15 EUR/h.
    assert bench.solve().total_cost == pytest.approx(45_000)
    # Vendor vb (Rabat) capped at 40 %: 1,200 h x 15 + 1,800 h x 30 = 72,000.
    bench.set_vendor_cap("vb", 0.4)
    capped = bench.solve()
    assert capped.total_cost == pytest.approx(72_000)
    assert list(capped.binding["key"]) == ["vb"]
    # Rabat at 35 EUR/h: Paris (30 EUR/h, room for 10,000 h) takes all 3,000 h = 90,000.
    bench.set_rate("rabat", 35.0)
    assert bench.solve().total_cost == pytest.approx(3_000 * 30)
    # Cap removed, Rabat back at 15 EUR/h but only 1,000 h a year of capacity:
    # 1,000 x 15 + 2,000 x 30 = 75,000 (yearly hours; the model plans per week).
    bench.set_vendor_cap("vb", None)
    bench.set_rate("rabat", 15.0)
    bench.set_capacity("rabat", 1_000)
    result = bench.solve()
    assert result.total_cost == pytest.approx(75_000)
    _same(result, bestshore.solve(bench.scenario))


def test_rate_card_entry_and_bad_changes() -> None:
    bench = bestshore.Workbench(parse_scenario(tiny()))
    bench.set_rate("paris", 10.0, call_type="n1")  # rate card beats the site's price
    assert bench.solve().total_cost == pytest.approx(30_000)
    assert bench.scenario.sites[0].rates == {"n1": 10.0}
    with pytest.raises(bestshore.ScenarioError, match="unknown site 'tokyo'"):
        bench.set_rate("tokyo", 10.0)
    with pytest.raises(bestshore.ScenarioError, match="site paris: cost_per_hour"):
        bench.set_rate("paris", -1.0)
    with pytest.raises(bestshore.ScenarioError, match="vendor va: max_share"):
        bench.set_vendor_cap("va", 1.5)
    with pytest.raises(bestshore.ScenarioError, match="unknown vendor"):
        bench.set_vendor_cap("nobody", 0.5)
    with pytest.raises(bestshore.ScenarioError, match="unknown call type"):
        bench.set_rate("paris", 10.0, call_type="n9")
    # A rejected change leaves the scenario as it was.
    assert bench.solve().total_cost == pytest.approx(30_000)


def test_linear_sweep_restarts_highs_and_matches_fresh_solves() -> None:
    data = tiny()
    data["sites"].append(lisbon("va", 2000, 20.0))
    data["vendors"][1]["max_share"] = 0.5
    bench = bestshore.Workbench(parse_scenario(data))
    bench.solve()
    for rate in (12.0, 18.0, 25.0, 31.0):
        bench.set_rate("lisbon", rate)
        _same(bench.solve(), bestshore.solve(bench.scenario))
    # Only costs changed: HiGHS got them in place and restarted from its basis.
    assert bench._session.restarts == 4


def test_quick_variants_are_their_own_whatever_came_before() -> None:
    """A quick variant (a warm Monte Carlo draw) keeps one HiGHS instance for its own
    rounds (each restarted from the round before, its linearized rounds from the
    accepted round's basis) and none between variants: a draw's plan is the same solved
    first, after another draw, or on another Workbench; checked and proven like any."""
    scenario = bestshore.load_scenario("scenarios/demo-study.yaml")
    draw, other = study_draw(scenario, 0), study_draw(scenario, 3)
    bench = bestshore.Workbench(scenario)
    alone = bench.variant(draw, quick=True)
    bench.variant(other, quick=True)
    again = bench.variant(draw, quick=True)
    elsewhere = bestshore.Workbench(scenario).variant(draw, quick=True)
    assert alone.result is not None
    for repeat in (again, elsewhere):
        assert repeat.result is not None
        pd.testing.assert_frame_equal(repeat.result.staffing, alone.result.staffing)
        assert repeat.result.stamp["lower_bound"] == alone.result.stamp["lower_bound"]
        assert repeat.held.total_cost == alone.held.total_cost
    result = alone.result
    assert bestshore.verify(draw, result) == []
    bound = result.stamp["lower_bound"]
    assert bound <= result.total_cost
    assert result.stamp["gap"] == pytest.approx(1 - bound / result.total_cost)


def test_demo_what_if_is_exactly_a_fresh_solve_and_quick_mode_is_checked() -> None:
    bench = bestshore.Workbench("scenarios/demo.yaml")
    base = bench.solve()
    assert base.total_cost == pytest.approx(bestshore.solve("scenarios/demo.yaml").total_cost)
    bench.set_rate("marrakech", 14.0)
    _same(bench.solve(), bestshore.solve(bench.scenario))
    assert {"inputs", "build", "solve", "extract", "verify"} <= set(bench.timings)
    bench.set_rate("marrakech", 16.0)
    quick = bench.solve(quick=True)
    fresh = bestshore.solve(bench.scenario)
    assert bestshore.verify(bench.scenario, quick) == []
    # Warm-started, yet bounded: quick mode solves the convex relaxation (no queue
    # openings' MILP) on its own, which proves the bound a fresh solve without openings
    # proves, never above the fresh solve's, so the quick plan's gap is proven too
    # (issue 13: history-free what-ifs).
    convex = bench.scenario.model_copy(deep=True)
    convex.settings.queue_opening = False
    convex.settings.lagrangian_bound = False  # the convex relaxation's bound alone
    convex_bound = bestshore.solve(convex).stamp["lower_bound"]
    assert quick.stamp["lower_bound"] == pytest.approx(convex_bound, rel=1e-9)
    assert quick.stamp["lower_bound"] <= fresh.stamp["lower_bound"] * (1 + 1e-9)
    assert quick.stamp["gap"] == pytest.approx(1 - convex_bound / quick.total_cost)
    assert quick.status == "feasible"
    # Both are staffing-loop plans within their proven gaps of the same optimum.
    assert quick.total_cost == pytest.approx(fresh.total_cost, rel=0.02)


_CHANGES: dict[str, Callable[[bestshore.Workbench], None]] = {
    "rate": lambda b: b.set_rate("marrakech", 15.5),
    "capacity": lambda b: b.set_capacity("lisbon", 60_000),
    "cap": lambda b: b.set_vendor_cap(_capped_vendor(b), 0.4),
}
_ORDERS = list(itertools.permutations(_CHANGES))


@functools.cache
def _fresh_after_all_changes() -> bestshore.Result:
    bench = bestshore.Workbench("scenarios/demo.yaml", check=False)
    for change in _CHANGES.values():
        change(bench)
    return bestshore.solve(bench.scenario)


@pytest.mark.parametrize(
    "order",
    [_ORDERS[0], *(pytest.param(o, marks=pytest.mark.slow) for o in _ORDERS[1:])],
)
def test_the_same_terms_in_any_order_give_the_same_plan(order: tuple[str, ...]) -> None:
    # A what-if's answer is a function of the terms, not of the path to them: three
    # changes applied in any order (solving after each) give the plan a fresh solve
    # gives. One order in the default run (each order is five solves of the demo), the
    # other five with make test-slow.
    bench = bestshore.Workbench("scenarios/demo.yaml", check=False)
    bench.solve()
    for name in order:
        _CHANGES[name](bench)
        bench.solve()
    _same(bench.solve(), _fresh_after_all_changes())


def _capped_vendor(bench: bestshore.Workbench) -> str:
    return next(v.id for v in bench.scenario.vendors)


def _workload() -> bestshore.Scenario:
    """Workload sizing (no Erlang): three sites, two vendors capped."""
    data = tiny()
    data["sites"].append(lisbon("va", 2000, 20.0))
    data["vendors"][0]["max_share"] = 0.8
    data["vendors"][1]["max_share"] = 0.5
    return parse_scenario(data)


def _erlang() -> bestshore.Scenario:
    return bestshore.load_scenario("scenarios/demo.yaml")


# Scenario, the site re-priced and re-sized, a capped vendor, and whether removing that
# vendor's own cap removes a row (the demo's policy caps every vendor at 45 %).
WHAT_IFS: dict[str, tuple[Callable[[], bestshore.Scenario], str, str, bool]] = {
    "workload": (_workload, "lisbon", "vb", True),
    "contracts": (contracts_scenario, "lisbon", "vb", True),
    "erlang": (_erlang, "marrakech", "mistral", False),
}


@pytest.mark.parametrize(
    "case",
    # the Erlang case re-solves a demo-sized scenario several times, about 20 s: `make test-slow`
    [pytest.param(c, marks=pytest.mark.slow) if c == "erlang" else c for c in sorted(WHAT_IFS)],
)
def test_what_ifs_reprice_the_kept_model_and_equal_fresh_solves(case: str) -> None:
    make, site, vendor, removes_row = WHAT_IFS[case]
    bench = bestshore.Workbench(make())
    first = bench.solve()
    assert bench.timings["model_builds"] == 1
    rate = next(s.cost_per_hour for s in bench.scenario.sites if s.id == site)
    worked = first.allocation.groupby("site")["productive_hours"].sum()[site]
    changes: list[Callable[[], Any]] = [
        lambda: bench.set_rate(site, 0.8 * rate),
        lambda: bench.set_vendor_cap(vendor, 0.3),
        lambda: bench.set_capacity(site, 0.9 * worked),
    ]
    for change in changes:
        change()
        result = bench.solve()
        # The model was re-priced, never built (every Erlang round re-priced too).
        assert bench.timings["model_builds"] == 0
        _same(result, bestshore.solve(bench.scenario))
    # Removing a cap removes its row: the kept structure cannot take it, a build does.
    bench.set_vendor_cap(vendor, None)
    result = bench.solve()
    assert bench.timings["model_builds"] == (1 if removes_row else 0)
    _same(result, bestshore.solve(bench.scenario))


def test_a_quick_fit_round_grows_a_seat_margin_by_one_agent_at_least() -> None:
    # grow_margins: an overshoot grows its margin 1.5 times over; a quick what-if's seat
    # margins by QUICK_SEAT_STEP (one agent) at least, its capacity margins as ever.
    from bestshore.model.constraints import Margins
    from bestshore.model.plan import QUICK_SEAT_STEP, grow_margins

    held = Margins({"a": 2.0}, {("a", 9): 0.25})
    over = Margins({"a": 0.02}, {("a", 9): 0.02, ("a", 10): 1.0})
    fresh = grow_margins(held, over)
    quick = grow_margins(held, over, least_seats=QUICK_SEAT_STEP)
    assert fresh.capacity["a"] == pytest.approx(2.0 + 1.5 * 0.02, abs=1e-5)
    assert quick.capacity == fresh.capacity
    assert fresh.seats[("a", 9)] == pytest.approx(0.25 + 0.03, abs=1e-5)
    assert QUICK_SEAT_STEP == 1.0
    assert quick.seats[("a", 9)] == pytest.approx(0.25 + 1.0)
    assert quick.seats[("a", 10)] == fresh.seats[("a", 10)] == pytest.approx(1.5, abs=1e-5)
    assert held.seats == {("a", 9): 0.25}  # the margins given are not changed
