"""Cost-quality frontier: the least annual cost for each quality floor (epsilon constraint).

The sweep uses the scenario's own quality-floor policies, so the model is unchanged:

- ``csat``: ``policies.quality_floors`` (least volume-weighted site CSAT per call type);
- ``nps``: ``policies.nps_floors`` (least volume-weighted NPS per call type; a site
  reporting none counts as -100).

The format has no floor on the volume-weighted score *across* call types, so each point
sets **the same floor on every call type** (a call type keeping a stricter floor of its
own keeps it). A floor on each call type is at least as strict as the same floor on the
plan's overall average: the frontier is the cost of "every call type at least x". FCR
has no floor in the format (it enters the cost through repeat contacts,
``call_types[].fcr_baseline``), so there is no FCR frontier without a model change.

Floors run evenly from the unconstrained plan's lowest call-type score (the floor binds
nothing there) to the highest floor every call type could reach: for each call type the
best score a site offering it reports, the lowest of these over call types. Capacity,
languages and other rules may make the upper floors infeasible: such points are kept in
the table with status ``infeasible`` and no cost, never dropped.

Each point is as proven as its solve: ``status`` (``optimal`` only within the scenario's
``gap_tolerance``) and ``gap`` come from its result's stamp. The least cost is
non-decreasing in the floor; a reported cost may fall back by at most the proven gap of
the point before (``cost[i+1] >= lower_bound[i]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from bestshore.analysis.errors import AnalysisError
from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.scenario import Scenario

__all__ = ["FRONTIER_COLUMNS", "Frontier", "cost_quality_frontier", "knee_index", "site_score"]

Metric = Literal["csat", "fcr", "nps"]
FRONTIER_COLUMNS = [
    "point", "floor", "achieved", "total_cost", "lower_bound", "status", "gap",
    "sites_used", "knee",
]  # fmt: skip
_MISSING = {"csat": 0.0, "nps": -100.0}  # how the floor rows count a site reporting none
_POLICY = {"csat": "quality_floors", "nps": "nps_floors"}


@dataclass(frozen=True)
class Frontier:
    """A swept frontier.

    Attributes
    ----------
    metric : str
        ``csat`` or ``nps``.
    table : DataFrame
        One row per point, by rising floor: ``point`` (1..N), ``floor`` [points: set on
        every call type], ``achieved`` (the plan's volume-weighted score, its KPI),
        ``total_cost`` and ``lower_bound`` [currency/yr; NaN when infeasible],
        ``status`` (``optimal``, ``feasible`` or ``infeasible``), ``gap`` (proven,
        fraction; NaN when none), ``sites_used``, ``knee`` (True at the knee).
    results : dict
        Each feasible point's :class:`~bestshore.Result` by ``point``.
    currency : str
    """

    metric: str
    table: pd.DataFrame
    currency: str
    results: dict[int, Result] = field(default_factory=dict)


def site_score(scenario: Scenario, site_id: str, call_type: str, metric: str) -> float | None:
    """A site's score for a call type: its ``quality_by_call_type`` entry, else its
    site-level one; None when it reports none."""
    site = scenario.site(site_id)
    own = site.quality_by_call_type.get(call_type)
    value = getattr(own, metric, None) if own is not None else None
    return value if value is not None else getattr(site.quality, metric)


def _offers(scenario: Scenario, site_id: str, call_type: str) -> bool:
    offered = scenario.site(site_id).call_types
    return offered is None or call_type in offered


def _call_type_scores(scenario: Scenario, result: Result, metric: str) -> dict[str, float]:
    """Volume-weighted score of each call type in ``result``, as the floor rows count it."""
    scores: dict[str, float] = {}
    for call_type, rows in result.allocation.groupby("call_type"):
        values = [site_score(scenario, str(site), str(call_type), metric) for site in rows["site"]]
        filled = np.array([_MISSING[metric] if v is None else v for v in values], dtype=float)
        volume = rows["volume"].to_numpy(dtype=float)
        if volume.sum() > 0:
            scores[str(call_type)] = float(filled @ volume / volume.sum())
    return scores


def _highest_floor(scenario: Scenario, metric: str) -> float:
    best = []
    for call_type in scenario.call_types:
        values = [
            site_score(scenario, s.id, call_type.id, metric)
            for s in scenario.sites
            if _offers(scenario, s.id, call_type.id)
        ]
        known = [v for v in values if v is not None]
        best.append(max(known) if known else _MISSING[metric])
    return float(min(best))


def knee_index(x: np.ndarray, y: np.ndarray) -> int | None:
    """The knee of a rising curve: the point farthest below the chord from its first to
    its last point, both axes scaled to [0, 1]; None with fewer than 3 points or when no
    point lies below the chord. Ties go to the first (the lower floor)."""
    if len(x) < 3:
        return None
    span_x, span_y = x[-1] - x[0], y[-1] - y[0]
    if span_x <= 0 or span_y <= 0:
        return None
    u, v = (x - x[0]) / span_x, (y - y[0]) / span_y
    below = u - v  # distance to the chord v = u, times sqrt(2)
    best = int(np.argmax(below))
    return best if below[best] > 1e-9 else None


def _with_floor(scenario: Scenario, metric: str, floor: float) -> Scenario:
    changed = scenario.model_copy(deep=True)
    policy = _POLICY[metric]
    current = dict(getattr(changed.policies, policy))
    floors = {c.id: max(floor, current.get(c.id, floor)) for c in changed.call_types}
    setattr(changed.policies, policy, floors)
    return changed


def cost_quality_frontier(
    scenario: Scenario, metric: Metric, points: int, *, check: bool = True
) -> Frontier:
    """Sweep ``points`` quality floors on ``metric`` (module docstring) and solve each.

    Raises
    ------
    ScenarioError
        ``metric`` is ``fcr`` (no FCR floor in the format) or unknown, ``points`` < 2,
        or no site reports the metric.
    """
    if metric == "fcr":
        raise AnalysisError(
            "frontier --metric fcr: the scenario format has no FCR floor "
            "(policies.quality_floors is CSAT, policies.nps_floors is NPS); choose csat or nps"
        )
    if metric not in _POLICY:
        raise AnalysisError(f"frontier --metric {metric!r}: choose csat or nps")
    if not 2 <= points <= 200:
        raise AnalysisError(f"frontier --points {points}: give 2 to 200 points")
    reported = [
        site_score(scenario, s.id, c.id, metric)
        for s in scenario.sites
        for c in scenario.call_types
    ]
    if all(v is None for v in reported):
        raise AnalysisError(
            f"frontier --metric {metric}: no site reports {metric.upper()} "
            f"(sites[].quality.{metric} or sites[].quality_by_call_type)"
        )
    free = solve(scenario, check=check)
    lowest = min(_call_type_scores(scenario, free, metric).values(), default=_MISSING[metric])
    highest = max(_highest_floor(scenario, metric), lowest)
    floors = np.linspace(lowest, highest, points)
    rows: list[tuple[Any, ...]] = []
    results: dict[int, Result] = {}
    for number, floor in enumerate(floors, start=1):
        try:
            result = solve(_with_floor(scenario, metric, float(floor)), check=check)
        except InfeasibleScenarioError:
            rows.append((number, float(floor), np.nan, np.nan, np.nan, "infeasible", np.nan, 0))
            continue
        except SolveError as exc:
            rows.append((number, float(floor), np.nan, np.nan, np.nan, exc.status, np.nan, 0))
            continue
        results[number] = result
        achieved = result.kpis.get(metric)
        gap = result.stamp.get("gap")
        bound = result.stamp.get("lower_bound")
        rows.append(
            (
                number,
                float(floor),
                np.nan if achieved is None else float(achieved),
                result.total_cost,
                np.nan if bound is None else float(bound),
                str(result.stamp.get("status", result.status)),
                np.nan if gap is None else float(gap),
                int(result.kpis.get("sites_used", 0)),
            )
        )
    table = pd.DataFrame(rows, columns=FRONTIER_COLUMNS[:-1])
    table["knee"] = False
    solved = table[table["total_cost"].notna()]
    knee = knee_index(solved["floor"].to_numpy(float), solved["total_cost"].to_numpy(float))
    if knee is not None:
        table.loc[solved.index[knee], "knee"] = True
    return Frontier(metric=metric, table=table, currency=free.currency, results=results)
