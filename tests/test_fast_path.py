"""The fast path (arrays handed to HiGHS in one call) against the plain PuLP path.

Both hand HiGHS the same program, so they must return the same solution: same status,
same objective, same values and duals, and the staffing loop the same plan.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pulp
import pytest
from conftest import contracts_scenario, lisbon, tiny
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scenario_strategies import scenarios

import bestshore
from bestshore.model import (
    SourcingModel,
    build_model,
    eligible_assignments,
    prepare_inputs,
    solve_model,
)
from bestshore.model.constraints import Margins
from bestshore.model.inputs import with_new_terms
from bestshore.model.plan import OPENING_GAP, _bound, plan_sourcing
from bestshore.model.program import LinearProgram, solve_with_highs
from bestshore.model.reprice import reprice
from bestshore.scenario import ScenarioError, parse_scenario


def _plain() -> pulp.LpSolver:
    return pulp.HiGHS(msg=False, threads=1)


def _panel_scenario() -> bestshore.Scenario:
    """A MILP: three vendors, a two-vendor panel, a fixed cost on one site."""
    data = tiny(policies={"max_vendors": 2})
    data["vendors"].append({"id": "vc"})
    data["sites"].append(lisbon("vc", 1500, 12.0, fixed_cost=5000))
    return parse_scenario(data)


CASES: dict[str, Any] = {
    "demo": lambda: bestshore.load_scenario("scenarios/demo.yaml"),
    "demo-n2-nearshore": lambda: bestshore.load_scenario("scenarios/demo-n2-nearshore.yaml"),
    "panel-milp": _panel_scenario,
    "tiny-seats": lambda: parse_scenario(
        tiny(settings={"annual_hours_per_fte": 1000, "shrinkage": 0.0, "occupancy": 1.0})
    ),
}


@pytest.mark.parametrize(
    "case",
    # the demo's second variant (20 s) runs with make test-slow
    [
        pytest.param(c, marks=pytest.mark.slow) if c == "demo-n2-nearshore" else c
        for c in sorted(CASES)
    ],
)
def test_one_solve_is_identical_on_both_paths(case: str) -> None:
    inputs = prepare_inputs(CASES[case]())
    fast, plain = build_model(inputs), build_model(inputs)
    fast_outcome = solve_model(fast)
    plain_outcome = solve_model(plain, solver=_plain())
    assert fast_outcome.status == plain_outcome.status == "optimal"
    assert fast_outcome.objective == pytest.approx(plain_outcome.objective, rel=1e-12)
    assert fast.solution is not None and plain.solution is not None
    np.testing.assert_allclose(fast.solution.values, plain.solution.values, rtol=0, atol=1e-9)
    if fast.program.is_mip:
        assert fast.solution.duals is None
    else:
        np.testing.assert_allclose(fast.solution.duals, plain.solution.duals, rtol=1e-9, atol=1e-9)
    assert fast_outcome.num_col == plain_outcome.num_col == fast.program.num_col
    assert fast_outcome.num_row == plain_outcome.num_row == fast.program.num_row


@pytest.mark.parametrize(
    "case",
    # the demo on the plain PuLP path, about 26 s: `make test-slow`
    [pytest.param("demo", marks=pytest.mark.slow), "panel-milp"],
)
def test_the_solve_gives_the_same_relaxation_and_proven_plans_on_both_paths(case: str) -> None:
    # Both paths solve the same relaxation (the bound). The rounds after it restart
    # HiGHS from the round before on the fast path (the plain path cannot), so where
    # several optimal vertices tie the plans may differ: each must then lie within the
    # other's proven gap (both plans are bounded by the same relaxation).
    inputs = prepare_inputs(CASES[case]())
    fast = plan_sourcing(inputs).plan
    plain = plan_sourcing(inputs, solver=_plain()).plan
    assert fast is not None and plain is not None
    first, other = fast.history[0], plain.history[0]
    # With queue openings (the demo's pools) the relaxation is a MILP stopped within
    # OPENING_GAP: the paths may stop at other incumbents, each within it of the bound.
    milp = "queue_open" in fast.model.program.column_families()
    within = OPENING_GAP if milp else 1e-9
    assert first["lp_objective"] == pytest.approx(other["lp_objective"], rel=within)
    if not milp:
        assert first["exact_cost"] == pytest.approx(other["exact_cost"], rel=1e-9)
    # The relaxation's dual bounds agree within OPENING_GAP (each lies within it of the
    # MILP's optimum). The Lagrangian bound after it is evaluated at the duals of the
    # relaxation with the path's own incumbent's openings held: two incumbents give two
    # valid bounds that need not agree (the demo's: 7,799,918 and 7,758,091 EUR), each
    # at least its relaxation's and under both paths' plans.
    relaxed = [_bound(p.relaxation, p.relaxation.solution) for p in (fast, plain)]
    assert relaxed[0] is not None and relaxed[1] is not None
    assert relaxed[0] == pytest.approx(relaxed[1], rel=within)
    for plan, own in zip((fast, plain), relaxed, strict=True):
        assert plan.lower_bound is not None
        assert plan.lower_bound >= own
        assert plan.lower_bound <= min(fast.exact_cost, plain.exact_cost) * (1 + 1e-9)


@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios())
def test_random_scenarios_agree_on_both_paths(data: dict[str, Any]) -> None:
    inputs = prepare_inputs(parse_scenario(data))
    fast = solve_model(build_model(inputs))
    plain = solve_model(build_model(inputs), solver=_plain())
    assert fast.status == plain.status
    if fast.has_solution:
        assert fast.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-9)


def test_program_arrays_add_up_repeats_and_drop_zeros() -> None:
    lp = LinearProgram()
    x = lp.add_columns("x", ["a", "b", "c"], upper=np.array([1.0, 2.0, np.inf]))
    rows = lp.add_rows(
        "r", [1, 2], [x[[0, 1, 0]], x[[2]]], [np.array([1.0, 2.0, 3.0]), np.array([0.0])],
        upper=np.array([4.0, 5.0]),
    )  # fmt: skip
    lp.add_terms(rows[[1]], x[[1]], np.array([7.0]))
    lp.add_cost(x, np.array([1.0, 1.0, 1.0]))
    lp.add_cost(x[[0]], 2.0)
    arrays = lp.arrays()
    # row 1: 1·a + 3·a + 2·b = 4a + 2b; row 2: 0·c dropped, 7·b added
    assert arrays.a_start.tolist() == [0, 2, 3]
    assert arrays.a_index.tolist() == [0, 1, 1]
    assert arrays.a_value.tolist() == [4.0, 2.0, 7.0]
    assert arrays.cost.tolist() == [3.0, 1.0, 1.0]
    assert lp.row_keys("r") == {(1,): 0, (2,): 1}  # every key a tuple
    assert lp.column_names() == ["x[a]", "x[b]", "x[c]"]


def test_a_hand_lp_solves_to_its_textbook_optimum() -> None:
    """min -3a - 5b st a <= 4, 2b <= 12, 3a + 2b <= 18 (Hillier & Lieberman's Wyndor): a=2, b=6."""
    lp = LinearProgram()
    a, b = lp.add_columns("x", ["a", "b"])
    lp.add_rows(
        "plant", [1, 2, 3],
        [np.array([a]), np.array([b]), np.array([a, b])],
        [np.array([1.0]), np.array([2.0]), np.array([3.0, 2.0])],
        upper=np.array([4.0, 12.0, 18.0]),
    )  # fmt: skip
    lp.add_cost(np.array([a, b]), np.array([-3.0, -5.0]))
    solution, _ = solve_with_highs(lp.arrays())
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(-36.0)
    assert solution.values is not None and solution.duals is not None
    np.testing.assert_allclose(solution.values, [2.0, 6.0], atol=1e-9)
    # Shadow prices of the textbook: 0, 3/2 per unit of plant 2's 2b, 1 for plant 3.
    np.testing.assert_allclose(solution.duals, [0.0, -1.5, -1.0], atol=1e-9)


def test_the_pulp_model_is_the_same_program_and_writes_an_lp_file(tmp_path: Path) -> None:
    model = build_model(prepare_inputs(CASES["panel-milp"]()))
    problem, variables, constraints = model.program.to_pulp()
    assert len(variables) == model.program.num_col
    assert len(constraints) == model.program.num_row
    names = [v.name for v in variables]
    assert names[:2] == ["share[n1,fr,9,lisbon]", "share[n1,fr,9,paris]"]
    assert names[-4:] == ["on_panel[va]", "on_panel[vb]", "on_panel[vc]", "open_site[lisbon]"]
    # PuLP writes constraint names with its own character rules.
    assert constraints[0].name == "demand_n1,fr,9_"
    problem.writeLP(str(tmp_path / "model.lp"))
    text = (tmp_path / "model.lp").read_text()
    assert "panel_size" in text and "Binaries" in text


def test_arrays_in_written_order_equal_arrays_sorted_from_shuffled_terms() -> None:
    """The fast path (terms already in row and column order) gives the same matrix as the
    general one (any order, sorted and summed)."""
    program = build_model(prepare_inputs(CASES["demo"]())).program
    direct = program.arrays()
    rows, cols, vals = (
        np.concatenate(part) for part in (program._rows, program._cols, program._vals)
    )
    order = np.random.default_rng(3).permutation(len(rows))
    program._rows, program._cols, program._vals = [rows[order]], [cols[order]], [vals[order]]
    program._compiled = None  # arrays() keeps its result until the program changes
    shuffled = program.arrays()
    for name in ("a_start", "a_index", "a_value", "cost", "row_lower", "row_upper"):
        assert np.array_equal(getattr(direct, name), getattr(shuffled, name)), name


# -- re-pricing a built model (bestshore.model.reprice) ---------------------------------

_ARRAYS = (
    "cost", "offset", "col_lower", "col_upper", "integer", "row_lower", "row_upper",
    "a_start", "a_index", "a_value",
)  # fmt: skip


def _assert_same_program(fresh: SourcingModel, derived: SourcingModel | None) -> None:
    """``derived`` is the program ``fresh`` is, entry for entry (spliced and recomputed)."""
    assert derived is not None
    built, spliced = fresh.program.arrays(), derived.program.arrays()
    derived.program._compiled = None  # the derived lists compress to the same arrays
    for name in _ARRAYS:
        for mine in (spliced, derived.program.arrays()):
            assert np.array_equal(getattr(built, name), getattr(mine, name)), name
    assert derived.program.row_names() == fresh.program.row_names()
    assert derived.program.column_names() == fresh.program.column_names()
    # Every row, binary and slack is read back by its (family, key) label, so equal
    # labels and arrays are an equal model.
    for family in fresh.program.column_families():
        assert derived.program.column_keys(family) == fresh.program.column_keys(family)


REPRICED = {**CASES, "contracts": contracts_scenario}


@pytest.mark.parametrize("case", sorted(REPRICED))
def test_new_factors_and_margins_reprice_to_the_program_a_fresh_build_gives(case: str) -> None:
    inputs = prepare_inputs(REPRICED[case]())
    eligibility = eligible_assignments(inputs)
    base = build_model(inputs, eligibility=eligibility)
    pooled = eligibility.assignments["agents_per_erlang"].to_numpy()
    k = pooled * np.random.default_rng(7).uniform(1.0, 1.4, len(pooled))
    site = str(eligibility.assignments["site"].iloc[0])
    margins = Margins(capacity={site: 2.5})
    derived = reprice(base, inputs, eligibility=eligibility, agents_per_erlang=k, margins=margins)
    fresh = build_model(inputs, eligibility=eligibility, agents_per_erlang=k, margins=margins)
    _assert_same_program(fresh, derived)
    assert derived is not None and derived.solution is None
    # A re-priced model re-prices again (the staffing loop chains them), back to pooled.
    _assert_same_program(base, reprice(derived, inputs, eligibility=eligibility))


@pytest.mark.parametrize("case", sorted(REPRICED))
def test_new_terms_reprice_to_the_program_a_fresh_build_gives(case: str) -> None:
    scenario = REPRICED[case]()
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    base = build_model(inputs, eligibility=eligibility)
    bench = bestshore.Workbench(scenario)
    sites = [s.id for s in bench.scenario.sites]
    bench.set_rate(sites[0], 11.5)
    bench.set_capacity(sites[-1], 4_321.0)
    capped = [v.id for v in bench.scenario.vendors if v.max_share is not None]
    if capped:
        bench.set_vendor_cap(capped[0], 0.55)
    changed = with_new_terms(inputs, bench.scenario)
    repriced = eligibility.repriced(changed)
    derived = reprice(base, changed, eligibility=repriced)
    _assert_same_program(build_model(changed, eligibility=repriced), derived)


def test_changes_the_structure_cannot_take_build_afresh() -> None:
    scenario = contracts_scenario()
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    base = build_model(inputs, eligibility=eligibility)
    bench = bestshore.Workbench(scenario)
    bench.set_vendor_cap("va", 0.7)  # a cap where there was none: a new row
    changed = with_new_terms(inputs, bench.scenario)
    assert reprice(base, changed, eligibility=eligibility.repriced(changed)) is None
    other = scenario.model_copy(update={"policies": scenario.policies.model_copy(
        update={"scc_compliance_cost": 9_000.0})})  # fmt: skip
    assert reprice(base, with_new_terms(inputs, other), eligibility=eligibility) is None
    assert reprice(build_model(inputs, elastic=True), inputs) is None  # diagnosis builds


def test_a_write_outside_any_section_is_not_spliced() -> None:
    lp = LinearProgram()
    with lp.section("x"):
        x = lp.add_columns("x", ["a", "b"], upper=1.0)
        lp.add_rows("r", [0], [x], [np.array([1.0, 2.0])], upper=1.0)
    lp.add_cost(x, 1.0)  # no section: a re-price could not tell who wrote it
    part = LinearProgram(num_col=0, num_row=0)
    part.add_columns("x", ["a", "b"], upper=1.0)
    part.add_rows("r", [0], [x], [np.array([1.0, 3.0])], upper=1.0)
    assert lp.replaced({"x": part}) is None


@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios(), st.integers(0, 2**32 - 1), st.floats(0.5, 2.0))
def test_random_scenarios_reprice_to_a_fresh_build(
    data: dict[str, Any], seed: int, price: float
) -> None:
    scenario = parse_scenario(data)
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    assume(len(eligibility.assignments) > 0)
    base = build_model(inputs, eligibility=eligibility)
    rng = np.random.default_rng(seed)
    pooled = eligibility.assignments["agents_per_erlang"].to_numpy()
    k = pooled * rng.uniform(1.0, 1.5, len(pooled))
    seats = {(str(s), 9): 0.5 for s in inputs.sites.index}
    margins = Margins({str(s): float(rng.uniform(0, 3)) for s in inputs.sites.index}, seats)
    _assert_same_program(
        build_model(inputs, eligibility=eligibility, agents_per_erlang=k, margins=margins),
        reprice(base, inputs, eligibility=eligibility, agents_per_erlang=k, margins=margins),
    )
    bench = bestshore.Workbench(scenario, check=False)
    site = bench.scenario.sites[0]
    try:
        bench.set_rate(site.id, (site.cost_per_hour or 20.0) * price)
        bench.set_capacity(site.id, 5_000.0 * price)
    except ScenarioError:  # a site priced another way takes no hourly rate
        return
    changed = with_new_terms(inputs, bench.scenario)
    repriced = eligibility.repriced(changed)
    _assert_same_program(
        build_model(changed, eligibility=repriced, agents_per_erlang=k),
        reprice(base, changed, eligibility=repriced, agents_per_erlang=k),
    )


