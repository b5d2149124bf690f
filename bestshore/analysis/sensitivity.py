"""Sensitivity of the annual cost, one parameter at a time, and break-evens by search.

**Ranges.** A range moves one parameter to a low and a high end, everything else held
at the scenario's values, and the scenario is solved again at each end. A range is
written ``KIND[:TARGET]=LOW,HIGH`` (:func:`parse_range`):

=====================================  ==========================================================
``rate:MA=-20%,+20%``                  the prices of the sites of country ``MA`` x (1 + change)
``rate:lisbon=-10%,+10%``              one site's prices (a target that is a site id)
``fx:MAD@MA+TN=-10%,+10%``             the value of ``MAD`` against the scenario's currency, for
                                       the sites of ``MA`` and ``TN`` (required after ``@``): their
                                       prices x (1 + change), prices taken as wholly paid in the
                                       local currency (as ``uncertainty:`` fx factors)
``volume=-10%,+10%``                   every call type's yearly volume x (1 + change)
``volume:n1_billing=-20%,+5%``         one call type's volume
``aht[:CALL_TYPE]=-10%,+10%``          the average handle time x (1 + change)
``shrinkage[:COUNTRY|SITE]=-5pt,+5pt``  each site's shrinkage (its own, else
                                       ``settings.shrinkage``) + change [percentage points],
                                       kept within 0 to 0.89
=====================================  ==========================================================

Changes are written with their unit: ``%`` (relative) for rate, fx, volume and AHT,
``pt`` (percentage points, absolute) for shrinkage; ``LOW < HIGH``, a relative change
above -100 %. A site's *prices* are whichever it gives: ``cost_per_hour`` and its rate
card, ``price_per_fte_month`` or ``price_per_contact``; a site taking its country's
indicative cost has no price of its own to move (an error: give it ``cost_per_hour``).
Without ranges, the scenario's ``sensitivity:`` section (``ranges:``, the same texts,
:func:`scenario_ranges`), so a study is reproducible from the file; without one,
:func:`default_ranges`: +-10 % on the rates of each country with a site, +-10 % on every
volume and on every AHT, +-5 points of shrinkage.

**Solves.** Rate and fx changes on sites priced by the hour re-price one
:class:`bestshore.Workbench` (``set_rate``, then back to the base); other changes solve
the changed scenario afresh (:func:`bestshore.solve`). Each end reports its solve's
``status`` and proven ``gap`` (``stamp``) and lower bound. A cost is proven to lie in
``[lower_bound, total_cost]``, so the swing ``cost_high - cost_low`` lies in
``[L_high - U_low, U_high - L_low]``: it is **significant** only when that interval
excludes 0 (as policy prices are, :mod:`bestshore.analysis.policy_prices`); a swing
smaller than the solves' gaps is reported, flagged not significant.

**Break-evens** (:func:`break_even`): the change of one parameter at which a condition
flips (a site, country or shore gets at least a share of a call type's volume, or the
annual cost reaches a value), by bisection over a bracket whose two ends disagree,
each step a solve. The answer is an interval, the last bracket: the condition holds at
one end and not at the other, and the flip lies between (for a condition that flips once
in the bracket; a condition flipping several times gives one of its flips). A share
read from a plan within the gap tolerance of the best (not the best itself) may differ
from the best plan's share near a tie: the largest proven gap of the search is
reported with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from bestshore.analysis.errors import AnalysisError
from bestshore.api import InfeasibleScenarioError, SolveError, solve
from bestshore.result import Result
from bestshore.scenario import Scenario, ScenarioError

__all__ = [
    "SENSITIVITY_COLUMNS",
    "BreakEven",
    "Condition",
    "Range",
    "Sensitivity",
    "break_even",
    "default_ranges",
    "parse_change",
    "parse_param",
    "parse_range",
    "resolve_range",
    "scenario_ranges",
    "sensitivity",
]

Kind = Literal["rate", "fx", "volume", "aht", "shrinkage"]
KINDS: tuple[str, ...] = ("rate", "fx", "volume", "aht", "shrinkage")
_MAX_SHRINKAGE = 0.89
_PERCENT = re.compile(r"^([+-]?\d+(?:\.\d+)?)%$")
_POINTS = re.compile(r"^([+-]?\d+(?:\.\d+)?)pt$")
SENSITIVITY_COLUMNS = [
    "parameter", "name", "kind", "target", "low", "high", "unit",
    "cost_low", "cost_base", "cost_high", "lower_bound_low", "lower_bound_base",
    "lower_bound_high", "status_low", "status_base", "status_high", "gap_low", "gap_base",
    "gap_high", "swing", "swing_min", "swing_max", "significant",
]  # fmt: skip


@dataclass(frozen=True)
class Range:
    """One parameter and the changes of its low and high ends.

    Attributes
    ----------
    kind : str
        ``rate``, ``fx``, ``volume``, ``aht`` or ``shrinkage``.
    target : str or None
        rate, shrinkage: a country code or a site id (None: every site); volume, aht: a
        call type id (None: every call type); fx: the currency code.
    low, high : float
        The changes: relative [fraction, -0.1 is -10 %] for rate, fx, volume, aht;
        absolute [fraction, 0.05 is 5 points] for shrinkage.
    countries : tuple of str
        fx: the countries whose sites are paid in the currency.
    """

    kind: Kind
    target: str | None
    low: float
    high: float
    countries: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The range's parameter as written: ``rate:MA``, ``fx:MAD@MA+TN``, ``volume``."""
        key = self.kind if self.target is None else f"{self.kind}:{self.target}"
        return f"{key}@{'+'.join(self.countries)}" if self.countries else key

    @property
    def unit(self) -> str:
        """``%`` (relative change) or ``pt`` (shrinkage, percentage points)."""
        return "pt" if self.kind == "shrinkage" else "%"


