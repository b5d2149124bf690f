"""Realistic bestshore scenarios of chosen sizes, for the benchmark (seeded, deterministic).

The shape is that of a large German consumer brand (telecom, energy, insurance, ...)
sourcing its customer contact with a dozen outsourcers and some in-house centres:

- call types: product lines x functions (billing and tech support by phone, chat,
  e-mail, level-2 escalations, back-office mail, a 24/7 multilingual desk), each with
  an hourly arrival profile over the 168 h week, opening hours, a language mix (German
  first, then English, Turkish, Polish, Russian; the desk in seven languages with a
  night mix), a minimum proficiency and a data class;
- sites: real cities in real countries (inshore Germany; nearshore Poland, Romania,
  Portugal, Tunisia, ...; offshore Egypt, South Africa, the Philippines, Colombia, ...),
  with the languages their agents work in at CEFR levels (so eligibility is realistic),
  local opening hours, capacities, seats (``max_agents``) and prices in the bands of
  the trade; vendor names are fictional;
- policies: a cap on any vendor's share of the work, some vendors with tighter caps of
  their own, sensitive financial data kept in the EU or adequacy countries, level 2
  kept in- or nearshore.

Sizing is by workload (no ``service_level``): one LP solve is one plan, which is what
the benchmark compares across formulations. The size of the LP is the number of
eligible assignments, i.e. share variables (:func:`count_variables`).

With ``shifts=True`` the same scenario rosters every site in whole shifts
(``settings.roster``: :data:`SHIFTS`, 4, 6 or 8 hours starting on the hour, no part-time
cap): the LP gains the shift columns and rows of bestshore's ``roster`` family, and the
staffing loop re-prices whole agents (several rounds instead of one).

Use::

    data = scenario_dict("L")                  # plain dict, the shape of a YAML file
    scenario = Scenario.model_validate(data)   # or validated_scenario("L")
    rostered = scenario_dict("L", shifts=True)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from bestshore.scenario.checks import check_references
from bestshore.scenario.schema import Scenario

__all__ = ["SHIFTS", "SIZES", "Size", "count_variables", "scenario_dict", "validated_scenario"]

SEED = 2026
WEEKS_PER_YEAR = 52.18
ANNUAL_HOURS_PER_FTE = 1700.0
SHRINKAGE = 0.30
OCCUPANCY = 0.85
ASYNC_UTILISATION = 0.95
CAPACITY_MARGIN = 1.6  # candidate capacity per language / hours that language needs
SEAT_FACTOR = 2.0  # seats / average agents per open hour
SHIFTS: dict[str, Any] = {"shift_hours": [4, 6, 8]}  # settings.roster of the rostered variants


@dataclass(frozen=True)
class Size:
    """One benchmark size: the variables aimed at and the generator's knobs."""

    name: str
    target: int  # share variables aimed at (within ~20 %)
    lines: int  # product lines; each brings a family of call types
    sites: int  # candidate sites
    volume: float  # contacts per year per product line (scales capacities too)


SIZES: dict[str, Size] = {
    "S": Size("S", 5_000, 1, 7, 1_500_000),
    "M": Size("M", 35_000, 2, 24, 2_000_000),
    "L": Size("L", 200_000, 6, 50, 2_500_000),
    "XL": Size("XL", 1_000_000, 14, 110, 3_000_000),
}

# -- reference data of the generator ---------------------------------------------------

