"""The award: a tender solved under business rules, each rule priced, with its savings.

Award rules (a ``RULES.yaml`` file, :class:`~bestshore.rfp.rules.AwardRules`) are written
onto the tender's scenario policies, the scenario is solved with the public API
(:func:`bestshore.solve`) and every rule in force is priced by re-solving without it
(:func:`bestshore.analysis.price_of_policies`). No model code here: rules on lots and
groups are the model's own families (:mod:`bestshore.model.award_rules`).

Savings are against today's cost per lot, the tender's ``history`` (the scenario's top-level
field: a price per contact or a yearly cost per lot; ``docs/rfp.md``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.result.result import table_records
from bestshore.rfp.rules import (
    LIMIT_BOUNDS,
    AwardRules,
    describe_rule,
    load_rules,
    parse_rules,
    rule_names,
)
from bestshore.scenario.schema import Scenario

if TYPE_CHECKING:
    from bestshore.rfp.bidcost import BidComparison

__all__ = [
    "PRICE_TABLE_COLUMNS",
    "Award",
    "AwardRules",
    "award",
    "load_rules",
    "lot_volumes",
    "parse_rules",
    "today_costs",
]

PRICE_TABLE_COLUMNS = [
    "rule", "source", "description", "cost_with", "cost_without", "price", "price_low",
    "price_high", "significant", "plan_without", "status", "binding",
]  # fmt: skip


def lot_volumes(scenario: Scenario) -> pd.Series:
    """Forecast contacts a year of each lot (``<call type>.<language>``): the call type's
    volume times the language's share [contacts/yr]."""
    return pd.Series(
        {
            f"{c.id}.{language}": c.volume * share
            for c in scenario.call_types
            for language, share in c.languages.items()
        },
        dtype=float,
    )


def today_costs(scenario: Scenario) -> pd.Series:
    """Today's yearly cost of each lot with ``history`` [currency/yr]: its yearly cost, or
    its price per contact times the lot's forecast volume."""
    volumes = lot_volumes(scenario)
    return pd.Series(
        {
            lot: (
                float(cost.annual_cost)
                if cost.annual_cost is not None
                else float(cost.price_per_contact or 0.0) * float(volumes[lot])
            )
            for lot, cost in scenario.history.items()
        },
        dtype=float,
    )


