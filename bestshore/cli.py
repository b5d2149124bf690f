"""Command line: ``bestshore solve | validate | compare | frontier | risk | sensitivity |
break-even | alternatives | verify | staffing | schema``.

Exit codes: 0 solved / valid, 1 internal error, 2 invalid input (a file that cannot be
read, and an output that cannot be written: ``--out``, ``--excel``, checked before
solving, or a full disk while writing), 3 no feasible plan (``verify``: a rule broken),
4 (``verify``) the result is not one of this scenario (another scenario's hash, name,
currency or market; one line saying so).
Errors are one line on stderr, never a traceback (``BESTSHORE_DEBUG=1`` shows it).

``solve --out`` replaces its folder as a whole, all or nothing, with a manifest
(:func:`bestshore.result.files.write_folder`): a failure or a crash while writing leaves
the previous folder as it was, and a folder holding files bestshore did not write is
refused, before solving.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bestshore import progress
from bestshore.api import InfeasibleScenarioError, SolveError, compare, solve
from bestshore.result import Result
from bestshore.result.files import OutputError, check_file_target, check_folder
from bestshore.result.result import INPUT_COLUMNS, table_records
from bestshore.scenario import ScenarioError, load_scenario
from bestshore.scenario.errors import one_line

if TYPE_CHECKING:
    import pandas as pd

    from bestshore.analysis.savings import Savings

app = typer.Typer(
    name="bestshore",
    help="Where and by whom customer-contact work should be done, at the best cost.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    # Plain help: Rich markup would eat units in brackets ("[s]", "[min]") and Rich
    # panels show a "<bool>" value placeholder on flags, which take no value.
    rich_markup_mode=None,
)

EXIT_INTERNAL, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_OTHER_SCENARIO = 1, 2, 3, 4
MAX_RESULT_BYTES = 512 * 1024 * 1024
"""Largest result.json `verify` reads [bytes] (512 MiB)."""

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")]


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        try:
            version = metadata.version("bestshore")
        except metadata.PackageNotFoundError:  # pragma: no cover - a bare source tree
            version = "unknown"
        typer.echo(f"bestshore {version}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Where and by whom customer-contact work should be done, at the best cost."""


@contextmanager
def _progress(quiet: bool) -> Iterator[None]:
    """A spinner on stderr naming the step under way (:mod:`bestshore.progress`).

    Only on a terminal and without ``--quiet``: piped or redirected, stderr carries
    errors alone. The spinner is transient: it is erased when the block ends, before
    any error line is printed.
    """
    import sys

    if quiet or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

    spinner = Spinner("dots", text="starting")
    # stdout is left alone (it may carry the JSON document); lines written to stderr
    # while the spinner turns (an error) are printed above it, whole.
    live = Live(
        spinner,
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=True,
        refresh_per_second=10,
    )

    def show(message: str) -> None:
        spinner.update(text=message)
        live.refresh()  # drawn now: a step shorter than a frame is still named

    with live, progress.listening(show):
        yield


def _fail(message: str, code: int) -> None:
    # One line whatever the message holds (control characters from a file escaped, a
    # huge value cut): a file cannot print a second, forged, line.
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn known failures into one-line messages and exit codes.

    Numeric warnings (numpy's overflow or invalid-value RuntimeWarning) are not printed:
    stderr carries the one error line or nothing.
    """

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return command(*args, **kwargs)
        except typer.Exit:
            raise
        except (ScenarioError, OutputError) as exc:
            _fail(str(exc), EXIT_INPUT)
        except InfeasibleScenarioError as exc:
            _fail(str(exc), EXIT_INFEASIBLE)
        except SolveError as exc:
            _fail(str(exc), EXIT_INTERNAL)
        except Exception as exc:
            if os.environ.get("BESTSHORE_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (set BESTSHORE_DEBUG=1 for details)",
                EXIT_INTERNAL,
            )

    return run


@app.command("solve")
@_guarded
def solve_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for result files, charts and report; checked before solving, "
            "replaced as a whole (never a mix of two runs).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
    policy_prices: Annotated[
        bool | None,
        typer.Option(
            "--policy-prices/--no-policy-prices",
            help="Price each policy by re-solving without it (one solve per rule); "
            "default: on with --out, off otherwise.",
            show_default=False,
        ),
    ] = None,
    savings: Annotated[
        bool | None,
        typer.Option(
            "--savings/--no-savings",
            help="Price today's allocation (the scenario's incumbent) like the plan, by a "
            "second solve keeping today's split, and state the saving with its proven "
            "interval; default: on with --out when the scenario has an incumbent.",
            show_default=False,
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Solve a scenario: print the headline figures, optionally write every output.

    --out is checked before solving (a folder can be made beside it; it is not a file,
    nor a folder holding files bestshore did not write). The folder is then replaced as
    a whole, with .bestshore-manifest.json listing every file (size, sha256): a crash or
    a full disk leaves the previous folder, and the files of an earlier run this one
    does not write (policy_prices.* after --no-policy-prices) are gone.
    """
    if out is not None:
        check_folder(out)
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)
        try:
            result = solve(loaded)
        except InfeasibleScenarioError as exc:
            if as_json:
                findings = exc.diagnosis.findings.to_dict(orient="records")
                typer.echo(json.dumps({"status": "infeasible", "diagnosis": findings}, indent=2))
            raise
        prices = None
        if policy_prices or (policy_prices is None and out is not None):
            from bestshore.analysis import price_of_policies

            prices = price_of_policies(loaded, result)
        against = None
        if savings or (savings is None and out is not None and loaded.incumbent):
            from bestshore.analysis import savings_against_today

            against = savings_against_today(loaded, result)
        if out is not None:
            from bestshore.views.outputs import write_outputs

            progress.report(f"writing files to {out}/ (tables, charts, report)")
            written = write_outputs(result, loaded, out, prices, against)
    if as_json:
        document = result_document(result, prices, against)
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    typer.echo(result.summary())
    for warning in result.warnings:
        typer.echo(f"  warning: {warning}")
    if against is not None:
        from bestshore.views.summary import savings_sentence

        typer.echo(
            f"  against today: {savings_sentence(against, result.currency) or against.status}"
        )
    if prices is not None and not prices.empty:
        typer.echo("  policies (annual cost of keeping each rule):")
        for row in prices.itertuples(index=False):
            note = "" if row.significant else "; may cost nothing"
            if row.status != "ok":
                note = f"; {row.status}"
            typer.echo(
                f"    {row.description}: {row.price:,.0f} {result.currency} "
                f"(proven between {row.price_low:,.0f} and {row.price_high:,.0f}{note})"
            )
    if out is not None:
        typer.echo(f"\nOutputs in {out}/ ({len(written)} files):")
        for path in written:
            if path.parent == Path(out):  # the tables/ folder is summarised
                typer.echo(f"  {path}")
        typer.echo(f"  {Path(out) / 'tables'}/*.csv (one per table)")


