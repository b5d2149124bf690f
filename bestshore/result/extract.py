"""Read a solved model back into a :class:`Result` (tidy tables; inputs never touched)."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.build import SourcingModel
from bestshore.model.solve import SolveOutcome
from bestshore.result.result import ALLOCATION_COLUMNS, Result

__all__ = ["extract_result", "scenario_hash"]

_ZERO = 1e-9
SHORES = ("inshore", "nearshore", "offshore")


def scenario_hash(model: SourcingModel) -> str:
    """SHA-256 of the validated scenario's canonical JSON (its content, not its file)."""
    content = model.inputs.scenario.model_dump(mode="json")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version() -> str:
    try:
        return metadata.version("bestshore")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _allocation(model: SourcingModel) -> pd.DataFrame:
    inputs = model.inputs
    assignments = model.eligibility.assignments
    share = np.array([v.varValue or 0.0 for v in model.variables.share], dtype=float)
    table = assignments.assign(share=np.clip(share, 0.0, 1.0))
    table = table[table["share"] > _ZERO].copy()
    workloads = inputs.workloads.reset_index()[
        ["call_type", "language", "level", "channel", "volume"]
    ]
    table = table.merge(workloads, on=["call_type", "language"], how="left")
    sites = inputs.sites[["country", "shore", "productive_hours_per_fte"]]
    table = table.merge(sites, left_on="site", right_index=True, how="left")
    table["volume"] = table["volume"] * table["share"]
    table["productive_hours"] = table["productive_hours"] * table["share"]
    table["fte"] = table["productive_hours"] / table["productive_hours_per_fte"]
    table["cost"] = table["productive_hours"] * table["rate_per_hour"]
    table = table.sort_values(["call_type", "language", "site"], kind="stable")
    return table[ALLOCATION_COLUMNS].reset_index(drop=True)


def _sites(model: SourcingModel, allocation: pd.DataFrame) -> pd.DataFrame:
    sites = model.inputs.sites.reset_index()
    used = allocation.groupby("site")[["fte", "productive_hours", "volume", "cost"]].sum()
    table = sites.merge(used, left_on="site", right_index=True, how="left")
    for column in ("fte", "productive_hours", "volume", "cost"):
        table[column] = table[column].fillna(0.0)
    table["utilisation"] = np.where(
        table["capacity_hours"] > 0, table["productive_hours"] / table["capacity_hours"], 0.0
    )
    columns = [
        "site", "name", "vendor", "country", "city", "lat", "lon", "shore", "capacity_fte",
        "fte", "utilisation", "productive_hours", "volume", "cost", "cost_per_hour", "csat", "fcr",
    ]  # fmt: skip
    return table[columns]


def _breakdown(allocation: pd.DataFrame) -> pd.DataFrame:
    total = allocation["cost"].sum()
    parts = []
    for dimension in ("shore", "vendor", "country", "call_type", "level"):
        grouped = allocation.groupby(dimension, sort=True)[["cost", "fte", "volume"]].sum()
        grouped = grouped.reset_index().rename(columns={dimension: "key"})
        grouped.insert(0, "dimension", dimension)
        parts.append(grouped)
    table = pd.concat(parts, ignore_index=True)
    table["cost_share"] = table["cost"] / total if total > 0 else 0.0
    return table


def _weighted(allocation: pd.DataFrame, sites: pd.DataFrame, column: str) -> float | None:
    scores = allocation[["site", "volume"]].merge(sites[["site", column]], on="site")
    scores = scores.dropna(subset=[column])
    if scores.empty or scores["volume"].sum() <= 0:
        return None
    return float((scores[column] * scores["volume"]).sum() / scores["volume"].sum())