# country -> (cities with lat/lon, price band [EUR per productive hour], languages)
# Languages: code -> proficiency of a typical site; a site may be weaker in some.
_COUNTRIES: dict[str, dict[str, Any]] = {
    "DE": {
        "cities": [
            ("Berlin", 52.52, 13.40),
            ("Hamburg", 53.55, 9.99),
            ("Leipzig", 51.34, 12.37),
            ("Dortmund", 51.51, 7.47),
            ("Rostock", 54.09, 12.10),
            ("Erfurt", 50.98, 11.03),
            ("Magdeburg", 52.13, 11.62),
            ("Saarbruecken", 49.24, 6.99),
        ],
        "price": (36.0, 43.0),
        "languages": {"de": "native", "en": "C1", "tr": "C2", "ru": "C1", "pl": "B2"},
    },
    "NL": {
        "cities": [("Amsterdam", 52.37, 4.90), ("Groningen", 53.22, 6.57)],
        "price": (38.0, 45.0),
        "languages": {"nl": "native", "en": "C2", "de": "C1"},
    },
    "IE": {
        "cities": [("Dublin", 53.35, -6.26), ("Cork", 51.90, -8.47)],
        "price": (34.0, 39.0),
        "languages": {"en": "native", "de": "C1", "fr": "C1", "it": "C1", "es": "C1", "nl": "C1"},
    },
    "PL": {
        "cities": [
            ("Warsaw", 52.23, 21.01),
            ("Krakow", 50.06, 19.94),
            ("Wroclaw", 51.11, 17.03),
            ("Gdansk", 54.35, 18.65),
            ("Katowice", 50.26, 19.02),
            ("Szczecin", 53.43, 14.55),
        ],
        "price": (18.5, 22.5),
        "languages": {"pl": "native", "de": "C1", "en": "C1", "ru": "C1"},
    },
    "RO": {
        "cities": [
            ("Bucharest", 44.43, 26.10),
            ("Cluj-Napoca", 46.77, 23.60),
            ("Iasi", 47.16, 27.59),
            ("Timisoara", 45.75, 21.23),
            ("Brasov", 45.66, 25.61),
        ],
        "price": (17.5, 20.5),
        "languages": {"ro": "native", "de": "C1", "en": "C2", "fr": "C1", "it": "C1"},
    },
    "BG": {
        "cities": [("Sofia", 42.70, 23.32), ("Plovdiv", 42.14, 24.75), ("Varna", 43.21, 27.91)],
        "price": (16.5, 19.0),
        "languages": {"bg": "native", "de": "C1", "en": "C1", "ru": "C1", "tr": "C1"},
    },
    "GR": {
        "cities": [("Athens", 37.98, 23.73), ("Thessaloniki", 40.64, 22.94)],
        "price": (19.0, 22.0),
        "languages": {"el": "native", "de": "C1", "en": "C2", "nl": "C1"},
    },
    "PT": {
        "cities": [("Lisbon", 38.72, -9.14), ("Porto", 41.15, -8.61), ("Braga", 41.55, -8.42)],
        "price": (21.0, 25.0),
        "languages": {"pt": "native", "de": "C1", "fr": "C1", "en": "C2", "es": "C1", "nl": "C1"},
    },
    "ES": {
        "cities": [("Madrid", 40.42, -3.70), ("Barcelona", 41.39, 2.17), ("Malaga", 36.72, -4.42)],
        "price": (24.0, 28.0),
        "languages": {"es": "native", "en": "C1", "de": "B2", "it": "C1", "fr": "B2"},
    },
    "MA": {
        "cities": [("Casablanca", 33.57, -7.59), ("Rabat", 34.02, -6.84), ("Fes", 34.03, -5.00)],
        "price": (15.0, 17.5),
        "languages": {"fr": "native", "ar": "native", "es": "C1", "en": "B2", "de": "B2"},
    },
    "TN": {
        "cities": [("Tunis", 36.81, 10.18), ("Sousse", 35.83, 10.64)],
        "price": (13.0, 15.5),
        "languages": {"fr": "native", "ar": "native", "de": "C1", "it": "C1", "en": "B2"},
    },
    "EG": {
        "cities": [("Cairo", 30.04, 31.24), ("Alexandria", 31.20, 29.92)],
        "price": (11.0, 13.0),
        "languages": {"ar": "native", "en": "C1", "de": "C1", "fr": "B2", "it": "B2"},
    },
    "ZA": {
        "cities": [("Cape Town", -33.92, 18.42), ("Johannesburg", -26.20, 28.05)],
        "price": (13.0, 15.5),
        "languages": {"en": "native", "de": "C1", "nl": "C1"},
    },
    "PH": {
        "cities": [("Manila", 14.60, 120.98), ("Cebu", 10.32, 123.89), ("Davao", 7.19, 125.46)],
        "price": (10.0, 12.0),
        "languages": {"en": "C2"},
    },
    "CO": {
        "cities": [("Bogota", 4.71, -74.07), ("Medellin", 6.24, -75.58)],
        "price": (12.0, 14.0),
        "languages": {"es": "native", "en": "C1"},
    },
    "SR": {
        "cities": [("Paramaribo", 5.85, -55.20)],
        "price": (11.0, 12.5),
        "languages": {"nl": "native", "en": "C1"},
    },
    "MU": {
        "cities": [("Port Louis", -20.16, 57.50)],
        "price": (12.0, 13.5),
        "languages": {"fr": "native", "en": "C2"},
    },
}