@app.command("validate")
@_guarded
def validate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
) -> None:
    """Check a scenario file without solving it."""
    loaded = load_scenario(scenario)
    volume = sum(c.volume for c in loaded.call_types)
    typer.echo(
        f"{scenario}: valid ({len(loaded.call_types)} call types, {volume:,.0f} contacts/yr, "
        f"{len(loaded.sites)} sites, {len(loaded.vendors)} vendors)"
    )


@app.command("compare")
@_guarded
def compare_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    excel: Annotated[
        Path | None, typer.Option("--excel", help="Also write an Excel workbook.")
    ] = None,
    policy_prices: Annotated[
        bool,
        typer.Option(
            "--policy-prices/--no-policy-prices",
            help="Price each scenario's policies by re-solving without each (one solve per rule).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the comparison: tables (CSV), comparison.json, each result's "
            "JSON and charts (KPI bars, FTE shift by site, maps side by side); checked "
            "before solving, replaced as a whole.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="The scenario every change is measured from: its name or its file; "
            "default: the first.",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Solve several scenarios and show their KPIs and the work moved against a baseline.

    Changes are scenario minus baseline, absolute and relative; shares are shown in %
    (their changes in percentage points). With --baseline or --out, --json and --excel
    add kpi_changes and allocation_changes (FTE and volume per site, vendor, country and
    shore) to the tables. --out and --excel are checked before solving and written
    atomically.
    """
    if len(scenarios) < 2:
        _fail("compare needs at least two scenario files", EXIT_INPUT)
    if excel is not None:
        check_file_target(excel)
    if out is not None:
        check_folder(out)
    from bestshore.analysis.comparison import (
        compare_to_baseline,
        format_allocation_changes,
        format_kpi_changes,
    )

    files: dict[str, str] = {}
    results: dict[str, Result] = {}
    prices: dict[str, pd.DataFrame] = {}
    with _progress(quiet):
        for number, path in enumerate(scenarios, start=1):
            with progress.step(f"scenario {number}/{len(scenarios)} ({path.name})"):
                progress.report("loading")
                loaded = load_scenario(path)
                result = solve(loaded)
                name = (
                    f"{result.scenario_name} ({path.name})"
                    if result.scenario_name in results
                    else result.scenario_name
                )
                results[name] = result
                files[name] = str(path)
                if policy_prices:
                    from bestshore.analysis import price_of_policies

                    prices[name] = price_of_policies(loaded, result)
        chosen = _baseline_name(baseline, files)
        comparison = compare_to_baseline(results, chosen)
        tables = compare(results)
        extended = {**tables, **comparison.tables()} if (baseline or out) else tables
        if excel is not None:
            from bestshore.result.files import atomic_write

            progress.report(f"writing {excel}")
            atomic_write(excel, comparison_workbook(results, extended, prices))
        if out is not None:
            progress.report(f"writing files to {out}/ (tables, charts)")
            written = _write_comparison(out, results, comparison, extended, prices)
    if as_json:
        doc = comparison_document(results, extended, prices)
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    typer.echo(f"KPIs against the baseline, {comparison.baseline} (scenario minus baseline):")
    typer.echo(format_kpi_changes(comparison.kpis, comparison.baseline))
    typer.echo("")
    typer.echo(format_allocation_changes(comparison.allocation, comparison.baseline))
    for name, result in results.items():
        if result.status != "optimal":
            typer.echo(f"  note: {name} is {result.status}, {result.solve_note}")
    if out is not None:
        typer.echo(f"\nOutputs in {out}/ ({len(written)} files)")


def _baseline_name(baseline: str | None, files: dict[str, str]) -> str | None:
    """The comparison name of ``--baseline``: a scenario's name, or its file (path, name
    or stem); None for the default (the first)."""
    if baseline is None or baseline in files:
        return baseline
    for name, path in files.items():
        if baseline in (path, Path(path).name, Path(path).stem):
            return name
    raise ScenarioError(
        f"--baseline {baseline!r} is not one of the scenarios compared "
        f"(names: {', '.join(files)}; or give one of their files)"
    )


def _write_comparison(
    out: Path,
    results: dict[str, Result],
    comparison: Any,
    tables: dict[str, pd.DataFrame],
    prices: dict[str, pd.DataFrame],
) -> list[Path]:
    """``compare --out``: tables, comparison.json, results/<n>.json, charts."""
    from bestshore.result.files import write_folder
    from bestshore.views.analytics_charts import (
        chart_fte_shift,
        chart_kpi_changes,
        chart_maps_side_by_side,
    )
    from bestshore.views.analytics_outputs import (
        chart_files,
        json_bytes,
        result_files,
        table_files,
    )

    keys = {name: f"{number:02d}" for number, name in enumerate(results, start=1)}
    charts: dict[str, Any] = {
        "kpi_changes": chart_kpi_changes(comparison.kpis, comparison.baseline)
    }
    for name in results:
        if name != comparison.baseline:
            charts[f"fte_shift_{keys[name]}"] = chart_fte_shift(comparison.allocation, name)
    currencies = {r.currency for r in results.values()}
    maps = {name: (r.sites, r.market) for name, r in results.items()}
    charts["maps"] = chart_maps_side_by_side(
        maps, currency=currencies.pop() if len(currencies) == 1 else None
    )
    index = [
        {"key": keys[name], "scenario": name, "baseline": name == comparison.baseline,
         "status": r.status, "gap": r.stamp.get("gap"), "result": f"results/{keys[name]}.json"}
        for name, r in results.items()
    ]  # fmt: skip
    files = {
        **table_files({name: _indexed(t) for name, t in tables.items()}),
        "comparison.json": json_bytes(
            {"baseline": comparison.baseline, "scenarios": index,
             **comparison_document(results, tables, prices)}
        ),
        **result_files({keys[n]: r for n, r in results.items()}, "results"),
        **chart_files(charts),
    }  # fmt: skip
    return write_folder(out, files)


def result_document(
    result: Result, prices: pd.DataFrame | None = None, savings: Savings | None = None
) -> dict[str, Any]:
    """The JSON document of one result, as ``solve --json`` prints it.

    :meth:`Result.to_dict` (tables as lists of records, ``result.json``'s layout),
    ``policy_prices``: the price of each policy as records
    (:func:`bestshore.analysis.price_of_policies`), and ``savings``: the plan against
    today's cost (:meth:`bestshore.analysis.Savings.to_dict`); each null when not
    computed. ``compare --json`` gives each scenario's result in this same layout.
    """
    doc = result.to_dict()
    doc["policy_prices"] = None if prices is None else table_records(prices)
    doc["savings"] = None if savings is None else savings.to_dict()
    return doc


def comparison_document(
    results: dict[str, Result],
    tables: dict[str, pd.DataFrame],
    prices: dict[str, pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """The JSON document of ``compare --json``.

    ``results``: each scenario's :func:`result_document` (the layout of ``solve
    --json``) by its name in the comparison; then the comparison tables (``kpis``,
    ``fte_by_site``, ``fte_by_shore``, and with a baseline ``kpi_changes`` and
    ``allocation_changes``) as lists of records, their index as the first field.
    """
    prices = prices or {}
    return {
        "results": {name: result_document(r, prices.get(name)) for name, r in results.items()},
        **{name: table_records(_indexed(table)) for name, table in tables.items()},
    }


def _indexed(table: pd.DataFrame) -> pd.DataFrame:
    """A table with a named index as its first column (a plain range index dropped)."""
    return table.reset_index() if table.index.name is not None else table


def comparison_workbook(
    results: dict[str, Result],
    tables: dict[str, pd.DataFrame] | None = None,
    prices: dict[str, pd.DataFrame] | None = None,
) -> bytes:
    """The workbook of ``compare --excel``: the comparison tables, ``policy_prices``
    (when computed) and ``inputs``.

    ``policy_prices`` and ``inputs`` (each scenario's key figures and stamp,
    :meth:`Result.input_table`) carry a ``scenario`` column. Money is shown in the
    scenarios' currency when they share one (none otherwise); site names come from the
    results' labels.
    """
    import pandas as pd

    from bestshore.result.files import excel_bytes

    tables = tables if tables is not None else compare(results)
    sheets = {name: _indexed(t) for name, t in tables.items()}
    if prices:
        sheets["policy_prices"] = pd.concat(
            [table.assign(scenario=name) for name, table in prices.items()], ignore_index=True
        )
        columns = list(sheets["policy_prices"].columns)
        sheets["policy_prices"] = sheets["policy_prices"][["scenario", *columns[:-1]]]
    sheets["inputs"] = pd.concat(
        [r.input_table().assign(scenario=name) for name, r in results.items()],
        ignore_index=True,
    )
    sheets["inputs"] = sheets["inputs"][["scenario", *INPUT_COLUMNS]]
    currencies = {r.currency for r in results.values()}
    labels = pd.concat([r.labels for r in results.values()], ignore_index=True)
    return excel_bytes(
        sheets,
        currency=currencies.pop() if len(currencies) == 1 else "",
        labels=labels.drop_duplicates(["kind", "id"]),
    )


class _wide_pandas:
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 20)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


@app.command("frontier")
@_guarded
def frontier_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for frontier.csv, frontier.json, each point's result JSON "
            "(points/NN.json) and the chart; checked before solving, replaced as a whole.",
        ),
    ],
    metric: Annotated[
        str, typer.Option("--metric", help="csat or nps (fcr has no floor in the format).")
    ] = "csat",
    points: Annotated[int, typer.Option("--points", help="Floors swept, 2 to 200.")] = 8,
    quiet: Quiet = False,
) -> None:
    """Cost-quality frontier: the least annual cost for each quality floor.

    The same floor is set on every call type (policies.quality_floors for CSAT,
    policies.nps_floors for NPS; the format has no floor across call types), from the
    unconstrained plan's lowest call-type score to the highest floor every call type
    could reach. Each point carries its solve's status and proven gap; infeasible floors
    stay in the table. The knee is the point farthest below the chord of the curve.
    """
    from bestshore.analysis.frontier import cost_quality_frontier

    if metric not in ("csat", "fcr", "nps"):
        _fail(f"--metric {metric!r}: choose csat or nps", EXIT_INPUT)
    check_folder(out)
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)
        progress.report(f"solving {points} floors on {metric.upper()}")
        frontier = cost_quality_frontier(loaded, metric, points)  # type: ignore[arg-type]
        progress.report(f"writing files to {out}/")
        written = _write_frontier(out, frontier)
    table = frontier.table
    currency = frontier.currency
    typer.echo(f"{loaded.name}: cost-quality frontier on {metric.upper()} ({len(table)} floors)")
    for row in table.itertuples(index=False):
        if math.isnan(row.total_cost):
            typer.echo(f"  floor {row.floor:8.2f}  {row.status}")
            continue
        gap = "" if math.isnan(row.gap) else f", gap {row.gap:.2%}"
        knee = "  <- knee" if row.knee else ""
        typer.echo(
            f"  floor {row.floor:8.2f}  achieved {row.achieved:8.2f}  "
            f"{row.total_cost:>14,.0f} {currency}/yr  ({row.status}{gap}){knee}"
        )
    typer.echo(f"\nOutputs in {out}/ ({len(written)} files)")


def _write_frontier(out: Path, frontier: Any) -> list[Path]:
    from bestshore.result.files import write_folder
    from bestshore.views.analytics_charts import chart_frontier
    from bestshore.views.analytics_outputs import (
        chart_files,
        json_bytes,
        result_files,
        table_files,
    )

    document = {
        "metric": frontier.metric,
        "currency": frontier.currency,
        "points": [
            {
                **row,
                "result": f"points/{row['point']:02d}.json"
                if row["point"] in frontier.results
                else None,
            }
            for row in table_records(frontier.table)
        ],
    }
    files = {
        **table_files({"frontier": frontier.table}),
        "frontier.json": json_bytes(document),
        **result_files({f"{k:02d}": r for k, r in frontier.results.items()}, "points"),
        **chart_files(
            {
                "frontier": chart_frontier(
                    frontier.table, metric=frontier.metric, currency=frontier.currency
                )
            }
        ),
    }
    return write_folder(out, files)


@app.command("risk")
@_guarded
def risk_command(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file with an uncertainty section.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the draws, percentiles, usage, summary.json and charts; "
            "checked before solving, replaced as a whole.",
        ),
    ],
    draws: Annotated[int, typer.Option("--draws", help="Number of draws.")] = 100,
    seed: Annotated[
        int, typer.Option("--seed", help="Run seed (each draw gets its own child).")
    ] = 0,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes of the embedded Dask LocalCluster.")
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://host:8786."
        ),
    ] = None,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", help="Draws per Dask task (the results do not depend on it)."),
    ] = 4,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm",
            help="Start each draw's staffing loop from the baseline plan's staffing factors: "
            "fewer rounds, each draw's plan within its proven gap of the best (not the plan "
            "a fresh solve gives).",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Monte Carlo risk: re-optimize each draw of the uncertainty section, and price the
    baseline plan held fixed under it, exactly (its regret, with the interval the
    draw's proven gap gives it; see bestshore.analysis.risk).

    The same seed gives the same draws whatever the number of workers or the batch size.
    Draws are written as parquet when pyarrow is installed, else CSV. Infeasible draws
    are kept, counted and reported.
    """
    import importlib.util
    import sys

    from bestshore.analysis.risk import percentile_table, run_risk, usage_table

    if workers != 1 and scheduler is not None:
        _fail("give --workers (embedded LocalCluster) or --scheduler, not both", EXIT_INPUT)
    check_folder(out)
    loaded = load_scenario(scenario)
    show = not quiet and sys.stderr.isatty()
    bar: Any = None
    if show:
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(transient=True, console=Console(stderr=True))
    with bar if bar is not None else _progress(True):
        task = bar.add_task("draws", total=draws) if bar is not None else None

        def advance(done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, completed=done)

        risk = run_risk(
            loaded, draws, seed, workers=workers, scheduler=scheduler,
            batch_size=batch_size, warm=warm, on_progress=advance,
        )  # fmt: skip
    percentiles = percentile_table(risk.draws)
    usage = usage_table(risk)
    parquet = importlib.util.find_spec("pyarrow") is not None
    written = _write_risk(out, risk, percentiles, usage, parquet)
    meta = risk.meta
    currency = risk.currency
    typer.echo(
        f"{loaded.name}: {meta['draws']} draws (seed {seed}), {meta['feasible']} feasible, "
        f"{meta['infeasible']} infeasible; {meta['workers']} worker(s), "
        f"{meta['seconds']:.1f} s ({meta['draws_per_second']:.2f} draws/s, "
        f"{meta['seconds_per_draw']:.2f} s per draw on a worker)"
    )
    base = risk.baseline
    typer.echo(
        f"  baseline plan   {base.total_cost:,.0f} {currency}/yr ({base.status}, {base.solve_note})"
    )
    for row in percentiles.itertuples(index=False):
        if row.draws == 0:
            continue
        if row.unit == "fraction":
            cells = "  ".join(f"P{p} {getattr(row, f'p{p}'):.1%}" for p in (5, 50, 95))
        else:
            unit = row.unit.replace("currency", currency)
            cells = (
                "  ".join(f"P{p} {getattr(row, f'p{p}'):,.2f}" for p in (5, 50, 95)) + f" {unit}"
            )
        typer.echo(f"  {row.metric:<24} {cells}")
    statuses = risk.draws["status"].value_counts().to_dict()
    typer.echo("  statuses        " + ", ".join(f"{k} {v}" for k, v in statuses.items()))
    missing = risk.draws[risk.draws["total_cost"].isna()]
    if len(missing):
        shown = ", ".join(
            f"{d} ({s})" for d, s in zip(missing["draw"], missing["status"], strict=True)
        )
        typer.echo(f"  draws without a plan: {shown}")
    over = int(risk.draws["fixed_over_capacity"].sum())
    if over:
        typer.echo(f"  the baseline plan held fixed exceeds a site's capacity in {over} draw(s)")
    typer.echo(f"\nOutputs in {out}/ ({len(written)} files)")


def _write_risk(
    out: Path, risk: Any, percentiles: pd.DataFrame, usage: pd.DataFrame, parquet: bool
) -> list[Path]:
    import io

    from bestshore.result.files import write_folder
    from bestshore.views.analytics_charts import chart_cost_distribution, chart_site_usage
    from bestshore.views.analytics_outputs import chart_files, json_bytes, table_files

    files: dict[str, bytes] = {}
    for name, table in (("draws", risk.draws), ("draw_sites", risk.sites)):
        if parquet:
            buffer = io.BytesIO()
            table.to_parquet(buffer, index=False)
            files[f"{name}.parquet"] = buffer.getvalue()
        else:
            files.update(table_files({name: table}))
    files.update(table_files({"percentiles": percentiles, "usage": usage}))
    summary = {
        **risk.meta,
        "currency": risk.currency,
        "baseline": {
            "total_cost": risk.baseline.total_cost,
            "status": risk.baseline.status,
            "gap": risk.baseline.stamp.get("gap"),
        },
        "statuses": {str(k): int(v) for k, v in risk.draws["status"].value_counts().items()},
        "draws_without_plan": [
            {"draw": int(d), "status": str(s)}
            for d, s in risk.draws.loc[
                risk.draws["total_cost"].isna(), ["draw", "status"]
            ].itertuples(index=False)
        ],
        "fixed_plan_over_capacity": int(risk.draws["fixed_over_capacity"].sum()),
        "fixed_plan_pricing": "exact: the baseline plan's shares and on/off decisions kept, "
        "re-staffed (Erlang C, whole agents) and re-costed month by month at the draw's "
        "volumes, AHT, rates, FX and shrinkage (bestshore.model.held); regret lies in "
        "[regret, regret_max] against each draw's best plan",
        "percentiles": table_records(percentiles),
    }
    for key in ("seconds", "draws_per_second", "seconds_per_draw", "worker_setup_seconds"):
        summary.pop(key, None)  # the same run gives the same files
    files["summary.json"] = json_bytes(summary)
    files["baseline.json"] = risk.baseline.to_json(with_timing=False).encode("utf-8")
    sites = usage[usage["kind"] == "site"]
    files.update(
        chart_files(
            {
                "cost_distribution": chart_cost_distribution(
                    risk.draws, currency=risk.currency, baseline_cost=risk.baseline.total_cost
                ),
                "site_usage": chart_site_usage(sites),
            }
        )
    )
    return write_folder(out, files)


@app.command("sensitivity")
@_guarded
def sensitivity_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for sensitivity.csv, sensitivity.json, base.json and the tornado "
            "chart; checked before solving, replaced as a whole.",
        ),
    ],
    ranges: Annotated[
        list[str] | None,
        typer.Option(
            "--range",
            "-r",
            help="KIND[:TARGET]=LOW,HIGH, repeatable: rate:MA=-20%,+20% (a country or a "
            "site), fx:MAD@MA=-10%,+10%, volume[:CALL_TYPE]=-10%,+10%, aht[:CALL_TYPE]=..., "
            "shrinkage[:COUNTRY|SITE]=-5pt,+5pt. Default: the scenario's sensitivity.ranges, "
            "else +-10% on each country's rates, volume and AHT, +-5pt shrinkage.",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """One-at-a-time sensitivity of the annual cost, with a tornado chart.

    Each parameter is moved alone to its low and high end and the scenario re-solved
    (rates on a Workbench). The ranges are --range's, else the scenario file's
    sensitivity section (so a study is reproducible from the file), else the defaults. Each end carries its solve's status and proven gap; a swing
    the solves' bounds do not prove (its interval holds 0) is marked not significant.
    """
    from bestshore.analysis.sensitivity import parse_range, sensitivity

    parsed = [parse_range(text) for text in ranges] if ranges else None
    check_folder(out)
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)

        def advance(done: int, total: int) -> None:
            progress.report(f"solved range {done}/{total}")

        study = sensitivity(loaded, parsed, on_progress=advance)
        progress.report(f"writing files to {out}/")
        written = _write_sensitivity(out, study)
    currency = study.currency
    base = study.base
    typer.echo(
        f"{loaded.name}: sensitivity of the annual cost ({len(study.table)} parameters, "
        f"{study.solves} solves); base {base.total_cost:,.0f} {currency}/yr "
        f"({base.stamp.get('status', base.status)}, gap {base.stamp.get('gap') or 0:.2%})"
    )
    typer.echo(f"  ranges: {_ORIGINS[study.origin]}")
    for row in study.table.itertuples(index=False):
        ends = []
        for change, cost, status, gap in (
            (row.low, row.cost_low, row.status_low, row.gap_low),
            (row.high, row.cost_high, row.status_high, row.gap_high),
        ):
            label = f"{change * 100:+g}{row.unit}"
            if math.isnan(cost):
                ends.append(f"{label}: {status}")
            else:
                shown = "" if math.isnan(gap) else f", gap {gap:.2%}"
                ends.append(f"{label}: {cost:,.0f} ({status}{shown})")
        note = "" if row.significant else "  (within the solver gaps: not significant)"
        typer.echo(f"  {row.name:<32} {'  '.join(ends)}  swing {row.swing:+,.0f}{note}")
    typer.echo(f"\nOutputs in {out}/ ({len(written)} files)")


_ORIGINS = {
    "given": "from --range",
    "scenario": "from the scenario's sensitivity section",
    "default": "the defaults (+-10% rates per country, volume, AHT; +-5pt shrinkage)",
}


def _write_sensitivity(out: Path, study: Any) -> list[Path]:
    from bestshore.result.files import write_folder
    from bestshore.views.analytics_charts import chart_tornado
    from bestshore.views.analytics_outputs import chart_files, json_bytes, table_files

    base = study.base
    document = {
        "currency": study.currency,
        "solves": study.solves,
        "ranges_from": study.origin,
        "base": {
            "total_cost": base.total_cost,
            "status": base.stamp.get("status", base.status),
            "gap": base.stamp.get("gap"),
            "lower_bound": base.stamp.get("lower_bound"),
        },
        "significance": "a swing is significant when the interval its solves prove it in, "
        "[lower_bound_high - cost_low, cost_high - lower_bound_low], excludes 0",
        "parameters": table_records(study.table),
    }
    files = {
        **table_files({"sensitivity": study.table}),
        "sensitivity.json": json_bytes(document),
        "base.json": base.to_json(with_timing=False).encode("utf-8"),
        **chart_files({"tornado": chart_tornado(study.table, currency=study.currency)}),
    }
    return write_folder(out, files)


@app.command("break-even")
@_guarded
def break_even_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    param: Annotated[
        str,
        typer.Option(
            "--param",
            help="The parameter searched, as in a range: rate:MA, rate:casablanca, "
            "fx:MAD@MA, volume[:CALL_TYPE], aht[:CALL_TYPE], shrinkage[:COUNTRY|SITE].",
        ),
    ],
    site: Annotated[
        str | None, typer.Option("--site", help="Condition: this site takes the share.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Condition: this country takes the share.")
    ] = None,
    shore: Annotated[
        str | None, typer.Option("--shore", help="Condition: this shore takes the share.")
    ] = None,
    call_type: Annotated[
        str | None,
        typer.Option("--call-type", help="Share of this call type's volume (default: all)."),
    ] = None,
    share: Annotated[
        float | None,
        typer.Option("--share", help="Least share of the volume [fraction], e.g. 0.5."),
    ] = None,
    cost: Annotated[
        float | None,
        typer.Option(
            "--cost", help="Condition instead: the annual cost reaches this [currency/yr]."
        ),
    ] = None,
    low: Annotated[
        str | None,
        typer.Option(
            "--low", help="Bracket's low end, a change: -50% (default), -20pt for shrinkage."
        ),
    ] = None,
    high: Annotated[
        str | None,
        typer.Option("--high", help="Bracket's high end: +200% (default), +20pt for shrinkage."),
    ] = None,
    tolerance: Annotated[
        str | None,
        typer.Option("--tolerance", help="Widest bracket returned: 0.1% (default), 0.1pt."),
    ] = None,
    max_solves: Annotated[
        int, typer.Option("--max-solves", help="Most solves of the search.")
    ] = 60,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    quiet: Quiet = False,
) -> None:
    """Break-even: the change of one parameter at which a condition flips.

    Bisection over the bracket --low/--high (each step a solve) for where a site,
    country or shore starts (or stops) taking --share of a call type's volume, or
    where the annual cost reaches --cost. The answer is an interval: the condition holds
    at one end and not at the other.
    """
    from bestshore.analysis.sensitivity import (
        Condition,
        break_even,
        format_change,
        parse_change,
        parse_param,
    )

    kind = parse_param(param)[0]
    points = kind == "shrinkage"
    low_value = parse_change(low or ("-20pt" if points else "-50%"), kind, "--low")
    high_value = parse_change(high or ("+20pt" if points else "+200%"), kind, "--high")
    step = parse_change(tolerance or ("0.1pt" if points else "0.1%"), kind, "--tolerance")
    condition = Condition(
        site=site, country=country, shore=shore, call_type=call_type, share=share, cost=cost
    )
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)
        progress.report(f"searching {param}")
        found = break_even(
            loaded, param, condition, low=low_value, high=high_value, tolerance=step,
            max_solves=max_solves,
        )  # fmt: skip
    if as_json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    unit = found.unit
    side = "below" if found.holds_at_low else "above"
    typer.echo(f"{loaded.name}: {found.condition} when {found.parameter} is {side} the break-even")
    typer.echo(
        f"  break-even in [{format_change(found.low, unit)}, {format_change(found.high, unit)}] "
        f"(width {found.width * 100:.4g}{unit}), {found.solves} solves"
    )
    at_low, at_high = found.values(found.low), found.values(found.high)
    money = {"rate": f" {found.currency}", "fx": f" {found.currency}"}.get(kind, "")
    for key in at_low:
        typer.echo(f"  {key:<24} {at_low[key]:,.4f} to {at_high[key]:,.4f}{money}")
    if not math.isnan(found.max_gap) and found.max_gap > 0:
        typer.echo(
            f"  largest proven gap of the search {found.max_gap:.2%}: a plan within it of the "
            "best may split a near-tie otherwise"
        )


