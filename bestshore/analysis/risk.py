"""Monte Carlo risk: re-optimize the plan under drawn volumes, AHT, rates, FX, shrinkage.

For each draw (:mod:`bestshore.analysis.uncertainty`) the scenario is changed by its
factors and solved again (checked like any plan); the **baseline plan** (the
unperturbed scenario's) is also priced **held fixed** under the same draw, and its
*regret* is what holding it costs over re-optimizing.

**How the fixed plan is priced (exactly).** The baseline plan's decisions (the share of
each demand unit it gives each site, its sites open and vendors on the panel) are kept
and everything that follows from them is redone at the draw's volumes, AHT, rates, FX
and shrinkage (:mod:`bestshore.model.held`): Erlang C staffing in whole agents per queue
and hour, whole shifts at rostered sites, the year month by month, volume tiers and the
costs outside the staffing rows. A fixed plan cannot move work, so a site whose capacity
or seats it exceeds is reported (``fixed_over_capacity``, ``fixed_over_sites``), not
refused; its regret then compares a plan that breaks a limit with one that does not
(``regret_within_capacity`` in :func:`percentile_table` leaves those draws out).

**Regret, proven.** A re-optimized plan costs ``U`` and is proven no more than its gap
above the best plan of the draw (its lower bound ``L``): the regret against the best plan
lies in ``[fixed - U, fixed - L]`` (``regret``, ``regret_max``).

**Distribution.** Draws run on :mod:`dask.distributed`: an embedded ``LocalCluster``
(processes, one thread each) by default, or an existing scheduler. Draws go in batches
of ``batch_size`` (one task each). Each worker parses the scenario once and keeps one
:class:`bestshore.Workbench` holding the baseline plan; each draw is a
:meth:`~bestshore.Workbench.variant` of it: a draw changing prices only re-prices the
kept model, any other builds its own, and the baseline plan is held fixed under it. A
draw's seed is the ``i``-th child of ``numpy.random.SeedSequence(seed)``, and each
draw starts from the same kept state (no HiGHS instance is carried from one draw to the
next), so the same seed gives the same table whatever the number of workers, the batch
size or the order in which they finish. ``warm=True`` starts each draw's rounds from
the room a quick solve of the baseline's own terms held back (fewer rounds; each draw's
plan is then within its proven gap of the best, not the plan :func:`bestshore.solve`
gives).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bestshore.analysis.errors import AnalysisError
from bestshore.analysis.uncertainty import (
    Uncertainty,
    Variates,
    apply_factors,
    draw_factors,
    parse_uncertainty,
    variates,
)
from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.scenario import Scenario
from bestshore.workbench import Variant, Workbench

__all__ = [
    "DRAW_COLUMNS",
    "PERCENTILES",
    "Risk",
    "percentile_table",
    "run_risk",
    "usage_table",
]

PERCENTILES = (5, 25, 50, 75, 95)
DRAW_COLUMNS = [
    "draw", "status", "gap", "total_cost", "lower_bound", "cost_per_contact",
    "service_level", "service_level_min", "total_fte", "sites_used", "vendors_used",
    "fixed_plan_cost", "regret", "regret_max", "fixed_over_capacity", "fixed_over_sites",
]  # fmt: skip
SITE_COLUMNS = ["draw", "site", "vendor", "country", "fte", "volume", "cost"]


@dataclass(frozen=True)
class Risk:
    """A Monte Carlo run.

    Attributes
    ----------
    draws : DataFrame
        One row per draw, by ``draw`` (0..N-1): ``status`` (``optimal``, ``feasible``,
        ``infeasible`` or the solver's failure), ``gap`` (proven, fraction),
        ``total_cost`` and ``lower_bound`` [currency/yr], ``cost_per_contact``
        [currency/contact], ``service_level`` (calls-weighted share answered in time
        over the queues with a target, planned) and ``service_level_min`` (the lowest
        queue-hour's) [fraction], ``total_fte``, ``sites_used``, ``vendors_used``,
        ``fixed_plan_cost`` [currency/yr: the baseline plan held fixed, priced
        exactly, module docstring], ``regret`` = fixed_plan_cost - total_cost and
        ``regret_max`` = fixed_plan_cost - lower_bound (the regret against the draw's
        best plan lies between them) [currency/yr], ``fixed_over_capacity`` [bool: the
        fixed plan exceeds a site's capacity or seats], ``fixed_over_sites`` (their
        names, ``; ``-separated); then one column per variate (``<factor>:<item>``,
        the factor drawn [-]). Infeasible draws keep their row, their costs NaN; the
        fixed plan is priced for them too.
    sites : DataFrame
        Work per draw and site: ``draw``, ``site``, ``vendor``, ``country``, ``fte``,
        ``volume`` [contacts/yr], ``cost`` [currency/yr].
    baseline : Result
        The unperturbed scenario's plan.
    meta : dict
        ``draws``, ``seed``, ``batch_size``, ``warm``, ``workers``, ``scheduler``,
        ``seconds`` (wall time of the draws), ``draws_per_second``,
        ``seconds_per_draw`` (the workers' time per draw, summed over the workers and
        divided by the draws: solve, check and fixed-plan pricing), ``worker_setup_seconds``
        (each worker's parse and baseline solve, summed), ``feasible``, ``infeasible``.
    """

    draws: pd.DataFrame
    sites: pd.DataFrame
    baseline: Result
    currency: str
    meta: dict[str, Any] = field(default_factory=dict)
    labels: pd.DataFrame = field(default_factory=pd.DataFrame)


# --- one draw ------------------------------------------------------------------------------


def _service_level(result: Result) -> tuple[float, float]:
    rows = result.staffing.dropna(subset=["service_level"])
    rows = rows[rows["calls"] > 0]
    if rows.empty:
        return float("nan"), float("nan")
    weights = rows["calls"].to_numpy(float)
    levels = rows["service_level"].to_numpy(float)
    return float(levels @ weights / weights.sum()), float(levels.min())


def _row(draw: int, variant: Variant, names: dict[str, str]) -> dict[str, Any]:
    """A draw's row of :attr:`Risk.draws` (variates added by the caller)."""
    held = variant.held
    row: dict[str, Any] = {
        "draw": draw,
        "status": "solved" if variant.error is None else _status(variant.error),
        "fixed_plan_cost": held.total_cost,
        "fixed_over_capacity": held.over_capacity,
        "fixed_over_sites": "; ".join(names.get(s, s) for s in held.over_sites),
    }
    result = variant.result
    if result is None:
        return row
    stamp = result.stamp
    level, lowest = _service_level(result)
    regret = variant.regret_interval
    assert regret is not None
    row.update(
        status=str(stamp.get("status", result.status)),
        gap=stamp.get("gap"),
        total_cost=result.total_cost,
        lower_bound=stamp.get("lower_bound"),
        cost_per_contact=result.kpis.get("cost_per_contact"),
        service_level=level,
        service_level_min=lowest,
        total_fte=result.total_fte,
        sites_used=result.kpis.get("sites_used"),
        vendors_used=result.kpis.get("vendors_used"),
        regret=regret[0],
        regret_max=regret[1] if stamp.get("lower_bound") is not None else np.nan,
    )
    return row


def _status(error: SolveError) -> str:
    return "infeasible" if isinstance(error, InfeasibleScenarioError) else str(error.status)


@dataclass
class _WorkerState:
    """What a worker keeps for a run: the parsed scenario, its variates, the Workbench
    holding the baseline plan, and the sites' display names."""

    scenario: Scenario
    variates: Variates
    bench: Workbench
    names: dict[str, str]
    setup_seconds: float
    reported: bool = False


_WORKER_CACHE: dict[str, _WorkerState] = {}


def _prepared(payload: dict[str, Any]) -> _WorkerState:
    """The worker's state for this run, built once per worker process (cached by key):
    the scenario parsed, and the baseline solved again on the worker's Workbench (a
    solve is deterministic; its cost is checked against the client's baseline)."""
    key = payload["key"]
    if key not in _WORKER_CACHE:
        from bestshore.scenario.loader import parse_scenario

        start = time.perf_counter()
        scenario = parse_scenario(payload["scenario"], file=payload["source"])
        found = variates(scenario, Uncertainty.model_validate(payload["uncertainty"]))
        bench = Workbench(scenario, check=payload["check"])
        base = bench.solve()
        expected = float(payload["baseline_cost"])
        if abs(base.total_cost - expected) > 1e-9 * max(1.0, abs(expected)):
            raise RuntimeError(
                f"the worker's baseline plan costs {base.total_cost!r}, the client's "
                f"{expected!r}: the worker runs another bestshore or scenario"
            )
        names = {str(r.id): str(r.name) for r in base.labels.itertuples() if r.kind == "site"}
        gc.unfreeze()  # an earlier run's state, frozen below, is collectable again
        _WORKER_CACHE.clear()
        _WORKER_CACHE[key] = _WorkerState(
            scenario, found, bench, names, time.perf_counter() - start
        )
        # The kept state (about 100,000 objects) lives as long as the run: frozen, the
        # collector's full passes during the draws no longer walk it (on demo-study the
        # collector's time fell from 42 to 14 ms a draw of 0.55 s). The draws' own
        # objects are collected as before.
        gc.collect()
        gc.freeze()
    return _WORKER_CACHE[key]


#: Draws between two passes of the collector in a batch (:func:`run_batch`).
_COLLECT_EVERY = 4


def run_batch(payload: dict[str, Any], draws: Sequence[int]) -> dict[str, Any]:
    """Solve ``draws`` in order (a Dask task): ``rows`` and ``sites`` (their rows of
    :attr:`Risk.draws` and :attr:`Risk.sites`), ``seconds`` (the draws' time on the
    worker) and ``setup_seconds`` (the worker's setup, reported by its first batch)."""
    state = _prepared(payload)
    setup = 0.0 if state.reported else state.setup_seconds
    state.reported = True
    rows: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    start = time.perf_counter()
    # The collector runs once every few draws, not on its own thresholds: a draw makes
    # and drops many short-lived containers, and the automatic passes took 13-14 ms a
    # warm draw of demo-study against about 2 ms this way (the memory is the same). The
    # young generations hold every object made since the last pass: those are
    # collected, not the old objects the worker keeps.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for done, draw in enumerate(draws, start=1):
            row, site_rows = _draw(payload, state, draw)
            rows.append(row)
            sites += site_rows
            if done % _COLLECT_EVERY == 0:
                gc.collect(1)
    finally:
        if enabled:
            gc.enable()
    seconds = time.perf_counter() - start
    return {"rows": rows, "sites": sites, "seconds": seconds, "setup_seconds": setup}


def _draw(
    payload: dict[str, Any], state: _WorkerState, draw: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One draw solved: its row of :attr:`Risk.draws` and its rows of :attr:`Risk.sites`."""
    # the draw-th child of SeedSequence(seed), made alone (spawn makes all before it)
    child = np.random.SeedSequence(payload["seed"], spawn_key=(draw,))
    factors = draw_factors(state.variates, child)
    changed = apply_factors(state.scenario, state.variates, factors)
    # a draw's row shows no breakdown or limits table: a summary result, checked
    variant = state.bench.variant(changed, quick=payload["warm"], summary=True)
    row = _row(draw, variant, state.names)
    row.update(dict(zip(state.variates.names, factors.tolist(), strict=True)))
    if variant.result is None:
        return row, []
    used = (
        variant.result.allocation.groupby(["site", "vendor", "country"], dropna=False)[
            ["fte", "volume", "cost"]
        ]
        .sum()
        .reset_index()
    )
    return row, [{"draw": draw, **site._asdict()} for site in used.itertuples(index=False)]


# --- the run --------------------------------------------------------------------------------


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the analytics extra is missing
        raise AnalysisError(
            "bestshore risk needs dask.distributed: pip install 'bestshore[analytics]'"
        ) from None
    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise AnalysisError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no answer'})"
            ) from None
    import dask

    # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, so that a worker holding
    # large data gives freed memory back at once. A draw allocates and frees many
    # medium arrays: trimmed, each comes back as fresh pages (37 times the page faults,
    # about 3,800 a draw of demo-study against 100, and 6-8 % of its time); the workers
    # here hold one scenario, so the C library's own threshold is kept.
    environ = dask.config.get("distributed.nanny.pre-spawn-environ", {})
    environ = {k: v for k, v in environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    # A worker's statistical profiler (for the dashboard, which the embedded cluster
    # has none of) samples the draw's stack every 10 ms from a thread of its own: about
    # 1,000 more context switches a warm draw of demo-study, and 4-9 % of its time (two
    # 1-worker clusters, with and without it, running the same 60-80 draws side by side).
    settings = {
        "distributed.nanny.pre-spawn-environ": environ,
        "distributed.worker.profile.enabled": False,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            # No dashboard; its HTTP server still starts, on a free local port: the
            # default 8787 may be taken (a Jupyter's cluster), which only warns, but warns.
            dashboard_address="127.0.0.1:0",
            silence_logs=50,
        )
    return Client(cluster), cluster


def run_risk(
    scenario: Scenario,
    draws: int,
    seed: int,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    batch_size: int = 4,
    check: bool = True,
    warm: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Risk:
    """Draw ``draws`` futures of ``scenario``'s ``uncertainty:`` section and solve each
    (module docstring). ``on_progress(done, total)`` is called as draws finish.

    Raises :class:`~bestshore.analysis.errors.AnalysisError` (one line) for a bad uncertainty section, bad counts
    or an unreachable scheduler; the baseline's own solve errors as :func:`solve`'s.
    """
    if not 1 <= draws <= 1_000_000:
        raise AnalysisError(f"--draws {draws}: give 1 to 1,000,000 draws")
    if not 1 <= workers <= 512:
        raise AnalysisError(f"--workers {workers}: give 1 to 512 workers")
    if not 1 <= batch_size <= 10_000:
        raise AnalysisError(f"--batch-size {batch_size}: give 1 to 10,000")
    if seed < 0:
        raise AnalysisError(f"--seed {seed}: give a non-negative integer")
    uncertainty = parse_uncertainty(scenario)
    variates(scenario, uncertainty)  # correlations checked before anything runs
    baseline = solve(scenario, check=check)
    payload = {
        "key": f"{baseline.stamp.get('scenario_hash', '')}:{seed}:{draws}:{check}",
        "scenario": scenario.model_dump(mode="json", warnings=False),
        "source": None if scenario.source is None else str(scenario.source),
        "uncertainty": uncertainty.model_dump(mode="json"),
        "seed": seed,
        "draws": draws,
        "check": check,
        "warm": warm,
        "baseline_cost": baseline.total_cost,
    }
    batches = [list(range(i, min(i + batch_size, draws))) for i in range(0, draws, batch_size)]
    client, cluster = _client(workers, scheduler)
    rows: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    worker_seconds = setup_seconds = 0.0
    start = time.perf_counter()
    try:
        from dask.distributed import as_completed

        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(run_batch, shared, batch, pure=False) for batch in batches]
        done = 0
        for future in as_completed(futures):
            batch = future.result()
            future.release()  # the worker may drop the batch's rows now
            rows += batch["rows"]
            sites += batch["sites"]
            worker_seconds += batch["seconds"]
            setup_seconds += batch["setup_seconds"]
            done += len(batch["rows"])
            if on_progress is not None:
                on_progress(done, draws)
        used_workers = len(client.scheduler_info().get("workers", {}))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    seconds = time.perf_counter() - start
    names = variates(scenario, uncertainty).names
    table = pd.DataFrame(rows).reindex(columns=[*DRAW_COLUMNS, *names])
    table = table.sort_values("draw", kind="stable").reset_index(drop=True)
    table = table.astype({"fixed_over_capacity": bool, "draw": int})
    site_table = (
        pd.DataFrame(sites, columns=SITE_COLUMNS)
        .sort_values(["draw", "site"], kind="stable")
        .reset_index(drop=True)
    )
    feasible = int(table["total_cost"].notna().sum())
    meta = {
        "draws": draws,
        "seed": seed,
        "batch_size": batch_size,
        "warm": warm,
        "workers": used_workers,
        "scheduler": scheduler or "LocalCluster",
        "seconds": seconds,
        "draws_per_second": draws / seconds if seconds > 0 else None,
        "seconds_per_draw": worker_seconds / draws,
        "worker_setup_seconds": setup_seconds,
        "feasible": feasible,
        "infeasible": int(draws - feasible),
    }
    return Risk(table, site_table, baseline, baseline.currency, meta, baseline.labels)


# --- summaries ------------------------------------------------------------------------------


def percentile_table(draws: pd.DataFrame) -> pd.DataFrame:
    """P5, P25, P50, P75, P95 and mean of cost, fixed-plan cost, regret (also over the
    draws whose fixed plan fits every site's capacity: ``regret_within_capacity``),
    cost per contact and service level over the feasible draws (numpy's linear
    percentiles)."""
    rows = []
    feasible = draws[draws["total_cost"].notna()]
    for column, unit in (
        ("total_cost", "currency/yr"),
        ("fixed_plan_cost", "currency/yr"),
        ("regret", "currency/yr"),
        ("regret_max", "currency/yr"),
        ("regret_within_capacity", "currency/yr"),
        ("cost_per_contact", "currency/contact"),
        ("service_level", "fraction"),
        ("service_level_min", "fraction"),
    ):
        part = (
            feasible[~feasible["fixed_over_capacity"]]
            if column == "regret_within_capacity"
            else feasible
        )
        values = part[column.removesuffix("_within_capacity")].dropna().to_numpy(float)
        cuts = np.percentile(values, PERCENTILES) if len(values) else [np.nan] * len(PERCENTILES)
        rows.append(
            {
                "metric": column,
                "unit": unit,
                "draws": len(values),
                **{f"p{p}": float(c) for p, c in zip(PERCENTILES, cuts, strict=True)},
                "mean": float(values.mean()) if len(values) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def usage_table(risk: Risk) -> pd.DataFrame:
    """How often each site and vendor takes work: ``kind`` (site, vendor), ``id``,
    ``name``, ``used_share`` [fraction of feasible draws], ``mean_fte`` [FTE, over the
    feasible draws, 0 where unused], ``in_baseline`` [bool]."""
    feasible = max(risk.meta.get("feasible", 0), 1)
    names = {(str(r.kind), str(r.id)): str(r.name) for r in risk.labels.itertuples(index=False)}
    used = risk.sites[risk.sites["fte"] > 1e-9].assign(
        vendor=lambda t: t["vendor"].fillna("in-house")
    )
    base = risk.baseline.allocation.assign(
        vendor=risk.baseline.allocation["vendor"].fillna("in-house")
    )
    parts = []
    for kind in ("site", "vendor"):
        per_draw = used.groupby(["draw", kind])["fte"].sum().reset_index()
        grouped = per_draw.groupby(kind)
        table = (
            pd.DataFrame(
                {
                    "used_share": grouped["draw"].nunique() / feasible,
                    "mean_fte": grouped["fte"].sum() / feasible,
                }
            )
            .rename_axis("id")
            .reset_index()
        )
        table.insert(0, "kind", kind)
        table.insert(2, "name", [names.get((kind, str(i)), str(i)) for i in table["id"]])
        table["in_baseline"] = table["id"].isin(set(base[kind].astype(str)))
        parts.append(table.sort_values(["used_share", "id"], ascending=[False, True]))
    return pd.concat(parts, ignore_index=True)