# Anchors: sites every size has, so each language is served in every hour it is asked.
# (country, city index, vendor or None for in-house, hours spec)
_ANCHORS: list[tuple[str, int, str | None, Any]] = [
    ("DE", 0, None, {"mon-fri": "07:00-21:00", "sat": "08:00-18:00"}),
    ("PT", 0, "meridian", "24/7"),
    ("PL", 0, "northwind", "24/7"),
    ("PH", 0, "halcyon", "24/7"),
    ("BG", 0, "kestrel", "24/7"),
    ("TN", 0, "orbis", {"daily": "07:00-23:00"}),
    ("IE", 0, "bluefin", "24/7"),
    ("SR", 0, "aurora", "24/7"),
]

# Where the others go: (country, share of the extra sites)
_SPREAD: list[tuple[str, float]] = [
    ("DE", 0.16), ("PL", 0.12), ("RO", 0.10), ("BG", 0.06), ("PT", 0.07), ("GR", 0.04),
    ("ES", 0.04), ("NL", 0.03), ("IE", 0.03), ("TN", 0.07), ("MA", 0.04), ("EG", 0.06),
    ("ZA", 0.05), ("PH", 0.06), ("CO", 0.03), ("SR", 0.01), ("MU", 0.03),
]  # fmt: skip

_VENDORS: list[tuple[str, str, float | None]] = [
    # id, name (fictional), own share cap
    ("northwind", "Northwind Contact", None),
    ("meridian", "Meridian Voice", None),
    ("halcyon", "Halcyon CX", 0.20),
    ("kestrel", "Kestrel Services", None),
    ("orbis", "Orbis Care", 0.18),
    ("bluefin", "Bluefin Support", None),
    ("aurora", "Aurora Relations", 0.12),
    ("cobalt", "Cobalt Connect", None),
    ("tessera", "Tessera CX", None),
    ("lumen", "Lumen Teleservices", 0.15),
    ("zephyr", "Zephyr Contact", None),
    ("quillon", "Quillon BPO", None),
]

# A few large outsourcers hold most sites, as in the trade.
_VENDOR_WEIGHTS = [6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1]

_LINES = [
    "mobile", "broadband", "tv", "energy", "insurance", "banking", "travel", "retail",
    "mobility", "smarthome", "business", "prepaid", "gaming", "health", "water", "solar",
    "leasing", "pharmacy", "tickets", "postal",
]  # fmt: skip

