"""Build bestshore's country reference tables from well-kept packages and sourced lists.

Run by hand when a package or a sourced list changes; the bestshore package never runs
it (it reads the CSV files written here)::

    pip install -e '.[dev]'           # pycountry, tzdata and babel
    python tools/build_countries.py   # writes bestshore/data/countries.csv, zones.csv,
                                      # countries_build.json
    python tools/build_countries.py --check   # exit 1 when the shipped files differ

Inputs, each named in ``bestshore/data/SOURCES.md``:

- **pycountry** (ISO 3166-1): every country's alpha-2 and numeric code and its name
  (the ISO short name, or pycountry's ``common_name`` where it has one: "Bolivia",
  "South Korea", "Vietnam"...).
- **tzdata** (the IANA tz database as a Python package): ``zone.tab`` gives each
  country's zones with their reference city coordinates. A country's *main* zone is
  the zone of its capital (:data:`CAPITAL_ZONES`) where it has several, its only zone
  otherwise; ``lat``/``lon`` are the main zone's reference city. Bouvet Island and
  Heard and McDonald Islands (uninhabited, no tz database zone) get the nautical zone of
  their longitude (:data:`NO_TZ_ZONE`).
- **babel** (Unicode CLDR ``territory_languages``): official languages, those CLDR marks
  ``official`` (or, where it marks none so, ``de_facto_official``: English in the United
  States, Spanish in Mexico); regional official status is not counted.
- :data:`EU_MEMBERS`, :data:`EEA_ONLY`, :data:`EU_TERRITORIES`: who is in the EU/EEA.
- :data:`ADEQUACY`: the European Commission's adequacy decisions, with their dates.
- ``tools/countries_sourced.csv``: the hand-sourced figures (contact-centre languages,
  indicative agent cost, annual hours per FTE, their bases, sources and years) of the
  countries that have them, copied unchanged into the output. Countries not in it carry
  none: those figures stay empty, never estimated.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bestshore" / "data"
SOURCED = Path(__file__).resolve().parent / "countries_sourced.csv"
LEGAL_YEAR = "2026"  # the year the EU/EEA and adequacy lists below were checked

# The 27 EU member states (european-union.europa.eu, "EU countries"; checked 2026).
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# EEA members outside the EU (EEA Agreement).
EEA_ONLY = frozenset({"IS", "LI", "NO"})
# Parts of a member state with an ISO 3166-1 code of their own where EU law, the GDPR
# included, applies: Åland (Finland; Protocol 2 to the 1994 Act of Accession derogates on
# tax, not data protection) and the French outermost regions of Art. 349 and 355(1) TFEU.
# Overseas countries and territories (Greenland, New Caledonia, Aruba, ...) are not EU.
EU_TERRITORIES = {
    "AX": "FI",
    "GF": "FR",
    "GP": "FR",
    "MQ": "FR",
    "RE": "FR",
    "YT": "FR",
    "MF": "FR",
}

ADEQUACY_URL = (
    "https://commission.europa.eu/law/law-topic/data-protection/"
    "international-dimension-data-protection/adequacy-decisions_en"
)
# The Commission's adequacy decisions (GDPR art. 45; earlier ones under Directive 95/46/EC
# art. 25(6), kept in force by GDPR art. 45(9) and reaffirmed by the Commission's review
# report of 15 January 2024): country -> (counted as adequate by bestshore, scope,
# decision, date of the decision in force). Checked 2026-12-02. The European Patent
# Organisation's decision (15 July 2025) concerns an international organisation, not a
# country, and has no row.
ADEQUACY: dict[str, tuple[bool, str, str, str]] = {
    "AD": (
        True,
        "whole country",
        "Commission Decision 2010/625/EU of 19 October 2010",
        "2010-10-19",
    ),
    "AR": (True, "whole country", "Commission Decision 2003/490/EC of 30 June 2003", "2003-06-30"),
    "BR": (
        True,
        "controllers and processors subject to the LGPD",
        "Commission Implementing Decision of 26 January 2026 (LGPD)",
        "2026-01-26",
    ),
    "CA": (
        True,
        "commercial organisations (PIPEDA)",
        "Commission Decision 2002/2/EC of 20 December 2001",
        "2001-12-20",
    ),
    "CH": (True, "whole country", "Commission Decision 2000/518/EC of 26 July 2000", "2000-07-26"),
    "FO": (True, "whole country", "Commission Decision 2010/146/EU of 5 March 2010", "2010-03-05"),
    "GB": (
        True,
        "whole country (GDPR and Law Enforcement Directive)",
        "Commission Implementing Decision (EU) 2021/1772 of 28 June 2021, renewed on "
        "19 December 2025 until 27 December 2031",
        "2025-12-19",
    ),
    "GG": (
        True,
        "whole country",
        "Commission Decision 2003/821/EC of 21 November 2003",
        "2003-11-21",
    ),
    "IL": (
        True,
        "whole country",
        "Commission Decision 2011/61/EU of 31 January 2011",
        "2011-01-31",
    ),
    "IM": (True, "whole country", "Commission Decision 2004/411/EC of 28 April 2004", "2004-04-28"),
    "JE": (True, "whole country", "Commission Decision 2008/393/EC of 8 May 2008", "2008-05-08"),
    "JP": (
        True,
        "private sector (APPI)",
        "Commission Implementing Decision (EU) 2019/419 of 23 January 2019",
        "2019-01-23",
    ),
    "KR": (
        True,
        "processing under the PIPA",
        "Commission Implementing Decision (EU) 2022/254 of 17 December 2021",
        "2021-12-17",
    ),
    "NZ": (
        True,
        "whole country",
        "Commission Implementing Decision 2013/65/EU of 19 December 2012",
        "2012-12-19",
    ),
    "US": (
        False,
        "partial: only organisations certified under the EU-US Data Privacy Framework; not "
        "counted as adequate, a US site's data goes under SCC unless the data class allows more",
        "Commission Implementing Decision (EU) 2023/1795 of 10 July 2023",
        "2023-07-10",
    ),
    "UY": (
        True,
        "whole country",
        "Commission Decision 2012/484/EU of 21 August 2012",
        "2012-08-21",
    ),
}

# The capital's zone of each country zone.tab gives several zones (a fact checkable on
# any atlas); Antarctica and the US Minor Outlying Islands have no capital and keep
# zone.tab's first zone.
CAPITAL_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",  # Canberra
    "BR": "America/Sao_Paulo",  # Brasília
    "CA": "America/Toronto",  # Ottawa
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",  # Beijing
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",  # Quito
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",  # Palikir
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",  # Astana
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",  # Wellington
    "PF": "Pacific/Tahiti",  # Papeete
    "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Hebron",  # Ramallah, West Bank
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",  # Washington, D.C.
    "UZ": "Asia/Tashkent",
}

# Uninhabited territories without a tz database zone: the nautical zone of the
# longitude (15-degree bands; POSIX Etc/GMT signs are inverted), at the coordinates
# of the CIA World Factbook (Bouvet 54 26 S, 3 24 E; Heard Island 53 06 S, 72 31 E).
NO_TZ_ZONE = {
    "BV": ("Etc/GMT", -54.433, 3.4, "Bouvet Island (nautical time, UTC+0)"),
    "HM": ("Etc/GMT-5", -53.1, 72.517, "Heard Island (nautical time, UTC+5)"),
}

# Coordinates kept as bestshore shipped them before this table was generated, so that
# distances, maps and reference results do not move: the Philippines' row carried the
# Manila reference point of an older zone.tab (14 35 N, 121 00 E); tzdata 2026 gives
# 14.587, 120.968.
PINNED_COORDINATES = {"PH": (14.583, 121.0)}

COLUMNS = [
    "iso2",
    "iso_numeric",
    "name",
    "timezone",
    "lat",
    "lon",
    "languages",
    "eu_eea",
    "eu_adequacy",
    "agent_cost_eur_per_hour",
    "cost_basis",
    "cost_source",
    "cost_year",
    "languages_source",
    "legal_source",
    "legal_year",
    "annual_hours_per_fte",
    "hours_basis",
    "hours_source",
    "hours_year",
    "timezones",
    "official_languages",
    "eu_member",
    "eu_adequacy_scope",
    "eu_adequacy_decision",
    "eu_adequacy_date",
    "geo_source",
]
SOURCED_COLUMNS = [
    "name",
    "languages",
    "languages_source",
    "agent_cost_eur_per_hour",
    "cost_basis",
    "cost_source",
    "cost_year",
    "annual_hours_per_fte",
    "hours_basis",
    "hours_source",
    "hours_year",
]
ZONE_COLUMNS = ["iso2", "timezone", "lat", "lon", "comment", "main"]


def _degrees(text: str, width: int) -> float:
    """ISO 6709 ``+DDMM``/``+DDMMSS`` (``width`` = 2 for latitude, 3 for longitude)."""
    sign = -1.0 if text[0] == "-" else 1.0
    digits = text[1:]
    value = int(digits[:width]) + int(digits[width : width + 2]) / 60
    if len(digits) > width + 2:
        value += int(digits[width + 2 :]) / 3600
    return round(sign * value, 3)


def _coordinates(text: str) -> tuple[float, float]:
    cut = max(text.rfind("+"), text.rfind("-"))
    lat, lon = text[:cut], text[cut:]
    return _degrees(lat, 2), _degrees(lon, 3)


def zone_tab() -> dict[str, list[dict[str, object]]]:
    """zone.tab of the installed tzdata: country -> its zones in file order."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[dict[str, object]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        lat, lon = _coordinates(fields[1])
        comment = fields[3] if len(fields) > 3 else ""
        zones.setdefault(fields[0], []).append(
            {"timezone": fields[2], "lat": lat, "lon": lon, "comment": comment}
        )
    return zones


