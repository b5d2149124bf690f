"""Shifts: agents rostered in whole shifts inside opening hours (set covering).

A plan staffed hour by hour cannot be rostered: a site may get one agent-hour on a
Tuesday at 11:00 and nothing around it. With a roster (``settings.roster``, or a site's
or vendor's), each site's agents work *shifts*: Dantzig's set-covering formulation of
shift scheduling. For a rostered site s:

- ``P(s)`` its shift patterns p = (start market hour, length ``L_p``): every length of
  its roster, starting on the hour every ``start_every_hours``, wholly inside its
  opening hours (every hour of the shift open, weeks wrapping round);
- ``n[s,p] ≥ 0`` agents on shift p, ``b[s,h] ≥ 0`` agent hours of deferred work done in
  hour h (blending: e-mail, mail and back-office fill idle hours), ``i[s,h] ≥ 0`` idle
  agent hours, paid; ``o[s,h] ≥ 0`` the agents on shift in hour h, ``Σ_{p ∋ h} n[s,p]``;
- ``R(s,h)`` the real-time assignments of s in hour h, ``Q(s)`` its deferred ones.

Rows (the ``roster`` family), with ``kA x + e`` the agent hours of an assignment
(:func:`~bestshore.model.constraints.agent_terms`):

.. math:: o_{s,h} - \\sum_{(d,s) \\in R(s,h)} (k A\\, x + e) - b_{s,h} - i_{s,h} = 0
          \\qquad \\forall s, h \\quad (\\texttt{shift\\_cover[s,h]})

.. math:: \\sum_h b_{s,h} = \\sum_{(d,s) \\in Q(s)} k A\\, x \\quad (\\texttt{blend[s]}), \\qquad
          \\sum_p L_p n_{s,p} \\le (1 - \\eta) H_s \\quad (\\texttt{shift\\_capacity[s]})

.. math:: o_{s,h} \\le M_s \\quad (\\texttt{shift\\_seats[s,h]}), \\qquad
          \\sum_{p : L_p < L_{max}} n_{s,p} \\le \\beta_s \\sum_p n_{s,p} \\quad (\\texttt{part\\_time[s]})

**Agents on shift, counted hour to hour** (``shift_count[s,h]``). A shift covers an
interval of consecutive hours, so the agents on shift change from one hour to the next
by the shifts starting less those that ended:

.. math:: o_{s,h} - o_{s,h-1} - \\sum_{p \\text{ starts at } h} n_{s,p}
          + \\sum_{p \\text{ ends at } h-1} n_{s,p} = 0

where hour h-1 is covered; where it is not, every shift covering h starts at h and the
row is ``o[s,h] = Σ_{p starts at h} n[s,p]``; a site covered round the clock (no such
hour) anchors its first covered hour h₀ with ``o[s,h₀] = Σ_{p ∋ h₀} n[s,p]`` instead of
its difference row (the 168 differences round the week sum to zero: one is implied by
the others). By induction along each run of covered hours these rows hold iff
``o[s,h] = Σ_{p ∋ h} n[s,p]`` for every covered h: the LP is Dantzig's (substitute
``o``), the same optimum, written with 2 entries per shift column in the count rows
instead of ``2 L_p`` in the cover and seat rows. HiGHS's interior point method takes
about a fifth less on the rostered demo's first round (1.55 s to 1.25 s). Column
generation (the LP on some patterns, the others priced with the duals and added while
one has a negative reduced cost) was measured and not kept: the demo's LP on exactly
the patterns its optimum uses takes 0.6 s, but from every 8 h and 4 h pattern it took 3
passes (1.8 s), from the 8 h ones 5 passes (4.0 s, primal simplex restarts).

**The roster is paid.** Every hour on shift costs the site's hourly price ``r_s``
(:func:`idle_rate`) times the hour's premium ``π_{s,h}``, for the year's ``Y`` weeks
(``Y`` = 52.18, :data:`YEAR_WEEKS`; in a flat year the weeks of work); the work done in
it, real-time rows' agents and blended hours, is priced at its own rate less that
price (``_price_work``; blended hours at minus it). So an idle hour costs ``r_s π``, a
worked hour its call type's rate, and the LP cannot hide idle hours by staffing a
queue above its envelope (``e`` inflated would need more shifts, which are paid).

**A seasonal year.** Each month is rostered again at its own volume
(:mod:`bestshore.model.months`). The sizing week's roster ``n`` above only has to fit
capacity and seats; the year's *average* roster ``n̄`` (the months' whole rosters
weighted by their weeks) covers the year's average agents (each row's agent-weeks over
``Y``: ``year_cover[s,h]``, ``year_blend[s]``, ``year_part_time[s]``) and is the one paid.
For any plan the weighted average of its months' rosters is such an ``n̄`` and its pay
is the months' pay: the relaxation stays a lower bound on rostered years.
A flat year's paid roster is the sizing week's ``n``; it must hold the year columns
``y`` the price is taken off too: ``year_cover[s,h]`` there is
``i[s,h] ≥ Σ_{R_y(s,h)} (y / Y - (k A x + e))`` (:func:`_add_flat_year_cover`).

**Whole shifts.** The LP rosters fractional agents. The plan's exact staffing gives each
queue's agents each hour (planning agents, or whole agents under
``settings.staffing_model: whole``); :func:`whole_roster` then covers each site's
requirement, the hour's agents rounded up, with integer shift counts: one small MILP per
site with the same rows (tried as an LP first: shift patterns are intervals of
consecutive hours, so the covering matrix has the consecutive-ones property, and without
the part-time cap, seats or week-wrapping shifts the LP of whole requirements has a
whole optimum), elastic on capacity and seats (a site whose whole roster cannot hold
them gets the roster overshooting them least, which the solve then holds back). When the
LP's optimum is not whole, its shifts rounded up, then taken off while every row holds
(:func:`_round_roster`), are a whole roster: kept when it costs within the MILP's gap
(:data:`ROSTER_MIP_GAP`) of the LP's optimum, a bound on the MILP's, and otherwise
HiGHS's branch-and-bound starts from it (an incumbent from the root on; without one
HiGHS spent most of each solve on general-integer columns with no bound). The MILP's
answer is proven within that gap either way. The roster's cost is what the plan
reports.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables, agent_terms
from bestshore.model.inputs import WEEK, ModelInputs, rostered_sites
from bestshore.model.program import (
    LinearProgram,
    ProgramArrays,
    Solution,
    new_highs,
    solve_with_highs,
)
from bestshore.scenario.hours import HOURS_PER_WEEK, local_clock
from bestshore.scenario.profiles import WEEKS_PER_MONTH, month_loads
from bestshore.scenario.schema import Roster

__all__ = [
    "SHIFT_COLUMNS",
    "add_roster",
    "idle_rate",
    "shift_patterns",
    "weeks_of_work",
    "whole_roster",
    "whole_seats",
]

SHIFT_COLUMNS = [
    "site", "start_hour", "length_hours", "local_weekday", "local_start",
    "agents", "paid_hours",
]  # fmt: skip
_NONE = np.array([], dtype=np.int64)
#: Weeks in the year of twelve months.
YEAR_WEEKS = 12 * WEEKS_PER_MONTH


def shift_patterns(open_hours: np.ndarray, roster: Roster) -> pd.DataFrame:
    """Every shift wholly inside the open market hours: ``start_hour``, ``length_hours``.

    ``open_hours`` holds 168 booleans (market hours the site is open for entirely);
    starts fall every ``start_every_hours`` from Monday 00:00, and a shift may run past
    Sunday midnight into Monday (the week repeats).
    """
    open_hours = np.asarray(open_hours, dtype=bool)
    every = np.arange(0, HOURS_PER_WEEK, roster.start_every_hours)
    starts, lengths = [_NONE], [_NONE]
    for length in roster.shift_hours:
        inside = open_hours[(every[:, None] + np.arange(length)) % HOURS_PER_WEEK].all(axis=1)
        starts.append(every[inside])
        lengths.append(np.full(int(inside.sum()), length))
    return pd.DataFrame(
        {"start_hour": np.concatenate(starts), "length_hours": np.concatenate(lengths)},
        dtype=np.int64,
    )


def weeks_of_work(inputs: ModelInputs) -> float:
    """Annual volume over sizing-week volume, all work together [weeks/yr]: the factor
    that makes a week's idle hours a year's."""
    workloads = inputs.workloads
    weekly = float(workloads["weekly_volume"].sum())
    return float(workloads["volume"].sum()) / weekly if weekly > 0 else 0.0


def idle_rate(inputs: ModelInputs, site: str) -> float:
    """Price of an idle paid hour at a site [currency/h]: its hourly price, or the mean
    of its rate card when its price only came from the country's indicative cost."""
    sites = inputs.sites
    if bool(sites.at[site, "cost_from_country"]):
        card = inputs.scenario.site(site).rates
        if card:
            return float(np.mean(list(card.values())))
    return float(sites.at[site, "cost_per_hour"])


