"""What limits the plan, ranked by money: the binding limits and what relaxing each saves.

Reads ``Result.constraints`` (one row per limit with its LP dual, see
:class:`bestshore.result.Result`) and says, for each limit the plan is held by, what one
more unit of it would save a year, in the unit a client buys:

- a **site's capacity**: one more FTE of capacity, that is the site's productive hours a
  week per FTE times the capacity dual [currency/yr per productive h/week]. A capacity
  row with a dual is full in the LP (its linear staffing estimate and the rounding room
  the solve's rounds hold back fill it) even when the exact staffing leaves some spare;
- **seats**: one more seat (one more agent logged in) over one day's run of full hours,
  the sum of the seat-hour duals [currency/yr per agent] of that run. Seat-hours are
  grouped by site, day and contiguous hours ("Mon 10:00-14:00"), never one line an hour;
- **other rules** (vendor caps, share caps, quality floors, commitments...): one more
  unit of the row's own bound (each family's ``dual_unit``).

Lines are ranked by that saving, largest first. A binding limit with no dual (a MILP
plan prices none, or the LP has another way round it) comes after every priced one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from bestshore.result import Result
from bestshore.scenario.hours import DAYS

__all__ = ["LIMIT_COLUMNS", "day_ranges", "display_names", "limits_by_money"]

LIMIT_COLUMNS = ["family", "subject", "when", "unit", "saving", "message"]

# Below this a dual is rounding noise [currency/yr per unit].
_DUAL_TOLERANCE = 1e-6

# One more unit of each family's bound, in words (capacity and seats are worked out).
_UNITS = {
    "vendor_share": "handle hour a week under the cap",
    "site_share": "handle hour a week under the cap",
    "country_share": "handle hour a week under the cap",
    "shore_share": "handle hour a week under the cap",
    "inshore_min": "handle hour a week less inshore",
    "preferred": "handle hour a week less for the partner",
    "spread": "handle hour a week on one site",
    "quality_floor": "contact-point of CSAT less",
    "nps_floor": "contact-point of NPS less",
    "commitment": "contact less committed",
}


def _day(hour: int) -> str:
    return DAYS[hour // 24].capitalize()


def day_ranges(hours: Iterable[int]) -> list[tuple[str, list[int]]]:
    """Hours of the week (0-167, Monday 00:00 = 0) as runs within a day.

    Returns ``(label, hours)`` pairs in week order, e.g. hours 10, 11, 12, 13 and 34 give
    ``[("Mon 10:00-14:00", [10, 11, 12, 13]), ("Tue 10:00-11:00", [34])]``; a run never
    crosses midnight (hours 23 and 24 are "Mon 23:00-24:00" and "Tue 00:00-01:00").
    """
    runs: list[list[int]] = []
    for hour in sorted({int(h) for h in hours}):
        if runs and hour == runs[-1][-1] + 1 and hour % 24 != 0:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    return [(f"{_day(run[0])} {run[0] % 24:02d}:00-{run[-1] % 24 + 1:02d}:00", run) for run in runs]


def display_names(result: Result) -> dict[tuple[str, str], str]:
    """Display name of each ``(kind, id)`` in the result: its label, else the id.

    A site whose label is only its id is named by its city when the site table has
    one ("Antananarivo" for ``antananarivo``).
    """
    names = {
        (str(kind), str(id_)): str(name)
        for kind, id_, name in result.labels[["kind", "id", "name"]].itertuples(index=False)
    }
    if "city" in result.sites:
        for site, city in result.sites[["site", "city"]].itertuples(index=False):
            current = names.get(("site", str(site)), str(site))
            if current == str(site) and isinstance(city, str) and city:
                names[("site", str(site))] = city
    return names


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _capacity_lines(
    rows: pd.DataFrame, result: Result, names: Mapping[tuple[str, str], str]
) -> list[dict[str, object]]:
    cur = result.currency
    sites = result.sites.set_index("site")
    lines = []
    for row in rows.itertuples(index=False):
        site = str(row.key)
        name = names.get(("site", site), site)
        dual = -float(row.dual)
        capacity_fte = float(sites.at[site, "capacity_fte"]) if site in sites.index else 0.0
        per_fte = float(row.limit) / capacity_fte if capacity_fte > 0 else float("nan")
        used = float(row.used) / float(row.limit) if float(row.limit) > 0 else 1.0
        share = f"{used:.0%} of its {capacity_fte:,.0f} FTE used"
        if abs(dual) > _DUAL_TOLERANCE and per_fte == per_fte:
            saving = dual * per_fte
            text = (
                f"{name} is full: one more weekly hour of capacity there would save "
                f"{_money(dual, cur)} a year, one more FTE {_money(saving, cur)} ({share})"
            )
        else:
            saving, text = 0.0, f"{name} is full, at no cost to the plan ({share})"
        lines.append(
            {
                "family": "capacity",
                "subject": name,
                "when": "",
                "unit": "FTE of capacity",
                "saving": saving,
                "message": text,
            }
        )
    return lines


def _seat_lines(
    rows: pd.DataFrame, result: Result, names: Mapping[tuple[str, str], str]
) -> list[dict[str, object]]:
    """One line per site and run of full hours: one more seat over that run."""
    cur = result.currency
    keys = rows["key"].astype(str).str.rsplit("@", n=1)
    table = pd.DataFrame(
        {
            "site": keys.str[0],
            "hour": keys.str[1].astype(int),
            "dual": -rows["dual"].astype(float).to_numpy(),
        }
    )
    lines = []
    seated = dict(zip(keys.str[0], rows["message"].str.contains("every seat taken"), strict=True))
    for site, part in table.groupby("site", sort=True):
        name = names.get(("site", str(site)), str(site))
        full = "has every seat taken" if seated.get(site) else "is at its peak staffing"
        dual_of = dict(zip(part["hour"], part["dual"], strict=True))
        for label, run in day_ranges(part["hour"]):
            saving = float(sum(dual_of[h] for h in run))
            if abs(saving) > _DUAL_TOLERANCE:
                text = (
                    f"{name} {full} {label}: one more seat would save {_money(saving, cur)} a year"
                )
            else:
                saving, text = 0.0, f"{name} {full} {label}, at no cost to the plan"
            lines.append(
                {
                    "family": "seats",
                    "subject": name,
                    "when": label,
                    "unit": "seat",
                    "saving": saving,
                    "message": text,
                }
            )
    return lines


def _rule_lines(rows: pd.DataFrame, result: Result) -> list[dict[str, object]]:
    cur = result.currency
    lines = []
    for row in rows.itertuples(index=False):
        family, dual = str(row.family), abs(float(row.dual))
        unit = _UNITS.get(family, "unit of the bound")
        words = str(row.message)
        words = words[:1].upper() + words[1:]
        if dual > _DUAL_TOLERANCE:
            text = f"{words}: one {unit} would save {_money(dual, cur)} a year"
        else:
            dual, text = 0.0, f"{words}, at no cost to the plan"
        lines.append(
            {
                "family": family,
                "subject": str(row.key),
                "when": "",
                "unit": unit,
                "saving": dual,
                "message": text,
            }
        )
    return lines


def limits_by_money(result: Result) -> pd.DataFrame:
    """The limits holding the plan, largest annual saving of one more unit first.

    Returns
    -------
    DataFrame
        ``family`` (capacity, seats, or the rule's family), ``subject`` (display name),
        ``when`` (the seat-hours' day and time, market time; else empty), ``unit`` (what
        one more unit is), ``saving`` [currency/yr for one more unit; 0 when the limit
        binds at no cost], ``message`` (the line in words). Priced lines first by
        saving; among equal savings, capacity, then rules, then seats, then by name.
    """
    constraints = result.constraints
    priced = constraints["dual"].abs() > _DUAL_TOLERANCE
    holding = constraints[constraints["binding"].eq(True) | priced]
    names = display_names(result)
    capacity = holding[holding["family"] == "capacity"]
    seats = holding[holding["family"] == "seats"]
    rules = holding[~holding["family"].isin(["capacity", "seats"])]
    lines = [
        *_capacity_lines(capacity, result, names),
        *_rule_lines(rules, result),
        *(_seat_lines(seats, result, names) if len(seats) else []),
    ]
    table = pd.DataFrame(lines, columns=LIMIT_COLUMNS)
    if table.empty:
        return table
    tier = table["family"].map({"capacity": 0, "seats": 2}).fillna(1)
    order = (
        table.assign(_tier=tier, _money=-table["saving"].round(6))
        .sort_values(["_money", "_tier", "subject", "when"], kind="stable")
        .index
    )
    return table.loc[order].reset_index(drop=True)
