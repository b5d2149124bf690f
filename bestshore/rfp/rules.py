"""Award rules: a ``RULES.yaml`` file (:class:`AwardRules`) written onto the tender's
scenario policies (:meth:`AwardRules.apply`), and each rule described with bidders'
names (:func:`describe_rule`).

Every rule maps onto a scenario policy, so the model holds it exactly and
:func:`bestshore.analysis.price_of_policies` prices it (``docs/rfp.md`` has the table):
rules on lots and on vendor groups are the model's award families
(:mod:`bestshore.model.award_rules`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from bestshore.scenario.errors import ScenarioError, format_path
from bestshore.scenario.loader import nearest_location, read_yaml
from bestshore.scenario.messages import describe
from bestshore.scenario.schema import (
    MAX_VOLUME,
    Commitment,
    LotWinners,
    PreferredVendor,
    Scenario,
    VendorLimit,
)

__all__ = ["LIMIT_BOUNDS", "AwardRules", "Bounds", "describe_rule", "load_rules", "rule_names"]

# The scenario policy each rule writes (AwardRules.apply), to tell its errors as the rule's.
_POLICY_RULES = {
    "max_vendor_share": "max_vendor_share", "excluded_vendors": "excluded",
    "min_vendors": "min_winners", "panel_min_share": "min_winner_share",
    "max_vendors": "max_winners", "preferred_vendor": "preferred",
    "lot_winners": "max_winners_per_lot", "max_lot_share": "max_lot_share",
    "vendor_limits": "limits",
}  # fmt: skip

#: The largest rules (or variants) file read [bytes].
RULES_BYTES = 1024 * 1024

Share = float
# A bidder's share or committed contacts, checked where the rules file gives them (left to
# the scenario, an error named a tender field the user never wrote, or was no one-liner).
BidderShare = Annotated[float, Field(ge=0, le=1)]
BidderContacts = Annotated[float, Field(gt=0, le=10 * MAX_VOLUME)]
LIMIT_BOUNDS = (
    "min_share", "max_share", "min_spend", "max_spend", "min_spend_share", "max_spend_share",
)  # fmt: skip
"""The bounds of a limit on a bidder or a group (``policies.vendor_limits``)."""


def _as_value_error(model: type[BaseModel], data: dict[str, Any]) -> None:
    """Validate ``data`` with a scenario model; its first error as a ValueError (in a
    validator of the rules, pydantic reports it at the rules' key)."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(
            exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        ) from None