@dataclass(frozen=True)
class _SitePatterns:
    patterns: pd.DataFrame
    cover: np.ndarray  # (hours, patterns) 0/1: pattern p covers market hour h
    hours: np.ndarray  # the market hours some pattern covers
    members: tuple[np.ndarray, ...]  # per row of cover: the patterns covering its hour
    # The count rows (:func:`_add_count_rows`), per row of cover: the row of the hour
    # before (-1: not covered, or the anchor of a week covered round the clock) and the
    # patterns entering (starting then; the anchor: every pattern covering it) and
    # leaving (their last hour the one before).
    before: np.ndarray
    entering: tuple[np.ndarray, ...]
    leaving: tuple[np.ndarray, ...]
    # The count rows' terms, flat (:func:`_count_terms`): row (of cover), whether the
    # column is the row's ``on`` (else a pattern), its index (in ``on`` or the
    # patterns), coefficient.
    count_terms: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    # The whole-roster programs' shapes on these patterns (:func:`_cover_shape`).
    shapes: dict[tuple[object, ...], _CoverShape] = field(
        default_factory=dict, compare=False, repr=False
    )


def _patterns(inputs: ModelInputs, site: str, roster: Roster) -> _SitePatterns:
    """A site's shift patterns and what they cover (cached: every staffing round and
    every roster step reads the same ones)."""
    open_hours = inputs.open_hours.loc[site].to_numpy(dtype=bool)
    return _cached_patterns(
        open_hours.tobytes(), tuple(roster.shift_hours), roster.start_every_hours
    )


@functools.lru_cache(maxsize=1024)
def _cached_patterns(open_hours: bytes, lengths: tuple[int, ...], every: int) -> _SitePatterns:
    roster = Roster(shift_hours=list(lengths), start_every_hours=every)
    patterns = shift_patterns(np.frombuffer(open_hours, dtype=bool), roster)
    cover = np.zeros((HOURS_PER_WEEK, len(patterns)))
    starts = patterns["start_hour"].to_numpy()
    spans = patterns["length_hours"].to_numpy()
    column = np.repeat(np.arange(len(patterns)), spans)  # each hour of each pattern
    into = np.arange(int(spans.sum())) - np.repeat(np.cumsum(spans) - spans, spans)
    cover[(np.repeat(starts, spans) + into) % HOURS_PER_WEEK, column] = 1.0
    hours = np.flatnonzero(cover.any(axis=1))
    cover = cover[hours]
    members = tuple(np.flatnonzero(row) for row in cover)
    row_of = np.full(HOURS_PER_WEEK, -1)
    row_of[hours] = np.arange(len(hours))
    before = row_of[(hours - 1) % HOURS_PER_WEEK]
    last = (starts + spans - 1) % HOURS_PER_WEEK
    entering = [np.flatnonzero(starts == h) for h in hours]
    leaving = [np.flatnonzero(last == (h - 1) % HOURS_PER_WEEK) for h in hours]
    if len(hours) and np.all(before >= 0):  # round the clock: anchor the first hour
        before[0] = -1
        entering[0], leaving[0] = members[0], _NONE
    terms = _count_terms(before, entering, leaving)
    for array in (cover, hours, before, *members, *entering, *leaving, *terms):
        array.setflags(write=False)  # shared by every caller
    return _SitePatterns(
        patterns, cover, hours, members, before, tuple(entering), tuple(leaving), terms
    )


