"""Re-price a built model: new prices, caps, capacities or staffing factors, no rebuild.

A what-if (a site's rate, a vendor's cap, a site's capacity) and each round that fits a
plan (new margins held back from limits) change
a few of the LP's families and leave the rest as they were: demand coverage, the work
shares, the quality floors, commitments and SCC rows read only demand, the eligible set
and the policies. Building the whole program again redoes all of them; :func:`reprice`
writes again only the families that read what changed, at the columns and rows they
hold in the built program, and splices them in (:meth:`LinearProgram.replaced`).

Why the result is exact: a family written again runs the very function
:func:`~bestshore.model.build.build_model` ran, on the new inputs and variables, and
numbers its columns and rows as the build did; a family kept reads nothing that changed
(its ``reads`` in :mod:`bestshore.model.families`); and the splice refuses any change of structure (other
columns, rows, keys or sparsity pattern: a vendor cap added or removed, a coefficient
becoming zero), returning None so the caller builds afresh. The program is then the one
``build_model`` gives for the changed inputs, entry for entry (tested on random
scenarios), so HiGHS solves the same LP.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bestshore.model import constraints as c
from bestshore.model.build import SourcingModel, build_model
from bestshore.model.curve import staffing_envelopes
from bestshore.model.families import Family
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram
from bestshore.model.sets import Eligibility

__all__ = ["build_or_reprice", "changes", "reprice", "to_write_again"]

_PRICE_COLUMNS = ("rate_per_hour", "contact_price", "incentive")


def changes(
    base: SourcingModel,
    inputs: ModelInputs,
    eligibility: Eligibility,
    variables: c.Variables,
) -> frozenset[str] | None:
    """What differs between ``base`` and a model of ``inputs`` with ``variables``.

    The tags of :data:`bestshore.model.families.READ_TAGS`; None when something else differs (demand, hours, the
    eligible set, a policy, any site or vendor field other than its terms), which only
    a full build handles.
    """
    old = base.inputs
    found: set[str] = set()
    if not np.array_equal(base.variables.agent_hours, variables.agent_hours) or not _same_years(
        base.variables, variables
    ):
        found.add("staffing")
    if base.variables.margins != variables.margins:
        found.add("margins")
    if inputs is old and eligibility is base.eligibility:
        return frozenset(found)
    kept_tables = ("demand", "workloads", "open_hours", "premium")
    if any(getattr(inputs, name) is not getattr(old, name) for name in kept_tables):
        return None  # not derived by with_new_terms: demand or hours may differ
    if len(eligibility.assignments) != len(base.eligibility.assignments):
        return None
    if not _same_but_terms(old, inputs):
        return None
    rows, before = eligibility.assignments, base.eligibility.assignments
    if any(not np.array_equal(rows[k].to_numpy(), before[k].to_numpy()) for k in _PRICE_COLUMNS):
        found.add("prices")
    for tag, table, column in (
        ("capacity", "sites", "capacity_hours"),
        ("seats", "sites", "max_agents"),
        ("vendor_caps", "vendors", "max_share"),
    ):
        new, was = getattr(inputs, table)[column], getattr(old, table)[column]
        if not new.index.equals(was.index) or not np.array_equal(new, was, equal_nan=True):
            found.add(tag)
    return frozenset(found)


def _same_years(before: c.Variables, after: c.Variables) -> bool:
    """Whether the envelopes' year factors agree (seats raise them: a what-if on seats
    or capacity may change the year's price of a row and not its week's)."""
    was, now = before.envelopes, after.envelopes
    if was is None or now is None:
        return was is now
    return np.array_equal(was.year_factor, now.year_factor, equal_nan=True)


# Scenario fields a change of terms may set (Workbench.set_rate, set_capacity,
# set_vendor_cap); they reach the model only through the tables compared in `changes`.
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


def _same_but_terms(old: ModelInputs, new: ModelInputs) -> bool:
    """Whether the two scenarios differ in sites' and vendors' terms at most."""
    a, b = old.scenario, new.scenario
    if a.model_copy(update={"sites": [], "vendors": []}) != b.model_copy(
        update={"sites": [], "vendors": []}
    ):
        return False
    if [s.id for s in a.sites] != [s.id for s in b.sites]:
        return False
    if [v.id for v in a.vendors] != [v.id for v in b.vendors]:
        return False
    sites = all(
        x.model_dump(exclude=_SITE_TERMS) == y.model_dump(exclude=_SITE_TERMS)
        for x, y in zip(a.sites, b.sites, strict=True)
    )
    return sites and all(
        x.model_dump(exclude=_VENDOR_TERMS) == y.model_dump(exclude=_VENDOR_TERMS)
        for x, y in zip(a.vendors, b.vendors, strict=True)
    )


def to_write_again(families: tuple[Family, ...], changed: frozenset[str]) -> list[Family]:
    """The families that read something in ``changed`` (all those that do not say)."""
    if not changed:
        return []
    return [f for f in families if f.reads is None or f.reads & changed]


def reprice(
    base: SourcingModel,
    inputs: ModelInputs,
    *,
    eligibility: Eligibility | None = None,
    agents_per_erlang: np.ndarray | None = None,
    margins: c.Margins | None = None,
) -> SourcingModel | None:
    """The model ``build_model`` would give, derived from ``base``; None if it cannot be.

    Parameters
    ----------
    base : SourcingModel
        A model built (or re-priced) earlier for the same eligible set; it is not
        changed, nor is its solution.
    inputs : ModelInputs
        ``base.inputs``, or inputs derived from them by
        :func:`~bestshore.model.inputs.with_new_terms` (prices, capacities, seats,
        vendor caps changed).
    eligibility : Eligibility, optional
        The eligible set of ``inputs``: ``base``'s, or it repriced
        (:meth:`Eligibility.repriced`); default ``base``'s.
    agents_per_erlang : array, optional
        Staffing factor per assignment row; default the pooled factors.
    margins : Margins, optional
        Hours held back from capacities and seat limits.

    Returns
    -------
    SourcingModel or None
        A new model (its own program, no solution) equal to ``build_model(inputs,
        eligibility=eligibility, agents_per_erlang=agents_per_erlang,
        margins=margins)``: the families that read what changed are written again
        (:func:`to_write_again`), the others kept. None when the change is not one of terms and
        staffing, or alters the program's structure: build afresh.
    """
    if base.elastic or "share" not in base.program.sections:
        return None
    eligibility = eligibility if eligibility is not None else base.eligibility
    scratch = LinearProgram(base.program.name)
    # The envelopes of the new terms: their cached part (demand) is the base's, their
    # seat slopes follow the seats (curve.staffing_envelopes).
    envelopes = staffing_envelopes(inputs, eligibility)
    fresh = c.add_share_variables(
        scratch, eligibility, False, agents_per_erlang, margins, envelopes
    )
    changed = changes(base, inputs, eligibility, fresh)
    if changed is None:
        return None
    # The base's columns with the new eligible set, agent hours and margins.
    variables = dataclasses.replace(
        base.variables,
        eligibility=eligibility,
        agent_hours=fresh.agent_hours,
        margins=fresh.margins,
        envelopes=fresh.envelopes,
    )
    parts: dict[str, LinearProgram] = {}
    for record in to_write_again(base.families, changed):
        section = base.program.sections[record.name]
        part = LinearProgram(base.program.name, num_col=section.columns[0], num_row=section.rows[0])
        record.add(part, inputs, variables)
        parts[record.name] = part
    program = base.program.replaced(parts)
    if program is None:
        return None
    return dataclasses.replace(
        base, inputs=inputs, program=program, variables=variables, solution=None
    )


def build_or_reprice(
    inputs: ModelInputs,
    *,
    base: SourcingModel | None,
    eligibility: Eligibility,
    agents_per_erlang: np.ndarray | None = None,
    margins: c.Margins | None = None,
) -> tuple[SourcingModel, bool]:
    """:func:`reprice` ``base`` when there is one and it can be; else build afresh.

    Returns the model and whether it was built afresh.
    """
    if base is not None:
        model = reprice(
            base,
            inputs,
            eligibility=eligibility,
            agents_per_erlang=agents_per_erlang,
            margins=margins,
        )
        if model is not None:
            return model, False
    model = build_model(
        inputs,
        eligibility=eligibility,
        agents_per_erlang=agents_per_erlang,
        margins=margins,
        families=base.families if base is not None else None,
    )
    return model, True
