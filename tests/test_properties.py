"""Property-based tests on random scenarios: checker, second solver, metamorphic relations.

The default run checks about 150 random scenarios; ``make test-slow`` runs thousands.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pulp
import pytest
from conftest import tiny
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from scenario_strategies import scenarios

import bestshore
from bestshore.model import FAMILIES, build_model, prepare_inputs, solve_model
from bestshore.model.inputs import rostered_sites
from bestshore.model.sets import RULE_FAMILIES
from bestshore.scenario import parse_scenario

LONG = os.environ.get("BESTSHORE_LONG_FUZZ") == "1"
EXAMPLES = 1000 if LONG else 50
METAMORPHIC = 150 if LONG else 25
COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    "derandomize": not LONG,
}


def _solve(data: dict[str, Any]) -> bestshore.Result | None:
    try:
        return bestshore.solve(parse_scenario(data))
    except bestshore.InfeasibleScenarioError as exc:
        findings = exc.diagnosis.findings
        assert not findings.empty, "an infeasible scenario must come back diagnosed"
        # Every finding names a sparsity rule or a family's row (the registry's).
        rows = {family for record in FAMILIES for family in record.row_families}
        assert set(findings["rule"]) <= {*RULE_FAMILIES, *rows}, set(findings["rule"])
        return None
    except bestshore.SolveError as exc:
        # The staffing loop may end without a plan whose Erlang staffing fits every
        # limit; it says so explicitly. Such examples prove nothing either way: skip.
        assert exc.status == "staffing_not_converged", exc
        reject()


def _linear(data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario staffed by workload (no service levels) and hour by hour (no
    roster: whole shifts are rounded by a heuristic): an exact LP or MILP."""
    linear = copy.deepcopy(data)
    for call_type in linear["call_types"]:
        call_type.pop("service_level", None)
    linear["settings"].pop("roster", None)
    return linear


def _solution_of(model: Any, values: Any) -> tuple[bool, float]:
    """Whether ``values`` satisfy every row and bound of ``model``'s program (integer
    columns whole), each within a millionth of its scale, and their cost: recomputed
    here with numpy, not taken from either solver."""
    arrays = model.program.arrays()
    x = np.asarray(values, dtype=float)
    products = arrays.a_value * x[arrays.a_index]
    owner = np.repeat(np.arange(arrays.num_row), np.diff(arrays.a_start))
    activity = np.bincount(owner, weights=products, minlength=arrays.num_row)
    scale = 1e-6 * (1.0 + np.bincount(owner, weights=np.abs(products), minlength=arrays.num_row))
    with np.errstate(invalid="ignore"):
        rows = (activity >= arrays.row_lower - scale) & (activity <= arrays.row_upper + scale)
    columns = (x >= arrays.col_lower - 1e-6 * (1 + np.abs(x))) & (
        x <= arrays.col_upper + 1e-6 * (1 + np.abs(x))
    )
    whole = np.abs(x[arrays.integer] - np.round(x[arrays.integer])) <= 1e-6
    return bool(rows.all() and columns.all() and whole.all()), float(
        arrays.cost @ x + arrays.offset
    )


