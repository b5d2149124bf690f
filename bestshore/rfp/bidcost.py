"""Bids side by side: every bid normalised to an annual cost and a cost per contact.

A bid's prices are per productive hour, per FTE-month or per handled contact; on paper
they do not compare. Here each bid is priced the way the model prices its work
(:func:`bestshore.model.constraints.annual_cost_coefficients`, the objective's own row
prices), as if the bidder took each lot it bids alone, every hour its sites may take:

- the **staffing its hours need**: each hour of the lot staffed at the bidder's site at
  the lot's full load (Erlang C for a service level, occupancy otherwise; the pooled
  factor the model starts from), night and weekend premiums included; hours its sites
  are closed, and work a rule keeps from them (data protection, shore rules, quality
  gates), are not covered, and the coverage says how much of the lot it can take;
- its **languages**: a site takes a lot only in a language it works at the lot's level;
- the **repeat contacts its FCR causes**: a site resolving fewer contacts first time
  handles ``fcr_baseline / FCR`` contacts per forecast contact, each staffed (and, per
  contact, paid);
- prices converted: FTE-month prices to an hourly price, contact prices on the contacts
  handled (repeats included), bonus/malus at the bidder's committed CSAT.

Cost per contact is per *forecast* contact (the purchaser's volume), so a bid whose FCR
causes repeats costs more per contact. A bidder with several sites takes each hour at its
cheapest site. The bid's total adds its fixed costs (the bidder's and its sites') and the
set-up of its FTE beyond today's (``objective.amortization_years``); volume discounts are
left out (they depend on the volume awarded). The sizing week is annualised as the model
annualises it: the exact plan, whole agents month by month, may differ by that rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from bestshore.rfp.award import lot_volumes
from bestshore.scenario.schema import Scenario

__all__ = ["BidComparison", "compare_bids"]

_RULE_WORDS = {
    "hours": "closed in the lot's hours",
    "data_protection": "data protection",
    "shore_rule": "a shore rule",
    "excluded_vendor": "excluded",
    "quality_gate": "below the quality gate",
}


@dataclass(frozen=True)
class BidComparison:
    """Every bid normalised.

    ``by_lot``: one row per (bidder, lot it can take): ``vendor``, ``vendor_name``,
    ``lot``, ``lot_name``, ``sites`` (names), ``price_models``, ``coverage`` [fraction of
    the lot's work it can take], ``forecast_contacts_per_yr`` (covered),
    ``handled_contacts_per_yr`` (repeats included), ``repeat_contacts_per_yr``, ``fte``
    [FTE the covered work needs], ``capacity_fte`` (its sites' capacity),
    ``annual_cost`` [currency/yr], ``cost_per_contact`` [currency per forecast contact],
    ``rank`` (1 = cheapest per contact among the bids for the lot), ``note``.
    ``bids``: one row per bidder, over the lots it can take: the same sums, plus
    ``capacity_fte``, ``fixed_cost`` (the bidder's and its sites') and ``setup_cost``
    (set-up of its FTE beyond today's, per year of the amortization) [currency/yr],
    ``total_cost``, ``cost_per_contact``, ``note`` (when all its lots need more FTE than
    its sites offer), ``rank``. ``offers``: one row per (site, lot) with the bid's
    price as written (``price_model``, ``price``, ``price_unit``) and what it comes to.
    """

    by_lot: pd.DataFrame
    bids: pd.DataFrame
    offers: pd.DataFrame
    currency: str


def _site_price(site: Any, call_type: str, currency: str) -> tuple[str, float | None, str]:
    if site.price_per_contact is not None:
        return "per_handled_contact", float(site.price_per_contact), f"{currency}/contact"
    if site.price_per_fte_month is not None:
        return "per_fte_month", float(site.price_per_fte_month), f"{currency}/FTE-month"
    rate = site.rates.get(call_type, site.cost_per_hour)
    return "per_productive_hour", None if rate is None else float(rate), f"{currency}/productive h"


def _rows(scenario: Scenario) -> tuple[pd.DataFrame, Any]:
    """The eligible rows of the bidders' sites, each priced as the model prices it."""
    from bestshore.model import eligible_assignments, prepare_inputs
    from bestshore.model.constraints import add_share_variables, annual_cost_coefficients
    from bestshore.model.program import LinearProgram

    inputs = prepare_inputs(scenario)
    eligibility = eligible_assignments(inputs)
    variables = add_share_variables(LinearProgram("bids"), eligibility, False)
    rows = eligibility.assignments.assign(
        cost=annual_cost_coefficients(inputs, variables),
        agent_hours=variables.agent_hours,
    )
    rows["forecast"] = rows["unit_calls"] * rows["annual_factor"]
    rows["handled"] = rows["forecast"] * rows["repeat_factor"]
    rows["lot"] = rows["call_type"] + "." + rows["language"]
    bidders = {v.id for v in scenario.vendors}
    return rows[rows["vendor"].isin(bidders)].reset_index(drop=True), (inputs, eligibility)


def compare_bids(scenario: Scenario) -> BidComparison:
    """Normalise every bid of a tender scenario (``bestshore rfp import``'s, no award rules)."""
    rows, (inputs, eligibility) = _rows(scenario)
    currency = scenario.market.currency
    names = {v.id: v.name or v.id for v in scenario.vendors}
    sites = {s.id: s for s in scenario.sites}
    site_names = {s.id: s.name or s.id for s in scenario.sites}
    call_names = {c.id: c.name or c.id for c in scenario.call_types}
    lot_name = {
        f"{c.id}.{language}": f"{call_names[c.id]} ({language})"
        for c in scenario.call_types
        for language in c.languages
    }
    work = inputs.demand["handle_hours"].groupby(level=["call_type", "language"]).sum()
    lot_work = {f"{c}.{lang}": float(w) for (c, lang), w in work.items()}
    volumes = lot_volumes(scenario)
    weekly = inputs.sites["weekly_hours_per_fte"]
    capacity_fte = inputs.sites["capacity_fte"]

    # -- offers: one per (site, lot) ------------------------------------------------------
    offers = []
    grouped = rows.groupby(["site", "lot"], sort=True)
    for (site, lot), part in grouped:
        vendor = str(part["vendor"].iloc[0])
        call_type = str(part["call_type"].iloc[0])
        model, price, unit = _site_price(sites[str(site)], call_type, currency)
        forecast = float(part["forecast"].sum())
        cost = float(part["cost"].sum())
        offers.append(
            {
                "vendor": vendor,
                "vendor_name": names[vendor],
                "site": site,
                "site_name": site_names[str(site)],
                "lot": lot,
                "lot_name": lot_name[str(lot)],
                "price_model": model,
                "price": price,
                "price_unit": unit,
                "coverage": float(part["handle_hours"].sum()) / lot_work[str(lot)],
                "forecast_contacts_per_yr": forecast,
                "handled_contacts_per_yr": float(part["handled"].sum()),
                "fte": float(part["agent_hours"].sum()) / float(weekly[site]),
                "annual_cost": cost,
                "cost_per_contact": cost / forecast if forecast > 0 else None,
            }
        )
    # sites offering a call type a rule keeps them from: coverage 0, and why
    offered = {(s.id, c.id) for s in scenario.sites for c in scenario.call_types
               if s.vendor in names and (s.call_types is None or c.id in s.call_types)}  # fmt: skip
    kept = eligibility.exclusions[eligibility.exclusions["rule"].isin(list(_RULE_WORDS))]
    seen = {(o["site"], o["lot"]) for o in offers}
    reasons: dict[tuple[str, str], list[str]] = {}
    for row in kept.itertuples(index=False):
        key = (str(row.site), f"{row.call_type}.{row.language}")
        if (key[0], str(row.call_type)) in offered:
            reasons.setdefault(key, []).append(str(row.reason))
    for (site, lot), why in sorted(reasons.items()):
        if (site, lot) in seen:
            continue
        vendor = str(sites[site].vendor)
        model, price, unit = _site_price(sites[site], lot.rpartition(".")[0], currency)
        offers.append(
            {
                "vendor": vendor, "vendor_name": names[vendor], "site": site,
                "site_name": site_names[site], "lot": lot, "lot_name": lot_name[lot],
                "price_model": model, "price": price, "price_unit": unit, "coverage": 0.0,
                "forecast_contacts_per_yr": 0.0, "handled_contacts_per_yr": 0.0, "fte": 0.0,
                "annual_cost": 0.0, "cost_per_contact": None, "note": "; ".join(sorted(set(why))),
            }
        )  # fmt: skip
    offer_columns = [
        "vendor", "vendor_name", "site", "site_name", "lot", "lot_name", "price_model", "price",
        "price_unit", "coverage", "forecast_contacts_per_yr", "handled_contacts_per_yr", "fte",
        "annual_cost", "cost_per_contact", "note",
    ]  # fmt: skip
    offer_table = pd.DataFrame(offers, columns=offer_columns)
    offer_table["note"] = offer_table["note"].astype(object).where(offer_table["note"].notna(), "")
    offer_table = offer_table.sort_values(["lot", "vendor", "site"], kind="stable")

    # -- per bidder and lot: each hour at the bidder's cheapest site -----------------------
    best = rows.sort_values(["cost", "site"], kind="stable").drop_duplicates(
        ["vendor", "call_type", "language", "hour"]
    )
    by_lot = []
    for (vendor, lot), part in best.groupby(["vendor", "lot"], sort=True):
        forecast = float(part["forecast"].sum())
        cost = float(part["cost"].sum())
        used = sorted(set(part["site"]))
        fte = sum(
            float(part.loc[part["site"] == s, "agent_hours"].sum()) / float(weekly[s]) for s in used
        )
        capacity = float(capacity_fte.reindex(used).sum())
        coverage = float(part["handle_hours"].sum()) / lot_work[str(lot)]
        notes = []
        if coverage < 1 - 1e-9:
            notes.append(f"can take {coverage:.0%} of the lot (its sites' hours and the rules)")
        if fte > capacity * (1 + 1e-9):
            notes.append(f"needs {fte:,.1f} FTE, its sites offer {capacity:,.1f}")
        by_lot.append(
            {
                "vendor": vendor,
                "vendor_name": names[str(vendor)],
                "lot": lot,
                "lot_name": lot_name[str(lot)],
                "sites": ", ".join(site_names[s] for s in used),
                "price_models": ", ".join(
                    sorted(
                        {
                            _site_price(sites[s], str(lot).rpartition(".")[0], currency)[0]
                            for s in used
                        }
                    )
                ),
                "coverage": coverage,
                "forecast_contacts_per_yr": forecast,
                "handled_contacts_per_yr": float(part["handled"].sum()),
                "repeat_contacts_per_yr": float((part["handled"] - part["forecast"]).sum()),
                "fte": fte,
                "capacity_fte": capacity,
                "annual_cost": cost,
                "cost_per_contact": cost / forecast if forecast > 0 else None,
                "note": "; ".join(notes),
            }
        )
    lots = pd.DataFrame(
        by_lot,
        columns=[
            "vendor", "vendor_name", "lot", "lot_name", "sites", "price_models", "coverage",
            "forecast_contacts_per_yr", "handled_contacts_per_yr", "repeat_contacts_per_yr",
            "fte", "capacity_fte", "annual_cost", "cost_per_contact", "note",
        ],
    )  # fmt: skip
    lots["rank"] = (
        lots.groupby("lot")["cost_per_contact"].rank(method="min").astype("Int64")
        if len(lots)
        else pd.Series(dtype="Int64")
    )
    lots = lots.sort_values(["lot", "rank", "vendor"], kind="stable").reset_index(drop=True)

    # -- per bidder: all the lots it can take --------------------------------------------
    years = scenario.objective.amortization_years
    incumbent = {site: sum(a.values()) for site, a in scenario.incumbent.items()}
    bids = []
    for vendor in sorted(names):
        mine = best[best["vendor"] == vendor]
        if mine.empty:
            continue
        used = sorted(set(mine["site"]))
        fixed = next(v.fixed_cost for v in scenario.vendors if v.id == vendor)
        fixed += sum(sites[s].fixed_cost for s in used)
        setup = 0.0
        fte = 0.0
        for s in used:
            site_fte = float(mine.loc[mine["site"] == s, "agent_hours"].sum()) / float(weekly[s])
            fte += site_fte
            new = max(0.0, site_fte - incumbent.get(s, 0.0))
            setup += new * float(sites[s].setup_cost_per_fte or 0.0) / years
        work_cost = float(mine["cost"].sum())
        forecast = float(mine["forecast"].sum())
        total = work_cost + fixed + setup
        mine_lots = lots[lots["vendor"] == vendor]
        capacity = float(capacity_fte.reindex(used).sum())
        bids.append(
            {
                "vendor": vendor,
                "vendor_name": names[vendor],
                "lots_bid": ", ".join(mine_lots["lot"]),
                "lots_whole": int((mine_lots["coverage"] >= 1 - 1e-9).sum()),
                "forecast_contacts_per_yr": forecast,
                "share_of_tender_volume": forecast / float(volumes.sum()),
                "repeat_contacts_per_yr": float((mine["handled"] - mine["forecast"]).sum()),
                "fte": fte,
                "capacity_fte": capacity,
                "work_cost": work_cost,
                "fixed_cost": float(fixed),
                "setup_cost": setup,
                "total_cost": total,
                "cost_per_contact": total / forecast if forecast > 0 else None,
                "note": (
                    f"all its lots need {fte:,.1f} FTE, its sites offer {capacity:,.1f}"
                    if fte > capacity * (1 + 1e-9)
                    else ""
                ),
            }
        )
    bid_table = pd.DataFrame(bids)
    if len(bid_table):
        bid_table["rank"] = bid_table["cost_per_contact"].rank(method="min").astype("Int64")
        bid_table = bid_table.sort_values(["rank", "vendor"], kind="stable").reset_index(drop=True)
    money = {
        "annual_cost": f"annual_cost_{currency}_per_yr",
        "cost_per_contact": f"cost_per_contact_{currency}",
    }
    bid_money = {
        **{
            k: f"{k}_{currency}_per_yr"
            for k in ("work_cost", "fixed_cost", "setup_cost", "total_cost")
        },
        "cost_per_contact": f"cost_per_contact_{currency}",
    }
    return BidComparison(
        by_lot=lots.rename(columns=money),
        bids=bid_table.rename(columns=bid_money),
        offers=offer_table.rename(columns=money).reset_index(drop=True),
        currency=currency,
    )