def format_change(value: float, unit: str) -> str:
    """A change as written in a range: ``+10%``, ``-5pt``."""
    return f"{value * 100:+g}{unit}"


def parse_change(text: str, kind: str, where: str) -> float:
    """One change, ``-20%`` or ``+5pt`` (shrinkage), as a fraction; a one-line
    :class:`AnalysisError` naming ``where`` otherwise."""
    text = text.strip()
    pattern, unit = (_POINTS, "pt") if kind == "shrinkage" else (_PERCENT, "%")
    match = pattern.match(text)
    if match is None:
        example = "-5pt" if unit == "pt" else "-20%"
        raise AnalysisError(
            f"{where}: {text!r} is not a change of {kind}; write it with its unit, "
            f"e.g. {example} ({'percentage points' if unit == 'pt' else 'percent'})"
        )
    value = float(match.group(1)) / 100
    if kind != "shrinkage" and value <= -1:
        raise AnalysisError(
            f"{where}: {text!r} would make {kind} zero or negative; give above -100%"
        )
    if abs(value) > (1 if kind == "shrinkage" else 100):
        raise AnalysisError(f"{where}: {text!r} is out of range")
    return value


def parse_param(text: str, where: str = "--param") -> tuple[Kind, str | None, tuple[str, ...]]:
    """``KIND[:TARGET][@C1+C2]`` as (kind, target, countries); syntax only, the target
    is checked against a scenario by :func:`resolve_range`."""
    head, _, countries = text.strip().partition("@")
    kind, _, target = head.partition(":")
    if kind not in KINDS:
        raise AnalysisError(
            f"{where} {text!r}: unknown parameter {kind!r}; choose one of {', '.join(KINDS)} "
            "(e.g. rate:MA, fx:MAD@MA, volume:n1, aht, shrinkage)"
        )
    if ":" in target or not re.fullmatch(r"[A-Za-z0-9_.\-]*", target):
        raise AnalysisError(f"{where} {text!r}: bad target {target!r}")
    listed = tuple(c for c in countries.split("+") if c) if countries else ()
    if kind == "fx":
        if not re.fullmatch(r"[A-Z]{3}", target) or not listed:
            raise AnalysisError(
                f"{where} {text!r}: an fx parameter is fx:CURRENCY@COUNTRY[+COUNTRY...], "
                "e.g. fx:MAD@MA (the countries whose sites are paid in it)"
            )
    elif countries:
        raise AnalysisError(f"{where} {text!r}: @countries is for fx parameters only")
    return kind, target or None, listed  # type: ignore[return-value]


