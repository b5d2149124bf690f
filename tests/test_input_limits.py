"""Hostile inputs end in one line and exit 2: ranges, counts, paths, files, control characters.

Issue 15, points 4, 7 and 8. The committed cases are ``tests/attacks/{range,typo,yaml12,
control,limit}_*.yaml``, each starting with ``# expect: <text>`` (what its one error line
must contain); they are validated by the real command in subprocesses with a timeout, so a
case that hangs fails instead of blocking. Cases that cannot be committed as files (a
FIFO, ``/dev/zero``, a NUL or 5,000-character path, a 1,100-deep chain of bases, files of
megabytes) are built here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import tiny
from pydantic import BaseModel

from bestshore.scenario import ScenarioError, load_scenario, parse_scenario, schema
from bestshore.scenario.errors import one_line
from bestshore.scenario.loader import MAX_BASES, MAX_VALUES, read_scenario_data
from bestshore.scenario.messages import valid_range

TESTS = Path(__file__).parent
KINDS = ("range", "typo", "yaml12", "control", "limit")
CASES = sorted(p for kind in KINDS for p in (TESTS / "attacks").glob(f"{kind}_*.yaml"))
TIMEOUT_S = 60  # a hang, not a speed: timings are bench/limits.py's
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: the same YAML, sooner


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ").strip()


def _run(*args: str, cwd: Path = TESTS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bestshore.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def _assert_one_line_exit_2(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.startswith("error: "), proc.stderr[:500]
    assert fragment in proc.stderr, proc.stderr[:2000]


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[Path, Future[subprocess.CompletedProcess[str]]]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {path: pool.submit(_run, "validate", str(path.relative_to(TESTS))) for path in CASES}


def test_corpus_has_every_kind() -> None:
    names = {path.stem for path in CASES}
    assert all(any(name.startswith(kind) for name in names) for kind in KINDS)
    assert len(CASES) >= 14


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_attack_gives_one_line_and_exit_2(
    path: Path, runs: dict[Path, Future[subprocess.CompletedProcess[str]]]
) -> None:
    try:
        proc = runs[path].result()
    except subprocess.TimeoutExpired:
        pytest.fail(f"bestshore validate {path.name} did not return in {TIMEOUT_S} s")
    _assert_one_line_exit_2(proc, _expected(path))
    assert proc.stderr.startswith(f"error: attacks/{path.name}:")  # file and line


# ---------------------------------------------------------------- point 4: ranges


def _numeric_fields() -> Iterator[tuple[type[BaseModel], str, tuple[str | int, ...]]]:
    """Every number in the schema: (model, field, location of the number under it)."""
    for obj in vars(schema).values():
        if not (isinstance(obj, type) and issubclass(obj, BaseModel)):
            continue
        if obj.__module__ != schema.__name__:
            continue
        for name, info in obj.model_fields.items():
            text = str(info.annotation)
            if "float" not in text and "int" not in text:
                continue
            if name in ("id", "sizing") or "Quality" in text:
                continue
            # numbers inside lists and mappings sit one or two levels down
            for below in ((), (0,), ("k",), ("k", "k")):
                rng = valid_range(obj, (name, *below))
                if rng is not None:
                    yield obj, name, (name, *below)
                    break
            else:
                yield obj, name, ()


def test_every_number_in_the_schema_has_a_range_on_both_sides() -> None:
    seen = 0
    for model, name, loc in _numeric_fields():
        assert loc, f"{model.__name__}.{name} has no range"
        rng = valid_range(model, loc)
        assert rng is not None and " and " in rng, f"{model.__name__}.{name}: {rng}"
        seen += 1
    assert seen >= 70


def test_ranges_are_in_the_json_schema_and_the_format_page() -> None:
    props = schema.CallType.model_json_schema()["properties"]
    assert props["volume"]["maximum"] == schema.MAX_VOLUME
    assert props["aht_seconds"]["minimum"] == 1
    page = (TESTS.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    assert (
        "| `call_types[].volume` | number | **required** | contacts/yr | >= 0; <= 1e+09 |" in page
    )


def test_staffing_calculator_answers_a_trillion_calls_or_refuses_more() -> None:
    proc = _run("staffing", "--calls", "1e12", "--aht", "180")  # timed in bench/limits.py
    assert proc.returncode == 0, proc.stderr
    assert "agents             100000000015" in proc.stdout
    _assert_one_line_exit_2(
        _run("staffing", "--calls", "1e300", "--aht", "180"), "must be at most 1e+12 Erlang"
    )


@pytest.mark.parametrize(
    ("where", "value", "fragment"),
    [
        (("call_types", 0, "volume"), 1e300, "must be <= 1e+09"),
        (("call_types", 0, "aht_seconds"), 5e-324, "must be >= 1"),
        (("sites", 0, "cost_per_hour"), 1e308, "must be <= 1e+07"),
        (("sites", 0, "max_agents"), 1e308, "must be <= 100000"),
        (("settings", "annual_hours_per_fte"), 5e-324, "must be >= 100"),
        (("settings", "async_utilisation"), 5e-324, "must be >= 0.1"),
        (("policies", "scc_compliance_cost"), 1e308, "must be <= 1e+12"),
        (("objective", "csat_point_value"), 1e308, "must be <= 1e+06"),
        (("call_types", 0, "response_hours"), 5e-324, "must be >= 0.25"),
    ],
)
def test_extreme_numbers_are_refused_at_validation(
    where: tuple[str | int, ...], value: float, fragment: str
) -> None:
    data = tiny()
    node: Any = data
    for part in where[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[where[-1]] = value
    pattern = rf"{where[-1]}: {re.escape(fragment)}, got .* \(valid: "
    with pytest.raises(ScenarioError, match=pattern):
        parse_scenario(data)


# --------------------------------------------------- point 7: paths, files, messages


def _scenario(tmp_path: Path, name: str = "scenario.yaml", **extra: object) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({**tiny(), **extra}, sort_keys=False), encoding="utf-8")
    return path


def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    _assert_one_line_exit_2(_run("validate", str(fifo)), "is not a regular file")


def test_dev_zero_is_refused_as_scenario_and_as_result(tmp_path: Path) -> None:
    _assert_one_line_exit_2(_run("validate", "/dev/zero"), "/dev/zero: is not a regular file")
    scenario = _scenario(tmp_path)
    _assert_one_line_exit_2(
        _run("verify", str(scenario), "/dev/zero"), "/dev/zero: is not a regular file"
    )


def test_a_fifo_as_base_or_profile_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "base.yaml")
    os.mkfifo(tmp_path / "week.csv")
    child = tmp_path / "child.yaml"
    child.write_text("base: base.yaml\nname: x\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"base\.yaml: is not a regular file"):
        load_scenario(child)
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "week.csv"
    profiled = tmp_path / "profiled.yaml"
    profiled.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"week\.csv refused: is not a regular file"):
        load_scenario(profiled)


def test_a_5000_character_path_is_refused_in_one_line() -> None:
    proc = _run("validate", "a" * 5000 + ".yaml")
    _assert_one_line_exit_2(proc, "path is 5,005 characters, longer than the 1,024 accepted")
    assert len(proc.stderr) < 400  # the path is cut in the message


def test_a_nul_in_a_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="path contains a NUL character"):
        load_scenario("scen\x00ario.yaml")
    child = tmp_path / "child.yaml"
    child.write_text('base: "a\\0b.yaml"\nname: x\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"child.yaml:1 base: base 'a\\x00b.yaml' is not"):
        load_scenario(child)


def test_a_1100_deep_chain_of_bases_is_refused_without_recursion(tmp_path: Path) -> None:
    # Was: RecursionError (exit 1). The chain is walked in a loop and cut at MAX_BASES.
    _scenario(tmp_path, "b0.yaml")
    for i in range(1, 1100):
        (tmp_path / f"b{i}.yaml").write_text(f"base: b{i - 1}.yaml\n", encoding="utf-8")
    top = tmp_path / "b1099.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(top)
    message = str(caught.value)
    assert f"more than {MAX_BASES} base scenarios in a chain" in message
    assert message.startswith(f"{tmp_path / f'b{1099 - MAX_BASES + 1}.yaml'}:1 base:")
    proc = _run("validate", str(top))
    _assert_one_line_exit_2(proc, "base scenarios in a chain")
    short = tmp_path / f"b{MAX_BASES - 1}.yaml"  # exactly MAX_BASES files: fine
    assert load_scenario(short).name == "tiny"


def test_a_cycle_of_bases_gives_the_line_that_closes_it(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nbase: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# b\n\nbase: a.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "a.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'b.yaml'}:3 base: circular base scenarios")


def test_a_profile_row_without_its_weight_is_located(tmp_path: Path) -> None:
    # Was: IndexError (exit 1).
    rows = "hour,weight\n" + "".join(f"{h},1\n" for h in range(167)) + "167\n"
    (tmp_path / "week.csv").write_text(rows, encoding="utf-8")
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "week.csv"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"week\.csv row 169: weight must be a number >= 0, got nothing"
    ):
        load_scenario(path)
    _assert_one_line_exit_2(_run("validate", str(path)), "row 169")


def test_yaml_12_core_scalars(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "a: 5:30\nb: 012\nc: NO\nd: yes\ne: off\nf: 1e5\ng: 0o17\nh: 0x1F\ni: ~\nj:\n"
        "k: 2026-01-12\nl: -.inf\nm: True\nn: 1_000\n",
        encoding="utf-8",
    )
    data, _ = read_scenario_data(path)
    assert data == {
        "a": "5:30",
        "b": 12,
        "c": "NO",
        "d": "yes",
        "e": "off",
        "f": 100000.0,
        "g": 15,
        "h": 31,
        "i": None,
        "j": None,
        "k": "2026-01-12",
        "l": float("-inf"),
        "m": True,
        "n": "1_000",
    }


def test_a_huge_bad_value_is_cut_in_the_message(tmp_path: Path) -> None:
    data = tiny()
    data["call_types"][0]["level"] = "x" * 100_000
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, width=10**6), encoding="utf-8")
    proc = _run("validate", str(path))
    _assert_one_line_exit_2(proc, "got 'xxxxxxxx")
    assert "(100,002 characters)" in proc.stderr and len(proc.stderr) < 600


def test_one_line_escapes_every_line_break() -> None:
    for brk in ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x07", "\x1b"):
        assert one_line(f"a{brk}error: forged").isprintable()
    assert len(one_line("y" * 10_000)) <= 600


def test_numpy_warnings_never_reach_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    from typer.testing import CliRunner

    import bestshore.cli as cli

    def noisy(*args: object, **kwargs: object) -> None:
        np.array([1e308]) * 10  # RuntimeWarning: overflow
        raise ScenarioError("bad", file="x.yaml")

    monkeypatch.setattr(cli, "load_scenario", noisy)
    with _no_warning_filter():
        result = CliRunner().invoke(cli.app, ["validate", "x.yaml"])
    assert result.exit_code == 2
    assert result.stderr == "error: x.yaml: bad\n"


class _no_warning_filter:
    """Let the command's own filter decide (pytest turns warnings into errors otherwise)."""

    def __enter__(self) -> None:
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("default")

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


