"""Read a solved plan back into a :class:`Result` (tidy tables; inputs never touched).

Every figure reported comes from the plan's *exact* staffing (integer Erlang C agents
for queues with a service level); the LP's linear estimate is kept in the stamp.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.plan import Plan
from bestshore.model.program import key_text
from bestshore.result.result import ALLOCATION_COLUMNS, STAFFING_COLUMNS, Result

__all__ = ["extract_result", "scenario_hash"]

SHORES = ("inshore", "nearshore", "offshore")


def scenario_hash(inputs: ModelInputs) -> str:
    """SHA-256 of the validated scenario's canonical JSON (its content, not its file)."""
    content = inputs.scenario.model_dump(mode="json")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version() -> str:
    try:
        return metadata.version("bestshore")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _staffing(plan: Plan) -> pd.DataFrame:
    inputs = plan.model.inputs
    rows = plan.staffing.copy()
    rows["fte"] = (
        rows["agents"] / inputs.sites["weekly_hours_per_fte"].reindex(rows["site"]).to_numpy()
    )
    rows = rows.rename(columns={"annual_cost": "cost"})
    rows = rows.sort_values(["call_type", "language", "hour", "site"], kind="stable")
    return rows[STAFFING_COLUMNS].reset_index(drop=True)


def _allocation(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    rows = staffing.assign(
        volume=staffing["calls"] * staffing["annual_factor"],
        productive_hours=staffing["agents"] * staffing["annual_factor"],
    )
    keys = ["call_type", "language", "site"]
    table = rows.groupby(keys, sort=True).agg(
        volume=("volume", "sum"),
        weekly_calls=("calls", "sum"),
        productive_hours=("productive_hours", "sum"),
        fte=("fte", "sum"),
        cost=("cost", "sum"),
        vendor=("vendor", "first"),
        rate_per_hour=("rate_per_hour", "first"),
    )
    table = table.reset_index()
    workloads = inputs.workloads[["level", "channel", "weekly_volume"]]
    table = table.join(workloads, on=["call_type", "language"])
    table["share"] = np.where(
        table["weekly_volume"] > 0, table["weekly_calls"] / table["weekly_volume"], 0.0
    )
    table = table.join(inputs.sites[["country", "shore"]], on="site")
    return table[ALLOCATION_COLUMNS]


def _sites(inputs: ModelInputs, allocation: pd.DataFrame, staffing: pd.DataFrame) -> pd.DataFrame:
    sites = inputs.sites.reset_index()
    used = allocation.groupby("site")[["fte", "productive_hours", "volume", "cost"]].sum()
    weekly = staffing.groupby("site")["agents"].sum().rename("weekly_hours")
    table = sites.merge(used, left_on="site", right_index=True, how="left")
    table = table.merge(weekly, left_on="site", right_index=True, how="left")
    for column in ("fte", "productive_hours", "volume", "cost", "weekly_hours"):
        table[column] = table[column].fillna(0.0)
    table["utilisation"] = np.where(
        table["capacity_hours"] > 0, table["weekly_hours"] / table["capacity_hours"], 0.0
    )
    columns = [
        "site", "name", "vendor", "country", "city", "lat", "lon", "shore", "capacity_fte",
        "fte", "utilisation", "productive_hours", "volume", "cost", "cost_per_hour", "csat", "fcr", "nps",
    ]  # fmt: skip
    return table[columns]


def _coverage(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    """Agents logged in per site and market hour (real-time work) [agents]."""
    hourly = staffing[staffing["hour"] != WEEK]
    table = hourly.groupby(["site", "hour"], sort=True)["agents"].sum().reset_index()
    shrink = inputs.sites["shrinkage"].reindex(table["site"]).to_numpy()
    table["scheduled"] = table["agents"] / (1 - shrink)
    table["open"] = inputs.open_hours.to_numpy()[
        inputs.open_hours.index.get_indexer(table["site"]), table["hour"].to_numpy()
    ]
    return table


def _requirements(plan: Plan, staffing: pd.DataFrame) -> pd.DataFrame:
    """Per call type and hour: agents if pooled at one site vs agents staffed."""
    pooled = plan.pooled_agents.groupby(level=["call_type", "hour"]).sum().rename("required_pooled")
    hourly = staffing[staffing["hour"] != WEEK]
    staffed = hourly.groupby(["call_type", "hour"])["agents"].sum().rename("staffed")
    traffic = hourly.groupby(["call_type", "hour"])["handle_hours"].sum().rename("traffic")
    table = pd.concat([pooled, staffed, traffic], axis=1).fillna(0.0)
    # Every hour of the week for each real-time call type, zeros where nothing arrives.
    call_types = table.index.get_level_values("call_type").unique()
    full = pd.MultiIndex.from_product([call_types, range(168)], names=["call_type", "hour"])
    table = table.reindex(full, fill_value=0.0).reset_index()
    table["pooling_loss"] = table["staffed"] - table["required_pooled"]
    return table


def _weighted(allocation: pd.DataFrame, quality: pd.DataFrame, column: str) -> float | None:
    """Volume-weighted score of the plan (each site's score for the call type)."""
    scores = allocation[["call_type", "site", "volume"]].join(
        quality[column], on=["call_type", "site"]
    )
    scores = scores.dropna(subset=[column])
    if scores.empty or scores["volume"].sum() <= 0:
        return None
    return float((scores[column] * scores["volume"]).sum() / scores["volume"].sum())


def _kpis(
    allocation: pd.DataFrame, quality: pd.DataFrame, requirements: pd.DataFrame, fixed: float
) -> dict[str, Any]:
    volume = float(allocation["volume"].sum())
    cost = float(allocation["cost"].sum()) + fixed
    hours = float(allocation["productive_hours"].sum())
    kpis: dict[str, Any] = {
        "total_cost": cost,
        "total_fte": float(allocation["fte"].sum()),
        "total_volume": volume,
        "total_productive_hours": hours,
        "fixed_cost": fixed,
        "cost_per_contact": cost / volume if volume else 0.0,
        "cost_per_productive_hour": cost / hours if hours else 0.0,
        "csat": _weighted(allocation, quality, "csat"),
        "fcr": _weighted(allocation, quality, "fcr"),
        "nps": _weighted(allocation, quality, "nps"),
    }
    by_shore = allocation.groupby("shore")["volume"].sum()
    for shore in SHORES:
        kpis[f"{shore}_share"] = float(by_shore.get(shore, 0.0) / volume) if volume else 0.0
    kpis["sites_used"] = int(allocation["site"].nunique())
    kpis["vendors_used"] = int(
        allocation.loc[allocation["vendor"] != "in-house", "vendor"].nunique()
    )
    kpis["pooling_loss_agent_hours"] = (
        float(requirements["pooling_loss"].sum()) if len(requirements) else 0.0
    )
    return kpis


def _constraints(plan: Plan, staffing: pd.DataFrame) -> pd.DataFrame:
    model, inputs = plan.model, plan.model.inputs
    used_by_site = staffing.groupby("site")["agents"].sum()
    rows: list[tuple[str, str, float, float, float | None, str]] = []
    duals = {family: model.duals(family) for family in ("capacity", "vendor_share", "seats")}
    for site in model.constraints["capacity"]:
        limit = float(inputs.sites.at[site, "capacity_hours"])
        rows.append(
            (
                "capacity",
                site,
                limit,
                float(used_by_site.get(site, 0.0)),
                duals["capacity"].get(site),
                f"site {site} is full",
            )
        )
    total = float(inputs.demand["handle_hours"].sum())
    used_by_vendor = staffing.groupby("vendor")["handle_hours"].sum()
    for vendor in model.constraints["vendor_share"]:
        cap = float(inputs.vendors.at[vendor, "max_share"])
        rows.append(
            ("vendor_share", vendor, cap * total, float(used_by_vendor.get(vendor, 0.0)), duals["vendor_share"].get(vendor),
             f"vendor share cap {cap:.0%} binds for {vendor}")
        )  # fmt: skip
    per_seat_hour = staffing[staffing["hour"] != WEEK].groupby(["site", "hour"])["agents"].sum()
    seat_keys = list(model.constraints["seats"])
    if seat_keys:  # thousands of site-hours on large scenarios: by columns, not row by row
        seat_sites = [site for site, _ in seat_keys]
        limits = inputs.sites["max_agents"].reindex(seat_sites).to_numpy(dtype=float)
        given = inputs.sites["seats_given"].reindex(seat_sites).to_numpy(dtype=bool)
        used = per_seat_hour.reindex(pd.MultiIndex.from_tuples(seat_keys)).fillna(0.0)
        rows.extend(
            ("seats", f"{site}@{hour}", limit, used_now, duals["seats"].get((site, hour)),
             f"site {site} has {'every seat taken' if seats_given else 'its peak staffing'} in hour {hour}")
            for (site, hour), limit, used_now, seats_given in zip(
                seat_keys, limits.tolist(), used.to_numpy(dtype=float).tolist(), given.tolist(), strict=True
            )
        )  # fmt: skip
    table = pd.DataFrame(rows, columns=["family", "key", "limit", "used", "dual", "message"])
    table["binding"] = (table["limit"] - table["used"]) <= 1e-6 * np.maximum(1.0, table["limit"])
    spare = (1 - table["used"] / table["limit"].where(table["limit"] > 0)).fillna(0.0)
    spare_text = [
        f"{f} {k}: {s:.0%} spare"
        for f, k, s in zip(table["family"], table["key"], spare, strict=True)
    ]
    table["message"] = table["message"].where(table["binding"], spare_text)
    table["dual"] = table["dual"].astype(float).fillna(0.0)
    # Seats that are not binding are noise: keep the binding ones only.
    table = table[(table["family"] != "seats") | table["binding"]]
    policies = _policy_rows(plan)
    if len(policies):
        table = pd.concat([table, policies], ignore_index=True)
    return table[["family", "key", "limit", "used", "binding", "dual", "message"]].reset_index(
        drop=True
    )


def _policy_messages(inputs: ModelInputs) -> dict[str, Any]:
    """What each policy row says when it binds, in plain words, by family."""
    policies = inputs.scenario.policies
    vendors = {v.id: v for v in inputs.scenario.vendors}

    def rule(share: float | None) -> str:
        return "" if share is None else f" ({share:.0%} of the work)"

    def committed(vendor: str) -> str:
        commitment = vendors[vendor].commitment
        return "volume" if commitment is None else f"{commitment.contacts:,.0f} contacts"

    def panel(key: str) -> str | None:
        if key == "panel_size[max]":
            return f"the panel is at its maximum of {policies.max_vendors} vendors"
        if key == "panel_size[min]":
            return f"the panel is at its minimum of {policies.min_vendors} vendors"
        if key.startswith("panel_floor["):
            vendor = key.removeprefix("panel_floor[").removesuffix("]")
            return f"vendor {vendor} gets just the panel's minimum share ({policies.panel_min_share:.0%})"
        return None  # panel[v], open[s]: work tied to a binary, no rule of the client's

    return {
        "site_share": lambda s: (
            f"site {s} takes the most the site cap allows{rule(policies.max_site_share)}"
        ),
        "country_share": lambda g: (
            f"country {g} takes the most the country cap allows{rule(policies.max_country_share)}"
        ),
        "shore_share": lambda sh: (
            f"{sh} takes the most its cap allows{rule(policies.max_shore_share.get(sh))}"
        ),
        "inshore_min": lambda _: (
            f"the minimum inshore share binds{rule(policies.min_inshore_share)}"
        ),
        "preferred": lambda v: (
            f"preferred partner {v} gets just its minimum share"
            + rule(policies.preferred_vendor.min_share if policies.preferred_vendor else None)
        ),
        "spread": lambda key: (
            f"site {key[1]} takes 1/{policies.min_sites_per_call_type} of "
            f"{key[0]}, the most the at-least-{policies.min_sites_per_call_type}-sites rule allows"
        ),
        "quality_floor": lambda c: (
            f"{c} meets its CSAT floor of {policies.quality_floors[c]:g} "
            "exactly: cheaper sites score lower"
        ),
        "nps_floor": lambda c: f"{c} meets its NPS floor of {policies.nps_floors[c]:g} exactly",
        "commitment": lambda v: f"vendor {v}'s volume commitment binds ({committed(v)} a year)",
        "panel": panel,
    }


def _policy_rows(plan: Plan) -> pd.DataFrame:
    """Rows of the policy families: bound, activity, dual and whether each binds.

    Read off the LP: activity ``Σ a x`` and the bound are in the row's own units (handle
    hours a week for shares, contact-points for quality floors, contacts a year for
    commitments, vendors for the panel size). Panel rows that only tie work to a binary
    are left out.
    """
    model = plan.model
    arrays = model.program.arrays()
    products = arrays.a_value * model.values()[arrays.a_index]
    owner = np.repeat(np.arange(arrays.num_row), np.diff(arrays.a_start))
    activity = np.bincount(owner, weights=products, minlength=arrays.num_row)
    scale = np.bincount(owner, weights=np.abs(products), minlength=arrays.num_row)
    found = []
    for family, say in _policy_messages(model.inputs).items():
        duals = model.duals(family)
        for key, row in model.constraints.get(family, {}).items():
            message = say(key)
            if message is None:
                continue
            upper = float(arrays.row_upper[row])
            limit = upper if np.isfinite(upper) else float(arrays.row_lower[row])
            used = float(activity[row])
            binding = abs(used - limit) <= 1e-6 * max(1.0, float(scale[row]), abs(limit))
            text = message if binding else f"{family} {key_text(key)}: not binding"
            found.append((family, key_text(key), limit, used, binding, duals.get(key, 0.0), text))
    columns = ["family", "key", "limit", "used", "binding", "dual", "message"]
    return pd.DataFrame(found, columns=columns)


def _warnings(inputs: ModelInputs) -> list[str]:
    sites = inputs.sites
    return [
        f"site {site}: no cost_per_hour given; using {row.country}'s indicative "
        f"{row.cost_per_hour:.2f} EUR/h from the reference data"
        for site, row in sites[sites["cost_from_country"]].iterrows()
    ]


def _gap(plan: Plan) -> float | None:
    """Relative distance between the plan's cost and the lower bound (None: no bound)."""
    bound = plan.lower_bound
    if bound is None:
        return None
    return (plan.exact_cost - bound) / plan.exact_cost if plan.exact_cost else 0.0


def extract_result(plan: Plan) -> Result:
    """Build the :class:`Result` of an accepted plan."""
    inputs, outcome = plan.model.inputs, plan.outcome
    staffing = _staffing(plan)
    allocation = _allocation(inputs, staffing)
    sites = _sites(inputs, allocation, staffing)
    requirements = _requirements(plan, staffing)
    fixed = plan.fixed_costs
    kpis = _kpis(allocation, inputs.quality, requirements, float(fixed["cost"].sum()))
    stamp = {
        "scenario_hash": scenario_hash(inputs),
        "bestshore_version": _version(),
        "solver": outcome.solver,
        "status": outcome.status,
        "gap": outcome.gap,
        "milp": plan.model.program.is_mip,
        "time_limit_seconds": inputs.scenario.objective.time_limit_seconds,
        "amortization_years": inputs.scenario.objective.amortization_years,
        "lp_objective": plan.lp_objective,
        "exact_cost": plan.exact_cost,
        "lower_bound": plan.lower_bound,
        "staffing_gap": _gap(plan),
        "staffing_rounds": len(plan.history),
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
        breakdown=_breakdown(allocation, fixed),
        kpis=kpis,
        constraints=_constraints(plan, staffing),
        exclusions=plan.model.eligibility.exclusions,
        staffing=staffing,
        coverage=_coverage(inputs, staffing),
        requirements=requirements,
        market=dict(inputs.market),
        stamp=stamp,
        warnings=_warnings(inputs),
    )


def _breakdown(allocation: pd.DataFrame, fixed: pd.DataFrame) -> pd.DataFrame:
    total = allocation["cost"].sum() + fixed["cost"].sum()
    parts = []
    for dimension in ("shore", "vendor", "country", "call_type", "level"):
        grouped = allocation.groupby(dimension, sort=True)[["cost", "fte", "volume"]].sum()
        grouped = grouped.reset_index().rename(columns={dimension: "key"})
        grouped.insert(0, "dimension", dimension)
        parts.append(grouped)
    if not fixed.empty:
        parts.append(
            pd.DataFrame(
                {
                    "dimension": "fixed_cost",
                    "key": fixed["kind"] + ":" + fixed["id"],
                    "cost": fixed["cost"],
                    "fte": 0.0,
                    "volume": 0.0,
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table["cost_share"] = table["cost"] / total if total > 0 else 0.0
    return table