def _scaled(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """``data`` with what a Monte Carlo draw moves scaled at random: volumes, handle
    times, shrinkage, hourly prices."""
    changed = copy.deepcopy(data)
    for call_type in changed["call_types"]:
        call_type["volume"] = call_type["volume"] * float(rng.uniform(0.5, 1.6))
        call_type["aht_seconds"] = call_type["aht_seconds"] * float(rng.uniform(0.8, 1.25))
    for site in changed["sites"]:
        site["shrinkage"] = float(rng.uniform(0.0, 0.45))
        if site.get("cost_per_hour"):
            site["cost_per_hour"] = site["cost_per_hour"] * float(rng.uniform(0.8, 1.2))
    return changed


@settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_a_draw_keeps_the_eligible_rows_with_its_own_demand_and_prices(
    data: dict[str, Any], seed: int
) -> None:
    # Eligibility.with_demand (a Workbench variant moving demand, shrinkage and prices)
    # equals the eligible set derived afresh, column by column, bit for bit.
    scenario = parse_scenario(data)
    eligibility = eligible_assignments(prepare_inputs(scenario))
    changed = prepare_inputs(parse_scenario(_scaled(data, np.random.default_rng(seed))))
    fresh = eligible_assignments(changed)
    derived = eligibility.with_demand(changed)
    assert derived is not None
    pd.testing.assert_frame_equal(derived.assignments, fresh.assignments, check_exact=True)
    pd.testing.assert_frame_equal(derived.exclusions, fresh.exclusions, check_exact=True)


def test_a_draw_that_loses_a_demand_unit_derives_its_eligible_set_afresh() -> None:
    data = tiny()
    data["call_types"].append({**data["call_types"][0], "id": "c2", "volume": 500.0})
    scenario = parse_scenario(data)
    eligibility = eligible_assignments(prepare_inputs(scenario))
    assert (eligibility.assignments["call_type"] == "c2").any()
    data["call_types"][1]["volume"] = 0.0
    assert eligibility.with_demand(prepare_inputs(parse_scenario(data))) is None


def test_a_relaxation_started_from_a_keyed_basis_reaches_the_same_optimum() -> None:
    # KeyedBasis: the demo's relaxation's basis by name, handed to the same program (the
    # simplex is at its optimum at once) and to the relaxation of the demo with other
    # volumes and handle times (other facet rows): the same optimum as a cold solve.
    from bestshore.model.families import without
    from bestshore.model.program import KeyedBasis, _named, _same_keys

    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    families = without("queue_opening")
    inputs = prepare_inputs(scenario)
    base = build_model(inputs, eligibility=eligible_assignments(inputs), families=families)
    cold, highs = solve_with_highs(base.program.arrays())
    keyed = KeyedBasis.of(base.program, highs.getBasis())
    again, highs = solve_with_highs(base.program.arrays(), basis=keyed.for_program(base.program))
    assert again.objective == pytest.approx(cold.objective, rel=1e-9)
    assert highs.getInfo().simplex_iteration_count == 0
    data = scenario.model_dump(warnings=False)
    for k, call_type in enumerate(data["call_types"]):
        call_type["volume"] *= 1.0 + 0.07 * (k % 3)
        call_type["aht_seconds"] *= 1.0 - 0.04 * (k % 2)
    other = prepare_inputs(parse_scenario(data))
    model = build_model(other, eligibility=eligible_assignments(other), families=families)
    assert model.program.num_row != base.program.num_row  # other facets, other numbers
    fresh, _ = solve_with_highs(model.program.arrays())
    started = keyed.for_program(model.program)
    # blocks with the same keys (the share columns among them) take their statuses
    # whole: as found name by name
    assert any(
        _same_keys(block.keys, keyed.column_blocks[(block.family, block.start)][0])
        for block in model.program._col_blocks
        if block.family == "share" and (block.family, block.start) in keyed.column_blocks
    )
    status = highspy.HighsBasisStatus
    assert list(started.col_status) == [
        keyed.columns.get(name, status.kLower) for name in _named(model.program._col_blocks)
    ]
    assert list(started.row_status) == [
        keyed.rows.get(name, status.kBasic) for name in _named(model.program._row_blocks)
    ]
    warm, highs = solve_with_highs(model.program.arrays(), basis=started)
    assert warm.status == fresh.status == "optimal"
    assert warm.objective == pytest.approx(fresh.objective, rel=1e-9)