def official_languages(code: str) -> list[str]:
    """CLDR official languages of a territory, most spoken first (base language codes)."""
    from babel.core import get_global

    spoken = get_global("territory_languages").get(code, {})
    for wanted in ("official", "de_facto_official"):
        found = [
            (info.get("population_percent") or 0.0, language)
            for language, info in spoken.items()
            if info.get("official_status") == wanted
        ]
        if found:
            ordered = [language.split("_")[0] for _, language in sorted(found, key=lambda p: -p[0])]
            return list(dict.fromkeys(ordered))
    return []


def _read_sourced() -> dict[str, dict[str, str]]:
    with SOURCED.open(encoding="utf-8", newline="") as fh:
        return {row["iso2"]: row for row in csv.DictReader(fh)}


def _number(value: float) -> str:
    return f"{value:.3f}"


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The country rows and the zone rows, as strings ready for CSV."""
    import pycountry

    tab = zone_tab()
    sourced = _read_sourced()
    countries, zones = [], []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        if code in tab:
            listed = tab[code]
            main = CAPITAL_ZONES.get(code, str(listed[0]["timezone"]))
            if main not in {z["timezone"] for z in listed}:
                raise SystemExit(f"{code}: capital zone {main} is not in zone.tab")
            geo = "TZ"
        else:
            zone, lat, lon, comment = NO_TZ_ZONE[code]
            listed = [{"timezone": zone, "lat": lat, "lon": lon, "comment": comment}]
            main, geo = zone, "TZ-NAUT"
        listed = sorted(listed, key=lambda z: z["timezone"] != main)  # main first
        for z in listed:
            zones.append(
                {
                    "iso2": code,
                    "timezone": str(z["timezone"]),
                    "lat": _number(float(z["lat"])),  # type: ignore[arg-type]
                    "lon": _number(float(z["lon"])),  # type: ignore[arg-type]
                    "comment": str(z["comment"]),
                    "main": "true" if z["timezone"] == main else "false",
                }
            )
        lat, lon = PINNED_COORDINATES.get(code, (float(listed[0]["lat"]), float(listed[0]["lon"])))  # type: ignore[arg-type]
        eu_eea = code in EU_MEMBERS or code in EEA_ONLY or code in EU_TERRITORIES
        adequate, scope, decision, date = ADEQUACY.get(code, (False, "", "", ""))
        row = {
            "iso2": code,
            "iso_numeric": str(int(country.numeric)),
            "name": getattr(country, "common_name", country.name),
            "timezone": main,
            "lat": _number(lat),
            "lon": _number(lon),
            "eu_eea": "true" if eu_eea else "false",
            "eu_adequacy": "true" if adequate else "false",
            "legal_source": "EU" if eu_eea else "EC",
            "legal_year": LEGAL_YEAR,
            "timezones": ";".join(str(z["timezone"]) for z in listed),
            "official_languages": ";".join(official_languages(code)),
            "eu_member": "true" if code in EU_MEMBERS else "false",
            "eu_adequacy_scope": scope,
            "eu_adequacy_decision": decision,
            "eu_adequacy_date": date,
            "geo_source": geo,
        }
        extra = sourced.get(code, {})
        for column in SOURCED_COLUMNS:
            if column == "name" and not extra:
                continue
            row[column] = extra.get(column, "")
        countries.append({column: row.get(column, "") for column in COLUMNS})
    unknown = set(sourced) - {r["iso2"] for r in countries}
    if unknown:
        raise SystemExit(f"tools/countries_sourced.csv: unknown codes {sorted(unknown)}")
    return countries, zones


def _csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def versions() -> dict[str, str]:
    """The package versions a build depends on (written beside the tables)."""
    import babel
    import tzdata

    return {
        "pycountry": metadata.version("pycountry"),
        "tzdata": metadata.version("tzdata"),
        "iana_tz": tzdata.IANA_VERSION,
        "babel": babel.__version__,
        "cldr": babel.core.get_cldr_version(),
        "adequacy_list": ADEQUACY_URL,
        "adequacy_list_checked": "2026-12-02",
    }


def outputs() -> dict[Path, str]:
    countries, zones = build()
    return {
        DATA / "countries.csv": _csv(countries, COLUMNS),
        DATA / "zones.csv": _csv(zones, ZONE_COLUMNS),
        DATA / "countries_build.json": json.dumps(versions(), indent=2) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(map(str, stale))} (run tools/build_countries.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
