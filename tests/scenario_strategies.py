"""Hypothesis strategies for random but valid scenarios (as plain mappings).

They span every rule family: languages and proficiency (sometimes spoken and written
apart), the call types a site offers, quality gates, team rules (minimum teams, a call
type on one team or few sites), rosters in whole shifts, opening hours across time zones, data classes and jurisdictions, shore rules, vendor caps, volume tiers and bonus/malus,
pricing per
hour, per FTE-month or per contact, rate cards, capacity in
FTE or hours, and feasible as well as infeasible cases.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

COUNTRIES = ["FR", "PT", "ES", "RO", "BG", "MA", "TN", "SN", "MG", "MU", "PH", "SR", "GB", "DE"]
# Countries without bundled annual hours per FTE: their sites give their own figure
# unless the scenario's settings give one for all.
UNSOURCED_HOURS = {"TN", "MG", "PH", "SR", "GB", "DE"}
LANGUAGES = ["fr", "en", "de", "es", "nl"]
LEVELS = ["N1", "N2", "back_office", "multilingual"]
CHANNELS = ["voice", "email", "chat", "mail", "social"]
PROFICIENCIES = ["B2", "C1", "C2", "native"]
HOURS = [
    "24/7",
    {"mon-fri": "08:00-20:00"},
    {"mon-fri": "09:00-18:00"},
    {"mon-sat": "07:00-22:00"},
    {"daily": "08:00-22:00"},
    {"daily": "22:00-06:00"},
    {"mon-fri": "09:00-17:00", "sat": "09:00-12:00"},
]
DATA_CLASSES = ["public", "personal", "sensitive_financial"]
JURISDICTIONS = ["market", "eu_eea", "adequacy", "scc", "any"]


def _shares(draw: st.DrawFn, languages: list[str]) -> dict[str, float]:
    weights = [draw(st.integers(1, 9)) for _ in languages]
    total = sum(weights)
    shares = {lang: w / total for lang, w in zip(languages, weights, strict=True)}
    # Make the float sum exactly acceptable: put the rounding remainder on the first.
    first = languages[0]
    shares[first] = 1.0 - sum(v for k, v in shares.items() if k != first)
    return shares


@st.composite
def call_types(draw: st.DrawFn, n: int) -> list[dict[str, Any]]:
    items = []
    for i in range(n):
        # Mostly French (the market's language), sometimes with a second language.
        languages = ["fr"] if draw(st.integers(0, 2)) else []
        languages += draw(
            st.lists(st.sampled_from(LANGUAGES[1:]), min_size=0 if languages else 1, max_size=1)
        )
        channel = draw(st.sampled_from(CHANNELS))
        extra: dict[str, Any] = {}
        if channel in ("voice", "chat") and draw(st.booleans()):
            extra["service_level"] = draw(
                st.sampled_from(
                    [
                        {"target": 0.8, "answer_seconds": 20},
                        {"target": 0.9, "answer_seconds": 30},
                        {"asa_seconds": 30},
                    ]
                )
            )
        if draw(st.integers(0, 4)) == 0:
            extra["seasonality"] = [draw(st.integers(0, 3)) for _ in range(11)] + [1]
        if draw(st.integers(0, 4)) == 0:
            extra["arrival_profile"] = draw(
                st.sampled_from(["flat", "n1_voice", "multilingual_24_7"])
            )
        if channel not in ("voice", "chat"):
            extra["response_hours"] = draw(st.sampled_from([24, 48, 72]))
        if draw(st.integers(0, 5)) == 0:
            night = draw(st.sampled_from(LANGUAGES))
            extra["hourly_languages"] = [
                {"hours": {"daily": "00:00-06:00"}, "languages": {night: 1.0}}
            ]
        items.append(
            {
                **extra,
                "id": f"c{i}",
                "level": draw(st.sampled_from(LEVELS)),
                "channel": channel,
                "volume": draw(st.integers(0, 400_000)),
                "aht_seconds": draw(st.integers(60, 1200)),
                "languages": _shares(draw, languages),
                "min_proficiency": draw(st.sampled_from(["B2", "B2", "C1", "C1", "C2", "native"])),
                "data_class": draw(st.sampled_from(DATA_CLASSES)),
                "hours": draw(st.sampled_from(HOURS)),
            }
        )
    return items


@st.composite
def sites(
    draw: st.DrawFn, n: int, vendors: list[str], call_type_ids: list[str]
) -> list[dict[str, Any]]:
    items = []
    for i in range(n):
        site: dict[str, Any] = {
            "id": f"s{i}",
            "country": draw(st.sampled_from(COUNTRIES)),
            "city": f"City {i}",
            "languages": draw(
                st.dictionaries(
                    st.sampled_from(LANGUAGES),
                    st.sampled_from(PROFICIENCIES),
                    min_size=1,
                    max_size=4,
                )
            ),
            "cost_per_hour": draw(st.integers(5, 45)) + draw(st.sampled_from([0.0, 0.25, 0.5])),
            "hours": draw(st.sampled_from(["24/7", "24/7", *HOURS])),
            "shrinkage": draw(st.sampled_from([None, 0.2, 0.3, 0.35])),
            "night_premium": draw(st.sampled_from([0.0, 0.0, 0.25])),
            "weekend_premium": draw(st.sampled_from([0.0, 0.0, 0.2])),
            "max_agents": draw(st.sampled_from([None, None, None, 5, 40])),
            "quality": {"csat": draw(st.integers(60, 95)), "nps": draw(st.integers(-30, 60))},
        }
        if draw(st.integers(0, 3)) == 0:  # one language spoken and written at two levels
            language = draw(st.sampled_from(sorted(site["languages"])))
            site["languages"][language] = {
                "spoken": draw(st.sampled_from(PROFICIENCIES)),
                "written": draw(st.sampled_from(PROFICIENCIES)),
            }
        if draw(st.integers(0, 3)) == 0:  # the site offers only some call types
            site["call_types"] = draw(
                st.lists(st.sampled_from(call_type_ids), min_size=1, max_size=2, unique=True)
            )
        if site["country"] in UNSOURCED_HOURS or draw(st.integers(0, 3)) == 0:
            site["annual_hours_per_fte"] = float(draw(st.sampled_from([1500, 1607, 1800])))
        if draw(st.integers(0, 3)) == 0:  # one call type scored apart at this site
            site["quality_by_call_type"] = {
                draw(st.sampled_from(call_type_ids)): {
                    "csat": draw(st.integers(50, 95)),
                    "fcr": draw(st.sampled_from([0.5, 0.7, 0.9])),
                }
            }
        if draw(st.integers(0, 3)) == 0:  # switching costs (with an incumbent, below)
            site["setup_cost_per_fte"] = float(draw(st.sampled_from([2_000, 20_000])))
            site["transition_cost_per_fte"] = float(draw(st.sampled_from([0, 5_000, 30_000])))
        if draw(st.booleans()):
            site["capacity_fte"] = draw(st.integers(0, 300))
        else:
            site["capacity_hours"] = draw(st.integers(0, 400_000))
        vendor = draw(st.sampled_from([None, *vendors]))
        if vendor is not None:
            site["vendor"] = vendor
        pricing = draw(st.sampled_from(["hour", "hour", "hour", "fte_month", "contact"]))
        if pricing == "fte_month":  # a monthly price of the same order as the hourly one
            site["price_per_fte_month"] = site.pop("cost_per_hour") * 110
        elif pricing == "contact":
            site["price_per_contact"] = site.pop("cost_per_hour") / 12
        if pricing != "contact":
            rated = draw(st.lists(st.sampled_from(call_type_ids), max_size=2, unique=True))
            site["rates"] = {c: float(draw(st.integers(5, 50))) for c in rated}
        items.append({k: v for k, v in site.items() if v is not None})
    return items


@st.composite
def scenarios(draw: st.DrawFn, max_sites: int = 5, max_call_types: int = 3) -> dict[str, Any]:
    """A valid scenario mapping (it may be infeasible)."""
    n_vendors = draw(st.integers(0, 4))
    vendors = [f"v{i}" for i in range(n_vendors)]
    types = draw(call_types(draw(st.integers(1, max_call_types))))
    site_list = draw(sites(draw(st.integers(2, max_sites)), vendors, [c["id"] for c in types]))
    # Most scenarios should be feasible: usually give one site every language needed,
    # natively and round the clock (a random site, so the rest still varies).
    if draw(st.integers(0, 4)):
        anchor = draw(st.sampled_from(site_list))
        anchor["hours"] = "24/7"
        anchor.pop("max_agents", None)
        anchor.pop("call_types", None)  # it offers everything
        for call_type in types:
            for language in call_type["languages"]:
                anchor["languages"][language] = "native"
    policies: dict[str, Any] = {}
    if draw(st.booleans()):
        policies["max_vendor_share"] = draw(st.sampled_from([0.3, 0.5, 0.7, 0.9]))
    if draw(st.integers(0, 3)) == 0:  # SCC compliance cost per country (a MILP)
        policies["scc_compliance_cost"] = draw(st.sampled_from([1_000, 50_000]))
    if draw(st.integers(0, 3)) == 0:  # recordings priced, some countries capped
        policies["recording_storage_price"] = draw(st.sampled_from([0.5, 5.0]))
        policies["recording_caps"] = {draw(st.sampled_from(COUNTRIES)): 0.1}
    if draw(st.booleans()):
        policies["shore_rules"] = [
            {
                "levels": draw(
                    st.lists(st.sampled_from(LEVELS), min_size=1, max_size=2, unique=True)
                ),
                "shores": draw(
                    st.lists(
                        st.sampled_from(["inshore", "nearshore", "offshore"]),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                ),
            }
        ]
    if draw(st.integers(0, 3)) == 0:  # a quality gate on one call type
        policies["quality_gates"] = {
            draw(st.sampled_from(types))["id"]: float(draw(st.sampled_from([60, 75, 85])))
        }
    if draw(st.integers(0, 4)) == 0:  # an NPS floor on one call type
        policies["nps_floors"] = {
            draw(st.sampled_from(types))["id"]: float(draw(st.integers(0, 40)))
        }
    incumbent: dict[str, dict[str, float]] = {}
    if draw(st.integers(0, 2)) == 0:  # today's allocation: a few FTE at some sites
        for site in draw(
            st.lists(st.sampled_from(site_list), max_size=2, unique_by=lambda s: s["id"])
        ):
            incumbent[site["id"]] = {
                draw(st.sampled_from(types))["id"]: float(draw(st.integers(1, 60)))
            }
    if draw(st.integers(0, 4)) == 0:  # a call type on one team, or on at most two sites
        chosen = draw(st.sampled_from(types))
        if draw(st.booleans()):
            chosen["single_team"] = True
        else:
            chosen["max_sites"] = 2
    for site in site_list:  # a minimum team where the site could hold one
        big = (site.get("capacity_fte") or 0) >= 5 or (site.get("capacity_hours") or 0) >= 20_000
        if big and draw(st.integers(0, 5)) == 0:
            site["min_team_fte"] = float(draw(st.sampled_from([1, 3])))
    roster = None
    if draw(st.integers(0, 4)) == 0:  # agents in whole shifts
        roster = {"shift_hours": draw(st.sampled_from([[8], [4, 8], [4, 6, 8]]))}
        if draw(st.booleans()):
            roster["max_part_time_share"] = draw(st.sampled_from([0.2, 0.5]))
    if draw(st.booleans()):
        policies["data_jurisdictions"] = {
            d: draw(st.lists(st.sampled_from(JURISDICTIONS), min_size=1, max_size=3, unique=True))
            for d in DATA_CLASSES
        }
    return {
        "name": "random",
        "market": {"country": "FR"},
        "settings": {
            "shrinkage": draw(st.sampled_from([0.25, 0.3, 0.35])),
            "occupancy": draw(st.sampled_from([0.8, 0.85, 0.9])),
            # else each site's own figure or its country's
            **({"annual_hours_per_fte": 1650.0} if draw(st.integers(0, 3)) == 0 else {}),
            **({"roster": roster} if roster else {}),
        },
        "call_types": types,
        "vendors": [
            {
                "id": v,
                **({"max_share": draw(st.sampled_from([0.4, 0.6]))} if draw(st.booleans()) else {}),
                **(
                    {
                        "volume_discounts": [
                            {
                                "from_contacts": draw(st.sampled_from([1_000, 50_000, 400_000])),
                                "discount": 0.05,
                            },
                            {
                                "from_contacts": 2_000_000,
                                "discount": draw(st.sampled_from([0.1, 0.3])),
                            },
                        ]
                    }
                    if draw(st.integers(0, 3)) == 0
                    else {}
                ),
                **(
                    {
                        "quality_incentive": {
                            "csat_target": draw(st.sampled_from([70, 80])),
                            "bonus_per_point": draw(st.sampled_from([0.0, 0.01])),
                            "malus_per_point": draw(st.sampled_from([0.005, 0.02])),
                        }
                    }
                    if draw(st.integers(0, 3)) == 0
                    else {}
                ),
            }
            for v in vendors
        ],
        "sites": site_list,
        "policies": policies,
        "incumbent": incumbent,
    }
