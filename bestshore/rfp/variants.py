"""Award variants: named rule sets solved in one run, side by side.

A ``VARIANTS.yaml`` file maps each variant's name to a rule set in the format of
``RULES.yaml`` (:class:`~bestshore.rfp.rules.AwardRules`)::

    cheapest: {}
    two per lot: {min_winners_per_lot: 2, min_lot_winner_share: 0.3}
    new vendors capped: {groups: {new: [gamma, delta]}, limits: {new: {max_share: 0.3}}}

:func:`compare_variants` awards the tender under each (:func:`bestshore.rfp.award`); a
variant with no plan is kept, with its diagnosis. The tables compare cost (with its
proven bound), winners, shares of the spend, quality and savings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bestshore import progress
from bestshore.api import InfeasibleScenarioError, SolveError
from bestshore.result.result import table_records
from bestshore.rfp.award import Award, award
from bestshore.rfp.rules import RULES_BYTES, AwardRules, parse_rules, rule_names
from bestshore.scenario.errors import ScenarioError, format_path
from bestshore.scenario.loader import read_yaml
from bestshore.scenario.schema import Scenario

__all__ = ["MAX_VARIANTS", "VariantComparison", "compare_variants", "load_variants"]

MAX_VARIANTS = 50
"""Most variants in one comparison."""

# The families whose binding rows are award rules (bestshore.model.families)
_RULE_FAMILIES = {
    "vendor_share", "preferred", "panel", "commitment", "lot_winners", "lot_share",
    "work_limit", "spend_limit", "country_share", "shore_share", "site_share", "inshore_min",
    "spread", "quality_floor", "nps_floor",
}  # fmt: skip


def load_variants(path: str | Path) -> dict[str, AwardRules]:
    """Read a variants YAML file: a mapping of variant names to rule sets; one-line
    :class:`ScenarioError` naming the file and the variant's key if bad."""
    path = Path(path)
    data, lines = read_yaml(path, limit=RULES_BYTES, expected="a variants YAML file")
    if not isinstance(data, dict) or not data:
        raise ScenarioError(
            "a variants file maps each variant's name to its rules (RULES.yaml's format), "
            "e.g. cheapest: {}",
            file=path,
        )
    if len(data) > MAX_VARIANTS:
        raise ScenarioError(f"{len(data)} variants; at most {MAX_VARIANTS}", file=path)
    variants = {}
    for name, rules in data.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise ScenarioError(f"variant name {name!r}: a text of 1 to 100 characters", file=path)
        if rules is None:
            rules = {}
        if not isinstance(rules, dict):
            raise ScenarioError(
                "a variant's rules are a mapping (RULES.yaml's format)", file=path, path=(name,)
            )
        variants[name] = parse_rules(rules, file=path, at=(name,), lines=lines)
    return variants


@dataclass(frozen=True)
class VariantComparison:
    """Award variants side by side.

    ``variants``: one row per variant, in the file's order: ``variant``, ``status``
    (``optimal``, ``feasible`` or why there is no plan), ``total_cost``,
    ``lower_bound`` [currency/yr], ``gap`` [fraction], ``vs_first`` (cost less the first
    variant's), ``vs_first_low``, ``vs_first_high`` (the interval the solves prove it in)
    [currency/yr] and ``vs_first_proven`` (the interval excludes 0), ``saving`` [currency/yr,
    against today's cost; None without history], ``saving_share``, ``winners`` (bidders
    paid), ``winner_names``, ``csat``, ``fcr``, ``nps`` (volume-weighted),
    ``binding`` (the binding rules in words), ``message`` (why no plan).
    ``shares``: one row per (variant, bidder): spend [currency/yr], ``spend_share``,
    ``volume_share``, ``lots_won``. ``lots``: one row per (variant, lot): its winners.
    ``awards``: each variant's :class:`~bestshore.rfp.Award` (None without a plan).
    """

    variants: pd.DataFrame
    shares: pd.DataFrame
    lots: pd.DataFrame
    awards: dict[str, Award | None]
    currency: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "variants": table_records(self.variants),
            "shares": table_records(self.shares),
            "lots": table_records(self.lots),
        }

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _binding(made: Award) -> str:
    """The binding rules in the model's words, bidders and groups named, not by id."""
    table = made.result.constraints
    rows = table[table["binding"] & table["family"].isin(list(_RULE_FAMILIES))]
    names = rule_names(made.scenario)
    words = []
    for message in dict.fromkeys(str(m) for m in rows["message"]):
        for ident, name in names.items():
            message = re.sub(
                rf"\b(vendor|group|preferred partner) {re.escape(ident)}\b", name, message
            )
        words.append(message)
    return "; ".join(words)