# Functions of a product line: templates of call types. ``share`` is of the line's volume.
_FUNCTIONS: list[dict[str, Any]] = [
    {
        "function": "billing", "level": "N1", "channel": "voice", "share": 0.34,
        "aht": (300, 380), "languages": {"de": 0.86, "en": 0.05, "tr": 0.05, "pl": 0.02, "ru": 0.02},
        "min_proficiency": "C1", "data_class": "personal", "profile": "n1_voice",
        "hours": {"mon-fri": "08:00-20:00", "sat": "09:00-18:00"},
    },
    {
        "function": "tech", "level": "N1", "channel": "voice", "share": 0.22,
        "aht": (480, 620), "languages": {"de": 0.90, "en": 0.05, "tr": 0.05},
        "min_proficiency": "C1", "data_class": "personal", "profile": "n1_voice",
        "hours": {"daily": "08:00-22:00"},
    },
    {
        "function": "chat", "level": "N1", "channel": "chat", "share": 0.12,
        "aht": (540, 720), "languages": {"de": 0.92, "en": 0.08},
        "min_proficiency": "C1", "data_class": "personal", "profile": "flat",
        "hours": {"daily": "07:00-23:00"},
    },
    {
        "function": "email", "level": "N1", "channel": "email", "share": 0.12,
        "aht": (360, 480), "languages": {"de": 0.95, "en": 0.05},
        "min_proficiency": "C2", "data_class": "personal", "profile": None,
        "hours": {"mon-fri": "08:00-18:00"}, "response_hours": 24,
    },
    {
        "function": "escalation", "level": "N2", "channel": "voice", "share": 0.06,
        "aht": (720, 900), "languages": {"de": 1.0},
        "min_proficiency": "C2", "data_class": "sensitive_financial", "profile": "n2",
        "hours": {"mon-fri": "09:00-19:00"},
    },
    {
        "function": "backoffice", "level": "back_office", "channel": "mail", "share": 0.06,
        "aht": (540, 720), "languages": {"de": 1.0},
        "min_proficiency": "C1", "data_class": "sensitive_financial", "profile": None,
        "hours": {"mon-fri": "08:00-17:00"}, "response_hours": 48,
    },
    {
        "function": "desk", "level": "multilingual", "channel": "voice", "share": 0.08,
        "aht": (400, 480),
        "languages": {"de": 0.35, "en": 0.25, "fr": 0.10, "it": 0.10, "es": 0.08, "nl": 0.07, "pl": 0.05},
        "min_proficiency": "C1", "data_class": "personal", "profile": "multilingual_24_7",
        "hours": "24/7",
        "night": {"hours": {"daily": "00:00-06:00"}, "languages": {"en": 0.5, "de": 0.35, "es": 0.15}},
    },
]  # fmt: skip

_SEASONALITY = [
    [1.25, 1.10, 1.00, 0.95, 0.90, 0.95, 1.00, 0.85, 1.20, 1.05, 0.90, 0.85],
    [1.00, 0.95, 1.00, 1.00, 1.05, 1.00, 0.90, 0.90, 1.10, 1.05, 1.00, 1.05],
    [1.30, 1.15, 1.05, 0.95, 0.85, 0.80, 0.80, 0.85, 0.95, 1.05, 1.10, 1.15],
]

_INSHORE_HOURS: list[Any] = [
    {"mon-fri": "08:00-20:00", "sat": "09:00-18:00"},
    {"mon-sat": "07:00-22:00"},
    {"mon-fri": "08:00-18:00"},
    {"daily": "08:00-22:00"},
]
_NEAR_HOURS: list[Any] = [
    {"mon-sat": "07:00-22:00"},
    {"daily": "07:00-23:00"},
    {"mon-fri": "08:00-20:00", "sat": "09:00-17:00"},
    "24/7",
]
_FAR_HOURS: list[Any] = ["24/7", {"daily": "06:00-22:00"}, {"mon-sat": "08:00-20:00"}, "24/7"]
_NEAR = {"PL", "RO", "BG", "GR", "PT", "ES", "NL", "IE", "TN", "MA"}
_LEVELS = ["B2", "C1", "C2", "native"]


def _weaker(level: str, rng: random.Random) -> str:
    """A site is sometimes one CEFR step weaker than its country's typical level."""
    if level == "native" or rng.random() > 0.25:
        return level
    return _LEVELS[max(0, _LEVELS.index(level) - 1)]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _call_types(size: Size, rng: random.Random) -> list[dict[str, Any]]:
    call_types = []
    names = [*_LINES, *(f"line{i}" for i in range(len(_LINES), size.lines))]
    for line in names[: size.lines]:
        volume = size.volume * rng.uniform(0.6, 1.4)
        seasonality = rng.choice([None, *_SEASONALITY])
        for template in _FUNCTIONS:
            aht_low, aht_high = template["aht"]
            entry: dict[str, Any] = {
                "id": f"{line}_{template['function']}",
                "name": f"{line.title()} {template['function']}",
                "level": template["level"],
                "channel": template["channel"],
                "volume": round(volume * template["share"] * rng.uniform(0.8, 1.2), -2),
                "aht_seconds": rng.randrange(aht_low, aht_high + 1, 10),
                "languages": dict(template["languages"]),
                "min_proficiency": template["min_proficiency"],
                "data_class": template["data_class"],
                "hours": template["hours"],
            }
            if template["profile"] is not None:
                entry["arrival_profile"] = template["profile"]
            if "response_hours" in template:
                entry["response_hours"] = template["response_hours"]
            if seasonality is not None:
                entry["seasonality"] = list(seasonality)
            if "night" in template:
                entry["hourly_languages"] = [template["night"]]
            call_types.append(entry)
    return call_types