@app.command("alternatives")
@_guarded
def alternatives_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for alternatives.csv/.json/.xlsx, changes.csv, directions.csv, "
            "each plan's result JSON (plans/NN.json) and the chart; checked before "
            "solving, replaced as a whole.",
        ),
    ],
    slack: Annotated[
        str,
        typer.Option(
            "--slack", help="Budget above the best plan's cost, in percent: 2% (default)."
        ),
    ] = "2%",
    count: Annotated[int, typer.Option("--count", "-n", help="Alternatives wanted, 1 to 50.")] = 3,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="What the alternatives move work between and what their distance counts: "
            "site (default), vendor, country or shore.",
        ),
    ] = "site",
    quiet: Quiet = False,
) -> None:
    """Near-optimal alternatives: plans within --slack of the best plan's cost that differ
    most from it and from each other (modelling to generate alternatives).

    Each search direction (away from the best plan, least or most work at each site,
    vendor, country or shore) minimizes under the budget; the plans found are chosen
    farthest first. Each alternative is a real plan, staffed exactly and checked like any
    other, listed with its exact cost, status and proven gap and with the FTE and volume
    each site, vendor, country and shore gains or loses against the best plan.
    """
    from bestshore.analysis.alternatives import near_optimal_alternatives
    from bestshore.analysis.comparison import format_allocation_changes

    fraction = _percent(slack, "--slack")
    check_folder(out)
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)

        def advance(done: int, total: int) -> None:
            progress.report(f"searched direction {done}/{total}")

        found = near_optimal_alternatives(
            loaded, slack=fraction, count=count, by=by, on_progress=advance
        )
        progress.report(f"writing files to {out}/")
        written = _write_alternatives(out, found)
    table, currency = found.table, found.currency
    best = table.iloc[0]
    typer.echo(
        f"{loaded.name}: {len(table) - 1} alternative(s) within {fraction:.2%} of the best "
        f"plan ({best.total_cost:,.0f} {currency}/yr; budget {found.budget:,.0f} "
        f"{currency}/yr), by {found.by}, {len(found.directions)} directions searched"
    )
    for row in table.itertuples(index=False):
        gap = "" if row.gap is None or math.isnan(row.gap) else f", gap {row.gap:.2%}"
        over = "" if row.plan == 0 else f"  +{row.cost_over_best:.2%} over the best"
        proven = (
            ""
            if row.plan == 0 or math.isnan(row.cost_over_optimum_max)
            else f" (at most +{row.cost_over_optimum_max:.2%} over the optimum)"
        )
        moved = "" if row.plan == 0 else f"; {row.work_moved:.1%} of the work moved"
        typer.echo(
            f"  {row.name:<14} {row.total_cost:>14,.0f} {currency}/yr ({row.status}{gap})"
            f"{over}{proven}{moved}; {row.direction}"
        )
    if len(table) - 1 < count:
        typer.echo(
            f"  only {len(table) - 1} of the {count} wanted differ from the best plan and "
            "from each other within the budget (see directions.csv)"
        )
    cheaper = found.directions[found.directions["total_cost"] < best.total_cost - 1e-6]
    if len(cheaper):
        low = cheaper.sort_values("total_cost").iloc[0]
        typer.echo(
            f"  note: the direction '{low.direction}' found a plan costing {low.total_cost:,.0f} "
            f"{currency}/yr, below the best plan's: the best plan is proven only within its gap"
        )
    typer.echo("")
    typer.echo(format_allocation_changes(found.changes, "best plan"))
    typer.echo(f"\nOutputs in {out}/ ({len(written)} files)")


