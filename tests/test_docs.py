"""The documentation stays true: generated pages are current, examples run, names exist."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from pydantic import BaseModel

import bestshore
from bestshore.model import FAMILIES, build_model, prepare_inputs, solve_model
from bestshore.model.sets import RULE_FAMILIES
from bestshore.scenario import schema
from bestshore.scenario.hours import parse_hours

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FORMAT = ROOT / "docs" / "scenario-format.md"
FORMULATION = ROOT / "docs" / "formulation.md"

# The minimal example worked out by hand in docs/scenario-format.md: 3,000 productive h;
# Lisbon (2 FTE x 1,200 h = 2,400 h at 20 EUR) fills first, Paris takes 600 h at 30 EUR.
MINIMAL_TOTAL_COST = 2400 * 20 + 600 * 30  # 66,000 EUR/yr


def _load_tool() -> ModuleType:
    path = ROOT / "tools" / "make_scenario_docs.py"
    spec = importlib.util.spec_from_file_location("make_scenario_docs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


make_scenario_docs = _load_tool()


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def _schema_models() -> list[type[BaseModel]]:
    return [
        obj
        for name, obj in vars(schema).items()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == schema.__name__
        and not name.startswith("_")
    ]


@pytest.fixture(scope="module")
def scenario_format() -> str:
    return SCENARIO_FORMAT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def formulation() -> str:
    return FORMULATION.read_text(encoding="utf-8")


@pytest.fixture
def minimal_file(scenario_format: str, tmp_path: Path) -> Path:
    path = tmp_path / "minimal.yaml"
    path.write_text(_yaml_blocks(scenario_format)[0], encoding="utf-8")
    return path


# --- docs/scenario-format.md --------------------------------------------------------------
def test_scenario_format_is_generated_from_the_schema(scenario_format: str) -> None:
    assert scenario_format == make_scenario_docs.render(), "run python tools/make_scenario_docs.py"


def test_every_schema_field_is_documented(scenario_format: str) -> None:
    models = _schema_models()
    assert schema.Scenario in models and schema.Quality in models
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if not re.search(rf"[`.]{re.escape(name)}`", scenario_format)
    ]
    assert not missing, f"fields missing from {SCENARIO_FORMAT.name}: {missing}"


def test_every_field_validator_has_a_documented_rule() -> None:
    paths = make_scenario_docs.field_paths()
    undocumented = []
    for model in _schema_models():
        for validator in model.__pydantic_decorators__.field_validators.values():
            for name in validator.info.fields:
                owners = [p for p in paths if p == name or p.endswith(f".{name}")]
                if not any(p in make_scenario_docs.EXTRA_RULES for p in owners):
                    undocumented.append(f"{model.__name__}.{name}")
    assert not undocumented, f"add these to EXTRA_RULES in make_scenario_docs.py: {undocumented}"


def test_minimal_example_loads_and_solves_to_the_hand_figure(
    minimal_file: Path, scenario_format: str
) -> None:
    scenario = bestshore.load_scenario(minimal_file)
    result = bestshore.solve(scenario)
    assert result.status == "optimal"
    assert result.total_cost == pytest.approx(MINIMAL_TOTAL_COST)
    assert f"{MINIMAL_TOTAL_COST:,} EUR per year" in scenario_format
    assert f"result.total_cost  # {MINIMAL_TOTAL_COST:.1f}" in scenario_format

    hours = result.allocation.set_index("site")["productive_hours"]
    assert hours.to_dict() == pytest.approx({"lisbon": 2400.0, "paris": 600.0})
    assert result.allocation.set_index("site").at["paris", "fte"] == pytest.approx(0.5)
    capacity = result.constraints.set_index(["family", "key"])["dual"]
    # EUR a year per productive hour of weekly capacity: 10 EUR/h x 52.18 weeks.
    assert capacity[("capacity", "lisbon")] == pytest.approx(-10.0 * 365.25 / 7)


def test_minimal_example_demand_dual_is_as_documented(minimal_file: Path, formulation: str) -> None:
    model = build_model(prepare_inputs(bestshore.load_scenario(minimal_file)))
    assert solve_model(model).status == "optimal"
    # Summed over the hours of the workload: all of it priced at Paris's 30 EUR/h.
    duals = [pi for key, pi in model.duals("demand").items() if key[:2] == ("billing", "fr")]
    assert sum(duals) == pytest.approx(90_000.0)
    assert "90,000 EUR in all (the work priced at Paris's 30 EUR/h)" in formulation


def test_inheritance_example_drops_a_site(minimal_file: Path, scenario_format: str) -> None:
    block = next(b for b in _yaml_blocks(scenario_format) if b.startswith("# no-lisbon.yaml"))
    child = minimal_file.with_name("no-lisbon.yaml")
    child.write_text(block, encoding="utf-8")
    result = bestshore.solve(bestshore.load_scenario(child))
    assert list(result.allocation["site"]) == ["paris"]
    assert result.total_cost == pytest.approx(90_000.0)
    assert "all 3,000 h go to Paris: 90,000 EUR per year" in block


def test_error_example_is_what_the_loader_says(
    minimal_file: Path, scenario_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = minimal_file.read_text(encoding="utf-8")
    assert "aht_seconds: 300\n" in text
    minimal_file.write_text(text.replace("aht_seconds: 300\n", "aht_seconds: -300\n"))
    monkeypatch.chdir(minimal_file.parent)
    with pytest.raises(bestshore.ScenarioError) as caught:
        bestshore.load_scenario("minimal.yaml")
    assert f"error: {caught.value}\n" in scenario_format


def test_hours_and_jurisdiction_examples_match_the_code(scenario_format: str) -> None:
    blocks = [yaml.safe_load(b) for b in _yaml_blocks(scenario_format)]
    hours = next(b["hours"] for b in blocks if set(b) == {"hours"})
    assert parse_hours(hours).sum() == 5 * 48 + 7 * 4  # quarters: mon-fri 12 h, sat 7 h
    documented = next(b["policies"]["data_jurisdictions"] for b in blocks if "policies" in b)
    defaults = schema.Policies().data_jurisdictions
    assert documented == {k: [str(j) for j in v] for k, v in defaults.items()}


# --- docs/formulation.md ------------------------------------------------------------------
def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[end:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def test_every_function_in_the_formulation_tables_exists(formulation: str) -> None:
    names = sorted(
        {n for row in _table_rows(formulation) for n in re.findall(r"`(bestshore(?:\.\w+)+)`", row)}
    )
    assert len(names) >= 10, names
    for name in names:
        assert callable(_resolve(name)), f"{name} in {FORMULATION.name} is not a function"


def test_formulation_tables_cover_every_family(formulation: str) -> None:
    """The registry is the list: every family has a row naming its rows, its function
    and the unit of its duals, and every add_* function of the model is in a table."""
    rows = _table_rows(formulation)
    for record in FAMILIES:
        function = f"`{record.add.__module__}.{record.add.__name__}`"
        mine = [row for row in rows if function in row]
        assert mine, f"no table row for family {record.name!r} ({function})"
        for row_family in record.row_families:
            assert any(f"`{row_family}[" in row for row in mine), (record.name, row_family)
        if not record.row_families:  # objective terms only: named as the family
            assert any(f"`{record.name}`" in row or record.name in row for row in mine)
        unit = record.dual_unit or "–"
        assert any(f" | {unit} | " in row for row in mine), (record.name, unit)
    for rule in RULE_FAMILIES:
        assert any(f"| `{rule}` |" in row for row in rows), f"no table row for rule {rule!r}"
    from bestshore.model import constraints, sets

    assert f"$K$ = {constraints.UNSERVED_WEIGHT:g} times" in formulation
    text = "\n".join(rows)
    for module in (constraints, sets):
        for name in module.__all__:
            if name.startswith(("add_", "set_")) or name.endswith("_fit"):
                assert f"`{module.__name__}.{name}`" in text, f"{name} missing from the tables"
