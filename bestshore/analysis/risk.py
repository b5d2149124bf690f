"""Monte Carlo risk: re-optimize the plan under drawn volumes, AHT, rates, FX, shrinkage.

For each draw (:mod:`bestshore.analysis.uncertainty`) the scenario is changed by its
factors and solved again (:func:`bestshore.solve`, checked like any plan); the
**baseline plan** (the unperturbed scenario's) is also priced **held fixed** under the
same draw, and its *regret* is what holding it costs over re-optimizing.

**How the fixed plan is priced (an approximation).** bestshore has no evaluator of a
given allocation under other terms, so each baseline allocation row keeps its shares and
its cost is scaled to the draw: hourly-priced rows by volume x AHT x price factor (the
productive hours they need scale with volume and AHT), rows priced per contact by volume
x price, rows priced per FTE-month also by ``(1 - s_base) / (1 - s_draw)`` of their
site's shrinkage; costs outside the rows (fixed costs, SCC, set-up) are kept as they are.
Erlang C economies of scale (agents grow less than proportionally with load), pay
premiums by hour, volume tiers and seasonality effects are not re-derived: the fixed
plan's cost is a first-order estimate, and regret may come out slightly negative. The
plan is flagged ``fixed_over_capacity`` when a site's scaled FTE exceed its capacity.

**Distribution.** Draws run on :mod:`dask.distributed`: an embedded ``LocalCluster``
(processes, one thread each) by default, or an existing scheduler. Draws go in batches
of ``batch_size`` (one task each, fixed by the run, not by the workers); each worker
keeps the parsed scenario once. A draw's seed is the ``i``-th child of
``numpy.random.SeedSequence(seed)``, and a batch solves its draws in order from a fresh
state, so the same seed and batch size give the same table whatever the number of
workers or the order in which they finish. When every factor is a price (``rate``,
``fx``) on sites priced per hour, a batch re-prices one :class:`bestshore.Workbench`
draw after draw instead of solving afresh.
"""

from __future__ import annotations

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
    "fixed_plan_cost", "regret", "fixed_over_capacity",
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
        ``fixed_plan_cost`` [currency/yr: the baseline plan held fixed, module
        docstring], ``regret`` = fixed_plan_cost - total_cost [currency/yr],
        ``fixed_over_capacity`` [bool]; then one column per variate
        (``<factor>:<item>``, the factor drawn [-]). Infeasible draws keep their row,
        costs NaN.
    sites : DataFrame
        Work per draw and site: ``draw``, ``site``, ``vendor``, ``country``, ``fte``,
        ``volume`` [contacts/yr], ``cost`` [currency/yr].
    baseline : Result
        The unperturbed scenario's plan.
    meta : dict
        ``draws``, ``seed``, ``batch_size``, ``workers``, ``scheduler``, ``seconds``
        (wall time of the draws), ``draws_per_second``, ``feasible``, ``infeasible``.
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


def _fixed_plan_cost(
    scenario: Scenario, baseline: dict[str, Any], variates_: Variates, factors: np.ndarray
) -> tuple[float, bool]:
    """The baseline plan held fixed, priced under the draw (module docstring)."""
    volume: dict[str, float] = {}
    aht: dict[str, float] = {}
    price: dict[str, float] = {}
    shrink: dict[str, float] = {}
    for (index, item, _), value in zip(variates_.items, factors, strict=True):
        factor = variates_.uncertainty.factors[index]
        if factor.parameter == "volume":
            volume[item] = volume.get(item, 1.0) * value
        elif factor.parameter == "aht":
            aht[item] = aht.get(item, 1.0) * value
        elif factor.parameter == "rate":
            price[item] = price.get(item, 1.0) * value
        elif factor.parameter == "fx":
            for site in scenario.sites:
                if site.country in (factor.countries or []):
                    price[site.id] = price.get(site.id, 1.0) * value
        else:
            shrink[item] = shrink.get(item, 1.0) * value
    rows = baseline["allocation"]
    total = float(baseline["total_cost"]) - float(rows["cost"].sum())
    fte_by_site: dict[str, float] = {}
    for row in rows.itertuples(index=False):
        site = scenario.site(str(row.site))
        s0 = site.shrinkage if site.shrinkage is not None else scenario.settings.shrinkage
        s1 = min(s0 * shrink.get(site.id, 1.0), 0.89)
        staff = (1 - s0) / (1 - s1)
        load = volume.get(str(row.call_type), 1.0)
        hours = load * aht.get(str(row.call_type), 1.0)
        if site.price_per_contact is not None:
            scale = load
        elif site.price_per_fte_month is not None:
            scale = hours * staff
        else:
            scale = hours
        total += float(row.cost) * scale * price.get(site.id, 1.0)
        fte_by_site[site.id] = fte_by_site.get(site.id, 0.0) + float(row.fte) * hours * staff
    capacity = baseline["capacity_fte"]
    over = any(
        fte > capacity.get(site, np.inf) * (1 + 1e-6) + 1e-6 for site, fte in fte_by_site.items()
    )
    return total, over


