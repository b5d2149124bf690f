"""Award rules of a tender: winners per lot, a vendor's share of a lot, limits on what a
vendor or a group of vendors takes (share of the work, spend, share of the spend).

Notation as in :mod:`bestshore.model.constraints`. A *lot* is a call type in one language,
``(c, l)``; ``D_{c,l}`` its demand units (its hours), ``W_{c,l} = Σ_{d ∈ D_{c,l}} A_d`` its
work [handle h/week]; ``R(v, c, l)`` the eligible assignments of vendor v in the lot and
``R(G)`` those of the vendors of a group G (a vendor alone is a group of one). In-house
sites belong to no vendor: they are in no ``R``.

Shares of the work are of handle hours, as every share rule of the model (exact whatever
the staffing). Spend is the *bill for the work*: ``B(G) = Σ_{i ∈ R(G)} c_i x_i`` (plus the
whole-agent extra hours ``e`` at their price), with ``c_i`` the annual cost of assignment
``i`` at share 1 exactly as the objective prices it
(:func:`~bestshore.model.constraints.annual_cost_coefficients`,
:func:`~bestshore.model.constraints.bill_terms`: hours at the site's price, contacts at a
price per contact, premiums, bonus/malus); volume discounts, fixed, set-up, transition
and take-or-pay costs are not in it. ``B`` with no group is the whole plan's bill,
in-house sites included.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables, annual_cost_coefficients, bill_terms
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram

__all__ = [
    "SPEND_BOUNDS",
    "WORK_BOUNDS",
    "add_lot_share",
    "add_lot_winners",
    "add_spend_limits",
    "add_work_limits",
    "limit_members",
    "lot_work",
]

_NONE = np.array([], dtype=np.int64)
WORK_BOUNDS = ("min_share", "max_share")
"""The bounds of a vendor limit on its share of the work (rows ``work_limit``)."""
SPEND_BOUNDS = ("min_spend", "max_spend", "min_spend_share", "max_spend_share")
"""The bounds of a vendor limit on its spend (rows ``spend_limit``)."""


def lot_work(inputs: ModelInputs) -> pd.Series:
    """``W_{c,l}``: the work of each lot [handle h/week], indexed by (call_type, language)."""
    return inputs.demand["handle_hours"].groupby(level=["call_type", "language"]).sum()


def limit_members(inputs: ModelInputs, target: str) -> list[str]:
    """The vendor ids a limit's target stands for: a group's members, or the vendor."""
    groups = inputs.scenario.policies.vendor_groups
    return list(groups[target]) if target in groups else [target]


def _vendor_ids(inputs: ModelInputs) -> set[str]:
    """The scenario's vendors (in-house sites' rows carry ``in-house``, no vendor)."""
    return {v.id for v in inputs.scenario.vendors}


def _positions(variables: Variables, vendors: list[str]) -> np.ndarray:
    by_vendor = variables.eligibility.groups("vendor")
    found = [by_vendor[v] for v in vendors if v in by_vendor]
    return np.sort(np.concatenate(found)) if found else _NONE


def _slack(
    lp: LinearProgram, family: str, rows: np.ndarray, keys: list[Any], sign: float, weight: Any
) -> None:
    """An elastic build's slack ``s ≥ 0`` per row, named ``slack_<family>[key]``, weighing
    ``weight`` in the relaxation: added to a ≥ row (``sign`` +1), taken from a ≤ row (-1)."""
    columns = lp.add_columns(f"slack_{family}", keys, lower=0.0)
    lp.add_terms(rows, columns, np.full(len(rows), sign))
    lp.add_cost(columns, weight)


def add_lot_winners(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""How many vendors win each lot (``policies.lot_winners``; binaries: a MILP).

    A binary ``u[c,l,v]`` says vendor v wins lot (c, l):

    .. math:: \sum_{i \in R(v,c,l)} A_i x_i \le W_{c,l}\, u_{c,l,v}, \qquad
              \sum_{i \in R(v,c,l)} A_i x_i \ge \mu\, W_{c,l}\, u_{c,l,v}\ \text{(with min)},
    .. math:: \sum_v u_{c,l,v} \le \overline{k}, \qquad \sum_v u_{c,l,v} \ge \underline{k}

    for the lots of the rule's call types (all when it names none): a vendor without
    the lot takes none of it, at most ``max`` vendors take some, at least ``min`` take
    ``min_share`` ``μ`` of it or more. A lot with at most ``max`` eligible vendors and no
    ``min`` gets no rows (the rule cannot bind). Columns ``lot_won[c,l,v]``; rows
    ``lot_award[c,l,v]``, ``lot_award_floor[c,l,v]``, ``lot_winners[c,l,max]``,
    ``lot_winners[c,l,min]``. Binaries have no duals. Elastic slack on the ``min`` rows:
    the winners a lot lacks, weighing the work ``μ W_{c,l}`` each would take.
    """
    rule = inputs.scenario.policies.lot_winners
    if rule is None:
        return
    work = variables.assignments["handle_hours"].to_numpy()
    by_lot_vendor = variables.eligibility.groups("call_type", "language", "vendor")
    lots = lot_work(inputs)
    bidders = _vendor_ids(inputs)
    wanted = set(rule.call_types)
    keys: list[tuple[Hashable, ...]] = []
    winners: list[tuple[tuple[Hashable, ...], list[int]]] = []
    for (call_type, language), total in lots.items():
        if (wanted and call_type not in wanted) or total <= 0:
            continue
        vendors = sorted(
            v for c, lang, v in by_lot_vendor if (c, lang) == (call_type, language) and v in bidders
        )
        if rule.min is None and (rule.max is None or len(vendors) <= rule.max):
            continue
        first = len(keys)
        keys.extend((call_type, language, v) for v in vendors)
        winners.append(((call_type, language), list(range(first, len(keys)))))
    if not winners:
        return
    chosen = lp.add_binaries("lot_won", keys)
    members = [by_lot_vendor[key] for key in keys]
    totals = np.array([float(lots[key[:2]]) for key in keys])
    rows = lp.add_rows(
        "lot_award", keys, [variables.share[m] for m in members], [work[m] for m in members],
        upper=0.0,
    )  # fmt: skip
    lp.add_terms(rows, chosen, -totals)
    if rule.min is not None:
        rows = lp.add_rows(
            "lot_award_floor", keys, [variables.share[m] for m in members],
            [work[m] for m in members], lower=0.0,
        )  # fmt: skip
        lp.add_terms(rows, chosen, -rule.min_share * totals)
    for bound, value in (("max", rule.max), ("min", rule.min)):
        if value is None:
            continue
        lot_keys = [(*lot, bound) for lot, at in winners if bound == "min" or len(at) > value]
        columns = [chosen[at] for lot, at in winners if bound == "min" or len(at) > value]
        if not lot_keys:
            continue
        added = lp.add_rows(
            "lot_winners",
            lot_keys,
            columns,
            [np.ones(len(c)) for c in columns],
            lower=value if bound == "min" else -np.inf,
            upper=value if bound == "max" else np.inf,
        )
        if variables.elastic and bound == "min":
            weight = np.array([rule.min_share * float(lots[key[:2]]) for key in lot_keys])
            _slack(lp, "lot_winners", added, lot_keys, +1.0, weight)


