"""YAML alias bombs, self-containing aliases and deep nesting end in one located error.

Each ``tests/attacks/yaml_*.yaml`` starts with ``# expect: <text>``: the text its error
line must contain (file, line and what is wrong). The files are validated by the real
command in subprocesses, so a file that made the loader hang fails its test at the
timeout instead of blocking the suite. The timeout is generous and not a speed target:
every case returns in about the time Python takes to start.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import tiny
from hypothesis import given, settings
from hypothesis import strategies as st

from bestshore.scenario import ScenarioError, load_scenario, parse_scenario
from bestshore.scenario import loader as loader_module
from bestshore.scenario.loader import (
    ALIAS_FREE_CHARACTERS,
    ALIAS_FREE_VALUES,
    ALIAS_GROWTH,
    MAX_DEPTH,
    read_scenario_data,
)

TESTS = Path(__file__).parent
CASES = sorted((TESTS / "attacks").glob("yaml_*.yaml"))
TIMEOUT_S = 60


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ").strip()


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "validate", str(path.relative_to(TESTS))],
        cwd=TESTS,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,  # kills the child: a hang fails the test, it does not block
        check=False,
    )


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[Path, Future[subprocess.CompletedProcess[str]]]]:
    """Every case validated, four subprocesses at a time."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield {path: pool.submit(_validate, path) for path in CASES}


def test_corpus_has_every_kind_of_attack() -> None:
    names = {path.stem for path in CASES}
    assert len(names) >= 7
    for kind in ("laughs_list", "laughs_mapping", "laughs_merge", "long_string", "recursive"):
        assert any(kind in name for name in names), kind
    assert any("deep" in name for name in names) and any("base" in name for name in names)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_attack_gives_one_line_and_exit_2(
    path: Path, runs: dict[Path, Future[subprocess.CompletedProcess[str]]]
) -> None:
    try:
        proc = runs[path].result()
    except subprocess.TimeoutExpired:
        pytest.fail(f"bestshore validate {path.name} did not return in {TIMEOUT_S} s")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    message = proc.stderr.strip()
    assert message.startswith("error: attacks/"), message  # names the file, as typed
    assert _expected(path) in message


def _write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_anchors_and_aliases_in_reasonable_use_still_work(tmp_path: Path) -> None:
    # A shared language list, opening hours and rate card, each aliased a few times:
    # the same scenario as written out in full.
    data = tiny()
    office = {"mon-fri": "09:00-17:00"}
    for site in data["sites"]:
        site["hours"] = dict(office)
        site["rates"] = {"n1": 20.0}
    written_out = _write(tmp_path, yaml.safe_dump(data, sort_keys=False), "full.yaml")
    aliased = _write(
        tmp_path,
        """
name: tiny
market: {country: FR, currency: EUR}
settings: {annual_hours_per_fte: 1000, shrinkage: 0.0, occupancy: 1.0,
           async_utilisation: 1.0, peak_factor: 10}
call_types:
  - {id: n1, level: N1, volume: 36000, aht_seconds: 300, languages: {fr: 1.0},
     hours: &office {mon-fri: "09:00-17:00"}}
vendors: [{id: va}, {id: vb}]
sites:
  - id: paris
    vendor: va
    country: FR
    city: Paris
    languages: &french {fr: native}
    capacity_hours: &capacity 10000
    cost_per_hour: 30.0
    hours: *office
    rates: &rates {n1: 20.0}
  - id: rabat
    vendor: vb
    country: MA
    city: Rabat
    languages: *french
    capacity_hours: *capacity
    cost_per_hour: 15.0
    hours: *office
    rates: *rates
""",
        "aliased.yaml",
    )
    assert load_scenario(aliased).model_dump() == load_scenario(written_out).model_dump()
    assert load_scenario(aliased).model_dump() == parse_scenario(data).model_dump()


def test_aliases_may_expand_a_small_file_up_to_the_free_budget(tmp_path: Path) -> None:
    # A list of 1,000 values (itself and 999 zeros) aliased; the file writes 1,003 values
    # (two keys, two lists, the zeros).
    row = "[" + ", ".join(["0"] * 999) + "]"
    fits = (ALIAS_FREE_VALUES - 1_003) // 1_000
    data, _ = read_scenario_data(
        _write(tmp_path, f"a: &a {row}\nb: [{', '.join(['*a'] * fits)}]\n")
    )
    assert len(data["b"]) == fits and all(len(item) == 999 for item in data["b"])
    over = _write(tmp_path, f"a: &a {row}\nb: [{', '.join(['*a'] * (fits + 1))}]\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml:2: YAML aliases expand the file"):
        read_scenario_data(over)


def test_a_large_file_may_alias_in_proportion(tmp_path: Path) -> None:
    # Past the free budget, aliases may expand a file to 10 times the values it writes:
    # 15,105 written, 115,105 expanded (over the 100,000 floor, under 151,050).
    filler = "pad: [" + ", ".join(["1"] * 15_000) + "]\n"
    row = "[" + ", ".join(["0"] * 99) + "]"
    text = filler + f"a: &a {row}\nb: [{', '.join(['*a'] * 1_000)}]\n"
    data, _ = read_scenario_data(_write(tmp_path, text))
    assert len(data["b"]) == 1_000


