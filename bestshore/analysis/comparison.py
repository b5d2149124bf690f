"""Scenarios against a baseline: KPI changes and who gains or loses work.

:func:`compare_to_baseline` reads solved :class:`~bestshore.Result` objects only (their
``kpis``, ``allocation`` and ``labels``); it solves nothing. Every change is *scenario
minus baseline*, for each scenario, the baseline included (its changes are 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestshore.analysis.errors import AnalysisError
from bestshore.result import Result

__all__ = [
    "DIMENSIONS",
    "KPI_UNITS",
    "Comparison",
    "allocation_changes",
    "compare_to_baseline",
    "kpi_changes",
]

DIMENSIONS = ("site", "vendor", "country", "shore")
"""The allocation columns work is summed by in :func:`allocation_changes`."""

KPI_UNITS = {
    "total_cost": "currency/yr",
    "fixed_cost": "currency/yr",
    "total_fte": "FTE",
    "total_volume": "contacts/yr",
    "total_productive_hours": "h/yr",
    "cost_per_contact": "currency/contact",
    "cost_per_productive_hour": "currency/h",
    "csat": "points",
    "fcr": "fraction",
    "nps": "points",
    "inshore_share": "fraction",
    "nearshore_share": "fraction",
    "offshore_share": "fraction",
    "sites_used": "sites",
    "vendors_used": "vendors",
    "pooling_loss_agent_hours": "agent h/week",
}
"""Unit of each KPI (``currency`` stands for the results' currency)."""

KPI_COLUMNS = [
    "kpi", "unit", "scenario", "status", "gap", "value", "baseline", "change", "change_pct",
]  # fmt: skip
CHANGE_COLUMNS = [
    "dimension", "key", "name", "scenario", "fte", "fte_baseline", "fte_change",
    "volume", "volume_baseline", "volume_change",
]  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    """Results set against one of them.

    Attributes
    ----------
    baseline : str
        Name of the baseline result.
    kpis : DataFrame
        Long, one row per (``kpi``, ``scenario``): ``unit``, the scenario's ``status``
        and proven ``gap`` (its stamp's), ``value``, the baseline's value
        (``baseline``), ``change`` = value - baseline [the KPI's unit] and
        ``change_pct`` = change / |baseline| [fraction; NaN when the baseline is 0 or
        missing].
    allocation : DataFrame
        Long, one row per (``dimension``, ``key``, ``scenario``) where either the
        scenario or the baseline carries work: ``name`` (display name), ``fte``,
        ``fte_baseline``, ``fte_change`` [FTE, the sizing week's] and ``volume``,
        ``volume_baseline``, ``volume_change`` [contacts/yr]; positive is work gained.
    """

    baseline: str
    kpis: pd.DataFrame
    allocation: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """``kpi_changes`` and ``allocation_changes`` by name."""
        return {"kpi_changes": self.kpis, "allocation_changes": self.allocation}


def _number(value: object) -> float:
    if value is None or isinstance(value, (bool, str)):
        return float("nan")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def kpi_changes(results: Mapping[str, Result], baseline: str) -> pd.DataFrame:
    """KPIs of every result against ``baseline``'s (:attr:`Comparison.kpis`)."""
    base = results[baseline]
    rows = []
    for kpi in base.kpis:
        reference = _number(base.kpis.get(kpi))
        for name, result in results.items():
            value = _number(result.kpis.get(kpi))
            change = value - reference
            pct = change / abs(reference) if np.isfinite(reference) and reference != 0 else np.nan
            rows.append(
                (
                    kpi,
                    KPI_UNITS.get(kpi, "").replace("currency", result.currency),
                    name,
                    result.stamp.get("status", result.status),
                    result.stamp.get("gap"),
                    value,
                    reference,
                    change,
                    pct,
                )
            )
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def _totals(allocation: pd.DataFrame, dimension: str) -> pd.DataFrame:
    if allocation.empty:
        return pd.DataFrame(columns=["fte", "volume"], dtype=float)
    return allocation.groupby(dimension)[["fte", "volume"]].sum()


def _allocation(result: Result) -> pd.DataFrame:
    """The result's allocation, in-house work's missing vendor read as ``in-house``."""
    return result.allocation.assign(vendor=result.allocation["vendor"].fillna("in-house"))


def _names(results: Mapping[str, Result]) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for result in results.values():
        for row in result.labels.itertuples(index=False):
            names.setdefault((str(row.kind), str(row.id)), str(row.name))
    return names


def allocation_changes(results: Mapping[str, Result], baseline: str) -> pd.DataFrame:
    """FTE and volume per site, vendor, country and shore against ``baseline``'s
    (:attr:`Comparison.allocation`). In-house work (no vendor) is keyed ``in-house``."""
    names = _names(results)
    allocations = {name: _allocation(result) for name, result in results.items()}
    parts = []
    for dimension in DIMENSIONS:
        base = _totals(allocations[baseline], dimension)
        for name, allocation in allocations.items():
            own = _totals(allocation, dimension)
            both = pd.merge(
                own.rename_axis("key").reset_index(),
                base.rename_axis("key").reset_index(),
                on="key",
                how="outer",
                suffixes=("", "_baseline"),
            ).fillna({"fte": 0.0, "volume": 0.0, "fte_baseline": 0.0, "volume_baseline": 0.0})
            both["fte_change"] = both["fte"] - both["fte_baseline"]
            both["volume_change"] = both["volume"] - both["volume_baseline"]
            both["dimension"] = dimension
            both["scenario"] = name
            both["name"] = [names.get((dimension, str(k)), str(k)) for k in both["key"]]
            parts.append(both)
    return pd.concat(parts, ignore_index=True).reindex(columns=CHANGE_COLUMNS)


def compare_to_baseline(results: Mapping[str, Result], baseline: str | None = None) -> Comparison:
    """Every result against ``baseline`` (a key of ``results``; default: the first).

    Raises :class:`~bestshore.ScenarioError` (one line) for a baseline that is not one of
    the results.
    """
    if not results:
        raise AnalysisError("compare: no results to compare")
    names = list(results)
    chosen = names[0] if baseline is None else baseline
    if chosen not in results:
        raise AnalysisError(
            f"--baseline {chosen!r} is not one of the scenarios compared ({', '.join(names)})"
        )
    return Comparison(chosen, kpi_changes(results, chosen), allocation_changes(results, chosen))


def _shown(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "-"
    if unit == "fraction":
        return f"{value:.1%}"
    if "/contact" in unit or unit.endswith("/h") or unit == "points":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _shown_change(change: float, pct: float, unit: str) -> str:
    if not np.isfinite(change):
        return "-"
    if unit == "fraction":
        return f"{change * 100:+.1f} pts"
    absolute = _shown(change, unit)
    absolute = absolute if absolute.startswith("-") else f"+{absolute}"
    return absolute + (f" ({pct:+.1%})" if np.isfinite(pct) else "")


def format_kpi_changes(kpis: pd.DataFrame, baseline: str) -> str:
    """The KPI table as text: one row per KPI with its unit, the baseline's value, then
    each other scenario's value and change (absolute, and relative in brackets; shares
    in % and their changes in percentage points)."""
    order = list(dict.fromkeys(kpis["kpi"]))
    scenarios = [s for s in dict.fromkeys(kpis["scenario"]) if s != baseline]
    rows = []
    by = kpis.set_index(["kpi", "scenario"])
    for kpi in order:
        unit = str(by.loc[(kpi, baseline), "unit"])
        shown_unit = "%" if unit == "fraction" else unit
        row = {
            "kpi": kpi,
            "unit": shown_unit,
            baseline: _shown(by.loc[(kpi, baseline), "value"], unit),
        }
        for name in scenarios:
            line = by.loc[(kpi, name)]
            row[name] = _shown(line["value"], unit)
            row[f"{name} vs {baseline}"] = _shown_change(line["change"], line["change_pct"], unit)
        rows.append(row)
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        return pd.DataFrame(rows).to_string(index=False)


def format_allocation_changes(changes: pd.DataFrame, baseline: str) -> str:
    """Work gained or lost against the baseline, by shore then site (moves of more than
    0.05 FTE), as text."""
    lines = []
    moved = changes[(changes["scenario"] != baseline) & (changes["fte_change"].abs() > 0.05)]
    for (scenario, dimension), part in moved.groupby(["scenario", "dimension"], sort=False):
        if dimension not in ("shore", "site"):
            continue
        lines.append(f"{scenario} vs {baseline}, by {dimension}:")
        for row in part.sort_values("fte_change", ascending=False).itertuples(index=False):
            lines.append(
                f"  {row.name:<28} {row.fte_change:+9.1f} FTE  {row.volume_change:+13,.0f} contacts/yr"
                f"  ({row.fte_baseline:,.1f} -> {row.fte:,.1f} FTE)"
            )
    return "\n".join(lines) if lines else "no work moves from the baseline"
