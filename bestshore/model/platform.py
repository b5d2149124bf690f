"""Telephony platform capacity: a site's channels carry its calls in talk and in queue.

A site's platform has ``C`` channels (``sites[].channels``): concurrent voice calls,
whether an agent is talking or the caller waits in queue. Offered ``a`` Erlangs of
channel occupancy, Erlang B gives the share of calls finding every channel busy,
``B(C, a)``; the platform is sized so that at most ``p`` of them do
(``settings.channel_blocking``, 1 % by default). The most channel occupancy ``C``
channels carry is then ``T(C) = max {a : B(C, a) <= p}`` (bisection on the Erlang B
recursion, increasing in ``a``).

A call holds a channel for its handle time and its wait. The wait is bounded by the
call type's goal, which the model takes as the channel time of a call in queue: the
answer time ``t`` of a service-level goal (most calls wait less), the ASA of an ASA
goal, none without a goal (an approximation, stated: the platform is sized on the goal,
not on the waits a roster achieves). Voice work of demand unit d at site s occupies
``A_d x_{d,s} (1 + w_c / AHT_c)`` channel-Erlangs in its hour, and

.. math:: \\sum_{d \\in V(s,h)} A_d \\, (1 + w_c / \\text{AHT}_c) \\, x_{d,s} \\le T(C_s)

for every site with channels and every market hour it takes voice work (``V``: its voice
assignments of that hour). Rows ``channels[s,h]``. Dual: what one more channel-Erlang
of platform in that hour would save a year [currency/yr per Erlang]. Elastic slack:
the channel-Erlangs missing, which the diagnosis turns into channels.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable

import numpy as np
import pandas as pd

from bestshore.model.constraints import Variables
from bestshore.model.inputs import WEEK, ModelInputs
from bestshore.model.program import LinearProgram
from bestshore.scenario.hours import hour_label
from bestshore.scenario.schema import CallType, Channel
from bestshore.staffing import erlang_b

__all__ = [
    "add_platform_channels",
    "channel_load_factor",
    "channels_binds",
    "channels_needed",
    "channels_relaxed",
    "platform_capacity",
]

_BISECTIONS = 80


@functools.lru_cache(maxsize=4096)
def platform_capacity(channels: int, blocking: float) -> float:
    """``T(C)``: the most channel occupancy [Erlang] ``channels`` carry with at most
    ``blocking`` of the calls finding them all busy (Erlang B, bisection)."""
    if channels <= 0:
        return 0.0
    low, high = 0.0, float(channels)
    while erlang_b(high, channels) <= blocking:  # never for blocking < 1: B -> 1
        high *= 2
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if erlang_b(middle, channels) <= blocking:
            low = middle
        else:
            high = middle
    return low


def channels_needed(traffic: float, blocking: float) -> int:
    """The fewest channels that carry ``traffic`` channel-Erlangs at ``blocking``."""
    if traffic <= 0:
        return 0
    n = max(1, math.floor(traffic))
    while erlang_b(traffic, n) > blocking:
        n += 1
    return n


def channel_load_factor(call_type: CallType) -> float:
    """Channel-Erlangs per Erlang of handle time: ``1 + w / AHT``, ``w`` the goal's wait
    (the answer time of a service level, the ASA of an ASA goal, 0 without a goal)."""
    goal = call_type.service_level
    if goal is None:
        return 1.0
    wait = goal.asa_seconds if goal.asa_seconds is not None else goal.answer_seconds
    return 1.0 + float(wait or 0.0) / call_type.aht_seconds


def _voice_rows(inputs: ModelInputs, assignments: pd.DataFrame) -> np.ndarray:
    voice = {c.id for c in inputs.scenario.call_types if c.channel == Channel.VOICE}
    return (assignments["call_type"].isin(voice) & (assignments["hour"] != WEEK)).to_numpy()


def add_platform_channels(lp: LinearProgram, inputs: ModelInputs, variables: Variables) -> None:
    r"""A site's platform carries its voice calls of each hour, in talk and in queue.

    .. math:: \sum_{d \in V(s,h)} A_d \, (1 + w_c / \text{AHT}_c) \, x_{d,s} \le T(C_s)

    for each site s with ``channels`` and each market hour h it takes voice work in
    (``V(s,h)``: its voice assignments of that hour; ``w_c`` the goal's wait, ``T`` the
    Erlang B capacity at ``settings.channel_blocking``, see the module docstring).
    Rows ``channels[s,h]``. Dual: what one more channel-Erlang in that hour would save a
    year [currency/yr per Erlang]. Elastic slack ``slack_channels[s,h]``: the
    channel-Erlangs missing.
    """
    sites = [s for s in inputs.scenario.sites if s.channels is not None]
    if not sites:
        return
    rows = variables.assignments
    voice = _voice_rows(inputs, rows)
    factor = (
        rows["call_type"]
        .map({c.id: channel_load_factor(c) for c in inputs.scenario.call_types})
        .to_numpy(dtype=float)
    )
    load = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(dtype=float) * factor
    groups = variables.eligibility.groups("site", "hour")
    blocking = inputs.scenario.settings.channel_blocking
    keys, members, coefficients, limits = [], [], [], []
    for site in sorted(sites, key=lambda s: s.id):
        capacity = platform_capacity(int(site.channels or 0), blocking)
        for (site_id, hour), where in sorted(groups.items()):
            if site_id != site.id or hour == WEEK:
                continue
            mine = where[voice[where]]
            if not len(mine):
                continue
            keys.append((site.id, int(hour)))
            members.append(variables.share[mine])
            coefficients.append(load[mine])
            limits.append(capacity)
    if not keys:
        return
    added = lp.add_rows("channels", keys, members, coefficients, upper=np.array(limits))
    if variables.elastic:  # the channel-Erlangs missing
        slack = lp.add_columns("slack_channels", keys)
        lp.add_terms(added, slack, np.full(len(keys), -1.0))
        lp.add_cost(slack, 1.0)


def channels_binds(inputs: ModelInputs, _: str, key: tuple[Hashable, ...]) -> str:
    site, hour = str(key[0]), int(str(key[1]))
    channels = next(s.channels for s in inputs.scenario.sites if s.id == site)
    return f"site {site}'s telephony platform ({channels} channels) is full {hour_label(hour)}"


def channels_relaxed(model: object, _: str, slacks: pd.Series) -> list[dict[str, object]]:
    """Channels each site's platform lacks, at its busiest short hour."""
    from bestshore.model.build import SourcingModel

    assert isinstance(model, SourcingModel)
    inputs = model.inputs
    blocking = inputs.scenario.settings.channel_blocking
    worst: dict[str, tuple[float, int]] = {}
    for (site, hour), value in slacks.items():
        if value > worst.get(str(site), (0.0, 0))[0]:
            worst[str(site)] = (float(value), int(hour))
    findings = []
    for site, (missing, hour) in sorted(worst.items()):
        channels = int(next(s.channels or 0 for s in inputs.scenario.sites if s.id == site))
        carried = platform_capacity(channels, blocking) + missing
        more = channels_needed(carried, blocking) - channels
        findings.append(
            {
                "rule": "channels",
                "key": site,
                "amount": float(more),
                "unit": "channels",
                "message": f"site {site}'s telephony platform would need {more} more "
                f"channels (has {channels}) {hour_label(hour)}, to carry its calls in talk "
                f"and in queue at {blocking:.0%} blocking",
            }
        )
    return findings
