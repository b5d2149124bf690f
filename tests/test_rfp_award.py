"""The award's new rules, savings, bid comparison and variants, through the CLI and the
API, every figure worked out by hand; every file written read back independently
(openpyxl and pandas for workbooks, json, pandas for CSV, tests/png.py for PNG).

The tiny tender (tests/bid_corpus.py): 36,000 French N1 contacts a year at AHT 300 s =
3,000 productive hours (occupancy 1, shrinkage 0, 1,000 h per FTE); Paris (in-house)
50 EUR/h; Alpha Contact bids Rabat at 15 EUR/h, Beta Relation Lisbon at 20 EUR/h.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from bid_corpus import ALPHA, BETA, base, template
from typer.testing import CliRunner

from bestshore.cli import app
from bestshore.rfp.bidcost import compare_bids
from bestshore.rfp.example import fill_bid
from bestshore.rfp.rules import AwardRules, load_rules
from bestshore.rfp.variants import compare_variants, load_variants
from bestshore.scenario import ScenarioError, parse_scenario
from tests.png import read_png

TESTS = Path(__file__).parent

BLANK = template()


def run(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def tender(folder: Path, history: dict | None = None) -> Path:
    data = base()
    if history is not None:
        data["history"] = history
    (folder / "base.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    bids = []
    for name, records in (("alpha.xlsx", ALPHA), ("beta.xlsx", BETA)):
        (folder / name).write_bytes(fill_bid(BLANK, records))
        bids.append(folder / name)
    out = folder / "tender.yaml"
    done = run("rfp", "import", *bids, "--scenario", folder / "base.yaml", "--out", out)
    assert done.exit_code == 0, done.output
    return out


def assert_png(data: bytes) -> None:
    image = read_png(data)
    assert image.width > 100 and image.height > 100
    assert len({bytes(row) for row in image.rows}) > 10  # not a blank image


def sheet(path: Path, name: str) -> pd.DataFrame:
    """A sheet read by pandas, after openpyxl has opened the workbook too."""
    assert name in openpyxl.load_workbook(path).sheetnames
    return pd.read_excel(path, sheet_name=name)


RULES = {
    "name": "capped",
    "groups": {"new": ["beta"]},
    "limits": {"alpha": {"max_spend": 27_000}, "new": {"max_share": 0.3}},
}


def test_hand_worked_award_with_spend_and_group_limits(tmp_path: Path) -> None:
    """Alpha billed at most 27,000 (1,800 h at 15), the new vendors (Beta) at most 30 % of
    the work (900 h at 20 = 18,000); Paris takes the other 300 h at 50 = 15,000: in all
    60,000 EUR/yr.

    Prices, each re-solved without its rule: without Alpha's cap, Alpha takes all 3,000 h
    (45,000; the group's cap is a most, Beta need take nothing), so the cap costs 15,000;
    without the group's cap, Alpha 1,800 h (27,000) and Beta 1,200 h (24,000): 51,000, so
    it costs 9,000.
    Each LP is solved to optimality: each price's proven interval is the point.

    Savings against today's 2.00 EUR per contact (72,000 EUR/yr): 12,000 (1/6). Per
    bidder, its forecast contacts at 2.00 less its spend: Alpha 21,600 x 2 - 27,000 =
    16,200; Beta 10,800 x 2 - 18,000 = 3,600; in-house 3,600 x 2 - 15,000 = -7,800.
    """
    path = tender(tmp_path, history={"n1.fr": {"price_per_contact": 2.0, "source": "invoices"}})
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES))
    out = tmp_path / "award"
    done = run("rfp", "award", path, "--rules", tmp_path / "rules.yaml", "--out", out, "--quiet")
    assert done.exit_code == 0, done.output
    assert (
        "saving: 12,000 EUR/yr against today's 72,000 (every lot, fixed costs included)"
        in done.output
    )
    doc = json.loads((out / "award.json").read_text())
    assert doc["status"] == "optimal" and doc["total_cost"] == pytest.approx(60_000)
    assert doc["savings"]["saving"] == pytest.approx(12_000)
    assert doc["savings"]["saving_share"] == pytest.approx(1 / 6)
    vendors = {r["vendor"]: r for r in doc["by_vendor"]}
    assert vendors["alpha"]["spend_EUR_per_yr"] == pytest.approx(27_000)
    assert vendors["beta"]["spend_EUR_per_yr"] == pytest.approx(18_000)
    assert vendors["in-house"]["spend_EUR_per_yr"] == pytest.approx(15_000)
    assert vendors["alpha"]["forecast_contacts_per_yr"] == pytest.approx(21_600)
    assert vendors["alpha"]["saving_EUR_per_yr"] == pytest.approx(16_200)
    assert vendors["beta"]["saving_EUR_per_yr"] == pytest.approx(3_600)
    assert vendors["in-house"]["saving_EUR_per_yr"] == pytest.approx(-7_800)
    prices = {r["rule"]: r for r in doc["rule_prices"]}
    assert set(prices) == {"vendor_limit[alpha,max_spend]", "vendor_limit[new,max_share]"}
    for rule, price in (
        ("vendor_limit[alpha,max_spend]", 15_000),
        ("vendor_limit[new,max_share]", 9_000),
    ):
        assert prices[rule]["price"] == pytest.approx(price)
        assert prices[rule]["price_low"] == pytest.approx(price)
        assert prices[rule]["price_high"] == pytest.approx(price)
        assert prices[rule]["binding"]
    assert (
        prices["vendor_limit[alpha,max_spend]"]["description"]
        == "Alpha Contact is billed at most 27,000 EUR/yr"
    )
    assert prices["vendor_limit[alpha,max_spend]"]["source"] == "limits: alpha.max_spend"
    assert (
        prices["vendor_limit[new,max_share]"]["description"]
        == "new (Beta Relation) takes at most 30% of the work"
    )
    lot = doc["lots"][0]
    assert lot["winners"] == "Alpha Contact 60%, Beta Relation 30%, in-house 10%"
    assert lot["bidders_winning"] == 2
    assert lot["cost_per_contact_EUR"] == pytest.approx(60_000 / 36_000)
    assert lot["saving_EUR_per_yr"] == pytest.approx(12_000) and lot["today_source"] == "invoices"
    limits = {(r["target"], r["bound"]): r for r in doc["limits"]}
    spend = limits[("alpha", "max_spend")]
    assert spend["plan"] == pytest.approx(27_000) and spend["model"] == pytest.approx(27_000)
    assert spend["binding_in_model"] and spend["plan_within"]
    assert limits[("new", "max_share")]["plan"] == pytest.approx(0.3)

    # the workbook, read by openpyxl and pandas, says the same
    book = out / "award.xlsx"
    summary = sheet(book, "Summary").set_index("item")
    assert summary.at["saving", "value"] == pytest.approx(12_000)
    assert summary.at["today's cost", "value"] == pytest.approx(72_000)
    binding = summary.loc[summary.index == "binding rule", "value"].tolist()
    assert binding[0].startswith(
        "Alpha Contact is billed at most 27,000 EUR/yr: costs 15,000 EUR/yr"
    )
    by_vendor = sheet(book, "ByVendor").set_index("vendor")
    assert by_vendor.at["alpha", "saving [EUR/yr]"] == pytest.approx(16_200)
    assert sheet(book, "Lots").at[0, "cost_per_contact [EUR/contact]"] == pytest.approx(
        60_000 / 36_000
    )
    prices_sheet = sheet(book, "RulePrices").set_index("rule")
    assert prices_sheet.at["vendor_limit[new,max_share]", "price [EUR/yr]"] == pytest.approx(9_000)
    bids = sheet(book, "Bids").set_index("vendor")
    assert bids.at["alpha", "cost_per_contact [EUR/contact]"] == pytest.approx(15 * 300 / 3600)
    assert bids.at["beta", "cost_per_contact [EUR/contact]"] == pytest.approx(20 * 300 / 3600)
    assert list(pd.read_csv(out / "bids.csv")["vendor"]) == ["alpha", "beta"]  # ranked
    for chart in ("award_spend", "lot_award", "rule_prices", "savings", "bid_ranking"):
        assert_png((out / "charts" / f"{chart}.png").read_bytes())
        svg = (out / "charts" / f"{chart}.svg").read_text()
        assert "alpha" not in svg.replace("Alpha", "")  # names, not ids
    assert "Alpha Contact" in (out / "charts" / "award_spend.svg").read_text()


def test_award_without_history_claims_no_saving(tmp_path: Path) -> None:
    out = tmp_path / "award"
    done = run("rfp", "award", tender(tmp_path), "--out", out, "--quiet", "--no-bids")
    assert done.exit_code == 0, done.output
    doc = json.loads((out / "award.json").read_text())
    assert doc["savings"]["saving"] is None and doc["savings"]["basis"] == "no history"
    assert "saving" not in done.output
    assert not (out / "charts" / "savings.png").exists()
    assert not (out / "bids.csv").exists()
    assert "Bids" not in openpyxl.load_workbook(out / "award.xlsx").sheetnames


BAD_RULES = [
    ({"limits": {"gamma": {"max_share": 0.3}}}, "rules.yaml:3 limits.gamma: neither a bidder (vendor ids: alpha, beta) nor a group (groups: none)"),
    ({"groups": {"new": ["beta", "delta"]}}, "rules.yaml:4 groups.new[1]: unknown bidder 'delta' (vendor ids: alpha, beta)"),
    ({"limits": {"alpha": {"min_share": 0.5, "max_share": 0.2}}}, "limits.alpha: min_share (0.5) is above max_share (0.2)"),
    ({"min_winners_per_lot": 3, "min_lot_winner_share": 0.4}, "min 3 vendors each taking min_share 0.4 of a lot need more than the whole lot"),
    ({"min_lot_winner_share": 0.4}, "min_lot_winner_share needs min_winners_per_lot"),
    ({"incumbent_min_share": {"alpha": 0.2}, "limits": {"alpha": {"min_share": 0.1}}}, "incumbent_min_share and limits both set alpha's min_share; keep one"),
    ({"max_lot_share": 2}, "max_lot_share: must be <= 1, got 2"),
]  # fmt: skip


@pytest.mark.parametrize(("rules", "message"), BAD_RULES, ids=[b[1][:40] for b in BAD_RULES])
def test_bad_rules_one_line_exit_2(tmp_path: Path, rules: dict, message: str) -> None:
    path = tender(tmp_path)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    out = tmp_path / "award"
    done = run("rfp", "award", path, "--rules", tmp_path / "rules.yaml", "--out", out)
    assert done.exit_code == 2, done.output
    assert len(done.output.strip().splitlines()) == 1
    assert message in done.output and "Traceback" not in done.output
    assert not out.exists()


# -- bids normalised ---------------------------------------------------------------------


def _bids_scenario() -> dict:
    """Four bids for the tiny lot, worked out by hand (36,000 contacts, AHT 300 s, one
    contact = 1/12 h; FCR baseline 0.80; a flat arrival over mon-fri 09:00-17:00):

    - Rabat (alpha), 15 EUR/h, and a 9,000 EUR/yr fixed cost for the bidder: 1.25 EUR per
      contact for its work; 45,000 + 9,000 = 54,000 in all, 1.50 per contact;
    - Lisbon (beta), 1,500 EUR per FTE-month: 12 x 1,500 / (1,000 h x (1 - 0)) = 18
      EUR/h, 1.50 per contact; 3 FTE at 300 EUR of set-up each over 3 years: 300 EUR/yr,
      54,300 in all, 1.5083 per contact;
    - Dakar (gamma), 1.40 EUR per handled contact, FCR 0.70: 0.80 / 0.70 = 8/7 contacts
      handled per forecast one, 1.60 per forecast contact, 36,000 x 1/7 = 5,142.9 repeat
      contacts a year;
    - Lyon (delta), 20 EUR/h, open mon-fri 09:00-13:00: half the lot's hours (coverage
      0.5, 18,000 contacts), 1.6667 per contact; 1,500 h need 1.5 FTE, Lyon offers 1.
    """
    data = base()
    data["call_types"][0].update(fcr_baseline=0.8, arrival_profile="flat")
    data["vendors"] = [
        {"id": "alpha", "name": "Alpha Contact", "fixed_cost": 9_000},
        {"id": "beta", "name": "Beta Relation"},
        {"id": "gamma", "name": "Gamma Voice"},
        {"id": "delta", "name": "Delta CX"},
    ]
    common = {"languages": {"fr": "native"}, "capacity_hours": 10_000}
    data["sites"] += [
        {"id": "rabat", "vendor": "alpha", "country": "MA", "city": "Rabat", "cost_per_hour": 15.0, **common},
        {"id": "lisbon", "vendor": "beta", "country": "PT", "city": "Lisbon", "price_per_fte_month": 1500.0,
         "setup_cost_per_fte": 300, **common},
        {"id": "dakar", "vendor": "gamma", "country": "SN", "city": "Dakar", "price_per_contact": 1.40,
         "quality": {"fcr": 0.7}, **common},
        {"id": "lyon", "vendor": "delta", "country": "FR", "city": "Lyon", "cost_per_hour": 20.0,
         "hours": {"mon-fri": "09:00-13:00"}, **common, "capacity_hours": 1_000},
    ]  # fmt: skip
    return data


def test_bids_normalised_across_price_models_by_hand() -> None:
    compared = compare_bids(parse_scenario(_bids_scenario(), file=None))
    lots = compared.by_lot.set_index("vendor")
    per_contact = lots["cost_per_contact_EUR"]
    assert per_contact.to_dict() == pytest.approx(
        {"alpha": 1.25, "beta": 1.50, "gamma": 1.60, "delta": 20 / 12}
    )
    assert lots["coverage"].to_dict() == pytest.approx(
        {"alpha": 1, "beta": 1, "gamma": 1, "delta": 0.5}
    )
    assert lots.at["delta", "forecast_contacts_per_yr"] == pytest.approx(18_000)
    assert lots.at["gamma", "repeat_contacts_per_yr"] == pytest.approx(36_000 / 7)
    assert lots.at["gamma", "handled_contacts_per_yr"] == pytest.approx(36_000 * 8 / 7)
    assert lots.at["beta", "fte"] == pytest.approx(3.0)
    assert list(lots["rank"].astype(int)) == [1, 2, 3, 4]
    assert "can take 50% of the lot" in lots.at["delta", "note"]
    assert "needs 1.5 FTE, its sites offer 1.0" in lots.at["delta", "note"]
    assert compared.bids.set_index("vendor").at["delta", "note"] == (
        "all its lots need 1.5 FTE, its sites offer 1.0"
    )
    bids = compared.bids.set_index("vendor")
    assert bids.at["alpha", "total_cost_EUR_per_yr"] == pytest.approx(54_000)
    assert bids.at["alpha", "cost_per_contact_EUR"] == pytest.approx(1.50)
    assert bids.at["beta", "setup_cost_EUR_per_yr"] == pytest.approx(300)
    assert bids.at["beta", "cost_per_contact_EUR"] == pytest.approx(54_300 / 36_000)
    assert list(compared.bids["vendor"]) == ["alpha", "beta", "gamma", "delta"]
    offers = compared.offers.set_index("site")
    assert offers.at["lisbon", "price_model"] == "per_fte_month"
    assert (
        offers.at["lisbon", "price"] == 1500
        and offers.at["lisbon", "price_unit"] == "EUR/FTE-month"
    )


def test_a_bid_a_rule_keeps_out_says_why() -> None:
    """Sensitive data kept in the EU: Dakar's offer is listed, covering none, with why."""
    data = _bids_scenario()
    data["call_types"][0]["data_class"] = "sensitive_financial"
    data["policies"] = {"data_jurisdictions": {"sensitive_financial": ["eu_eea"]}}
    compared = compare_bids(parse_scenario(data, file=None))
    dakar = compared.offers.set_index("site").loc["dakar"]
    assert dakar["coverage"] == 0 and "SN" in dakar["note"]
    assert "gamma" not in set(compared.by_lot["vendor"])  # no cost for what it cannot take