def _against_first(rows: list[dict[str, Any]], cur: str) -> None:
    """Each variant's cost against the first's, with the interval both solves prove.

    With ``L`` a solve's proven lower bound on its optimum and ``U`` the plan it kept,
    ``OPT_i - OPT_0`` lies in ``[L_i - U_0, U_i - L_0]``; the difference is *proven* when
    that interval excludes 0 (a variant may show a lower cost than a less constrained
    one only within the solves' gaps)."""
    cost, bound = f"total_cost_{cur}_per_yr", f"lower_bound_{cur}_per_yr"
    first = rows[0] if rows and rows[0].get(cost) is not None else None
    for row in rows:
        if first is None or row.get(cost) is None:
            continue
        upper_0, upper_i = float(first[cost]), float(row[cost])
        lower_0 = float(first[bound]) if first.get(bound) is not None else None
        lower_i = float(row[bound]) if row.get(bound) is not None else None
        low = None if lower_i is None else lower_i - upper_0
        high = None if lower_0 is None else upper_i - lower_0
        row[f"vs_first_{cur}_per_yr"] = upper_i - upper_0
        row[f"vs_first_low_{cur}_per_yr"] = low
        row[f"vs_first_high_{cur}_per_yr"] = high
        row["vs_first_proven"] = bool(
            (low is not None and low > 1e-9 * max(1.0, upper_0))
            or (high is not None and high < -1e-9 * max(1.0, upper_0))
        )