def add_lot_share(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""No vendor takes more than ``max_lot_share`` of any one lot.

    .. math:: \sum_{i \in R(v,c,l)} A_i x_i \le \alpha\, W_{c,l} \qquad \forall (c, l), v

    with ``α`` the policy's ``max_lot_share``. Rows only where the vendor's eligible work
    in the lot exceeds the cap. Name ``lot_share[c,l,v]``. Dual: what letting v take one
    more handle hour a week of the lot would save a year. Elastic slack [h/week]: the
    work above the cap.
    """
    cap = inputs.scenario.policies.max_lot_share
    if cap is None:
        return
    rows = variables.assignments
    work = rows["handle_hours"].to_numpy()
    lots = lot_work(inputs)
    by_lot_vendor = variables.eligibility.groups("call_type", "language", "vendor")
    keys, members, bounds = [], [], []
    bidders = _vendor_ids(inputs)
    for key in sorted(k for k in by_lot_vendor if k[2] in bidders):
        at = by_lot_vendor[key]
        limit = cap * float(lots[key[:2]])
        # the most v could take: each of its demand units whole, once
        reach = float(rows.iloc[at].drop_duplicates("hour")["handle_hours"].sum())
        if reach > limit * (1 + 1e-12):
            keys.append(key)
            members.append(at)
            bounds.append(limit)
    if not keys:
        return
    added = lp.add_rows(
        "lot_share", keys, [variables.share[m] for m in members], [work[m] for m in members],
        upper=np.array(bounds),
    )  # fmt: skip
    if variables.elastic:
        _slack(lp, "lot_share", added, keys, -1.0, 1.0)


def _limits(inputs: ModelInputs, bounds: tuple[str, ...]) -> list[tuple[str, str, float]]:
    """(target, bound, value) of every vendor limit's bounds among ``bounds``, in order."""
    return [
        (limit.target, bound, float(getattr(limit, bound)))
        for limit in inputs.scenario.policies.vendor_limits
        for bound in bounds
        if getattr(limit, bound) is not None
    ]


def add_work_limits(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A vendor or group takes at least / at most a share of all the work.

    .. math:: \sum_{i \in R(G)} A_i x_i \ge \underline{s}_G W, \qquad
              \sum_{i \in R(G)} A_i x_i \le \overline{s}_G W

    with ``W`` the week's work (``policies.vendor_limits``: ``min_share``, ``max_share``;
    a group's from ``policies.vendor_groups``). Incumbents kept at least a share are
    ``min_share`` limits. Name ``work_limit[G,min_share]``, ``work_limit[G,max_share]``.
    Dual: what one handle hour a week more (or less) for G would save a year. Elastic
    slack [h/week]. A ≥ row is kept when G has no eligible work (the diagnosis sees it).
    """
    found = _limits(inputs, WORK_BOUNDS)
    if not found:
        return
    work = variables.assignments["handle_hours"].to_numpy()
    total = float(inputs.demand["handle_hours"].sum())
    for bound, sign in (("min_share", +1.0), ("max_share", -1.0)):
        mine = [(t, v) for t, b, v in found if b == bound]
        if not mine:
            continue
        keys = [(t, bound) for t, _ in mine]
        members = [_positions(variables, limit_members(inputs, t)) for t, _ in mine]
        limit = np.array([v * total for _, v in mine])
        added = lp.add_rows(
            "work_limit",
            keys,
            [variables.share[m] for m in members],
            [work[m] for m in members],
            lower=limit if sign > 0 else -np.inf,
            upper=limit if sign < 0 else np.inf,
        )
        if variables.elastic:
            _slack(lp, "work_limit", added, keys, sign, 1.0)


def add_spend_limits(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A vendor or group is billed at least / at most a sum, or a share of the bill.

    .. math:: B(G) \ge \underline{S}_G, \quad B(G) \le \overline{S}_G, \quad
              B(G) - \underline{\sigma}_G B \ge 0, \quad B(G) - \overline{\sigma}_G B \le 0

    with ``B(G)`` the bill for G's work and ``B`` the whole plan's (module notes; from
    ``policies.vendor_limits``: ``min_spend``, ``max_spend`` [currency/yr],
    ``min_spend_share``, ``max_spend_share`` [fraction]). The bill is the objective's
    pricing of the staffing estimate ``k A x`` of the sizing week, annualised: the plan's
    exact spend (whole agents, each month staffed at its own volume) is reported next
    to it and may differ by that rounding. Name ``spend_limit[G,<bound>]``. Dual: what one
    currency a year more (or less) of bill for G would save. Elastic slack [currency/yr],
    weighing one agent hour a week at the average price per hour.
    """
    found = _limits(inputs, SPEND_BOUNDS)
    if not found:
        return
    cost = annual_cost_coefficients(inputs, variables)
    every = np.arange(len(variables.share))
    whole_columns, whole_bill = bill_terms(variables, every, cost)
    for bound in SPEND_BOUNDS:
        mine = [(t, v) for t, b, v in found if b == bound]
        if not mine:
            continue
        at_least = bound.startswith("min")
        share = bound.endswith("_share")
        keys = [(t, bound) for t, _ in mine]
        members, values = [], []
        for target, value in mine:
            columns, bill = bill_terms(
                variables, _positions(variables, limit_members(inputs, target)), cost
            )
            if share:  # B(G) - σ B: repeated columns add up in the program
                columns = np.concatenate([columns, whole_columns])
                bill = np.concatenate([bill, -value * whole_bill])
            members.append(columns)
            values.append(bill)
        limit = np.array([0.0 if share else v for _, v in mine])
        added = lp.add_rows(
            "spend_limit",
            keys,
            members,
            values,
            lower=limit if at_least else -np.inf,
            upper=np.inf if at_least else limit,
        )
        if variables.elastic:
            hours = float(variables.agent_hours.sum())
            per_hour = float(np.clip(cost, 0, None).sum()) / hours if hours > 0 else 1.0
            _slack(
                lp, "spend_limit", added, keys, 1.0 if at_least else -1.0, 1.0 / max(per_hour, 1e-9)
            )


# -- what the rows say (read by bestshore.model.families) -------------------------------


def _who(inputs: ModelInputs, target: Hashable) -> str:
    groups = inputs.scenario.policies.vendor_groups
    return f"group {target}" if target in groups else f"vendor {target}"


def _bound_value(inputs: ModelInputs, target: Hashable, bound: str) -> float:
    limit = next(x for x in inputs.scenario.policies.vendor_limits if x.target == target)
    return float(getattr(limit, bound))


def lot_binds(inputs: ModelInputs, row_family: str, key: tuple[Hashable, ...]) -> str | None:
    """What a binding row of the lot rules says, in the client's words."""
    policies = inputs.scenario.policies
    lot = f"{key[0]}.{key[1]}"
    if row_family == "lot_winners":
        rule = policies.lot_winners
        assert rule is not None
        if key[2] == "max":
            return f"lot {lot} is split among the most vendors its rule allows ({rule.max})"
        return f"lot {lot} has just its minimum of {rule.min} vendors"
    if row_family == "lot_award_floor":
        rule = policies.lot_winners
        assert rule is not None
        return f"vendor {key[2]} takes just the least share of lot {lot} a winner takes ({rule.min_share:.0%})"
    if row_family == "lot_share":
        share = policies.max_lot_share or 0.0
        return f"vendor {key[2]} takes the most of lot {lot} the lot share cap allows ({share:.0%})"
    return None  # lot_award: work tied to a binary


def limit_binds(inputs: ModelInputs, row_family: str, key: tuple[Hashable, ...]) -> str:
    """What a binding vendor limit says: who, which bound, its value."""
    target, bound = key[0], str(key[1])
    value = _bound_value(inputs, target, bound)
    which = "its least" if bound.startswith("min") else "its most"
    if bound.endswith("_share") and bound not in ("min_share", "max_share"):
        what = f"share of the bill for the work ({value:.0%})"
    elif bound.endswith("_share"):
        what = f"share of the work ({value:.0%})"
    else:
        what = f"bill for the work ({value:,.0f} {inputs.scenario.market.currency}/yr)"
    return f"{_who(inputs, target)} takes just {which} {what}"


def award_relaxed(model: object, row_family: str, slacks: pd.Series) -> list[dict[str, object]]:
    """What the positive slacks of the award rules mean in a diagnosis."""
    from bestshore.model.build import SourcingModel

    assert isinstance(model, SourcingModel)
    inputs = model.inputs
    total = float(inputs.demand["handle_hours"].sum())
    currency = inputs.scenario.market.currency
    findings: list[dict[str, object]] = []
    for key, value in slacks.items():
        key = key if isinstance(key, tuple) else (key,)
        if row_family == "lot_winners":
            rule = inputs.scenario.policies.lot_winners
            assert rule is not None
            bidders = _vendor_ids(inputs)
            able = sum(
                1
                for c, lang, v in model.eligibility.groups("call_type", "language", "vendor")
                if (c, lang) == key[:2] and v in bidders
            )
            amount, unit = float(value), "vendors"
            message = (
                f"lot {key[0]}.{key[1]} needs {rule.min} vendors each taking "
                f"{rule.min_share:.0%} of it, and {able} may take it"
            )
        elif row_family == "lot_share":
            amount, unit = float(value), "handle h/week"
            message = (
                f"vendor {key[2]} would need {value:,.1f} handle h/week of lot "
                f"{key[0]}.{key[1]} above the lot share cap"
            )
        else:
            bound = str(key[1])
            limit = _bound_value(inputs, key[0], bound)
            words = bound.replace("_", " ")
            if row_family == "work_limit":
                amount, unit = float(value) / total if total > 0 else 0.0, "share"
                shown, gap = f"{limit:.0%}", f"{amount:.1%} of the work"
            else:
                amount, unit = float(value), f"{currency}/yr"
                gap = f"{value:,.0f} {currency}/yr"
                shown = f"{limit:.0%}" if bound.endswith("share") else f"{limit:,.0f} {currency}/yr"
                if bound.endswith("share"):
                    gap += " of bill"
            if bound.startswith("min"):
                message = f"{_who(inputs, key[0])} would fall {gap} short of its {words} ({shown})"
            else:
                message = f"{_who(inputs, key[0])} would need {gap} above its {words} ({shown})"
        findings.append(
            {"rule": row_family, "key": ",".join(map(str, key)), "amount": amount,
             "unit": unit, "message": message}
        )  # fmt: skip
    return findings