def test_nesting_up_to_the_limit_is_read_and_one_deeper_is_refused(tmp_path: Path) -> None:
    # The top-level mapping is level 1; lists make the other levels, a number inside.
    deepest = MAX_DEPTH - 1
    data, _ = read_scenario_data(_write(tmp_path, "a: " + "[" * deepest + "1" + "]" * deepest))
    assert isinstance(data["a"], list)
    too_deep = _write(tmp_path, "a: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH)
    with pytest.raises(ScenarioError, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_scenario_data(too_deep)


def test_ten_thousand_levels_give_the_error_not_a_recursion_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nsettings: " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(ScenarioError) as caught:
        read_scenario_data(path)
    assert str(caught.value) == (
        f"{path}:2: lists and mappings nested deeper than {MAX_DEPTH} levels"
    )


def test_merge_keys_are_refused_with_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "defaults: &d {country: FR}\nmarket:\n  <<: *d\n  currency: EUR\n")
    with pytest.raises(ScenarioError) as caught:
        read_scenario_data(path)
    assert str(caught.value) == (f"{path}:3: merge keys (<<) are not supported; write the keys out")


def test_the_scenario_format_states_the_limits() -> None:
    text = (TESTS.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    stated = (
        f"more than {ALIAS_GROWTH} times",
        f"{ALIAS_FREE_VALUES:,} values",
        f"{ALIAS_FREE_CHARACTERS:,} characters",
        f"deeper than {MAX_DEPTH} levels",
    )
    assert all(" ".join(s.split()) in " ".join(text.split()) for s in stated), stated


# --- the reader: libyaml's events give what PyYAML's own reader gives ---------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, width=64),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=30,
)


def _python_reader(text: str) -> tuple[object, dict[tuple[object, ...], int]]:
    """PyYAML's pure-Python reader with the loader's core schema: the data and the line
    of every value (by path), the independent reading the loader is compared with."""
    node = yaml.compose(text, Loader=loader_module._CoreLoader)
    lines: dict[tuple[object, ...], int] = {}
    # A key in a path is the key as read, not its text: the core schema reads the text
    # ``08`` as the integer 8 (the long fuzz found a string key "08", which PyYAML's
    # own schema writes unquoted).
    keys = loader_module._CoreLoader("")

    def walk(item: yaml.Node, here: tuple[object, ...]) -> None:
        lines[here] = item.start_mark.line + 1
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                walk(value, (*here, keys.construct_object(key, deep=True)))
        elif isinstance(item, yaml.SequenceNode):
            for i, value in enumerate(item.value):
                walk(value, (*here, i))

    walk(node, ())
    return yaml.load(text, Loader=loader_module._CoreLoader), lines


def _our_reader(path: Path) -> tuple[object, dict[tuple[object, ...], int]]:
    """The loader's reading (:func:`read_yaml`: every item, ``drop`` ones too)."""
    data, locations = loader_module.read_yaml(path)
    return data, {key: line for key, (_, line) in locations.items()}


@pytest.mark.parametrize("name", sorted(p.name for p in Path("scenarios").glob("*.yaml")))
def test_the_bundled_scenarios_read_as_pythons_yaml_reads_them(name: str) -> None:
    path = Path("scenarios") / name
    assert _our_reader(path) == _python_reader(path.read_text(encoding="utf-8"))


@settings(max_examples=60, deadline=None)
@given(_DOCUMENTS.filter(lambda d: isinstance(d, dict) and d), st.sampled_from([None, False, True]))
def test_any_document_reads_as_pythons_yaml_reads_it(
    tmp_path_factory: pytest.TempPathFactory, document: dict, flow: bool | None
) -> None:
    path = tmp_path_factory.mktemp("read") / "s.yaml"
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    assert _our_reader(path) == _python_reader(text)


@pytest.mark.parametrize("character", ["\x03", "\x1b", "\x7f"])
def test_a_raw_control_character_is_one_line_with_its_line(tmp_path: Path, character: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: x\nnote: |\n  fine\n  b{character}d\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}:4: character U+{ord(character):04X} (a control character) is not allowed "
        "in YAML text; is this a YAML file?"
    )


def test_without_libyaml_the_loader_reads_the_same_and_refuses_the_same(tmp_path: Path) -> None:
    # PyYAML built without libyaml: the loader's own Python scanner and parser.
    script = """
import json, yaml
yaml.__with_libyaml__ = False
from bestshore.scenario import ScenarioError, loader
assert loader._EventParser.__module__ == loader.__name__
data, _ = loader.read_scenario_data("scenarios/demo.yaml")
refused = []
for path in ("tests/attacks/yaml_laughs_mapping.yaml", "tests/bad_inputs/yaml_syntax.yaml", CONTROL):
    try:
        loader.load_scenario(path)
    except ScenarioError as exc:
        refused.append(str(exc))
print(json.dumps([data, refused]))
"""
    control = tmp_path / "control.yaml"
    control.write_text("name: x\nbad: b\x03d\n", encoding="utf-8")
    script = script.replace("CONTROL", repr(str(control)))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data, refused = json.loads(done.stdout)
    assert data == json.loads(json.dumps(read_scenario_data("scenarios/demo.yaml")[0]))
    files = ["tests/attacks/yaml_laughs_mapping.yaml", "tests/bad_inputs/yaml_syntax.yaml", control]
    assert len(refused) == len(files)
    for path, theirs in zip(files, refused, strict=True):  # the same files, libyaml's events
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        mine = str(caught.value)
        if path == "tests/bad_inputs/yaml_syntax.yaml":  # each parser words it its own way
            mine, theirs = mine.split("YAML syntax error")[0], theirs.split("YAML syntax error")[0]
        assert theirs == mine