@dataclass(frozen=True)
class Award:
    """An award, what its rules cost and what it saves.

    ``by_vendor``: one row per bidder (in-house sites as ``in-house``): ``vendor``,
    ``vendor_name``, ``lots_won`` (lot ids, comma-separated), ``sites_used``,
    ``volume_contacts_per_yr`` (handled, repeats included), ``forecast_contacts_per_yr``
    (the forecast contacts given to it), ``volume_share`` [fraction of forecast
    contacts], ``work_share`` [fraction of the work, handle hours: what share rules
    measure], ``fte`` [FTE in the sizing week], ``staffing_spend``, ``fixed_spend``
    (fixed, set-up, take-or-pay...) and ``spend`` [currency/yr], ``spend_share``
    [fraction], ``today_cost`` [currency/yr: its forecast contacts at each lot's cost
    today, lots with history], ``saving`` [currency/yr: today_cost - spend, when every
    lot it takes has history]. ``by_lot``: one row per (vendor, site, lot) carrying work.
    ``lots``: one row per lot: forecast volume, winners with their shares of the lot,
    spend and cost per contact, ``today_cost``, ``saving`` (before fixed costs) and
    ``saving_share``. ``limits``: each bound of ``policies.vendor_limits`` with the
    plan's value (exact) and the model's (spend: the LP's bill). ``rule_prices``:
    :func:`price_of_policies`'s table plus ``source`` (the rules file's key, or ``tender``
    for a policy of the tender scenario) and ``binding`` (proven to cost something).
    ``other_spend``: costs of no bidder (SCC compliance of a country) [currency/yr].
    ``savings``: today's cost, the award's cost and the saving, over every lot (when all
    have history) or the lots with history.
    """

    scenario: Scenario
    result: Result
    by_vendor: pd.DataFrame
    by_lot: pd.DataFrame
    rule_prices: pd.DataFrame
    rules: AwardRules
    other_spend: float
    lots: pd.DataFrame = field(default_factory=pd.DataFrame)
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    savings: dict[str, Any] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.result.currency

    def to_dict(self) -> dict[str, Any]:
        """The award as ``award.json`` holds it (tables as lists of records)."""
        stamp = self.result.stamp
        kpis = self.result.kpis
        return {
            "tender": self.result.scenario_name,
            "rules": self.rules.model_dump(mode="json", exclude_defaults=True),
            "currency": self.currency,
            "status": self.result.status,
            "total_cost": self.result.total_cost,
            "total_cost_unit": f"{self.currency}/yr",
            "gap": stamp.get("gap"),
            "lower_bound": stamp.get("lower_bound"),
            "other_spend": self.other_spend,
            "quality": {k: kpis.get(k) for k in ("csat", "fcr", "nps")},
            "savings": self.savings,
            "binding_rules": self.binding_rules(),
            "by_vendor": table_records(self.by_vendor),
            "by_lot": table_records(self.by_lot),
            "lots": table_records(self.lots),
            "limits": table_records(self.limits),
            "rule_prices": table_records(self.rule_prices),
        }

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def binding_rules(self) -> list[str]:
        """The rules proven to cost something, in words, dearest first."""
        if self.rule_prices.empty:
            return []
        rows = self.rule_prices[self.rule_prices["binding"]]
        return [
            f"{r.description}: costs {r.price:,.0f} {self.currency}/yr (proven between "
            f"{r.price_low:,.0f} and {r.price_high:,.0f})"
            for r in rows.itertuples(index=False)
        ]

    def workbook_bytes(self, bids: BidComparison | None = None) -> bytes:
        """``award.xlsx``: Summary, ByVendor, Lots, ByLot, Limits, RulePrices (and Bids,
        the normalised bid comparison, when given); deterministic bytes."""
        from bestshore.rfp.workbook import award_workbook

        return award_workbook(self, bids)


def _names(scenario: Scenario) -> dict[str, str]:
    return {v.id: v.name or v.id for v in scenario.vendors}


def _forecast(scenario: Scenario, result: Result) -> pd.DataFrame:
    """Per (site, lot) of the plan: forecast contacts a year (``forecast``: each staffing
    row's share of its demand unit's forecast contacts, annualised) and the work ``A x``
    [handle h/week] (``work``); repeat contacts excluded from both, as the share rules
    measure the work."""
    from bestshore.model import prepare_inputs

    demand = prepare_inputs(scenario).demand
    staffing = result.staffing
    units = pd.MultiIndex.from_frame(staffing[["call_type", "language", "hour"]])
    share = staffing["share"].to_numpy()
    table = staffing[["site", "call_type", "language"]].assign(
        forecast=share
        * demand["calls"].reindex(units).to_numpy(dtype=float)
        * staffing["annual_factor"].to_numpy(),
        work=share * demand["handle_hours"].reindex(units).to_numpy(dtype=float),
    )
    table["lot"] = table["call_type"] + "." + table["language"]
    return table.groupby(["site", "lot"], sort=True)[["forecast", "work"]].sum().reset_index()


