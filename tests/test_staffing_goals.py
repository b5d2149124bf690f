"""The staffing calculator's goals (service level, ASA, probability of waiting) and its
"evaluate N agents" mode, against Erlang C worked out here from the textbook formula.

The reference is the closed form with factorials, written out below with nothing but
``math`` (the package uses the Erlang B recursion instead):

    C(N, A) = (A^N / N! * N / (N - A)) / (sum_{k<N} A^k / k! + A^N / N! * N / (N - A))
    SL(t)   = 1 - C * exp(-(N - A) t / h)
    ASA     = C * h / (N - A)

The textbook case: 100 calls in 30 minutes at 180 s each, A = 10 Erlangs. Published
tables give C = 0.4494, 0.2853, 0.1741 and 0.1020 for N = 12, 13, 14 and 15.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from bestshore.cli import app
from bestshore.staffing import (
    agents_for_prob_wait,
    evaluate_agents,
    staffing_requirement,
)


def erlang_c(agents: int, traffic: float) -> float:
    """Probability of waiting from the closed form (factorials), N > A."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    below = sum(traffic**k / math.factorial(k) for k in range(agents))
    return top / (below + top)


def textbook(agents: int, traffic: float = 10.0, aht: float = 180.0, t: float = 20.0) -> dict:
    c = erlang_c(agents, traffic)
    return {
        "prob_wait": c,
        "service_level": 1 - c * math.exp(-(agents - traffic) * t / aht),
        "asa_seconds": c * aht / (agents - traffic),
        "occupancy": traffic / agents,
    }


def fewest(meets) -> int:  # the first N above A = 10 that meets a goal
    return next(n for n in range(11, 100) if meets(textbook(n)))


def test_the_reference_matches_the_published_table() -> None:
    published = {12: 0.4494, 13: 0.2853, 14: 0.1741, 15: 0.1020}
    for agents, c in published.items():
        assert erlang_c(agents, 10.0) == pytest.approx(c, abs=5e-5)


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15, 20])
def test_evaluate_agents_gives_the_textbook_figures(agents: int) -> None:
    got = evaluate_agents(100, 30, 180, agents, answer_seconds=20)
    want = textbook(agents)
    assert got.traffic_erlangs == pytest.approx(10.0)
    assert got.stable
    for field, value in want.items():
        assert getattr(got, field) == pytest.approx(value, rel=1e-9), field


@pytest.mark.parametrize("agents", [0, 7, 10])
def test_too_few_agents_are_an_unbounded_queue_not_an_error(agents: int) -> None:
    got = evaluate_agents(100, 30, 180, agents)
    assert not got.stable
    assert got.service_level == 0.0 and got.prob_wait == 1.0
    assert math.isinf(got.asa_seconds) and got.occupancy == 1.0


@pytest.mark.parametrize("asa", [5.0, 7.9, 15.0, 17.2, 30.0])
def test_an_asa_goal_takes_the_fewest_agents_that_meet_it(asa: float) -> None:
    need = staffing_requirement(100, 30, 180, None, asa_target_seconds=asa)
    assert need.agents == fewest(lambda f: f["asa_seconds"] <= asa)
    assert need.asa_seconds <= asa < textbook(need.agents - 1)["asa_seconds"]
    assert need.service_level_target is None and need.asa_target_seconds == asa


@pytest.mark.parametrize("p", [0.5, 0.3, 0.2, 0.11, 0.05])
def test_a_prob_wait_goal_takes_the_fewest_agents_that_meet_it(p: float) -> None:
    expected = fewest(lambda f: f["prob_wait"] <= p)
    assert agents_for_prob_wait(100, 30, 180, p) == expected
    need = staffing_requirement(100, 30, 180, None, prob_wait_target=p)
    assert need.agents == expected and need.prob_wait == pytest.approx(erlang_c(expected, 10.0))


def test_every_goal_given_is_met_by_the_fewest_agents() -> None:
    # 80 % in 20 s alone needs 14 agents (88.8 %; 13 give 79.6 %); P(wait) <= 10 %
    # alone needs 16 (15 give 10.2 %): together 16.
    assert fewest(lambda f: f["service_level"] >= 0.8) == 14
    assert fewest(lambda f: f["prob_wait"] <= 0.10) == 16
    need = staffing_requirement(100, 30, 180, 0.8, 20, prob_wait_target=0.10)
    assert need.agents == 16
    assert need.service_level == pytest.approx(textbook(16)["service_level"])
    with pytest.raises(ValueError, match="at least one goal"):
        staffing_requirement(100, 30, 180, None)
    with pytest.raises(ValueError, match="prob_wait_target must be"):
        staffing_requirement(100, 30, 180, None, prob_wait_target=1.5)


def cli(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["staffing", "--calls", "100", "--aht", "180", *args])
    return done.exit_code, done.stdout, done.stderr


def test_cli_asa_and_prob_wait_goals() -> None:
    code, out, _ = cli("--asa-seconds", "15", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["agents"] == fewest(lambda f: f["asa_seconds"] <= 15) == 14
    assert doc["asa_seconds"] == pytest.approx(textbook(14)["asa_seconds"])
    assert doc["service_level_target"] is None  # the ASA alone was asked for
    code, out, _ = cli("--max-prob-wait", "0.3")
    assert code == 0
    assert "agents             13" in out and "P(wait)            28.5%" in out
    code, out, _ = cli()  # no goal given: 80 % within 20 s
    assert code == 0 and "goal               80% within 20 s" in out
    assert "agents             14" in out


def test_cli_evaluates_a_given_number_of_agents() -> None:
    code, out, _ = cli("--agents", "13", "--json")
    assert code == 0
    doc = json.loads(out)
    want = textbook(13)
    assert doc["agents"] == 13 and doc["stable"] is True
    for field, value in want.items():
        assert doc[field] == pytest.approx(value, rel=1e-9), field
    code, out, _ = cli("--agents", "13")
    assert "service level      79.6% answered within 20 s" in out
    assert "ASA                17.1 s" in out and "occupancy          76.9%" in out
    code, out, _ = cli("--agents", "9", "--json")  # fewer agents than Erlangs
    doc = json.loads(out)
    assert code == 0 and doc["stable"] is False and doc["asa_seconds"] is None
    code, out, _ = cli("--agents", "9")
    assert "unbounded" in out


def test_cli_refuses_a_goal_with_agents_and_bad_goals_in_one_line() -> None:
    code, out, err = cli("--agents", "13", "--asa-seconds", "10")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: --agents evaluates a given staffing")
    code, _, err = cli("--max-prob-wait", "1.5")
    assert code == 2 and err.count("\n") == 1 and "got 1.5" in err
    code, _, err = cli("--asa-seconds", "-3")
    assert code == 2 and err.count("\n") == 1 and "got -3" in err
