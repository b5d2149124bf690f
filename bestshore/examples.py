"""Canonical small scenarios whose optimum can be worked out by hand.

Tests, docs and notebooks share them. Conventions, chosen so the arithmetic is easy:
occupancy and utilisation 1, shrinkage 0 and 1,000 paid hours per FTE, so one contact of
AHT 3,600 s is one productive hour and 1,000 productive hours are one FTE.

Example::

    from bestshore import examples, solve
    from bestshore.scenario import parse_scenario

    result = solve(parse_scenario(examples.tiny()))
    result.total_cost  # 45000.0: all 3,000 h in Rabat at 15 EUR/h
"""

from __future__ import annotations

import copy
from typing import Any

from bestshore.scenario import Scenario, parse_scenario

__all__ = ["contracts_scenario", "lisbon", "tiny"]


def tiny(**overrides: Any) -> dict[str, Any]:
    """A scenario mapping: one French N1 call type (3,000 productive h), two sites."""
    data: dict[str, Any] = {
        "name": "tiny",
        "market": {"country": "FR", "currency": "EUR"},
        "settings": {
            "annual_hours_per_fte": 1000,
            "shrinkage": 0.0,
            "occupancy": 1.0,
            "async_utilisation": 1.0,
            "peak_factor": 10,  # hourly seat limits out of the way unless a test wants them
        },
        "call_types": [
            {
                "id": "n1",
                "level": "N1",
                "volume": 36000,
                "aht_seconds": 300,  # 36,000 x 300 s = 3,000 h
                "languages": {"fr": 1.0},
                "hours": {"mon-fri": "09:00-17:00"},
            }
        ],
        "vendors": [{"id": "va"}, {"id": "vb"}],
        "sites": [
            {
                "id": "paris",
                "vendor": "va",
                "country": "FR",
                "city": "Paris",
                "languages": {"fr": "native"},
                "capacity_hours": 10000,
                "cost_per_hour": 30.0,
            },
            {
                "id": "rabat",
                "vendor": "vb",
                "country": "MA",
                "city": "Rabat",
                "languages": {"fr": "native"},
                "capacity_hours": 10000,
                "cost_per_hour": 15.0,
            },
        ],
    }
    for key, value in overrides.items():
        data[key] = value
    return copy.deepcopy(data)


def lisbon(
    vendor: str, capacity_hours: float, cost_per_hour: float, **terms: Any
) -> dict[str, Any]:
    """A third site for the tiny scenarios: Lisbon, French at C1, owned by ``vendor``."""
    return {
        "id": "lisbon", "vendor": vendor, "country": "PT", "city": "Lisbon",
        "languages": {"fr": "C1"}, "capacity_hours": capacity_hours,
        "cost_per_hour": cost_per_hour, **terms,
    }  # fmt: skip


def contracts_scenario() -> Scenario:
    """Volume tiers (vc), a take-or-pay commitment (va), SCC for Morocco, a vendor cap
    (vb), a site fixed cost (Lisbon): every contract family that adds rows or binaries."""
    data = tiny(policies={"scc_compliance_cost": 5_000})
    data["call_types"][0]["data_class"] = "personal"
    data["vendors"][0]["commitment"] = {"contacts": 6_000, "shortfall_price": 0.5}
    data["vendors"][1]["max_share"] = 0.6
    data["vendors"].append(
        {"id": "vc", "volume_discounts": [{"from_contacts": 20_000, "discount": 0.2}]}
    )
    data["sites"].append(lisbon("vc", 10_000, 22.0, fixed_cost=1_000))
    return parse_scenario(data)
