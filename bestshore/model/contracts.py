"""Contract terms that need their own variables: volume tiers and commitments.

Notation as in :mod:`bestshore.model.constraints`; for a vendor v, ``R(v)`` its eligible
assignments, ``c_i`` the annual cost of assignment i at share 1
(:func:`~bestshore.model.constraints.annual_cost_coefficients`) and ``e_i = F m n`` the
contacts a year it handles at share 1, repeats included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.constraints import (
    Variables,
    annual_cost_coefficients,
    bill_terms,
    most_bill,
)
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram

__all__ = [
    "add_commitments",
    "add_volume_discounts",
    "commitment_costs",
    "contacts_per_year",
    "tier_discount",
]


def contacts_per_year(rows: pd.DataFrame) -> np.ndarray:
    """Contacts a year each assignment handles at share 1, repeats included: ``F·m·n``."""
    calls = rows["unit_calls"].to_numpy()
    return calls * rows["repeat_factor"].to_numpy() * rows["annual_factor"].to_numpy()


def tier_discount(tiers: list[Any], contacts: float) -> float:
    """The discount a vendor earns on its whole bill with ``contacts`` a year (0 if none).

    The contract's rule, applied to an exact plan: the highest tier whose threshold the
    volume reaches (a relative 1e-9 below counts, for the solver's rounding).
    """
    earned = [t.discount for t in tiers if contacts >= t.from_contacts * (1 - 1e-9)]
    return max(earned, default=0.0)


def add_volume_discounts(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Volume-discount tiers ("all units"): past a threshold, the whole bill falls.

    For a vendor v with tiers ``j`` (threshold ``t_j`` contacts a year, discount
    ``δ_j``), a binary ``w[v,j]`` says tier j applies and ``D_v ≥ 0`` is the money saved
    [currency/yr]; ``B_v = Σ_{i ∈ R(v)} c_i x_i`` is the bill before discount and
    ``U_v = δ_max Σ_{i ∈ R(v)} c_i`` bounds any discount:

    .. math:: \sum_j w_{v,j} \le 1, \qquad
              \sum_{i \in R(v)} e_i x_i \ge t_j\, w_{v,j}, \qquad
              D_v \le \delta_j B_v + U_v (1 - w_{v,j}), \qquad
              D_v \le U_v \sum_j w_{v,j}

    and the objective subtracts ``D_v``. A tier is chosen only if its volume is
    reached, and the discount is that tier's share of the bill; minimizing cost picks
    the best reachable tier, so crossing a threshold can change the best vendor. Names
    ``tier_choice[v]``, ``tier_volume[v,t_j]``, ``tier_discount[v,t_j]``,
    ``tier_none[v]``. The plan's exact cost applies the same rule to its exact bill
    (:func:`tier_discount`).
    """
    vendors = [v for v in inputs.scenario.vendors if v.volume_discounts]
    if not vendors or variables.elastic:
        return
    cost = annual_cost_coefficients(inputs, variables)
    contacts = contacts_per_year(variables.assignments)
    by_vendor = variables.eligibility.groups("vendor")
    for vendor in vendors:
        members = by_vendor.get(vendor.id, np.array([], dtype=np.int64))
        if not len(members):
            continue
        tiers = vendor.volume_discounts
        keys = [(vendor.id, t.from_contacts) for t in tiers]
        chosen = lp.add_binaries("tier", keys)
        (saved,) = lp.add_columns("discount", [vendor.id])
        lp.add_cost(np.array([saved]), -1.0)
        share = variables.share[members]
        billed, bill = bill_terms(variables, members, cost)
        # the bill of every row taken in full bounds any plan's bill at the vendor
        bound = max(t.discount for t in tiers) * most_bill(variables, members, cost)
        lp.add_rows("tier_choice", [vendor.id], [chosen], [np.ones(len(chosen))], upper=1.0)
        for column, tier, key in zip(chosen, tiers, keys, strict=True):
            lp.add_rows(
                "tier_volume",
                [key],
                [np.append(share, column)],
                [np.append(contacts[members], -tier.from_contacts)],
                lower=0.0,
            )
            # D - δ B + U w <= U
            lp.add_rows(
                "tier_discount",
                [key],
                [np.concatenate([[saved], billed, [column]])],
                [np.concatenate([[1.0], -tier.discount * bill, [bound]])],
                upper=bound,
            )
        lp.add_rows(
            "tier_none",
            [vendor.id],
            [np.append(chosen, saved)],
            [np.append(np.full(len(chosen), -bound), 1.0)],
            upper=0.0,
        )


def add_commitments(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Minimum volume commitments: hard, or take-or-pay.

    For a vendor v committed ``X_v`` contacts a year, with shortfall ``S_v ≥ 0``:

    .. math:: \sum_{i \in R(v)} e_i x_i + S_v \ge X_v

    and the objective pays ``ρ_v S_v`` (``shortfall_price``). A hard commitment (no
    price) has no ``S_v``: the vendor must get its volume. Name ``commitment[v]``. Dual:
    what one committed contact costs a year (at most ``ρ_v``). Elastic slack: the
    volume a hard commitment cannot get.
    """
    vendors = [v for v in inputs.scenario.vendors if v.commitment is not None]
    if not vendors:
        return
    contacts = contacts_per_year(variables.assignments)
    by_vendor = variables.eligibility.groups("vendor")
    for vendor in vendors:
        commitment = vendor.commitment
        assert commitment is not None
        members = by_vendor.get(vendor.id, np.array([], dtype=np.int64))
        (row,) = lp.add_rows(
            "commitment",
            [vendor.id],
            [variables.share[members]],
            [contacts[members]],
            lower=commitment.contacts,
        )
        if commitment.shortfall_price is not None:
            (short,) = lp.add_columns("shortfall", [vendor.id])
            lp.add_terms(np.array([row]), np.array([short]), np.array([1.0]))
            if not variables.elastic:
                lp.add_cost(np.array([short]), commitment.shortfall_price)
        elif variables.elastic:  # the volume a hard commitment cannot get, weighing 1
            (slack,) = lp.add_columns("slack_commitment", [vendor.id])
            lp.add_terms(np.array([row]), np.array([slack]), np.array([1.0]))
            lp.add_cost(np.array([slack]), 1.0)


def commitment_costs(inputs: ModelInputs, staffing: pd.DataFrame) -> pd.DataFrame:
    """Take-or-pay shortfalls of an exact plan: ``kind`` (commitment), ``id``, ``cost``."""
    committed = [
        (v.id, v.commitment.contacts, v.commitment.shortfall_price)
        for v in inputs.scenario.vendors
        if v.commitment is not None and v.commitment.shortfall_price is not None
    ]
    rows = []
    if committed:  # none: nothing to sum (a plan is priced many times)
        yearly = (staffing["calls"] * staffing["annual_factor"]).groupby(staffing["vendor"]).sum()
        for vendor, contacts, price in committed:
            short = max(0.0, contacts - float(yearly.get(vendor, 0.0)))
            if short > 1e-9 * contacts:
                rows.append({"kind": "commitment", "id": vendor, "cost": short * price})
    return pd.DataFrame(rows, columns=["kind", "id", "cost"])
