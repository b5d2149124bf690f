"""The benchmark's HiGHS floor writes bestshore's LP with shifts (bench/formulations.py).

The floor is the reference the bench compares bestshore with; with a roster or Erlang
service levels it must be the very LP of the first round of bestshore's solve, its
relaxation (envelopes of the Erlang-staffed rows, rosters paid): the same rows and
columns in the same order, the same coefficients, bounds and costs, the same optimum.
Only the smallest generated size, so it stays a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("scipy")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/ is not a package of the distribution
    sys.path.insert(0, str(ROOT))

from bench.formulations import check_families, floor_lp, rostered_sites, solve_floor  # noqa: E402
from bench.scenarios import scenario_dict  # noqa: E402
from bestshore.examples import tiny  # noqa: E402
from bestshore.model.build import SourcingModel, build_model  # noqa: E402
from bestshore.model.inputs import ModelInputs, prepare_inputs  # noqa: E402
from bestshore.model.inputs import rostered_sites as bestshore_rostered  # noqa: E402
from bestshore.model.sets import Eligibility, eligible_assignments  # noqa: E402
from bestshore.model.solve import solve_model  # noqa: E402
from bestshore.scenario.schema import Scenario  # noqa: E402


def _rostered_data() -> dict[str, Any]:
    """Size S rostered: settings' shifts with a part-time cap, one vendor's and one
    site's own roster (other lengths, starts every 2 h). Its year is seasonal."""
    data = scenario_dict("S", shifts=True)
    data["settings"]["roster"]["max_part_time_share"] = 0.4
    data["vendors"][0]["roster"] = {"shift_hours": [6, 8], "start_every_hours": 2}
    data["sites"][0]["roster"] = {"shift_hours": [5, 9], "max_part_time_share": 0.25}
    return data


def _prepared(data: dict[str, Any]) -> tuple[ModelInputs, Eligibility]:
    inputs = prepare_inputs(Scenario.model_validate(data))
    return inputs, eligible_assignments(inputs)


@pytest.fixture(scope="module")
def rostered() -> tuple[ModelInputs, Eligibility]:
    return _prepared(_rostered_data())


@pytest.fixture(scope="module", params=["planning", "whole"])
def erlang_rostered(request: pytest.FixtureRequest) -> tuple[ModelInputs, Eligibility]:
    """The rostered S with service goals on its real-time call types (80/20, and an ASA
    goal on every other one), capacity and seats doubled (Erlang C needs more agents
    than the workload): every such row has an envelope; staffed in whole agents, also
    hull and year facets, pooling floors and year columns in the average roster."""
    data = _rostered_data()
    data["settings"]["staffing_model"] = request.param
    # languages apart: every row its own queue, so split units get pooling floors
    # (language pools: test_floor_writes_language_pools_and_queue_openings)
    data["settings"]["pool_languages"] = False
    for i, call_type in enumerate(data["call_types"]):
        if call_type["channel"] in ("voice", "chat"):
            goal = {"target": 0.8, "answer_seconds": 20} if i % 2 == 0 else {"asa_seconds": 30}
            call_type["service_level"] = goal
    for site in data["sites"]:
        site["capacity_fte"] *= 2
        site["max_agents"] *= 2
    return _prepared(data)


def _same_lp_solved(inputs: ModelInputs, eligibility: Eligibility) -> SourcingModel:
    """The floor's arrays are bestshore's, entry for entry (binaries included), and one
    solve each agrees; bestshore's model is returned."""
    assert rostered_sites(inputs).keys() == bestshore_rostered(inputs).keys()
    model = build_model(inputs, eligibility=eligibility)
    ours = model.program.arrays()
    floor = floor_lp(inputs, eligibility)
    assert floor.matrix.shape == (ours.num_row, ours.num_col)
    assert floor.roster_sites  # the roster is there
    np.testing.assert_array_equal(floor.integer, ours.integer)
    np.testing.assert_array_equal(floor.matrix.indptr, ours.a_start)
    np.testing.assert_array_equal(floor.matrix.indices, ours.a_index)
    np.testing.assert_allclose(floor.matrix.data, ours.a_value, rtol=1e-12)
    np.testing.assert_allclose(floor.cost, ours.cost, rtol=1e-12, atol=1e-9)
    for mine, theirs in (
        (floor.col_lower, ours.col_lower),
        (floor.col_upper, ours.col_upper),
        (floor.row_lower, ours.row_lower),
        (floor.row_upper, ours.row_upper),
    ):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    # One solve each: the same optimum (the bench's cross-check, here on the small size).
    solution = solve_model(model)
    run = solve_floor(inputs, eligibility, first_round=True)
    assert solution.status == run.status == "optimal"
    assert solution.objective is not None
    assert abs(run.objective - solution.objective) <= 1e-6 * abs(solution.objective)
    return model


def test_floor_writes_the_first_rounds_lp_with_shifts(
    rostered: tuple[ModelInputs, Eligibility],
) -> None:
    _same_lp_solved(*rostered)


def test_floor_writes_the_relaxations_envelopes(
    erlang_rostered: tuple[ModelInputs, Eligibility],
) -> None:
    inputs, eligibility = erlang_rostered
    families = set(_same_lp_solved(inputs, eligibility).program.column_families())
    assert {"queue_agents", "year_shifts"} <= families
    whole = inputs.scenario.settings.staffing_model == "whole"
    assert ("queue_year" in families) == whole


