"""The command line as its users meet it: one JSON layout for ``solve`` and ``compare``,
``--version``, progress on stderr (silent when piped or with ``--quiet``), help text
that keeps its units, boolean flags without a value placeholder."""

from __future__ import annotations

import doctest
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import tiny
from typer.testing import CliRunner

from bestshore.cli import app


def scenario_data(name: str = "tiny", cap: float = 0.8) -> dict[str, Any]:
    """The tiny scenario with one priced policy (a site share cap)."""
    data = tiny(name=name, policies={"max_site_share": cap})
    data["call_types"][0]["service_level"] = {"target": 0.8, "answer_seconds": 20}
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, (done.stdout, done.stderr)
    return done


# --- one JSON layout -------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    return (
        write(folder / "a.yaml", scenario_data()),
        write(folder / "b.yaml", scenario_data("tiny-capped", 0.6)),
    )


def test_solve_json_carries_policy_prices_when_computed(two_files: tuple[Path, Path]) -> None:
    plain = json.loads(run("solve", str(two_files[0]), "--json").stdout)
    assert plain["policy_prices"] is None  # not asked for, not computed
    priced = json.loads(run("solve", str(two_files[0]), "--json", "--policy-prices").stdout)
    assert set(priced) == set(plain)
    (row,) = priced["policy_prices"]
    assert row["rule"] == "max_site_share"
    assert row["price"] == pytest.approx(row["cost_with"] - row["cost_without"])
    assert row["cost_with"] == pytest.approx(priced["total_cost"])


def test_compare_json_gives_each_result_in_the_solve_layout(
    two_files: tuple[Path, Path],
) -> None:
    first, second = two_files
    doc = json.loads(run("compare", str(first), str(second), "--json", "--policy-prices").stdout)
    assert list(doc) == ["results", "kpis", "fte_by_site", "fte_by_shore"]
    assert list(doc["results"]) == ["tiny", "tiny-capped"]
    for path, name in ((first, "tiny"), (second, "tiny-capped")):
        alone = json.loads(run("solve", str(path), "--json", "--policy-prices").stdout)
        got = doc["results"][name]
        assert list(got) == list(alone)  # the same keys in the same order
        for key in ("scenario", "status", "currency", "total_cost", "allocation", "sites"):
            assert got[key] == alone[key], (name, key)
        assert got["policy_prices"] == alone["policy_prices"]
        assert got["stamp"]["scenario_hash"] == alone["stamp"]["scenario_hash"]
    kpis = {row["kpi"]: row for row in doc["kpis"]}  # records, the index as first field
    assert kpis["total_cost"]["tiny"] == pytest.approx(doc["results"]["tiny"]["total_cost"])
    assert all(set(row) == {"shore", "tiny", "tiny-capped"} for row in doc["fte_by_shore"])
    plain = json.loads(run("compare", str(first), str(second), "--json").stdout)
    assert all(r["policy_prices"] is None for r in plain["results"].values())


# --- --version, help text ----------------------------------------------------------------
def test_version_names_the_installed_package() -> None:
    from importlib import metadata

    done = run("--version")
    assert done.stdout == f"bestshore {metadata.version('bestshore')}\n"


