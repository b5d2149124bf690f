"""Read a solved plan back into a :class:`Result` (tidy tables; inputs never touched).

Every figure reported comes from the plan's *exact* staffing (integer Erlang C agents
for queues with a service level); the LP's linear estimate is kept in the stamp. Annual
figures are the sums of the plan's 12 months, each staffed at its own volume
(:mod:`bestshore.model.months`); the months themselves are the ``months`` table.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.families import Exact
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.plan import Plan
from bestshore.model.program import key_text
from bestshore.result.result import (
    ALLOCATION_COLUMNS,
    BREAKDOWN_COLUMNS,
    CONSTRAINT_COLUMNS,
    COVERAGE_COLUMNS,
    MONTH_COLUMNS,
    MONTH_SHIFT_COLUMNS,
    SHIFT_TABLE_COLUMNS,
    STAFFING_COLUMNS,
    Result,
)
from bestshore.scenario.hours import hour_label
from bestshore.scenario.reference import countries, language_name

__all__ = ["extract_result", "plan_status", "scenario_hash"]

SHORES = ("inshore", "nearshore", "offshore")


def scenario_hash(inputs: ModelInputs) -> str:
    """SHA-256 of the validated scenario's canonical JSON (its content, not its file)."""
    content = inputs.scenario.model_dump(mode="json")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache  # the installed version does not change while the process runs
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
    if "annual_hours" not in rows:  # a plan not costed month by month
        rows["annual_hours"] = rows["agents"] * rows["annual_factor"]
    rows = rows.rename(columns={"annual_cost": "cost"})
    rows = rows.sort_values(["call_type", "language", "hour", "site"], kind="stable")
    return rows[STAFFING_COLUMNS].reset_index(drop=True)


def _allocation(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    rows = staffing.assign(
        volume=staffing["calls"] * staffing["annual_factor"],
        productive_hours=staffing["annual_hours"],  # the months' sum
    )
    keys = ["call_type", "language", "site"]
    groups = rows.rename(columns={"calls": "weekly_calls"}).groupby(keys, sort=True)
    table = groups[["volume", "weekly_calls", "productive_hours", "fte", "cost"]].sum()
    table[["vendor", "rate_per_hour"]] = groups[["vendor", "rate_per_hour"]].first()
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
        "annual_hours_per_fte", "fte", "utilisation", "productive_hours", "volume", "cost", "cost_per_hour", "csat", "fcr", "nps",
    ]  # fmt: skip
    return table[columns]