def _kpis(allocation: pd.DataFrame, sites: pd.DataFrame) -> dict[str, Any]:
    volume = float(allocation["volume"].sum())
    cost = float(allocation["cost"].sum())
    hours = float(allocation["productive_hours"].sum())
    kpis: dict[str, Any] = {
        "total_cost": cost,
        "total_fte": float(allocation["fte"].sum()),
        "total_volume": volume,
        "total_productive_hours": hours,
        "cost_per_contact": cost / volume if volume else 0.0,
        "cost_per_productive_hour": cost / hours if hours else 0.0,
        "csat": _weighted(allocation, sites, "csat"),
        "fcr": _weighted(allocation, sites, "fcr"),
    }
    by_shore = allocation.groupby("shore")["volume"].sum()
    for shore in SHORES:
        kpis[f"{shore}_share"] = float(by_shore.get(shore, 0.0) / volume) if volume else 0.0
    kpis["sites_used"] = int(allocation["site"].nunique())
    kpis["vendors_used"] = int(
        allocation.loc[allocation["vendor"] != "in-house", "vendor"].nunique()
    )
    return kpis


def _constraints(model: SourcingModel) -> pd.DataFrame:
    inputs = model.inputs
    rows = []
    for site, constraint in model.constraints["capacity"].items():
        limit = float(inputs.sites.at[site, "capacity_hours"])
        rows.append(("capacity", site, limit, constraint.pi, f"site {site} is full"))
    total = inputs.total_productive_hours
    for vendor, constraint in model.constraints["vendor_share"].items():
        cap = float(inputs.vendors.at[vendor, "max_share"])
        rows.append(
            ("vendor_share", vendor, cap * total, constraint.pi,
             f"vendor share cap {cap:.0%} binds for {vendor}")
        )  # fmt: skip
    table = pd.DataFrame(rows, columns=["family", "key", "limit", "dual", "message"])
    table["used"] = [
        _used(model, family, key) for family, key in zip(table["family"], table["key"], strict=True)
    ]
    table["binding"] = (table["limit"] - table["used"]) <= 1e-6 * np.maximum(1.0, table["limit"])
    spare = (1 - table["used"] / table["limit"].where(table["limit"] > 0)).fillna(0.0)
    table["message"] = table["message"].where(
        table["binding"],
        [
            f"{f} {k}: {s:.0%} spare"
            for f, k, s in zip(table["family"], table["key"], spare, strict=True)
        ],
    )
    table["dual"] = table["dual"].astype(float).fillna(0.0)
    return table[["family", "key", "limit", "used", "binding", "dual", "message"]]


def _used(model: SourcingModel, family: str, key: str) -> float:
    assignments = model.eligibility.assignments
    column = "site" if family == "capacity" else "vendor"
    rows = np.flatnonzero(assignments[column].to_numpy() == key)
    values = np.array([model.variables.share.iloc[i].varValue or 0.0 for i in rows])
    return float((assignments["productive_hours"].to_numpy()[rows] * values).sum())


def _warnings(model: SourcingModel) -> list[str]:
    sites = model.inputs.sites
    return [
        f"site {site}: no cost_per_hour given; using {row.country}'s indicative "
        f"{row.cost_per_hour:.2f} EUR/h from the reference data"
        for site, row in sites[sites["cost_from_country"]].iterrows()
    ]


def extract_result(model: SourcingModel, outcome: SolveOutcome) -> Result:
    """Build the :class:`Result` of a solve that returned a plan."""
    if not outcome.has_solution:
        raise ValueError(
            f"the solve returned no plan (status {outcome.status}); nothing to extract"
        )
    inputs = model.inputs
    allocation = _allocation(model)
    sites = _sites(model, allocation)
    stamp = {
        "scenario_hash": scenario_hash(model),
        "bestshore_version": _version(),
        "solver": outcome.solver,
        "status": outcome.status,
        "gap": outcome.gap,
        "objective": outcome.objective,
        "variables": outcome.variables,
        "constraints": outcome.constraints,
        "wall_seconds": round(outcome.wall_seconds, 3),
    }
    return Result(
        scenario_name=inputs.scenario.name,
        currency=inputs.market["currency"],
        status=outcome.status,
        allocation=allocation,
        sites=sites,
        breakdown=_breakdown(allocation),
        kpis=_kpis(allocation, sites),
        constraints=_constraints(model),
        exclusions=model.eligibility.exclusions,
        market=dict(inputs.market),
        stamp=stamp,
        warnings=_warnings(model),
    )