class Bounds(BaseModel):
    """Least and most a bidder or group takes: share of the work (handle hours), spend (the
    bill for the work [currency/yr]) or share of the spend (``policies.vendor_limits``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    min_share: Share | None = Field(None, ge=0, le=1, description="Least share of the work.")
    max_share: Share | None = Field(None, ge=0, le=1, description="Most share of the work.")
    min_spend: float | None = Field(None, ge=0, le=1e12, description="Least bill [currency/yr].")
    max_spend: float | None = Field(None, ge=0, le=1e12, description="Most bill [currency/yr].")
    min_spend_share: Share | None = Field(None, ge=0, le=1, description="Least share of the bill.")
    max_spend_share: Share | None = Field(None, ge=0, le=1, description="Most share of the bill.")

    @model_validator(mode="after")
    def _valid(self) -> Bounds:
        _as_value_error(VendorLimit, {"vendor": "x", **self.model_dump(exclude_none=True)})
        return self


class AwardRules(BaseModel):
    """Business rules of an award, each written onto a scenario policy.

    Shares are of all the work as the scenario measures it (handle hours), or of one lot
    (a call type in one language); spend is the bill for the work [currency/yr]. Bidder
    keys are the bidders' vendor ids (``Bidder`` sheet, ``vendor_id``); a key of
    ``limits`` may also name a group of ``groups``.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    # the file, the lines (read_yaml's) and the key path these rules were read from
    _source: tuple[str | None, dict[Any, tuple[str, int]] | None, tuple[str, ...]] = PrivateAttr(
        default=(None, None, ())
    )

    name: str | None = Field(None, max_length=200, description="Label of the rule set.")
    max_vendor_share: Share | None = Field(
        None,
        ge=0,
        le=1,
        description="Most share any one bidder takes -> policies.max_vendor_share.",
    )
    vendor_max_share: dict[str, BidderShare] = Field(
        default_factory=dict, description="Most share per bidder -> vendors[].max_share."
    )
    excluded: list[str] = Field(
        default_factory=list, description="Bidders awarded nothing -> policies.excluded_vendors."
    )
    min_winners: int | None = Field(
        None, ge=1, le=100, description="Fewest bidders awarded work -> policies.min_vendors."
    )
    min_winner_share: Share | None = Field(
        None, ge=0, le=1,
        description="Least share each of min_winners takes -> policies.panel_min_share.",
    )  # fmt: skip
    max_winners: int | None = Field(
        None, ge=1, le=100, description="Most bidders awarded work -> policies.max_vendors."
    )
    preferred: PreferredVendor | None = Field(
        None, description="A preferred partner's least share -> policies.preferred_vendor."
    )
    incumbent_min_share: dict[str, BidderShare] = Field(
        default_factory=dict,
        description="Incumbents kept at least a share of the work -> policies.vendor_limits "
        "(min_share).",
    )
    min_contacts: dict[str, BidderContacts] = Field(
        default_factory=dict,
        description="Least contacts a year per bidder, repeats included -> vendors[].commitment (hard).",
    )
    max_winners_per_lot: int | None = Field(
        None, ge=1, le=100, description="Most bidders per lot -> policies.lot_winners.max."
    )
    min_winners_per_lot: int | None = Field(
        None, ge=1, le=100, description="Fewest bidders per lot -> policies.lot_winners.min."
    )
    min_lot_winner_share: Share | None = Field(
        None, ge=0, le=1,
        description="Least share of a lot each of min_winners_per_lot takes (default 5 %) "
        "-> policies.lot_winners.min_share.",
    )  # fmt: skip
    lot_call_types: list[str] = Field(
        default_factory=list,
        description="Call types whose lots the winners-per-lot rules apply to; empty: all "
        "-> policies.lot_winners.call_types.",
    )
    max_lot_share: Share | None = Field(
        None,
        ge=0,
        le=1,
        description="Most share of any one lot a bidder takes -> policies.max_lot_share.",
    )
    groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Named groups of bidders for limits, e.g. {new: [gamma, delta]} -> "
        "policies.vendor_groups.",
    )
    limits: dict[str, Bounds] = Field(
        default_factory=dict,
        description="Least and most per bidder or group: share of the work, spend, share of "
        "the spend -> policies.vendor_limits.",
    )
    policies: dict[str, Any] = Field(
        default_factory=dict,
        description="Any other scenario policy (docs/scenario-format.md, policies), merged over the tender's.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> AwardRules:
        if self.min_lot_winner_share is not None and self.min_winners_per_lot is None:
            raise ValueError("min_lot_winner_share needs min_winners_per_lot")
        if (
            self.lot_call_types
            and self.max_winners_per_lot is None
            and self.min_winners_per_lot is None
        ):
            raise ValueError("lot_call_types needs max_winners_per_lot or min_winners_per_lot")
        lots = self._lot_winners()
        if lots:
            _as_value_error(LotWinners, lots)  # min <= max, min x min_share <= 1
        for vendor in self.incumbent_min_share:
            bounds = self.limits.get(vendor)
            if bounds is not None and bounds.min_share is not None:
                raise ValueError(
                    f"incumbent_min_share and limits both set {vendor}'s min_share; keep one"
                )
        return self

    def _lot_winners(self) -> dict[str, Any] | None:
        if self.max_winners_per_lot is None and self.min_winners_per_lot is None:
            return None
        lots: dict[str, Any] = {"max": self.max_winners_per_lot, "min": self.min_winners_per_lot}
        if self.min_lot_winner_share is not None:
            lots["min_share"] = self.min_lot_winner_share
        if self.lot_call_types:
            lots["call_types"] = list(self.lot_call_types)
        return {k: v for k, v in lots.items() if v is not None}

    def _vendor_limits(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """``policies.vendor_limits`` entries and, per price_of_policies key, its source."""
        merged: dict[str, dict[str, Any]] = {
            target: bounds.model_dump(exclude_none=True) for target, bounds in self.limits.items()
        }
        sources = {
            f"vendor_limit[{target},{bound}]": f"limits: {target}.{bound}"
            for target, bounds in merged.items()
            for bound in bounds
        }
        for vendor, share in self.incumbent_min_share.items():
            merged.setdefault(vendor, {})["min_share"] = share
            sources[f"vendor_limit[{vendor},min_share]"] = f"incumbent_min_share: {vendor}"
        entries = []
        for target in sorted(merged):
            kind = "group" if target in self.groups else "vendor"
            entries.append({kind: target, **merged[target]})
        return entries, sources

    def apply(self, scenario: Scenario) -> tuple[Scenario, dict[str, str]]:
        """A copy of ``scenario`` with these rules written onto its policies, validated
        again; and each rule key of :func:`price_of_policies` these rules set -> its
        source in the rules file."""
        vendors = {v.id for v in scenario.vendors}
        known = ", ".join(sorted(vendors)) or "none"
        named: list[tuple[tuple[str | int, ...], str]] = [
            *((("vendor_max_share", v), v) for v in self.vendor_max_share),
            *((("excluded", i), v) for i, v in enumerate(self.excluded)),
            *((("min_contacts", v), v) for v in self.min_contacts),
            *((("incumbent_min_share", v), v) for v in self.incumbent_min_share),
            *(
                (("groups", g, i), v)
                for g, members in self.groups.items()
                for i, v in enumerate(members)
            ),
        ]
        if self.preferred is not None:
            named.append((("preferred", "vendor"), self.preferred.vendor))
        for key, vendor in named:
            if vendor not in vendors:
                raise self._refused(f"unknown bidder {vendor!r} (vendor ids: {known})", key)
        for target in self.limits:
            if target not in vendors and target not in self.groups:
                groups = ", ".join(sorted(self.groups)) or "none"
                raise self._refused(
                    f"neither a bidder (vendor ids: {known}) nor a group (groups: {groups})",
                    ("limits", target),
                )
        for group in self.groups:
            if group in vendors:
                raise self._refused(
                    "a bidder's id; name groups apart from bidders", ("groups", group)
                )
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
        lots = self._lot_winners()
        if lots is not None:
            policies["lot_winners"] = lots
            sources["lot_winners[max]"] = "max_winners_per_lot"
            sources["lot_winners[min]"] = "min_winners_per_lot"
        if self.max_lot_share is not None:
            policies["max_lot_share"] = self.max_lot_share
            sources["max_lot_share"] = "max_lot_share"
        if self.groups:
            policies["vendor_groups"] = {**policies.get("vendor_groups", {}), **self.groups}
        limits, limit_sources = self._vendor_limits()
        if limits:
            taken = {x.get("vendor") or x.get("group") for x in limits}
            kept = [
                x for x in policies.get("vendor_limits", [])
                if (x.get("vendor") or x.get("group")) not in taken
            ]  # fmt: skip
            policies["vendor_limits"] = [*kept, *limits]
            sources.update(limit_sources)
        data["policies"] = policies
        for item in data.get("vendors", []):
            if item["id"] in self.vendor_max_share:
                item["max_share"] = self.vendor_max_share[item["id"]]
                sources[f"vendor_cap[{item['id']}]"] = f"vendor_max_share: {item['id']}"
            if item["id"] in self.min_contacts:
                if "commitment" in item:
                    raise self._refused(
                        f"{item['id']!r} already bids a commitment "
                        f"({item['commitment']['contacts']:g} contacts/yr); the scenario holds "
                        "one per vendor: drop min_contacts for it",
                        ("min_contacts", item["id"]),
                    )
                item["commitment"] = Commitment(contacts=self.min_contacts[item["id"]]).model_dump(
                    exclude_none=True
                )
                sources[f"min_contacts[{item['id']}]"] = f"min_contacts: {item['id']}"
        from bestshore.scenario.loader import parse_scenario

        try:
            return parse_scenario(data, file=scenario.source), sources
        except ScenarioError as exc:
            raise self._as_rules_error(exc) from None

    def _refused(self, message: str, path: tuple[str | int, ...] = ()) -> ScenarioError:
        """An error of these rules: in their file, at the line of ``path``, where they were
        read from one (:func:`parse_rules`)."""
        file, lines, at = self._source
        return _located(message, file, lines, (*at, *path))

    def _as_rules_error(self, exc: ScenarioError) -> ScenarioError:
        """A tender's error once these rules are written onto it, told as the rules'
        where a rule wrote the field (``policies.*`` as given, ``groups``, the rules
        mapped onto policies), else the tender's, saying which rules it has."""
        path = exc.path
        if path[:1] == ("policies",) and len(path) > 1:
            field = path[1]
            if field in self.policies:
                return self._refused(exc.message, path)
            if field == "vendor_groups" and len(path) > 2 and path[2] in self.groups:
                return self._refused(exc.message, ("groups", *path[2:]))
            rule = _POLICY_RULES.get(str(field))
            if rule is not None and getattr(self, rule) not in (None, [], {}):
                return self._refused(exc.message, (rule,))
        file, _, at = self._source
        if file is None:
            return exc
        rules = f"{file} {format_path(at)}" if at else file  # a variant: its key too
        return ScenarioError(
            f"{exc.message} (with the rules of {rules})",
            file=exc.file, path=exc.path, line=exc.line,
        )  # fmt: skip


def load_rules(path: str | Path) -> AwardRules:
    """Read a rules YAML file (as a scenario file is read: YAML 1.2, limits, lines); one-line
    :class:`ScenarioError` naming the file, line and key if bad."""
    path = Path(path)
    data, lines = read_yaml(path, limit=RULES_BYTES, expected="a rules YAML file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError("a rules file is a mapping of rule names to values", file=path)
    return parse_rules(data, file=path, lines=lines)


def parse_rules(
    data: dict[str, Any],
    *,
    file: str | Path | None = None,
    at: tuple[str, ...] = (),
    lines: dict[tuple[str | int, ...], tuple[str, int]] | None = None,
) -> AwardRules:
    """Validate a rules mapping; one-line :class:`ScenarioError` naming ``file`` and the
    key path (under ``at``) if bad, and its line where ``lines`` (:func:`read_yaml`'s)
    has it."""
    try:
        rules = AwardRules.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        message = (
            err["msg"].removeprefix("Value error, ")
            if err["type"] == "value_error"
            else describe(err, AwardRules, loc)
        )
        raise _located(message, file, lines, (*at, *loc)) from None
    rules._source = (str(file) if file is not None else None, lines, at)
    return rules


def _located(
    message: str,
    file: str | Path | None,
    lines: dict[Any, tuple[str, int]] | None,
    where: tuple[str | int, ...],
) -> ScenarioError:
    """An error of a rules file at ``where``: at the line of its deepest value read."""
    at = nearest_location(where, lines) if lines is not None else None
    return ScenarioError(message, file=file, path=where, line=at[1] if at else None)


def rule_names(scenario: Scenario) -> dict[str, str]:
    """Display names of the bidders (vendor names) and groups (their members' names)."""
    names = {v.id: v.name or v.id for v in scenario.vendors}
    for group, members in scenario.policies.vendor_groups.items():
        names[group] = f"{group} ({', '.join(names.get(m, m) for m in members)})"
    return names


def _limit_words(bound: str, value: float, currency: str) -> str:
    side = "at least" if bound.startswith("min") else "at most"
    if bound in ("min_share", "max_share"):
        return f"takes {side} {value:.0%} of the work"
    if bound.endswith("_share"):
        return f"takes {side} {value:.0%} of the spend"
    return f"is billed {side} {value:,.0f} {currency}/yr"


def describe_rule(key: str, default: str, scenario: Scenario) -> str:
    """A priced rule (a key of :func:`price_of_policies`) in words, names not ids."""
    names = rule_names(scenario)
    policies = scenario.policies
    inner = key[key.find("[") + 1 : -1] if "[" in key else ""
    if key.startswith("vendor_cap["):
        share = next(v.max_share for v in scenario.vendors if v.id == inner)
        return f"{names[inner]} at most {share:.0%} of the work"
    if key.startswith("excluded["):
        return f"{names.get(inner, inner)} excluded"
    if key.startswith("min_contacts["):
        committed = next(v.commitment for v in scenario.vendors if v.id == inner)
        contacts = committed.contacts if committed is not None else 0.0
        return f"{names[inner]} given at least {contacts:,.0f} contacts/yr"
    if key.startswith("vendor_limit["):
        target, bound = inner.rsplit(",", 1)
        limit = next(x for x in policies.vendor_limits if x.target == target)
        words = _limit_words(bound, float(getattr(limit, bound)), scenario.market.currency)
        return f"{names.get(target, target)} {words}"
    lots = policies.lot_winners
    if key == "lot_winners[max]" and lots is not None:
        return f"at most {lots.max} bidder(s) per lot"
    if key == "lot_winners[min]" and lots is not None:
        return f"at least {lots.min} bidders per lot, each {lots.min_share:.0%} of it or more"
    if key == "max_lot_share":
        return f"no bidder above {policies.max_lot_share:.0%} of any lot"
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
