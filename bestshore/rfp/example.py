"""A worked tender, end to end: a base scenario, six fictional bids filled in the bid
workbook, award rules and award variants (``bestshore rfp example --out DIR``).

The purchaser, Lumière Énergie, a French energy retailer, tenders five lots: billing
calls, e-mail, a travellers' desk in French and in English, and level-2 escalations.
Today Poitiers (in-house) and the incumbent Atlantica do the work, at the costs per lot
given in ``history``. Six vendors answer, each with one site and its own price model;
every vendor, site and price is fictional (countries, time zones and laws are real).

:func:`fill_bid` is what a consultant's script does to fill a bid workbook: records typed
under each sheet's header row (the layout of ``docs/rfp.md``). The tests, the docs and
``notebooks/06_tender_award.ipynb`` use this tender.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from openpyxl import load_workbook
from openpyxl.styles import Protection

from bestshore.rfp.template import template_workbook, workbook_bytes

__all__ = [
    "EXAMPLE_BASE",
    "EXAMPLE_BIDS",
    "EXAMPLE_RULES",
    "EXAMPLE_VARIANTS",
    "example_files",
    "example_scenario",
    "fill_bid",
]

EXAMPLE_BASE: dict[str, Any] = {
    "name": "Lumière Énergie contact tender",
    "description": "A French energy retailer tenders five lots of its customer contact "
    "(fictional purchaser, vendors and prices; real countries, time zones and laws).",
    "market": {"country": "FR", "timezone": "Europe/Paris", "currency": "EUR", "name": "France"},
    "settings": {"shrinkage": 0.3, "occupancy": 0.85, "async_utilisation": 0.95},
    "call_types": [
        {
            "id": "n1_billing", "name": "Billing and moving house (phone)", "level": "N1",
            "channel": "voice", "volume": 420_000, "aht_seconds": 330, "languages": {"fr": 1.0},
            "min_proficiency": "C1", "data_class": "personal", "fcr_baseline": 0.75,
            "hours": {"mon-fri": "08:00-20:00", "sat": "09:00-13:00"},
            "service_level": {"target": 0.8, "answer_seconds": 20},
        },
        {
            "id": "n1_email", "name": "Customer e-mail", "level": "N1", "channel": "email",
            "volume": 120_000, "aht_seconds": 420, "languages": {"fr": 1.0},
            "min_proficiency": "C2", "data_class": "personal",
            "hours": {"mon-fri": "09:00-18:00"}, "response_hours": 24,
        },
        {
            "id": "ml_desk", "name": "Travellers' desk (phone)", "level": "multilingual",
            "channel": "voice", "volume": 90_000, "aht_seconds": 400,
            "languages": {"fr": 0.6, "en": 0.4}, "min_proficiency": "B2",
            "data_class": "personal", "hours": {"daily": "08:00-22:00"},
            "service_level": {"target": 0.8, "answer_seconds": 30},
        },
        {
            "id": "n2_escalation", "name": "Level-2 escalations", "level": "N2",
            "channel": "voice", "volume": 40_000, "aht_seconds": 720, "languages": {"fr": 1.0},
            "min_proficiency": "C2", "data_class": "sensitive_financial",
            "hours": {"mon-fri": "09:00-18:00"},
            "service_level": {"target": 0.8, "answer_seconds": 60},
        },
    ],
    "sites": [
        {
            "id": "poitiers", "name": "Poitiers (in-house)", "country": "FR", "city": "Poitiers",
            "languages": {"fr": "native", "en": "B2"}, "capacity_fte": 40, "cost_per_hour": 38.0,
            "hours": {"mon-fri": "08:00-20:00", "sat": "09:00-13:00"},
            "quality": {"csat": 84, "fcr": 0.8, "nps": 30},
        },
    ],
    "policies": {
        "shore_rules": [{"levels": ["N2"], "shores": ["inshore"]}],
        "scc_compliance_cost": 20_000,
    },
    "incumbent": {"poitiers": {"n1_billing": 14, "n2_escalation": 9}},
    "history": {
        "n1_billing.fr": {"price_per_contact": 4.10, "source": "2025 invoices and Poitiers' cost"},
        "n1_email.fr": {"price_per_contact": 3.60, "source": "2025 invoices"},
        "ml_desk.fr": {"price_per_contact": 4.70, "source": "2025 invoices"},
        "ml_desk.en": {"price_per_contact": 5.20, "source": "2025 invoices"},
        "n2_escalation.fr": {"price_per_contact": 15.00, "source": "Poitiers' cost"},
    },
}  # fmt: skip
"""The tender's base scenario: the market, the lots' call types, the in-house site,
today's allocation and today's cost per lot."""


def _bid(
    vendor: str,
    name: str,
    site: dict[str, Any],
    languages: Sequence[tuple[str, str, str]],
    prices: Sequence[tuple[str, str, float]],
    quality: Mapping[str, float],
    bidder: Mapping[str, Any] | None = None,
    tiers: Sequence[tuple[float, float]] = (),
) -> dict[str, list[dict[str, Any]]]:
    """One bid as sheet records (column id -> value), one site."""
    site_id = site["site_id"]
    return {
        "Bidder": [{"vendor_id": vendor, "vendor_name": name, "currency": "EUR", **(bidder or {})}],
        "Sites": [site],
        "Languages": [
            {"site_id": site_id, "language": lang, "spoken": spoken, "written": written}
            for lang, spoken, written in languages
        ],
        "Prices": [
            {"site_id": site_id, "lot": lot, "price_model": model, "price": price}
            for lot, model, price in prices
        ],
        "VolumeTiers": [{"from_contacts_per_yr": t, "discount": d} for t, d in tiers],
        "Quality": [{"site_id": site_id, **quality}],
    }  # fmt: skip


_HOUR, _FTE, _CONTACT = "per_productive_hour", "per_fte_month", "per_handled_contact"

EXAMPLE_BIDS: dict[str, dict[str, list[dict[str, Any]]]] = {
    "atlantica": _bid(
        "atlantica", "Atlantica Relation Client",
        {"site_id": "lisbon", "site_name": "Lisbon", "country": "PT", "city": "Lisbon",
         "capacity_fte": 45, "hours": "daily 07:00-21:00", "setup_cost_per_fte": 1500},
        [("fr", "C1", "C1"), ("en", "C2", "C2")],
        [("n1_billing.fr", _HOUR, 24.0), ("ml_desk.fr", _HOUR, 25.0), ("ml_desk.en", _HOUR, 25.0)],
        {"csat": 81, "fcr": 0.76, "nps": 22},
    ),
    "mistral": _bid(
        "mistral", "Mistral Contact",
        {"site_id": "casablanca", "site_name": "Casablanca", "country": "MA", "city": "Casablanca",
         "capacity_fte": 80, "hours": "mon-sat 07:00-21:00", "setup_cost_per_fte": 1800},
        [("fr", "native", "native"), ("en", "B2", "B1")],
        [("n1_billing.fr", _FTE, 2450.0), ("n1_email.fr", _FTE, 2450.0),
         ("ml_desk.fr", _FTE, 2450.0), ("ml_desk.en", _FTE, 2450.0)],
        {"csat": 78, "fcr": 0.70, "nps": 12},
        tiers=[(300_000, 0.03)],
    ),
    "baobab": _bid(
        "baobab", "Baobab Services",
        {"site_id": "antananarivo", "site_name": "Antananarivo", "country": "MG",
         "city": "Antananarivo", "capacity_fte": 50, "hours": "mon-sat 08:00-21:00",
         "annual_hours_per_fte": 2080, "setup_cost_per_fte": 900},
        [("fr", "C2", "C2")],
        [("n1_billing.fr", _CONTACT, 2.95), ("n1_email.fr", _CONTACT, 2.95)],
        {"csat": 76, "fcr": 0.68, "nps": 8},
    ),
    "equinox": _bid(
        "equinox", "Equinox CX",
        {"site_id": "bucharest", "site_name": "Bucharest", "country": "RO", "city": "Bucharest",
         "capacity_fte": 60, "hours": "mon-sat 08:00-22:00", "setup_cost_per_fte": 1200},
        [("fr", "C2", "C2"), ("en", "C1", "C1")],
        [("n1_billing.fr", _HOUR, 21.0), ("n1_email.fr", _HOUR, 20.0),
         ("ml_desk.fr", _HOUR, 22.0), ("ml_desk.en", _HOUR, 22.0)],
        {"csat": 83, "fcr": 0.79, "nps": 25},
        bidder={"vendor_fixed_cost_per_yr": 35_000},
    ),
    "nordlys": _bid(
        "nordlys", "Nordlys Kontakt",
        {"site_id": "sofia", "site_name": "Sofia", "country": "BG", "city": "Sofia",
         "capacity_fte": 40, "hours": "daily 08:00-23:30", "night_premium": 0.2,
         "weekend_premium": 0.15, "setup_cost_per_fte": 1400},
        [("fr", "C1", "C1"), ("en", "C2", "C2")],
        [("n1_billing.fr", _HOUR, 19.0), ("ml_desk.fr", _HOUR, 19.5), ("ml_desk.en", _HOUR, 19.5)],
        {"csat": 79, "fcr": 0.74, "nps": 15},
    ),
    "ponant": _bid(
        "ponant", "Ponant Services",
        {"site_id": "rennes", "site_name": "Rennes", "country": "FR", "city": "Rennes",
         "capacity_fte": 20, "hours": "mon-fri 08:30-19:00", "setup_cost_per_fte": 2500},
        [("fr", "native", "native")],
        [("n1_billing.fr", _HOUR, 33.0), ("n2_escalation.fr", _HOUR, 36.0)],
        {"csat": 86, "fcr": 0.85, "nps": 35},
    ),
}  # fmt: skip
"""The six bids, as records under each bid sheet's header (column ids of ``docs/rfp.md``)."""