def parse_range(text: str, where: str | None = None) -> Range:
    """A range ``KIND[:TARGET]=LOW,HIGH`` (module docstring); a one-line
    :class:`AnalysisError` on bad syntax, naming ``where`` it was given (default
    ``--range 'TEXT'``)."""
    where = where or f"--range {text!r}"
    param, equals, ends = text.partition("=")
    if not equals:
        raise AnalysisError(f"{where}: write KIND[:TARGET]=LOW,HIGH, e.g. rate:MA=-20%,+20%")
    kind, target, countries = parse_param(param, where.removesuffix(f" {text!r}"))
    parts = ends.split(",")
    if len(parts) != 2:
        raise AnalysisError(f"{where}: give two changes, LOW,HIGH (e.g. -10%,+10%)")
    low, high = (parse_change(p, kind, where) for p in parts)
    if not low < high:
        raise AnalysisError(f"{where}: LOW must be below HIGH")
    return Range(kind, target, low, high, countries)


# --- a range on a scenario ------------------------------------------------------------------


def _sites_of(scenario: Scenario, rng: Range) -> list[str]:
    if rng.kind == "fx":
        return [s.id for s in scenario.sites if s.country in rng.countries]
    if rng.target is None:
        return [s.id for s in scenario.sites]
    site_ids = [s.id for s in scenario.sites]
    if rng.target in site_ids:
        return [rng.target]
    return [s.id for s in scenario.sites if s.country == rng.target]


def resolve_range(scenario: Scenario, rng: Range, where: str | None = None) -> Range:
    """``rng`` checked against ``scenario``: its target exists, and a price moves only
    sites that have one of their own (one-line :class:`AnalysisError` otherwise, naming
    ``where`` it was given; default ``--range KEY``)."""
    where = where or f"--range {rng.key}"
    if rng.kind in ("volume", "aht"):
        ids = [c.id for c in scenario.call_types]
        if rng.target is not None and rng.target not in ids:
            raise AnalysisError(
                f"{where}: {rng.target!r} is not one of the call types ({', '.join(ids)})"
            )
        return rng
    countries = sorted({s.country for s in scenario.sites})
    if rng.kind == "fx":
        unknown = [c for c in rng.countries if c not in countries]
        if unknown:
            raise AnalysisError(
                f"{where}: no site in {unknown[0]!r} (site countries: {', '.join(countries)})"
            )
    elif rng.target is not None and not _sites_of(scenario, rng):
        raise AnalysisError(
            f"{where}: {rng.target!r} is neither a site country ({', '.join(countries)}) "
            "nor a site id"
        )
    if rng.kind in ("rate", "fx"):
        for site_id in _sites_of(scenario, rng):
            site = scenario.site(site_id)
            if (
                site.cost_per_hour is None
                and not site.rates
                and site.price_per_fte_month is None
                and site.price_per_contact is None
            ):
                raise AnalysisError(
                    f"{where}: site {site_id} has no price of its own (it takes its country's "
                    "indicative cost); give it cost_per_hour to move its rate"
                )
    return rng


def scenario_ranges(scenario: Scenario) -> list[Range] | None:
    """The ranges of the scenario's ``sensitivity:`` section, parsed and checked against
    it; None without the section. A bad range is a :class:`ScenarioError` naming the file
    and its place, ``sensitivity.ranges[i]``."""
    if scenario.sensitivity is None:
        return None
    ranges = []
    for number, text in enumerate(scenario.sensitivity.ranges):
        where = f"range {text!r}"
        try:
            ranges.append(resolve_range(scenario, parse_range(text, where), where))
        except AnalysisError as exc:
            raise ScenarioError(
                exc.message, file=scenario.source, path=("sensitivity", "ranges", number)
            ) from None
    keys = [r.key for r in ranges]
    for number, key in enumerate(keys):
        if key in keys[:number]:
            raise ScenarioError(
                f"{key} is given twice (once per parameter)",
                file=scenario.source,
                path=("sensitivity", "ranges", number),
            )
    return ranges


