"""The award: a tender solved under business rules, each rule priced.

Award rules (a ``RULES.yaml`` file, :class:`AwardRules`) are written onto the tender's
scenario policies (:meth:`AwardRules.apply`), the scenario is solved with the public API
(:func:`bestshore.solve`) and every rule in force is priced by re-solving without it
(:func:`bestshore.analysis.price_of_policies`). No model code here: a rule the scenario
cannot express is refused in one line, never approximated (``docs/rfp.md`` lists them).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.result.result import table_records
from bestshore.scenario.errors import ScenarioError
from bestshore.scenario.loader import check_regular_file
from bestshore.scenario.messages import describe
from bestshore.scenario.schema import Commitment, PreferredVendor, Scenario

__all__ = ["NOT_EXPRESSIBLE", "Award", "AwardRules", "award", "load_rules"]

NOT_EXPRESSIBLE = {
    "max_winners_per_lot": "at most k bidders per lot (call_types[].max_sites counts sites, not vendors)",
    "min_winners_per_lot": "at least k bidders per lot",
    "max_lot_share": "a bidder's most share of one lot",
    "min_spend": "a bidder's least spend (scenario shares are of handle hours, not money)",
    "max_spend": "a bidder's most spend (scenario shares are of handle hours, not money)",
    "group_max_share": "a group of bidders' most share (e.g. new vendors at most 30 %)",
    "group_min_share": "a group of bidders' least share",
}  # fmt: skip
"""Award rules bestshore's scenario policies cannot express yet: refused, with why."""

Share = float


