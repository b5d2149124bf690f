"""Telephony platform capacity: channels sized with Erlang B (issue 13, point 7)."""

from __future__ import annotations

import copy

import pytest
from conftest import solve_dict
from test_hourly import erlang_hour

import bestshore
from bestshore.model.platform import channels_needed, platform_capacity
from bestshore.scenario import parse_scenario

# A queue of 180-s calls answered within 20 s holds a channel 180 + 20 s a call.
HOLD = 1 + 20 / 180


@pytest.mark.parametrize(
    ("channels", "erlangs"),
    [(5, 1.361), (10, 4.461), (20, 12.031), (50, 37.901)],
)
def test_platform_capacity_matches_the_published_erlang_b_table(
    channels: int, erlangs: float
) -> None:
    # The Erlang B table at 1 % blocking (e.g. Cooper, Introduction to Queueing Theory,
    # or any trunk-sizing table): traffic carried by C channels.
    assert platform_capacity(channels, 0.01) == pytest.approx(erlangs, abs=6e-4)
    assert channels_needed(erlangs - 1e-3, 0.01) == channels


def _two_sites(channels: int) -> dict:
    # 10 Erlangs at 80/20: Rabat (15 EUR/h) has `channels` channels, Paris (30 EUR/h) none.
    data = erlang_hour()
    data["sites"][0]["channels"] = channels
    paris = dict(data["sites"][0], id="paris", country="FR", city="Paris", cost_per_hour=30.0)
    paris.pop("channels")
    data["sites"].append(paris)
    return data


def test_a_small_platform_limits_what_the_cheap_site_takes() -> None:
    # Ten channels carry 4.461 Erlangs at 1 % blocking, i.e. 4.461 / (1 + 20/180) =
    # 4.015 Erlangs of handle time: Rabat takes that much and Paris the rest.
    result = solve_dict(_two_sites(10))
    rows = result.staffing.set_index("site")
    assert rows.loc["rabat", "handle_hours"] == pytest.approx(4.461 / HOLD, rel=1e-3)
    assert rows.loc["paris", "handle_hours"] == pytest.approx(10 - 4.461 / HOLD, rel=1e-3)
    binding = result.binding
    (message,) = binding.loc[binding["family"] == "channels", "message"]
    assert "rabat's telephony platform (10 channels) is full Mon 10:00" in message
    # With channels enough, Rabat takes the whole queue.
    assert len(solve_dict(_two_sites(40)).staffing) == 1


def test_the_diagnosis_says_how_many_channels_are_missing() -> None:
    # Rabat alone: 10 x (1 + 20/180) = 11.11 channel-Erlangs need 19 channels at 1 %
    # (18 carry 10.44, 19 carry 11.23): 9 more than its 10.
    data = erlang_hour()
    data["sites"][0]["channels"] = 10
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    findings = caught.value.diagnosis.findings
    row = findings[findings["rule"] == "channels"].iloc[0]
    assert row["amount"] == 9 and "9 more channels (has 10)" in row["message"]


def test_the_checker_refuses_a_plan_over_its_platform() -> None:
    data = _two_sites(10)
    result = solve_dict(data)
    assert bestshore.verify(parse_scenario(data), result) == []
    fewer = copy.deepcopy(data)
    fewer["sites"][0]["channels"] = 8
    problems = bestshore.verify(parse_scenario(fewer), result, identity=False)
    assert any("rabat hour" in p and "channel-Erlangs on 8 channels" in p for p in problems)