def default_ranges(scenario: Scenario) -> list[Range]:
    """+-10 % on each site country's rates (countries whose sites all have a price of
    their own), +-10 % volume and AHT on every call type, +-5 points of shrinkage."""
    ranges = []
    for country in sorted({s.country for s in scenario.sites}):
        rng = Range("rate", country, -0.10, 0.10)
        try:
            ranges.append(resolve_range(scenario, rng))
        except AnalysisError:
            continue
    return [
        *ranges,
        Range("volume", None, -0.10, 0.10),
        Range("aht", None, -0.10, 0.10),
        Range("shrinkage", None, -0.05, 0.05),
    ]


def _scale_prices(site: dict[str, Any], factor: float) -> None:
    for key in ("cost_per_hour", "price_per_fte_month", "price_per_contact"):
        if site.get(key) is not None:
            site[key] = site[key] * factor
    if site.get("rates"):
        site["rates"] = {k: v * factor for k, v in site["rates"].items()}


def changed_scenario(scenario: Scenario, rng: Range, change: float) -> Scenario:
    """``scenario`` with ``rng``'s parameter moved by ``change`` (module docstring),
    validated again."""
    from bestshore.scenario.loader import parse_scenario

    data = scenario.model_dump(warnings=False)
    if rng.kind in ("volume", "aht"):
        key = "volume" if rng.kind == "volume" else "aht_seconds"
        for call_type in data["call_types"]:
            if rng.target is None or call_type["id"] == rng.target:
                call_type[key] = call_type[key] * (1 + change)
    else:
        moved = set(_sites_of(scenario, rng))
        default = data["settings"]["shrinkage"]
        for site in data["sites"]:
            if site["id"] not in moved:
                continue
            if rng.kind == "shrinkage":
                base = default if site.get("shrinkage") is None else site["shrinkage"]
                site["shrinkage"] = min(max(base + change, 0.0), _MAX_SHRINKAGE)
            else:
                _scale_prices(site, 1 + change)
    try:
        return parse_scenario(data, file=scenario.source)
    except ScenarioError as exc:
        raise AnalysisError(
            f"{rng.key} at {format_change(change, rng.unit)}: the changed scenario is not "
            f"valid ({exc.message})"
        ) from None


def _hourly(scenario: Scenario, rng: Range) -> bool:
    """A price range every moved site of which is priced by the hour (a Workbench takes it)."""
    return rng.kind in ("rate", "fx") and all(
        scenario.site(s).price_per_contact is None and scenario.site(s).price_per_fte_month is None
        for s in _sites_of(scenario, rng)
    )


class _Solver:
    """Solves ``scenario`` with one range moved; price ranges on hourly sites re-price one
    :class:`bestshore.Workbench`, kept across calls; counts the solves."""

    def __init__(self, scenario: Scenario, *, check: bool = True) -> None:
        self.scenario = scenario
        self.check = check
        self.solves = 0
        self._bench: Any = None

    def __call__(self, rng: Range, change: float) -> Result:
        self.solves += 1
        if change == 0:
            return solve(self.scenario, check=self.check)
        if not _hourly(self.scenario, rng):
            return solve(changed_scenario(self.scenario, rng, change), check=self.check)
        from bestshore.workbench import Workbench

        if self._bench is None:
            self._bench = Workbench(self.scenario, check=self.check)
        sites = [self.scenario.site(s) for s in _sites_of(self.scenario, rng)]
        try:
            for site in sites:
                self._set(site, 1 + change)
            return self._bench.solve()
        finally:
            for site in sites:
                self._set(site, 1.0)

    def _set(self, site: Any, factor: float) -> None:
        if site.cost_per_hour is not None:
            self._bench.set_rate(site.id, site.cost_per_hour * factor)
        for call_type, rate in site.rates.items():
            self._bench.set_rate(site.id, rate * factor, call_type=call_type)


# --- one-at-a-time sensitivity ----------------------------------------------------------------


def _names(labels: pd.DataFrame) -> dict[tuple[str, str], str]:
    if labels.empty:
        return {}
    return {(str(r.kind), str(r.id)): str(r.name) for r in labels.itertuples(index=False)}