# ----------------------------------------------------------------- point 8: counts


def test_three_million_values_are_refused_in_one_line(tmp_path: Path) -> None:
    # Was: 129 s and 2.9 GB for a 6 MB list of 3 M items.
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(tiny()) + "pad: [" + ",".join(["1"] * 3_000_000) + "]\n", encoding="utf-8"
    )
    proc = _run("validate", str(path))  # its time and memory: bench/limits.py
    _assert_one_line_exit_2(proc, f"the file holds more than {MAX_VALUES:,} values")


def test_ten_thousand_sites_are_refused_in_one_line(tmp_path: Path) -> None:
    # Was: 116 s and 2.7 GB, then exit 1.
    data = tiny()
    site = data["sites"][0]
    data["sites"] = [{**site, "id": f"s{i}"} for i in range(10_000)]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.dump(data, Dumper=_DUMPER, sort_keys=False), encoding="utf-8")
    proc = _run("solve", str(path))  # its time and memory: bench/limits.py
    _assert_one_line_exit_2(
        proc, f"sites: must have at most {schema.MAX_SITES:,} items, got 10,000"
    )


@pytest.mark.parametrize(
    ("where", "items", "fragment"),
    [
        (("call_types",), 501, "at most 500 items"),
        (("vendors",), 501, "at most 500 items"),
        (("policies", "shore_rules"), 1001, "at most 1,000 items"),
        (("policies", "excluded_vendors"), 501, "at most 500 items"),
    ],
)
def test_counts_past_their_limit_name_it(where: tuple[str, ...], items: int, fragment: str) -> None:
    data = tiny()
    node: dict = data  # type: ignore[type-arg]
    for part in where[:-1]:
        node = node.setdefault(part, {})
    sample = {
        "call_types": data["call_types"][0],
        "vendors": {"id": "v"},
        "shore_rules": {"levels": ["N2"], "shores": ["inshore"]},
        "excluded_vendors": "va",
    }[where[-1]]
    node[where[-1]] = [
        {**sample, "id": f"x{i}"} if isinstance(sample, dict) and "id" in sample else sample
        for i in range(items)
    ]
    with pytest.raises(ScenarioError, match=fragment + r", got [\d,]+ \(a limit of the scenario"):
        parse_scenario(data)