def _percent(text: str, where: str) -> float:
    """``2%`` or ``0.5 %`` as a fraction; a one-line error of the option otherwise (an
    AnalysisError: no file prefix, exit 2)."""
    from bestshore.analysis.errors import AnalysisError

    number = text.strip().removesuffix("%").strip()
    if not text.strip().endswith("%"):
        raise AnalysisError(f"{where} {text!r}: write it in percent, e.g. 2%")
    try:
        value = float(number)
    except ValueError:
        raise AnalysisError(f"{where} {text!r}: not a number of percent, e.g. 2%") from None
    if not math.isfinite(value):
        raise AnalysisError(f"{where} {text!r}: not a number of percent, e.g. 2%")
    return value / 100


def _write_alternatives(out: Path, found: Any) -> list[Path]:
    from bestshore.result.files import excel_bytes, write_folder
    from bestshore.views.analytics_charts import chart_alternatives
    from bestshore.views.analytics_outputs import (
        chart_files,
        json_bytes,
        result_files,
        table_files,
    )

    keys = {name: f"{number:02d}" for number, name in enumerate(found.results)}
    tables = {
        "alternatives": found.table,
        "changes": found.changes,
        "directions": found.directions,
    }
    document = {
        "scenario": found.results["best plan"].scenario_name,
        "currency": found.currency,
        "slack": found.slack,
        "budget": found.budget,
        "by": found.by,
        "proven": "each plan's status and gap are against the best plan's lower bound; "
        "cost_over_best is against the best plan found, cost_over_optimum_max the most "
        "it may be above the optimum",
        "plans": [
            {**row, "result": f"plans/{keys[row['name']]}.json"}
            for row in table_records(found.table)
        ],
        "changes": table_records(found.changes),
        "directions": table_records(found.directions),
    }
    files = {
        **table_files(tables),
        "alternatives.json": json_bytes(document),
        "alternatives.xlsx": excel_bytes(tables, currency=found.currency, labels=found.labels),
        **result_files({keys[n]: r for n, r in found.results.items()}, "plans"),
        **chart_files(
            {
                "alternatives": chart_alternatives(
                    found.table, found.changes, dimension=found.by, currency=found.currency
                )
            }
        ),
    }
    return write_folder(out, files)