COMMANDS = ["solve", "validate", "compare", "verify", "staffing", "schema"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_keeps_units_and_shows_no_bool_placeholder(command: str | None) -> None:
    done = CliRunner().invoke(
        app, [command, "--help"] if command else ["--help"], env={"COLUMNS": "100"}
    )
    assert done.exit_code == 0, done.output
    assert "<bool>" not in done.stdout and "BOOLEAN" not in done.stdout
    if command == "staffing":
        assert "Average handle time [s]." in done.stdout
        assert "Interval length [min]." in done.stdout
        assert "Answer-time target [s]." in done.stdout
    if command == "solve":
        flags = [line for line in done.stdout.splitlines() if line.strip().startswith("--json")]
        assert flags and flags[0].split()[:1] == ["--json"] and "<" not in flags[0]


# --- progress on stderr --------------------------------------------------------------------
def on_a_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run the CLI in a fresh process whose stderr is a terminal (a pty), stdout a file.

    Returns the exit code, stdout and stderr (as the terminal received it)."""
    master, slave = pty.openpty()
    out = cwd / "stdout.txt"
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "bestshore.cli", *args], stdout=stdout, stderr=slave, cwd=cwd
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        code = process.wait(timeout=300)
    os.close(master)
    return code, out.read_text(encoding="utf-8"), b"".join(chunks).decode("utf-8", "replace")


def terminal_lines(text: str) -> list[str]:
    """The non-blank lines a terminal shows once it has received ``text``.

    A small terminal: carriage return, line feed, erase line (``ESC[2K``), cursor up
    (``ESC[nA``); other escapes (cursor shown or hidden) change nothing visible.
    """
    lines, row, column = [""], 0, 0
    for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)", text):
        if not token:
            continue
        if token == "\r":
            column = 0
        elif token == "\n":
            row, column = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif token.startswith("\x1b["):
            argument, code = token[2:-1], token[-1]
            if code == "K":
                lines[row] = "" if argument == "2" else lines[row][:column]
            elif code == "A":
                row = max(0, row - int(argument or 1))
        else:
            line = lines[row]
            lines[row] = line[:column].ljust(column) + token + line[column + len(token) :]
            column += len(token)
    return [line for line in lines if line.strip()]


def test_progress_names_each_step_on_a_terminal_and_keeps_stdout_clean(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    code, out, err = on_a_terminal(
        "solve", str(two_files[0]), "--json", "--policy-prices", cwd=tmp_path
    )
    assert code == 0, err
    assert json.loads(out)["status"] in ("optimal", "feasible")  # stdout: the document alone
    for step in (
        "loading",
        "preparing inputs",
        "solving (the relaxation, then plans staffed exactly by Erlang C)",
        "verifying the plan",
        "pricing policy 1/1 (max_site_share)",
    ):
        assert step in err, (step, err[:500])
    assert terminal_lines(err) == []  # transient: nothing is left on the terminal


def test_progress_is_silent_with_quiet_or_when_stderr_is_not_a_terminal(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    code, out, err = on_a_terminal("solve", str(two_files[0]), "--json", "--quiet", cwd=tmp_path)
    assert code == 0 and json.loads(out)["status"] in ("optimal", "feasible")
    assert err == ""
    piped = subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "solve", str(two_files[0])],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert piped.stderr == ""
    assert run("compare", *map(str, two_files)).stderr == ""


def test_an_error_stays_one_whole_line_under_the_spinner(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", {"name": "x", "market": {"country": "FR"}})
    code, out, err = on_a_terminal("solve", str(bad), cwd=tmp_path)
    assert code == 2 and out == ""
    (line,) = terminal_lines(err)
    assert line.startswith(f"error: {bad}:") and "loading" not in line
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    good = write(tmp_path / "good.yaml", scenario_data())
    code, _, err = on_a_terminal("verify", str(good), str(junk), cwd=tmp_path)
    assert code == 2
    (line,) = terminal_lines(err)
    assert line.startswith(f"error: {junk}: not a readable bestshore result")


def test_policy_pricing_reports_each_rule_in_turn() -> None:
    from bestshore import progress
    from bestshore.analysis import price_of_policies
    from bestshore.scenario import parse_scenario

    data = scenario_data()
    data["policies"]["max_vendor_share"] = 0.9
    scenario = parse_scenario(data)
    seen: list[str] = []
    with progress.listening(seen.append):
        prices = price_of_policies(scenario)
    assert len(prices) == 2
    starts = [m for m in seen if m.startswith("pricing policy") and ":" not in m]
    assert [m.split(" (")[0] for m in starts] == ["pricing policy 1/2", "pricing policy 2/2"]
    assert any(
        m.startswith("pricing policy 2/2") and m.endswith("verifying the plan") for m in seen
    )
    progress.report("after the block")  # nobody listens any more
    assert seen[-1] != "after the block"


def test_progress_doctests() -> None:
    from bestshore import progress

    assert doctest.testmod(progress).failed == 0


def _in_a_fresh_process(code: str) -> Any:
    """What ``code`` prints as JSON, run in a new interpreter (a clean ``sys.modules``)."""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_command_line_loads_no_chart_library_until_a_command_draws() -> None:
    # `bestshore --help` and a bad input's one line used to wait about 5 s for Altair
    # and jsonschema, pulled in by the tender commands' charts, and 0.3 s more for
    # openpyxl (the tender package's workbooks) and PuLP (the plain path's modeller)
    loaded = _in_a_fresh_process(
        "import json, sys\n"
        "import bestshore.cli\n"
        "print(json.dumps([m for m in ('altair', 'jsonschema', 'openpyxl', 'pulp')\n"
        "    if m in sys.modules]))"
    )
    assert loaded == []
    # every public name of the tender package is its object, whichever of its modules
    # was imported first (the module `award` and the function `award` among them)
    kinds = _in_a_fresh_process(
        "import json, importlib\n"
        "for name in ('award', 'bids', 'template', 'variants', 'example', 'outputs'):\n"
        "    importlib.import_module('bestshore.rfp.' + name)\n"
        "import bestshore.rfp as rfp\n"
        "print(json.dumps(sorted({type(getattr(rfp, n)).__name__ for n in rfp.__all__})))"
    )
    assert "module" not in kinds and "function" in kinds
    # the plain path still solves through PuLP, loaded when it is asked for
    assert _in_a_fresh_process(
        "import json, sys\n"
        "import bestshore\n"
        "from bestshore.examples import tiny\n"
        "from bestshore.model import build_model, prepare_inputs\n"
        "from bestshore.model.program import solve_with_pulp\n"
        "inputs = prepare_inputs(bestshore.scenario.parse_scenario(tiny()))\n"
        "before = 'pulp' in sys.modules\n"
        "solution = solve_with_pulp(build_model(inputs).program)\n"
        "print(json.dumps([before, solution.status, 'pulp' in sys.modules]))"
    ) == [False, "optimal", True]
    # the tender package still hands out its chart functions, from their own module
    found = _in_a_fresh_process(
        "import json\n"
        "import bestshore.rfp, bestshore.rfp.outputs as outputs\n"
        "from bestshore.rfp import *\n"
        "print(json.dumps([bestshore.rfp.award_charts is outputs.award_charts,\n"
        "    award_files is outputs.award_files, sorted(bestshore.rfp.__all__) ==\n"
        "    sorted(n for n in bestshore.rfp.__all__ if n in globals())]))"
    )
    assert found == [True, True, True]
    with pytest.raises(AttributeError, match="no attribute 'chart'"):
        import bestshore.rfp

        bestshore.rfp.chart  # noqa: B018


def test_the_command_line_goes_without_the_iri_format_checks_alone() -> None:
    # main() keeps rfc3987_syntax (2-4 s of Earley parsers at import) out of jsonschema;
    # every other format check stays, and a chart still validates
    code = (
        "import json\n"
        "{block}"
        "import altair as alt, jsonschema, pandas as pd\n"
        "checks = jsonschema.Draft7Validator.FORMAT_CHECKER.checkers\n"
        "chart = alt.Chart(pd.DataFrame({{'a': [1]}})).mark_bar().encode(x='a')\n"
        "try:\n"
        "    alt.Chart(pd.DataFrame({{'a': [1]}})).mark_bar(opacity='half').to_dict()\n"
        "    refused = False\n"
        "except Exception:\n"
        "    refused = True\n"
        "print(json.dumps(['iri' in checks, 'email' in checks, 'date' in checks,\n"
        "    chart.to_dict()['mark']['type'], refused]))"
    )
    block = "from bestshore.cli import _without_iri_format_checks\n_without_iri_format_checks()\n"
    assert _in_a_fresh_process(code.format(block=block)) == [False, True, True, "bar", True]
    try:
        import rfc3987_syntax  # noqa: F401
    except ImportError:
        return  # not installed: nothing to compare with
    assert _in_a_fresh_process(code.format(block="")) == [True, True, True, "bar", True]
