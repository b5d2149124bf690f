"""Team rules applied as eligibility, with optima worked out by hand.

Spoken and written proficiency, the call types a site offers, and per-site quality
gates. See conftest.tiny for the units: 3,000 productive hours of French N1 voice work,
Paris at 30 EUR/h and Rabat at 15 EUR/h, both with ample capacity; 1 FTE = 1,000 h.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import fte_at, solve_dict, tiny

import bestshore
from bestshore.analysis import active_rules, price_of_policies
from bestshore.model import prepare_inputs
from bestshore.model.sets import eligible_assignments
from bestshore.scenario import parse_scenario


def _with_email() -> dict[str, Any]:
    """tiny() plus 12,000 e-mails a year of 300 s: 1,000 h of deferred work needing C1."""
    data = tiny()
    data["call_types"].append(
        {"id": "n1_email", "level": "N1", "channel": "email", "volume": 12_000,
         "aht_seconds": 300, "languages": {"fr": 1.0}}
    )  # fmt: skip
    return data


def _with_n2() -> dict[str, Any]:
    """tiny() plus 1,000 h of French N2 voice work (12,000 calls of 300 s)."""
    data = tiny()
    data["call_types"].append(
        {"id": "n2", "level": "N2", "volume": 12_000, "aht_seconds": 300,
         "languages": {"fr": 1.0}}
    )  # fmt: skip
    return data


def _reasons(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(call type, site) -> reason of every exclusion of the scenario."""
    exclusions = eligible_assignments(prepare_inputs(parse_scenario(data))).exclusions
    return {
        (c, s): r
        for c, s, r in zip(
            exclusions["call_type"], exclusions["site"], exclusions["reason"], strict=True
        )
    }


# --- spoken and written -------------------------------------------------------------------
def test_a_site_speaking_well_but_writing_poorly_takes_the_voice_work_only() -> None:
    # Rabat speaks C2 but writes B1: the voice work (3,000 h) goes to Rabat at 15 EUR,
    # the e-mails (1,000 h, C1 needed) to Paris at 30: 45,000 + 30,000 = 75,000.
    data = _with_email()
    data["sites"][1]["languages"] = {"fr": {"spoken": "C2", "written": "B1"}}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(75_000)
    assert fte_at(result, "rabat", "n1") == pytest.approx(3.0)
    assert fte_at(result, "paris", "n1_email") == pytest.approx(1.0)
    assert _reasons(data) == {("n1_email", "rabat"): "writes fr below C1"}


def test_a_site_writing_well_but_speaking_poorly_takes_the_email_only() -> None:
    # The other way round: voice 3,000 h x 30 in Paris + e-mails 1,000 h x 15 in Rabat.
    data = _with_email()
    data["sites"][1]["languages"] = {"fr": {"spoken": "B1", "written": "C2"}}
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000 + 15_000)
    assert fte_at(result, "rabat", "n1_email") == pytest.approx(1.0)
    assert _reasons(data) == {("n1", "rabat"): "speaks fr below C1"}


def test_one_level_counts_for_both_and_equals_the_same_pair() -> None:
    # Rabat at C1 in both ways takes everything: 4,000 h x 15 = 60,000, written either way.
    plain = _with_email()
    plain["sites"][1]["languages"] = {"fr": "C1"}
    pair = _with_email()
    pair["sites"][1]["languages"] = {"fr": {"spoken": "C1", "written": "C1"}}
    assert solve_dict(plain).total_cost == pytest.approx(60_000)
    assert solve_dict(pair).total_cost == pytest.approx(60_000)
    assert _reasons(plain) == _reasons(pair) == {}


def test_back_office_work_is_judged_by_its_channel() -> None:
    # Back-office claims by mail read the written level (B1: Paris takes them); the same
    # work on the phone reads the spoken level (C2: Rabat takes it).
    data = tiny()
    data["call_types"][0].update(level="back_office", channel="mail")
    data["sites"][1]["languages"] = {"fr": {"spoken": "C2", "written": "B1"}}
    assert solve_dict(data).total_cost == pytest.approx(90_000)
    data["call_types"][0]["channel"] = "voice"
    assert solve_dict(data).total_cost == pytest.approx(45_000)


def test_no_site_writing_well_enough_is_diagnosed() -> None:
    data = _with_email()
    for site in data["sites"]:
        site["languages"] = {"fr": {"spoken": "native", "written": "B2"}}
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    message = str(caught.value)
    assert "n1_email in fr needs 1.0 FTE but no site may take it" in message
    assert "2 of 2 sites lack the language at the required level" in message


# --- what a site offers -------------------------------------------------------------------
def test_a_site_not_offering_a_call_type_gets_none_of_it() -> None:
    # Rabat offers N1 only: N1 3,000 h x 15 in Rabat, N2 1,000 h x 30 in Paris = 75,000
    # (60,000 if Rabat took both).
    data = _with_n2()
    assert solve_dict(data).total_cost == pytest.approx(60_000)
    data["sites"][1]["call_types"] = ["n1"]
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(75_000)
    assert fte_at(result, "rabat", "n2") == 0.0
    assert fte_at(result, "paris", "n2") == pytest.approx(1.0)
    assert _reasons(data) == {("n2", "rabat"): "does not offer n2"}
    assert set(result.exclusions["rule"]) == {"offer"}


def test_no_site_offering_a_call_type_is_diagnosed() -> None:
    data = _with_n2()
    for site in data["sites"]:
        site["call_types"] = ["n1"]
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(data)
    assert "n2 in fr needs 1.0 FTE but no site may take it: 2 of 2 sites do not offer it" in str(
        caught.value
    )
    findings = caught.value.diagnosis.findings
    assert list(findings["rule"]) == ["offer"]


