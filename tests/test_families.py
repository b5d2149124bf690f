"""The registry of constraint families: adding one is its function plus one record.

The toy family below is added the way a new family would be: an ``add_*`` function and a
:class:`Family` record in the registry (here the registry is patched, as editing
``bestshore/model/families.py`` would). Nothing else is touched, yet the build, the
re-pricing of a what-if, the binding rules of the result, the diagnosis of an
infeasible scenario and the independent checker all take it in.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import tiny

import bestshore
from bestshore.model import build_model, families, prepare_inputs, solve_model
from bestshore.model.constraints import Variables
from bestshore.model.families import FAMILIES, READ_TAGS, Family
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram
from bestshore.scenario import parse_scenario

RABAT_HOURS = 1_000.0  # the toy rule: Rabat works at most 1,000 productive h a year


def add_rabat_cap(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Toy family: Rabat works at most ``RABAT_HOURS`` a year.

    .. math:: \sum_{d} k A_d x_{d,rabat} \le 1000 / 52.18

    Name ``rabat_cap[rabat]``. Elastic slack: the hours above it.
    """
    rows = variables.eligibility.groups("site").get("rabat")
    if rows is None:
        return
    weekly = RABAT_HOURS * 7 / 365.25
    (row,) = lp.add_rows(
        "rabat_cap", ["rabat"], [variables.share[rows]], [variables.agent_hours[rows]],
        upper=weekly,
    )  # fmt: skip
    if variables.elastic:
        (slack,) = lp.add_columns("slack_rabat_cap", ["rabat"])
        lp.add_terms(np.array([row]), np.array([slack]), np.array([-1.0]))
        lp.add_cost(np.array([slack]), 1.0)


def _relaxed(model: Any, family: str, slacks: pd.Series) -> list[dict[str, object]]:
    return [
        {"rule": family, "key": key[0], "amount": float(v), "unit": "h/week",
         "message": f"the toy cap at {key[0]} must give {v:.1f} h a week"}
        for key, v in slacks.items()
    ]  # fmt: skip


TOY = Family(
    "rabat_cap",
    add_rabat_cap,
    dual_unit="currency/yr per productive h/week",
    binding=lambda inputs, family, key: f"the toy cap holds {key[0]} to {RABAT_HOURS:,.0f} h",
    relaxed=_relaxed,
)


@pytest.fixture
def with_toy(monkeypatch: pytest.MonkeyPatch) -> tuple[Family, ...]:
    registry = (*FAMILIES[:-1], TOY, FAMILIES[-1])  # before the objective
    monkeypatch.setattr(families, "FAMILIES", registry)
    return registry


def test_a_toy_family_is_built_priced_explained_and_diagnosed(with_toy: Any) -> None:
    # Without it, all 3,000 h go to Rabat at 15 EUR/h; with it, Rabat takes 1,000 h
    # and Paris the other 2,000 at 30 EUR/h: 15,000 + 60,000.
    scenario = parse_scenario(tiny())
    result = bestshore.solve(scenario)
    assert result.total_cost == pytest.approx(1000 * 15 + 2000 * 30)
    binding = result.binding.set_index("family")
    assert binding.at["rabat_cap", "message"] == "the toy cap holds rabat to 1,000 h"
    # Its dual: one more hour a year at Rabat saves 15 EUR, so a productive hour a
    # week saves 15 x 52.18 a year.
    assert binding.at["rabat_cap", "dual"] == pytest.approx(-15 * 365.25 / 7)

    model = build_model(prepare_inputs(scenario))
    assert list(model.rows("rabat_cap")) == [("rabat",)]
    assert "rabat_cap" in model.program.sections
    assert solve_model(model).objective == pytest.approx(75_000)


def test_a_toy_family_is_written_again_in_a_what_if(with_toy: Any) -> None:
    bench = bestshore.Workbench(parse_scenario(tiny()))
    assert bench.solve().total_cost == pytest.approx(75_000)
    bench.set_rate("paris", 20.0)  # a re-priced model: the toy (reads unknown) written again
    assert bench.solve().total_cost == pytest.approx(1000 * 15 + 2000 * 20)
    assert bench.timings["model_builds"] == 0


def test_a_toy_family_names_itself_in_a_diagnosis(with_toy: Any) -> None:
    # Rabat alone (ample capacity) but the toy cap lets it work 1,000 of the 3,000 h:
    # only the toy rule can give, by 2,000 h a year.
    data = tiny()
    data["sites"] = data["sites"][1:]
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        bestshore.solve(parse_scenario(data))
    findings = caught.value.diagnosis.findings
    assert list(findings["rule"]) == ["rabat_cap"], findings
    assert findings["amount"].iloc[0] == pytest.approx(2000 * 7 / 365.25)
    assert findings["message"].iloc[0].startswith("the toy cap at rabat must give")


# -- the registry itself ---------------------------------------------------------------


def test_every_family_is_named_once_and_reads_known_tags() -> None:
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))
    rows = [r for f in FAMILIES for r in f.row_families]
    assert len(rows) == len(set(rows)), "a row family written by two families"
    for record in FAMILIES:
        assert record.reads is not None, f"{record.name}: say what it reads"
        assert record.reads <= set(READ_TAGS), record.name
        doc = record.add.__doc__ or ""
        assert ".. math::" in doc, f"{record.name}: the math belongs in {record.add.__name__}"
    assert names[-1] == "objective"


def test_families_write_only_their_own_rows_and_label_every_key_as_a_tuple() -> None:
    from conftest import contracts_scenario

    data = tiny(policies={"max_site_share": 0.6, "min_inshore_share": 0.1, "max_vendors": 2})
    data["sites"][1]["fixed_cost"] = 10.0
    for scenario in (parse_scenario(data), contracts_scenario()):
        model = build_model(prepare_inputs(scenario))
        program = model.program
        for record in model.families:
            section = program.sections[record.name]
            first, last = section.row_blocks
            written = {block.family for block in program._row_blocks[first:last]}
            assert written <= set(record.row_families), (record.name, written)
        for block in [*program._row_blocks, *program._col_blocks]:
            if not isinstance(block.keys, pd.DataFrame):
                assert all(isinstance(key, tuple) for key in block.keys), block.family


def test_families_own_their_costs_and_a_reprice_keeps_them() -> None:
    """Fixed costs, shortfalls and discounts are written in the owner's section: a
    model re-priced at new rates pays them exactly as a fresh build."""
    from conftest import contracts_scenario

    from bestshore.model.inputs import with_new_terms
    from bestshore.model.reprice import reprice

    scenario = contracts_scenario()
    inputs = prepare_inputs(scenario)
    base = build_model(inputs)
    lisbon = base.program.column_keys("open_site")[("lisbon",)]
    assert base.program.arrays().cost[lisbon] == pytest.approx(1_000)
    sites = [
        s.model_copy(update={"cost_per_hour": 12.0}) if s.id == "paris" else s
        for s in scenario.sites
    ]
    changed = with_new_terms(inputs, scenario.model_copy(update={"sites": sites}))
    derived = reprice(base, changed, eligibility=base.eligibility.repriced(changed))
    fresh = build_model(changed)
    assert derived is not None
    np.testing.assert_array_equal(derived.program.arrays().cost, fresh.program.arrays().cost)
    assert dataclasses.replace(derived, solution=None).families == fresh.families