class AwardRules(BaseModel):
    """Business rules of an award, each written onto an existing scenario policy.

    Shares are of all the work, measured as the scenario measures them (handle hours);
    vendor keys are the bidders' vendor ids (``Bidder`` sheet, ``vendor_id``).
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Label of the rule set.")
    max_vendor_share: Share | None = Field(
        None,
        ge=0,
        le=1,
        description="Most share any one bidder takes -> policies.max_vendor_share.",
    )
    vendor_max_share: dict[str, Share] = Field(
        default_factory=dict, description="Most share per bidder -> vendors[].max_share."
    )
    excluded: list[str] = Field(
        default_factory=list, description="Bidders awarded nothing -> policies.excluded_vendors."
    )
    min_winners: int | None = Field(
        None, ge=1, le=100, description="Fewest bidders awarded work -> policies.min_vendors."
    )
    min_winner_share: Share | None = Field(
        None,
        ge=0,
        le=1,
        description="Least share each of min_winners takes -> policies.panel_min_share.",
    )
    max_winners: int | None = Field(
        None, ge=1, le=100, description="Most bidders awarded work -> policies.max_vendors."
    )
    preferred: PreferredVendor | None = Field(
        None, description="A preferred partner's least share -> policies.preferred_vendor."
    )
    incumbent_min_share: dict[str, Share] = Field(
        default_factory=dict,
        description="Incumbents kept at least a share; one incumbent only -> policies.preferred_vendor.",
    )
    min_contacts: dict[str, float] = Field(
        default_factory=dict,
        description="Least contacts a year per bidder, repeats included -> vendors[].commitment (hard).",
    )
    policies: dict[str, Any] = Field(
        default_factory=dict,
        description="Any other scenario policy (docs/scenario-format.md, policies), merged over the tender's.",
    )

    @model_validator(mode="before")
    @classmethod
    def _expressible(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in NOT_EXPRESSIBLE:
                if key in data:
                    raise ValueError(
                        f"{key}: {NOT_EXPRESSIBLE[key]} cannot be expressed with bestshore's "
                        "scenario policies yet (docs/rfp.md, rules not expressible); remove it"
                    )
        return data

    @model_validator(mode="after")
    def _one_preferred(self) -> AwardRules:
        if len(self.incumbent_min_share) > 1:
            raise ValueError(
                "incumbent_min_share: more than one incumbent cannot be expressed (the "
                "scenario holds one preferred partner); keep one, or use min_contacts"
            )
        if self.incumbent_min_share and self.preferred is not None:
            raise ValueError(
                "incumbent_min_share and preferred both set the one preferred partner; keep one"
            )
        return self

    def apply(self, scenario: Scenario) -> tuple[Scenario, dict[str, str]]:
        """A copy of ``scenario`` with these rules written onto its policies, validated
        again; and each rule key of :func:`price_of_policies` these rules set -> its
        source in the rules file."""
        vendors = {v.id for v in scenario.vendors}
        named = [
            *(("vendor_max_share", v) for v in self.vendor_max_share),
            *(("excluded", v) for v in self.excluded),
            *(("min_contacts", v) for v in self.min_contacts),
            *(("incumbent_min_share", v) for v in self.incumbent_min_share),
        ]
        if self.preferred is not None:
            named.append(("preferred.vendor", self.preferred.vendor))
        for key, vendor in named:
            if vendor not in vendors:
                known = ", ".join(sorted(vendors)) or "none"
                raise ScenarioError(f"{key}: unknown bidder {vendor!r} (vendor ids: {known})")
        data = scenario.model_dump(mode="json", exclude_none=True)
        policies = {**data.get("policies", {}), **copy.deepcopy(self.policies)}
        sources = {f"policies.{k}": k for k in self.policies}
        if self.max_vendor_share is not None:
            policies["max_vendor_share"] = self.max_vendor_share
            sources["max_vendor_share"] = "max_vendor_share"
        if self.excluded:
            policies["excluded_vendors"] = sorted(
                {*policies.get("excluded_vendors", []), *self.excluded}
            )
            sources.update({f"excluded[{v}]": f"excluded: {v}" for v in self.excluded})
        if self.min_winners is not None:
            policies["min_vendors"] = self.min_winners
            sources["min_vendors"] = "min_winners"
        if self.min_winner_share is not None:
            policies["panel_min_share"] = self.min_winner_share
        if self.max_winners is not None:
            policies["max_vendors"] = self.max_winners
            sources["max_vendors"] = "max_winners"
        if self.preferred is not None:
            policies["preferred_vendor"] = self.preferred.model_dump()
            sources["preferred_vendor"] = "preferred"
        for vendor, share in self.incumbent_min_share.items():
            policies["preferred_vendor"] = {"vendor": vendor, "min_share": share}
            sources["preferred_vendor"] = f"incumbent_min_share: {vendor}"
        data["policies"] = policies
        for item in data.get("vendors", []):
            if item["id"] in self.vendor_max_share:
                item["max_share"] = self.vendor_max_share[item["id"]]
                sources[f"vendor_cap[{item['id']}]"] = f"vendor_max_share: {item['id']}"
            if item["id"] in self.min_contacts:
                if "commitment" in item:
                    raise ScenarioError(
                        f"min_contacts: {item['id']!r} already bids a commitment "
                        f"({item['commitment']['contacts']:g} contacts/yr); the scenario holds "
                        "one per vendor: drop min_contacts for it"
                    )
                item["commitment"] = Commitment(contacts=self.min_contacts[item["id"]]).model_dump(
                    exclude_none=True
                )
                sources[f"min_contacts[{item['id']}]"] = f"min_contacts: {item['id']}"
        from bestshore.scenario.loader import parse_scenario

        return parse_scenario(data, file=scenario.source), sources


def load_rules(path: str | Path) -> AwardRules:
    """Read a rules YAML file; one-line :class:`ScenarioError` naming the key if bad."""
    path = Path(path)
    check_regular_file(path, 1024 * 1024, expected="a rules YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"not readable YAML ({type(exc).__name__})", file=path) from None
    if not isinstance(data, dict):
        raise ScenarioError("a rules file is a mapping of rule names to values", file=path)
    try:
        return AwardRules.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        message = (
            err["msg"].removeprefix("Value error, ")
            if err["type"] == "value_error"
            else describe(err, AwardRules, loc)
        )
        raise ScenarioError(message, file=path, path=loc) from None


@dataclass(frozen=True)
class Award:
    """An award and what its rules cost.

    ``by_vendor``: one row per bidder (in-house sites as ``in-house``): ``vendor``,
    ``vendor_name``, ``lots_won`` (lot ids, comma-separated), ``sites_used``,
    ``volume_contacts_per_yr`` (handled, repeats included), ``volume_share``
    [fraction], ``fte`` [FTE in the sizing week], ``staffing_spend``, ``fixed_spend``
    (fixed, set-up, take-or-pay...) and ``spend`` [currency/yr], ``spend_share``
    [fraction]. ``by_lot``: one row per (vendor, site, lot) carrying work.
    ``rule_prices``: :func:`price_of_policies`'s table plus ``source`` (the rules file's
    key, or ``tender`` for a policy of the tender scenario) and ``binding`` (proven to
    cost something). ``other_spend``: costs of no bidder (SCC compliance of a country)
    [currency/yr].
    """

    scenario: Scenario
    result: Result
    by_vendor: pd.DataFrame
    by_lot: pd.DataFrame
    rule_prices: pd.DataFrame
    rules: AwardRules
    other_spend: float

    @property
    def currency(self) -> str:
        return self.result.currency

    def to_dict(self) -> dict[str, Any]:
        """The award as ``award.json`` holds it (tables as lists of records)."""
        stamp = self.result.stamp
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
            "by_vendor": table_records(self.by_vendor),
            "by_lot": table_records(self.by_lot),
            "rule_prices": table_records(self.rule_prices),
        }

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def binding_rules(self) -> list[str]:
        """The rules proven to cost something, in words, dearest first."""
        rows = self.rule_prices[self.rule_prices["binding"]]
        return [
            f"{r.description}: costs {r.price:,.0f} {self.currency}/yr (proven between "
            f"{r.price_low:,.0f} and {r.price_high:,.0f})"
            for r in rows.itertuples(index=False)
        ]

    def workbook_bytes(self) -> bytes:
        """``award.xlsx``: Summary, ByVendor, ByLot, RulePrices; deterministic bytes."""
        from bestshore.rfp.workbook import award_workbook

        return award_workbook(self)


def _spend_tables(scenario: Scenario, result: Result) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    names = {v.id: v.name or v.id for v in scenario.vendors}
    site_vendor = {s.id: s.vendor or "in-house" for s in scenario.sites}
    site_names = {s.id: s.name or s.id for s in scenario.sites}
    call_names = {c.id: c.name or c.id for c in scenario.call_types}
    alloc = result.allocation.copy()
    alloc["vendor"] = alloc["site"].map(site_vendor)
    alloc["lot"] = alloc["call_type"] + "." + alloc["language"]
    cur = result.currency
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
    by_lot = by_lot.rename(
        columns={"volume": "volume_contacts_per_yr", "cost": f"spend_{cur}_per_yr"}
    )
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
    total_volume = float(alloc["volume"].sum())
    rows = []
    owners = [*names, *(["in-house"] if "in-house" in site_vendor.values() else [])]
    for vendor in owners:
        mine = alloc[alloc["vendor"] == vendor]
        staffing = float(mine["cost"].sum())
        fixed_spend = fixed_by.get(vendor, 0.0)
        won = mine.groupby("lot", sort=True)["volume"].sum()
        rows.append(
            {
                "vendor": vendor,
                "vendor_name": names.get(vendor, vendor),
                "lots_won": ", ".join(lot for lot, v in won.items() if v > 1e-6),
                "sites_used": ", ".join(site_names[s] for s in sorted(set(mine["site"]))),
                "volume_contacts_per_yr": float(mine["volume"].sum()),
                "volume_share": float(mine["volume"].sum()) / total_volume if total_volume else 0.0,
                "fte": float(mine["fte"].sum()),
                f"staffing_spend_{cur}_per_yr": staffing,
                f"fixed_spend_{cur}_per_yr": fixed_spend,
                f"spend_{cur}_per_yr": staffing + fixed_spend,
            }
        )
    by_vendor = pd.DataFrame(rows)
    total = result.total_cost
    by_vendor["spend_share"] = by_vendor[f"spend_{cur}_per_yr"] / total if total else 0.0
    return by_vendor, by_lot, other


def _describe_rule(key: str, default: str, scenario: Scenario) -> str:
    """A rule in words with bidders' names, not ids."""
    names = {v.id: v.name or v.id for v in scenario.vendors}
    inner = key[key.find("[") + 1 : -1] if "[" in key else ""
    if key.startswith("vendor_cap["):
        share = next(v.max_share for v in scenario.vendors if v.id == inner)
        return f"{names[inner]} at most {share:.0%} of the work"
    if key.startswith("excluded["):
        return f"{names.get(inner, inner)} excluded"
    if key.startswith("min_contacts["):
        return (
            f"{names[inner]} given at least {dict(_commitments(scenario))[inner]:,.0f} contacts/yr"
        )
    policies = scenario.policies
    if key == "preferred_vendor" and policies.preferred_vendor is not None:
        p = policies.preferred_vendor
        return f"{names.get(p.vendor, p.vendor)} takes at least {p.min_share:.0%} of the work"
    if key == "max_vendors":
        return f"at most {policies.max_vendors} bidders awarded"
    if key == "min_vendors":
        return f"at least {policies.min_vendors} bidders awarded, each {policies.panel_min_share:.0%} or more"
    if key == "max_vendor_share":
        return f"no bidder above {policies.max_vendor_share:.0%} of the work"
    return default


