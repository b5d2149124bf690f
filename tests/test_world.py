"""Every ISO 3166-1 country in the bundled data (issue 14, "the world's countries").

The reference lists below are written out here, independently of
``tools/build_countries.py``, so that a slip in either shows.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pycountry
import pytest
import yaml
from typer.testing import CliRunner

import bestshore
from bestshore.cli import app
from bestshore.model.inputs import jurisdiction_of, prepare_inputs, shore_of
from bestshore.scenario import ScenarioError, parse_scenario
from bestshore.scenario.reference import countries, country_zones
from bestshore.scenario.schema import Jurisdiction

ROOT = Path(__file__).resolve().parent.parent
WINTER, SUMMER = dt.date(2026, 1, 12), dt.date(2026, 7, 13)

# European Union member states, 2026 (european-union.europa.eu), in EU protocol order.
EU_27 = {
    "BE", "BG", "CZ", "DK", "DE", "EE", "IE", "GR", "ES", "FR", "HR", "IT", "CY", "LV",
    "LT", "LU", "HU", "MT", "NL", "AT", "PL", "PT", "RO", "SI", "SK", "FI", "SE",
}  # fmt: skip
# Commission adequacy decisions in force (commission.europa.eu, adequacy decisions page,
# and the Official Journal): code -> date of the decision in force.
ADEQUATE = {
    "AD": "2010-10-19",  # Andorra, 2010/625/EU
    "AR": "2003-06-30",  # Argentina, 2003/490/EC
    "BR": "2026-01-26",  # Brazil, adopted 26 January 2026
    "CA": "2001-12-20",  # Canada (commercial organisations), 2002/2/EC
    "CH": "2000-07-26",  # Switzerland, 2000/518/EC
    "FO": "2010-03-05",  # Faroe Islands, 2010/146/EU
    "GB": "2025-12-19",  # United Kingdom, (EU) 2021/1772 renewed 19 December 2025
    "GG": "2003-11-21",  # Guernsey, 2003/821/EC
    "IL": "2011-01-31",  # Israel, 2011/61/EU
    "IM": "2004-04-28",  # Isle of Man, 2004/411/EC
    "JE": "2008-05-08",  # Jersey, 2008/393/EC
    "JP": "2019-01-23",  # Japan, (EU) 2019/419
    "KR": "2021-12-17",  # Republic of Korea, (EU) 2022/254
    "NZ": "2012-12-19",  # New Zealand, 2013/65/EU
    "UY": "2012-08-21",  # Uruguay, 2012/484/EU
}
# The EU-US Data Privacy Framework ((EU) 2023/1795, 10 July 2023) covers certified
# organisations only: recorded, not counted as adequate.
PARTIAL = {"US": "2023-07-10"}


def test_every_iso_country_has_a_name_and_a_valid_time_zone() -> None:
    table = countries()
    iso = {c.alpha_2 for c in pycountry.countries}
    assert len(iso) == 249 and set(table.index) == iso
    zones = available_timezones()
    for code, row in table.iterrows():
        assert isinstance(row["name"], str) and row["name"].strip(), code
        assert row["timezones"] and row["timezones"][0] == row["timezone"], code
        for zone in row["timezones"]:
            assert zone in zones, (code, zone)
            ZoneInfo(zone)  # loads
        assert -90 <= row["lat"] <= 90 and -180 <= row["lon"] <= 180, code
        assert list(country_zones(str(code))["timezone"]) == row["timezones"], code
        assert str(row["iso_numeric"]).isdigit()
    assert table.at["US", "timezone"] == "America/New_York"  # the capital's zone
    assert {"America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"} <= set(
        table.at["US", "timezones"]
    )
    assert table.at["MX", "timezone"] == "America/Mexico_City"
    assert table.at["RU", "timezone"] == "Europe/Moscow"
    assert table.at["CA", "timezone"] == "America/Toronto"


def test_official_languages_come_from_cldr() -> None:
    table = countries()
    assert table.at["US", "official_languages"] == ["en"]  # de facto
    assert table.at["MX", "official_languages"] == ["es"]
    assert set(table.at["CH", "official_languages"]) == {"de", "fr", "it"}
    assert set(table.at["IN", "official_languages"]) == {"hi", "en"}
    assert set(table.at["PH", "official_languages"]) == {"en", "fil"}
    assert set(table.at["BE", "official_languages"]) == {"nl", "fr", "de"}
    assert sum(bool(v) for v in table["official_languages"]) >= 240


def test_eu_members_are_the_27_and_eea_adds_three_and_the_outermost_regions() -> None:
    table = countries()
    assert set(table.index[table["eu_member"]]) == EU_27
    eea = set(table.index[table["eu_eea"]])
    assert eea == EU_27 | {"IS", "LI", "NO"} | {"AX", "GF", "GP", "MQ", "RE", "YT", "MF"}
    assert not table.loc[["GL", "NC", "PF", "AW", "CW", "SJ", "GI", "CH", "GB"], "eu_eea"].any()


def test_adequacy_list_matches_the_commissions() -> None:
    table = countries()
    assert set(table.index[table["eu_adequacy"]]) == set(ADEQUATE)
    for code, date in (ADEQUATE | PARTIAL).items():
        assert table.at[code, "eu_adequacy_date"] == date, code
        assert table.at[code, "eu_adequacy_decision"], code
    assert table.at["US", "eu_adequacy_scope"].startswith("partial")
    assert "commercial" in table.at["CA", "eu_adequacy_scope"]
    dated = set(table.index[table["eu_adequacy_date"].notna()])
    assert dated == set(ADEQUATE) | set(PARTIAL)
    # In the model: an adequate country holds `adequacy`, the US only SCC.
    assert Jurisdiction.ADEQUACY in jurisdiction_of("FR", "CH")
    assert Jurisdiction.ADEQUACY in jurisdiction_of("FR", "JP")
    assert Jurisdiction.ADEQUACY not in jurisdiction_of("FR", "US")
    assert Jurisdiction.EU_EEA in jurisdiction_of("FR", "NO")
    assert Jurisdiction.EU_EEA in jurisdiction_of("FR", "RE")  # Réunion is in the EU
    assert Jurisdiction.EU_EEA not in jurisdiction_of("FR", "CH")
    assert jurisdiction_of("FR", "PH") == {Jurisdiction.ANY, Jurisdiction.SCC}


def test_sources_name_the_adequacy_list_and_its_date() -> None:
    sources = (ROOT / "bestshore/data/SOURCES.md").read_text(encoding="utf-8")
    build = json.loads((ROOT / "bestshore/data/countries_build.json").read_text())
    assert build["adequacy_list"] in sources
    assert build["adequacy_list_checked"] in sources
    assert "countries_sourced.csv" in sources and "tools/build_countries.py" in sources


def test_only_the_sourced_rows_carry_figures() -> None:
    table = countries()
    sourced = table[table["languages_source"].notna()]
    assert len(sourced) == 27
    others = table.drop(index=sourced.index)
    figures = ["agent_cost_eur_per_hour", "cost_source", "annual_hours_per_fte", "hours_source"]
    assert others[figures].isna().all().all()
    assert (others["languages"].str.len() == 0).all()
    assert table.at["FR", "agent_cost_eur_per_hour"] == 35.0  # unchanged
    assert table.at["PH", "agent_cost_eur_per_hour"] == 3.35
    assert table.at["MA", "annual_hours_per_fte"] == 2023


def test_shipped_tables_are_what_the_build_script_writes() -> None:
    pytest.importorskip("babel")
    pytest.importorskip("tzdata")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_countries
    finally:
        sys.path.remove(str(ROOT / "tools"))
    recorded = json.loads((ROOT / "bestshore/data/countries_build.json").read_text())
    installed = build_countries.versions()
    for package in ("pycountry", "tzdata", "babel"):
        if recorded[package] != installed[package]:
            pytest.skip(
                f"{package} {installed[package]} installed, data built with {recorded[package]}"
            )
    for path, text in build_countries.outputs().items():
        assert path.read_text(encoding="utf-8") == text, path.name


@pytest.mark.parametrize("week", [WINTER, SUMMER], ids=["winter", "summer"])
def test_shores_from_any_market(week: dt.date) -> None:
    assert shore_of("US", "US", week) == "inshore"
    assert shore_of("US", "MX", week) == "nearshore"  # Tijuana / Los Angeles
    assert shore_of("US", "CA", week) == "nearshore"
    assert shore_of("US", "PH", week) == "offshore"
    assert shore_of("US", "IN", week) == "offshore"
    assert shore_of("US", "CO", week, {"CO": "nearshore"}) == "nearshore"
    assert shore_of("CH", "PT", week) == "nearshore"
    assert shore_of("CH", "IN", week) == "offshore"
    assert shore_of("DE", "PL", week) == "nearshore"
    assert shore_of("AU", "NZ", week) == "nearshore"
    assert shore_of("AU", "PH", week) == "offshore"  # 3 h behind Sydney
    assert shore_of("FR", "EG", week) == "offshore"  # one zone each: as before
    assert shore_of("FR", "MA", week) == "nearshore"


def us_scenario() -> dict[str, Any]:
    """A US market (English, some Spanish) served from Mexico, the Philippines and India.

    None of the three countries has a bundled figure for USD prices or annual hours, so
    each site gives its own (scenario assumptions, not reference data).
    """
    return {
        "name": "us-three-shores",
        "market": {"country": "US", "currency": "USD", "timezone": "America/New_York"},
        "call_types": [
            {
                "id": "care",
                "level": "N1",
                "volume": 200000,
                "aht_seconds": 360,
                "languages": {"en": 0.85, "es": 0.15},
                "hours": {"mon-fri": "09:00-18:00"},
            }
        ],
        "sites": [
            {
                "id": "mexico-city",
                "country": "MX",
                "city": "Mexico City",
                "languages": {"es": "native", "en": "C1"},
                "capacity_fte": 200,
                "cost_per_hour": 16.0,
                "annual_hours_per_fte": 2000,
                "hours": {"daily": "00:00-24:00"},
            },
            {
                "id": "manila",
                "country": "PH",
                "city": "Manila",
                "languages": {"en": "C2"},
                "capacity_fte": 200,
                "cost_per_hour": 12.0,
                "annual_hours_per_fte": 2000,
                "hours": {"daily": "00:00-24:00"},
            },
            {
                "id": "bengaluru",
                "country": "IN",
                "city": "Bengaluru",
                "languages": {"en": "C1"},
                "capacity_fte": 200,
                "cost_per_hour": 10.0,
                "annual_hours_per_fte": 2000,
                "hours": {"daily": "00:00-24:00"},
            },
        ],
    }


def _check_us_result(result: bestshore.Result) -> None:
    assert result.currency == "USD"
    shores = result.sites.set_index("site")["shore"]
    assert shores.to_dict() == {
        "bengaluru": "offshore",
        "manila": "offshore",
        "mexico-city": "nearshore",
    }
    spanish = result.allocation[result.allocation["language"] == "es"]
    assert set(spanish.loc[spanish["fte"] > 0, "site"]) == {"mexico-city"}  # only Spanish site
    english = result.allocation[result.allocation["language"] == "en"]
    # English goes to the cheapest English site, Bengaluru, which has room for it all.
    assert set(english.loc[english["fte"] > 1e-6, "site"]) == {"bengaluru"}
    # By hand: 200,000 contacts x 360 s = 20,000 handle hours a year, 85 % English at
    # 10 USD/h in Bengaluru, 15 % Spanish at 16 USD/h in Mexico City, each productive
    # hour holding 0.85 handle hours (the default occupancy): 256,470.59 USD a year.
    assert result.total_cost == pytest.approx((17_000 * 10 + 3_000 * 16) / 0.85, rel=1e-9)


def test_us_scenario_solves_with_the_api() -> None:
    scenario = parse_scenario(us_scenario())
    inputs = prepare_inputs(scenario)
    assert inputs.market["timezone"] == "America/New_York"
    assert inputs.sites.loc["manila", "timezone"] == "Asia/Manila"  # the country's zone
    result = bestshore.solve(scenario)
    assert result.status == "optimal"
    assert bestshore.verify(scenario, result) == []
    _check_us_result(result)


def test_us_scenario_validates_and_solves_with_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "us.yaml"
    path.write_text(yaml.safe_dump(us_scenario(), sort_keys=False), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["validate", str(path)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["solve", str(path), "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["status"] == "optimal" and doc["currency"] == "USD"
    api = bestshore.solve(parse_scenario(us_scenario()))
    assert doc["total_cost"] == pytest.approx(api.total_cost)


def test_swiss_market_with_a_portuguese_site_is_nearshore() -> None:
    data = us_scenario() | {"market": {"country": "CH", "currency": "CHF"}}
    data["call_types"][0]["languages"] = {"de": 1.0}
    data["sites"] = [
        {
            "id": "lisbon",
            "country": "PT",
            "city": "Lisbon",
            "languages": {"de": "C1"},
            "capacity_fte": 100,
            "cost_per_hour": 30.0,
        }
    ]
    inputs = prepare_inputs(parse_scenario(data))
    assert inputs.sites.loc["lisbon", "shore"] == "nearshore"
    assert inputs.market["timezone"] == "Europe/Zurich"


def test_site_without_a_price_where_none_is_bundled_gets_one_line() -> None:
    data = us_scenario()
    data["market"]["currency"] = "EUR"  # so only the missing figure can stop it
    del data["sites"][0]["cost_per_hour"]  # Mexico: no indicative cost bundled
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("<scenario> sites[0].cost_per_hour: ")  # source, then field
    assert "site 'mexico-city' is in Mexico (MX)" in message
    assert "no indicative cost" in message and "give the site's cost_per_hour [EUR/h]" in message


def test_indicative_cost_in_eur_does_not_price_a_usd_market() -> None:
    data = us_scenario()
    del data["sites"][1]["cost_per_hour"]  # the Philippines has one, but in EUR
    expected = r"site 'manila' is in Philippines \(PH\), whose indicative cost is in EUR, not the market's USD"
    with pytest.raises(ScenarioError, match=expected):
        parse_scenario(data)


def test_cli_names_the_missing_price_in_one_line(tmp_path: Path) -> None:
    data = us_scenario()
    del data["sites"][2]["cost_per_hour"]
    path = tmp_path / "no-price.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bestshore.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "no-price.yaml" in proc.stderr and "sites[2].cost_per_hour" in proc.stderr
    assert "site 'bengaluru' is in India (IN)" in proc.stderr


def test_unknown_country_names_the_code_in_one_line() -> None:
    data = us_scenario()
    data["sites"][0]["country"] = "XK"  # Kosovo: user-assigned, not in ISO 3166-1
    with pytest.raises(
        ScenarioError,
        match=r"^<scenario> sites\[0\]\.country: unknown country 'XK': not an ISO 3166-1",
    ):
        parse_scenario(data)