# -- the worked example, end to end on the CLI -------------------------------------------


@pytest.mark.slow
def test_the_example_tender_runs_end_to_end(tmp_path: Path) -> None:
    """template -> filled bids -> import -> award (every rule priced) -> compare, from the
    CLI; every file read back. About a minute on two busy cores: ``make test-slow``
    (notebook 06 runs the same tender in the default run)."""
    folder = tmp_path / "tender"
    done = run("rfp", "example", "--out", folder)
    assert done.exit_code == 0, done.output
    again = tmp_path / "template.xlsx"
    assert run("rfp", "template", folder / "base.yaml", "--out", again).exit_code == 0
    assert again.read_bytes() == (folder / "template.xlsx").read_bytes()  # the bids' template
    bids = sorted((folder / "bids").glob("*.xlsx"))
    assert len(bids) == 6
    for path in bids:
        bidder = sheet(path, "Bidder")
        assert bidder.at[0, "currency"] == "EUR" and bidder.at[0, "vendor_id"] == path.stem
    out = folder / "tender.yaml"
    done = run("rfp", "import", *bids, "--scenario", folder / "base.yaml", "--out", out)
    assert done.exit_code == 0, done.output
    tender_data = yaml.safe_load(out.read_text())
    assert [v["id"] for v in tender_data["vendors"]] == sorted(p.stem for p in bids)
    assert tender_data["history"]["n1_billing.fr"]["price_per_contact"] == 4.10

    award = folder / "award"
    done = run("rfp", "award", out, "--rules", folder / "rules.yaml", "--out", award, "--quiet")
    assert done.exit_code == 0, done.output
    doc = json.loads((award / "award.json").read_text())
    priced = pd.DataFrame(doc["rule_prices"])
    assert {"vendor_limit[new,max_share]", "vendor_limit[atlantica,min_share]", "lot_winners[max]",
            "max_vendor_share"} <= set(priced["rule"])  # fmt: skip
    assert (priced["price_low"] <= priced["price"] + 1e-6).all()
    assert (priced["price"] <= priced["price_high"] + 1e-6).all()
    assert (priced["binding"] == (priced["price_low"] > 1e-9 * doc["total_cost"])).all()
    assert doc["status"] in ("optimal", "feasible") and doc["gap"] is not None
    cost = doc["total_cost"]
    assert doc["lower_bound"] <= cost * (1 + 1e-9)
    by_vendor = pd.DataFrame(doc["by_vendor"])
    assert by_vendor["spend_EUR_per_yr"].sum() + doc["other_spend"] == pytest.approx(cost)
    # the rules hold in the plan, recomputed from the award's own tables
    shares = by_vendor.set_index("vendor")["work_share"]  # handle hours, as the rules measure
    assert shares.sum() == pytest.approx(1.0)
    assert shares.drop("in-house").max() <= 0.5 + 1e-6
    assert shares["atlantica"] >= 0.1 - 1e-6
    assert shares[["nordlys", "ponant"]].sum() <= 0.3 + 1e-6
    lots = pd.DataFrame(doc["lots"])
    assert (lots["bidders_winning"] <= 2).all()
    limits = pd.DataFrame(doc["limits"]).set_index(["target", "bound"])
    assert limits.at[("new", "max_share"), "plan"] <= 0.3 + 1e-6
    assert limits.at[("atlantica", "min_share"), "plan"] >= 0.1 - 1e-6
    today = sum(
        c["price_per_contact"] * v
        for lot, c in tender_data["history"].items()
        for v in [next(ct["volume"] * ct["languages"][lot.split(".")[1]]
                       for ct in tender_data["call_types"] if ct["id"] == lot.split(".")[0])]
    )  # fmt: skip
    assert doc["savings"]["today_cost"] == pytest.approx(today)
    assert doc["savings"]["saving"] == pytest.approx(today - cost)
    for name in (
        "Summary",
        "ByVendor",
        "Lots",
        "ByLot",
        "Limits",
        "RulePrices",
        "Bids",
        "BidsByLot",
        "Offers",
    ):
        sheet(award / "award.xlsx", name)
    ranked = pd.read_csv(award / "bids_by_lot.csv")
    for _, group in ranked.groupby("lot"):
        costs = group.sort_values("rank")["cost_per_contact_EUR"].to_numpy()
        assert (costs[:-1] <= costs[1:] + 1e-9).all()
    assert_png((award / "charts" / "bid_ranking.png").read_bytes())

    compare = folder / "compare"
    done = run(
        "rfp", "compare", out, "--variants", folder / "variants.yaml", "--out", compare, "--quiet"
    )
    assert done.exit_code == 0, done.output
    variants = sheet(compare / "compare.xlsx", "Variants")
    names = list(yaml.safe_load((folder / "variants.yaml").read_text()))
    assert list(variants["variant"]) == names
    report = json.loads((compare / "compare.json").read_text())
    first = report["variants"][0]
    balanced = next(v for v in report["variants"] if v["variant"] == "balanced award")
    # same rules, the same plan: the report's money is rounded to the cent
    assert balanced["total_cost_EUR_per_yr"] == pytest.approx(cost, abs=0.005 + 1e-9 * cost)
    for row in report["variants"]:
        assert row["vs_first_EUR_per_yr"] == pytest.approx(
            row["total_cost_EUR_per_yr"] - first["total_cost_EUR_per_yr"], abs=0.02
        )
        low, high = row["vs_first_low_EUR_per_yr"], row["vs_first_high_EUR_per_yr"]
        assert low <= row["vs_first_EUR_per_yr"] + 1e-6 <= high + 2e-6
        assert row["vs_first_proven"] == (
            low > 1e-9 * first["total_cost_EUR_per_yr"]
            or high < -1e-9 * first["total_cost_EUR_per_yr"]
        )
    shares = sheet(compare / "compare.xlsx", "Shares")
    totals = variants.set_index("variant")["total_cost [EUR/yr]"]
    for row in shares.itertuples(index=False):  # each share is its spend over the variant's cost
        assert row[4] == pytest.approx(row[3] / totals[row[0]], abs=1e-9)
    assert list(shares.columns[3:5]) == ["spend [EUR/yr]", "spend_share [fraction]"]
    for chart in ("variant_costs", "variant_shares"):
        assert_png((compare / "charts" / f"{chart}.png").read_bytes())