def range_name(rng: Range, scenario: Scenario, labels: pd.DataFrame) -> str:
    """A display name for the range, from the result's ``labels`` table: ``Wages,
    Morocco``, ``Volume, Billing questions``, ``FX MAD (Morocco)``, ``Shrinkage, all sites``."""
    names = _names(labels)
    what = {"rate": "Wages", "fx": "FX", "volume": "Volume", "aht": "AHT", "shrinkage": "Shrinkage"}
    title = what[rng.kind]
    if rng.kind == "fx":
        countries = ", ".join(names.get(("country", c), c) for c in rng.countries)
        return f"FX {rng.target} ({countries})"
    if rng.target is None:
        return f"{title}, all {'call types' if rng.kind in ('volume', 'aht') else 'sites'}"
    if rng.kind in ("volume", "aht"):
        return f"{title}, {names.get(('call_type', rng.target), rng.target)}"
    if rng.target in {s.id for s in scenario.sites}:
        return f"{title}, {names.get(('site', rng.target), rng.target)}"
    return f"{title}, {names.get(('country', rng.target), rng.target)}"


@dataclass(frozen=True)
class Sensitivity:
    """A one-at-a-time sensitivity study.

    Attributes
    ----------
    table : DataFrame
        One row per range, by falling ``abs(swing)``: ``parameter`` (as written:
        ``rate:MA``), ``name`` (display name, from the labels), ``kind``, ``target``,
        ``low`` and ``high`` (the changes [fraction]), ``unit`` (``%`` relative, ``pt``
        points); ``cost_low``, ``cost_base``, ``cost_high`` [currency/yr; NaN when an
        end has no plan], ``lower_bound_*`` [currency/yr, proven], ``status_*``
        (``optimal``, ``feasible``, ``infeasible`` or the solver's failure), ``gap_*``
        (proven, fraction); ``swing`` = cost_high - cost_low and ``swing_min``,
        ``swing_max``, the interval the solves prove it in [currency/yr];
        ``significant`` (that interval excludes 0).
    base : Result
        The unchanged scenario's plan.
    solves : int
        Solves made, the base's included.
    origin : str
        Where the ranges came from: ``given`` (the caller's, ``--range``), ``scenario``
        (its ``sensitivity:`` section) or ``default`` (:func:`default_ranges`).
    """

    table: pd.DataFrame
    base: Result
    currency: str
    solves: int
    labels: pd.DataFrame = field(default_factory=pd.DataFrame)
    origin: str = "given"


def _end(solver: _Solver, rng: Range, change: float) -> tuple[float, float, str, float]:
    """(cost, lower bound, status, gap) at one end; NaN costs when it has no plan."""
    try:
        result = solver(rng, change)
    except InfeasibleScenarioError:
        return math.nan, math.nan, "infeasible", math.nan
    except SolveError as exc:
        return math.nan, math.nan, str(exc.status), math.nan
    return _figures(result)


def _figures(result: Result) -> tuple[float, float, str, float]:
    bound = result.stamp.get("lower_bound")
    gap = result.stamp.get("gap")
    return (
        float(result.total_cost),
        math.nan if bound is None else float(bound),
        str(result.stamp.get("status", result.status)),
        math.nan if gap is None else float(gap),
    )


def swing_interval(
    cost_low: float, bound_low: float, cost_high: float, bound_high: float
) -> tuple[float, float]:
    """The interval ``[L_high - U_low, U_high - L_low]`` the swing ``OPT_high - OPT_low``
    is proven to lie in [currency/yr], each solve proving ``L <= OPT <= U``; a solve
    without a bound proves only ``OPT >= 0``."""
    low_bound = 0.0 if math.isnan(bound_low) else bound_low
    high_bound = 0.0 if math.isnan(bound_high) else bound_high
    return high_bound - cost_low, cost_high - low_bound


