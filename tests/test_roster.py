"""Whole shifts inside opening hours: hand-checked rosters (bestshore.model.roster).

The tiny scenario (bestshore.examples.tiny) with a flat arrival profile: 3,000 h of French
N1 a year over Monday-Friday 09:00-17:00, 40 hours a week, so each hour carries
3,000 / 52.18 / 40 = 1.44 Erlangs. Occupancy 1 and workload sizing: whole agents per
hour = 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import tiny

import bestshore
from bestshore.model import prepare_inputs
from bestshore.model.roster import shift_patterns
from bestshore.scenario import parse_scenario
from bestshore.scenario.hours import HOURS_PER_WEEK
from bestshore.scenario.schema import Roster

WEEKS = 365.25 / 7


def rostered(**roster: Any) -> dict[str, Any]:
    data = tiny()
    data["call_types"][0]["arrival_profile"] = "flat"
    data["settings"]["roster"] = roster
    return data


def _open(*windows: tuple[int, int]) -> np.ndarray:
    """Market hours open: (first hour, last hour + 1) on each weekday Monday-Friday."""
    hours = np.zeros(HOURS_PER_WEEK, dtype=bool)
    for day in range(5):
        for first, end in windows:
            hours[day * 24 + first : day * 24 + end] = True
    return hours


def test_shift_patterns_fit_wholly_inside_opening_hours() -> None:
    # 09:00-17:00: an 8 h shift starts at 09:00 only, a 6 h one at 09-11, a 4 h one at 09-13.
    patterns = shift_patterns(_open((9, 17)), Roster(shift_hours=[4, 6, 8]))
    per_day = patterns.groupby("length_hours").size() / 5
    assert per_day.to_dict() == {4: 5, 6: 3, 8: 1}
    # Every shift's hours are open; a 3 h window holds no 4 h shift.
    assert shift_patterns(_open((9, 12)), Roster(shift_hours=[4])).empty
    # Starts every 2 hours: 09:00 doesn't qualify on the even grid, 10:00 does.
    even = shift_patterns(_open((9, 17)), Roster(shift_hours=[4], start_every_hours=2))
    assert sorted(set(even["start_hour"] % 24)) == [10, 12]


def test_whole_agents_on_whole_shifts_cost_their_paid_hours() -> None:
    # All work in Paris (Rabat off): 2 whole agents on one 8 h shift each weekday,
    # 80 paid hours a week at 30 EUR/h, though only 57.5 are worked.
    data = rostered(shift_hours=[4, 6, 8])
    data["sites"] = data["sites"][:1]
    result = bestshore.solve(parse_scenario(data))
    assert result.total_cost == pytest.approx(2 * 40 * WEEKS * 30, rel=1e-9)
    shifts = result.shifts
    assert set(shifts["length_hours"]) == {8} and set(shifts["agents"]) == {2}
    assert shifts["paid_hours"].sum() == pytest.approx(80)
    assert list(shifts["local_start"]) == [9] * 5  # Paris is the market's zone


def test_a_window_shorter_than_the_shortest_shift_takes_no_work() -> None:
    # Rabat (15 EUR/h) is open 09:00-12:00 on weekdays: no 4 h shift fits there, so all
    # the work goes to Paris (30 EUR/h), as if Rabat were closed. (Its Saturday window
    # keeps the roster valid.)
    data = rostered(shift_hours=[4, 8])
    data["sites"][1]["hours"] = {"mon-fri": "09:00-12:00", "sat": "09:00-17:00"}
    result = bestshore.solve(parse_scenario(data))
    assert set(result.allocation["site"]) == {"paris"}
    assert result.total_cost == pytest.approx(2 * 40 * WEEKS * 30, rel=1e-9)


def test_deferred_work_fills_idle_shift_hours() -> None:
    # E-mail work of 10 h a week fits in Paris's 22.5 idle hours: same shifts, same cost.
    data = rostered(shift_hours=[8])
    data["sites"] = data["sites"][:1]
    mails = round(10 * WEEKS * 12)  # 10 h a week at 300 s each
    data["call_types"].append(
        {
            "id": "mail", "level": "N1", "channel": "email",
            "volume": mails, "aht_seconds": 300,
            "languages": {"fr": 1.0}, "hours": {"mon-fri": "09:00-17:00"},
        }
    )  # fmt: skip
    result = bestshore.solve(parse_scenario(data))
    assert result.total_cost == pytest.approx(2 * 40 * WEEKS * 30, rel=1e-6)
    assert result.shifts["paid_hours"].sum() == pytest.approx(80)
    idle = result.coverage.groupby("site")["idle"].sum()
    assert idle["paris"] == pytest.approx(80 - 3000 / WEEKS - mails * 300 / 3600 / WEEKS)


def test_a_roster_no_window_can_hold_is_a_located_error() -> None:
    data = rostered(shift_hours=[10])  # Paris opens 09:00-17:00 only
    data["sites"][0]["hours"] = {"mon-fri": "09:00-17:00"}
    with pytest.raises(bestshore.ScenarioError) as caught:
        parse_scenario(data)
    message = str(caught.value)
    assert "\n" not in message
    assert "sites[0].hours" in message or "sites.0.hours" in message, message
    assert "longest opening window is 8 h, shorter than its shortest shift (10 h" in message


def test_every_rostered_hour_has_its_whole_agents_on_shift() -> None:
    data = rostered(shift_hours=[4, 6, 8], max_part_time_share=0.5)
    data["sites"][1]["capacity_hours"] = 2000  # Rabat fills, Paris takes the rest
    result = bestshore.solve(parse_scenario(data))
    inputs = prepare_inputs(parse_scenario(data))
    shifts = result.shifts
    on_shift = np.zeros((2, HOURS_PER_WEEK))
    sites = ["paris", "rabat"]
    for row in shifts.itertuples():
        hours = (row.start_hour + np.arange(row.length_hours)) % HOURS_PER_WEEK
        assert inputs.open_hours.loc[row.site].to_numpy()[hours].all(), row
        on_shift[sites.index(row.site), hours] += row.agents
    staffing = result.staffing[result.staffing["hour"] >= 0]
    need = staffing.groupby(["site", "hour"])["roster_agents"].sum()
    for (site, hour), agents in need.items():
        assert on_shift[sites.index(site), hour] >= agents - 1e-9, (site, hour)
    # Part-time shifts at most half of the shifts at each site.
    for _, table in shifts.groupby("site"):
        part = table[table["length_hours"] < 8]["agents"].sum()
        assert part <= 0.5 * table["agents"].sum() + 1e-9
    # Capacity on paid hours: Rabat's 2,000 h a year.
    paid = shifts.groupby("site")["paid_hours"].sum()
    assert paid.get("rabat", 0.0) <= 2000 / WEEKS + 1e-6