def test_variants_errors(tmp_path: Path) -> None:
    path = tender(tmp_path)
    cases = {
        "[]\n": "a variants file maps each variant's name to its rules",
        "fine: {}\nbad: {max_lot_share: 3}\n": "variants.yaml",
        "fine: {}\nunknown: {excluded: [zeta]}\n": "variants.yaml:2 unknown.excluded[0]: unknown bidder 'zeta'",
        "fine: {}\nalso: [1, 2]\n": "a variant's rules are a mapping",
        "fine: {}\ncapped:\n  policies: {max_vendor_share: 2}\n": (
            "variants.yaml:3 capped.policies.max_vendor_share: must be <= 1, got 2"
        ),
    }
    for text, message in cases.items():
        (tmp_path / "variants.yaml").write_text(text)
        out = tmp_path / "compare"
        done = run("rfp", "compare", path, "--variants", tmp_path / "variants.yaml", "--out", out)
        assert done.exit_code == 2, (text, done.output)
        assert message in done.output and len(done.output.strip().splitlines()) == 1, done.output
        assert not out.exists()


def test_rules_and_variants_files_are_read_as_scenario_files_are(tmp_path: Path) -> None:
    """YAML 1.2's words (a bidder ``NO`` or ``on`` stays text, not YAML 1.1's false and
    true), the line of what is wrong, and the scenario loader's limits on aliases."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: plain\nexcluded: [NO, on]\ngroups: {no: [yes]}\n")
    read = load_rules(rules)
    assert read.excluded == ["NO", "on"] and read.groups == {"no": ["yes"]}
    rules.write_text("name: plain\n\nexcluded: [alpha, 3]\n")
    with pytest.raises(ScenarioError) as caught:
        load_rules(rules)
    assert str(caught.value) == f"{rules}:3 excluded[1]: must be text, got 3"
    bomb = (TESTS / "attacks" / "yaml_laughs_list.yaml").read_text()
    variants = tmp_path / "variants.yaml"
    variants.write_text(bomb)
    with pytest.raises(ScenarioError, match=r"variants.yaml:\d+: YAML aliases expand the file"):
        load_variants(variants)
    variants.write_text("fine: {}\nbad:\n  max_lot_share: 3\n")
    with pytest.raises(ScenarioError) as caught:
        load_variants(variants)
    assert str(caught.value).startswith(f"{variants}:3 bad.max_lot_share: ")


def test_rule_errors_name_the_rules_file_line_and_key(tmp_path: Path) -> None:
    """A bidder's share or contacts out of range, and a policy the rules write that the
    tender refuses, are the rules file's errors, at their line and key: not a tender field
    the user never wrote, nor an internal error (exit 1)."""
    path = tender(tmp_path)
    rules = tmp_path / "rules.yaml"
    cases = {
        "vendor_max_share: {alpha: 1.3}": "vendor_max_share.alpha: must be <= 1, got 1.3",
        "incumbent_min_share: {alpha: -0.2}": "incumbent_min_share.alpha: must be >= 0",
        "min_contacts: {alpha: -5}": "min_contacts.alpha: must be > 0, got -5",
        "min_contacts: {alpha: .inf}": "min_contacts.alpha: must be a finite number",
        "vendor_max_share: {alpha: .nan}": "vendor_max_share.alpha: must be a finite number",
        "limits: {alpha: {min_share: .nan}}": "limits.alpha.min_share: must be a finite number",
        "policies: {max_vendor_share: 2}": "policies.max_vendor_share: must be <= 1, got 2",
        "policies: {nonsense: 1}": "policies.nonsense: unknown field",
        "groups: {new: []}": "groups.new: must not be empty",
        "preferred: {vendor: ghost, min_share: 0.2}": "preferred.vendor: unknown bidder 'ghost'",
    }
    for text, message in cases.items():
        rules.write_text(f"name: checked\n{text}\n")
        out = tmp_path / "award"
        done = run("rfp", "award", path, "--rules", rules, "--out", out, "--quiet")
        assert done.exit_code == 2, (text, done.output)
        assert done.output.startswith(f"error: {rules}:2 {message}"), done.output
        assert len(done.output.strip().splitlines()) == 1 and not out.exists()


def test_a_variant_made_in_code_names_itself_and_its_key(tmp_path: Path) -> None:
    scenario = parse_scenario(yaml.safe_load(tender(tmp_path).read_text()))
    with pytest.raises(ScenarioError) as caught:
        compare_variants(scenario, {"x": AwardRules(excluded=["alpha", "zeta"])})
    assert str(caught.value) == (
        "<scenario>: variant 'x': excluded[1]: unknown bidder 'zeta' (vendor ids: alpha, beta)"
    )


def test_a_variant_without_a_plan_is_kept_with_why(tmp_path: Path) -> None:
    """Excluding both bidders leaves Paris (3,000 h x 50 = 150,000); three winners per lot
    cannot be found: that variant has no plan, and says why; the binding rules are told
    with the bidders' names."""
    path = tender(tmp_path)
    (tmp_path / "variants.yaml").write_text(
        "free: {}\nnone: {excluded: [alpha, beta]}\nthree: {min_winners_per_lot: 3, min_lot_winner_share: 0.1}\n"
        "new kept: {groups: {new: [beta]}, limits: {new: {min_share: 0.3}}}\n"
    )
    out = tmp_path / "compare"
    done = run("rfp", "compare", path, "--variants", tmp_path / "variants.yaml", "--out", out,
               "--json", "--quiet")  # fmt: skip
    assert done.exit_code == 0, done.output
    rows = {r["variant"]: r for r in json.loads(done.output)["variants"]}
    assert json.loads((out / "compare.json").read_text()) == json.loads(done.output)
    table = sheet(out / "compare.xlsx", "Variants").set_index("variant")
    assert table.at["none", "total_cost [EUR/yr]"] == pytest.approx(150_000)
    assert table.at["three", "status"] == "no plan" and pd.isna(
        table.at["three", "total_cost [EUR/yr]"]
    )
    shares = sheet(out / "compare.xlsx", "Shares").set_index(["variant", "vendor"])
    assert shares.at[("free", "alpha"), "spend_share [fraction]"] == pytest.approx(1.0)
    assert sheet(out / "compare.xlsx", "Lots").at[0, "winners"] == "Alpha Contact 100%"
    assert_png((out / "charts" / "variant_costs.png").read_bytes())
    svg = (out / "charts" / "variant_shares.svg").read_text()
    assert "Alpha Contact" in svg and "in-house" in svg  # free: all Alpha; none: all in-house
    assert rows["free"]["total_cost_EUR_per_yr"] == pytest.approx(45_000)
    assert rows["none"]["total_cost_EUR_per_yr"] == pytest.approx(150_000)
    assert (
        rows["none"]["vs_first_EUR_per_yr"] == pytest.approx(105_000)
        and rows["none"]["vs_first_proven"]
    )
    # Beta kept at 30 %: 900 h x 20 + 2,100 h x 15 = 49,500; the rule in words, with names
    assert rows["new kept"]["total_cost_EUR_per_yr"] == pytest.approx(49_500)
    assert (
        rows["new kept"]["binding"]
        == "new (Beta Relation) takes just its least share of the work (30%)"
    )
    assert rows["three"]["status"] == "no plan"
    assert (
        "lot n1.fr needs 3 vendors each taking 10% of it, and 2 may take it"
        in rows["three"]["message"]
    )


def test_bid_names_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    records = copy.deepcopy(ALPHA)
    records["Bidder"][0]["vendor_name"] = "+cmd|' /C calc'!A0"
    (tmp_path / "alpha.xlsx").write_bytes(fill_bid(BLANK, records))
    (tmp_path / "beta.xlsx").write_bytes(fill_bid(BLANK, BETA))
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base(), sort_keys=False))
    out = tmp_path / "tender.yaml"
    done = run("rfp", "import", tmp_path / "alpha.xlsx", tmp_path / "beta.xlsx",
               "--scenario", tmp_path / "base.yaml", "--out", out)  # fmt: skip
    assert done.exit_code == 0, done.output
    award = tmp_path / "award"
    assert run("rfp", "award", out, "--out", award, "--quiet", "--no-price-rules").exit_code == 0
    book = openpyxl.load_workbook(award / "award.xlsx")
    cells = [
        c for ws in book for row in ws.iter_rows() for c in row if c.value == "+cmd|' /C calc'!A0"
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    assert pd.read_csv(award / "bids.csv")["vendor_name"].str.startswith("'+cmd").any()
