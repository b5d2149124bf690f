"""Today's split of the work: price today's allocation with the plan's own model.

The scenario's ``incumbent`` gives today's FTE per site and call type, not today's
hours or cost. To price today the same way as the plan (Erlang staffing, shrinkage,
rosters, rates, premiums, fixed costs), the FTE are read as a split of the work: each
site takes the share of a call type's work (its handle hours of the sizing week, so of
its contacts) that the site's FTE are of that call type's FTE today. With
``policies.keep_todays_split`` the model keeps that split and chooses nothing else
about where the work goes; the hours and languages within each site's share are still
chosen at least cost, so the plan it gives is today's split run at its cheapest.
Call types without incumbent FTE are placed freely.

Notation as in :mod:`bestshore.model.constraints`. ``I_{s,c}`` are the incumbent FTE of
site s on call type c, ``w_{s,c} = I_{s,c} / Σ_{s'} I_{s',c}`` today's share and
``W_c = Σ_{d ∈ D_c} A_d`` the call type's work [handle h per sizing week].
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables
from bestshore.model.inputs import ModelInputs
from bestshore.model.program import LinearProgram
from bestshore.scenario.schema import Scenario

if TYPE_CHECKING:
    from bestshore.model.build import SourcingModel

__all__ = [
    "SLACK_WEIGHT",
    "add_todays_split",
    "todays_shares",
    "todays_split_binds",
    "todays_split_relaxed",
]

_NONE = np.array([], dtype=np.int64)

# Weight of a handle hour of today's share given up, in a diagnosis: above an agent
# hour of capacity or seats (1; an agent hour is 1-2 handle hours), so a full site is
# named as full, and far below unserved work (``UNSERVED_WEIGHT`` per agent hour).
SLACK_WEIGHT = 10.0


def todays_shares(scenario: Scenario) -> dict[tuple[str, str], float]:
    """Today's share of each call type's work per site: ``{(call_type, site): w}``.

    ``w_{s,c} = I_{s,c} / Σ_{s'} I_{s',c}`` from the incumbent FTE; only pairs with
    FTE above 0, and only call types with incumbent FTE somewhere. Shares of one call
    type add up to 1.

    >>> from bestshore.examples import tiny
    >>> from bestshore.scenario import parse_scenario
    >>> s = parse_scenario(tiny(incumbent={"paris": {"n1": 3.0}, "rabat": {"n1": 1.0}}))
    >>> todays_shares(s)
    {('n1', 'paris'): 0.75, ('n1', 'rabat'): 0.25}
    """
    by_type: dict[str, dict[str, float]] = {}
    for site, allocation in scenario.incumbent.items():
        for call_type, fte in allocation.items():
            if fte > 0:
                by_type.setdefault(call_type, {})[site] = float(fte)
    return {
        (call_type, site): fte / sum(sites.values())
        for call_type, sites in sorted(by_type.items())
        for site, fte in sorted(sites.items())
    }


def add_todays_split(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""Each site keeps today's share of each call type's work (``policies.keep_todays_split``).

    .. math:: \sum_{(d,s) \in E,\ d \in D_c} A_d \, x_{d,s} = w_{s,c} W_c
              \qquad \forall (c, s) : w_{s,c} > 0

    Sites with no FTE on c today get none of it: with ``Σ_s x_{d,s} = 1`` the rows above
    already give all of ``W_c`` to today's sites. A pair whose site may take none of c
    (not eligible) keeps its row, empty, which makes the scenario infeasible and lets
    the diagnosis name it. Written only when the policy is set; a no-op otherwise.

    Name ``todays_split[c,s]``. Dual: what one handle hour a week of c more at s (and
    one less at today's other sites) would cost a year [currency/yr per handle h/week].
    Elastic slack ``slack_todays_split[c,s] ≥ 0`` [handle h/week]: the work of its share
    a site cannot take (the row reads ``... + u = w W_c``; the rest goes to other sites,
    or is left unserved), weighing :data:`SLACK_WEIGHT` per handle hour.
    """
    scenario = inputs.scenario
    if not scenario.policies.keep_todays_split:
        return
    shares = todays_shares(scenario)
    if not shares:
        return
    work = inputs.demand["handle_hours"].groupby(level="call_type").sum()
    groups = variables.eligibility.groups("call_type", "site")
    handle = variables.assignments["handle_hours"].to_numpy(dtype=float)
    keys = list(shares)
    positions = [groups.get(key, _NONE) for key in keys]
    target = np.array([shares[key] * float(work.get(key[0], 0.0)) for key in keys])
    rows = lp.add_rows(
        "todays_split",
        keys,
        [variables.share[p] for p in positions],
        [handle[p] for p in positions],
        lower=target,
        upper=target,
    )
    if variables.elastic:
        slack = lp.add_columns("slack_todays_split", keys, lower=0.0)
        lp.add_terms(rows, slack, np.ones(len(keys)))
        lp.add_cost(slack, SLACK_WEIGHT)


def todays_split_binds(inputs: ModelInputs, _: str, key: tuple[Hashable, ...]) -> str:
    """What a ``todays_split[c,s]`` row says: the site keeps today's share."""
    call_type, site = str(key[0]), str(key[1])
    share = todays_shares(inputs.scenario).get((call_type, site), 0.0)
    return f"site {site} keeps today's {share:.0%} of {call_type}"


def todays_split_relaxed(
    model: SourcingModel, _: str, slacks: pd.Series
) -> list[dict[str, object]]:
    """Findings of a diagnosis: today's split cannot be kept (the share a site cannot take).

    ``slacks``: the work of its share each site cannot take [handle h/week], by key.
    """
    inputs = model.inputs
    work = inputs.demand["handle_hours"].groupby(level="call_type").sum()
    shares = todays_shares(inputs.scenario)
    findings: list[dict[str, object]] = []
    for key, value in slacks.items():
        call_type, site = str(key[0]), str(key[1])
        total = float(work.get(call_type, 0.0))
        gap = float(value) / total if total > 0 else 0.0
        findings.append(
            {
                "rule": "todays_split",
                "key": f"{call_type}/{site}",
                "amount": gap,
                "unit": "share",
                "message": (
                    f"site {site} cannot keep today's {shares.get((call_type, site), 0.0):.0%} "
                    f"of {call_type}: {gap:.1%} of the work is off it (languages, opening "
                    "hours, or the call types it offers)"
                ),
            }
        )
    return findings
