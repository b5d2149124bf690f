"""Bundled reference data: countries, their time zones, languages, legal status and hours.

Every figure carries its source and year in ``bestshore/data/countries.csv``; the source
keys are explained in ``bestshore/data/SOURCES.md``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

import pandas as pd
import pycountry

__all__ = [
    "countries",
    "country_annual_hours",
    "great_circle_km",
    "is_language_code",
    "language_name",
]


@lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    with resources.files("bestshore.data").joinpath("countries.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(
            fh, keep_default_na=False, na_values=[""], dtype={"cost_year": str, "hours_year": str}
        )
    table["languages"] = table["languages"].str.split(";")
    return table.set_index("iso2")


def countries() -> pd.DataFrame:
    """The bundled country table, indexed by ISO 3166-1 alpha-2 code (a copy).

    Columns: ``iso_numeric``, ``name``, ``timezone`` (IANA), ``lat``/``lon`` [deg],
    ``languages`` (list of ISO 639-1), ``eu_eea`` and ``eu_adequacy`` (bool),
    ``agent_cost_eur_per_hour`` [EUR/h, indicative, see ``cost_basis``],
    ``annual_hours_per_fte`` [h/FTE/yr, contractual paid hours under the statutory
    minimums, see ``hours_basis``; NaN where unsourced], and the ``*_source`` /
    ``*_year`` columns.
    """
    return _countries().copy()


def country_annual_hours(code: str) -> float | None:
    """Bundled contractual paid hours per FTE a year in a country [h/FTE/yr].

    ``weekly hours x 52.18 - (leave days + public holidays) x weekly hours / 5`` from the
    country's statutory figures, or the annual figure its law states (France: 1,607 h);
    see ``bestshore/data/SOURCES.md``. None for a country without a sourced figure.
    """
    value = _countries().at[code, "annual_hours_per_fte"]
    return None if pd.isna(value) else float(value)


def is_language_code(code: str) -> bool:
    """True for an ISO 639-1 two-letter language code."""
    return pycountry.languages.get(alpha_2=code) is not None


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language is not None else code


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of radius 6371 km [km]."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