@app.command("verify")
@_guarded
def verify_command(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file the result claims to solve.")
    ],
    result_file: Annotated[
        Path, typer.Argument(help="A result.json written by `bestshore solve`.")
    ],
    quiet: Quiet = False,
) -> None:
    """Re-check every rule of a saved result against its scenario, independently of the model."""
    from bestshore.result import Result
    from bestshore.scenario.loader import check_regular_file
    from bestshore.verify import identity_problems, verify

    unreadable = None  # told once the spinner is gone: an error line is printed whole
    foreign: list[str] = []
    problems: list[str] = []
    with _progress(quiet):
        progress.report(f"loading {scenario}")
        loaded = load_scenario(scenario)
        # A regular file of bounded size, before reading: no FIFO (it would block), no
        # device (/dev/zero never ends), nothing larger than a result can be.
        check_regular_file(result_file, MAX_RESULT_BYTES, expected="a result.json file")
        try:
            result = Result.read_json(result_file)
        except FileNotFoundError:
            unreadable = f"{result_file}: file not found"
        except (ValueError, KeyError, TypeError) as exc:
            unreadable = f"{result_file}: not a readable bestshore result ({exc})"
        else:
            foreign = identity_problems(loaded, result)
            if not foreign:
                progress.report(f"checking every rule of {result_file}")
                problems = verify(loaded, result, identity=False)
    if unreadable is not None:
        _fail(unreadable, EXIT_INPUT)
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        _fail(
            f"{result_file} is not a result of {scenario}: {foreign[0]}{more}", EXIT_OTHER_SCENARIO
        )
    if problems:
        for problem in problems:
            typer.echo(f"violation: {problem}")
        _fail(f"{len(problems)} rule(s) broken in {result_file}", EXIT_INFEASIBLE)
    typer.echo(
        f"{result_file}: every rule holds ({len(result.allocation)} allocation rows checked)"
    )