def _spend_tables(
    scenario: Scenario, result: Result
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float, dict[str, Any], pd.Series]:
    names = _names(scenario)
    site_vendor = {s.id: s.vendor or "in-house" for s in scenario.sites}
    site_names = {s.id: s.name or s.id for s in scenario.sites}
    call_names = {c.id: c.name or c.id for c in scenario.call_types}
    alloc = result.allocation.copy()
    alloc["vendor"] = alloc["site"].map(site_vendor)
    alloc["lot"] = alloc["call_type"] + "." + alloc["language"]
    cur = result.currency
    units = _forecast(scenario, result)
    forecast = units.set_index(["site", "lot"])["forecast"]
    work = units.assign(vendor=units["site"].map(site_vendor)).groupby("vendor")["work"].sum()
    total_work = float(work.sum())
    by_lot = (
        alloc.groupby(["vendor", "site", "lot", "call_type", "language"], sort=True)[
            ["volume", "fte", "cost"]
        ]
        .sum()
        .reset_index()
    )
    by_lot.insert(1, "vendor_name", by_lot["vendor"].map(lambda v: names.get(v, v)))
    by_lot.insert(3, "site_name", by_lot["site"].map(site_names))
    by_lot.insert(6, "call_type_name", by_lot["call_type"].map(call_names))
    by_lot["forecast_contacts_per_yr"] = [
        float(forecast.get((s, lot), 0.0))
        for s, lot in zip(by_lot["site"], by_lot["lot"], strict=True)
    ]
    by_lot = by_lot.rename(
        columns={"volume": "volume_contacts_per_yr", "cost": f"spend_{cur}_per_yr"}
    )
    volumes = lot_volumes(scenario)
    today = today_costs(scenario)
    per_contact = today / volumes.reindex(today.index)
    fixed = result.breakdown[result.breakdown["dimension"] == "fixed_cost"]
    fixed_by: dict[str, float] = {}
    other = 0.0
    for key, cost in zip(fixed["key"], fixed["cost"], strict=True):
        _, _, ident = str(key).partition(":")
        owner = site_vendor.get(ident) or (ident if ident in names else None)
        if owner is None:
            other += float(cost)
        else:
            fixed_by[owner] = fixed_by.get(owner, 0.0) + float(cost)
    total_forecast = float(volumes.sum())
    rows = []
    owners = [*names, *(["in-house"] if "in-house" in site_vendor.values() else [])]
    for vendor in owners:
        mine = by_lot[by_lot["vendor"] == vendor]
        staffing = float(mine[f"spend_{cur}_per_yr"].sum())
        fixed_spend = fixed_by.get(vendor, 0.0)
        won = mine.groupby("lot", sort=True)["forecast_contacts_per_yr"].sum()
        won = won[won > 1e-6]
        contacts = float(won.sum())
        priced = [lot for lot in won.index if lot in per_contact.index]
        today_cost = float(sum(won[lot] * per_contact[lot] for lot in priced))
        saving = (
            today_cost - staffing - fixed_spend if len(priced) == len(won) and len(won) else None
        )
        rows.append(
            {
                "vendor": vendor,
                "vendor_name": names.get(vendor, vendor),
                "lots_won": ", ".join(won.index),
                "sites_used": ", ".join(site_names[s] for s in sorted(set(mine["site"]))),
                "volume_contacts_per_yr": float(mine["volume_contacts_per_yr"].sum()),
                "forecast_contacts_per_yr": contacts,
                "volume_share": contacts / total_forecast if total_forecast else 0.0,
                "work_share": float(work.get(vendor, 0.0)) / total_work if total_work else 0.0,
                "fte": float(mine["fte"].sum()),
                f"staffing_spend_{cur}_per_yr": staffing,
                f"fixed_spend_{cur}_per_yr": fixed_spend,
                f"spend_{cur}_per_yr": staffing + fixed_spend,
                f"today_cost_{cur}_per_yr": today_cost if priced else None,
                f"saving_{cur}_per_yr": saving,
            }
        )
    by_vendor = pd.DataFrame(rows)
    total = result.total_cost
    by_vendor.insert(
        by_vendor.columns.get_loc(f"spend_{cur}_per_yr") + 1,
        "spend_share",
        by_vendor[f"spend_{cur}_per_yr"] / total if total else 0.0,
    )
    lots = _lot_table(scenario, by_lot, volumes, today, cur)
    covered = [lot for lot in volumes.index if lot in today.index]
    award_on = float(lots.loc[lots["lot"].isin(covered), f"spend_{cur}_per_yr"].sum())
    complete = len(covered) == len(volumes) and len(volumes) > 0
    savings: dict[str, Any] = {
        "unit": f"{cur}/yr",
        "lots_with_history": len(covered),
        "lots": len(volumes),
        "today_cost": float(today.sum()) if covered else None,
        # every lot has history: the whole award against today, fixed costs included
        "award_cost": total if complete else (award_on if covered else None),
        "saving": (float(today.sum()) - (total if complete else award_on)) if covered else None,
        "basis": "every lot, fixed costs included"
        if complete
        else ("the lots with history, their work only" if covered else "no history"),
    }
    if savings["saving"] is not None and savings["today_cost"]:
        savings["saving_share"] = savings["saving"] / savings["today_cost"]
    return by_vendor, by_lot, lots, other, savings, work