def _commitments(scenario: Scenario) -> list[tuple[str, float]]:
    return [(v.id, v.commitment.contacts) for v in scenario.vendors if v.commitment is not None]


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
    by_vendor, by_lot, other = _spend_tables(scenario, result)
    prices = price_of_policies(scenario, result) if price_rules else pd.DataFrame()
    if price_rules and rules.min_contacts:
        extra = pd.DataFrame(_price_commitments(scenario, result, sorted(rules.min_contacts)))
        prices = pd.concat([prices, extra], ignore_index=True) if not prices.empty else extra
    if not prices.empty:
        prices = prices.copy()
        prices["description"] = [
            _describe_rule(k, d, scenario)
            for k, d in zip(prices["rule"], prices["description"], strict=True)
        ]
        prices.insert(1, "source", [sources.get(k, "tender") for k in prices["rule"]])
        prices["binding"] = prices["significant"].astype(bool)
        prices = prices.sort_values(["price", "rule"], ascending=[False, True], kind="stable")
        prices = prices.reset_index(drop=True)
    else:
        prices = pd.DataFrame(
            columns=["rule", "source", "description", "cost_with", "cost_without", "price",
                     "price_low", "price_high", "significant", "plan_without", "status", "binding"]
        )  # fmt: skip
    return Award(scenario, result, by_vendor, by_lot, prices, rules, other)