def _coverage(inputs: ModelInputs, staffing: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Agents logged in per site and market hour (real-time work) [agents]; at rostered
    sites also the whole agents ``on_shift`` and the ``idle`` agent hours (NaN at sites
    staffed hour by hour)."""
    hourly = staffing[staffing["hour"] != WEEK]
    table = hourly.groupby(["site", "hour"], sort=True)["agents"].sum()
    roster = plan.roster_hours
    if not roster.empty:
        shifts = roster.set_index(["site", "hour"])[["on_shift", "idle"]].astype(float)
        table = pd.concat([table, shifts], axis=1).sort_index()
        table["agents"] = table["agents"].fillna(0.0)
    else:
        table = table.to_frame().assign(on_shift=np.nan, idle=np.nan)
    table = table.reset_index()
    shrink = inputs.sites["shrinkage"].reindex(table["site"]).to_numpy()
    table["scheduled"] = table["agents"] / (1 - shrink)
    table["open"] = inputs.open_hours.to_numpy()[
        inputs.open_hours.index.get_indexer(table["site"]), table["hour"].to_numpy(dtype=int)
    ]
    return table[COVERAGE_COLUMNS]


def _shifts(plan: Plan) -> pd.DataFrame:
    """The roster's shifts, with their starts as weekday and time in both clocks."""
    shifts = plan.shifts
    if shifts.empty:
        return pd.DataFrame(columns=SHIFT_TABLE_COLUMNS)
    table = shifts.copy()
    table["starts_market"] = [hour_label(h) for h in table["start_hour"]]
    table["starts_local"] = [
        hour_label(24 * d + h)
        for d, h in zip(table["local_weekday"], table["local_start"], strict=True)
    ]
    table["site_name"] = plan.model.inputs.sites["name"].reindex(table["site"]).to_numpy()
    return table[SHIFT_TABLE_COLUMNS].reset_index(drop=True)


def _requirements(plan: Plan, staffing: pd.DataFrame) -> pd.DataFrame:
    """Per call type and hour: agents if pooled at one site vs agents staffed."""
    pooled = plan.pooled_agents.groupby(level=["call_type", "hour"]).sum().rename("required_pooled")
    hourly = staffing[staffing["hour"] != WEEK]
    sums = hourly.groupby(["call_type", "hour"])[["agents", "handle_hours"]].sum()
    sums.columns = ["staffed", "traffic"]
    table = pd.concat([pooled, sums], axis=1).fillna(0.0)
    # Every hour of the week for each real-time call type, zeros where nothing arrives.
    call_types = table.index.get_level_values("call_type").unique()
    full = pd.MultiIndex.from_product([call_types, range(168)], names=["call_type", "hour"])
    table = table.reindex(full, fill_value=0.0).reset_index()
    table["pooling_loss"] = table["staffed"] - table["required_pooled"]
    table["abandon_rate"] = (
        _abandon_by(hourly, ["call_type", "hour"])
        .reindex(pd.MultiIndex.from_frame(table[["call_type", "hour"]]))
        .to_numpy()
    )
    return table


def _abandon_by(staffing: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Share of offered calls abandoning, weighted by calls, per ``keys`` (Erlang A
    queues only: NaN where no queue of the group models abandonment)."""
    rows = staffing.dropna(subset=["abandon_rate"]) if "abandon_rate" in staffing else staffing[:0]
    if rows.empty:  # no queue models abandonment (Erlang C only)
        return pd.Series(np.nan, index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
    calls = rows["calls"].to_numpy(dtype=float)
    lost = pd.DataFrame(
        {key: rows[key].to_numpy() for key in keys}
        | {"lost": calls * rows["abandon_rate"].to_numpy(dtype=float), "calls": calls}
    )
    sums = lost.groupby(keys)[["lost", "calls"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return (sums["lost"] / sums["calls"]).where(sums["calls"] > 0)


def _abandon_kpis(staffing: pd.DataFrame) -> dict[str, float | None]:
    """Abandonment in the sizing week, weighted by calls: overall (``abandon_rate``) and
    per call type (``abandon_rate_<id>``), over the queues staffed by Erlang A; none
    when no queue models abandonment."""
    hourly = staffing[staffing["hour"] != WEEK]
    if "abandon_rate" not in hourly or hourly["abandon_rate"].isna().all():
        return {}
    rows = hourly.dropna(subset=["abandon_rate"])
    calls = rows["calls"].to_numpy(dtype=float)
    total = float(calls.sum())
    lost = float((calls * rows["abandon_rate"].to_numpy(dtype=float)).sum())
    found: dict[str, float | None] = {"abandon_rate": lost / total if total > 0 else 0.0}
    for call_type, rate in _abandon_by(hourly, ["call_type"]).items():
        found[f"abandon_rate_{call_type}"] = None if pd.isna(rate) else float(rate)
    return found


def _weighted(
    allocation: pd.DataFrame, quality: pd.DataFrame, columns: list[str]
) -> dict[str, float | None]:
    """Volume-weighted score of the plan in each of ``columns`` (each site's score for
    the call type; None where no allocated volume has a score)."""
    scores = allocation[["call_type", "site", "volume"]].join(
        quality[columns], on=["call_type", "site"]
    )
    found: dict[str, float | None] = {}
    for column in columns:
        known = scores.dropna(subset=[column])
        if known.empty or known["volume"].sum() <= 0:
            found[column] = None
        else:
            found[column] = float((known[column] * known["volume"]).sum() / known["volume"].sum())
    return found


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
        **_weighted(allocation, quality, ["csat", "fcr", "nps"]),
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


def _limit_rows(plan: Plan, staffing: pd.DataFrame) -> pd.DataFrame:
    """Site capacities, vendor caps and seats, their use measured on the exact staffing.

    Not binding: how much is spare (left out for families that report binding rows only:
    seat-hours that are not binding, or seat no one, are noise).
    Families reporting binding rows only (seat-hours: thousands on large scenarios) come
    last.
    """
    model, inputs = plan.model, plan.model.inputs
    measured = [
        (record, family)
        for record in model.families
        if record.binding is not None
        for family in record.measured
    ]
    exact = Exact(staffing, plan.shifts, plan.roster_hours)
    parts = []
    # per-hour rows (families reporting binding rows only) last
    for record, family in sorted(measured, key=lambda r: not r[0].report_slack):
        assert record.binding is not None and record.measure is not None
        keys = list(model.rows(family))
        limit, used = record.measure(inputs, exact, family, keys)
        table = pd.DataFrame({"key": keys, "limit": limit, "used": used})
        table["binding"] = (table["limit"] - table["used"]) <= 1e-6 * np.maximum(
            1.0, table["limit"]
        )
        if not record.report_slack:
            # a seat-hour at its limit with nobody seated (a site of no seats taking no
            # work) says nothing of the plan; left out before its words are written
            table = table[table["binding"] & (table["used"] > 0)].reset_index(drop=True)
        duals = model.duals(family)
        table.insert(3, "dual", [duals.get(key, 0.0) for key in table["key"]])
        spare = (1 - table["used"] / table["limit"].where(table["limit"] > 0)).fillna(0.0)
        text = [_limit_key(family, key) for key in table["key"]]
        table["message"] = [
            record.binding(inputs, family, key) if binds else f"{family} {k}: {s:.0%} spare"
            for key, k, binds, s in zip(table["key"], text, table["binding"], spare, strict=True)
        ]
        table["key"] = text
        table.insert(0, "family", family)
        parts.append(table)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=CONSTRAINT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CONSTRAINT_COLUMNS]


def _limit_key(family: str, key: tuple[Any, ...]) -> str:
    return f"{key[0]}@{key[1]}" if family == "seats" else key_text(key)


def _constraints(plan: Plan, staffing: pd.DataFrame) -> pd.DataFrame:
    table = _limit_rows(plan, staffing)
    policies = _policy_rows(plan)
    if len(policies):
        table = pd.concat([table, policies], ignore_index=True) if len(table) else policies
    return table[CONSTRAINT_COLUMNS].reset_index(drop=True)


def _policy_rows(plan: Plan) -> pd.DataFrame:
    """Rows of the policy families: bound, activity, dual and whether each binds.

    Read off the LP: activity ``Σ a x`` and the bound are in the row's own units (handle
    hours a week for shares, contact-points for quality floors, contacts a year for
    commitments, vendors for the panel size). The words are each family's
    (:mod:`bestshore.model.families`); rows that only tie work to a binary say nothing
    and are left out.
    """
    model = plan.model
    arrays = model.program.arrays()
    products = arrays.a_value * model.values()[arrays.a_index]
    owner = np.repeat(np.arange(arrays.num_row), np.diff(arrays.a_start))
    activity = np.bincount(owner, weights=products, minlength=arrays.num_row)
    scale = np.bincount(owner, weights=np.abs(products), minlength=arrays.num_row)
    found = []
    for record in model.families:
        if record.binding is None:
            continue
        for family in record.row_families:
            if family in record.measured:
                continue
            duals = model.duals(family)
            for key, row in model.rows(family).items():
                message = record.binding(model.inputs, family, key)
                if message is None:
                    continue
                upper = float(arrays.row_upper[row])
                limit = upper if np.isfinite(upper) else float(arrays.row_lower[row])
                used = float(activity[row])
                binding = abs(used - limit) <= 1e-6 * max(1.0, float(scale[row]), abs(limit))
                if not binding and not record.report_slack:
                    continue
                text = message if binding else f"{family} {key_text(key)}: not binding"
                found.append(
                    (family, key_text(key), limit, used, binding, duals.get(key, 0.0), text)
                )
    return pd.DataFrame(found, columns=CONSTRAINT_COLUMNS)


def _warnings(inputs: ModelInputs, allocation: pd.DataFrame) -> list[str]:
    """A warning for each site whose plan is priced, for some call type it takes, at its
    country's indicative cost: no cost_per_hour and no rate-card entry for that work. A
    site whose rate card covers all it takes uses no fallback and gets no warning."""
    sites = inputs.sites
    taken = allocation[allocation["fte"] > 0] if "fte" in allocation else allocation
    found = []
    for site, row in sites[sites["cost_from_country"]].iterrows():
        card = inputs.scenario.site(str(site)).rates
        fallback = sorted(set(taken.loc[taken["site"] == site, "call_type"]) - set(card))
        if not fallback:
            continue
        cost = float(row.cost_per_hour)
        price = f"{cost:.2f} EUR/h" if np.isfinite(cost) else "cost (none bundled)"
        found.append(
            f"site {site}: no cost_per_hour given; using {row.country}'s indicative "
            f"{price} from the reference data for {', '.join(map(str, fallback))}"
        )
    return found


def _months(plan: Plan) -> pd.DataFrame:
    """The year month by month (:class:`bestshore.model.months.Year`); empty for a
    plan not costed so."""
    if plan.year is None:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    return plan.year.months[MONTH_COLUMNS].reset_index(drop=True)


def _month_shifts(plan: Plan) -> pd.DataFrame:
    """Each month's whole-agent roster of the rostered sites."""
    if plan.year is None or plan.year.shifts.empty:
        return pd.DataFrame(columns=MONTH_SHIFT_COLUMNS)
    return plan.year.shifts[MONTH_SHIFT_COLUMNS].reset_index(drop=True)


def _gap(plan: Plan) -> float | None:
    """The proven relative gap: how far the plan's cost may be above the best possible
    plan's, ``(cost - lower bound) / cost`` (None: no bound proven)."""
    bound = plan.lower_bound
    if bound is None:
        return None
    cost = plan.exact_cost
    return max(cost - bound, 0.0) / abs(cost) if cost else 0.0


def plan_status(gap: float | None, tolerance: float) -> str:
    """``optimal`` when the plan is proven within ``tolerance`` of the best possible plan
    (its ``gap``), ``feasible`` otherwise: it meets every rule, and no more is proven."""
    return "optimal" if gap is not None and gap <= tolerance else "feasible"


def extract_result(plan: Plan, *, summary: bool = False) -> Result:
    """Build the :class:`Result` of an accepted plan; ``summary=True`` leaves the tables
    of :data:`~bestshore.result.result.SUMMARY_OMITS` empty (``stamp["tables"]``
    says so): a Monte Carlo draw shows none of them, and building and checking them
    took 3.6 % of a warm draw of demo-study."""
    inputs, outcome = plan.model.inputs, plan.outcome
    staffing = _staffing(plan)
    allocation = _allocation(inputs, staffing)
    sites = _sites(inputs, allocation, staffing)
    requirements = _requirements(plan, staffing)
    fixed = plan.fixed_costs
    kpis = _kpis(allocation, inputs.quality, requirements, float(fixed["cost"].sum()))
    kpis |= _abandon_kpis(staffing)
    objective = inputs.scenario.objective
    gap = _gap(plan)
    status = plan_status(gap, objective.gap_tolerance)
    stamp = {
        "scenario_hash": scenario_hash(inputs),
        "bestshore_version": _version(),
        "solver": outcome.solver,
        "status": status,
        "gap": gap,
        "gap_tolerance": objective.gap_tolerance,
        "solver_status": outcome.status,
        "milp_gap": outcome.gap if plan.model.program.is_mip else None,
        "milp": plan.model.program.is_mip,
        "time_limit_seconds": objective.time_limit_seconds,
        "amortization_years": objective.amortization_years,
        "lp_objective": plan.lp_objective,
        "exact_cost": plan.exact_cost,
        "proportional_cost": plan.proportional_cost,
        "lower_bound": plan.lower_bound,
        "lower_bound_source": plan.bound_source if plan.lower_bound is not None else None,
        "staffing_rounds": len(plan.history),
        "variables": outcome.num_col,
        "constraints": outcome.num_row,
        "wall_seconds": round(outcome.wall_seconds, 3),
        "tables": "summary" if summary else "full",
    }
    return Result(
        scenario_name=inputs.scenario.name,
        currency=inputs.market["currency"],
        status=status,
        allocation=allocation,
        sites=sites,
        breakdown=(
            pd.DataFrame(columns=BREAKDOWN_COLUMNS) if summary else _breakdown(allocation, fixed)
        ),
        kpis=kpis,
        constraints=(
            pd.DataFrame(columns=CONSTRAINT_COLUMNS) if summary else _constraints(plan, staffing)
        ),
        exclusions=plan.model.eligibility.exclusions,
        staffing=staffing,
        coverage=(
            pd.DataFrame(columns=COVERAGE_COLUMNS) if summary else _coverage(inputs, staffing, plan)
        ),
        shifts=_shifts(plan),
        requirements=requirements,
        market=dict(inputs.market),
        stamp=stamp,
        warnings=_warnings(inputs, allocation) + (list(plan.year.warnings) if plan.year else []),
        months=_months(plan),
        month_shifts=_month_shifts(plan),
        labels=_labels(inputs, allocation),
        inputs=_inputs(inputs),
    )


def _labels(inputs: ModelInputs, allocation: pd.DataFrame) -> pd.DataFrame:
    """Display names of the ids in the tables: ``kind``, ``id``, ``name``.

    Call types, sites and vendors carry the scenario's ``name`` (the id where it has
    none); languages their ISO 639 name, countries the bundled country name.
    """
    scenario = inputs.scenario
    rows: list[tuple[str, str, str]] = []
    rows += [("call_type", c.id, c.name or c.id) for c in scenario.call_types]
    rows += [("site", s.id, s.name or s.id) for s in scenario.sites]
    rows += [("vendor", v.id, v.name or v.id) for v in scenario.vendors]
    if (allocation["vendor"] == "in-house").any() or any(s.vendor is None for s in scenario.sites):
        rows.append(("vendor", "in-house", "in-house"))
    languages = sorted({code for c in scenario.call_types for code in _languages_of(c)})
    rows += [("language", code, language_name(code)) for code in languages]
    known = countries()["name"]
    codes = sorted({s.country for s in scenario.sites} | {scenario.market.country})
    rows += [("country", code, str(known.get(code, code))) for code in codes]
    table = pd.DataFrame(rows, columns=["kind", "id", "name"])
    return table.drop_duplicates(["kind", "id"]).reset_index(drop=True)


def _languages_of(call_type: Any) -> set[str]:
    windows = {code for window in call_type.hourly_languages for code in window.languages}
    return set(call_type.languages) | windows


def _inputs(inputs: ModelInputs) -> pd.DataFrame:
    """The scenario's key figures: ``section``, ``item``, ``value``, ``unit``.

    What an analyst checks first when reading the plan: the market, the demand per call
    type (volume, handle time, service goal), the sites and vendors offered, the
    settings the staffing uses and the rules in force.
    """
    scenario = inputs.scenario
    market, settings = scenario.market, scenario.settings
    rows: list[tuple[str, str, Any, str]] = [
        ("scenario", "name", scenario.name, ""),
        ("scenario", "market", inputs.market.get("name") or market.country, ""),
        ("scenario", "market country", market.country, "ISO 3166"),
        ("scenario", "market time zone", inputs.market.get("timezone", ""), "IANA"),
        ("scenario", "currency", inputs.market["currency"], "ISO 4217"),
        ("scenario", "call types", len(scenario.call_types), "call types"),
        (
            "scenario",
            "annual volume",
            float(sum(c.volume for c in scenario.call_types)),
            "contacts/yr",
        ),
        ("scenario", "candidate sites", len(scenario.sites), "sites"),
        ("scenario", "vendors", len(scenario.vendors), "vendors"),
        ("settings", "shrinkage", float(settings.shrinkage), "fraction"),
        ("settings", "occupancy", float(settings.occupancy), "fraction"),
        ("settings", "sizing week", str(settings.sizing), ""),
        ("settings", "rostered in whole shifts", settings.roster is not None, ""),
        ("objective", "minimize", str(scenario.objective.minimize), ""),
    ]
    if scenario.description:
        rows.insert(1, ("scenario", "description", scenario.description.strip(), ""))
    for call_type in scenario.call_types:
        where = f"call type {call_type.id}"
        rows.append((where, "name", call_type.name or call_type.id, ""))
        rows.append((where, "channel", str(call_type.channel), ""))
        rows.append((where, "volume", float(call_type.volume), "contacts/yr"))
        rows.append((where, "average handle time", float(call_type.aht_seconds), "s"))
        goal = call_type.service_level
        if goal is not None:
            if goal.target is not None and goal.answer_seconds is not None:
                rows.append((where, "service level target", float(goal.target), "fraction"))
                rows.append((where, "answered within", float(goal.answer_seconds), "s"))
            if goal.asa_seconds is not None:
                rows.append((where, "ASA target", float(goal.asa_seconds), "s"))
    policies = scenario.policies.model_dump(mode="json", exclude_defaults=True)
    for name, value in sorted(policies.items()):
        shown = value if isinstance(value, int | float | str | bool) else json.dumps(value)
        rows.append(("policies", name, shown, ""))
    return pd.DataFrame(rows, columns=["section", "item", "value", "unit"])


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