def _lot_table(
    scenario: Scenario, by_lot: pd.DataFrame, volumes: pd.Series, today: pd.Series, cur: str
) -> pd.DataFrame:
    names = _names(scenario)
    call_names = {c.id: c.name or c.id for c in scenario.call_types}
    sources = {lot: cost.source for lot, cost in scenario.history.items()}
    rows = []
    for lot, volume in volumes.items():
        mine = by_lot[by_lot["lot"] == lot]
        spend = float(mine[f"spend_{cur}_per_yr"].sum())
        shares = mine.groupby("vendor", sort=True)["forecast_contacts_per_yr"].sum() / volume
        shares = shares[shares > 1e-6].sort_values(ascending=False, kind="stable")
        call_type, _, language = str(lot).rpartition(".")
        before = float(today[lot]) if lot in today.index else None
        rows.append(
            {
                "lot": lot,
                "call_type": call_type,
                "call_type_name": call_names.get(call_type, call_type),
                "language": language,
                "forecast_contacts_per_yr": float(volume),
                "winners": ", ".join(f"{names.get(v, v)} {s:.0%}" for v, s in shares.items()),
                "bidders_winning": int(sum(1 for v in shares.index if v in names)),
                f"spend_{cur}_per_yr": spend,
                f"cost_per_contact_{cur}": spend / volume if volume else None,
                f"today_cost_{cur}_per_yr": before,
                "today_source": sources.get(str(lot)),
                f"saving_{cur}_per_yr": None if before is None else before - spend,
                "saving_share": None if not before else (before - spend) / before,
            }
        )
    return pd.DataFrame(rows)


def _limits_table(
    scenario: Scenario, result: Result, by_vendor: pd.DataFrame, work: pd.Series
) -> pd.DataFrame:
    """Each bound of the vendor limits: its value, the plan's (the share of the work, as
    the rule measures it; the exact plan's spend) and the model's (the LP's bill)."""
    cur = result.currency
    names = rule_names(scenario)
    spend = by_vendor.set_index("vendor")[f"staffing_spend_{cur}_per_yr"]
    total_work = float(work.sum())
    total_spend = float(spend.sum())
    model = result.constraints.set_index(["family", "key"])
    rows = []
    for limit in scenario.policies.vendor_limits:
        members = scenario.policies.vendor_groups.get(limit.target, [limit.target])
        for bound in LIMIT_BOUNDS:
            value = getattr(limit, bound)
            if value is None:
                continue
            is_work = bound in ("min_share", "max_share")
            family = "work_limit" if is_work else "spend_limit"
            if is_work:
                plan = float(work.reindex(members).fillna(0.0).sum()) / total_work
                unit = "fraction of the work (handle hours)"
            elif bound.endswith("_share"):
                plan = float(spend.reindex(members).fillna(0.0).sum()) / total_spend
                unit = "fraction of the bill for the work"
            else:
                plan = float(spend.reindex(members).fillna(0.0).sum())
                unit = f"{cur}/yr"
            key = (family, f"{limit.target},{bound}")
            # the model's bill B(G) for an absolute spend bound (a share's row holds
            # B(G) - sigma B, and a work share is exact: the plan's value)
            absolute = not bound.endswith("_share")
            model_value = float(model.loc[key, "used"]) if absolute and key in model.index else None
            rows.append(
                {
                    "target": limit.target,
                    "name": names.get(limit.target, limit.target),
                    "bound": bound,
                    "limit": float(value),
                    "unit": unit,
                    "plan": plan,
                    "model": model_value,
                    "binding_in_model": bool(model.loc[key, "binding"])
                    if key in model.index
                    else False,
                    "plan_within": bool(
                        plan >= value * (1 - 1e-6) - 1e-9
                        if bound.startswith("min")
                        else plan <= value * (1 + 1e-6) + 1e-9
                    ),
                }
            )
    columns = [
        "target",
        "name",
        "bound",
        "limit",
        "unit",
        "plan",
        "model",
        "binding_in_model",
        "plan_within",
    ]
    return pd.DataFrame(rows, columns=columns)