def _weekly_agent_hours(call_type: dict[str, Any]) -> dict[str, float]:
    """Productive hours per sizing week each language of a call type needs (estimate)."""
    seasonality = call_type.get("seasonality") or [1.0] * 12
    peak = max(seasonality) / (sum(seasonality) / 12)  # sizing week: the peak month's
    weekly = call_type["volume"] / WEEKS_PER_YEAR * peak
    per_agent = OCCUPANCY if call_type["channel"] in ("voice", "chat") else ASYNC_UTILISATION
    hours = weekly * call_type["aht_seconds"] / 3600 / per_agent
    shares = dict(call_type["languages"])
    for window in call_type.get("hourly_languages", []):
        for code, share in window["languages"].items():
            shares[code] = max(shares.get(code, 0.0), share)
    return {code: hours * share for code, share in shares.items()}


def _open_hours_per_week(spec: Any) -> float:
    if spec == "24/7":
        return 168.0
    total = 0.0
    for days, window in spec.items():
        start, end = (int(t[:2]) + int(t[3:]) / 60 for t in window.split("-"))
        count = {"mon-fri": 5, "mon-sat": 6, "daily": 7, "sat": 1}[days]
        total += count * (end - start)
    return total


def _sites(size: Size, rng: random.Random) -> list[dict[str, Any]]:
    plan = list(_ANCHORS[: size.sites])
    extra = size.sites - len(plan)
    counts = {country: math.floor(extra * share) for country, share in _SPREAD}
    leftover = extra - sum(counts.values())
    for country, _ in sorted(_SPREAD, key=lambda item: -item[1])[:leftover]:
        counts[country] += 1
    vendors = [v[0] for v in _VENDORS]
    for country, count in counts.items():
        for i in range(count):
            cities = _COUNTRIES[country]["cities"]
            in_house = country == "DE" and rng.random() < 0.4
            vendor = None if in_house else rng.choices(vendors, weights=_VENDOR_WEIGHTS)[0]
            if country == "DE":
                hours = rng.choice(_INSHORE_HOURS)
            elif country in _NEAR:
                hours = rng.choice(_NEAR_HOURS)
            else:
                hours = rng.choice(_FAR_HOURS)
            plan.append((country, (i + 1) % len(cities), vendor, hours))
    sites, seen = [], set()
    for country, city_index, vendor, hours in plan:
        info = _COUNTRIES[country]
        city, lat, lon = info["cities"][city_index % len(info["cities"])]
        base = f"{_slug(city)}-{vendor or 'inhouse'}"
        site_id, n = base, 2
        while site_id in seen:
            site_id, n = f"{base}-{n}", n + 1
        seen.add(site_id)
        low, high = info["price"]
        price = round(rng.uniform(low, high) * (1.08 if vendor is None else 1.0), 2)
        languages = {code: _weaker(level, rng) for code, level in info["languages"].items()}
        site: dict[str, Any] = {
            "id": site_id,
            "name": f"{city} ({vendor or 'in-house'})",
            "country": country,
            "city": city,
            "lat": lat,
            "lon": lon,
            "languages": languages,
            "cost_per_hour": price,
            "hours": hours,
            "quality": {
                "csat": round(rng.uniform(72, 88), 1),
                "fcr": round(rng.uniform(0.66, 0.84), 2),
            },
        }
        if vendor is not None:
            site["vendor"] = vendor
        if hours == "24/7" or (isinstance(hours, dict) and "daily" in hours):
            site["night_premium"] = rng.choice([0.15, 0.20, 0.25])
        if country in {"DE", "NL", "IE", "PL", "RO", "BG", "GR", "PT", "ES"}:
            site["weekend_premium"] = rng.choice([0.10, 0.15, 0.25])
        sites.append(site)
    return sites


def _fits(site: dict[str, Any], language: str, level: str = "C1") -> bool:
    have = site["languages"].get(language)
    return have is not None and _LEVELS.index(have) >= _LEVELS.index(level)