def sensitivity(
    scenario: Scenario,
    ranges: Sequence[Range] | None = None,
    *,
    check: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Solve ``scenario`` at both ends of each range (module docstring).

    Parameters
    ----------
    ranges : sequence of Range, optional
        Default: the scenario's ``sensitivity:`` section (:func:`scenario_ranges`), else
        :func:`default_ranges`.
    on_progress : callable, optional
        ``on_progress(done, total)`` after each range.

    Raises
    ------
    AnalysisError
        A range that does not fit the scenario (one line); the base's own solve errors
        as :func:`bestshore.solve`'s.
    """
    origin = "given"
    if ranges is None:
        ranges = scenario_ranges(scenario)
        origin = "scenario"
    if ranges is None:
        ranges, origin = default_ranges(scenario), "default"
    chosen = list(ranges)
    if not chosen:
        raise AnalysisError("sensitivity: no range to study")
    keys = [r.key for r in chosen]
    duplicate = sorted({k for k in keys if keys.count(k) > 1})
    if duplicate:
        raise AnalysisError(f"--range {duplicate[0]}: given twice")
    chosen = [resolve_range(scenario, r) for r in chosen]
    solver = _Solver(scenario, check=check)
    base = solver(chosen[0], 0.0)
    cost_base, bound_base, status_base, gap_base = _figures(base)
    rows = []
    for number, rng in enumerate(chosen, start=1):
        low = _end(solver, rng, rng.low)
        high = _end(solver, rng, rng.high)
        swing = high[0] - low[0]
        swing_min, swing_max = swing_interval(low[0], low[1], high[0], high[1])
        significant = bool(
            not math.isnan(swing)
            and (swing_min > 1e-9 * max(1.0, cost_base) or swing_max < -1e-9 * max(1.0, cost_base))
        )
        rows.append(
            {
                "parameter": rng.key,
                "name": range_name(rng, scenario, base.labels),
                "kind": rng.kind,
                "target": rng.target,
                "low": rng.low,
                "high": rng.high,
                "unit": rng.unit,
                "cost_low": low[0],
                "cost_base": cost_base,
                "cost_high": high[0],
                "lower_bound_low": low[1],
                "lower_bound_base": bound_base,
                "lower_bound_high": high[1],
                "status_low": low[2],
                "status_base": status_base,
                "status_high": high[2],
                "gap_low": low[3],
                "gap_base": gap_base,
                "gap_high": high[3],
                "swing": swing,
                "swing_min": swing_min,
                "swing_max": swing_max,
                "significant": significant,
            }
        )
        if on_progress is not None:
            on_progress(number, len(chosen))
    table = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    order = table["swing"].abs().fillna(np.inf).sort_values(ascending=False, kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    return Sensitivity(table, base, base.currency, solver.solves, base.labels, origin)


# --- break-evens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """What flips at a break-even.

    Either a share: ``site``, ``country`` or ``shore`` (one of them) gets at least
    ``share`` [fraction] of ``call_type``'s volume (None: of all the volume); or a cost:
    the annual cost is at least ``cost`` [currency/yr].
    """

    site: str | None = None
    country: str | None = None
    shore: str | None = None
    call_type: str | None = None
    share: float | None = None
    cost: float | None = None

    def describe(self, names: dict[tuple[str, str], str] | None = None) -> str:
        """The condition in words, with display names."""
        names = names or {}
        if self.cost is not None:
            return f"annual cost at least {self.cost:,.0f}"
        who = (
            names.get(("site", self.site), self.site)
            if self.site
            else names.get(("country", str(self.country)), self.country)
            if self.country
            else f"{self.shore}"
        )
        what = (
            names.get(("call_type", self.call_type), self.call_type)
            if self.call_type
            else "all call types"
        )
        return f"{who} takes at least {self.share:.0%} of {what}"

    def check(self, scenario: Scenario) -> None:
        """One-line :class:`AnalysisError` for a condition the scenario cannot express."""
        targets = [t for t in (self.site, self.country, self.shore) if t is not None]
        if self.cost is not None:
            if targets or self.share is not None or self.call_type is not None:
                raise AnalysisError("break-even: give --cost alone, or a share condition")
            if not (math.isfinite(self.cost) and self.cost >= 0):
                raise AnalysisError(f"break-even --cost {self.cost}: give a cost of 0 or more")
            return
        if len(targets) != 1:
            raise AnalysisError(
                "break-even: give one of --site, --country or --shore (with --share), or --cost"
            )
        if self.share is None or not 0 < self.share <= 1:
            raise AnalysisError(
                f"break-even --share {self.share}: give a share above 0 and at most 1"
            )
        if self.site is not None and self.site not in {s.id for s in scenario.sites}:
            raise AnalysisError(f"break-even --site {self.site!r}: not a site of the scenario")
        countries = {s.country for s in scenario.sites}
        if self.country is not None and self.country not in countries:
            raise AnalysisError(
                f"break-even --country {self.country!r}: no site there "
                f"(site countries: {', '.join(sorted(countries))})"
            )
        if self.shore is not None and self.shore not in ("inshore", "nearshore", "offshore"):
            raise AnalysisError(
                f"break-even --shore {self.shore!r}: choose inshore, nearshore or offshore"
            )
        ids = [c.id for c in scenario.call_types]
        if self.call_type is not None and self.call_type not in ids:
            raise AnalysisError(
                f"break-even --call-type {self.call_type!r}: not one of {', '.join(ids)}"
            )

    def value(self, result: Result) -> float:
        """The share taken [fraction] (or the annual cost [currency/yr]) in ``result``."""
        if self.cost is not None:
            return float(result.total_cost)
        rows = result.allocation
        if self.call_type is not None:
            rows = rows[rows["call_type"] == self.call_type]
        total = float(rows["volume"].sum())
        if total <= 0:
            return 0.0
        column, key = (
            ("site", self.site)
            if self.site
            else ("country", self.country)
            if self.country
            else ("shore", self.shore)
        )
        return float(rows.loc[rows[column].astype(str) == key, "volume"].sum()) / total

    def holds(self, result: Result) -> bool:
        """The condition in ``result`` (a share within 1e-9 of the threshold counts)."""
        threshold = self.cost if self.cost is not None else self.share
        assert threshold is not None
        return self.value(result) >= threshold - 1e-9 * max(1.0, abs(threshold))


@dataclass(frozen=True)
class BreakEven:
    """A break-even found by bisection.

    Attributes
    ----------
    parameter : str
        As written (``rate:MA``); ``unit`` ``%`` (relative change) or ``pt``.
    low, high : float
        The bracket found [change, fraction]: the condition holds at one end and not at
        the other; the flip lies between.
    width : float
        ``high - low`` [fraction].
    holds_at_low : bool
        Whether the condition holds at ``low`` (else at ``high``).
    solves : int
        Solves made.
    steps : DataFrame
        Each solve: ``step``, ``change``, ``holds``, ``value`` (share [fraction] or cost
        [currency/yr]), ``total_cost`` [currency/yr], ``status``, ``gap``.
    base_values : dict
        rate and fx: each moved site's base ``cost_per_hour`` [currency/h] (the bracket in
        money is ``base x (1 + change)``); volume: each moved call type's volume; aht:
        AHT [s]; shrinkage: each moved site's shrinkage [fraction].
    max_gap : float
        The largest proven gap of the solves (fraction; NaN when none).
    """

    parameter: str
    unit: str
    condition: str
    low: float
    high: float
    holds_at_low: bool
    solves: int
    steps: pd.DataFrame
    base_values: dict[str, float]
    currency: str
    max_gap: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def values(self, change: float) -> dict[str, float]:
        """The parameter's values at ``change``, by site or call type (its natural unit)."""
        if self.unit == "pt":
            return {
                k: min(max(v + change, 0.0), _MAX_SHRINKAGE) for k, v in self.base_values.items()
            }
        return {k: v * (1 + change) for k, v in self.base_values.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (NaN as None)."""
        from bestshore.result.result import table_records

        return {
            "parameter": self.parameter,
            "unit": self.unit,
            "condition": self.condition,
            "low": self.low,
            "high": self.high,
            "width": self.width,
            "holds_at_low": self.holds_at_low,
            "values_low": self.values(self.low),
            "values_high": self.values(self.high),
            "solves": self.solves,
            "max_gap": None if math.isnan(self.max_gap) else self.max_gap,
            "currency": self.currency,
            "steps": table_records(self.steps),
        }


def _base_values(scenario: Scenario, rng: Range) -> dict[str, float]:
    if rng.kind in ("volume", "aht"):
        return {
            c.id: float(c.volume if rng.kind == "volume" else c.aht_seconds)
            for c in scenario.call_types
            if rng.target is None or c.id == rng.target
        }
    values: dict[str, float] = {}
    for site_id in _sites_of(scenario, rng):
        site = scenario.site(site_id)
        if rng.kind == "shrinkage":
            own = site.shrinkage
            values[site_id] = float(scenario.settings.shrinkage if own is None else own)
        else:
            price = next(
                (
                    p
                    for p in (site.cost_per_hour, site.price_per_fte_month, site.price_per_contact)
                    if p is not None
                ),
                None,
            )
            if price is not None:
                values[site_id] = float(price)
    return values


def break_even(
    scenario: Scenario,
    param: str,
    condition: Condition,
    *,
    low: float,
    high: float,
    tolerance: float = 0.001,
    max_solves: int = 60,
    check: bool = True,
) -> BreakEven:
    """The change of ``param`` (``KIND[:TARGET]``, as in a range) at which ``condition``
    flips, by bisection over ``[low, high]`` (module docstring).

    Parameters
    ----------
    low, high : float
        The bracket [change, fraction; points for shrinkage]: the condition must hold at
        one end and not at the other.
    tolerance : float
        Stop when the bracket is at most this wide [fraction].
    max_solves : int
        Stop after this many solves (the bracket is then wider than ``tolerance``).

    Raises
    ------
    AnalysisError
        A bad parameter, bracket or condition, a bracket whose ends agree (widen it), or
        a solve in the search with no plan (one line).
    """
    kind, target, countries = parse_param(param)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise AnalysisError(f"break-even --low {low} --high {high}: LOW must be below HIGH")
    if kind != "shrinkage" and low <= -1:
        raise AnalysisError(f"break-even --low {low:+.0%}: give a change above -100%")
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise AnalysisError(f"break-even --tolerance {tolerance}: give a width above 0")
    if not 2 <= max_solves <= 1000:
        raise AnalysisError(f"break-even --max-solves {max_solves}: give 2 to 1,000")
    rng = resolve_range(scenario, Range(kind, target, low, high, countries))
    condition.check(scenario)
    solver = _Solver(scenario, check=check)
    steps: list[dict[str, Any]] = []
    labels: list[pd.DataFrame] = []

    def probe(change: float) -> bool:
        try:
            result = solver(rng, change)
        except (InfeasibleScenarioError, SolveError) as exc:
            raise AnalysisError(
                f"break-even: {rng.key} at {format_change(change, rng.unit)} has no plan "
                f"({exc.status}); narrow the bracket"
            ) from None
        cost, _, status, gap = _figures(result)
        holds = condition.holds(result)
        labels[:] = [result.labels]
        steps.append(
            {
                "step": len(steps) + 1,
                "change": change,
                "holds": holds,
                "value": condition.value(result),
                "total_cost": cost,
                "status": status,
                "gap": gap,
            }
        )
        return holds

    at_low, at_high = probe(low), probe(high)
    if at_low == at_high:
        raise AnalysisError(
            f"break-even: {condition.describe()} {'holds' if at_low else 'fails'} at both "
            f"ends of {rng.key} {format_change(low, rng.unit)} to {format_change(high, rng.unit)}; "
            "widen --low/--high"
        )
    a, b = low, high
    while b - a > tolerance and solver.solves < max_solves:
        middle = (a + b) / 2
        if probe(middle) == at_low:
            a = middle
        else:
            b = middle
    table = pd.DataFrame(
        steps, columns=["step", "change", "holds", "value", "total_cost", "status", "gap"]
    )
    gaps = table["gap"].dropna()
    return BreakEven(
        parameter=rng.key,
        unit=rng.unit,
        condition=condition.describe(_names(labels[0])),
        low=a,
        high=b,
        holds_at_low=at_low,
        solves=solver.solves,
        steps=table,
        base_values=_base_values(scenario, rng),
        currency=scenario.market.currency,
        max_gap=float(gaps.max()) if len(gaps) else math.nan,
    )