EXAMPLE_RULES: dict[str, Any] = {
    "name": "balanced award",
    "max_winners_per_lot": 2,
    "max_vendor_share": 0.5,
    "groups": {"new": ["nordlys", "ponant"]},
    "limits": {"new": {"max_share": 0.3}},
    "incumbent_min_share": {"atlantica": 0.1},
}
"""The award's rules (``rules.yaml``): two bidders at most per lot, no bidder above half
the work, new vendors at most 30 % of it, the incumbent kept at least 10 %."""

EXAMPLE_VARIANTS: dict[str, dict[str, Any]] = {
    "cheapest": {},
    "balanced award": {k: v for k, v in EXAMPLE_RULES.items() if k != "name"},
    "two on billing": {
        "min_winners_per_lot": 2, "min_lot_winner_share": 0.3, "lot_call_types": ["n1_billing"],
    },
    "personal data in the EU": {"policies": {"data_jurisdictions": {"personal": ["eu_eea"]}}},
    "Mistral under 35 % of spend": {"limits": {"mistral": {"max_spend_share": 0.35}}},
}  # fmt: skip
"""Award variants (``variants.yaml``) for ``bestshore rfp compare``."""


def example_scenario() -> Any:
    """The base scenario, validated (:class:`bestshore.scenario.schema.Scenario`)."""
    from bestshore.scenario.loader import parse_scenario

    return parse_scenario(copy.deepcopy(EXAMPLE_BASE), file=None)