def test_an_unknown_call_type_in_an_offer_is_refused() -> None:
    data = _with_n2()
    data["sites"][1]["call_types"] = ["n1", "n3"]
    with pytest.raises(
        bestshore.ScenarioError, match=r"sites\[1\]\.call_types\[1\]: offers unknown"
    ):
        parse_scenario(data)


# --- quality gates ------------------------------------------------------------------------
def _gated(paris: float | None, rabat: float | None, gate: float = 80) -> dict[str, Any]:
    data = tiny(policies={"quality_gates": {"n1": gate}})
    for site, csat in zip(data["sites"], (paris, rabat), strict=True):
        if csat is not None:
            site["quality"] = {"csat": csat}
    return data


def test_a_gate_that_shuts_out_the_cheap_site_moves_the_work() -> None:
    # Rabat's CSAT 74 is below the gate of 80: all 3,000 h in Paris, 90,000 not 45,000.
    data = _gated(paris=85, rabat=74)
    result = solve_dict(data)
    assert result.total_cost == pytest.approx(90_000)
    assert fte_at(result, "paris") == pytest.approx(3.0)
    assert _reasons(data) == {("n1", "rabat"): "CSAT 74 below the gate of 80"}
    # At the gate exactly, Rabat passes.
    assert solve_dict(_gated(paris=85, rabat=80)).total_cost == pytest.approx(45_000)


def test_the_gate_reads_the_score_for_the_call_type_first() -> None:
    # Site-level 74 fails, but Rabat's N1 score is 81: it passes and takes everything.
    data = _gated(paris=85, rabat=74)
    data["sites"][1]["quality_by_call_type"] = {"n1": {"csat": 81}}
    assert solve_dict(data).total_cost == pytest.approx(45_000)
    # And the other way round: a good site-level score, a poor one for N1.
    data = _gated(paris=85, rabat=90)
    data["sites"][1]["quality_by_call_type"] = {"n1": {"csat": 70}}
    assert solve_dict(data).total_cost == pytest.approx(90_000)


def test_a_site_reporting_no_csat_fails_the_gate() -> None:
    data = _gated(paris=85, rabat=None)
    assert solve_dict(data).total_cost == pytest.approx(90_000)
    assert _reasons(data) == {("n1", "rabat"): "no CSAT reported for the gate of 80"}


def test_a_gate_is_not_a_floor() -> None:
    # The same scores under a CSAT floor of 80 (volume-weighted): Rabat may take a share
    # x with 74 x + 85 (1 - x) >= 80, x = 5/11: 3,000 h x (30 - 15 x 5/11) = 69,545.45.
    floor = tiny(policies={"quality_floors": {"n1": 80}})
    floor["sites"][0]["quality"] = {"csat": 85}
    floor["sites"][1]["quality"] = {"csat": 74}
    assert solve_dict(floor).total_cost == pytest.approx(3000 * (30 - 15 * 5 / 11))
    assert solve_dict(_gated(paris=85, rabat=74)).total_cost == pytest.approx(90_000)


def test_no_site_passing_the_gate_is_diagnosed_with_the_gate() -> None:
    with pytest.raises(bestshore.InfeasibleScenarioError) as caught:
        solve_dict(_gated(paris=79, rabat=74))
    assert str(caught.value) == (
        "no feasible plan: n1 in fr needs 3.0 FTE but no site may take it: "
        "2 of 2 sites fall short of its quality gate (CSAT 80)"
    )
    assert list(caught.value.diagnosis.findings["rule"]) == ["quality_gate"]


def test_the_price_of_a_gate_and_facts_are_not_rules() -> None:
    # Lifting the gate lets Rabat take everything: 90,000 - 45,000 = 45,000 a year. The
    # languages a site works in and the call types it offers are facts, never lifted.
    data = _gated(paris=85, rabat=74)
    data["sites"][1]["languages"] = {"fr": {"spoken": "C2", "written": "B1"}}
    data["sites"][1]["call_types"] = ["n1"]
    scenario = parse_scenario(data)
    assert [r.key for r in active_rules(scenario)] == ["quality_gate[n1]"]
    prices = price_of_policies(scenario)
    assert prices["price"].iloc[0] == pytest.approx(45_000)
    assert prices["description"].iloc[0] == "n1 only at sites with CSAT 80 or more"


def test_gate_references_are_checked() -> None:
    data = _gated(paris=85, rabat=74)
    data["policies"]["quality_gates"] = {"n7": 80}
    with pytest.raises(bestshore.ScenarioError, match=r"policies\.quality_gates\.n7: unknown"):
        parse_scenario(data)


def test_levels_and_offers_survive_revalidation_and_inheritance(tmp_path: Path) -> None:
    # A child scenario replaces a site's languages whole and keeps its offer.
    base = _with_n2()
    base["sites"][1]["languages"] = {"fr": {"spoken": "C2", "written": "B1"}}
    base["sites"][1]["call_types"] = ["n1"]
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    child = {"base": "base.yaml", "sites": [{"id": "rabat", "languages": {"fr": "C1"}}]}
    (tmp_path / "child.yaml").write_text(yaml.safe_dump(child), encoding="utf-8")
    parent = bestshore.load_scenario(tmp_path / "base.yaml")
    assert parent.site("rabat").proficiency("fr", written=True) == "B1"
    assert parent.site("rabat").proficiency("fr", written=False) == "C2"
    assert parent.revalidated() == parent
    scenario = bestshore.load_scenario(tmp_path / "child.yaml")
    rabat = scenario.site("rabat")
    assert rabat.languages == {"fr": "C1"} and rabat.call_types == ["n1"]
    assert rabat.proficiency("fr", written=True) == rabat.proficiency("fr", written=False)