def compare_variants(
    tender: Scenario, variants: dict[str, AwardRules], *, price_rules: bool = False
) -> VariantComparison:
    """Award ``tender`` under each variant's rules, in order.

    A variant's rules naming an unknown bidder raise :class:`ScenarioError` (naming the
    variant) before anything is solved; a variant with no plan is a row saying why.
    """
    cur = tender.market.currency
    for name, rules in variants.items():
        try:
            rules.apply(tender)
        except ScenarioError as exc:
            if exc.file is not None:
                raise  # the variants file's, at the variant's line (or the tender's)
            key = f"{format_path(exc.path)}: " if exc.path else ""  # rules made in code
            raise ScenarioError(f"variant {name!r}: {key}{exc.message}") from None
    rows: list[dict[str, Any]] = []
    shares: list[dict[str, Any]] = []
    lots: list[dict[str, Any]] = []
    awards: dict[str, Award | None] = {}
    for number, (name, rules) in enumerate(variants.items(), start=1):
        with progress.step(f"variant {number}/{len(variants)} ({name})"):
            try:
                made: Award | None = award(tender, rules, price_rules=price_rules)
                message = ""
            except (InfeasibleScenarioError, SolveError) as exc:
                made, message = None, str(exc)
        awards[name] = made
        if made is None:
            rows.append({"variant": name, "status": "no plan", "message": message})
            continue
        result = made.result
        paid = made.by_vendor[
            (made.by_vendor["vendor"] != "in-house")
            & (made.by_vendor[f"spend_{cur}_per_yr"] > 1e-6)
        ]
        rows.append(
            {
                "variant": name,
                "status": result.status,
                f"total_cost_{cur}_per_yr": result.total_cost,
                f"lower_bound_{cur}_per_yr": result.stamp.get("lower_bound"),
                "gap": result.stamp.get("gap"),
                f"saving_{cur}_per_yr": made.savings.get("saving"),
                "saving_share": made.savings.get("saving_share"),
                "winners": len(paid),
                "winner_names": ", ".join(paid["vendor_name"].astype(str)),
                "csat": result.kpis.get("csat"),
                "fcr": result.kpis.get("fcr"),
                "nps": result.kpis.get("nps"),
                "binding": _binding(made),
                "message": "",
            }
        )
        for row in made.by_vendor.itertuples(index=False):
            shares.append(
                {
                    "variant": name,
                    "vendor": row.vendor,
                    "vendor_name": row.vendor_name,
                    f"spend_{cur}_per_yr": getattr(row, f"spend_{cur}_per_yr"),
                    "spend_share": row.spend_share,
                    "volume_share": row.volume_share,
                    "lots_won": row.lots_won,
                }
            )
        for row in made.lots.itertuples(index=False):
            lots.append(
                {
                    "variant": name,
                    "lot": row.lot,
                    "winners": row.winners,
                    "bidders_winning": row.bidders_winning,
                    f"spend_{cur}_per_yr": getattr(row, f"spend_{cur}_per_yr"),
                }
            )
    _against_first(rows, cur)
    columns = [
        "variant", "status", f"total_cost_{cur}_per_yr", f"lower_bound_{cur}_per_yr", "gap",
        f"vs_first_{cur}_per_yr", f"vs_first_low_{cur}_per_yr", f"vs_first_high_{cur}_per_yr",
        "vs_first_proven",
        f"saving_{cur}_per_yr", "saving_share", "winners", "winner_names", "csat", "fcr", "nps",
        "binding", "message",
    ]  # fmt: skip
    return VariantComparison(
        variants=pd.DataFrame(rows, columns=columns),
        shares=pd.DataFrame(
            shares,
            columns=[
                "variant",
                "vendor",
                "vendor_name",
                f"spend_{cur}_per_yr",
                "spend_share",
                "volume_share",
                "lots_won",
            ],
        ),
        lots=pd.DataFrame(
            lots,
            columns=["variant", "lot", "winners", "bidders_winning", f"spend_{cur}_per_yr"],
        ),
        awards=awards,
        currency=cur,
    )


def comparison_files(
    tender: Scenario,
    comparison: VariantComparison,
    *,
    formats: tuple[str, ...] = ("png", "svg", "html"),
) -> dict[str, bytes]:
    """``compare.xlsx``, ``compare.json`` and the charts ``variant_costs``,
    ``variant_shares``."""
    from bestshore.rfp.workbook import tables_workbook
    from bestshore.views.analytics_outputs import chart_files
    from bestshore.views.rfp_charts import chart_variant_costs, chart_variant_shares

    cur = comparison.currency
    table = comparison.variants
    solved = table[table[f"total_cost_{cur}_per_yr"].notna()]
    cheapest = (
        solved.sort_values(f"total_cost_{cur}_per_yr", kind="stable").iloc[0]
        if len(solved)
        else None
    )
    summary: list[tuple[str, Any, str]] = [
        ("tender", tender.name, ""),
        ("variants", len(table), ""),
        ("variants with a plan", len(solved), ""),
        ("cheapest variant", None if cheapest is None else cheapest["variant"], ""),
        (
            "its annual cost",
            None if cheapest is None else cheapest[f"total_cost_{cur}_per_yr"],
            f"{cur}/yr",
        ),
    ]
    files = {
        "compare.xlsx": tables_workbook(
            summary,
            {"Variants": table, "Shares": comparison.shares, "Lots": comparison.lots},
        ),
        "compare.json": comparison.json_bytes(),
    }
    charts = {
        "variant_costs": chart_variant_costs(table, currency=cur),
        "variant_shares": chart_variant_shares(comparison.shares),
    }
    files.update(chart_files(charts, formats))
    return files