def fill_bid(template: bytes, records: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """A filled bid workbook: ``records`` typed under each sheet's header row (row 2 on).

    ``records`` maps a bidder sheet's name to its rows, each a mapping of column ids (row
    1 of the sheet) to values. Returns .xlsx bytes (the same records give the same bytes).
    """
    book = load_workbook(io.BytesIO(template))
    for sheet, rows in records.items():
        header = [cell.value for cell in book[sheet][1]]
        for number, record in enumerate(rows, start=2):
            for key, value in record.items():
                cell = book[sheet].cell(row=number, column=header.index(key) + 1, value=value)
                cell.protection = Protection(locked=False)  # as typed in the open column
    return workbook_bytes(book)


_README = """\
# A worked tender: {name}

Fictional purchaser, vendors and prices; real countries, time zones and laws. Run from
this folder:

```bash
bestshore rfp template base.yaml --out template.xlsx     # the bid workbook (as sent)
bestshore rfp import bids/*.xlsx --scenario base.yaml --out tender.yaml
bestshore rfp award tender.yaml --rules rules.yaml --out award
bestshore rfp compare tender.yaml --variants variants.yaml --out compare
```

- `base.yaml`: the lots (call types x languages), the in-house site, today's allocation
  (`incumbent`) and today's cost per lot (`history`, for the savings).
- `template.xlsx`: the bid workbook `rfp template` writes for this tender.
- `bids/`: the six bids, filled in that workbook.
- `rules.yaml`: the award's rules; `variants.yaml`: award variants to compare.
"""


def example_files() -> dict[str, bytes]:
    """The worked tender's files by relative path: ``base.yaml``, ``template.xlsx``,
    ``bids/<vendor>.xlsx``, ``rules.yaml``, ``variants.yaml``, ``README.md``."""
    template = workbook_bytes(template_workbook(example_scenario()))

    def dump(data: Any) -> bytes:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode()

    files = {
        "README.md": _README.format(name=EXAMPLE_BASE["name"]).encode(),
        "base.yaml": dump(EXAMPLE_BASE),
        "template.xlsx": template,
        "rules.yaml": dump(EXAMPLE_RULES),
        "variants.yaml": dump(EXAMPLE_VARIANTS),
    }
    for vendor, records in EXAMPLE_BIDS.items():
        files[f"bids/{vendor}.xlsx"] = fill_bid(template, records)
    return files