def _count_terms(
    before: np.ndarray, entering: list[np.ndarray], leaving: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The terms of the count rows (:func:`_add_count_rows`), flat: per covered hour i,
    ``+on[i]``, ``-n[p]`` for the patterns entering, ``+n[p]`` for those leaving and
    ``-on[before]`` where the hour before is covered. Returns each term's row, whether
    its column is an ``on`` one (else a pattern's), that column's index among the
    ``on`` (or pattern) columns, and its coefficient."""
    rows: list[np.ndarray] = []
    is_on: list[np.ndarray] = []
    index: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for i, previous in enumerate(before.tolist()):
        came, went = entering[i], leaving[i]
        rows.append(np.full(1 + len(came) + len(went) + (previous >= 0), i))
        is_on += [np.ones(1, dtype=bool), np.zeros(len(came) + len(went), dtype=bool)]
        index += [np.array([i]), came, went]
        values += [np.ones(1), -np.ones(len(came)), np.ones(len(went))]
        if previous >= 0:
            is_on.append(np.ones(1, dtype=bool))
            index.append(np.array([previous]))
            values.append(-np.ones(1))
    if not rows:
        return _NONE, np.zeros(0, dtype=bool), _NONE, np.zeros(0)
    return (
        np.concatenate(rows).astype(np.int64),
        np.concatenate(is_on).astype(bool),
        np.concatenate(index).astype(np.int64),
        np.concatenate(values).astype(float),
    )


def _add_count_rows(
    lp: LinearProgram,
    family: str,
    site: str,
    found: _SitePatterns,
    n: np.ndarray,
    on: np.ndarray,
) -> None:
    """``on[h]`` equal to the agents on shift in covered hour h, ``Σ_{p ∋ h} n_p``,
    written as the change from the hour before: ``on[h] - on[h-1] = Σ_{p starts at
    h} n_p - Σ_{p ends at h-1} n_p``; an hour whose hour before is not covered (or the
    anchor of a site covered round the clock), ``on[h] = Σ_{p starts at h} n_p`` (every
    pattern covering it starts then; the anchor: every pattern covering it)."""
    rows, is_on, index, values = found.count_terms
    columns = np.empty(len(index), dtype=np.int64)
    columns[is_on] = on[index[is_on]]
    columns[~is_on] = n[index[~is_on]]
    keys = [(site, h) for h in found.hours.tolist()]
    lp.add_rows_of_terms(family, keys, rows, columns, values, lower=0.0, upper=0.0)


def add_roster(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Whole shifts at rostered sites: cover, blending, capacity, seats, part time, and
    the roster's pay.

    The math is in this module's docstring. Columns ``shifts[s,start,length]``,
    ``blended[s,h]``, ``idle[s,h]`` and ``on_shift[s,h]`` (the sizing week's roster and
    its agents on shift each covered hour); in a seasonal year also
    ``year_shifts[s,start,length]``, ``year_blended[s,h]`` and ``year_on_shift[s,h]``
    (the year's average roster). Rows ``shift_count[s,h]``,
    ``shift_cover[s,h]``, ``blend[s]``, ``shift_capacity[s]``, ``shift_seats[s,h]``,
    ``part_time[s]``; in a seasonal year also ``year_shift_count[s,h]``,
    ``year_cover[s,h]``, ``year_blend[s]`` and ``year_part_time[s]``; in a flat year
    ``year_cover[s,h]`` where rows with a year column work.

    .. math:: o_{s,h} = \sum_{p \ni h} n_{s,p} = \sum_{R(s,h)} (k A\, x + e) + b_{s,h} + i_{s,h}

    Duals: ``shift_cover`` what one more agent hour of requirement in that hour costs a
    year; ``shift_capacity`` what one more paid hour a week of capacity would save.
    Elastic slack on ``shift_cover`` (work no whole shift can cover) and on
    ``shift_capacity``.
    """
    rosters = rostered_sites(inputs)
    if not rosters:
        return
    by_site_hour = variables.eligibility.groups("site", "hour")
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    weeks = weeks_of_work(inputs)
    seasonal = _seasonal(inputs)
    premium = inputs.premium
    year_agents = _YearAgents(variables)
    annual = year_agents.annual
    groups: dict[str, dict[int, np.ndarray]] = {}  # each site's rows by hour
    for (s, h), positions in by_site_hour.items():
        groups.setdefault(s, {})[h] = positions
    for site in sorted(rosters):
        roster = rosters[site]
        found = _patterns(inputs, site, roster)
        by_hour = groups.get(site, {})
        real_hours = sorted(h for h in by_hour if h != WEEK)
        hours = sorted(set(found.hours.tolist()) | set(real_hours))
        if not hours:
            continue
        patterns = found.patterns
        pattern_keys = [
            (site, a, b)
            for a, b in zip(
                patterns["start_hour"].tolist(), patterns["length_hours"].tolist(), strict=True
            )
        ]
        n = lp.add_columns("shifts", pattern_keys)
        open_keys = [(site, h) for h in found.hours.tolist()]  # the covered hours, in order
        blended = lp.add_columns("blended", open_keys)
        idle = lp.add_columns("idle", open_keys)
        on = lp.add_columns("on_shift", open_keys)
        _add_count_rows(lp, "shift_count", site, found, n, on)
        # shift_cover[s,h]: the work's agent hours, then (covered hours) on, blended, idle
        entry, columns, values = _agent_entries(variables, by_hour, hours)
        covered = np.flatnonzero(np.isin(np.array(hours), found.hours))
        keys = [(site, h) for h in hours]
        cover_rows = lp.add_rows_of_terms(
            "shift_cover", keys,
            np.concatenate([entry, covered, covered, covered]),
            np.concatenate([columns, on, blended, idle]),
            np.concatenate([-values, np.ones(len(on)), -np.ones(len(on)), -np.ones(len(on))]),
            lower=0.0, upper=0.0,
        )  # fmt: skip
        if variables.elastic:  # work no whole shift can cover, in agent hours
            slack = lp.add_columns("slack_shift_cover", keys)
            lp.add_terms(cover_rows, slack, np.ones(len(keys)))
            lp.add_cost(slack, 1.0)
        deferred = by_site_hour.get((site, WEEK), _NONE)
        if len(deferred) or len(open_keys):
            lp.add_rows(
                "blend", [site],
                [np.concatenate([blended, variables.share[deferred]])],
                [np.concatenate([np.ones(len(blended)), -variables.agent_hours[deferred]])],
                lower=0.0, upper=0.0,
            )  # fmt: skip
        lengths = patterns["length_hours"].to_numpy(dtype=float)
        limit = float(inputs.sites.at[site, "capacity_hours"]) * (1 - headroom)
        limit -= variables.margins.capacity.get(site, 0.0)
        (capacity,) = lp.add_rows("shift_capacity", [site], [n], [lengths], upper=limit)
        if variables.elastic:
            (slack,) = lp.add_columns("slack_shift_capacity", [site])
            lp.add_terms(np.array([capacity]), np.array([slack]), np.array([-1.0]))
            lp.add_cost(np.array([slack]), 1.0)
        seats = whole_seats(inputs, site)  # as the whole roster counts them
        if np.isfinite(seats) and len(found.hours):
            held = variables.margins.seats
            bounds = np.array(
                [float(seats) - held.get((site, h), 0.0) for h in found.hours.tolist()]
            )
            lp.add_rows_of_terms(
                "shift_seats", open_keys, np.arange(len(on)), on, np.ones(len(on)),
                upper=bounds,
            )  # fmt: skip
        part = np.where(lengths < max(roster.shift_hours), 1.0, 0.0)
        if roster.max_part_time_share is not None and len(n):
            lp.add_rows(
                "part_time", [site], [n], [part - roster.max_part_time_share], upper=0.0
            )  # fmt: skip
        if variables.elastic or not len(found.hours):
            continue
        # The roster's pay: every paid hour at the site's hourly price and the hour's
        # premium, the year's weeks of it; the work done in it is then priced at its
        # rate less that price (worked and blended hours are paid hours too).
        rate = idle_rate(inputs, site)
        pay = premium.loc[site].to_numpy()[found.hours]
        shift_pay = rate * (found.cover.T @ pay)  # one agent on each pattern, a week
        _price_work(lp, variables, year_agents, site, rate, premium.loc[site].to_numpy())
        if not seasonal:
            lp.add_cost(n, weeks * shift_pay)
            lp.add_cost(blended, -weeks * rate * pay)
            _add_flat_year_cover(lp, variables, site, by_hour, hours, found, idle, weeks)
            continue
        # A seasonal year: each month is rostered again. The year's average roster (its
        # months' rosters weighted by their weeks) covers the year's average agents
        # and pays the year; the sizing week's roster above only has to fit.
        year = lp.add_columns("year_shifts", pattern_keys)
        year_blended = lp.add_columns("year_blended", open_keys)
        year_on = lp.add_columns("year_on_shift", open_keys)
        _add_count_rows(lp, "year_shift_count", site, found, year, year_on)
        entry, columns, values = year_agents.entries(by_hour, found.hours.tolist())
        lp.add_rows_of_terms(
            "year_cover", open_keys,
            np.concatenate([np.arange(len(year_on)), np.arange(len(year_on)), entry]),
            np.concatenate([year_on, year_blended, columns]),
            np.concatenate([np.ones(len(year_on)), -np.ones(len(year_on)), -values / YEAR_WEEKS]),
            lower=0.0,
        )  # fmt: skip
        lp.add_rows(
            "year_blend", [site],
            [np.concatenate([year_blended, variables.share[deferred]])],
            [np.concatenate([np.ones(len(year_blended)),
                             -variables.agent_hours[deferred] * annual[deferred] / YEAR_WEEKS])],
            lower=0.0, upper=0.0,
        )  # fmt: skip
        if roster.max_part_time_share is not None:
            lp.add_rows(
                "year_part_time", [site], [year], [part - roster.max_part_time_share], upper=0.0
            )  # fmt: skip
        lp.add_cost(year, YEAR_WEEKS * shift_pay)
        lp.add_cost(year_blended, -YEAR_WEEKS * rate * pay)


def _add_flat_year_cover(
    lp: LinearProgram,
    variables: Variables,
    site: str,
    by_hour: dict[int, np.ndarray],
    hours: list[int],
    found: _SitePatterns,
    idle: np.ndarray,
    weeks: float,
) -> None:
    r"""A flat year's roster holds the year columns ``y`` it is credited for.

    The roster's price comes off each row's agent-weeks of the year (``_price_work``),
    a whole-agent row's (or a language pool's) year column ``y``; in a seasonal year
    ``year_cover`` holds those ``y`` in the paid year's roster. In a flat year the
    paid roster is the sizing week's, whose ``shift_cover`` holds the week's agents
    ``k A x + e``, not ``y``: unheld, ``y`` at a rate below the site's price ``r_s``
    cost less than nothing without bound (an unbounded LP). So each hour with such rows
    (``R_y(s,h)``), their year agents beyond their week's fit in the idle paid hours:

    .. math:: i_{s,h} - \sum_{r \in R_y(s,h)} \left( y_r / W - (k A\, x_r + e_r) \right)
              \ge 0 \quad (\texttt{year\_cover[s,h]})

    ``W`` the weeks the roster is paid (:func:`weeks_of_work`); an hour no shift
    covers has no ``i`` (its work is 0 by ``shift_cover``, so is its ``y``). By
    ``shift_cover`` this is ``o ≥ b + Σ ā / W``, the seasonal ``year_cover`` on the
    sizing week's roster. At a rate at or above ``r_s`` the year columns stay at their
    floor, about ``W (k A x + e)``: the optimum is unchanged.
    """
    if not len(variables.year):
        return
    # each hour's rows with a year column, and the hours that have some
    rows = {h: by_hour.get(h, _NONE) for h in hours}
    with_year = {h: r[variables.year[r] >= 0] for h, r in rows.items()}
    kept = [h for h in hours if len(with_year[h])]
    if not kept:
        return
    week_entry, week_columns, week_values = _agent_entries(variables, with_year, kept)
    members = np.concatenate([with_year[h] for h in kept]).astype(np.int64)
    entry = np.repeat(np.arange(len(kept)), [len(with_year[h]) for h in kept])
    where = {h: j for j, h in enumerate(found.hours.tolist())}
    spare = [(i, where[h]) for i, h in enumerate(kept) if h in where]
    spare_entry = np.array([i for i, _ in spare], dtype=np.int64)
    spare_columns = idle[np.array([j for _, j in spare], dtype=np.int64)]
    lp.add_rows_of_terms(
        "year_cover", [(site, h) for h in kept],
        np.concatenate([spare_entry, week_entry, entry]),
        np.concatenate([spare_columns, week_columns, variables.year[members]]),
        np.concatenate([np.ones(len(spare)), week_values, -np.ones(len(members)) / weeks]),
        lower=0.0,
    )  # fmt: skip


def _agent_entries(
    variables: Variables, by_hour: dict[int, np.ndarray], hours: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The agent hours of each hour's assignment rows (:func:`agent_terms`), as flat
    terms: each term's position in ``hours``, column and coefficient."""
    works = [by_hour.get(h, _NONE) for h in hours]
    positions = np.concatenate(works).astype(np.int64)
    entry = np.repeat(np.arange(len(hours)), [len(w) for w in works])
    columns, values = agent_terms(variables, positions)
    if len(columns) > len(positions):  # the rows' e columns, after their share columns
        entry = np.concatenate([entry, entry[variables.extra[positions] >= 0]])
    return entry, columns, values


def _seasonal(inputs: ModelInputs) -> bool:
    """Whether some call type's months differ from the sizing week (rosters then differ
    month by month)."""
    sizing = inputs.scenario.settings.sizing
    return any(
        np.any(np.abs(month_loads(c.seasonality, sizing) - 1.0) > 1e-12)
        for c in inputs.scenario.call_types
    )


class _YearAgents:
    """The year's agent-weeks of assignment rows: a whole-agent row's year column
    ``y``; a planning-agent row's ``κ_y T x + F e``; ``F k A x`` otherwise. Worked out
    once for every row (a build reads them hour by hour, site by site)."""

    def __init__(self, variables: Variables) -> None:
        rows = variables.assignments
        count = len(rows)
        self.annual = rows["annual_factor"].to_numpy(dtype=float)
        self.year = variables.year if len(variables.year) else np.full(count, -1)
        self.extra = variables.extra if len(variables.extra) else np.full(count, -1)
        self.share = variables.share
        per_share = variables.agent_hours * self.annual
        envelopes = variables.envelopes
        if envelopes is not None:
            lines = ~np.isnan(envelopes.year_factor)
            traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float)
            per_share = np.where(lines, envelopes.year_factor * traffic, per_share)
        self.per_share = per_share

    def of(
        self, members: np.ndarray, weights: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Columns and coefficients of the rows at ``members`` (each row's terms times
        its entry of ``weights``, if given): the year columns of whole-agent rows, then
        the others' share columns, then their ``e`` columns."""
        year = self.year[members]
        whole = year >= 0
        rest = members[~whole]
        extra = self.extra[rest]
        has = extra >= 0
        columns = np.concatenate([year[whole], self.share[rest], extra[has]])
        values = np.concatenate(
            [np.ones(int(whole.sum())), self.per_share[rest], self.annual[rest][has]]
        )
        if weights is not None:
            values = (
                np.concatenate([weights[whole], weights[~whole], weights[~whole][has]]) * values
            )
        return columns, values

    def entries(
        self, by_hour: dict[int, np.ndarray], hours: list[int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`of` each hour's rows, as flat terms: each term's position in
        ``hours``, column and coefficient."""
        works = [by_hour.get(h, _NONE) for h in hours]
        members = np.concatenate(works).astype(np.int64)
        entry = np.repeat(np.arange(len(hours)), [len(w) for w in works])
        columns, values = self.of(members)
        whole = self.year[members] >= 0
        rest = entry[~whole]
        has = self.extra[members[~whole]] >= 0
        return np.concatenate([entry[whole], rest, rest[has]]), columns, values


def _price_work(
    lp: LinearProgram,
    variables: Variables,
    year: _YearAgents,
    site: str,
    rate: float,
    pay: np.ndarray,
) -> None:
    """Take the roster's price of an hour off the work done at a rostered site: its
    real-time rows' agent-weeks of the year (:class:`_YearAgents`) at ``rate`` times
    the hour's premium less (the roster pays that part)."""
    rows = variables.assignments
    here = variables.eligibility.groups("site").get(site, _NONE)  # ascending positions
    hours = rows["hour"].to_numpy()[here].astype(np.int64)
    real = hours != WEEK
    here, hours = here[real], hours[real]
    if not len(here):
        return
    columns, values = year.of(here, -rate * pay[hours])
    lp.add_cost(columns, values)


def whole_roster(
    inputs: ModelInputs, staffing: pd.DataFrame, method: str = "milp"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Integer shifts covering each rostered site's whole-agent requirement.

    For each rostered site, the requirement of hour h is the agents its queues need then
    (their ``agents`` summed, rounded up to people) and its deferred agent hours are
    blended into idle shift hours; one MILP per site minimizes the paid idle hours
    (priced as in the LP) under the same capacity, seat and part-time rows
    (``method="milp"``), or, faster, the roster LP's shifts are rounded up and taken off
    while every row holds (``method="rounded"``, :func:`_rounded_roster`: the months
    after the sizing week's, whose costs it reports, not decides).

    Returns
    -------
    shifts : DataFrame
        :data:`SHIFT_COLUMNS`: one row per shift pattern used, ``agents`` (whole),
        ``paid_hours`` [agent hours per sizing week].
    hours : DataFrame
        ``site``, ``hour``, ``on_shift`` (agents), ``worked`` (real-time agent hours of
        the plan), ``blended`` (deferred agent hours done then), ``idle``; infeasible
        sites (whole agents beyond capacity or seats) get ``on_shift`` = NaN.
    """
    rosters = rostered_sites(inputs)
    if not rosters or staffing.empty:
        return _NO_SHIFTS.copy(), _empty_hours()
    hourly = staffing[staffing["hour"] != WEEK]
    worked = hourly.groupby(["site", "hour"])["agents"].sum()
    # each site's hours in ``worked`` (grouped: a site's are consecutive)
    worked_sites = worked.index.get_level_values("site").to_numpy()
    worked_hours = worked.index.get_level_values("hour").to_numpy(dtype=int)
    worked_agents = worked.to_numpy()
    cuts = np.flatnonzero(worked_sites[1:] != worked_sites[:-1]) + 1
    firsts, ends = np.r_[0, cuts], np.r_[cuts, len(worked_sites)]
    spans = {str(worked_sites[a]): slice(a, b) for a, b in zip(firsts, ends, strict=True) if b > a}
    deferred = staffing[staffing["hour"] == WEEK].groupby("site")["agents"].sum()
    staffed = set(staffing["site"].unique().tolist())
    weeks = weeks_of_work(inputs)
    headroom = inputs.scenario.policies.capacity_headroom or 0.0
    capacity = inputs.sites["capacity_hours"] * (1 - headroom)
    market_zone = inputs.market["timezone"]
    week = inputs.scenario.settings.reference_week
    shifts = _Table()
    hours = _Table()
    for site in sorted(rosters):
        if site not in staffed:
            continue
        roster = rosters[site]
        found = _patterns(inputs, site, roster)
        need = np.zeros(HOURS_PER_WEEK)
        done = np.zeros(HOURS_PER_WEEK)
        if site in spans:  # the hour's agents, rounded up to people
            span = spans[site]
            need[worked_hours[span]] = np.ceil(worked_agents[span] - 1e-9)
            done[worked_hours[span]] = worked_agents[span]
        blend = float(deferred.get(site, 0.0))
        uncovered = np.maximum(need, done)
        uncovered[found.hours] = 0.0
        nan = np.full(len(found.hours), np.nan)
        if uncovered.any() or (blend > 0 and not len(found.hours)):
            # work in an hour no whole shift can cover: not rosterable
            hours.add(site, found.hours, nan, done[found.hours], nan, nan)
            continue
        pay = inputs.premium.loc[site].to_numpy()[found.hours]
        rate = weeks * idle_rate(inputs, site)
        lengths = found.patterns["length_hours"].to_numpy(dtype=float)
        # (up to a millionth of an hour: the same work summed in another order is the
        # same program, solved once, :func:`_solve_roster`)
        work = float(np.ceil((float(done.sum()) + blend) * 1e6 - 1e-3) / 1e6)
        shift_cost = rate * (found.cover.T @ pay)  # paid hours at their premium
        seats = whole_seats(inputs, site)
        if method == "milp":
            # each paid hour over capacity or seats costs far more than any paid hour
            penalty = 1e3 * float(rate * pay.max(initial=1.0) * max(lengths.max(initial=1.0), 1.0))
            program = _RosterProgram(
                site, found, need[found.hours], lengths, work, roster, shift_cost,
                float(capacity[site]), seats, penalty,
            )  # fmt: skip
            solution = _solve_roster(program.arrays, program.rounding)
            if not solution.has_solution or solution.values is None:
                hours.add(site, found.hours, nan, done[found.hours], nan, nan)
                continue
            agents = np.round(solution.values[program.shifts])
        else:
            agents = _rounded_roster(
                found, need[found.hours], lengths, shift_cost,
                roster, work, seats, float(capacity[site]),
            )  # fmt: skip
        on_shift = found.cover @ agents
        spare = np.maximum(on_shift - done[found.hours], 0.0)
        blended = _blend(spare, pay, blend)
        idle = np.maximum(spare - blended, 0.0)
        hours.add(site, found.hours, on_shift, done[found.hours], blended, idle)
        days, clock = local_clock(str(inputs.sites.at[site, "timezone"]), market_zone, week)
        used = np.flatnonzero(agents > 0)
        starts = found.patterns["start_hour"].to_numpy()[used]
        shifts.add(
            site, starts, lengths[used].astype(np.int64), days[starts], clock[starts],
            agents[used].astype(np.int64), agents[used] * lengths[used],
        )  # fmt: skip
    return (
        shifts.frame(SHIFT_COLUMNS) if len(shifts) else _NO_SHIFTS.copy(),
        hours.frame(_HOURS_COLUMNS) if hours.sites else _empty_hours(),
    )


class _Table:
    """A table gathered site by site as arrays (one per column, the site's rows), made
    a DataFrame once at the end: ``site`` repeated, then the columns' arrays."""

    def __init__(self) -> None:
        self.sites: list[str] = []
        self.counts: list[int] = []
        self.columns: list[tuple[np.ndarray, ...]] = []

    def add(self, site: str, *columns: np.ndarray) -> None:
        self.sites.append(site)
        self.counts.append(len(columns[0]))
        self.columns.append(columns)

    def __len__(self) -> int:
        return sum(self.counts)

    def frame(self, names: list[str]) -> pd.DataFrame:
        # (no rows: the site as a scalar, for the text column's type, as rows would give)
        site = np.repeat(self.sites, self.counts).tolist() if len(self) else self.sites[0]
        data: dict[str, object] = {names[0]: site}
        for name, parts in zip(names[1:], zip(*self.columns, strict=True), strict=True):
            data[name] = np.concatenate(parts)
        return pd.DataFrame(data)


# The per-site roster MILP stops within 0.5 % of its optimum (of the idle hours' cost,
# a small part of the plan's) or after a fixed number of branch-and-bound nodes: both
# limits are deterministic, unlike a time limit. The plan's gap to the LP bound, which
# the result reports, covers whatever this leaves.
ROSTER_MIP_GAP = 5e-3
ROSTER_MIP_NODES = 100


def _rounded_roster(
    found: _SitePatterns,
    need: np.ndarray,
    lengths: np.ndarray,
    cost: np.ndarray,
    roster: Roster,
    work: float,
    seats: float,
    capacity: float,
) -> np.ndarray:
    """Whole agents per shift pattern covering ``need`` (agents each covered hour): the
    roster LP's shifts rounded up, then shifts taken off, dearest per paid hour first,
    while every row still holds (cover, the week's work, the part-time cap), seats and
    capacity then as little overshot as that allows."""
    share = roster.max_part_time_share
    part = None if share is None else np.where(lengths == lengths.max(), 0.0, 1.0) - share
    shape = _cover_shape(found, lengths, part, np.isfinite(seats), integer=False)
    penalty = 1e3 * float(cost.max(initial=1.0))
    n = shape.shifts
    solution = _solve_roster(shape.program(need, work, cost, capacity, seats, penalty))
    assert solution.values is not None
    return _round_roster(found, solution.values[n], need, lengths, cost, roster, work)


def _round_roster(
    found: _SitePatterns,
    relaxed: np.ndarray,
    need: np.ndarray,
    lengths: np.ndarray,
    cost: np.ndarray,
    roster: Roster,
    work: float,
    seats: float = np.inf,
) -> np.ndarray:
    """Whole agents per shift pattern from a roster LP's shifts ``relaxed``: rounded up
    (cover and the week's work then hold), stretched or topped up with full-time shifts
    where that breaks the part-time cap, then shifts taken off while cover, the week's
    work and the part-time cap hold: first those on shift in hours over ``seats`` (the
    shifts covering most such hours first), then the dearest per paid hour first.
    Taking shifts off only eases capacity and seats."""
    agents = np.ceil(relaxed - 1e-6)
    longest = lengths == lengths.max()
    share = roster.max_part_time_share
    cover = found.cover
    if share is not None:  # rounding up may break the part-time cap: stretch, else add
        hours_of = cover.astype(bool)
        while agents[~longest].sum() > share * agents.sum() + 1e-9:
            j = int(np.flatnonzero(~longest & (agents > 0))[0])
            holding = np.flatnonzero(longest & np.all(hours_of[:, [j]] <= hours_of, axis=0))
            if len(holding):  # a full shift holding it: the same hours covered, and more
                agents[j] -= 1
                agents[int(holding[np.argmin(cost[holding])])] += 1
            else:
                agents[int(np.argmin(np.where(longest, cost, np.inf)))] += 1
    on_shift = cover @ agents

    def keeps(j: int) -> bool:
        if np.any(on_shift - cover[:, j] < need - 1e-9):
            return False
        if lengths @ agents - lengths[j] < work - 1e-9:
            return False
        if share is not None:
            total = agents.sum() - 1
            part = agents[~longest].sum() - (0 if longest[j] else 1)
            if part > share * total + 1e-9:
                return False
        return True

    crowded = cover[on_shift > seats + 1e-9].sum(axis=0)
    for j in np.argsort(-crowded, kind="stable")[: int(np.count_nonzero(crowded))]:
        while agents[j] > 0 and np.any(on_shift[cover[:, j] > 0] > seats + 1e-9) and keeps(int(j)):
            agents[j] -= 1
            on_shift -= cover[:, j]
    for j in np.argsort(-(cost / np.maximum(lengths, 1.0)), kind="stable"):
        while agents[j] > 0 and keeps(int(j)):
            agents[j] -= 1
            on_shift -= cover[:, j]
    return agents


class _RosterProgram:
    """A site's roster MILP (one integer column per shift pattern) and its rounding.

    Whole agents on shift each hour at least the whole agents its queues need
    (``whole``); the hours on shift at least the week's work, real-time and deferred
    (``blend``: blending ``b_h <= on_shift_h - worked_h`` with ``Σ b_h = D`` holds iff
    they are); the part-time cap; paid hours at their premium, ties broken towards
    full-time shifts. Capacity and seats are elastic: where no whole roster fits them,
    the roster that overshoots them least is found (each hour over costs far more than
    any paid hour), and the plan's overshoot measured on it is held back in the next
    round.
    """

    def __init__(
        self,
        site: str,
        found: _SitePatterns,
        need: np.ndarray,
        lengths: np.ndarray,
        work: float,
        roster: Roster,
        shift_cost: np.ndarray,
        capacity: float,
        seats: float,
        penalty: float,
    ) -> None:
        share = roster.max_part_time_share
        part = None
        if share is not None:
            part = np.where(lengths < max(roster.shift_hours), 1.0, 0.0) - share
        shape = _cover_shape(found, lengths, part, np.isfinite(seats), integer=True)
        cost = shift_cost + 1e-6 * (lengths < lengths.max())
        self.arrays = shape.program(need, work, cost, capacity, seats, penalty)
        n, over, crowded = shape.shifts, shape.over_capacity, shape.over_seats
        self.shifts = n
        # The LP rounded (up, then shifts taken off while every row holds) is the
        # MILP's first incumbent: enough when within its gap of the LP's bound.
        self.rounding = _Rounding(
            found, need, lengths, shift_cost, roster, work, capacity, seats, n, over, crowded
        )


@dataclass(frozen=True)
class _CoverShape:
    """A whole-roster program on a site's patterns without its figures: the matrix,
    column bounds and integrality (built once, :func:`_cover_shape`), and where the
    figures of a program go (:meth:`program`).

    Rows: ``whole`` (agents on shift each covered hour, at least ``need``), the week's
    work (paid hours at least ``work``), the part-time cap (if any), capacity (paid
    hours at most ``capacity`` plus ``over_capacity``) and, for a site with seats,
    ``seats`` (agents on shift at most ``seats`` plus ``over_seats`` each hour).
    """

    arrays: ProgramArrays
    shifts: np.ndarray  # columns: agents on each pattern
    over_capacity: np.ndarray
    over_seats: np.ndarray | None
    whole: np.ndarray  # rows
    work: int
    capacity: int
    seats: np.ndarray | None

    def program(
        self,
        need: np.ndarray,
        work: float,
        cost: np.ndarray,
        capacity: float,
        seats: float,
        penalty: float,
    ) -> ProgramArrays:
        """The program of these figures (``cost`` per shift pattern, ``penalty`` per
        hour over capacity or seats): the arrays a :class:`LinearProgram` written
        with them gives."""
        row_lower = self.arrays.row_lower.copy()
        row_upper = self.arrays.row_upper.copy()
        costs = np.zeros(self.arrays.num_col)
        row_lower[self.whole] = need
        row_lower[self.work] = work
        row_upper[self.capacity] = capacity
        costs[self.shifts] += cost
        costs[self.over_capacity] += penalty
        if self.seats is not None and self.over_seats is not None:
            row_upper[self.seats] = seats
            costs[self.over_seats] += penalty
        return dataclasses.replace(
            self.arrays, cost=costs, row_lower=row_lower, row_upper=row_upper
        )


def _cover_shape(
    found: _SitePatterns,
    lengths: np.ndarray,
    part: np.ndarray | None,
    seated: bool,
    *,
    integer: bool,
) -> _CoverShape:
    """The shape of a whole-roster program on ``found`` (cached on it): ``part`` the
    part-time cap's coefficients (None: no cap), ``seated`` whether it has seat rows,
    ``integer`` whether its shifts are (the MILP) or not (the LP rounded)."""
    key = (integer, seated, None if part is None else part.tobytes(), lengths.tobytes())
    shape = found.shapes.get(key)
    if shape is not None:
        return shape
    lp = LinearProgram("roster")
    n = lp.add_columns("shifts", list(range(len(found.patterns))), integer=integer)
    covering = [n[m] for m in found.members]
    ones = [np.ones(len(m)) for m in covering]
    hours = list(range(len(found.hours)))
    whole = lp.add_rows("whole", hours, covering, ones, lower=0.0)
    (work,) = lp.add_rows("work", [0], [n], [lengths], lower=0.0)
    if part is not None:
        lp.add_rows("part_time", [0], [n], [part], upper=0.0)
    (capacity,) = lp.add_rows("capacity", [0], [n], [lengths], upper=0.0)
    over = lp.add_columns("over_capacity", [0])
    lp.add_terms(np.array([capacity]), over, np.array([-1.0]))
    seats = crowded = None
    if seated:
        seats = lp.add_rows("seats", hours, covering, ones, upper=0.0)
        crowded = lp.add_columns("over_seats", hours)
        lp.add_terms(seats, crowded, -np.ones(len(seats)))
    shape = _CoverShape(lp.arrays(), n, over, crowded, whole, int(work), int(capacity), seats)
    found.shapes[key] = shape
    return shape


@dataclass(frozen=True)
class _Rounding:
    """A site's roster MILP's whole start from its LP's values: the shifts rounded
    (:func:`_round_roster`), the elastic columns at what they then overshoot."""

    found: _SitePatterns
    need: np.ndarray
    lengths: np.ndarray
    cost: np.ndarray
    roster: Roster
    work: float
    capacity: float
    seats: float
    shifts: np.ndarray  # the columns of the program
    over_capacity: np.ndarray
    over_seats: np.ndarray | None

    def __call__(self, values: np.ndarray) -> np.ndarray:
        agents = _round_roster(
            self.found, values[self.shifts], self.need, self.lengths, self.cost, self.roster,
            self.work, self.seats,
        )  # fmt: skip
        start = np.zeros(len(values))
        start[self.shifts] = agents
        start[self.over_capacity] = max(float(self.lengths @ agents) - self.capacity, 0.0)
        if self.over_seats is not None:
            start[self.over_seats] = np.maximum(self.found.cover @ agents - self.seats, 0.0)
        return start


_SOLVED: dict[bytes, Solution] = {}


def _solve_roster(
    arrays: ProgramArrays, rounded: Callable[[np.ndarray], np.ndarray] | None = None
) -> Solution:
    """Solve a site's roster program; the same program (a site whose work did not
    change from one round, or month, to the next) is solved once per process.

    Its LP first: interval columns over whole requirements, the LP's optimum is often
    whole already (a totally unimodular core), and then it is the MILP's. Otherwise
    ``rounded`` (the LP's values to a whole solution of every row) gives the MILP its
    first incumbent: kept as it is when within :data:`ROSTER_MIP_GAP` of the LP's
    optimum (a bound on the MILP's), else handed to HiGHS as its start, whose
    branch-and-bound then prunes against it from the root on.
    """
    key = b"".join(
        np.ascontiguousarray(a).tobytes()
        for a in (arrays.cost, arrays.col_lower, arrays.col_upper, arrays.row_lower,
                  arrays.row_upper, arrays.a_start, arrays.a_index, arrays.a_value,
                  arrays.integer)
    )  # fmt: skip
    found = _SOLVED.get(key)
    if found is None:
        found = _solve_roster_program(arrays, rounded)
        if len(_SOLVED) > 4096:
            _SOLVED.clear()
        _SOLVED[key] = found
    return found


def _solve_roster_program(
    arrays: ProgramArrays, rounded: Callable[[np.ndarray], np.ndarray] | None
) -> Solution:
    integer = arrays.integer.astype(bool)
    relaxed, _ = solve_with_highs(dataclasses.replace(arrays, integer=np.zeros_like(integer)))
    values = relaxed.values
    if values is None or not integer.any():
        return relaxed
    if np.all(np.abs(values[integer] - np.round(values[integer])) <= 1e-7):
        return relaxed
    if rounded is None or relaxed.objective is None:
        return solve_with_highs(arrays, highs=_roster_highs())[0]
    start = rounded(values)
    cost = float(arrays.cost @ start + arrays.offset)
    bound = float(relaxed.objective)
    gap = (cost - bound) / abs(cost) if cost else 0.0
    if gap <= ROSTER_MIP_GAP:
        return dataclasses.replace(
            relaxed, objective=cost, gap=max(gap, 0.0), values=start, duals=None,
            bound=min(bound, cost),
        )  # fmt: skip
    return solve_with_highs(arrays, highs=_roster_highs(), start=start)[0]


def _roster_highs() -> highspy.Highs:
    highs = new_highs()
    highs.setOptionValue("mip_rel_gap", ROSTER_MIP_GAP)
    highs.setOptionValue("mip_max_nodes", ROSTER_MIP_NODES)
    return highs


def whole_seats(inputs: ModelInputs, site: str) -> float:
    """Most whole agents a rostered site may have on shift in an hour [agents].

    Seats the scenario gives are whole seats (rounded down). A seat limit derived from
    capacity (``settings.peak_factor`` times the average) only keeps work from piling
    into a few hours; whole agents round it up. The LP's ``shift_seats`` rows and the
    whole roster use the same figure, so the roster is a solution of the LP's rows.
    """
    seats = float(inputs.sites.at[site, "max_agents"])
    if not np.isfinite(seats):
        return seats
    given = bool(inputs.sites.at[site, "seats_given"])
    return float(np.floor(seats + 1e-9)) if given else float(np.ceil(seats - 1e-9))


def _blend(spare: np.ndarray, pay: np.ndarray, deferred: float) -> np.ndarray:
    """Deferred agent hours placed in spare shift hours, dearest hours first (what is
    left idle is then the cheapest), deterministic."""
    blended = np.zeros(len(spare))
    left = deferred
    for i in np.lexsort((np.arange(len(pay)), -pay)):
        if left <= 0:
            break
        blended[i] = min(spare[i], left)
        left -= blended[i]
    return blended


_HOURS_COLUMNS = ["site", "hour", "on_shift", "worked", "blended", "idle"]


# Copied rather than built: a plan is priced month by month (18 calls in a Monte Carlo
# draw of demo-study, which has no rostered site), and pandas builds an empty frame in
# about ten times the time it copies one.
_NO_SHIFTS = pd.DataFrame([], columns=SHIFT_COLUMNS)
_NO_HOURS = pd.DataFrame(columns=_HOURS_COLUMNS)


def _empty_hours() -> pd.DataFrame:
    return _NO_HOURS.copy()
