r"""The year month by month: the sizing week's allocation staffed at each month's volume.

The plan is decided on one *sizing week* (the peak month's by default): the LP chooses
each assignment's share ``x[d,s]`` of its demand unit there, and prices the year as
that week's cost times the annual factor ``F_c``, as if staff shrank in quiet months at
the sizing week's efficiency. Staffing is not proportional to volume (Erlang C needs
relatively more agents for a smaller queue, whole agents and whole shifts round up),
so the year the plan reports is costed month by month instead:

- month m's volume of call type c is its annual volume times its seasonality share,
  spread over :data:`~bestshore.scenario.profiles.WEEKS_PER_MONTH` weeks (a year of
  365.25 days in 12 months of 30.44 days); a week of it carries
  ``ρ[c,m] = share[c,m] / share[c,sizing]`` times the sizing week's volume
  (:func:`bestshore.scenario.profiles.month_loads`), hour by hour and language by
  language alike;
- each assignment keeps its share: its queue carries ``ρ x m A`` in month m and is
  staffed exactly at that load, ``N_m = N(ρ x m A)`` (:func:`exact_staffing`: Erlang C
  in fractional agents, or the workload), deferred work ``ρ`` times its agent hours;
- a rostered site is rostered again for the month, in whole agents on whole shifts
  (:func:`bestshore.model.roster.whole_roster` applied to the month's staffing), and
  pays that roster's idle hours;
- a week of month m costs ``Σ (r π N_m + p m n ρ) β (1 - δ) + idle_m`` (rate, premium,
  contact price, bonus/malus, volume tier); the month costs ``WEEKS_PER_MONTH`` times
  its week, plus its part of the costs outside the staffing rows (recordings by the
  month's contacts, the yearly ones a twelfth each); the year is the sum of its months.

With a flat year (every ``ρ = 1``) each month is the sizing week and the year is the
sizing week's cost times 52.18 weeks, as before. Months with the same loads are staffed
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bestshore.model.compliance import recording_storage_per_contact
from bestshore.model.contracts import tier_discount
from bestshore.model.curve import whole_agent_rows
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.roster import SHIFT_COLUMNS, idle_rate
from bestshore.model.staffing import exact_staffing
from bestshore.scenario.profiles import DAYS_PER_MONTH, WEEKS_PER_MONTH, month_loads

__all__ = [
    "MONTHS",
    "MONTH_COLUMNS",
    "MONTH_SHIFT_COLUMNS",
    "Year",
    "bill_multiplier",
    "distinct_months",
    "idle_per_week",
    "loads_by_month",
    "month_frame",
    "month_table",
    "staff_months",
    "weekly_cost",
]

MONTHS = tuple(range(1, 13))
MONTH_COLUMNS = [
    "month", "days", "weeks", "volume", "agent_hours", "paid_hours", "fte",
    "staffing_cost", "idle_cost", "other_cost", "cost", "over_capacity",
]  # fmt: skip
MONTH_SHIFT_COLUMNS = ["month", *SHIFT_COLUMNS]
_SAME = 1e-12  # loads closer than this are the same load
_STAFFED = ["agents", "roster_agents", "service_level", "asa_seconds", "abandon_rate", "occupancy"]


@dataclass(frozen=True)
class Year:
    """A plan costed month by month (built by :func:`bestshore.model.plan.price_year`).

    Attributes
    ----------
    months : DataFrame
        :data:`MONTH_COLUMNS`, one row per month: ``month`` (1-12), ``days`` and
        ``weeks`` in it, ``volume`` [contacts handled, repeats included],
        ``agent_hours`` [productive h], ``paid_hours`` [h on shift at rostered sites;
        NaN without a roster], ``fte`` [FTE working in a week of the month],
        ``staffing_cost`` (the staffing rows), ``idle_cost`` (idle hours of the month's
        roster), ``other_cost`` (its part of the costs outside the staffing rows,
        :func:`month_table`), ``cost`` [currency, all three], ``over_capacity`` (its
        staffing exceeds a capacity or seat limit). ``cost`` sums to the plan's
        annual cost.
    row_costs, row_hours : array
        Per row of the plan's staffing: the year's cost [currency/yr] and agent hours
        [productive h/yr], summed over the months.
    outside : DataFrame
        ``kind``, ``id``, ``cost`` [currency/yr]: the costs outside the staffing rows,
        each family's own, the idle hours (``idle``) those of the months' rosters.
    shifts : DataFrame
        :data:`MONTH_SHIFT_COLUMNS`: each month's whole-agent roster (``paid_hours``
        per week of the month); empty without a rostered site.
    warnings : list of str
        Months whose staffing exceeds a capacity or seat limit, in words.
    flat : bool
        Every month carries the sizing week's load (a flat year): the year is the
        sizing week's cost times 52.18 weeks, as the LP prices it.
    bounded : bool
        The first round's LP still bounds the year's cost from below (see
        :attr:`bestshore.model.plan.Plan.lower_bound`): no month carries more than the
        sizing week, and months are rostered again only in a flat year.
    peak_sized : bool
        No month carries more of any call type the plan serves than the sizing week.
    """

    months: pd.DataFrame
    row_costs: np.ndarray
    row_hours: np.ndarray
    outside: pd.DataFrame
    shifts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONTH_SHIFT_COLUMNS))
    warnings: list[str] = field(default_factory=list)
    flat: bool = True
    bounded: bool = True
    peak_sized: bool = True


def loads_by_month(inputs: ModelInputs) -> pd.DataFrame:
    """A week of each month over the sizing week, in volume: index ``call_type``,
    columns 1-12 (:func:`bestshore.scenario.profiles.month_loads`)."""
    sizing = inputs.scenario.settings.sizing
    loads = {c.id: month_loads(c.seasonality, sizing) for c in inputs.scenario.call_types}
    table = pd.DataFrame.from_dict(loads, orient="index", columns=list(MONTHS))
    table.index.name = "call_type"
    return table


def distinct_months(loads: pd.DataFrame) -> list[tuple[list[int], pd.Series]]:
    """Months grouped by their loads (months with the same load for every call type
    are staffed once): ``(months, load by call type)``, in calendar order."""
    groups: list[tuple[list[int], pd.Series]] = []
    for month in MONTHS:
        load = loads[month]
        for months, seen in groups:
            if np.allclose(load.to_numpy(), seen.to_numpy(), rtol=0.0, atol=_SAME):
                months.append(month)
                break
        else:
            groups.append(([month], load))
    return groups


def bill_multiplier(inputs: ModelInputs, staffing: pd.DataFrame) -> np.ndarray:
    """What each row's bill is multiplied by: the vendor's bonus/malus and the volume
    tier its yearly contacts reach (the contract's rule: the highest tier reached).

    Yearly contacts are linear in volume, so the sizing week's times the annual factor
    are the months' sum.
    """
    multiplier = staffing["incentive"].to_numpy(dtype=float).copy()
    tiers = {v.id: v.volume_discounts for v in inputs.scenario.vendors if v.volume_discounts}
    if tiers:
        yearly = (staffing["calls"] * staffing["annual_factor"]).groupby(staffing["vendor"]).sum()
        earned = {v: tier_discount(t, float(yearly.get(v, 0.0))) for v, t in tiers.items()}
        multiplier *= 1.0 - staffing["vendor"].map(earned).fillna(0.0).to_numpy(dtype=float)
    return multiplier


def staff_months(
    inputs: ModelInputs, staffing: pd.DataFrame, loads: list[pd.Series]
) -> list[pd.DataFrame]:
    """The plan's staffing rows at each month's load (``loads``: by call type, the
    month's week over the sizing week).

    Shares are kept; ``calls`` and ``handle_hours`` scale by the load; real-time queues
    are staffed exactly at their new traffic (``agents``, ``roster_agents``,
    ``service_level``, ``asa_seconds``, ``occupancy``, :func:`exact_staffing`);
    deferred agent hours scale by the load (workload over the week, linear). A month at
    the sizing week's load is ``staffing`` itself. The months' queues are staffed
    together, one Erlang C walk per call type for the year (the same figures: each
    queue's are its own, whatever it is staffed with)."""
    months: list[pd.DataFrame | None] = []
    changes: list[dict[str, np.ndarray]] = []  # each month's new columns
    moving: list[tuple[int, np.ndarray]] = []  # month, its rows moved
    codes, kinds = pd.factorize(staffing["call_type"])
    hours = staffing["hour"].to_numpy()
    hourly = hours != WEEK
    deferred = ~hourly
    column = {name: staffing[name].to_numpy() for name in ("calls", "handle_hours", *_STAFFED)}
    for load in loads:
        ratio = load.reindex(kinds).to_numpy(dtype=float)[codes]
        if np.all(np.abs(ratio - 1.0) <= _SAME):
            months.append(staffing)
            changes.append({})
            continue
        new = {
            "calls": column["calls"] * ratio,
            "handle_hours": column["handle_hours"] * ratio,
        }
        moved = hourly & (np.abs(ratio - 1.0) > _SAME)
        if moved.any():
            moving.append((len(months), moved))
        if deferred.any():
            for name in ("agents", "roster_agents"):
                values = column[name].astype(float, copy=True)
                values[deferred] *= ratio[deferred]
                new[name] = values
        months.append(None)
        changes.append(new)
    if moving:
        call_types = {c.id: c for c in inputs.scenario.call_types}
        # each month's hours as hours of a week of its own, so a language pool stays
        # within its month
        types = staffing["call_type"].to_numpy()
        sites = staffing["site"].to_numpy()
        pool = staffing["pool"].to_numpy() if "pool" in staffing else None
        together = pd.DataFrame(
            {
                "call_type": np.concatenate([types[moved] for _, moved in moving]),
                "site": np.concatenate([sites[moved] for _, moved in moving]),
                "hour": np.concatenate(
                    [hours[moved] + 168 * k for k, (_, moved) in enumerate(moving)]
                ),
                "handle_hours": np.concatenate(
                    [changes[at]["handle_hours"][moved] for at, moved in moving]
                ),
            }
        )
        whole = whole_agent_rows(inputs, together)
        pools = np.concatenate([pool[moved] for _, moved in moving]) if pool is not None else None
        exact = exact_staffing(
            together, call_types, inputs.scenario.settings.occupancy, whole, pools
        )
        start = 0
        for at, moved in moving:
            end = start + int(moved.sum())
            for name in _STAFFED:  # whole columns written at once
                values = changes[at].get(name, column[name]).astype(float, copy=True)
                values[moved] = exact[name].to_numpy(dtype=float)[start:end]
                changes[at][name] = values
            start = end
    return [
        month if month is not None else staffing.assign(**change)
        for month, change in zip(months, changes, strict=True)
    ]


def weekly_cost(rows: pd.DataFrame, multiplier: np.ndarray) -> np.ndarray:
    """What a week of the rows costs [currency/week]: productive hours at their rate and
    premium, contacts at their price, times the bill multiplier."""

    def column(name: str) -> np.ndarray:
        return rows[name].to_numpy(dtype=float)

    # arrays, not Series: called for every distinct month of every plan priced
    hours = column("rate_per_hour") * column("premium") * column("agents")
    return (hours + column("contact_price") * column("calls")) * multiplier


def idle_per_week(inputs: ModelInputs, roster_hours: pd.DataFrame) -> pd.Series:
    """Idle paid hours of a week's roster, priced at each site's hourly price and the
    hour's premium [currency/week], by site (sites with none left out)."""
    if roster_hours.empty:
        return pd.Series(dtype=float)
    costs = {}
    for site, table in roster_hours.groupby("site", sort=True):
        pay = inputs.premium.loc[site].to_numpy()[table["hour"].to_numpy(dtype=int)]
        idle = np.nan_to_num(table["idle"].to_numpy(dtype=float))
        cost = float(idle_rate(inputs, str(site)) * (pay * idle).sum())
        if cost > 0:
            costs[str(site)] = cost
    return pd.Series(costs, dtype=float)


def month_table(
    inputs: ModelInputs, frame: pd.DataFrame, outside: pd.DataFrame, staffing: pd.DataFrame
) -> pd.DataFrame:
    """The months with every cost [currency]: :data:`MONTH_COLUMNS`.

    ``frame`` is the staffing side (:func:`month_frame`); ``outside`` the year's costs
    outside the staffing rows (``kind``, ``id``, ``cost``, the months' idle hours
    among them, already in ``frame``). Recording storage goes to each month by its
    contacts (``staffing``: the sizing week's rows, at each month's load), every other
    yearly cost (fixed costs, SCC, set-up and transition over the term, take-or-pay) a
    twelfth to each month. The ``cost`` column then sums to the plan's annual cost.
    """
    table = frame.copy()
    kinds = outside["kind"].to_numpy(dtype=object)
    costs = outside["cost"].to_numpy(dtype=float)
    yearly = float(costs[(kinds != "recording") & (kinds != "idle")].sum())
    recorded = float(costs[kinds == "recording"].sum())
    per_month = np.zeros(len(MONTHS))
    if recorded > 0:
        storage = recording_storage_per_contact(inputs, staffing) * staffing["calls"].to_numpy()
        by_type = pd.Series(storage).groupby(staffing["call_type"].to_numpy()).sum()
        loads = loads_by_month(inputs).reindex(by_type.index)
        per_month = WEEKS_PER_MONTH * (loads.mul(by_type, axis=0)).sum().to_numpy(dtype=float)
        per_month *= recorded / per_month.sum()  # the year's figure, split by contacts
    table["other_cost"] = per_month + yearly / len(MONTHS)
    table["cost"] = table["staffing_cost"] + table["idle_cost"] + table["other_cost"]
    return table[MONTH_COLUMNS]


def month_frame(
    volume: np.ndarray,
    agent_hours: np.ndarray,
    paid_hours: np.ndarray,
    fte: np.ndarray,
    staffing_cost: np.ndarray,
    idle_cost: np.ndarray,
    over: np.ndarray,
) -> pd.DataFrame:
    """The staffing side of the months table (see :class:`Year`)."""
    return pd.DataFrame(
        {
            "month": list(MONTHS),
            "days": DAYS_PER_MONTH,
            "weeks": WEEKS_PER_MONTH,
            "volume": volume,
            "agent_hours": agent_hours,
            "paid_hours": paid_hours,
            "fte": fte,
            "staffing_cost": staffing_cost,
            "idle_cost": idle_cost,
            "other_cost": 0.0,
            "cost": staffing_cost + idle_cost,
            "over_capacity": over.astype(bool),
        }
    )