def _size_capacities(
    sites: list[dict[str, Any]], call_types: list[dict[str, Any]], rng: random.Random
) -> None:
    """Capacity and seats so that each language has ``CAPACITY_MARGIN`` x its need."""
    need: dict[str, float] = {}
    for call_type in call_types:
        for code, hours in _weekly_agent_hours(call_type).items():
            need[code] = need.get(code, 0.0) + hours
    weight = {s["id"]: rng.uniform(0.5, 1.5) * (2.0 if "vendor" in s else 1.0) for s in sites}
    hours_per_week = dict.fromkeys(weight, 0.0)
    for code, hours in sorted(need.items()):
        able = [s["id"] for s in sites if _fits(s, code)]
        total = sum(weight[s] for s in able)
        for s in able:
            hours_per_week[s] += CAPACITY_MARGIN * hours * weight[s] / total
    per_fte = ANNUAL_HOURS_PER_FTE * (1 - SHRINKAGE) / WEEKS_PER_YEAR
    for site in sites:
        weekly = max(hours_per_week[site["id"]], 10 * per_fte)
        site["capacity_fte"] = round(weekly / per_fte)
        average = site["capacity_fte"] * per_fte / _open_hours_per_week(site["hours"])
        site["max_agents"] = math.ceil(SEAT_FACTOR * average * rng.uniform(0.9, 1.2))


def scenario_dict(size: str | Size, seed: int = SEED, *, shifts: bool = False) -> dict[str, Any]:
    """A scenario of the given size as a plain mapping (the shape of a YAML file).

    ``shifts``: every site rostered in whole shifts (``settings.roster`` = :data:`SHIFTS`).
    """
    spec = SIZES[size] if isinstance(size, str) else size
    rng = random.Random(f"{spec.name}:{seed}")
    call_types = _call_types(spec, rng)
    sites = _sites(spec, rng)
    _size_capacities(sites, call_types, rng)
    used = {s.get("vendor") for s in sites}
    vendors = [
        {"id": v, "name": name, **({"max_share": cap} if cap is not None else {})}
        for v, name, cap in _VENDORS
        if v in used
    ]
    settings: dict[str, Any] = {
        "annual_hours_per_fte": ANNUAL_HOURS_PER_FTE,
        "shrinkage": SHRINKAGE,
        "occupancy": OCCUPANCY,
        "async_utilisation": ASYNC_UTILISATION,
    }
    if shifts:
        settings["roster"] = {key: list(value) for key, value in SHIFTS.items()}
    return {
        "name": f"bench-{spec.name}" + ("-shifts" if shifts else ""),
        "description": (
            f"Benchmark scenario {spec.name} (seed {seed}): a German consumer brand with "
            f"{spec.lines} product lines, {len(call_types)} call types and {len(sites)} "
            "candidate sites of a dozen fictional outsourcers and in-house centres; "
            "workload sizing (no Erlang service levels)"
            + ("; every site rostered in 4, 6 or 8 h shifts." if shifts else ".")
        ),
        "market": {"country": "DE", "timezone": "Europe/Berlin", "currency": "EUR"},
        "settings": settings,
        "call_types": call_types,
        "vendors": vendors,
        "sites": sites,
        "policies": {
            "max_vendor_share": 0.25,
            "shore_rules": [{"levels": ["N2"], "shores": ["inshore", "nearshore"]}],
            "data_jurisdictions": {
                "public": ["any"],
                "personal": ["eu_eea", "adequacy", "scc"],
                "sensitive_financial": ["eu_eea", "adequacy"],
            },
        },
    }


def validated_scenario(size: str | Size, seed: int = SEED, *, shifts: bool = False) -> Scenario:
    """The scenario of :func:`scenario_dict`, validated and cross-checked."""
    scenario = Scenario.model_validate(scenario_dict(size, seed, shifts=shifts))
    check_references(scenario)
    return scenario


def count_variables(scenario: Scenario) -> int:
    """Share variables of the scenario's LP: its eligible assignments."""
    from bestshore.model.inputs import prepare_inputs
    from bestshore.model.sets import eligible_assignments

    return len(eligible_assignments(prepare_inputs(scenario)).assignments)
