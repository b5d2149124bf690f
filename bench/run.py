"""Run the benchmark: bestshore against the HiGHS floor, naive PuLP and linopy.

Usage::

    python -m bench.run                      # S, M, L, XL; 3 repeats (XL 1)
    python -m bench.run --sizes S,M --repeats 5 --out /tmp/results.md
    python -m bench.run --shifts only --shift-sizes M L   # the rows with shifts alone

Every (size, approach) runs in a fresh subprocess, so its peak memory is its own. Each
writes its timings to a JSON file the parent reads; the parent checks that every
approach reaches bestshore's optimum (relative difference < 1e-6), fits the scaling
exponents, judges the targets of issue 6 and writes ``bench/results.md``,
``bench/results.json`` and the chart ``docs/scaling.{png,svg}``.

With shifts (issue 12, ``--shifts``): the sizes of ``--shift-sizes`` rostered in whole
shifts and ``scenarios/demo-roster.yaml``, each run by bestshore end to end, by the
first round of its solve alone (the relaxation, one LP) and by the HiGHS floor of the
same formulation; the floor must reach the first round's optimum (see
``bench/README.md``).
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata, util
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "scenarios" / "demo.yaml"
DEMO_ROSTER = ROOT / "scenarios" / "demo-roster.yaml"
DEMOS = {"demo": DEMO, "demo-roster": DEMO_ROSTER}
SHIFTS = "+shifts"  # suffix of a generated size rostered in whole shifts ("M+shifts")
SHIFT_SIZES = ("S", "M", "L")  # sizes run with shifts by default (those of --sizes)
# With shifts: bestshore end to end, bestshore's first round alone (one LP), the floor
SHIFT_APPROACHES = ("bestshore", "round", "floor")
SHIFT_LABELS = {
    "bestshore": "bestshore end to end (`bestshore.solve`)",
    "round": "bestshore, first round (one LP)",
    "floor": "HiGHS floor, same LP (arrays to highspy)",
}
DEMO_ROSTER_TARGET = 3.0  # seconds, the rostered demo end to end on 2 cores (issue 12)
APPROACHES = ("bestshore", "floor", "linopy", "pulp")
SHORT = {
    "bestshore": "bestshore",
    "floor": "HiGHS floor",
    "linopy": "linopy",
    "pulp": "naive PuLP",
}
LABELS = {
    "bestshore": "bestshore",
    "floor": "HiGHS floor (arrays to highspy)",
    "linopy": "linopy",
    "pulp": "naive PuLP",
}
STAGES = ("inputs", "build", "handover", "solve", "extract")
TOLERANCE = 1e-6  # relative objective difference accepted by the cross-check
SWEEP_POINTS = 20
LINEAR_EXPONENT = 1.15  # a fitted exponent at most this counts as linear scaling
# Workbench variants: key, label, verification, quick (Erlang loop from the last plan)
VARIANTS = (
    ("checked", "on", True, False),
    ("unchecked", "off", False, False),
    ("quick", "on, `quick=True`", True, True),
)

# -- child side: one (size, approach) in this process ------------------------------------


def _peak_rss_mib() -> float:
    """Peak resident memory of this process [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def _roster_probe() -> Iterator[list[dict[str, Any]]]:
    """Record each round's whole-agent roster step (``whole_roster`` with its MILPs, once
    per staffing round; the months' rounded rosters are not steps) and the size, time
    and end of each site's roster program, by wrapping the functions for the block.
    A site's program is its MILP (``_solve_roster``: its LP first, then its LP rounded,
    kept when within the MILP's gap, else HiGHS's branch-and-bound from that start);
    *solved by* says which ended it. Empty for a bestshore without rosters."""
    steps: list[dict[str, Any]] = []
    try:
        from bestshore.model import plan, roster
    except ImportError:
        yield steps
        return
    if not hasattr(roster, "whole_roster") or not hasattr(plan, "whole_roster"):
        yield steps
        return
    solve, step, program = roster.solve_with_highs, plan.whole_roster, roster._solve_roster
    active: list[dict[str, Any]] = []  # the step running, if any
    branched: list[bool] = []

    def timed_solve(arrays: Any, **kwargs: Any) -> Any:
        if arrays.integer.any():
            branched.append(True)
        return solve(arrays, **kwargs)

    def timed_program(arrays: Any, *args: Any, **kwargs: Any) -> Any:
        if not active:
            return program(arrays, *args, **kwargs)
        branched.clear()
        start = time.perf_counter()
        solution = program(arrays, *args, **kwargs)
        active[-1]["milps"].append(
            {
                "columns": int(arrays.num_col),
                "rows": int(arrays.num_row),
                "integer": int(arrays.integer.sum()),
                "nonzeros": int(arrays.num_nz),
                "seconds": time.perf_counter() - start,
                "status": solution.status,
                "solved_by": "branch-and-bound" if branched else "LP or its rounding",
            }
        )
        return solution

    def timed_step(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("method", "milp") != "milp":
            return step(*args, **kwargs)
        steps.append({"milps": []})
        active.append(steps[-1])
        start = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            active.pop()
            steps[-1]["seconds"] = time.perf_counter() - start

    roster.solve_with_highs, plan.whole_roster = timed_solve, timed_step
    roster._solve_roster = timed_program
    try:
        yield steps
    finally:
        roster.solve_with_highs, plan.whole_roster = solve, step
        roster._solve_roster = program


def _roster_facts(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The roster steps in short: their count and time, and the first step's MILPs."""
    if not steps:
        return None
    milps = steps[0]["milps"]
    return {
        "steps": len(steps),
        "seconds": sum(step["seconds"] for step in steps),
        "first_seconds": steps[0]["seconds"],
        "first_milp_seconds": sum(m["seconds"] for m in milps),
        "milps": len(milps),
        "milps_all_steps": sum(len(step["milps"]) for step in steps),
        "statuses": {
            status: sum(m["status"] == status for m in milps)
            for status in sorted({m["status"] for m in milps})
        },
        "solved_by": {
            how: sum(m.get("solved_by") == how for m in milps)
            for how in sorted({str(m.get("solved_by")) for m in milps})
        },
        "branched_all_steps": sum(
            m.get("solved_by") == "branch-and-bound" for step in steps for m in step["milps"]
        ),
        "milp_seconds_all_steps": sum(m["seconds"] for step in steps for m in step["milps"]),
        **{
            f"{key}_{how}": (sum if how == "sum" else max)(m[key] for m in milps) if milps else 0
            for key in ("columns", "rows", "integer", "nonzeros")
            for how in ("sum", "max")
        },
    }


def _run_bestshore(scenario: Any, allow_no_plan: bool = False) -> dict[str, Any]:
    """``bestshore.solve`` end to end. ``allow_no_plan``: a solve that ends without a
    plan (``SolveError``) is a finding recorded with its time, not a failure."""
    import bestshore

    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        with _roster_probe() as steps:
            result = bestshore.solve(scenario, check=True, timings=timings)
    except Exception as exc:
        if not (allow_no_plan and type(exc).__name__ == "SolveError"):
            raise
        total = time.perf_counter() - start
        stages = {stage: float(timings.get(stage, math.nan)) for stage in STAGES}
        return {
            "total": total,
            "stages": stages,
            "other": total - sum(v for v in stages.values() if math.isfinite(v)),
            "staffing": timings.get("staffing"),
            "verify": math.nan,
            "rounds": timings.get("rounds"),
            "roster": _roster_facts(steps),
            "objective": math.nan,
            "status": f"no plan ({getattr(exc, 'code', None) or type(exc).__name__})",
            "message": str(exc)[:300],
        }
    except TypeError as exc:  # an older bestshore without stage timings
        if "timings" not in str(exc):
            raise
        start = time.perf_counter()
        result = bestshore.solve(scenario, check=False)
        total = time.perf_counter() - start
        checked = time.perf_counter()
        problems = bestshore.verify(scenario, result)
        if problems:
            raise RuntimeError(f"verification failed: {problems[:3]}") from None
        return {
            "total": total,
            "stages": None,
            "verify": time.perf_counter() - checked,
            **_result_facts(result),
        }
    wall = time.perf_counter() - start
    verify = float(timings.get("verify", 0.0))
    stages = {stage: float(timings.get(stage, math.nan)) for stage in STAGES}
    total = wall - verify
    return {
        "total": total,
        "stages": stages,
        "other": total - sum(v for v in stages.values() if math.isfinite(v)),
        "staffing": timings.get("staffing"),
        "verify": verify,
        "rounds": timings.get("rounds"),
        "roster": _roster_facts(steps),
        **_result_facts(result),
    }


def _result_facts(result: Any) -> dict[str, Any]:
    stamp = result.stamp
    return {
        "objective": float(stamp.get("lp_objective", result.total_cost)),
        "total_cost": float(result.total_cost),
        "lower_bound": stamp.get("lower_bound"),
        "status": str(result.status),
        "columns": stamp.get("variables"),
        "rows": stamp.get("constraints"),
    }


def _section_columns(program: Any, name: str) -> int:
    """Columns a family's section of a bestshore program wrote (0 without it)."""
    section = program.sections.get(name)
    if section is None:
        return 0
    start, stop = section.columns
    return int(stop - start)


def _run_round(scenario: Any) -> dict[str, Any]:
    """The first round of bestshore's solve alone: its relaxation (Erlang-staffed rows
    at their envelopes, rosters paid) built and solved once (what the floor writes),
    then the round's exact staffing and roster."""
    from bench.formulations import _table
    from bestshore.model import plan
    from bestshore.model.build import build_model
    from bestshore.model.inputs import prepare_inputs
    from bestshore.model.sets import eligible_assignments
    from bestshore.model.solve import solve_model

    start = time.perf_counter()
    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    prepared = time.perf_counter()
    model = build_model(inputs, eligibility=eligibility)
    arrays = model.program.arrays()
    built = time.perf_counter()
    solution = solve_model(model)
    solved = time.perf_counter()
    table = _table(eligibility.assignments, model.shares())
    extracted = time.perf_counter()
    stages = {
        "inputs": prepared - start,
        "build": built - prepared,
        "handover": solution.handover_seconds,
        "solve": solution.solve_seconds,
        "extract": extracted - solved,
    }
    staffing = plan.exact_staffing_of(inputs, model.variables, model.shares())
    staffed = time.perf_counter()
    with _roster_probe() as steps:
        plan.whole_roster(inputs, staffing)
    return {
        "total": sum(stages.values()),
        "stages": stages,
        "other": 0.0,
        "staffing": staffed - extracted,
        "objective": float(solution.objective or math.nan),
        "status": solution.status,
        "columns": arrays.num_col,
        "rows": arrays.num_row,
        "nonzeros": arrays.num_nz,
        "shift_columns": _section_columns(model.program, "roster"),
        "rows_with_work": len(table),
        "roster": _roster_facts(steps),
    }


def _reference_runner(name: str, first_round: bool = False) -> Callable[[Any], dict[str, Any]]:
    """A reference formulation's run; ``first_round``: the floor of bestshore's first
    staffing round (rostered or Erlang scenarios)."""

    def run(scenario: Any) -> dict[str, Any]:
        from bench.formulations import APPROACHES as FORMULATIONS
        from bench.formulations import solve_floor
        from bestshore.model.inputs import prepare_inputs
        from bestshore.model.sets import eligible_assignments

        start = time.perf_counter()
        inputs = prepare_inputs(scenario)
        eligibility = eligible_assignments(inputs)
        prepared = time.perf_counter() - start
        if first_round and name == "floor":
            solved = solve_floor(inputs, eligibility, first_round=True)
        else:
            solved = FORMULATIONS[name](inputs, eligibility)
        stages = {"inputs": prepared, **solved.seconds}
        return {
            "total": sum(stages.values()),
            "stages": stages,
            "other": 0.0,
            "objective": solved.objective,
            "status": solved.status,
            "columns": solved.shape.get("columns"),
            "rows": solved.shape.get("rows"),
            "nonzeros": solved.shape.get("nonzeros"),
            "shift_columns": solved.shape.get("shift_columns"),
            "roster_rows": solved.shape.get("roster_rows"),
            "rows_with_work": len(solved.table) if solved.table is not None else None,
        }

    return run


def _heaviest(allocation: Any, column: str) -> str:
    """The site (or vendor) carrying the most productive hours (ties by id)."""
    hours = allocation.groupby(column)["productive_hours"].sum()
    frame = hours.reset_index().sort_values(["productive_hours", column], ascending=[False, True])
    return str(frame.iloc[0][column])


def _workbench(scenario: Any, check: bool, quick: bool) -> dict[str, Any]:
    """First solve, single re-solves after a price, a cap and a capacity, a 20-point sweep."""
    import numpy as np

    import bestshore

    bench = bestshore.Workbench(scenario, check=check)
    start = time.perf_counter()
    first = bench.solve()
    out: dict[str, Any] = {
        "first": time.perf_counter() - start,
        "first_stages": dict(bench.timings),
        "failures": [],
    }
    site = _heaviest(first.allocation, "site")
    vendor_work = first.allocation[first.allocation["vendor"] != "in-house"]
    vendor = _heaviest(vendor_work, "vendor") if len(vendor_work) else None
    rate = next(s.cost_per_hour for s in bench.scenario.sites if s.id == site)
    if rate is None:  # priced per call type only: no one rate to vary
        raise SystemExit(f"bench: {site} has no cost_per_hour to vary")
    out["site"], out["vendor"], out["base_rate"] = site, vendor, rate

    def timed(change: Callable[[], None]) -> tuple[float, dict[str, float], float]:
        change()
        begin = time.perf_counter()
        try:
            result = bench.solve(quick=True) if quick else bench.solve()
        except Exception as exc:  # an infeasible what-if is a finding, not a crash
            out["failures"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
            return math.nan, dict(bench.timings), math.nan
        return time.perf_counter() - begin, dict(bench.timings), float(result.total_cost)

    out["rate"], out["rate_stages"], _ = timed(lambda: bench.set_rate(site, rate * 0.95))
    if vendor is not None:
        share = float(vendor_work.groupby("vendor")["productive_hours"].sum()[vendor])
        share /= float(first.allocation["productive_hours"].sum())
        out["cap"], _, _ = timed(lambda: bench.set_vendor_cap(vendor, round(share * 0.9, 4)))
        bench.set_vendor_cap(vendor, None)
    hours = float(first.allocation.groupby("site")["productive_hours"].sum()[site])
    out["capacity"], _, _ = timed(lambda: bench.set_capacity(site, hours * 0.9))
    bench.set_capacity(site, hours * 10)  # out of the way for the sweep
    points = np.linspace(0.8, 1.2, SWEEP_POINTS) * rate
    each, costs = [], []
    begin = time.perf_counter()
    for price in points:
        seconds, _, cost = timed(functools.partial(bench.set_rate, site, float(price)))
        each.append(seconds)
        costs.append(cost)
    out["sweep"] = time.perf_counter() - begin
    out["sweep_median_point"] = statistics.median(each)
    out["sweep_costs"] = costs
    restarts = getattr(getattr(bench, "_session", None), "restarts", None)  # for the report
    out["highs_restarts"] = restarts
    return out


def _run_workbench(scenario: Any) -> dict[str, Any]:
    import bestshore

    if not hasattr(bestshore, "Workbench"):
        return {"available": False}
    erlang = any(c.service_level is not None for c in scenario.call_types)
    has_quick = "quick" in inspect.signature(bestshore.Workbench.solve).parameters
    return {
        "available": True,
        **{
            key: _workbench(scenario, check=check, quick=quick)
            for key, _, check, quick in VARIANTS
            if not quick or (erlang and has_quick)
        },
    }


def _child(size: str, approach: str, repeats: int, out: Path) -> int:
    from bench.scenarios import scenario_dict
    from bestshore.scenario.checks import check_references
    from bestshore.scenario.schema import Scenario

    record: dict[str, Any] = {"size": size, "approach": approach, "repeats": []}
    source = DEMOS.get(size)  # a demo's source: its profile paths are relative to it
    rostered = size.endswith(SHIFTS) or size == "demo-roster"
    if source is not None:
        from bestshore.scenario import load_scenario

        data = load_scenario(source).model_dump(mode="json")
    else:
        data = scenario_dict(size.removesuffix(SHIFTS), shifts=size.endswith(SHIFTS))
    runner: Callable[[Any], dict[str, Any]]
    if approach == "bestshore":
        runner = (lambda s: _run_bestshore(s, allow_no_plan=True)) if rostered else _run_bestshore
    elif approach == "round":
        runner = _run_round
    elif approach == "workbench":
        runner = _run_workbench
    else:
        runner = _reference_runner(approach, first_round=rostered)
    for _ in range(repeats):
        start = time.perf_counter()
        scenario = Scenario.model_validate(data, context={"source": source})
        validation = time.perf_counter() - start
        check_references(scenario)
        cpu = time.process_time()
        rep = runner(scenario)
        rep["cpu"] = time.process_time() - cpu  # user + system, all threads; verify included
        rep["validation"] = validation
        record["repeats"].append(rep)
    record["peak_rss_mib"] = _peak_rss_mib()
    out.write_text(json.dumps(record), encoding="utf-8")
    return 0


# -- parent side: spawn, collect, judge, write -------------------------------------------


def _spawn(size: str, approach: str, repeats: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "record.json"
        command = [
            sys.executable,
            "-m",
            "bench.run",
            "--child",
            size,
            approach,
            "--repeats",
            str(repeats),
            "--result",
            str(out),
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"size": size, "approach": approach, "error": f"timed out after {timeout:g} s"}
        if done.returncode != 0 or not out.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
            return {"size": size, "approach": approach, "error": "\n".join(tail)}
        record: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return record


def _median(values: list[float | None]) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(finite) if finite else math.nan


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    """Medians over the repeats of every timing; facts from the first repeat."""
    reps = record.get("repeats") or []
    if not reps:
        return {}
    first = reps[0]
    stages = None
    if first.get("stages") is not None:
        stages = {s: _median([r["stages"].get(s) for r in reps]) for s in STAGES}
    return {
        "total": _median([r["total"] for r in reps]),
        "stages": stages,
        "other": _median([r.get("other") for r in reps]),
        "verify": _median([r.get("verify") for r in reps]),
        "validation": _median([r["validation"] for r in reps]),
        "cpu": _median([r.get("cpu") for r in reps]),
        "objective": first["objective"],
        "objectives": [r["objective"] for r in reps],
        "status": first["status"],
        "columns": first.get("columns"),
        "rows": first.get("rows"),
        "nonzeros": first.get("nonzeros"),
        "rounds": first.get("rounds"),
        "peak_rss_mib": record.get("peak_rss_mib"),
        "repeats": len(reps),
        # with shifts
        "staffing": _median([r.get("staffing") for r in reps]),
        "roster": first.get("roster"),
        "roster_seconds": _median([(r.get("roster") or {}).get("seconds") for r in reps]),
        "roster_first_seconds": _median(
            [(r.get("roster") or {}).get("first_seconds") for r in reps]
        ),
        "roster_first_milp_seconds": _median(
            [(r.get("roster") or {}).get("first_milp_seconds") for r in reps]
        ),
        "lower_bound": first.get("lower_bound"),
        "total_cost": first.get("total_cost"),
        "shift_columns": first.get("shift_columns"),
        "roster_rows": first.get("roster_rows"),
        "message": first.get("message"),
    }


def _fit_exponent(points: list[tuple[float, float]]) -> float:
    """Slope of log(time) against log(variables), least squares."""
    import numpy as np

    usable = [(n, t) for n, t in points if n > 0 and t > 0 and math.isfinite(t)]
    if len(usable) < 2:
        return math.nan
    x = np.log([n for n, _ in usable])
    y = np.log([t for _, t in usable])
    slope, _ = np.polyfit(x, y, 1)
    return float(slope)


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        [
            "git",
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "bestshore",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "highspy": version("highspy"),
        "pulp": version("pulp"),
        "linopy": version("linopy"),
        "numpy": version("numpy"),
        "pandas": version("pandas"),
        "scipy": version("scipy"),
        "numba": version("numba"),
        "commit": commit + (" with uncommitted changes under bestshore/" if dirty else ""),
    }


def _fmt(seconds: float | None, digits: int = 2) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 0.01:
        return f"{seconds:.4f}" if digits > 2 else f"{seconds:.3f}"
    return f"{seconds:.{digits}f}"


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _ratio(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def _analyse(sizes: list[str], summaries: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Cross-checks, ratios to the floor and scaling exponents."""
    checks: list[dict[str, Any]] = []
    ratios: dict[str, dict[str, float]] = {}
    overhead_ratios: dict[str, dict[str, float]] = {}
    for size in sizes:
        runs = summaries.get(size, {})
        reference = runs.get("bestshore", {}).get("objective")
        floor = runs.get("floor", {})
        ratios[size], overhead_ratios[size] = {}, {}
        for approach in APPROACHES:
            summary = runs.get(approach)
            if not summary:
                continue
            if floor and summary.get("stages") and floor.get("stages"):
                ratios[size][approach] = summary["total"] / floor["total"]
                overhead = summary["total"] - summary["stages"]["solve"]
                floor_overhead = floor["total"] - floor["stages"]["solve"]
                overhead_ratios[size][approach] = overhead / floor_overhead
            elif floor:
                ratios[size][approach] = summary["total"] / floor["total"]
            if approach == "bestshore" or reference is None:
                continue
            worst = max(
                abs(o - reference) / max(abs(reference), 1.0) for o in summary["objectives"]
            )
            checks.append(
                {
                    "size": size,
                    "approach": approach,
                    "objective": summary["objective"],
                    "reference": reference,
                    "relative": worst,
                    "passed": worst < TOLERANCE and summary["status"] == "optimal",
                }
            )
    exponents: dict[str, float] = {}
    for approach in APPROACHES:
        for stage in ("inputs", "build", "extract"):
            points = [
                (summaries[s][approach]["columns"], summaries[s][approach]["stages"][stage])
                for s in sizes
                if approach in summaries.get(s, {})
                and summaries[s][approach].get("stages")
                and summaries[s][approach].get("columns")
            ]
            exponents[f"{approach}.{stage}"] = _fit_exponent(points)
            exponents[f"{approach}.{stage}.top"] = _fit_exponent(points[-2:])
        points = [
            (summaries[s][approach]["columns"], summaries[s][approach]["total"])
            for s in sizes
            if approach in summaries.get(s, {}) and summaries[s][approach].get("columns")
        ]
        exponents[f"{approach}.total"] = _fit_exponent(points)
        exponents[f"{approach}.total.top"] = _fit_exponent(points[-2:])
    return {
        "checks": checks,
        "ratios": ratios,
        "overhead_ratios": overhead_ratios,
        "exponents": exponents,
    }


def _analyse_shifts(
    names: list[str], summaries: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, Any]:
    """With shifts: the floor and the first round of bestshore's end-to-end solve against
    bestshore's first round alone (the same LP), and ratios to the floor's total."""
    checks: list[dict[str, Any]] = []
    ratios: dict[str, dict[str, float]] = {}
    for name in names:
        runs = summaries.get(name, {})
        reference = runs.get("round", {}).get("objective")
        floor = runs.get("floor", {})
        ratios[name] = {
            approach: runs[approach]["total"] / floor["total"]
            for approach in SHIFT_APPROACHES
            if approach in runs and floor.get("total")
        }
        if reference is None or not math.isfinite(reference):
            continue
        if floor:
            worst = max(abs(o - reference) / max(abs(reference), 1.0) for o in floor["objectives"])
            checks.append(
                {
                    "size": name,
                    "approach": "floor",
                    "objective": floor["objective"],
                    "reference": reference,
                    "relative": worst,
                    "passed": worst < TOLERANCE and floor["status"] == "optimal",
                }
            )
        bound = runs.get("bestshore", {}).get("lower_bound")
        if bound is not None:  # the end-to-end solve's first round: the same LP again
            relative = abs(bound - reference) / max(abs(reference), 1.0)
            checks.append(
                {
                    "size": name,
                    "approach": "bestshore",
                    "objective": bound,
                    "reference": reference,
                    "relative": relative,
                    "passed": relative < TOLERANCE,
                }
            )
    return {"checks": checks, "ratios": ratios}


def _shift_targets(
    names: list[str],
    summaries: dict[str, dict[str, dict[str, Any]]],
    analysis: dict[str, Any],
) -> list[tuple[str, str, bool | None]]:
    """Each target of issue 12's bench acceptance: what was measured, and its verdict."""
    rows: list[tuple[str, str, bool | None]] = []
    if "demo-roster" in names:
        demo = summaries.get("demo-roster", {}).get("bestshore")
        target = f"demo with shifts end to end <= {DEMO_ROSTER_TARGET:g} s on 2 cores"
        if demo is None:
            rows.append((target, "run failed", None))
        else:
            planned = math.isfinite(demo["objective"])
            measured = (
                f"{_fmt(demo['total'])} s (median of {demo['repeats']}; "
                f"{_count(_int(demo.get('rounds')))} staffing rounds"
                + ("" if planned else f"; {demo['status']}")
                + f"), verification {_fmt(demo.get('verify'))} s on top; "
                f"CPU {_fmt(demo.get('cpu'))} s with it"
            )
            rows.append((target, measured, planned and demo["total"] <= DEMO_ROSTER_TARGET))
    by_name: dict[str, list[dict[str, Any]]] = {}
    for check in analysis["checks"]:
        by_name.setdefault(check["size"], []).append(check)
    for name in names:
        floor = [c for c in by_name.get(name, []) if c["approach"] == "floor"]
        target = (
            f"{name}: the floor of the same formulation reaches bestshore's first-round "
            f"optimum (relative difference <= {TOLERANCE:g})"
        )
        if not floor:
            rows.append((target, "not compared (a run failed)", None))
            continue
        rows.append((target, f"{floor[0]['relative']:.1e}", floor[0]["passed"]))
    return rows


def _int(value: Any) -> int | None:
    return None if value is None or not math.isfinite(float(value)) else int(value)


def _instance_counts(name: str) -> tuple[int, int]:
    """Call types and sites of an instance (a generated size or a demo)."""
    if name in DEMOS:
        from bestshore.scenario import load_scenario

        scenario = load_scenario(DEMOS[name])
        return len(scenario.call_types), len(scenario.sites)
    from bench.scenarios import scenario_dict

    data = scenario_dict(name.removesuffix(SHIFTS), shifts=name.endswith(SHIFTS))
    return len(data["call_types"]), len(data["sites"])


def _shift_lines(
    names: list[str],
    summaries: dict[str, dict[str, dict[str, Any]]],
    analysis: dict[str, Any],
    errors: list[dict[str, Any]],
    repeats: dict[str, int],
) -> list[str]:
    """The report's section on rosters in whole shifts (issue 12)."""
    lines = [
        "## With shifts (issue 12)",
        "",
        "The same generated instances with every site rostered in whole shifts",
        "(`settings.roster: {shift_hours: [4, 6, 8]}`, `bench/scenarios.py`, names `+shifts`),",
        "and the rostered demo `scenarios/demo-roster.yaml` (Erlang C service levels, at",
        "most 40 % part time). A plan takes several LP rounds (the relaxation, then rounds",
        "holding back what the exact staffing and its whole shifts overshoot), each",
        "followed by the per-site roster MILPs (`whole_roster`). The HiGHS",
        "floor writes the LP of the *first* round (bestshore's relaxation: envelopes of the",
        "Erlang-staffed rows, rosters paid) with the columns and rows of the `roster`",
        "family as arrays; it is compared with that round built",
        "and solved alone by bestshore (*first round*), which is the end-to-end solve's",
        "first round too (its `lower_bound`).",
        "",
        "### LP of the first round, and the roster step",
        "",
        "| instance | call types | sites | LP columns (of them the roster's) | rows "
        "| non-zeros | first-round optimum [EUR/yr] |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = summaries.get(name, {})
        round_ = runs.get("round") or runs.get("floor") or {}
        calls, sites = _instance_counts(name)
        objective = round_.get("objective")
        lines.append(
            f"| {name} | {calls} | {sites} | {_count(round_.get('columns'))} "
            f"({_count(round_.get('shift_columns'))}) | {_count(round_.get('rows'))} | "
            f"{_count(round_.get('nonzeros'))} | "
            f"{f'{objective:,.0f}' if objective is not None else 'n/a'} |"
        )
    lines += [
        "",
        "The roster step of a round: one MILP per rostered site that has work, integer",
        "shift counts covering every hour's agents rounded up, elastic on capacity and",
        "seats, to a 0.5 % gap (or 100 nodes). Its LP first (whole when the interval",
        "structure allows); else the LP rounded (up, then shifts taken off while every row",
        "holds) is kept when within 0.5 % of the LP, and otherwise is the start of HiGHS's",
        "branch-and-bound (*solved by*). Sizes of the first round's step; seconds of that",
        "step alone (*first round*, the site programs alone in brackets) and summed over",
        "the end-to-end solve's rounds (*all rounds*: steps, and the site programs that",
        "needed branch-and-bound in all of them).",
        "",
        "| instance | site MILPs | columns: all (largest) | rows: all (largest) "
        "| integer columns: all (largest) | non-zeros: all (largest) | how they ended "
        "| solved by | first round [s] (MILPs alone) | all rounds [s] (steps; branched) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = summaries.get(name, {})
        round_ = runs.get("round") or {}
        first = round_.get("roster") or {}
        whole = runs.get("bestshore") or {}
        steps = (whole.get("roster") or {}).get("steps")
        if not first:
            lines.append(f"| {name} | n/a |" + " |" * 8)
            continue
        cells = [
            f"{first[f'{key}_sum']:,} ({first[f'{key}_max']:,})"
            for key in ("columns", "rows", "integer", "nonzeros")
        ]
        lines.append(
            f"| {name} | {first['milps']} | "
            + " | ".join(cells)
            + f" | {_statuses(first.get('statuses') or {})} "
            f"| {_statuses(first.get('solved_by') or {})} "
            f"| {_fmt(round_.get('roster_first_seconds'), 3)} "
            f"({_fmt(round_.get('roster_first_milp_seconds'), 3)}) | "
            f"{_fmt(whole.get('roster_seconds'))} ({_count(steps)}; "
            f"{_count((whole.get('roster') or {}).get('branched_all_steps'))}) |"
        )
    lines += [
        "",
        "### Timings with shifts",
        "",
        "Seconds, medians of the repeats. bestshore end to end: `bestshore.solve` as in",
        "the timings above, its *build*, *hand-over* and *solve* summed over the staffing",
        "rounds, *staffing* the exact staffing and roster of every round (*roster step* of",
        "it), *other* what no stage covers, *CPU* the process's user and system seconds",
        "over the same call (verification included; wall seconds inflate on a loaded",
        "machine, CPU seconds much less). First round: bestshore's LP of the first round",
        "built and solved once, its result table read back (as the floor's); its exact",
        "staffing and roster step are given beside, not in its *total*. *x floor*: total /",
        "the floor's total. *objective*: the LP optimum of the first round (floor, first",
        "round), the plan's exact cost (end to end; the LP bound beside).",
        "",
    ]
    ratios = analysis["ratios"]
    for name in names:
        runs = summaries.get(name, {})
        count = repeats.get(name, 0)
        lines += [
            f"#### {name} ({count} repeat{'s' if count != 1 else ''})",
            "",
            "| approach | validation | inputs | build | hand-over | solve | staffing "
            "| roster step | extract | other | total | CPU | rounds | verify | x floor "
            "| peak RSS [MiB] | objective [EUR/yr] | rel. diff to first round |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        reference = runs.get("round", {}).get("objective")
        for approach in SHIFT_APPROACHES:
            s = runs.get(approach)
            if not s:
                note = next(
                    (
                        e["error"].splitlines()[-1]
                        for e in errors
                        if e["size"] == name and e["approach"] == approach
                    ),
                    "not run",
                )
                lines.append(f"| {SHIFT_LABELS[approach]} | {note} |" + " |" * 16)
                continue
            stages = s.get("stages") or {}
            staffing = s.get("staffing")
            other = "—"
            if approach == "bestshore":
                other = _fmt(s["other"] - (staffing if _finite(staffing) else 0.0))
            planned = math.isfinite(s["objective"])
            if approach == "bestshore":
                bound = s.get("lower_bound")
                objective = (
                    f"{s['total_cost']:,.0f} (bound {bound:,.0f})"
                    if planned and bound is not None
                    else (f"{s['total_cost']:,.0f}" if planned else f"**{s['status']}**")
                )
                compared = bound
            else:
                objective = f"{s['objective']:,.2f}"
                compared = s["objective"]
            diff = (
                "reference"
                if approach == "round"
                else (
                    f"{abs(compared - reference) / max(abs(reference), 1.0):.1e}"
                    if compared is not None and reference is not None
                    else "n/a"
                )
            )
            lines.append(
                f"| {SHIFT_LABELS[approach]} | {_fmt(s['validation'], 3)} | "
                + " | ".join(_fmt(stages.get(stage)) for stage in STAGES[:4])
                + f" | {_fmt(staffing) if approach != 'floor' else '—'}"
                f" | {_fmt(s.get('roster_seconds')) if approach != 'floor' else '—'}"
                f" | {_fmt(stages.get('extract'))} | {other} | **{_fmt(s['total'])}**"
                f" | {_fmt(s.get('cpu'))}"
                f" | {_count(_int(s.get('rounds'))) if approach == 'bestshore' else '1'}"
                f" | {_fmt(s.get('verify')) if approach == 'bestshore' else '—'}"
                f" | {_ratio(ratios.get(name, {}).get(approach, math.nan))}"
                f" | {s['peak_rss_mib']:,.0f} | {objective} | {diff} |"
            )
        message = runs.get("bestshore", {}).get("message")
        if message:
            lines += ["", f"bestshore end to end found no plan: {message}"]
        lines.append("")
    lines += [
        "### Cross-check with shifts: the same first-round optimum",
        "",
        "| instance | compared | objective [EUR/yr] | first round alone [EUR/yr] "
        "| relative difference | passed |",
        "|---|---|---|---|---|---|",
    ]
    words = {
        "floor": SHIFT_LABELS["floor"],
        "bestshore": "first round of the end-to-end solve (`lower_bound`)",
    }
    for check in analysis["checks"]:
        lines.append(
            f"| {check['size']} | {words[check['approach']]} | {check['objective']:,.2f} | "
            f"{check['reference']:,.2f} | {check['relative']:.1e} | "
            f"{'yes' if check['passed'] else '**NO**'} |"
        )
    lines += [
        "",
        "### Targets with shifts (issue 12)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for target, measured, ok in _shift_targets(names, summaries, analysis):
        lines.append(f"| {target} | {measured} | {_verdict(ok)} |")
    lines.append("")
    return lines


def _statuses(counts: dict[str, int]) -> str:
    """``{"optimal": 7, "infeasible": 5}`` as ``7 optimal, 5 infeasible``."""
    return ", ".join(f"{n} {status}" for status, n in counts.items()) or "none"


def _finite(value: Any) -> bool:
    return value is not None and math.isfinite(float(value))


def _targets(
    summaries: dict[str, dict[str, dict[str, Any]]],
    analysis: dict[str, Any],
    workbench: dict[str, dict[str, Any]],
) -> list[tuple[str, str, bool | None]]:
    """Each target of issue 6: what was measured, and whether it is met."""
    rows: list[tuple[str, str, bool | None]] = []
    ratios = analysis["ratios"]

    def total(size: str, approach: str) -> float:
        return float(summaries.get(size, {}).get(approach, {}).get("total", math.nan))

    if "L" in ratios and "bestshore" in ratios["L"]:
        r = ratios["L"]["bestshore"]
        rows.append(("L: bestshore <= 1.3x the HiGHS floor", f"{r:.2f}x", r <= 1.3))
        lin = total("L", "linopy")
        if math.isfinite(lin):
            rows.append(
                (
                    "L: bestshore ahead of linopy",
                    f"bestshore {total('L', 'bestshore'):.3f} s, linopy {lin:.3f} s",
                    total("L", "bestshore") < lin,
                )
            )
        pulp = total("L", "pulp")
        if math.isfinite(pulp):
            speedup = pulp / total("L", "bestshore")
            rows.append(
                ("L: bestshore >= 3x ahead of naive PuLP", f"{speedup:.2f}x", speedup >= 3.0)
            )
    if "XL" in ratios and "bestshore" in ratios["XL"]:
        r = ratios["XL"]["bestshore"]
        rows.append(("XL: bestshore <= 1.5x the HiGHS floor", f"{r:.2f}x", r <= 1.5))
        peak = (summaries["XL"]["bestshore"].get("peak_rss_mib") or math.nan) * 2**20 / 1e9
        rows.append(("XL: bestshore peak memory < 4 GB", f"{peak:.2f} GB (peak RSS)", peak < 4.0))
    for stage in ("build", "extract"):
        e = analysis["exponents"].get(f"bestshore.{stage}", math.nan)
        top = analysis["exponents"].get(f"bestshore.{stage}.top", math.nan)
        if math.isfinite(e):
            rows.append(
                (
                    f"bestshore {stage} scales linearly in variables (fitted exponent and "
                    f"slope between the two largest sizes <= {LINEAR_EXPONENT})",
                    f"exponent {e:.2f} (fit over all sizes), {top:.2f} (two largest)",
                    e <= LINEAR_EXPONENT and top <= LINEAR_EXPONENT,
                )
            )
    demo = workbench.get("demo", {})
    if demo.get("available"):
        checked = demo["checked"]
        rows.append(
            (
                "demo: a re-solve after a price change takes < 1 s",
                f"{_fmt(checked['sweep_median_point'])} s median over the sweep "
                f"({_fmt(checked['rate'])} s the first), verification included",
                checked["sweep_median_point"] < 1.0,
            )
        )
        if "quick" in demo:
            quick = demo["quick"]
            rows.append(
                (
                    "demo: the same with `Workbench.solve(quick=True)` (slider mode)",
                    f"{_fmt(quick['sweep_median_point'])} s median over the sweep "
                    f"({_fmt(quick['rate'])} s the first), verification included",
                    quick["sweep_median_point"] < 1.0,
                )
            )
    elif demo:
        why = f"run failed: {demo['error']}" if "error" in demo else "not available"
        rows.append(("demo: a re-solve after a price change takes < 1 s", why, None))
    large = workbench.get("L", {})
    if large.get("available"):
        for key, label in (("checked", "verification on"), ("unchecked", "verification off")):
            w = large[key]
            factor = w["sweep"] / w["first"]
            rows.append(
                (
                    f"L: a {SWEEP_POINTS}-point price sweep costs <= 5x one solve ({label})",
                    f"{_fmt(w['sweep'])} s / {_fmt(w['first'])} s = {factor:.2f}x",
                    factor <= 5.0,
                )
            )
        w = large["unchecked"]
        first_build = float(w["first_stages"].get("build", math.nan))
        again = float(w["rate_stages"].get("build", math.nan))  # re-pricing included
        builds = w["rate_stages"].get("model_builds")  # None: a bestshore without the count
        rebuilt = "" if builds is None else f" ({builds:g} models built afresh)"
        rows.append(
            (
                "L: a re-solve reuses the built model (re-solve build <= 10 % of the first)",
                f"build {_fmt(again, 3)} s on re-solve{rebuilt}, {_fmt(first_build, 3)} s first",
                again <= 0.1 * first_build and not builds
                if math.isfinite(again * first_build)
                else None,
            )
        )
    elif large:
        why = f"run failed: {large['error']}" if "error" in large else "not available"
        rows.append(("L: re-solve and sweep", why, None))
    return rows


def _write_markdown(
    path: Path,
    sizes: list[str],
    summaries: dict[str, dict[str, dict[str, Any]]],
    errors: list[dict[str, Any]],
    analysis: dict[str, Any],
    workbench: dict[str, dict[str, Any]],
    machine: dict[str, str],
    load: tuple[float, float],
    repeats: dict[str, int],
    skipped: dict[str, str],
    shift_names: list[str] | None = None,
    shift_analysis: dict[str, Any] | None = None,
) -> None:
    from bench.scenarios import SIZES

    lines = [
        "# bestshore benchmark",
        "",
        "Written by `make bench` (`python -m bench.run`); see `bench/README.md` for what each",
        "column means. Timings are medians of the repeats, in seconds, each (size, approach)",
        "in a fresh process. Every number below was measured in the same run.",
        "",
        "## Machine",
        "",
        f"- cores: {machine['cores']}; CPU: {machine['cpu']}",
        f"- Python {machine['python']}; highspy {machine['highspy']}; PuLP {machine['pulp']}; "
        f"linopy {machine['linopy']}; numpy {machine['numpy']}; pandas {machine['pandas']}; "
        f"scipy {machine['scipy']}; numba {machine.get('numba', 'not recorded')}",
        f"- bestshore at commit {machine['commit']}"
        + (
            f" (at the end of the run: {machine['commit_at_end']})"
            if machine.get("commit_at_end", machine["commit"]) != machine["commit"]
            else ""
        ),
        f"- load average (1 min) at start {load[0]:.2f}, at end {load[1]:.2f} "
        "(other processes on the machine share its cores and skew timings)",
        "",
    ]
    hourly = len(lines)  # the sections of the hourly LP start here
    lines += [
        "## Instances",
        "",
        "Generated by `bench/scenarios.py` (seeded), validated with `Scenario.model_validate`.",
        "They use **workload sizing without Erlang service levels**, so one LP solve is one",
        "plan (the relaxation is exact). Erlang staffing takes several rounds and is",
        "measured separately, on the demo scenario (below).",
        "",
        "| size | call types | sites | variables (target) | rows | non-zeros | optimum [EUR/yr] |",
        "|---|---|---|---|---|---|---|",
    ]
    from bench.scenarios import scenario_dict

    for size in sizes:
        data = scenario_dict(size)
        runs = summaries.get(size, {})
        best = runs.get("bestshore", {})
        floor = runs.get("floor", {})
        columns = next((r["columns"] for r in runs.values() if r.get("columns")), None)
        target = SIZES[size].target
        deviation = f"{(columns / target - 1) * 100:+.0f} %" if columns else "n/a"
        objective = best.get("objective")
        lines.append(
            f"| {size} | {len(data['call_types'])} | {len(data['sites'])} | "
            f"{_count(columns)} ({target:,}, {deviation}) | "
            f"{_count(best.get('rows') or floor.get('rows'))} | "
            f"{_count(floor.get('nonzeros'))} | "
            f"{f'{objective:,.0f}' if objective is not None else 'n/a'} |"
        )
    lines += [
        "",
        "## Timings per size",
        "",
        "Seconds. *total* is from the validated scenario to the result tables: for",
        "bestshore the wall time of `bestshore.solve(scenario, check=True, timings=t)` less",
        "its verification (*other* is what the stages do not cover: the re-validation of",
        "the scenario inside `solve`, the staffing pass, plan bookkeeping); for the",
        "references inputs + build + hand-over + solve + extract. *validation* is",
        "`Scenario.model_validate` of the generated dict, outside *total*. *x floor* is",
        "total / floor total; *overhead x floor* compares what is not HiGHS's own solve",
        "(total less *solve*): the solve is the same LP for all, its time varies by a",
        "few per cent to tens of per cent between runs, and it dominates L and XL.",
        "",
    ]
    for size in sizes:
        runs = summaries.get(size, {})
        lines += [
            f"### {size} ({repeats.get(size, 0)} repeat{'s' if repeats.get(size, 0) != 1 else ''})",
            "",
            "| approach | validation | inputs | build | hand-over | solve | extract | other "
            "| total | verify | x floor | overhead x floor | peak RSS [MiB] | objective rel. diff |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        reference = runs.get("bestshore", {}).get("objective")
        for approach in APPROACHES:
            s = runs.get(approach)
            if not s:
                note = skipped.get(approach) or next(
                    (
                        e["error"].splitlines()[-1]
                        for e in errors
                        if e["size"] == size and e["approach"] == approach
                    ),
                    "not run",
                )
                lines.append(f"| {LABELS[approach]} | {note} |" + " |" * 12)
                continue
            stages = s.get("stages") or {}
            cells = [_fmt(stages.get(stage)) for stage in STAGES]
            diff = (
                "reference"
                if approach == "bestshore"
                else (
                    f"{abs(s['objective'] - reference) / max(abs(reference), 1.0):.1e}"
                    if reference is not None
                    else "n/a"
                )
            )
            lines.append(
                f"| {LABELS[approach]} | {_fmt(s['validation'], 3)} | "
                + " | ".join(cells)
                + f" | {_fmt(s.get('other')) if approach == 'bestshore' else '—'}"
                f" | **{_fmt(s['total'])}**"
                f" | {_fmt(s.get('verify')) if approach == 'bestshore' else '—'}"
                f" | {_ratio(analysis['ratios'].get(size, {}).get(approach, math.nan))}"
                f" | {_ratio(analysis['overhead_ratios'].get(size, {}).get(approach, math.nan))}"
                f" | {s['peak_rss_mib']:,.0f} | {diff} |"
            )
        lines.append("")
    lines += [
        "## Ratio to the floor (total, validated scenario to result tables)",
        "",
        "| approach | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for approach in APPROACHES:
        cells = [_ratio(analysis["ratios"].get(size, {}).get(approach, math.nan)) for size in sizes]
        lines.append(f"| {LABELS[approach]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Overhead (total less HiGHS's own solve) as a ratio to the floor's overhead:",
        "",
        "| approach | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for approach in APPROACHES:
        cells = [
            _ratio(analysis["overhead_ratios"].get(size, {}).get(approach, math.nan))
            for size in sizes
        ]
        lines.append(f"| {LABELS[approach]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Cross-check: same optimum as bestshore",
        "",
        f"Each reference formulation must reach bestshore's LP optimum within a relative "
        f"{TOLERANCE:g}.",
        "",
        "| size | approach | objective [EUR/yr] | relative difference | passed |",
        "|---|---|---|---|---|",
    ]
    for check in analysis["checks"]:
        lines.append(
            f"| {check['size']} | {LABELS[check['approach']]} | {check['objective']:,.2f} | "
            f"{check['relative']:.1e} | {'yes' if check['passed'] else '**NO**'} |"
        )
    lines += [
        "",
        "## Scaling exponents",
        "",
        "Least-squares slope of log(seconds) against log(variables) over the sizes run "
        f"({', '.join(sizes)}); 1 is linear. Fixed costs (imports aside: pandas set-up,"
        " small tables) flatten the fit at the small sizes, so the slope between the two"
        f" largest sizes ({' to '.join(sizes[-2:])}) is given too.",
        "",
        "| approach | inputs | build | extract | total | inputs, top | build, top "
        "| extract, top | total, top |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    exponents = analysis["exponents"]

    def exponent(key: str) -> str:
        value = exponents.get(key, math.nan)
        return "n/a" if not math.isfinite(value) else f"{value:.2f}"

    stages = ("inputs", "build", "extract", "total")
    for approach in APPROACHES:
        cells = [exponent(f"{approach}.{stage}") for stage in stages]
        cells += [exponent(f"{approach}.{stage}.top") for stage in stages]
        lines.append(f"| {LABELS[approach]} | " + " | ".join(cells) + " |")
    lines += ["", "## Re-solve (`bestshore.Workbench`)", ""]
    lines += _workbench_lines(workbench)
    lines += [
        "",
        "## Targets of issue 6",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for goal, measured, ok in _targets(summaries, analysis, workbench):
        lines.append(f"| {goal} | {measured} | {_verdict(ok)} |")
    if not sizes and not workbench:  # a run with shifts only
        del lines[hourly:]
    if shift_names:
        lines += ["", *_shift_lines(shift_names, summaries, shift_analysis or {}, errors, repeats)]
    if errors:
        lines += ["", "## Errors", ""]
        for error in errors:
            last = error["error"].strip().splitlines()[-1][-300:]
            lines.append(f"- {error['size']} {error['approach']}: `{last}`")
    lines += [
        "",
        "## Notes",
        "",
        "- All approaches solve the same LP with HiGHS, one thread, default options "
        "(`random_seed` 0), from the same prepared tables (`prepare_inputs`, "
        "`eligible_assignments`), and hands HiGHS the same rows and columns in the same "
        "order as bestshore (PuLP and linopy keep creation order; checked on S).",
        "- Repeats run in one process: the first may pay for cold caches (time zones, "
        "reference data) that later repeats reuse; the median hides it. Each column is "
        "its own median, so the stages need not add up to the median total.",
        "- *hand-over* for naive PuLP and linopy is their solve call less HiGHS's own `run` "
        "(model to highspy and the solution back).",
        "- Chart: `docs/scaling.png` and `docs/scaling.svg`.",
    ]
    if shift_names:
        lines += [
            "- With shifts, the roster step is timed by wrapping `bestshore.model.plan."
            "whole_roster`, `bestshore.model.roster._solve_roster` and "
            "`bestshore.model.roster.solve_with_highs` in the bench's process (a timer, "
            "the arrays' sizes and whether branch-and-bound ran, per site program; "
            "nothing else changes).",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _workbench_lines(workbench: dict[str, dict[str, Any]]) -> list[str]:
    if not workbench:
        return ["Not run."]
    if not any(w.get("available") or "error" in w for w in workbench.values()):
        return ["not available: this bestshore has no `Workbench`."]
    lines = [
        "A `Workbench` keeps the prepared inputs, the eligible set and one HiGHS instance;",
        "`set_rate`, `set_vendor_cap` and `set_capacity` change terms and the next `solve()`",
        f"redoes only the rest. The sweep sets the rate of the busiest site to {SWEEP_POINTS} "
        "prices from 0.8x to 1.2x its own and solves each. Seconds.",
        "",
        "| scenario | verification | first solve | re-solve: price | re-solve: vendor cap "
        "| re-solve: capacity | sweep total | sweep median point | sweep / first | site swept |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in workbench.items():
        if not result.get("available"):
            why = f"failed: {result['error']}" if "error" in result else "not available"
            lines.append(f"| {name} | {why} |" + " |" * 8)
            continue
        for key, label, _, _ in VARIANTS:
            if key not in result:
                continue
            w = result[key]
            lines.append(
                f"| {name} | {label} | {_fmt(w['first'])} | {_fmt(w['rate'])} | "
                f"{_fmt(w.get('cap'))} | {_fmt(w['capacity'])} | {_fmt(w['sweep'])} | "
                f"{_fmt(w['sweep_median_point'])} | {w['sweep'] / w['first']:.2f}x | "
                f"{w['site']} |"
            )
    demo = workbench.get("demo", {})
    if demo.get("end_to_end"):
        e = demo["end_to_end"]
        lines += [
            "",
            f"Demo end-to-end (`bestshore.solve` on `scenarios/demo.yaml`, Erlang C staffing, "
            f"median of {e['repeats']}): {_fmt(e['total'])} s to the result tables "
            f"({e['rounds']:g} LP solve rounds: inputs {_fmt(e['stages'].get('inputs'))}, "
            f"build {_fmt(e['stages'].get('build'))}, hand-over "
            f"{_fmt(e['stages'].get('handover'))}, solve {_fmt(e['stages'].get('solve'))}, "
            f"extract {_fmt(e['stages'].get('extract'))}), plus verification "
            f"{_fmt(e['verify'])} s; peak RSS {e['peak_rss_mib']:,.0f} MiB.",
        ]
    for name, result in workbench.items():
        if result.get("available"):
            for key, label, _, _ in VARIANTS:
                if key not in result:
                    continue
                stages = ", ".join(
                    f"{k} {_fmt(float(v), 3)}"
                    for k, v in result[key]["rate_stages"].items()
                    if k in (*STAGES, "verify", "rounds", "model_builds")
                )
                lines += [
                    "",
                    f"{name}, verification {label}: stages of the re-solve after a price "
                    f"change: {stages}.",
                ]
            failures = [f for key, *_ in VARIANTS for f in result.get(key, {}).get("failures", [])]
            if failures:
                lines += ["", f"{name}: re-solves that failed: " + "; ".join(failures)]
    return lines


def _chart(sizes: list[str], summaries: dict[str, dict[str, dict[str, Any]]], folder: Path) -> None:
    """Two log-log panels against variables: total time, and total less HiGHS's solve."""
    import altair as alt
    import pandas as pd

    from bestshore.views.export import chart_to_png_bytes, chart_to_svg
    from bestshore.views.theme import CATEGORY_COLOURS, COLOURS, apply_theme

    solve_alone = "HiGHS solve alone (floor)"
    rows = []
    for size in sizes:
        for approach in APPROACHES:
            s = summaries.get(size, {}).get(approach)
            if not (s and s.get("columns")):
                continue
            row = {"approach": SHORT[approach], "variables": s["columns"]}
            rows.append({**row, "panel": "total", "seconds": s["total"]})
            if s.get("stages"):
                overhead = s["total"] - s["stages"]["solve"]
                rows.append({**row, "panel": "overhead", "seconds": overhead})
                if approach == "floor":
                    solve = s["stages"]["solve"]
                    rows.append(
                        {**row, "approach": solve_alone, "panel": "total", "seconds": solve}
                    )
    if not rows:
        return
    table = pd.DataFrame(rows)
    order = [*(SHORT[a] for a in APPROACHES), solve_alone]
    colours = [COLOURS["staffed"], COLOURS["market"], CATEGORY_COLOURS[1], CATEGORY_COLOURS[3]]
    colours.append(COLOURS["muted"])
    colour = alt.Color(
        "approach:N",
        title=None,
        scale=alt.Scale(domain=order, range=colours),
        legend=alt.Legend(labelLimit=260, orient="bottom", columns=5),
    )
    shapes = ["circle", "square", "triangle-up", "diamond", "cross"]
    shape = alt.Shape("approach:N", scale=alt.Scale(domain=order, range=shapes), title=None)
    low, high = table["variables"].min() / 1.5, table["variables"].max() * 1.5

    def panel(name: str, title: str, y_title: str) -> alt.LayerChart:
        base = (
            alt.Chart(table)
            .transform_filter(alt.datum.panel == name)
            .encode(
                x=alt.X(
                    "variables:Q",
                    scale=alt.Scale(type="log", domain=[low, high], nice=False),
                    axis=alt.Axis(format="~s"),
                    title="share variables (eligible assignments)",
                ),
                y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title=y_title),
                color=colour,
                strokeDash=alt.condition(
                    alt.datum.approach == solve_alone, alt.value([4, 3]), alt.value([1, 0])
                ),
            )
        )
        points = base.mark_point(filled=True, size=60).encode(shape=shape)
        return (base.mark_line() + points).properties(width=340, height=300, title=title)

    chart = alt.hconcat(
        panel("total", "Validated scenario to result tables", "seconds"),
        panel("overhead", "The same less HiGHS's own solve", "seconds"),
    ).properties(
        title=alt.Title(
            "Time to a plan against LP size (log-log)",
            subtitle="bestshore and reference formulations of the same LP, HiGHS on one "
            "thread; sizes " + ", ".join(sizes) + " (bench/results.md)",
        )
    )
    themed = apply_theme(chart)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scaling.png").write_bytes(chart_to_png_bytes(themed, scale=2))
    (folder / "scaling.svg").write_text(chart_to_svg(themed), encoding="utf-8")


def _collect(
    sizes: list[str], repeats: dict[str, int], skipped: dict[str, str], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Run every (size, approach), the re-solves and the demo; the raw records."""
    raw: list[dict[str, Any]] = []
    for size in sizes:
        for approach in APPROACHES:
            if approach in skipped:
                print(f"{size:>2} {approach:<9} skipped: {skipped[approach]}", flush=True)
                continue
            start = time.perf_counter()
            record = _spawn(size, approach, repeats[size], args.timeout)
            raw.append(record)
            if "error" in record:
                print(f"{size:>2} {approach:<9} FAILED: {record['error']}", flush=True)
                continue
            summary = _summary(record)
            print(
                f"{size:>2} {approach:<9} total {_fmt(summary['total'])} s (median of "
                f"{summary['repeats']}), {summary['columns']:,} variables, peak "
                f"{summary['peak_rss_mib']:,.0f} MiB, objective {summary['objective']:,.2f} "
                f"[{time.perf_counter() - start:.0f} s wall]",
                flush=True,
            )
    if args.no_workbench:
        return raw
    for name in [s for s in ("L",) if s in sizes] + ["demo"]:
        record = _spawn(name, "workbench", 1, args.timeout)
        raw.append(record)
        if "error" in record:
            print(f"{name} workbench FAILED: {record['error']}", flush=True)
        else:
            print(f"{name} workbench: {_short_workbench(record['repeats'][0])}", flush=True)
    demo = _spawn("demo", "bestshore", args.repeats, args.timeout)
    raw.append(demo)
    if "error" in demo:
        print(f"demo end-to-end FAILED: {demo['error']}", flush=True)
    else:
        print(f"demo end-to-end: {_fmt(_summary(demo)['total'])} s", flush=True)
    return raw


def _collect_shifts(
    names: list[str], repeats: dict[str, int], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Run every instance with shifts: bestshore end to end, its first round, the floor."""
    raw: list[dict[str, Any]] = []
    for name in names:
        for approach in SHIFT_APPROACHES:
            start = time.perf_counter()
            record = _spawn(name, approach, repeats[name], args.timeout)
            raw.append(record)
            head = f"{name:>11} {approach:<9}"
            if "error" in record:
                print(f"{head} FAILED: {record['error']}", flush=True)
                continue
            summary = _summary(record)
            roster = summary.get("roster") or {}
            print(
                f"{head} total {_fmt(summary['total'])} s (median of {summary['repeats']}), "
                f"{summary['status']}, objective {summary['objective']:,.2f}, "
                f"columns {_count(summary.get('columns'))}, rounds {summary.get('rounds')}, "
                f"roster steps {roster.get('steps', 0)} ({_fmt(summary.get('roster_seconds'))} s), "
                f"peak {summary['peak_rss_mib']:,.0f} MiB [{time.perf_counter() - start:.0f} s wall]",
                flush=True,
            )
    return raw


def _organise(
    raw: list[dict[str, Any]],
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Raw records to summaries per size and approach, re-solve results, and errors."""
    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    workbench: dict[str, dict[str, Any]] = {}
    errors = [r for r in raw if "error" in r]
    for record in raw:
        size, approach = record["size"], record["approach"]
        if approach == "workbench":
            workbench[size] = (
                {"available": False, "error": record["error"].splitlines()[-1]}
                if "error" in record
                else record["repeats"][0]
            )
    for record in raw:
        size, approach = record["size"], record["approach"]
        if "error" in record or approach == "workbench":
            continue
        if size == "demo":
            workbench.setdefault("demo", {"available": False})["end_to_end"] = _summary(record)
        else:
            summaries.setdefault(size, {})[approach] = _summary(record)
    return summaries, workbench, errors


def _report(raw: list[dict[str, Any]], meta: dict[str, Any], out: Path, chart_dir: Path) -> int:
    """Judge and write everything from the raw records; 1 if anything failed."""
    sizes, repeats, skipped = meta["sizes"], meta["repeats"], meta["skipped"]
    shift_names = meta.get("shift_names", [])
    summaries, workbench, errors = _organise(raw)
    analysis = _analyse(sizes, summaries)
    shift_analysis = _analyse_shifts(shift_names, summaries)
    for check in analysis["checks"] + shift_analysis["checks"]:
        print(
            f"cross-check {check['size']:>2} {check['approach']:<7} objective "
            f"{check['objective']:,.4f} vs bestshore {check['reference']:,.4f}: relative "
            f"difference {check['relative']:.2e} {'< ' if check['passed'] else '>= '}"
            f"{TOLERANCE:g} {'OK' if check['passed'] else 'FAILED'}",
            flush=True,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(
        json.dumps(
            {"meta": meta, "runs": raw, "analysis": analysis, "shifts": shift_analysis},
            indent=1,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    _write_markdown(
        out,
        sizes,
        summaries,
        errors,
        analysis,
        workbench,
        {**meta["machine"], "commit_at_end": meta.get("commit_at_end", meta["machine"]["commit"])},
        tuple(meta["load"]),
        repeats,
        skipped,
        shift_names,
        shift_analysis,
    )
    _chart(sizes, summaries, chart_dir)
    targets = _targets(summaries, analysis, workbench)
    targets += _shift_targets(shift_names, summaries, shift_analysis)
    for target, measured, ok in targets:
        print(f"target: {target}: {measured}: {_verdict(ok).strip('*')}", flush=True)
    chart = f" and {chart_dir}/scaling.*" if sizes else ""
    print(f"wrote {out}, {out.with_suffix('.json')}{chart}")
    failed = [c for c in analysis["checks"] + shift_analysis["checks"] if not c["passed"]]
    assert not failed, f"cross-check failed: {failed}"
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--sizes", nargs="+", default=["S,M,L,XL"], help="comma- or space-separated: S M L XL"
    )
    parser.add_argument(
        "--shifts",
        choices=("on", "off", "only"),
        default="on",
        help="rows with shifts (issue 12): the sizes of --shift-sizes rostered and the "
        "rostered demo; 'only' runs nothing else (no hourly rows, re-solves or demo)",
    )
    parser.add_argument(
        "--shift-repeats",
        type=int,
        default=1,
        help="repeats per generated size with shifts (the rostered demo: --repeats)",
    )
    parser.add_argument(
        "--shift-sizes",
        nargs="+",
        help="sizes run with shifts, comma- or space-separated (default: those of --sizes "
        f"among {', '.join(SHIFT_SIZES)})",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="repeats per size (XL: --xl-repeats)"
    )
    parser.add_argument("--xl-repeats", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--chart-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--no-workbench", action="store_true", help="skip the re-solve runs")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per subprocess")
    parser.add_argument(
        "--report-only",
        type=Path,
        metavar="JSON",
        help="rewrite the report and chart from a results.json, running nothing",
    )
    parser.add_argument(
        "--rfp",
        choices=("on", "off", "only"),
        default="on",
        help="tenders (issue 16, bench/rfp.py): import of 50 bid workbooks and the award of "
        "a 30-bidder tender on the demo's lots, in a subprocess; 'only' runs nothing else",
    )
    parser.add_argument(
        "--analytics",
        choices=("on", "off", "only"),
        default="on",
        help="issue 17's rows (bench/analytics.py): Monte Carlo draws of the demo on a "
        "2-worker LocalCluster, the speed-up from 1 to 2 workers, a 20-point frontier; "
        "'only' runs nothing else",
    )
    parser.add_argument(
        "--draws", type=int, default=1000, help="Monte Carlo draws of the analytics run"
    )
    parser.add_argument(
        "--analytics-out", type=Path, default=ROOT / "bench" / "analytics.md",
        help="report of the analytics rows (and its .json twin)",
    )  # fmt: skip
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "APPROACH"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child[0], args.child[1], args.repeats, args.result)
    if args.report_only:
        saved = json.loads(args.report_only.read_text(encoding="utf-8"))
        return _report(saved["runs"], saved["meta"], args.out, args.chart_dir)
    if args.analytics == "only":
        return _analytics(args)

    if args.rfp == "only":
        if args.out == ROOT / "bench" / "results.md":  # keep the solver benchmark's report
            args.out = ROOT / "bench" / "rfp.md"
        section, ok = _run_rfp(args)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("# Benchmark: tenders\n\n" + section, encoding="utf-8")
        print(f"wrote {args.out}")
        return 0 if ok else 1

    from bench.scenarios import SIZES

    sizes = _size_list(args.sizes)
    shift_sizes = (
        _size_list(args.shift_sizes) if args.shift_sizes else [s for s in sizes if s in SHIFT_SIZES]
    )
    unknown = [s for s in sizes + shift_sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    shift_names = (
        [] if args.shifts == "off" else [f"{s}{SHIFTS}" for s in shift_sizes] + ["demo-roster"]
    )
    if args.shifts == "only":
        sizes, args.no_workbench = [], True
    load_start = os.getloadavg()[0]
    skipped: dict[str, str] = {}
    if util.find_spec("linopy") is None:
        skipped["linopy"] = "not installed (pip install -e '.[bench]')"
    repeats = {size: args.xl_repeats if size == "XL" else args.repeats for size in sizes}
    for name in shift_names:  # the rostered demo as often as the others, sizes less
        repeats[name] = args.repeats if name in DEMOS else args.shift_repeats
    machine = machine_info()  # the commit measured: read before the run
    raw = _collect(sizes, repeats, skipped, args) if sizes else []
    raw += _collect_shifts(shift_names, repeats, args)
    meta = {
        "sizes": sizes,
        "shift_names": shift_names,
        "repeats": repeats,
        "skipped": skipped,
        "load": [load_start, os.getloadavg()[0]],
        "machine": machine,
        "commit_at_end": machine_info()["commit"],
    }
    status = _report(raw, meta, args.out, args.chart_dir)
    if args.rfp == "on":
        section, ok = _run_rfp(args)
        with args.out.open("a", encoding="utf-8") as report:
            report.write("\n" + section)
        status = status or (0 if ok else 1)
    if args.analytics == "on":
        status = max(status, _analytics(args))
    return status


def _run_rfp(args: argparse.Namespace) -> tuple[str, bool]:
    """bench/rfp.py in a fresh subprocess; its lines as a section of the report."""
    out = args.out.with_name("rfp.json")
    done = subprocess.run(
        [sys.executable, "-m", "bench.rfp", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=args.timeout,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("- ")]
    for line in lines:
        print(f"rfp {line[2:]}", flush=True)
    if done.returncode != 0:
        print(f"rfp FAILED: {done.stderr.strip().splitlines()[-1:]}", flush=True)
    section = (
        "## Tenders (issue 16)\n\n"
        "`bench/rfp.py` (see its docstring): 50 generated bids on the demo's 10 lots, filled "
        "in the tender's template; the import of all 50 (`import_bids`), then the award of "
        f"the first 30 under its rules (`award`, rules not priced). Raw figures: `{out.name}`.\n\n"
        + ("\n".join(lines) if lines else f"- FAILED: {done.stderr.strip()[-300:]}")
        + "\n"
    )
    return section, done.returncode == 0


def _analytics(args: argparse.Namespace) -> int:
    """Issue 17's rows, in a subprocess of their own (it starts Dask clusters)."""
    command = [
        sys.executable, "-m", "bench.analytics", "--draws", str(args.draws),
        "--out", str(args.analytics_out),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def _size_list(values: list[str]) -> list[str]:
    """Sizes given as ``S M``, ``S,M`` or both."""
    return [s.strip() for value in values for s in value.split(",") if s.strip()]


def _short_workbench(result: dict[str, Any]) -> str:
    if not result.get("available"):
        return "not available"
    w = result["checked"]
    return (
        f"first {_fmt(w['first'])} s, re-solve {_fmt(w['rate'])} s, sweep of "
        f"{SWEEP_POINTS} {_fmt(w['sweep'])} s (verification on)"
    )


if __name__ == "__main__":
    sys.exit(main())
