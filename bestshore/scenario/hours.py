"""Opening hours: parse the scenario's notation and carry it across time zones.

A week is 168 hours, Monday 00:00 to Sunday 24:00. Hours are parsed at quarter-hour
resolution (every real UTC offset is a multiple of 15 min, India's +05:30 included) and
converted to the market's time on a concrete *reference week* (``settings.reference_week``),
so daylight-saving time is whatever the tz database says for that week. A market hour
counts as covered by a site only when all four of its quarters are open at the site.

Notation: ``"24/7"``, or a mapping of day ranges to windows::

    hours:
      mon-fri: "08:00-20:00"
      sat: ["09:00-12:00", "14:00-18:00"]
      sun: closed

Day keys: ``mon`` .. ``sun``, ranges ``mon-fri``, lists ``sat,sun``, or ``daily``. A window
whose end is earlier than its start runs past midnight into the next day ("22:00-06:00").
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAYS",
    "HOURS_PER_WEEK",
    "HoursError",
    "covered_market_hours",
    "describe_hours",
    "hour_label",
    "hour_ranges",
    "local_clock",
    "parse_hours",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_WEEK = 168
_QUARTERS_PER_WEEK = HOURS_PER_WEEK * 4
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

BoolArray = npt.NDArray[np.bool_]


class HoursError(ValueError):
    """An opening-hours spec that cannot be read; the message says what and how to fix it."""


def _days(key: str) -> list[int]:
    key = key.strip().lower()
    if key in ("daily", "mon-sun", "all"):
        return list(range(7))
    days: list[int] = []
    for part in key.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                raise HoursError(f"unknown day range {part!r} (use mon..sun, e.g. 'mon-fri')")
            a, b = DAYS.index(first), DAYS.index(last)
            if b < a:
                raise HoursError(f"day range {part!r} runs backwards (write e.g. 'mon-fri')")
            days.extend(range(a, b + 1))
        elif part in DAYS:
            days.append(DAYS.index(part))
        else:
            raise HoursError(f"unknown day {part!r} (use mon, tue, wed, thu, fri, sat, sun)")
    return days


def _minutes(hh: str, mm: str, window: str) -> int:
    hour, minute = int(hh), int(mm)
    if minute % 15 or minute >= 60 or hour > 24 or (hour == 24 and minute):
        raise HoursError(
            f"time in {window!r} must be HH:MM with minutes 00, 15, 30 or 45, up to 24:00"
        )
    return hour * 60 + minute


def _window_quarters(day: int, window: str) -> range:
    match = _WINDOW.match(window.strip())
    if not match:
        raise HoursError(f"window {window!r} must look like '08:00-20:00'")
    start = _minutes(match[1], match[2], window)
    end = _minutes(match[3], match[4], window)
    if start == end:
        raise HoursError(f"window {window!r} is empty (start equals end)")
    if end < start:  # runs past midnight
        end += 24 * 60
    offset = day * 24 * 4
    return range(offset + start // 15, offset + end // 15)


def parse_hours(spec: str | dict[str, str | list[str]]) -> BoolArray:
    """Quarter-hours of the week that are open, in the owner's local time.

    Parameters
    ----------
    spec : str or dict
        ``"24/7"`` or a mapping of day keys to windows (see the module docstring).

    Returns
    -------
    numpy.ndarray of bool, shape (672,)
        ``True`` for each open quarter-hour, Monday 00:00 first.

    Raises
    ------
    HoursError
        On unknown days, malformed or empty windows, a day given twice, or windows
        that overlap.
    """
    if isinstance(spec, str):
        key: Any = spec
    else:
        key = tuple(
            (k, v if isinstance(v, str) else tuple(v)) for k, v in spec.items()
        )  # hashable: the checker parses the same few specs thousands of times
    return _parse_hours(key).copy()


@functools.lru_cache(maxsize=1024)
def _parse_hours(key: Any) -> BoolArray:
    spec = (
        key if isinstance(key, str) else {k: v if isinstance(v, str) else list(v) for k, v in key}
    )
    open_quarters = np.zeros(_QUARTERS_PER_WEEK, dtype=bool)
    if isinstance(spec, str):
        if spec.strip().lower() in ("24/7", "24x7"):
            open_quarters[:] = True
            return open_quarters
        raise HoursError(
            f"hours {spec!r} must be '24/7' or a mapping like {{mon-fri: 08:00-20:00}}"
        )
    if not spec:
        raise HoursError("hours must not be empty (use '24/7' or a mapping of days to windows)")
    seen_days: set[int] = set()
    for key, windows in spec.items():
        days = _days(str(key))
        twice = seen_days.intersection(days)
        if twice:
            raise HoursError(f"{DAYS[min(twice)]} is given twice (in {key!r} and another key)")
        seen_days.update(days)
        if isinstance(windows, str) and windows.strip().lower() == "closed":
            continue
        window_list = [windows] if isinstance(windows, str) else list(windows)
        for day in days:
            for window in window_list:
                if not isinstance(window, str):
                    raise HoursError(f"window {window!r} must be a string like '08:00-20:00'")
                quarters = np.arange(_QUARTERS_PER_WEEK * 2)[_window_quarters(day, window)]
                quarters %= _QUARTERS_PER_WEEK  # Sunday night wraps to Monday morning
                if open_quarters[quarters].any():
                    raise HoursError(f"window {window!r} on {DAYS[day]} overlaps another window")
                open_quarters[quarters] = True
    return open_quarters


def covered_market_hours(
    local_open: BoolArray, local_zone: str, market_zone: str, reference_week: dt.date
) -> BoolArray:
    """Market-time hours of the reference week that a site covers entirely.

    Parameters
    ----------
    local_open : numpy.ndarray of bool, shape (672,)
        Open quarter-hours in the site's local time (from :func:`parse_hours`).
    local_zone, market_zone : str
        IANA time zones of the site and of the market.
    reference_week : datetime.date
        Monday of the week whose UTC offsets apply.

    Returns
    -------
    numpy.ndarray of bool, shape (168,)
        ``covered[h]`` is True when market hour ``h`` (Monday 00:00 market time = 0) is
        open at the site for all of its 60 minutes. The week wraps around: Sunday late
        evening at the site may be Monday early morning in the market.
    """
    market_open = np.zeros(_QUARTERS_PER_WEEK, dtype=bool)
    market_open[_market_quarter(local_zone, market_zone, reference_week)[local_open]] = True
    return market_open.reshape(HOURS_PER_WEEK, 4).all(axis=1)


@functools.lru_cache(maxsize=256)
def _market_quarter(local_zone: str, market_zone: str, reference_week: dt.date) -> np.ndarray:
    """Market quarter-hour of the week for each local quarter-hour (cached per zone pair:
    many sites share a country, and time-zone arithmetic is slow in Python)."""
    site_tz, market_tz = ZoneInfo(local_zone), ZoneInfo(market_zone)
    monday = dt.datetime.combine(reference_week, dt.time(0))
    market_monday = monday.replace(tzinfo=market_tz)
    quarters = np.empty(_QUARTERS_PER_WEEK, dtype=np.int64)
    for quarter in range(_QUARTERS_PER_WEEK):
        local_time = (monday + dt.timedelta(minutes=15 * quarter)).replace(tzinfo=site_tz)
        elapsed = local_time.astimezone(market_tz) - market_monday
        quarters[quarter] = int(elapsed.total_seconds() // 900) % _QUARTERS_PER_WEEK
    quarters.setflags(write=False)
    return quarters


def describe_hours(hours: BoolArray) -> str:
    """Short human text for a 168-hour mask, e.g. '24/7' or '60 h/week'."""
    count = int(hours.sum())
    return "24/7" if count == HOURS_PER_WEEK else f"{count} h/week"


def local_clock(
    local_zone: str, market_zone: str, reference_week: dt.date
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Local weekday (0 = Monday) and hour at the middle of each market hour of the week.

    Used to price night and weekend hours at a site (local time decides the pay).
    """
    days, hours = _local_clock(local_zone, market_zone, reference_week)
    return days.copy(), hours.copy()