def _row(draw: int, result: Result | None, status: str) -> dict[str, Any]:
    row: dict[str, Any] = {"draw": draw, "status": status}
    if result is None:
        return row
    stamp = result.stamp
    level, lowest = _service_level(result)
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
    )
    return row


_WORKER_CACHE: dict[str, tuple[Scenario, Variates]] = {}


def _prepared(payload: dict[str, Any]) -> tuple[Scenario, Variates]:
    """The scenario and its variates, parsed once per worker process (cached by key)."""
    key = payload["key"]
    if key not in _WORKER_CACHE:
        from bestshore.scenario.loader import parse_scenario

        scenario = parse_scenario(payload["scenario"], file=payload["source"])
        _WORKER_CACHE.clear()
        _WORKER_CACHE[key] = (
            scenario,
            variates(scenario, Uncertainty.model_validate(payload["uncertainty"])),
        )
    return _WORKER_CACHE[key]


def _terms_only(scenario: Scenario, variates_: Variates) -> bool:
    hourly = all(
        s.price_per_contact is None and s.price_per_fte_month is None for s in scenario.sites
    )
    return hourly and all(f.parameter in ("rate", "fx") for f in variates_.uncertainty.factors)


def run_batch(
    payload: dict[str, Any], draws: Sequence[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Solve ``draws`` in order (a Dask task): their rows and their site rows."""
    from bestshore.workbench import Workbench

    scenario, variates_ = _prepared(payload)
    children = np.random.SeedSequence(payload["seed"]).spawn(payload["draws"])
    bench = (
        Workbench(scenario, check=payload["check"]) if _terms_only(scenario, variates_) else None
    )
    rows, sites = [], []
    for draw in draws:
        factors = draw_factors(variates_, children[draw])
        result: Result | None = None
        status = "infeasible"
        try:
            changed = apply_factors(scenario, variates_, factors)
            if bench is not None:
                for site in changed.sites:
                    if site.cost_per_hour is not None:
                        bench.set_rate(site.id, site.cost_per_hour)
                    for call_type, rate in site.rates.items():
                        bench.set_rate(site.id, rate, call_type=call_type)
                result = bench.solve()
            else:
                result = solve(changed, check=payload["check"])
        except InfeasibleScenarioError:
            status = "infeasible"
        except SolveError as exc:
            status = exc.status
        row = _row(draw, result, status)
        fixed, over = _fixed_plan_cost(scenario, payload["baseline"], variates_, factors)
        row["fixed_plan_cost"] = fixed
        row["fixed_over_capacity"] = over
        row["regret"] = fixed - row["total_cost"] if result is not None else np.nan
        row.update(dict(zip(variates_.names, factors.tolist(), strict=True)))
        rows.append(row)
        if result is not None:
            for site_row in (
                result.allocation.groupby(["site", "vendor", "country"], dropna=False)[
                    ["fte", "volume", "cost"]
                ]
                .sum()
                .reset_index()
                .itertuples(index=False)
            ):
                sites.append({"draw": draw, **site_row._asdict()})
    return rows, sites


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
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        # No dashboard; its HTTP server still starts, on a free local port: the default
        # 8787 may be taken (a Jupyter's cluster), which only warns, but warns.
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
    allocation = baseline.allocation[["call_type", "site", "fte", "cost"]]
    capacity = baseline.sites.set_index("site")["capacity_fte"].dropna().astype(float).to_dict()
    payload = {
        "key": baseline.stamp.get("scenario_hash", "") + f":{seed}:{draws}",
        "scenario": scenario.model_dump(mode="json", warnings=False),
        "source": None if scenario.source is None else str(scenario.source),
        "uncertainty": uncertainty.model_dump(mode="json"),
        "seed": seed,
        "draws": draws,
        "check": check,
        "baseline": {
            "allocation": allocation,
            "total_cost": baseline.total_cost,
            "capacity_fte": capacity,
        },
    }
    batches = [list(range(i, min(i + batch_size, draws))) for i in range(0, draws, batch_size)]
    client, cluster = _client(workers, scheduler)
    rows: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    start = time.perf_counter()
    try:
        from dask.distributed import as_completed

        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(run_batch, shared, batch, pure=False) for batch in batches]
        done = 0
        for future in as_completed(futures):
            batch_rows, batch_sites = future.result()
            rows += batch_rows
            sites += batch_sites
            done += len(batch_rows)
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
        "workers": used_workers,
        "scheduler": scheduler or "LocalCluster",
        "seconds": seconds,
        "draws_per_second": draws / seconds if seconds > 0 else None,
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
