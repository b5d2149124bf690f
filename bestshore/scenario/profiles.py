"""Demand through the week and the year: arrival profiles and seasonality.

A call type's weekly volume is spread over the 168 hours of the reference week (market
time) by its arrival profile, restricted to the hours the service must be staffed and
renormalised. The week the plan is sized for is the peak month's by default:

    weekly volume = annual volume x month weight / sum of weights x 12 / WEEKS_PER_YEAR

and annual figures are that week's times ``annual_factor = annual volume / weekly
volume`` (costs proportional to volume across the year).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from bestshore.scenario.hours import HOURS_PER_WEEK, parse_hours
from bestshore.scenario.schema import CallType, Level

__all__ = [
    "BUNDLED_PROFILES",
    "WEEKS_PER_YEAR",
    "annual_factor",
    "bundled_profiles",
    "default_profile_name",
    "weekly_profile",
]

WEEKS_PER_YEAR = 365.25 / 7  # 52.18 weeks in an average year
FloatArray = npt.NDArray[np.float64]


@lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    path = resources.files("bestshore.data").joinpath("profiles/weekly.csv")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#").set_index("hour")


def bundled_profiles() -> pd.DataFrame:
    """The bundled weekly profiles: one column per name, 168 rows, each column sums to 1."""
    return _bundled().drop(columns=["day", "time"]).copy()


BUNDLED_PROFILES = ("n1_voice", "n2", "back_office", "multilingual_24_7", "flat")


def default_profile_name(call_type: CallType) -> str:
    """The bundled profile used when a call type gives none."""
    if call_type.level == Level.MULTILINGUAL:
        return "multilingual_24_7"
    if call_type.level == Level.N2:
        return "n2"
    if call_type.level == Level.BACK_OFFICE or not call_type.real_time:
        return "back_office"
    return "n1_voice"


def required_hours(call_type: CallType) -> npt.NDArray[np.bool_]:
    """Market hours (168) in which any part of the hour must be staffed."""
    return parse_hours(call_type.hours).reshape(HOURS_PER_WEEK, 4).any(axis=1)


def weekly_profile(call_type: CallType) -> FloatArray:
    """Share of the weekly volume arriving in each market hour (168 values summing to 1).

    Raises
    ------
    ValueError
        When the profile puts no weight on any hour the service is open, or has the wrong
        length.
    """
    spec = call_type.arrival_profile
    if spec is None:
        spec = default_profile_name(call_type)
    if isinstance(spec, str):
        if spec not in BUNDLED_PROFILES:
            raise ValueError(
                f"unknown profile {spec!r}: use one of {', '.join(BUNDLED_PROFILES)}, "
                "168 numbers, or a .csv file"
            )
        weights = _bundled()[spec].to_numpy(dtype=float)
    else:
        if len(spec) != HOURS_PER_WEEK:
            raise ValueError(f"must have 168 hourly weights, got {len(spec)}")
        weights = np.asarray(spec, dtype=float)
    weights = np.where(required_hours(call_type), weights, 0.0)
    total = weights.sum()
    if total <= 0:
        raise ValueError("the profile puts no volume in any hour the service is open")
    return weights / total


def annual_factor(seasonality: list[float] | None, sizing: str | int) -> float:
    """Annual volume divided by the sizing week's volume [weeks/yr].

    52.18 for a flat year or average sizing; less when sizing for a peak month.
    """
    weights = np.ones(12) if seasonality is None else np.asarray(seasonality, dtype=float)
    shares = weights / weights.sum()
    if sizing == "average":
        month_share = 1 / 12
    elif sizing == "peak":
        month_share = float(shares.max())
    else:
        month_share = float(shares[int(sizing) - 1])
    if month_share <= 0:
        raise ValueError(f"the sizing month {sizing} has no volume")
    return WEEKS_PER_YEAR / (12 * month_share)
