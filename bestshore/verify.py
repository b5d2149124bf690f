"""An independent checker: re-derive every rule from the scenario and test a returned plan.

Nothing here comes from ``bestshore.model``: demand per hour, staffing, eligibility,
shores, premiums and costs are recomputed from the validated scenario, the reference
data and the staffing arithmetic (``bestshore.staffing``) with code of its own. Opening
hours, for one, are checked from market time to site time, the opposite way to the
model. A violation is reported in plain words; an empty list means every rule holds.

**Every figure the result shows is re-derived** from the plan's decisions (each staffing
row's ``share``, ``agents`` and ``roster_agents``; the shifts) and from the scenario:
the staffing rows' calls, handle hours, FTE, rates, premiums, queue figures and costs;
the allocation, sites and breakdown tables; every KPI; the months; the shifts' labels;
the constraints table's capacity, vendor-cap and seat rows. Shares, agents and costs
must be non-negative. :data:`UNCHECKED` lists the few fields that are not re-derived,
and why; the tests tamper every other field and expect it caught.

**Identity** (:func:`identity_problems`) comes first: the result must carry this
scenario's hash (:func:`scenario_hash`, SHA-256 of the validated scenario's canonical
JSON), name, currency and market, and the status of an accepted plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bestshore.result.result import Result
from bestshore.scenario.hours import hour_label, parse_hours
from bestshore.scenario.profiles import annual_factor, weekly_profile
from bestshore.scenario.reference import (
    countries,
    country_zones,
    great_circle_km,
    language_name,
)
from bestshore.scenario.schema import (
    DEFAULT_RETENTION_MONTHS,
    PROFICIENCY_ORDER,
    CallType,
    Channel,
    Jurisdiction,
    LanguageLevels,
    Proficiency,
    Scenario,
    Site,
)
from bestshore.staffing import (
    agents_for_asa,
    agents_for_service_level,
    average_speed_of_answer,
    service_level,
)
from bestshore.staffing.erlang import WARM_START_ERLANGS

__all__ = ["ACCEPTED_STATUSES", "UNCHECKED", "identity_problems", "scenario_hash", "verify"]

# Statuses of a plan (bestshore.api.solve returns no result otherwise): ``optimal`` when
# proven within the stated tolerance of the best possible plan, ``feasible`` otherwise.
ACCEPTED_STATUSES = ("optimal", "feasible")

# Fields of a result (``table.column``, ``kpis.name``, ``stamp.name``) the checker does
# not re-derive, and why. Every other field is checked (the tests tamper each one).
UNCHECKED: dict[str, str] = {
    "staffing.agents_lp": "the LP's linear staffing estimate, kept for comparison "
    "(the plan is staffed and costed on `agents`); only its sign is checked",
    "constraints.dual": "shadow prices are the LP's dual values, which the checker has "
    "no LP to recompute; only their sign is checked (relaxing a limit never costs more)",
    "constraints.message": "words for people, written by the model's families",
    "warnings": "words for people; months over capacity are checked in `months`",
    "stamp.bestshore_version": "a fact of the run, not of the plan",
    "stamp.solver": "a fact of the run, not of the plan",
    "stamp.milp": "a fact of the formulation the model chose",
    "stamp.solver_status": "how the solver's last round ended, a fact of the run",
    "stamp.milp_gap": "the solver's own proof on its last round (the checker checks feasibility)",
    "stamp.lp_objective": "the LP's objective on its linear staffing estimate",
    "stamp.proportional_cost": "the solve's comparison figure, not shown as a cost",
    "stamp.lower_bound": "the solver's proof (the checker has no LP to recompute it); the "
    "gap and the status claimed from it are checked against it",
    "stamp.staffing_rounds": "a fact of the run",
    "stamp.variables": "a fact of the formulation",
    "stamp.constraints": "a fact of the formulation",
    "stamp.wall_seconds": "a fact of the run",
    "stamp.tables": "which tables the result carries: a summary result's empty breakdown "
    "and constraints show nothing and are not checked; any table it carries is, and a "
    "full result's empty table is caught",
    "inputs": "an echo of the scenario's own figures for the workbook's inputs sheet, "
    "not of the plan; not re-derived (the plan's figures are checked in their tables)",
}


REL_TOL = 1e-6
#: Contacts of a demand unit in the sizing week at or under which it needs no plan (the
#: model's rule, ``NEGLIGIBLE_CALLS``: placeholder weights of a profile's closed hours).
NEGLIGIBLE = 1e-6
# Where a plan's lower bound comes from (stamp["lower_bound_source"]): the relaxation's
# solve, the Lagrangian bound, the step MILP's dual bound.
BOUND_SOURCES = frozenset({"relaxation", "lagrangian", "step_milp"})
WEEKS = 365.25 / 7
MONTH_WEEKS = 365.25 / 12 / 7  # a year of 365.25 days in 12 equal months


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(scale), abs(a), abs(b))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON: its content in id order (call
    types, sites and vendors sorted by id, as the model reads them), not its file.

    Written here on its own (the result stamps the model's, ``stamp["scenario_hash"]``;
    the tests check both agree).
    """
    content = scenario.model_dump(mode="json")
    for name in ("call_types", "sites", "vendors"):
        content[name] = sorted(content[name], key=lambda item: item["id"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identity_problems(scenario: Scenario, result: Result) -> list[str]:
    """Why ``result`` is not a result of ``scenario`` (empty when it is).

    The result must carry the scenario's hash (``stamp["scenario_hash"]``), its name,
    its currency and its market (country, name, time zone, currency, coordinates).
    """
    problems = []
    theirs = result.stamp.get("scenario_hash")
    mine = scenario_hash(scenario)
    if not theirs:
        problems.append("the result carries no scenario hash")
    elif theirs != mine:
        problems.append(
            f"the result is of scenario {str(theirs)[:12]}, not of this one ({mine[:12]}): "
            "another scenario, or this one changed since"
        )
    if result.scenario_name != scenario.name:
        problems.append(
            f"the result names scenario {result.scenario_name!r}, not {scenario.name!r}"
        )
    market = scenario.market
    table = countries()
    if market.country not in table.index:
        return [*problems, f"unknown market country {market.country}"]
    country = table.loc[market.country]
    expected: dict[str, Any] = {
        "country": market.country,
        "name": market.name or str(country["name"]),
        "timezone": market.timezone or str(country["timezone"]),
        "currency": market.currency,
        "lat": float(country["lat"]),
        "lon": float(country["lon"]),
    }
    if result.currency != market.currency:
        problems.append(f"the result is in {result.currency}, the scenario in {market.currency}")
    for key, value in expected.items():
        got = result.market.get(key)
        if isinstance(value, float) and isinstance(got, (int, float)):
            same = _close(float(got), value)
        else:
            same = got == value
        if not same:
            problems.append(f"the result's market {key} is {got!r}, the scenario's {value!r}")
    extra = sorted(set(result.market) - set(expected))
    problems += [f"the result's market has an unknown field {key!r}" for key in extra]
    return problems


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns as Python objects (the same values: read row by
    row, a text column hands out each value far more slowly)."""
    text = {c: object for c, kind in frame.dtypes.items() if isinstance(kind, pd.StringDtype)}
    return frame.astype(text) if text else frame


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


@lru_cache(maxsize=1)
def _country_rows() -> dict[str, dict[str, Any]]:
    """Each row of the bundled country table (:func:`countries`) by its code, read once
    (the table is the package's own data, the same for the whole run)."""
    table = countries()
    return {
        code: row._asdict()
        for code, row in zip(table.index, table.itertuples(index=False), strict=True)
    }


@dataclass
class _Calendar:
    """The facts of a world that follow from its market, reference week and sites' hours,
    zones, countries, premiums and shores alone, per site (and market hour): kept apart
    so that worlds alike in these (a Monte Carlo draw's, whose volumes, handle times,
    prices or shrinkage move) share them."""

    open: dict[str, np.ndarray] = field(default_factory=dict)
    open_hour: dict[tuple[str, int], bool] = field(default_factory=dict)
    premium: dict[tuple[str, int], float] = field(default_factory=dict)
    zones: dict[str, ZoneInfo] = field(default_factory=dict)
    shores: dict[str, str] = field(default_factory=dict)
    local: dict[tuple[str, int, int], dt.datetime] = field(default_factory=dict)
    week_premium: dict[str, np.ndarray] = field(default_factory=dict)
    open_count: dict[str, int] = field(default_factory=dict)


_CALENDARS: dict[str, _Calendar] = {}


def _calendar_of(scenario: Scenario) -> _Calendar:
    """The calendar of worlds with this scenario's market, reference week and sites'
    ``hours``, ``timezone``, ``country``, premiums and ``shore`` (the last few kept)."""
    sites = [
        site.model_dump(
            mode="json",
            include={
                "id",
                "hours",
                "timezone",
                "country",
                "night_premium",
                "weekend_premium",
                "shore",
            },
        )
        for site in scenario.sites
    ]
    facts = {
        "market": scenario.market.model_dump(mode="json"),
        "week": scenario.settings.reference_week.isoformat(),
        "sites": sites,
    }
    key = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    calendar = _CALENDARS.get(key)
    if calendar is None:
        if len(_CALENDARS) >= 4:
            _CALENDARS.pop(next(iter(_CALENDARS)))
        calendar = _CALENDARS[key] = _Calendar()
    return calendar


class _World:
    """Facts about the scenario, computed once, by this module's own rules."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        market = scenario.market
        self.country = _country_rows()  # shared: read, never written
        zone = market.timezone or self.country[market.country]["timezone"]
        self.market_zone = ZoneInfo(zone)
        self.monday = dt.datetime.combine(scenario.settings.reference_week, dt.time(0))
        self.call_types = {c.id: c for c in scenario.call_types}
        self.sites = {s.id: s for s in scenario.sites}
        # the calendar's facts (opening hours, local times, premiums, shores) are shared
        # with the last worlds of the same market, week and sites (_Calendar)
        calendar = _calendar_of(scenario)
        self._open: dict[str, np.ndarray] = calendar.open
        self._open_hour: dict[tuple[str, int], bool] = calendar.open_hour
        self._premium: dict[tuple[str, int], float] = calendar.premium
        self.calls: dict[tuple[str, str, int], float] = {}  # weekly calls per demand unit
        self.language_shares: dict[tuple[str, str], list[float]] = {}  # per hour
        self.total_work: float | None = None  # _total_work
        self._zones: dict[str, ZoneInfo] = calendar.zones
        self._shores: dict[str, str] = calendar.shores
        self._profiles: dict[str, tuple[np.ndarray, float]] = {}
        self.discount: dict[str, float] = {}  # volume tier earned per vendor (set by verify)
        # agents on shift per market hour of each rostered site's sizing week (set by
        # _check_roster, read by the limits table's roster rows)
        self.on_shift: dict[str, np.ndarray] = {}
        # Costed month by month (a result saved before months were costed is checked
        # at the annual factor, as it was then costed). Set by verify.
        self.monthly = True
        self._staffed: dict[tuple[str, float], tuple[float, float]] = {}
        self._figures: dict[tuple[str, float, int], list[tuple[float, float, float, float]]] = {}
        self._rules: dict[tuple[str, str, str], list[str]] = {}
        self._in_time: dict[tuple[str, str], bool] = {}
        self._years: dict[str, list[tuple[int, float, float]]] = {}
        self._incentives: dict[str, float] = {}
        self._weekly_hours: dict[str, float] = {}
        self._local: dict[tuple[str, int, int], dt.datetime] = calendar.local
        self._week_premium: dict[str, np.ndarray] = calendar.week_premium
        self._open_count: dict[str, int] = calendar.open_count

    def zone(self, site: Site) -> ZoneInfo:
        if site.id not in self._zones:
            self._zones[site.id] = ZoneInfo(site.timezone or self.country[site.country]["timezone"])
        return self._zones[site.id]

    def profile(self, call_type: CallType) -> tuple[np.ndarray, float]:
        """Weekly arrival shares and annual factor of a call type."""
        if call_type.id not in self._profiles:
            factor = annual_factor(call_type.seasonality, self.scenario.settings.sizing)
            self._profiles[call_type.id] = (weekly_profile(call_type), factor)
        return self._profiles[call_type.id]

    def month_loads(self, call_type: CallType) -> np.ndarray:
        """A week of each month over the sizing week, in volume (12 values, January first).

        Month m's weekly volume is the annual volume times its share of the seasonality
        weights over its 365.25 / 12 / 7 weeks; the sizing week is that of the peak
        month, the average month or the month given (``settings.sizing``).
        """
        weights = np.ones(12) if call_type.seasonality is None else np.array(call_type.seasonality)
        shares = weights / weights.sum()
        sizing = self.scenario.settings.sizing
        if sizing == "peak":
            sized = shares.max()
        elif sizing == "average":
            sized = 1 / 12
        else:
            sized = shares[int(sizing) - 1]
        return shares / sized

    def year_of(self, call_type: CallType) -> list[tuple[int, float, float]]:
        """``(month, weeks, load)`` of the year: the 12 months, or for a result saved
        before months were costed one stretch of the annual factor's weeks at load 1."""
        if not self.monthly:
            return [(0, self.profile(call_type)[1], 1.0)]
        if call_type.id not in self._years:  # every row of the call type asks
            loads = self.month_loads(call_type)
            self._years[call_type.id] = [(m + 1, MONTH_WEEKS, float(loads[m])) for m in range(12)]
        return self._years[call_type.id]

    def staffed(self, call_type: CallType, calls: float, whole_agents: bool) -> tuple[float, float]:
        """The agents a real-time queue of ``calls`` an hour is staffed with, and its
        whole agents. Queues with a goal are staffed in whole agents at rostered sites
        and under ``settings.staffing_model: whole`` (``whole_agents``), in planning
        agents elsewhere; queues without a goal by their workload."""
        key = (call_type.id, calls)
        occupancy = self.scenario.settings.occupancy
        if key not in self._staffed:
            self._staffed[key] = (
                _planning_needed(call_type, calls, occupancy),
                float(_roster_needed(call_type, calls, occupancy)),
            )
        planning, roster = self._staffed[key]
        goal = call_type.service_level
        return (roster if whole_agents and goal is not None else planning), roster

    def staffed_many(
        self, call_type: CallType, calls: np.ndarray, whole_agents: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`staffed` of many queues of one call type (``calls`` an hour each, any
        shape): the queues not yet staffed are staffed together first (:meth:`staff_all`)."""
        values, inverse = np.unique(calls, return_inverse=True)
        known = values.tolist()
        self.staff_ahead(call_type, values)
        found = [self._staffed[(call_type.id, c)] for c in known]
        planning = np.array([p for p, _ in found], dtype=float)
        roster = np.array([r for _, r in found], dtype=float)
        goal = call_type.service_level
        chosen = roster if whole_agents and goal is not None else planning
        shape = np.shape(calls)
        return chosen[inverse].reshape(shape), roster[inverse].reshape(shape)

    def staff_ahead(self, call_type: CallType, calls: np.ndarray) -> None:
        """Staff queues of ``calls`` an hour of one call type into the cache :meth:`staffed`
        reads, those not yet staffed together (:meth:`staff_all`)."""
        self.staff_all([(call_type, calls)])

    def staff_all(self, queues: list[tuple[CallType, np.ndarray]]) -> None:
        """Staff queues of several call types (``calls`` an hour each) into the cache
        :meth:`staffed` reads: those not yet staffed that have an Erlang C goal, at a
        load the walk from 0 agents serves, all in one walk (:func:`_erlang_c_staffing`),
        the others one by one (:func:`_planning_needed`, :func:`_roster_needed`)."""
        occupancy = self.scenario.settings.occupancy
        by_type: dict[str, list[np.ndarray]] = {}
        for call_type, calls in queues:
            by_type.setdefault(call_type.id, []).append(np.ravel(calls))
        together: list[tuple[CallType, float]] = []
        terms: list[np.ndarray] = []
        for call_type_id, parts in by_type.items():
            call_type = self.call_types[call_type_id]
            fresh = [
                c
                for c in np.unique(np.concatenate(parts)).tolist()
                if (call_type_id, c) not in self._staffed
            ]
            if not fresh:
                continue
            goal = call_type.service_level
            seconds = call_type.aht_seconds
            values = np.array(fresh, dtype=float)
            busiest = values * _busiest(call_type) * seconds / 3600
            with np.errstate(invalid="ignore"):
                quick = (values * seconds / 3600 > 0) & (busiest > 0)
                quick &= busiest < WARM_START_ERLANGS
            if (
                goal is None
                or goal.patience_seconds is not None
                or (
                    goal.asa_seconds is None
                    and (goal.target is None or goal.answer_seconds is None)
                )
            ):
                quick[:] = False  # no Erlang C goal: one by one
            for c in values[~quick].tolist():
                self._staff_one(call_type, c)
            if not quick.any():
                continue
            assert goal is not None
            size = int(quick.sum())
            together += [(call_type, c) for c in values[quick].tolist()]
            terms.append(
                np.array(
                    [
                        busiest[quick],
                        np.full(size, float(seconds)),
                        np.full(size, float(goal.answer_seconds or 0.0)),
                        np.full(size, float(goal.target or 0.0)),
                        np.full(size, float(goal.asa_seconds or 1.0)),
                        np.full(size, float(goal.asa_seconds is not None)),
                    ]
                )
            )
        if not together:
            return
        traffic, aht, answer, target, asa, by_asa = np.concatenate(terms, axis=1)
        planning, whole, sure = _erlang_c_staffing(
            traffic, aht, answer, target, asa, by_asa > 0, occupancy
        )
        for (call_type, c), p, w, ok in zip(
            together, planning.tolist(), whole.tolist(), sure.tolist(), strict=True
        ):
            if ok:
                self._staffed[(call_type.id, c)] = (p, float(w))
            else:  # within rounding of its goal: the scalar scan decides
                self._staff_one(call_type, c)

    def _staff_one(self, call_type: CallType, calls: float) -> None:
        occupancy = self.scenario.settings.occupancy
        self._staffed[(call_type.id, calls)] = (
            _planning_needed(call_type, calls, occupancy),
            float(_roster_needed(call_type, calls, occupancy)),
        )

    def hour_figures(
        self, call_type: CallType, traffic: float, agents: int
    ) -> list[tuple[float, float, float, float]]:
        """:func:`_hour_figures`, kept: a queue's rows (a language pool's) and its two
        checks ask for the same figures."""
        key = (call_type.id, traffic, agents)
        if key not in self._figures:
            self._figures[key] = _hour_figures(call_type, traffic, agents)
        return self._figures[key]

    def figures_ahead(self, call_type: CallType, queues: list[tuple[float, int]]) -> None:
        """:meth:`hour_figures` of many ``(traffic, agents)`` queues of one call type, those
        of an Erlang C goal at loads the walk from 0 agents serves computed together
        (:func:`_erlang_c_figures`), the others one by one."""
        goal = call_type.service_level
        assert goal is not None
        missing = [q for q in dict.fromkeys(queues) if (call_type.id, *q) not in self._figures]
        seconds = goal.answer_seconds if goal.answer_seconds is not None else goal.asa_seconds
        shares = _interval_shares(call_type)
        aht = call_type.aht_seconds
        together = []
        for traffic, agents in missing:
            loads = [traffic * share * len(shares) for share in shares]
            if (
                goal.patience_seconds is None
                and seconds is not None
                and type(agents) is int
                and agents >= 0
                and all(0 <= load < WARM_START_ERLANGS for load in loads)
            ):
                together.append((traffic, agents, loads))
            else:
                self.hour_figures(call_type, traffic, agents)
        if not together:
            return
        assert seconds is not None
        figures = iter(
            _erlang_c_figures(
                np.array([load for _, _, loads in together for load in loads], dtype=float),
                np.array([n for _, n, loads in together for _ in loads], dtype=np.int64),
                float(aht),
                float(seconds),
            )
        )
        for traffic, agents, _ in together:
            self._figures[(call_type.id, traffic, agents)] = [
                (share, *next(figures), math.nan) for share in shares
            ]

    def row_rules(self, call_type: CallType, site: Site, language: str) -> list[str]:
        """The rules a row of ``call_type`` in ``language`` at ``site`` breaks whatever its
        figures (languages, offer, quality gate, data jurisdiction, shore), kept."""
        key = (call_type.id, site.id, language)
        if key not in self._rules:
            self._rules[key] = self._row_rules(call_type, site, language)
        return self._rules[key]

    def _row_rules(self, call_type: CallType, site: Site, language: str) -> list[str]:
        scenario = self.scenario
        found: list[str] = []
        # Languages: work answered live is spoken, work that waits (e-mail, mail, social)
        # is written; a site giving one level has it for both.
        written = call_type.channel not in ("voice", "chat")
        level = site.languages.get(language)
        if isinstance(level, LanguageLevels):
            level = level.written if written else level.spoken
        need = call_type.min_proficiency
        if level is None:
            found.append(f"site does not work in {language}")
        elif PROFICIENCY_ORDER[Proficiency(level)] < PROFICIENCY_ORDER[need]:
            skill = "writes" if written else "speaks"
            found.append(f"{skill} {language} at {level}, below the required {need}")
        if site.call_types is not None and call_type.id not in site.call_types:
            found.append(f"site does not offer {call_type.id}")
        gate = scenario.policies.quality_gates.get(call_type.id)
        if gate is not None:
            csat = _score(site, call_type.id, "csat")
            if csat is None:
                found.append(f"site reports no CSAT, the quality gate is {gate:g}")
            elif csat < gate:
                found.append(f"CSAT {csat:g} below the quality gate of {gate:g}")
        if not self.jurisdiction_ok(call_type.data_class, site.country):
            found.append(f"{call_type.data_class} data may not be processed in {site.country}")
        shore = self.shore(site)
        for i, rule in enumerate(scenario.policies.shore_rules):
            if (
                call_type.level in rule.levels or call_type.id in rule.call_types
            ) and shore not in rule.shores:
                found.append(f"shore rule {i} allows {rule.shores}, site is {shore}")
        return found

    def answers_in_time(self, call_type: CallType, site: Site) -> bool:
        """:func:`_answers_in_time`, kept per call type and site."""
        key = (call_type.id, site.id)
        if key not in self._in_time:
            self._in_time[key] = _answers_in_time(self, call_type, site)
        return self._in_time[key]

    def whole_agents(self, site: Site) -> bool:
        """Whether queues with a goal are staffed in whole agents at ``site``
        (``settings.staffing_model: whole``; planning agents otherwise, rostered sites
        covering their sum in whole shifts)."""
        return self.scenario.settings.staffing_model == "whole"

    def local(self, site: Site, market_hour: int, minute: int = 0) -> dt.datetime:
        key = (site.id, market_hour, minute)
        if key not in self._local:
            instant = (self.monday + dt.timedelta(hours=market_hour, minutes=minute)).replace(
                tzinfo=self.market_zone
            )
            self._local[key] = instant.astimezone(self.zone(site))
        return self._local[key]

    def open_quarters(self, site: Site) -> np.ndarray:
        if site.id not in self._open:
            self._open[site.id] = parse_hours(site.hours)
        return self._open[site.id]

    def is_open(self, site: Site, market_hour: int) -> bool:
        """Open for all four quarters of a market hour, judged in the site's local time."""
        key = (site.id, market_hour)
        if key not in self._open_hour:
            self._open_hour[key] = self._is_open(site, market_hour)
        return self._open_hour[key]

    def _is_open(self, site: Site, market_hour: int) -> bool:
        quarters = self.open_quarters(site)
        local_monday = self.monday.replace(tzinfo=None)
        for minute in (0, 15, 30, 45):
            local = self.local(site, market_hour, minute).replace(tzinfo=None)
            index = int((local - local_monday).total_seconds() // 900) % (168 * 4)
            if not quarters[index]:
                return False
        return True

    def premium(self, site: Site, market_hour: int) -> float:
        key = (site.id, market_hour)
        if key not in self._premium:
            local = self.local(site, market_hour, 30)
            night = local.hour >= 22 or local.hour < 6
            weekend = local.weekday() >= 5
            self._premium[key] = 1.0 + site.night_premium * night + site.weekend_premium * weekend
        return self._premium[key]

    def week_premium(self, site: Site) -> np.ndarray:
        """:meth:`premium` of each of the week's 168 market hours."""
        if site.id not in self._week_premium:
            self._week_premium[site.id] = np.array([self.premium(site, h) for h in range(168)])
        return self._week_premium[site.id]

    def open_count(self, site: Site) -> int:
        """Market hours of the week the site is open for entirely (:meth:`is_open`)."""
        if site.id not in self._open_count:
            self._open_count[site.id] = sum(self.is_open(site, h) for h in range(168))
        return self._open_count[site.id]

    def shore(self, site: Site) -> str:
        if site.id not in self._shores:
            self._shores[site.id] = self._shore(site)
        return self._shores[site.id]

    def _shore(self, site: Site) -> str:
        market = self.scenario.market
        if site.shore:
            return site.shore
        if site.country in market.shore_overrides:
            return market.shore_overrides[site.country]
        if site.country == market.country:
            return "inshore"
        # Nearshore: some zone of each country (tz reference cities) within 2,500 km
        # and 2 h of UTC offset in the reference week.
        noon = dt.datetime.combine(self.scenario.settings.reference_week, dt.time(12))

        def points(code: str) -> list[tuple[float, float, dt.timedelta]]:
            zones = country_zones(code)
            found = []
            for zone, lat, lon in zip(zones["timezone"], zones["lat"], zones["lon"], strict=True):
                offset = noon.replace(tzinfo=ZoneInfo(zone)).utcoffset()
                assert offset is not None
                found.append((float(lat), float(lon), offset))
            return found

        near = any(
            abs(o1 - o2) <= dt.timedelta(hours=2) and great_circle_km(a1, b1, a2, b2) <= 2500
            for a1, b1, o1 in points(market.country)
            for a2, b2, o2 in points(site.country)
        )
        return "nearshore" if near else "offshore"

    def rate(self, call_type_id: str, site: Site) -> float:
        if call_type_id in site.rates:
            return site.rates[call_type_id]
        if site.cost_per_hour is not None:
            return site.cost_per_hour
        if site.price_per_contact is not None:
            return 0.0  # paid by the contact: see contact_price
        if site.price_per_fte_month is not None:
            # A month of one FTE buys a twelfth of its productive hours a year.
            return site.price_per_fte_month * 12 / (self.weekly_hours_per_fte(site) * WEEKS)
        return float(self.country[site.country]["agent_cost_eur_per_hour"])

    def storage_per_contact(self, call_type: CallType, site: Site) -> float:
        """Keeping the recording of one contact handled [currency]: voice calls only, at
        the call type's rate capped by the site country's, for the data class's months."""
        policies = self.scenario.policies
        if call_type.channel != "voice" or not policies.recording_storage_price:
            return 0.0
        recorded = min(call_type.recording_rate, policies.recording_caps.get(site.country, 1.0))
        months = policies.recording_retention_months.get(
            call_type.data_class, DEFAULT_RETENTION_MONTHS
        )
        hours_kept = recorded * call_type.aht_seconds / 3600 * months  # recorded hour-months
        return hours_kept * policies.recording_storage_price

    def incentive(self, site: Site) -> float:
        """Bill multiplier from the vendor's bonus/malus on this site's CSAT."""
        if site.id not in self._incentives:  # every row of the site asks
            self._incentives[site.id] = self._incentive(site)
        return self._incentives[site.id]

    def _incentive(self, site: Site) -> float:
        vendor = next((v for v in self.scenario.vendors if v.id == site.vendor), None)
        terms = vendor.quality_incentive if vendor else None
        if terms is None or site.quality.csat is None:
            return 1.0
        points = site.quality.csat - terms.csat_target
        per_point = terms.bonus_per_point if points > 0 else terms.malus_per_point
        return 1.0 + max(-terms.cap, min(terms.cap, points * per_point))

    def annual_hours_per_fte(self, site: Site) -> float:
        """The site's own figure, else the scenario's setting, else its country's [h/yr]."""
        if site.annual_hours_per_fte is not None:
            return site.annual_hours_per_fte
        if self.scenario.settings.annual_hours_per_fte is not None:
            return self.scenario.settings.annual_hours_per_fte
        bundled = self.country[site.country]["annual_hours_per_fte"]
        if bundled != bundled:  # NaN: a validated scenario never gets here
            raise ValueError(f"site {site.id!r}: no annual hours per FTE for {site.country}")
        return float(bundled)

    def weekly_hours_per_fte(self, site: Site) -> float:
        """Productive hours a week of one FTE at the site [h/week] (kept per site)."""
        if site.id not in self._weekly_hours:
            self._weekly_hours[site.id] = self._weekly_hours_per_fte(site)
        return self._weekly_hours[site.id]

    def _weekly_hours_per_fte(self, site: Site) -> float:
        settings = self.scenario.settings
        shrinkage = settings.shrinkage if site.shrinkage is None else site.shrinkage
        return self.annual_hours_per_fte(site) * (1 - shrinkage) / WEEKS

    def capacity(self, site: Site) -> float:
        if site.capacity_hours is not None:
            return site.capacity_hours / WEEKS
        assert site.capacity_fte is not None
        return site.capacity_fte * self.weekly_hours_per_fte(site)

    def needs_scc(self, data_class: str, country: str) -> bool:
        """Data of this class reaches this country only under standard contractual clauses."""
        allowed = set(self.scenario.policies.data_jurisdictions[data_class])
        row = self.country[country]
        otherwise = (
            Jurisdiction.ANY in allowed
            or (Jurisdiction.MARKET in allowed and country == self.scenario.market.country)
            or (Jurisdiction.EU_EEA in allowed and bool(row["eu_eea"]))
            or (Jurisdiction.ADEQUACY in allowed and bool(row["eu_adequacy"]))
        )
        return Jurisdiction.SCC in allowed and not otherwise

    def jurisdiction_ok(self, data_class: str, country: str) -> bool:
        allowed = set(self.scenario.policies.data_jurisdictions[data_class])
        row = self.country[country]
        return (
            Jurisdiction.ANY in allowed
            or Jurisdiction.SCC in allowed
            or (Jurisdiction.MARKET in allowed and country == self.scenario.market.country)
            or (Jurisdiction.EU_EEA in allowed and bool(row["eu_eea"]))
            or (Jurisdiction.ADEQUACY in allowed and bool(row["eu_adequacy"]))
        )


_WORLDS: dict[str, _World] = {}  # by scenario hash: re-checks of one scenario share its facts


def _world_of(scenario: Scenario) -> _World:
    """The facts of ``scenario``, kept for the last few scenarios checked (a Workbench
    or a test re-checks the same one many times); the per-result state is reset."""
    key = scenario_hash(scenario)
    world = _WORLDS.get(key)
    if world is None:
        if len(_WORLDS) >= 4:
            _WORLDS.pop(next(iter(_WORLDS)))
        world = _WORLDS[key] = _World(scenario.model_copy(deep=True))
    world.discount = {}
    world.on_shift = {}
    world.monthly = True
    return world


def _language_shares(call_type: CallType, language: str) -> list[float]:
    """The share of a call type's calls in ``language`` in each market hour of the week:
    its ``languages``' share, or that of the last of its ``hourly_languages`` windows
    open in any quarter of the hour (each window's hours read once)."""
    windows = [(parse_hours(w.hours), w.languages) for w in call_type.hourly_languages]
    shares = []
    for hour in range(168):
        share = call_type.languages.get(language, 0.0)
        for quarters, languages in windows:
            if quarters[hour * 4 : hour * 4 + 4].any():
                share = languages.get(language, 0.0)
        shares.append(share)
    return shares


def _weekly_calls(world: _World, call_type: CallType, language: str, hour: int) -> float:
    key = (call_type.id, language, hour)
    if key not in world.calls:  # rows meet the same demand units over and over
        unit = (call_type.id, language)
        if unit not in world.language_shares:
            world.language_shares[unit] = _language_shares(call_type, language)
        shares = world.language_shares[unit]
        profile, factor = world.profile(call_type)
        if hour < 0:
            world.calls[key] = sum(
                call_type.volume / factor * profile[h] * shares[h] for h in range(168)
            )
        else:
            world.calls[key] = call_type.volume / factor * profile[hour] * shares[hour]
    return world.calls[key]


def _interval_shares(call_type: CallType) -> list[float]:
    """Shares of an hour's calls in each of its intervals (one interval when uniform)."""
    shares = call_type.within_hour
    if shares is None or len(set(shares)) <= 1:
        return [1.0]
    return [float(v) for v in shares]


def _busiest(call_type: CallType) -> float:
    """The busiest interval's load over the hour's."""
    shares = _interval_shares(call_type)
    return max(shares) * len(shares)


def _abandoning(
    traffic: float, agents: int, aht: float, patience: float, answer: float
) -> tuple[float, float]:
    """``(abandonment, answered within answer)`` of an Erlang A queue, written apart from
    ``bestshore.staffing``: the birth-death chain's states summed (weights
    ``A^k / k!`` up to the agents, then times ``x / (a + i)`` per caller queued, ``x =
    A p / h``, ``a = N p / h``), abandonment ``E[queue] / x``, and a caller finding ``j``
    queued answered within ``t`` with probability ``a / (a + j + 1) (1 -
    I_{exp(-t/p)}(a + 1, j + 1))`` (regularized incomplete beta)."""
    from scipy import special  # imported when used: Erlang C plans do not pay for it

    if traffic <= 0:
        return 0.0, 1.0
    x, a = traffic * patience / aht, agents * patience / aht
    depth = int(max(0.0, x - a) + 40 * math.sqrt(x + 1) + 200)
    below = np.arange(agents)
    low = below * math.log(traffic) - special.gammaln(below + 1)
    top = agents * math.log(traffic) - math.lgamma(agents + 1)
    queued = np.arange(depth)
    high = top + np.concatenate([[0.0], np.cumsum(math.log(x) - np.log(a + queued[1:]))])
    logs = np.concatenate([low, high])
    weights = np.exp(logs - logs.max())
    weights /= weights.sum()
    waiting = weights[agents:]
    lost = float((queued * waiting).sum()) / x
    if agents == 0:
        return lost, 0.0
    reach = (
        a
        / (a + queued + 1)
        * (1 - special.betainc(a + 1, queued + 1, math.exp(-answer / patience)))
    )
    return lost, float(weights[:agents].sum() + (waiting * reach).sum())


def _hour_figures(
    call_type: CallType, traffic: float, agents: int
) -> list[tuple[float, float, float, float]]:
    """Per interval of the hour: (share of calls, service level, ASA [s], abandonment)
    of ``agents`` at the interval's load (abandonment NaN under Erlang C)."""
    goal = call_type.service_level
    assert goal is not None
    seconds = goal.answer_seconds if goal.answer_seconds is not None else goal.asa_seconds
    assert seconds is not None
    shares = _interval_shares(call_type)
    aht = call_type.aht_seconds
    found = []
    for share in shares:
        load = traffic * share * len(shares)
        if goal.patience_seconds is None:
            found.append(
                (share, service_level(load, agents, aht, seconds),
                 average_speed_of_answer(load, agents, aht), math.nan)
            )  # fmt: skip
        else:
            lost, level = _abandoning(load, agents, aht, goal.patience_seconds, seconds)
            found.append((share, level, lost * goal.patience_seconds, lost))
    return found


def _abandoning_meets(call_type: CallType, traffic: float, agents: int, occupancy: float) -> bool:
    """Whether ``agents`` meet an Erlang A goal at ``traffic`` (one interval's load)."""
    goal = call_type.service_level
    assert goal is not None and goal.patience_seconds is not None
    if traffic <= 0:
        return True
    if agents == 0:
        return False
    answer = goal.answer_seconds if goal.answer_seconds is not None else 0.0
    lost, level = _abandoning(traffic, agents, call_type.aht_seconds, goal.patience_seconds, answer)
    return (
        (goal.target is None or level >= goal.target)
        and (goal.asa_seconds is None or lost * goal.patience_seconds <= goal.asa_seconds)
        and (goal.max_abandon_rate is None or lost <= goal.max_abandon_rate)
        and traffic * (1 - lost) <= occupancy * agents * (1 + 1e-12)
    )


def _abandoning_agents(call_type: CallType, traffic: float, occupancy: float) -> int:
    """Fewest whole agents meeting an Erlang A goal at ``traffic``, counted up from 0."""
    agents = 0
    while not _abandoning_meets(call_type, traffic, agents, occupancy):
        agents += 1
    return agents


def _abandoning_limit(call_type: CallType, agents: int, occupancy: float) -> float:
    """Most load ``agents`` carry within an Erlang A goal, by bisection [Erlang]."""
    if agents == 0:
        return 0.0
    low, high = 0.0, float(agents)
    while _abandoning_meets(call_type, high, agents, occupancy):
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        if _abandoning_meets(call_type, middle, agents, occupancy):
            low = middle
        else:
            high = middle
    return low


def _roster_needed(call_type: CallType, calls: float, occupancy: float) -> int:
    """Whole agents the hour needs (Erlang C or A at the busiest interval's load, or
    the workload rounded up)."""
    traffic = calls * call_type.aht_seconds / 3600
    goal = call_type.service_level
    if traffic <= 0:
        return 0
    if goal is None:
        return math.ceil(traffic / occupancy - 1e-9)
    calls *= _busiest(call_type)
    if goal.patience_seconds is not None:
        return _abandoning_agents(call_type, traffic * _busiest(call_type), occupancy)
    if goal.asa_seconds is not None:
        return agents_for_asa(calls, 60, call_type.aht_seconds, goal.asa_seconds, occupancy)
    assert goal.target is not None and goal.answer_seconds is not None
    return agents_for_service_level(
        calls, 60, call_type.aht_seconds, goal.target, goal.answer_seconds, occupancy
    )


def _planning_needed(call_type: CallType, calls: float, occupancy: float) -> float:
    """Fractional agents: the service goal interpolated between whole agent counts.

    Written independently of the model: scan whole agent counts upward from the traffic
    for the first that meets the goal, then interpolate linearly on the goal measure.
    """
    aht = call_type.aht_seconds
    goal = call_type.service_level
    if goal is not None:
        calls *= _busiest(call_type)  # the hour is staffed for its busiest interval
    traffic = calls * aht / 3600
    if traffic <= 0:
        return 0.0
    if goal is None:
        return traffic / occupancy
    if goal.patience_seconds is not None:  # between the corners, on the load
        whole = _abandoning_agents(call_type, traffic, occupancy)
        low = _abandoning_limit(call_type, whole - 1, occupancy)
        high = _abandoning_limit(call_type, whole, occupancy)
        return whole - 1 + (traffic - low) / (high - low)

    measured: dict[int, float] = {}

    def measure(n: int) -> float:  # higher is better; 0 when the queue is unstable
        if n <= traffic:
            return 0.0
        if n not in measured:
            if goal.asa_seconds is not None:
                measured[n] = 1.0 / average_speed_of_answer(traffic, n, aht)
            else:
                assert goal.answer_seconds is not None
                measured[n] = service_level(traffic, n, aht, goal.answer_seconds)
        return measured[n]

    wanted = 1.0 / goal.asa_seconds if goal.asa_seconds is not None else float(goal.target or 0)
    n = math.floor(traffic) + 1
    while measure(n) < wanted:
        n += 1
    below, above = measure(n - 1), measure(n)
    return max(n - 1 + (wanted - below) / (above - below), traffic / occupancy)


def _exp(values: np.ndarray) -> np.ndarray:
    """``math.exp`` of each value (numpy's own exponential may differ in the last bit);
    infinite past its range (for values the caller then sets aside)."""
    return np.array([math.exp(v) if v < 709 else math.inf for v in values.tolist()])


def _walk_on(
    n: int,
    i: int,
    blocking: float,
    found_planned: bool,
    found_whole: bool,
    traffic: float,
    aht: float,
    answer: float,
    target: float,
    asa: float,
    by_asa: bool,
    least: float,
    planned: np.ndarray,
    whole: np.ndarray,
    met: np.ndarray,
) -> None:
    """:func:`_erlang_c_staffing`'s walk for queue ``i`` alone, on from ``n`` agents
    (``B(n) = blocking``), in the same arithmetic."""
    while not (found_planned and found_whole):
        n += 1
        before = blocking
        load = traffic * blocking
        blocking = load / (n + load)
        if n <= traffic:
            continue
        waiting = n * blocking / (n - traffic * (1.0 - blocking))
        if by_asa:
            meets = waiting * aht / (n - traffic) <= asa
        else:
            meets = 1.0 - waiting * math.exp(-(n - traffic) * answer / aht) >= target
        if meets and not found_planned:
            planned[i], met[0, i], met[1, i] = n, before, blocking
            found_planned = True
        if meets and not found_whole and n >= least:
            whole[i], met[2, i], met[3, i] = n, before, blocking
            found_whole = True


def _erlang_c_staffing(
    traffic: np.ndarray,
    aht: np.ndarray,
    answer: np.ndarray,
    target: np.ndarray,
    asa: np.ndarray,
    by_asa: np.ndarray,
    occupancy: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_planning_needed` and :func:`_roster_needed` of many Erlang C queues at once:
    the planning agents and whole agents of each busiest interval's load ``traffic``
    [Erlang] (each above 0 and below :data:`~bestshore.staffing.erlang.WARM_START_ERLANGS`,
    where the scalar Erlang B walks up from 0 agents), of ``aht`` [s], for a goal of
    ``target`` answered within ``answer`` [s] or, where ``by_asa``, an ASA of ``asa`` [s];
    and whether each is sure (False for a queue whose deciding figure lies within
    rounding of its goal: the caller staffs it by the scalar scan).

    One walk up the agent counts for all queues together, with the scalar functions'
    arithmetic in their order: ``B(n) = A B(n-1) / (n + A B(n-1))`` from ``B(0) = 1``,
    ``C = n B / (n - A (1 - B))``, ``SL = 1 - C exp(-(n - A) t / h)``, ``ASA = C h /
    (n - A)``. The planning agents scan from ``floor(A) + 1`` for the first count whose
    measure (SL, or 1 / ASA) reaches the goal and interpolate on it; the whole agents are
    the first count from ``max(floor(A) + 1, ceil(A / occupancy))`` meeting the goal
    (``SL >= target``, ``ASA <= asa``), as :func:`bestshore.staffing.agents_for_service_level`
    and :func:`~bestshore.staffing.agents_for_asa` count them. The walk decides in numpy's
    exponential; the deciding figures and the interpolation are then taken again in
    ``math.exp``, the scalar functions' (every other operation rounds alike), and the
    decisions checked on them.
    """
    wanted = np.where(by_asa, 1.0 / asa, target)
    first = np.floor(traffic) + 1
    ratio = traffic / occupancy  # ceil(A / occupancy), a ratio within 1e-9 of whole as whole
    start = np.maximum(
        first,
        np.where(ratio * 1e-9 <= 0.25, np.ceil(ratio * (1 - 1e-9)), np.ceil(ratio - 0.25)),
    )
    size = len(traffic)
    planned = np.full(size, -1)  # the first count meeting the goal, once found
    whole = np.full(size, -1)
    met = np.zeros((4, size))  # B at planned - 1, planned, whole - 1, whole
    # the queues still walking (a queue leaves once both its counts are found)
    at = np.arange(size)
    a, h, t, goal, speed, asa_goal, least = traffic, aht, answer, target, asa, by_asa, start
    blocking = np.ones(size)
    found_planned = np.zeros(size, dtype=bool)
    found_whole = np.zeros(size, dtype=bool)
    n = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while len(at):
            n += 1
            before = blocking
            load = a * blocking
            blocking = load / (n + load)
            waiting = n * blocking / (n - a * (1.0 - blocking))
            if not asa_goal.any():
                meets = 1.0 - waiting * np.exp(-(n - a) * t / h) >= goal
            elif asa_goal.all():
                meets = waiting * h / (n - a) <= speed
            else:
                meets = np.where(
                    asa_goal,
                    waiting * h / (n - a) <= speed,
                    1.0 - waiting * np.exp(-(n - a) * t / h) >= goal,
                )
            hit = ~found_planned & (n > a) & meets
            if hit.any():
                planned[at[hit]] = n
                met[0, at[hit]], met[1, at[hit]] = before[hit], blocking[hit]
                found_planned |= hit
            done = ~found_whole & (n >= least) & meets
            if done.any():
                whole[at[done]] = n
                met[2, at[done]], met[3, at[done]] = before[done], blocking[done]
                found_whole |= done
            left = ~(found_planned & found_whole)
            if left.sum() <= 4:  # the last few queues: walked on one by one (cheaper)
                for k in np.flatnonzero(left).tolist():
                    _walk_on(
                        n, int(at[k]), float(blocking[k]), bool(found_planned[k]),
                        bool(found_whole[k]), float(a[k]), float(h[k]), float(t[k]),
                        float(goal[k]), float(speed[k]), bool(asa_goal[k]), float(least[k]),
                        planned, whole, met,
                    )  # fmt: skip
                break
            if 4 * (len(at) - left.sum()) >= len(at):  # a quarter done: walk on without them
                at, a, h, t, goal, speed, asa_goal, least = (
                    v[left] for v in (at, a, h, t, goal, speed, asa_goal, least)
                )
                blocking, found_planned, found_whole = (
                    v[left] for v in (blocking, found_planned, found_whole)
                )

        def waiting_at(count: np.ndarray, b: np.ndarray) -> np.ndarray:
            return count * b / (count - traffic * (1.0 - b))

        def level_at(count: np.ndarray, b: np.ndarray) -> np.ndarray:
            return 1.0 - waiting_at(count, b) * _exp(-(count - traffic) * answer / aht)

        def speed_at(count: np.ndarray, b: np.ndarray) -> np.ndarray:
            return waiting_at(count, b) * aht / (count - traffic)

        def measure(count: np.ndarray, b: np.ndarray) -> np.ndarray:  # 0 if unstable
            found = np.where(by_asa, 1.0 / speed_at(count, b), level_at(count, b))
            return np.where(count > traffic, found, 0.0)

        def meets_goal(count: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.where(by_asa, speed_at(count, b) <= asa, level_at(count, b) >= target)

        below, above = measure(planned - 1, met[0]), measure(planned, met[1])
        sure = (
            (above >= wanted)
            & ((planned == first) | (below < wanted))
            & meets_goal(whole, met[3])
            & ((whole == start) | ~meets_goal(whole - 1, met[2]))
        )
        planning = np.maximum(planned - 1 + (wanted - below) / (above - below), ratio)
    return planning, whole, sure


def _erlang_c_figures(
    traffic: np.ndarray, agents: np.ndarray, aht: float, answer: float
) -> list[tuple[float, float]]:
    """``(service level, ASA [s])`` of many Erlang C queues of ``traffic`` [Erlang] (each
    from 0 and below :data:`~bestshore.staffing.erlang.WARM_START_ERLANGS`) answered by
    ``agents`` (whole, from 0), as :func:`bestshore.staffing.service_level` and
    :func:`~bestshore.staffing.average_speed_of_answer` give them: Erlang B walked up
    from ``B(0) = 1`` for all queues together (each stopping at its agents), then each
    queue's figures by the scalar formulas (``C = N B / (N - A (1 - B))``, ``SL = 1 - C
    exp(-(N - A) t / h)``, ``ASA = C h / (N - A)``; 1 and 0 without traffic, 0 and
    infinity for an unstable queue)."""
    blocking = np.ones(len(traffic))
    for n in range(1, int(agents.max(initial=0)) + 1):
        load = traffic * blocking
        blocking = np.where(n <= agents, load / (n + load), blocking)
    found = []
    for a, n, b in zip(traffic.tolist(), agents.tolist(), blocking.tolist(), strict=True):
        if a == 0:
            found.append((1.0, 0.0))
        elif n <= a:
            found.append((0.0, math.inf))
        else:
            waiting = n * b / (n - a * (1.0 - b))
            found.append(
                (1.0 - waiting * math.exp(-(n - a) * answer / aht), waiting * aht / (n - a))
            )
    return found


def _answers_in_time(world: _World, call_type: CallType, site: Site) -> bool:
    arrivals = np.flatnonzero(world.profile(call_type)[0] > 0)
    window = max(1, math.floor(call_type.response_hours))
    opened = [world.is_open(site, h) for h in range(168)]
    return all(any(opened[(h + k) % 168] for k in range(min(window, 168))) for h in arrivals)


def _score(site: Site, call_type: str, name: str) -> float | None:
    """A site's csat, fcr or nps for one call type: its own for it, else the site's."""
    own = site.quality_by_call_type.get(call_type)
    value = getattr(own, name) if own is not None else None
    return getattr(site.quality, name) if value is None else value


def _row_calls(world: _World, row: Any) -> float:
    """Calls a staffing row handles in the sizing week, repeats included."""
    call_type, site = world.call_types[row.call_type], world.sites[row.site]
    repeats = _repeats(call_type, site)
    return _weekly_calls(world, call_type, row.language, int(row.hour)) * row.share * repeats


def _repeats(call_type: CallType, site: Site) -> float:
    """Contacts handled per contact forecast: the call type's baseline FCR over the
    site's (1 without either)."""
    fcr = _score(site, call_type.id, "fcr")
    return call_type.fcr_baseline / fcr if call_type.fcr_baseline and fcr else 1.0


# Columns the checker adds to the staffing rows it reads: each row's calls
# (:func:`_row_calls`) and its language pool.
_POOL_COLUMNS = ["calls_expected", "pool_expected", "pool_calls", "pool_roster"]


def _with_pools(world: _World, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with their language pools, re-derived: at a site pooling languages
    (``sites[].pool_languages``, else ``settings.pool_languages``), the rows of one
    real-time call type with a service goal in one market hour, in two languages or
    more, are one queue staffed on its summed calls. Adds ``pool_expected`` (the
    languages sorted and joined by ``+``, ``""`` for a row on its own), ``pool_calls``
    (the queue's calls: the pool's, else the row's) and ``pool_roster`` (the whole
    agents the plan gives the queue: its rows' ``roster_agents`` summed), and
    ``calls_expected``, each row's calls (:func:`_row_calls`, read again by the checks)."""
    scenario = world.scenario
    sites, types = rows["site"].tolist(), rows["call_type"].tolist()
    hours, languages = rows["hour"].to_numpy(dtype=int).tolist(), rows["language"].tolist()
    pairs = {
        (c, s): (world.call_types[c], world.sites[s])
        for c, s in dict.fromkeys(zip(types, sites, strict=True))
    }
    repeats = {pair: _repeats(*objects) for pair, objects in pairs.items()}
    calls_of = np.array(
        [  # _row_calls
            _weekly_calls(world, pairs[(c, s)][0], language, int(h)) * share * repeats[(c, s)]
            for c, s, language, h, share in zip(
                types, sites, languages, rows["hour"].tolist(), rows["share"].tolist(), strict=True
            )
        ],
        dtype=float,
    )
    pooling = {
        (c, s): call_type.real_time
        and _erlang_c_goal(call_type)  # pools are Erlang C queues
        and scenario.pools_languages(site)
        for (c, s), (call_type, site) in pairs.items()
    }
    queues: dict[tuple[Any, Any, int], list[int]] = {}  # the rows of each site, type, hour
    for i, (s, c, h) in enumerate(zip(sites, types, hours, strict=True)):
        if h >= 0 and pooling[(c, s)]:
            queues.setdefault((s, c, h), []).append(i)
    label = np.full(len(rows), "", dtype=object)
    roster_of = pd.to_numeric(rows["roster_agents"], errors="coerce").to_numpy()
    pool_calls = calls_of.copy()
    pool_roster = roster_of.copy()
    pools: defaultdict[int, list[list[int]]] = defaultdict(list)  # by their number of rows
    for members in queues.values():
        spoken = sorted({languages[i] for i in members})
        if len(spoken) < 2:
            continue
        label[members] = "+".join(spoken)
        pools[len(members)].append(members)
    for alike in pools.values():  # each pool's sum (_sum_known), a row of pools at once
        at = np.array(alike)
        pool_calls[at] = _sums_known(calls_of[at])[:, None]
        pool_roster[at] = _sums_known(roster_of[at])[:, None]
    found = rows.assign(
        calls_expected=calls_of, pool_expected=label, pool_calls=pool_calls, pool_roster=pool_roster
    )
    return found if "pool" in found else found.assign(pool="")


def _sum_known(values: np.ndarray) -> float:
    """The sum of the values that are not NaN (0 if none), as pandas sums a column."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


def _sums_known(values: np.ndarray) -> np.ndarray:
    """:func:`_sum_known` of each row of ``values`` (numpy sums each row of a contiguous
    array as it sums that row alone)."""
    return np.where(np.isnan(values), 0.0, values).sum(axis=1)


def _staff_queues(world: _World, rows: pd.DataFrame) -> None:
    """Staff the queues of the rows worked live (a pool's, else the row's calls) in the
    sizing week and in each month, and those of the demand units, all at once, and find
    their service figures at the plan's whole agents, for the checks to read
    (:meth:`_World.staffed`, :meth:`_World.hour_figures`)."""
    types = rows["call_type"].to_numpy(dtype=object)
    live = rows["hour"].to_numpy(dtype=int) >= 0
    pooled = rows["pool_expected"].to_numpy(dtype=object) != ""
    queue = np.where(
        pooled,
        rows["pool_calls"].to_numpy(dtype=float),
        rows["calls_expected"].to_numpy(dtype=float),
    )
    staffed = np.where(
        pooled,
        pd.to_numeric(rows["pool_roster"], errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(rows["roster_agents"], errors="coerce").to_numpy(dtype=float),
    )
    calls = rows["calls_expected"].to_numpy(dtype=float)
    # the queues of the sizing week, of the year's months at their loads (_year_rows)
    # and of the demand units (_pooling_loss), all in one walk
    queues = []
    for call_type_id in dict.fromkeys(types[live].tolist()):
        call_type = world.call_types[call_type_id]
        if call_type.real_time:
            loads = np.array([load for _, _, load in world.year_of(call_type)])
            loads = loads[np.abs(loads - 1.0) > 1e-12]
            mine = queue[live & (types == call_type_id)]
            queues += [(call_type, mine), (call_type, np.outer(mine, loads))]
    for call_type, week in _demand_queues(world):
        queues.append((call_type, np.array([c for q in week for c in q if c > 0], dtype=float)))
    world.staff_all(queues)
    for call_type_id in dict.fromkeys(types[live].tolist()):
        call_type = world.call_types[call_type_id]
        if not call_type.real_time:
            continue
        # the figures of their service goal at the whole agents the plan gives them
        mine = live & (types == call_type_id) & (calls > 0) & np.isfinite(staffed)
        if call_type.service_level is not None and mine.any():
            handle = (queue[mine] * call_type.aht_seconds / 3600).tolist()
            whole = [round(n) for n in staffed[mine].tolist()]
            world.figures_ahead(call_type, list(zip(handle, whole, strict=True)))


# The figures of a staffing row re-derived (name in messages, column), and the place
# of a row's comparisons among the problems until they are settled (_settle_figures).
_ROW_FIGURES = (
    ("calls", "calls"), ("handle_hours", "handle_hours"), ("FTE", "fte"),
    ("rate_per_hour", "rate_per_hour"), ("premium", "premium"),
    ("annual_factor", "annual_factor"), ("occupancy", "occupancy"),
    ("asa_seconds", "asa_seconds"), ("service_level", "service_level"),
    ("abandon_rate", "abandon_rate"),
)  # fmt: skip
_FIGURES = "\0figures"
Figures = list[tuple[int, Any, tuple[float, ...]]]


def _settle_figures(rows: pd.DataFrame, figures: Figures, problems: list[str]) -> None:
    """Compare each row's figures (:data:`_ROW_FIGURES`) with those re-derived by
    :func:`_check_row`, in place of its marker among the problems: numbers close within
    the checker's tolerance (or both missing) all at once, any other row one value at a
    time by :func:`_same`."""
    if not figures:
        return
    at = np.array([position for position, _, _ in figures])
    expected = np.array([values for _, _, values in figures], dtype=float)
    fine = np.ones(len(figures), dtype=bool)
    for k, (_, column) in enumerate(_ROW_FIGURES):
        if column not in rows.columns:
            got = np.full(len(figures), math.nan)  # as a row without it reads it
        elif rows[column].dtype.kind in "fiu":
            got = rows[column].to_numpy(dtype=float)[at]
        else:
            fine[:] = False  # not a column of numbers: one value at a time
            continue
        mine = expected[:, k]
        with np.errstate(invalid="ignore"):
            close = np.abs(got - mine) <= REL_TOL * np.maximum.reduce(
                [np.ones(len(got)), np.abs(got), np.abs(mine)]
            )
        fine &= close | (np.isnan(got) & np.isnan(mine))
    found: list[list[str]] = []
    for ok, (_, row, values) in zip(fine.tolist(), figures, strict=True):
        differ = []
        if not ok:
            for (name, column), value in zip(_ROW_FIGURES, values, strict=True):
                given = getattr(row, column, math.nan)
                if not _same(given, value):
                    differ.append(f"{_where(row)}: {name} is {given!r}, recomputed {value!r}")
        found.append(differ)
    each = iter(found)
    problems[:] = [p for item in problems for p in (next(each) if item is _FIGURES else [item])]


def _check_row(
    world: _World, row: Any, position: int, pending: Figures, problems: list[str]
) -> None:
    """The rules a staffing row (``position`` in the rows) breaks; its figures are added
    to ``pending`` with a marker in ``problems``, compared by :func:`_settle_figures`."""
    scenario = world.scenario
    call_type, site = world.call_types[row.call_type], world.sites[row.site]
    hour = int(row.hour)
    calls = float(row.calls_expected)  # _row_calls (a numpy float in the figures below)
    handle = calls * call_type.aht_seconds / 3600
    # A row in a language pool: the pool is the queue, sized on its calls; the row
    # carries its part of the pool's agents, in proportion to its calls.
    pooled = bool(row.pool_expected)
    queue_calls = float(row.pool_calls) if pooled else calls
    part = calls / queue_calls if queue_calls > 0 else 0.0
    queue_handle = queue_calls * call_type.aht_seconds / 3600
    pool = row.pool
    if not (type(pool) is str and pool == row.pool_expected) and not _same(
        pool if not _missing(pool) else "", row.pool_expected
    ):
        problems.append(f"{_where(row)}: pool is {row.pool!r}, recomputed {row.pool_expected!r}")
    if call_type.real_time:
        if hour < 0:
            problems.append(f"{_where(row)}: real-time work must be planned hour by hour")
            return
        if not world.is_open(site, hour):
            problems.append(f"{_where(row)}: site closed in that market hour")
        needed, whole_agents = world.staffed(call_type, queue_calls, world.whole_agents(site))
        needed, whole_agents = needed * part, whole_agents * part
        roster = round(whole_agents) if not pooled else whole_agents
        staffed = float(row.pool_roster) if pooled else float(row.roster_agents)
        if row.roster_agents < roster * (1 - REL_TOL) - REL_TOL:
            problems.append(
                f"{_where(row)}: roster of {row.roster_agents:g} agents, {roster:g} needed"
            )
        goal = call_type.service_level
        if goal is not None and calls > 0:
            figures = world.hour_figures(call_type, queue_handle, round(staffed))
            for k, (_, answered, wait, gone) in enumerate(figures):
                when = f" in interval {k + 1} of the hour" if len(figures) > 1 else ""
                if goal.target is not None and answered < goal.target - 1e-9:
                    problems.append(
                        f"{_where(row)}: {row.roster_agents:g} agents answer {answered:.1%} in time{when}, below {goal.target:.0%}"
                    )
                if goal.patience_seconds is not None:
                    if goal.asa_seconds is not None and wait > goal.asa_seconds + 1e-9:
                        problems.append(
                            f"{_where(row)}: {row.roster_agents:g} agents keep callers waiting {wait:.1f} s on average{when}, above {goal.asa_seconds:g} s"
                        )
                    cap = goal.max_abandon_rate
                    if cap is not None and gone > cap + 1e-9:
                        problems.append(
                            f"{_where(row)}: {row.roster_agents:g} agents let {gone:.2%} of calls abandon{when}, above the target {cap:.2%}"
                        )
    else:
        if hour >= 0:
            problems.append(f"{_where(row)}: deferred work is planned over the week, not by hour")
        needed = handle / scenario.settings.async_utilisation
        roster = 0
        if not world.answers_in_time(call_type, site):
            problems.append(
                f"{_where(row)}: site cannot answer within {call_type.response_hours:g} h"
            )
    if row.agents < needed * (1 - REL_TOL) - REL_TOL:
        problems.append(f"{_where(row)}: {row.agents:,.4f} agents staffed, {needed:,.4f} needed")
    elif not _close(row.agents, needed):  # the planning staffing at the load, no more
        problems.append(
            f"{_where(row)}: {row.agents:,.4f} agents staffed, recomputed {needed:,.4f}"
        )
    live = call_type.real_time
    whole_needed = float(roster) if live else float(row.agents)
    if live and row.roster_agents > whole_needed + (
        REL_TOL * (1 + whole_needed) if pooled else 1e-9
    ):
        problems.append(
            f"{_where(row)}: roster of {row.roster_agents:g} agents, recomputed {whole_needed:g}"
        )
    elif not live and not _close(row.roster_agents, whole_needed):
        problems.append(
            f"{_where(row)}: roster agents {row.roster_agents:g}, recomputed {whole_needed:g}"
        )
    goal = call_type.service_level if live and calls > 0 else None
    queue = goal is not None and (goal.answer_seconds is not None or goal.asa_seconds is not None)
    achieved = asa = lost = math.nan
    if queue and goal is not None:
        whole = round(row.pool_roster) if pooled else round(row.roster_agents)
        figures = world.hour_figures(call_type, queue_handle, whole)
        if len(figures) == 1:
            _, achieved, asa, lost = figures[0]
        else:  # the hour's calls: each interval weighted by its share
            achieved = sum(share * level for share, level, _, _ in figures)
            asa = sum(share * wait for share, _, wait, _ in figures)
            lost = sum(share * gone for share, _, _, gone in figures)
    elif live and call_type.service_level is not None and call_type.service_level.erlang_a:
        lost = 0.0  # an Erlang A queue without calls this hour
    carried = handle * (1 - lost) if lost == lost else handle
    busy = (np.float64(carried) / row.agents if row.agents > 0 else 0.0) if live else math.nan
    # the row's figures, compared with the plan's after all rows (_settle_figures)
    pending.append(
        (
            position,
            row,
            (
                np.float64(calls),  # as _row_calls returns them
                np.float64(handle),
                row.agents / world.weekly_hours_per_fte(site),
                world.rate(row.call_type, site),
                world.premium(site, hour) if live else 1.0,
                world.profile(call_type)[1],
                busy,
                asa,
                achieved,
                lost,
            ),
        )
    )
    problems.append(_FIGURES)
    if row.vendor != (site.vendor or "in-house"):
        problems.append(
            f"{_where(row)}: vendor is {row.vendor!r}, the site's is {site.vendor or 'in-house'!r}"
        )

    problems += [
        f"{_where(row)}: {rule}" for rule in world.row_rules(call_type, site, row.language)
    ]


def _total_work(world: _World) -> float:
    """Handle hours of the sizing week's whole demand, repeats excluded [h/week] (kept:
    the vendor shares and the constraints table both ask)."""
    if world.total_work is None:
        scenario = world.scenario
        world.total_work = sum(
            _weekly_calls(world, c, language, hour) * c.aht_seconds / 3600
            for c in scenario.call_types
            for language in set(c.languages)
            | {code for w in c.hourly_languages for code in w.languages}
            for hour in (range(168) if c.real_time else [-1])
        )
    return world.total_work


def _check_policies(world: _World, rows: pd.DataFrame, total: float, problems: list[str]) -> None:
    """Panel, concentration, resilience and quality rules, on the recomputed work."""
    policies = world.scenario.policies
    if total <= 0:
        return
    site_of = {s.id: s for s in world.scenario.sites}
    rows = rows.assign(
        vendor_id=[site_of[s].vendor for s in rows["site"].tolist()],
        country=[site_of[s].country for s in rows["site"].tolist()],
        shore=[world.shore(site_of[s]) for s in rows["site"].tolist()],
    )
    for vendor in policies.excluded_vendors:
        if (rows["vendor_id"] == vendor).any():
            problems.append(f"excluded vendor {vendor} takes work")
    by_vendor = rows.dropna(subset=["vendor_id"]).groupby("vendor_id")["work"].sum()
    panel = by_vendor[by_vendor > 1e-9 * total]
    if policies.max_vendors is not None and len(panel) > policies.max_vendors:
        problems.append(
            f"{len(panel)} vendors take work, above the panel maximum {policies.max_vendors}"
        )
    if policies.min_vendors is not None:
        counted = by_vendor[by_vendor >= policies.panel_min_share * total * (1 - REL_TOL)]
        if len(counted) < policies.min_vendors:
            problems.append(
                f"{len(counted)} vendors take at least {policies.panel_min_share:.0%}, below the panel minimum "
                f"{policies.min_vendors}"
            )
    if policies.preferred_vendor is not None:
        preferred = policies.preferred_vendor
        share = rows.loc[rows["vendor_id"] == preferred.vendor, "work"].sum() / total
        if share < preferred.min_share - REL_TOL:
            problems.append(
                f"preferred vendor {preferred.vendor} takes {share:.4%}, below {preferred.min_share:.2%}"
            )
    _check_award_rules(world, rows, total, problems)
    caps = [
        ("site", policies.max_site_share, {}),
        ("country", policies.max_country_share, {}),
        ("shore", None, policies.max_shore_share),
    ]
    for column, cap, per_key in caps:
        for key, work in rows.groupby(column)["work"].sum().items():
            limit = per_key.get(key) if per_key else cap
            if limit is not None and work / total > limit + REL_TOL:
                problems.append(
                    f"{column} {key} takes {work / total:.4%} of the work, above {limit:.2%}"
                )
    if policies.min_inshore_share is not None:
        inshore = rows.loc[rows["shore"] == "inshore", "work"].sum() / total
        if inshore < policies.min_inshore_share - REL_TOL:
            problems.append(
                f"inshore takes {inshore:.4%} of the work, below {policies.min_inshore_share:.2%}"
            )
    if policies.min_sites_per_call_type is not None:
        k = policies.min_sites_per_call_type
        by_type = rows.groupby("call_type")["work"].sum()
        for (call_type, site), work in rows.groupby(["call_type", "site"])["work"].sum().items():
            if work > by_type[call_type] / k * (1 + REL_TOL) + REL_TOL:
                problems.append(
                    f"site {site} takes {work / by_type[call_type]:.2%} of {call_type}, above 1/{k}"
                )
    if policies.keep_todays_split:
        _check_todays_split(world.scenario, rows, problems)
    # Quality floors weigh the forecast contacts (repeats excluded) by each site's score.
    floors = [
        ("CSAT", "csat", 0.0, policies.quality_floors),
        ("NPS", "nps", -100.0, policies.nps_floors),
    ]
    for label, name, missing, per_type in floors:
        for call_type, floor in per_type.items():
            part = rows[rows["call_type"] == call_type]
            scores = [_score(site_of[s], call_type, name) for s in part["site"].tolist()]
            score = np.array([missing if v is None else v for v in scores], dtype=float)
            calls = np.array(
                [_weekly_calls(world, world.call_types[call_type], lang, int(h)) * x
                 for lang, h, x in zip(part["language"].tolist(), part["hour"].tolist(), part["share"].tolist(), strict=True)]
            )  # fmt: skip
            if calls.sum() > 0 and (score * calls).sum() / calls.sum() < floor - 1e-6:
                problems.append(
                    f"{call_type} {label} {(score * calls).sum() / calls.sum():.2f} below its floor {floor:g}"
                )


def _check_todays_split(scenario: Scenario, rows: pd.DataFrame, problems: list[str]) -> None:
    """Each call type with incumbent FTE is split between sites as today's FTE are."""
    fte_today: dict[str, dict[str, float]] = defaultdict(dict)
    for site_id, allocation in scenario.incumbent.items():
        for call_type, fte in allocation.items():
            if fte > 0:
                fte_today[call_type][site_id] = fte
    work = rows.groupby(["call_type", "site"])["work"].sum()
    for call_type, sites in sorted(fte_today.items()):
        of_type = work[work.index.get_level_values("call_type") == call_type]
        total = float(of_type.sum())
        if total <= 0:
            continue
        at = {str(site): float(w) for (_, site), w in of_type.items()}
        for site_id in sorted(set(sites) | set(at)):
            share = at.get(site_id, 0.0) / total
            expected = sites.get(site_id, 0.0) / sum(sites.values())
            if abs(share - expected) > 1e-5:
                problems.append(
                    f"site {site_id} takes {share:.4%} of {call_type}; today's split gives it "
                    f"{expected:.4%}"
                )


def _check_award_rules(
    world: _World, rows: pd.DataFrame, total: float, problems: list[str]
) -> None:
    """Winners per lot, a vendor's share of a lot and the limits on the work a vendor or
    group takes, on the recomputed work (``rows`` with ``vendor_id``). Spend limits hold
    on the model's bill (its staffing estimate), not on the exact plan: not checked."""
    policies = world.scenario.policies
    bidders = {v.id for v in world.scenario.vendors}
    vended = rows[rows["vendor_id"].isin(bidders)]
    lots = rows.groupby(["call_type", "language"])["work"].sum()
    by_lot = vended.groupby(["call_type", "language", "vendor_id"])["work"].sum()
    rule = policies.lot_winners
    if rule is not None:
        for (call_type, language), work in lots.items():
            if (rule.call_types and call_type not in rule.call_types) or work <= 0:
                continue
            mine = by_lot[(by_lot.index.get_level_values(0) == call_type)
                          & (by_lot.index.get_level_values(1) == language)]  # fmt: skip
            taking = int((mine > 1e-9 * total).sum())
            counted = int((mine >= rule.min_share * work * (1 - REL_TOL)).sum())
            if rule.max is not None and taking > rule.max:
                problems.append(
                    f"lot {call_type}.{language}: {taking} vendors take work, above its {rule.max}"
                )
            if rule.min is not None and counted < rule.min:
                problems.append(
                    f"lot {call_type}.{language}: {counted} vendors take {rule.min_share:.0%} "
                    f"or more, below its {rule.min}"
                )
    if policies.max_lot_share is not None:
        for (call_type, language, vendor), work in by_lot.items():
            share = work / lots[(call_type, language)]
            if share > policies.max_lot_share + REL_TOL:
                problems.append(
                    f"vendor {vendor} takes {share:.4%} of lot {call_type}.{language}, above "
                    f"{policies.max_lot_share:.2%}"
                )
    by_vendor = vended.groupby("vendor_id")["work"].sum()
    for limit in policies.vendor_limits:
        members = policies.vendor_groups.get(limit.target, [limit.target])
        share = float(by_vendor.reindex(members).fillna(0.0).sum()) / total
        if limit.min_share is not None and share < limit.min_share - REL_TOL:
            problems.append(
                f"{limit.target} takes {share:.4%} of the work, below its {limit.min_share:.2%}"
            )
        if limit.max_share is not None and share > limit.max_share + REL_TOL:
            problems.append(
                f"{limit.target} takes {share:.4%} of the work, above its {limit.max_share:.2%}"
            )


def _fixed_cost(world: _World, rows: pd.DataFrame) -> tuple[float, float]:
    """Yearly costs outside the staffing rows: fixed costs of the vendors and sites that
    take any work, SCC compliance, set-up and transition over the term, take-or-pay
    shortfalls; and, apart (a month pays for its own contacts), recording storage.

    A plan may also pay for a vendor kept on the panel without work (to meet a minimum
    panel size); the panel floor then gives it work, so 'takes work' is the test.
    """
    sites = set(rows.loc[rows["share"] > 1e-9, "site"])
    vendors = {world.sites[s].vendor for s in sites} - {None}
    cost = sum(world.sites[s].fixed_cost for s in sites)
    cost += sum(v.fixed_cost for v in world.scenario.vendors if v.id in vendors)
    # SCC compliance: once per country receiving restricted data only under SCC.
    policies = world.scenario.policies
    working = rows.loc[rows["share"] > 1e-9, ["site", "call_type"]].drop_duplicates()
    scc_countries = {
        world.sites[site].country
        for site, call_type in zip(working["site"], working["call_type"], strict=True)
        if world.needs_scc(world.call_types[call_type].data_class, world.sites[site].country)
    }
    cost += sum(
        policies.scc_compliance_costs.get(g, policies.scc_compliance_cost) for g in scc_countries
    )
    # Per (site, call type): contacts handled and productive hours of the sizing week.
    recordings = 0.0
    pairs = rows.groupby(["site", "call_type"])[["calls", "agents"]].sum()
    # Recordings kept: every contact handled (repeats included), paid to storage.
    fte: dict[tuple[str, str], float] = {}
    for (site_id, call_type_id), calls, agents in zip(
        pairs.index, pairs["calls"], pairs["agents"], strict=True
    ):
        call_type, site = world.call_types[call_type_id], world.sites[site_id]
        storage = world.storage_per_contact(call_type, site)
        recordings += calls * world.profile(call_type)[1] * storage
        fte[(site_id, call_type_id)] = agents / world.weekly_hours_per_fte(site)
    # One-off costs over the term: FTE added beyond today's, today's FTE moved away.
    planned_at: dict[str, float] = defaultdict(float)
    for (site_id, _), f in fte.items():
        planned_at[site_id] += f
    years = world.scenario.objective.amortization_years
    for site in world.scenario.sites:
        today = world.scenario.incumbent.get(site.id, {})
        planned = planned_at[site.id]
        cost += max(0.0, planned - sum(today.values())) * site.setup_cost_per_fte / years
        moved = sum(max(0.0, f - fte.get((site.id, c), 0.0)) for c, f in today.items())
        cost += moved * site.transition_cost_per_fte / years
    # Take-or-pay: committed contacts not given are paid at the shortfall price.
    yearly = (rows["calls"] * rows["annual_factor"]).groupby(rows["vendor"]).sum()
    for vendor in world.scenario.vendors:
        commitment = vendor.commitment
        if commitment is not None and commitment.shortfall_price is not None:
            given = float(yearly.get(vendor.id, 0.0))
            cost += max(0.0, commitment.contacts - given) * commitment.shortfall_price
    return cost, recordings


def _idle_rate(world: _World, site: Site) -> float:
    """An idle paid hour: the site's hourly price (an FTE-month price converted), or the
    mean of its rate card when it gives neither, or its country's indicative cost."""
    if site.price_per_fte_month is not None:
        return site.price_per_fte_month * 12 / (world.weekly_hours_per_fte(site) * WEEKS)
    if site.cost_per_hour is not None:
        return site.cost_per_hour
    if site.rates:
        return float(np.mean(list(site.rates.values())))
    return float(world.country[site.country]["agent_cost_eur_per_hour"])


def _check_roster(
    world: _World,
    rows: pd.DataFrame,
    shifts: pd.DataFrame,
    problems: list[str],
    month: int | None = None,
) -> tuple[float, set[str]]:
    """Re-derive every rostered site's hours from its shifts; return what a week of idle
    hours costs [currency/week] and the sites over their capacity or seats.

    Each shift has an allowed length, starts on the allowed grid and runs inside opening
    hours (judged in the site's own time); every hour has at least the whole agents its
    queues need on shift; the week's shift hours hold the real-time and the deferred
    work (blended into spare hours, dearest hours first); part-time shifts, capacity
    and seats are within bounds on paid hours. Idle hours are priced at the site's
    hourly price and the hour's premium.

    ``rows`` are the sizing week's (``month`` None: capacity and seats are rules) or a
    month's staffing at its own load (``month`` 1-12: that month's roster; a site over
    its capacity or seats then is not a problem but returned, for the months table to
    report).
    """
    scenario = world.scenario
    headroom = scenario.policies.capacity_headroom or 0.0
    cost = 0.0
    over: set[str] = set()
    label = "" if month is None else f"month {month}: "
    problems_before = len(problems)
    # plain arrays: the loops below run per site, per month
    row_site = rows["site"].to_numpy(dtype=object)
    row_hour = rows["hour"].to_numpy(dtype=np.int64)
    row_agents = rows["agents"].to_numpy(dtype=float)
    shift_site = shifts["site"].to_numpy(dtype=object) if len(shifts) else np.array([], object)
    columns = ("start_hour", "length_hours", "agents")
    shift_values = [
        shifts[c].to_numpy() if len(shifts) else np.array([], dtype=float) for c in columns
    ]
    for site in scenario.sites:
        roster = world.scenario.roster_of(site)
        in_site = shift_site == site.id
        starts, lengths, counts = (v[in_site] for v in shift_values)
        if roster is None:
            if len(starts):
                problems.append(f"site {site.id} has shifts but no roster")
            continue
        here = row_site == site.id
        if not here.any() and not len(starts):
            continue
        on_shift = np.zeros(168)
        for start, length, agents in zip(
            starts.tolist(), lengths.tolist(), counts.tolist(), strict=True
        ):
            start, length = int(start), int(length)
            if length not in roster.shift_hours:
                problems.append(
                    f"site {site.id} has a {length} h shift; allowed {roster.shift_hours}"
                )
            if not 0 <= start < 168:
                problems.append(f"site {site.id} starts a shift at hour {start}, not in the week")
                continue
            if start % roster.start_every_hours:
                problems.append(f"site {site.id} starts a shift off its grid at hour {start}")
            if agents < 0 or abs(agents - round(agents)) > 1e-9:
                problems.append(f"site {site.id} has {agents} agents on a shift: not whole")
            hours = [(start + k) % 168 for k in range(length)]
            closed = [h for h in hours if not world.is_open(site, h)]
            if closed:
                problems.append(
                    f"site {site.id}'s shift from hour {start} runs {len(closed)} h outside opening hours"
                )
            on_shift[hours] += agents
        if month is None:
            world.on_shift[site.id] = on_shift
        real = here & (row_hour >= 0)
        done = np.bincount(row_hour[real], weights=row_agents[real], minlength=168)[:168]
        for hour in np.unique(row_hour[real]).tolist():  # the hour's agents, rounded up to people
            agents = done[hour]
            if on_shift[hour] < np.ceil(agents - 1e-9) - 1e-9:
                problems.append(
                    f"site {site.id} has {on_shift[hour]:g} agents on shift in hour {hour}, "
                    f"below the {np.ceil(agents - 1e-9):g} whole agents its queues need"
                )
        deferred = float(row_agents[here & (row_hour < 0)].sum())
        spare = np.maximum(on_shift - done, 0.0)
        if spare.sum() < deferred - REL_TOL * max(1.0, deferred):
            problems.append(
                f"site {site.id}'s spare shift hours ({spare.sum():,.1f} h/week) cannot hold its "
                f"deferred work ({deferred:,.1f} h/week)"
            )
        paid = float(on_shift.sum())
        usable = world.capacity(site) * (1 - headroom)
        if paid > usable * (1 + REL_TOL) + REL_TOL:
            over.add(site.id)
            if month is None:
                problems.append(
                    f"site {site.id} rosters {paid:,.1f} paid h/week over its usable capacity {usable:,.1f}"
                )
        seats = _roster_seats(world, site)
        crowded = [h for h in range(168) if on_shift[h] > seats + 1e-9]
        if crowded:
            over.add(site.id)
            if month is None:
                problems.append(
                    f"site {site.id} has more agents on shift than {seats:g} seats in {len(crowded)} hours"
                )
        if roster.max_part_time_share is not None and len(starts):
            part = float(counts[lengths < max(roster.shift_hours)].sum())
            if part > roster.max_part_time_share * float(counts.sum()) + 1e-9:
                problems.append(f"site {site.id} has more part-time shifts than its cap allows")
        premium = world.week_premium(site)
        left = deferred
        idle = spare.copy()
        for h in np.lexsort((np.arange(168), -premium)):
            if left <= 0:
                break
            take = min(idle[h], left)
            idle[h] -= take
            left -= take
        cost += _idle_rate(world, site) * float((idle * premium).sum())
    if label:
        problems[problems_before:] = [label + p for p in problems[problems_before:]]
    return cost, over


def _where(row: Any) -> str:
    hour = int(row.hour)
    return f"{row.call_type}/{row.language} at {row.site}" + (f" hour {hour}" if hour >= 0 else "")


def _year_rows(world: _World, rows: pd.DataFrame) -> pd.DataFrame:
    """Each staffing row in each month of the year, at the month's own load.

    One record per row and month (:meth:`_World.year_of`): ``row`` (position in
    ``rows``), ``month``, ``weeks``, ``site``, ``hour``, ``call_type``, ``calls``
    handled in a week of the month (the row's share of the month's demand, repeats
    included), ``agents`` (planning agents each hour for real-time work, by this
    module's Erlang C; agent hours of the week for deferred work), ``roster_agents``
    (whole agents), ``storage`` (recording cost per contact) and ``cost`` of the week
    [currency/week]: productive hours at the rate and premium, contacts at their price,
    the volume tier and bonus/malus applied. In a month at the sizing week's load the
    row's own staffing is taken (checked against what is needed by _check_row).
    """
    settings = world.scenario.settings
    columns = [
        "row", "month", "weeks", "site", "hour", "call_type", "calls", "agents",
        "roster_agents", "storage", "cost",
    ]  # fmt: skip
    if rows.empty:
        return pd.DataFrame.from_records([], columns=columns)
    # Each row's own figures, then its months as a row of the (rows x months) arrays.
    type_ids = rows["call_type"].to_numpy(dtype=object)
    site_ids = rows["site"].to_numpy(dtype=object)
    hour = rows["hour"].to_numpy(dtype=np.int64)
    calls = rows["calls_expected"].to_numpy(dtype=float)  # _row_calls
    # a language pool is staffed on its calls, each row carrying its part
    queue = np.where(
        rows["pool_expected"].to_numpy(dtype=object) != "",
        rows["pool_calls"].to_numpy(dtype=float),
        calls,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(queue > 0, calls / queue, 0.0)
    row_agents = rows["agents"].to_numpy(dtype=float)
    row_whole = rows["roster_agents"].to_numpy(dtype=float)
    pairs = list(zip(type_ids.tolist(), site_ids.tolist(), strict=True))
    terms = {}  # what a row's cost takes from its call type and site
    for c, s in dict.fromkeys(pairs):
        call_type, site = world.call_types[c], world.sites[s]
        terms[(c, s)] = (
            world.rate(c, site),
            site.price_per_contact or 0.0,
            (1 - world.discount.get(site.vendor or "", 0.0)) * world.incentive(site),
            world.storage_per_contact(call_type, site),
            float(call_type.aht_seconds),
            world.whole_agents(site),
            call_type.real_time,
        )
    rate, price, bill, storage, aht, whole_agents, real_time = (
        np.array(v) for v in zip(*[terms[pair] for pair in pairs], strict=True)
    )
    live = real_time & (hour >= 0)
    premium = np.array(
        [
            world.premium(world.sites[s], h) if at else 1.0
            for s, h, at in zip(site_ids.tolist(), hour.tolist(), live.tolist(), strict=True)
        ],
        dtype=float,
    )
    codes, kinds = pd.factorize(type_ids)
    year = [world.year_of(world.call_types[c]) for c in kinds.tolist()]
    load = np.array([[m[2] for m in y] for y in year], dtype=float)[codes]
    weeks = np.array([[m[1] for m in y] for y in year], dtype=float)[codes]
    months = np.array([[m[0] for m in y] for y in year], dtype=np.int64)[codes]
    types = type_ids
    month_calls = calls[:, None] * load
    own = np.abs(load - 1.0) <= 1e-12  # the sizing week's load: the row's own staffing
    agents = np.where(own, row_agents[:, None], 0.0)
    whole = np.where(own, row_whole[:, None], 0.0)
    deferred = ~own & ~live[:, None]
    agents[deferred] = (month_calls * aht[:, None] / 3600 / settings.async_utilisation)[deferred]
    whole[deferred] = agents[deferred]
    for kind in dict.fromkeys(zip(types.tolist(), whole_agents.tolist(), strict=True)):
        mine = (types == kind[0]) & (whole_agents == kind[1]) & live
        at = ~own & mine[:, None]
        if at.any():
            staffed, roster = world.staffed_many(
                world.call_types[kind[0]], (queue[:, None] * load)[at], kind[1]
            )
            agents[at] = staffed * np.broadcast_to(part[:, None], at.shape)[at]
            whole[at] = roster * np.broadcast_to(part[:, None], at.shape)[at]
    cost = (agents * rate[:, None] * premium[:, None] + month_calls * price[:, None]) * bill[
        :, None
    ]
    count = load.shape[1]
    return pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(rows), dtype=np.int64), count),
            "month": months.ravel(),
            "weeks": weeks.ravel(),
            "site": np.repeat(rows["site"].to_numpy(dtype=object), count),
            "hour": np.repeat(hour.astype(np.int64), count),
            "call_type": np.repeat(types, count),
            "calls": month_calls.ravel(),
            "agents": agents.ravel(),
            "roster_agents": whole.ravel(),
            "storage": np.repeat(storage.astype(float), count),
            "cost": cost.ravel(),
        },
        columns=columns,
    )


def _check_year(world: _World, rows: pd.DataFrame, year: pd.DataFrame, problems: list[str]) -> None:
    """Each row's yearly cost and agent hours are its months' sums."""
    weighted = year.assign(cost=year["weeks"] * year["cost"], hours=year["weeks"] * year["agents"])
    sums = (
        weighted.groupby("row")[["cost", "hours"]].sum().reindex(range(len(rows)), fill_value=0.0)
    )
    checks = [("cost", "cost")]
    if "annual_hours" in rows.columns and rows["annual_hours"].notna().all():
        checks.append(("hours", "annual_hours"))
    for mine, theirs in checks:
        expected = sums[mine].to_numpy(dtype=float)
        got = rows[theirs].to_numpy(dtype=float)
        scale = np.maximum.reduce([np.ones(len(got)), np.abs(expected), np.abs(got)])
        for i in np.flatnonzero(~(np.abs(expected - got) <= REL_TOL * scale)):
            row = rows.iloc[i]
            what = "cost is" if mine == "cost" else "agent hours a year are"
            problems.append(f"{_where(row)}: {what} {got[i]:,.4f}, recomputed {expected[i]:,.4f}")


def _over_limits(
    world: _World,
    sites: np.ndarray,
    codes: np.ndarray,
    hours: np.ndarray,
    agents: np.ndarray,
    slack: float = 0.0,
) -> set[str]:
    """Sites staffed hour by hour whose staffing in a week of records (each of the site
    ``sites[code]``, a market hour or -1, agents) exceeds their usable capacity or, in
    some hour, their seats (less ``slack``, a fraction: within it of a limit counts as
    over)."""
    scenario = world.scenario
    headroom = scenario.policies.capacity_headroom or 0.0
    over = set()
    # per site, the week's agent hours and its busiest hour's agents (missing agents
    # count 0, as pandas sums them; an hour without rows is not an hour of the site)
    present = np.bincount(codes, minlength=len(sites)) > 0  # the sites of these records
    agents = np.where(np.isnan(agents), 0.0, agents)
    live = hours >= 0
    weekly = np.bincount(codes, weights=agents, minlength=len(sites))
    cells = codes[live] * 168 + hours[live]
    size = len(sites) * 168
    by_hour = np.bincount(cells, weights=agents[live], minlength=size).reshape(-1, 168)
    worked = np.bincount(cells, minlength=size).reshape(-1, 168) > 0
    busiest = np.where(worked, by_hour, -np.inf).max(axis=1, initial=-np.inf)
    busiest = np.where(worked.any(axis=1), busiest, 0.0)
    for site_id, hours_worked, peak, here in zip(
        sites.tolist(), weekly.tolist(), busiest.tolist(), present.tolist(), strict=True
    ):
        if not here:
            continue
        site = world.sites[str(site_id)]
        if world.scenario.roster_of(site) is not None:
            continue  # on its shifts (_check_roster)
        capacity = world.capacity(site)
        if hours_worked > capacity * (1 - headroom) * (1 + REL_TOL - slack) + REL_TOL:
            over.add(site.id)
        seats = site.max_agents
        if seats is None:
            open_hours = world.open_count(site)
            seats = scenario.settings.peak_factor * capacity / max(open_hours, 1)
        if peak > seats * (1 + REL_TOL - slack) + REL_TOL:
            over.add(site.id)
    return over


def _check_months(
    world: _World, result: Result, year: pd.DataFrame, yearly: float, problems: list[str]
) -> float:
    """Re-derive each month of the months table; return the year's idle roster cost.

    A month's staffing cost is its weeks times a week of its rows at its load
    (:func:`_year_rows`); its idle cost that of its own roster (``month_shifts``,
    checked like the sizing week's: whole agents the month's queues need, blending,
    grid, opening hours); its other cost its recordings (its contacts) plus a twelfth
    of ``yearly`` (the costs outside the staffing rows that are not recordings). A
    month whose staffing exceeds a capacity or seat limit must say so.
    """
    table = result.months.set_index("month")
    shifts = result.month_shifts
    scale = max(abs(result.total_cost), 1.0)
    idle_year = 0.0
    # plain arrays of the year's records (sums skip missing values, as pandas sums)
    of_month = year["month"].to_numpy()
    codes, sites = pd.factorize(year["site"].to_numpy(dtype=object))
    per_site = [world.weekly_hours_per_fte(world.sites[s]) for s in sites.tolist()]
    per_fte = np.array(per_site, dtype=float)[codes]
    agents_of = year["agents"].to_numpy(dtype=float)
    hours_of = year["hour"].to_numpy(dtype=np.int64)
    calls_of = year["calls"].to_numpy(dtype=float)
    cost_of = year["cost"].to_numpy(dtype=float)
    storage_of = year["storage"].to_numpy(dtype=float)
    rostered = any(world.scenario.roster_of(s) is not None for s in world.scenario.sites)
    # the table's cells as .at reads them (plain numpy columns of a table without
    # repeated months read from their arrays at once)
    row_of = {m: i for i, m in enumerate(table.index.tolist())}
    arrays = {
        c: table[c].to_numpy()
        for c in table.columns
        if table.index.is_unique and isinstance(table[c].dtype, np.dtype)
    }

    def cell(month: int, name: str) -> Any:
        return arrays[name][row_of[month]] if name in arrays else table.at[month, name]

    for month in range(1, 13):
        if month not in table.index:
            problems.append(f"the months table has no month {month}")
            continue
        at = of_month == month
        weeks = MONTH_WEEKS
        mine = shifts[shifts["month"] == month] if len(shifts) else shifts
        idle_week = 0.0
        over: set[str] = set()
        if rostered or len(mine):  # (else no site has shifts to check)
            idle_week, over = _check_roster(world, year[at], mine, problems, month=month)
        over |= _over_limits(world, sites, codes[at], hours_of[at], agents_of[at])
        paid = weeks * float(mine["paid_hours"].sum()) if len(mine) else 0.0
        agents, calls = agents_of[at], calls_of[at]
        expected = {
            "days": 365.25 / 12,
            "weeks": weeks,
            "fte": _sum_known(agents / per_fte[at]) if at.any() else 0.0,
            "paid_hours": paid if rostered and len(shifts) else math.nan,
            "volume": weeks * _sum_known(calls),
            "agent_hours": weeks * _sum_known(agents),
            "staffing_cost": weeks * _sum_known(cost_of[at]),
            "idle_cost": weeks * idle_week,
            "other_cost": weeks * _sum_known(calls * storage_of[at]) + yearly / 12,
        }
        expected["cost"] = (
            expected["staffing_cost"] + expected["idle_cost"] + expected["other_cost"]
        )
        idle_year += expected["idle_cost"]
        for name, value in expected.items():
            got = cell(month, name)
            if not _same(got, value, max(abs(value), 1.0)):
                problems.append(f"month {month}: {name} is {got!r}, recomputed {value:,.2f}")
        reported = cell(month, "over_capacity")
        if not isinstance(reported, (bool, np.bool_)):
            problems.append(f"month {month}: over_capacity is {reported!r}, not true or false")
        elif over and not reported:
            problems.append(
                f"month {month}: {', '.join(sorted(over))} over capacity or seats, not reported"
            )
        elif reported and not over:
            problems.append(f"month {month}: reported over capacity, but no site is near a limit")
    total = float(result.months["cost"].sum())
    if not _close(total, result.total_cost, scale):
        problems.append(
            f"the months cost {total:,.2f} in all but the total says {result.total_cost:,.2f}"
        )
    return idle_year


def _erlang_b_blocking(offered: float, channels: int) -> float:
    """Erlang B written here on its own: ``B = (a^C / C!) / Σ_{k<=C} a^k / k!``, in
    log space (the model uses the recursion)."""
    if channels == 0:
        return 1.0
    terms = [k * math.log(offered) - math.lgamma(k + 1) for k in range(channels + 1)]
    top = max(terms)
    return math.exp(terms[-1] - top) / sum(math.exp(t - top) for t in terms)


def _check_channels(world: _World, rows: pd.DataFrame, problems: list[str]) -> None:
    """Each site's platform carries its voice calls of every hour, in talk and in queue
    (channel time: handle time plus the goal's wait), at the scenario's blocking."""
    blocking = world.scenario.settings.channel_blocking
    for site in world.scenario.sites:
        if site.channels is None:
            continue
        mine = rows[(rows["site"] == site.id) & (rows["hour"] >= 0)]
        offered: dict[int, float] = defaultdict(float)
        for row in mine.itertuples():
            call_type = world.call_types[row.call_type]
            if call_type.channel != Channel.VOICE:
                continue
            goal = call_type.service_level
            wait = 0.0
            if goal is not None:
                wait = float(
                    goal.asa_seconds if goal.asa_seconds is not None else goal.answer_seconds or 0
                )
            offered[int(row.hour)] += float(row.handle_hours) * (1 + wait / call_type.aht_seconds)
        for hour, load in sorted(offered.items()):
            if load <= 1e-9:
                continue
            found = _erlang_b_blocking(load * (1 - 1e-7), int(site.channels))
            if found > blocking * (1 + 1e-6):
                problems.append(
                    f"site {site.id} hour {hour}: {load:.2f} channel-Erlangs on {site.channels} "
                    f"channels block {found:.2%} of calls, above {blocking:.2%}"
                )


def _check_teams(world: _World, rows: pd.DataFrame, problems: list[str]) -> None:
    """Teams below their minimum are not opened; call types on at most their sites."""
    scenario = world.scenario
    working = rows[rows["share"] > 1e-9]
    # Teams are measured on their work: handle hours handled (repeats included) in FTE.
    per_fte = [world.weekly_hours_per_fte(world.sites[s]) for s in working["site"].tolist()]
    fte = working["handle_hours"] / per_fte
    by_site = fte.groupby(working["site"]).sum()
    by_pair = fte.groupby([working["site"], working["call_type"]]).sum()
    for site in scenario.sites:
        whole, per_type = scenario.minimum_teams(site)
        have = float(by_site.get(site.id, 0.0))
        if whole is not None and 1e-6 < have < whole * (1 - REL_TOL) - 1e-6:
            problems.append(
                f"site {site.id} opens a team of {have:.2f} FTE, below its minimum {whole:g}"
            )
        if per_type is not None and site.id in by_pair.index.get_level_values(0):
            for call_type, have in by_pair.loc[site.id].items():
                if 1e-6 < have < per_type * (1 - REL_TOL) - 1e-6:
                    problems.append(
                        f"site {site.id} opens a {call_type} team of {have:.2f} FTE, below its minimum {per_type:g}"
                    )
    sites_of = working.groupby("call_type")["site"].nunique()
    for call_type in scenario.call_types:
        limit = 1 if call_type.single_team else call_type.max_sites
        if limit is not None and int(sites_of.get(call_type.id, 0)) > limit:
            problems.append(
                f"{call_type.id} is served by {int(sites_of[call_type.id])} sites, above its limit of {limit}"
            )


# --- every table and KPI shown, re-derived ---------------------------------------------

FIXED_KINDS = ("vendor", "site", "commitment", "scc", "recording", "setup", "transition", "idle")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _same(got: Any, expected: Any, scale: float = 1.0) -> bool:
    """Equal within the checker's tolerance: missing values (None, NaN) match each
    other only, numbers are close, booleans and text are equal."""
    if isinstance(got, float) and isinstance(expected, float):  # the common case, at once
        if got != got or expected != expected:  # NaN
            return got != got and expected != expected
        return _close(got, expected, scale)
    if _missing(got) or _missing(expected):
        return _missing(got) and _missing(expected)
    if isinstance(expected, (bool, np.bool_)) or isinstance(got, (bool, np.bool_)):
        return isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
    if _number(expected):
        return _number(got) and _close(float(got), float(expected), scale)
    return bool(got == expected)


def _key(value: Any) -> Any:
    if _number(value) and float(value).is_integer():
        return int(value)
    return value


def _by_key(
    table: pd.DataFrame, keys: list[str]
) -> tuple[dict[tuple[Any, ...], dict[str, Any]], int]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    twice = 0
    for record in table.to_dict(orient="records"):
        key = tuple(_key(record.get(k)) for k in keys)
        twice += key in found
        found[key] = record
    return found, twice


def _compare(
    name: str,
    got: pd.DataFrame,
    expected: pd.DataFrame,
    keys: list[str],
    problems: list[str],
    scales: dict[str, float] | None = None,
) -> None:
    """Report every row of ``got`` missing, extra or differing from ``expected``."""
    columns = [c for c in expected.columns if c not in keys]
    lacking = [c for c in [*keys, *columns] if c not in got.columns]
    if lacking:
        problems.append(f"the {name} table has no {', '.join(lacking)} column")
        return
    mine, _ = _by_key(expected, keys)
    theirs, twice = _by_key(got, keys)
    found = []
    if twice:
        found.append(f"the {name} table repeats {twice} row(s)")
    label = lambda key: "/".join(str(k) for k in key)  # noqa: E731
    found += [f"{name} {label(k)}: missing" for k in mine if k not in theirs]
    found += [f"{name} {label(k)}: not a row of this plan" for k in theirs if k not in mine]
    for key, row in mine.items():
        if key not in theirs:
            continue
        for column in columns:
            value, reported = row[column], theirs[key][column]
            if not _same(reported, value, (scales or {}).get(column, 1.0)):
                found.append(f"{name} {label(key)}: {column} is {reported!r}, recomputed {value!r}")
    if len(found) > 12:
        found = [*found[:12], f"{name}: and {len(found) - 12} more differences"]
    problems += found


def _site_cost_per_hour(world: _World, site: Site) -> float:
    """The site's hourly price as the sites table shows it: an FTE-month price converted,
    0 for a site paid per contact, its own rate, else its country's indicative cost."""
    if site.price_per_fte_month is not None:
        return site.price_per_fte_month * 12 / (world.weekly_hours_per_fte(site) * WEEKS)
    if site.price_per_contact is not None:
        return 0.0
    if site.cost_per_hour is not None:
        return site.cost_per_hour
    return float(world.country[site.country]["agent_cost_eur_per_hour"])


def _weekly_volume(world: _World, call_type: CallType, language: str) -> float:
    """Forecast contacts of a demand unit in the sizing week (repeats excluded)."""
    hours = range(168) if call_type.real_time else [-1]
    return sum(_weekly_calls(world, call_type, language, h) for h in hours)


def _allocation_of(world: _World, rows: pd.DataFrame) -> pd.DataFrame:
    """The allocation table from the staffing rows: one row per (call type, language,
    site), its share of the unit's forecast contacts and its sums over the hours."""
    keys = ["call_type", "language", "site"]
    columns = ["vendor", "country", "shore", "level", "channel", "share", "volume",
               "productive_hours", "fte", "rate_per_hour", "cost"]  # fmt: skip
    if rows.empty:
        return pd.DataFrame(columns=keys + columns)
    sums = (
        rows.assign(volume=rows["calls"] * rows["annual_factor"])
        .groupby(keys, sort=True)[["calls", "volume", "annual_hours", "fte", "cost"]]
        .sum()
        .rename(columns={"calls": "weekly", "annual_hours": "productive_hours"})
        .reset_index()
    )
    records = []
    for row in sums.itertuples(index=False):
        call_type, site = world.call_types[row.call_type], world.sites[row.site]
        unit = _weekly_volume(world, call_type, row.language)
        records.append(
            {
                "call_type": row.call_type, "language": row.language, "site": row.site,
                "vendor": site.vendor or "in-house", "country": site.country,
                "shore": world.shore(site), "level": str(call_type.level),
                "channel": str(call_type.channel),
                "share": row.weekly / unit if unit > 0 else 0.0,
                "volume": row.volume, "productive_hours": row.productive_hours,
                "fte": row.fte, "rate_per_hour": world.rate(row.call_type, site),
                "cost": row.cost,
            }
        )  # fmt: skip
    return pd.DataFrame(records, columns=keys + columns)


def _sites_of(world: _World, rows: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """The sites table: every candidate site, what the scenario says of it and what
    the plan gives it."""
    used = allocation.groupby("site")[["fte", "productive_hours", "volume", "cost"]].sum()
    weekly = rows.groupby("site")["agents"].sum()
    records = []
    for site in world.scenario.sites:
        country = world.country[site.country]
        per_fte = world.weekly_hours_per_fte(site)
        capacity = world.capacity(site)
        totals = used.loc[site.id] if site.id in used.index else None
        records.append(
            {
                "site": site.id,
                "name": site.name or site.id,
                "vendor": site.vendor or "in-house",
                "country": site.country,
                "city": site.city,
                "lat": float(country["lat"] if site.lat is None else site.lat),
                "lon": float(country["lon"] if site.lon is None else site.lon),
                "shore": world.shore(site),
                "capacity_fte": capacity / per_fte,
                "annual_hours_per_fte": world.annual_hours_per_fte(site),
                "fte": 0.0 if totals is None else float(totals["fte"]),
                "utilisation": float(weekly.get(site.id, 0.0)) / capacity if capacity > 0 else 0.0,
                "productive_hours": 0.0 if totals is None else float(totals["productive_hours"]),
                "volume": 0.0 if totals is None else float(totals["volume"]),
                "cost": 0.0 if totals is None else float(totals["cost"]),
                "cost_per_hour": _site_cost_per_hour(world, site),
                "csat": site.quality.csat,
                "fcr": site.quality.fcr,
                "nps": site.quality.nps,
            }
        )
    return pd.DataFrame.from_records(records)


def _breakdown_of(allocation: pd.DataFrame, total: float) -> pd.DataFrame:
    """Totals by shore, vendor, country, call type and level (the fixed-cost rows are
    checked apart, in total)."""
    parts = []
    for dimension in ("shore", "vendor", "country", "call_type", "level"):
        grouped = allocation.groupby(dimension, sort=True)[["cost", "fte", "volume"]].sum()
        grouped = grouped.reset_index().rename(columns={dimension: "key"})
        grouped.insert(0, "dimension", dimension)
        parts.append(grouped)
    table = pd.concat(parts, ignore_index=True)
    table["cost_share"] = table["cost"] / total if total > 0 else 0.0
    return table


def _check_fixed_rows(world: _World, result: Result, fixed: float, problems: list[str]) -> None:
    """The breakdown's fixed-cost rows: known kinds and ids, non-negative, summing to the
    costs outside the staffing rows the checker recomputed."""
    table = result.breakdown
    if table.empty or "dimension" not in table.columns:
        rows = table
    else:
        rows = table[table["dimension"] == "fixed_cost"]
    known = set(world.sites) | {v.id for v in world.scenario.vendors} | set(world.country)
    for row in rows.to_dict(orient="records"):
        kind, _, name = str(row.get("key")).partition(":")
        if kind not in FIXED_KINDS or name not in known:
            problems.append(f"breakdown fixed_cost {row.get('key')}: not a cost this plan has")
        for column in ("fte", "volume"):
            if not _same(row.get(column), 0.0):
                problems.append(f"breakdown fixed_cost {row.get('key')}: {column} is not 0")
        if not _number(row.get("cost")) or float(row["cost"]) < 0:
            problems.append(f"breakdown fixed_cost {row.get('key')}: cost {row.get('cost')!r}")
    reported = float(pd.to_numeric(rows["cost"], errors="coerce").sum()) if len(rows) else 0.0
    if not _close(reported, fixed, max(abs(result.total_cost), 1.0)):
        problems.append(
            f"the breakdown's fixed costs sum to {reported:,.2f}, recomputed {fixed:,.2f}"
        )
    if len(rows):
        total = result.total_cost
        for row in rows.to_dict(orient="records"):
            share = float(row["cost"]) / total if total > 0 and _number(row.get("cost")) else 0.0
            if not _same(row.get("cost_share"), share):
                problems.append(f"breakdown fixed_cost {row.get('key')}: cost_share is wrong")


def _erlang_c_goal(call_type: CallType) -> bool:
    goal = call_type.service_level
    return goal is not None and not goal.erlang_a


def _demand_queues(world: _World) -> list[tuple[CallType, list[list[Any]]]]:
    """The queues one queue per demand unit would make, for :func:`_pooling_loss`: per
    real-time call type, each hour's calls of each language or, where any site pools
    languages and the call type has an Erlang C goal, of its languages together."""
    scenario = world.scenario
    pooling = any(scenario.pools_languages(site) for site in scenario.sites)
    found = []
    for call_type in scenario.call_types:
        if not call_type.real_time:
            continue
        languages = sorted(
            set(call_type.languages) | {c for w in call_type.hourly_languages for c in w.languages}
        )
        together = pooling and _erlang_c_goal(call_type)
        week = []
        for hour in range(168):
            calls = [_weekly_calls(world, call_type, language, hour) for language in languages]
            calls = [c if c > NEGLIGIBLE else 0.0 for c in calls]  # not planned
            week.append([sum(calls)] if together else calls)
        found.append((call_type, week))
    return found


def _pooling_loss(world: _World, rows: pd.DataFrame) -> float:
    """Agents staffed over those one queue per demand unit would need, summed over the
    week's hours [agent hours] (:func:`_demand_queues`)."""
    staffed = float(rows.loc[rows["hour"] >= 0, "agents"].sum())
    whole = world.scenario.settings.staffing_model == "whole"
    pooled = 0.0
    for call_type, week in _demand_queues(world):
        world.staff_ahead(call_type, np.array([c for q in week for c in q if c > 0], dtype=float))
        for queues in week:
            pooled += sum(world.staffed(call_type, c, whole)[0] for c in queues if c > 0)
    return staffed - pooled


def _kpis_of(
    world: _World, rows: pd.DataFrame, allocation: pd.DataFrame, total: float, fixed: float
) -> dict[str, Any]:
    volume = float(allocation["volume"].sum())
    hours = float(allocation["productive_hours"].sum())
    kpis: dict[str, Any] = {
        "total_cost": total,
        "total_fte": float(allocation["fte"].sum()),
        "total_volume": volume,
        "total_productive_hours": hours,
        "fixed_cost": fixed,
        "cost_per_contact": total / volume if volume else 0.0,
        "cost_per_productive_hour": total / hours if hours else 0.0,
    }
    for name in ("csat", "fcr", "nps"):  # volume-weighted, over the sites that report one
        scores = [
            (_score(world.sites[s], c, name), v)
            for s, c, v in zip(allocation["site"].tolist(), allocation["call_type"].tolist(), allocation["volume"].tolist(), strict=True)
        ]  # fmt: skip
        scored = [(x, v) for x, v in scores if x is not None]
        weight = sum(v for _, v in scored)
        kpis[name] = sum(x * v for x, v in scored) / weight if scored and weight > 0 else None
    by_shore = allocation.groupby("shore")["volume"].sum()
    for shore in ("inshore", "nearshore", "offshore"):
        kpis[f"{shore}_share"] = float(by_shore.get(shore, 0.0)) / volume if volume else 0.0
    kpis["sites_used"] = int(allocation["site"].nunique())
    kpis["vendors_used"] = int(
        allocation.loc[allocation["vendor"] != "in-house", "vendor"].nunique()
    )
    kpis["pooling_loss_agent_hours"] = _pooling_loss(world, rows)
    kpis |= _abandonment_kpis(rows)
    return kpis


def _abandonment_kpis(rows: pd.DataFrame) -> dict[str, Any]:
    """Calls abandoning over calls offered, in the sizing week's Erlang A queues (each
    row's rate checked in its own row): overall and per call type."""
    if "abandon_rate" not in rows:
        return {}
    live = rows[(rows["hour"] >= 0) & rows["abandon_rate"].notna()]
    if live.empty:
        return {}
    found: dict[str, Any] = {}
    offered: defaultdict[str, float] = defaultdict(float)
    lost: defaultdict[str, float] = defaultdict(float)
    for call_type, calls, rate in zip(
        live["call_type"], live["calls"], live["abandon_rate"], strict=True
    ):
        offered[call_type] += float(calls)
        lost[call_type] += float(calls) * float(rate)
    total = sum(offered.values())
    found["abandon_rate"] = sum(lost.values()) / total if total > 0 else 0.0
    for call_type in sorted(offered):
        found[f"abandon_rate_{call_type}"] = (
            lost[call_type] / offered[call_type] if offered[call_type] > 0 else None
        )
    return found


def _check_kpis(
    world: _World, result: Result, expected: dict[str, Any], problems: list[str]
) -> None:
    scale = max(abs(float(expected["total_cost"])), 1.0)
    for name, value in expected.items():
        if name not in result.kpis:
            problems.append(f"the KPIs lack {name}")
            continue
        got = result.kpis[name]
        tolerance = scale if name == "total_cost" else 1.0
        if name in ("sites_used", "vendors_used"):
            same = _number(got) and int(got) == value and float(got).is_integer()
        else:
            same = _same(got, value, tolerance)
        if not same:
            problems.append(f"KPI {name} is {got!r}, recomputed {value!r}")
    for name in sorted(set(result.kpis) - set(expected)):
        problems.append(f"KPI {name} is not one the checker knows")


def _seats(world: _World, site: Site) -> float:
    if site.max_agents is not None:
        return float(site.max_agents)
    open_hours = world.open_count(site)
    return world.scenario.settings.peak_factor * world.capacity(site) / max(open_hours, 1)


def _roster_seats(world: _World, site: Site) -> float:
    """Whole agents a rostered site may have on shift in an hour: its seats rounded down,
    or the peak factor's share of its capacity rounded up."""
    if site.max_agents is not None:
        return float(np.floor(site.max_agents + 1e-9))
    open_hours = world.open_count(site)
    peak = world.scenario.settings.peak_factor * world.capacity(site) / max(open_hours, 1)
    return float(np.ceil(peak - 1e-9))


def _binds(limit: float, used: float) -> bool:
    return limit - used <= 1e-6 * max(1.0, limit)


def _check_constraints(
    world: _World, result: Result, rows: pd.DataFrame, problems: list[str]
) -> None:
    """The limits table: every site's capacity and every vendor cap, each binding seat
    hour, their limits and use recomputed; duals never positive on these upper limits."""
    scenario = world.scenario
    table = result.constraints
    needed = ["family", "key", "limit", "used", "binding", "dual"]
    if any(c not in table.columns for c in needed):
        problems.append("the constraints table lacks its columns (emptied?)")
        return
    records = []
    # Every site and capped vendor taking work has its row (one that can take none
    # may have none: the model writes no limit on an empty set).
    reported = set(zip(table["family"], table["key"].astype(str), strict=True))
    working = set(rows.loc[rows["share"] > 1e-9, "site"])
    site_of = rows["site"].to_numpy(dtype=object)
    numbers = rows["agents"].dtype.kind == "f"  # summed as pandas sums them
    agents = rows["agents"].to_numpy(dtype=float) if numbers else np.array([])
    for site in scenario.sites:
        if scenario.roster_of(site) is not None:
            continue  # limited on its shifts' paid hours (roster rows)
        if site.id not in working and ("capacity", site.id) not in reported:
            continue
        at = site_of == site.id
        used = _sum_known(agents[at]) if numbers else float(rows.loc[at, "agents"].sum())
        limit = world.capacity(site)
        records.append(("capacity", site.id, limit, used, _binds(limit, used)))
    total = _total_work(world)
    vendor_of = [world.sites[s].vendor or "in-house" for s in site_of.tolist()]
    by_vendor = rows.groupby(np.array(vendor_of, dtype=object))["handle_hours"].sum()
    for vendor in scenario.vendors:
        caps = [c for c in (vendor.max_share, scenario.policies.max_vendor_share) if c is not None]
        taking = vendor.id in set(by_vendor.index[by_vendor > 0])
        if caps and (taking or ("vendor_share", vendor.id) in reported):
            limit, used = min(caps) * total, float(by_vendor.get(vendor.id, 0.0))
            records.append(("vendor_share", vendor.id, limit, used, _binds(limit, used)))
    hourly = rows[rows["hour"] >= 0].groupby(["site", "hour"])["agents"].sum()
    reported_seats = set(table.loc[table["family"] == "seats", "key"].astype(str))
    seats = {  # per site staffed hour by hour (a rostered site's are on its shifts)
        site.id: _seats(world, site) for site in scenario.sites if scenario.roster_of(site) is None
    }
    for (site_id, hour), agents in hourly.items():
        if str(site_id) not in seats:
            continue
        limit, key = seats[str(site_id)], f"{site_id}@{int(hour)}"
        clearly = limit - float(agents) <= 1e-7 * max(1.0, limit)
        if clearly or key in reported_seats:
            records.append(("seats", key, limit, float(agents), _binds(limit, float(agents))))
    expected = pd.DataFrame(records, columns=["family", "key", "limit", "used", "binding"])
    measured = table[table["family"].isin(["capacity", "vendor_share", "seats"])]
    _compare("constraints", measured, expected, ["family", "key"], problems)
    for row in measured.to_dict(orient="records"):
        if _number(row["dual"]) and float(row["dual"]) > 1e-6 * max(1.0, abs(result.total_cost)):
            problems.append(
                f"constraints {row['family']}/{row['key']}: dual {row['dual']!r} is positive "
                "(relaxing an upper limit never raises the cost)"
            )
    for row in table.to_dict(orient="records"):
        if not isinstance(row["binding"], (bool, np.bool_)):
            problems.append(
                f"constraints {row['family']}/{row['key']}: binding is not true or false"
            )
    _check_roster_limits(world, table, problems)


def _check_roster_limits(world: _World, table: pd.DataFrame, problems: list[str]) -> None:
    """A rostered site's paid-hours and seat rows (``shift_capacity``, ``shift_seats``),
    recomputed on its whole roster (the sizing week's agents on shift, as
    :func:`_check_roster` counts them from the shifts): the limit is the site's own (its
    capacity less the headroom; its seats on shift), the use its paid hours a week or
    its agents on shift that hour, ``binding`` whether it is at the limit; and every
    such row at its limit with someone on shift is listed."""
    headroom = world.scenario.policies.capacity_headroom or 0.0
    rows = table[table["family"].isin(["shift_capacity", "shift_seats"])]
    listed = set()
    for family, key, limit, used, binding in zip(
        rows["family"],
        rows["key"].astype(str),
        rows["limit"],
        rows["used"],
        rows["binding"],
        strict=True,
    ):
        where = f"constraints {family}/{key}"
        parts = key.replace("@", ",").split(",")  # "site" or "site,hour"
        site = world.sites.get(parts[0])
        if site is None or world.scenario.roster_of(site) is None:
            problems.append(f"{where}: not a rostered site")
            continue
        if not (_number(limit) and _number(used)):
            problems.append(f"{where}: limit {limit!r} or use {used!r} is not a number")
            continue
        week = world.on_shift.get(site.id, np.zeros(168))
        if family == "shift_capacity":
            own, on = world.capacity(site) * (1 - headroom), float(week.sum())
        else:
            hour = int(parts[1]) if len(parts) > 1 and parts[1].lstrip("-").isdigit() else -1
            if not 0 <= hour < 168:
                problems.append(f"{where}: not an hour of the week")
                continue
            own, on = _roster_seats(world, site), float(week[hour])
        listed.add((family, key))
        limit, used = float(limit), float(used)
        if not _same(limit, own, max(1.0, own)):
            problems.append(f"{where}: limit {limit:,.4f}, the site's own is {own:,.4f}")
        if not _same(used, on, max(1.0, on)):
            problems.append(f"{where}: use {used:,.4f}, its whole roster gives {on:,.4f}")
        if isinstance(binding, (bool, np.bool_)) and bool(binding) != _binds(own, on):
            problems.append(f"{where}: binding is {binding!r}, recomputed {_binds(own, on)}")
    for site_id, week in sorted(world.on_shift.items()):  # rostered sites only
        site = world.sites[site_id]
        own = world.capacity(site) * (1 - headroom)
        at_limit = week.sum() > 0 and _binds(own, float(week.sum()))
        if at_limit and ("shift_capacity", site_id) not in listed:
            problems.append(f"constraints: {site_id}'s paid hours are at its capacity, not listed")
        seats = _roster_seats(world, site)
        for hour in map(int, np.flatnonzero((week > 0) & (seats - week <= 1e-6 * max(1.0, seats)))):
            if ("shift_seats", f"{site_id},{hour}") not in listed:
                problems.append(
                    f"constraints: {site_id} has every seat on shift at hour {hour}, not listed"
                )


def _check_stamp(world: _World, result: Result, problems: list[str]) -> None:
    """The status of an accepted plan, the same in the stamp; the scenario's terms."""
    stamp, objective = result.stamp, world.scenario.objective
    if result.status not in ACCEPTED_STATUSES:
        problems.append(f"status {result.status!r} is not that of an accepted plan")
    if stamp.get("status") != result.status:
        problems.append(f"the stamp's status {stamp.get('status')!r} is not {result.status!r}")
    money = max(abs(result.total_cost), 1.0)
    for name, value, scale in (
        ("time_limit_seconds", objective.time_limit_seconds, 1.0),
        ("amortization_years", objective.amortization_years, 1.0),
        ("gap_tolerance", objective.gap_tolerance, 0.0),
        ("exact_cost", result.total_cost, money),
    ):
        if name in stamp and not _same(stamp[name], value, scale):
            problems.append(f"the stamp's {name} is {stamp[name]!r}, not {value!r}")
    problems += _proof_problems(stamp, result.total_cost, objective.gap_tolerance)
    source = stamp.get("lower_bound_source")
    if "lower_bound_source" in stamp and (source is None) != (stamp.get("lower_bound") is None):
        problems.append(
            f"the stamp's lower_bound_source is {source!r} with lower bound "
            f"{stamp.get('lower_bound')!r} (a bound has its source, and no bound none)"
        )
    elif source is not None and source not in BOUND_SOURCES:
        problems.append(
            f"the stamp's lower_bound_source is {source!r}, not one of {sorted(BOUND_SOURCES)}"
        )


def _proof_problems(stamp: dict[str, Any], cost: float, tolerance: float) -> list[str]:
    """The gap the stamp claims follows from its lower bound and the plan's cost, and the
    status from the gap: ``optimal`` only within the tolerance, a bound never above the
    cost (that plan would be cheaper than the best possible one)."""
    bound, gap = stamp.get("lower_bound"), stamp.get("gap")
    if bound is None:
        expected_gap = None
    elif not _number(bound):
        return [f"the stamp's lower_bound {bound!r} is not a number"]
    else:
        bound = float(bound)
        if bound > cost + REL_TOL * max(1.0, abs(cost)):
            return [f"the stamp's lower_bound {bound:,.2f} is above the plan's cost {cost:,.2f}"]
        expected_gap = max(cost - bound, 0.0) / abs(cost) if cost else 0.0
    problems = []
    if (gap is None) != (expected_gap is None) or (
        expected_gap is not None
        and not (gap is not None and _number(gap) and _close(float(gap), expected_gap))
    ):
        problems.append(
            f"the stamp's gap {gap!r} is not (cost - lower_bound) / cost = {expected_gap!r}"
        )
    proven = expected_gap is not None and expected_gap <= tolerance
    if stamp.get("status") == "optimal" and not proven:
        problems.append(
            "the stamp says optimal, but the plan is not proven within the gap tolerance "
            f"{tolerance:g} of its lower bound"
        )
    if stamp.get("status") == "feasible" and proven:
        problems.append("the stamp says feasible, but its gap proves the plan optimal")
    return problems


def _check_shift_labels(
    world: _World, shifts: pd.DataFrame, name: str, problems: list[str]
) -> None:
    """A shifts table's derived columns: local start, labels, names and paid hours."""
    found = []
    for row in shifts.to_dict(orient="records"):
        site = world.sites.get(str(row.get("site")))
        if site is None:
            found.append(f"{name}: shift at unknown site {row.get('site')}")
            continue
        start = int(row["start_hour"])
        if not 0 <= start < 168:
            found.append(f"{name} at {site.id}: a shift starts at hour {start}, not in the week")
            continue
        local = world.local(site, start)
        expected: dict[str, Any] = {
            "local_weekday": local.weekday(),
            "local_start": local.hour + local.minute / 60,
            "paid_hours": float(row["agents"]) * float(row["length_hours"]),
        }
        if "site_name" in row:
            expected["site_name"] = site.name or site.id
            expected["starts_market"] = hour_label(start)
            expected["starts_local"] = hour_label(24 * local.weekday() + local.hour)
        for column, value in expected.items():
            if not _same(row.get(column), value):
                found.append(
                    f"{name} at {site.id} from hour {start}: {column} is {row.get(column)!r}, "
                    f"recomputed {value!r}"
                )
    problems += found[:12] + ([f"{name}: and {len(found) - 12} more"] if len(found) > 12 else [])


def _check_labels(scenario: Scenario, labels: pd.DataFrame, problems: list[str]) -> None:
    """Each display name is the scenario's (call types, sites, vendors; the id where it
    gives none), the ISO 639 name of a language, the bundled name of a country."""
    known = countries()["name"]
    names: dict[str, dict[str, str]] = {
        "call_type": {c.id: c.name or c.id for c in scenario.call_types},
        "site": {s.id: s.name or s.id for s in scenario.sites},
        "vendor": {v.id: v.name or v.id for v in scenario.vendors} | {"in-house": "in-house"},
    }
    found = []
    for kind, key, name in labels[["kind", "id", "name"]].itertuples(index=False, name=None):
        if kind in names:
            expected = names[kind].get(str(key))
        elif kind == "language":
            expected = language_name(str(key))
        elif kind == "country":
            expected = str(known.get(str(key), key))
        else:
            found.append(f"labels: unknown kind {kind!r}")
            continue
        if expected is None:
            found.append(f"labels: {kind} {key!r} is not in the scenario")
        elif str(name) != expected:
            found.append(f"labels: {kind} {key} is named {name!r}, not {expected!r}")
    problems += found[:12] + ([f"labels: and {len(found) - 12} more"] if len(found) > 12 else [])


def _check_signs(rows: pd.DataFrame, problems: list[str]) -> None:
    """Shares, agents and costs of a plan are never negative."""
    for column in ("share", "calls", "handle_hours", "agents", "agents_lp", "roster_agents",
                   "fte", "annual_hours", "cost", "rate_per_hour"):  # fmt: skip
        given = rows[column]
        # numbers at once (NaN is missing, not below zero)
        if given.dtype.kind in "fiu" and not (given.to_numpy() < -1e-12).any():
            continue
        values = pd.to_numeric(given, errors="coerce")
        bad = rows[(values < -1e-12) | (values.isna() & given.notna())]
        for row in bad.head(5).itertuples(index=False):
            problems.append(f"{_where(row)}: {column} is {getattr(row, column)!r}, below zero")
        if len(bad) > 5:
            problems.append(f"and {len(bad) - 5} more rows with {column} below zero")


def verify(scenario: Scenario, result: Result, *, identity: bool = True) -> list[str]:
    """Every rule the plan breaks, in plain words (empty when the plan is valid).

    First the result's identity (:func:`identity_problems`: this scenario's hash, name,
    currency and market; left out with ``identity=False``, to judge one scenario's plan
    against the terms of another), then the plan.

    Checks, hour by hour: demand covered in full; sites open in the hours they take;
    deferred work answered within its response time; staffing at least what Erlang C
    (or workload sizing) needs, and service levels met; languages and proficiency
    (spoken or written, by channel); call types each site offers; quality gates; data
    jurisdictions; shore rules; weekly capacity, seats and vendor caps; calls, FTE and
    costs recomputed from the scenario's prices and premiums; shares, agents and costs
    never negative; the status of an accepted plan; and every table and KPI shown
    re-derived from the staffing rows and shifts (allocation, sites, breakdown, KPIs,
    months, shift labels, the capacity, vendor-cap and seat rows of the constraints);
    the display names (``labels``) the scenario's. A summary result
    (``stamp["tables"] == "summary"``) may leave the breakdown and constraints empty.
    """
    world = _world_of(scenario)
    world.monthly = not result.months.empty  # (else costed at the annual factor)
    problems: list[str] = identity_problems(scenario, result) if identity else []
    _check_stamp(world, result, problems)
    _check_labels(scenario, result.labels, problems)
    rows = result.staffing
    _check_signs(rows, problems)
    unknown = sorted(set(rows["site"].tolist()) - set(world.sites))
    problems += [f"allocation uses unknown site {site}" for site in unknown]
    unknown_types = sorted(set(rows["call_type"].tolist()) - set(world.call_types))
    problems += [f"allocation has work for unknown call type {c}" for c in unknown_types]
    hours = pd.to_numeric(rows["hour"], errors="coerce")
    odd = ~hours.isin(range(-1, 168))
    problems += [
        f"allocation has work at hour {h!r}, not an hour of the week"
        for h in rows.loc[odd, "hour"].unique()
    ]
    rows = rows[rows["site"].isin(world.sites) & rows["call_type"].isin(world.call_types) & ~odd]
    rows = _with_pools(world, rows.reset_index(drop=True))

    # Demand coverage, per (call type, language, hour).
    served: dict[tuple[str, str, int], float] = defaultdict(float)
    for key, share in zip(
        zip(
            rows["call_type"].tolist(),
            rows["language"].tolist(),
            rows["hour"].tolist(),
            strict=True,
        ),
        rows["share"].tolist(),
        strict=True,
    ):
        served[(key[0], key[1], int(key[2]))] += float(share)
    for call_type in scenario.call_types:
        languages = set(call_type.languages) | {
            c for w in call_type.hourly_languages for c in w.languages
        }
        for language in sorted(languages):
            hours = range(168) if call_type.real_time else [-1]
            for hour in hours:
                if _weekly_calls(world, call_type, language, hour) <= NEGLIGIBLE:
                    continue
                got = served.pop((call_type.id, language, hour), 0.0)
                if not _close(got, 1.0):
                    when = f" in hour {hour}" if hour >= 0 else ""
                    problems.append(
                        f"{call_type.id} in {language}{when} is {got:.4%} served, not 100%"
                    )
    for key in served:
        problems.append(
            f"plan has work for {key[0]} in {key[1]} at hour {key[2]}, which has no demand"
        )

    # Volume tiers ("all units"): a vendor's whole bill falls once its yearly contacts
    # reach a threshold; the highest tier reached applies.
    yearly = (rows["calls"] * rows["annual_factor"]).groupby(rows["vendor"]).sum()
    for vendor in scenario.vendors:
        reached = [
            t.discount
            for t in vendor.volume_discounts
            if float(yearly.get(vendor.id, 0.0)) >= t.from_contacts * (1 - 1e-9)
        ]
        world.discount[vendor.id] = max(reached, default=0.0)
    _staff_queues(world, rows)
    figures: Figures = []
    for position, row in enumerate(_plain(rows).itertuples(index=False)):
        _check_row(world, row, position, figures, problems)
    _settle_figures(rows, figures, problems)
    for vendor in scenario.vendors:  # hard volume commitments
        commitment = vendor.commitment
        if commitment is not None and commitment.shortfall_price is None:
            given = float(yearly.get(vendor.id, 0.0))
            if given < commitment.contacts * (1 - 1e-7) - 1e-6:
                problems.append(
                    f"vendor {vendor.id} gets {given:,.0f} contacts a year, "
                    f"below its commitment of {commitment.contacts:,.0f}"
                )

    per_site = rows.groupby("site")["agents"].sum()
    per_hour = rows[rows["hour"] >= 0].groupby(["site", "hour"])["agents"].sum()
    for site in scenario.sites:
        if world.scenario.roster_of(site) is not None:
            continue  # capacity and seats of a rostered site: on its shifts (_check_roster)
        used = float(per_site.get(site.id, 0.0))
        capacity = world.capacity(site)
        usable = capacity * (1 - (scenario.policies.capacity_headroom or 0.0))
        if used > usable * (1 + REL_TOL) + REL_TOL:
            problems.append(
                f"site {site.id} works {used:,.1f} productive h/week over its usable capacity {usable:,.1f}"
            )
        seats = site.max_agents
        if seats is None:
            open_hours = world.open_count(site)
            seats = scenario.settings.peak_factor * capacity / max(open_hours, 1)
        if site.id not in per_hour.index.get_level_values("site"):
            continue
        for hour, agents in per_hour.loc[site.id].items():
            if agents > seats * (1 + REL_TOL) + REL_TOL:
                problems.append(
                    f"site {site.id} seats {agents:g} agents in hour {hour}, over {seats:g}"
                )

    # Vendor shares are of the work: handle hours of the sizing week, recomputed.
    total_hours = _total_work(world)
    work = [
        _weekly_calls(world, world.call_types[c], lang, int(h))
        * share
        * world.call_types[c].aht_seconds
        / 3600
        for c, lang, h, share in zip(
            rows["call_type"].tolist(),
            rows["language"].tolist(),
            rows["hour"].tolist(),
            rows["share"].tolist(),
            strict=True,
        )
    ]
    by_vendor = (
        rows.assign(
            v=[world.sites[s].vendor or "in-house" for s in rows["site"].tolist()], work=work
        )
        .groupby("v")["work"]
        .sum()
    )
    for vendor in scenario.vendors:
        caps = [c for c in (vendor.max_share, scenario.policies.max_vendor_share) if c is not None]
        if caps and total_hours > 0:
            share = float(by_vendor.get(vendor.id, 0.0)) / total_hours
            if share > min(caps) + REL_TOL:
                problems.append(
                    f"vendor {vendor.id} takes {share:.4%} of the work, above its cap {min(caps):.2%}"
                )

    _check_policies(world, rows.assign(work=work), total_hours, problems)
    _check_teams(world, rows, problems)
    _check_channels(world, rows, problems)

    # The year: each row in each month at the month's load; the months table re-derived.
    if not world.monthly and "proportional_cost" in result.stamp:
        problems.append("the result has no months table")  # costed monthly, table gone
    year = _year_rows(world, rows)
    _check_year(world, rows, year, problems)
    yearly, recordings = _fixed_cost(world, rows)
    idle_week, _ = _check_roster(world, rows, result.shifts, problems)  # the sizing week's
    if world.monthly:
        idle = _check_months(world, result, year, yearly, problems)
    else:  # costed at the annual factor: the sizing week's idle hours for the year's weeks
        volumes = [(c.volume, world.profile(c)[1]) for c in scenario.call_types]
        sized = sum(v / f for v, f in volumes if f > 0)
        idle = idle_week * (sum(v for v, _ in volumes) / sized if sized > 0 else 0.0)
    fixed = yearly + recordings + idle
    total_cost = float(rows["cost"].sum()) + fixed
    if not _close(total_cost, result.total_cost, total_cost):
        problems.append(
            f"staffing costs sum to {total_cost:,.2f} but the total says {result.total_cost:,.2f}"
        )
    reported = float(result.allocation["cost"].sum()) + fixed
    if not _close(reported, result.total_cost, total_cost):
        problems.append(
            f"allocation costs sum to {reported:,.2f} but the total says {result.total_cost:,.2f}"
        )
    if not result.sites.empty:
        site_costs = result.sites.set_index("site")["cost"]
        row_costs = rows.groupby("site")["cost"].sum()
        for site_id, cost in site_costs.items():
            if not _close(float(cost), float(row_costs.get(site_id, 0.0)), total_cost):
                problems.append(
                    f"site {site_id} total cost {cost:,.2f} differs from its rows {row_costs.get(site_id, 0.0):,.2f}"
                )
        if "annual_hours_per_fte" in result.sites.columns:  # results saved before it lack it
            for site_id, hours in result.sites.set_index("site")["annual_hours_per_fte"].items():
                if site_id not in world.sites:  # not one of this scenario's sites: no figure
                    continue
                expected = world.annual_hours_per_fte(world.sites[site_id])
                if not _close(float(hours), expected):
                    problems.append(
                        f"site {site_id}: {float(hours):,.1f} paid hours per FTE reported, {expected:,.1f} expected"
                    )
    if math.isnan(result.total_cost):
        problems.append("total cost is not a number")

    # What the result shows, re-derived from the rows (themselves checked above).
    allocation = _allocation_of(world, rows)
    _compare(
        "allocation", result.allocation, allocation, ["call_type", "language", "site"], problems
    )
    _compare("sites", result.sites, _sites_of(world, rows, allocation), ["site"], problems)
    # A summary result (a Monte Carlo draw's) leaves some tables empty: an empty one is
    # not checked, as it shows nothing; one it carries all the same is.
    summary = result.stamp.get("tables") == "summary"
    breakdown = result.breakdown
    if not (summary and breakdown.empty):
        if "dimension" in breakdown.columns:
            breakdown = breakdown[breakdown["dimension"] != "fixed_cost"]
        _compare(
            "breakdown",
            breakdown,
            _breakdown_of(allocation, total_cost),
            ["dimension", "key"],
            problems,
        )
        _check_fixed_rows(world, result, fixed, problems)
    _check_kpis(world, result, _kpis_of(world, rows, allocation, total_cost, fixed), problems)
    if not (summary and result.constraints.empty):
        _check_constraints(world, result, rows, problems)
    _check_shift_labels(world, result.shifts, "shifts", problems)
    _check_shift_labels(world, result.month_shifts, "month_shifts", problems)
    return problems