@settings(max_examples=EXAMPLES, **COMMON)
@given(scenarios())
def test_random_scenarios_verify_and_agree_with_cbc(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    result = _solve(data)
    if result is not None:
        assert bestshore.verify(scenario, result) == []
    # The same LP (the staffing loop's first round) solved by HiGHS and by an
    # independent second solver, CBC, on two fresh builds.
    inputs = prepare_inputs(scenario)
    model = build_model(inputs)
    highs = solve_model(model)
    cbc = solve_model(build_model(inputs), solver=pulp.COIN_CMD(msg=False, gapRel=0.0))
    # CBC reports a MILP it closed at the zero gap asked for as stopped on the gap.
    cbc_status = "optimal" if cbc.status == "gap_limit" and cbc.has_solution else cbc.status
    assert highs.status == cbc_status
    if highs.status == "optimal" and cbc.objective != pytest.approx(
        highs.objective, rel=1e-6, abs=1e-6
    ):
        # The two disagree: HiGHS's plan must be a solution, and no solution CBC found
        # may be cheaper than HiGHS's proven bound: its objective for an LP; for a MILP,
        # stopped within HiGHS's relative gap of 1e-4, the dual bound (the long fuzz
        # found CBC's plan 5e-5 under HiGHS's, within that gap). (CBC's preprocessing
        # loses coefficients near 1e-12, a night hour's demand of 1e-9 contacts: it
        # then reports "optimal" a point 28 % above HiGHS's, or one off the rows.)
        found, cost = _solution_of(model, highs.values)
        assert found, "HiGHS's optimum breaks a row or a bound"
        assert cost == pytest.approx(highs.objective, rel=1e-6, abs=1e-6)
        assert highs.bound is not None and highs.bound <= cost + 1e-6 * max(1.0, abs(cost))
        if not model.program.is_mip:
            assert highs.bound == pytest.approx(cost, rel=1e-6, abs=1e-6)
        other, other_cost = _solution_of(model, cbc.values)
        assert not other or other_cost >= highs.bound - 1e-6 * max(1.0, abs(cost))
    if result is None:
        assert highs.status == "infeasible"
    elif rostered_sites(inputs):  # whole agents in whole shifts: the LP bounds the plan
        if result.stamp["lower_bound"] is not None:  # where the plan claims the bound
            assert highs.objective <= result.total_cost * (1 + 1e-9) + 1e-6
    elif not inputs.workloads["erlang"].any():  # linear staffing: the LP is the plan
        assert highs.objective == pytest.approx(result.total_cost, rel=1e-6, abs=1e-6)


@settings(max_examples=METAMORPHIC, **COMMON)
@given(scenarios(), st.data())
def test_adding_a_site_never_raises_cost(data: dict[str, Any], more: st.DataObject) -> None:
    data = _linear(data)
    before = _solve(data)
    bigger = copy.deepcopy(data)
    extra = copy.deepcopy(more.draw(st.sampled_from(data["sites"])))
    extra["id"] = "extra"
    extra["cost_per_hour"] = more.draw(st.integers(5, 45))
    extra.pop("price_per_fte_month", None)  # the extra site is priced by the hour
    extra.pop("price_per_contact", None)
    bigger["sites"].append(extra)
    after = _solve(bigger)
    if before is not None:
        assert after is not None
        assert after.total_cost <= before.total_cost * (1 + 1e-9) + 1e-6


@settings(max_examples=METAMORPHIC, **COMMON)
@given(
    scenarios(),
    st.sampled_from(["vendor_cap", "shore_rule", "capacity", "proficiency", "quality_gate"]),
)
def test_tightening_a_policy_never_lowers_cost(data: dict[str, Any], how: str) -> None:
    data = _linear(data)
    before = _solve(data)
    tighter = copy.deepcopy(data)
    if how == "vendor_cap":
        current = tighter["policies"].get("max_vendor_share", 1.0)
        tighter["policies"]["max_vendor_share"] = current * 0.8
    elif how == "shore_rule":
        rules = tighter["policies"].setdefault("shore_rules", [])
        rules.append({"levels": ["N2"], "shores": ["inshore"]})
    elif how == "capacity":
        for site in tighter["sites"]:
            key = "capacity_fte" if "capacity_fte" in site else "capacity_hours"
            site[key] = site[key] * 0.7
    elif how == "quality_gate":
        gates = tighter["policies"].setdefault("quality_gates", {})
        first = tighter["call_types"][0]["id"]
        gates[first] = max(gates.get(first, 0.0), 80.0)
    else:
        for call_type in tighter["call_types"]:
            call_type["min_proficiency"] = "native"
    after = _solve(tighter)
    if after is not None:
        assert before is not None, "a tighter scenario cannot be feasible when the looser is not"
        assert after.total_cost >= before.total_cost * (1 - 1e-9) - 1e-6


@settings(max_examples=METAMORPHIC, **COMMON)
@given(scenarios(), st.sampled_from([0.5, 2.0, 3.0]))
def test_scaling_prices_scales_cost_and_keeps_the_plan_optimal(
    data: dict[str, Any], k: float
) -> None:
    before = _solve(data)
    scaled = copy.deepcopy(data)
    for site in scaled["sites"]:
        for price in ("cost_per_hour", "price_per_fte_month", "price_per_contact"):
            if price in site:  # every pricing model scales (volume tiers are fractions)
                site[price] *= k
        site["rates"] = {c: r * k for c, r in site.get("rates", {}).items()}
        for money in ("setup_cost_per_fte", "transition_cost_per_fte", "fixed_cost"):
            if money in site:
                site[money] *= k
    for money in ("scc_compliance_cost", "recording_storage_price"):  # money scales too
        if money in scaled["policies"]:
            scaled["policies"][money] *= k
    after = _solve(scaled)
    if before is None:
        assert after is None
        return
    assert after is not None
    # The optimum scales by k. Each plan lies within its proven gap of its optimum (a
    # staffing loop's plan may be another than the scaled one: the solver's tolerances
    # are absolute), so the costs agree within the wider gap, and each bound, scaled,
    # stays under the other's plan.
    widest = max(before.stamp["gap"] or 0.0, after.stamp["gap"] or 0.0)
    gap = max(1e-7, widest / (1 - widest))  # a plan's cost over the optimum's
    assert after.total_cost == pytest.approx(k * before.total_cost, rel=gap, abs=1e-6)
    if after.stamp["lower_bound"] is not None:
        assert after.stamp["lower_bound"] <= k * before.total_cost * (1 + 1e-7) + 1e-6
    if before.stamp["lower_bound"] is not None:
        assert k * before.stamp["lower_bound"] <= after.total_cost * (1 + 1e-7) + 1e-6
    # The old plan, priced at the new rates, is still within the proven gap.
    assert ((before.allocation["cost"].sum() + before.kpis["fixed_cost"]) * k) == pytest.approx(
        after.total_cost, rel=gap, abs=1e-6
    )


@settings(max_examples=METAMORPHIC, **COMMON)
@given(scenarios(), st.randoms(use_true_random=False))
def test_permuting_sites_changes_nothing(data: dict[str, Any], rng: Any) -> None:
    before = _solve(data)
    shuffled = copy.deepcopy(data)
    rng.shuffle(shuffled["sites"])
    rng.shuffle(shuffled["call_types"])
    after = _solve(shuffled)
    if before is None:
        assert after is None
        return
    assert after is not None
    assert after.to_json(with_timing=False) == before.to_json(with_timing=False)


@pytest.mark.slow
def test_long_fuzz_run() -> None:
    """Marker for `make test-slow`: reruns this module with thousands of examples."""
    import subprocess
    import sys

    env = dict(os.environ, BESTSHORE_LONG_FUZZ="1")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
            "-m",
            "not slow",
        ],
        env=env,
        check=False,
    )
    assert proc.returncode == 0