def _pooled_data(model: str) -> dict[str, Any]:
    """Three sites, two call types with service goals (80/20 with a seasonal year, and an
    ASA goal), several languages each: at every site a call type's languages it takes
    form a pool (``pool_languages``, the default); Rabat alone rostered, so the queues
    of Paris and Lisbon are opened by binaries (``queue_opening``, the default), and
    N2's French at Rabat and Lisbon, one language there, is a queue of its own."""
    data = tiny()
    data["settings"].update(staffing_model=model, occupancy=0.85, shrinkage=0.3)
    open_hours = {"mon-sat": "07:00-21:00"}
    data["call_types"] = [
        {
            "id": "n1", "level": "N1", "volume": 400_000, "aht_seconds": 300,
            "languages": {"fr": 0.6, "en": 0.3, "es": 0.1},
            "hours": {"mon-fri": "08:00-18:00", "sat": "09:00-13:00"},
            "service_level": {"target": 0.8, "answer_seconds": 20},
            "seasonality": [1.2, 1.1, 1.0, 0.9, 0.9, 1.0, 0.8, 0.8, 1.1, 1.0, 1.0, 1.2],
        },
        {
            "id": "n2", "level": "N2", "volume": 60_000, "aht_seconds": 600,
            "languages": {"fr": 0.5, "de": 0.5}, "hours": {"mon-fri": "09:00-17:00"},
            "service_level": {"asa_seconds": 30},
        },
    ]  # fmt: skip
    data["sites"] = [
        {
            "id": "paris", "vendor": "va", "country": "FR", "city": "Paris",
            "languages": {"fr": "native", "en": "C1", "de": "C1"},
            "capacity_hours": 120_000, "cost_per_hour": 30.0, "hours": open_hours,
        },
        {
            "id": "rabat", "vendor": "vb", "country": "MA", "city": "Rabat",
            "languages": {"fr": "native", "es": "C1"}, "capacity_hours": 90_000,
            "cost_per_hour": 15.0, "hours": open_hours, "roster": {"shift_hours": [4, 8]},
        },
        {
            "id": "lisbon", "vendor": "vb", "country": "PT", "city": "Lisbon",
            "languages": {"fr": "C1", "en": "C1", "es": "native"},
            "capacity_hours": 90_000, "cost_per_hour": 20.0, "hours": open_hours,
        },
    ]  # fmt: skip
    return data


@pytest.mark.parametrize("model", ["planning", "whole"])
def test_floor_writes_language_pools_and_queue_openings(model: str) -> None:
    inputs, eligibility = _prepared(_pooled_data(model))
    check_families(inputs, roster=True, first_round=True)  # pools are the floor's too
    solved = _same_lp_solved(inputs, eligibility)
    envelopes = solved.variables.envelopes
    assert envelopes is not None and envelopes.pools and envelopes.pool_year_cuts
    assert len(envelopes.pool_hull) and len(envelopes.pool_year)
    assert {"queue_year", "queue_open"} <= set(solved.program.column_families())
    opened = solved.program.column_keys("queue_open")
    assert any("+" in key[1] for key in opened)  # a pool opened
    assert all(key[3] != "rabat" for key in opened)  # none at the rostered site
    if model == "whole":  # a queue of one language opened too
        assert any("+" not in key[1] for key in opened)


def test_the_other_references_refuse_a_roster(rostered: tuple[ModelInputs, Eligibility]) -> None:
    inputs, _ = rostered
    with pytest.raises(ValueError, match="roster"):
        check_families(inputs)  # naive PuLP and linopy do not write shifts
    check_families(inputs, roster=True)  # the floor does


def test_the_references_refuse_todays_split() -> None:
    from bestshore.scenario import parse_scenario

    today = {"paris": {"n1": 2.0}, "rabat": {"n1": 1.0}}
    plain = parse_scenario(tiny(incumbent=today))
    check_families(prepare_inputs(plain))  # an incumbent without switching costs adds no row
    kept = parse_scenario(tiny(incumbent=today, policies={"keep_todays_split": True}))
    with pytest.raises(ValueError, match=r"policies\.keep_todays_split"):
        check_families(prepare_inputs(kept), roster=True)


def test_the_other_references_refuse_erlang_staffing(
    erlang_rostered: tuple[ModelInputs, Eligibility],
) -> None:
    inputs, _ = erlang_rostered
    with pytest.raises(ValueError, match="service_level"):
        check_families(inputs, roster=True)  # naive PuLP and linopy write no envelopes
    check_families(inputs, roster=True, first_round=True)  # the floor does


@pytest.mark.parametrize(
    ("where", "name", "value"),
    [
        ("sites", "channels", 40),
        ("sites", "setup_cost_per_fte", 1500.0),
        ("call_types", "max_sites", 2),
        ("policies", "nps_floors", {"mobile_billing": 10.0}),
        ("policies", "min_team_fte", 5.0),
    ],
)
def test_every_reference_refuses_rows_it_does_not_write(where: str, name: str, value: Any) -> None:
    data = scenario_dict("S")
    if where == "policies":
        data["policies"][name] = value
    else:
        data[where][0][name] = value
    inputs = prepare_inputs(Scenario.model_validate(data))
    with pytest.raises(ValueError, match=name):
        check_families(inputs, roster=True, first_round=True)