@app.command("staffing")
@_guarded
def staffing_command(
    calls: Annotated[float, typer.Option("--calls", help="Calls offered in the interval.")],
    aht: Annotated[float, typer.Option("--aht", help="Average handle time [s].")],
    interval_minutes: Annotated[
        float, typer.Option("--interval-minutes", help="Interval length [min].")
    ] = 30,
    service_level: Annotated[
        float | None,
        typer.Option(
            "--service-level",
            help="Goal: share answered within --answer-seconds [fraction]; "
            "0.8 when no other goal is given.",
            show_default=False,
        ),
    ] = None,
    answer_seconds: Annotated[
        float, typer.Option("--answer-seconds", help="Answer-time target [s].")
    ] = 20,
    asa_seconds: Annotated[
        float | None,
        typer.Option("--asa-seconds", help="Goal: average speed of answer at most this [s]."),
    ] = None,
    max_prob_wait: Annotated[
        float | None,
        typer.Option(
            "--max-prob-wait", help="Goal: probability that a call waits at most this [fraction]."
        ),
    ] = None,
    agents: Annotated[
        int | None,
        typer.Option(
            "--agents",
            help="Evaluate this many agents on the phones instead of sizing for a goal: "
            "service level, ASA, probability of waiting, occupancy.",
        ),
    ] = None,
    shrinkage: Annotated[
        float, typer.Option("--shrinkage", help="Share of paid time not available [fraction].")
    ] = 0.0,
    max_occupancy: Annotated[
        float,
        typer.Option("--max-occupancy", help="Most busy share of logged-in time [fraction]."),
    ] = 1.0,
    patience: Annotated[
        float | None,
        typer.Option(
            "--patience",
            help="Callers' mean patience [s]: size by Erlang A (callers abandon); the "
            "service level is then the share of offered calls answered in time, the ASA the "
            "mean wait of all offered calls.",
            show_default=False,
        ),
    ] = None,
    max_abandon: Annotated[
        float | None,
        typer.Option(
            "--max-abandon",
            help="Goal (with --patience): share of calls abandoning at most this [fraction].",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Erlang C calculator (Erlang A with --patience): agents one interval needs for its
    goals (service level, ASA, probability of waiting or abandonment: every goal given is
    met), or what a given number achieves."""
    from bestshore.staffing import evaluate_agents, staffing_requirement

    goals = {"--service-level": service_level, "--asa-seconds": asa_seconds}
    goals["--max-prob-wait"] = max_prob_wait
    goals["--max-abandon"] = max_abandon
    given = [name for name, value in goals.items() if value is not None]
    if max_abandon is not None and patience is None:
        _fail(
            "--max-abandon needs --patience (callers' mean patience [s]): without it "
            "nobody abandons (Erlang C)",
            EXIT_INPUT,
        )
    if patience is not None and max_prob_wait is not None:
        _fail(
            "--max-prob-wait is an Erlang C goal; with --patience give --service-level, "
            "--asa-seconds or --max-abandon",
            EXIT_INPUT,
        )
    if agents is not None and given:
        _fail(
            f"--agents evaluates a given staffing; leave out the goal {', '.join(given)} "
            "(or leave out --agents to size for it)",
            EXIT_INPUT,
        )
    if patience is not None:
        _erlang_a_calculator(
            calls, aht, interval_minutes, agents, patience, answer_seconds, shrinkage,
            max_occupancy, as_json,
            goals=(service_level if service_level is not None or given else 0.8, asa_seconds,
                   max_abandon),
        )  # fmt: skip
        return
    if agents is not None:
        try:
            performance = evaluate_agents(calls, interval_minutes, aht, agents, answer_seconds)
        except ValueError as exc:
            _fail(str(exc), EXIT_INPUT)
        if as_json:
            typer.echo(json.dumps(_json_safe(performance.to_dict()), indent=2))
            return
        asa = (
            f"{performance.asa_seconds:.1f} s"
            if performance.stable
            else "unbounded: no more agents than Erlangs, the queue grows without limit"
        )
        typer.echo(
            f"traffic            {performance.traffic_erlangs:.2f} Erlang\n"
            f"agents             {performance.agents}\n"
            f"service level      {performance.service_level:.1%} answered within "
            f"{performance.answer_seconds:g} s\n"
            f"ASA                {asa}\n"
            f"P(wait)            {performance.prob_wait:.1%}\n"
            f"occupancy          {performance.occupancy:.1%}"
        )
        return
    try:
        need = staffing_requirement(
            calls,
            interval_minutes,
            aht,
            service_level if service_level is not None or given else 0.8,
            answer_seconds,
            shrinkage,
            max_occupancy,
            asa_target_seconds=asa_seconds,
            prob_wait_target=max_prob_wait,
        )
    except ValueError as exc:
        _fail(str(exc), EXIT_INPUT)
    if as_json:
        typer.echo(json.dumps(_json_safe(need.to_dict()), indent=2))
        return
    wanted = []
    if need.service_level_target is not None:
        wanted.append(f"{need.service_level_target:.0%} within {need.answer_seconds:g} s")
    if need.asa_target_seconds is not None:
        wanted.append(f"ASA <= {need.asa_target_seconds:g} s")
    if need.prob_wait_target is not None:
        wanted.append(f"P(wait) <= {need.prob_wait_target:.0%}")
    typer.echo(
        f"traffic            {need.traffic_erlangs:.2f} Erlang\n"
        f"agents             {need.agents}\n"
        f"scheduled agents   {need.scheduled_agents} (shrinkage {need.shrinkage:.0%})\n"
        f"service level      {need.service_level:.1%} answered within {need.answer_seconds:g} s\n"
        f"ASA                {need.asa_seconds:.1f} s\n"
        f"P(wait)            {need.prob_wait:.1%}\n"
        f"occupancy          {need.occupancy:.1%}\n"
        f"goal               {', '.join(wanted)}"
    )


def _erlang_a_calculator(
    calls: float,
    aht: float,
    interval_minutes: float,
    agents: int | None,
    patience: float,
    answer_seconds: float,
    shrinkage: float,
    max_occupancy: float,
    as_json: bool,
    goals: tuple[float | None, float | None, float | None],
) -> None:
    """``bestshore staffing --patience``: Erlang A sizing or evaluation."""
    from bestshore.staffing import agents_for_erlang_a, evaluate_agents_erlang_a
    from bestshore.staffing import scheduled_agents as scheduled

    target, asa, abandon = goals
    try:
        if agents is None:
            agents = agents_for_erlang_a(
                calls, interval_minutes, aht, patience, target, answer_seconds,
                asa_target_seconds=asa, max_abandon_rate=abandon, max_occupancy=max_occupancy,
            )  # fmt: skip
        else:
            target = asa = abandon = None
        performance = evaluate_agents_erlang_a(
            calls, interval_minutes, aht, agents, patience, answer_seconds
        )
        to_schedule = scheduled(agents, shrinkage)
    except ValueError as exc:
        _fail(str(exc), EXIT_INPUT)
    if as_json:
        figures = performance.to_dict() | {"scheduled_agents": to_schedule, "shrinkage": shrinkage}
        typer.echo(json.dumps(_json_safe(figures), indent=2))
        return
    wanted = []
    if target is not None:
        wanted.append(f"{target:.0%} within {answer_seconds:g} s")
    if asa is not None:
        wanted.append(f"ASA <= {asa:g} s")
    if abandon is not None:
        wanted.append(f"abandonment <= {abandon:.1%}")
    lines = [
        f"traffic            {performance.traffic_erlangs:.2f} Erlang (Erlang A, mean "
        f"patience {patience:g} s)",
        f"agents             {performance.agents}",
        f"scheduled agents   {to_schedule} (shrinkage {shrinkage:.0%})",
        f"service level      {performance.service_level:.1%} of offered calls answered "
        f"within {performance.answer_seconds:g} s",
        f"abandoned          {performance.abandon_rate:.2%} of offered calls",
        f"ASA                {performance.asa_seconds:.1f} s (mean wait of all offered calls)",
        f"P(wait)            {performance.prob_wait:.1%}",
        f"occupancy          {performance.occupancy:.1%} (answered calls' load)",
    ]
    if wanted:
        lines.append(f"goal               {', '.join(wanted)}")
    typer.echo("\n".join(lines))


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Infinite and NaN figures as null (JSON has no infinity)."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in values.items()
    }


@app.command("schema")
@_guarded
def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the scenario JSON Schema (for editor autocompletion of YAML files)."""
    from bestshore.scenario.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        from bestshore.result.files import atomic_write

        check_file_target(out)
        atomic_write(out, text.encode("utf-8"))
        typer.echo(f"wrote {out}")


# The tender workflow (bestshore/rfp/cli.py), registered last: it uses the helpers above.
from bestshore.rfp.cli import rfp_app  # noqa: E402

app.add_typer(rfp_app, name="rfp")


def _without_iri_format_checks() -> None:
    """Keep jsonschema's ``iri`` format checks out of the command line's process.

    Altair validates each chart with jsonschema, which at import builds the Earley
    parsers of ``rfc3987_syntax`` for those checks: 2 to 4 s of every command that draws
    a chart (python-jsonschema/jsonschema#1428), for a format neither the Vega-Lite
    schema nor bestshore uses. An entry of None in ``sys.modules`` makes its import fail,
    and jsonschema then goes without them; the process is the command's own, so nothing
    else loses them.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main() -> None:
    """Console entry point."""
    _without_iri_format_checks()
    app(prog_name="bestshore")


if __name__ == "__main__":  # pragma: no cover
    main()