def test_a_demand_unit_of_negligible_contacts_is_not_planned() -> None:
    # A profile's closed hours carry placeholder weights (the bundled n1_voice: 1e-8),
    # making units of about 1e-10 contacts a week whose LP coefficients HiGHS and CBC
    # disagree on. At or under NEGLIGIBLE_CALLS a unit is not planned, and the checker
    # asks no plan of it; a unit of some 4e-5 contacts a week still is planned.
    from bestshore.model.inputs import NEGLIGIBLE_CALLS

    data = tiny()
    weights = [1.0] * 168
    weights[2], weights[3] = 1e-14, 1e-5  # Monday 02:00 and 03:00, market time
    data["call_types"][0].update(hours="24/7", arrival_profile=weights)
    for site in data["sites"]:
        site["hours"] = "24/7"
    scenario = parse_scenario(data)
    demand = prepare_inputs(scenario).demand
    calls = demand["calls"]
    assert ("n1", "fr", 2) not in calls.index
    assert NEGLIGIBLE_CALLS < calls[("n1", "fr", 3)] < 1e-3
    result = bestshore.solve(scenario)  # checked by the independent checker
    hours = set(result.staffing["hour"].astype(int))
    assert 2 not in hours and 3 in hours
    assert bestshore.verify(scenario, result) == []


def test_the_fuzz_s_unbounded_roster_case_solves_or_is_diagnosed() -> None:
    # Found by the long fuzz: a flat year rostered in 8-hour shifts, pooled queues with
    # year columns y, c0's rate (5) below the site's hourly price (6). The roster took
    # its price off y, which no roster row held in a flat year: y cost 5 - 6 = -1 with
    # no upper bound, an unbounded LP for HiGHS and CBC. year_cover now holds y in the
    # sizing week's paid roster (its idle hours): both solvers find the optimum.
    path = Path(__file__).parent / "fuzz_cases" / "unbounded_roster.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    inputs = prepare_inputs(parse_scenario(data))
    highs = solve_model(build_model(inputs))
    cbc = solve_model(build_model(inputs), solver=pulp.COIN_CMD(msg=False, gapRel=0.0))
    assert highs.status == cbc.status == "optimal"
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-6)
    try:  # its LP has an optimum (above): a plan, or no plan that fits
        result = bestshore.solve(parse_scenario(data))
    except bestshore.SolveError as exc:
        # Its queues are open 18 hours a weekday, s0 has 134 h a week: whole agents
        # in 8-hour shifts cannot fit, fractional ones can (the fuzz skips these too).
        assert exc.status == "staffing_not_converged", exc
    else:
        assert bestshore.verify(parse_scenario(data), result) == []
        assert highs.objective <= result.total_cost * (1 + 1e-9)


def test_an_infeasible_lp_highs_leaves_unknown_is_proven_infeasible() -> None:
    # A mutant of the unbounded roster case (night voice on 8-hour shifts at a site of
    # one seat): after presolve HiGHS ended its infeasible LP "Unknown", which the solve
    # reported as a bare SolveError('undefined'). Solved again without presolve it is
    # infeasible (as CBC says), and the diagnosis names the shifts that cannot cover it.
    path = Path(__file__).parent / "fuzz_cases" / "highs_unknown_roster.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert solve_model(build_model(prepare_inputs(parse_scenario(data)))).status == "infeasible"
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(parse_scenario(data))
    assert set(caught.value.diagnosis.findings["rule"]) == {"shift_cover"}
