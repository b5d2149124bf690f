"""Demand through the week and the year: arrival profiles and seasonality.

A call type's weekly volume is spread over the 168 hours of the reference week (market
time) by its arrival profile, restricted to the hours the service must be staffed and
renormalised. The week the plan is sized for is the peak month's by default:

    weekly volume = annual volume x month weight / sum of weights x 12 / WEEKS_PER_YEAR

and ``annual_factor = annual volume / weekly volume``. The year is costed month by month
(:mod:`bestshore.model.months`): a week of month m carries ``month_loads`` times the
sizing week's volume, for ``WEEKS_PER_MONTH`` weeks.
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
    "DAYS_PER_MONTH",
    "WEEKS_PER_MONTH",
    "WEEKS_PER_YEAR",
    "annual_factor",
    "bundled_profiles",
    "default_profile_name",
    "month_loads",
    "month_shares",
    "weekly_profile",
]

WEEKS_PER_YEAR = 365.25 / 7  # 52.18 weeks in an average year
# The year is costed month by month in 12 months of equal length: 365.25 / 12 = 30.44
# days, 4.348 weeks (calendar months differ by up to three days; the seasonality
# weights already say how much of the year's volume each month carries).
DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
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


def month_shares(seasonality: list[float] | None) -> FloatArray:
    """Share of the annual volume falling in each month, January first (12 values, sum 1)."""
    weights = np.ones(12) if seasonality is None else np.asarray(seasonality, dtype=float)
    return weights / weights.sum()


def _sizing_share(seasonality: list[float] | None, sizing: str | int) -> float:
    """Share of the annual volume in the month whose week the plan is sized for."""
    shares = month_shares(seasonality)
    if sizing == "average":
        month_share = 1 / 12
    elif sizing == "peak":
        month_share = float(shares.max())
    else:
        month_share = float(shares[int(sizing) - 1])
    if month_share <= 0:
        raise ValueError(f"the sizing month {sizing} has no volume")
    return month_share


def annual_factor(seasonality: list[float] | None, sizing: str | int) -> float:
    """Annual volume divided by the sizing week's volume [weeks/yr].

    52.18 for a flat year or average sizing; less when sizing for a peak month.
    """
    return WEEKS_PER_YEAR / (12 * _sizing_share(seasonality, sizing))


def month_loads(seasonality: list[float] | None, sizing: str | int) -> FloatArray:
    """A week of each month over the sizing week, in volume (12 ratios, January first).

    A month's weekly volume is the annual volume times its share, spread over its
    :data:`WEEKS_PER_MONTH` weeks; the sizing week's is the sizing month's, so the ratio
    is ``share_m / share_sizing``: 1 in the sizing month, at most 1 in every month when
    sizing for the peak. ``WEEKS_PER_MONTH * sum(month_loads) == annual_factor``.
    """
    return month_shares(seasonality) / _sizing_share(seasonality, sizing)