@functools.lru_cache(maxsize=256)
def _local_clock(
    local_zone: str, market_zone: str, reference_week: dt.date
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    site_tz, market_tz = ZoneInfo(local_zone), ZoneInfo(market_zone)
    monday = dt.datetime.combine(reference_week, dt.time(0))
    days = np.empty(HOURS_PER_WEEK, dtype=np.int64)
    hours = np.empty(HOURS_PER_WEEK, dtype=np.int64)
    for h in range(HOURS_PER_WEEK):
        middle = (monday + dt.timedelta(hours=h, minutes=30)).replace(tzinfo=market_tz)
        local = middle.astimezone(site_tz)
        days[h], hours[h] = local.weekday(), local.hour
    return days, hours


def hour_label(hour: int) -> str:
    """Market hour of the week -> 'Mon 02:00'."""
    day, clock = divmod(int(hour), 24)
    return f"{DAYS[day].capitalize()} {clock:02d}:00"


def hour_ranges(hours: list[int], limit: int = 3) -> str:
    """Hours of the week as ranges: 'Mon 09:00-12:00, Tue 10:00-11:00 and 2 more'."""
    ranges: list[tuple[int, int]] = []
    for hour in sorted(hours):
        if ranges and hour == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], hour)
        else:
            ranges.append((hour, hour))
    text = ", ".join(f"{hour_label(a)}-{(b + 1) % 24:02d}:00" for a, b in ranges[:limit])
    return text + (f" and {len(ranges) - limit} more" if len(ranges) > limit else "")
