"""The agents on shift counted hour to hour (``shift_count``) give Dantzig's LP.

:func:`bestshore.model.roster.add_roster` writes the agents on shift ``o[s,h]`` as columns
of their own, tied to the shifts by difference rows (``o[h] - o[h-1]`` = shifts starting
at h less shifts that ended at h-1). Substituting ``o = Σ_{p ∋ h} n_p`` back gives
Dantzig's set-covering LP (every shift column in the cover and seat rows of each hour it
covers); both are solved here and must have the same optimum, and the count rows must
make ``o`` that sum in the solution: on hand cases (two windows a day, a window
wrapping round midnight, a site open round the clock) and on the rostered demo.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import tiny

from bestshore.model import prepare_inputs
from bestshore.model.build import SourcingModel, build_model
from bestshore.model.inputs import rostered_sites
from bestshore.model.program import ProgramArrays, solve_with_highs
from bestshore.model.roster import _patterns
from bestshore.scenario import load_scenario, parse_scenario
from bestshore.scenario.hours import HOURS_PER_WEEK

DEMO_ROSTER = Path(__file__).parents[1] / "scenarios" / "demo-roster.yaml"


def _cover(model: SourcingModel, on_family: str, shift_family: str) -> sp.csr_matrix:
    """(columns, columns) 0/1: row ``on[s,h]`` has the shift columns of s covering h."""
    program = model.program
    on = program.column_keys(on_family)
    rows, cols = [], []
    for (site, start, length), column in program.column_keys(shift_family).items():
        for hour in (int(start) + np.arange(int(length))) % HOURS_PER_WEEK:
            rows.append(on[(site, int(hour))])
            cols.append(column)
    n = program.num_col
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _dantzig(model: SourcingModel) -> ProgramArrays:
    """The model's LP with ``o`` substituted by the shifts covering each hour and the
    count rows dropped: Dantzig's formulation, the ``o`` columns left fixed at 0."""
    program = model.program
    arrays = program.arrays()
    a = sp.csr_matrix(
        (arrays.a_value, arrays.a_index, arrays.a_start), shape=(arrays.num_row, arrays.num_col)
    )
    cover = sp.csr_matrix((arrays.num_col, arrays.num_col))
    on_columns: list[int] = []
    count_rows: list[int] = []
    for on_family, shift_family, count_family in (
        ("on_shift", "shifts", "shift_count"),
        ("year_on_shift", "year_shifts", "year_shift_count"),
    ):
        if on_family not in program.column_families():
            continue
        on = list(program.column_keys(on_family).values())
        on_columns += on
        count_rows += list(program.row_keys(count_family).values())
        cover = cover + _cover(model, on_family, shift_family)
    on_array = np.array(on_columns)
    kept_columns = np.ones(arrays.num_col)
    kept_columns[on_array] = 0.0
    substitute = sp.diags(kept_columns, format="csr") + cover  # o's entries move to its shifts
    # o carries no cost and no bound of its own (o >= 0 follows from n >= 0)
    assert np.all(arrays.cost[on_array] == 0.0)
    assert np.all(arrays.col_lower[on_array] == 0.0) and np.all(
        np.isinf(arrays.col_upper[on_array])
    )
    kept = np.setdiff1d(np.arange(arrays.num_row), count_rows)
    replaced = (a @ substitute)[kept].tocsr()
    replaced.eliminate_zeros()
    replaced.sort_indices()
    upper = arrays.col_upper.copy()
    upper[on_array] = 0.0
    return dataclasses.replace(
        arrays,
        col_upper=upper,
        row_lower=arrays.row_lower[kept],
        row_upper=arrays.row_upper[kept],
        a_start=replaced.indptr.astype(np.int32),
        a_index=replaced.indices.astype(np.int32),
        a_value=replaced.data,
    )


def _same_lp(model: SourcingModel) -> None:
    ours, _ = solve_with_highs(model.program.arrays())
    theirs, _ = solve_with_highs(_dantzig(model))
    assert ours.status == theirs.status == "optimal"
    assert ours.objective is not None and theirs.objective is not None
    assert ours.objective == pytest.approx(theirs.objective, rel=1e-9, abs=1e-6)
    # the count rows make o the agents on shift of the solution's shifts
    assert ours.values is not None
    for on_family, shift_family in (("on_shift", "shifts"), ("year_on_shift", "year_shifts")):
        if on_family not in model.program.column_families():
            continue
        cover = _cover(model, on_family, shift_family)
        on = np.array(list(model.program.column_keys(on_family).values()))
        np.testing.assert_allclose(ours.values[on], (cover @ ours.values)[on], rtol=1e-7, atol=1e-6)


def _rostered(hours: dict[str, str]) -> dict[str, Any]:
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "flat"
    data["settings"]["roster"] = {"shift_hours": [4, 6, 8], "max_part_time_share": 0.5}
    data["sites"][1]["hours"] = hours
    return data


@pytest.mark.parametrize(
    "hours",
    [
        {"mon-fri": "08:00-13:00", "sat": "09:00-21:00"},  # two runs a weekday
        {"mon-sun": "00:00-24:00"},  # round the clock: an anchor hour
    ],
    ids=["windows", "round-the-clock"],
)
def test_counted_agents_on_shift_are_dantzigs_lp(hours: dict[str, str]) -> None:
    inputs = prepare_inputs(parse_scenario(_rostered(hours)))
    model = build_model(inputs)
    assert {"on_shift", "shifts"} <= set(model.program.column_families())
    _same_lp(model)


def test_a_site_open_round_the_clock_has_one_anchor_hour() -> None:
    inputs = prepare_inputs(parse_scenario(_rostered({"mon-sun": "00:00-24:00"})))
    rabat = _patterns(inputs, "rabat", rostered_sites(inputs)["rabat"])
    assert len(rabat.hours) == HOURS_PER_WEEK
    assert list(np.flatnonzero(rabat.before < 0)) == [0]  # the anchor: hour 0
    # its row counts every shift covering hour 0 (those that wrap from Sunday too)
    assert list(rabat.entering[0]) == list(np.flatnonzero(rabat.cover[0]))
    assert len(rabat.leaving[0]) == 0
    # elsewhere, the hour before's row, the shifts starting then and those that ended
    starts = rabat.patterns["start_hour"].to_numpy()
    ends = (starts + rabat.patterns["length_hours"].to_numpy()) % HOURS_PER_WEEK
    for i in (1, 50, 167):
        assert rabat.before[i] == i - 1
        assert list(rabat.entering[i]) == list(np.flatnonzero(starts == i))
        assert list(rabat.leaving[i]) == list(np.flatnonzero(ends == i))


def test_the_rostered_demos_first_lp_is_dantzigs() -> None:
    inputs = prepare_inputs(load_scenario(DEMO_ROSTER))
    model = build_model(inputs)
    assert "year_on_shift" in model.program.column_families()  # a seasonal year
    _same_lp(model)