def _price_commitments(
    scenario: Scenario, result: Result, vendors: list[str]
) -> list[dict[str, Any]]:
    """Price the rules' hard minimum volumes as price_of_policies prices a policy: solve
    without it, keep the cheaper plan, bound the price by both solves' proven bounds."""
    from bestshore.analysis import price_interval

    rows = []
    bound_with = result.stamp.get("lower_bound")
    for vendor in vendors:
        lifted = scenario.model_copy(deep=True)
        next(v for v in lifted.vendors if v.id == vendor).commitment = None
        try:
            other = solve(lifted)
            without, status = min(other.total_cost, result.total_cost), "ok"
            bound = other.stamp.get("lower_bound")
        except (InfeasibleScenarioError, SolveError) as exc:
            without, status, bound = (
                result.total_cost,
                f"no plan from the re-solve: {exc.status}",
                None,
            )
        point, low, high = price_interval(
            result.total_cost,
            None if bound_with is None else float(bound_with),
            without,
            None if bound is None else float(bound),
        )
        rows.append(
            {
                "rule": f"min_contacts[{vendor}]",
                "description": "",
                "cost_with": result.total_cost,
                "cost_without": without,
                "price": point,
                "price_low": low,
                "price_high": high,
                "significant": low > 1e-6 * max(1.0, result.total_cost),
                "plan_without": "re-solved" if without < result.total_cost else "baseline",
                "status": status,
            }
        )
    return rows


def award(tender: Scenario, rules: AwardRules | None = None, *, price_rules: bool = True) -> Award:
    """Solve ``tender`` under ``rules`` and price every rule in force.

    Raises :class:`ScenarioError` for a rule naming an unknown bidder, and the solver's
    :class:`InfeasibleScenarioError` when no award meets every rule.
    """
    from bestshore.analysis import price_of_policies

    rules = rules or AwardRules()
    scenario, sources = rules.apply(tender)
    result = solve(scenario)
    by_vendor, by_lot, lots, other, savings, work = _spend_tables(scenario, result)
    prices = price_of_policies(scenario, result) if price_rules else pd.DataFrame()
    if price_rules and rules.min_contacts:
        extra = pd.DataFrame(_price_commitments(scenario, result, sorted(rules.min_contacts)))
        prices = pd.concat([prices, extra], ignore_index=True) if not prices.empty else extra
    if not prices.empty:
        prices = prices.copy()
        prices["description"] = [
            describe_rule(k, d, scenario)
            for k, d in zip(prices["rule"], prices["description"], strict=True)
        ]
        prices.insert(1, "source", [sources.get(k, "tender") for k in prices["rule"]])
        prices["binding"] = prices["significant"].astype(bool)
        prices = prices.sort_values(["price", "rule"], ascending=[False, True], kind="stable")
        prices = prices.reset_index(drop=True)
    else:
        prices = pd.DataFrame(columns=PRICE_TABLE_COLUMNS)
    limits = _limits_table(scenario, result, by_vendor, work)
    return Award(scenario, result, by_vendor, by_lot, prices, rules, other, lots, limits, savings)
