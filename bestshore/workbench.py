"""A scenario kept solved for what-ifs: change a price, a cap or a capacity, re-solve fast.

For notebooks (a slider re-solving as it moves) and sweeps (twenty prices of one site).
:func:`bestshore.solve` starts from nothing each time; a :class:`Workbench` keeps what a
change of *terms* cannot alter and redoes only the rest:

- kept: demand, opening hours, pay premiums, the eligible set and its groupings, the
  staffing of every queue load already met (cached), and one HiGHS instance;
- redone: the site and vendor tables and the rates (a few rows); the LP is not built
  again but re-priced (:func:`bestshore.model.reprice.reprice`): only the families that
  read what changed are written again (a price: the objective, and volume tiers, whose
  rows carry the bill; a capacity: its capacity, seat and open-site rows; a vendor
  cap: its share row), the rest of the last model is kept as built. A change the
  kept structure cannot take (a cap added or removed) builds afresh. For scenarios
  staffed by workload (a price or a cap moves only costs and bounds) HiGHS gets only
  the changed costs and bounds and restarts from its last basis; with Erlang staffing
  every round is solved afresh (a restarted simplex may end on another of several
  optimal vertices, and the rounds after it would differ), so the answer is the one
  :func:`bestshore.solve` gives.

Every result is checked by :func:`bestshore.verify` like any other (``check=False``
skips it, for the tightest loops).

**Variants** (:meth:`Workbench.variant`, for Monte Carlo draws and sensitivity runs): a
whole changed scenario (other volumes, AHT, shrinkage, prices) solved from the
workbench's kept plan without changing the workbench, and that plan *held fixed* under
the variant (:mod:`bestshore.model.held`: re-staffed and re-costed exactly). Each variant
starts from the same kept state, so its answer does not depend on the variants solved
before it: the same variant gives the same plan in any order, in any process.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bestshore.api import SolveError, solve_prepared
from bestshore.model.build import build_model
from bestshore.model.families import without
from bestshore.model.held import HeldPricing, hold, price_held
from bestshore.model.inputs import ModelInputs, prepare_inputs, with_new_terms
from bestshore.model.plan import Plan
from bestshore.model.program import HighsSession, KeyedBasis, solve_with_highs
from bestshore.model.sets import Eligibility, eligible_assignments
from bestshore.result import Result
from bestshore.scenario import Scenario, ScenarioError, load_scenario
from bestshore.scenario.messages import describe
from bestshore.scenario.schema import Site, Vendor

__all__ = ["Variant", "Workbench"]

# Site and vendor fields a variant may change and still be a change of terms only
# (``with_new_terms`` re-derives them; everything else must be equal).
_SITE_TERMS = {
    "cost_per_hour",
    "rates",
    "price_per_fte_month",
    "price_per_contact",
    "capacity_hours",
    "capacity_fte",
    "max_agents",
}
_VENDOR_TERMS = {"max_share"}
# Fields a variant may change and keep its eligible assignments (the rules read none of
# them): call types' volumes and handle times, sites' shrinkage and terms.
_CALL_TYPE_DEMAND = {"volume", "aht_seconds"}
_SITE_DEMAND = _SITE_TERMS | {"shrinkage"}


@dataclass(frozen=True)
class Variant:
    """A variant of a workbench's scenario, solved, and the kept plan held fixed under it.

    Attributes
    ----------
    scenario : Scenario
        The variant.
    result : Result or None
        Its re-optimized plan, checked like any (None when it has none: ``error``).
    error : SolveError or None
        Why there is no plan (:class:`~bestshore.InfeasibleScenarioError`, a solver
        limit, ...); None when there is one.
    held : HeldPricing
        The workbench's kept plan held fixed under the variant: its exact cost
        [currency/yr] and the limits it exceeds (:mod:`bestshore.model.held`).
    terms_only : bool
        The variant changed terms only (prices, capacities, seats, vendor caps): the
        kept model was re-priced rather than built again.
    timings : dict
        Seconds per stage, as :attr:`Workbench.timings`, and ``held`` (the fixed plan's
        pricing).
    """

    scenario: Scenario
    result: Result | None
    error: SolveError | None
    held: HeldPricing
    terms_only: bool
    timings: dict[str, float]

    @property
    def regret(self) -> float | None:
        """Held plan's cost less the re-optimized plan's [currency/yr]; None without a plan.

        The re-optimized plan is within its proven gap of the best: the regret against
        the best plan lies in :attr:`regret_interval`.
        """
        return None if self.result is None else self.held.total_cost - self.result.total_cost

    @property
    def regret_interval(self) -> tuple[float, float] | None:
        """``[held - U, held - L]`` [currency/yr]: the regret against the best plan of the
        variant, whose cost lies between the re-optimized plan's lower bound ``L`` and
        its cost ``U`` (without a proven bound, ``L`` is 0)."""
        if self.result is None:
            return None
        bound = self.result.stamp.get("lower_bound")
        lower = 0.0 if bound is None else float(bound)
        return self.held.total_cost - self.result.total_cost, self.held.total_cost - lower


class Workbench:
    """One scenario, solved and re-solved as its terms change.

    Example::

        bench = Workbench("scenarios/demo.yaml")
        base = bench.solve()
        bench.set_rate("casablanca", 14.0)       # EUR per productive hour
        cheaper = bench.solve()                  # reuses everything a price cannot change

    Parameters
    ----------
    scenario : Scenario or path
        The scenario (validated, or a YAML file to load).
    check : bool
        Run the independent checker on every result (default).
    """

    def __init__(self, scenario: Scenario | str | Path, *, check: bool = True) -> None:
        if isinstance(scenario, Scenario):
            scenario = scenario.revalidated()  # it may have been changed since loading
        else:
            scenario = load_scenario(scenario)
        self._scenario = scenario
        self._check = check
        self._inputs: ModelInputs | None = None
        self._eligibility: Eligibility | None = None
        self._terms_changed = False
        self._session = HighsSession()
        self._plan: Plan | None = None
        self._start: tuple[Plan, KeyedBasis | None] | None = None
        self._quick: tuple[Plan, Plan] | None = None
        self.timings: dict[str, float] = {}

    @property
    def scenario(self) -> Scenario:
        """The scenario as it stands, every change applied."""
        return self._scenario

    # -- changes of terms ------------------------------------------------------------------

    def set_rate(self, site: str, rate: float, *, call_type: str | None = None) -> None:
        """Set a site's price per productive hour [currency/h].

        With ``call_type``, set that call type's rate-card entry only; otherwise the
        site's ``cost_per_hour`` (rate-card entries for other call types stay).
        """
        current = self._site(site)
        if call_type is not None:
            if call_type not in {c.id for c in self._scenario.call_types}:
                raise ScenarioError(f"set_rate: unknown call type {call_type!r}")
            self._replace_site(current, rates={**current.rates, call_type: rate})
        else:
            self._replace_site(current, cost_per_hour=rate)

    def set_capacity(self, site: str, hours: float) -> None:
        """Set a site's capacity [productive h/yr] (replaces a capacity given in FTE)."""
        self._replace_site(self._site(site), capacity_hours=hours, capacity_fte=None)

    def set_vendor_cap(self, vendor: str, share: float | None) -> None:
        """Set a vendor's cap on its share of the work [fraction]; None removes it."""
        vendors = {v.id: v for v in self._scenario.vendors}
        if vendor not in vendors:
            raise ScenarioError(f"set_vendor_cap: unknown vendor {vendor!r}")
        changed = _revalidated(Vendor, vendors[vendor], max_share=share)
        self._swap("vendors", [changed if v.id == vendor else v for v in self._scenario.vendors])

    # -- solving ---------------------------------------------------------------------------

    def solve(self, *, quick: bool = False) -> Result:
        """Solve the scenario as it stands; the same exceptions as :func:`bestshore.solve`.

        By default the answer is the one :func:`bestshore.solve` gives for
        :attr:`scenario`. ``quick=True`` (for sliders) restarts HiGHS from its last
        basis and starts the rounds that fit the plan from the room the last plan held
        back: it settles in fewer rounds, obeys every rule and is checked like any plan,
        but may differ from a fresh solve (its plan depends on the last one); its lower
        bound is the relaxation's, proven as a fresh solve's is, so its gap says how far
        it may be from the best. Without Erlang staffing ``quick`` changes nothing.

        ``timings`` holds the seconds of this solve per stage (as in ``bestshore.solve``);
        its ``model_builds`` counts the rounds whose model was built afresh rather than
        re-priced from the last one (0 after a change of terms the model could take; the
        pooled hours' re-plan, ``pooled_replan``, builds one of other columns, not
        counted).
        """
        clock: dict[str, float] = {}
        start = time.perf_counter()
        if self._inputs is None or self._eligibility is None:
            self._inputs = prepare_inputs(self._scenario)
            self._eligibility = eligible_assignments(self._inputs)
        elif self._terms_changed:
            self._inputs = with_new_terms(self._inputs, self._scenario)
            self._eligibility = self._eligibility.repriced(self._inputs)
        self._terms_changed = False
        clock["inputs"] = time.perf_counter() - start
        try:
            result, self._plan = solve_prepared(
                self._inputs,
                self._eligibility,
                check=self._check,
                timings=clock,
                session=self._session,
                previous=self._plan,
                quick=quick,
            )
            return result
        finally:
            self.timings = clock

    @property
    def plan(self) -> Plan | None:
        """The plan of the last :meth:`solve` (None before the first)."""
        return self._plan

    def variant(self, scenario: Scenario, *, quick: bool = False, summary: bool = False) -> Variant:
        """Solve ``scenario``, a variant of :attr:`scenario`, and hold the kept plan fixed
        under it; the workbench itself is not changed.

        The kept plan is the last :meth:`solve`'s (solved first if there is none). The
        variant is solved as :func:`bestshore.solve` would (``quick=False``) or with its
        rounds that fit it warm-started from the room a quick solve of the kept plan's
        own terms held back (``quick=True``: fewer rounds, its relaxation's simplex
        started from the kept plan's, a plan within its proven gap, the bound the
        convex relaxation's). A variant changing terms only (prices, capacities, seats,
        vendor caps) re-prices the kept model; any other (volumes, AHT, shrinkage, ...)
        builds its own. No HiGHS instance is kept between variants (a quick one has one
        of its own for its rounds), so each one's answer is its own whatever was solved
        before.

        A variant without a plan is not an error: :attr:`Variant.error` says why. Its
        scenario is validated again (a bad value raises :class:`ScenarioError`).
        ``summary=True`` (a Monte Carlo draw) returns a summary result: its breakdown,
        constraints and coverage tables left empty, every figure of the plan the same.
        """
        if self._plan is None:
            self.solve()
        assert self._plan is not None and self._inputs is not None
        assert self._eligibility is not None
        clock: dict[str, float] = {}
        start = time.perf_counter()
        scenario = scenario.revalidated()
        terms_only = _terms_only(self._scenario, scenario)
        if terms_only:
            inputs = with_new_terms(self._inputs, scenario)
            eligibility = self._eligibility.repriced(inputs)
        else:
            inputs = prepare_inputs(scenario)
            found = None
            if (
                _demand_and_terms_only(self._scenario, scenario)
                and inputs.demand.index.equals(self._inputs.demand.index)
                and inputs.workloads.index.equals(self._inputs.workloads.index)
            ):
                # the rules read nothing that changed, and every demand unit is kept
                found = self._eligibility.with_demand(inputs)
            eligibility = found if found is not None else eligible_assignments(inputs)
        clock["inputs"] = time.perf_counter() - start
        result: Result | None = None
        error: SolveError | None = None
        relaxation = None
        try:
            result, plan = solve_prepared(
                inputs, eligibility, check=self._check, timings=clock,
                previous=self._quick_previous() if quick else self._plan, quick=quick,
                start=self._quick_start() if quick else None, summary=summary,
            )  # fmt: skip
            relaxation = plan.relaxation
        except SolveError as exc:
            error = exc
        tick = time.perf_counter()
        # a quick variant's relaxation has no queue openings: the held plan is priced on it
        held = price_held(hold(self._plan), inputs, eligibility, relaxation=relaxation)
        clock["held"] = time.perf_counter() - tick
        return Variant(scenario, result, error, held, terms_only, clock)

    # -- helpers ---------------------------------------------------------------------------

    def _quick_start(self) -> KeyedBasis | None:
        """Where a quick variant's relaxation starts its simplex: the kept plan's
        relaxation as a quick variant builds it (no queue openings), solved once per kept
        plan, its basis by name (None where it is no LP). A draw's relaxation then
        takes a few hundred iterations from it rather than a few thousand, and its
        answer still depends on its terms and the kept plan alone."""
        plan = self._plan
        assert plan is not None and self._inputs is not None and self._eligibility is not None
        if self._start is None or self._start[0] is not plan:
            families = without("queue_opening", plan.model.families)
            model = build_model(self._inputs, eligibility=self._eligibility, families=families)
            arrays = model.program.arrays()
            keyed = None
            if not arrays.integer.any():
                solution, highs = solve_with_highs(arrays)
                basis = highs.getBasis()
                if solution.has_solution and basis.valid:
                    keyed = KeyedBasis.of(model.program, basis)
            self._start = (plan, keyed)
        return self._start[1]

    def _quick_previous(self) -> Plan:
        """The plan a quick variant's rounds start from: the kept plan's own terms
        solved as a quick variant once per kept plan (the kept plan where that finds
        none). Its room held back is the quick rounds' own: the kept plan's, found by a
        fresh solve with queue openings, was short where the convex relaxation moves work
        (on demo-study's draws Port Louis' paid hours were chased in nearly every draw:
        30 draws, 4.07 -> 3.83 rounds a draw, cost -0.008 % on average). It depends on
        the kept plan alone, so a variant's answer still does too."""
        plan = self._plan
        assert plan is not None and self._inputs is not None and self._eligibility is not None
        if self._quick is None or self._quick[0] is not plan:
            found = plan  # where the quick solve finds none: the kept plan's own room
            with contextlib.suppress(SolveError):
                _, found = solve_prepared(
                    self._inputs,
                    self._eligibility,
                    check=False,
                    previous=plan,
                    quick=True,
                    start=self._quick_start(),
                )
            self._quick = (plan, found)
        return self._quick[1]

    def _site(self, site: str) -> Site:
        for candidate in self._scenario.sites:
            if candidate.id == site:
                return candidate
        raise ScenarioError(f"unknown site {site!r}")

    def _replace_site(self, site: Site, **changes: Any) -> None:
        changed = _revalidated(Site, site, **changes)
        self._swap("sites", [changed if s.id == site.id else s for s in self._scenario.sites])

    def _swap(self, field: str, items: list[Any]) -> None:
        self._scenario = self._scenario.model_copy(update={field: items})  # keeps its source
        self._terms_changed = True


def _terms_only(before: Scenario, after: Scenario) -> bool:
    """Whether ``after`` differs from ``before`` in sites' and vendors' terms at most."""
    return _differs_in(before, after, sites=_SITE_TERMS)


def _demand_and_terms_only(before: Scenario, after: Scenario) -> bool:
    """Whether ``after`` differs from ``before`` in call types' volumes and handle
    times, sites' shrinkage and sites' and vendors' terms at most (a Monte Carlo draw)."""
    return _differs_in(before, after, sites=_SITE_DEMAND, call_types=_CALL_TYPE_DEMAND)


def _differs_in(
    before: Scenario,
    after: Scenario,
    *,
    sites: set[str],
    call_types: set[str] | None = None,
) -> bool:
    """Whether ``after`` differs from ``before`` in these sites' fields, vendors' terms
    and (given) these call types' fields at most."""
    bare: dict[str, Any] = {"sites": [], "vendors": []}
    if call_types is not None:
        bare["call_types"] = []
    if before.model_copy(update=bare) != after.model_copy(update=bare):
        return False
    pairs: list[tuple[list[Any], list[Any], set[str]]] = [
        (before.sites, after.sites, sites),
        (before.vendors, after.vendors, _VENDOR_TERMS),
    ]
    if call_types is not None:
        pairs.append((before.call_types, after.call_types, call_types))
    for old, new, fields in pairs:
        if [item.id for item in old] != [item.id for item in new]:
            return False
        if any(
            a.model_dump(exclude=fields) != b.model_dump(exclude=fields)
            for a, b in zip(old, new, strict=True)
        ):
            return False
    return True


def _revalidated(kind: type[Any], item: Any, **changes: Any) -> Any:
    """``item`` with ``changes``, validated like a loaded one (bad values raise ScenarioError)."""
    try:
        return kind.model_validate({**item.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(p for p in first["loc"] if isinstance(p, int) or "[" not in p)
        fields = ", ".join(changes)
        raise ScenarioError(
            f"{kind.__name__.lower()} {item.id}: {fields}: {describe(first, kind, loc)}"
        ) from None
